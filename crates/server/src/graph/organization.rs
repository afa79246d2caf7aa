//! `/organization`: the tenant as Graph's `organization` object. Members (and `Organization.Read.All`
//! style permissions) read every property; guests and tokens with only `User.Read` read the id,
//! display name and verified domains, the rest `null`, as Graph does. Changes need
//! `organization/basic/update` (Global and Billing Administrators) with `Organization.ReadWrite.All`,
//! and are audited as "Update company" in the same transaction.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use gatehouse_domain::audit::{AuditCategory, AuditRecord, OperationType, TargetResource};
use gatehouse_domain::authz::{self, Ownership, Principal};
use gatehouse_domain::domain_name::Domain;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::organization::{self as org, OrganizationProfile, PrivacyProfile};
use gatehouse_domain::tenant::Tenant;
use gatehouse_domain::{Error, Result};
use serde_json::{Map, Value, json};

use super::application_json::{self as wire, datetime};
use super::applications::{body_changes, body_object, context_url, initiator, principal};
use super::auth::Caller;
use super::service_principals::with_context;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

const UPDATE: &str = "Update company";

/// Graph's `tenantType` of a workforce tenant.
const TENANT_TYPE: &str = "AAD";

/// Properties Graph computes or Gatehouse fixes at creation.
const READ_ONLY: &[&str] = &[
    "id",
    "deletedDateTime",
    "assignedPlans",
    "countryLetterCode",
    "createdDateTime",
    "mobileDeviceManagementAuthority",
    "onPremisesLastSyncDateTime",
    "onPremisesSyncEnabled",
    "partnerTenantType",
    "provisionedPlans",
    "tenantType",
    "verifiedDomains",
];

/// How much of the organization the caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Full,
    /// `id`, `displayName` and `verifiedDomains` only.
    Basic,
}

fn view(who: &Principal) -> Result<View> {
    match authz::decide(who, authz::ORGANIZATION_READ, Ownership::NotOwner) {
        Ok(_) => Ok(View::Full),
        Err(Error::Forbidden) => {
            authz::decide(who, authz::ORGANIZATION_BASIC_READ, Ownership::NotOwner)?;
            Ok(View::Basic)
        }
        Err(e) => Err(e),
    }
}

/// Graph `verifiedDomain` entries: the tenant's verified domains.
fn verified_domains(domains: &[Domain]) -> Value {
    domains
        .iter()
        .filter(|d| d.is_verified)
        .map(|d| {
            json!({
                "capabilities": d.capabilities(),
                "isDefault": d.is_default,
                "isInitial": d.is_initial,
                "name": d.name.as_str(),
                "type": d.authentication_type.as_str(),
            })
        })
        .collect()
}

fn privacy_json(p: &Option<PrivacyProfile>) -> Value {
    match p {
        None => Value::Null,
        Some(p) => json!({"contactEmail": p.contact_email, "statementUrl": p.statement_url}),
    }
}

/// Graph's `organization`.
fn organization_json(
    tenant: &Tenant,
    domains: &[Domain],
    profile: &OrganizationProfile,
    view: View,
) -> Value {
    let mut body = json!({
        "id": tenant.id.to_string(),
        "deletedDateTime": null,
        "assignedPlans": [],
        "businessPhones": profile.business_phones,
        "city": profile.city,
        "country": profile.country,
        "countryLetterCode": tenant.country_letter_code,
        "createdDateTime": datetime(tenant.created),
        "defaultUsageLocation": profile.default_usage_location,
        "displayName": tenant.display_name,
        "marketingNotificationEmails": profile.marketing_notification_emails,
        "onPremisesLastSyncDateTime": null,
        "onPremisesSyncEnabled": null,
        "postalCode": profile.postal_code,
        "preferredLanguage": profile.preferred_language,
        "privacyProfile": privacy_json(&profile.privacy_profile),
        "provisionedPlans": [],
        "securityComplianceNotificationMails": profile.security_compliance_notification_mails,
        "securityComplianceNotificationPhones": profile.security_compliance_notification_phones,
        "state": profile.state,
        "street": profile.street,
        "technicalNotificationMails": tenant.technical_notification_mails,
        "tenantType": TENANT_TYPE,
        "verifiedDomains": verified_domains(domains),
    });
    if view == View::Basic
        && let Value::Object(m) = &mut body
    {
        for (k, v) in m.iter_mut() {
            if !matches!(k.as_str(), "id" | "displayName" | "verifiedDomains") {
                *v = Value::Null;
            }
        }
    }
    body
}

/// The organization's editable state.
struct Editable {
    display_name: String,
    technical_notification_mails: Vec<String>,
    profile: OrganizationProfile,
}

fn opt_text(key: &str, v: &Value, max: usize) -> Result<Option<String>> {
    match wire::opt_string(key, v)? {
        None => Ok(None),
        Some(s) => org::text(key, &s, max),
    }
}

