//! Users: the account columns, one column per text property of the profile, multi-valued properties
//! in `directory_values`, the manager reference, and the recycle bin (`deleted_at`). Active users are
//! those with no `deleted_at`; sign-in and Graph see only them, `directory/deletedItems` the others.

use std::sync::LazyLock;

use gatehouse_domain::authz::Proof;
use gatehouse_domain::domain_name::DomainName;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::password::PasswordHash;
use gatehouse_domain::user::{
    COLLECTION_PROPERTIES, SignInActivity, TEXT_PROPERTIES, User, UserPrincipalName, UserProfile,
    UserType,
};
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::db;
use crate::rows::{get, get_flag, get_opt_ts, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

/// The column of each text property of [`TEXT_PROPERTIES`].
pub(crate) const TEXT_COLUMNS: &[(&str, &str)] = &[
    ("givenName", "given_name"),
    ("surname", "surname"),
    ("mail", "mail"),
    ("jobTitle", "job_title"),
    ("department", "department"),
    ("companyName", "company_name"),
    ("officeLocation", "office_location"),
    ("employeeId", "employee_id"),
    ("employeeType", "employee_type"),
    ("employeeOrgData/division", "employee_org_division"),
    ("employeeOrgData/costCenter", "employee_org_cost_center"),
    ("mobilePhone", "mobile_phone"),
    ("faxNumber", "fax_number"),
    ("streetAddress", "street_address"),
    ("city", "city"),
    ("state", "state"),
    ("postalCode", "postal_code"),
    ("country", "country"),
    ("usageLocation", "usage_location"),
    ("preferredLanguage", "preferred_language"),
    ("ageGroup", "age_group"),
    ("consentProvidedForMinor", "consent_provided_for_minor"),
    ("passwordPolicies", "password_policies"),
    ("creationType", "creation_type"),
    ("externalUserState", "external_user_state"),
    ("onPremisesImmutableId", "on_premises_immutable_id"),
    (
        "onPremisesExtensionAttributes/extensionAttribute1",
        "extension_attribute1",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute2",
        "extension_attribute2",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute3",
        "extension_attribute3",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute4",
        "extension_attribute4",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute5",
        "extension_attribute5",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute6",
        "extension_attribute6",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute7",
        "extension_attribute7",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute8",
        "extension_attribute8",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute9",
        "extension_attribute9",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute10",
        "extension_attribute10",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute11",
        "extension_attribute11",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute12",
        "extension_attribute12",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute13",
        "extension_attribute13",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute14",
        "extension_attribute14",
    ),
    (
        "onPremisesExtensionAttributes/extensionAttribute15",
        "extension_attribute15",
    ),
];

/// The columns of a user row besides the text properties.
const ACCOUNT_COLUMNS: &str = "id, user_principal_name, display_name, mail_nickname, account_enabled, \
     user_type, password_hash, created_at, last_password_change_at, sign_in_sessions_valid_from_at, \
     employee_hire_at, employee_leave_at, external_user_state_change_at, force_change_password, \
     force_change_password_with_mfa, on_premises_sync_enabled, show_in_address_list, deleted_at";

/// Every column of a user row, for `SELECT`.
pub(crate) static USER_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    let text: Vec<&str> = TEXT_COLUMNS.iter().map(|(_, c)| *c).collect();
    format!("{ACCOUNT_COLUMNS}, {}", text.join(", "))
});

