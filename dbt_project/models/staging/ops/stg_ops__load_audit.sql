{{ load_audit_rows() }}
