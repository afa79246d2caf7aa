-- The authorization code flow: SSO sessions (the browser's sign-in, stored by keyed hash of the
-- cookie value) and authorization codes (single use, stored by keyed hash).

CREATE TABLE sign_in_sessions (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    session_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    persistent BOOLEAN NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, session_hash)
);
CREATE INDEX sign_in_sessions_user ON sign_in_sessions (tenant_id, user_id);

CREATE TABLE authorization_codes (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    client_app_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    redeemed_at BIGINT,
    PRIMARY KEY (tenant_id, code_hash)
);
