//! The device authorization grant (RFC 8628) as Entra serves it: `POST /{tenant}/oauth2/v2.0/devicecode`
//! hands a public client a `device_code` and a `user_code`; the user enters the user code at
//! `{public-url}/devicelogin` (`device_pages.rs`) and approves; the device polls the token endpoint
//! with `grant_type=urn:ietf:params:oauth:grant-type:device_code` and gets the tokens once.
//!
//! Codes live in the instance realm because a code requested at `/common` or `/organizations` has no
//! tenant until a user approves it; the tokens are then for the user's tenant. Both codes are stored
//! by keyed hash only.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::catalog::first_party::{FirstPartyKind, first_party_app};
use gatehouse_domain::ids::AppId;
use gatehouse_store::{DeviceCodeStatus, StoredDeviceCode};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use super::authority::{self, Authority};
use super::client_auth::device_client as authenticate_client;
use super::token::{Params, bad, disabled, expired_grant, required};
use super::tokens::{self, SignIn};
use super::{authorize, grants};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

/// The `grant_type` of the device code grant.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// How long the user has to enter the code (Entra: 15 minutes).
pub const LIFETIME: Duration = Duration::seconds(900);
/// The polling interval the device is told, in seconds.
pub const INTERVAL: i64 = 5;
/// User codes: nine characters from an alphabet without look-alikes (0/O, 1/I).
const USER_CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
pub const USER_CODE_LENGTH: usize = 9;
/// Expired codes are kept this long, so that a late poll still hears `expired_token`.
const PURGE_GRACE: Duration = Duration::minutes(15);

/// `{public-url}/devicelogin`, where users enter their codes.
pub fn verification_uri(state: &AppState) -> String {
    format!("{}/devicelogin", state.instance.public_url)
}

/// A user code as typed (any case, spaces or dashes), or `None` when it cannot be one.
pub fn normalize_user_code(entered: &str) -> Option<String> {
    let code: String = entered
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == USER_CODE_LENGTH && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(code)
}

pub(crate) fn user_code_hash(state: &AppState, user_code: &str) -> String {
    state.secrets.keyed_hash(&format!("user-code/{user_code}"))
}

fn device_code_hash(state: &AppState, device_code: &str) -> String {
    state
        .secrets
        .keyed_hash(&format!("device-code/{device_code}"))
}

fn new_user_code(state: &AppState) -> String {
    let mut raw = [0u8; USER_CODE_LENGTH];
    state.random.fill(&mut raw);
    raw.iter()
        .map(|b| char::from(USER_CODE_ALPHABET[usize::from(b % 32)]))
        .collect()
}

