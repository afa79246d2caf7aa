//! Entra's OAuth 2.0 error body: `error`, `error_description` starting `AADSTSnnnnn: ` and ending
//! with the trace and correlation ids and timestamp, `error_codes`, `timestamp`, `trace_id`,
//! `correlation_id`, `error_uri`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_domain::Error;
use serde_json::{Value, json};
use time::macros::format_description;

use super::context::RequestContext;

/// An OAuth error with its AADSTS code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    /// RFC 6749 error code: `invalid_request`, `invalid_client`, `invalid_grant`, ...
    pub error: &'static str,
    pub aadsts: u32,
    pub description: String,
}

impl OAuthError {
    pub fn new(
        status: StatusCode,
        error: &'static str,
        aadsts: u32,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            aadsts,
            description: description.into(),
        }
    }

    /// AADSTS90002: the `{tenant}` in the path names no tenant.
    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        )
    }

    pub fn body(&self, context: &RequestContext) -> Value {
        let timestamp = context
            .received
            .format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]Z"
            ))
            .unwrap_or_default();
        json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                self.aadsts, self.description, context.request_id, context.client_request_id, timestamp
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": context.request_id,
            "correlation_id": context.client_request_id,
            "error_uri": format!("{}/error?code={}", context.public_url, self.aadsts),
        })
    }
}

/// Faults of the platform itself, seen from an OAuth endpoint.
impl From<Error> for OAuthError {
    fn from(e: Error) -> Self {
        match e {
            Error::Unavailable { reason } => {
                tracing::warn!(%reason, "dependency unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    90033,
                    "A transient error has occurred. Please try again.",
                )
            }
            Error::Internal { detail } => {
                tracing::error!(%detail, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    90100,
                    "An internal error occurred.",
                )
            }
            other => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                other.to_string(),
            ),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, Json(self.body(&RequestContext::current()))).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_entra_shape() {
        let context = RequestContext {
            request_id: "0b6a7c7e-1f2d-4a8e-9b3c-5d6e7f8a9b0c".into(),
            client_request_id: "corr-1".into(),
            received: time::macros::datetime!(2026-11-23 12:00:01.5 UTC),
            public_url: "https://login.example.com".into(),
        };
        let body = OAuthError::tenant_not_found("nope.example").body(&context);
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(body["error_codes"], json!([90002]));
        assert_eq!(body["timestamp"], "2026-11-23 12:00:01Z");
        assert_eq!(body["trace_id"], "0b6a7c7e-1f2d-4a8e-9b3c-5d6e7f8a9b0c");
        assert_eq!(body["correlation_id"], "corr-1");
        assert_eq!(
            body["error_uri"],
            "https://login.example.com/error?code=90002"
        );
        let description = body["error_description"].as_str().unwrap();
        assert!(
            description.starts_with("AADSTS90002: Tenant 'nope.example' not found."),
            "{description}"
        );
        assert!(description.ends_with("\r\nTrace ID: 0b6a7c7e-1f2d-4a8e-9b3c-5d6e7f8a9b0c\r\nCorrelation ID: corr-1\r\nTimestamp: 2026-11-23 12:00:01Z"));
    }
}
