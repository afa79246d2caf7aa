//! `{public-url}/devicelogin`, where a user approves a device code (no tenant in the path, as Entra):
//! "Enter code" → the sign-in pages of `authorize.rs` when the browser has no SSO session for the
//! code's tenant → "Are you trying to sign in to {app}?" → Continue (or Cancel) → done.
//!
//! Forms carry the CSRF field of `authorize.rs`. Between the steps the browser holds a ticket naming
//! the user code, MAC'd together with its CSRF cookie: a link to the confirmation page is useless
//! in another browser, so a user only ever approves a code they typed themselves. Wrong codes are
//! counted per client address in the store; past the limit the page refuses further codes for a
//! while.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::user::User;
use gatehouse_store::{DeviceApproval, DeviceCodeStatus, StoredDeviceCode, StoredSignInSession};
use time::{Duration, OffsetDateTime};

use super::authority::Authority;
use super::device_code::{normalize_user_code, user_code_hash};
use super::pages::{self, PAGE_CSP, document, escape, hidden};
use super::{authorize, grants};
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

type Params = std::collections::HashMap<String, String>;

pub const WRONG_CODE: &str = "That code didn't work. Check the code and try again.";
pub const EXPIRED_CODE: &str = "That code has expired or has already been used. Get a new code from the app or device you're trying to sign in to and try again.";
pub const TOO_MANY_CODES: &str =
    "You've entered too many codes that didn't work. Wait a few minutes and try again.";
/// Wrong codes one client address may enter per window.
pub const MAX_WRONG_CODES: i64 = 10;
const FAILURE_WINDOW: Duration = Duration::minutes(15);

fn window_start(now: OffsetDateTime) -> OffsetDateTime {
    let w = FAILURE_WINDOW.whole_seconds();
    OffsetDateTime::from_unix_timestamp(now.unix_timestamp().div_euclid(w) * w).unwrap_or(now)
}

/// The CSRF cookie's value, fresh when the browser has none.
fn csrf_cookie(state: &AppState, headers: &HeaderMap) -> (String, bool) {
    match authorize::cookie(headers, authorize::CSRF_COOKIE) {
        Some(c) => (c, false),
        None => (authorize::random_token(state), true),
    }
}

/// The "Enter code" page, with an error when the last code did not work.
fn code_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let (csrf, fresh) = csrf_cookie(state, headers);
    let alert = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Enter code</h1>\n<p>Enter the code displayed on your app or device.</p>\n{alert}<form method=\"post\" action=\"/devicelogin\">\n{}<p><label for=\"otc\">Code</label>\n<input type=\"text\" id=\"otc\" name=\"otc\" autocomplete=\"one-time-code\" autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"20\" required></p>\n<p><button type=\"submit\" id=\"idSIButton9\">Next</button></p>\n</form>",
        hidden("csrf", &authorize::csrf_field(state, &csrf)),
    );
    let mut response = pages::respond(status, document("Enter code", &body), PAGE_CSP);
    if fresh {
        authorize::set_cookie(
            &mut response,
            format!(
                "{}={csrf}; Path=/; Secure; HttpOnly; SameSite=Strict",
                authorize::CSRF_COOKIE
            ),
        );
    }
    response
}

fn message_page(title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1>\n<p id=\"message\">{}</p>",
        escape(title),
        escape(message)
    );
    pages::respond(StatusCode::OK, document(title, &body), PAGE_CSP)
}

fn error_page(e: &OAuthError) -> Response {
    pages::error(StatusCode::BAD_REQUEST, e.aadsts, &e.description)
}

/// The ticket naming `user_code` between the steps, bound to the browser's CSRF cookie. It lives
/// as long as the code waits for the user.
fn ticket(state: &AppState, csrf: &str, user_code: &str) -> String {
    authorize::seal(state, &format!("devicelogin/{csrf}"), user_code)
}

fn read_ticket(state: &AppState, csrf: &str, ticket: &str) -> Option<String> {
    authorize::unseal(state, &format!("devicelogin/{csrf}"), ticket).map(str::to_owned)
}

/// The live code a user code names, if it still waits for the user.
async fn pending_code(
    state: &AppState,
    user_code: &str,
) -> Result<Option<StoredDeviceCode>, OAuthError> {
    let now = state.clock.now();
    Ok(state
        .store
        .instance_read()
        .await?
        .device_code_by_user_code(&user_code_hash(state, user_code))
        .await?
        .filter(|c| c.status == DeviceCodeStatus::Pending && c.expires_at > now))
}