fn new_device_code(state: &AppState) -> String {
    let mut raw = [0u8; 48];
    state.random.fill(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// Deletes codes (and wrong-guess counts) that expired more than the grace period ago.
pub async fn purge_expired(state: &AppState) -> gatehouse_domain::Result<u64> {
    let mut tx = state.store.instance_write().await?;
    let purged = tx
        .purge_device_codes(state.clock.now() - PURGE_GRACE)
        .await?;
    tx.commit().await?;
    Ok(purged)
}

/// The client asking for a code: a public client of the tenant, or for `common`/`organizations`
/// one that exists in every tenant (Microsoft's public clients; checked again in the user's tenant).
async fn device_client(
    state: &AppState,
    authority: Authority,
    p: &Params,
) -> Result<AppId, OAuthError> {
    match authority {
        Authority::Tenant(tenant) => {
            // Read-only use of a write transaction: dropped without commit.
            let mut tx = state.store.write(tenant).await?;
            authenticate_client(state, &mut tx, p, tenant).await
        }
        Authority::Common | Authority::Organizations => {
            let client_id = required(p, "client_id")?;
            let unknown = || authorize::unknown_client(client_id, &authority.segment());
            let app: AppId = client_id.parse().map_err(|_| unknown())?;
            first_party_app(app.as_uuid())
                .filter(|a| a.kind == FirstPartyKind::PublicClient)
                .ok_or_else(unknown)?;
            Ok(app)
        }
    }
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub async fn device_authorization(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(p) = form.map_err(|_| {
        bad(
            "invalid_request",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    })?;
    let authority = authority::resolve(&state, &tenant).await?;
    let client = device_client(&state, authority, &p).await?;
    let scope = required(&p, "scope")?;
    grants::parse_scope(scope)?;

    let now = state.clock.now();
    let device_code = new_device_code(&state);
    let mut tx = state.store.instance_write().await?;
    tx.purge_device_codes(now - PURGE_GRACE).await?;
    let mut user_code = new_user_code(&state);
    // Unique while live: draw again on the (rare) collision with a stored code.
    while tx
        .device_code_by_user_code(&user_code_hash(&state, &user_code))
        .await?
        .is_some()
    {
        user_code = new_user_code(&state);
    }
    tx.insert_device_code(&StoredDeviceCode {
        device_code_hash: device_code_hash(&state, &device_code),
        user_code_hash: user_code_hash(&state, &user_code),
        tenant_id: match authority {
            Authority::Tenant(id) => Some(id),
            Authority::Common | Authority::Organizations => None,
        },
        authority: authority.segment(),
        client_app_id: client,
        scope: scope.to_owned(),
        created_at: now,
        expires_at: now + LIFETIME,
        last_polled_at: None,
        status: DeviceCodeStatus::Pending,
        approval: None,
    })
    .await?;
    tx.commit().await?;

    let uri = verification_uri(&state);
    let body = json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": LIFETIME.whole_seconds(),
        "interval": INTERVAL,
        "message": format!(
            "To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."
        ),
    });
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn device_error(error: &'static str, code: u32, description: &str) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, error, code, description)
}

fn pending() -> OAuthError {
    device_error(
        "authorization_pending",
        70016,
        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
    )
}

fn slow_down() -> OAuthError {
    device_error(
        "slow_down",
        70016,
        "OAuth 2.0 device flow error. Polling too frequently: wait at least the interval between requests.",
    )
}

fn expired() -> OAuthError {
    device_error(
        "expired_token",
        70020,
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    )
}

fn declined() -> OAuthError {
    device_error(
        "authorization_declined",
        70000,
        "The user has declined the authorization request.",
    )
}

fn bad_code() -> OAuthError {
    device_error(
        "bad_verification_code",
        70018,
        "The provided value for the input parameter 'device_code' is not valid.",
    )
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code` at the token endpoint.
pub async fn grant(
    state: &AppState,
    authority: Authority,
    p: &Params,
) -> Result<serde_json::Value, OAuthError> {
    let presented = required(p, "device_code")?;
    let client: Option<AppId> = required(p, "client_id")?.parse().ok();
    let hash = device_code_hash(state, presented);
    let now = state.clock.now();
    let stored = state
        .store
        .instance_read()
        .await?
        .device_code(&hash)
        .await?
        // A code is polled for where it was requested, by the client it was issued to.
        .filter(|c| c.authority == authority.segment() && Some(c.client_app_id) == client)
        .ok_or_else(bad_code)?;
    if stored.expires_at <= now {
        return Err(expired());
    }
    match stored.status {
        DeviceCodeStatus::Pending => {
            let mut tx = state.store.instance_write().await?;
            tx.record_device_poll(&hash, now).await?;
            tx.commit().await?;
            let too_soon = stored
                .last_polled_at
                .is_some_and(|last| now < last + Duration::seconds(INTERVAL));
            Err(if too_soon { slow_down() } else { pending() })
        }
        DeviceCodeStatus::Declined => Err(declined()),
        DeviceCodeStatus::Redeemed => Err(expired()),
        DeviceCodeStatus::Approved => redeem(state, p, &stored, now).await,
    }
}

/// Issues the tokens of an approved code, marking it redeemed in the same transaction.
async fn redeem(
    state: &AppState,
    p: &Params,
    stored: &StoredDeviceCode,
    now: OffsetDateTime,
) -> Result<serde_json::Value, OAuthError> {
    let approval = stored.approval.clone().ok_or_else(|| {
        OAuthError::from(gatehouse_domain::Error::internal(
            "approved device code without its approval",
        ))
    })?;
    let tenant = approval.tenant_id;
    let signer = tokens::signer(state, tenant).await?;
    let mut itx = state.store.instance_write().await?;
    if !itx
        .redeem_device_code(&stored.device_code_hash, now)
        .await?
    {
        return Err(expired());
    }
    let mut tx = itx.into_tenant(tenant);
    let client = authenticate_client(state, &mut tx, p, tenant).await?;
    let user = match tx.user(approval.user_id).await {
        Ok(u) => u,
        Err(gatehouse_domain::Error::NotFound { .. }) => return Err(expired_grant()),
        Err(e) => return Err(e.into()),
    };
    if !user.account_enabled {
        return Err(disabled());
    }
    if user
        .tokens_valid_from()
        .is_some_and(|v| v > approval.auth_time)
    {
        return Err(expired_grant());
    }
    let roles = grants::tenant_roles(&mut tx, &user).await?;
    grants::require_mfa_if_needed(&mut tx, &roles).await?;
    let grant = grants::resolve_grant(&mut tx, &stored.scope, client, &user).await?;
    let sign_in = SignIn {
        tenant,
        user,
        client_app_id: client,
        amr: approval.amr.split_whitespace().map(str::to_owned).collect(),
        auth_time: approval.auth_time,
        role_template_ids: roles,
        family_id: None,
        interactive: true,
    };
    let issued = tokens::issue(state, &mut tx, &signer, &sign_in, &grant).await?;
    tx.commit().await?;
    Ok(issued.to_json(p.get("client_info").is_some_and(|v| v == "1")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_read_as_people_type_them() {
        assert_eq!(
            normalize_user_code(" abcd-efgh2 ").as_deref(),
            Some("ABCDEFGH2")
        );
        for bad in [
            "",
            "ABCDEFGH",
            "ABCDEFGH23",
            "ABCDEFGH0",
            "ABCDEFGHI",
            "ABCD EFG!",
        ] {
            assert_eq!(normalize_user_code(bad), None, "{bad}");
        }
    }
}
