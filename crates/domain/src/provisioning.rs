//! What a new tenant is made of: the tenant itself, its initial domain, its first Global
//! Administrator, and the audit record of its creation. First-party service principals and their
//! consent are reconciled separately (they change as Gatehouse grows), see `first_party_grant`.

use time::OffsetDateTime;

use crate::application::{ConsentType, OAuth2PermissionGrant};
use crate::audit::{
    AuditCategory, AuditRecord, Initiator, ModifiedProperty, OperationType, TargetResource,
};
use crate::catalog::{graph_permissions, roles};
use crate::domain_name::Domain;
use crate::ids::{ObjectId, TenantId};
use crate::password::PasswordHash;
use crate::random::Random;
use crate::role::{RoleAssignment, TENANT_SCOPE};
use crate::tenant::{NewTenant, Tenant, TenantState, TokenAlgorithm};
use crate::user::{User, UserPrincipalName, UserType};
use crate::{Error, Result};

/// Everything written, in one transaction, when a tenant is created.
#[derive(Debug, Clone)]
pub struct TenantPlan {
    pub tenant: Tenant,
    pub initial_domain: Domain,
    pub admin: User,
    pub admin_role: RoleAssignment,
    pub audit: AuditRecord,
}

/// Resolves the first administrator's sign-in name: a full UPN in the initial domain, or just an
/// alias to which the initial domain is appended. Default: `admin@<initial domain>`.
pub fn admin_upn(requested: Option<&str>, new: &NewTenant) -> Result<UserPrincipalName> {
    let raw = match requested.map(str::trim) {
        None | Some("") => format!("admin@{}", new.initial_domain),
        Some(r) if r.contains('@') => r.to_owned(),
        Some(alias) => format!("{alias}@{}", new.initial_domain),
    };
    let upn = UserPrincipalName::parse(&raw)?;
    if upn.domain() != &new.initial_domain {
        return Err(Error::invalid_property(
            "userPrincipalName",
            format!(
                "The domain portion of the userPrincipalName '{upn}' must be the tenant's verified domain '{}'.",
                new.initial_domain
            ),
        ));
    }
    Ok(upn)
}

pub fn plan_tenant(
    new: NewTenant,
    admin_upn: UserPrincipalName,
    admin_password: PasswordHash,
    initiated_by: Initiator,
    now: OffsetDateTime,
    random: &dyn Random,
) -> TenantPlan {
    let tenant = Tenant {
        id: TenantId::generate(random),
        display_name: new.display_name,
        country_letter_code: new.country_letter_code,
        state: TenantState::Active,
        created: now,
        deleted: None,
        technical_notification_mails: vec![admin_upn.to_string()],
        security_defaults_enabled: new.security_defaults_enabled,
        graph_token_algorithm: TokenAlgorithm::default(),
    };
    let admin = User {
        id: ObjectId::generate(random),
        display_name: "Administrator".to_owned(),
        mail_nickname: admin_upn.alias().to_owned(),
        user_principal_name: admin_upn,
        account_enabled: true,
        user_type: UserType::Member,
        password: Some(admin_password),
        created: now,
        last_password_change: Some(now),
        sign_in_sessions_valid_from: None,
        profile: Default::default(),
        deleted: None,
    };
    let admin_role = RoleAssignment {
        id: ObjectId::generate(random),
        role_definition_id: roles::GLOBAL_ADMINISTRATOR,
        principal_id: admin.id,
        directory_scope_id: TENANT_SCOPE.to_owned(),
        created: now,
    };
    let property = |name: &str, value: String| ModifiedProperty {
        display_name: name.to_owned(),
        old_value: None,
        new_value: Some(format!(
            "[\"{}\"]",
            value.replace('\\', "\\\\").replace('"', "\\\"")
        )),
    };
    let audit = AuditRecord::success(
        ObjectId::generate(random),
        now,
        AuditCategory::DirectoryManagement,
        "Create Company",
        OperationType::Add,
        initiated_by,
        vec![TargetResource {
            id: tenant.id.to_string(),
            display_name: Some(tenant.display_name.clone()),
            resource_type: "Company".to_owned(),
            user_principal_name: None,
            modified_properties: vec![
                property("DisplayName", tenant.display_name.clone()),
                property("CountryLetterCode", tenant.country_letter_code.clone()),
                property("InitialDomain", new.initial_domain.to_string()),
            ],
        }],
    );
    TenantPlan {
        tenant,
        initial_domain: Domain::initial(new.initial_domain),
        admin,
        admin_role,
        audit,
    }
}

