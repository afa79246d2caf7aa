//! `/domains`: the tenant's domains, addressed by name. Members and guests read them; adding,
//! changing and deleting need a `domains` right (Global and Domain Name Administrators) with
//! `Domain.ReadWrite.All`. Every change is audited in `DirectoryManagement` in the same transaction.
//! Verification and its DNS records are in `domain_verification.rs`.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use gatehouse_domain::application::Application;
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::domain_name::{self as dn, AuthenticationType, Domain, DomainName};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::user::User;
use gatehouse_domain::{Error, Result};
use gatehouse_store::TenantTx;
use serde_json::{Map, Value, json};

use super::application_json as wire;
use super::applications::{body_changes, body_object, change, context_url, initiator, principal};
use super::auth::Caller;
use super::service_principals::with_context;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

const ADD_UNVERIFIED: &str = "Add unverified domain";
const ADD_VERIFIED: &str = "Add verified domain";
const UPDATE: &str = "Update domain";
const SET_AUTHENTICATION: &str = "Set domain authentication";
const REMOVE_UNVERIFIED: &str = "Remove unverified domain";
const REMOVE_VERIFIED: &str = "Remove verified domain";

/// Properties of `domain` that Graph computes.
const READ_ONLY: &[&str] = &[
    "id",
    "availabilityStatus",
    "isAdminManaged",
    "isInitial",
    "isRoot",
    "isVerified",
    "state",
];

/// Graph's `domain`; `availability` is `availabilityStatus`, set only in the verify response.
pub(crate) fn domain_json(d: &Domain, availability: Option<&str>) -> Value {
    json!({
        "authenticationType": d.authentication_type.as_str(),
        "availabilityStatus": availability,
        "id": d.name.as_str(),
        "isAdminManaged": true,
        "isDefault": d.is_default,
        "isInitial": d.is_initial,
        "isRoot": d.is_root,
        "isVerified": d.is_verified,
        "passwordNotificationWindowInDays": d.password_notification_window_in_days,
        "passwordValidityPeriodInDays": d.password_validity_period_in_days,
        "state": null,
        "supportedServices": d.supported_services,
    })
}

/// The domain a path segment names; a name that cannot be a domain does not exist.
pub(crate) fn path_name(raw: &str) -> Result<DomainName> {
    DomainName::parse(raw).map_err(|_| Error::not_found(raw.to_owned()))
}

/// The audit record of a change to the domain `name`.
pub(crate) fn audit(
    state: &AppState,
    caller: &Caller,
    name: &DomainName,
    activity: &str,
    operation: OperationType,
    changes: Vec<ModifiedProperty>,
) -> AuditRecord {
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::DirectoryManagement,
        activity,
        operation,
        initiator(caller),
        vec![TargetResource {
            id: name.to_string(),
            display_name: Some(name.to_string()),
            resource_type: "Domain".into(),
            user_principal_name: None,
            modified_properties: changes,
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id))
}

/// Whether an application identifier URI's host is `name`.
fn names_domain(uri: &str, name: &DomainName) -> bool {
    let host = uri
        .split_once("://")
        .map_or(uri, |(_, rest)| rest)
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or_default();
    host.eq_ignore_ascii_case(name.as_str())
}

/// The objects that name the domain: users by their user principal name, applications by an
/// identifier URI.
async fn references<M>(
    tx: &mut TenantTx<M>,
    name: &DomainName,
) -> Result<(Vec<User>, Vec<Application>)> {
    let users = tx.users_on_domain(name).await?;
    let apps = tx
        .applications()
        .await?
        .into_iter()
        .filter(|a| a.identifier_uris.iter().any(|u| names_domain(u, name)))
        .collect();
    Ok((users, apps))
}

/// `GET /domains`.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DOMAINS_READ,
        Ownership::NoTarget,
    )?;
    let value: Vec<Value> = tx
        .domains()
        .await?
        .iter()
        .map(|d| domain_json(d, None))
        .collect();
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "domains"),
        "value": value,
    })))
}

/// `GET /domains/{name}`.
pub async fn read(
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
    Ok(Json(with_context(
        &state,
        &uri,
        "domains/$entity",
        domain_json(&domain, None),
    )))
}

/// `POST /domains`: adds a custom domain, unverified unless a verified domain of the tenant is its
/// parent. Names under the instance's initial-domain suffix are reserved.
pub async fn create(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DOMAINS_CREATE,
        Ownership::NoTarget,
    )?;
    let mut requested = None;
    for (key, v) in &body {
        match key.as_str() {
            "id" => requested = Some(wire::string(key, v)?),
            k if k.starts_with("@odata.") => {}
            k => {
                return Err(Error::invalid_property(
                    k,
                    format!("Property '{k}' cannot be set when a domain is added."),
                )
                .into());
            }
        }
    }
    let Some(requested) = requested else {
        return Err(Error::invalid_property("id", "The domain name (id) is required.").into());
    };
    let name = DomainName::parse(&requested)?;
    let suffix = &state.instance.initial_domain_suffix;
    if name.is_within(suffix) {
        return Err(Error::invalid_property(
            "id",
            format!(
                "Domains under '{suffix}' are reserved for initial domains and cannot be added."
            ),
        )
        .into());
    }
    let existing = tx.domains().await?;
    if existing.iter().any(|d| d.name == name) {
        return Err(Error::conflict(format!(
            "The domain '{name}' already exists in this tenant."
        ))
        .into());
    }
    let candidate = Domain::custom(name, false, state.random.as_ref());
    let parents = candidate.parents();
    let parent_verified = existing
        .iter()
        .any(|d| d.is_verified && parents.contains(&d.name));
    let domain = Domain {
        is_verified: parent_verified,
        ..candidate
    };
    tx.add_domain(&proof, &domain, state.clock.now())
        .await
        .map_err(|e| match e {
            Error::Conflict { .. } => {
                Error::conflict("The domain is already in use by another tenant.")
            }
            other => other,
        })?;
    let activity = if domain.is_verified {
        ADD_VERIFIED
    } else {
        ADD_UNVERIFIED
    };
    let changes = vec![change("Name", &json!(domain.name.as_str()))];
    tx.audit(&audit(
        &state,
        &caller,
        &domain.name,
        activity,
        OperationType::Add,
        changes,
    ))
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(with_context(
            &state,
            &uri,
            "domains/$entity",
            domain_json(&domain, None),
        )),
    ))
}

