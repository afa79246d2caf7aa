//! The Gatehouse domain: the model of tenants and directory objects, the rules that keep it valid,
//! and the catalogues every tenant is provisioned with. Pure Rust, no I/O, no wire formats.

pub mod application;
pub mod audit;
pub mod authorization_policy;
pub mod authz;
pub mod catalog;
pub mod clock;
pub mod device;
pub mod domain_name;
pub mod error;
pub mod group;
pub mod ids;
pub mod lockout;
pub mod odata;
pub mod organization;
pub mod password;
pub mod photo;
pub mod provisioning;
pub mod random;
pub mod role;
pub mod scope;
pub mod tenant;
pub mod token_lifetime;
pub mod user;

pub use error::{Error, Result};
