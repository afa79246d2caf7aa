//! Groups: the group rows, listing with keyset paging, soft delete (Microsoft 365 groups),
//! restore and purge. Memberships and ownerships are in `group_members.rs`. Writes require a
//! `groups` proof from the authorization decision.

use gatehouse_domain::authz::Proof;
use gatehouse_domain::group::{Group, Visibility};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_flag, get_opt_ts, get_ts, parse, ts};
use crate::tx::{InstanceTx, TenantTx, Write};

pub(crate) const GROUP_COLUMNS: &str = "id, display_name, description, mail_nickname, mail_enabled, security_enabled, \
     group_types, visibility, is_assignable_to_role, classification, membership_rule, \
     membership_rule_processing_state, created_at, deleted_at";

/// A value bound to a `?` placeholder of a [`SqlFilter`].
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Text(String),
    Bool(bool),
    Int(i64),
}

/// A condition on a collection's table, written by the query layer: SQL over the table's columns
/// with `?` placeholders, and their values in order. The store numbers the placeholders after its
/// own (tenant, paging), so the fragment never sees them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlFilter {
    pub sql: String,
    pub params: Vec<SqlParam>,
}

impl SqlFilter {
    /// `column = ?`.
    pub fn eq(column: &str, value: SqlParam) -> Self {
        Self {
            sql: format!("{column} = ?"),
            params: vec![value],
        }
    }

    /// Both conditions.
    pub fn and(self, other: Self) -> Self {
        if self.sql.is_empty() {
            return other;
        }
        let mut params = self.params;
        params.extend(other.params);
        Self {
            sql: format!("({}) AND ({})", self.sql, other.sql),
            params,
        }
    }

    /// The SQL with `?` replaced by `$first`, `$first+1`, ...
    fn numbered(&self, first: usize) -> String {
        let mut out = String::with_capacity(self.sql.len() + 8);
        let mut n = first;
        for c in self.sql.chars() {
            if c == '?' {
                out.push_str(&format!("${n}"));
                n += 1;
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// The column a Graph `group` property filters on (string columns hold lower-cased keys, since
/// Graph compares strings case-insensitively), and whether its values are booleans.
pub fn group_filter_column(property: &str) -> Option<(&'static str, bool)> {
    match property {
        "displayName" => Some(("display_name_key", false)),
        "mailNickname" => Some(("mail_nickname_key", false)),
        "securityEnabled" => Some(("security_enabled", true)),
        "mailEnabled" => Some(("mail_enabled", true)),
        _ => None,
    }
}

/// One page of `GET /groups`: groups matching `filter`, ordered by id, after `after`.
#[derive(Debug, Clone, Default)]
pub struct GroupQuery {
    pub filter: SqlFilter,
    pub after: Option<ObjectId>,
    pub limit: u32,
}

pub(crate) fn group_from_row(row: &AnyRow) -> Result<Group> {
    let types: String = get(row, "group_types")?;
    Ok(Group {
        id: parse(row, "id", str::parse)?,
        display_name: get(row, "display_name")?,
        description: get(row, "description")?,
        mail_nickname: get(row, "mail_nickname")?,
        mail_enabled: get_flag(row, "mail_enabled")?,
        security_enabled: get_flag(row, "security_enabled")?,
        group_types: serde_json::from_str(&types)
            .map_err(|e| Error::internal(format!("stored group_types: {e}")))?,
        visibility: get::<Option<String>>(row, "visibility")?
            .map(|v| Visibility::parse(&v))
            .transpose()
            .map_err(|e| Error::internal(format!("stored visibility: {e}")))?,
        is_assignable_to_role: get_flag(row, "is_assignable_to_role")?,
        classification: get(row, "classification")?,
        membership_rule: get(row, "membership_rule")?,
        membership_rule_processing_state: get(row, "membership_rule_processing_state")?,
        created: get_ts(row, "created_at")?,
        deleted: get_opt_ts(row, "deleted_at")?,
    })
}

/// Refuses a proof issued for another kind of object.
pub(crate) fn check(proof: &Proof) -> Result<()> {
    if proof.covers_entity("groups") {
        Ok(())
    } else {
        Err(Error::internal(format!(
            "a proof for {} cannot write groups",
            proof.action()
        )))
    }
}

fn nickname_conflict(e: Error) -> Error {
    match e {
        Error::Conflict { .. } => Error::conflict(
            "Another object with the same value for property proxyAddresses already exists.",
        ),
        other => other,
    }
}

impl<M> TenantTx<M> {
    /// The (not deleted) group `id`, or `NotFound`.
    pub async fn group(&mut self, id: ObjectId) -> Result<Group> {
        self.group_row(id, false).await
    }

    /// The deleted group `id` waiting in the recycle bin, or `NotFound`.
    pub async fn deleted_group(&mut self, id: ObjectId) -> Result<Group> {
        self.group_row(id, true).await
    }

    async fn group_row(&mut self, id: ObjectId, deleted: bool) -> Result<Group> {
        let state = if deleted { "IS NOT NULL" } else { "IS NULL" };
        let row = sqlx::query(&format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE tenant_id = $1 AND id = $2 AND deleted_at {state}"
        ))
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_string()))?;
        group_from_row(&row)
    }

    /// One page of (not deleted) groups in id order.
    pub async fn groups_page(&mut self, query: &GroupQuery) -> Result<Vec<Group>> {
        let mut sql = format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE tenant_id = $1 AND deleted_at IS NULL AND id > $2"
        );
        if !query.filter.sql.is_empty() {
            sql.push_str(&format!(" AND ({})", query.filter.numbered(3)));
        }
        sql.push_str(&format!(
            " ORDER BY id LIMIT {}",
            query.limit.clamp(1, 1000)
        ));
        let mut q = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(query.after.map(|a| a.to_string()).unwrap_or_default());
        for p in &query.filter.params {
            q = match p {
                SqlParam::Text(s) => q.bind(s.clone()),
                SqlParam::Bool(b) => q.bind(*b),
                SqlParam::Int(i) => q.bind(*i),
            };
        }
        let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
        rows.iter().map(group_from_row).collect()
    }