fn privacy_profile(key: &str, v: &Value) -> Result<Option<PrivacyProfile>> {
    let Some(m) = wire::object(key, v)? else {
        return Ok(None);
    };
    let mut p = PrivacyProfile::default();
    for (name, v) in m {
        match name.as_str() {
            "contactEmail" => {
                p.contact_email = wire::opt_string(name, v)?
                    .map(|s| org::email("privacyProfile", &s))
                    .transpose()?;
            }
            "statementUrl" => {
                p.statement_url = wire::opt_string(name, v)?
                    .map(|s| org::statement_url(&s))
                    .transpose()?;
            }
            other => return Err(unknown(other, "privacyProfile")),
        }
    }
    Ok(Some(p))
}

fn unknown(name: &str, ty: &str) -> Error {
    Error::invalid_property(
        name,
        format!("Property '{name}' does not exist on microsoft.graph.{ty} or cannot be set."),
    )
}

/// Applies a PATCH body; read-only and unknown properties are refused.
fn apply(e: &mut Editable, body: &Map<String, Value>) -> Result<()> {
    let p = &mut e.profile;
    for (key, v) in body {
        let k = key.as_str();
        match k {
            "displayName" => e.display_name = org::display_name(&wire::string(k, v)?)?,
            "technicalNotificationMails" => {
                e.technical_notification_mails = org::emails(k, &wire::strings(k, v)?)?;
            }
            "marketingNotificationEmails" => {
                p.marketing_notification_emails = org::emails(k, &wire::strings(k, v)?)?;
            }
            "securityComplianceNotificationMails" => {
                p.security_compliance_notification_mails = org::emails(k, &wire::strings(k, v)?)?;
            }
            "securityComplianceNotificationPhones" => {
                p.security_compliance_notification_phones = org::phones(k, &wire::strings(k, v)?)?;
            }
            "businessPhones" => p.business_phones = org::phones(k, &wire::strings(k, v)?)?,
            "city" => p.city = opt_text(k, v, 128)?,
            "country" => p.country = opt_text(k, v, 128)?,
            "postalCode" => p.postal_code = opt_text(k, v, 40)?,
            "state" => p.state = opt_text(k, v, 128)?,
            "street" => p.street = opt_text(k, v, 1024)?,
            "preferredLanguage" => {
                p.preferred_language = wire::opt_string(k, v)?
                    .map(|s| org::language(&s))
                    .transpose()?;
            }
            "defaultUsageLocation" => {
                p.default_usage_location = wire::opt_string(k, v)?
                    .map(|s| org::usage_location(&s))
                    .transpose()?;
            }
            "privacyProfile" => p.privacy_profile = privacy_profile(k, v)?,
            _ if READ_ONLY.contains(&k) => {
                return Err(Error::invalid_property(
                    k,
                    format!("Property '{k}' is read-only and cannot be set."),
                ));
            }
            _ if k.starts_with("@odata.") => {}
            _ => return Err(unknown(k, "organization")),
        }
    }
    Ok(())
}

/// `GET /organization`: a collection of exactly one, the caller's tenant.
pub async fn list(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    let view = view(&principal(&mut tx, &caller).await?)?;
    let entity = organization_json(
        &tx.tenant().await?,
        &tx.domains().await?,
        &tx.organization_profile().await?,
        view,
    );
    Ok(Json(json!({
        "@odata.context": context_url(&state, &uri, "organization"),
        "value": [entity],
    })))
}

/// The organization `id` addresses: the caller's own tenant, or `NotFound`.
fn own(caller: &Caller, id: &str) -> Result<()> {
    if id.eq_ignore_ascii_case(&caller.tenant.to_string()) {
        Ok(())
    } else {
        Err(Error::not_found(id.to_owned()))
    }
}

/// `GET /organization/{id}`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    own(&caller, &id)?;
    let mut tx = state.store.read(caller.tenant).await?;
    let view = view(&principal(&mut tx, &caller).await?)?;
    let entity = organization_json(
        &tx.tenant().await?,
        &tx.domains().await?,
        &tx.organization_profile().await?,
        view,
    );
    Ok(Json(with_context(
        &state,
        &uri,
        "organization/$entity",
        entity,
    )))
}

/// `PATCH /organization/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    own(&caller, &id)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::ORGANIZATION_UPDATE,
        Ownership::NotOwner,
    )?;
    let tenant = tx.tenant().await?;
    let mut editable = Editable {
        display_name: tenant.display_name.clone(),
        technical_notification_mails: tenant.technical_notification_mails.clone(),
        profile: tx.organization_profile().await?,
    };
    apply(&mut editable, &body)?;
    tx.update_organization(
        &proof,
        &editable.display_name,
        &editable.technical_notification_mails,
        &editable.profile,
    )
    .await?;
    let record = AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::DirectoryManagement,
        UPDATE,
        OperationType::Update,
        initiator(&caller),
        vec![TargetResource {
            id: tenant.id.to_string(),
            display_name: Some(editable.display_name.clone()),
            resource_type: "Company".into(),
            user_principal_name: None,
            modified_properties: body_changes(&body),
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id));
    tx.audit(&record).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
