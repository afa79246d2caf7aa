//! Devices and their registered owners and users.

use std::sync::LazyLock;

use gatehouse_domain::authz::Proof;
use gatehouse_domain::device::{
    AlternativeSecurityId, COLLECTION_PROPERTIES, Device, TEXT_PROPERTIES,
};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::user::User;
use gatehouse_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use crate::error::db;
use crate::rows::{get, get_flag, get_opt_ts, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

/// The column of a device text property: snake_case of its Graph name, `extensionAttributes/
/// extensionAttributeN` as `extension_attributeN`.
fn column(property: &str) -> String {
    let name = property.rsplit('/').next().unwrap_or(property);
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

static COLUMNS: LazyLock<Vec<String>> =
    LazyLock::new(|| TEXT_PROPERTIES.iter().map(|p| column(p)).collect());

/// Every column of a device row besides the tenant.
static SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "id, display_name, account_enabled, alternative_security_ids, is_compliant, is_managed, \
         registration_at, approximate_last_sign_in_at, compliance_expiration_at, {}",
        COLUMNS.join(", ")
    )
});

/// A registered owner (`owner`) or registered user (`user`) of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceRelation {
    Owner,
    User,
}

impl DeviceRelation {
    fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::User => "user",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct StoredSecurityId {
    kind: i32,
    identity_provider: Option<String>,
    key: String,
}

fn opt_flag(row: &AnyRow, col: &str) -> Result<Option<bool>> {
    match get::<Option<bool>>(row, col) {
        Ok(b) => Ok(b),
        Err(_) => Ok(get::<Option<i64>>(row, col)?.map(|v| v != 0)),
    }
}

fn device_from_row(row: &AnyRow) -> Result<Device> {
    let ids: Vec<StoredSecurityId> =
        serde_json::from_str(&get::<String>(row, "alternative_security_ids")?)
            .map_err(|e| Error::internal(format!("stored alternative_security_ids: {e}")))?;
    let mut device = Device::new(
        parse(row, "id", str::parse)?,
        get(row, "display_name")?,
        get_ts(row, "registration_at")?,
    );
    device.account_enabled = get_flag(row, "account_enabled")?;
    device.alternative_security_ids = ids
        .into_iter()
        .map(|s| AlternativeSecurityId {
            kind: s.kind,
            identity_provider: s.identity_provider,
            key: s.key,
        })
        .collect();
    device.is_compliant = opt_flag(row, "is_compliant")?;
    device.is_managed = opt_flag(row, "is_managed")?;
    device.approximate_last_sign_in = get_opt_ts(row, "approximate_last_sign_in_at")?;
    device.compliance_expiration = get_opt_ts(row, "compliance_expiration_at")?;
    for (property, col) in TEXT_PROPERTIES.iter().zip(COLUMNS.iter()) {
        if let Some(v) = get::<Option<String>>(row, col)? {
            device.text.insert(property, v);
        }
    }
    Ok(device)
}

impl<M> TenantTx<M> {
    /// The device `id`, or `NotFound`.
    pub async fn device(&mut self, id: ObjectId) -> Result<Device> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM devices WHERE tenant_id = $1 AND id = $2",
            *SELECT
        ))
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_string()))?;
        let mut devices = vec![device_from_row(&row)?];
        self.load_device_values(&mut devices).await?;
        Ok(devices.remove(0))
    }

    /// A page of devices ordered by id, after `after`: at most `limit`.
    pub async fn devices_page(
        &mut self,
        after: Option<ObjectId>,
        limit: i64,
    ) -> Result<Vec<Device>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM devices WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            *SELECT
        ))
        .bind(&self.tenant)
        .bind(after.map(|a| a.to_string()).unwrap_or_default())
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        let mut devices = rows
            .iter()
            .map(device_from_row)
            .collect::<Result<Vec<_>>>()?;
        self.load_device_values(&mut devices).await?;
        Ok(devices)
    }

    /// The registered owners or users of device `id` that are active users.
    pub async fn device_users(
        &mut self,
        id: ObjectId,
        relation: DeviceRelation,
    ) -> Result<Vec<User>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT user_id FROM device_users WHERE tenant_id = $1 AND device_id = $2 AND relation = $3 \
             ORDER BY user_id",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .bind(relation.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        let mut users = Vec::with_capacity(ids.len());
        for user in ids {
            match self.user(user.parse()?).await {
                Ok(u) => users.push(u),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(users)
    }

    /// The devices `user` is a registered owner or user of.
    pub async fn devices_of_user(
        &mut self,
        user: ObjectId,
        relation: DeviceRelation,
    ) -> Result<Vec<Device>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT device_id FROM device_users WHERE tenant_id = $1 AND user_id = $2 AND relation = $3 \
             ORDER BY device_id",
        )
        .bind(&self.tenant)
        .bind(user.to_string())
        .bind(relation.as_str())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        let mut devices = Vec::with_capacity(ids.len());
        for id in ids {
            devices.push(self.device(id.parse()?).await?);
        }
        Ok(devices)
    }

    /// Whether `user` is a registered owner of device `id`.
    pub async fn is_device_owner(&mut self, id: ObjectId, user: ObjectId) -> Result<bool> {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT user_id FROM device_users WHERE tenant_id = $1 AND device_id = $2 AND relation = 'owner' \
             AND user_id = $3",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .bind(user.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(found.is_some())
    }

    async fn load_device_values(&mut self, devices: &mut [Device]) -> Result<()> {
        let ids: Vec<ObjectId> = devices.iter().map(|d| d.id).collect();
        let mut values = self.load_values(&ids, COLLECTION_PROPERTIES).await?;
        for device in devices {
            if let Some(v) = values.remove(&device.id.to_string()) {
                device.collections = v;
            }
        }
        Ok(())
    }
}

