//! Per-tenant token signing keys: creation, rotation, retirement, and a per-node cache.
//!
//! Key lifecycle (spec 08 §9.1): the first key of a tenant is active at once; later a new key is
//! created [`PUBLISH_AHEAD`] (14 days) before it becomes active, each key is active
//! [`ROTATE_EVERY`] (90 days), and a retired key stays published [`KEEP_AFTER`] (14 days) after
//! the next key took over (so every token it signed has expired), then it is deleted.
//!
//! Each algorithm has its own keys and its own lifecycle: RSA-2048 (RS256, generated with the
//! `rsa` crate since ring cannot generate RSA keys) signs everything by default; P-256 (ES256,
//! generated with `ring`) signs the Microsoft Graph tokens of tenants whose
//! `graphTokenAlgorithm` is ES256, and is only created when such a tenant first signs. Keys are
//! stored as PKCS#8 sealed with the tenant's data key, and published with a self-signed
//! certificate (`x5c`) whose SHA-1 thumbprint is both `x5t` and `kid`, as Entra does. Signing and
//! verification use `ring`, with each active key parsed once per node.
//!
//! Nodes share nothing but the database: each caches a tenant's keys for [`CACHE_FOR`] (or until
//! the schedule changes), reloads at once when asked for an unknown kid (at most every 10 s per
//! tenant), and when two nodes create the same key at once the unique (tenant, algorithm,
//! active_from) constraint lets one win; the other reloads.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use gatehouse_domain::clock::Clock;
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::random::Random;
use gatehouse_domain::tenant::TokenAlgorithm;
use gatehouse_domain::{Error, Result};
use gatehouse_store::{Store, StoredSigningKey};
use time::{Duration, OffsetDateTime};

use crate::secrets::Secrets;

pub(crate) mod material;

#[cfg(test)]
pub(crate) use material::testing;
use material::{KeyMaterial, generate};
pub use material::{PublicKey, Signer, thumbprint, unstored_key_pair};

/// How long a new key is published before it starts signing.
pub const PUBLISH_AHEAD: Duration = Duration::days(14);
/// How long each key signs.
pub const ROTATE_EVERY: Duration = Duration::days(90);
/// How long a retired key stays published after its successor took over.
pub const KEEP_AFTER: Duration = Duration::days(14);
/// How long a node trusts its cached view of a tenant's keys.
pub const CACHE_FOR: Duration = Duration::minutes(5);
/// The least time between two reloads caused by an unknown kid, per tenant.
const UNKNOWN_KID_RELOAD_EVERY: Duration = Duration::seconds(10);
/// The purpose the private keys are sealed for.
const SEALING_PURPOSE: &str = "signing-key";

/// What key operations need from the application.
#[derive(Debug, Clone, Copy)]
pub struct KeyDeps<'a> {
    pub store: &'a Store,
    pub secrets: &'a Secrets,
    pub clock: &'a dyn Clock,
    pub random: &'a dyn Random,
}

/// The per-node cache of every tenant's signing keys.
#[derive(Default)]
pub struct SigningKeys {
    tenants: Mutex<HashMap<(TenantId, TokenAlgorithm), Slot>>,
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenants = self.tenants.lock().map(|t| t.len()).unwrap_or_default();
        f.debug_struct("SigningKeys")
            .field("tenants", &tenants)
            .finish()
    }
}

#[derive(Default)]
struct Slot {
    keys: Option<Arc<TenantKeys>>,
    /// Held while this node reloads (and perhaps creates) the tenant's keys.
    reloading: Arc<tokio::sync::Mutex<()>>,
    last_forced: Option<OffsetDateTime>,
}

/// One tenant's keys as this node last loaded them.
struct TenantKeys {
    /// After this, the next caller reloads; meanwhile concurrent callers keep using this view.
    reload_at: OffsetDateTime,
    /// After this, nobody uses this view any more.
    usable_until: OffsetDateTime,
    /// The active key, parsed; only loaded for callers that sign.
    signer: Option<Arc<Signer>>,
    published: Vec<Arc<PublicKey>>,
    /// Whether the schedule was applied (no key was due for creation when loaded).
    complete: bool,
}

