//! The tenant's `authorizationPolicy` (Graph): default user permissions, guest access, and which
//! permission grant policies decide user consent (spec 05 §3, spec 08 §6).

use uuid::{Uuid, uuid};

use crate::{Error, Result};

/// `guestUserRoleId`: guests have the same access as members.
pub const GUEST_ROLE_SAME_AS_MEMBER: Uuid = uuid!("a0b1b346-4d3e-4e8b-98f8-753987be4970");
/// `guestUserRoleId`: guests have limited access (Entra's default).
pub const GUEST_ROLE_LIMITED: Uuid = uuid!("10dae51f-b6af-4016-8d66-8c2a99b929b3");
/// `guestUserRoleId`: guests see only their own directory objects.
pub const GUEST_ROLE_RESTRICTED: Uuid = uuid!("2af84b1e-32c8-42b7-82bc-daa82404023b");

/// The permission grant policy that lets users consent to low-impact permissions of apps from
/// verified publishers or registered in the tenant ("for selected permissions").
pub const USER_CONSENT_LOW: &str = "ManagePermissionGrantsForSelf.microsoft-user-default-low";
/// The permission grant policy that lets users consent to any permission that does not need an
/// administrator.
pub const USER_CONSENT_LEGACY: &str = "ManagePermissionGrantsForSelf.microsoft-user-default-legacy";

/// Who may invite guests (`allowInvitesFrom`).
pub const INVITE_SETTINGS: [&str; 4] = [
    "none",
    "adminsAndGuestInviters",
    "adminsGuestInvitersAndAllMembers",
    "everyone",
];

/// Graph `authorizationPolicy` with `defaultUserRolePermissions`, at Entra's new-tenant defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationPolicy {
    pub allow_invites_from: String,
    pub allowed_to_sign_up_email_based_subscriptions: bool,
    pub allowed_to_use_sspr: bool,
    pub allow_email_verified_users_to_join_organization: bool,
    pub allow_user_consent_for_risky_apps: bool,
    pub block_msol_powershell: bool,
    pub guest_user_role_id: Uuid,
    pub allowed_to_create_apps: bool,
    pub allowed_to_create_security_groups: bool,
    pub allowed_to_create_tenants: bool,
    pub allowed_to_read_bitlocker_keys_for_owned_device: bool,
    pub allowed_to_read_other_users: bool,
    /// `ManagePermissionGrantsForSelf.{policy}` entries; none means users cannot consent.
    pub permission_grant_policies_assigned: Vec<String>,
}

impl Default for AuthorizationPolicy {
    fn default() -> Self {
        Self {
            allow_invites_from: "everyone".to_owned(),
            allowed_to_sign_up_email_based_subscriptions: true,
            allowed_to_use_sspr: true,
            allow_email_verified_users_to_join_organization: false,
            allow_user_consent_for_risky_apps: false,
            block_msol_powershell: false,
            guest_user_role_id: GUEST_ROLE_LIMITED,
            allowed_to_create_apps: true,
            allowed_to_create_security_groups: true,
            allowed_to_create_tenants: true,
            allowed_to_read_bitlocker_keys_for_owned_device: true,
            allowed_to_read_other_users: true,
            permission_grant_policies_assigned: vec![USER_CONSENT_LOW.to_owned()],
        }
    }
}

/// What users may consent to on their own behalf, from `permissionGrantPoliciesAssigned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserConsent {
    /// "Do not allow user consent".
    Disabled,
    /// "Allow user consent for apps from verified publishers, for selected permissions".
    LowImpact,
    /// "Allow user consent for apps".
    All,
}

