//! The identity endpoints (Entra's OAuth 2.0 / OpenID Connect surface) and the token service.

pub mod authority;
pub mod authorize;
pub mod certificate;
pub mod client_auth;
pub mod client_credentials;
pub mod code_grant;
pub mod device_code;
pub mod device_pages;
pub mod discovery;
pub mod grants;
pub mod jwt;
pub mod keys;
pub mod lockout;
pub mod logout;
pub mod on_behalf_of;
pub mod pages;
pub mod response_type;
pub mod token;
pub mod tokens;
pub mod userinfo;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route(
            "/{tenant}/oauth2/v2.0/logout",
            get(logout::logout_get).post(logout::logout_post),
        )
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(device_code::device_authorization),
        )
        .route(
            "/devicelogin",
            get(device_pages::enter).post(device_pages::submit),
        )
        .route(
            "/devicelogin/confirm",
            get(device_pages::resume).post(device_pages::confirm),
        )
        .route("/{tenant}/login", post(authorize::login))
        .route("/{tenant}/kmsi", post(authorize::stay_signed_in))
        .route("/{tenant}/consent", post(authorize::consent))
        .route("/common/userrealm/{upn}", get(discovery::user_realm))
}
