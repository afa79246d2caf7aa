//! Service principals and delegated-permission grants: what the foundation provisions; the
//! application model grows from here.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::{AppId, ObjectId};
use crate::random::Random;
use crate::{Error, Result};

/// A service principal: an application's presence in a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePrincipal {
    pub id: ObjectId,
    pub app_id: AppId,
    pub display_name: String,
    pub app_owner_organization_id: Option<Uuid>,
    pub account_enabled: bool,
    pub created: OffsetDateTime,
}

/// Graph `oAuth2PermissionGrant.consentType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentType {
    /// Admin consent for every user of the tenant.
    AllPrincipals,
    /// Consent by or for one user.
    Principal(ObjectId),
}

/// Delegated consent (Graph `oAuth2PermissionGrant`): `client_id` may call `resource_id` with `scope`
/// on behalf of the users the consent type covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2PermissionGrant {
    pub id: String,
    pub client_id: ObjectId,
    pub consent_type: ConsentType,
    pub resource_id: ObjectId,
    /// Space-separated delegated permission values.
    pub scope: String,
}

/// Graph `appRoleAssignment` of an application permission: the app role `app_role_id` of the resource's
/// service principal (`resource_id`) assigned to a client's service principal (`principal_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRoleAssignment {
    /// Graph's opaque assignment id (a base64url string, not a GUID).
    pub id: String,
    pub app_role_id: Uuid,
    pub principal_id: ObjectId,
    pub resource_id: ObjectId,
    pub created: OffsetDateTime,
}

/// Graph `application.signInAudience`: who may sign in to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInAudience {
    /// Accounts in this tenant only (the default).
    AzureAdMyOrg,
    /// Accounts in any tenant of the instance.
    AzureAdMultipleOrgs,
}

impl SignInAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AzureAdMyOrg => "AzureADMyOrg",
            Self::AzureAdMultipleOrgs => "AzureADMultipleOrgs",
        }
    }

    /// Parses one of Entra's four values; the two that include personal Microsoft accounts are
    /// refused, since Gatehouse has no personal accounts (spec 08 §4).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "AzureADMyOrg" => Ok(Self::AzureAdMyOrg),
            "AzureADMultipleOrgs" => Ok(Self::AzureAdMultipleOrgs),
            "AzureADandPersonalMicrosoftAccount" | "PersonalMicrosoftAccount" => {
                Err(Error::invalid_property(
                    "signInAudience",
                    format!(
                        "The signInAudience '{s}' is not supported: Gatehouse has no personal Microsoft accounts."
                    ),
                ))
            }
            other => Err(Error::invalid_property(
                "signInAudience",
                format!(
                    "Invalid value '{other}' for signInAudience: expected AzureADMyOrg, AzureADMultipleOrgs, \
                     AzureADandPersonalMicrosoftAccount or PersonalMicrosoftAccount."
                ),
            )),
        }
    }
}

/// The platform a redirect URI belongs to (Graph `web`, `spa`, `publicClient`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Web,
    Spa,
    PublicClient,
}

impl Platform {
    fn property(self) -> &'static str {
        match self {
            Self::Web => "web.redirectUris",
            Self::Spa => "spa.redirectUris",
            Self::PublicClient => "publicClient.redirectUris",
        }
    }
}

/// Graph `implicitGrantSettings`: whether `/authorize` may return an ID token
/// (`enableIdTokenIssuance`, also needed for the hybrid `code id_token`) or an access token
/// (`enableAccessTokenIssuance`) directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImplicitGrantSettings {
    pub enable_id_token_issuance: bool,
    pub enable_access_token_issuance: bool,
}

/// At most this many redirect URIs per platform, each at most this long (spec 08 §4).
pub const MAX_REDIRECT_URIS: usize = 256;
pub const MAX_REDIRECT_URI_LENGTH: usize = 256;

