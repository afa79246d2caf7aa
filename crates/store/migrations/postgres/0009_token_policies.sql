-- Token lifetime policies (Graph `tokenLifetimePolicy`): the tenant default and per-application
-- assignments; the applications an SSO session signed in to (for front-channel logout); the tenant's
-- choice of algorithm for access tokens whose only audience is Gatehouse's Graph API.

CREATE TABLE token_lifetime_policies (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- Graph's `definition`: a JSON array of JSON strings, as the client sent it.
    definition TEXT NOT NULL,
    is_organization_default BOOLEAN NOT NULL,
    -- The lifetimes the definition sets, in seconds (NULL: Entra's default).
    access_token_lifetime_s BIGINT,
    id_token_lifetime_s BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- At most one organization default per tenant.
CREATE UNIQUE INDEX token_lifetime_policies_default ON token_lifetime_policies (tenant_id)
    WHERE is_organization_default;

-- An application has at most one token lifetime policy, as in Entra.
CREATE TABLE token_lifetime_policy_assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    application_id TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, application_id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, policy_id) REFERENCES token_lifetime_policies (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX token_lifetime_policy_assignments_policy
    ON token_lifetime_policy_assignments (tenant_id, policy_id);

CREATE TABLE sign_in_session_apps (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    session_hash TEXT NOT NULL,
    app_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, session_hash, app_id),
    FOREIGN KEY (tenant_id, session_hash) REFERENCES sign_in_sessions (tenant_id, session_hash) ON DELETE CASCADE
);

ALTER TABLE tenants ADD COLUMN graph_token_algorithm TEXT NOT NULL DEFAULT 'RS256';
