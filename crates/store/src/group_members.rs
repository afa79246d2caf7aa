//! Group memberships and ownerships: direct and transitive members, the groups an object belongs
//! to (directly or through nesting), and which kind of directory object an id names.
//!
//! Transitive membership is one recursive query (`WITH RECURSIVE`, the same on SQLite and
//! PostgreSQL). `UNION` (not `UNION ALL`) keeps each group once, so the walk ends even on a cycle
//! (which writes refuse anyway) and is bounded by the number of groups; each step is one index
//! range scan (`group_members_member` upward, the primary key downward). Deleted groups are left
//! out of every answer.

use gatehouse_domain::authz::Proof;
use gatehouse_domain::group::{DirectoryRef, Group, ObjectKind};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;

use crate::error::db;
use crate::groups::{GROUP_COLUMNS, check, group_from_row};
use crate::rows::parse;
use crate::tx::{TenantTx, Write};

/// The groups `$2` belongs to, directly or through nesting (a recursive CTE named `up`).
const UP: &str = "WITH RECURSIVE up(group_id) AS (\
     SELECT gm.group_id FROM group_members gm WHERE gm.tenant_id = $1 AND gm.member_id = $2 \
     UNION \
     SELECT gm.group_id FROM group_members gm JOIN up ON gm.member_id = up.group_id WHERE gm.tenant_id = $1)";

/// The members of group `$2`, direct or through nested groups (a recursive CTE named `down`).
const DOWN: &str = "WITH RECURSIVE down(member_id, member_type) AS (\
     SELECT gm.member_id, gm.member_type FROM group_members gm WHERE gm.tenant_id = $1 AND gm.group_id = $2 \
     UNION \
     SELECT gm.member_id, gm.member_type FROM group_members gm JOIN down ON gm.group_id = down.member_id \
     WHERE gm.tenant_id = $1 AND down.member_type = 'group')";

/// Leaves out references to users in the recycle bin (their memberships and ownerships wait there
/// with them, for a restore), for a reference column `col`.
fn active(col: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = $1 AND u.id = {col} \
         AND u.deleted_at IS NOT NULL)"
    )
}

/// The message Graph gives when an added reference already exists.
pub fn already_exists(property: &str) -> Error {
    Error::conflict(format!(
        "One or more added object references already exist for the following modified properties: '{property}'."
    ))
}

fn reference(row: &AnyRow, id: &str, kind: &str) -> Result<DirectoryRef> {
    Ok(DirectoryRef {
        id: parse(row, id, str::parse)?,
        kind: parse(row, kind, ObjectKind::parse)?,
    })
}

impl<M> TenantTx<M> {
    /// What kind of (not deleted) directory object `id` is, if it exists in the tenant.
    pub async fn object_kind(&mut self, id: ObjectId) -> Result<Option<ObjectKind>> {
        let kind: Option<String> = sqlx::query_scalar(
            "SELECT 'user' FROM users WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL \
             UNION ALL SELECT 'group' FROM groups WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL \
             UNION ALL SELECT 'servicePrincipal' FROM service_principals WHERE tenant_id = $1 AND id = $2 \
             UNION ALL SELECT 'application' FROM applications WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        kind.as_deref().map(ObjectKind::parse).transpose()
    }

    /// The direct members of `group`, in id order.
    pub async fn group_members(&mut self, group: ObjectId) -> Result<Vec<DirectoryRef>> {
        self.refs(
            &format!(
                "SELECT member_id, member_type FROM group_members gm WHERE gm.tenant_id = $1 \
                 AND gm.group_id = $2 AND {} ORDER BY member_id",
                active("gm.member_id")
            ),
            group,
        )
        .await
    }

    /// Every member of `group`, directly or through nested groups, each once, in id order.
    pub async fn transitive_group_members(&mut self, group: ObjectId) -> Result<Vec<DirectoryRef>> {
        self.refs(
            &format!(
                "{DOWN} SELECT DISTINCT member_id, member_type FROM down d WHERE d.member_id <> $2 \
                 AND {} ORDER BY member_id",
                active("d.member_id")
            ),
            group,
        )
        .await
    }

    /// The owners of `group`, in id order.
    pub async fn group_owners(&mut self, group: ObjectId) -> Result<Vec<DirectoryRef>> {
        let rows = sqlx::query(&format!(
            "SELECT owner_id, owner_type FROM group_owners o WHERE o.tenant_id = $1 AND o.group_id = $2 \
             AND {} ORDER BY owner_id",
            active("o.owner_id")
        ))
        .bind(&self.tenant)
        .bind(group.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| reference(r, "owner_id", "owner_type"))
            .collect()
    }

    async fn refs(&mut self, sql: &str, group: ObjectId) -> Result<Vec<DirectoryRef>> {
        let rows = sqlx::query(sql)
            .bind(&self.tenant)
            .bind(group.to_string())
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| reference(r, "member_id", "member_type"))
            .collect()
    }

    /// Whether `owner` owns `group`.
    pub async fn is_group_owner(&mut self, group: ObjectId, owner: ObjectId) -> Result<bool> {
        self.exists(
            "SELECT 1 FROM group_owners WHERE tenant_id = $1 AND group_id = $2 AND owner_id = $3",
            group,
            owner,
        )
        .await
    }

