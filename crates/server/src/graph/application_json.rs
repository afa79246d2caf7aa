//! The Graph JSON of `application` and `passwordCredential` (`keyCredential`: `key_credentials.rs`): reading request bodies into domain
//! values (each property with the directory action that changing it needs) and writing responses.

use gatehouse_domain::application::{
    AppRole, Application, KeyCredential, PasswordCredential, PermissionScope,
    RequiredResourceAccess, ResourceAccess, ResourceAccessType, SignInAudience,
    validate_display_name,
};
use gatehouse_domain::authz;
use gatehouse_domain::ids::AppId;
use gatehouse_domain::{Error, Result};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Graph's date-time format (RFC 3339, UTC, whole seconds: `2026-11-23T12:00:00Z`).
pub fn datetime(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub fn parse_datetime(target: &str, v: &Value) -> Result<Option<OffsetDateTime>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => OffsetDateTime::parse(s, &Rfc3339)
            .map(Some)
            .map_err(|_| Error::invalid_property(target, format!("Invalid date-time '{s}'."))),
        _ => Err(type_error(target, "a date-time string")),
    }
}

fn type_error(target: &str, expected: &str) -> Error {
    Error::invalid_property(
        target,
        format!("Invalid value for property '{target}': expected {expected}."),
    )
}

pub fn string(target: &str, v: &Value) -> Result<String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| type_error(target, "a string"))
}

pub fn opt_string(target: &str, v: &Value) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        other => string(target, other).map(Some),
    }
}

pub fn opt_bool(target: &str, v: &Value) -> Result<Option<bool>> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        _ => Err(type_error(target, "a boolean")),
    }
}

pub fn strings(target: &str, v: &Value) -> Result<Vec<String>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.iter().map(|i| string(target, i)).collect(),
        _ => Err(type_error(target, "an array of strings")),
    }
}

fn array<'v>(target: &str, v: &'v Value) -> Result<&'v [Value]> {
    match v {
        Value::Null => Ok(&[]),
        Value::Array(items) => Ok(items),
        _ => Err(type_error(target, "an array")),
    }
}

pub fn object<'v>(target: &str, v: &'v Value) -> Result<Option<&'v Map<String, Value>>> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        _ => Err(type_error(target, "an object")),
    }
}

pub fn guid(target: &str, v: &Value) -> Result<Uuid> {
    let s = string(target, v)?;
    Uuid::try_parse(&s)
        .map_err(|_| Error::invalid_property(target, format!("Invalid GUID '{s}' for '{target}'.")))
}

fn unsupported(target: &str) -> Error {
    Error::invalid_property(
        target,
        format!(
            "Property '{target}' is not supported on microsoft.graph.application by Gatehouse."
        ),
    )
}

/// Applies a platform object (`web`, `spa`, `publicClient`): the properties present change, the
/// others keep their value; `null` clears the platform. `web` also carries `logoutUrl` and `implicitGrantSettings`.
fn platform(app: &mut Application, platform: &str, v: &Value) -> Result<()> {
    let web = platform == "web";
    let Some(m) = object(platform, v)? else {
        // `null` clears the platform.
        match platform {
            "web" => {
                app.web_redirect_uris.clear();
                app.web_logout_url = None;
                app.implicit_grant = Default::default();
            }
            "spa" => app.spa_redirect_uris.clear(),
            _ => app.public_client_redirect_uris.clear(),
        }
        return Ok(());
    };
    for (k, v) in m {
        let target = format!("{platform}.{k}");
        match k.as_str() {
            "redirectUris" => {
                let uris = strings(&target, v)?;
                match platform {
                    "web" => app.web_redirect_uris = uris,
                    "spa" => app.spa_redirect_uris = uris,
                    _ => app.public_client_redirect_uris = uris,
                }
            }
            "logoutUrl" if web => app.web_logout_url = opt_string(&target, v)?,
            "implicitGrantSettings" if web => {
                for (name, value) in object(&target, v)?.into_iter().flatten() {
                    let flag = match name.as_str() {
                        "enableIdTokenIssuance" => &mut app.implicit_grant.enable_id_token_issuance,
                        "enableAccessTokenIssuance" => {
                            &mut app.implicit_grant.enable_access_token_issuance
                        }
                        n if n.starts_with("@odata.") => continue,
                        _ => return Err(unsupported(&format!("{target}.{name}"))),
                    };
                    *flag = opt_bool(&format!("{target}.{name}"), value)?.unwrap_or(false);
                }
            }
            // Accepted when they say nothing (SDKs send empty defaults).
            "homePageUrl" if v.is_null() => {}
            "redirectUriSettings" if array(&target, v)?.is_empty() => {}
            k if k.starts_with("@odata.") => {}
            _ => return Err(unsupported(&target)),
        }
    }
    Ok(())
}

