//! Groups (spec 03): security groups and Microsoft 365 groups (`groupTypes` contains "Unified"),
//! their flags and validation, and the rules on who may be a member or an owner of which kind.
//! Dynamic membership rules are stored here; evaluating them is the rule engine's business.

use time::OffsetDateTime;

use crate::ids::ObjectId;
use crate::{Error, Result};

/// `groupTypes` value of a Microsoft 365 group.
pub const UNIFIED: &str = "Unified";
/// `groupTypes` value of a group whose members a membership rule decides.
pub const DYNAMIC_MEMBERSHIP: &str = "DynamicMembership";
/// How many references one request may add through `members@odata.bind` / `owners@odata.bind`.
pub const MAX_BINDS_PER_REQUEST: usize = 20;
/// How long a deleted Microsoft 365 group can be restored.
pub const RESTORE_WINDOW: time::Duration = time::Duration::days(30);

/// Graph `visibility`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
    /// Members are listed only to owners, members and holders of `groups/hiddenMembers/read`.
    HiddenMembership,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Private => "Private",
            Self::HiddenMembership => "HiddenMembership",
        }
    }

    /// Parses Graph's value, case-insensitively as Graph accepts it.
    pub fn parse(s: &str) -> Result<Self> {
        [Self::Public, Self::Private, Self::HiddenMembership]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::invalid_property(
                    "visibility",
                    format!(
                        "Invalid value '{s}' for visibility; expected Public, Private or HiddenMembership."
                    ),
                )
            })
    }
}

/// The kind of directory object a membership or ownership refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    User,
    Group,
    ServicePrincipal,
    Application,
}

impl ObjectKind {
    /// The stored name, also the suffix of Graph's `@odata.type` (`#microsoft.graph.{name}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::ServicePrincipal => "servicePrincipal",
            Self::Application => "application",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        [
            Self::User,
            Self::Group,
            Self::ServicePrincipal,
            Self::Application,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| Error::internal(format!("unknown directory object kind '{s}'")))
    }
}

/// A directory object a group refers to: its id and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DirectoryRef {
    pub id: ObjectId,
    pub kind: ObjectKind,
}

/// A group (Graph `group`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: ObjectId,
    pub display_name: String,
    pub description: Option<String>,
    pub mail_nickname: String,
    pub mail_enabled: bool,
    pub security_enabled: bool,
    pub group_types: Vec<String>,
    pub visibility: Option<Visibility>,
    pub is_assignable_to_role: bool,
    pub classification: Option<String>,
    pub membership_rule: Option<String>,
    pub membership_rule_processing_state: Option<String>,
    pub created: OffsetDateTime,
    /// Set while a deleted Microsoft 365 group waits in the recycle bin.
    pub deleted: Option<OffsetDateTime>,
}

impl Group {
    /// A Microsoft 365 group (`groupTypes` contains "Unified").
    pub fn is_unified(&self) -> bool {
        self.has_type(UNIFIED)
    }

    /// Members come from a membership rule, not from assignment.
    pub fn is_dynamic(&self) -> bool {
        self.has_type(DYNAMIC_MEMBERSHIP)
    }

    fn has_type(&self, t: &str) -> bool {
        self.group_types.iter().any(|g| g.eq_ignore_ascii_case(t))
    }

    /// Hidden membership: members are listed only to owners, members and privileged readers.
    pub fn hides_membership(&self) -> bool {
        self.visibility == Some(Visibility::HiddenMembership)
    }

    /// Whether deleting it goes to the recycle bin (Microsoft 365 groups) rather than at once.
    pub fn is_soft_deleted_on_delete(&self) -> bool {
        self.is_unified()
    }

    /// The Windows-style security identifier Entra derives from the object id:
    /// `S-1-12-1-` and the GUID's bytes (in Microsoft's order) read as four little-endian u32.
    pub fn security_identifier(&self) -> String {
        let b = self.id.as_uuid().to_bytes_le();
        let part = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        format!("S-1-12-1-{}-{}-{}-{}", part(0), part(4), part(8), part(12))
    }

