//! The authorization decision for the tenant's own objects: `domains` and `organization`, for
//! roles, default member and guest permissions, delegated scopes and application permissions.

use gatehouse_domain::authz::{
    self, DOMAINS_CREATE, DOMAINS_DELETE, DOMAINS_READ, DOMAINS_UPDATE, ORGANIZATION_BASIC_READ,
    ORGANIZATION_READ, ORGANIZATION_UPDATE, Ownership, Principal, UserKind,
};
use gatehouse_domain::catalog::roles::{
    BILLING_ADMINISTRATOR, DOMAIN_NAME_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, GLOBAL_READER,
    USER_ADMINISTRATOR,
};
use uuid::Uuid;

fn user(roles: &[Uuid], kind: UserKind, scopes: &[&str]) -> Principal {
    Principal::new(
        roles.to_vec(),
        kind,
        scopes.iter().map(|s| (*s).to_owned()).collect(),
    )
}

fn app(roles: &[&str]) -> Principal {
    Principal::application(roles.iter().map(|s| (*s).to_owned()).collect())
}

#[test]
fn domains_permission_matrix() {
    use UserKind::{Guest, Member};
    const DRW: &str = "Domain.ReadWrite.All";
    const DR: &str = "Domain.Read.All";
    let ga = user(&[GLOBAL_ADMINISTRATOR], Member, &[DRW]);
    let dna = user(&[DOMAIN_NAME_ADMINISTRATOR], Member, &[DRW]);
    let reader = user(&[GLOBAL_READER], Member, &[DRW]);
    let user_admin = user(&[USER_ADMINISTRATOR], Member, &[DRW]);
    let member = user(&[], Member, &[DRW]);
    let guest = user(&[], Guest, &[DR]);
    let ga_read_scope = user(&[GLOBAL_ADMINISTRATOR], Member, &[DR]);
    let ga_directory_rw = user(
        &[GLOBAL_ADMINISTRATOR],
        Member,
        &["Directory.ReadWrite.All"],
    );
    let ga_as_user = user(
        &[GLOBAL_ADMINISTRATOR],
        Member,
        &["Directory.AccessAsUser.All"],
    );
    let member_user_read = user(&[], Member, &["User.Read"]);
    #[rustfmt::skip]
    let cases: &[(&str, &Principal, &'static str, bool)] = &[
        ("GA adds", &ga, DOMAINS_CREATE, true),
        ("GA verifies", &ga, DOMAINS_UPDATE, true),
        ("GA deletes", &ga, DOMAINS_DELETE, true),
        ("Domain Name Admin adds", &dna, DOMAINS_CREATE, true),
        ("Domain Name Admin deletes", &dna, DOMAINS_DELETE, true),
        ("Global Reader reads", &reader, DOMAINS_READ, true),
        ("Global Reader cannot add", &reader, DOMAINS_CREATE, false),
        ("User Admin cannot add", &user_admin, DOMAINS_CREATE, false),
        ("member reads", &member, DOMAINS_READ, true),
        ("member cannot add", &member, DOMAINS_CREATE, false),
        ("member cannot update", &member, DOMAINS_UPDATE, false),
        ("guest reads", &guest, DOMAINS_READ, true),
        ("read scope: GA cannot add", &ga_read_scope, DOMAINS_CREATE, false),
        ("read scope: GA reads", &ga_read_scope, DOMAINS_READ, true),
        ("Directory.ReadWrite.All does not write domains", &ga_directory_rw, DOMAINS_CREATE, false),
        ("Directory.ReadWrite.All reads domains", &ga_directory_rw, DOMAINS_READ, true),
        ("Directory.AccessAsUser.All: GA deletes", &ga_as_user, DOMAINS_DELETE, true),
        ("User.Read does not read domains", &member_user_read, DOMAINS_READ, false),
        ("app with Domain.ReadWrite.All adds", &app(&[DRW]), DOMAINS_CREATE, true),
        ("app with Domain.Read.All reads", &app(&[DR]), DOMAINS_READ, true),
        ("app with Domain.Read.All cannot delete", &app(&[DR]), DOMAINS_DELETE, false),
        ("app with Directory.Read.All reads", &app(&["Directory.Read.All"]), DOMAINS_READ, true),
        ("app without permissions", &app(&[]), DOMAINS_READ, false),
    ];
    for (name, caller, action, allowed) in cases {
        let result = authz::decide(caller, action, Ownership::NotOwner);
        assert_eq!(result.is_ok(), *allowed, "{name}");
        if let Ok(proof) = result {
            assert!(proof.covers_entity("domains"), "{name}");
        }
    }
}

#[test]
fn organization_permission_matrix() {
    use UserKind::{Guest, Member};
    const ORW: &str = "Organization.ReadWrite.All";
    const OR: &str = "Organization.Read.All";
    let ga = user(&[GLOBAL_ADMINISTRATOR], Member, &[ORW]);
    let billing = user(&[BILLING_ADMINISTRATOR], Member, &[ORW]);
    let reader = user(&[GLOBAL_READER], Member, &[ORW]);
    let member = user(&[], Member, &[ORW]);
    let member_user_read = user(&[], Member, &["User.Read"]);
    let guest = user(&[], Guest, &[OR]);
    let ga_read_scope = user(&[GLOBAL_ADMINISTRATOR], Member, &[OR]);
    #[rustfmt::skip]
    let cases: &[(&str, &Principal, &'static str, bool)] = &[
        ("GA updates", &ga, ORGANIZATION_UPDATE, true),
        ("Billing Admin updates", &billing, ORGANIZATION_UPDATE, true),
        ("Global Reader reads", &reader, ORGANIZATION_READ, true),
        ("Global Reader cannot update", &reader, ORGANIZATION_UPDATE, false),
        ("member reads everything", &member, ORGANIZATION_READ, true),
        ("member cannot update", &member, ORGANIZATION_UPDATE, false),
        ("User.Read reads the basics", &member_user_read, ORGANIZATION_BASIC_READ, true),
        ("User.Read does not read everything", &member_user_read, ORGANIZATION_READ, false),
        ("guest reads the basics", &guest, ORGANIZATION_BASIC_READ, true),
        ("guest does not read everything", &guest, ORGANIZATION_READ, false),
        ("read scope: GA cannot update", &ga_read_scope, ORGANIZATION_UPDATE, false),
        ("app with Organization.ReadWrite.All updates", &app(&[ORW]), ORGANIZATION_UPDATE, true),
        ("app with Organization.Read.All reads", &app(&[OR]), ORGANIZATION_READ, true),
        ("app with Organization.Read.All cannot update", &app(&[OR]), ORGANIZATION_UPDATE, false),
        ("app with Domain.Read.All cannot read", &app(&["Domain.Read.All"]), ORGANIZATION_BASIC_READ, false),
    ];
    for (name, caller, action, allowed) in cases {
        let result = authz::decide(caller, action, Ownership::NotOwner);
        assert_eq!(result.is_ok(), *allowed, "{name}");
        if let Ok(proof) = result {
            assert!(proof.covers_entity("organization"), "{name}");
        }
    }
}
