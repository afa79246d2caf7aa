//! A tenant's token signing keys. The private key arrives sealed (the server seals it with the
//! tenant's data key); storage never sees it in the clear. Every statement binds the tenant id first.

use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_ts, ts};
use crate::tx::{TenantTx, Write};

/// One stored signing key of a tenant.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSigningKey {
    /// The key id published in JWKS and token headers.
    pub kid: String,
    /// The JWS algorithm the key signs with (`RS256`).
    pub algorithm: String,
    /// The private key, sealed by the caller.
    pub sealed_private_key: Vec<u8>,
    /// The key's self-signed X.509 certificate, DER.
    pub certificate: Vec<u8>,
    pub created: OffsetDateTime,
    /// When the key starts signing (it is published before that).
    pub active_from: OffsetDateTime,
}

impl std::fmt::Debug for StoredSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("sealed_private_key", &"<sealed>")
            .field("certificate_len", &self.certificate.len())
            .field("created", &self.created)
            .field("active_from", &self.active_from)
            .finish()
    }
}

fn signing_key_from_row(row: &AnyRow) -> Result<StoredSigningKey> {
    Ok(StoredSigningKey {
        kid: get(row, "kid")?,
        algorithm: get(row, "algorithm")?,
        sealed_private_key: get(row, "sealed_private_key")?,
        certificate: get(row, "certificate")?,
        created: get_ts(row, "created_at")?,
        active_from: get_ts(row, "active_from")?,
    })
}

impl<M> TenantTx<M> {
    /// The tenant's signing keys of every algorithm, oldest `active_from` first.
    pub async fn signing_keys(&mut self) -> Result<Vec<StoredSigningKey>> {
        let rows = sqlx::query(
            "SELECT kid, algorithm, sealed_private_key, certificate, created_at, active_from FROM signing_keys \
             WHERE tenant_id = $1 ORDER BY active_from, algorithm, kid",
        )
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(signing_key_from_row).collect()
    }
}

impl TenantTx<Write> {
    /// Adds a key. Another key with the same kid, or of the same algorithm starting at the same
    /// instant, is a `Conflict` (another node created the key first).
    pub async fn insert_signing_key(&mut self, key: &StoredSigningKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO signing_keys (tenant_id, kid, algorithm, sealed_private_key, certificate, created_at, \
             active_from) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.tenant)
        .bind(&key.kid)
        .bind(&key.algorithm)
        .bind(key.sealed_private_key.clone())
        .bind(key.certificate.clone())
        .bind(ts(key.created))
        .bind(ts(key.active_from))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| match db(e) {
            Error::Conflict { .. } => Error::conflict(format!(
                "A {} signing key starting at {} already exists.",
                key.algorithm, key.active_from
            )),
            other => other,
        })?;
        Ok(())
    }

    /// Deletes the keys of `algorithm` that a later key of the same algorithm replaced at or
    /// before `superseded_by` (a key is replaced when its successor becomes active). The newest
    /// key, and the key active at `superseded_by`, are never deleted. Returns how many went.
    pub async fn delete_superseded_signing_keys(
        &mut self,
        algorithm: &str,
        superseded_by: OffsetDateTime,
    ) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM signing_keys WHERE tenant_id = $1 AND algorithm = $2 AND EXISTS (\
             SELECT 1 FROM signing_keys n WHERE n.tenant_id = signing_keys.tenant_id \
             AND n.algorithm = signing_keys.algorithm AND n.active_from > signing_keys.active_from \
             AND n.active_from <= $3)",
        )
        .bind(&self.tenant)
        .bind(algorithm)
        .bind(ts(superseded_by))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }
}
