//! Directory role assignments. Built-in role definitions live in the catalogue; custom ones and the
//! decision function come with the authorization capability.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::ObjectId;

/// Graph `unifiedRoleAssignment`: `principal_id` holds `role_definition_id` over `directory_scope_id`
/// ("/" for the tenant, "/administrativeUnits/{id}", or "/{objectId}").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignment {
    pub id: ObjectId,
    pub role_definition_id: Uuid,
    pub principal_id: ObjectId,
    pub directory_scope_id: String,
    pub created: OffsetDateTime,
}

/// The directory scope that covers the whole tenant.
pub const TENANT_SCOPE: &str = "/";
