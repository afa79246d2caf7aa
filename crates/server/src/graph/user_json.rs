//! Graph's `user` JSON: the entity as Graph renders it (every property, then narrowed to the
//! default set or `$select`), and a request body applied to a user, property by property, naming
//! the directory action each change needs.

use std::sync::LazyLock;

use gatehouse_domain::authz;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::user::{
    COLLECTION_PROPERTIES, READ_ONLY_TEXT, TEXT_PROPERTIES, User, UserPrincipalName, UserProfile,
    UserType, validate_display_name, validate_mail_nickname,
};
use gatehouse_domain::{Error, Result};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::application_json::{datetime, opt_bool, parse_datetime, string, strings};

/// The properties Graph returns for a user when no `$select` names others.
pub const DEFAULT_SELECT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Every property name a user has (what `$select` may name): those [`full`] renders, and the
/// write-only `passwordProfile`.
pub static PROPERTIES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut names: Vec<String> = full(&blank(
        ObjectId::from_uuid(Uuid::nil()),
        OffsetDateTime::UNIX_EPOCH,
    ))
    .keys()
    .cloned()
    .collect();
    names.push("passwordProfile".into());
    // Rendered only on `$select`, from the sign-in records (`users::add_sign_in_activity`).
    names.push("signInActivity".into());
    names
});

/// A member user with nothing set yet, for a create body to fill in.
pub fn blank(id: ObjectId, created: OffsetDateTime) -> User {
    User {
        id,
        user_principal_name: UserPrincipalName::parse("new@example.com").expect("a valid name"),
        display_name: String::new(),
        mail_nickname: String::new(),
        account_enabled: true,
        user_type: UserType::Member,
        password: None,
        created,
        last_password_change: None,
        sign_in_sessions_valid_from: None,
        profile: UserProfile::default(),
        deleted: None,
    }
}

/// The properties a client may not write.
const READ_ONLY: &[&str] = &[
    "id",
    "createdDateTime",
    "deletedDateTime",
    "lastPasswordChangeDateTime",
    "signInSessionsValidFromDateTime",
    "externalUserStateChangeDateTime",
    "onPremisesSyncEnabled",
    "onPremisesImmutableId",
    "signInActivity",
];

/// Every property of `user`, in Graph's shape. `passwordProfile` is write-only and never rendered;
/// complex properties are objects whose unset members are null (Microsoft's schema has them
/// non-nullable).
pub fn full(user: &User) -> Map<String, Value> {
    let p = &user.profile;
    let opt_time = |t: Option<OffsetDateTime>| t.map(datetime);
    let mut m = Map::new();
    m.insert("id".into(), json!(user.id.to_string()));
    m.insert("deletedDateTime".into(), json!(opt_time(user.deleted)));
    m.insert("accountEnabled".into(), json!(user.account_enabled));
    m.insert("createdDateTime".into(), json!(datetime(user.created)));
    m.insert("displayName".into(), json!(user.display_name));
    m.insert("mailNickname".into(), json!(user.mail_nickname));
    m.insert(
        "userPrincipalName".into(),
        json!(user.user_principal_name.to_string()),
    );
    m.insert("userType".into(), json!(user.user_type.as_str()));
    m.insert(
        "lastPasswordChangeDateTime".into(),
        json!(opt_time(user.last_password_change)),
    );
    m.insert(
        "signInSessionsValidFromDateTime".into(),
        json!(opt_time(
            user.sign_in_sessions_valid_from.or(Some(user.created))
        )),
    );
    m.insert(
        "employeeHireDate".into(),
        json!(opt_time(p.employee_hire_date)),
    );
    m.insert(
        "employeeLeaveDateTime".into(),
        json!(opt_time(p.employee_leave_date_time)),
    );
    m.insert(
        "externalUserStateChangeDateTime".into(),
        json!(opt_time(p.external_user_state_change)),
    );
    m.insert(
        "onPremisesSyncEnabled".into(),
        json!(p.on_premises_sync_enabled),
    );
    m.insert("showInAddressList".into(), json!(p.show_in_address_list));
    for name in COLLECTION_PROPERTIES {
        m.insert((*name).into(), json!(p.collection(name)));
    }
    let mut nested: Map<String, Value> = Map::new();
    for property in TEXT_PROPERTIES {
        let value = json!(p.get(property.name));
        match property.name.split_once('/') {
            None => {
                m.insert(property.name.into(), value);
            }
            Some((parent, child)) => {
                let entry = nested
                    .entry(parent)
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(o) = entry {
                    o.insert(child.into(), value);
                }
            }
        }
    }
    m.extend(nested);
    m
}

/// What a user request body changes: the directory actions it needs, and the new password if it
/// sets one (hashed by the caller, outside the transaction).
#[derive(Debug, Default)]
pub struct Changes {
    pub actions: Vec<&'static str>,
    pub password: Option<String>,
}