/// Validates one platform's redirect URIs: HTTPS, or `http://localhost` / `http://127.0.0.1`;
/// custom schemes only for public clients; no wildcards.
pub fn validate_redirect_uris(platform: Platform, uris: &[String]) -> Result<()> {
    let target = platform.property();
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(Error::invalid_property(
            target,
            format!("At most {MAX_REDIRECT_URIS} redirect URIs are allowed."),
        ));
    }
    for uri in uris {
        if uri.chars().count() > MAX_REDIRECT_URI_LENGTH {
            return Err(Error::invalid_property(
                target,
                format!("A redirect URI must be at most {MAX_REDIRECT_URI_LENGTH} characters."),
            ));
        }
        if uri.contains('*') {
            return Err(Error::invalid_property(
                target,
                "Wildcard redirect URIs are not supported.",
            ));
        }
        let lower = uri.to_ascii_lowercase();
        let loopback = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
            .iter()
            .any(|p| {
                lower
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/', '?']))
            });
        let ok = match platform {
            Platform::Web | Platform::Spa => {
                (lower.starts_with("https://") && lower.len() > "https://".len()) || loopback
            }
            Platform::PublicClient => {
                !uri.chars().any(char::is_whitespace)
                    && uri.split_once(':').is_some_and(|(scheme, rest)| {
                        !scheme.is_empty()
                            && !rest.is_empty()
                            && scheme
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                            && (!scheme.eq_ignore_ascii_case("http") || loopback)
                    })
            }
        };
        if !ok {
            return Err(Error::invalid_property(
                target,
                format!(
                    "The redirect URI '{uri}' is not valid: it must use HTTPS, or http://localhost."
                ),
            ));
        }
    }
    Ok(())
}

