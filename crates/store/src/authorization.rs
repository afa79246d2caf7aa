//! The authorization code flow's state: SSO sign-in sessions and authorization codes. Both are
//! stored by keyed hash of the opaque value the browser or client holds, never in clear.

use gatehouse_domain::Result;
use gatehouse_domain::ids::{AppId, ObjectId};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_flag, get_opt_ts, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

/// A browser's SSO session, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSignInSession {
    pub session_hash: String,
    pub user_id: ObjectId,
    /// When the user authenticated.
    pub auth_time: OffsetDateTime,
    /// Authentication methods (`pwd`, `mfa`, ...), space-separated.
    pub amr: String,
    /// "Stay signed in?" answered yes: the cookie outlives the browser session.
    pub persistent: bool,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// An authorization code, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAuthorizationCode {
    pub code_hash: String,
    pub client_app_id: AppId,
    pub redirect_uri: String,
    pub user_id: ObjectId,
    /// The scope the authorization request asked for, as sent.
    pub scope: String,
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    pub auth_time: OffsetDateTime,
    pub amr: String,
    pub expires_at: OffsetDateTime,
    pub redeemed_at: Option<OffsetDateTime>,
}

fn session_from_row(row: &AnyRow) -> Result<StoredSignInSession> {
    Ok(StoredSignInSession {
        session_hash: get(row, "session_hash")?,
        user_id: parse(row, "user_id", str::parse)?,
        auth_time: get_ts(row, "auth_time")?,
        amr: get(row, "amr")?,
        persistent: get_flag(row, "persistent")?,
        expires_at: get_ts(row, "expires_at")?,
        revoked_at: get_opt_ts(row, "revoked_at")?,
    })
}

fn code_from_row(row: &AnyRow) -> Result<StoredAuthorizationCode> {
    Ok(StoredAuthorizationCode {
        code_hash: get(row, "code_hash")?,
        client_app_id: parse(row, "client_app_id", str::parse)?,
        redirect_uri: get(row, "redirect_uri")?,
        user_id: parse(row, "user_id", str::parse)?,
        scope: get(row, "scope")?,
        nonce: get(row, "nonce")?,
        code_challenge: get(row, "code_challenge")?,
        auth_time: get_ts(row, "auth_time")?,
        amr: get(row, "amr")?,
        expires_at: get_ts(row, "expires_at")?,
        redeemed_at: get_opt_ts(row, "redeemed_at")?,
    })
}

impl<M> TenantTx<M> {
    pub async fn sign_in_session(
        &mut self,
        session_hash: &str,
    ) -> Result<Option<StoredSignInSession>> {
        let row = sqlx::query(
            "SELECT session_hash, user_id, auth_time, amr, persistent, expires_at, revoked_at \
             FROM sign_in_sessions WHERE tenant_id = $1 AND session_hash = $2",
        )
        .bind(&self.tenant)
        .bind(session_hash)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref().map(session_from_row).transpose()
    }

    pub async fn authorization_code(
        &mut self,
        code_hash: &str,
    ) -> Result<Option<StoredAuthorizationCode>> {
        let row = sqlx::query(
            "SELECT code_hash, client_app_id, redirect_uri, user_id, scope, nonce, code_challenge, \
             auth_time, amr, expires_at, redeemed_at FROM authorization_codes \
             WHERE tenant_id = $1 AND code_hash = $2",
        )
        .bind(&self.tenant)
        .bind(code_hash)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref().map(code_from_row).transpose()
    }

    /// The applications the session signed in to (for front-channel logout), in app id order.
    pub async fn sign_in_session_apps(&mut self, session_hash: &str) -> Result<Vec<AppId>> {
        let rows = sqlx::query(
            "SELECT app_id FROM sign_in_session_apps WHERE tenant_id = $1 AND session_hash = $2 \
             ORDER BY app_id",
        )
        .bind(&self.tenant)
        .bind(session_hash)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| parse(r, "app_id", str::parse))
            .collect()
    }
}

impl TenantTx<Write> {
    pub async fn insert_sign_in_session(&mut self, s: &StoredSignInSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO sign_in_sessions (tenant_id, session_hash, user_id, auth_time, amr, persistent, \
             expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&self.tenant)
        .bind(&s.session_hash)
        .bind(s.user_id.to_string())
        .bind(ts(s.auth_time))
        .bind(&s.amr)
        .bind(s.persistent)
        .bind(ts(s.expires_at))
        .bind(s.revoked_at.map(ts))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Records that the session signed in to `app` (once).
    pub async fn record_sign_in_session_app(
        &mut self,
        session_hash: &str,
        app: AppId,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sign_in_session_apps (tenant_id, session_hash, app_id) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&self.tenant)
        .bind(session_hash)
        .bind(app.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Ends a session (sign-out); false when there was no live session with that hash.
    pub async fn revoke_sign_in_session(
        &mut self,
        session_hash: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sign_in_sessions SET revoked_at = $3 WHERE tenant_id = $1 AND session_hash = $2 \
             AND revoked_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(session_hash)
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_authorization_code(&mut self, c: &StoredAuthorizationCode) -> Result<()> {
        sqlx::query(
            "INSERT INTO authorization_codes (tenant_id, code_hash, client_app_id, redirect_uri, user_id, \
             scope, nonce, code_challenge, auth_time, amr, expires_at, redeemed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&self.tenant)
        .bind(&c.code_hash)
        .bind(c.client_app_id.to_string())
        .bind(&c.redirect_uri)
        .bind(c.user_id.to_string())
        .bind(&c.scope)
        .bind(c.nonce.clone())
        .bind(&c.code_challenge)
        .bind(ts(c.auth_time))
        .bind(&c.amr)
        .bind(ts(c.expires_at))
        .bind(c.redeemed_at.map(ts))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Marks a code redeemed; false when it already was (a replay), so two concurrent redemptions
    /// cannot both succeed.
    pub async fn redeem_code(&mut self, code_hash: &str, now: OffsetDateTime) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE authorization_codes SET redeemed_at = $3 WHERE tenant_id = $1 AND code_hash = $2 \
             AND redeemed_at IS NULL",
        )
        .bind(&self.tenant)
        .bind(code_hash)
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}
