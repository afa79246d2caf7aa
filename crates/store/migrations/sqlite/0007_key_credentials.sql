-- Certificates of application registrations (Graph `keyCredential`, type AsymmetricX509Cert, usage
-- Verify): the public certificate (DER) and what is derived from it. Only public keys are stored.
-- And the `jti` of every client assertion accepted, kept until the assertion expires, so that each
-- assertion is used once.

CREATE TABLE key_credentials (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    application_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    display_name TEXT,
    custom_key_identifier TEXT NOT NULL,
    certificate TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, application_id, key_id),
    FOREIGN KEY (tenant_id, application_id) REFERENCES applications (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE client_assertion_jtis (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    client_app_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, client_app_id, jti)
);
CREATE INDEX client_assertion_jtis_expiry ON client_assertion_jtis (tenant_id, expires_at);