/// `UPDATE users SET` list for everything a Graph update may change (`$3`... in [`bind_profile`] order).
static UPDATE_SET: LazyLock<String> = LazyLock::new(|| {
    let fixed = [
        "user_principal_name",
        "upn_key",
        "display_name",
        "mail_nickname",
        "account_enabled",
        "user_type",
        "employee_hire_at",
        "employee_leave_at",
        "external_user_state_change_at",
        "force_change_password",
        "force_change_password_with_mfa",
        "on_premises_sync_enabled",
        "show_in_address_list",
    ];
    fixed
        .iter()
        .copied()
        .chain(TEXT_COLUMNS.iter().map(|(_, c)| *c))
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 3))
        .collect::<Vec<_>>()
        .join(", ")
});

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User> {
    let mut profile = UserProfile {
        employee_hire_date: get_opt_ts(row, "employee_hire_at")?,
        employee_leave_date_time: get_opt_ts(row, "employee_leave_at")?,
        external_user_state_change: get_opt_ts(row, "external_user_state_change_at")?,
        force_change_password: get_flag(row, "force_change_password")?,
        force_change_password_with_mfa: get_flag(row, "force_change_password_with_mfa")?,
        on_premises_sync_enabled: get_opt_flag(row, "on_premises_sync_enabled")?,
        show_in_address_list: get_opt_flag(row, "show_in_address_list")?,
        ..UserProfile::default()
    };
    for property in TEXT_PROPERTIES {
        if let Some(value) = get::<Option<String>>(row, column(property.name))? {
            profile.text.insert(property.name, value);
        }
    }
    Ok(User {
        id: parse(row, "id", str::parse)?,
        user_principal_name: parse(row, "user_principal_name", UserPrincipalName::parse)?,
        display_name: get(row, "display_name")?,
        mail_nickname: get(row, "mail_nickname")?,
        account_enabled: get_flag(row, "account_enabled")?,
        user_type: parse(row, "user_type", UserType::parse)?,
        password: get::<Option<String>>(row, "password_hash")?.map(PasswordHash::from_phc),
        created: get_ts(row, "created_at")?,
        last_password_change: get_opt_ts(row, "last_password_change_at")?,
        sign_in_sessions_valid_from: get_opt_ts(row, "sign_in_sessions_valid_from_at")?,
        profile,
        deleted: get_opt_ts(row, "deleted_at")?,
    })
}

/// A nullable boolean (BOOLEAN on PostgreSQL, INTEGER 0/1 on SQLite).
fn get_opt_flag(row: &AnyRow, col: &str) -> Result<Option<bool>> {
    match get::<Option<bool>>(row, col) {
        Ok(b) => Ok(b),
        Err(_) => Ok(get::<Option<i64>>(row, col)?.map(|v| v != 0)),
    }
}

/// The column of a text property.
pub(crate) fn column(property: &str) -> &'static str {
    TEXT_COLUMNS
        .iter()
        .find(|(p, _)| *p == property)
        .map(|(_, c)| *c)
        .unwrap_or_else(|| unreachable!("text property {property} has no column"))
}

/// Which users a query addresses: the active ones or those in the recycle bin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bin {
    Active,
    Deleted,
}

impl Bin {
    fn condition(self) -> &'static str {
        match self {
            Self::Active => "deleted_at IS NULL",
            Self::Deleted => "deleted_at IS NOT NULL",
        }
    }
}

fn upn_conflict(e: sqlx::Error) -> Error {
    match db(e) {
        Error::Conflict { .. } => Error::conflict(
            "Another object with the same value for property userPrincipalName already exists.",
        ),
        other => other,
    }
}

impl<M> TenantTx<M> {
    /// The active user `id`, or `NotFound`.
    pub async fn user(&mut self, id: ObjectId) -> Result<User> {
        self.user_in(Bin::Active, id).await
    }

    /// The user `id` in the active directory or in the recycle bin, or `NotFound`.
    pub async fn user_in(&mut self, bin: Bin, id: ObjectId) -> Result<User> {
        let sql = format!(
            "SELECT {} FROM users WHERE tenant_id = $1 AND id = $2 AND {}",
            *USER_COLUMNS,
            bin.condition()
        );
        let row = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(id.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?
            .ok_or_else(|| Error::not_found(id.to_string()))?;
        let mut users = vec![user_from_row(&row)?];
        self.load_collections(&mut users).await?;
        Ok(users.remove(0))
    }

    /// An active user by sign-in name, compared case-insensitively as Entra does.
    pub async fn user_by_upn(&mut self, upn: &str) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {} FROM users WHERE tenant_id = $1 AND upn_key = $2 AND deleted_at IS NULL",
            *USER_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(upn.to_lowercase())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let mut users = vec![user_from_row(&row)?];
        self.load_collections(&mut users).await?;
        Ok(users.pop())
    }