/// Who may approve the code: a user of the tenant it was requested for, or of any tenant.
fn authority_of(code: &StoredDeviceCode) -> Authority {
    code.tenant_id.map_or(Authority::Common, Authority::Tenant)
}

/// The confirmation page for a signed-in user, or the sign-in pages first.
async fn next_step(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
    user_code: &str,
    code: &StoredDeviceCode,
) -> Response {
    match authorize::live_session(state, headers, authority_of(code)).await {
        Ok(Some((tenant, _, user))) => confirm_page(state, csrf, user_code, code, tenant, &user)
            .await
            .unwrap_or_else(|e| error_page(&e)),
        Ok(None) => authorize::sign_in_then(
            state,
            headers,
            &code.authority,
            format!(
                "/devicelogin/confirm?ticket={}",
                ticket(state, csrf, user_code)
            ),
        ),
        Err(e) => error_page(&e),
    }
}

/// The application's name in the user's tenant (700016 when it is not there or disabled).
async fn app_name(
    state: &AppState,
    tenant: TenantId,
    code: &StoredDeviceCode,
) -> Result<String, OAuthError> {
    state
        .store
        .read(tenant)
        .await?
        .service_principal_by_app_id(code.client_app_id)
        .await?
        .filter(|sp| sp.account_enabled)
        .map(|sp| sp.display_name)
        .ok_or_else(|| {
            authorize::unknown_client(&code.client_app_id.to_string(), &tenant.to_string())
        })
}

async fn confirm_page(
    state: &AppState,
    csrf: &str,
    user_code: &str,
    code: &StoredDeviceCode,
    tenant: TenantId,
    user: &User,
) -> Result<Response, OAuthError> {
    let app = app_name(state, tenant, code).await?;
    let title = format!("Are you trying to sign in to {app}?");
    let body = format!(
        "<h1>{}</h1>\n<p id=\"account\">{}</p>\n<p>Only continue if you downloaded the app from a store or website that you trust.</p>\n<form method=\"post\" action=\"/devicelogin/confirm\">\n{}{}<p><button type=\"submit\" name=\"consent\" value=\"cancel\" id=\"idBtn_Back\">Cancel</button>\n<button type=\"submit\" name=\"consent\" value=\"continue\" id=\"idSIButton9\">Continue</button></p>\n</form>",
        escape(&title),
        escape(&user.user_principal_name.to_string()),
        hidden("csrf", &authorize::csrf_field(state, csrf)),
        hidden("ticket", &ticket(state, csrf, user_code)),
    );
    Ok(pages::respond(
        StatusCode::OK,
        document(&title, &body),
        PAGE_CSP,
    ))
}

/// `GET /devicelogin`: the "Enter code" page.
pub async fn enter(State(state): State<AppState>, headers: HeaderMap) -> Response {
    code_page(&state, &headers, StatusCode::OK, None)
}

/// `POST /devicelogin`: a code entered.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return authorize::malformed();
    };
    let Some(csrf) = authorize::check_csrf(&state, &headers, &form) else {
        return authorize::malformed();
    };
    let client_key = peer.map_or_else(
        || "unknown".to_owned(),
        |Extension(ConnectInfo(addr))| addr.ip().to_string(),
    );
    let window = window_start(state.clock.now());
    let entered = form.get("otc").map(String::as_str).unwrap_or_default();
    let result = async {
        let failures = state
            .store
            .instance_read()
            .await?
            .device_login_failures(&client_key, window)
            .await?;
        if failures >= MAX_WRONG_CODES {
            return Ok(Err(TOO_MANY_CODES));
        }
        let Some(user_code) = normalize_user_code(entered) else {
            return record_failure(&state, &client_key, window, WRONG_CODE).await;
        };
        let found = state
            .store
            .instance_read()
            .await?
            .device_code_by_user_code(&user_code_hash(&state, &user_code))
            .await?;
        let Some(code) = found else {
            return record_failure(&state, &client_key, window, WRONG_CODE).await;
        };
        // Counted too, so that guessing learns nothing more from codes that are no longer live.
        if code.status != DeviceCodeStatus::Pending || code.expires_at <= state.clock.now() {
            return record_failure(&state, &client_key, window, EXPIRED_CODE).await;
        }
        Ok::<_, OAuthError>(Ok((user_code, code)))
    };
    match result.await {
        Ok(Ok((user_code, code))) => next_step(&state, &headers, &csrf, &user_code, &code).await,
        Ok(Err(message)) => {
            let status = if message == TOO_MANY_CODES {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::OK
            };
            code_page(&state, &headers, status, Some(message))
        }
        Err(e) => error_page(&e),
    }
}

