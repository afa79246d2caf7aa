//! Per-tenant signing keys through the real store and secrets, on both engines: creation,
//! rotation on the 90/14/14-day schedule, tenant isolation, sealing at rest, and several nodes
//! (several `SigningKeys`) sharing one database.

mod support;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use gatehouse_domain::clock::{Clock, ManualClock};
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::random::Random;
use gatehouse_server::identity::jwt;
use gatehouse_server::identity::keys::{KeyDeps, SigningKeys};
use gatehouse_store::StoredSigningKey;
use serde_json::json;
use support::{START, TestApp, each_engine};
use time::Duration;

fn deps(app: &TestApp) -> KeyDeps<'_> {
    deps_at(app, app.clock.as_ref())
}

/// The app's dependencies with another node's clock.
fn deps_at<'a>(app: &'a TestApp, clock: &'a dyn Clock) -> KeyDeps<'a> {
    KeyDeps {
        store: &app.state.store,
        secrets: &app.state.secrets,
        clock,
        random: app.state.random.as_ref(),
    }
}

async fn bootstrap_tenant(app: &TestApp) -> TenantId {
    let mut tx = app.state.store.instance_read().await.unwrap();
    tx.list_tenants().await.unwrap()[0].tenant.id
}

async fn another_tenant(app: &TestApp) -> TenantId {
    let body =
        json!({"displayName": "Contoso", "initialDomain": "contoso", "countryLetterCode": "de"});
    let r = app
        .operator(Method::POST, "/_gatehouse/tenants", Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().parse().unwrap()
}

async fn stored(app: &TestApp, tenant: TenantId) -> Vec<StoredSigningKey> {
    let mut tx = app.state.store.read(tenant).await.unwrap();
    tx.signing_keys().await.unwrap()
}

async fn published(keys: &SigningKeys, deps: &KeyDeps<'_>, tenant: TenantId) -> Vec<String> {
    let keys = keys.published(deps, tenant).await.unwrap();
    keys.iter().map(|k| k.kid.clone()).collect()
}

async fn signing_kid(keys: &SigningKeys, deps: &KeyDeps<'_>, tenant: TenantId) -> String {
    keys.signer(deps, tenant).await.unwrap().kid.clone()
}

/// Whether `token` verifies with the key its header names, as the tenant publishes it now.
async fn verifies(keys: &SigningKeys, deps: &KeyDeps<'_>, tenant: TenantId, token: &str) -> bool {
    let jwt = jwt::parse(token).unwrap();
    let kid = jwt.header.kid.as_deref().unwrap();
    match keys.public_key(deps, tenant, kid).await.unwrap() {
        Some(key) => jwt.verify_signature(&key).is_ok(),
        None => false,
    }
}

#[tokio::test]
async fn the_first_call_creates_one_active_key_that_later_calls_reuse() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let t = bootstrap_tenant(&app).await;
        assert!(
            stored(&app, t).await.is_empty(),
            "no key before it is needed"
        );

        let keys = &app.state.keys;
        let signer = keys.signer(&deps(&app), t).await.unwrap();
        let again = keys.signer(&deps(&app), t).await.unwrap();
        assert!(Arc::ptr_eq(&signer, &again), "parsed once, then cached");
        assert_eq!(signer.x5t, signer.kid);

        let rows = stored(&app, t).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].kid.as_str(), rows[0].algorithm.as_str()),
            (signer.kid.as_str(), "RS256")
        );
        assert_eq!(
            (rows[0].created, rows[0].active_from),
            (START, START),
            "active at once"
        );
        assert_eq!(published(keys, &deps(&app), t).await, [signer.kid.as_str()]);

        let token = signer.sign(&json!({ "tid": t.to_string() }));
        assert!(verifies(keys, &deps(&app), t, &token).await);
        let jwk = keys.published(&deps(&app), t).await.unwrap()[0].jwk("https://issuer");
        assert_eq!(jwk["kid"], signer.kid.as_str());

        // Another node reads the same key instead of creating one.
        let node2 = SigningKeys::new();
        assert_eq!(signing_kid(&node2, &deps(&app), t).await, signer.kid);
        assert!(verifies(&node2, &deps(&app), t, &token).await);
        assert_eq!(stored(&app, t).await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn keys_rotate_every_90_days_and_retired_keys_stay_published_14_days() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let t = bootstrap_tenant(&app).await;
        let keys = &app.state.keys;
        let d = deps(&app);
        let advance_to = |days: i64, minutes: i64| {
            let target = START + Duration::days(days) + Duration::minutes(minutes);
            app.clock.advance(target - app.clock.now());
        };

        let first = signing_kid(keys, &d, t).await;
        advance_to(76, -1);
        assert_eq!(
            published(keys, &d, t).await,
            [first.as_str()],
            "nothing new yet"
        );
        assert_eq!(stored(&app, t).await.len(), 1);

        // 14 days before the first key's 90 days are up, the next key is published...
        advance_to(76, 0);
        let upcoming = published(keys, &d, t).await;
        assert_eq!(upcoming.len(), 2, "{upcoming:?}");
        assert_eq!(upcoming[0], first);
        let second = upcoming[1].clone();
        let rows = stored(&app, t).await;
        assert_eq!(rows[1].active_from, START + Duration::days(90));
        // ...but the first still signs until then.
        assert_eq!(signing_kid(keys, &d, t).await, first);
        advance_to(90, -1);
        assert_eq!(signing_kid(keys, &d, t).await, first);
        let old_token = keys.signer(&d, t).await.unwrap().sign(&json!({ "n": 1 }));

        advance_to(90, 0);
        assert_eq!(signing_kid(keys, &d, t).await, second);
        assert_eq!(
            published(keys, &d, t).await,
            [first.as_str(), second.as_str()]
        );
        assert_eq!(stored(&app, t).await.len(), 2, "no third key yet");

        // The retired key still verifies its tokens for 14 days, then it is gone.
        advance_to(104, -1);
        assert!(verifies(keys, &d, t, &old_token).await);
        assert_eq!(
            published(keys, &d, t).await,
            [first.as_str(), second.as_str()]
        );
        advance_to(104, 0);
        assert_eq!(published(keys, &d, t).await, [second.as_str()]);
        assert!(!verifies(keys, &d, t, &old_token).await);
        let rows = stored(&app, t).await;
        assert_eq!(rows.len(), 1, "deleted from storage too");
        assert_eq!(rows[0].kid, second);

        // The cycle continues: the third key is published on day 166 and signs from day 180.
        advance_to(166, 0);
        let kids = published(keys, &d, t).await;
        assert_eq!((kids.len(), kids[0].as_str()), (2, second.as_str()));
        assert_eq!(signing_kid(keys, &d, t).await, second);
        advance_to(180, 0);
        assert_eq!(signing_kid(keys, &d, t).await, kids[1]);
        // A node that starts now agrees.
        assert_eq!(signing_kid(&SigningKeys::new(), &d, t).await, kids[1]);
    })
    .await;
}