    /// Checks the combination of flags Graph accepts on create and after an update.
    pub fn validate(&self) -> Result<()> {
        validate_display_name(&self.display_name)?;
        validate_mail_nickname(&self.mail_nickname)?;
        if let Some(unknown) = self.group_types.iter().find(|t| {
            !t.eq_ignore_ascii_case(UNIFIED) && !t.eq_ignore_ascii_case(DYNAMIC_MEMBERSHIP)
        }) {
            return Err(Error::invalid_property(
                "groupTypes",
                format!(
                    "Invalid value '{unknown}' for groupTypes; expected Unified or DynamicMembership."
                ),
            ));
        }
        if self.is_unified() && !self.mail_enabled {
            return Err(Error::invalid_property(
                "mailEnabled",
                "A Microsoft 365 group must be mail-enabled.",
            ));
        }
        if !self.is_unified() && self.mail_enabled {
            // Distribution lists and mail-enabled security groups belong to Exchange (spec 03 §1).
            return Err(Error::invalid_property(
                "mailEnabled",
                "Creating mail-enabled security groups or distribution groups is not supported. \
                 They can only be managed in the Exchange admin center or the Microsoft 365 admin center.",
            ));
        }
        if !self.is_unified() && !self.security_enabled {
            return Err(Error::invalid_property(
                "securityEnabled",
                "A group that is not a Microsoft 365 group must be security-enabled.",
            ));
        }
        if self.hides_membership() && !self.is_unified() {
            return Err(Error::invalid_property(
                "visibility",
                "HiddenMembership can be set only for Microsoft 365 groups.",
            ));
        }
        match (
            self.is_dynamic(),
            &self.membership_rule,
            &self.membership_rule_processing_state,
        ) {
            (true, None, _) => {
                return Err(Error::invalid_property(
                    "membershipRule",
                    "A dynamic group requires a membershipRule.",
                ));
            }
            (false, Some(_), _) => {
                return Err(Error::invalid_property(
                    "membershipRule",
                    "membershipRule can be set only on a group whose groupTypes contain DynamicMembership.",
                ));
            }
            (_, _, Some(state)) if state != "On" && state != "Paused" => {
                return Err(Error::invalid_property(
                    "membershipRuleProcessingState",
                    format!(
                        "Invalid value '{state}' for membershipRuleProcessingState; expected On or Paused."
                    ),
                ));
            }
            _ => {}
        }
        if self.is_assignable_to_role {
            if !self.security_enabled {
                return Err(Error::invalid_property(
                    "isAssignableToRole",
                    "A role-assignable group must be security-enabled.",
                ));
            }
            if self.is_dynamic() {
                return Err(Error::invalid_property(
                    "isAssignableToRole",
                    "A role-assignable group cannot have dynamic membership.",
                ));
            }
            if self.is_unified() && self.visibility != Some(Visibility::Private) {
                return Err(Error::invalid_property(
                    "visibility",
                    "A role-assignable Microsoft 365 group must be Private.",
                ));
            }
        }
        Ok(())
    }

    /// Whether `kind` may become a member (spec 03 §1, §7.2, §13): Microsoft 365 groups hold users
    /// only; role-assignable groups cannot contain groups; dynamic groups take no assignments.
    pub fn check_member(&self, kind: ObjectKind) -> Result<()> {
        if self.is_dynamic() {
            return Err(Error::invalid(
                "Members cannot be added to or removed from a group with dynamic membership.",
            ));
        }
        if self.is_unified() && kind != ObjectKind::User {
            return Err(Error::invalid(
                "Only users can be members of a Microsoft 365 group.",
            ));
        }
        if self.is_assignable_to_role && kind == ObjectKind::Group {
            return Err(Error::invalid(
                "A group that can be assigned to a role cannot contain other groups.",
            ));
        }
        if kind == ObjectKind::Application {
            return Err(Error::invalid(
                "Applications cannot be members of a group; add their service principal.",
            ));
        }
        Ok(())
    }

    /// Whether `kind` may become an owner: users and service principals only (spec 03 §8).
    pub fn check_owner(&self, kind: ObjectKind) -> Result<()> {
        match kind {
            ObjectKind::User | ObjectKind::ServicePrincipal => Ok(()),
            _ => Err(Error::invalid(
                "Only users and service principals can be owners of a group.",
            )),
        }
    }
}

/// `displayName`: required, 1–256 characters.
pub fn validate_display_name(s: &str) -> Result<String> {
    let n = s.chars().count();
    if s.trim().is_empty() || n > 256 {
        return Err(Error::invalid_property(
            "displayName",
            "The displayName property is required and must be at most 256 characters.",
        ));
    }
    Ok(s.to_owned())
}

