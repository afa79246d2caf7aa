//! The `{tenant}` segment of identity URLs: a tenant id, a verified domain name, `common` or
//! `organizations`, as Entra accepts it.

use gatehouse_domain::Error;
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::tenant::TenantState;

use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

/// Which tenant(s) a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    Tenant(TenantId),
    /// Any tenant; the user's sign-in name decides.
    Common,
    /// Any work or school tenant (every Gatehouse tenant); the user's sign-in name decides.
    Organizations,
}

impl Authority {
    /// The path segment endpoints of this authority use.
    pub fn segment(&self) -> String {
        match self {
            Self::Tenant(id) => id.to_string(),
            Self::Common => "common".to_owned(),
            Self::Organizations => "organizations".to_owned(),
        }
    }
}

/// Resolves a `{tenant}` segment; unknown or deleted tenants are AADSTS90002.
pub async fn resolve(state: &AppState, segment: &str) -> Result<Authority, OAuthError> {
    match segment.to_ascii_lowercase().as_str() {
        "common" => return Ok(Authority::Common),
        "organizations" => return Ok(Authority::Organizations),
        "consumers" => {
            return Err(OAuthError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_request",
                500200,
                "Personal accounts are not supported.",
            ));
        }
        _ => {}
    }
    let mut tx = state.store.instance_read().await?;
    let found = match segment.parse::<TenantId>() {
        Ok(id) => match tx.tenant(id).await {
            Ok(t) if t.tenant.state == TenantState::Active => Some(id),
            Ok(_) | Err(Error::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => tx.tenant_by_domain(segment).await?,
    };
    found
        .map(Authority::Tenant)
        .ok_or_else(|| OAuthError::tenant_not_found(segment))
}

/// The tenant a sign-in name belongs to, by the domain after its `@`.
pub async fn tenant_of_user(state: &AppState, username: &str) -> Result<Option<TenantId>, Error> {
    match username.rsplit_once('@') {
        Some((_, domain)) => {
            state
                .store
                .instance_read()
                .await?
                .tenant_by_domain(domain)
                .await
        }
        None => Ok(None),
    }
}