/// The tenant-wide delegated consent a first-party public client holds on Microsoft Graph: every
/// delegated permission Graph exposes, so a signed-in user's rights are exactly their own roles'.
pub fn first_party_grant(
    id: String,
    client_id: ObjectId,
    graph_id: ObjectId,
) -> OAuth2PermissionGrant {
    let scope = graph_permissions::DELEGATED
        .iter()
        .map(|p| p.value)
        .collect::<Vec<_>>()
        .join(" ");
    OAuth2PermissionGrant {
        id,
        client_id,
        consent_type: ConsentType::AllPrincipals,
        resource_id: graph_id,
        scope,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain_name::DomainName;
    use crate::random::SeededRandom;

    fn new_tenant() -> NewTenant {
        NewTenant::new(
            "Contoso",
            DomainName::parse("contoso.gatehouse.test").unwrap(),
            "US",
            true,
        )
        .unwrap()
    }

    #[test]
    fn admin_upn_defaults_and_must_use_the_initial_domain() {
        let t = new_tenant();
        assert_eq!(
            admin_upn(None, &t).unwrap().to_string(),
            "admin@contoso.gatehouse.test"
        );
        assert_eq!(
            admin_upn(Some("root"), &t).unwrap().to_string(),
            "root@contoso.gatehouse.test"
        );
        assert_eq!(
            admin_upn(Some("Ops@Contoso.gatehouse.test"), &t)
                .unwrap()
                .to_string(),
            "Ops@contoso.gatehouse.test"
        );
        assert!(admin_upn(Some("ops@fabrikam.com"), &t).is_err());
    }

    #[test]
    fn plan_makes_the_admin_global_administrator_and_technical_contact() {
        let random = SeededRandom::new(7);
        let t = new_tenant();
        let upn = admin_upn(None, &t).unwrap();
        let now = time::macros::datetime!(2026-11-23 12:00 UTC);
        let plan = plan_tenant(
            t,
            upn,
            PasswordHash::from_phc("x".into()),
            Initiator::instance("test"),
            now,
            &random,
        );
        assert_eq!(plan.admin_role.principal_id, plan.admin.id);
        assert_eq!(
            plan.admin_role.role_definition_id,
            roles::GLOBAL_ADMINISTRATOR
        );
        assert_eq!(plan.admin_role.directory_scope_id, "/");
        assert_eq!(
            plan.tenant.technical_notification_mails,
            vec!["admin@contoso.gatehouse.test"]
        );
        assert!(
            plan.initial_domain.is_initial
                && plan.initial_domain.is_verified
                && plan.initial_domain.is_default
        );
        assert_eq!(plan.audit.category, AuditCategory::DirectoryManagement);
        assert_eq!(plan.audit.activity_display_name, "Create Company");
        assert_eq!(
            plan.audit.target_resources[0].id,
            plan.tenant.id.to_string()
        );
    }

    #[test]
    fn first_party_grant_covers_every_graph_delegated_permission() {
        let random = SeededRandom::new(8);
        let g = first_party_grant(
            "g".into(),
            ObjectId::generate(&random),
            ObjectId::generate(&random),
        );
        for p in graph_permissions::DELEGATED {
            assert!(g.scope.split(' ').any(|s| s == p.value), "{}", p.value);
        }
        assert_eq!(g.consent_type, ConsentType::AllPrincipals);
    }
}
