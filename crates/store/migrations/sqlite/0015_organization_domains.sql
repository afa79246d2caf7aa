-- The organization object's own properties beyond the tenant row (Graph `organization`: addresses,
-- phones, notification recipients, privacy profile), stored as one document; no row means none set.
-- Domains gain the rest of Graph `domain`: supported services, the password policy, and the digits of
-- the `MS=ms########` TXT record that proves ownership. Kept in step with ../postgres.

CREATE TABLE organization_profiles (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    document TEXT NOT NULL
);

ALTER TABLE domains ADD COLUMN supported_services TEXT NOT NULL DEFAULT '[]';
ALTER TABLE domains ADD COLUMN password_validity_period_in_days BIGINT NOT NULL DEFAULT 2147483647;
ALTER TABLE domains ADD COLUMN password_notification_window_in_days BIGINT NOT NULL DEFAULT 14;
ALTER TABLE domains ADD COLUMN verification_code TEXT;
UPDATE domains SET supported_services = '["Email","OfficeCommunicationsOnline"]' WHERE is_initial = 1;
