//! The Graph JSON of `group` (read and write), of the directory objects that appear in group
//! relationships (`@odata.type`-tagged users, groups, service principals, applications), and of
//! `@odata.bind` / `@odata.id` references.

use gatehouse_domain::authz::{self, Principal};
use gatehouse_domain::group::{
    DirectoryRef, Group, MAX_BINDS_PER_REQUEST, ObjectKind, Visibility, validate_display_name,
    validate_mail_nickname,
};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use gatehouse_store::TenantTx;
use serde_json::{Map, Value, json};

use super::application_json::{self as app_wire, datetime};
use super::service_principals::service_principal;
use super::users::render;

/// Graph's `group` with its default properties. `domain` is the tenant's default domain, for
/// `mail` and `proxyAddresses` of mail-enabled groups.
pub fn group(g: &Group, domain: &str) -> Value {
    let mail = g
        .mail_enabled
        .then(|| format!("{}@{domain}", g.mail_nickname));
    json!({
        "id": g.id.to_string(),
        "deletedDateTime": g.deleted.map(datetime),
        "classification": g.classification,
        "createdDateTime": datetime(g.created),
        "description": g.description,
        "displayName": g.display_name,
        "expirationDateTime": null,
        "groupTypes": g.group_types,
        "isAssignableToRole": g.is_assignable_to_role,
        "mail": mail,
        "mailEnabled": g.mail_enabled,
        "mailNickname": g.mail_nickname,
        "membershipRule": g.membership_rule,
        "membershipRuleProcessingState": g.membership_rule_processing_state,
        "onPremisesDomainName": null,
        "onPremisesLastSyncDateTime": null,
        "onPremisesNetBiosName": null,
        "onPremisesSamAccountName": null,
        "onPremisesSecurityIdentifier": null,
        "onPremisesSyncEnabled": null,
        "preferredDataLocation": null,
        "preferredLanguage": null,
        "proxyAddresses": mail.iter().map(|m| format!("SMTP:{m}")).collect::<Vec<_>>(),
        "renewedDateTime": datetime(g.created),
        "securityEnabled": g.security_enabled,
        "securityIdentifier": g.security_identifier(),
        "theme": null,
        "visibility": g.visibility.map(Visibility::as_str),
        "onPremisesProvisioningErrors": [],
        "serviceProvisioningErrors": [],
    })
}

/// `value` with `"@odata.type": "#microsoft.graph.{kind}"` first.
pub fn typed(kind: ObjectKind, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(
        "@odata.type".into(),
        json!(format!("#microsoft.graph.{}", kind.as_str())),
    );
    if let Value::Object(v) = value {
        m.extend(v);
    }
    Value::Object(m)
}

/// A directory object of a relationship or `getByIds` as the caller may see it: in full when the
/// token may read its kind, otherwise only its type and `id` (Graph's "limited information").
pub async fn directory_object<M>(
    tx: &mut TenantTx<M>,
    caller: &Principal,
    object: DirectoryRef,
    domain: &str,
) -> Result<Value> {
    if !authz::may_read_object_kind(caller, object.kind) {
        return Ok(typed(object.kind, json!({ "id": object.id.to_string() })));
    }
    let value = match object.kind {
        ObjectKind::User => Value::Object(render(&tx.user(object.id).await?, None)),
        ObjectKind::Group => group(&tx.group(object.id).await?, domain),
        ObjectKind::ServicePrincipal => {
            let sp = tx.service_principal(object.id).await?;
            let app = tx.application_by_app_id(sp.app_id).await?;
            service_principal(&sp, app.as_ref())
        }
        ObjectKind::Application => {
            let app = tx.application(object.id).await?;
            let creds = tx.password_credentials(app.id).await?;
            let keys = tx.key_credentials(app.id).await?;
            app_wire::application(
                &app,
                &creds.iter().collect::<Vec<_>>(),
                &keys.iter().collect::<Vec<_>>(),
            )
        }
    };
    Ok(typed(object.kind, value))
}

/// The tenant's default domain name (for group mail addresses).
pub async fn default_domain<M>(tx: &mut TenantTx<M>) -> Result<String> {
    Ok(tx
        .domains()
        .await?
        .into_iter()
        .find(|d| d.is_default)
        .map(|d| d.name.to_string())
        .unwrap_or_default())
}

/// The object id at the end of a reference URL (`https://graph.microsoft.com/v1.0/directoryObjects/{id}`,
/// `.../users/{id}`, or a bare id).
pub fn reference_id(target: &str, v: &Value) -> Result<ObjectId> {
    let Value::String(url) = v else {
        return Err(Error::invalid_property(
            target,
            format!("Invalid value for '{target}': expected a URL of a directory object."),
        ));
    };
    let last = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let last = last
        .strip_prefix("directoryObjects(")
        .or_else(|| last.strip_prefix("('"))
        .unwrap_or(last)
        .trim_matches(|c| c == '\'' || c == '(' || c == ')');
    last.parse().map_err(|_| {
        Error::invalid_property(target, format!("Invalid object identifier '{last}'."))
    })
}

/// The ids of `members@odata.bind` and `owners@odata.bind` in `body`, at most
/// [`MAX_BINDS_PER_REQUEST`] together.
pub fn binds(body: &Map<String, Value>) -> Result<(Vec<ObjectId>, Vec<ObjectId>)> {
    let list = |key: &str| -> Result<Vec<ObjectId>> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().map(|v| reference_id(key, v)).collect(),
            Some(_) => Err(Error::invalid_property(
                key,
                format!("Invalid value for '{key}': expected an array of URLs."),
            )),
        }
    };
    let (members, owners) = (list("members@odata.bind")?, list("owners@odata.bind")?);
    if members.len() + owners.len() > MAX_BINDS_PER_REQUEST {
        return Err(Error::invalid(format!(
            "A maximum of {MAX_BINDS_PER_REQUEST} members and owners can be added in one request."
        )));
    }
    Ok((members, owners))
}