    /// Whether `member` is a direct member of `group`.
    pub async fn is_group_member(&mut self, group: ObjectId, member: ObjectId) -> Result<bool> {
        self.exists(
            "SELECT 1 FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND member_id = $3",
            group,
            member,
        )
        .await
    }

    async fn exists(&mut self, sql: &str, a: ObjectId, b: ObjectId) -> Result<bool> {
        let row = sqlx::query(sql)
            .bind(&self.tenant)
            .bind(a.to_string())
            .bind(b.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(row.is_some())
    }

    /// The (not deleted) groups `member` is a direct member of, in id order.
    pub async fn member_of(&mut self, member: ObjectId) -> Result<Vec<Group>> {
        self.groups_where(
            "g.id IN (SELECT group_id FROM group_members WHERE tenant_id = $1 AND member_id = $2)",
            "",
            member,
        )
        .await
    }

    /// The (not deleted) groups `member` belongs to, directly or through nested groups.
    pub async fn transitive_member_of(&mut self, member: ObjectId) -> Result<Vec<Group>> {
        self.groups_where("g.id IN (SELECT group_id FROM up)", UP, member)
            .await
    }

    /// The ids of the groups `member` belongs to, directly or through nesting (deleted groups
    /// excluded), for membership checks.
    pub async fn transitive_member_of_ids(&mut self, member: ObjectId) -> Result<Vec<ObjectId>> {
        let ids: Vec<String> = sqlx::query_scalar(&format!(
            "{UP} SELECT g.id FROM groups g JOIN up ON g.id = up.group_id \
             WHERE g.tenant_id = $1 AND g.deleted_at IS NULL ORDER BY g.id"
        ))
        .bind(&self.tenant)
        .bind(member.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        ids.iter().map(|s| s.parse()).collect()
    }

    async fn groups_where(
        &mut self,
        condition: &str,
        with: &str,
        member: ObjectId,
    ) -> Result<Vec<Group>> {
        let columns = GROUP_COLUMNS
            .split(", ")
            .map(|c| format!("g.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "{with} SELECT {columns} FROM groups g WHERE g.tenant_id = $1 AND g.deleted_at IS NULL \
             AND {condition} ORDER BY g.id"
        ))
        .bind(&self.tenant)
        .bind(member.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(group_from_row).collect()
    }
}

impl TenantTx<Write> {
    /// Adds a member. An existing one is Graph's "already exist" `Conflict`; a group that already
    /// (transitively) contains `group` is refused, since Entra allows no membership cycles.
    pub async fn add_group_member(
        &mut self,
        proof: &Proof,
        group: ObjectId,
        member: DirectoryRef,
    ) -> Result<()> {
        check(proof)?;
        if member.kind == ObjectKind::Group
            && (member.id == group
                || self
                    .transitive_member_of_ids(group)
                    .await?
                    .contains(&member.id))
        {
            return Err(Error::invalid(
                "Adding this group would create a circular membership.",
            ));
        }
        self.insert_ref(
            "INSERT INTO group_members (tenant_id, group_id, member_id, member_type) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, group_id, member_id) DO NOTHING",
            group,
            member,
            "members",
        )
        .await
    }

    /// Adds an owner; an existing one is Graph's "already exist" `Conflict`.
    pub async fn add_group_owner(
        &mut self,
        proof: &Proof,
        group: ObjectId,
        owner: DirectoryRef,
    ) -> Result<()> {
        check(proof)?;
        self.insert_ref(
            "INSERT INTO group_owners (tenant_id, group_id, owner_id, owner_type) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, group_id, owner_id) DO NOTHING",
            group,
            owner,
            "owners",
        )
        .await
    }

    async fn insert_ref(
        &mut self,
        sql: &str,
        group: ObjectId,
        object: DirectoryRef,
        property: &str,
    ) -> Result<()> {
        let done = sqlx::query(sql)
            .bind(&self.tenant)
            .bind(group.to_string())
            .bind(object.id.to_string())
            .bind(object.kind.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(already_exists(property));
        }
        Ok(())
    }

    /// Removes a direct member; `NotFound` when it is not one.
    pub async fn remove_group_member(
        &mut self,
        proof: &Proof,
        group: ObjectId,
        member: ObjectId,
    ) -> Result<()> {
        check(proof)?;
        self.delete_ref(
            "DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND member_id = $3",
            group,
            member,
        )
        .await
    }

    /// Removes an owner; `NotFound` when it is not one.
    pub async fn remove_group_owner(
        &mut self,
        proof: &Proof,
        group: ObjectId,
        owner: ObjectId,
    ) -> Result<()> {
        check(proof)?;
        self.delete_ref(
            "DELETE FROM group_owners WHERE tenant_id = $1 AND group_id = $2 AND owner_id = $3",
            group,
            owner,
        )
        .await
    }

    async fn delete_ref(&mut self, sql: &str, group: ObjectId, object: ObjectId) -> Result<()> {
        let done = sqlx::query(sql)
            .bind(&self.tenant)
            .bind(group.to_string())
            .bind(object.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(object.to_string()));
        }
        Ok(())
    }
}
