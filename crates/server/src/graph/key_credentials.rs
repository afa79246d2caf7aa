//! Certificates of `/applications` (Graph `keyCredential`): `keyCredentials` in the application's
//! JSON (never with the `key`), set by POST/PATCH, and the `addKey` / `removeKey` actions, which need
//! a proof of possession: a JWT signed by one of the app's valid certificates, `aud`
//! `00000002-0000-0000-c000-000000000000`, `iss` the application's object id, at most 10 minutes
//! between `nbf` and `exp`. Every change is decided by `authz::decide` and audited in the same
//! transaction.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gatehouse_domain::application::{
    Application, KEY_CREDENTIAL_TYPE, KEY_CREDENTIAL_USAGE, KeyCredential,
};
use gatehouse_domain::audit::{ModifiedProperty, OperationType};
use gatehouse_domain::authz::{self, Proof};
use gatehouse_domain::random::Random;
use gatehouse_domain::{Error, Result};
use gatehouse_store::{TenantTx, Write};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::application_json::{self as wire, datetime};
use super::applications::{SECRETS, audit, body_object, context_url, principal, target};
use super::auth::Caller;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::identity::certificate;
use crate::identity::jwt;
use crate::state::AppState;

const TARGET: &str = "keyCredentials";
/// The audience of `addKey`/`removeKey` proofs (the Azure AD Graph app id, as Microsoft Graph asks).
pub const PROOF_AUDIENCE: &str = "00000002-0000-0000-c000-000000000000";
/// The longest a proof may be valid.
const PROOF_LIFETIME_S: i64 = 10 * 60;
/// Graph shortens display names to this many characters.
const DISPLAY_NAME_MAX: usize = 90;

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid_property(TARGET, message)
}

/// A `keyCredential` as Graph shows it: `key` is never returned.
pub fn json(c: &KeyCredential) -> Value {
    json!({
        "customKeyIdentifier": STANDARD.encode(&c.custom_key_identifier),
        "displayName": c.display_name,
        "endDateTime": datetime(c.end),
        "key": null,
        "keyId": c.key_id.to_string(),
        "startDateTime": datetime(c.start),
        "type": KEY_CREDENTIAL_TYPE,
        "usage": KEY_CREDENTIAL_USAGE,
    })
}

/// A new certificate from a `keyCredential` object: `key` (base64 DER) is required and must be a
/// current RSA certificate; the dates come from the certificate; `displayName` defaults to its
/// subject and `customKeyIdentifier` to its SHA-1 thumbprint.
pub fn parse_new(
    m: &Map<String, Value>,
    key_id: Uuid,
    now: OffsetDateTime,
) -> Result<KeyCredential> {
    let field = |k: &str| m.get(k).unwrap_or(&Value::Null);
    match field("type") {
        Value::Null => {}
        Value::String(t) if t == KEY_CREDENTIAL_TYPE => {}
        _ => {
            return Err(invalid(format!(
                "Only key credentials of type '{KEY_CREDENTIAL_TYPE}' are supported."
            )));
        }
    }
    match field("usage") {
        Value::Null => {}
        Value::String(u) if u == KEY_CREDENTIAL_USAGE => {}
        _ => {
            return Err(invalid(format!(
                "Only key credentials with usage '{KEY_CREDENTIAL_USAGE}' are supported."
            )));
        }
    }
    let der = match field("key") {
        Value::String(k) => STANDARD
            .decode(k.trim())
            .map_err(|_| invalid("Invalid certificate: Key value is invalid certificate"))?,
        _ => {
            return Err(invalid(
                "Key credential 'key' is required: a base64 DER certificate.",
            ));
        }
    };
    let cert = certificate::parse(&der).map_err(|e| match e {
        certificate::CertificateError::Malformed => {
            invalid("Invalid certificate: Key value is invalid certificate")
        }
        certificate::CertificateError::UnsupportedKey => invalid(
            "Invalid certificate: the certificate's key must be an RSA key of at least 2048 bits.",
        ),
    })?;
    if cert.not_after <= now {
        return Err(invalid(
            "Key credential end date is invalid: the certificate has expired.",
        ));
    }
    let display_name = match field("displayName") {
        Value::Null => cert.subject.clone(),
        v => wire::string("keyCredentials.displayName", v)?,
    };
    let custom_key_identifier = match field("customKeyIdentifier") {
        Value::Null => cert.sha1.clone(),
        Value::String(s) => STANDARD
            .decode(s)
            .ok()
            .filter(|b| !b.is_empty() && b.len() <= 40)
            .ok_or_else(|| {
                invalid("Invalid customKeyIdentifier: expected base64 of at most 40 bytes.")
            })?,
        _ => {
            return Err(invalid(
                "Invalid customKeyIdentifier: expected a base64 string.",
            ));
        }
    };
    Ok(KeyCredential {
        key_id,
        display_name: Some(display_name.chars().take(DISPLAY_NAME_MAX).collect()),
        custom_key_identifier,
        start: cert.not_before,
        end: cert.not_after,
        certificate: der,
    })
}

