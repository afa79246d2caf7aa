-- The tenant's authorization policy (Graph `authorizationPolicy`), stored as its Graph document; no
-- row means Entra's defaults. One delegated grant per client, resource and consenting principal.

CREATE TABLE authorization_policies (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    document TEXT NOT NULL
);

CREATE UNIQUE INDEX oauth2_permission_grants_one_per_principal ON oauth2_permission_grants
    (tenant_id, client_id, resource_id, consent_type, COALESCE(principal_id, ''));
CREATE INDEX oauth2_permission_grants_resource ON oauth2_permission_grants (tenant_id, resource_id);