/// Validates an application's display name: required, at most 256 characters.
pub fn validate_display_name(name: &str) -> Result<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 256 {
        return Err(Error::invalid_property(
            "displayName",
            "The displayName property is required and must be at most 256 characters.",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Graph `resourceAccess.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceAccessType {
    /// A delegated permission (`oauth2PermissionScope`).
    Scope,
    /// An application permission (`appRole`).
    Role,
}

impl ResourceAccessType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scope => "Scope",
            Self::Role => "Role",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "Scope" => Ok(Self::Scope),
            "Role" => Ok(Self::Role),
            other => Err(Error::invalid_property(
                "requiredResourceAccess",
                format!("Invalid resourceAccess type '{other}': expected Scope or Role."),
            )),
        }
    }
}

/// Graph `resourceAccess`: one permission an application requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceAccess {
    pub id: Uuid,
    pub kind: ResourceAccessType,
}

/// Graph `requiredResourceAccess`: the permissions an application requests on one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredResourceAccess {
    pub resource_app_id: AppId,
    pub resource_access: Vec<ResourceAccess>,
}

/// Graph `appRole`: an application permission or a role users can be assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRole {
    pub id: Uuid,
    /// "User", "Application" or both.
    pub allowed_member_types: Vec<String>,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub is_enabled: bool,
    pub value: Option<String>,
}

/// Graph `permissionScope`: a delegated permission an application exposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionScope {
    pub id: Uuid,
    pub admin_consent_description: Option<String>,
    pub admin_consent_display_name: Option<String>,
    pub user_consent_description: Option<String>,
    pub user_consent_display_name: Option<String>,
    pub is_enabled: bool,
    /// "User" (users may consent) or "Admin".
    pub kind: String,
    pub value: Option<String>,
}

/// An application registration (Graph `application`): the properties Gatehouse keeps so far.
/// Credentials are separate ([`PasswordCredential`]) because their secrets never travel with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: ObjectId,
    pub app_id: AppId,
    pub display_name: String,
    pub sign_in_audience: SignInAudience,
    pub description: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub identifier_uris: Vec<String>,
    pub is_fallback_public_client: Option<bool>,
    pub web_redirect_uris: Vec<String>,
    /// `web.logoutUrl`: where front-channel logout signs the user out of the app.
    pub web_logout_url: Option<String>,
    /// `web.implicitGrantSettings`: which tokens `/authorize` may return directly.
    pub implicit_grant: ImplicitGrantSettings,
    pub spa_redirect_uris: Vec<String>,
    pub public_client_redirect_uris: Vec<String>,
    pub required_resource_access: Vec<RequiredResourceAccess>,
    pub app_roles: Vec<AppRole>,
    pub oauth2_permission_scopes: Vec<PermissionScope>,
    pub created: OffsetDateTime,
}

impl Application {
    /// A new registration with Entra's defaults.
    pub fn new(
        id: ObjectId,
        app_id: AppId,
        display_name: String,
        sign_in_audience: SignInAudience,
        created: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            app_id,
            display_name,
            sign_in_audience,
            description: None,
            notes: None,
            tags: Vec::new(),
            identifier_uris: Vec::new(),
            is_fallback_public_client: None,
            web_redirect_uris: Vec::new(),
            web_logout_url: None,
            implicit_grant: ImplicitGrantSettings::default(),
            spa_redirect_uris: Vec::new(),
            public_client_redirect_uris: Vec::new(),
            required_resource_access: Vec::new(),
            app_roles: Vec::new(),
            oauth2_permission_scopes: Vec::new(),
            created,
        }
    }

    /// Checks the rules that span properties: redirect URIs per platform, unique role and scope ids.
    pub fn validate(&self) -> Result<()> {
        validate_redirect_uris(Platform::Web, &self.web_redirect_uris)?;
        if let Some(url) = &self.web_logout_url {
            validate_redirect_uris(Platform::Web, std::slice::from_ref(url))
                .map_err(|_| Error::invalid_property("web.logoutUrl", format!("The logout URL '{url}' is not valid: it must use HTTPS, or http://localhost.")))?;
        }
        validate_redirect_uris(Platform::Spa, &self.spa_redirect_uris)?;
        validate_redirect_uris(Platform::PublicClient, &self.public_client_redirect_uris)?;
        let mut role_ids: Vec<Uuid> = self.app_roles.iter().map(|r| r.id).collect();
        role_ids.sort();
        if role_ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::invalid_property(
                "appRoles",
                "Each app role must have a unique id.",
            ));
        }
        let mut scope_ids: Vec<Uuid> = self.oauth2_permission_scopes.iter().map(|s| s.id).collect();
        scope_ids.sort();
        if scope_ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::invalid_property(
                "api.oauth2PermissionScopes",
                "Each permission scope must have a unique id.",
            ));
        }
        Ok(())
    }
}

/// Graph `passwordCredential` (a client secret) without its secret: only a keyed hash of the secret
/// is stored, and the secret text is shown once, in the `addPassword` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordCredential {
    pub key_id: Uuid,
    pub display_name: Option<String>,
    /// The first three characters of the secret.
    pub hint: String,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

/// Graph `keyCredential` of type `AsymmetricX509Cert` and usage `Verify`: a certificate whose private
/// key the application holds. Only the public certificate is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCredential {
    pub key_id: Uuid,
    pub display_name: Option<String>,
    /// Graph `customKeyIdentifier`: the certificate's SHA-1 thumbprint unless the caller chose one.
    pub custom_key_identifier: Vec<u8>,
    /// The certificate's validity.
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    /// The certificate, DER.
    pub certificate: Vec<u8>,
}

/// The only key credential type and usage Gatehouse accepts (client authentication certificates).
pub const KEY_CREDENTIAL_TYPE: &str = "AsymmetricX509Cert";
pub const KEY_CREDENTIAL_USAGE: &str = "Verify";

/// Whether `presented` matches the loopback redirect URI `registered`: Entra lets native and
/// development apps registered with `http://localhost` or `http://127.0.0.1` without a port use any
/// port at run time (the rest must be equal).
fn loopback_any_port(registered: &str, presented: &str) -> bool {
    for host in ["http://localhost", "http://127.0.0.1"] {
        let (Some(reg_rest), Some(pre_rest)) =
            (registered.strip_prefix(host), presented.strip_prefix(host))
        else {
            continue;
        };
        if reg_rest.starts_with(':') || !(reg_rest.is_empty() || reg_rest.starts_with('/')) {
            return false;
        }
        let Some(after_colon) = pre_rest.strip_prefix(':') else {
            return false;
        };
        let digits = after_colon.bytes().take_while(u8::is_ascii_digit).count();
        let (port, path) = after_colon.split_at(digits);
        let path_ok = path == reg_rest || (reg_rest.is_empty() && path == "/");
        return !port.is_empty()
            && port.len() <= 5
            && port.parse::<u32>().is_ok_and(|p| p <= 65535)
            && path_ok;
    }
    false
}

impl Application {
    /// The platform whose redirect URI `uri` is, by exact match (plus Entra's any-port rule for
    /// loopback public-client URIs registered without a port); `None` when it is not registered.
    pub fn redirect_platform(&self, uri: &str) -> Option<Platform> {
        let exact = |list: &[String]| list.iter().any(|r| r == uri);
        if exact(&self.web_redirect_uris) {
            Some(Platform::Web)
        } else if exact(&self.spa_redirect_uris) {
            Some(Platform::Spa)
        } else if exact(&self.public_client_redirect_uris)
            || self
                .public_client_redirect_uris
                .iter()
                .any(|r| loopback_any_port(r, uri))
        {
            Some(Platform::PublicClient)
        } else {
            None
        }
    }

    /// Whether the app may act as a public client outside a redirect-bound flow
    /// (`isFallbackPublicClient`).
    pub fn fallback_public(&self) -> bool {
        self.is_fallback_public_client == Some(true)
    }
}

/// Length of a generated client secret, as Entra's.
pub const CLIENT_SECRET_LENGTH: usize = 40;
/// The characters of Entra's generated client secrets.
pub const CLIENT_SECRET_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
/// Default and maximum lifetime of a client secret, in years (Entra's `addPassword` default; the
/// admin center offers at most 24 months).
pub const CLIENT_SECRET_MAX_YEARS: i32 = 2;

/// A new client secret: 40 characters drawn uniformly from Entra's alphabet.
pub fn generate_client_secret(random: &dyn Random) -> String {
    (0..CLIENT_SECRET_LENGTH)
        .map(|_| {
            let i = random.below(CLIENT_SECRET_ALPHABET.len() as u32) as usize;
            char::from(CLIENT_SECRET_ALPHABET[i])
        })
        .collect()
}

fn years_later(t: OffsetDateTime, years: i32) -> OffsetDateTime {
    let year = t.year() + years;
    t.replace_year(year).unwrap_or_else(|_| {
        // 29 February in a year that has none: the day before 1 March.
        t.replace_day(28)
            .and_then(|d| d.replace_year(year))
            .unwrap_or(t)
    })
}

impl PasswordCredential {
    /// A new credential for `secret`: `start` defaults to now, `end` to two years after `start`, and
    /// `end` may be at most two years after `start`.
    pub fn new(
        key_id: Uuid,
        display_name: Option<String>,
        secret: &str,
        now: OffsetDateTime,
        start: Option<OffsetDateTime>,
        end: Option<OffsetDateTime>,
    ) -> Result<Self> {
        if display_name
            .as_ref()
            .is_some_and(|d| d.chars().count() > 256)
        {
            return Err(Error::invalid_property(
                "displayName",
                "The displayName must be at most 256 characters.",
            ));
        }
        let start = start.unwrap_or(now);
        let latest = years_later(start, CLIENT_SECRET_MAX_YEARS);
        let end = end.unwrap_or(latest);
        if end <= start {
            return Err(Error::invalid_property(
                "endDateTime",
                "The endDateTime must be after the startDateTime.",
            ));
        }
        if end > latest {
            return Err(Error::invalid_property(
                "endDateTime",
                "A client secret may be valid for at most 2 years.",
            ));
        }
        Ok(Self {
            key_id,
            display_name,
            hint: secret.chars().take(3).collect(),
            start,
            end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SeededRandom;
    use time::macros::datetime;

    #[test]
    fn sign_in_audience_accepts_entra_organizational_values_only() {
        assert_eq!(
            SignInAudience::parse("AzureADMyOrg").unwrap(),
            SignInAudience::AzureAdMyOrg
        );
        assert_eq!(
            SignInAudience::parse("AzureADMultipleOrgs").unwrap(),
            SignInAudience::AzureAdMultipleOrgs
        );
        for bad in [
            "AzureADandPersonalMicrosoftAccount",
            "PersonalMicrosoftAccount",
            "azureadmyorg",
            "",
        ] {
            match SignInAudience::parse(bad) {
                Err(Error::Invalid { target, .. }) => {
                    assert_eq!(target.as_deref(), Some("signInAudience"))
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn redirect_uris_follow_the_platform_rules() {
        let cases = [
            (Platform::Web, "https://app.example.com/cb", true),
            (Platform::Web, "http://localhost:5000/cb", true),
            (Platform::Web, "http://127.0.0.1/cb", true),
            (Platform::Web, "http://example.com/cb", false),
            (Platform::Web, "http://localhost.evil.com/cb", false),
            (Platform::Web, "https://*.example.com/cb", false),
            (Platform::Web, "myapp://callback", false),
            (Platform::Spa, "https://spa.example.com", true),
            (Platform::PublicClient, "myapp://callback", true),
            (
                Platform::PublicClient,
                "ms-appx-web://microsoft.aad.brokerplugin/x",
                true,
            ),
            (Platform::PublicClient, "http://localhost", true),
            (Platform::PublicClient, "http://example.com", false),
            (Platform::PublicClient, "no scheme", false),
        ];
        for (platform, uri, ok) in cases {
            assert_eq!(
                validate_redirect_uris(platform, &[uri.to_owned()]).is_ok(),
                ok,
                "{platform:?} {uri}"
            );
        }
        let many = vec!["https://a.example".to_owned(); MAX_REDIRECT_URIS + 1];
        assert!(validate_redirect_uris(Platform::Web, &many).is_err());
        let long = format!("https://a.example/{}", "x".repeat(MAX_REDIRECT_URI_LENGTH));
        assert!(validate_redirect_uris(Platform::Web, &[long]).is_err());
    }

    #[test]
    fn redirect_uris_match_exactly_with_any_port_for_loopback_public_clients() {
        let mut app = Application::new(
            ObjectId::from_uuid(Uuid::nil()),
            AppId::from_uuid(Uuid::nil()),
            "x".into(),
            SignInAudience::AzureAdMyOrg,
            time::macros::datetime!(2026-11-23 12:00 UTC),
        );
        app.web_redirect_uris = vec![
            "https://app.example.com/cb".into(),
            "http://localhost:5000/w".into(),
        ];
        app.spa_redirect_uris = vec!["https://spa.example.com".into()];
        app.public_client_redirect_uris = vec![
            "http://localhost".into(),
            "http://127.0.0.1/cb".into(),
            "myapp://auth".into(),
        ];
        let cases = [
            ("https://app.example.com/cb", Some(Platform::Web)),
            ("https://app.example.com/cb/", None),
            ("https://APP.example.com/cb", None),
            ("https://app.example.com/cb?x=1", None),
            ("http://localhost:5000/w", Some(Platform::Web)),
            ("http://localhost:5001/w", None),
            ("https://spa.example.com", Some(Platform::Spa)),
            ("https://spa.example.com/", None),
            ("myapp://auth", Some(Platform::PublicClient)),
            ("http://localhost", Some(Platform::PublicClient)),
            ("http://localhost:8400", Some(Platform::PublicClient)),
            ("http://localhost:8400/", Some(Platform::PublicClient)),
            ("http://localhost:8400/other", None),
            ("http://localhost:99999", None),
            ("http://localhost.evil.example:80", None),
            ("http://127.0.0.1:53100/cb", Some(Platform::PublicClient)),
            ("http://127.0.0.1:53100/cb2", None),
            ("http://127.0.0.1/cb", Some(Platform::PublicClient)),
            ("http://evil.example/cb", None),
        ];
        for (uri, platform) in cases {
            assert_eq!(app.redirect_platform(uri), platform, "{uri}");
        }
    }

    #[test]
    fn client_secrets_are_40_characters_of_entras_alphabet() {
        let random = SeededRandom::new(7);
        let a = generate_client_secret(&random);
        let b = generate_client_secret(&random);
        assert_eq!(a.len(), CLIENT_SECRET_LENGTH);
        assert!(a.bytes().all(|c| CLIENT_SECRET_ALPHABET.contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn password_credentials_default_to_two_years_and_allow_no_more() {
        let now = datetime!(2026-11-23 12:00 UTC);
        let key = Uuid::nil();
        let c = PasswordCredential::new(key, None, "abcdef", now, None, None).unwrap();
        assert_eq!(c.hint, "abc");
        assert_eq!((c.start, c.end), (now, datetime!(2028-11-23 12:00 UTC)));
        let leap = datetime!(2028-02-29 00:00 UTC);
        let c = PasswordCredential::new(key, None, "abcdef", leap, None, None).unwrap();
        assert_eq!(c.end, datetime!(2030-02-28 00:00 UTC));
        let too_long = Some(datetime!(2028-11-23 12:00:01 UTC));
        let e = PasswordCredential::new(key, None, "abcdef", now, None, too_long).unwrap_err();
        assert!(matches!(e, Error::Invalid { target: Some(t), .. } if t == "endDateTime"));
        let before = Some(datetime!(2026-11-22 12:00 UTC));
        assert!(PasswordCredential::new(key, None, "abcdef", now, None, before).is_err());
    }
}
