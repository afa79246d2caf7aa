//! App role assignment storage on both engines: round trip by principal and by resource, the
//! uniqueness of (principal, resource, role), references to the tenant's service principals only,
//! cascades with the service principals' application and the tenant, tenant isolation, and proofs.

use gatehouse_domain::Error;
use gatehouse_domain::application::{
    AppRoleAssignment, Application, ServicePrincipal, SignInAudience,
};
use gatehouse_domain::authz::{self, Ownership, Principal, Proof, UserKind};
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_store::testing::{self, TestDatabase};
use gatehouse_store::{Store, TenantTx, Write};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

async fn tenant(store: &Store, label: &str) -> TenantPlan {
    let plan = testing::tenant_plan(label, &format!("{label}.gatehouse.test"), NOW);
    testing::create_tenant(store, &plan).await.unwrap();
    plan
}

fn admin() -> Principal {
    Principal::new(
        vec![GLOBAL_ADMINISTRATOR],
        UserKind::Member,
        vec![
            "Application.ReadWrite.All".into(),
            "AppRoleAssignment.ReadWrite.All".into(),
        ],
    )
}

fn grant() -> Proof {
    authz::decide_app_role_grant(&admin(), true).unwrap()
}

fn sp(app_id: AppId, name: &str) -> ServicePrincipal {
    ServicePrincipal {
        id: ObjectId::generate(&OsRandom),
        app_id,
        display_name: name.into(),
        app_owner_organization_id: None,
        account_enabled: true,
        created: NOW,
    }
}

/// A registered application with its service principal, and a resource service principal.
async fn client_and_resource(
    tx: &mut TenantTx<Write>,
    owner: ObjectId,
) -> (Application, ServicePrincipal, ServicePrincipal) {
    let app = Application::new(
        ObjectId::generate(&OsRandom),
        AppId::from_uuid(OsRandom.uuid()),
        "Daemon".into(),
        SignInAudience::AzureAdMyOrg,
        NOW,
    );
    let create = authz::decide(
        &admin(),
        authz::APPLICATIONS_CREATE_AS_OWNER,
        Ownership::NoTarget,
    )
    .unwrap();
    tx.insert_application(&create, &app, owner).await.unwrap();
    let client = sp(app.app_id, "Daemon");
    let resource = sp(AppId::from_uuid(OsRandom.uuid()), "Resource");
    tx.insert_service_principal(&client).await.unwrap();
    tx.insert_service_principal(&resource).await.unwrap();
    (app, client, resource)
}

fn assignment(
    principal: ObjectId,
    resource: ObjectId,
    role: Uuid,
    at: OffsetDateTime,
) -> AppRoleAssignment {
    AppRoleAssignment {
        id: format!("ara-{}", OsRandom.uuid().simple()),
        app_role_id: role,
        principal_id: principal,
        resource_id: resource,
        created: at,
    }
}

