{{ load_audit_rows(var('hospital_feed')) }}
