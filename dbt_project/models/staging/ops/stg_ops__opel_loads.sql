{{ load_audit_rows(var('opel_feed')) }}
