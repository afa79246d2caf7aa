//! HTTP edge pieces shared by every surface: request context and the two error formats.

pub mod context;
pub mod graph_error;
pub mod json;
pub mod oauth_error;
