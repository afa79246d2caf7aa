-- Application permissions: an app role of a resource's service principal assigned to a client's
-- service principal (Graph `appRoleAssignment`). They go with either service principal and the tenant.

CREATE TABLE app_role_assignments (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    app_role_id TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, principal_id, resource_id, app_role_id),
    FOREIGN KEY (tenant_id, principal_id) REFERENCES service_principals (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, resource_id) REFERENCES service_principals (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX app_role_assignments_resource ON app_role_assignments (tenant_id, resource_id);
