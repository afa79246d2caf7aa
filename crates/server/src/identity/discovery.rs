//! OpenID Connect discovery, the JWKS, and the user-realm lookup MSAL makes before a password grant.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gatehouse_domain::Error;
use serde_json::{Value, json};

use super::authority::{self, Authority};
use super::keys::KeyDeps;
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

/// The issuer of a tenant's tokens: `{public-url}/{tenant-id}/v2.0`.
pub fn issuer(state: &AppState, tenant: &str) -> String {
    format!("{}/{tenant}/v2.0", state.instance.public_url)
}

pub fn key_deps(state: &AppState) -> KeyDeps<'_> {
    KeyDeps {
        store: &state.store,
        secrets: &state.secrets,
        clock: state.clock.as_ref(),
        random: state.random.as_ref(),
    }
}

fn cacheable(value: Value) -> Response {
    let mut response = Json(value).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`, in Entra's shape. Named tenants get their
/// own id in every URL and in the issuer; `common` and `organizations` keep their name in the URLs
/// and use Entra's `{tenantid}` placeholder issuer.
pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Response, OAuthError> {
    let authority = authority::resolve(&state, &tenant).await?;
    let base = format!("{}/{}", state.instance.public_url, authority.segment());
    let issuer = match authority {
        Authority::Tenant(id) => issuer(&state, &id.to_string()),
        Authority::Common | Authority::Organizations => issuer(&state, "{tenantid}"),
    };
    Ok(cacheable(json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{}/oidc/userinfo", state.instance.public_url),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name",
            "tid", "ver", "at_hash", "c_hash", "email"
        ],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })))
}

/// `GET /{tenant}/discovery/v2.0/keys`: the keys a tenant signs with (active, upcoming, recently
/// retired). For `common` and `organizations` there is no single tenant; they publish nothing.
pub async fn keys(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Response, OAuthError> {
    let keys = match authority::resolve(&state, &tenant).await? {
        Authority::Tenant(id) => {
            let iss = issuer(&state, &id.to_string());
            let published = state.keys.published(&key_deps(&state), id).await?;
            published.iter().map(|k| k.jwk(&iss)).collect::<Vec<_>>()
        }
        Authority::Common | Authority::Organizations => Vec::new(),
    };
    Ok(cacheable(json!({ "keys": keys })))
}

/// `GET /common/userrealm/{upn}?api-version=1.0`: how a user signs in. Every Gatehouse domain is
/// managed (cloud authentication); unknown domains are reported as `Unknown`, as Entra does.
pub async fn user_realm(
    State(state): State<AppState>,
    Path(upn): Path<String>,
) -> Result<Json<Value>, OAuthError> {
    let domain = upn
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let known = match authority::tenant_of_user(&state, &upn).await {
        Ok(t) => t.is_some(),
        Err(e @ (Error::Unavailable { .. } | Error::Internal { .. })) => return Err(e.into()),
        Err(_) => false,
    };
    Ok(Json(json!({
        "ver": "1.0",
        "account_type": if known { "Managed" } else { "Unknown" },
        "domain_name": domain,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    })))
}