/// What a caller needs from a tenant's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// To sign or publish: keys are created when due, and the active key is parsed.
    Sign,
    /// To verify: never creates keys (so a token naming an unknown tenant costs one read).
    Verify,
}

impl SigningKeys {
    pub fn new() -> Self {
        Self::default()
    }

    /// The tenant's active RS256 signer; creates the tenant's first key, or the next key when due.
    pub async fn signer(&self, deps: &KeyDeps<'_>, tenant: TenantId) -> Result<Arc<Signer>> {
        self.signer_for(deps, tenant, TokenAlgorithm::Rs256).await
    }

    /// The tenant's active signer of `algorithm`; creates the tenant's first key of that
    /// algorithm, or the next key when due.
    pub async fn signer_for(
        &self,
        deps: &KeyDeps<'_>,
        tenant: TenantId,
        algorithm: TokenAlgorithm,
    ) -> Result<Arc<Signer>> {
        self.current(deps, (tenant, algorithm), Need::Sign)
            .await?
            .signer
            .clone()
            .ok_or_else(|| Error::internal("signing keys loaded without their signer"))
    }

    /// The keys to publish in the tenant's JWKS (active, upcoming, and recently retired): the RSA
    /// keys, creating the first if there is none, then the P-256 keys if the tenant has any.
    pub async fn published(
        &self,
        deps: &KeyDeps<'_>,
        tenant: TenantId,
    ) -> Result<Vec<Arc<PublicKey>>> {
        let mut keys = self
            .current(deps, (tenant, TokenAlgorithm::Rs256), Need::Sign)
            .await?
            .published
            .clone();
        let ec = self
            .current(deps, (tenant, TokenAlgorithm::Es256), Need::Verify)
            .await?;
        keys.extend(ec.published.iter().cloned());
        Ok(keys)
    }

    /// The RSA public key with this kid, if the tenant publishes it (see [`Self::public_key_for`]).
    pub async fn public_key(
        &self,
        deps: &KeyDeps<'_>,
        tenant: TenantId,
        kid: &str,
    ) -> Result<Option<Arc<PublicKey>>> {
        self.public_key_for(deps, tenant, TokenAlgorithm::Rs256, kid)
            .await
    }

