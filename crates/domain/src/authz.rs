//! The authorization decision: one function decides whether a caller may perform a directory action,
//! and returns a [`Proof`] that storage writes require. Only this module can construct a `Proof`.
//!
//! A delegated call needs both (a) a token scope that covers the action and (b) the signed-in user's
//! own right to it: a role whose `allowedResourceActions` include the action (in Entra's action
//! grammar, with `allProperties/allTasks`, `allProperties/read|update` and `standard/read` forms), the
//! owner actions on an object the user owns (spec 05 §4), or a default user permission (spec 05 §3,
//! e.g. members may register applications while the tenant's `allowedToCreateApps` is on).
//!
//! This is the seed of the decision of the authorization capability: application-only callers,
//! administrative-unit and object-scoped role assignments and custom roles come with it.

use uuid::Uuid;

use crate::catalog::roles::built_in_role;
use crate::{Error, Result};

mod groups;

pub use groups::*;

/// Read one application's properties (and, for members, enumerate them).
pub const APPLICATIONS_READ: &str = "microsoft.directory/applications/standard/read";
/// Register an application with the caller as its owner.
pub const APPLICATIONS_CREATE_AS_OWNER: &str = "microsoft.directory/applications/createAsOwner";
/// Update basic properties (displayName, description, notes, tags).
pub const APPLICATIONS_BASIC_UPDATE: &str = "microsoft.directory/applications/basic/update";
/// Update `signInAudience`.
pub const APPLICATIONS_AUDIENCE_UPDATE: &str = "microsoft.directory/applications/audience/update";
/// Update redirect URIs, identifier URIs and public-client settings.
pub const APPLICATIONS_AUTHENTICATION_UPDATE: &str =
    "microsoft.directory/applications/authentication/update";
/// Update required and exposed permissions (`requiredResourceAccess`, `api.oauth2PermissionScopes`).
pub const APPLICATIONS_PERMISSIONS_UPDATE: &str =
    "microsoft.directory/applications/permissions/update";
/// Update `appRoles`.
pub const APPLICATIONS_APP_ROLES_UPDATE: &str = "microsoft.directory/applications/appRoles/update";
/// Add or remove secrets and certificates.
pub const APPLICATIONS_CREDENTIALS_UPDATE: &str =
    "microsoft.directory/applications/credentials/update";
/// Delete an application.
pub const APPLICATIONS_DELETE: &str = "microsoft.directory/applications/delete";

/// Read one service principal's properties (and, for members, enumerate them).
pub const SERVICE_PRINCIPALS_READ: &str = "microsoft.directory/servicePrincipals/standard/read";
/// Create the service principal of an application (the caller owns the application, or holds
/// `servicePrincipals/create` through a role).
pub const SERVICE_PRINCIPALS_CREATE_AS_OWNER: &str =
    "microsoft.directory/servicePrincipals/createAsOwner";

/// Assign or remove app roles of a service principal (the action Graph's `appRoleAssignedTo` and
/// `appRoleAssignments` writes need).
pub const SERVICE_PRINCIPALS_APP_ROLE_ASSIGNED_TO_UPDATE: &str =
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update";
/// Grant any permission on any resource, Microsoft Graph's included (Global Administrator,
/// Privileged Role Administrator).
pub const SERVICE_PRINCIPALS_GRANT_ANY_PERMISSION: &str =
    "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin";
/// Grant any permission except Microsoft Graph's (Application and Cloud Application Administrator).
pub const SERVICE_PRINCIPALS_GRANT_NON_GRAPH_PERMISSION: &str = "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-application-admin";

/// Read delegated permission grants (`oauth2PermissionGrants`).
pub const OAUTH2_PERMISSION_GRANTS_READ: &str =
    "microsoft.directory/oAuth2PermissionGrants/standard/read";
/// Create a delegated permission grant (admin consent, or a user's own consent).
pub const OAUTH2_PERMISSION_GRANTS_CREATE: &str =
    "microsoft.directory/oAuth2PermissionGrants/create";
/// Change the scopes of a delegated permission grant.
pub const OAUTH2_PERMISSION_GRANTS_UPDATE: &str =
    "microsoft.directory/oAuth2PermissionGrants/basic/update";
/// Delete (revoke) a delegated permission grant.
pub const OAUTH2_PERMISSION_GRANTS_DELETE: &str =
    "microsoft.directory/oAuth2PermissionGrants/delete";

/// Read the tenant's authorization policy.
pub const AUTHORIZATION_POLICY_READ: &str = "microsoft.directory/authorizationPolicy/standard/read";
/// Change the tenant's authorization policy.
pub const AUTHORIZATION_POLICY_UPDATE: &str =
    "microsoft.directory/authorizationPolicy/basic/update";
/// Reading directory policies (token lifetime policies, ...).
pub const POLICIES_READ: &str = "microsoft.directory/policies/standard/read";
/// Creating a policy.
pub const POLICIES_CREATE: &str = "microsoft.directory/policies/create";
/// Changing a policy's name and definition.
pub const POLICIES_UPDATE: &str = "microsoft.directory/policies/basic/update";
/// Making a policy the organization default (or not).
pub const POLICIES_TENANT_DEFAULT_UPDATE: &str =
    "microsoft.directory/policies/tenantDefault/update";
/// Deleting a policy.
pub const POLICIES_DELETE: &str = "microsoft.directory/policies/delete";
/// Assigning policies to an application (or removing them).
pub const APPLICATIONS_POLICIES_UPDATE: &str = "microsoft.directory/applications/policies/update";

/// Read a user's properties (and, for members, enumerate users).
pub const USERS_READ: &str = "microsoft.directory/users/standard/read";
/// Create a user.
pub const USERS_CREATE: &str = "microsoft.directory/users/create";
/// Update a user's basic, contact and job properties.
pub const USERS_BASIC_UPDATE: &str = "microsoft.directory/users/basic/update";
/// Change a user's sign-in name.
pub const USERS_USER_PRINCIPAL_NAME_UPDATE: &str =
    "microsoft.directory/users/userPrincipalName/update";
