//! Audit records (Graph `directoryAudit`). Every change writes one in the same transaction.

use time::OffsetDateTime;

use crate::ids::{AppId, ObjectId};

/// Audit categories (Graph `directoryAudit.category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCategory {
    DirectoryManagement,
    UserManagement,
    GroupManagement,
    ApplicationManagement,
    RoleManagement,
    Policy,
    Device,
}

impl AuditCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DirectoryManagement => "DirectoryManagement",
            Self::UserManagement => "UserManagement",
            Self::GroupManagement => "GroupManagement",
            Self::ApplicationManagement => "ApplicationManagement",
            Self::RoleManagement => "RoleManagement",
            Self::Policy => "Policy",
            Self::Device => "Device",
        }
    }
}

/// Graph `directoryAudit.operationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationType {
    Add,
    Update,
    Delete,
    Assign,
    Unassign,
    Restore,
}

impl OperationType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "Add",
            Self::Update => "Update",
            Self::Delete => "Delete",
            Self::Assign => "Assign",
            Self::Unassign => "Unassign",
            Self::Restore => "Restore",
        }
    }
}

/// Who did it (Graph `auditActivityInitiator`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Initiator {
    User {
        id: ObjectId,
        user_principal_name: String,
        ip_address: Option<String>,
    },
    App {
        app_id: Option<AppId>,
        service_principal_id: Option<ObjectId>,
        display_name: String,
    },
}

impl Initiator {
    /// Gatehouse itself, acting for the instance operator (bootstrap, operator API, jobs).
    pub fn instance(what: &str) -> Self {
        Self::App {
            app_id: None,
            service_principal_id: None,
            display_name: what.to_owned(),
        }
    }
}

/// A property change (Graph `modifiedProperty`); values are JSON-encoded strings as Graph shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifiedProperty {
    pub display_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// What it was done to (Graph `targetResource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetResource {
    pub id: String,
    pub display_name: Option<String>,
    /// "User", "Group", "Company", "Domain", "ServicePrincipal", "Role", ...
    pub resource_type: String,
    pub user_principal_name: Option<String>,
    pub modified_properties: Vec<ModifiedProperty>,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: ObjectId,
    pub activity_date_time: OffsetDateTime,
    pub category: AuditCategory,
    pub activity_display_name: String,
    pub operation_type: OperationType,
    /// `None` is success; `Some(reason)` is failure with its reason.
    pub failure_reason: Option<String>,
    pub logged_by_service: String,
    /// The request id of the API call that caused it (Graph `correlationId`).
    pub correlation_id: Option<String>,
    pub initiated_by: Initiator,
    pub target_resources: Vec<TargetResource>,
    pub additional_details: Vec<(String, String)>,
}

impl AuditRecord {
    /// A successful activity logged by the core directory service.
    pub fn success(
        id: ObjectId,
        at: OffsetDateTime,
        category: AuditCategory,
        activity: &str,
        operation_type: OperationType,
        initiated_by: Initiator,
        target_resources: Vec<TargetResource>,
    ) -> Self {
        Self {
            id,
            activity_date_time: at,
            category,
            activity_display_name: activity.to_owned(),
            operation_type,
            failure_reason: None,
            logged_by_service: "Core Directory".to_owned(),
            correlation_id: None,
            initiated_by,
            target_resources,
            additional_details: Vec::new(),
        }
    }

    pub fn with_correlation_id(mut self, id: Option<String>) -> Self {
        self.correlation_id = id;
        self
    }
}
