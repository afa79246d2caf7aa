//! The tenant: one isolated directory, with its organization properties and lifecycle.

use time::OffsetDateTime;

use crate::domain_name::DomainName;
use crate::ids::TenantId;
use crate::{Error, Result};

/// Days a deleted tenant can still be restored by an instance operator before it is purged.
pub const DELETED_TENANT_RETENTION_DAYS: i64 = 20;

/// Lifecycle state of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantState {
    Active,
    /// Deleted: no sign-in, no API access; restorable until purged.
    Deleted,
}

impl TenantState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deleted => "deleted",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(Self::Active),
            "deleted" => Ok(Self::Deleted),
            other => Err(Error::internal(format!("unknown tenant state '{other}'"))),
        }
    }
}

/// The JWS algorithm of a signing key, and of the tokens it signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TokenAlgorithm {
    /// RSA-2048 with SHA-256: every ID token, every token for an API of the tenant, and by
    /// default the tenant's Microsoft Graph tokens.
    #[default]
    Rs256,
    /// ECDSA P-256 with SHA-256: offered for Microsoft Graph tokens only, which Gatehouse alone
    /// reads (signing is much cheaper than RS256).
    Es256,
}

impl TokenAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    /// `RS256` or `ES256`, exactly as JWS names them.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    /// The tenant setting `graphTokenAlgorithm`, validated.
    pub fn graph_setting(s: &str) -> Result<Self> {
        Self::parse(s).ok_or_else(|| {
            Error::invalid_property(
                "graphTokenAlgorithm",
                format!("'{s}' is not a supported algorithm: use RS256 or ES256."),
            )
        })
    }
}

/// A tenant as stored: the organization object's own properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub display_name: String,
    /// ISO 3166 alpha-2; fixed at creation (data location derives from it).
    pub country_letter_code: String,
    pub state: TenantState,
    pub created: OffsetDateTime,
    pub deleted: Option<OffsetDateTime>,
    pub technical_notification_mails: Vec<String>,
    /// `identitySecurityDefaultsEnforcementPolicy.isEnabled`.
    pub security_defaults_enabled: bool,
    /// How the tenant's Microsoft Graph access tokens are signed (operator setting).
    pub graph_token_algorithm: TokenAlgorithm,
}

/// Validated input for creating a tenant.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub display_name: String,
    pub initial_domain: DomainName,
    pub country_letter_code: String,
    pub security_defaults_enabled: bool,
}

impl NewTenant {
    pub fn new(
        display_name: &str,
        initial_domain: DomainName,
        country_letter_code: &str,
        security_defaults_enabled: bool,
    ) -> Result<Self> {
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 256 {
            return Err(Error::invalid_property(
                "displayName",
                "The organization name is required and must be at most 256 characters.",
            ));
        }
        let country = country_letter_code.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid_property(
                "countryLetterCode",
                format!("'{country_letter_code}' is not a two-letter ISO 3166 country code."),
            ));
        }
        Ok(Self {
            display_name: display_name.to_owned(),
            initial_domain,
            country_letter_code: country,
            security_defaults_enabled,
        })
    }
}

/// Validates the label a tenant creator types for the initial domain (the part before the instance
/// suffix): lowercase letters and digits, 3 to 27 characters, starting with a letter.
pub fn initial_domain(label: &str, suffix: &DomainName) -> Result<DomainName> {
    let ok = (3..=27).contains(&label.len())
        && label.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !ok {
        return Err(Error::invalid_property(
            "initialDomain",
            "The initial domain name must be 3 to 27 lowercase letters and digits, starting with a letter.",
        ));
    }
    DomainName::parse(&format!("{label}.{suffix}"))
}

/// The initial-domain label derived from an organization name: its letters and digits, lower-cased,
/// starting at the first letter, cut to 27 characters ("Default Directory" -> "defaultdirectory").
pub fn slug(display_name: &str) -> String {
    let s: String = display_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .skip_while(|c| !c.is_ascii_lowercase())
        .take(27)
        .collect();
    if s.len() < 3 { format!("tenant{s}") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suffix() -> DomainName {
        DomainName::parse("gatehouse.test").unwrap()
    }

    #[test]
    fn token_algorithms_are_named_as_jws_names_them() {
        for alg in [TokenAlgorithm::Rs256, TokenAlgorithm::Es256] {
            assert_eq!(TokenAlgorithm::parse(alg.as_str()), Some(alg));
            assert_eq!(TokenAlgorithm::graph_setting(alg.as_str()).unwrap(), alg);
        }
        for bad in ["es256", "PS256", "", "none"] {
            assert_eq!(TokenAlgorithm::parse(bad), None, "{bad}");
            assert!(TokenAlgorithm::graph_setting(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn initial_domain_label_rules() {
        assert_eq!(
            initial_domain("contosoorg", &suffix()).unwrap().as_str(),
            "contosoorg.gatehouse.test"
        );
        for bad in ["ab", "1contoso", "Contoso", "con-toso", &"a".repeat(28)] {
            assert!(initial_domain(bad, &suffix()).is_err(), "{bad}");
        }
    }

    #[test]
    fn slug_makes_a_valid_label() {
        assert_eq!(slug("Default Directory"), "defaultdirectory");
        assert_eq!(slug("42 Fourth Coffee!"), "fourthcoffee");
        assert_eq!(slug("Ω"), "tenant");
        for name in [
            "Default Directory",
            "x",
            "A very long organisation name that goes on and on",
        ] {
            assert!(initial_domain(&slug(name), &suffix()).is_ok(), "{name}");
        }
    }

    #[test]
    fn new_tenant_validates_name_and_country() {
        let d = DomainName::parse("c.gatehouse.test").unwrap();
        assert!(NewTenant::new("  ", d.clone(), "US", true).is_err());
        assert!(NewTenant::new("Contoso", d.clone(), "USA", true).is_err());
        assert_eq!(
            NewTenant::new("Contoso", d, "de", true)
                .unwrap()
                .country_letter_code,
            "DE"
        );
    }
}
