//! Refresh tokens: stored by keyed hash, rotated on every use, grouped in families so that the reuse
//! of a consumed token revokes every token descended from the same sign-in.

use gatehouse_domain::Result;
use gatehouse_domain::ids::{AppId, ObjectId};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_opt_ts, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

/// A refresh token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRefreshToken {
    pub token_hash: String,
    /// Every token rotated from one sign-in shares the family id.
    pub family_id: String,
    pub user_id: ObjectId,
    pub client_app_id: AppId,
    /// The scopes granted at sign-in, space-separated.
    pub scope: String,
    /// Authentication methods of the sign-in (`pwd`, `mfa`, ...), space-separated.
    pub amr: String,
    /// When the user authenticated (the family's start).
    pub auth_time: OffsetDateTime,
    pub issued_at: OffsetDateTime,
    pub consumed_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

fn from_row(row: &AnyRow) -> Result<StoredRefreshToken> {
    Ok(StoredRefreshToken {
        token_hash: get(row, "token_hash")?,
        family_id: get(row, "family_id")?,
        user_id: parse(row, "user_id", str::parse)?,
        client_app_id: parse(row, "client_app_id", str::parse)?,
        scope: get(row, "scope")?,
        amr: get(row, "amr")?,
        auth_time: get_ts(row, "auth_time")?,
        issued_at: get_ts(row, "issued_at")?,
        consumed_at: get_opt_ts(row, "consumed_at")?,
        revoked_at: get_opt_ts(row, "revoked_at")?,
    })
}

impl<M> TenantTx<M> {
    pub async fn refresh_token(&mut self, token_hash: &str) -> Result<Option<StoredRefreshToken>> {
        let row = sqlx::query(
            "SELECT token_hash, family_id, user_id, client_app_id, scope, amr, auth_time, issued_at, consumed_at, \
             revoked_at FROM refresh_tokens WHERE tenant_id = $1 AND token_hash = $2",
        )
        .bind(&self.tenant)
        .bind(token_hash)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref().map(from_row).transpose()
    }
}

impl TenantTx<Write> {
    pub async fn insert_refresh_token(&mut self, t: &StoredRefreshToken) -> Result<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (tenant_id, token_hash, family_id, user_id, client_app_id, scope, amr, \
             auth_time, issued_at, consumed_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&self.tenant)
        .bind(&t.token_hash)
        .bind(&t.family_id)
        .bind(t.user_id.to_string())
        .bind(t.client_app_id.to_string())
        .bind(&t.scope)
        .bind(&t.amr)
        .bind(ts(t.auth_time))
        .bind(ts(t.issued_at))
        .bind(t.consumed_at.map(ts))
        .bind(t.revoked_at.map(ts))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Marks a token used; false when it already was (a replay), so two concurrent redemptions
    /// cannot both succeed.
    pub async fn consume_refresh_token(
        &mut self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET consumed_at = $3 WHERE tenant_id = $1 AND token_hash = $2 \
             AND consumed_at IS NULL AND revoked_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(token_hash)
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every token of a family.
    pub async fn revoke_refresh_family(
        &mut self,
        family_id: &str,
        now: OffsetDateTime,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(family_id)
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }
}
