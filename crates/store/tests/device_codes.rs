//! Device codes on both engines: round trip, one approval / decline / redemption per code, the
//! tenant rule of approvals, unique user codes, purging, cascade with the tenant, guess counting.

use gatehouse_domain::Error;
use gatehouse_domain::ids::{AppId, TenantId};
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_store::testing::{self, TestDatabase};
use gatehouse_store::{DeviceApproval, DeviceCodeStatus, Store, StoredDeviceCode};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00:00.123456 UTC);

async fn tenant(store: &Store, label: &str) -> TenantPlan {
    let plan = testing::tenant_plan(label, &format!("{label}.gatehouse.test"), NOW);
    testing::create_tenant(store, &plan).await.unwrap();
    plan
}

fn code(hash: &str, user_code: &str, tenant: Option<TenantId>) -> StoredDeviceCode {
    StoredDeviceCode {
        device_code_hash: hash.to_owned(),
        user_code_hash: user_code.to_owned(),
        tenant_id: tenant,
        authority: tenant.map_or("common".to_owned(), |t| t.to_string()),
        client_app_id: AppId::from_uuid(OsRandom.uuid()),
        scope: "openid profile offline_access User.Read".into(),
        created_at: NOW,
        expires_at: NOW + Duration::minutes(15),
        last_polled_at: None,
        status: DeviceCodeStatus::Pending,
        approval: None,
    }
}

fn approval(plan: &TenantPlan) -> DeviceApproval {
    DeviceApproval {
        tenant_id: plan.tenant.id,
        user_id: plan.admin.id,
        auth_time: NOW,
        amr: "pwd".into(),
    }
}

#[tokio::test]
async fn a_device_code_is_approved_once_then_redeemed_once() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let c = code("d1", "u1", None);
        let mut tx = store.instance_write().await.unwrap();
        tx.insert_device_code(&c).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.instance_write().await.unwrap();
        assert_eq!(tx.device_code("d1").await.unwrap(), Some(c.clone()));
        assert_eq!(
            tx.device_code_by_user_code("u1").await.unwrap(),
            Some(c.clone())
        );
        assert_eq!(tx.device_code("u1").await.unwrap(), None);
        // Not approved yet: nothing to redeem.
        assert!(!tx.redeem_device_code("d1", NOW).await.unwrap());
        tx.record_device_poll("d1", NOW + Duration::seconds(5))
            .await
            .unwrap();
        assert!(
            tx.approve_device_code("u1", &approval(&a), NOW)
                .await
                .unwrap()
        );
        assert!(
            !tx.approve_device_code("u1", &approval(&a), NOW)
                .await
                .unwrap(),
            "approved once"
        );
        assert!(
            !tx.decline_device_code("u1", NOW).await.unwrap(),
            "no longer pending"
        );
        let stored = tx.device_code("d1").await.unwrap().unwrap();
        assert_eq!(stored.status, DeviceCodeStatus::Approved, "{:?}", db.engine);
        assert_eq!(
            stored.tenant_id,
            Some(a.tenant.id),
            "common takes the user's tenant"
        );
        assert_eq!(stored.approval, Some(approval(&a)));
        assert_eq!(stored.last_polled_at, Some(NOW + Duration::seconds(5)));
        assert!(tx.redeem_device_code("d1", NOW).await.unwrap());
        assert!(
            !tx.redeem_device_code("d1", NOW).await.unwrap(),
            "single use"
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn approvals_respect_the_requested_tenant_and_expiry() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let b = tenant(&store, "fabrikam").await;
        let mut tx = store.instance_write().await.unwrap();
        tx.insert_device_code(&code("d1", "u1", Some(a.tenant.id)))
            .await
            .unwrap();
        tx.insert_device_code(&code("d2", "u2", None))
            .await
            .unwrap();
        assert!(
            !tx.approve_device_code("u1", &approval(&b), NOW)
                .await
                .unwrap(),
            "a user of another tenant cannot approve"
        );
        assert!(
            tx.approve_device_code("u1", &approval(&a), NOW)
                .await
                .unwrap()
        );
        let late = NOW + Duration::minutes(15);
        assert!(
            !tx.approve_device_code("u2", &approval(&b), late)
                .await
                .unwrap()
        );
        assert!(!tx.decline_device_code("u2", late).await.unwrap());
        assert!(!tx.redeem_device_code("d1", late).await.unwrap());
        assert!(tx.decline_device_code("u2", NOW).await.unwrap());
        assert_eq!(
            tx.device_code("d2").await.unwrap().unwrap().status,
            DeviceCodeStatus::Declined
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn user_codes_are_unique_and_expired_codes_are_purged() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let mut tx = store.instance_write().await.unwrap();
        tx.insert_device_code(&code("d1", "u1", Some(a.tenant.id)))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.instance_write().await.unwrap();
        assert!(matches!(
            tx.insert_device_code(&code("d2", "u1", None)).await,
            Err(Error::Conflict { .. })
        ));
        drop(tx);

        let mut tx = store.instance_write().await.unwrap();
        assert_eq!(tx.purge_device_codes(NOW).await.unwrap(), 0);
        assert_eq!(
            tx.purge_device_codes(NOW + Duration::minutes(16))
                .await
                .unwrap(),
            1
        );
        assert_eq!(tx.device_code("d1").await.unwrap(), None);
        tx.insert_device_code(&code("d2", "u1", None))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn device_codes_go_with_their_tenant() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let mut tx = store.instance_write().await.unwrap();
        tx.insert_device_code(&code("d1", "u1", Some(a.tenant.id)))
            .await
            .unwrap();
        tx.insert_device_code(&code("d2", "u2", None))
            .await
            .unwrap();
        tx.purge_tenant(a.tenant.id).await.unwrap();
        assert_eq!(tx.device_code("d1").await.unwrap(), None);
        assert!(tx.device_code("d2").await.unwrap().is_some());
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn wrong_user_codes_are_counted_per_client_and_window() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let mut tx = store.instance_write().await.unwrap();
        for _ in 0..3 {
            tx.record_device_login_failure("203.0.113.7", NOW)
                .await
                .unwrap();
        }
        tx.record_device_login_failure("198.51.100.1", NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.instance_write().await.unwrap();
        assert_eq!(
            tx.device_login_failures("203.0.113.7", NOW).await.unwrap(),
            3,
            "{:?}",
            db.engine
        );
        assert_eq!(
            tx.device_login_failures("198.51.100.1", NOW).await.unwrap(),
            1
        );
        let next = NOW + Duration::minutes(15);
        assert_eq!(
            tx.device_login_failures("203.0.113.7", next).await.unwrap(),
            0
        );
        tx.purge_device_codes(next + Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(
            tx.device_login_failures("203.0.113.7", NOW).await.unwrap(),
            0
        );
        tx.commit().await.unwrap();
    }
}