/// `mailNickname`: required, at most 64 ASCII characters, none of `@ ( ) \ [ ] " ; : < > ,` or a
/// space (Graph's rule).
pub fn validate_mail_nickname(s: &str) -> Result<String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii() && !c.is_ascii_control() && !"@()\\[]\";:<>, ".contains(c));
    if !ok {
        return Err(Error::invalid_property(
            "mailNickname",
            "The mailNickname property is required, at most 64 characters, and may contain only ASCII \
             characters except @ ( ) \\ [ ] \" ; : < > , and space.",
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(types: &[&str], mail: bool, security: bool) -> Group {
        Group {
            id: "0d3e6f6e-8c5a-4b1d-9f3a-2b7c9d1e4f60".parse().unwrap(),
            display_name: "Sales".into(),
            description: None,
            mail_nickname: "sales".into(),
            mail_enabled: mail,
            security_enabled: security,
            group_types: types.iter().map(|s| (*s).to_owned()).collect(),
            visibility: None,
            is_assignable_to_role: false,
            classification: None,
            membership_rule: None,
            membership_rule_processing_state: None,
            created: OffsetDateTime::UNIX_EPOCH,
            deleted: None,
        }
    }

    #[test]
    fn kinds_of_group_graph_accepts() {
        let cases: &[(&[&str], bool, bool, bool)] = &[
            (&[], false, true, true),            // security
            (&["Unified"], true, false, true),   // Microsoft 365
            (&["Unified"], true, true, true),    // security-enabled Microsoft 365
            (&["unified"], true, false, true),   // case-insensitive
            (&[], true, false, false),           // distribution: Exchange only
            (&[], true, true, false),            // mail-enabled security: Exchange only
            (&[], false, false, false),          // neither
            (&["Unified"], false, false, false), // Microsoft 365 must be mail-enabled
            (&["Teams"], false, true, false),    // unknown type
        ];
        for (types, mail, security, ok) in cases {
            assert_eq!(
                group(types, *mail, *security).validate().is_ok(),
                *ok,
                "{types:?} mail={mail} security={security}"
            );
        }
    }

    #[test]
    fn dynamic_groups_need_a_rule_and_rules_need_a_dynamic_group() {
        let mut g = group(&["DynamicMembership"], false, true);
        assert!(g.validate().is_err());
        g.membership_rule = Some("user.department -eq \"Sales\"".into());
        g.membership_rule_processing_state = Some("On".into());
        assert!(g.validate().is_ok());
        g.membership_rule_processing_state = Some("Running".into());
        assert!(g.validate().is_err());
        let mut s = group(&[], false, true);
        s.membership_rule = Some("user.department -eq \"Sales\"".into());
        assert!(s.validate().is_err());
    }

    #[test]
    fn hidden_membership_and_role_assignable_rules() {
        let mut s = group(&[], false, true);
        s.visibility = Some(Visibility::HiddenMembership);
        assert!(s.validate().is_err());
        let mut u = group(&["Unified"], true, false);
        u.visibility = Some(Visibility::HiddenMembership);
        assert!(u.validate().is_ok() && u.hides_membership());
        u.is_assignable_to_role = true;
        assert!(u.validate().is_err(), "needs securityEnabled");
        u.security_enabled = true;
        assert!(u.validate().is_err(), "needs Private");
        u.visibility = Some(Visibility::Private);
        assert!(u.validate().is_ok());
    }

    #[test]
    fn member_and_owner_kinds() {
        use ObjectKind::*;
        let security = group(&[], false, true);
        let unified = group(&["Unified"], true, false);
        let mut role = group(&[], false, true);
        role.is_assignable_to_role = true;
        let mut dynamic = group(&["DynamicMembership"], false, true);
        dynamic.membership_rule = Some("x".into());
        for kind in [User, Group, ServicePrincipal] {
            assert!(security.check_member(kind).is_ok(), "{kind:?}");
            assert!(dynamic.check_member(kind).is_err(), "{kind:?}");
        }
        assert!(unified.check_member(User).is_ok());
        assert_eq!(
            unified.check_member(Group).unwrap_err().to_string(),
            "Only users can be members of a Microsoft 365 group."
        );
        assert!(unified.check_member(ServicePrincipal).is_err());
        assert!(role.check_member(Group).is_err() && role.check_member(User).is_ok());
        assert!(security.check_member(Application).is_err());
        assert!(
            security.check_owner(User).is_ok() && security.check_owner(ServicePrincipal).is_ok()
        );
        assert!(security.check_owner(Group).is_err());
    }

    #[test]
    fn mail_nickname_and_display_name_rules() {
        for ok in ["sales", "sales.team-1", "a_b", "x"] {
            assert!(validate_mail_nickname(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a@b", "a:b", "ä", "a,b", &"x".repeat(65)] {
            assert!(validate_mail_nickname(bad).is_err(), "{bad}");
        }
        assert!(validate_display_name(" ").is_err());
        assert!(validate_display_name(&"x".repeat(256)).is_ok());
        assert!(validate_display_name(&"x".repeat(257)).is_err());
    }

    #[test]
    fn security_identifier_follows_the_object_id() {
        let g = group(&[], false, true);
        let sid = g.security_identifier();
        assert!(sid.starts_with("S-1-12-1-"), "{sid}");
        // 0d3e6f6e → little-endian bytes 6e 6f 3e 0d read back as 0x0d3e6f6e.
        assert_eq!(sid.split('-').nth(4), Some(&*0x0d3e_6f6e_u32.to_string()));
        assert_eq!(sid.split('-').count(), 8);
    }
}
