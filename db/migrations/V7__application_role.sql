-- The application connects as its own role (placeholder appRole: nightshift_app on the embedded
-- default; spring.flyway.placeholders.appRole for an external database, with spring.flyway.user
-- the owner). It may read and write what it owns, and only append to the audit trail. With no
-- role configured, nothing is granted here and the operator grants by hand.
DO $$
BEGIN
    IF '${appRole}' <> '' THEN
        EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', '${appRole}');
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', '${appRole}');
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', '${appRole}');
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', '${appRole}');
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
                       '${appRole}');
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', '${appRole}');
    END IF;
END
$$;
