//! Minting tokens for a signed-in user: the access token (Entra v2 claims), the ID token, the
//! refresh token (opaque, stored by keyed hash, rotated on use), and MSAL's `client_info`.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::ids::{AppId, ObjectId, TenantId};
use gatehouse_domain::tenant::TokenAlgorithm;
use gatehouse_domain::token_lifetime::Lifetimes;
use gatehouse_domain::user::{User, UserType};
use gatehouse_domain::{Error, Result};
use gatehouse_store::{StoredRefreshToken, TenantTx, Write};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::discovery::{issuer, key_deps};
use super::keys::Signer;
use crate::state::AppState;

/// Entra gives every member this role template id in `wids` (the default "User" role).
const MEMBER_ROLE_TEMPLATE: Uuid = uuid::uuid!("b79fbf4d-3ef9-4689-8143-76b194e85509");
/// Refresh tokens expire after 90 days without use.
pub const REFRESH_INACTIVITY_DAYS: i64 = 90;
const ID_TOKEN_LIFETIME_S: i64 = 3600;

/// A completed user authentication, as the tokens describe it.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub tenant: TenantId,
    pub user: User,
    pub client_app_id: AppId,
    /// `pwd`, `mfa`, ...
    pub amr: Vec<String>,
    pub auth_time: OffsetDateTime,
    /// Template ids of the user's active tenant-scope directory roles.
    pub role_template_ids: Vec<Uuid>,
    /// The family to continue (refresh), or `None` to start one (a new sign-in).
    pub family_id: Option<String>,
    /// Whether the user took part (signed in, entered a code, gave a password) rather than an
    /// application redeeming a refresh token or an assertion: Graph's `signInActivity` tells them apart.
    pub interactive: bool,
}

/// What the token endpoint returns.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    pub client_info: String,
}

impl Issued {
    pub fn to_json(&self, with_client_info: bool) -> Value {
        let mut body = json!({
            "token_type": "Bearer",
            "scope": self.scope,
            "expires_in": self.expires_in,
            "ext_expires_in": self.expires_in,
            "access_token": self.access_token,
        });
        if let Some(t) = &self.refresh_token {
            body["refresh_token"] = json!(t);
        }
        if let Some(t) = &self.id_token {
            body["id_token"] = json!(t);
        }
        if with_client_info {
            body["client_info"] = json!(self.client_info);
        }
        body
    }
}

/// The requested grant, resolved: the resource (Microsoft Graph or an API of the tenant), its
/// delegated permissions, and the OIDC scopes.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The access token's audience.
    pub resource: AppId,
    pub permissions: Vec<String>,
    pub openid: bool,
    pub profile: bool,
    pub email: bool,
    pub offline_access: bool,
    pub nonce: Option<String>,
}

impl Grant {
    /// The `scp` claim and the response's `scope`: permissions, then the OIDC scopes, as Entra lists them.
    fn scope(&self) -> String {
        let mut s: Vec<&str> = self.permissions.iter().map(String::as_str).collect();
        for (on, name) in [
            (self.profile, "profile"),
            (self.openid, "openid"),
            (self.email, "email"),
        ] {
            if on {
                s.push(name);
            }
        }
        s.join(" ")
    }
}

/// An opaque refresh token that names its tenant (so `/common` can route it) and its hash key.
pub fn new_refresh_token(state: &AppState, tenant: TenantId) -> String {
    let mut raw = [0u8; 32];
    state.random.fill(&mut raw);
    format!(
        "1.{}.{}",
        URL_SAFE_NO_PAD.encode(tenant.as_uuid().as_bytes()),
        URL_SAFE_NO_PAD.encode(raw)
    )
}

