//! Application certificates (Graph `keyCredential`) and the single-use record of client assertions.
//! Writes of certificates require the authorization decision's [`Proof`]; certificates are public
//! and stored as DER (base64 text).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gatehouse_domain::application::KeyCredential;
use gatehouse_domain::authz::Proof;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::db;
use crate::rows::{get, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

const COLUMNS: &str =
    "application_id, key_id, display_name, custom_key_identifier, certificate, start_at, end_at";

fn bytes(row: &AnyRow, col: &str) -> Result<Vec<u8>> {
    parse(row, col, |s| {
        STANDARD
            .decode(s)
            .map_err(|e| Error::internal(format!("stored {col}: {e}")))
    })
}

fn from_row(row: &AnyRow) -> Result<(ObjectId, KeyCredential)> {
    Ok((
        parse(row, "application_id", str::parse)?,
        KeyCredential {
            key_id: parse(row, "key_id", |s| {
                Uuid::try_parse(s).map_err(|e| Error::internal(format!("stored key id: {e}")))
            })?,
            display_name: get(row, "display_name")?,
            custom_key_identifier: bytes(row, "custom_key_identifier")?,
            certificate: bytes(row, "certificate")?,
            start: get_ts(row, "start_at")?,
            end: get_ts(row, "end_at")?,
        },
    ))
}

impl<M> TenantTx<M> {
    /// An application's certificates, oldest first.
    pub async fn key_credentials(&mut self, application: ObjectId) -> Result<Vec<KeyCredential>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM key_credentials WHERE tenant_id = $1 AND application_id = $2 \
             ORDER BY start_at, key_id"
        ))
        .bind(&self.tenant)
        .bind(application.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(|r| from_row(r).map(|(_, c)| c)).collect()
    }

    /// Every certificate of the tenant with its application's object id (for collections).
    pub async fn all_key_credentials(&mut self) -> Result<Vec<(ObjectId, KeyCredential)>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM key_credentials WHERE tenant_id = $1 ORDER BY start_at, key_id"
        ))
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(from_row).collect()
    }
}

impl TenantTx<Write> {
    /// Adds a certificate to an application.
    pub async fn insert_key_credential(
        &mut self,
        proof: &Proof,
        application: ObjectId,
        credential: &KeyCredential,
    ) -> Result<()> {
        proof.require("applications")?;
        sqlx::query(
            "INSERT INTO key_credentials (tenant_id, application_id, key_id, display_name, \
             custom_key_identifier, certificate, start_at, end_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&self.tenant)
        .bind(application.to_string())
        .bind(credential.key_id.to_string())
        .bind(credential.display_name.clone())
        .bind(STANDARD.encode(&credential.custom_key_identifier))
        .bind(STANDARD.encode(&credential.certificate))
        .bind(ts(credential.start))
        .bind(ts(credential.end))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Removes a certificate; `NotFound` when the application has no such key.
    pub async fn delete_key_credential(
        &mut self,
        proof: &Proof,
        application: ObjectId,
        key_id: Uuid,
    ) -> Result<()> {
        self.delete_credential(proof, "key_credentials", application, key_id)
            .await
    }

    /// Records the `jti` of a client assertion of `client` valid until `expires_at`; `false` when
    /// it was already recorded (a replay). Expired records of the client are dropped first.
    pub async fn record_client_assertion(
        &mut self,
        client: AppId,
        jti: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        sqlx::query(
            "DELETE FROM client_assertion_jtis WHERE tenant_id = $1 AND client_app_id = $2 AND expires_at < $3",
        )
        .bind(&self.tenant)
        .bind(client.to_string())
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        let done = sqlx::query(
            "INSERT INTO client_assertion_jtis (tenant_id, client_app_id, jti, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&self.tenant)
        .bind(client.to_string())
        .bind(jti)
        .bind(ts(expires_at))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}