#[tokio::test]
async fn assignments_round_trip_by_principal_and_by_resource_and_are_unique() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let (_, client, resource) = client_and_resource(&mut tx, a.admin.id).await;
        let first = assignment(client.id, resource.id, OsRandom.uuid(), NOW);
        let second = assignment(
            client.id,
            resource.id,
            OsRandom.uuid(),
            datetime!(2026-11-23 12:01 UTC),
        );
        tx.insert_app_role_assignment(&grant(), &first)
            .await
            .unwrap();
        tx.insert_app_role_assignment(&grant(), &second)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.app_role_assignment(&first.id).await.unwrap(),
            first,
            "{:?}",
            db.engine
        );
        let both = vec![first.clone(), second.clone()];
        assert_eq!(
            tx.app_role_assignments_of_principal(client.id)
                .await
                .unwrap(),
            both
        );
        assert_eq!(
            tx.app_role_assignments_of_resource(resource.id)
                .await
                .unwrap(),
            both
        );
        assert!(
            tx.app_role_assignments_of_principal(resource.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            tx.app_role_assignment("nope").await,
            Err(Error::NotFound { .. })
        ));
        drop(tx);

        let mut tx = store.write(a.tenant.id).await.unwrap();
        // The same role for the same principal again is a conflict, whatever the id.
        let twin = assignment(client.id, resource.id, first.app_role_id, NOW);
        assert_eq!(
            tx.insert_app_role_assignment(&grant(), &twin)
                .await
                .unwrap_err(),
            Error::conflict("Permission being assigned already exists on the object")
        );
        drop(tx);

        let mut tx = store.write(a.tenant.id).await.unwrap();
        // Principal and resource must be service principals of the tenant.
        let dangling = assignment(
            ObjectId::generate(&OsRandom),
            resource.id,
            OsRandom.uuid(),
            NOW,
        );
        assert!(matches!(
            tx.insert_app_role_assignment(&grant(), &dangling).await,
            Err(Error::Invalid { .. })
        ));
        drop(tx);

        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.delete_app_role_assignment(&grant(), &first.id)
            .await
            .unwrap();
        assert!(matches!(
            tx.delete_app_role_assignment(&grant(), &first.id).await,
            Err(Error::NotFound { .. })
        ));
        tx.commit().await.unwrap();
        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.app_role_assignments_of_principal(client.id)
                .await
                .unwrap(),
            vec![second]
        );
    }
}

#[tokio::test]
async fn writes_need_a_service_principal_proof() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let (_, client, resource) = client_and_resource(&mut tx, a.admin.id).await;
        let wrong =
            authz::decide(&admin(), authz::APPLICATIONS_DELETE, Ownership::NotOwner).unwrap();
        let x = assignment(client.id, resource.id, OsRandom.uuid(), NOW);
        assert!(matches!(
            tx.insert_app_role_assignment(&wrong, &x).await,
            Err(Error::Internal { .. })
        ));
        assert!(matches!(
            tx.delete_app_role_assignment(&wrong, &x.id).await,
            Err(Error::Internal { .. })
        ));
    }
}

#[tokio::test]
async fn assignments_go_with_their_service_principals_and_tenant_and_stay_in_it() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let b = tenant(&store, "fabrikam").await;
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let (app, client, resource) = client_and_resource(&mut tx, a.admin.id).await;
        let (_, other_client, _) = client_and_resource(&mut tx, a.admin.id).await;
        let held = assignment(client.id, resource.id, OsRandom.uuid(), NOW);
        let kept = assignment(other_client.id, resource.id, OsRandom.uuid(), NOW);
        tx.insert_app_role_assignment(&grant(), &held)
            .await
            .unwrap();
        tx.insert_app_role_assignment(&grant(), &kept)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Another tenant sees none of them and cannot reference this tenant's service principals.
        let mut tx = store.write(b.tenant.id).await.unwrap();
        assert!(matches!(
            tx.app_role_assignment(&held.id).await,
            Err(Error::NotFound { .. })
        ));
        assert!(
            tx.app_role_assignments_of_resource(resource.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            tx.delete_app_role_assignment(&grant(), &held.id).await,
            Err(Error::NotFound { .. })
        ));
        let foreign = assignment(client.id, resource.id, OsRandom.uuid(), NOW);
        assert!(matches!(
            tx.insert_app_role_assignment(&grant(), &foreign).await,
            Err(Error::Invalid { .. })
        ));
        drop(tx);

        // Deleting the client's application removes its service principal and its assignments.
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let delete =
            authz::decide(&admin(), authz::APPLICATIONS_DELETE, Ownership::NotOwner).unwrap();
        tx.delete_application(&delete, app.id).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert!(matches!(
            tx.app_role_assignment(&held.id).await,
            Err(Error::NotFound { .. })
        ));
        assert_eq!(
            tx.app_role_assignments_of_resource(resource.id)
                .await
                .unwrap(),
            vec![kept.clone()]
        );
        drop(tx);

        // Purging the tenant removes the rest.
        let mut tx = store.instance_write().await.unwrap();
        tx.purge_tenant(a.tenant.id).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert!(
            tx.app_role_assignments_of_resource(resource.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