fn required_resource_access(v: &Value) -> Result<Vec<RequiredResourceAccess>> {
    const T: &str = "requiredResourceAccess";
    array(T, v)?
        .iter()
        .map(|item| {
            let m = object(T, item)?.ok_or_else(|| type_error(T, "an object"))?;
            let resource_app_id = AppId::from_uuid(guid(
                "requiredResourceAccess.resourceAppId",
                m.get("resourceAppId").unwrap_or(&Value::Null),
            )?);
            let resource_access = array(
                "requiredResourceAccess.resourceAccess",
                m.get("resourceAccess").unwrap_or(&Value::Null),
            )?
            .iter()
            .map(|a| {
                Ok(ResourceAccess {
                    id: guid(
                        "requiredResourceAccess.resourceAccess.id",
                        a.get("id").unwrap_or(&Value::Null),
                    )?,
                    kind: ResourceAccessType::parse(&string(
                        "requiredResourceAccess.resourceAccess.type",
                        a.get("type").unwrap_or(&Value::Null),
                    )?)?,
                })
            })
            .collect::<Result<_>>()?;
            Ok(RequiredResourceAccess {
                resource_app_id,
                resource_access,
            })
        })
        .collect()
}

fn field<'m>(m: &'m Map<String, Value>, k: &str) -> &'m Value {
    m.get(k).unwrap_or(&Value::Null)
}

fn app_roles(v: &Value) -> Result<Vec<AppRole>> {
    const T: &str = "appRoles";
    array(T, v)?
        .iter()
        .map(|item| {
            let m = object(T, item)?.ok_or_else(|| type_error(T, "an object"))?;
            Ok(AppRole {
                id: guid("appRoles.id", field(m, "id"))?,
                allowed_member_types: strings(
                    "appRoles.allowedMemberTypes",
                    field(m, "allowedMemberTypes"),
                )?,
                description: opt_string("appRoles.description", field(m, "description"))?,
                display_name: opt_string("appRoles.displayName", field(m, "displayName"))?,
                is_enabled: opt_bool("appRoles.isEnabled", field(m, "isEnabled"))?.unwrap_or(true),
                value: opt_string("appRoles.value", field(m, "value"))?,
            })
        })
        .collect()
}

fn permission_scopes(v: &Value) -> Result<Vec<PermissionScope>> {
    const T: &str = "api.oauth2PermissionScopes";
    array(T, v)?
        .iter()
        .map(|item| {
            let m = object(T, item)?.ok_or_else(|| type_error(T, "an object"))?;
            let s = |k: &str| opt_string(&format!("{T}.{k}"), field(m, k));
            Ok(PermissionScope {
                id: guid("api.oauth2PermissionScopes.id", field(m, "id"))?,
                admin_consent_description: s("adminConsentDescription")?,
                admin_consent_display_name: s("adminConsentDisplayName")?,
                user_consent_description: s("userConsentDescription")?,
                user_consent_display_name: s("userConsentDisplayName")?,
                is_enabled: opt_bool(
                    "api.oauth2PermissionScopes.isEnabled",
                    field(m, "isEnabled"),
                )?
                .unwrap_or(true),
                kind: s("type")?.unwrap_or_else(|| "User".to_owned()),
                value: s("value")?,
            })
        })
        .collect()
}

fn api(app: &mut Application, v: &Value) -> Result<()> {
    let Some(m) = object("api", v)? else {
        app.oauth2_permission_scopes.clear();
        return Ok(());
    };
    for (k, v) in m {
        let target = format!("api.{k}");
        match k.as_str() {
            "oauth2PermissionScopes" => app.oauth2_permission_scopes = permission_scopes(v)?,
            "requestedAccessTokenVersion" if v.is_null() || *v == json!(2) => {}
            "knownClientApplications" | "preAuthorizedApplications"
                if array(&target, v)?.is_empty() => {}
            "acceptMappedClaims" if v.is_null() || *v == Value::Bool(false) => {}
            k if k.starts_with("@odata.") => {}
            _ => return Err(unsupported(&target)),
        }
    }
    Ok(())
}

