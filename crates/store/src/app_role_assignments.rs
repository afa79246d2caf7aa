//! Application permissions (Graph `appRoleAssignment` with a service principal as the principal).
//! Writes require the decision's [`Proof`] for a `servicePrincipals` action; an assignment goes with
//! either of its service principals and with its tenant.

use gatehouse_domain::application::AppRoleAssignment;
use gatehouse_domain::authz::Proof;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::db;
use crate::rows::{get, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

const COLUMNS: &str = "id, app_role_id, principal_id, resource_id, created_at";

fn assignment_from_row(row: &AnyRow) -> Result<AppRoleAssignment> {
    Ok(AppRoleAssignment {
        id: get(row, "id")?,
        app_role_id: parse(row, "app_role_id", |s| {
            Uuid::try_parse(s).map_err(|e| Error::internal(format!("stored app role id {s}: {e}")))
        })?,
        principal_id: parse(row, "principal_id", str::parse)?,
        resource_id: parse(row, "resource_id", str::parse)?,
        created: get_ts(row, "created_at")?,
    })
}

impl<M> TenantTx<M> {
    /// The assignment with id `id`, or `NotFound`.
    pub async fn app_role_assignment(&mut self, id: &str) -> Result<AppRoleAssignment> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM app_role_assignments WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(&self.tenant)
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_owned()))?;
        assignment_from_row(&row)
    }

    /// The app roles assigned to the service principal `principal` (its `appRoleAssignments`),
    /// oldest first.
    pub async fn app_role_assignments_of_principal(
        &mut self,
        principal: ObjectId,
    ) -> Result<Vec<AppRoleAssignment>> {
        self.assignments_where("principal_id", principal).await
    }

    /// The assignments of the app roles of the resource service principal `resource` (its
    /// `appRoleAssignedTo`), oldest first.
    pub async fn app_role_assignments_of_resource(
        &mut self,
        resource: ObjectId,
    ) -> Result<Vec<AppRoleAssignment>> {
        self.assignments_where("resource_id", resource).await
    }

    async fn assignments_where(
        &mut self,
        column: &'static str,
        id: ObjectId,
    ) -> Result<Vec<AppRoleAssignment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM app_role_assignments WHERE tenant_id = $1 AND {column} = $2 \
             ORDER BY created_at, id"
        ))
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(assignment_from_row).collect()
    }
}

impl TenantTx<Write> {
    /// Inserts an assignment. The same role assigned twice to the same principal is a `Conflict`;
    /// a principal or resource that is not a service principal of the tenant is `Invalid`.
    pub async fn insert_app_role_assignment(
        &mut self,
        proof: &Proof,
        assignment: &AppRoleAssignment,
    ) -> Result<()> {
        proof.require("servicePrincipals")?;
        sqlx::query(
            "INSERT INTO app_role_assignments (tenant_id, id, app_role_id, principal_id, resource_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&self.tenant)
        .bind(&assignment.id)
        .bind(assignment.app_role_id.to_string())
        .bind(assignment.principal_id.to_string())
        .bind(assignment.resource_id.to_string())
        .bind(ts(assignment.created))
        .execute(&mut *self.tx)
        .await
        .map_err(db)
        .map_err(|e| match e {
            Error::Conflict { .. } => {
                Error::conflict("Permission being assigned already exists on the object")
            }
            other => other,
        })?;
        Ok(())
    }

    /// Removes an assignment; `NotFound` when the tenant has none with that id.
    pub async fn delete_app_role_assignment(&mut self, proof: &Proof, id: &str) -> Result<()> {
        proof.require("servicePrincipals")?;
        let done = sqlx::query("DELETE FROM app_role_assignments WHERE tenant_id = $1 AND id = $2")
            .bind(&self.tenant)
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_owned()));
        }
        Ok(())
    }
}