fn days(key: &str, v: &Value) -> Result<i32> {
    v.as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| {
            Error::invalid_property(
                key,
                format!("Invalid value for property '{key}': expected an integer."),
            )
        })
}

/// Applies a PATCH body to `d`; returns whether `isDefault: true` was asked for.
fn apply(d: &mut Domain, body: &Map<String, Value>) -> Result<bool> {
    let mut make_default = false;
    for (key, v) in body {
        let k = key.as_str();
        match k {
            "isDefault" => match wire::opt_bool(k, v)? {
                Some(true) => {
                    d.check_may_be_default()?;
                    make_default = !d.is_default;
                }
                Some(false) if d.is_default => {
                    return Err(Error::invalid_property(
                        k,
                        "A tenant always has a default domain: make another verified domain the default instead.",
                    ));
                }
                _ => {}
            },
            "supportedServices" => {
                d.supported_services = dn::supported_services(&wire::strings(k, v)?)?;
            }
            "passwordValidityPeriodInDays" => d.password_validity_period_in_days = days(k, v)?,
            "passwordNotificationWindowInDays" => {
                d.password_notification_window_in_days = days(k, v)?;
            }
            "authenticationType" => {
                if AuthenticationType::parse(&wire::string(k, v)?)? == AuthenticationType::Federated
                {
                    return Err(Error::invalid_property(
                        k,
                        "Federated domains are not supported: Gatehouse authenticates every domain itself (Managed).",
                    ));
                }
                d.authentication_type = AuthenticationType::Managed;
            }
            _ if READ_ONLY.contains(&k) => {
                return Err(Error::invalid_property(
                    k,
                    format!("Property '{k}' is read-only and cannot be set."),
                ));
            }
            _ if k.starts_with("@odata.") => {}
            _ => {
                return Err(Error::invalid_property(
                    k,
                    format!(
                        "Property '{k}' does not exist on microsoft.graph.domain or cannot be set."
                    ),
                ));
            }
        }
    }
    dn::password_policy(
        d.password_validity_period_in_days,
        d.password_notification_window_in_days,
    )?;
    Ok(make_default)
}

/// `PATCH /domains/{name}`: `isDefault` (verified domains only), `supportedServices`, the password
/// policy, and `authenticationType` (Managed only).
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let name = path_name(&name)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DOMAINS_UPDATE,
        Ownership::NotOwner,
    )?;
    let mut domain = tx.domain(&name).await?;
    let make_default = apply(&mut domain, &body)?;
    tx.update_domain(&proof, &domain).await?;
    if make_default {
        tx.set_default_domain(&proof, &name).await?;
    }
    let activity = if body.contains_key("authenticationType") {
        SET_AUTHENTICATION
    } else {
        UPDATE
    };
    tx.audit(&audit(
        &state,
        &caller,
        &name,
        activity,
        OperationType::Update,
        body_changes(&body),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /domains/{name}`: refused for the initial and the default domain, while subdomains
/// verified through it remain, and while users or applications name it.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<StatusCode, GraphError> {
    let name = path_name(&name)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::DOMAINS_DELETE,
        Ownership::NotOwner,
    )?;
    let domain = tx.domain(&name).await?;
    let subdomains = tx
        .domains()
        .await?
        .iter()
        .filter(|d| d.name != name && d.name.is_within(&name) && d.is_verified && !d.is_root)
        .count();
    let (users, apps) = references(&mut tx, &name).await?;
    domain.check_delete(subdomains, users.len() + apps.len())?;
    tx.delete_domain(&proof, &name).await?;
    let activity = if domain.is_verified {
        REMOVE_VERIFIED
    } else {
        REMOVE_UNVERIFIED
    };
    tx.audit(&audit(
        &state,
        &caller,
        &name,
        activity,
        OperationType::Delete,
        Vec::new(),
    ))
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /domains/{name}/domainNameReferences`: the users and applications that name the domain.
pub async fn name_references(
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
    tx.domain(&name).await?;
    let (users, apps) = references(&mut tx, &name).await?;
    let mut value: Vec<Value> = users
        .iter()
        .map(|u| {
            json!({
                "@odata.type": "#microsoft.graph.user",
                "id": u.id.to_string(),
                "displayName": u.display_name,
                "userPrincipalName": u.user_principal_name.to_string(),
            })
        })
        .collect();
    value.extend(apps.iter().map(|a| {
        json!({
            "@odata.type": "#microsoft.graph.application",
            "id": a.id.to_string(),
            "appId": a.app_id.to_string(),
            "displayName": a.display_name,
            "identifierUris": a.identifier_uris,
        })
    }));
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "directoryObjects"),
        "value": value,
    })))
}
