//! The device authorization grant's state (RFC 8628), in the instance realm: a code requested at
//! `/common` belongs to no tenant until a user approves it. Device and user codes are stored by keyed
//! hash only. Every state change is a conditional update, so two nodes (or two polls) cannot both
//! approve, decline or redeem the same code.

use gatehouse_domain::ids::{AppId, ObjectId, TenantId};
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_opt_ts, get_ts, parse, ts};
use crate::tx::{InstanceTx, Write};

/// Where a device code is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceCodeStatus {
    /// Waiting for the user at the device-login page.
    Pending,
    /// The user signed in and chose Continue; the device may redeem it once.
    Approved,
    /// The user chose Cancel.
    Declined,
    /// Tokens were issued for it.
    Redeemed,
}

impl DeviceCodeStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Redeemed => "redeemed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "declined" => Self::Declined,
            "redeemed" => Self::Redeemed,
            other => return Err(Error::internal(format!("device code status {other}"))),
        })
    }
}

/// The user who approved a device code, and how they signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceApproval {
    pub tenant_id: TenantId,
    pub user_id: ObjectId,
    pub auth_time: OffsetDateTime,
    /// Authentication methods (`pwd`, ...), space-separated.
    pub amr: String,
}

/// A device code, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeviceCode {
    pub device_code_hash: String,
    pub user_code_hash: String,
    /// The tenant the request named; `None` for `common`/`organizations` until approved.
    pub tenant_id: Option<TenantId>,
    /// The `{tenant}` segment of the request (a tenant id, `common` or `organizations`).
    pub authority: String,
    pub client_app_id: AppId,
    /// The scope the device asked for, as sent.
    pub scope: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_polled_at: Option<OffsetDateTime>,
    pub status: DeviceCodeStatus,
    /// Set once approved.
    pub approval: Option<DeviceApproval>,
}

const COLUMNS: &str = "device_code_hash, user_code_hash, tenant_id, authority, client_app_id, scope, \
     created_at, expires_at, last_polled_at, status, user_id, auth_time, amr";

fn from_row(row: &AnyRow) -> Result<StoredDeviceCode> {
    let tenant_id: Option<String> = get(row, "tenant_id")?;
    let tenant_id = tenant_id
        .map(|t| t.parse::<TenantId>())
        .transpose()
        .map_err(|e| Error::internal(format!("stored tenant_id is invalid: {e}")))?;
    let user_id: Option<String> = get(row, "user_id")?;
    let approval = match (tenant_id, user_id, get_opt_ts(row, "auth_time")?) {
        (Some(tenant_id), Some(user), Some(auth_time)) => Some(DeviceApproval {
            tenant_id,
            user_id: user
                .parse()
                .map_err(|e| Error::internal(format!("stored user_id is invalid: {e}")))?,
            auth_time,
            amr: get::<Option<String>>(row, "amr")?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(StoredDeviceCode {
        device_code_hash: get(row, "device_code_hash")?,
        user_code_hash: get(row, "user_code_hash")?,
        tenant_id,
        authority: get(row, "authority")?,
        client_app_id: parse(row, "client_app_id", str::parse)?,
        scope: get(row, "scope")?,
        created_at: get_ts(row, "created_at")?,
        expires_at: get_ts(row, "expires_at")?,
        last_polled_at: get_opt_ts(row, "last_polled_at")?,
        status: parse(row, "status", DeviceCodeStatus::parse)?,
        approval,
    })
}

impl<M> InstanceTx<M> {
    /// The code a device polls with, by the keyed hash of its device code.
    pub async fn device_code(
        &mut self,
        device_code_hash: &str,
    ) -> Result<Option<StoredDeviceCode>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM device_codes WHERE device_code_hash = $1"
        ))
        .bind(device_code_hash)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref().map(from_row).transpose()
    }

    /// The code a user entered, by the keyed hash of its user code.
    pub async fn device_code_by_user_code(
        &mut self,
        user_code_hash: &str,
    ) -> Result<Option<StoredDeviceCode>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM device_codes WHERE user_code_hash = $1"
        ))
        .bind(user_code_hash)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref().map(from_row).transpose()
    }

    /// Wrong user codes recorded for `client_key` in the window starting at `window_start`.
    pub async fn device_login_failures(
        &mut self,
        client_key: &str,
        window_start: OffsetDateTime,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT failures FROM device_login_failures WHERE client_key = $1 AND window_start = $2",
        )
        .bind(client_key)
        .bind(ts(window_start))
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref()
            .map(|r| get::<i64>(r, "failures"))
            .transpose()
            .map(Option::unwrap_or_default)
    }
}

