//! Token lifetime policies and their assignment to applications. Policy writes take a proof for
//! `policies`, assignments one for `applications`; at most one organization default per tenant and
//! one policy per application (unique constraints: a second one is `Conflict`).

use gatehouse_domain::authz::Proof;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::token_lifetime::{Lifetimes, TokenLifetimePolicy};
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::Duration;

use crate::error::db;
use crate::rows::{get, get_flag, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

const COLUMNS: &str = "p.id, p.display_name, p.definition, p.is_organization_default, \
     p.access_token_lifetime_s, p.id_token_lifetime_s, p.created_at";

fn seconds(row: &AnyRow, col: &str) -> Result<Option<Duration>> {
    Ok(get::<Option<i64>>(row, col)?.map(Duration::seconds))
}

fn lifetimes(row: &AnyRow) -> Result<Lifetimes> {
    Ok(Lifetimes {
        access_token: seconds(row, "access_token_lifetime_s")?,
        id_token: seconds(row, "id_token_lifetime_s")?,
    })
}

fn policy_from_row(row: &AnyRow) -> Result<TokenLifetimePolicy> {
    let definition: String = get(row, "definition")?;
    Ok(TokenLifetimePolicy {
        id: parse(row, "id", str::parse)?,
        display_name: get(row, "display_name")?,
        definition: serde_json::from_str(&definition)
            .map_err(|e| Error::internal(format!("stored definition: {e}")))?,
        is_organization_default: get_flag(row, "is_organization_default")?,
        lifetimes: lifetimes(row)?,
        created: get_ts(row, "created_at")?,
    })
}

impl<M> TenantTx<M> {
    /// Every token lifetime policy of the tenant, oldest first.
    pub async fn token_lifetime_policies(&mut self) -> Result<Vec<TokenLifetimePolicy>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM token_lifetime_policies p WHERE p.tenant_id = $1 \
             ORDER BY p.created_at, p.id"
        ))
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(policy_from_row).collect()
    }

    /// The policy with this id, or `NotFound`.
    pub async fn token_lifetime_policy(&mut self, id: ObjectId) -> Result<TokenLifetimePolicy> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM token_lifetime_policies p WHERE p.tenant_id = $1 AND p.id = $2"
        ))
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_string()))?;
        policy_from_row(&row)
    }

    /// The policies assigned to the application with object id `application`.
    pub async fn application_token_lifetime_policies(
        &mut self,
        application: ObjectId,
    ) -> Result<Vec<TokenLifetimePolicy>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM token_lifetime_policies p \
             JOIN token_lifetime_policy_assignments a \
               ON a.tenant_id = p.tenant_id AND a.policy_id = p.id \
             WHERE p.tenant_id = $1 AND a.application_id = $2 ORDER BY p.id"
        ))
        .bind(&self.tenant)
        .bind(application.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(policy_from_row).collect()
    }

    /// The lifetimes in force for tokens issued to the client `app_id`: its application's policy
    /// over the tenant default (one query; first-party clients have only the default).
    pub async fn token_lifetimes_for(&mut self, app_id: AppId) -> Result<Lifetimes> {
        let rows = sqlx::query(
            "SELECT p.is_organization_default, p.access_token_lifetime_s, p.id_token_lifetime_s, \
             (SELECT COUNT(*) FROM token_lifetime_policy_assignments a \
               JOIN applications app ON app.tenant_id = a.tenant_id AND app.id = a.application_id \
               WHERE a.tenant_id = p.tenant_id AND a.policy_id = p.id AND app.app_id = $2) AS assigned \
             FROM token_lifetime_policies p \
             WHERE p.tenant_id = $1 AND (p.is_organization_default = $3 OR p.id IN ( \
               SELECT a.policy_id FROM token_lifetime_policy_assignments a \
               JOIN applications app ON app.tenant_id = a.tenant_id AND app.id = a.application_id \
               WHERE a.tenant_id = $1 AND app.app_id = $2))",
        )
        .bind(&self.tenant)
        .bind(app_id.to_string())
        .bind(true)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        let (mut own, mut default) = (Lifetimes::default(), Lifetimes::default());
        for row in &rows {
            if get::<i64>(row, "assigned")? > 0 {
                own = lifetimes(row)?;
            }
            if get_flag(row, "is_organization_default")? {
                default = lifetimes(row)?;
            }
        }
        Ok(own.over(default))
    }
}

