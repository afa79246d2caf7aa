-- Token signing keys (SQLite). Kept in step with ../postgres/0002_signing_keys.sql.
-- One row per key of a tenant: the private key sealed with the tenant's data key (purpose
-- "signing-key"), its self-signed certificate (DER) published as x5c, and when it starts signing.
-- At most one key of an algorithm starts at a given instant, so nodes racing to create the same
-- key collide instead of both succeeding.
CREATE TABLE signing_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    sealed_private_key BLOB NOT NULL,
    certificate BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    active_from BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kid),
    UNIQUE (tenant_id, algorithm, active_from)
);
