//! Bearer-token authentication for the Graph API: one signature verification per request with the
//! tenant's cached public keys, then the checks Entra makes (issuer, audience, lifetime), and the
//! caller's current state (a disabled user or revoked sessions end access even with a valid token).

use std::collections::BTreeSet;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::ids::{AppId, ObjectId, TenantId};
use gatehouse_domain::scope::GRAPH_RESOURCE_URI;
use gatehouse_domain::tenant::{TenantState, TokenAlgorithm};
use gatehouse_domain::user::User;

use crate::http::graph_error::GraphError;
use crate::identity::discovery::{issuer, key_deps};
use crate::identity::jwt;
use crate::state::AppState;

/// Clock skew tolerated on `nbf` and `exp`, as Entra's validators allow.
const LEEWAY_S: i64 = 300;

/// Who is calling, established from a valid token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub subject: Subject,
    /// Delegated permissions (`scp`); empty for app-only tokens.
    pub scopes: BTreeSet<String>,
    /// Application permissions (`roles`) of an app-only token; empty for delegated tokens.
    pub roles: BTreeSet<String>,
    /// The application the token was issued to (`azp`).
    pub client_app_id: Option<AppId>,
}

/// On whose behalf the token acts: a signed-in user (delegated) or an application (app-only).
#[derive(Debug, Clone)]
pub enum Subject {
    User(Box<User>),
    App {
        service_principal_id: ObjectId,
        app_id: AppId,
        display_name: String,
    },
}

impl Caller {
    /// Refuses unless the token carries one of `scopes` (the full authorization decision replaces this).
    pub fn require_any_scope(&self, scopes: &[&str]) -> Result<(), GraphError> {
        if scopes
            .iter()
            .any(|s| self.scopes.iter().any(|c| c.eq_ignore_ascii_case(s)))
        {
            Ok(())
        } else {
            Err(GraphError::from(gatehouse_domain::Error::Forbidden))
        }
    }

    /// The signed-in user of a delegated token; an app-only token gets Graph's `/me` refusal.
    pub fn delegated_user(&self) -> Result<&User, GraphError> {
        match &self.subject {
            Subject::User(u) => Ok(u),
            Subject::App { .. } => Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            )),
        }
    }

    /// The user's object id, or the calling application's service principal id.
    pub fn object_id(&self) -> ObjectId {
        match &self.subject {
            Subject::User(u) => u.id,
            Subject::App {
                service_principal_id,
                ..
            } => *service_principal_id,
        }
    }
}

fn challenge(state: &AppState, message: &str) -> Response {
    let mut response = GraphError::unauthenticated(message).into_response();
    let value = format!(
        "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"{MICROSOFT_GRAPH}\"",
        state.instance.public_url
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return challenge(&state, "Access token is empty.");
    };
    match validate(&state, token, is_graph_audience).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(Rejection::Token(message)) => challenge(&state, message),
        Err(Rejection::Service(e)) => e.into_response(),
    }
}

/// Why a bearer token is refused: the token itself (with Graph's message), or the service.
pub(crate) enum Rejection {
    Token(&'static str),
    Service(GraphError),
}

/// Microsoft Graph's audiences: its app id or its resource URI.
fn is_graph_audience(aud: &str) -> bool {
    aud == MICROSOFT_GRAPH.to_string() || aud.trim_end_matches('/') == GRAPH_RESOURCE_URI
}

impl From<gatehouse_domain::Error> for Rejection {
    fn from(e: gatehouse_domain::Error) -> Self {
        Self::Service(GraphError::from(e))
    }
}

/// Validates an access token issued by this server for an audience `audience_ok` accepts: the
/// signature with the tenant's cached key, issuer, lifetime, then the subject's current state.
pub(crate) async fn validate(
    state: &AppState,
    token: &str,
    audience_ok: impl Fn(&str) -> bool,
) -> Result<Caller, Rejection> {
    let jwt = jwt::parse_with(token, jwt::GRAPH_ALGORITHMS)
        .map_err(|_| Rejection::Token("CompactToken parsing failed with error code: 80049217"))?;
    let Some(algorithm) = TokenAlgorithm::parse(&jwt.header.alg) else {
        return Err(Rejection::Token(
            "Access token validation failure. The token's algorithm is not accepted.",
        ));
    };
    let invalid = || Rejection::Token("Access token validation failure. Invalid signature.");
    let tenant: TenantId = jwt
        .claim_str("tid")
        .and_then(|t| t.parse().ok())
        .ok_or_else(invalid)?;
    if jwt.claim_str("iss") != Some(issuer(state, &tenant.to_string()).as_str()) {
        return Err(Rejection::Token(
            "Access token validation failure. Invalid issuer.",
        ));
    }
    let kid = jwt.header.kid.as_deref().ok_or_else(invalid)?;
    let key = state
        .keys
        .public_key_for(&key_deps(state), tenant, algorithm, kid)
        .await?
        .ok_or_else(invalid)?;
    jwt.verify_signature(&key).map_err(|_| invalid())?;
    jwt.validate_times(state.clock.now(), LEEWAY_S)
        .map_err(|_| Rejection::Token("Lifetime validation failed, the token is expired."))?;
    if !audience_ok(jwt.claim_str("aud").unwrap_or_default()) {
        return Err(Rejection::Token(
            "Access token validation failure. Invalid audience.",
        ));
    }

    let mut tx = state.store.read(tenant).await?;
    if tx.tenant().await?.state != TenantState::Active {
        return Err(invalid());
    }
    let oid: ObjectId = jwt
        .claim_str("oid")
        .and_then(|o| o.parse().ok())
        .ok_or_else(invalid)?;
    let gone = || Rejection::Token("The user or application no longer exists.");
    let client_app_id: Option<AppId> = jwt.claim_str("azp").and_then(|a| a.parse().ok());
    let words = |claim: &str| -> BTreeSet<String> {
        jwt.claim_str(claim)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    if jwt.claim_str("idtyp") == Some("app") {
        // App-only: the client's service principal must still exist and be enabled here.
        let app_id = client_app_id.ok_or_else(invalid)?;
        let sp = tx
            .service_principal_by_app_id(app_id)
            .await?
            .filter(|sp| sp.id == oid)
            .ok_or_else(gone)?;
        if !sp.account_enabled {
            return Err(Rejection::Token("The service principal is disabled."));
        }
        let roles = match jwt.claims.get("roles") {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => BTreeSet::new(),
        };
        return Ok(Caller {
            tenant,
            subject: Subject::App {
                service_principal_id: sp.id,
                app_id,
                display_name: sp.display_name,
            },
            scopes: BTreeSet::new(),
            roles,
            client_app_id,
        });
    }
    let user = match tx.user(oid).await {
        Ok(u) => u,
        Err(gatehouse_domain::Error::NotFound { .. }) => return Err(gone()),
        Err(e) => return Err(e.into()),
    };
    if !user.account_enabled {
        return Err(Rejection::Token("The user account is disabled."));
    }
    let issued = jwt
        .claims
        .get("auth_time")
        .or_else(|| jwt.claims.get("iat"))
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    if user
        .tokens_valid_from()
        .is_some_and(|v| v.unix_timestamp() > issued)
    {
        return Err(Rejection::Token(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    Ok(Caller {
        tenant,
        subject: Subject::User(Box::new(user)),
        scopes: words("scp"),
        roles: BTreeSet::new(),
        client_app_id,
    })
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Self::Token(m) => {
                GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", m)
                    .into_response()
            }
            Self::Service(e) => e.into_response(),
        }
    }
}