impl TenantTx<Write> {
    /// Registers a device.
    pub async fn insert_device(&mut self, proof: &Proof, device: &Device) -> Result<()> {
        proof.require("devices")?;
        sqlx::query(
            "INSERT INTO devices (tenant_id, id, display_name, account_enabled, alternative_security_ids, \
             registration_at) VALUES ($1, $2, $3, $4, '[]', $5)",
        )
        .bind(&self.tenant)
        .bind(device.id.to_string())
        .bind(&device.display_name)
        .bind(device.account_enabled)
        .bind(ts(device.registration))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        self.write_device(device).await
    }

    /// Writes every property of `device`.
    pub async fn update_device(&mut self, proof: &Proof, device: &Device) -> Result<()> {
        proof.require("devices")?;
        self.write_device(device).await
    }

    async fn write_device(&mut self, device: &Device) -> Result<()> {
        let ids: Vec<StoredSecurityId> = device
            .alternative_security_ids
            .iter()
            .map(|s| StoredSecurityId {
                kind: s.kind,
                identity_provider: s.identity_provider.clone(),
                key: s.key.clone(),
            })
            .collect();
        let fixed = [
            "display_name",
            "account_enabled",
            "alternative_security_ids",
            "is_compliant",
            "is_managed",
            "approximate_last_sign_in_at",
            "compliance_expiration_at",
        ];
        let set: Vec<String> = fixed
            .iter()
            .map(|c| (*c).to_owned())
            .chain(COLUMNS.iter().cloned())
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 3))
            .collect();
        let sql = format!(
            "UPDATE devices SET {} WHERE tenant_id = $1 AND id = $2",
            set.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(&self.tenant)
            .bind(device.id.to_string())
            .bind(device.display_name.clone())
            .bind(device.account_enabled)
            .bind(serde_json::to_string(&ids).map_err(|e| Error::internal(e.to_string()))?)
            .bind(device.is_compliant)
            .bind(device.is_managed)
            .bind(device.approximate_last_sign_in.map(ts))
            .bind(device.compliance_expiration.map(ts));
        for property in TEXT_PROPERTIES {
            query = query.bind(device.get(property).map(str::to_owned));
        }
        if query
            .execute(&mut *self.tx)
            .await
            .map_err(db)?
            .rows_affected()
            == 0
        {
            return Err(Error::not_found(device.id.to_string()));
        }
        self.replace_values(device.id, &device.collections).await
    }

    /// Deletes device `id` with its relationships (devices have no recycle bin).
    pub async fn delete_device(&mut self, proof: &Proof, id: ObjectId) -> Result<()> {
        proof.require("devices")?;
        let done = sqlx::query("DELETE FROM devices WHERE tenant_id = $1 AND id = $2")
            .bind(&self.tenant)
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_string()));
        }
        self.delete_values(id).await
    }

    /// Adds `user` as a registered owner or user of device `id`; `Conflict` when it already is one.
    pub async fn add_device_user(
        &mut self,
        proof: &Proof,
        id: ObjectId,
        user: ObjectId,
        relation: DeviceRelation,
    ) -> Result<()> {
        proof.require("devices")?;
        sqlx::query(
            "INSERT INTO device_users (tenant_id, device_id, user_id, relation) VALUES ($1, $2, $3, $4)",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .bind(user.to_string())
        .bind(relation.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| match db(e) {
            Error::Conflict { .. } => Error::conflict(
                "One or more added object references already exist for the following modified properties: \
                 'registeredOwners'.",
            ),
            other => other,
        })?;
        Ok(())
    }

    /// Removes `user` as a registered owner or user of device `id`; `NotFound` when it is not one.
    pub async fn remove_device_user(
        &mut self,
        proof: &Proof,
        id: ObjectId,
        user: ObjectId,
        relation: DeviceRelation,
    ) -> Result<()> {
        proof.require("devices")?;
        let done = sqlx::query(
            "DELETE FROM device_users WHERE tenant_id = $1 AND device_id = $2 AND user_id = $3 AND relation = $4",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .bind(user.to_string())
        .bind(relation.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(user.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_graph_names() {
        assert_eq!(column("operatingSystemVersion"), "operating_system_version");
        assert_eq!(
            column("extensionAttributes/extensionAttribute15"),
            "extension_attribute15"
        );
        assert_eq!(column("deviceId"), "device_id");
    }
}