fn description(c: &KeyCredential) -> Value {
    json!(format!(
        "[KeyIdentifier={}, KeyType={KEY_CREDENTIAL_TYPE}, KeyUsage={KEY_CREDENTIAL_USAGE}, DisplayName={}]",
        c.key_id,
        c.display_name.as_deref().unwrap_or_default()
    ))
}

/// The audit changes of adding `added` and removing `removed`.
fn changes(added: &[KeyCredential], removed: &[KeyCredential]) -> Vec<ModifiedProperty> {
    let list = |cs: &[KeyCredential]| {
        (!cs.is_empty()).then(|| json!(cs.iter().map(description).collect::<Vec<_>>()).to_string())
    };
    vec![ModifiedProperty {
        display_name: "KeyDescription".into(),
        old_value: list(removed),
        new_value: list(added),
    }]
}

/// Replaces an application's certificates with the `keyCredentials` collection of a POST or PATCH
/// body: entries with a `key` are new certificates; entries without one keep the existing
/// certificate with that `keyId`; the others are removed. Returns the audit change.
pub async fn replace(
    tx: &mut TenantTx<Write>,
    proof: &Proof,
    app: &Application,
    value: &Value,
    random: &dyn Random,
    now: OffsetDateTime,
) -> Result<Vec<ModifiedProperty>> {
    let items = match value {
        Value::Null => &[][..],
        Value::Array(items) => items.as_slice(),
        _ => {
            return Err(invalid(
                "Invalid value for property 'keyCredentials': expected an array.",
            ));
        }
    };
    let existing = tx.key_credentials(app.id).await?;
    let (mut kept, mut added) = (Vec::new(), Vec::new());
    for item in items {
        let m = item
            .as_object()
            .ok_or_else(|| invalid("Each key credential must be an object."))?;
        let key_id = match m.get("keyId") {
            None | Some(Value::Null) => None,
            Some(v) => Some(wire::guid("keyCredentials.keyId", v)?),
        };
        let has_key = m.get("key").is_some_and(|k| !k.is_null());
        match (
            has_key,
            key_id.and_then(|id| existing.iter().find(|c| c.key_id == id)),
        ) {
            (false, Some(current)) => kept.push(current.key_id),
            (false, None) => {
                return Err(invalid(
                    "Key credential 'key' is required: a base64 DER certificate.",
                ));
            }
            (true, current) => {
                let id = match (key_id, current) {
                    (Some(id), None) => id,
                    _ => random.uuid(),
                };
                added.push(parse_new(m, id, now)?);
            }
        }
    }
    let removed: Vec<KeyCredential> = existing
        .into_iter()
        .filter(|c| !kept.contains(&c.key_id))
        .collect();
    for c in &removed {
        tx.delete_key_credential(proof, app.id, c.key_id).await?;
    }
    for c in &added {
        tx.insert_key_credential(proof, app.id, c).await?;
    }
    Ok(if added.is_empty() && removed.is_empty() {
        Vec::new()
    } else {
        changes(&added, &removed)
    })
}