#[tokio::test]
async fn a_tenant_never_publishes_or_accepts_another_tenants_keys() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let (a, b) = (bootstrap_tenant(&app).await, another_tenant(&app).await);
        let keys = &app.state.keys;
        let d = deps(&app);
        let signer_a = keys.signer(&d, a).await.unwrap();
        let signer_b = keys.signer(&d, b).await.unwrap();
        assert_ne!(signer_a.kid, signer_b.kid);
        assert_eq!(published(keys, &d, a).await, [signer_a.kid.as_str()]);
        assert_eq!(published(keys, &d, b).await, [signer_b.kid.as_str()]);
        assert!(
            keys.public_key(&d, b, &signer_a.kid)
                .await
                .unwrap()
                .is_none()
        );

        let token_a = signer_a.sign(&json!({ "tid": a.to_string() }));
        assert!(verifies(keys, &d, a, &token_a).await);
        assert!(
            !verifies(keys, &d, b, &token_a).await,
            "B does not know A's kid"
        );
        // Even forcing B's key onto A's token fails.
        let key_b = keys
            .public_key(&d, b, &signer_b.kid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            jwt::parse(&token_a).unwrap().verify_signature(&key_b),
            Err(jwt::JwtError::BadSignature)
        );
    })
    .await;
}

#[tokio::test]
async fn the_private_key_is_sealed_at_rest() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let t = bootstrap_tenant(&app).await;
        let signer = app.state.keys.signer(&deps(&app), t).await.unwrap();
        let row = stored(&app, t).await.remove(0);

        let mut tx = app.state.store.read(t).await.unwrap();
        let pkcs8 = app
            .state
            .secrets
            .open(&mut tx, "signing-key", &row.sealed_private_key)
            .await
            .unwrap();
        drop(tx);
        assert!(pkcs8.len() > 1000, "an RSA-2048 PKCS#8 key");
        // Not the key, nor any 16-byte piece of it.
        assert!(
            !row.sealed_private_key
                .windows(16)
                .any(|w| pkcs8.windows(16).any(|p| p == w))
        );
        // The stored key is the one that signs: a token signed with it verifies.
        let pair = ring::signature::RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
        let mut sig = vec![0; pair.public().modulus_len()];
        let input = signer
            .sign(&json!({}))
            .rsplit_once('.')
            .unwrap()
            .0
            .to_owned();
        pair.sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )
        .unwrap();
        let key = app
            .state
            .keys
            .public_key(&deps(&app), t, &signer.kid)
            .await
            .unwrap()
            .unwrap();
        assert!(key.verify(input.as_bytes(), &sig));
        assert_eq!(key.certificate(), row.certificate.as_slice());

        // Under another tenant's data key, or another purpose, it does not open.
        let other = another_tenant(&app).await;
        app.state.keys.signer(&deps(&app), other).await.unwrap();
        let mut tx = app.state.store.read(other).await.unwrap();
        assert!(
            app.state
                .secrets
                .open(&mut tx, "signing-key", &row.sealed_private_key)
                .await
                .is_err()
        );
        let mut tx = app.state.store.read(t).await.unwrap();
        assert!(
            app.state
                .secrets
                .open(&mut tx, "client-secret", &row.sealed_private_key)
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_creating_the_first_key_at_once_agree_on_one() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        for tenant in [bootstrap_tenant(&app).await, another_tenant(&app).await] {
            let (node1, node2) = (SigningKeys::new(), SigningKeys::new());
            let (d1, d2) = (deps(&app), deps(&app));
            let (s1, s2) = tokio::join!(node1.signer(&d1, tenant), node2.signer(&d2, tenant));
            let (s1, s2) = (s1.unwrap(), s2.unwrap());
            assert_eq!(s1.kid, s2.kid);
            assert_eq!(stored(&app, tenant).await.len(), 1);
            assert_eq!(published(&node1, &d1, tenant).await, [s1.kid.as_str()]);
            assert_eq!(published(&node2, &d2, tenant).await, [s1.kid.as_str()]);
            let token = s2.sign(&json!({}));
            assert!(verifies(&node1, &d1, tenant, &token).await);
        }
    })
    .await;
}

