//! The consent step of the authorization flow: after sign-in, when the client lacks consent for
//! what it asks (or `prompt=consent`), the user sees the permissions and accepts for themself — if
//! the tenant's user consent setting allows it — or, as an administrator, for the organization.
//! Otherwise the page says admin approval is needed. `prompt=none` gets `consent_required`
//! (AADSTS65001). Consent writes the delegated grant and its audit record in one transaction.

use gatehouse_domain::application::{ConsentType, OAuth2PermissionGrant};
use gatehouse_domain::audit::{Initiator, OperationType};
use gatehouse_domain::authorization_policy::{RequestedPermission, user_may_consent};
use gatehouse_domain::authz::{self, Ownership, Principal, UserKind};
use gatehouse_domain::scope::ScopeRequest;
use gatehouse_domain::user::UserType;

use gatehouse_store::TenantTx;

use super::*;
use crate::graph::app_role_assignments::new_id;
use crate::graph::permission_grants::{audit_record, grant_or_widen};
use crate::identity::grants::{
    MissingConsent, consent_required, missing_consent, requested_scopes,
};
use crate::identity::token::disabled;

const PURPOSE: &str = "consent";

/// What the user is asked to consent to: what is missing, or for `prompt=consent` everything the
/// request names. `None` when there is nothing to ask.
async fn to_consent<M>(
    tx: &mut TenantTx<M>,
    req: &AuthRequest,
    user: &User,
) -> Result<Option<MissingConsent>, OAuthError> {
    let Ok(request) = ScopeRequest::parse(&req.scope) else {
        return Ok(None); // the code step reports the bad scope
    };
    let app = req.app()?;
    let missing = missing_consent(tx, &request, app, user).await?;
    if missing.is_some() || req.prompt.as_deref() != Some("consent") {
        return Ok(missing);
    }
    requested_scopes(tx, &request, app).await
}

fn user_kind(user: &User) -> UserKind {
    match user.user_type {
        UserType::Member => UserKind::Member,
        UserType::Guest => UserKind::Guest,
    }
}

fn requested(missing: &MissingConsent) -> Vec<RequestedPermission> {
    missing
        .scopes
        .iter()
        .map(|s| RequestedPermission {
            value: s.value.clone(),
            admin_consent_required: s.admin_consent_required,
        })
        .collect()
}

/// The consent page when the signed-in `user` must consent first; `Ok(None)` to go on to the code.
pub(super) async fn page_if_needed(
    state: &AppState,
    headers: &HeaderMap,
    req: &AuthRequest,
    tenant: TenantId,
    user: &User,
) -> Result<Option<Response>, OAuthError> {
    let mut tx = state.store.read(tenant).await?;
    let Some(missing) = to_consent(&mut tx, req, user).await? else {
        return Ok(None);
    };
    if req.prompt.as_deref() == Some("none") {
        let mut e = consent_required(req.app()?, &missing.scopes);
        e.error = "consent_required";
        return Err(e);
    }
    let roles = grants::tenant_roles(&mut tx, user).await?;
    let principal = Principal::in_person(roles, user_kind(user));
    let policy = tx.authorization_policy().await?.user_consent();
    drop(tx);
    let may_consent = user_may_consent(policy, &requested(&missing));
    let may_consent_for_all = authz::decide(
        &principal,
        authz::OAUTH2_PERMISSION_GRANTS_CREATE,
        Ownership::NotOwner,
    )
    .is_ok();
    let permissions: Vec<String> = missing
        .scopes
        .iter()
        .map(|s| s.user_consent_display_name.clone())
        .collect();
    let now = state.clock.now().unix_timestamp();
    let response = with_csrf(state, headers, |field, csrf| {
        pages::consent(&pages::ConsentPrompt {
            action: &format!("/{}/consent", req.authority),
            request: &seal_request(state, req),
            csrf: field,
            pending: &seal(
                state,
                &format!("{PURPOSE}/{csrf}"),
                &format!("{tenant}|{}|{now}", user.id),
            ),
            user: &user.user_principal_name.to_string(),
            app: &missing.client.display_name,
            permissions: &permissions,
            may_consent,
            may_consent_for_all,
        })
    });
    Ok(Some(response))
}