/// The tenant a refresh token belongs to, if it is one of ours.
pub fn refresh_token_tenant(token: &str) -> Option<TenantId> {
    let mut parts = token.split('.');
    let (Some("1"), Some(tenant), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let bytes: [u8; 16] = URL_SAFE_NO_PAD.decode(tenant).ok()?.try_into().ok()?;
    Some(TenantId::from_uuid(Uuid::from_bytes(bytes)))
}

/// Entra's pairwise subject: stable per user and application, unlinkable across applications.
pub fn pairwise_sub(state: &AppState, tenant: TenantId, user: &User, app: AppId) -> String {
    state
        .secrets
        .keyed_hash(&format!("sub/{tenant}/{}/{app}", user.id))
}

fn unique_token_id(state: &AppState) -> String {
    let mut raw = [0u8; 16];
    state.random.fill(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// The tenant's signers: RS256 for ID tokens and tokens for the tenant's APIs; for Microsoft Graph
/// tokens, as the tenant's `graphTokenAlgorithm` says.
#[derive(Debug, Clone)]
pub struct Signers {
    rs256: Arc<Signer>,
    graph: Arc<Signer>,
}

impl Signers {
    /// The signer of ID tokens.
    pub fn id_token(&self) -> &Signer {
        &self.rs256
    }

    /// The signer of access tokens for `audience`.
    pub fn access_token(&self, audience: AppId) -> &Signer {
        if audience.as_uuid() == &MICROSOFT_GRAPH {
            &self.graph
        } else {
            &self.rs256
        }
    }
}

/// The tenant's signers. Fetch them before opening the transaction that issues tokens: creating a
/// tenant's first key needs a write transaction of its own.
pub async fn signer(state: &AppState, tenant: TenantId) -> Result<Signers> {
    let deps = key_deps(state);
    let graph_algorithm = state
        .store
        .read(tenant)
        .await?
        .tenant()
        .await?
        .graph_token_algorithm;
    let rs256 = state.keys.signer(&deps, tenant).await?;
    let graph = match graph_algorithm {
        TokenAlgorithm::Rs256 => rs256.clone(),
        other => state.keys.signer_for(&deps, tenant, other).await?,
    };
    Ok(Signers { rs256, graph })
}

/// An access token's lifetime in seconds: the token lifetime policy's, else Entra's default of
/// 60–90 minutes (at random, so that a tenant's tokens do not all expire together).
fn access_lifetime(state: &AppState, lifetimes: &Lifetimes) -> i64 {
    lifetimes
        .access_token
        .map(|d| d.whole_seconds())
        .unwrap_or_else(|| 3600 + i64::from(state.random.below(1800)))
}

/// The claims every Graph access token carries, delegated or app-only (`aud`, `iss`, `iat`, `nbf`,
/// `exp`, `azp`, `azpacr`, `idtyp`, `oid`, `tid`, `uti`, `ver`), and its lifetime in seconds.
fn access_claims(
    state: &AppState,
    tenant: TenantId,
    audience: AppId,
    client: AppId,
    (azpacr, idtyp): (&str, &str),
    oid: ObjectId,
    lifetimes: &Lifetimes,
) -> (Value, i64) {
    let iat = state.clock.now().unix_timestamp();
    let lifetime = access_lifetime(state, lifetimes);
    let tid = tenant.to_string();
    let claims = json!({
        "aud": audience.to_string(),
        "iss": issuer(state, &tid),
        "iat": iat,
        "nbf": iat,
        "exp": iat + lifetime,
        "azp": client.to_string(),
        "azpacr": azpacr,
        "idtyp": idtyp,
        "oid": oid.to_string(),
        "tid": tid,
        "uti": unique_token_id(state),
        "ver": "2.0",
    });
    (claims, lifetime)
}

/// An app-only Graph access token (client credentials): the client's service principal is the
/// subject, and `roles` lists the application permissions assigned to it on Microsoft Graph.
#[derive(Debug, Clone)]
pub struct AppToken {
    pub access_token: String,
    pub expires_in: i64,
}

impl AppToken {
    /// The token response: no refresh token, and no `scope` (MSAL keys its cache on the requested
    /// `.default`).
    pub fn to_json(&self) -> Value {
        json!({
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "ext_expires_in": self.expires_in,
            "access_token": self.access_token,
        })
    }
}

/// The application an app-only token is for: `client`, whose service principal in `tenant` is
/// `service_principal`, authenticated as `azpacr` says ("1" client secret, "2" certificate).
#[derive(Debug, Clone, Copy)]
pub struct AppSubject {
    pub tenant: TenantId,
    pub client: AppId,
    pub service_principal: ObjectId,
    pub azpacr: &'static str,
}

/// Mints an app-only token for `app` to `audience` (Microsoft Graph or an API of the tenant).
/// `roles` are the values of the resource's app roles assigned to the service principal; the
/// claim is omitted when there are none, as Entra does. `lifetimes` are the client's token
/// lifetime policy's (`TenantTx::token_lifetimes_for`).
pub fn issue_app_token(
    state: &AppState,
    signers: &Signers,
    app: &AppSubject,
    audience: AppId,
    roles: &[String],
    lifetimes: &Lifetimes,
) -> AppToken {
    let service_principal = app.service_principal;
    let (mut claims, lifetime) = access_claims(
        state,
        app.tenant,
        audience,
        app.client,
        (app.azpacr, "app"),
        service_principal,
        lifetimes,
    );
    if !roles.is_empty() {
        claims["roles"] = json!(roles);
    }
    claims["sub"] = json!(service_principal.to_string());
    AppToken {
        access_token: signers.access_token(audience).sign(&claims),
        expires_in: lifetime,
    }
}

/// The delegated Graph access token of a sign-in, its lifetime in seconds and its `scope`.
pub fn access_token(
    state: &AppState,
    signers: &Signers,
    sign_in: &SignIn,
    grant: &Grant,
    lifetimes: &Lifetimes,
) -> (String, i64, String) {
    let user = &sign_in.user;
    let (mut access, lifetime) = access_claims(
        state,
        sign_in.tenant,
        grant.resource,
        sign_in.client_app_id,
        ("0", "user"),
        user.id,
        lifetimes,
    );
    let mut wids: Vec<String> = sign_in
        .role_template_ids
        .iter()
        .map(Uuid::to_string)
        .collect();
    if user.user_type == UserType::Member {
        wids.push(MEMBER_ROLE_TEMPLATE.to_string());
    }
    let scope = grant.scope();
    for (claim, value) in [
        ("amr", json!(sign_in.amr)),
        ("auth_time", json!(sign_in.auth_time.unix_timestamp())),
        ("name", json!(user.display_name)),
        (
            "preferred_username",
            json!(user.user_principal_name.to_string()),
        ),
        ("scp", json!(scope)),
        (
            "sub",
            json!(pairwise_sub(state, sign_in.tenant, user, grant.resource)),
        ),
        ("upn", json!(user.user_principal_name.to_string())),
        ("wids", json!(wids)),
    ] {
        access[claim] = value;
    }
    (
        signers.access_token(grant.resource).sign(&access),
        lifetime,
        scope,
    )
}

/// The ID token of a sign-in for its client, with `extra` claims (`c_hash`, `at_hash`); it lives
/// as the client's token lifetime policy says, else an hour.
pub fn id_token(
    state: &AppState,
    signers: &Signers,
    (sign_in, grant): (&SignIn, &Grant),
    lifetimes: &Lifetimes,
    extra: &[(&str, String)],
) -> String {
    let lifetime = lifetimes
        .id_token
        .map_or(ID_TOKEN_LIFETIME_S, |d| d.whole_seconds());
    let iat = state.clock.now().unix_timestamp();
    let tid = sign_in.tenant.to_string();
    let user = &sign_in.user;
    let mut claims = json!({
        "aud": sign_in.client_app_id.to_string(),
        "iss": issuer(state, &tid),
        "iat": iat,
        "nbf": iat,
        "exp": iat + lifetime,
        "oid": user.id.to_string(),
        "sub": pairwise_sub(state, sign_in.tenant, user, sign_in.client_app_id),
        "tid": tid,
        "uti": unique_token_id(state),
        "ver": "2.0",
    });
    if grant.profile {
        claims["name"] = json!(user.display_name);
        claims["preferred_username"] = json!(user.user_principal_name.to_string());
    }
    if let Some(nonce) = &grant.nonce {
        claims["nonce"] = json!(nonce);
    }
    for (name, value) in extra {
        claims[*name] = json!(value);
    }
    signers.id_token().sign(&claims)
}

/// Mints the tokens of a sign-in; the refresh token (when `offline_access` was asked for) is
/// written through `tx`, which the caller commits.
pub async fn issue(
    state: &AppState,
    tx: &mut TenantTx<Write>,
    signers: &Signers,
    sign_in: &SignIn,
    grant: &Grant,
) -> Result<Issued> {
    let now = state.clock.now();
    let tid = sign_in.tenant.to_string();
    let user = &sign_in.user;
    let lifetimes = tx.token_lifetimes_for(sign_in.client_app_id).await?;
    let (access_token, lifetime, scope) = access_token(state, signers, sign_in, grant, &lifetimes);
    let id_token = grant
        .openid
        .then(|| id_token(state, signers, (sign_in, grant), &lifetimes, &[]));

    let refresh_token = if grant.offline_access {
        let token = new_refresh_token(state, sign_in.tenant);
        let family_id = match &sign_in.family_id {
            Some(f) => f.clone(),
            None => unique_token_id(state),
        };
        tx.insert_refresh_token(&StoredRefreshToken {
            token_hash: state.secrets.keyed_hash(&token),
            family_id,
            user_id: user.id,
            client_app_id: sign_in.client_app_id,
            scope: grant.scope(),
            amr: sign_in.amr.join(" "),
            auth_time: sign_in.auth_time,
            issued_at: now,
            consumed_at: None,
            revoked_at: None,
        })
        .await?;
        Some(token)
    } else {
        None
    };

    let request_id = crate::http::context::RequestContext::current().request_id;
    tx.record_sign_in(user.id, sign_in.interactive, &request_id.to_string(), now)
        .await?;

    let client_info = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&json!({ "uid": user.id.to_string(), "utid": tid }))
            .map_err(|e| Error::internal(e.to_string()))?,
    );
    Ok(Issued {
        access_token,
        expires_in: lifetime,
        scope,
        id_token,
        refresh_token,
        client_info,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_name_their_tenant() {
        let t = TenantId::from_uuid(Uuid::from_u128(0x1234));
        let token = format!(
            "1.{}.{}",
            URL_SAFE_NO_PAD.encode(t.as_uuid().as_bytes()),
            "abc"
        );
        assert_eq!(refresh_token_tenant(&token), Some(t));
        for bad in [
            "",
            "1.abc",
            "2.AAAAAAAAAAAAAAAAAAAAAA.x",
            "1.AAAA.x",
            "1.AAAAAAAAAAAAAAAAAAAAAA.x.y",
        ] {
            assert_eq!(refresh_token_tenant(bad), None, "{bad}");
        }
    }
}