    /// Deleted groups in the recycle bin, oldest deletion first.
    pub async fn deleted_groups(&mut self) -> Result<Vec<Group>> {
        let rows = sqlx::query(&format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE tenant_id = $1 AND deleted_at IS NOT NULL \
             ORDER BY deleted_at, id"
        ))
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(group_from_row).collect()
    }

    /// Whether a mail-enabled group (deleted ones included: their address stays reserved) other
    /// than `except` uses `mail_nickname`.
    pub async fn group_mail_nickname_taken(
        &mut self,
        mail_nickname: &str,
        except: ObjectId,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM groups WHERE tenant_id = $1 AND mail_nickname_key = $2 AND mail_enabled = $3 \
             AND id <> $4",
        )
        .bind(&self.tenant)
        .bind(mail_nickname.to_lowercase())
        .bind(true)
        .bind(except.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(row.is_some())
    }
}

impl TenantTx<Write> {
    /// Inserts a group. A mail-enabled group whose nickname is taken is a `Conflict`.
    pub async fn insert_group(&mut self, proof: &Proof, group: &Group) -> Result<()> {
        check(proof)?;
        if group.mail_enabled
            && self
                .group_mail_nickname_taken(&group.mail_nickname, group.id)
                .await?
        {
            return Err(nickname_conflict(Error::conflict("")));
        }
        sqlx::query(
            "INSERT INTO groups (tenant_id, id, display_name, display_name_key, description, mail_nickname, \
             mail_nickname_key, mail_enabled, security_enabled, group_types, visibility, is_assignable_to_role, \
             classification, membership_rule, membership_rule_processing_state, created_at, deleted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL)",
        )
        .bind(&self.tenant)
        .bind(group.id.to_string())
        .bind(&group.display_name)
        .bind(group.display_name.to_lowercase())
        .bind(group.description.clone())
        .bind(&group.mail_nickname)
        .bind(group.mail_nickname.to_lowercase())
        .bind(group.mail_enabled)
        .bind(group.security_enabled)
        .bind(types_json(group)?)
        .bind(group.visibility.map(|v| v.as_str()))
        .bind(group.is_assignable_to_role)
        .bind(group.classification.clone())
        .bind(group.membership_rule.clone())
        .bind(group.membership_rule_processing_state.clone())
        .bind(ts(group.created))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| nickname_conflict(db(e)))?;
        Ok(())
    }

    /// Replaces a (not deleted) group's properties; `id` and `createdDateTime` never change.
    pub async fn update_group(&mut self, proof: &Proof, group: &Group) -> Result<()> {
        check(proof)?;
        if group.mail_enabled
            && self
                .group_mail_nickname_taken(&group.mail_nickname, group.id)
                .await?
        {
            return Err(nickname_conflict(Error::conflict("")));
        }
        let done = sqlx::query(
            "UPDATE groups SET display_name = $3, display_name_key = $4, description = $5, mail_nickname = $6, \
             mail_nickname_key = $7, mail_enabled = $8, security_enabled = $9, group_types = $10, visibility = $11, \
             is_assignable_to_role = $12, classification = $13, membership_rule = $14, \
             membership_rule_processing_state = $15 WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(group.id.to_string())
        .bind(&group.display_name)
        .bind(group.display_name.to_lowercase())
        .bind(group.description.clone())
        .bind(&group.mail_nickname)
        .bind(group.mail_nickname.to_lowercase())
        .bind(group.mail_enabled)
        .bind(group.security_enabled)
        .bind(types_json(group)?)
        .bind(group.visibility.map(|v| v.as_str()))
        .bind(group.is_assignable_to_role)
        .bind(group.classification.clone())
        .bind(group.membership_rule.clone())
        .bind(group.membership_rule_processing_state.clone())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| nickname_conflict(db(e)))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(group.id.to_string()));
        }
        Ok(())
    }

    /// Moves a group to the recycle bin: it keeps its properties, members and owners (so a
    /// restore brings them back) and leaves the groups it was a member of.
    pub async fn soft_delete_group(
        &mut self,
        proof: &Proof,
        id: ObjectId,
        at: OffsetDateTime,
    ) -> Result<()> {
        check(proof)?;
        let done = sqlx::query(
            "UPDATE groups SET deleted_at = $3 WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .bind(ts(at))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_string()));
        }
        self.remove_from_all_groups(id).await
    }

    /// Deletes a (not deleted) group at once, with its memberships and ownerships.
    pub async fn delete_group(&mut self, proof: &Proof, id: ObjectId) -> Result<()> {
        check(proof)?;
        self.group(id).await?;
        self.erase_group(id).await
    }

    /// Brings a deleted group back from the recycle bin with its members and owners.
    pub async fn restore_group(&mut self, proof: &Proof, id: ObjectId) -> Result<Group> {
        check(proof)?;
        let group = self.deleted_group(id).await?;
        if group.mail_enabled
            && self
                .group_mail_nickname_taken(&group.mail_nickname, group.id)
                .await?
        {
            return Err(nickname_conflict(Error::conflict("")));
        }
        sqlx::query("UPDATE groups SET deleted_at = NULL WHERE tenant_id = $1 AND id = $2")
            .bind(&self.tenant)
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(Group {
            deleted: None,
            ..group
        })
    }

    /// Permanently deletes a group from the recycle bin.
    pub async fn purge_group(&mut self, proof: &Proof, id: ObjectId) -> Result<Group> {
        check(proof)?;
        let group = self.deleted_group(id).await?;
        self.erase_group(id).await?;
        Ok(group)
    }

    /// Permanently deletes the groups deleted before `cutoff` (the end of their restore window);
    /// returns them. Run by the periodic job, not on behalf of a caller.
    pub async fn purge_expired_groups(&mut self, cutoff: OffsetDateTime) -> Result<Vec<Group>> {
        let rows = sqlx::query(&format!(
            "SELECT {GROUP_COLUMNS} FROM groups WHERE tenant_id = $1 AND deleted_at IS NOT NULL \
             AND deleted_at < $2"
        ))
        .bind(&self.tenant)
        .bind(ts(cutoff))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        let groups: Vec<Group> = rows.iter().map(group_from_row).collect::<Result<_>>()?;
        for g in &groups {
            self.erase_group(g.id).await?;
        }
        Ok(groups)
    }

    async fn erase_group(&mut self, id: ObjectId) -> Result<()> {
        // Children go explicitly, so the delete does not depend on the engine enforcing cascades.
        for sql in [
            "DELETE FROM group_members WHERE tenant_id = $1 AND (group_id = $2 OR member_id = $2)",
            "DELETE FROM group_owners WHERE tenant_id = $1 AND group_id = $2",
            "DELETE FROM groups WHERE tenant_id = $1 AND id = $2",
        ] {
            sqlx::query(sql)
                .bind(&self.tenant)
                .bind(id.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// Removes `member` from every group it is a direct member of.
    pub(crate) async fn remove_from_all_groups(&mut self, member: ObjectId) -> Result<()> {
        sqlx::query("DELETE FROM group_members WHERE tenant_id = $1 AND member_id = $2")
            .bind(&self.tenant)
            .bind(member.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }
}

impl<M> InstanceTx<M> {
    /// The tenants holding groups deleted before `cutoff` (for the purge job).
    pub async fn tenants_with_groups_deleted_before(
        &mut self,
        cutoff: OffsetDateTime,
    ) -> Result<Vec<gatehouse_domain::ids::TenantId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT tenant_id FROM groups WHERE deleted_at IS NOT NULL AND deleted_at < $1 \
             ORDER BY tenant_id",
        )
        .bind(ts(cutoff))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        ids.iter().map(|s| s.parse()).collect()
    }
}

fn types_json(group: &Group) -> Result<String> {
    serde_json::to_string(&group.group_types).map_err(|e| Error::internal(e.to_string()))
}
