//! The catalogues every tenant is provisioned with: built-in roles, Microsoft Graph's permissions,
//! and the first-party applications.

pub mod first_party;
pub mod graph_permissions;
pub mod roles;
