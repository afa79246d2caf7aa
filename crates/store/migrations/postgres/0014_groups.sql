-- Groups (Graph `group`): security and Microsoft 365 groups with their members and owners.
-- `group_types` is a JSON array of strings ("Unified", "DynamicMembership"). `display_name_key` and
-- `mail_nickname_key` are the lower-cased values that case-insensitive `eq` filters use.
-- `deleted_at` is set on soft-deleted Microsoft 365 groups (restorable for 30 days); their members
-- and owners stay until the group is purged. Transitive membership walks `group_members` upward
-- by member (`group_members_member`) and downward by group (the primary key).

CREATE TABLE groups (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    display_name_key TEXT NOT NULL,
    description TEXT,
    mail_nickname TEXT NOT NULL,
    mail_nickname_key TEXT NOT NULL,
    mail_enabled BOOLEAN NOT NULL,
    security_enabled BOOLEAN NOT NULL,
    group_types TEXT NOT NULL,
    visibility TEXT,
    is_assignable_to_role BOOLEAN NOT NULL,
    classification TEXT,
    membership_rule TEXT,
    membership_rule_processing_state TEXT,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX groups_display_name ON groups (tenant_id, display_name_key);
CREATE INDEX groups_mail_nickname ON groups (tenant_id, mail_nickname_key);
-- A mail-enabled group's address is unique in the tenant, deleted (restorable) groups included.
CREATE UNIQUE INDEX groups_mail ON groups (tenant_id, mail_nickname_key) WHERE mail_enabled;

CREATE TABLE group_members (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    member_type TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, member_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_member ON group_members (tenant_id, member_id, group_id);

CREATE TABLE group_owners (
    tenant_id TEXT NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    owner_type TEXT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, owner_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX group_owners_owner ON group_owners (tenant_id, owner_id, group_id);
