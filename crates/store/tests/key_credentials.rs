//! Application certificates and client-assertion replay records on both engines: round trip, removal,
//! cascade with the application, tenant isolation, and one use per `jti` until it expires.

use gatehouse_domain::Error;
use gatehouse_domain::application::{Application, KeyCredential, SignInAudience};
use gatehouse_domain::authz::{self, Ownership, Principal, Proof, UserKind};
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_store::Store;
use gatehouse_store::testing::{self, TestDatabase};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

async fn tenant(store: &Store, label: &str) -> TenantPlan {
    let plan = testing::tenant_plan(label, &format!("{label}.gatehouse.test"), NOW);
    testing::create_tenant(store, &plan).await.unwrap();
    plan
}

fn proof(action: &'static str) -> Proof {
    let admin = Principal::new(
        vec![GLOBAL_ADMINISTRATOR],
        UserKind::Member,
        vec!["Application.ReadWrite.All".into()],
    );
    authz::decide(&admin, action, Ownership::NotOwner).unwrap()
}

#[tokio::test]
async fn certificates_round_trip_and_go_with_their_application() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let b = tenant(&store, "fabrikam").await;
        let app = Application::new(
            ObjectId::generate(&OsRandom),
            AppId::from_uuid(OsRandom.uuid()),
            "Daemon".into(),
            SignInAudience::AzureAdMyOrg,
            NOW,
        );
        let cert = KeyCredential {
            key_id: OsRandom.uuid(),
            display_name: Some("CN=daemon".into()),
            custom_key_identifier: vec![1, 2, 3, 255],
            start: NOW,
            end: NOW + Duration::days(365),
            certificate: vec![0x30, 0x82, 0, 1, 2],
        };
        let credentials = proof(authz::APPLICATIONS_CREDENTIALS_UPDATE);
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_application(
            &proof(authz::APPLICATIONS_CREATE_AS_OWNER),
            &app,
            a.admin.id,
        )
        .await
        .unwrap();
        tx.insert_key_credential(&credentials, app.id, &cert)
            .await
            .unwrap();
        // A proof for another entity cannot write certificates.
        let sp_proof = proof(authz::SERVICE_PRINCIPALS_CREATE_AS_OWNER);
        assert!(matches!(
            tx.insert_key_credential(&sp_proof, app.id, &cert).await,
            Err(Error::Internal { .. })
        ));
        tx.commit().await.unwrap();

        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.key_credentials(app.id).await.unwrap(),
            vec![cert.clone()],
            "{:?}",
            db.engine
        );
        assert_eq!(
            tx.all_key_credentials().await.unwrap(),
            vec![(app.id, cert.clone())]
        );
        assert!(matches!(
            tx.delete_key_credential(&credentials, app.id, Uuid::nil())
                .await,
            Err(Error::NotFound { .. })
        ));
        tx.delete_key_credential(&credentials, app.id, cert.key_id)
            .await
            .unwrap();
        assert!(tx.key_credentials(app.id).await.unwrap().is_empty());
        tx.insert_key_credential(&credentials, app.id, &cert)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Another tenant sees nothing.
        let mut other = store.read(b.tenant.id).await.unwrap();
        assert!(other.all_key_credentials().await.unwrap().is_empty());
        drop(other);

        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.delete_application(&proof(authz::APPLICATIONS_DELETE), app.id)
            .await
            .unwrap();
        assert!(tx.all_key_credentials().await.unwrap().is_empty());
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn a_client_assertion_is_recorded_once_until_it_expires() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let b = tenant(&store, "fabrikam").await;
        let client = AppId::from_uuid(OsRandom.uuid());
        let other = AppId::from_uuid(OsRandom.uuid());
        let exp = NOW + Duration::minutes(10);
        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert!(
            tx.record_client_assertion(client, "j1", exp, NOW)
                .await
                .unwrap()
        );
        assert!(
            !tx.record_client_assertion(client, "j1", exp, NOW)
                .await
                .unwrap(),
            "{:?}",
            db.engine
        );
        // The same jti from another client, or in another tenant, is another assertion.
        assert!(
            tx.record_client_assertion(other, "j1", exp, NOW)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let mut tx = store.write(b.tenant.id).await.unwrap();
        assert!(
            tx.record_client_assertion(client, "j1", exp, NOW)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        // Still refused just before expiry; forgotten once expired.
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let before = exp - Duration::seconds(1);
        assert!(
            !tx.record_client_assertion(client, "j1", exp, before)
                .await
                .unwrap()
        );
        let after = exp + Duration::seconds(1);
        assert!(
            tx.record_client_assertion(client, "j1", exp + Duration::minutes(10), after)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
}
