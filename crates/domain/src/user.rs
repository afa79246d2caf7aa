//! Users: the minimum the foundation needs (the first administrator); the directory grows it.

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
