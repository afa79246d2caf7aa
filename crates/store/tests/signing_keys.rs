//! Conformance of the signing-key storage: every test runs on SQLite and on PostgreSQL (when
//! available), each on a fresh database.

use gatehouse_domain::Error;
use gatehouse_domain::ids::TenantId;
use gatehouse_store::testing::{self, TestDatabase};
use gatehouse_store::{Store, StoredSigningKey};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00:00.123456 UTC);

async fn tenant(store: &Store, name: &str, domain: &str) -> TenantId {
    let plan = testing::tenant_plan(name, domain, NOW);
    testing::create_tenant(store, &plan).await.unwrap();
    plan.tenant.id
}

fn key(kid: &str, active_from: OffsetDateTime) -> StoredSigningKey {
    StoredSigningKey {
        kid: kid.into(),
        algorithm: "RS256".into(),
        // Bytes that do not survive a text round trip: a NUL, invalid UTF-8, every byte value.
        sealed_private_key: (0..=255u8).chain([0, 0xff, 0xfe]).collect(),
        certificate: format!("cert of {kid}\0\u{1}").into_bytes(),
        created: NOW,
        active_from,
    }
}

async fn insert(store: &Store, tenant: TenantId, k: &StoredSigningKey) -> Result<(), Error> {
    let mut tx = store.write(tenant).await?;
    tx.insert_signing_key(k).await?;
    tx.commit().await
}

async fn stored(store: &Store, tenant: TenantId) -> Vec<StoredSigningKey> {
    store
        .read(tenant)
        .await
        .unwrap()
        .signing_keys()
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_keys_round_trip_exactly_in_activation_order() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let t = tenant(&store, "Contoso", "contoso.gatehouse.test").await;
        assert_eq!(stored(&store, t).await, vec![], "{:?}", db.engine);

        let later = key("k-later", NOW + Duration::days(90));
        let first = key("k-first", NOW);
        insert(&store, t, &later).await.unwrap();
        insert(&store, t, &first).await.unwrap();

        let keys = stored(&store, t).await;
        assert_eq!(keys, vec![first.clone(), later], "{:?}", db.engine);
        assert_eq!(keys[0].created, NOW, "microsecond precision survives");
        assert_eq!(keys[0].sealed_private_key, first.sealed_private_key);
    }
}

#[tokio::test]
async fn signing_keys_are_isolated_per_tenant_and_purged_with_it() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "Contoso", "contoso.gatehouse.test").await;
        let b = tenant(&store, "Fabrikam", "fabrikam.gatehouse.test").await;
        insert(&store, a, &key("k-a", NOW)).await.unwrap();
        // The same kid and start in another tenant is no conflict.
        insert(&store, b, &key("k-a", NOW)).await.unwrap();
        insert(&store, b, &key("k-b", NOW + Duration::days(1)))
            .await
            .unwrap();

        let kids =
            |keys: Vec<StoredSigningKey>| keys.into_iter().map(|k| k.kid).collect::<Vec<_>>();
        assert_eq!(kids(stored(&store, a).await), ["k-a"], "{:?}", db.engine);
        assert_eq!(kids(stored(&store, b).await), ["k-a", "k-b"]);

        // Deleting in one tenant leaves the other alone.
        let mut tx = store.write(b).await.unwrap();
        let n = tx
            .delete_superseded_signing_keys("RS256", NOW + Duration::days(30))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 1);
        assert_eq!(kids(stored(&store, b).await), ["k-b"]);
        assert_eq!(kids(stored(&store, a).await), ["k-a"]);

        let mut instance = store.instance_write().await.unwrap();
        instance.purge_tenant(a).await.unwrap();
        instance.commit().await.unwrap();
        assert_eq!(stored(&store, a).await, vec![], "cascade on purge");
        assert_eq!(kids(stored(&store, b).await), ["k-b"]);
    }
}

#[tokio::test]
async fn two_keys_of_one_algorithm_cannot_start_at_the_same_instant() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let t = tenant(&store, "Contoso", "contoso.gatehouse.test").await;
        insert(&store, t, &key("k-1", NOW)).await.unwrap();

        let err = insert(&store, t, &key("k-2", NOW)).await.unwrap_err();
        assert!(
            matches!(err, Error::Conflict { .. }),
            "{:?}: {err:?}",
            db.engine
        );
        let err = insert(&store, t, &key("k-1", NOW + Duration::days(1)))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Conflict { .. }), "same kid: {err:?}");

        // Another algorithm may start at the same instant.
        let mut es = key("k-es", NOW);
        es.algorithm = "ES256".into();
        insert(&store, t, &es).await.unwrap();
        assert_eq!(stored(&store, t).await.len(), 2, "{:?}", db.engine);
    }
}

#[tokio::test]
async fn only_keys_superseded_by_the_cutoff_are_deleted() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let t = tenant(&store, "Contoso", "contoso.gatehouse.test").await;
        let day = |d| NOW + Duration::days(d);
        for (kid, from) in [("k0", day(0)), ("k1", day(90)), ("k2", day(180))] {
            insert(&store, t, &key(kid, from)).await.unwrap();
        }
        let mut es = key("e0", day(0));
        es.algorithm = "ES256".into();
        insert(&store, t, &es).await.unwrap();
        let mut es1 = key("e1", day(1));
        es1.algorithm = "ES256".into();
        insert(&store, t, &es1).await.unwrap();

        let delete = |cutoff| {
            let store = store.clone();
            async move {
                let mut tx = store.write(t).await.unwrap();
                let n = tx
                    .delete_superseded_signing_keys("RS256", cutoff)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                n
            }
        };
        let kids =
            |keys: Vec<StoredSigningKey>| keys.into_iter().map(|k| k.kid).collect::<Vec<_>>();

        // k1 takes over on day 90: before that nothing is superseded.
        assert_eq!(delete(day(89)).await, 0, "{:?}", db.engine);
        assert_eq!(delete(day(90)).await, 1);
        assert_eq!(kids(stored(&store, t).await), ["e0", "e1", "k1", "k2"]);
        // Long after every start, the newest key stays; other algorithms are untouched.
        assert_eq!(delete(day(1000)).await, 1);
        assert_eq!(kids(stored(&store, t).await), ["e0", "e1", "k2"]);
        assert_eq!(delete(day(1000)).await, 0);
    }
}
