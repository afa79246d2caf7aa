//! `grant_type=client_credentials` at the token endpoint: a confidential client authenticates with
//! one of its client secrets (in the body, `client_secret_post`, or by HTTP Basic,
//! `client_secret_basic`) and receives an app-only Graph token for its service principal.

use std::collections::BTreeSet;

use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::catalog::graph_permissions;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::scope::GRAPH_RESOURCE_URI;
use gatehouse_store::TenantTx;
use subtle::ConstantTimeEq as _;

use super::authority::Authority;
use super::token::{Params, bad};
use super::tokens;
use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

fn invalid_client(code: u32, description: impl Into<String>) -> OAuthError {
    OAuthError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        code,
        description,
    )
}

fn malformed(why: &str) -> OAuthError {
    bad(
        "invalid_request",
        9002313,
        format!("Invalid request. Request is malformed or invalid. {why}"),
    )
}

/// Decodes one `application/x-www-form-urlencoded` component of a Basic credential (RFC 6749 §2.3.1).
fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `Authorization: Basic base64(urlencode(client_id):urlencode(secret))`, if present.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad_header = || malformed("The Authorization header is not a valid Basic credential.");
    let value = value.to_str().map_err(|_| bad_header())?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(bad_header());
    };
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad_header)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad_header)?;
    Ok(Some((
        form_decode(id).ok_or_else(bad_header)?,
        form_decode(secret).ok_or_else(bad_header)?,
    )))
}

/// The client id and the presented secret, from exactly one client authentication method.
fn client_authentication(
    p: &Params,
    headers: &HeaderMap,
) -> Result<(String, Option<String>), OAuthError> {
    let body_id = p.get("client_id").filter(|v| !v.is_empty());
    let body_secret = p.get("client_secret").filter(|v| !v.is_empty());
    match basic_credentials(headers)? {
        Some((id, secret)) => {
            if body_secret.is_some() || p.contains_key("client_assertion") {
                return Err(malformed(
                    "The client must use only one authentication method: the Authorization header or the request body.",
                ));
            }
            if body_id.is_some_and(|b| *b != id) {
                return Err(malformed(
                    "The client_id in the request body does not match the Authorization header.",
                ));
            }
            Ok((id, Some(secret).filter(|s| !s.is_empty())))
        }
        None => {
            let id = body_id.cloned().ok_or_else(|| {
                bad(
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'client_id'.",
                )
            })?;
            Ok((id, body_secret.cloned()))
        }
    }
}

/// The one `{resource}/.default` scope of a client credentials request; Graph is the only resource.
fn check_scope(tenant: &str, p: &Params) -> Result<(), OAuthError> {
    let raw = p.get("scope").map(String::as_str).unwrap_or_default();
    let invalid = |x: &str| {
        bad(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {x} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        )
    };
    let mut words = raw.split_whitespace();
    let (Some(scope), None) = (words.next(), words.next()) else {
        return Err(invalid(raw.trim()));
    };
    let resource = scope
        .strip_suffix("/.default")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| invalid(scope))?;
    let resource = resource.trim_end_matches('/');
    let graph = resource.eq_ignore_ascii_case(GRAPH_RESOURCE_URI)
        || resource.eq_ignore_ascii_case(&MICROSOFT_GRAPH.to_string());
    if !graph {
        return Err(bad(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {tenant}."
            ),
        ));
    }
    Ok(())
}

pub async fn grant(
    state: &AppState,
    authority: Authority,
    p: &Params,
    headers: &HeaderMap,
) -> Result<serde_json::Value, OAuthError> {
    let (client_id, secret) = client_authentication(p, headers)?;
    let tenant = match authority {
        Authority::Tenant(id) => id,
        Authority::Common | Authority::Organizations => {
            let name = if matches!(authority, Authority::Common) {
                "common"
            } else {
                "organizations"
            };
            return Err(bad(
                "invalid_request",
                900023,
                format!(
                    "Specified tenant identifier '{name}' is not valid for the client credentials flow. Use a tenant id or a verified domain name in the authority."
                ),
            ));
        }
    };
    check_scope(&tenant.to_string(), p)?;
    let not_found = || {
        bad(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        )
    };
    let app_id: AppId = client_id.parse().map_err(|_| not_found())?;
    let Some(secret) = secret else {
        if p.contains_key("client_assertion") {
            return Err(invalid_client(
                7000218,
                "Client assertions (private_key_jwt) are not supported yet; authenticate with 'client_secret'.",
            ));
        }
        return Err(invalid_client(
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ));
    };
    // The signer first: creating a tenant's first key takes a write transaction of its own.
    let signer = tokens::signer(state, tenant).await?;
    let presented = state.secrets.keyed_hash(&secret);
    let now = state.clock.now();
    let mut tx = state.store.read(tenant).await?;
    let app = tx
        .application_by_app_id(app_id)
        .await?
        .ok_or_else(not_found)?;
    let sp = tx
        .service_principal_by_app_id(app_id)
        .await?
        .ok_or_else(|| {
            bad(
                "unauthorized_client",
                7000229,
                format!(
                    "The client application {app_id} is missing service principal in the tenant {tenant}."
                ),
            )
        })?;
    if !sp.account_enabled {
        return Err(bad(
            "unauthorized_client",
            7000112,
            format!("Application '{app_id}'({}) is disabled.", app.display_name),
        ));
    }
    // Compare against every stored hash, in constant time, without stopping at a match.
    let (mut valid, mut expired) = (false, false);
    for (credential, stored) in tx.password_credential_hashes(app.id).await? {
        let matches = bool::from(presented.as_bytes().ct_eq(stored.as_bytes()));
        valid |= matches && credential.start <= now && now < credential.end;
        expired |= matches && credential.end <= now;
    }
    let roles = graph_roles(&mut tx, sp.id).await?;
    drop(tx);
    if !valid {
        return Err(if expired {
            invalid_client(
                7000222,
                format!("The provided client secret keys for app '{app_id}' are expired."),
            )
        } else {
            invalid_client(
                7000215,
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app_id}'."
                ),
            )
        });
    }
    Ok(tokens::issue_app_token(state, &signer, tenant, app_id, sp.id, &roles).to_json())
}

/// The values of Microsoft Graph's application permissions assigned to the service principal
/// `client` (the token's `roles`), sorted, without duplicates.
async fn graph_roles<M>(tx: &mut TenantTx<M>, client: ObjectId) -> Result<Vec<String>, OAuthError> {
    let Some(graph) = tx
        .service_principal_by_app_id(AppId::from_uuid(MICROSOFT_GRAPH))
        .await?
    else {
        return Ok(Vec::new());
    };
    let roles: BTreeSet<String> = tx
        .app_role_assignments_of_principal(client)
        .await?
        .iter()
        .filter(|a| a.resource_id == graph.id)
        .filter_map(|a| {
            graph_permissions::APPLICATION
                .iter()
                .find(|p| p.id == a.app_role_id)
        })
        .map(|p| p.value.to_owned())
        .collect();
    Ok(roles.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("my%3Aclient:s%2Bc+r%25t~");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {encoded}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers).unwrap(),
            Some(("my:client".to_owned(), "s+c r%t~".to_owned()))
        );
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
    }
}
