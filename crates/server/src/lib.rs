//! The Gatehouse server: configuration, TLS, the HTTP application (operator API, health, and the
//! Graph and identity surfaces as they land), use-case services, and `gatehouse serve`.

pub mod app;
pub mod bootstrap;
pub mod config;
pub mod dns;
pub mod graph;
pub mod health;
pub mod http;
pub mod identity;
pub mod operator;
pub mod passwords;
pub mod permissions;
pub mod secrets;
pub mod serve;
pub mod services;
pub mod state;
pub mod tls;
