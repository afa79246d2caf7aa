//! Service principals and delegated-permission grants: what the foundation provisions; the
//! application model grows from here.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::{AppId, ObjectId};

/// A service principal: an application's presence in a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePrincipal {
    pub id: ObjectId,
    pub app_id: AppId,
    pub display_name: String,
    pub app_owner_organization_id: Option<Uuid>,
    pub account_enabled: bool,
    pub created: OffsetDateTime,
}

/// Graph `oAuth2PermissionGrant.consentType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentType {
    /// Admin consent for every user of the tenant.
    AllPrincipals,
    /// Consent by or for one user.
    Principal(ObjectId),
}

/// Delegated consent (Graph `oAuth2PermissionGrant`): `client_id` may call `resource_id` with `scope`
/// on behalf of the users the consent type covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2PermissionGrant {
    pub id: String,
    pub client_id: ObjectId,
    pub consent_type: ConsentType,
    pub resource_id: ObjectId,
    /// Space-separated delegated permission values.
    pub scope: String,
}
