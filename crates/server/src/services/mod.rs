//! Use-case services: each one validates, decides, writes and audits in one transaction.

pub mod tenants;

pub use tenants::CreateTenant;