#[tokio::test]
async fn a_node_reloads_for_a_kid_it_does_not_know_but_not_for_every_one() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let t = bootstrap_tenant(&app).await;
        let node1 = SigningKeys::new();
        // Node 2's clock runs ten minutes ahead, so it creates the next key first.
        let clock2 = ManualClock::new(START);
        let (d1, d2) = (deps(&app), deps_at(&app, &clock2));
        let first = signing_kid(&node1, &d1, t).await;
        app.clock
            .advance(Duration::days(76) - Duration::minutes(10));
        clock2.advance(Duration::days(76));
        assert_eq!(published(&node1, &d1, t).await, [first.as_str()]);

        let kids = published(&SigningKeys::new(), &d2, t).await;
        assert_eq!(kids.len(), 2);
        let next = node1.public_key(&d1, t, &kids[1]).await.unwrap();
        assert_eq!(next.unwrap().kid, kids[1], "reloaded at once");
        assert_eq!(published(&node1, &d1, t).await, kids);

        // Made-up kids reload at most once per 10 seconds per tenant.
        assert!(node1.public_key(&d1, t, "made-up").await.unwrap().is_none());
        let mut extra = stored(&app, t).await.remove(0);
        let mut tx = app.state.store.write(t).await.unwrap();
        (extra.kid, extra.active_from) = ("extra".into(), START + Duration::days(1000));
        tx.insert_signing_key(&extra).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            node1.public_key(&d1, t, "extra").await.unwrap().is_none(),
            "within 10 s"
        );
        app.clock.advance(Duration::seconds(10));
        assert!(node1.public_key(&d1, t, "extra").await.unwrap().is_some());
    })
    .await;
}

