-- Foundation schema (PostgreSQL). Kept in step with ../sqlite/0001_foundation.sql: same tables, same
-- columns. Portable types: ids TEXT, instants BIGINT (microseconds since the Unix epoch, UTC),
-- booleans INTEGER 0/1 (BOOLEAN on PostgreSQL), JSON documents TEXT.

-- The one instance-level table: settings of the instance realm (operators), not of any tenant.
CREATE TABLE instance_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE tenants (
    tenant_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    country_letter_code TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT,
    technical_notification_mails TEXT NOT NULL,
    security_defaults_enabled BOOLEAN NOT NULL
);

CREATE TABLE tenant_data_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    key_id TEXT NOT NULL,
    wrapped_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key_id)
);

CREATE TABLE domains (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    authentication_type TEXT NOT NULL,
    is_default BOOLEAN NOT NULL,
    is_initial BOOLEAN NOT NULL,
    is_root BOOLEAN NOT NULL,
    is_verified BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
-- A verified domain name belongs to exactly one tenant of the instance.
CREATE UNIQUE INDEX domains_verified_name ON domains (name) WHERE is_verified;

CREATE TABLE users (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    user_principal_name TEXT NOT NULL,
    upn_key TEXT NOT NULL,
    display_name TEXT NOT NULL,
    mail_nickname TEXT NOT NULL,
    account_enabled BOOLEAN NOT NULL,
    user_type TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    last_password_change_at BIGINT,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, upn_key)
);

CREATE TABLE service_principals (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    app_owner_organization_id TEXT,
    account_enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, app_id)
);

CREATE TABLE oauth2_permission_grants (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    consent_type TEXT NOT NULL,
    principal_id TEXT,
    resource_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES service_principals (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, resource_id) REFERENCES service_principals (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX oauth2_permission_grants_client ON oauth2_permission_grants (tenant_id, client_id);

CREATE TABLE role_assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    role_definition_id TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    directory_scope_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, role_definition_id, principal_id, directory_scope_id)
);
CREATE INDEX role_assignments_principal ON role_assignments (tenant_id, principal_id);

CREATE TABLE audit_logs (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    activity_at BIGINT NOT NULL,
    category TEXT NOT NULL,
    activity_display_name TEXT NOT NULL,
    operation_type TEXT NOT NULL,
    result TEXT NOT NULL,
    result_reason TEXT NOT NULL,
    logged_by_service TEXT NOT NULL,
    correlation_id TEXT,
    initiated_by TEXT NOT NULL,
    target_resources TEXT NOT NULL,
    additional_details TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_logs_by_time ON audit_logs (tenant_id, activity_at);
