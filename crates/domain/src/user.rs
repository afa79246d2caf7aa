//! Users: the account (sign-in name, password, state) and the profile every Graph user property lives
//! in (spec 02 §2), with the validation rules of spec 02 §2.3.

use std::collections::BTreeMap;
use std::fmt;

use time::OffsetDateTime;

use crate::domain_name::DomainName;
use crate::ids::ObjectId;
use crate::password::PasswordHash;
use crate::{Error, Result};

/// A user principal name `alias@domain`, with the domain validated and lower-cased.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UserPrincipalName {
    alias: String,
    domain: DomainName,
}

impl UserPrincipalName {
    pub fn parse(raw: &str) -> Result<Self> {
        let invalid = || {
            Error::invalid_property(
                "userPrincipalName",
                format!("The user principal name '{raw}' is not valid."),
            )
        };
        let (alias, domain) = raw.trim().rsplit_once('@').ok_or_else(invalid)?;
        let alias_ok = !alias.is_empty()
            && alias.len() <= 64
            && !alias.starts_with('.')
            && !alias.ends_with('.')
            && !alias.contains("..")
            && alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "'.-_!#^~".contains(c));
        if !alias_ok {
            return Err(invalid());
        }
        let domain = DomainName::parse(domain).map_err(|_| invalid())?;
        Ok(Self {
            alias: alias.to_owned(),
            domain,
        })
    }

    pub fn alias(&self) -> &str {
        &self.alias
    }
    pub fn domain(&self) -> &DomainName {
        &self.domain
    }
}

impl fmt::Display for UserPrincipalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.alias, self.domain)
    }
}

impl fmt::Debug for UserPrincipalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserPrincipalName({self})")
    }
}

/// Graph `userType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    Member,
    Guest,
}

impl UserType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Guest => "Guest",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "Member" => Ok(Self::Member),
            "Guest" => Ok(Self::Guest),
            other => Err(Error::invalid_property(
                "userType",
                format!("Invalid value '{other}'."),
            )),
        }
    }
}

/// A user account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: ObjectId,
    pub user_principal_name: UserPrincipalName,
    pub display_name: String,
    pub mail_nickname: String,
    pub account_enabled: bool,
    pub user_type: UserType,
    pub password: Option<PasswordHash>,
    pub created: OffsetDateTime,
    pub last_password_change: Option<OffsetDateTime>,
    /// Graph `signInSessionsValidFromDateTime`: sessions and refresh tokens from before it are invalid.
    pub sign_in_sessions_valid_from: Option<OffsetDateTime>,
    /// The directory profile (contact, job and organisation data).
    pub profile: UserProfile,
    /// Graph `deletedDateTime`: set while the user is in the recycle bin.
    pub deleted: Option<OffsetDateTime>,
}

/// Graph `signInActivity` (spec 02 §7): the user's last sign-ins and their request ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInActivity {
    /// The last interactive sign-in.
    pub last_sign_in: Option<(OffsetDateTime, String)>,
    /// The last sign-in an application made for the user (refresh tokens, on-behalf-of).
    pub last_non_interactive_sign_in: Option<(OffsetDateTime, String)>,
    /// The last successful sign-in of either kind.
    pub last_successful_sign_in: Option<(OffsetDateTime, String)>,
}

/// A single-valued string property of a user, by its Graph name, with its maximum length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextProperty {
    pub name: &'static str,
    pub max_len: usize,
}

const fn text(name: &'static str, max_len: usize) -> TextProperty {
    TextProperty { name, max_len }
}

