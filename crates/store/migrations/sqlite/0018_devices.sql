-- Devices (issue 4): registered device objects with one column per text property (snake_case of
-- the Graph name; extensionAttributes 1-15 as extension_attributeN), alternativeSecurityIds as a JSON
-- document, multi-valued properties (physicalIds, systemLabels) in directory_values; and their
-- registered owners and users.

CREATE TABLE devices (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    account_enabled INTEGER NOT NULL,
    device_id TEXT,
    operating_system TEXT,
    operating_system_version TEXT,
    trust_type TEXT,
    profile_type TEXT,
    device_ownership TEXT,
    enrollment_profile_name TEXT,
    device_category TEXT,
    mdm_app_id TEXT,
    extension_attribute1 TEXT,
    extension_attribute2 TEXT,
    extension_attribute3 TEXT,
    extension_attribute4 TEXT,
    extension_attribute5 TEXT,
    extension_attribute6 TEXT,
    extension_attribute7 TEXT,
    extension_attribute8 TEXT,
    extension_attribute9 TEXT,
    extension_attribute10 TEXT,
    extension_attribute11 TEXT,
    extension_attribute12 TEXT,
    extension_attribute13 TEXT,
    extension_attribute14 TEXT,
    extension_attribute15 TEXT,
    alternative_security_ids TEXT NOT NULL,
    is_compliant INTEGER,
    is_managed INTEGER,
    registration_at BIGINT NOT NULL,
    approximate_last_sign_in_at BIGINT,
    compliance_expiration_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX devices_device_id ON devices (tenant_id, device_id);
CREATE INDEX devices_display_name ON devices (tenant_id, lower(display_name));

-- relation: 'owner' (registeredOwners) or 'user' (registeredUsers).
CREATE TABLE device_users (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    relation TEXT NOT NULL,
    PRIMARY KEY (tenant_id, device_id, relation, user_id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX device_users_by_user ON device_users (tenant_id, user_id, relation);
