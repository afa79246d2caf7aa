//! What every handler shares.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gatehouse_domain::clock::Clock;
use gatehouse_domain::domain_name::DomainName;
use gatehouse_domain::random::Random;
use gatehouse_store::Store;

use crate::dns::Dns;
use crate::identity::keys::SigningKeys;
use crate::passwords::Passwords;
use crate::secrets::Secrets;

/// The application's shared state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub secrets: Arc<Secrets>,
    pub passwords: Arc<Passwords>,
    pub readiness: Arc<Readiness>,
    pub instance: Arc<Instance>,
    /// Every tenant's token signing keys, cached on this node.
    pub keys: Arc<SigningKeys>,
    /// The resolver domain verification asks (the `dns_resolver` setting).
    pub dns: Arc<Dns>,
}

/// Instance-level settings the handlers need.
#[derive(Debug)]
pub struct Instance {
    /// The public base URL, without a trailing slash (issuer and links derive from it).
    pub public_url: String,
    /// The suffix of new tenants' initial domains.
    pub initial_domain_suffix: DomainName,
    /// Keyed hash of the instance operator key.
    pub operator_key_hash: String,
}

/// Whether the database has been prepared (migrations applied, bootstrap done), and why not.
#[derive(Debug, Default)]
pub struct Readiness {
    prepared: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl Readiness {
    pub fn is_prepared(&self) -> bool {
        self.prepared.load(Ordering::Acquire)
    }
    pub fn set_prepared(&self) {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.prepared.store(true, Ordering::Release);
    }
    pub fn set_error(&self, reason: String) {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
    }
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
