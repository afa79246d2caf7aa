//! `grant_type=authorization_code` at the token endpoint: redeems a code issued by `/authorize`
//! once, checking the client, the redirect URI and the PKCE verifier.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

use super::authority::Authority;
use super::client_auth::{self, Flow, TokenRequest};
use super::grants;
use super::token::{bad, disabled, expired_grant, required};
use super::tokens::{self, SignIn};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

/// `base64url(SHA-256(verifier))`, the S256 transformation (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn expired_code() -> OAuthError {
    bad(
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    )
}

fn already_redeemed() -> OAuthError {
    bad(
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    )
}

pub async fn redeem(
    state: &AppState,
    authority: Authority,
    req: &TokenRequest<'_>,
) -> Result<serde_json::Value, OAuthError> {
    let p = req.params;
    let code = required(p, "code")?;
    let redirect_uri = required(p, "redirect_uri")?;
    let malformed = || {
        bad(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    };
    // Codes name their tenant as refresh tokens do, so `/common` can route them.
    let tenant = tokens::refresh_token_tenant(code).ok_or_else(malformed)?;
    if matches!(authority, Authority::Tenant(id) if id != tenant) {
        return Err(expired_code());
    }
    let now = state.clock.now();
    let hash = state.secrets.keyed_hash(code);
    let signer = tokens::signer(state, tenant).await?;
    let mut tx = state.store.write(tenant).await?;
    let stored = tx
        .authorization_code(&hash)
        .await?
        .ok_or_else(expired_code)?;
    let client = client_auth::authenticate(
        state,
        &mut tx,
        tenant,
        req,
        Flow::Code {
            redirect_uri: &stored.redirect_uri,
        },
    )
    .await?;
    let confidential = client.confidential;
    let client = client.app_id;
    if stored.client_app_id != client {
        return Err(bad(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant, or was issued to a different client.",
        ));
    }
    if stored.redeemed_at.is_some() {
        return Err(already_redeemed());
    }
    if stored.redirect_uri != redirect_uri {
        return Err(bad(
            "invalid_grant",
            70000,
            "The redirect URI in the token request does not match the one in the authorization request.",
        ));
    }
    if stored.expires_at <= now {
        return Err(expired_code());
    }
    check_pkce(p.get("code_verifier"), &stored.code_challenge, confidential)?;
    if !tx.redeem_code(&hash, now).await? {
        return Err(already_redeemed());
    }
    let user = match tx.user(stored.user_id).await {
        Ok(u) => u,
        Err(gatehouse_domain::Error::NotFound { .. }) => return Err(expired_grant()),
        Err(e) => return Err(e.into()),
    };
    if !user.account_enabled {
        return Err(disabled());
    }
    if user
        .tokens_valid_from()
        .is_some_and(|v| v > stored.auth_time)
    {
        return Err(expired_grant());
    }
    let roles = grants::tenant_roles(&mut tx, &user).await?;
    let mut grant = grants::resolve_grant(&mut tx, &stored.scope, client, &user).await?;
    grant.nonce = stored.nonce.clone();
    let sign_in = SignIn {
        tenant,
        user,
        client_app_id: client,
        amr: stored.amr.split_whitespace().map(str::to_owned).collect(),
        auth_time: stored.auth_time,
        role_template_ids: roles,
        family_id: None,
        interactive: true,
    };
    let issued = tokens::issue(state, &mut tx, &signer, &sign_in, &grant).await?;
    tx.commit().await?;
    Ok(issued.to_json(p.get("client_info").is_some_and(|v| v == "1")))
}

/// PKCE (RFC 7636): a code issued with a challenge needs its verifier; one issued without (web apps,
/// which are confidential) may be redeemed only by an authenticated client.
fn check_pkce(
    verifier: Option<&String>,
    challenge: &str,
    confidential: bool,
) -> Result<(), OAuthError> {
    let verifier = verifier.map(String::as_str).filter(|v| !v.is_empty());
    if challenge.is_empty() && confidential {
        return Ok(());
    }
    let verifier = verifier.ok_or_else(|| {
        bad(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        )
    })?;
    if !bool::from(s256(verifier).as_bytes().ct_eq(challenge.as_bytes())) {
        return Err(bad(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            super::s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