/// Enable a user's account.
pub const USERS_ENABLE: &str = "microsoft.directory/users/enable";
/// Disable a user's account.
pub const USERS_DISABLE: &str = "microsoft.directory/users/disable";
/// Set a user's password (`passwordProfile`).
pub const USERS_PASSWORD_UPDATE: &str = "microsoft.directory/users/password/update";
/// Set or remove a user's manager.
pub const USERS_MANAGER_UPDATE: &str = "microsoft.directory/users/manager/update";
/// Revoke a user's sessions and refresh tokens.
pub const USERS_INVALIDATE_ALL_REFRESH_TOKENS: &str =
    "microsoft.directory/users/invalidateAllRefreshTokens";
/// Set or remove a user's profile photo.
pub const USERS_PHOTO_UPDATE: &str = "microsoft.directory/users/photo/update";
/// Delete a user (to the recycle bin), or permanently delete one in the recycle bin.
pub const USERS_DELETE: &str = "microsoft.directory/users/delete";
/// Restore a deleted user.
pub const USERS_RESTORE: &str = "microsoft.directory/users/restore";
/// Read the tenant's domains (members and guests by default).
pub const DOMAINS_READ: &str = "microsoft.directory/domains/standard/read";
/// Add a domain to the tenant.
pub const DOMAINS_CREATE: &str = "microsoft.directory/domains/create";
/// Verify a domain, make it the default, change its services and password policy.
pub const DOMAINS_UPDATE: &str = "microsoft.directory/domains/basic/update";
/// Delete a domain.
pub const DOMAINS_DELETE: &str = "microsoft.directory/domains/delete";
/// Read the organization object (members by default).
pub const ORGANIZATION_READ: &str = "microsoft.directory/organization/standard/read";
/// Read the organization's id, display name and verified domains only (guests by default, and
/// any caller whose token carries only `User.Read`).
pub const ORGANIZATION_BASIC_READ: &str = "microsoft.directory/organization/basic/read";
/// Change the organization's properties.
pub const ORGANIZATION_UPDATE: &str = "microsoft.directory/organization/basic/update";

/// Read sign-in reports, and users' `signInActivity`.
pub const SIGN_IN_REPORTS_READ: &str = "microsoft.directory/signInReports/allProperties/read";

/// Read a device's properties (and, for members, enumerate devices).
pub const DEVICES_READ: &str = "microsoft.directory/devices/standard/read";
/// Register a device.
pub const DEVICES_CREATE: &str = "microsoft.directory/devices/create";
/// Update a device's properties.
pub const DEVICES_BASIC_UPDATE: &str = "microsoft.directory/devices/basic/update";
/// Enable a device.
pub const DEVICES_ENABLE: &str = "microsoft.directory/devices/enable";
/// Disable a device.
pub const DEVICES_DISABLE: &str = "microsoft.directory/devices/disable";
/// Delete a device.
pub const DEVICES_DELETE: &str = "microsoft.directory/devices/delete";
/// Add or remove a device's registered owners.
pub const DEVICES_REGISTERED_OWNERS_UPDATE: &str =
    "microsoft.directory/devices/registeredOwners/update";
/// Add or remove a device's registered users.
pub const DEVICES_REGISTERED_USERS_UPDATE: &str =
    "microsoft.directory/devices/registeredUsers/update";

/// The owner actions on an owned device (spec 05 §4, "Owned devices").
const OWNED_DEVICE_ACTIONS: &[&str] = &[
    "microsoft.directory/devices/bitLockerRecoveryKeys/read",
    DEVICES_DISABLE,
];

/// The owner actions on an owned application registration, verbatim from spec 05 §4, plus creating
/// the application's service principal (what the admin center does when an owner registers an app).
const OWNED_APPLICATION_ACTIONS: &[&str] = &[
    "microsoft.directory/applications/audience/update",
    "microsoft.directory/applications/authentication/update",
    "microsoft.directory/applications/basic/update",
    "microsoft.directory/applications/credentials/update",
    "microsoft.directory/applications/delete",
    "microsoft.directory/applications/owners/update",
    "microsoft.directory/applications/permissions/update",
    "microsoft.directory/applications/policies/update",
    "microsoft.directory/applications/restore",
    "microsoft.directory/servicePrincipals/createAsOwner",
];

/// Delegated Graph permissions that allow reading applications.
const APPLICATION_READ_SCOPES: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Delegated Graph permissions that allow changing applications, credentials included.
const APPLICATION_CREDENTIAL_WRITE_SCOPES: &[&str] =
    &["Application.ReadWrite.All", "Directory.AccessAsUser.All"];
