//! Smart lockout records, one per user with recent wrong passwords.

use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::lockout::Lockout;
use gatehouse_domain::{Error, Result};

use crate::error::db;
use crate::rows::{get, get_opt_ts, ts};
use crate::tx::{TenantTx, Write};

impl<M> TenantTx<M> {
    /// The user's wrong-password record (empty when there is none).
    pub async fn sign_in_lockout(&mut self, user_id: ObjectId) -> Result<Lockout> {
        let row = sqlx::query(
            "SELECT failures, recent, lockouts, locked_until FROM sign_in_lockouts \
             WHERE tenant_id = $1 AND user_id = $2",
        )
        .bind(&self.tenant)
        .bind(user_id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Ok(Lockout::default());
        };
        let count = |col: &str| -> Result<u32> {
            u32::try_from(get::<i64>(&row, col)?)
                .map_err(|e| Error::internal(format!("stored {col}: {e}")))
        };
        let recent: String = get(&row, "recent")?;
        Ok(Lockout {
            failures: count("failures")?,
            recent: recent.split_whitespace().map(str::to_owned).collect(),
            lockouts: count("lockouts")?,
            locked_until: get_opt_ts(&row, "locked_until")?,
        })
    }
}

impl TenantTx<Write> {
    /// Stores the user's wrong-password record; an empty one is removed.
    pub async fn put_sign_in_lockout(&mut self, user_id: ObjectId, l: &Lockout) -> Result<()> {
        if *l == Lockout::default() {
            sqlx::query("DELETE FROM sign_in_lockouts WHERE tenant_id = $1 AND user_id = $2")
                .bind(&self.tenant)
                .bind(user_id.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO sign_in_lockouts (tenant_id, user_id, failures, recent, lockouts, locked_until) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, user_id) DO UPDATE SET \
             failures = excluded.failures, recent = excluded.recent, lockouts = excluded.lockouts, \
             locked_until = excluded.locked_until",
        )
        .bind(&self.tenant)
        .bind(user_id.to_string())
        .bind(i64::from(l.failures))
        .bind(l.recent.join(" "))
        .bind(i64::from(l.lockouts))
        .bind(l.locked_until.map(ts))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }
}