/// Applies a create or update body to `user`. Unknown and read-only properties are refused as Graph
/// does; `null` clears an optional property.
pub fn apply(user: &mut User, body: &Map<String, Value>) -> Result<Changes> {
    let mut changes = Changes::default();
    for (key, value) in body {
        if key.starts_with("@odata.") {
            continue;
        }
        let action = match key.as_str() {
            "displayName" => {
                user.display_name = validate_display_name(&required_string(key, value)?)?;
                authz::USERS_BASIC_UPDATE
            }
            "mailNickname" => {
                user.mail_nickname = validate_mail_nickname(&required_string(key, value)?)?;
                authz::USERS_BASIC_UPDATE
            }
            "userPrincipalName" => {
                user.user_principal_name = UserPrincipalName::parse(&required_string(key, value)?)?;
                authz::USERS_USER_PRINCIPAL_NAME_UPDATE
            }
            "accountEnabled" => {
                let enabled = opt_bool(key, value)?.ok_or_else(|| invalid(key))?;
                let action = if enabled {
                    authz::USERS_ENABLE
                } else {
                    authz::USERS_DISABLE
                };
                user.account_enabled = enabled;
                action
            }
            "userType" => {
                user.user_type = UserType::parse(&required_string(key, value)?)?;
                authz::USERS_BASIC_UPDATE
            }
            "passwordProfile" => {
                let profile = value.as_object().ok_or_else(|| invalid(key))?;
                apply_password_profile(user, profile, &mut changes)?;
                authz::USERS_PASSWORD_UPDATE
            }
            "employeeHireDate" => {
                user.profile.employee_hire_date = parse_datetime(key, value)?;
                authz::USERS_BASIC_UPDATE
            }
            "employeeLeaveDateTime" => {
                user.profile.employee_leave_date_time = parse_datetime(key, value)?;
                authz::USERS_BASIC_UPDATE
            }
            "showInAddressList" => {
                user.profile.show_in_address_list = opt_bool(key, value)?;
                authz::USERS_BASIC_UPDATE
            }
            "employeeOrgData" | "onPremisesExtensionAttributes" => {
                let Some(object) = value.as_object() else {
                    if value.is_null() {
                        clear_nested(user, key)?;
                        changes.actions.push(authz::USERS_BASIC_UPDATE);
                        continue;
                    }
                    return Err(invalid(key));
                };
                for (child, v) in object {
                    if child.starts_with("@odata.") {
                        continue;
                    }
                    set_text(user, &format!("{key}/{child}"), v)?;
                }
                authz::USERS_BASIC_UPDATE
            }
            k if COLLECTION_PROPERTIES.contains(&k) && !READ_ONLY_TEXT.contains(&k) => {
                user.profile.set_collection(k, strings(k, value)?)?;
                authz::USERS_BASIC_UPDATE
            }
            k if READ_ONLY.contains(&k) || READ_ONLY_TEXT.contains(&k) => {
                return Err(Error::invalid_property(
                    k,
                    format!("Property '{k}' is read-only and cannot be set."),
                ));
            }
            k if TEXT_PROPERTIES.iter().any(|p| p.name == k) => {
                set_text(user, k, value)?;
                authz::USERS_BASIC_UPDATE
            }
            k => {
                return Err(Error::invalid_property(
                    k,
                    format!("Property '{k}' does not exist on type 'microsoft.graph.user'."),
                ));
            }
        };
        if !changes.actions.contains(&action) {
            changes.actions.push(action);
        }
    }
    Ok(changes)
}

fn apply_password_profile(
    user: &mut User,
    profile: &Map<String, Value>,
    changes: &mut Changes,
) -> Result<()> {
    for (key, value) in profile {
        match key.as_str() {
            "password" => changes.password = Some(required_string("passwordProfile", value)?),
            "forceChangePasswordNextSignIn" => {
                user.profile.force_change_password = opt_bool(key, value)?.unwrap_or(false);
            }
            "forceChangePasswordNextSignInWithMfa" => {
                user.profile.force_change_password_with_mfa =
                    opt_bool(key, value)?.unwrap_or(false);
            }
            k if k.starts_with("@odata.") => {}
            k => {
                return Err(Error::invalid_property(
                    k,
                    format!(
                        "Property '{k}' does not exist on type 'microsoft.graph.passwordProfile'."
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn set_text(user: &mut User, name: &str, value: &Value) -> Result<()> {
    if !TEXT_PROPERTIES.iter().any(|p| p.name == name) {
        return Err(Error::invalid_property(
            name,
            format!("Property '{name}' does not exist on type 'microsoft.graph.user'."),
        ));
    }
    let text = match value {
        Value::Null => None,
        Value::String(s) => Some(s.as_str()),
        _ => return Err(invalid(name)),
    };
    user.profile.set_text(name, text)
}

fn clear_nested(user: &mut User, parent: &str) -> Result<()> {
    let prefix = format!("{parent}/");
    for property in TEXT_PROPERTIES
        .iter()
        .filter(|p| p.name.starts_with(&prefix))
    {
        user.profile.set_text(property.name, None)?;
    }
    Ok(())
}

fn required_string(key: &str, value: &Value) -> Result<String> {
    string(key, value).map_err(|_| invalid(key))
}

/// Graph's message for a missing or malformed property of a user.
pub fn invalid(key: &str) -> Error {
    Error::invalid_property(
        key,
        format!("Invalid value specified for property '{key}' of resource 'User'."),
    )
}

#[cfg(test)]
mod tests {
    use gatehouse_domain::odata::collections::USERS;

    use super::*;

    #[test]
    fn every_user_property_is_known_to_the_query_layer() {
        for name in PROPERTIES.iter() {
            assert!(USERS.property(name).is_some(), "{name}");
        }
        for name in DEFAULT_SELECT {
            assert!(
                USERS.property(name).is_some_and(|p| p.default_select),
                "{name}"
            );
        }
    }
}
