//! `/policies/authorizationPolicy`: the tenant's default user permissions, guest settings and user
//! consent setting (`permissionGrantPoliciesAssigned`). Read by members, changed by roles holding
//! `authorizationPolicy` update rights with `Policy.ReadWrite.Authorization`; changes audited.

use axum::Json;
use axum::extract::{Extension, OriginalUri, State};
use axum::http::StatusCode;
use gatehouse_domain::Error;
use gatehouse_domain::audit::{AuditCategory, AuditRecord, OperationType, TargetResource};
use gatehouse_domain::authorization_policy::AuthorizationPolicy;
use gatehouse_domain::authz::{self, Ownership};
use gatehouse_domain::ids::ObjectId;
use serde_json::{Map, Value, json};

use super::application_json::{self as wire, opt_bool};
use super::applications::{body_object, change, initiator, principal};
use super::auth::Caller;
use super::service_principals::with_context;
use crate::http::context::RequestContext;
use crate::http::graph_error::GraphError;
use crate::http::json::GraphJson;
use crate::state::AppState;

/// Graph's `authorizationPolicy`.
fn policy_json(p: &AuthorizationPolicy) -> Value {
    json!({
        "id": "authorizationPolicy",
        "displayName": "Authorization Policy",
        "description": "Used to manage authorization related settings across the company.",
        "allowInvitesFrom": p.allow_invites_from,
        "allowedToSignUpEmailBasedSubscriptions": p.allowed_to_sign_up_email_based_subscriptions,
        "allowedToUseSSPR": p.allowed_to_use_sspr,
        "allowEmailVerifiedUsersToJoinOrganization": p.allow_email_verified_users_to_join_organization,
        "allowUserConsentForRiskyApps": p.allow_user_consent_for_risky_apps,
        "blockMsolPowerShell": p.block_msol_powershell,
        "guestUserRoleId": p.guest_user_role_id.to_string(),
        "defaultUserRolePermissions": {
            "allowedToCreateApps": p.allowed_to_create_apps,
            "allowedToCreateSecurityGroups": p.allowed_to_create_security_groups,
            "allowedToCreateTenants": p.allowed_to_create_tenants,
            "allowedToReadBitlockerKeysForOwnedDevice": p.allowed_to_read_bitlocker_keys_for_owned_device,
            "allowedToReadOtherUsers": p.allowed_to_read_other_users,
            "permissionGrantPoliciesAssigned": p.permission_grant_policies_assigned,
        },
    })
}

fn set_bool(target: &mut bool, name: &str, v: &Value) -> Result<(), Error> {
    if let Some(b) = opt_bool(name, v)? {
        *target = b;
    }
    Ok(())
}

/// Applies a PATCH body; unknown and read-only properties are refused.
fn apply(p: &mut AuthorizationPolicy, body: &Map<String, Value>) -> Result<(), Error> {
    for (name, v) in body {
        match name.as_str() {
            "allowInvitesFrom" => p.allow_invites_from = wire::string(name, v)?,
            "allowedToSignUpEmailBasedSubscriptions" => {
                set_bool(&mut p.allowed_to_sign_up_email_based_subscriptions, name, v)?;
            }
            "allowedToUseSSPR" => set_bool(&mut p.allowed_to_use_sspr, name, v)?,
            "allowEmailVerifiedUsersToJoinOrganization" => {
                set_bool(
                    &mut p.allow_email_verified_users_to_join_organization,
                    name,
                    v,
                )?;
            }
            "allowUserConsentForRiskyApps" => {
                set_bool(&mut p.allow_user_consent_for_risky_apps, name, v)?;
            }
            "blockMsolPowerShell" => set_bool(&mut p.block_msol_powershell, name, v)?,
            "guestUserRoleId" => p.guest_user_role_id = wire::guid(name, v)?,
            "defaultUserRolePermissions" => {
                let Some(m) = wire::object(name, v)? else {
                    continue;
                };
                for (inner, v) in m {
                    match inner.as_str() {
                        "allowedToCreateApps" => set_bool(&mut p.allowed_to_create_apps, inner, v)?,
                        "allowedToCreateSecurityGroups" => {
                            set_bool(&mut p.allowed_to_create_security_groups, inner, v)?;
                        }
                        "allowedToCreateTenants" => {
                            set_bool(&mut p.allowed_to_create_tenants, inner, v)?;
                        }
                        "allowedToReadBitlockerKeysForOwnedDevice" => set_bool(
                            &mut p.allowed_to_read_bitlocker_keys_for_owned_device,
                            inner,
                            v,
                        )?,
                        "allowedToReadOtherUsers" => {
                            set_bool(&mut p.allowed_to_read_other_users, inner, v)?;
                        }
                        "permissionGrantPoliciesAssigned" => {
                            p.permission_grant_policies_assigned = wire::strings(inner, v)?;
                        }
                        other => return Err(unknown(other)),
                    }
                }
            }
            other => return Err(unknown(other)),
        }
    }
    p.validate()
}

fn unknown(name: &str) -> Error {
    Error::invalid_property(
        name,
        format!(
            "Property '{name}' does not exist on microsoft.graph.authorizationPolicy or cannot be set."
        ),
    )
}

/// `GET /policies/authorizationPolicy`.
pub async fn read(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, GraphError> {
    let mut tx = state.store.read(caller.tenant).await?;
    authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::AUTHORIZATION_POLICY_READ,
        Ownership::NotOwner,
    )?;
    let policy = tx.authorization_policy().await?;
    Ok(Json(with_context(
        &state,
        &uri,
        "policies/authorizationPolicy/$entity",
        policy_json(&policy),
    )))
}

/// `PATCH /policies/authorizationPolicy`.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GraphJson(body): GraphJson<Value>,
) -> Result<StatusCode, GraphError> {
    let body = body_object(body)?;
    let mut tx = state.store.write(caller.tenant).await?;
    let proof = authz::decide(
        &principal(&mut tx, &caller).await?,
        authz::AUTHORIZATION_POLICY_UPDATE,
        Ownership::NotOwner,
    )?;
    let mut policy = tx.authorization_policy().await?;
    apply(&mut policy, &body)?;
    tx.put_authorization_policy(&proof, &policy).await?;
    let record = AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::Policy,
        "Update authorization policy",
        OperationType::Update,
        initiator(&caller),
        vec![TargetResource {
            id: "authorizationPolicy".into(),
            display_name: Some("Authorization Policy".into()),
            resource_type: "Policy".into(),
            user_principal_name: None,
            modified_properties: body.iter().map(|(k, v)| change(k, v)).collect(),
        }],
    )
    .with_correlation_id(Some(RequestContext::current().request_id));
    tx.audit(&record).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