/// Applies the properties of a POST or PATCH body to `app`, returning the directory actions the
/// changes need (in first-seen order, without repeats).
pub fn apply(app: &mut Application, body: &Map<String, Value>) -> Result<Vec<&'static str>> {
    let mut actions: Vec<&'static str> = Vec::new();
    for (key, value) in body {
        let action = match key.as_str() {
            "displayName" => {
                app.display_name = validate_display_name(&string(key, value).map_err(|_| {
                    Error::invalid_property(
                        "displayName",
                        "The displayName property is required and must be at most 256 characters.",
                    )
                })?)?;
                authz::APPLICATIONS_BASIC_UPDATE
            }
            "description" => {
                app.description = opt_string(key, value)?;
                authz::APPLICATIONS_BASIC_UPDATE
            }
            "notes" => {
                app.notes = opt_string(key, value)?;
                authz::APPLICATIONS_BASIC_UPDATE
            }
            "tags" => {
                app.tags = strings(key, value)?;
                authz::APPLICATIONS_BASIC_UPDATE
            }
            "signInAudience" => {
                app.sign_in_audience = SignInAudience::parse(&string(key, value)?)?;
                authz::APPLICATIONS_AUDIENCE_UPDATE
            }
            "identifierUris" => {
                app.identifier_uris = strings(key, value)?;
                authz::APPLICATIONS_AUTHENTICATION_UPDATE
            }
            "isFallbackPublicClient" => {
                app.is_fallback_public_client = opt_bool(key, value)?;
                authz::APPLICATIONS_AUTHENTICATION_UPDATE
            }
            "web" | "spa" | "publicClient" => {
                platform(app, key, value)?;
                authz::APPLICATIONS_AUTHENTICATION_UPDATE
            }
            "requiredResourceAccess" => {
                app.required_resource_access = required_resource_access(value)?;
                authz::APPLICATIONS_PERMISSIONS_UPDATE
            }
            "api" => {
                api(app, value)?;
                authz::APPLICATIONS_PERMISSIONS_UPDATE
            }
            "appRoles" => {
                app.app_roles = app_roles(value)?;
                authz::APPLICATIONS_APP_ROLES_UPDATE
            }
            "passwordCredentials" if array(key, value)?.is_empty() => continue,
            // The certificates themselves are applied by `key_credentials::replace`.
            "keyCredentials" => {
                array(key, value)?;
                authz::APPLICATIONS_CREDENTIALS_UPDATE
            }
            "passwordCredentials" => {
                return Err(Error::invalid_property(
                    key,
                    "Use addPassword to add client secrets.",
                ));
            }
            "id" | "appId" | "createdDateTime" | "deletedDateTime" | "publisherDomain" => {
                return Err(Error::invalid_property(
                    key,
                    format!("Property '{key}' is read-only and cannot be set."),
                ));
            }
            k if k.starts_with("@odata.") => continue,
            _ => return Err(unsupported(key)),
        };
        if !actions.contains(&action) {
            actions.push(action);
        }
    }
    app.validate()?;
    Ok(actions)
}

/// A `passwordCredential` as Graph shows it; `secret_text` only in the `addPassword` response.
pub fn password_credential(c: &PasswordCredential, secret_text: Option<&str>) -> Value {
    json!({
        "customKeyIdentifier": null,
        "displayName": c.display_name,
        "endDateTime": datetime(c.end),
        "hint": c.hint,
        "keyId": c.key_id.to_string(),
        "secretText": secret_text,
        "startDateTime": datetime(c.start),
    })
}

/// An `application` as Graph shows it (the properties Gatehouse keeps, with Graph's defaults for
/// the rest of those it emits).
pub fn application(
    app: &Application,
    credentials: &[&PasswordCredential],
    certificates: &[&KeyCredential],
) -> Value {
    json!({
        "id": app.id.to_string(),
        "deletedDateTime": null,
        "appId": app.app_id.to_string(),
        "applicationTemplateId": null,
        "createdDateTime": datetime(app.created),
        "description": app.description,
        "displayName": app.display_name,
        "identifierUris": app.identifier_uris,
        "isFallbackPublicClient": app.is_fallback_public_client,
        "notes": app.notes,
        "signInAudience": app.sign_in_audience.as_str(),
        "tags": app.tags,
        "api": {
            "acceptMappedClaims": null,
            "knownClientApplications": [],
            "requestedAccessTokenVersion": 2,
            "oauth2PermissionScopes": app.oauth2_permission_scopes.iter().map(|s| json!({
                "adminConsentDescription": s.admin_consent_description,
                "adminConsentDisplayName": s.admin_consent_display_name,
                "id": s.id.to_string(),
                "isEnabled": s.is_enabled,
                "type": s.kind,
                "userConsentDescription": s.user_consent_description,
                "userConsentDisplayName": s.user_consent_display_name,
                "value": s.value,
            })).collect::<Vec<_>>(),
            "preAuthorizedApplications": [],
        },
        "appRoles": app.app_roles.iter().map(|r| json!({
            "allowedMemberTypes": r.allowed_member_types,
            "description": r.description,
            "displayName": r.display_name,
            "id": r.id.to_string(),
            "isEnabled": r.is_enabled,
            "origin": "Application",
            "value": r.value,
        })).collect::<Vec<_>>(),
        "keyCredentials": certificates.iter().map(|c| super::key_credentials::json(c)).collect::<Vec<_>>(),
        "passwordCredentials": credentials.iter().map(|c| password_credential(c, None)).collect::<Vec<_>>(),
        "publicClient": { "redirectUris": app.public_client_redirect_uris },
        "requiredResourceAccess": app.required_resource_access.iter().map(|r| json!({
            "resourceAppId": r.resource_app_id.to_string(),
            "resourceAccess": r.resource_access.iter().map(|a| json!({
                "id": a.id.to_string(),
                "type": a.kind.as_str(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "spa": { "redirectUris": app.spa_redirect_uris },
        "web": {
            "homePageUrl": null,
            "logoutUrl": app.web_logout_url,
            "redirectUris": app.web_redirect_uris,
            "implicitGrantSettings": {
                "enableAccessTokenIssuance": app.implicit_grant.enable_access_token_issuance,
                "enableIdTokenIssuance": app.implicit_grant.enable_id_token_issuance,
            },
            "redirectUriSettings": app.web_redirect_uris.iter().map(|u| json!({"uri": u, "index": null})).collect::<Vec<_>>(),
        },
    })
}
