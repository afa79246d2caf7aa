//! Token lifetime policies on both engines: round trip, one organization default, one policy per
//! application, the lifetimes in force for a client, cascades, tenant isolation.

use gatehouse_domain::Error;
use gatehouse_domain::application::{Application, SignInAudience};
use gatehouse_domain::authz::{self, Ownership, Principal, Proof, UserKind};
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_domain::token_lifetime::{Lifetimes, TokenLifetimePolicy};
use gatehouse_store::testing::{self, TestDatabase};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

fn proof(action: &'static str) -> Proof {
    let admin = Principal::new(
        vec![GLOBAL_ADMINISTRATOR],
        UserKind::Member,
        vec![
            "Policy.ReadWrite.ApplicationConfiguration".into(),
            "Application.ReadWrite.All".into(),
        ],
    );
    authz::decide(&admin, action, Ownership::NotOwner).unwrap()
}

fn policy(
    default: bool,
    access_minutes: Option<i64>,
    id_minutes: Option<i64>,
) -> TokenLifetimePolicy {
    TokenLifetimePolicy {
        id: ObjectId::generate(&OsRandom),
        display_name: "Lifetimes".into(),
        definition: vec![r#"{"TokenLifetimePolicy":{"Version":1}}"#.into()],
        is_organization_default: default,
        lifetimes: Lifetimes {
            access_token: access_minutes.map(Duration::minutes),
            id_token: id_minutes.map(Duration::minutes),
        },
        created: NOW,
    }
}

#[tokio::test]
async fn policies_defaults_and_assignments_decide_the_lifetimes() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = testing::tenant_plan("contoso", "contoso.gatehouse.test", NOW);
        testing::create_tenant(&store, &a).await.unwrap();
        let b = testing::tenant_plan("fabrikam", "fabrikam.gatehouse.test", NOW);
        testing::create_tenant(&store, &b).await.unwrap();
        let create = proof(authz::POLICIES_CREATE);
        let assign = proof(authz::APPLICATIONS_POLICIES_UPDATE);
        let app = Application::new(
            ObjectId::generate(&OsRandom),
            AppId::from_uuid(OsRandom.uuid()),
            "Contoso".into(),
            SignInAudience::AzureAdMyOrg,
            NOW,
        );
        let default = policy(true, Some(240), Some(120));
        let own = policy(false, Some(30), None);

        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_application(
            &proof(authz::APPLICATIONS_CREATE_AS_OWNER),
            &app,
            a.admin.id,
        )
        .await
        .unwrap();
        assert_eq!(
            tx.token_lifetimes_for(app.app_id).await.unwrap(),
            Lifetimes::default(),
            "{:?}: no policy",
            db.engine
        );
        tx.insert_token_lifetime_policy(&create, &default)
            .await
            .unwrap();
        tx.insert_token_lifetime_policy(&create, &own)
            .await
            .unwrap();
        assert!(
            tx.insert_token_lifetime_policy(&assign, &policy(false, None, None))
                .await
                .is_err(),
            "an applications proof cannot write policies"
        );
        tx.commit().await.unwrap();

        // A second organization default is a conflict.
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let second = tx
            .insert_token_lifetime_policy(&create, &policy(true, Some(60), None))
            .await;
        assert!(matches!(second, Err(Error::Conflict { .. })), "{second:?}");
        drop(tx);

        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(tx.token_lifetime_policies().await.unwrap().len(), 2);
        assert_eq!(tx.token_lifetime_policy(default.id).await.unwrap(), default);
        let tenant_wide = tx.token_lifetimes_for(app.app_id).await.unwrap();
        assert_eq!(tenant_wide, default.lifetimes);
        tx.assign_token_lifetime_policy(&assign, app.id, own.id)
            .await
            .unwrap();
        assert_eq!(
            tx.token_lifetimes_for(app.app_id).await.unwrap(),
            Lifetimes {
                access_token: Some(Duration::minutes(30)),
                id_token: Some(Duration::minutes(120)),
            },
            "the application's own policy wins where it sets a lifetime"
        );
        tx.commit().await.unwrap();
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let again = tx
            .assign_token_lifetime_policy(&assign, app.id, default.id)
            .await;
        assert!(
            matches!(again, Err(Error::Conflict { .. })),
            "one per application"
        );
        drop(tx);

        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.application_token_lifetime_policies(app.id)
                .await
                .unwrap(),
            vec![own.clone()]
        );
        let mut changed = own.clone();
        changed.lifetimes.access_token = Some(Duration::minutes(45));
        changed.display_name = "Shorter".into();
        tx.update_token_lifetime_policy(&proof(authz::POLICIES_UPDATE), &changed)
            .await
            .unwrap();
        assert_eq!(
            tx.token_lifetimes_for(app.app_id)
                .await
                .unwrap()
                .access_token,
            Some(Duration::minutes(45))
        );
        // Deleting the policy removes the assignment; the default applies again.
        tx.delete_token_lifetime_policy(&proof(authz::POLICIES_DELETE), own.id)
            .await
            .unwrap();
        assert!(
            tx.application_token_lifetime_policies(app.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            tx.token_lifetimes_for(app.app_id).await.unwrap(),
            default.lifetimes
        );
        tx.commit().await.unwrap();
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let gone = tx
            .unassign_token_lifetime_policy(&assign, app.id, own.id)
            .await;
        assert!(matches!(gone, Err(Error::NotFound { .. })));
        drop(tx);

        // Another tenant sees nothing.
        let mut other = store.read(b.tenant.id).await.unwrap();
        assert!(other.token_lifetime_policies().await.unwrap().is_empty());
        assert_eq!(
            other.token_lifetimes_for(app.app_id).await.unwrap(),
            Lifetimes::default()
        );
        assert!(matches!(
            other.token_lifetime_policy(default.id).await,
            Err(Error::NotFound { .. })
        ));
    }
}
