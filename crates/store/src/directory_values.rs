//! Multi-valued string properties of directory objects (a user's proxyAddresses, a device's
//! physicalIds, ...): one `directory_values` row per value, in order, with a lower-cased key for
//! case-insensitive lookups.

use std::collections::{BTreeMap, HashMap};

use gatehouse_domain::Result;
use gatehouse_domain::ids::ObjectId;

use crate::error::db;
use crate::rows::get;
use crate::tx::{TenantTx, Write};

/// Values by object, then by property name (one of `names`).
pub(crate) type Values = HashMap<String, BTreeMap<&'static str, Vec<String>>>;

impl<M> TenantTx<M> {
    /// The values of the properties `names` of `objects`, with one query.
    pub(crate) async fn load_values(
        &mut self,
        objects: &[ObjectId],
        names: &[&'static str],
    ) -> Result<Values> {
        let mut out = Values::new();
        if objects.is_empty() {
            return Ok(out);
        }
        let placeholders: Vec<String> = (0..objects.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT object_id, property, value FROM directory_values WHERE tenant_id = $1 \
             AND object_id IN ({}) ORDER BY object_id, property, ordinal",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(&self.tenant);
        for o in objects {
            query = query.bind(o.to_string());
        }
        for row in query.fetch_all(&mut *self.tx).await.map_err(db)? {
            let property: String = get(&row, "property")?;
            let Some(name) = names.iter().find(|n| **n == property) else {
                continue;
            };
            out.entry(get(&row, "object_id")?)
                .or_default()
                .entry(name)
                .or_default()
                .push(get(&row, "value")?);
        }
        Ok(out)
    }
}

impl TenantTx<Write> {
    /// Replaces every multi-valued property of `object` with `values`.
    pub(crate) async fn replace_values(
        &mut self,
        object: ObjectId,
        values: &BTreeMap<&'static str, Vec<String>>,
    ) -> Result<()> {
        self.delete_values(object).await?;
        for (property, list) in values {
            for (ordinal, value) in list.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO directory_values (tenant_id, object_id, property, ordinal, value, value_key) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&self.tenant)
                .bind(object.to_string())
                .bind(*property)
                .bind(ordinal as i64)
                .bind(value.clone())
                .bind(value.to_lowercase())
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
            }
        }
        Ok(())
    }

    /// Removes every multi-valued property of `object`.
    pub(crate) async fn delete_values(&mut self, object: ObjectId) -> Result<()> {
        sqlx::query("DELETE FROM directory_values WHERE tenant_id = $1 AND object_id = $2")
            .bind(&self.tenant)
            .bind(object.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }
}