/// `POST /{tenant}/consent`: the user's answer.
pub async fn submit(
    State(state): State<AppState>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Params>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Some((form, csrf, mut req)) = posted_step(&state, &headers, form) else {
        return malformed();
    };
    let pending = form
        .get("pending")
        .and_then(|p| unseal(&state, &format!("{PURPOSE}/{csrf}"), p));
    let Some((tenant, user_id, signed_at)) = pending.and_then(|p| {
        let mut parts = p.split('|');
        Some((
            parts.next()?.parse::<TenantId>().ok()?,
            parts.next()?.parse::<ObjectId>().ok()?,
            parts.next()?.parse::<i64>().ok()?,
        ))
    }) else {
        return malformed();
    };
    if signed_at + PENDING_LIFETIME.whole_seconds() < state.clock.now().unix_timestamp() {
        return malformed();
    }
    // Consent is given within the browser's live session of the same user.
    let authority = match authority::resolve(&state, &req.authority).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let session = match live_session(&state, &headers, authority).await {
        Ok(Some((t, session, user))) if t == tenant && user.id == user_id => session,
        Ok(_) => return malformed(),
        Err(e) => return error_page(&e),
    };
    if form.get("decision").map(String::as_str) != Some("accept") {
        return error_to_client(
            &req,
            &OAuthError::new(
                StatusCode::BAD_REQUEST,
                "access_denied",
                65004,
                "User declined to consent to access the app.",
            ),
        );
    }
    let for_all = form.get("consent_org").is_some_and(|v| v == "on");
    let user = match record_consent(&state, &req, tenant, user_id, for_all).await {
        Ok(user) => user,
        Err(e) => return error_page(&e),
    };
    // Consent given: the next step must not ask again.
    req.prompt = None;
    issue_code(&state, &headers, &req, tenant, &user, &session).await
}

/// Writes the grant the user agreed to: their own (as the consent setting allows), or the
/// organization's when an administrator ticked "Consent on behalf of your organization".
async fn record_consent(
    state: &AppState,
    req: &AuthRequest,
    tenant: TenantId,
    user_id: ObjectId,
    for_all: bool,
) -> Result<User, OAuthError> {
    let mut tx = state.store.write(tenant).await?;
    let user = tx.user(user_id).await?;
    if !user.account_enabled {
        return Err(disabled());
    }
    let Some(missing) = to_consent(&mut tx, req, &user).await? else {
        return Ok(user);
    };
    let roles = grants::tenant_roles(&mut tx, &user).await?;
    let principal = Principal::in_person(roles, user_kind(&user));
    let policy = tx.authorization_policy().await?.user_consent();
    let (proof, consent_type) = if for_all {
        (
            authz::decide(
                &principal,
                authz::OAUTH2_PERMISSION_GRANTS_CREATE,
                Ownership::NotOwner,
            ),
            ConsentType::AllPrincipals,
        )
    } else {
        (
            authz::decide_consent(&principal, user_may_consent(policy, &requested(&missing))),
            ConsentType::Principal(user.id),
        )
    };
    let proof = proof.map_err(|_| {
        OAuthError::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            90094,
            "The grant requires admin permission.",
        )
    })?;
    let scope: Vec<&str> = missing.scopes.iter().map(|s| s.value.as_str()).collect();
    let initiated_by = Initiator::User {
        id: user.id,
        user_principal_name: user.user_principal_name.to_string(),
        ip_address: None,
    };
    let wanted = OAuth2PermissionGrant {
        id: new_id(state, missing.client.id),
        client_id: missing.client.id,
        consent_type,
        resource_id: missing.resource.id,
        scope: scope.join(" "),
    };
    let grant = grant_or_widen(
        state,
        &mut tx,
        &proof,
        wanted,
        &missing.client,
        initiated_by.clone(),
    )
    .await?;
    tx.audit(&audit_record(
        state,
        initiated_by,
        "Consent to application",
        OperationType::Assign,
        &grant,
        &missing.client,
    ))
    .await?;
    tx.commit().await?;
    Ok(user)
}
