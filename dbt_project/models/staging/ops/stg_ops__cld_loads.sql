{{ load_audit_rows(var('cld_feed')) }}
