{{ load_audit_rows(var('dols_feed')) }}
