//! DNS domain names as tenants use them: the initial domain, custom domains, UPN suffixes.

use std::fmt;

use crate::{Error, Result};

/// A syntactically valid DNS name, lower-cased: at least two labels of `a-z`, `0-9` and `-`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

impl DomainName {
    pub fn parse(raw: &str) -> Result<Self> {
        let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        let invalid = || {
            Error::invalid_property(
                "id",
                format!("The domain name '{raw}' is not a valid domain name."),
            )
        };
        if name.len() > 253 || !name.contains('.') {
            return Err(invalid());
        }
        for label in name.split('.') {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                return Err(invalid());
            }
        }
        if name
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid());
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `self` is `parent` or a subdomain of it.
    pub fn is_within(&self, parent: &DomainName) -> bool {
        self.0 == parent.0 || self.0.ends_with(&format!(".{}", parent.0))
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DomainName({})", self.0)
    }
}

/// Graph `domain.authenticationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthenticationType {
    Managed,
    Federated,
}

impl AuthenticationType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Managed => "Managed",
            Self::Federated => "Federated",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "Managed" => Ok(Self::Managed),
            "Federated" => Ok(Self::Federated),
            other => Err(Error::invalid_property(
                "authenticationType",
                format!("Invalid value '{other}'."),
            )),
        }
    }
}

/// A domain registered in a tenant (Graph `domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub name: DomainName,
    pub authentication_type: AuthenticationType,
    pub is_default: bool,
    pub is_initial: bool,
    pub is_root: bool,
    pub is_verified: bool,
}

impl Domain {
    /// The domain a tenant is created with: verified, default, initial, and permanent.
    pub fn initial(name: DomainName) -> Self {
        Self {
            name,
            authentication_type: AuthenticationType::Managed,
            is_default: true,
            is_initial: true,
            is_root: true,
            is_verified: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_valid_names() {
        for (raw, want) in [
            ("contoso.com", "contoso.com"),
            ("Contoso.COM.", "contoso.com"),
            ("a-b.c1.example", "a-b.c1.example"),
            (
                "defaultdirectory.gatehouse.test",
                "defaultdirectory.gatehouse.test",
            ),
        ] {
            assert_eq!(DomainName::parse(raw).unwrap().as_str(), want, "{raw}");
        }
    }

    #[test]
    fn rejects_invalid_names() {
        for raw in [
            "",
            "localhost",
            "-a.com",
            "a-.com",
            "a..com",
            "a_b.com",
            "a.123",
            "ä.com",
            &"a".repeat(64),
        ] {
            assert!(DomainName::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn subdomains_are_within_their_parent() {
        let root = DomainName::parse("contoso.com").unwrap();
        assert!(
            DomainName::parse("eu.contoso.com")
                .unwrap()
                .is_within(&root)
        );
        assert!(root.is_within(&root));
        assert!(
            !DomainName::parse("notcontoso.com")
                .unwrap()
                .is_within(&root)
        );
    }
}