/// The user's single-valued string properties (spec 02 §2.1–2.2). Nested ones are named by their
/// path: `employeeOrgData/division`, `onPremisesExtensionAttributes/extensionAttribute1`.
pub const TEXT_PROPERTIES: &[TextProperty] = &[
    text("givenName", 64),
    text("surname", 64),
    text("mail", 256),
    text("jobTitle", 128),
    text("department", 64),
    text("companyName", 64),
    text("officeLocation", 128),
    text("employeeId", 16),
    text("employeeType", 64),
    text("employeeOrgData/division", 64),
    text("employeeOrgData/costCenter", 64),
    text("mobilePhone", 64),
    text("faxNumber", 64),
    text("streetAddress", 1024),
    text("city", 128),
    text("state", 128),
    text("postalCode", 40),
    text("country", 128),
    text("usageLocation", 2),
    text("preferredLanguage", 10),
    text("ageGroup", 16),
    text("consentProvidedForMinor", 16),
    text("passwordPolicies", 64),
    text("creationType", 32),
    text("externalUserState", 32),
    text("onPremisesImmutableId", 256),
    text("onPremisesExtensionAttributes/extensionAttribute1", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute2", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute3", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute4", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute5", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute6", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute7", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute8", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute9", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute10", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute11", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute12", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute13", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute14", 1024),
    text("onPremisesExtensionAttributes/extensionAttribute15", 1024),
];

/// The user's multi-valued string properties.
pub const COLLECTION_PROPERTIES: &[&str] = &[
    "businessPhones",
    "otherMails",
    "proxyAddresses",
    "imAddresses",
];

/// The text properties only the directory itself (or directory synchronization) sets.
pub const READ_ONLY_TEXT: &[&str] = &["creationType", "externalUserState", "imAddresses"];

/// Everything about a user besides the account: contact, job and organisation data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserProfile {
    /// Values of [`TEXT_PROPERTIES`] that are set (absent = Graph `null`).
    pub text: BTreeMap<&'static str, String>,
    /// Values of [`COLLECTION_PROPERTIES`] (absent = empty).
    pub collections: BTreeMap<&'static str, Vec<String>>,
    pub employee_hire_date: Option<OffsetDateTime>,
    pub employee_leave_date_time: Option<OffsetDateTime>,
    pub external_user_state_change: Option<OffsetDateTime>,
    /// `passwordProfile.forceChangePasswordNextSignIn`.
    pub force_change_password: bool,
    /// `passwordProfile.forceChangePasswordNextSignInWithMfa`.
    pub force_change_password_with_mfa: bool,
    pub on_premises_sync_enabled: Option<bool>,
    pub show_in_address_list: Option<bool>,
}

impl UserProfile {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.text.get(name).map(String::as_str)
    }

    pub fn collection(&self, name: &str) -> &[String] {
        self.collections.get(name).map_or(&[], Vec::as_slice)
    }

    /// Sets (or, with `None` or an empty string, clears) a text property after validating it.
    pub fn set_text(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        let property = text_property(name)?;
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                self.text.remove(property.name);
            }
            Some(v) => {
                let v = validate_text(property, v)?;
                self.text.insert(property.name, v);
            }
        }
        Ok(())
    }

    /// Replaces a multi-valued property after validating each value.
    pub fn set_collection(&mut self, name: &str, values: Vec<String>) -> Result<()> {
        let name = COLLECTION_PROPERTIES
            .iter()
            .find(|p| **p == name)
            .ok_or_else(|| unknown_property(name))?;
        let mut clean = Vec::with_capacity(values.len());
        for v in values {
            let v = v.trim();
            if v.is_empty() || v.chars().count() > 1024 {
                return Err(Error::invalid_property(
                    *name,
                    format!("Invalid value specified for property '{name}' of resource 'User'."),
                ));
            }
            if !clean.iter().any(|c: &String| c.eq_ignore_ascii_case(v)) {
                clean.push(v.to_owned());
            }
        }
        if clean.is_empty() {
            self.collections.remove(name);
        } else {
            self.collections.insert(name, clean);
        }
        Ok(())
    }
}

fn unknown_property(name: &str) -> Error {
    Error::invalid_property(
        name,
        format!("Property '{name}' does not exist on type 'microsoft.graph.user'."),
    )
}

fn text_property(name: &str) -> Result<&'static TextProperty> {
    TEXT_PROPERTIES
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| unknown_property(name))
}