/// Counts a code that did not lead anywhere against the client; answers with `message`.
async fn record_failure<T>(
    state: &AppState,
    client_key: &str,
    window: OffsetDateTime,
    message: &'static str,
) -> Result<Result<T, &'static str>, OAuthError> {
    let mut tx = state.store.instance_write().await?;
    tx.record_device_login_failure(client_key, window).await?;
    tx.commit().await?;
    Ok(Err(message))
}

/// The code named by the request's ticket, checked against the CSRF cookie (and form field when
/// posted); `None` when the ticket is missing, forged, from another browser or too old.
fn ticket_code(state: &AppState, headers: &HeaderMap, p: &Params) -> Option<(String, String)> {
    let csrf = authorize::cookie(headers, authorize::CSRF_COOKIE)?;
    let user_code = read_ticket(state, &csrf, p.get("ticket")?)?;
    Some((csrf, user_code))
}

/// `GET /devicelogin/confirm?ticket=`: back from the sign-in pages.
pub async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some((csrf, user_code)) = query
        .ok()
        .and_then(|Query(p)| ticket_code(&state, &headers, &p))
    else {
        return authorize::malformed();
    };
    match pending_code(&state, &user_code).await {
        Ok(Some(code)) => next_step(&state, &headers, &csrf, &user_code, &code).await,
        Ok(None) => code_page(&state, &headers, StatusCode::OK, Some(EXPIRED_CODE)),
        Err(e) => error_page(&e),
    }
}

/// `POST /devicelogin/confirm`: Continue or Cancel.
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return authorize::malformed();
    };
    if authorize::check_csrf(&state, &headers, &form).is_none() {
        return authorize::malformed();
    }
    let Some((csrf, user_code)) = ticket_code(&state, &headers, &form) else {
        return authorize::malformed();
    };
    let code = match pending_code(&state, &user_code).await {
        Ok(Some(code)) => code,
        Ok(None) => return code_page(&state, &headers, StatusCode::OK, Some(EXPIRED_CODE)),
        Err(e) => return error_page(&e),
    };
    let (tenant, session, user) =
        match authorize::live_session(&state, &headers, authority_of(&code)).await {
            Ok(Some(s)) => s,
            Ok(None) => return next_step(&state, &headers, &csrf, &user_code, &code).await,
            Err(e) => return error_page(&e),
        };
    let app = match app_name(&state, tenant, &code).await {
        Ok(name) => name,
        Err(e) => return error_page(&e),
    };
    let continued = form.get("consent").is_some_and(|v| v == "continue");
    let outcome = if continued {
        approve(&state, &user_code, &code, tenant, &session, &user).await
    } else {
        decline(&state, &user_code).await
    };
    match outcome {
        Ok(true) if continued => message_page(
            "You're signed in",
            &format!(
                "You have signed in to the {app} application on your device. You may now close this window."
            ),
        ),
        Ok(true) => message_page(
            "Sign-in canceled",
            &format!(
                "You have declined to sign in to the {app} application on your device. You may now close this window."
            ),
        ),
        Ok(false) => code_page(&state, &headers, StatusCode::OK, Some(EXPIRED_CODE)),
        Err(e) => error_page(&e),
    }
}

/// Approves the code for the signed-in user, refusing what the token endpoint would refuse (missing
/// consent, MFA required), in one transaction.
async fn approve(
    state: &AppState,
    user_code: &str,
    code: &StoredDeviceCode,
    tenant: TenantId,
    session: &StoredSignInSession,
    user: &User,
) -> Result<bool, OAuthError> {
    let mut itx = state.store.instance_write().await?;
    let approval = DeviceApproval {
        tenant_id: tenant,
        user_id: user.id,
        auth_time: session.auth_time,
        amr: session.amr.clone(),
    };
    if !itx
        .approve_device_code(
            &user_code_hash(state, user_code),
            &approval,
            state.clock.now(),
        )
        .await?
    {
        return Ok(false);
    }
    let mut tx = itx.into_tenant(tenant);
    let roles = grants::tenant_roles(&mut tx, user).await?;
    grants::require_mfa_if_needed(&mut tx, &roles).await?;
    grants::resolve_grant(&mut tx, &code.scope, code.client_app_id, user).await?;
    tx.commit().await?;
    Ok(true)
}

async fn decline(state: &AppState, user_code: &str) -> Result<bool, OAuthError> {
    let mut tx = state.store.instance_write().await?;
    let done = tx
        .decline_device_code(&user_code_hash(state, user_code), state.clock.now())
        .await?;
    tx.commit().await?;
    Ok(done)
}