/// Delegated Graph permissions that allow changing applications, credentials excepted.
const APPLICATION_WRITE_SCOPES: &[&str] = &[
    "Application.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// Graph permissions that allow reading users.
const USER_READ_SCOPES: &[&str] = &[
    "User.ReadBasic.All",
    "ProfilePhoto.Read.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Delegated Graph permissions that allow reading the signed-in user's own profile (`/me`).
const OWN_PROFILE_SCOPES: &[&str] = &["User.Read", "User.ReadWrite"];
/// Graph permissions that allow creating, changing and deleting users.
const USER_WRITE_SCOPES: &[&str] = &[
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow enabling and disabling accounts, besides [`USER_WRITE_SCOPES`].
const USER_ENABLE_DISABLE_SCOPES: &[&str] = &["User.EnableDisableAccount.All"];
/// Graph permissions that allow revoking sessions, besides [`USER_WRITE_SCOPES`].
const USER_REVOKE_SESSIONS_SCOPES: &[&str] = &["User.RevokeSessions.All"];
/// Graph permissions that allow changing profile photos, besides [`USER_WRITE_SCOPES`]
/// (`User.ReadWrite` is a user's own profile, which includes their photo).
const USER_PHOTO_WRITE_SCOPES: &[&str] = &["ProfilePhoto.ReadWrite.All", "User.ReadWrite"];
/// Graph permissions that allow setting another user's password.
const USER_PASSWORD_SCOPES: &[&str] = &[
    "User-PasswordProfile.ReadWrite.All",
    "User.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// Graph permissions that allow reading devices.
const DEVICE_READ_SCOPES: &[&str] = &[
    "Device.Read.All",
    "Device.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow registering, changing and deleting devices.
const DEVICE_WRITE_SCOPES: &[&str] = &[
    "Device.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// Graph permissions that allow reading application configuration policies.
const APP_CONFIG_POLICY_READ_SCOPES: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.ApplicationConfiguration",
];
/// Graph permissions that allow changing them (and assigning them to applications).
const APP_CONFIG_POLICY_WRITE_SCOPES: &[&str] = &["Policy.ReadWrite.ApplicationConfiguration"];

/// Graph permissions that allow assigning app roles (delegated: `AppRoleAssignment.ReadWrite.All`
/// or `Directory.AccessAsUser.All`; application: `AppRoleAssignment.ReadWrite.All`).
const APP_ROLE_ASSIGNMENT_WRITE_SCOPES: &[&str] = &[
    "AppRoleAssignment.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// Graph permissions that allow reading delegated permission grants.
const GRANT_READ_SCOPES: &[&str] = &[
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow creating, changing and deleting delegated permission grants.
const GRANT_WRITE_SCOPES: &[&str] = &[
    "DelegatedPermissionGrant.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow reading the authorization policy.
const POLICY_READ_SCOPES: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.Authorization",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow changing the authorization policy.
const POLICY_WRITE_SCOPES: &[&str] = &["Policy.ReadWrite.Authorization"];

/// Graph permissions that allow reading domains.
const DOMAIN_READ_SCOPES: &[&str] = &[
    "Domain.Read.All",
    "Domain.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow adding, verifying, changing and deleting domains.
const DOMAIN_WRITE_SCOPES: &[&str] = &["Domain.ReadWrite.All", "Directory.AccessAsUser.All"];
/// Graph permissions that allow reading every property of the organization.
const ORGANIZATION_READ_SCOPES: &[&str] = &[
    "Organization.Read.All",
    "Organization.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow reading its id, display name and verified domains.
const ORGANIZATION_BASIC_READ_SCOPES: &[&str] = &[
    "User.Read",
    "Organization.Read.All",
    "Organization.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that allow changing the organization.
const ORGANIZATION_WRITE_SCOPES: &[&str] =
    &["Organization.ReadWrite.All", "Directory.AccessAsUser.All"];

/// Whether the signed-in user is a member or a guest of the tenant (Graph `userType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Member,
    Guest,
}

/// The caller of a delegated request, as the decision sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Template ids of the user's tenant-scope role assignments.
    pub role_template_ids: Vec<Uuid>,
    pub kind: UserKind,
    /// The token's delegated permissions (`scp`).
    pub scopes: Vec<String>,
    /// The tenant's `authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps`.
    pub allowed_to_create_apps: bool,
    /// The tenant's `authorizationPolicy.defaultUserRolePermissions.allowedToCreateSecurityGroups`.
    pub allowed_to_create_security_groups: bool,
    /// `Some` for an application calling on its own behalf (app-only token): the application
    /// permissions the token carries (`roles`). The user fields are then empty and unused.
    pub app_roles: Option<Vec<String>>,
}

impl Principal {
    /// A principal with Entra's tenant defaults (`allowedToCreateApps` on).
    pub fn new(role_template_ids: Vec<Uuid>, kind: UserKind, scopes: Vec<String>) -> Self {
        Self {
            role_template_ids,
            kind,
            scopes,
            allowed_to_create_apps: true,
            allowed_to_create_security_groups: true,
            app_roles: None,
        }
    }

    /// A user acting in person on Gatehouse's own pages (the consent page), not through an app's
    /// token: the user's full delegated rights (`Directory.AccessAsUser.All`), limited by roles.
    pub fn in_person(role_template_ids: Vec<Uuid>, kind: UserKind) -> Self {
        Self::new(
            role_template_ids,
            kind,
            vec!["Directory.AccessAsUser.All".to_owned()],
        )
    }

    /// An application calling with an app-only token carrying the application permissions `roles`.
    pub fn application(roles: Vec<String>) -> Self {
        Self {
            role_template_ids: Vec::new(),
            kind: UserKind::Member,
            scopes: Vec::new(),
            allowed_to_create_apps: false,
            allowed_to_create_security_groups: false,
            app_roles: Some(roles),
        }
    }
}

/// The caller's relation to the object the action addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// No single object is addressed (creating, enumerating a collection).
    NoTarget,
    /// The caller owns the target object.
    Owner,
    /// The caller does not own the target object.
    NotOwner,
}

/// Evidence that [`decide`] allowed `action`. Storage writes take one; nothing outside this module
/// can make one.
#[derive(Debug)]
pub struct Proof {
    action: &'static str,
    _sealed: (),
}

impl Proof {
    /// The action that was allowed.
    pub fn action(&self) -> &'static str {
        self.action
    }

    /// Whether the allowed action belongs to `entity` (e.g. "applications").
    pub fn covers_entity(&self, entity: &str) -> bool {
        entity_of(self.action) == Some(entity)
    }

    /// Refuses (as an internal fault: a caller bug, never a user error) a proof issued for another
    /// kind of object than `entity`. Storage writes call it first.
    pub fn require(&self, entity: &str) -> Result<()> {
        if self.covers_entity(entity) {
            Ok(())
        } else {
            Err(Error::internal(format!(
                "a proof for {} cannot write {entity}",
                self.action
            )))
        }
    }
}

/// Decides whether `caller` may perform `action` on a target it has `ownership` of.
/// Denial is [`Error::Forbidden`].
pub fn decide(caller: &Principal, action: &'static str, ownership: Ownership) -> Result<Proof> {
    let allowed = match &caller.app_roles {
        // App-only: the application permissions alone decide (no user, no ownership).
        Some(roles) => permission_allows(roles, action),
        None => {
            (permission_allows(&caller.scopes, action)
                || (ownership == Ownership::Owner
                    && action == USERS_READ
                    && has_any(&caller.scopes, OWN_PROFILE_SCOPES)))
                && user_may(caller, action, ownership)
        }
    };
    if !allowed {
        return Err(Error::Forbidden);
    }
    Ok(Proof {
        action,
        _sealed: (),
    })
}

/// Decides whether `caller` may grant (or revoke) an application permission, an app role of a
/// resource's service principal assigned to a client's service principal. Besides
/// `appRoleAssignedTo/update`, a signed-in user needs the right to grant permissions for all:
/// Microsoft Graph's only through `managePermissionGrantsForAll.microsoft-company-admin` (Global
/// Administrator, Privileged Role Administrator), other resources' also through
/// `...microsoft-application-admin` (Application and Cloud Application Administrator), as Entra.
/// An app-only caller needs the application permission `AppRoleAssignment.ReadWrite.All`.
pub fn decide_app_role_grant(caller: &Principal, resource_is_graph: bool) -> Result<Proof> {
    let proof = decide(
        caller,
        SERVICE_PRINCIPALS_APP_ROLE_ASSIGNED_TO_UPDATE,
        Ownership::NotOwner,
    )?;
    if caller.app_roles.is_some() {
        return Ok(proof);
    }
    let may_grant = user_may(
        caller,
        SERVICE_PRINCIPALS_GRANT_ANY_PERMISSION,
        Ownership::NotOwner,
    ) || (!resource_is_graph
        && user_may(
            caller,
            SERVICE_PRINCIPALS_GRANT_NON_GRAPH_PERMISSION,
            Ownership::NotOwner,
        ));
    if may_grant {
        Ok(proof)
    } else {
        Err(Error::Forbidden)
    }
}

fn has_any(granted: &[String], any_of: &[&str]) -> bool {
    any_of
        .iter()
        .any(|s| granted.iter().any(|c| c.eq_ignore_ascii_case(s)))
}

/// (a) The token's permissions (delegated `scp`, or application `roles` for app-only callers) cover
/// the action. Applications and service principals share Graph's `Application.*` permissions.
fn permission_allows(granted: &[String], action: &str) -> bool {
    match entity_of(action) {
        Some("applications" | "servicePrincipals") => {
            if is_read(action) {
                has_any(granted, APPLICATION_READ_SCOPES)
            } else if action.contains("/appRoleAssignedTo/")
                || action.contains("/managePermissionGrantsForAll.")
            {
                has_any(granted, APP_ROLE_ASSIGNMENT_WRITE_SCOPES)
            } else if action.contains("/policies/") {
                has_any(granted, APP_CONFIG_POLICY_WRITE_SCOPES)
            } else if action.contains("/credentials/") {
                has_any(granted, APPLICATION_CREDENTIAL_WRITE_SCOPES)
            } else {
                has_any(granted, APPLICATION_WRITE_SCOPES)
            }
        }
        Some("users") if action == USERS_MEMBER_OF_READ => group_permission_allows(granted, action),
        Some("users") => match action {
            _ if is_read(action) => has_any(granted, USER_READ_SCOPES),
            USERS_ENABLE | USERS_DISABLE => {
                has_any(granted, USER_WRITE_SCOPES) || has_any(granted, USER_ENABLE_DISABLE_SCOPES)
            }
            USERS_INVALIDATE_ALL_REFRESH_TOKENS => {
                has_any(granted, USER_WRITE_SCOPES) || has_any(granted, USER_REVOKE_SESSIONS_SCOPES)
            }
            USERS_PASSWORD_UPDATE => has_any(granted, USER_PASSWORD_SCOPES),
            USERS_PHOTO_UPDATE => {
                has_any(granted, USER_WRITE_SCOPES) || has_any(granted, USER_PHOTO_WRITE_SCOPES)
            }
            _ => has_any(granted, USER_WRITE_SCOPES),
        },
        Some("signInReports") => has_any(granted, &["AuditLog.Read.All"]),
        Some("devices") if is_read(action) => has_any(granted, DEVICE_READ_SCOPES),
        Some("devices") => has_any(granted, DEVICE_WRITE_SCOPES),
        Some("oAuth2PermissionGrants") if is_read(action) => has_any(granted, GRANT_READ_SCOPES),
        Some("oAuth2PermissionGrants") => has_any(granted, GRANT_WRITE_SCOPES),
        Some("authorizationPolicy") if is_read(action) => has_any(granted, POLICY_READ_SCOPES),
        Some("authorizationPolicy") => has_any(granted, POLICY_WRITE_SCOPES),
        Some("policies") if is_read(action) => has_any(granted, APP_CONFIG_POLICY_READ_SCOPES),
        Some("policies") => has_any(granted, APP_CONFIG_POLICY_WRITE_SCOPES),
        Some("domains") if is_read(action) => has_any(granted, DOMAIN_READ_SCOPES),
        Some("domains") => has_any(granted, DOMAIN_WRITE_SCOPES),
        Some("organization") if action == ORGANIZATION_BASIC_READ => {
            has_any(granted, ORGANIZATION_BASIC_READ_SCOPES)
        }
        Some("organization") if is_read(action) => has_any(granted, ORGANIZATION_READ_SCOPES),
        Some("organization") => has_any(granted, ORGANIZATION_WRITE_SCOPES),
        Some("groups") => group_permission_allows(granted, action),
        _ => false,
    }
}

/// Decides whether `caller`, signed in in person, may consent for themself to permissions their
/// tenant's user consent setting allows (`allowed_by_policy`, from
/// [`crate::authorization_policy::user_may_consent`]), or, failing that, as an administrator
/// who may create grants for anyone.
pub fn decide_consent(caller: &Principal, allowed_by_policy: bool) -> Result<Proof> {
    if allowed_by_policy && caller.app_roles.is_none() {
        return Ok(Proof {
            action: OAUTH2_PERMISSION_GRANTS_CREATE,
            _sealed: (),
        });
    }
    decide(caller, OAUTH2_PERMISSION_GRANTS_CREATE, Ownership::NotOwner)
}

/// (b) The user's own right: a role, ownership, or a default user permission.
fn user_may(caller: &Principal, action: &str, ownership: Ownership) -> bool {
    by_role(caller, action)
        || (ownership == Ownership::Owner && OWNED_APPLICATION_ACTIONS.contains(&action))
        || (ownership == Ownership::Owner && OWNED_DEVICE_ACTIONS.contains(&action))
        || default_permission(caller, action, ownership)
        || group_default_permission(caller, action, ownership)
}

/// A role of the user includes an action covering `action`.
fn by_role(caller: &Principal, action: &str) -> bool {
    caller.role_template_ids.iter().any(|id| {
        built_in_role(id).is_some_and(|role| {
            role.allowed_resource_actions
                .iter()
                .any(|granted| covers(granted, action))
        })
    })
}

/// Default user permissions (spec 05 §3): members register apps (while allowed), enumerate and read
/// them; guests read the properties of an application they address, but do not enumerate.
fn default_permission(caller: &Principal, action: &str, ownership: Ownership) -> bool {
    match (caller.kind, action) {
        (UserKind::Member, APPLICATIONS_CREATE_AS_OWNER) => caller.allowed_to_create_apps,
        (UserKind::Member, APPLICATIONS_READ) => true,
        (UserKind::Guest, APPLICATIONS_READ) => ownership != Ownership::NoTarget,
        (UserKind::Member, SERVICE_PRINCIPALS_READ) => true,
        // "Read all users" (members); guests look up a user they address (spec 05 §3).
        (UserKind::Member, USERS_READ) => true,
        (UserKind::Guest, USERS_READ) => ownership != Ownership::NoTarget,
        // "Enumerate the list of all devices", "Read all properties of devices" (members only).
        (UserKind::Member, DEVICES_READ) => true,
        // Members and guests manage their own photo (spec 05 §3, "Manage their own photo").
        (_, USERS_PHOTO_UPDATE) => ownership == Ownership::Owner,
        (UserKind::Guest, SERVICE_PRINCIPALS_READ) => ownership != Ownership::NoTarget,
        // "List permissions granted to applications" (spec 05 §3); the policy is readable by all.
        (UserKind::Member, OAUTH2_PERMISSION_GRANTS_READ | AUTHORIZATION_POLICY_READ) => true,
        // "Read all company information", "Read all domains"; guests: "Read company display
        // name", "Read all domains" (spec 01 §2).
        (_, DOMAINS_READ | ORGANIZATION_BASIC_READ) => true,
        (UserKind::Member, ORGANIZATION_READ) => true,
        _ => false,
    }
}

/// `microsoft.directory/{entity}/...` → `entity`.
fn entity_of(action: &str) -> Option<&str> {
    action
        .strip_prefix("microsoft.directory/")
        .and_then(|rest| rest.split('/').next())
}

fn is_read(action: &str) -> bool {
    action.ends_with("/read")
}

/// Whether a granted action string covers a requested one, in Entra's action grammar:
/// `{namespace}/{entity}/{propertySet}/{verb}` or `{namespace}/{entity}/{verb}`.
pub fn covers(granted: &str, requested: &str) -> bool {
    if granted == requested {
        return true;
    }
    let (Some(g_entity), Some(r_entity)) = (entity_of(granted), entity_of(requested)) else {
        return false;
    };
    if g_entity != r_entity || granted.split('/').next() != requested.split('/').next() {
        return false;
    }
    let prefix_len = "microsoft.directory/".len() + g_entity.len() + 1;
    let (Some(g_rest), Some(r_rest)) = (granted.get(prefix_len..), requested.get(prefix_len..))
    else {
        return false;
    };
    match g_rest {
        "allProperties/allTasks" => true,
        "allProperties/read" => r_rest.ends_with("/read"),
        "allProperties/update" => r_rest.ends_with("/update"),
        "standard/read" => r_rest == "basic/read",
        "create" => r_rest == "createAsOwner",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::roles::{
        APPLICATION_ADMINISTRATOR, APPLICATION_DEVELOPER, CLOUD_APPLICATION_ADMINISTRATOR,
        GLOBAL_ADMINISTRATOR, GLOBAL_READER, SECURITY_ADMINISTRATOR, USER_ADMINISTRATOR,
    };

    const RW: &str = "Application.ReadWrite.All";

    fn principal(roles: &[Uuid], kind: UserKind, scopes: &[&str]) -> Principal {
        Principal::new(
            roles.to_vec(),
            kind,
            scopes.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    #[test]
    fn token_lifetime_policies_need_a_policy_role_and_permission() {
        const PW: &str = "Policy.ReadWrite.ApplicationConfiguration";
        const PR: &str = "Policy.Read.All";
        const GA: &[Uuid] = &[GLOBAL_ADMINISTRATOR];
        const SEC: &[Uuid] = &[SECURITY_ADMINISTRATOR];
        const READER: &[Uuid] = &[GLOBAL_READER];
        const APP_ADMIN: &[Uuid] = &[APPLICATION_ADMINISTRATOR];
        // (roles, scopes, action, ownership, allowed)
        type Row = (
            &'static [Uuid],
            &'static [&'static str],
            &'static str,
            Ownership,
            bool,
        );
        let table: &[Row] = &[
            (GA, &[PW], POLICIES_CREATE, Ownership::NoTarget, true),
            (
                GA,
                &[PW],
                POLICIES_TENANT_DEFAULT_UPDATE,
                Ownership::NotOwner,
                true,
            ),
            (GA, &[PR], POLICIES_CREATE, Ownership::NoTarget, false),
            (GA, &[PR], POLICIES_READ, Ownership::NoTarget, true),
            (GA, &[RW], POLICIES_READ, Ownership::NoTarget, false),
            (SEC, &[PW], POLICIES_DELETE, Ownership::NotOwner, true),
            (SEC, &[PW], POLICIES_UPDATE, Ownership::NotOwner, true),
            (READER, &[PW], POLICIES_READ, Ownership::NoTarget, true),
            (READER, &[PW], POLICIES_CREATE, Ownership::NoTarget, false),
            (
                APP_ADMIN,
                &[PW],
                POLICIES_CREATE,
                Ownership::NoTarget,
                false,
            ),
            (
                APP_ADMIN,
                &[PW],
                APPLICATIONS_POLICIES_UPDATE,
                Ownership::NotOwner,
                true,
            ),
            (
                APP_ADMIN,
                &[RW],
                APPLICATIONS_POLICIES_UPDATE,
                Ownership::NotOwner,
                false,
            ),
            (
                &[],
                &[PW],
                APPLICATIONS_POLICIES_UPDATE,
                Ownership::Owner,
                true,
            ),
            (
                &[],
                &[PW],
                APPLICATIONS_POLICIES_UPDATE,
                Ownership::NotOwner,
                false,
            ),
            (&[], &[PW, PR], POLICIES_READ, Ownership::NoTarget, false),
        ];
        for (roles, scopes, action, ownership, allowed) in table {
            let p = principal(roles, UserKind::Member, scopes);
            assert_eq!(
                decide(&p, action, *ownership).is_ok(),
                *allowed,
                "{roles:?} {scopes:?} {action} {ownership:?}"
            );
        }
        // App-only: the application permissions alone decide.
        let app = Principal::application(vec![PW.into()]);
        assert!(decide(&app, POLICIES_CREATE, Ownership::NoTarget).is_ok());
        let app = Principal::application(vec![PR.into()]);
        assert!(decide(&app, POLICIES_READ, Ownership::NoTarget).is_ok());
        assert!(decide(&app, POLICIES_DELETE, Ownership::NotOwner).is_err());
    }

    #[test]
    fn action_grammar() {
        let cases = [
            (
                "microsoft.directory/applications/allProperties/allTasks",
                APPLICATIONS_DELETE,
                true,
            ),
            (
                "microsoft.directory/applications/allProperties/allTasks",
                "microsoft.directory/servicePrincipals/delete",
                false,
            ),
            (
                "microsoft.directory/applications/allProperties/read",
                APPLICATIONS_READ,
                true,
            ),
            (
                "microsoft.directory/applications/allProperties/read",
                APPLICATIONS_BASIC_UPDATE,
                false,
            ),
            (
                "microsoft.directory/applications/allProperties/update",
                APPLICATIONS_BASIC_UPDATE,
                true,
            ),
            (
                "microsoft.directory/applications/standard/read",
                "microsoft.directory/applications/basic/read",
                true,
            ),
            (
                "microsoft.directory/applications/create",
                APPLICATIONS_CREATE_AS_OWNER,
                true,
            ),
            (
                APPLICATIONS_CREATE_AS_OWNER,
                "microsoft.directory/applications/create",
                false,
            ),
            (
                "microsoft.directory/applicationPolicies/allProperties/allTasks",
                APPLICATIONS_DELETE,
                false,
            ),
            (APPLICATIONS_DELETE, APPLICATIONS_DELETE, true),
        ];
        for (granted, requested, expected) in cases {
            assert_eq!(
                covers(granted, requested),
                expected,
                "{granted} ⊇ {requested}"
            );
        }
    }

    #[test]
    fn permission_matrix() {
        use Ownership::{NoTarget, NotOwner, Owner};
        use UserKind::{Guest, Member};
        let ga = principal(&[GLOBAL_ADMINISTRATOR], Member, &[RW]);
        let app_admin = principal(&[APPLICATION_ADMINISTRATOR], Member, &[RW]);
        let cloud_admin = principal(&[CLOUD_APPLICATION_ADMINISTRATOR], Member, &[RW]);
        let developer = principal(&[APPLICATION_DEVELOPER], Member, &[RW]);
        let developer_locked = Principal {
            allowed_to_create_apps: false,
            ..developer.clone()
        };
        let member = principal(&[], Member, &[RW]);
        let member_locked = Principal {
            allowed_to_create_apps: false,
            ..member.clone()
        };
        let guest = principal(&[], Guest, &[RW]);
        let user_admin = principal(&[USER_ADMINISTRATOR], Member, &[RW]);
        let global_reader = principal(&[GLOBAL_READER], Member, &["Directory.Read.All"]);
        let ga_no_scope = principal(&[GLOBAL_ADMINISTRATOR], Member, &["User.Read"]);
        let ga_read_only = principal(&[GLOBAL_ADMINISTRATOR], Member, &["Application.Read.All"]);
        let ga_directory_rw = principal(
            &[GLOBAL_ADMINISTRATOR],
            Member,
            &["Directory.ReadWrite.All"],
        );
        let owner_no_scope = principal(&[], Member, &["User.Read"]);

        #[rustfmt::skip]
        let cases: &[(&str, &Principal, &'static str, Ownership, bool)] = &[
            ("GA creates", &ga, APPLICATIONS_CREATE_AS_OWNER, NoTarget, true),
            ("GA deletes anyone's", &ga, APPLICATIONS_DELETE, NotOwner, true),
            ("GA manages secrets", &ga, APPLICATIONS_CREDENTIALS_UPDATE, NotOwner, true),
            ("GA updates appRoles", &ga, APPLICATIONS_APP_ROLES_UPDATE, NotOwner, true),
            ("App Admin creates", &app_admin, APPLICATIONS_CREATE_AS_OWNER, NoTarget, true),
            ("App Admin updates anyone's", &app_admin, APPLICATIONS_BASIC_UPDATE, NotOwner, true),
            ("App Admin deletes anyone's", &app_admin, APPLICATIONS_DELETE, NotOwner, true),
            ("App Admin secrets", &app_admin, APPLICATIONS_CREDENTIALS_UPDATE, NotOwner, true),
            ("Cloud App Admin creates", &cloud_admin, APPLICATIONS_CREATE_AS_OWNER, NoTarget, true),
            ("Cloud App Admin updates anyone's", &cloud_admin, APPLICATIONS_PERMISSIONS_UPDATE, NotOwner, true),
            ("Cloud App Admin deletes anyone's", &cloud_admin, APPLICATIONS_DELETE, NotOwner, true),
            ("Developer creates", &developer, APPLICATIONS_CREATE_AS_OWNER, NoTarget, true),
            ("Developer creates when members may not", &developer_locked, APPLICATIONS_CREATE_AS_OWNER, NoTarget, true),
            ("Developer cannot update others'", &developer, APPLICATIONS_BASIC_UPDATE, NotOwner, false),
            ("Developer updates own", &developer, APPLICATIONS_BASIC_UPDATE, Owner, true),
            ("member creates", &member, APPLICATIONS_CREATE_AS_OWNER, NoTarget, true),
            ("member cannot create when disallowed", &member_locked, APPLICATIONS_CREATE_AS_OWNER, NoTarget, false),
            ("member enumerates", &member, APPLICATIONS_READ, NoTarget, true),
            ("member reads others'", &member, APPLICATIONS_READ, NotOwner, true),
            ("owner updates", &member, APPLICATIONS_BASIC_UPDATE, Owner, true),
            ("owner changes audience", &member, APPLICATIONS_AUDIENCE_UPDATE, Owner, true),
            ("owner changes redirect URIs", &member, APPLICATIONS_AUTHENTICATION_UPDATE, Owner, true),
            ("owner changes permissions", &member, APPLICATIONS_PERMISSIONS_UPDATE, Owner, true),
            ("owner manages secrets", &member, APPLICATIONS_CREDENTIALS_UPDATE, Owner, true),
            ("owner deletes", &member, APPLICATIONS_DELETE, Owner, true),
            ("owner cannot update appRoles (not an owner action)", &member, APPLICATIONS_APP_ROLES_UPDATE, Owner, false),
            ("non-owner cannot update", &member, APPLICATIONS_BASIC_UPDATE, NotOwner, false),
            ("non-owner cannot delete", &member, APPLICATIONS_DELETE, NotOwner, false),
            ("non-owner cannot manage secrets", &member, APPLICATIONS_CREDENTIALS_UPDATE, NotOwner, false),
            ("guest cannot create", &guest, APPLICATIONS_CREATE_AS_OWNER, NoTarget, false),
            ("guest cannot enumerate", &guest, APPLICATIONS_READ, NoTarget, false),
            ("guest reads one", &guest, APPLICATIONS_READ, NotOwner, true),
            ("guest owner updates", &guest, APPLICATIONS_BASIC_UPDATE, Owner, true),
            ("User Admin cannot update others' apps", &user_admin, APPLICATIONS_BASIC_UPDATE, NotOwner, false),
            ("Global Reader reads", &global_reader, APPLICATIONS_READ, NoTarget, true),
            ("Global Reader cannot create with a read scope", &global_reader, APPLICATIONS_CREATE_AS_OWNER, NoTarget, false),
            ("missing scope: GA cannot read", &ga_no_scope, APPLICATIONS_READ, NoTarget, false),
            ("missing scope: GA cannot create", &ga_no_scope, APPLICATIONS_CREATE_AS_OWNER, NoTarget, false),
            ("missing scope: owner cannot update", &owner_no_scope, APPLICATIONS_BASIC_UPDATE, Owner, false),
            ("read scope: GA reads", &ga_read_only, APPLICATIONS_READ, NoTarget, true),
            ("read scope: GA cannot delete", &ga_read_only, APPLICATIONS_DELETE, NotOwner, false),
            ("Directory.ReadWrite.All: GA updates", &ga_directory_rw, APPLICATIONS_BASIC_UPDATE, NotOwner, true),
            ("Directory.ReadWrite.All does not cover credentials", &ga_directory_rw, APPLICATIONS_CREDENTIALS_UPDATE, NotOwner, false),
        ];
        for (name, caller, action, ownership, allowed) in cases {
            let result = decide(caller, action, *ownership);
            assert_eq!(result.is_ok(), *allowed, "{name}");
            match result {
                Ok(proof) => {
                    assert_eq!(proof.action(), *action, "{name}");
                    assert!(proof.covers_entity("applications"), "{name}");
                }
                Err(e) => assert_eq!(e, Error::Forbidden, "{name}"),
            }
        }
    }

    #[test]
    fn scopes_match_case_insensitively_and_delegated_access_covers_everything() {
        let caller = principal(
            &[GLOBAL_ADMINISTRATOR],
            UserKind::Member,
            &["directory.accessasuser.all"],
        );
        for action in [
            APPLICATIONS_READ,
            APPLICATIONS_CREATE_AS_OWNER,
            APPLICATIONS_CREDENTIALS_UPDATE,
            APPLICATIONS_DELETE,
        ] {
            assert!(
                decide(&caller, action, Ownership::NotOwner).is_ok(),
                "{action}"
            );
        }
    }

    #[test]
    fn service_principals_follow_the_application_permissions() {
        use Ownership::{NoTarget, NotOwner, Owner};
        let ga = principal(&[GLOBAL_ADMINISTRATOR], UserKind::Member, &[RW]);
        let member = principal(&[], UserKind::Member, &[RW]);
        let guest = principal(&[], UserKind::Guest, &[RW]);
        let ga_user_read = principal(&[GLOBAL_ADMINISTRATOR], UserKind::Member, &["User.Read"]);
        let reader = principal(&[], UserKind::Member, &["Application.Read.All"]);
        #[rustfmt::skip]
        let cases: &[(&str, &Principal, &'static str, Ownership, bool)] = &[
            ("GA creates any", &ga, SERVICE_PRINCIPALS_CREATE_AS_OWNER, NotOwner, true),
            ("app owner creates", &member, SERVICE_PRINCIPALS_CREATE_AS_OWNER, Owner, true),
            ("non-owner cannot create", &member, SERVICE_PRINCIPALS_CREATE_AS_OWNER, NotOwner, false),
            ("read scope cannot create", &reader, SERVICE_PRINCIPALS_CREATE_AS_OWNER, Owner, false),
            ("GA without a scope cannot create", &ga_user_read, SERVICE_PRINCIPALS_CREATE_AS_OWNER, NotOwner, false),
            ("member enumerates", &reader, SERVICE_PRINCIPALS_READ, NoTarget, true),
            ("guest cannot enumerate", &guest, SERVICE_PRINCIPALS_READ, NoTarget, false),
            ("guest reads one", &guest, SERVICE_PRINCIPALS_READ, NotOwner, true),
        ];
        for (name, caller, action, ownership, allowed) in cases {
            let result = decide(caller, action, *ownership);
            assert_eq!(result.is_ok(), *allowed, "{name}");
            if let Ok(proof) = result {
                assert!(proof.covers_entity("servicePrincipals"), "{name}");
            }
        }
    }

    #[test]
    fn only_company_administrators_grant_graph_application_permissions() {
        use crate::catalog::roles::PRIVILEGED_ROLE_ADMINISTRATOR;
        const ARA: &str = "AppRoleAssignment.ReadWrite.All";
        let p = |roles: &[Uuid], scopes: &[&str]| principal(roles, UserKind::Member, scopes);
        let ga = p(&[GLOBAL_ADMINISTRATOR], &[ARA]);
        let ga_delegated_all = p(&[GLOBAL_ADMINISTRATOR], &["Directory.AccessAsUser.All"]);
        let ga_app_rw = p(&[GLOBAL_ADMINISTRATOR], &[RW]);
        let pra = p(&[PRIVILEGED_ROLE_ADMINISTRATOR], &[ARA]);
        let app_admin = p(&[APPLICATION_ADMINISTRATOR], &[ARA]);
        let cloud_admin = p(&[CLOUD_APPLICATION_ADMINISTRATOR], &[ARA]);
        let user_admin = p(&[USER_ADMINISTRATOR], &[ARA]);
        let member = p(&[], &[ARA]);
        let app = Principal::application(vec![ARA.to_owned()]);
        let app_rw = Principal::application(vec![RW.to_owned()]);
        #[rustfmt::skip]
        let cases: &[(&str, &Principal, bool, bool)] = &[
            ("GA, Graph", &ga, true, true),
            ("GA with Directory.AccessAsUser.All", &ga_delegated_all, true, true),
            ("GA without an AppRoleAssignment scope", &ga_app_rw, true, false),
            ("PRA, Graph", &pra, true, true),
            ("App Admin, Graph", &app_admin, true, false),
            ("App Admin, other resource", &app_admin, false, true),
            ("Cloud App Admin, Graph", &cloud_admin, true, false),
            ("Cloud App Admin, other resource", &cloud_admin, false, true),
            ("User Admin, other resource", &user_admin, false, false),
            ("member", &member, false, false),
            ("app with AppRoleAssignment.ReadWrite.All", &app, true, true),
            ("app with Application.ReadWrite.All", &app_rw, true, false),
        ];
        for (name, caller, graph, allowed) in cases {
            let result = decide_app_role_grant(caller, *graph);
            assert_eq!(result.is_ok(), *allowed, "{name}");
            if let Ok(proof) = result {
                assert_eq!(
                    proof.action(),
                    SERVICE_PRINCIPALS_APP_ROLE_ASSIGNED_TO_UPDATE
                );
                assert!(proof.covers_entity("servicePrincipals"), "{name}");
            }
        }
    }

    #[test]
    fn application_callers_need_application_permissions() {
        let none = Principal::application(Vec::new());
        let scp_only = Principal {
            scopes: vec![RW.to_owned()],
            ..Principal::application(Vec::new())
        };
        let reader = Principal::application(vec!["Application.Read.All".to_owned()]);
        let writer = Principal::application(vec![RW.to_owned()]);
        for action in [
            APPLICATIONS_READ,
            SERVICE_PRINCIPALS_READ,
            APPLICATIONS_CREATE_AS_OWNER,
        ] {
            assert_eq!(
                decide(&none, action, Ownership::NoTarget).unwrap_err(),
                Error::Forbidden
            );
            assert!(
                decide(&scp_only, action, Ownership::NoTarget).is_err(),
                "{action}"
            );
        }
        assert!(decide(&reader, APPLICATIONS_READ, Ownership::NoTarget).is_ok());
        assert!(decide(&reader, SERVICE_PRINCIPALS_READ, Ownership::NotOwner).is_ok());
        assert!(decide(&reader, APPLICATIONS_DELETE, Ownership::NotOwner).is_err());
        assert!(
            decide(
                &writer,
                APPLICATIONS_CREDENTIALS_UPDATE,
                Ownership::NotOwner
            )
            .is_ok()
        );
        assert!(
            decide(
                &writer,
                SERVICE_PRINCIPALS_CREATE_AS_OWNER,
                Ownership::NoTarget
            )
            .is_ok()
        );
    }
}
