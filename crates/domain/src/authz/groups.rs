//! The group part of the decision: Entra's `microsoft.directory/groups/*` actions, the Graph
//! permissions Microsoft documents per group operation, the owner actions of spec 03 §8, members'
//! default rights (spec 05 §2–3) and the kind of group a role action applies to.
//!
//! A role action applies by the group's kind, as in Entra: `groups/*` to every group but
//! role-assignable ones (whose changes need `groupsAssignableToRoles/*`: Global and Privileged Role
//! Administrators), `groups.unified/*` to Microsoft 365 groups only (Exchange, SharePoint, Teams
//! administrators), `groups.security/*` to security groups only (Intune administrators).

use super::{Ownership, Principal, Proof, UserKind, by_role, has_any, permission_allows, user_may};
use crate::group::ObjectKind;
use crate::{Error, Result};

/// Read a group's properties (and, for members, enumerate groups).
pub const GROUPS_READ: &str = "microsoft.directory/groups/standard/read";
/// Read a group's members.
pub const GROUPS_MEMBERS_READ: &str = "microsoft.directory/groups/members/read";
/// Read a group's owners.
pub const GROUPS_OWNERS_READ: &str = "microsoft.directory/groups/owners/read";
/// Read the groups a group belongs to.
pub const GROUPS_MEMBER_OF_READ: &str = "microsoft.directory/groups/memberOf/read";
/// Read the members of a group whose membership is hidden.
pub const GROUPS_HIDDEN_MEMBERS_READ: &str = "microsoft.directory/groups/hiddenMembers/read";
/// Create a group without becoming its owner (administrators).
pub const GROUPS_CREATE: &str = "microsoft.directory/groups/create";
/// Create a group and become its owner (members, by default).
pub const GROUPS_CREATE_AS_OWNER: &str = "microsoft.directory/groups/createAsOwner";
/// Update `displayName`, `description`, `mailNickname`.
pub const GROUPS_BASIC_UPDATE: &str = "microsoft.directory/groups/basic/update";
/// Update `classification`.
pub const GROUPS_CLASSIFICATION_UPDATE: &str = "microsoft.directory/groups/classification/update";
/// Update `visibility`.
pub const GROUPS_VISIBILITY_UPDATE: &str = "microsoft.directory/groups/visibility/update";
/// Update `groupTypes`.
pub const GROUPS_GROUP_TYPE_UPDATE: &str = "microsoft.directory/groups/groupType/update";
/// Update `membershipRule` and `membershipRuleProcessingState`.
pub const GROUPS_DYNAMIC_RULE_UPDATE: &str =
    "microsoft.directory/groups/dynamicMembershipRule/update";
/// Add or remove members.
pub const GROUPS_MEMBERS_UPDATE: &str = "microsoft.directory/groups/members/update";
/// Add or remove owners.
pub const GROUPS_OWNERS_UPDATE: &str = "microsoft.directory/groups/owners/update";
/// Delete a group.
pub const GROUPS_DELETE: &str = "microsoft.directory/groups/delete";
/// Restore a deleted group (and purge it from the recycle bin).
pub const GROUPS_RESTORE: &str = "microsoft.directory/groups/restore";
/// Read the group memberships of a user.
pub const USERS_MEMBER_OF_READ: &str = "microsoft.directory/users/memberOf/read";

/// The owner actions on an owned group, verbatim from spec 03 §8 (001:1613–1619).
pub(super) const OWNED_GROUP_ACTIONS: &[&str] = &[
    "microsoft.directory/groups/appRoleAssignments/update",
    "microsoft.directory/groups/basic/update",
    "microsoft.directory/groups/delete",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/owners/update",
    "microsoft.directory/groups/restore",
    "microsoft.directory/groups/settings/update",
];

