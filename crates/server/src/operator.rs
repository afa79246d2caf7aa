//! The instance operator API (Gatehouse extension): `/_gatehouse/tenants`. Operators are a realm of
//! their own, authenticated by the instance operator key (`Authorization: Bearer <key>`).

use axum::Json;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gatehouse_domain::audit::Initiator;
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::tenant::{self, NewTenant, TokenAlgorithm};
use gatehouse_store::TenantSummary;
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::services::tenants::{self as service, CreateTenant};
use crate::state::AppState;

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/tenants", get(list).post(create))
        .route("/tenants/{id}", get(read).patch(update).delete(remove))
        .route("/tenants/{id}/restore", post(restore))
        .route_layer(from_fn_with_state(state, authenticate))
}

fn operator() -> Initiator {
    Initiator::instance("Gatehouse instance operator")
}

/// Only a caller presenting the operator key gets through; the comparison is constant-time.
async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let message = match presented {
        None => "Access token is empty.",
        Some(key)
            if state
                .secrets
                .verify_keyed_hash(key, &state.instance.operator_key_hash) =>
        {
            return next.run(req).await;
        }
        Some(_) => "The operator key is not valid.",
    };
    let mut response = GraphError::unauthenticated(message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"gatehouse-operator\""),
    );
    response
}

fn parse_id(id: &str) -> Result<TenantId, GraphError> {
    id.parse().map_err(GraphError::from)
}

fn tenant_json(s: &TenantSummary) -> Value {
    let t = &s.tenant;
    json!({
        "id": t.id.to_string(),
        "displayName": t.display_name,
        "tenantType": "AAD",
        "defaultDomain": s.default_domain,
        "countryLetterCode": t.country_letter_code,
        "state": t.state.as_str(),
        "securityDefaultsEnabled": t.security_defaults_enabled,
        "graphTokenAlgorithm": t.graph_token_algorithm.as_str(),
        "technicalNotificationMails": t.technical_notification_mails,
        "createdDateTime": t.created.format(&Rfc3339).ok(),
        "deletedDateTime": t.deleted.and_then(|d| d.format(&Rfc3339).ok()),
    })
}

async fn list(State(state): State<AppState>) -> Result<Json<Value>, GraphError> {
    let tenants = service::list(&state).await?;
    Ok(Json(
        json!({ "value": tenants.iter().map(tenant_json).collect::<Vec<_>>() }),
    ))
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    Ok(Json(tenant_json(
        &service::get(&state, parse_id(&id)?).await?,
    )))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    display_name: String,
    /// The label before the instance's initial-domain suffix.
    initial_domain: String,
    country_letter_code: Option<String>,
    security_defaults_enabled: Option<bool>,
    admin_user_principal_name: Option<String>,
    admin_password: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    GraphJson(body): GraphJson<CreateBody>,
) -> Result<Response, GraphError> {
    let domain =
        tenant::initial_domain(&body.initial_domain, &state.instance.initial_domain_suffix)?;
    let new = NewTenant::new(
        &body.display_name,
        domain,
        body.country_letter_code.as_deref().unwrap_or("US"),
        body.security_defaults_enabled.unwrap_or(true),
    )?;
    let request = CreateTenant {
        tenant: new,
        admin: body.admin_user_principal_name,
        admin_password: body.admin_password,
    };
    let created = service::create(&state, request, operator()).await?;
    let mut out = tenant_json(&created.summary);
    out["admin"] = json!({
        "userPrincipalName": created.admin_user_principal_name,
        "password": created.generated_password,
    });
    let location = format!(
        "{}/_gatehouse/tenants/{}",
        state.instance.public_url, created.summary.tenant.id
    );
    let mut response = (StatusCode::CREATED, Json(out)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateBody {
    graph_token_algorithm: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    GraphJson(body): GraphJson<UpdateBody>,
) -> Result<Json<Value>, GraphError> {
    let id = parse_id(&id)?;
    let summary = match body.graph_token_algorithm {
        Some(alg) => {
            let alg = TokenAlgorithm::graph_setting(&alg)?;
            service::set_graph_token_algorithm(&state, id, alg, operator()).await?
        }
        None => service::get(&state, id).await?,
    };
    Ok(Json(tenant_json(&summary)))
}

async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    service::delete(&state, parse_id(&id)?, operator()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    Ok(Json(tenant_json(
        &service::restore(&state, parse_id(&id)?, operator()).await?,
    )))
}
