//! `/authorize`'s `response_type` as Entra reads it: `code`, the hybrid `code id_token`, and the
//! implicit `id_token`, `token`, `id_token token` (and `code token`, `code id_token token`). Tokens
//! straight from the authorization endpoint need the application's `implicitGrantSettings`
//! (`enableIdTokenIssuance` for an ID token, `enableAccessTokenIssuance` for an access token), a
//! `nonce` when an ID token is returned, and a response mode other than `query`. ID tokens issued
//! alongside a code carry `c_hash`, alongside an access token `at_hash` (OIDC Core 3.3.2.11).

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::application::ImplicitGrantSettings;
use gatehouse_domain::catalog::first_party::first_party_app;
use gatehouse_domain::ids::AppId;
use gatehouse_store::TenantTx;
use sha2::{Digest, Sha256};

use crate::http::oauth_error::OAuthError;

/// What the client asked `/authorize` to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ResponseType {
    pub code: bool,
    pub id_token: bool,
    pub token: bool,
}

impl ResponseType {
    pub const CODE: Self = Self {
        code: true,
        id_token: false,
        token: false,
    };

    /// Parses the space-separated values, in any order, each at most once.
    pub fn parse(value: &str) -> Option<Self> {
        let mut rt = Self::default();
        for part in value.split(' ') {
            let flag = match part {
                "code" => &mut rt.code,
                "id_token" => &mut rt.id_token,
                "token" => &mut rt.token,
                _ => return None,
            };
            if *flag {
                return None;
            }
            *flag = true;
        }
        (rt != Self::default()).then_some(rt)
    }

    /// Whether a token comes straight from the authorization endpoint (so never in the query).
    pub fn implicit(&self) -> bool {
        self.id_token || self.token
    }

    /// Refuses what the application's implicit grant settings do not allow, as Entra does.
    pub fn check(&self, settings: ImplicitGrantSettings) -> Result<(), OAuthError> {
        let not_enabled = |code: u32, name: &str| {
            OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_response_type",
                code,
                format!("response_type '{name}' is not enabled for the application."),
            )
        };
        if self.token && !settings.enable_access_token_issuance {
            return Err(not_enabled(700051, "token"));
        }
        if self.id_token && !settings.enable_id_token_issuance {
            return Err(not_enabled(700054, "id_token"));
        }
        Ok(())
    }
}

/// The implicit grant settings of `client` in the transaction's tenant: Microsoft's and
/// Gatehouse's first-party clients enable neither; a registered application has its own.
pub async fn implicit_settings<M>(
    tx: &mut TenantTx<M>,
    client: AppId,
) -> gatehouse_domain::Result<ImplicitGrantSettings> {
    if first_party_app(client.as_uuid()).is_some() {
        return Ok(ImplicitGrantSettings::default());
    }
    Ok(tx
        .application_by_app_id(client)
        .await?
        .map(|a| a.implicit_grant)
        .unwrap_or_default())
}

/// `at_hash` / `c_hash` for an RS256 ID token: the base64url of the left half of the SHA-256 of
/// the value's ASCII octets.
pub fn half_hash(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(value.as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_types_parse_in_any_order_once_each() {
        let rt = |c, i, t| ResponseType {
            code: c,
            id_token: i,
            token: t,
        };
        for (value, expected) in [
            ("code", Some(rt(true, false, false))),
            ("id_token", Some(rt(false, true, false))),
            ("code id_token", Some(rt(true, true, false))),
            ("id_token code", Some(rt(true, true, false))),
            ("id_token token", Some(rt(false, true, true))),
            ("token", Some(rt(false, false, true))),
            ("code id_token token", Some(rt(true, true, true))),
            ("", None),
            ("code code", None),
            ("code  id_token", None),
            ("none", None),
            ("Code", None),
            ("code+id_token", None),
        ] {
            assert_eq!(ResponseType::parse(value), expected, "{value:?}");
        }
    }

    #[test]
    fn implicit_settings_gate_tokens_from_the_authorization_endpoint() {
        let none = ImplicitGrantSettings::default();
        let id_only = ImplicitGrantSettings {
            enable_id_token_issuance: true,
            enable_access_token_issuance: false,
        };
        let code = ResponseType::parse("code").unwrap();
        let hybrid = ResponseType::parse("code id_token").unwrap();
        let implicit = ResponseType::parse("id_token token").unwrap();
        assert!(code.check(none).is_ok());
        assert_eq!(hybrid.check(none).unwrap_err().aadsts, 700054);
        assert!(hybrid.check(id_only).is_ok());
        assert_eq!(implicit.check(id_only).unwrap_err().aadsts, 700051);
    }

    #[test]
    fn half_hash_matches_the_oidc_example() {
        // OpenID Connect Core 1.0, Appendix A.3/A.4: at_hash of this access token.
        assert_eq!(
            half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
