//! The instance realm: tenants as a whole, and instance settings.

use gatehouse_domain::ids::TenantId;
use gatehouse_domain::tenant::{Tenant, TenantState, TokenAlgorithm};
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_flag, get_opt_ts, get_ts, parse, ts};
use crate::tx::{InstanceTx, TenantTx, Write};

/// A tenant with its default domain, as the tenant list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSummary {
    pub tenant: Tenant,
    pub default_domain: String,
}

const TENANT_COLUMNS: &str = "t.tenant_id, t.display_name, t.country_letter_code, t.state, t.created_at, \
     t.deleted_at, t.technical_notification_mails, t.security_defaults_enabled, t.graph_token_algorithm";

pub(crate) fn tenant_from_row(row: &AnyRow) -> Result<Tenant> {
    let mails: String = get(row, "technical_notification_mails")?;
    Ok(Tenant {
        id: parse(row, "tenant_id", str::parse)?,
        display_name: get(row, "display_name")?,
        country_letter_code: get(row, "country_letter_code")?,
        state: parse(row, "state", TenantState::parse)?,
        created: get_ts(row, "created_at")?,
        deleted: get_opt_ts(row, "deleted_at")?,
        technical_notification_mails: serde_json::from_str(&mails)
            .map_err(|e| Error::internal(format!("technical_notification_mails: {e}")))?,
        security_defaults_enabled: get_flag(row, "security_defaults_enabled")?,
        graph_token_algorithm: parse(row, "graph_token_algorithm", |s| {
            TokenAlgorithm::parse(s)
                .ok_or_else(|| Error::internal(format!("unknown token algorithm '{s}'")))
        })?,
    })
}

fn summary_from_row(row: &AnyRow) -> Result<TenantSummary> {
    Ok(TenantSummary {
        tenant: tenant_from_row(row)?,
        default_domain: get(row, "default_domain")?,
    })
}

impl<M> InstanceTx<M> {
    /// Every tenant, oldest first, with its default domain.
    pub async fn list_tenants(&mut self) -> Result<Vec<TenantSummary>> {
        let sql = format!(
            "SELECT {TENANT_COLUMNS}, d.name AS default_domain FROM tenants t \
             JOIN domains d ON d.tenant_id = t.tenant_id AND d.is_default = $1 \
             ORDER BY t.created_at, t.tenant_id"
        );
        let rows = sqlx::query(&sql)
            .bind(true)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter().map(summary_from_row).collect()
    }

    /// One tenant by id, whatever its state.
    pub async fn tenant(&mut self, id: TenantId) -> Result<TenantSummary> {
        let sql = format!(
            "SELECT {TENANT_COLUMNS}, d.name AS default_domain FROM tenants t \
             JOIN domains d ON d.tenant_id = t.tenant_id AND d.is_default = $1 WHERE t.tenant_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(true)
            .bind(id.to_string())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?
            .ok_or_else(|| Error::not_found(id.to_string()))?;
        summary_from_row(&row)
    }

    /// The active tenant that has verified `domain`, if any (how `/{tenant}` names resolve).
    pub async fn tenant_by_domain(&mut self, domain: &str) -> Result<Option<TenantId>> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT d.tenant_id FROM domains d JOIN tenants t ON t.tenant_id = d.tenant_id \
             WHERE d.name = $1 AND d.is_verified = $2 AND t.state = $3",
        )
        .bind(domain.to_ascii_lowercase())
        .bind(true)
        .bind(TenantState::Active.as_str())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        id.map(|s| s.parse()).transpose()
    }

    pub async fn setting(&mut self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM instance_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)
    }

    /// Deleted tenants whose retention ended before `cutoff`.
    pub async fn tenants_deleted_before(
        &mut self,
        cutoff: OffsetDateTime,
    ) -> Result<Vec<TenantId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT tenant_id FROM tenants WHERE state = $1 AND deleted_at < $2",
        )
        .bind(TenantState::Deleted.as_str())
        .bind(ts(cutoff))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        ids.iter().map(|s| s.parse()).collect()
    }
}

impl InstanceTx<Write> {
    /// Inserts a tenant and continues in it, in the same transaction.
    pub async fn create_tenant(mut self, tenant: &Tenant) -> Result<TenantTx<Write>> {
        let mails = serde_json::to_string(&tenant.technical_notification_mails)
            .map_err(|e| Error::internal(e.to_string()))?;
        sqlx::query(
            "INSERT INTO tenants (tenant_id, display_name, country_letter_code, state, created_at, deleted_at, \
             technical_notification_mails, security_defaults_enabled, graph_token_algorithm) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(tenant.id.to_string())
        .bind(&tenant.display_name)
        .bind(&tenant.country_letter_code)
        .bind(tenant.state.as_str())
        .bind(ts(tenant.created))
        .bind(tenant.deleted.map(ts))
        .bind(mails)
        .bind(tenant.security_defaults_enabled)
        .bind(tenant.graph_token_algorithm.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(self.into_tenant(tenant.id))
    }

    /// Sets a setting; returns false (and changes nothing) when `only_if_absent` and it exists.
    pub async fn put_setting(
        &mut self,
        name: &str,
        value: &str,
        now: OffsetDateTime,
        only_if_absent: bool,
    ) -> Result<bool> {
        let sql = if only_if_absent {
            "INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING"
        } else {
            "INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        };
        let done = sqlx::query(sql)
            .bind(name)
            .bind(value)
            .bind(ts(now))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a tenant and, through the foreign keys, every row that carries its id.
    pub async fn purge_tenant(&mut self, id: TenantId) -> Result<()> {
        sqlx::query("DELETE FROM tenants WHERE tenant_id = $1")
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }
}
