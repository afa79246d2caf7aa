//! Refresh-token storage on both engines: single use, family revocation, tenant isolation.

use gatehouse_domain::Error;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_store::testing::{self, TestDatabase};
use gatehouse_store::{Store, StoredRefreshToken};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

async fn tenant(store: &Store, label: &str) -> TenantPlan {
    let plan = testing::tenant_plan(label, &format!("{label}.gatehouse.test"), NOW);
    testing::create_tenant(store, &plan).await.unwrap();
    plan
}

fn token(hash: &str, family: &str, user: ObjectId) -> StoredRefreshToken {
    StoredRefreshToken {
        token_hash: hash.to_owned(),
        family_id: family.to_owned(),
        user_id: user,
        client_app_id: AppId::from_uuid(OsRandom.uuid()),
        scope: "User.Read openid".into(),
        amr: "pwd".into(),
        auth_time: NOW,
        issued_at: NOW,
        consumed_at: None,
        revoked_at: None,
    }
}

#[tokio::test]
async fn a_refresh_token_is_redeemed_once_and_its_family_can_be_revoked() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let user = a.admin.id;
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let t1 = token("h1", "f1", user);
        tx.insert_refresh_token(&t1).await.unwrap();
        tx.insert_refresh_token(&token("h2", "f1", user))
            .await
            .unwrap();
        tx.insert_refresh_token(&token("h3", "f2", user))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.refresh_token("h1").await.unwrap(),
            Some(t1.clone()),
            "{:?}",
            db.engine
        );
        assert!(tx.consume_refresh_token("h1", NOW).await.unwrap());
        assert!(
            !tx.consume_refresh_token("h1", NOW).await.unwrap(),
            "a second redemption is refused"
        );
        assert_eq!(tx.revoke_refresh_family("f1", NOW).await.unwrap(), 2);
        assert!(
            !tx.consume_refresh_token("h2", NOW).await.unwrap(),
            "revoked tokens cannot be redeemed"
        );
        assert!(
            tx.consume_refresh_token("h3", NOW).await.unwrap(),
            "other families are untouched"
        );
        tx.commit().await.unwrap();
        let stored = store
            .read(a.tenant.id)
            .await
            .unwrap()
            .refresh_token("h1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.consumed_at, Some(NOW));
        assert_eq!(stored.revoked_at, Some(NOW));

        // Another tenant sees none of it.
        let b = tenant(&store, "fabrikam").await;
        let mut other = store.write(b.tenant.id).await.unwrap();
        assert_eq!(other.refresh_token("h3").await.unwrap(), None);
        assert_eq!(other.revoke_refresh_family("f2", NOW).await.unwrap(), 0);
        assert!(matches!(
            other.set_account_enabled(user, false).await,
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            other.set_sign_in_sessions_valid_from(user, NOW).await,
            Err(Error::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn account_state_changes_are_stored() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.set_account_enabled(a.admin.id, false).await.unwrap();
        tx.set_sign_in_sessions_valid_from(a.admin.id, NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let user = store
            .read(a.tenant.id)
            .await
            .unwrap()
            .user(a.admin.id)
            .await
            .unwrap();
        assert!(!user.account_enabled);
        assert_eq!(user.sign_in_sessions_valid_from, Some(NOW));
        assert_eq!(user.tokens_valid_from(), Some(NOW));
    }
}
