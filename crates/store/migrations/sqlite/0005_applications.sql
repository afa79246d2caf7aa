-- Application registrations (Graph `application`), their owners and their client secrets (stored as
-- keyed hashes only). The nested properties (identifierUris, redirect URIs per platform,
-- requiredResourceAccess, appRoles, api.oauth2PermissionScopes, ...) live in a private JSON document.

CREATE TABLE applications (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    sign_in_audience TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, app_id)
);

CREATE TABLE application_owners (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    application_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, application_id, owner_id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX application_owners_owner ON application_owners (tenant_id, owner_id);

CREATE TABLE password_credentials (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    application_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    display_name TEXT,
    hint TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, application_id, key_id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);
