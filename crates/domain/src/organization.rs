//! The organization object's own properties beyond the tenant row (Graph `organization`): contact
//! and address details, notification recipients and the privacy profile. Stored as given; only the
//! validation rules live here.

use crate::domain_name::DomainName;
use crate::{Error, Result};

/// Graph `privacyProfile`: the organization's privacy statement and its contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrivacyProfile {
    pub contact_email: Option<String>,
    pub statement_url: Option<String>,
}

/// The organization's stored properties that the tenant row does not hold. Everything is optional
/// or empty by default, as in a new Entra tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationProfile {
    pub business_phones: Vec<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub default_usage_location: Option<String>,
    pub marketing_notification_emails: Vec<String>,
    pub postal_code: Option<String>,
    pub preferred_language: Option<String>,
    pub privacy_profile: Option<PrivacyProfile>,
    pub security_compliance_notification_mails: Vec<String>,
    pub security_compliance_notification_phones: Vec<String>,
    pub state: Option<String>,
    pub street: Option<String>,
}

/// A free-text property (`city`, `street`, ...): trimmed, at most `max` characters; empty is none.
pub fn text(property: &str, value: &str, max: usize) -> Result<Option<String>> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::invalid_property(
            property,
            format!("The value of '{property}' must be at most {max} characters."),
        ));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// An SMTP address `local@domain`, with a valid domain name.
pub fn email(property: &str, value: &str) -> Result<String> {
    let value = value.trim();
    let valid = value.rsplit_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(|c| c.is_whitespace() || c == '@')
            && DomainName::parse(domain).is_ok()
    });
    if valid {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid_property(
            property,
            format!("'{value}' is not a valid email address."),
        ))
    }
}

/// A list of SMTP addresses (at most 5, as Entra's notification lists).
pub fn emails(property: &str, values: &[String]) -> Result<Vec<String>> {
    if values.len() > 5 {
        return Err(Error::invalid_property(
            property,
            format!("'{property}' can hold at most 5 addresses."),
        ));
    }
    values.iter().map(|v| email(property, v)).collect()
}

/// A list of phone numbers: digits, spaces and `+ - ( ) .`, each with at least one digit.
pub fn phones(property: &str, values: &[String]) -> Result<Vec<String>> {
    values
        .iter()
        .map(|v| {
            let v = v.trim();
            let valid = (1..=64).contains(&v.len())
                && v.bytes().any(|b| b.is_ascii_digit())
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || b" +-().".contains(&b));
            if valid {
                Ok(v.to_owned())
            } else {
                Err(Error::invalid_property(
                    property,
                    format!("'{v}' is not a valid phone number."),
                ))
            }
        })
        .collect()
}

/// `defaultUsageLocation`: an ISO 3166 alpha-2 code, upper-cased.
pub fn usage_location(value: &str) -> Result<String> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(Error::invalid_property(
            "defaultUsageLocation",
            format!("'{value}' is not a two-letter ISO 3166 country code."),
        ))
    }
}

/// `preferredLanguage`: an ISO 639-1 language with an optional region (`en`, `en-US`).
pub fn language(value: &str) -> Result<String> {
    let v = value.trim();
    let mut parts = v.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| l.len() == 2 && l.bytes().all(|b| b.is_ascii_alphabetic()));
    let region_ok = match (parts.next(), parts.next()) {
        (None, _) => true,
        (Some(r), None) => r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()),
        _ => false,
    };
    if lang_ok && region_ok {
        Ok(v.to_owned())
    } else {
        Err(Error::invalid_property(
            "preferredLanguage",
            format!("'{value}' is not a valid language code such as en-US."),
        ))
    }
}

/// `privacyProfile.statementUrl`: an `http(s)` URL of at most 255 characters.
pub fn statement_url(value: &str) -> Result<String> {
    let v = value.trim();
    let valid = v.len() <= 255
        && ["https://", "http://"].iter().any(|scheme| {
            v.get(..scheme.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
                && v.len() > scheme.len()
        })
        && !v.chars().any(char::is_whitespace);
    if valid {
        Ok(v.to_owned())
    } else {
        Err(Error::invalid_property(
            "privacyProfile",
            format!("'{value}' is not a valid http or https URL of at most 255 characters."),
        ))
    }
}

/// The organization's `displayName`: required, at most 256 characters.
pub fn display_name(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 256 {
        return Err(Error::invalid_property(
            "displayName",
            "The organization name is required and must be at most 256 characters.",
        ));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn addresses_and_phones() {
        assert_eq!(
            emails(
                "technicalNotificationMails",
                &strings(&[" it@contoso.com "])
            )
            .unwrap(),
            ["it@contoso.com"]
        );
        for bad in [
            "it",
            "@contoso.com",
            "it@localhost",
            "i t@contoso.com",
            "a@b@c.com",
        ] {
            assert!(email("x", bad).is_err(), "{bad}");
        }
        assert!(emails("x", &strings(&["a@b.com"; 6])).is_err());
        assert_eq!(
            phones("businessPhones", &strings(&["+1 (425) 555-0100"])).unwrap(),
            ["+1 (425) 555-0100"]
        );
        assert!(phones("x", &strings(&["call me"])).is_err());
        assert!(phones("x", &strings(&["+-"])).is_err());
    }

    #[test]
    fn codes_urls_and_names() {
        assert_eq!(usage_location("de").unwrap(), "DE");
        assert!(usage_location("DEU").is_err());
        assert_eq!(language("en-US").unwrap(), "en-US");
        assert_eq!(language("fr").unwrap(), "fr");
        for bad in ["english", "en-USA", "e", "en-US-x"] {
            assert!(language(bad).is_err(), "{bad}");
        }
        assert!(statement_url("https://contoso.com/privacy").is_ok());
        assert!(statement_url("HTTP://contoso.com").is_ok());
        for bad in [
            "ftp://contoso.com",
            "https://",
            "contoso.com",
            "https://a b",
        ] {
            assert!(statement_url(bad).is_err(), "{bad}");
        }
        assert!(statement_url(&format!("https://{}", "a".repeat(250))).is_err());
        assert_eq!(display_name(" Contoso ").unwrap(), "Contoso");
        assert!(display_name(" ").is_err());
        assert_eq!(text("city", "  ", 128).unwrap(), None);
        assert!(text("city", &"x".repeat(129), 128).is_err());
    }
}