/// Graph permissions that read groups and their memberships.
const GROUP_READ_SCOPES: &[&str] = &[
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that add and remove members.
const GROUP_MEMBER_WRITE_SCOPES: &[&str] = &[
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions that create groups (`Group.Create` is an application permission).
const GROUP_CREATE_SCOPES: &[&str] = &[
    "Group.Create",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// Graph permissions for every other group change.
const GROUP_WRITE_SCOPES: &[&str] = &[
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// What the signed-in user's own memberships also allow reading (`/me/memberOf`).
const OWN_MEMBERSHIP_SCOPES: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
];

/// The group a decision concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupTarget {
    pub ownership: Ownership,
    /// A Microsoft 365 group.
    pub unified: bool,
    /// `isAssignableToRole`.
    pub role_assignable: bool,
    /// The caller is a (direct) member of the group.
    pub joined: bool,
}

impl GroupTarget {
    /// No group is addressed yet (enumerating), or the group about to be created.
    pub fn collection() -> Self {
        Self {
            ownership: Ownership::NoTarget,
            unified: false,
            role_assignable: false,
            joined: false,
        }
    }
}

/// (a) The token's permissions cover a group action.
pub(super) fn group_permission_allows(granted: &[String], action: &str) -> bool {
    if action == USERS_MEMBER_OF_READ || super::is_read(action) {
        has_any(granted, GROUP_READ_SCOPES)
    } else if action == GROUPS_MEMBERS_UPDATE {
        has_any(granted, GROUP_MEMBER_WRITE_SCOPES)
    } else if action == GROUPS_CREATE || action == GROUPS_CREATE_AS_OWNER {
        has_any(granted, GROUP_CREATE_SCOPES)
    } else {
        has_any(granted, GROUP_WRITE_SCOPES)
    }
}

/// Members' and guests' default rights on groups (spec 05 §2): members enumerate and read groups
/// and non-hidden membership and create groups (security groups while `allowedToCreateSecurityGroups`
/// is on); guests read a group they address, but do not enumerate.
pub(super) fn group_default_permission(
    caller: &Principal,
    action: &str,
    ownership: Ownership,
) -> bool {
    const READS: &[&str] = &[
        GROUPS_READ,
        GROUPS_MEMBERS_READ,
        GROUPS_OWNERS_READ,
        GROUPS_MEMBER_OF_READ,
        USERS_MEMBER_OF_READ,
    ];
    match caller.kind {
        UserKind::Member => READS.contains(&action),
        UserKind::Guest => READS.contains(&action) && ownership != Ownership::NoTarget,
    }
}

/// The action string a role must cover for `action` on a group of this kind, and whether
/// the plain `groups/*` form applies at all.
fn role_covers(caller: &Principal, action: &str, target: GroupTarget) -> bool {
    let write = !super::is_read(action);
    if target.role_assignable && write {
        let alt = action.replacen("/groups/", "/groupsAssignableToRoles/", 1);
        return by_role(caller, &alt);
    }
    if by_role(caller, action) {
        return true;
    }
    let subtype = if target.unified {
        "/groups.unified/"
    } else {
        "/groups.security/"
    };
    write && by_role(caller, &action.replacen("/groups/", subtype, 1))
}

/// Decides a group action on `target`: the token's permissions, then the user's right by role
/// (scoped by the group's kind), ownership, membership (hidden members) or default permission.
/// App-only callers are decided by their application permissions alone.
pub fn decide_group(
    caller: &Principal,
    action: &'static str,
    target: GroupTarget,
) -> Result<Proof> {
    let allowed = match &caller.app_roles {
        Some(roles) => permission_allows(roles, action),
        None => {
            permission_allows(&caller.scopes, action)
                && (role_covers(caller, action, target)
                    || (target.ownership == Ownership::Owner
                        && OWNED_GROUP_ACTIONS.contains(&action))
                    || group_default_permission(caller, action, target.ownership))
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

/// How a caller may create a group of this kind: `Ok(true)` when they become its owner (members
/// through their default right), `Ok(false)` when they create it as an administrator.
pub fn decide_group_create(
    caller: &Principal,
    unified: bool,
    role_assignable: bool,
) -> Result<(Proof, bool)> {
    let target = GroupTarget {
        unified,
        role_assignable,
        ..GroupTarget::collection()
    };
    if let Some(roles) = &caller.app_roles {
        // An app with only Group.Create becomes the owner of what it creates, as in Graph.
        let broad = has_any(roles, &["Group.ReadWrite.All", "Directory.ReadWrite.All"]);
        return decide_group(caller, GROUPS_CREATE, target).map(|p| (p, !broad));
    }
    if !permission_allows(&caller.scopes, GROUPS_CREATE) {
        return Err(Error::Forbidden);
    }
    if role_covers(caller, GROUPS_CREATE, target) {
        return Ok((
            Proof {
                action: GROUPS_CREATE,
                _sealed: (),
            },
            false,
        ));
    }
    let may = !role_assignable
        && caller.kind == UserKind::Member
        && (unified || caller.allowed_to_create_security_groups);
    if may {
        Ok((
            Proof {
                action: GROUPS_CREATE_AS_OWNER,
                _sealed: (),
            },
            true,
        ))
    } else {
        Err(Error::Forbidden)
    }
}

/// Decides reading a user's group memberships: anyone's with a group-reading permission and the
/// user's right; one's own (`/me/memberOf`) also with `User.Read`.
pub fn decide_member_of(caller: &Principal, own: bool) -> Result<Proof> {
    let granted = caller.app_roles.as_ref().unwrap_or(&caller.scopes);
    let token = group_permission_allows(granted, USERS_MEMBER_OF_READ)
        || (own && caller.app_roles.is_none() && has_any(granted, OWN_MEMBERSHIP_SCOPES));
    let user = caller.app_roles.is_some()
        || own
        || user_may(caller, USERS_MEMBER_OF_READ, Ownership::NoTarget);
    if token && user {
        Ok(Proof {
            action: USERS_MEMBER_OF_READ,
            _sealed: (),
        })
    } else {
        Err(Error::Forbidden)
    }
}

/// Whether the caller may see the members of a group with hidden membership: owners, members,
/// holders of `groups/hiddenMembers/read`, and applications with a group-reading permission.
pub fn may_see_hidden_members(caller: &Principal, target: GroupTarget) -> bool {
    match &caller.app_roles {
        Some(roles) => has_any(roles, GROUP_READ_SCOPES),
        None => {
            target.ownership == Ownership::Owner
                || target.joined
                || by_role(caller, GROUPS_HIDDEN_MEMBERS_READ)
        }
    }
}

/// Whether the token lets the caller read groups in full; without it, directory-object
/// collections show a group's `id` and type only (Graph's "limited information").
pub fn may_read_groups(caller: &Principal) -> bool {
    may_read_object_kind(caller, ObjectKind::Group)
}

/// Whether the token lets the caller see directory objects of `kind` in full in a
/// directory-object collection (members, owners, memberships, `getByIds`); without it Graph shows
/// the object's `id` and type only ("limited information").
pub fn may_read_object_kind(caller: &Principal, kind: ObjectKind) -> bool {
    const USERS: &[&str] = &[
        "User.ReadBasic.All",
        "User.Read.All",
        "User.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "Directory.AccessAsUser.All",
    ];
    const APPS: &[&str] = &[
        "Application.Read.All",
        "Application.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "Directory.AccessAsUser.All",
    ];
    let granted = caller.app_roles.as_ref().unwrap_or(&caller.scopes);
    match kind {
        ObjectKind::User => has_any(granted, USERS),
        ObjectKind::Group => has_any(granted, GROUP_READ_SCOPES),
        ObjectKind::ServicePrincipal | ObjectKind::Application => has_any(granted, APPS),
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::catalog::roles::{
        EXCHANGE_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, GLOBAL_READER, GROUPS_ADMINISTRATOR,
        INTUNE_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR, USER_ADMINISTRATOR,
    };

    const GRW: &str = "Group.ReadWrite.All";

    fn p(roles: &[Uuid], kind: UserKind, scopes: &[&str]) -> Principal {
        Principal::new(
            roles.to_vec(),
            kind,
            scopes.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    fn target(ownership: Ownership, unified: bool, role_assignable: bool) -> GroupTarget {
        GroupTarget {
            ownership,
            unified,
            role_assignable,
            joined: false,
        }
    }

    #[test]
    fn group_permission_matrix() {
        use Ownership::{NotOwner, Owner};
        use UserKind::{Guest, Member};
        let ga = p(&[GLOBAL_ADMINISTRATOR], Member, &[GRW]);
        let groups_admin = p(&[GROUPS_ADMINISTRATOR], Member, &[GRW]);
        let user_admin = p(&[USER_ADMINISTRATOR], Member, &[GRW]);
        let pra = p(&[PRIVILEGED_ROLE_ADMINISTRATOR], Member, &[GRW]);
        let exchange = p(&[EXCHANGE_ADMINISTRATOR], Member, &[GRW]);
        let intune = p(&[INTUNE_ADMINISTRATOR], Member, &[GRW]);
        let reader = p(&[GLOBAL_READER], Member, &["Group.Read.All"]);
        let member = p(&[], Member, &[GRW]);
        let member_rw_members = p(&[], Member, &["GroupMember.ReadWrite.All"]);
        let guest = p(&[], Guest, &[GRW]);
        let ga_user_read = p(&[GLOBAL_ADMINISTRATOR], Member, &["User.Read"]);
        let sec = target(NotOwner, false, false);
        let m365 = target(NotOwner, true, false);
        let role = target(NotOwner, false, true);
        let owned = target(Owner, false, false);
        let owned_role = target(Owner, false, true);
        let list = GroupTarget::collection();
        #[rustfmt::skip]
        let cases: &[(&str, &Principal, &'static str, GroupTarget, bool)] = &[
            ("GA updates", &ga, GROUPS_BASIC_UPDATE, sec, true),
            ("GA manages role-assignable members", &ga, GROUPS_MEMBERS_UPDATE, role, true),
            ("Groups Admin updates", &groups_admin, GROUPS_BASIC_UPDATE, m365, true),
            ("Groups Admin deletes", &groups_admin, GROUPS_DELETE, sec, true),
            ("Groups Admin cannot touch role-assignable", &groups_admin, GROUPS_MEMBERS_UPDATE, role, false),
            ("Groups Admin reads role-assignable", &groups_admin, GROUPS_READ, role, true),
            ("User Admin manages members", &user_admin, GROUPS_MEMBERS_UPDATE, sec, true),
            ("PRA manages role-assignable", &pra, GROUPS_MEMBERS_UPDATE, role, true),
            ("PRA cannot manage ordinary groups", &pra, GROUPS_MEMBERS_UPDATE, sec, false),
            ("Exchange Admin: Microsoft 365 groups", &exchange, GROUPS_MEMBERS_UPDATE, m365, true),
            ("Exchange Admin: not security groups", &exchange, GROUPS_MEMBERS_UPDATE, sec, false),
            ("Intune Admin: security groups", &intune, GROUPS_MEMBERS_UPDATE, sec, true),
            ("Intune Admin: not Microsoft 365 groups", &intune, GROUPS_MEMBERS_UPDATE, m365, false),
            ("Global Reader reads members", &reader, GROUPS_MEMBERS_READ, sec, true),
            ("Global Reader cannot update", &reader, GROUPS_BASIC_UPDATE, sec, false),
            ("member enumerates", &member, GROUPS_READ, list, true),
            ("member reads members", &member, GROUPS_MEMBERS_READ, sec, true),
            ("member cannot update others'", &member, GROUPS_BASIC_UPDATE, sec, false),
            ("member cannot add members to others'", &member, GROUPS_MEMBERS_UPDATE, sec, false),
            ("owner updates", &member, GROUPS_BASIC_UPDATE, owned, true),
            ("owner adds members", &member, GROUPS_MEMBERS_UPDATE, owned, true),
            ("owner adds owners", &member, GROUPS_OWNERS_UPDATE, owned, true),
            ("owner deletes", &member, GROUPS_DELETE, owned, true),
            ("owner restores", &member, GROUPS_RESTORE, owned, true),
            ("owner of role-assignable adds members", &member, GROUPS_MEMBERS_UPDATE, owned_role, true),
            ("owner cannot change visibility", &member, GROUPS_VISIBILITY_UPDATE, owned, false),
            ("owner cannot edit the rule", &member, GROUPS_DYNAMIC_RULE_UPDATE, owned, false),
            ("GroupMember.ReadWrite.All adds members", &member_rw_members, GROUPS_MEMBERS_UPDATE, owned, true),
            ("GroupMember.ReadWrite.All cannot rename", &member_rw_members, GROUPS_BASIC_UPDATE, owned, false),
            ("guest cannot enumerate", &guest, GROUPS_READ, list, false),
            ("guest reads one", &guest, GROUPS_READ, sec, true),
            ("guest cannot update", &guest, GROUPS_BASIC_UPDATE, sec, false),
            ("GA without a group scope", &ga_user_read, GROUPS_READ, list, false),
        ];
        for (name, caller, action, t, allowed) in cases {
            let result = decide_group(caller, action, *t);
            assert_eq!(result.is_ok(), *allowed, "{name}");
            if let Ok(proof) = result {
                assert!(proof.covers_entity("groups"), "{name}");
            }
        }
    }

    #[test]
    fn who_creates_groups_and_who_becomes_owner() {
        use UserKind::{Guest, Member};
        let ga = p(&[GLOBAL_ADMINISTRATOR], Member, &[GRW]);
        let groups_admin = p(&[GROUPS_ADMINISTRATOR], Member, &[GRW]);
        let pra = p(&[PRIVILEGED_ROLE_ADMINISTRATOR], Member, &[GRW]);
        let member = p(&[], Member, &[GRW]);
        let locked = Principal {
            allowed_to_create_security_groups: false,
            ..member.clone()
        };
        let guest = p(&[], Guest, &[GRW]);
        let reader_scope = p(&[GLOBAL_ADMINISTRATOR], Member, &["Group.Read.All"]);
        let create = |c: &Principal, unified, role| {
            decide_group_create(c, unified, role)
                .map(|(_, owner)| owner)
                .ok()
        };
        assert_eq!(create(&ga, false, false), Some(false));
        assert_eq!(create(&ga, false, true), Some(false));
        assert_eq!(create(&groups_admin, true, false), Some(false));
        assert_eq!(
            create(&groups_admin, false, true),
            None,
            "role-assignable needs PRA/GA"
        );
        assert_eq!(create(&pra, false, true), Some(false));
        assert_eq!(create(&member, false, false), Some(true));
        assert_eq!(create(&member, true, false), Some(true));
        assert_eq!(create(&member, false, true), None);
        assert_eq!(create(&locked, false, false), None);
        assert_eq!(create(&locked, true, false), Some(true));
        assert_eq!(create(&guest, false, false), None);
        assert_eq!(create(&reader_scope, false, false), None);
        let app = Principal::application(vec!["Group.Create".into()]);
        assert_eq!(create(&app, false, false), Some(true));
        let app = Principal::application(vec![GRW.into()]);
        assert_eq!(create(&app, true, false), Some(false));
        let app = Principal::application(vec!["Group.Read.All".into()]);
        assert_eq!(create(&app, true, false), None);
    }

    #[test]
    fn memberships_and_hidden_members() {
        use UserKind::{Guest, Member};
        let member_user_read = p(&[], Member, &["User.Read"]);
        assert!(decide_member_of(&member_user_read, true).is_ok());
        assert!(decide_member_of(&member_user_read, false).is_err());
        let member = p(&[], Member, &["GroupMember.Read.All"]);
        assert!(decide_member_of(&member, false).is_ok());
        let guest = p(&[], Guest, &["GroupMember.Read.All"]);
        assert!(decide_member_of(&guest, false).is_err());
        assert!(decide_member_of(&guest, true).is_ok());
        let app = Principal::application(vec!["Directory.Read.All".into()]);
        assert!(decide_member_of(&app, false).is_ok());
        assert!(!may_read_groups(&member_user_read) && may_read_groups(&member));

        let hidden = target(Ownership::NotOwner, true, false);
        assert!(!may_see_hidden_members(&member, hidden));
        assert!(may_see_hidden_members(
            &member,
            GroupTarget {
                joined: true,
                ..hidden
            }
        ));
        assert!(may_see_hidden_members(
            &member,
            target(Ownership::Owner, true, false)
        ));
        let reader = p(&[GLOBAL_READER], Member, &["Group.Read.All"]);
        assert!(may_see_hidden_members(&reader, hidden));
        let user_admin = p(&[USER_ADMINISTRATOR], Member, &["Group.Read.All"]);
        assert!(may_see_hidden_members(&user_admin, hidden));
    }
}
