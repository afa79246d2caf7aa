-- Refresh tokens (opaque; stored as keyed hashes) and the instant before which a user's sessions and
-- refresh tokens are invalid (Graph `signInSessionsValidFromDateTime`).

ALTER TABLE users ADD COLUMN sign_in_sessions_valid_from_at BIGINT;

CREATE TABLE refresh_tokens (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_app_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    amr TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    consumed_at BIGINT,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (tenant_id, user_id);
