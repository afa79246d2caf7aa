//! DNS domain names as tenants use them: the initial domain, custom domains, UPN suffixes.

use std::fmt;

use crate::random::Random;
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

/// Graph `domain.passwordValidityPeriodInDays` when passwords never expire (Entra's default).
pub const PASSWORDS_NEVER_EXPIRE: i32 = i32::MAX;
/// Graph `domain.passwordNotificationWindowInDays` when none was set.
pub const DEFAULT_PASSWORD_NOTIFICATION_DAYS: i32 = 14;

/// The values of Graph `domain.supportedServices`, in Graph's spelling.
pub const SUPPORTED_SERVICES: &[&str] = &[
    "Email",
    "Sharepoint",
    "EmailInternalRelayOnly",
    "OfficeCommunicationsOnline",
    "SharePointDefaultDomain",
    "FullRedelegation",
    "SharePointPublic",
    "OrgIdAuthentication",
    "Yammer",
    "Intune",
];

/// A domain registered in a tenant (Graph `domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub name: DomainName,
    pub authentication_type: AuthenticationType,
    pub is_default: bool,
    pub is_initial: bool,
    /// A verified domain verified by its own DNS record (not through a verified parent).
    pub is_root: bool,
    pub is_verified: bool,
    /// Graph `supportedServices`, validated against [`SUPPORTED_SERVICES`].
    pub supported_services: Vec<String>,
    pub password_validity_period_in_days: i32,
    pub password_notification_window_in_days: i32,
    /// The eight digits of the `MS=ms########` TXT record that proves ownership; `None` for the
    /// initial domain, which needs no proof.
    pub verification_code: Option<String>,
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
            supported_services: vec!["Email".into(), "OfficeCommunicationsOnline".into()],
            password_validity_period_in_days: PASSWORDS_NEVER_EXPIRE,
            password_notification_window_in_days: DEFAULT_PASSWORD_NOTIFICATION_DAYS,
            verification_code: None,
        }
    }

    /// A custom domain as `POST /domains` adds it: unverified, unless a verified domain of the
    /// tenant is its parent (then it is verified through it, and not a root).
    pub fn custom(name: DomainName, parent_verified: bool, random: &dyn Random) -> Self {
        let code = (0..8)
            .map(|_| char::from(b'0' + random.below(10) as u8))
            .collect();
        Self {
            name,
            authentication_type: AuthenticationType::Managed,
            is_default: false,
            is_initial: false,
            is_root: false,
            is_verified: parent_verified,
            supported_services: Vec::new(),
            password_validity_period_in_days: PASSWORDS_NEVER_EXPIRE,
            password_notification_window_in_days: DEFAULT_PASSWORD_NOTIFICATION_DAYS,
            verification_code: Some(code),
        }
    }

    /// The text of the TXT record that proves ownership (`MS=ms12345678`).
    pub fn verification_text(&self) -> Option<String> {
        self.verification_code.as_ref().map(|c| format!("MS=ms{c}"))
    }

    /// The mail exchange of the MX record Entra offers as the alternative proof
    /// (`ms12345678.msv1.invalid`: it never receives mail).
    pub fn verification_mail_exchange(&self) -> Option<String> {
        self.verification_code
            .as_ref()
            .map(|c| format!("ms{c}.msv1.invalid"))
    }

    /// Whether a TXT record of the domain proves ownership.
    pub fn is_proved_by(&self, txt: &str) -> bool {
        self.verification_text()
            .is_some_and(|want| txt.trim().eq_ignore_ascii_case(&want))
    }

    /// The domains whose verification would cover this one: its parents of two labels or more
    /// (`a.b.contoso.com` → `b.contoso.com`, `contoso.com`).
    pub fn parents(&self) -> Vec<DomainName> {
        let labels: Vec<&str> = self.name.as_str().split('.').collect();
        (1..labels.len().saturating_sub(1))
            .map(|i| DomainName(labels[i..].join(".")))
            .collect()
    }

    /// Whether it may become the default domain (only a verified one may).
    pub fn check_may_be_default(&self) -> Result<()> {
        if self.is_verified {
            Ok(())
        } else {
            Err(Error::invalid_property(
                "isDefault",
                format!(
                    "The domain '{}' must be verified before it can be the default domain.",
                    self.name
                ),
            ))
        }
    }

    /// Graph's delete rules: never the initial or the default domain, never while its verified
    /// subdomains (`subdomains`) or objects naming it (`references`) remain.
    pub fn check_delete(&self, subdomains: usize, references: usize) -> Result<()> {
        let name = &self.name;
        if self.is_initial {
            return Err(Error::precondition(format!(
                "Unable to delete the initial domain '{name}'. The initial domain of a tenant cannot be removed."
            )));
        }
        if self.is_default {
            return Err(Error::precondition(format!(
                "Unable to delete the default domain '{name}'. Set another verified domain as the default domain first."
            )));
        }
        if subdomains > 0 {
            return Err(Error::precondition(format!(
                "Unable to delete domain '{name}' because it has subdomains. Delete its subdomains first."
            )));
        }
        if references > 0 {
            return Err(Error::precondition(format!(
                "Unable to delete domain '{name}' because {references} object(s) reference it. \
                 Use /domains/{name}/domainNameReferences to list the objects that block the removal."
            )));
        }
        Ok(())
    }

    /// Graph `verifiedDomain.capabilities`: the supported services, or `None`.
    pub fn capabilities(&self) -> String {
        if self.supported_services.is_empty() {
            "None".to_owned()
        } else {
            self.supported_services.join(", ")
        }
    }
}