/// Properties a group write may carry and the action each needs.
const WRITABLE: &[(&str, &str)] = &[
    ("displayName", authz::GROUPS_BASIC_UPDATE),
    ("description", authz::GROUPS_BASIC_UPDATE),
    ("mailNickname", authz::GROUPS_BASIC_UPDATE),
    ("mailEnabled", authz::GROUPS_BASIC_UPDATE),
    ("securityEnabled", authz::GROUPS_BASIC_UPDATE),
    ("classification", authz::GROUPS_CLASSIFICATION_UPDATE),
    ("visibility", authz::GROUPS_VISIBILITY_UPDATE),
    ("groupTypes", authz::GROUPS_GROUP_TYPE_UPDATE),
    ("membershipRule", authz::GROUPS_DYNAMIC_RULE_UPDATE),
    (
        "membershipRuleProcessingState",
        authz::GROUPS_DYNAMIC_RULE_UPDATE,
    ),
    ("isAssignableToRole", authz::GROUPS_BASIC_UPDATE),
    ("members@odata.bind", authz::GROUPS_MEMBERS_UPDATE),
    ("owners@odata.bind", authz::GROUPS_OWNERS_UPDATE),
];

fn opt_string(target: &str, v: &Value) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        v => app_wire::string(target, v).map(Some),
    }
}

fn bool_of(target: &str, v: &Value) -> Result<bool> {
    app_wire::opt_bool(target, v)?.ok_or_else(|| {
        Error::invalid_property(
            target,
            format!("Invalid value for '{target}': expected true or false."),
        )
    })
}

/// Applies the properties of a create (`creating`) or PATCH body to `g`; returns the actions
/// the changes need. Unknown and read-only properties are refused.
pub fn apply(
    g: &mut Group,
    body: &Map<String, Value>,
    creating: bool,
) -> Result<Vec<&'static str>> {
    let mut actions = Vec::new();
    for (k, v) in body {
        if k.starts_with("@odata.") {
            continue;
        }
        let Some((_, action)) = WRITABLE.iter().find(|(p, _)| p == k) else {
            return Err(Error::invalid_property(
                k,
                format!(
                    "Property '{k}' is read-only or does not exist on type 'microsoft.graph.group'."
                ),
            ));
        };
        if !actions.contains(action) {
            actions.push(*action);
        }
        match k.as_str() {
            "displayName" => g.display_name = validate_display_name(&app_wire::string(k, v)?)?,
            "description" => g.description = opt_string(k, v)?.filter(|d| !d.is_empty()),
            "mailNickname" => g.mail_nickname = validate_mail_nickname(&app_wire::string(k, v)?)?,
            "mailEnabled" => {
                let value = bool_of(k, v)?;
                if !creating && value != g.mail_enabled {
                    return Err(Error::invalid_property(
                        k,
                        "mailEnabled cannot be changed after the group is created.",
                    ));
                }
                g.mail_enabled = value;
            }
            "securityEnabled" => g.security_enabled = bool_of(k, v)?,
            "classification" => g.classification = opt_string(k, v)?,
            "visibility" => {
                let value = opt_string(k, v)?
                    .map(|s| Visibility::parse(&s))
                    .transpose()?;
                let hidden = |v: Option<Visibility>| v == Some(Visibility::HiddenMembership);
                if !creating && hidden(value) != hidden(g.visibility) {
                    return Err(Error::invalid_property(
                        k,
                        "HiddenMembership can be set only when a Microsoft 365 group is created.",
                    ));
                }
                g.visibility = value;
            }
            "groupTypes" => g.group_types = app_wire::strings(k, v)?,
            "membershipRule" => g.membership_rule = opt_string(k, v)?,
            "membershipRuleProcessingState" => {
                g.membership_rule_processing_state = opt_string(k, v)?
            }
            "isAssignableToRole" => {
                let value = match v {
                    Value::Null => false,
                    v => bool_of(k, v)?,
                };
                if !creating && value != g.is_assignable_to_role {
                    return Err(Error::invalid_property(
                        k,
                        "isAssignableToRole can be set only when the group is created.",
                    ));
                }
                g.is_assignable_to_role = value;
            }
            _ => {} // the binds, read by `binds`
        }
    }
    Ok(actions)
}

/// A create body's required properties, present before [`apply`] runs.
pub fn require_create_properties(body: &Map<String, Value>) -> Result<()> {
    for required in [
        "displayName",
        "mailNickname",
        "mailEnabled",
        "securityEnabled",
    ] {
        if body.get(required).is_none_or(Value::is_null) {
            return Err(Error::invalid_property(
                required,
                format!("The {required} property is required when creating a group."),
            ));
        }
    }
    Ok(())
}

/// The id in a `$ref` body (`{"@odata.id": ".../directoryObjects/{id}"}`).
pub fn ref_body(body: &Map<String, Value>) -> Result<ObjectId> {
    match body.get("@odata.id") {
        Some(v) => reference_id("@odata.id", v),
        None => Err(Error::invalid_property(
            "@odata.id",
            "The request body must carry '@odata.id' with the URL of a directory object.",
        )),
    }
}
