-- The device authorization grant (RFC 8628). Device codes live in the instance realm: a code
-- requested at /common or /organizations belongs to no tenant until a user approves it. tenant_id is
-- the tenant the request named, or else the approving user's tenant (NULL while neither is known);
-- it cascades with the tenant. Both codes are stored only as keyed hashes.

CREATE TABLE device_codes (
    device_code_hash TEXT NOT NULL PRIMARY KEY,
    user_code_hash TEXT NOT NULL,
    tenant_id TEXT REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    -- The {tenant} segment of the request: a tenant id, 'common' or 'organizations'.
    authority TEXT NOT NULL,
    client_app_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_polled_at BIGINT,
    -- pending, approved, declined or redeemed.
    status TEXT NOT NULL,
    user_id TEXT,
    auth_time BIGINT,
    amr TEXT
);
-- User codes are unique while their rows live (expired rows are purged).
CREATE UNIQUE INDEX device_codes_user_code ON device_codes (user_code_hash);
CREATE INDEX device_codes_expiry ON device_codes (expires_at);
CREATE INDEX device_codes_tenant ON device_codes (tenant_id);

-- Wrong user codes entered at /devicelogin, counted per client (network address) and fixed window,
-- to limit guessing. Not tenant data: nobody is signed in yet.
CREATE TABLE device_login_failures (
    client_key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    PRIMARY KEY (client_key, window_start)
);