impl AuthorizationPolicy {
    /// Checks the values Graph constrains.
    pub fn validate(&self) -> Result<()> {
        if !INVITE_SETTINGS.contains(&self.allow_invites_from.as_str()) {
            return Err(Error::invalid_property(
                "allowInvitesFrom",
                format!(
                    "Invalid value '{}' for allowInvitesFrom; expected one of {}.",
                    self.allow_invites_from,
                    INVITE_SETTINGS.join(", ")
                ),
            ));
        }
        if ![
            GUEST_ROLE_SAME_AS_MEMBER,
            GUEST_ROLE_LIMITED,
            GUEST_ROLE_RESTRICTED,
        ]
        .contains(&self.guest_user_role_id)
        {
            return Err(Error::invalid_property(
                "guestUserRoleId",
                "guestUserRoleId must be one of the three guest role ids.",
            ));
        }
        if let Some(unknown) = self
            .permission_grant_policies_assigned
            .iter()
            .find(|p| ![USER_CONSENT_LOW, USER_CONSENT_LEGACY].contains(&p.as_str()))
        {
            return Err(Error::invalid_property(
                "permissionGrantPoliciesAssigned",
                format!("Permission grant policy '{unknown}' does not exist."),
            ));
        }
        Ok(())
    }

    /// The broadest user consent the assigned policies allow.
    pub fn user_consent(&self) -> UserConsent {
        let has = |p: &str| {
            self.permission_grant_policies_assigned
                .iter()
                .any(|a| a == p)
        };
        if has(USER_CONSENT_LEGACY) {
            UserConsent::All
        } else if has(USER_CONSENT_LOW) {
            UserConsent::LowImpact
        } else {
            UserConsent::Disabled
        }
    }
}

/// Delegated permissions Entra classifies as low impact out of the box.
pub const LOW_IMPACT_PERMISSIONS: [&str; 5] =
    ["openid", "profile", "email", "offline_access", "User.Read"];

/// A delegated permission a client asks for, as consent sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedPermission {
    pub value: String,
    /// The scope's `type` is "Admin".
    pub admin_consent_required: bool,
}

/// Whether a user may consent, for themself, to all of `requested` under `consent`.
pub fn user_may_consent(consent: UserConsent, requested: &[RequestedPermission]) -> bool {
    requested.iter().all(|p| {
        !p.admin_consent_required
            && match consent {
                UserConsent::Disabled => false,
                UserConsent::All => true,
                UserConsent::LowImpact => LOW_IMPACT_PERMISSIONS
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(&p.value)),
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(value: &str, admin: bool) -> RequestedPermission {
        RequestedPermission {
            value: value.to_owned(),
            admin_consent_required: admin,
        }
    }

    #[test]
    fn defaults_are_entras() {
        let p = AuthorizationPolicy::default();
        assert!(p.validate().is_ok());
        assert_eq!(p.user_consent(), UserConsent::LowImpact);
        assert!(p.allowed_to_create_apps);
    }

    #[test]
    fn user_consent_follows_the_policy() {
        let low = [req("openid", false), req("user.read", false)];
        let mail = [req("openid", false), req("Mail.Read", false)];
        let admin = [req("Directory.Read.All", true)];
        assert!(user_may_consent(UserConsent::LowImpact, &low));
        assert!(!user_may_consent(UserConsent::LowImpact, &mail));
        assert!(user_may_consent(UserConsent::All, &mail));
        assert!(!user_may_consent(UserConsent::All, &admin));
        assert!(!user_may_consent(UserConsent::Disabled, &low));
        assert!(user_may_consent(UserConsent::Disabled, &[]));
    }

    #[test]
    fn validation_rejects_unknown_values() {
        let mut p = AuthorizationPolicy {
            allow_invites_from: "anyone".into(),
            ..AuthorizationPolicy::default()
        };
        assert!(p.validate().is_err());
        p.allow_invites_from = "none".into();
        p.guest_user_role_id = Uuid::nil();
        assert!(p.validate().is_err());
        p.guest_user_role_id = GUEST_ROLE_RESTRICTED;
        p.permission_grant_policies_assigned = vec!["ManagePermissionGrantsForSelf.x".into()];
        assert!(p.validate().is_err());
        p.permission_grant_policies_assigned.clear();
        assert!(p.validate().is_ok());
        assert_eq!(p.user_consent(), UserConsent::Disabled);
    }
}