fn validate_text(property: &TextProperty, value: &str) -> Result<String> {
    let invalid = || {
        Error::invalid_property(
            property.name,
            format!(
                "Invalid value specified for property '{}' of resource 'User'.",
                property.name
            ),
        )
    };
    if value.chars().count() > property.max_len || value.chars().any(char::is_control) {
        return Err(invalid());
    }
    match property.name {
        // ISO 3166-1 alpha-2, upper case (spec 02 §2.3).
        "usageLocation" if !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())) => {
            Err(invalid())
        }
        "mail" if !is_email(value) => Err(invalid()),
        "ageGroup" if !["null", "Minor", "NotAdult", "Adult"].contains(&value) => Err(invalid()),
        "consentProvidedForMinor"
            if !["null", "Granted", "Denied", "NotRequired"].contains(&value) =>
        {
            Err(invalid())
        }
        "passwordPolicies"
            if !value.split(',').map(str::trim).all(|p| {
                ["None", "DisablePasswordExpiration", "DisableStrongPassword"].contains(&p)
            }) =>
        {
            Err(invalid())
        }
        _ => Ok(value.to_owned()),
    }
}

fn is_email(value: &str) -> bool {
    value
        .rsplit_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && DomainName::parse(domain).is_ok())
}

/// Validates a `mailNickname` (spec 02 §2.3): 1–64 characters, no spaces or `@ ( ) \ [ ] " ; : < > ,`.
pub fn validate_mail_nickname(value: &str) -> Result<String> {
    let ok = !value.is_empty()
        && value.chars().count() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !"@()\\[]\";:<>,".contains(c));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid_property(
            "mailNickname",
            "Invalid value specified for property 'mailNickname' of resource 'User'.",
        ))
    }
}

/// Validates a `displayName`: 1–256 characters.
pub fn validate_display_name(value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 256 {
        return Err(Error::invalid_property(
            "displayName",
            "Invalid value specified for property 'displayName' of resource 'User'.",
        ));
    }
    Ok(trimmed.to_owned())
}

impl User {
    /// The instant before which a sign-in of this user no longer counts: the later of a session
    /// revocation and the last password change.
    pub fn tokens_valid_from(&self) -> Option<OffsetDateTime> {
        self.sign_in_sessions_valid_from
            .max(self.last_password_change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_profile_properties() {
        let mut p = UserProfile::default();
        p.set_text("jobTitle", Some("  Engineer ")).unwrap();
        assert_eq!(p.get("jobTitle"), Some("Engineer"));
        p.set_text("jobTitle", None).unwrap();
        assert_eq!(p.get("jobTitle"), None);
        for (name, bad) in [
            ("usageLocation", "us"),
            ("usageLocation", "USA"),
            ("mail", "not-an-address"),
            ("ageGroup", "Teen"),
            ("passwordPolicies", "Never"),
            ("givenName", &"x".repeat(65)),
        ] {
            assert!(p.set_text(name, Some(bad)).is_err(), "{name}={bad}");
        }
        assert!(p.set_text("favouriteColour", Some("blue")).is_err());
        p.set_text(
            "passwordPolicies",
            Some("DisablePasswordExpiration, DisableStrongPassword"),
        )
        .unwrap();
        p.set_collection(
            "otherMails",
            vec!["a@b.com".into(), "A@B.com".into(), "c@d.com".into()],
        )
        .unwrap();
        assert_eq!(p.collection("otherMails"), ["a@b.com", "c@d.com"]);
        assert!(p.set_collection("otherMails", vec![" ".into()]).is_err());
    }

    #[test]
    fn validates_mail_nicknames() {
        assert!(validate_mail_nickname("AdeleV").is_ok());
        for bad in ["", "a b", "a@b", "a(b", "a;b", &"x".repeat(65)] {
            assert!(validate_mail_nickname(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_upns() {
        let upn = UserPrincipalName::parse("Admin.One@Contoso.COM").unwrap();
        assert_eq!(upn.to_string(), "Admin.One@contoso.com");
        for bad in [
            "admin",
            "@contoso.com",
            "a b@contoso.com",
            ".a@contoso.com",
            "a@localhost",
            "a..b@c.com",
        ] {
            assert!(UserPrincipalName::parse(bad).is_err(), "{bad}");
        }
    }
}
