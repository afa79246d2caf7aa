//! The storage port: tenant-scoped transactions over SQLite (embedded default) or PostgreSQL.
//!
//! Every query that touches tenant data runs inside a [`TenantTx`], which carries the tenant id and
//! adds it to every statement; there is no way to issue a tenant query without one. Writes need a
//! [`Write`] transaction; audit records are written through the same transaction as the change.
//! The engines differ only in [`Engine`]: connection setup, migrations, locking and SQL types.

mod app_role_assignments;
mod applications;
mod audit;
mod authorization;
mod consent;
mod device_codes;
mod devices;
mod directory;
mod directory_values;
mod domains;
mod engine;
mod error;
mod group_members;
mod groups;
mod instance;
mod key_credentials;
mod lockouts;
pub mod odata_sql;
mod organization;
mod refresh_tokens;
mod rows;
mod signing_keys;
mod store;
mod token_lifetime_policies;
mod tx;
mod user_photos;
mod users;
mod users_query;

#[cfg(feature = "testing")]
pub mod testing;

pub use authorization::{StoredAuthorizationCode, StoredSignInSession};
pub use device_codes::{DeviceApproval, DeviceCodeStatus, StoredDeviceCode};
pub use devices::DeviceRelation;
pub use engine::Engine;
pub use group_members::already_exists;
pub use groups::{GroupQuery, SqlFilter, SqlParam, group_filter_column};
pub use instance::TenantSummary;
pub use odata_sql::Page;
pub use refresh_tokens::StoredRefreshToken;
pub use signing_keys::StoredSigningKey;
pub use store::{Store, StoreOptions};
pub use tx::{InstanceTx, Read, TenantTx, Write};
pub use user_photos::StoredPhoto;
pub use users::Bin;
