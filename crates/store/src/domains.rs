//! The tenant's domains (Graph `domain`). A verified name belongs to one tenant of the instance:
//! the `domains_verified_name` unique index enforces it, and `verified_elsewhere` answers, without
//! revealing which tenant, whether another tenant already holds a name. (`users_on_domain`, the
//! users a domain's delete rule counts, is in `users.rs`.)

use gatehouse_domain::authz::Proof;
use gatehouse_domain::domain_name::{AuthenticationType, Domain, DomainName};
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_flag, parse, ts};
use crate::tx::{TenantTx, Write};

const DOMAIN_COLUMNS: &str = "name, authentication_type, is_default, is_initial, is_root, is_verified, \
     supported_services, password_validity_period_in_days, password_notification_window_in_days, \
     verification_code";

fn days(row: &AnyRow, col: &str) -> Result<i32> {
    i32::try_from(get::<i64>(row, col)?)
        .map_err(|e| Error::internal(format!("stored {col} is out of range: {e}")))
}

fn domain_from_row(row: &AnyRow) -> Result<Domain> {
    Ok(Domain {
        name: parse(row, "name", DomainName::parse)?,
        authentication_type: parse(row, "authentication_type", AuthenticationType::parse)?,
        is_default: get_flag(row, "is_default")?,
        is_initial: get_flag(row, "is_initial")?,
        is_root: get_flag(row, "is_root")?,
        is_verified: get_flag(row, "is_verified")?,
        supported_services: parse(row, "supported_services", |s| {
            serde_json::from_str(s).map_err(|e| Error::internal(e.to_string()))
        })?,
        password_validity_period_in_days: days(row, "password_validity_period_in_days")?,
        password_notification_window_in_days: days(row, "password_notification_window_in_days")?,
        verification_code: get(row, "verification_code")?,
    })
}

fn services(domain: &Domain) -> Result<String> {
    serde_json::to_string(&domain.supported_services)
        .map_err(|e| Error::internal(format!("supported services: {e}")))
}

fn check(proof: &Proof) -> Result<()> {
    if proof.covers_entity("domains") {
        Ok(())
    } else {
        Err(Error::internal(format!(
            "a proof for {} cannot write domains",
            proof.action()
        )))
    }
}

/// A unique violation on a verified name: another tenant verified it first.
fn in_use(e: Error) -> Error {
    match e {
        Error::Conflict { .. } => {
            Error::conflict("The domain is already in use by another tenant.")
        }
        other => other,
    }
}

impl<M> TenantTx<M> {
    /// The tenant's domains, by name.
    pub async fn domains(&mut self) -> Result<Vec<Domain>> {
        let sql =
            format!("SELECT {DOMAIN_COLUMNS} FROM domains WHERE tenant_id = $1 ORDER BY name");
        let rows = sqlx::query(&sql)
            .bind(&self.tenant)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db)?;
        rows.iter().map(domain_from_row).collect()
    }

    /// The domain `name`, or `NotFound`.
    pub async fn domain(&mut self, name: &DomainName) -> Result<Domain> {
        let sql =
            format!("SELECT {DOMAIN_COLUMNS} FROM domains WHERE tenant_id = $1 AND name = $2");
        let row = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(name.as_str())
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?
            .ok_or_else(|| Error::not_found(name.to_string()))?;
        domain_from_row(&row)
    }

    /// Whether another tenant of the instance has verified any of `names`.
    pub async fn verified_elsewhere(&mut self, names: &[DomainName]) -> Result<bool> {
        for name in names {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM domains WHERE tenant_id <> $1 AND name = $2 AND is_verified = $3",
            )
            .bind(&self.tenant)
            .bind(name.as_str())
            .bind(true)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db)?;
            if count > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl TenantTx<Write> {
    /// Inserts a domain (tenant creation; Graph adds go through [`Self::add_domain`]).
    pub async fn insert_domain(&mut self, domain: &Domain, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO domains (tenant_id, name, authentication_type, is_default, is_initial, is_root, is_verified, \
             created_at, supported_services, password_validity_period_in_days, \
             password_notification_window_in_days, verification_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&self.tenant)
        .bind(domain.name.as_str())
        .bind(domain.authentication_type.as_str())
        .bind(domain.is_default)
        .bind(domain.is_initial)
        .bind(domain.is_root)
        .bind(domain.is_verified)
        .bind(ts(now))
        .bind(services(domain)?)
        .bind(i64::from(domain.password_validity_period_in_days))
        .bind(i64::from(domain.password_notification_window_in_days))
        .bind(domain.verification_code.clone())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| match db(e) {
            Error::Conflict { .. } => Error::conflict(format!("The domain '{}' is already in use.", domain.name)),
            other => other,
        })?;
        Ok(())
    }

    /// Adds a custom domain through the Graph API.
    pub async fn add_domain(
        &mut self,
        proof: &Proof,
        domain: &Domain,
        now: OffsetDateTime,
    ) -> Result<()> {
        check(proof)?;
        self.insert_domain(domain, now).await
    }

    /// Stores a domain's changeable state (verification, root, default flag, services, policy).
    pub async fn update_domain(&mut self, proof: &Proof, domain: &Domain) -> Result<()> {
        check(proof)?;
        let done = sqlx::query(
            "UPDATE domains SET authentication_type = $3, is_default = $4, is_root = $5, is_verified = $6, \
             supported_services = $7, password_validity_period_in_days = $8, \
             password_notification_window_in_days = $9 WHERE tenant_id = $1 AND name = $2",
        )
        .bind(&self.tenant)
        .bind(domain.name.as_str())
        .bind(domain.authentication_type.as_str())
        .bind(domain.is_default)
        .bind(domain.is_root)
        .bind(domain.is_verified)
        .bind(services(domain)?)
        .bind(i64::from(domain.password_validity_period_in_days))
        .bind(i64::from(domain.password_notification_window_in_days))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| in_use(db(e)))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(domain.name.to_string()));
        }
        Ok(())
    }

    /// Makes `name` the tenant's one default domain.
    pub async fn set_default_domain(&mut self, proof: &Proof, name: &DomainName) -> Result<()> {
        check(proof)?;
        sqlx::query(
            "UPDATE domains SET is_default = CASE WHEN name = $2 THEN $3 ELSE $4 END WHERE tenant_id = $1",
        )
        .bind(&self.tenant)
        .bind(name.as_str())
        .bind(true)
        .bind(false)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Deletes the domain `name`; `NotFound` when there is none.
    pub async fn delete_domain(&mut self, proof: &Proof, name: &DomainName) -> Result<()> {
        check(proof)?;
        let done = sqlx::query("DELETE FROM domains WHERE tenant_id = $1 AND name = $2")
            .bind(&self.tenant)
            .bind(name.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(name.to_string()));
        }
        Ok(())
    }
}