    /// The public key of `algorithm` with this kid, if the tenant publishes it. Never creates a
    /// key: a tenant without keys (or no tenant at all) publishes nothing.
    pub async fn public_key_for(
        &self,
        deps: &KeyDeps<'_>,
        tenant: TenantId,
        algorithm: TokenAlgorithm,
        kid: &str,
    ) -> Result<Option<Arc<PublicKey>>> {
        let tenant = (tenant, algorithm);
        let keys = self.current(deps, tenant, Need::Verify).await?;
        if let Some(key) = find(&keys, kid) {
            return Ok(Some(key));
        }
        if keys.published.is_empty() {
            return Ok(None);
        }
        // Perhaps another node created a key since this one loaded: reload, but not for every
        // made-up kid.
        let now = deps.clock.now();
        let lock = {
            let mut tenants = self.lock();
            let slot = tenants.entry(tenant).or_default();
            if slot
                .last_forced
                .is_some_and(|at| at <= now && now - at < UNKNOWN_KID_RELOAD_EVERY)
            {
                return Ok(None);
            }
            slot.last_forced = Some(now);
            slot.reloading.clone()
        };
        let _reloading = lock.lock().await;
        let keys = self.reload(deps, tenant, Need::Verify).await?;
        Ok(find(&keys, kid))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(TenantId, TokenAlgorithm), Slot>> {
        self.tenants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached view if it is fresh; otherwise one caller reloads while the others keep using
    /// a recent view, or wait for the reload when there is none.
    async fn current(
        &self,
        deps: &KeyDeps<'_>,
        tenant: (TenantId, TokenAlgorithm),
        need: Need,
    ) -> Result<Arc<TenantKeys>> {
        let now = deps.clock.now();
        let (cached, lock) = {
            let mut tenants = self.lock();
            let slot = tenants.entry(tenant).or_default();
            match &slot.keys {
                Some(k) if k.is_fresh(now, need) => return Ok(k.clone()),
                cached => (cached.clone(), slot.reloading.clone()),
            }
        };
        let guard = match (lock.clone().try_lock_owned(), cached) {
            (Ok(guard), _) => guard,
            (Err(_), Some(k)) if k.is_usable(now, need) => return Ok(k),
            (Err(_), _) => lock.lock_owned().await,
        };
        // Another caller may have reloaded while this one waited.
        let cached = self.lock().get(&tenant).and_then(|s| s.keys.clone());
        if let Some(k) = cached.filter(|k| k.is_fresh(deps.clock.now(), need)) {
            return Ok(k);
        }
        let keys = self.reload(deps, tenant, need).await;
        drop(guard);
        keys
    }

    /// Loads the tenant's keys (creating or deleting as the schedule says, when signing) and
    /// caches them; a tenant without keys is not cached. The caller holds the tenant's
    /// `reloading` lock.
    async fn reload(
        &self,
        deps: &KeyDeps<'_>,
        tenant: (TenantId, TokenAlgorithm),
        need: Need,
    ) -> Result<Arc<TenantKeys>> {
        let previous = self.lock().get(&tenant).and_then(|s| s.keys.clone());
        let keys = Arc::new(load(deps, tenant, previous.as_deref(), need).await?);
        let mut tenants = self.lock();
        if keys.published.is_empty() {
            tenants.remove(&tenant);
        } else {
            tenants.entry(tenant).or_default().keys = Some(keys.clone());
        }
        Ok(keys)
    }
}

impl TenantKeys {
    fn serves(&self, need: Need) -> bool {
        need == Need::Verify || (self.complete && self.signer.is_some())
    }
    fn is_fresh(&self, now: OffsetDateTime, need: Need) -> bool {
        now < self.reload_at && self.serves(need)
    }
    /// Good enough for a caller while another one reloads.
    fn is_usable(&self, now: OffsetDateTime, need: Need) -> bool {
        now < self.usable_until && (need == Need::Verify || self.signer.is_some())
    }
}

fn find(keys: &TenantKeys, kid: &str) -> Option<Arc<PublicKey>> {
    keys.published.iter().find(|k| k.kid == kid).cloned()
}

/// What the lifecycle says about a tenant's keys at one instant.
#[derive(Debug, PartialEq, Eq)]
struct Schedule {
    /// Index of the key that signs.
    active: Option<usize>,
    /// Indexes of the keys to publish, in activation order.
    published: Vec<usize>,
    /// Some retired keys are past their retention and should be deleted.
    expired: bool,
    /// A key should be created now, to become active at this instant.
    create: Option<OffsetDateTime>,
    /// When this schedule next changes (a key activates, retires for good, or is due).
    next_change: Option<OffsetDateTime>,
}

/// The lifecycle of keys that become active at `starts` (ascending), at `now`.
fn schedule(starts: &[OffsetDateTime], now: OffsetDateTime) -> Schedule {
    let Some(last) = starts.len().checked_sub(1) else {
        return Schedule {
            active: None,
            published: vec![],
            expired: false,
            create: Some(floor_minute(now)),
            next_change: None,
        };
    };
    // The latest key that has started; if none has (another node's clock ran ahead), the first.
    let active = starts.iter().rposition(|&s| s <= now).unwrap_or(0);
    let mut next_change: Option<OffsetDateTime> = None;
    let mut soonest = |t: OffsetDateTime| next_change = Some(next_change.map_or(t, |n| n.min(t)));
    let mut published = vec![];
    let mut expired = false;
    for i in 0..active {
        let gone = starts[i + 1] + KEEP_AFTER;
        if now >= gone {
            expired = true;
        } else {
            published.push(i);
            soonest(gone);
        }
    }
    published.extend(active..=last);
    let mut create = None;
    if active < last {
        soonest(starts[active + 1]);
    } else {
        let due = starts[active] + ROTATE_EVERY - PUBLISH_AHEAD;
        if now >= due {
            // Never activate a key that has been published for less than PUBLISH_AHEAD (after
            // an outage, the old key signs a little longer).
            create = Some((starts[active] + ROTATE_EVERY).max(ceil_minute(now + PUBLISH_AHEAD)));
        } else {
            soonest(due);
        }
    }
    Schedule {
        active: Some(active),
        published,
        expired,
        create,
        next_change,
    }
}

/// Instants are rounded to the minute so that nodes racing to create the same key collide on
/// the unique (tenant, algorithm, active_from) constraint.
fn floor_minute(t: OffsetDateTime) -> OffsetDateTime {
    let s = t.unix_timestamp();
    OffsetDateTime::from_unix_timestamp(s - s.rem_euclid(60)).unwrap_or(t)
}

fn ceil_minute(t: OffsetDateTime) -> OffsetDateTime {
    let floor = floor_minute(t);
    if floor == t {
        t
    } else {
        floor + Duration::minutes(1)
    }
}

fn of(algorithm: TokenAlgorithm, keys: Vec<StoredSigningKey>) -> Vec<StoredSigningKey> {
    keys.into_iter()
        .filter(|k| k.algorithm == algorithm.as_str())
        .collect()
}

fn starts(keys: &[StoredSigningKey]) -> Vec<OffsetDateTime> {
    keys.iter().map(|k| k.active_from).collect()
}

/// Reads the tenant's keys, first creating or deleting keys when the schedule says so.
async fn load(
    deps: &KeyDeps<'_>,
    (tenant, algorithm): (TenantId, TokenAlgorithm),
    previous: Option<&TenantKeys>,
    need: Need,
) -> Result<TenantKeys> {
    let mut writes = 0;
    loop {
        let now = deps.clock.now();
        let mut tx = deps.store.read(tenant).await?;
        let stored = of(algorithm, tx.signing_keys().await?);
        let plan = schedule(&starts(&stored), now);
        if need == Need::Sign && (plan.create.is_some() || plan.expired) && writes < 3 {
            if stored.is_empty() {
                // No key generation for a tenant that does not exist (NotFound).
                tx.tenant().await?;
            }
            drop(tx);
            writes += 1;
            // Generate before opening the write transaction: it takes up to a second.
            let material = match plan.create {
                Some(_) => Some(generate(algorithm, deps.random, now).await?),
                None => None,
            };
            write(deps, (tenant, algorithm), material).await?;
            continue;
        }
        let active = plan.active.map(|i| &stored[i]);
        if active.is_none() && need == Need::Sign {
            return Err(Error::unavailable(
                "The tenant's signing key could not be created.",
            ));
        }
        let reuse = |kid: &str| previous.and_then(|p| find(p, kid));
        let previous_signer = previous.and_then(|p| p.signer.clone());
        let signer = match (active, previous_signer) {
            (None, _) => None,
            (Some(a), Some(p)) if p.kid == a.kid => Some(p),
            (Some(_), _) if need == Need::Verify => None,
            (Some(a), _) => {
                let pkcs8 = deps
                    .secrets
                    .open(&mut tx, SEALING_PURPOSE, &a.sealed_private_key)
                    .await?;
                Some(Arc::new(Signer::from_pkcs8(algorithm, &a.kid, &pkcs8)?))
            }
        };
        let published = plan
            .published
            .iter()
            .map(|&i| match reuse(&stored[i].kid) {
                Some(k) => Ok(k),
                None => PublicKey::from_certificate(&stored[i].kid, &stored[i].certificate)
                    .map(Arc::new),
            })
            .collect::<Result<Vec<_>>>()?;
        let reload_at = plan
            .next_change
            .map_or(now + CACHE_FOR, |t| t.min(now + CACHE_FOR));
        return Ok(TenantKeys {
            reload_at,
            usable_until: reload_at + CACHE_FOR,
            signer,
            published,
            complete: plan.create.is_none(),
        });
    }
}

/// Applies the schedule in a write transaction: deletes expired keys and inserts `material` if a
/// key is (still) due. A concurrent creation by another node (of the key, or of the tenant's data
/// key that seals it) is not an error: the caller reloads.
async fn write(
    deps: &KeyDeps<'_>,
    tenant: (TenantId, TokenAlgorithm),
    material: Option<KeyMaterial>,
) -> Result<()> {
    match try_write(deps, tenant, material).await {
        Err(Error::Conflict { .. }) => Ok(()),
        other => other,
    }
}

async fn try_write(
    deps: &KeyDeps<'_>,
    (tenant, algorithm): (TenantId, TokenAlgorithm),
    material: Option<KeyMaterial>,
) -> Result<()> {
    let now = deps.clock.now();
    let mut tx = deps.store.write(tenant).await?;
    let plan = schedule(&starts(&of(algorithm, tx.signing_keys().await?)), now);
    if plan.expired {
        tx.delete_superseded_signing_keys(algorithm.as_str(), now - KEEP_AFTER)
            .await?;
    }
    let mut created = None;
    if let (Some(active_from), Some(m)) = (plan.create, material) {
        let sealed = deps
            .secrets
            .seal(&mut tx, SEALING_PURPOSE, &m.pkcs8, deps.random, now)
            .await?;
        let key = StoredSigningKey {
            kid: m.kid,
            algorithm: algorithm.as_str().to_owned(),
            sealed_private_key: sealed,
            certificate: m.certificate,
            created: now,
            active_from,
        };
        tx.insert_signing_key(&key).await?;
        created = Some(key);
    }
    tx.commit().await?;
    if let Some(key) = created {
        tracing::info!(%tenant, kid = %key.kid, algorithm = %key.algorithm, active_from = %key.active_from, "created a token signing key");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::testing::NOW;
    use super::*;

    fn day(d: i64) -> OffsetDateTime {
        NOW + Duration::days(d)
    }

    #[test]
    fn the_first_key_is_created_active_at_once() {
        let s = schedule(&[], NOW + Duration::seconds(59));
        assert_eq!(
            s.create,
            Some(NOW),
            "rounded down to the minute, so active at once"
        );
        assert_eq!((s.active, s.published, s.expired), (None, vec![], false));
    }

    #[test]
    fn the_schedule_follows_the_lifecycle() {
        // (keys' starts, now) → (active, published, expired, create, next change)
        type Row = (
            Vec<i64>,
            i64,
            Option<usize>,
            Vec<usize>,
            bool,
            Option<i64>,
            Option<i64>,
        );
        let table: Vec<Row> = vec![
            (vec![0], 0, Some(0), vec![0], false, None, Some(76)),
            (vec![0], 75, Some(0), vec![0], false, None, Some(76)),
            (vec![0], 76, Some(0), vec![0], false, Some(90), None),
            (vec![0, 90], 76, Some(0), vec![0, 1], false, None, Some(90)),
            (vec![0, 90], 90, Some(1), vec![0, 1], false, None, Some(104)),
            (
                vec![0, 90],
                103,
                Some(1),
                vec![0, 1],
                false,
                None,
                Some(104),
            ),
            (vec![0, 90], 104, Some(1), vec![1], true, None, Some(166)),
            (vec![0, 90], 166, Some(1), vec![1], true, Some(180), None),
            // After an outage: the next key is published PUBLISH_AHEAD before it signs.
            (vec![0], 200, Some(0), vec![0], false, Some(214), None),
            // A key created by a node whose clock runs ahead still signs.
            (vec![1], 0, Some(0), vec![0], false, None, Some(77)),
        ];
        for (starts, now, active, published, expired, create, next) in table {
            let s = schedule(
                &starts.iter().map(|&d| day(d)).collect::<Vec<_>>(),
                day(now),
            );
            assert_eq!(
                s,
                Schedule {
                    active,
                    published,
                    expired,
                    create: create.map(day),
                    next_change: next.map(day),
                },
                "keys starting {starts:?}, day {now}"
            );
        }
    }

    #[test]
    fn minutes_round_as_expected() {
        let t = NOW + Duration::seconds(61);
        assert_eq!(floor_minute(t), NOW + Duration::minutes(1));
        assert_eq!(ceil_minute(t), NOW + Duration::minutes(2));
        assert_eq!(ceil_minute(NOW), NOW);
    }
}
