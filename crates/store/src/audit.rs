//! Audit records, written inside the transaction of the change they describe.

use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, Initiator, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use crate::error::db;
use crate::rows::{get, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

// Storage documents for the JSON columns (private: the wire format is the HTTP layer's business).
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind")]
enum InitiatorDoc {
    User {
        id: String,
        upn: String,
        ip: Option<String>,
    },
    App {
        app_id: Option<String>,
        sp_id: Option<String>,
        name: String,
    },
}

#[derive(Serialize, Deserialize)]
struct TargetDoc {
    id: String,
    name: Option<String>,
    kind: String,
    upn: Option<String>,
    changes: Vec<(String, Option<String>, Option<String>)>,
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::internal(e.to_string()))
}

fn from_json<T: for<'de> Deserialize<'de>>(row: &AnyRow, col: &str) -> Result<T> {
    let s: String = get(row, col)?;
    serde_json::from_str(&s).map_err(|e| Error::internal(format!("stored {col}: {e}")))
}

fn category(s: &str) -> Result<AuditCategory> {
    use AuditCategory::*;
    [
        DirectoryManagement,
        UserManagement,
        GroupManagement,
        ApplicationManagement,
        RoleManagement,
        Policy,
        Device,
    ]
    .into_iter()
    .find(|c| c.as_str() == s)
    .ok_or_else(|| Error::internal(format!("unknown audit category {s}")))
}

fn operation(s: &str) -> Result<OperationType> {
    use OperationType::*;
    [Add, Update, Delete, Assign, Unassign, Restore]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| Error::internal(format!("unknown operation type {s}")))
}

fn audit_from_row(row: &AnyRow) -> Result<AuditRecord> {
    let initiated_by = match from_json::<InitiatorDoc>(row, "initiated_by")? {
        InitiatorDoc::User { id, upn, ip } => Initiator::User {
            id: id.parse()?,
            user_principal_name: upn,
            ip_address: ip,
        },
        InitiatorDoc::App {
            app_id,
            sp_id,
            name,
        } => Initiator::App {
            app_id: app_id.map(|s| s.parse()).transpose()?,
            service_principal_id: sp_id.map(|s| s.parse()).transpose()?,
            display_name: name,
        },
    };
    let targets: Vec<TargetDoc> = from_json(row, "target_resources")?;
    let result: String = get(row, "result")?;
    Ok(AuditRecord {
        id: parse(row, "id", str::parse)?,
        activity_date_time: get_ts(row, "activity_at")?,
        category: parse(row, "category", category)?,
        activity_display_name: get(row, "activity_display_name")?,
        operation_type: parse(row, "operation_type", operation)?,
        failure_reason: (result != "success")
            .then(|| get(row, "result_reason"))
            .transpose()?,
        logged_by_service: get(row, "logged_by_service")?,
        correlation_id: get(row, "correlation_id")?,
        initiated_by,
        target_resources: targets
            .into_iter()
            .map(|t| TargetResource {
                id: t.id,
                display_name: t.name,
                resource_type: t.kind,
                user_principal_name: t.upn,
                modified_properties: t
                    .changes
                    .into_iter()
                    .map(|(display_name, old_value, new_value)| ModifiedProperty {
                        display_name,
                        old_value,
                        new_value,
                    })
                    .collect(),
            })
            .collect(),
        additional_details: from_json(row, "additional_details")?,
    })
}

impl<M> TenantTx<M> {
    /// The newest `limit` audit records of the tenant, newest first.
    pub async fn audit_records(&mut self, limit: i64) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT id, activity_at, category, activity_display_name, operation_type, result, result_reason, \
             logged_by_service, correlation_id, initiated_by, target_resources, additional_details \
             FROM audit_logs WHERE tenant_id = $1 ORDER BY activity_at DESC, id DESC LIMIT $2",
        )
        .bind(&self.tenant)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(audit_from_row).collect()
    }
}

impl TenantTx<Write> {
    /// Appends an audit record to this transaction.
    pub async fn audit(&mut self, record: &AuditRecord) -> Result<()> {
        let initiator = match &record.initiated_by {
            Initiator::User {
                id,
                user_principal_name,
                ip_address,
            } => InitiatorDoc::User {
                id: id.to_string(),
                upn: user_principal_name.clone(),
                ip: ip_address.clone(),
            },
            Initiator::App {
                app_id,
                service_principal_id,
                display_name,
            } => InitiatorDoc::App {
                app_id: app_id.map(|a| a.to_string()),
                sp_id: service_principal_id.map(|s| s.to_string()),
                name: display_name.clone(),
            },
        };
        let targets: Vec<TargetDoc> = record
            .target_resources
            .iter()
            .map(|t| TargetDoc {
                id: t.id.clone(),
                name: t.display_name.clone(),
                kind: t.resource_type.clone(),
                upn: t.user_principal_name.clone(),
                changes: t
                    .modified_properties
                    .iter()
                    .map(|m| {
                        (
                            m.display_name.clone(),
                            m.old_value.clone(),
                            m.new_value.clone(),
                        )
                    })
                    .collect(),
            })
            .collect();
        sqlx::query(
            "INSERT INTO audit_logs (tenant_id, id, activity_at, category, activity_display_name, operation_type, \
             result, result_reason, logged_by_service, correlation_id, initiated_by, target_resources, \
             additional_details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&self.tenant)
        .bind(record.id.to_string())
        .bind(ts(record.activity_date_time))
        .bind(record.category.as_str())
        .bind(&record.activity_display_name)
        .bind(record.operation_type.as_str())
        .bind(if record.failure_reason.is_some() { "failure" } else { "success" })
        .bind(record.failure_reason.clone().unwrap_or_default())
        .bind(&record.logged_by_service)
        .bind(record.correlation_id.clone())
        .bind(json(&initiator)?)
        .bind(json(&targets)?)
        .bind(json(&record.additional_details)?)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }
}