/// Validates `supportedServices`: each a known service, matched case-insensitively and returned in
/// Graph's spelling, without duplicates.
pub fn supported_services(values: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let Some(known) = SUPPORTED_SERVICES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(v))
        else {
            return Err(Error::invalid_property(
                "supportedServices",
                format!("'{v}' is not a supported service."),
            ));
        };
        if !out.iter().any(|o| o == known) {
            out.push((*known).to_owned());
        }
    }
    Ok(out)
}

/// Validates `passwordValidityPeriodInDays` (14 to 730 days, or never expiring) and
/// `passwordNotificationWindowInDays` (1 to 30 days, less than the validity period).
pub fn password_policy(validity: i32, notification: i32) -> Result<()> {
    if validity != PASSWORDS_NEVER_EXPIRE && !(14..=730).contains(&validity) {
        return Err(Error::invalid_property(
            "passwordValidityPeriodInDays",
            format!(
                "{validity} is not a valid password validity period: use 14 to 730 days, or {PASSWORDS_NEVER_EXPIRE}."
            ),
        ));
    }
    if !(1..=30).contains(&notification) || notification >= validity {
        return Err(Error::invalid_property(
            "passwordNotificationWindowInDays",
            format!(
                "{notification} is not a valid notification window: use 1 to 30 days, less than the validity period."
            ),
        ));
    }
    Ok(())
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

    #[test]
    fn custom_domains_get_an_eight_digit_proof() {
        let random = crate::random::SeededRandom::new(7);
        let d = Domain::custom(DomainName::parse("contoso.com").unwrap(), false, &random);
        let text = d.verification_text().unwrap();
        assert!(text.starts_with("MS=ms") && text.len() == 13, "{text}");
        assert!(text[5..].bytes().all(|b| b.is_ascii_digit()));
        assert!(d.is_proved_by(&text) && d.is_proved_by(&format!(" {} ", text.to_lowercase())));
        assert!(!d.is_proved_by("MS=ms00000000") || text == "MS=ms00000000");
        assert_eq!(
            d.verification_mail_exchange().unwrap(),
            format!("{}.msv1.invalid", &text[3..])
        );
        assert!(!d.is_verified && !d.is_root && !d.is_default);
        assert!(
            Domain::initial(d.name.clone())
                .verification_text()
                .is_none()
        );
    }

    #[test]
    fn parents_stop_at_two_labels() {
        let d = Domain::initial(DomainName::parse("a.b.contoso.com").unwrap());
        let names: Vec<String> = d.parents().iter().map(ToString::to_string).collect();
        assert_eq!(names, ["b.contoso.com", "contoso.com"]);
        assert!(
            Domain::initial(DomainName::parse("contoso.com").unwrap())
                .parents()
                .is_empty()
        );
    }

    #[test]
    fn delete_rules() {
        let random = crate::random::SeededRandom::new(1);
        let initial = Domain::initial(DomainName::parse("c.gatehouse.test").unwrap());
        let custom = Domain::custom(DomainName::parse("contoso.com").unwrap(), true, &random);
        let default = Domain {
            is_default: true,
            ..custom.clone()
        };
        assert!(
            initial
                .check_delete(0, 0)
                .unwrap_err()
                .to_string()
                .contains("initial domain")
        );
        assert!(
            default
                .check_delete(0, 0)
                .unwrap_err()
                .to_string()
                .contains("default domain")
        );
        assert!(
            custom
                .check_delete(1, 0)
                .unwrap_err()
                .to_string()
                .contains("subdomains")
        );
        assert!(
            custom
                .check_delete(0, 2)
                .unwrap_err()
                .to_string()
                .contains("domainNameReferences")
        );
        assert!(custom.check_delete(0, 0).is_ok());
        let unverified = Domain::custom(DomainName::parse("x.example").unwrap(), false, &random);
        assert!(unverified.check_may_be_default().is_err());
        assert!(custom.check_may_be_default().is_ok());
    }

    #[test]
    fn services_and_password_policy_are_validated() {
        let s =
            |v: &[&str]| supported_services(&v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            s(&["email", "Intune", "EMAIL"]).unwrap(),
            ["Email", "Intune"]
        );
        assert!(s(&["Fax"]).is_err());
        assert!(password_policy(PASSWORDS_NEVER_EXPIRE, 14).is_ok());
        assert!(password_policy(90, 14).is_ok());
        for (v, n) in [(13, 5), (731, 14), (90, 0), (90, 31), (14, 14)] {
            assert!(password_policy(v, n).is_err(), "{v} {n}");
        }
    }
}
