-- The directory's users (issue 4): every scalar Graph user property as a column (text properties under
-- their snake_case names; instants as microseconds), the manager reference, and soft deletion
-- (`deleted_at`: in the recycle bin for 30 days, UPN reserved). Multi-valued string properties of any
-- directory object (a user's otherMails, proxyAddresses, businessPhones, imAddresses; a group's
-- groupTypes, ...) live in `directory_values`, one row per value with a lower-cased key, so that
-- `$filter` lambdas (`proxyAddresses/any(p:p eq '...')`) are indexed lookups on both engines.

ALTER TABLE users ADD COLUMN given_name TEXT;
ALTER TABLE users ADD COLUMN surname TEXT;
ALTER TABLE users ADD COLUMN mail TEXT;
ALTER TABLE users ADD COLUMN job_title TEXT;
ALTER TABLE users ADD COLUMN department TEXT;
ALTER TABLE users ADD COLUMN company_name TEXT;
ALTER TABLE users ADD COLUMN office_location TEXT;
ALTER TABLE users ADD COLUMN employee_id TEXT;
ALTER TABLE users ADD COLUMN employee_type TEXT;
ALTER TABLE users ADD COLUMN employee_org_division TEXT;
ALTER TABLE users ADD COLUMN employee_org_cost_center TEXT;
ALTER TABLE users ADD COLUMN mobile_phone TEXT;
ALTER TABLE users ADD COLUMN fax_number TEXT;
ALTER TABLE users ADD COLUMN street_address TEXT;
ALTER TABLE users ADD COLUMN city TEXT;
ALTER TABLE users ADD COLUMN state TEXT;
ALTER TABLE users ADD COLUMN postal_code TEXT;
ALTER TABLE users ADD COLUMN country TEXT;
ALTER TABLE users ADD COLUMN usage_location TEXT;
ALTER TABLE users ADD COLUMN preferred_language TEXT;
ALTER TABLE users ADD COLUMN age_group TEXT;
ALTER TABLE users ADD COLUMN consent_provided_for_minor TEXT;
ALTER TABLE users ADD COLUMN password_policies TEXT;
ALTER TABLE users ADD COLUMN creation_type TEXT;
ALTER TABLE users ADD COLUMN external_user_state TEXT;
ALTER TABLE users ADD COLUMN on_premises_immutable_id TEXT;
ALTER TABLE users ADD COLUMN extension_attribute1 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute2 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute3 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute4 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute5 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute6 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute7 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute8 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute9 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute10 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute11 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute12 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute13 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute14 TEXT;
ALTER TABLE users ADD COLUMN extension_attribute15 TEXT;
ALTER TABLE users ADD COLUMN employee_hire_at BIGINT;
ALTER TABLE users ADD COLUMN employee_leave_at BIGINT;
ALTER TABLE users ADD COLUMN external_user_state_change_at BIGINT;
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
ALTER TABLE users ADD COLUMN force_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN force_change_password_with_mfa INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN on_premises_sync_enabled INTEGER;
ALTER TABLE users ADD COLUMN show_in_address_list INTEGER;
ALTER TABLE users ADD COLUMN manager_id TEXT;

CREATE INDEX users_manager ON users (tenant_id, manager_id);
CREATE INDEX users_deleted ON users (tenant_id, deleted_at);
CREATE INDEX users_display_name ON users (tenant_id, lower(display_name));
CREATE INDEX users_mail ON users (tenant_id, lower(mail));

CREATE TABLE directory_values (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    object_id TEXT NOT NULL,
    property TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    value TEXT NOT NULL,
    value_key TEXT NOT NULL,
    PRIMARY KEY (tenant_id, object_id, property, ordinal)
);
CREATE INDEX directory_values_lookup ON directory_values (tenant_id, property, value_key);
