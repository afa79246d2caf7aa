//! Token lifetime policies (Graph `tokenLifetimePolicy`, spec 08 §7): the lifetimes of access and
//! ID tokens, for the whole tenant (`isOrganizationDefault`) or for one application, which wins.
//! Without a policy Entra's defaults apply: access tokens live 60–90 minutes (chosen at random),
//! ID tokens one hour.

use time::{Duration, OffsetDateTime};

use crate::ids::ObjectId;
use crate::{Error, Result};

/// The shortest and longest lifetime a policy may set (10 minutes to 1 day).
pub const MIN_LIFETIME: Duration = Duration::minutes(10);
pub const MAX_LIFETIME: Duration = Duration::days(1);

/// The properties of `TokenLifetimePolicy` Entra still honours; the others (refresh and session
/// token lifetimes, retired in 2021) are refused.
pub const ACCESS_TOKEN_LIFETIME: &str = "AccessTokenLifetime";
pub const ID_TOKEN_LIFETIME: &str = "IdTokenLifetime";
pub const SAML_TOKEN_LIFETIME: &str = "SamlTokenLifetime";

/// A stored token lifetime policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLifetimePolicy {
    pub id: ObjectId,
    pub display_name: String,
    /// Graph's `definition`: one JSON string, kept as the client sent it.
    pub definition: Vec<String>,
    pub is_organization_default: bool,
    pub lifetimes: Lifetimes,
    pub created: OffsetDateTime,
}

/// The lifetimes a policy sets; `None` keeps Entra's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifetimes {
    pub access_token: Option<Duration>,
    pub id_token: Option<Duration>,
}

/// Parses a .NET `TimeSpan` as Entra's policies write it: `[d.]hh:mm:ss`.
pub fn parse_timespan(s: &str) -> Option<Duration> {
    let (days, clock) = match s.split_once('.') {
        Some((d, rest)) => (d.parse::<i64>().ok()?, rest),
        None => (0, s),
    };
    let mut parts = clock.split(':');
    let (Some(h), Some(m), Some(sec), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let field = |v: &str, max: i64| {
        (v.len() == 2 && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<i64>().ok())
            .flatten()
            .filter(|n| *n <= max)
    };
    let (h, m, sec) = (field(h, 23)?, field(m, 59)?, field(sec, 59)?);
    (days >= 0).then(|| Duration::seconds(((days * 24 + h) * 60 + m) * 60 + sec))
}

/// Reads the `TokenLifetimePolicy` object's entries (name, value as text; `Version` as a number):
/// `Version` must be 1, each lifetime a `TimeSpan` between 10 minutes and 1 day, and nothing else.
pub fn lifetimes_of(version: Option<i64>, entries: &[(String, String)]) -> Result<Lifetimes> {
    let bad = |message: String| Error::invalid_property("definition", message);
    if version != Some(1) {
        return Err(bad("TokenLifetimePolicy must have \"Version\": 1.".into()));
    }
    let mut lifetimes = Lifetimes::default();
    for (name, value) in entries {
        let slot = match name.as_str() {
            ACCESS_TOKEN_LIFETIME => Some(&mut lifetimes.access_token),
            ID_TOKEN_LIFETIME => Some(&mut lifetimes.id_token),
            SAML_TOKEN_LIFETIME => None,
            other => {
                return Err(bad(format!(
                    "'{other}' is not a supported TokenLifetimePolicy property: only {ACCESS_TOKEN_LIFETIME}, {ID_TOKEN_LIFETIME} and {SAML_TOKEN_LIFETIME} can be configured."
                )));
            }
        };
        let lifetime = parse_timespan(value)
            .filter(|d| (MIN_LIFETIME..=MAX_LIFETIME).contains(d))
            .ok_or_else(|| {
                bad(format!(
                    "{name} '{value}' is not valid: it must be a time span (hh:mm:ss) from 00:10:00 to 1.00:00:00."
                ))
            })?;
        if let Some(slot) = slot {
            *slot = Some(lifetime);
        }
    }
    Ok(lifetimes)
}

impl Lifetimes {
    /// The lifetimes in force for an application: its own policy's where it sets them, else the
    /// tenant default's.
    pub fn over(self, default: Lifetimes) -> Lifetimes {
        Lifetimes {
            access_token: self.access_token.or(default.access_token),
            id_token: self.id_token.or(default.id_token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_parse_as_entra_writes_them() {
        for (s, expected) in [
            ("00:10:00", Some(600)),
            ("02:00:00", Some(7200)),
            ("23:59:59", Some(86399)),
            ("1.00:00:00", Some(86400)),
            ("0.01:30:00", Some(5400)),
            ("24:00:00", None),
            ("1:00:00", None),
            ("00:60:00", None),
            ("-1.00:00:00", None),
            ("01:00", None),
            ("01:00:00:00", None),
            ("", None),
            ("PT1H", None),
        ] {
            assert_eq!(
                parse_timespan(s).map(|d| d.whole_seconds()),
                expected,
                "{s}"
            );
        }
    }

    #[test]
    fn definitions_accept_only_honoured_lifetimes_in_range() {
        let e = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        let ok = lifetimes_of(Some(1), &e(ACCESS_TOKEN_LIFETIME, "02:00:00")).unwrap();
        assert_eq!(ok.access_token, Some(Duration::hours(2)));
        assert_eq!(ok.id_token, None);
        let both = lifetimes_of(
            Some(1),
            &[
                (ID_TOKEN_LIFETIME.into(), "00:10:00".into()),
                (ACCESS_TOKEN_LIFETIME.into(), "1.00:00:00".into()),
            ],
        )
        .unwrap();
        assert_eq!(both.id_token, Some(MIN_LIFETIME));
        assert_eq!(both.access_token, Some(MAX_LIFETIME));
        for (version, entries) in [
            (Some(1), e(ACCESS_TOKEN_LIFETIME, "00:09:59")),
            (Some(1), e(ACCESS_TOKEN_LIFETIME, "1.00:00:01")),
            (Some(1), e(ID_TOKEN_LIFETIME, "soon")),
            (Some(1), e("MaxInactiveTime", "90.00:00:00")),
            (Some(1), e("MaxAgeSessionSingleFactor", "until-revoked")),
            (Some(2), e(ACCESS_TOKEN_LIFETIME, "02:00:00")),
            (None, e(ACCESS_TOKEN_LIFETIME, "02:00:00")),
        ] {
            assert!(
                lifetimes_of(version, &entries).is_err(),
                "{version:?} {entries:?}"
            );
        }
    }

    #[test]
    fn an_application_policy_wins_over_the_tenant_default() {
        let tenant = Lifetimes {
            access_token: Some(Duration::hours(4)),
            id_token: Some(Duration::hours(2)),
        };
        let app = Lifetimes {
            access_token: Some(Duration::minutes(30)),
            id_token: None,
        };
        assert_eq!(
            app.over(tenant),
            Lifetimes {
                access_token: Some(Duration::minutes(30)),
                id_token: Some(Duration::hours(2)),
            }
        );
    }
}
