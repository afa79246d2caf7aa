//! Microsoft Graph's error body, and the one mapping from domain errors to HTTP.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_domain::Error;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::context::RequestContext;

/// A Graph API error: `{"error":{"code","message","details"?,"innerError":{...}}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// (code, message, target) entries of `details`.
    pub details: Vec<(&'static str, String, String)>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn not_found_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "The requested resource does not exist.",
        )
    }

    pub fn unauthenticated(message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    }

    pub fn body(&self, context: &RequestContext) -> Value {
        let mut error = json!({
            "code": self.code,
            "message": self.message,
            "innerError": {
                "date": context.received.replace_nanosecond(0).unwrap_or(context.received).format(&Rfc3339).unwrap_or_default(),
                "request-id": context.request_id,
                "client-request-id": context.client_request_id,
            }
        });
        if !self.details.is_empty() {
            error["details"] = self
                .details
                .iter()
                .map(|(code, message, target)| json!({"code": code, "message": message, "target": target}))
                .collect();
        }
        json!({ "error": error })
    }
}

/// The single mapping from a domain error to its HTTP status and Graph code.
impl From<Error> for GraphError {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound { .. } => Self::new(
                StatusCode::NOT_FOUND,
                "Request_ResourceNotFound",
                e.to_string(),
            ),
            Error::Conflict { message } => Self {
                details: vec![("ObjectConflict", message.clone(), String::new())],
                ..Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
            },
            Error::Invalid { message, target } => Self {
                details: target
                    .map(|t| vec![("InvalidValue", message.clone(), t)])
                    .unwrap_or_default(),
                ..Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
            },
            Error::UnsupportedQuery { message } => {
                Self::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
            }
            Error::InvalidQuery { message } => {
                Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
            }
            Error::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                e.to_string(),
            ),
            Error::PreconditionFailed { message } => {
                Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
            }
            Error::Unavailable { reason } => {
                tracing::warn!(%reason, "dependency unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "serviceNotAvailable",
                    "The service is temporarily unavailable. Please retry later.",
                )
            }
            Error::Internal { detail } => {
                tracing::error!(%detail, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Service_InternalServerError",
                    "Encountered an internal server error.",
                )
            }
        }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, Json(self.body(&RequestContext::current()))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> RequestContext {
        RequestContext {
            request_id: "r-1".into(),
            client_request_id: "c-1".into(),
            received: time::macros::datetime!(2026-11-23 12:00:01.5 UTC),
            public_url: String::new(),
        }
    }

    #[test]
    fn every_domain_error_kind_has_one_status_and_code() {
        let cases = [
            (Error::not_found("x"), 404, "Request_ResourceNotFound"),
            (Error::conflict("dup"), 400, "Request_BadRequest"),
            (
                Error::invalid_property("displayName", "bad"),
                400,
                "Request_BadRequest",
            ),
            (
                Error::unsupported_query("Sorting not supported for current query."),
                400,
                "Request_UnsupportedQuery",
            ),
            (
                Error::invalid_query("Invalid filter clause"),
                400,
                "BadRequest",
            ),
            (Error::Forbidden, 403, "Authorization_RequestDenied"),
            (Error::precondition("blocked"), 400, "Request_BadRequest"),
            (Error::unavailable("db down"), 503, "serviceNotAvailable"),
            (
                Error::internal("secret detail"),
                500,
                "Service_InternalServerError",
            ),
        ];
        // Every kind is in the table: this match stops compiling when a kind is added.
        let kinds: std::collections::HashSet<u8> = cases
            .iter()
            .map(|(e, _, _)| match e {
                Error::NotFound { .. } => 0,
                Error::Conflict { .. } => 1,
                Error::Invalid { .. } => 2,
                Error::UnsupportedQuery { .. } => 3,
                Error::InvalidQuery { .. } => 4,
                Error::Forbidden => 5,
                Error::PreconditionFailed { .. } => 6,
                Error::Unavailable { .. } => 7,
                Error::Internal { .. } => 8,
            })
            .collect();
        assert_eq!(kinds.len(), 9);
        for (error, status, code) in cases {
            let g = GraphError::from(error);
            assert_eq!((g.status.as_u16(), g.code), (status, code));
        }
    }

    #[test]
    fn body_has_graph_shape_and_hides_internal_details() {
        let body = GraphError::from(Error::internal("password=hunter2")).body(&context());
        assert_eq!(
            body,
            json!({"error": {"code": "Service_InternalServerError", "message": "Encountered an internal server error.",
                "innerError": {"date": "2026-11-23T12:00:01Z", "request-id": "r-1", "client-request-id": "c-1"}}})
        );
        let body = GraphError::from(Error::invalid_property("displayName", "bad")).body(&context());
        assert_eq!(
            body["error"]["details"],
            json!([{"code": "InvalidValue", "message": "bad", "target": "displayName"}])
        );
        let body = GraphError::from(Error::Forbidden).body(&context());
        assert_eq!(
            body["error"]["message"],
            "Insufficient privileges to complete the operation."
        );
    }
}
