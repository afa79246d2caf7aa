//! Sign-in sessions and authorization codes on both engines: single-use codes, revocation, tenant
//! isolation.

use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_store::testing::{self, TestDatabase};
use gatehouse_store::{Store, StoredAuthorizationCode, StoredSignInSession};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

async fn tenant(store: &Store, label: &str) -> TenantPlan {
    let plan = testing::tenant_plan(label, &format!("{label}.gatehouse.test"), NOW);
    testing::create_tenant(store, &plan).await.unwrap();
    plan
}

fn session(hash: &str, user: ObjectId) -> StoredSignInSession {
    StoredSignInSession {
        session_hash: hash.to_owned(),
        user_id: user,
        auth_time: NOW,
        amr: "pwd".into(),
        persistent: true,
        expires_at: NOW + time::Duration::days(90),
        revoked_at: None,
    }
}

fn code(hash: &str, user: ObjectId, nonce: Option<&str>) -> StoredAuthorizationCode {
    StoredAuthorizationCode {
        code_hash: hash.to_owned(),
        client_app_id: AppId::from_uuid(OsRandom.uuid()),
        redirect_uri: "http://localhost:8400/".into(),
        user_id: user,
        scope: "openid profile offline_access".into(),
        nonce: nonce.map(str::to_owned),
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
        auth_time: NOW,
        amr: "pwd".into(),
        expires_at: NOW + time::Duration::minutes(10),
        redeemed_at: None,
    }
}

#[tokio::test]
async fn sessions_are_stored_revoked_and_scoped_to_their_tenant() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let s = session("s1", a.admin.id);
        let browser = StoredSignInSession {
            persistent: false,
            ..session("s2", a.admin.id)
        };
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_sign_in_session(&s).await.unwrap();
        tx.insert_sign_in_session(&browser).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.sign_in_session("s1").await.unwrap(),
            Some(s.clone()),
            "{:?}",
            db.engine
        );
        assert_eq!(tx.sign_in_session("s2").await.unwrap(), Some(browser));
        assert!(tx.revoke_sign_in_session("s1", NOW).await.unwrap());
        assert!(
            !tx.revoke_sign_in_session("s1", NOW).await.unwrap(),
            "already revoked"
        );
        assert!(!tx.revoke_sign_in_session("nope", NOW).await.unwrap());
        tx.commit().await.unwrap();
        let stored = store
            .read(a.tenant.id)
            .await
            .unwrap()
            .sign_in_session("s1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.revoked_at, Some(NOW));

        let b = tenant(&store, "fabrikam").await;
        let mut other = store.write(b.tenant.id).await.unwrap();
        assert_eq!(other.sign_in_session("s2").await.unwrap(), None);
        assert!(!other.revoke_sign_in_session("s2", NOW).await.unwrap());
    }
}

#[tokio::test]
async fn an_authorization_code_is_redeemed_once() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let c1 = code("c1", a.admin.id, Some("n-0S6_WzA2Mj"));
        let c2 = code("c2", a.admin.id, None);
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_authorization_code(&c1).await.unwrap();
        tx.insert_authorization_code(&c2).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.authorization_code("c1").await.unwrap(),
            Some(c1.clone()),
            "{:?}",
            db.engine
        );
        assert_eq!(tx.authorization_code("c2").await.unwrap(), Some(c2));
        assert!(tx.redeem_code("c1", NOW).await.unwrap());
        assert!(
            !tx.redeem_code("c1", NOW).await.unwrap(),
            "a second redemption is refused"
        );
        assert!(!tx.redeem_code("unknown", NOW).await.unwrap());
        tx.commit().await.unwrap();
        let stored = store
            .read(a.tenant.id)
            .await
            .unwrap()
            .authorization_code("c1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.redeemed_at, Some(NOW));

        // Another tenant can neither see nor redeem it.
        let b = tenant(&store, "fabrikam").await;
        let mut other = store.write(b.tenant.id).await.unwrap();
        assert_eq!(other.authorization_code("c2").await.unwrap(), None);
        assert!(!other.redeem_code("c2", NOW).await.unwrap());
        other.commit().await.unwrap();
        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert!(tx.redeem_code("c2", NOW).await.unwrap());
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn a_session_remembers_the_applications_it_signed_in_to() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let b = tenant(&store, "fabrikam").await;
        let (one, two) = (
            AppId::from_uuid(uuid::Uuid::from_u128(1)),
            AppId::from_uuid(uuid::Uuid::from_u128(2)),
        );
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_sign_in_session(&session("s1", a.admin.id))
            .await
            .unwrap();
        for app in [two, one, two] {
            tx.record_sign_in_session_app("s1", app).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.sign_in_session_apps("s1").await.unwrap(),
            vec![one, two],
            "once each, {:?}",
            db.engine
        );
        assert!(tx.sign_in_session_apps("s2").await.unwrap().is_empty());
        let mut other = store.read(b.tenant.id).await.unwrap();
        assert!(other.sign_in_session_apps("s1").await.unwrap().is_empty());
        // Only for a session that exists in the tenant.
        let mut tx = store.write(b.tenant.id).await.unwrap();
        assert!(tx.record_sign_in_session_app("s1", one).await.is_err());
    }
}
