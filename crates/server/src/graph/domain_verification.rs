//! Domain ownership: `GET /domains/{name}/verificationDnsRecords` (the `MS=ms########` TXT record,
//! and the MX record Entra offers beside it) and `POST /domains/{name}/verify`, which looks the TXT
//! record up through the configured resolver (`dns.rs`) and verifies the domain, and the subdomains
//! of it the tenant holds, when it is there. A name another tenant verified stays theirs.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use gatehouse_domain::audit::OperationType;
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::domain_name::Domain;
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::{Error, Result};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::applications::{change, context_url, principal};
use super::auth::Caller;
use super::domains::{audit, domain_json, path_name};
use super::service_principals::with_context;
use crate::http::graph_error::GraphError;
use crate::state::AppState;

const VERIFY: &str = "Verify domain";
/// The TTL Entra suggests for its verification records.
const TTL: u32 = 3600;
/// The MX record's preference: the lowest priority, so it never receives mail.
const MX_PREFERENCE: u32 = 32767;

/// A stable id for one verification record of the domain in the tenant.
fn record_id(tenant: TenantId, domain: &Domain, kind: &str) -> String {
    let digest = Sha256::digest(format!(
        "{tenant}|{}|{}|{kind}",
        domain.name,
        domain.verification_code.as_deref().unwrap_or_default()
    ));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Graph `domainDnsTxtRecord` and `domainDnsMxRecord` for the domain (none for the initial domain,
/// which needs no proof).
fn records(tenant: TenantId, domain: &Domain) -> Vec<Value> {
    let (Some(text), Some(exchange)) = (
        domain.verification_text(),
        domain.verification_mail_exchange(),
    ) else {
        return Vec::new();
    };
    vec![
        json!({
            "@odata.type": "#microsoft.graph.domainDnsTxtRecord",
            "id": record_id(tenant, domain, "Txt"),
            "isOptional": false,
            "label": domain.name.as_str(),
            "recordType": "Txt",
            "supportedService": "Email",
            "ttl": TTL,
            "text": text,
        }),
        json!({
            "@odata.type": "#microsoft.graph.domainDnsMxRecord",
            "id": record_id(tenant, domain, "Mx"),
            "isOptional": false,
            "label": domain.name.as_str(),
            "recordType": "Mx",
            "supportedService": "Email",
            "ttl": TTL,
            "mailExchange": exchange,
            "preference": MX_PREFERENCE,
        }),
    ]
}

/// `GET /domains/{name}/verificationDnsRecords`.
pub async fn verification_records(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let name = path_name(&name)?;
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DOMAINS_READ,
        Ownership::NotOwner,
    )?;
    let domain = tx.domain(&name).await?;
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, &format!("domains('{name}')/verificationDnsRecords")),
        "value": records(caller.tenant, &domain),
    })))
}

fn in_use() -> Error {
    Error::conflict("The domain is already in use by another tenant.")
}

/// `POST /domains/{name}/verify`. The DNS lookup happens between two transactions, never inside
/// the write one.
pub async fn verify(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let name = path_name(&name)?;
    let respond = |d: &Domain| {
        Json(with_context(
            &state,
            &uri,
            "domains/$entity",
            domain_json(d, Some("AvailableImmediately")),
        ))
    };
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DOMAINS_UPDATE,
        Ownership::NotOwner,
    )?;
    let domain = tx.domain(&name).await?;
    if domain.is_verified {
        return Ok(respond(&domain));
    }
    let mut claimed = domain.parents();
    claimed.push(name.clone());
    if tx.verified_elsewhere(&claimed).await? {
        return Err(in_use().into());
    }
    drop(tx);

    let found = state.dns.txt(&name).await?;
    if !found.iter().any(|txt| domain.is_proved_by(txt)) {
        return Err(Error::precondition(
            "Domain verification failed. The DNS record was not found.",
        )
        .into());
    }

    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DOMAINS_UPDATE,
        Ownership::NotOwner,
    )?;
    let mut domain = tx.domain(&name).await?;
    if domain.is_verified {
        return Ok(respond(&domain));
    }
    if tx.verified_elsewhere(&claimed).await? {
        return Err(in_use().into());
    }
    domain.is_verified = true;
    domain.is_root = true;
    tx.update_domain(&proof, &domain).await?;
    let mut changes = vec![change("IsVerified", &json!(true))];
    for mut sub in tx.domains().await? {
        let covered = !sub.is_verified && sub.name != name && sub.name.is_within(&name);
        if covered
            && !tx
                .verified_elsewhere(std::slice::from_ref(&sub.name))
                .await?
        {
            sub.is_verified = true;
            sub.is_root = false;
            tx.update_domain(&proof, &sub).await?;
            changes.push(change("VerifiedSubdomain", &json!(sub.name.as_str())));
        }
    }
    tx.audit(&audit(
        &state,
        &caller,
        &name,
        VERIFY,
        OperationType::Update,
        changes,
    ))
    .await?;
    tx.commit().await?;
    Ok(respond(&domain))
}