impl TenantTx<Write> {
    pub async fn insert_token_lifetime_policy(
        &mut self,
        proof: &Proof,
        p: &TokenLifetimePolicy,
    ) -> Result<()> {
        proof.require("policies")?;
        sqlx::query(
            "INSERT INTO token_lifetime_policies (tenant_id, id, display_name, definition, \
             is_organization_default, access_token_lifetime_s, id_token_lifetime_s, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&self.tenant)
        .bind(p.id.to_string())
        .bind(&p.display_name)
        .bind(definition(p)?)
        .bind(p.is_organization_default)
        .bind(p.lifetimes.access_token.map(|d| d.whole_seconds()))
        .bind(p.lifetimes.id_token.map(|d| d.whole_seconds()))
        .bind(ts(p.created))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Replaces a policy's name, definition and default flag.
    pub async fn update_token_lifetime_policy(
        &mut self,
        proof: &Proof,
        p: &TokenLifetimePolicy,
    ) -> Result<()> {
        proof.require("policies")?;
        let done = sqlx::query(
            "UPDATE token_lifetime_policies SET display_name = $3, definition = $4, \
             is_organization_default = $5, access_token_lifetime_s = $6, id_token_lifetime_s = $7 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&self.tenant)
        .bind(p.id.to_string())
        .bind(&p.display_name)
        .bind(definition(p)?)
        .bind(p.is_organization_default)
        .bind(p.lifetimes.access_token.map(|d| d.whole_seconds()))
        .bind(p.lifetimes.id_token.map(|d| d.whole_seconds()))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(p.id.to_string()));
        }
        Ok(())
    }

    /// Deletes a policy (and its assignments).
    pub async fn delete_token_lifetime_policy(
        &mut self,
        proof: &Proof,
        id: ObjectId,
    ) -> Result<()> {
        proof.require("policies")?;
        let done =
            sqlx::query("DELETE FROM token_lifetime_policies WHERE tenant_id = $1 AND id = $2")
                .bind(&self.tenant)
                .bind(id.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_string()));
        }
        Ok(())
    }

    /// Assigns a policy to an application; `Conflict` when it already has one.
    pub async fn assign_token_lifetime_policy(
        &mut self,
        proof: &Proof,
        application: ObjectId,
        policy: ObjectId,
    ) -> Result<()> {
        proof.require("applications")?;
        sqlx::query(
            "INSERT INTO token_lifetime_policy_assignments (tenant_id, application_id, policy_id) \
             VALUES ($1, $2, $3)",
        )
        .bind(&self.tenant)
        .bind(application.to_string())
        .bind(policy.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Removes a policy from an application; `NotFound` when it was not assigned.
    pub async fn unassign_token_lifetime_policy(
        &mut self,
        proof: &Proof,
        application: ObjectId,
        policy: ObjectId,
    ) -> Result<()> {
        proof.require("applications")?;
        let done = sqlx::query(
            "DELETE FROM token_lifetime_policy_assignments \
             WHERE tenant_id = $1 AND application_id = $2 AND policy_id = $3",
        )
        .bind(&self.tenant)
        .bind(application.to_string())
        .bind(policy.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(policy.to_string()));
        }
        Ok(())
    }
}

fn definition(p: &TokenLifetimePolicy) -> Result<String> {
    serde_json::to_string(&p.definition).map_err(|e| Error::internal(e.to_string()))
}