/// Checks an `addKey`/`removeKey` proof against the app's currently valid certificates.
fn check_proof(
    app: &Application,
    existing: &[KeyCredential],
    proof: &Value,
    now: OffsetDateTime,
) -> Result<()> {
    let valid: Vec<KeyCredential> = existing
        .iter()
        .filter(|c| c.start <= now && now < c.end)
        .cloned()
        .collect();
    if valid.is_empty() {
        return Err(invalid(
            "The application has no valid certificate to prove possession of; add the first certificate with PATCH keyCredentials.",
        ));
    }
    let bad_proof = |why: &str| Error::invalid_property("proof", format!("Invalid proof: {why}."));
    let token = proof
        .as_str()
        .ok_or_else(|| bad_proof("a signed JWT is required"))?;
    let jwt = jwt::parse_with(token, certificate::ALGORITHMS)
        .map_err(|_| bad_proof("not a well-formed signed JWT"))?;
    let (cert, _) = certificate::named_by(&jwt.header, &valid)
        .ok_or_else(|| bad_proof("it is not signed by a valid certificate of the application"))?;
    let (input, signature) = jwt.signed();
    if !cert.verify(&jwt.header.alg, input, signature) {
        return Err(bad_proof("the signature does not verify"));
    }
    jwt.validate_audience(&[PROOF_AUDIENCE])
        .map_err(|_| bad_proof(&format!("'aud' must be '{PROOF_AUDIENCE}'")))?;
    jwt.validate_issuer(&app.id.to_string())
        .map_err(|_| bad_proof("'iss' must be the application's object id"))?;
    jwt.validate_times(now, 0)
        .map_err(|_| bad_proof("it is expired or not yet valid"))?;
    let (nbf, exp) = (jwt.claim_time("nbf"), jwt.claim_time("exp"));
    if !matches!((nbf, exp), (Some(nbf), Some(exp)) if exp - nbf <= PROOF_LIFETIME_S) {
        return Err(bad_proof(
            "'nbf' and 'exp' must be at most 10 minutes apart",
        ));
    }
    Ok(())
}

/// `POST /applications/{id}/addKey`.
pub async fn add_key(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<Json<Value>, GraphError> {
    let body = body_object(body)?;
    if body.get("passwordCredential").is_some_and(|p| !p.is_null()) {
        return Err(Error::invalid_property(
            "passwordCredential",
            "Adding a password credential with addKey is not supported; use addPassword.",
        )
        .into());
    }
    let requested = body
        .get("keyCredential")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::invalid_property("keyCredential", "keyCredential is required."))?;
    let now = state.clock.now();
    let mut tx = state.store.write(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::APPLICATIONS_CREDENTIALS_UPDATE,
        ownership,
    )?;
    let existing = tx.key_credentials(app.id).await?;
    check_proof(
        &app,
        &existing,
        body.get("proof").unwrap_or(&Value::Null),
        now,
    )?;
    let credential = parse_new(requested, state.random.uuid(), now)?;
    tx.insert_key_credential(&proof, app.id, &credential)
        .await?;
    let record = audit(
        &state,
        &caller,
        &app,
        SECRETS,
        OperationType::Update,
        changes(std::slice::from_ref(&credential), &[]),
    );
    tx.audit(&record).await?;
    tx.commit().await?;
    let mut response = Map::new();
    response.insert(
        "@odata.context".into(),
        json!(context_url(&state, &uri, "microsoft.graph.keyCredential")),
    );
    if let Value::Object(m) = json(&credential) {
        response.extend(m);
    }
    Ok(Json(Value::Object(response)))
}

/// `POST /applications/{id}/removeKey`.
pub async fn remove_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let key_id = wire::guid("keyId", body.get("keyId").unwrap_or(&Value::Null))?;
    let now = state.clock.now();
    let mut tx = state.store.write(caller.tenant).await?;
    let (app, ownership) = target(&mut tx, &caller, &id).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::APPLICATIONS_CREDENTIALS_UPDATE,
        ownership,
    )?;
    let existing = tx.key_credentials(app.id).await?;
    let Some(credential) = existing.iter().find(|c| c.key_id == key_id).cloned() else {
        return Err(Error::invalid_property(
            "keyId",
            format!("No key credential with keyId '{key_id}' exists on the application."),
        )
        .into());
    };
    check_proof(
        &app,
        &existing,
        body.get("proof").unwrap_or(&Value::Null),
        now,
    )?;
    tx.delete_key_credential(&proof, app.id, key_id).await?;
    let record = audit(
        &state,
        &caller,
        &app,
        SECRETS,
        OperationType::Update,
        changes(&[], std::slice::from_ref(&credential)),
    );
    tx.audit(&record).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