/// Randomness that counts its uses, so a test can act at a known point of a key creation.
#[derive(Debug)]
struct CountingRandom {
    inner: Arc<dyn Random>,
    uses: tokio::sync::watch::Sender<usize>,
}

impl Random for CountingRandom {
    fn fill(&self, buf: &mut [u8]) {
        self.inner.fill(buf);
        self.uses.send_modify(|n| *n += 1);
    }
}

#[tokio::test]
async fn a_node_that_loses_the_race_to_another_nodes_commit_reloads_its_key() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let (t, other) = (bootstrap_tenant(&app).await, another_tenant(&app).await);
        let engine = app.state.store.engine();
        // "Another node" writes t's first key (and t's data key) but has not committed yet. Its
        // key material is borrowed from another tenant's key.
        let donor = app.state.keys.signer(&deps(&app), other).await.unwrap();
        let mut donor_row = stored(&app, other).await.remove(0);
        let mut tx = app.state.store.read(other).await.unwrap();
        let pkcs8 = app
            .state
            .secrets
            .open(&mut tx, "signing-key", &donor_row.sealed_private_key)
            .await
            .unwrap();
        drop(tx);
        let mut racer = app.state.store.write(t).await.unwrap();
        let random = app.state.random.as_ref();
        donor_row.sealed_private_key = app
            .state
            .secrets
            .seal(&mut racer, "signing-key", &pkcs8, random, START)
            .await
            .unwrap();
        racer.insert_signing_key(&donor_row).await.unwrap();

        let (uses, mut seen) = tokio::sync::watch::channel(0);
        let counting = CountingRandom {
            inner: app.state.random.clone(),
            uses,
        };
        let d = KeyDeps {
            random: &counting,
            ..deps(&app)
        };
        let node = SigningKeys::new();
        // On PostgreSQL the node reads no key, generates one (1 use of randomness), finds no data
        // key in its write transaction and makes one (2 more): then the racer commits, and the
        // node's insert conflicts. On SQLite writers queue, so the node's write waits for the racer.
        let commit_after = if engine == gatehouse_store::Engine::Postgres {
            3
        } else {
            1
        };
        let (signer, ()) = tokio::join!(node.signer(&d, t), async {
            seen.wait_for(|&n| n >= commit_after).await.unwrap();
            racer.commit().await.unwrap();
        });
        assert_eq!(
            signer.unwrap().kid,
            donor.kid,
            "{engine:?}: the committed key wins"
        );
        assert_eq!(
            *seen.borrow(),
            commit_after,
            "nothing more was generated or sealed"
        );
        let rows = stored(&app, t).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(published(&node, &d, t).await, [donor.kid.as_str()]);
    })
    .await;
}

#[tokio::test]
async fn verifying_never_creates_keys_and_unknown_tenants_get_none() {
    each_engine(|db| async {
        let app = TestApp::new(db).await;
        let t = bootstrap_tenant(&app).await;
        let (uses, seen) = tokio::sync::watch::channel(0);
        let counting = CountingRandom {
            inner: app.state.random.clone(),
            uses,
        };
        let d = KeyDeps {
            random: &counting,
            ..deps(&app)
        };
        let keys = SigningKeys::new();

        // A token naming a tenant that has no key yet, or no tenant at all, finds no key and
        // costs no key generation.
        assert!(keys.public_key(&d, t, "kid").await.unwrap().is_none());
        assert!(stored(&app, t).await.is_empty());
        let nobody: TenantId = "00000000-0000-4000-8000-000000000001".parse().unwrap();
        assert!(keys.public_key(&d, nobody, "kid").await.unwrap().is_none());
        let err = keys.signer(&d, nobody).await.unwrap_err();
        assert!(
            matches!(err, gatehouse_domain::Error::NotFound { .. }),
            "{err:?}"
        );
        assert_eq!(
            *seen.borrow(),
            0,
            "no randomness drawn, so nothing generated"
        );

        // Signing creates the key; verification on the same node then finds it.
        let signer = keys.signer(&d, t).await.unwrap();
        let token = signer.sign(&json!({}));
        assert!(verifies(&keys, &d, t, &token).await);
        assert!(Arc::ptr_eq(&signer, &keys.signer(&d, t).await.unwrap()));
    })
    .await;
}
