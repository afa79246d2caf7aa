-- Smart lockout: a user's wrong-password record (count, the keyed hashes of the last wrong
-- passwords, lockouts so far, locked until). No row: no recent wrong password.

CREATE TABLE sign_in_lockouts (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    failures BIGINT NOT NULL,
    recent TEXT NOT NULL,
    lockouts BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
