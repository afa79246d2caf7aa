//! Users' profile photos: one row per user, replaced whole.

use gatehouse_domain::authz::Proof;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::photo::Photo;
use gatehouse_domain::{Error, Result};
use time::OffsetDateTime;

use crate::error::db;
use crate::rows::{get, get_ts, ts};
use crate::tx::{TenantTx, Write};

/// A stored photo and when it last changed (its entity tag).
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub photo: Photo,
    pub updated: OffsetDateTime,
}

impl<M> TenantTx<M> {
    /// The photo of user `user`, if it has one.
    pub async fn user_photo(&mut self, user: ObjectId) -> Result<Option<StoredPhoto>> {
        let row = sqlx::query(
            "SELECT content_type, width, height, data, updated_at FROM user_photos \
             WHERE tenant_id = $1 AND user_id = $2",
        )
        .bind(&self.tenant)
        .bind(user.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let content_type = match get::<String>(&row, "content_type")?.as_str() {
            "image/jpeg" => "image/jpeg",
            "image/png" => "image/png",
            other => return Err(Error::internal(format!("stored photo type {other}"))),
        };
        let dimension = |col: &str| -> Result<u32> {
            u32::try_from(get::<i64>(&row, col)?)
                .map_err(|e| Error::internal(format!("stored photo {col}: {e}")))
        };
        Ok(Some(StoredPhoto {
            photo: Photo {
                content_type,
                width: dimension("width")?,
                height: dimension("height")?,
                bytes: get(&row, "data")?,
            },
            updated: get_ts(&row, "updated_at")?,
        }))
    }
}

impl TenantTx<Write> {
    /// Sets (or replaces) the photo of user `user`.
    pub async fn set_user_photo(
        &mut self,
        proof: &Proof,
        user: ObjectId,
        photo: &Photo,
        now: OffsetDateTime,
    ) -> Result<()> {
        proof.require("users")?;
        sqlx::query("DELETE FROM user_photos WHERE tenant_id = $1 AND user_id = $2")
            .bind(&self.tenant)
            .bind(user.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "INSERT INTO user_photos (tenant_id, user_id, content_type, width, height, data, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.tenant)
        .bind(user.to_string())
        .bind(photo.content_type)
        .bind(i64::from(photo.width))
        .bind(i64::from(photo.height))
        .bind(photo.bytes.clone())
        .bind(ts(now))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Removes the photo of user `user`; false when it had none.
    pub async fn delete_user_photo(&mut self, proof: &Proof, user: ObjectId) -> Result<bool> {
        proof.require("users")?;
        let done = sqlx::query("DELETE FROM user_photos WHERE tenant_id = $1 AND user_id = $2")
            .bind(&self.tenant)
            .bind(user.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }
}
