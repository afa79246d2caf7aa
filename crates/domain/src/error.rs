//! Domain errors, normalised by kind. The HTTP layer maps each kind to one status and error body.

/// What went wrong, in the terms every protocol edge understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The addressed object does not exist in the caller's tenant.
    #[error(
        "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
    )]
    NotFound { id: String },
    /// A uniqueness rule or a concurrent change stands in the way.
    #[error("{message}")]
    Conflict { message: String },
    /// The request is malformed or breaks a validation rule; `target` names the property.
    #[error("{message}")]
    Invalid {
        message: String,
        target: Option<String>,
    },
    /// A query option Graph does not support in this form or combination (e.g. an advanced query
    /// without `ConsistencyLevel: eventual`, an operator a property does not support).
    #[error("{message}")]
    UnsupportedQuery { message: String },
    /// A query option that does not parse (e.g. "Invalid filter clause: Syntax error ...").
    #[error("{message}")]
    InvalidQuery { message: String },
    /// The caller may not do this.
    #[error("Insufficient privileges to complete the operation.")]
    Forbidden,
    /// A precondition of the operation does not hold (e.g. objects still block a delete).
    #[error("{message}")]
    PreconditionFailed { message: String },
    /// A dependency (the database) cannot be reached; the request may be retried.
    #[error("The service is temporarily unavailable: {reason}")]
    Unavailable { reason: String },
    /// A fault inside Gatehouse; the detail is logged, never shown to the client.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn not_found(id: impl Into<String>) -> Self {
        Self::NotFound { id: id.into() }
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            target: None,
        }
    }
    pub fn invalid_property(target: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            target: Some(target.into()),
        }
    }
    pub fn unsupported_query(message: impl Into<String>) -> Self {
        Self::UnsupportedQuery {
            message: message.into(),
        }
    }
    pub fn invalid_query(message: impl Into<String>) -> Self {
        Self::InvalidQuery {
            message: message.into(),
        }
    }
    pub fn precondition(message: impl Into<String>) -> Self {
        Self::PreconditionFailed {
            message: message.into(),
        }
    }
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self::Unavailable {
            reason: reason.into(),
        }
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal {
            detail: detail.into(),
        }
    }
}
