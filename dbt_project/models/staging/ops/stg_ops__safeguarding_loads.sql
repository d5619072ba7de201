{{ load_audit_rows(var('safeguarding_feed')) }}