impl InstanceTx<Write> {
    pub async fn insert_device_code(&mut self, c: &StoredDeviceCode) -> Result<()> {
        let approval = c.approval.as_ref();
        sqlx::query(&format!(
            "INSERT INTO device_codes ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(&c.device_code_hash)
        .bind(&c.user_code_hash)
        .bind(c.tenant_id.map(|t| t.to_string()))
        .bind(&c.authority)
        .bind(c.client_app_id.to_string())
        .bind(&c.scope)
        .bind(ts(c.created_at))
        .bind(ts(c.expires_at))
        .bind(c.last_polled_at.map(ts))
        .bind(c.status.as_str())
        .bind(approval.map(|a| a.user_id.to_string()))
        .bind(approval.map(|a| ts(a.auth_time)))
        .bind(approval.map(|a| a.amr.clone()))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Records a poll of the device code.
    pub async fn record_device_poll(
        &mut self,
        device_code_hash: &str,
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query("UPDATE device_codes SET last_polled_at = $2 WHERE device_code_hash = $1")
            .bind(device_code_hash)
            .bind(ts(now))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Approves a pending, unexpired code for `approval`'s user, whose tenant must be the code's
    /// tenant when the request named one. False when the code was not in that state.
    pub async fn approve_device_code(
        &mut self,
        user_code_hash: &str,
        approval: &DeviceApproval,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let tenant = approval.tenant_id.to_string();
        let done = sqlx::query(
            "UPDATE device_codes SET status = $2, tenant_id = $3, user_id = $4, auth_time = $5, \
             amr = $6 WHERE user_code_hash = $1 AND status = $7 AND expires_at > $8 \
             AND (tenant_id IS NULL OR tenant_id = $3)",
        )
        .bind(user_code_hash)
        .bind(DeviceCodeStatus::Approved.as_str())
        .bind(&tenant)
        .bind(approval.user_id.to_string())
        .bind(ts(approval.auth_time))
        .bind(&approval.amr)
        .bind(DeviceCodeStatus::Pending.as_str())
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    /// Declines a pending, unexpired code. False when the code was not in that state.
    pub async fn decline_device_code(
        &mut self,
        user_code_hash: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE device_codes SET status = $2 WHERE user_code_hash = $1 AND status = $3 \
             AND expires_at > $4",
        )
        .bind(user_code_hash)
        .bind(DeviceCodeStatus::Declined.as_str())
        .bind(DeviceCodeStatus::Pending.as_str())
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks an approved, unexpired code redeemed; false when it was not (a second redemption).
    pub async fn redeem_device_code(
        &mut self,
        device_code_hash: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE device_codes SET status = $2, last_polled_at = $4 WHERE device_code_hash = $1 \
             AND status = $3 AND expires_at > $4",
        )
        .bind(device_code_hash)
        .bind(DeviceCodeStatus::Redeemed.as_str())
        .bind(DeviceCodeStatus::Approved.as_str())
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes codes that expired before `cutoff`, and failure counts of windows that started before
    /// it; returns the number of codes deleted.
    pub async fn purge_device_codes(&mut self, cutoff: OffsetDateTime) -> Result<u64> {
        let done = sqlx::query("DELETE FROM device_codes WHERE expires_at < $1")
            .bind(ts(cutoff))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM device_login_failures WHERE window_start < $1")
            .bind(ts(cutoff))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    /// Counts one more wrong user code for `client_key` in the window starting at `window_start`.
    pub async fn record_device_login_failure(
        &mut self,
        client_key: &str,
        window_start: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO device_login_failures (client_key, window_start, failures) \
             VALUES ($1, $2, 1) ON CONFLICT (client_key, window_start) \
             DO UPDATE SET failures = device_login_failures.failures + 1",
        )
        .bind(client_key)
        .bind(ts(window_start))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }
}