    /// The users, active or in the recycle bin, whose user principal name is on the domain `name`
    /// (exactly, not on its subdomains): the users that keep a domain from being deleted.
    pub async fn users_on_domain(&mut self, name: &DomainName) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM users WHERE tenant_id = $1 AND upn_key LIKE $2 ORDER BY upn_key",
            *USER_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(format!("%@{name}"))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        let mut users = rows.iter().map(user_from_row).collect::<Result<Vec<_>>>()?;
        self.load_collections(&mut users).await?;
        Ok(users)
    }

    /// A page of users in `bin` ordered by id, starting after `after`: at most `limit` of them.
    pub async fn users_page(
        &mut self,
        bin: Bin,
        after: Option<ObjectId>,
        limit: i64,
    ) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM users WHERE tenant_id = $1 AND {} AND id > $2 ORDER BY id LIMIT $3",
            *USER_COLUMNS,
            bin.condition()
        );
        let rows = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(after.map(|a| a.to_string()).unwrap_or_default())
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        let mut users = rows.iter().map(user_from_row).collect::<Result<Vec<_>>>()?;
        self.load_collections(&mut users).await?;
        Ok(users)
    }

    /// How many users are in `bin`.
    pub async fn count_users(&mut self, bin: Bin) -> Result<i64> {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND {}",
            bin.condition()
        ))
        .bind(&self.tenant)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)
    }

    /// Active users that hold no assignment of `role_definition_id`.
    pub async fn count_users_without_role(&mut self, role_definition_id: Uuid) -> Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users u WHERE u.tenant_id = $1 AND u.deleted_at IS NULL AND NOT EXISTS \
             (SELECT 1 FROM role_assignments r WHERE r.tenant_id = u.tenant_id AND r.principal_id = u.id \
             AND r.role_definition_id = $2)",
        )
        .bind(&self.tenant)
        .bind(role_definition_id.to_string())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)
    }

    /// How many active users hold a tenant-wide assignment of `role_definition_id`.
    pub async fn count_active_role_holders(&mut self, role_definition_id: Uuid) -> Result<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(DISTINCT u.id) FROM users u JOIN role_assignments r ON r.tenant_id = u.tenant_id \
             AND r.principal_id = u.id WHERE u.tenant_id = $1 AND u.deleted_at IS NULL \
             AND u.account_enabled = $3 AND r.role_definition_id = $2 AND r.directory_scope_id = '/'",
        )
        .bind(&self.tenant)
        .bind(role_definition_id.to_string())
        .bind(true)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)
    }

    /// The sign-in activity of user `id` (active or in the recycle bin).
    pub async fn sign_in_activity(&mut self, id: ObjectId) -> Result<SignInActivity> {
        let row = sqlx::query(
            "SELECT last_sign_in_at, last_sign_in_request_id, last_non_interactive_sign_in_at, \
             last_non_interactive_sign_in_request_id, last_successful_sign_in_at, \
             last_successful_sign_in_request_id FROM users WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_string()))?;
        let pair = |at: &str, request: &str| -> Result<Option<(OffsetDateTime, String)>> {
            Ok(
                match (get_opt_ts(&row, at)?, get::<Option<String>>(&row, request)?) {
                    (Some(t), Some(r)) => Some((t, r)),
                    _ => None,
                },
            )
        };
        Ok(SignInActivity {
            last_sign_in: pair("last_sign_in_at", "last_sign_in_request_id")?,
            last_non_interactive_sign_in: pair(
                "last_non_interactive_sign_in_at",
                "last_non_interactive_sign_in_request_id",
            )?,
            last_successful_sign_in: pair(
                "last_successful_sign_in_at",
                "last_successful_sign_in_request_id",
            )?,
        })
    }

    /// The active manager of user `id`, if any.
    pub async fn manager_of(&mut self, id: ObjectId) -> Result<Option<User>> {
        let manager: Option<Option<String>> = sqlx::query_scalar(
            "SELECT manager_id FROM users WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        let Some(manager) = manager.ok_or_else(|| Error::not_found(id.to_string()))? else {
            return Ok(None);
        };
        match self.user(manager.parse()?).await {
            Ok(u) => Ok(Some(u)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The active users whose manager is `id`, by id.
    pub async fn direct_reports(&mut self, id: ObjectId) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM users WHERE tenant_id = $1 AND manager_id = $2 AND deleted_at IS NULL ORDER BY id",
            *USER_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(id.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        let mut users = rows.iter().map(user_from_row).collect::<Result<Vec<_>>>()?;
        self.load_collections(&mut users).await?;
        Ok(users)
    }

    /// Whether `value` of the multi-valued `property` is held by an object other than `except`
    /// (case-insensitively), active or in the recycle bin.
    pub async fn value_taken(
        &mut self,
        property: &str,
        value: &str,
        except: ObjectId,
    ) -> Result<bool> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT object_id FROM directory_values WHERE tenant_id = $1 AND property = $2 \
             AND value_key = $3 AND object_id <> $4 LIMIT 1",
        )
        .bind(&self.tenant)
        .bind(property)
        .bind(value.to_lowercase())
        .bind(except.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(found.is_some())
    }

    /// Fills the multi-valued properties of `users` with one query.
    pub(crate) async fn load_collections(&mut self, users: &mut [User]) -> Result<()> {
        let ids: Vec<ObjectId> = users.iter().map(|u| u.id).collect();
        let mut values = self.load_values(&ids, COLLECTION_PROPERTIES).await?;
        for user in users {
            if let Some(v) = values.remove(&user.id.to_string()) {
                user.profile.collections = v;
            }
        }
        Ok(())
    }
}

impl TenantTx<Write> {
    /// Inserts a user with all its properties (tenant provisioning and Graph's create, which goes
    /// through [`Self::create_user`]).
    pub async fn insert_user(&mut self, user: &User) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (tenant_id, id, user_principal_name, upn_key, display_name, mail_nickname, \
             account_enabled, user_type, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&self.tenant)
        .bind(user.id.to_string())
        .bind(user.user_principal_name.to_string())
        .bind(user.user_principal_name.to_string().to_lowercase())
        .bind(&user.display_name)
        .bind(&user.mail_nickname)
        .bind(user.account_enabled)
        .bind(user.user_type.as_str())
        .bind(ts(user.created))
        .execute(&mut *self.tx)
        .await
        .map_err(upn_conflict)?;
        self.write_user(user).await?;
        sqlx::query(
            "UPDATE users SET password_hash = $3, last_password_change_at = $4, \
             sign_in_sessions_valid_from_at = $5 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&self.tenant)
        .bind(user.id.to_string())
        .bind(user.password.as_ref().map(|p| p.as_phc().to_owned()))
        .bind(user.last_password_change.map(ts))
        .bind(user.sign_in_sessions_valid_from.map(ts))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Creates a user through Graph: needs the decision's proof for a `users` action.
    pub async fn create_user(&mut self, proof: &Proof, user: &User) -> Result<()> {
        proof.require("users")?;
        self.insert_user(user).await
    }

    /// Writes every property a Graph update may change (not the password, not the bin state).
    pub async fn update_user(&mut self, proof: &Proof, user: &User) -> Result<()> {
        proof.require("users")?;
        self.write_user(user).await
    }

    async fn write_user(&mut self, user: &User) -> Result<()> {
        let p = &user.profile;
        let upn = user.user_principal_name.to_string();
        let sql = format!(
            "UPDATE users SET {} WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
            *UPDATE_SET
        );
        let mut query = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(user.id.to_string())
            .bind(upn.clone())
            .bind(upn.to_lowercase())
            .bind(user.display_name.clone())
            .bind(user.mail_nickname.clone())
            .bind(user.account_enabled)
            .bind(user.user_type.as_str())
            .bind(p.employee_hire_date.map(ts))
            .bind(p.employee_leave_date_time.map(ts))
            .bind(p.external_user_state_change.map(ts))
            .bind(p.force_change_password)
            .bind(p.force_change_password_with_mfa)
            .bind(p.on_premises_sync_enabled)
            .bind(p.show_in_address_list);
        for (property, _) in TEXT_COLUMNS {
            query = query.bind(p.get(property).map(str::to_owned));
        }
        let done = query.execute(&mut *self.tx).await.map_err(upn_conflict)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(user.id.to_string()));
        }
        self.replace_values(user.id, &p.collections).await?;
        Ok(())
    }

    /// Sets user `id`'s password (an Argon2id hash) as changed at `now`.
    pub async fn set_password(
        &mut self,
        proof: &Proof,
        id: ObjectId,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<()> {
        proof.require("users")?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $3, last_password_change_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .bind(hash.as_phc().to_owned())
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_string()));
        }
        Ok(())
    }

    /// Records a successful sign-in of user `id` (tokens were issued) for `signInActivity`.
    pub async fn record_sign_in(
        &mut self,
        id: ObjectId,
        interactive: bool,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        let sql = if interactive {
            "UPDATE users SET last_sign_in_at = $3, last_sign_in_request_id = $4, \
             last_successful_sign_in_at = $3, last_successful_sign_in_request_id = $4 \
             WHERE tenant_id = $1 AND id = $2"
        } else {
            "UPDATE users SET last_non_interactive_sign_in_at = $3, \
             last_non_interactive_sign_in_request_id = $4, last_successful_sign_in_at = $3, \
             last_successful_sign_in_request_id = $4 WHERE tenant_id = $1 AND id = $2"
        };
        sqlx::query(sql)
            .bind(&self.tenant)
            .bind(id.to_string())
            .bind(ts(now))
            .bind(request_id)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Sets (or clears) the manager of user `id`.
    pub async fn set_manager(
        &mut self,
        proof: &Proof,
        id: ObjectId,
        manager: Option<ObjectId>,
    ) -> Result<()> {
        proof.require("users")?;
        self.update_column(
            id,
            "UPDATE users SET manager_id = $3 WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
            manager.map(|m| m.to_string()),
        )
        .await
    }

    /// Moves user `id` to the recycle bin at `now`: sign-in stops and its sessions end.
    pub async fn delete_user(
        &mut self,
        proof: &Proof,
        id: ObjectId,
        now: OffsetDateTime,
    ) -> Result<()> {
        proof.require("users")?;
        self.update_column(
            id,
            "UPDATE users SET deleted_at = $3, sign_in_sessions_valid_from_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
            ts(now),
        )
        .await
    }

    /// Brings user `id` back from the recycle bin with its id, properties and relationships.
    pub async fn restore_user(&mut self, proof: &Proof, id: ObjectId) -> Result<()> {
        proof.require("users")?;
        self.update_column(
            id,
            "UPDATE users SET deleted_at = $3 WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NOT NULL",
            None::<i64>,
        )
        .await
    }

    /// Deletes user `id`, which must be in the recycle bin, for good.
    pub async fn purge_user(&mut self, proof: &Proof, id: ObjectId) -> Result<()> {
        proof.require("users")?;
        self.purge_users(&[id]).await
    }

    /// Permanently deletes the users that entered the recycle bin before `before` (the 30-day purge);
    /// returns their ids.
    pub async fn purge_users_deleted_before(
        &mut self,
        before: OffsetDateTime,
    ) -> Result<Vec<ObjectId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM users WHERE tenant_id = $1 AND deleted_at IS NOT NULL AND deleted_at < $2",
        )
        .bind(&self.tenant)
        .bind(ts(before))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        let ids = ids
            .iter()
            .map(|s| s.parse())
            .collect::<Result<Vec<ObjectId>>>()?;
        self.purge_users(&ids).await?;
        Ok(ids)
    }

    async fn purge_users(&mut self, ids: &[ObjectId]) -> Result<()> {
        for id in ids {
            let done = sqlx::query(
                "DELETE FROM users WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NOT NULL",
            )
            .bind(&self.tenant)
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
            if done.rows_affected() == 0 {
                return Err(Error::not_found(id.to_string()));
            }
            self.delete_values(*id).await?;
            for sql in [
                "DELETE FROM role_assignments WHERE tenant_id = $1 AND principal_id = $2",
                "UPDATE users SET manager_id = NULL WHERE tenant_id = $1 AND manager_id = $2",
                "DELETE FROM group_members WHERE tenant_id = $1 AND member_id = $2",
                "DELETE FROM group_owners WHERE tenant_id = $1 AND owner_id = $2",
            ] {
                sqlx::query(sql)
                    .bind(&self.tenant)
                    .bind(id.to_string())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
            }
        }
        Ok(())
    }

    pub async fn set_account_enabled(&mut self, user: ObjectId, enabled: bool) -> Result<()> {
        self.update_column(
            user,
            "UPDATE users SET account_enabled = $3 WHERE tenant_id = $1 AND id = $2",
            enabled,
        )
        .await
    }

    /// Sets the instant before which the user's sessions and refresh tokens are invalid.
    pub async fn set_sign_in_sessions_valid_from(
        &mut self,
        user: ObjectId,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.update_column(
            user,
            "UPDATE users SET sign_in_sessions_valid_from_at = $3 WHERE tenant_id = $1 AND id = $2",
            ts(at),
        )
        .await
    }

    /// Runs a one-column user update (`$1` tenant, `$2` user, `$3` value); NotFound when no such user.
    async fn update_column<T>(&mut self, user: ObjectId, sql: &'static str, value: T) -> Result<()>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
    {
        let done = sqlx::query(sql)
            .bind(&self.tenant)
            .bind(user.to_string())
            .bind(value)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(user.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_property_has_one_column() {
        assert_eq!(TEXT_COLUMNS.len(), TEXT_PROPERTIES.len());
        for p in TEXT_PROPERTIES {
            assert!(!column(p.name).is_empty());
        }
    }
}
