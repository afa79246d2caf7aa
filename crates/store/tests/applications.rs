//! Application storage on both engines: round trip of the nested document, owners, client secrets
//! stored as given (a keyed hash), cascades, and tenant isolation. Writes need the decision's proof.

use gatehouse_domain::Error;
use gatehouse_domain::application::{
    AppRole, Application, PasswordCredential, PermissionScope, RequiredResourceAccess,
    ResourceAccess, ResourceAccessType, SignInAudience,
};
use gatehouse_domain::authz::{self, Ownership, Principal, Proof, UserKind};
use gatehouse_domain::catalog::first_party::MICROSOFT_GRAPH;
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_store::Store;
use gatehouse_store::testing::{self, TestDatabase};
use time::OffsetDateTime;
use time::macros::datetime;
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

fn full_application() -> Application {
    let mut app = Application::new(
        ObjectId::generate(&OsRandom),
        AppId::from_uuid(OsRandom.uuid()),
        "Contoso Portal".into(),
        SignInAudience::AzureAdMultipleOrgs,
        NOW,
    );
    app.description = Some("The portal".into());
    app.tags = vec!["HideApp".into()];
    app.identifier_uris = vec!["api://contoso-portal".into()];
    app.web_redirect_uris = vec!["https://portal.contoso.com/signin-oidc".into()];
    app.web_logout_url = Some("https://portal.contoso.com/signout-oidc".into());
    app.implicit_grant.enable_id_token_issuance = true;
    app.spa_redirect_uris = vec!["https://spa.contoso.com".into()];
    app.public_client_redirect_uris = vec!["http://localhost".into()];
    app.required_resource_access = vec![RequiredResourceAccess {
        resource_app_id: AppId::from_uuid(MICROSOFT_GRAPH),
        resource_access: vec![ResourceAccess {
            id: Uuid::parse_str("e1fe6dd8-ba31-4d61-89e7-88639da4683d").unwrap(),
            kind: ResourceAccessType::Scope,
        }],
    }];
    app.app_roles = vec![AppRole {
        id: OsRandom.uuid(),
        allowed_member_types: vec!["Application".into()],
        description: Some("Read everything".into()),
        display_name: Some("Reader".into()),
        is_enabled: true,
        value: Some("Portal.Read.All".into()),
    }];
    app.oauth2_permission_scopes = vec![PermissionScope {
        id: OsRandom.uuid(),
        admin_consent_description: Some("Access the portal".into()),
        admin_consent_display_name: Some("Access".into()),
        user_consent_description: None,
        user_consent_display_name: None,
        is_enabled: true,
        kind: "User".into(),
        value: Some("access_as_user".into()),
    }];
    app
}

#[tokio::test]
async fn applications_round_trip_with_owners_and_nested_properties() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let owner = a.admin.id;
        let app = full_application();

        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_application(&proof(authz::APPLICATIONS_CREATE_AS_OWNER), &app, owner)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.application(app.id).await.unwrap(),
            app,
            "{:?}",
            db.engine
        );
        assert_eq!(
            tx.application_by_app_id(app.app_id).await.unwrap(),
            Some(app.clone())
        );
        assert_eq!(tx.applications().await.unwrap(), vec![app.clone()]);
        assert_eq!(tx.application_owners(app.id).await.unwrap(), vec![owner]);
        assert!(tx.is_application_owner(app.id, owner).await.unwrap());
        assert!(
            !tx.is_application_owner(app.id, ObjectId::generate(&OsRandom))
                .await
                .unwrap()
        );
        let missing = ObjectId::generate(&OsRandom);
        assert_eq!(
            tx.application(missing).await.unwrap_err(),
            Error::not_found(missing.to_string())
        );
        drop(tx);

        let mut changed = app.clone();
        changed.display_name = "Renamed".into();
        changed.sign_in_audience = SignInAudience::AzureAdMyOrg;
        changed.app_roles.clear();
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.update_application(&proof(authz::APPLICATIONS_BASIC_UPDATE), &changed)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert_eq!(tx.application(app.id).await.unwrap(), changed);
    }
}

#[tokio::test]
async fn client_secrets_are_stored_as_given_hashes_and_go_with_their_application() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let app = full_application();
        let credential = PasswordCredential {
            key_id: OsRandom.uuid(),
            display_name: Some("CI".into()),
            hint: "abc".into(),
            start: NOW,
            end: datetime!(2028-11-23 12:00 UTC),
        };
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_application(
            &proof(authz::APPLICATIONS_CREATE_AS_OWNER),
            &app,
            a.admin.id,
        )
        .await
        .unwrap();
        let credentials = proof(authz::APPLICATIONS_CREDENTIALS_UPDATE);
        tx.insert_password_credential(&credentials, app.id, &credential, "keyed-hash")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.password_credentials(app.id).await.unwrap(),
            vec![credential.clone()],
            "{:?}",
            db.engine
        );
        assert_eq!(
            tx.all_password_credentials().await.unwrap(),
            vec![(app.id, credential.clone())]
        );
        assert_eq!(
            tx.password_credential_hashes(app.id).await.unwrap(),
            vec![(credential.clone(), "keyed-hash".to_owned())]
        );
        // Removing an unknown key is NotFound; removing the real one empties the list.
        assert!(matches!(
            tx.delete_password_credential(&credentials, app.id, Uuid::nil())
                .await,
            Err(Error::NotFound { .. })
        ));
        tx.delete_password_credential(&credentials, app.id, credential.key_id)
            .await
            .unwrap();
        assert!(tx.password_credentials(app.id).await.unwrap().is_empty());
        tx.insert_password_credential(&credentials, app.id, &credential, "keyed-hash")
            .await
            .unwrap();
        // Deleting the application takes its owners and credentials with it.
        tx.delete_application(&proof(authz::APPLICATIONS_DELETE), app.id)
            .await
            .unwrap();
        assert!(matches!(
            tx.application(app.id).await,
            Err(Error::NotFound { .. })
        ));
        assert!(tx.application_owners(app.id).await.unwrap().is_empty());
        assert!(tx.all_password_credentials().await.unwrap().is_empty());
        assert!(matches!(
            tx.delete_application(&proof(authz::APPLICATIONS_DELETE), app.id)
                .await,
            Err(Error::NotFound { .. })
        ));
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn applications_are_isolated_per_tenant_and_app_ids_unique_within_one() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let b = tenant(&store, "fabrikam").await;
        let app = full_application();
        let create = proof(authz::APPLICATIONS_CREATE_AS_OWNER);
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_application(&create, &app, a.admin.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(b.tenant.id).await.unwrap();
        assert!(tx.applications().await.unwrap().is_empty());
        assert!(matches!(
            tx.application(app.id).await,
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            tx.delete_application(&proof(authz::APPLICATIONS_DELETE), app.id)
                .await,
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            tx.update_application(&proof(authz::APPLICATIONS_BASIC_UPDATE), &app)
                .await,
            Err(Error::NotFound { .. })
        ));
        // The same appId in another tenant is a different row (multitenant apps come later).
        tx.insert_application(&create, &app, b.admin.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.write(a.tenant.id).await.unwrap();
        let mut twin = full_application();
        twin.app_id = app.app_id;
        assert!(matches!(
            tx.insert_application(&create, &twin, a.admin.id).await,
            Err(Error::Conflict { .. })
        ));
    }
}

#[tokio::test]
async fn purging_a_tenant_removes_its_applications() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let app = full_application();
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.insert_application(
            &proof(authz::APPLICATIONS_CREATE_AS_OWNER),
            &app,
            a.admin.id,
        )
        .await
        .unwrap();
        tx.insert_password_credential(
            &proof(authz::APPLICATIONS_CREDENTIALS_UPDATE),
            app.id,
            &PasswordCredential {
                key_id: OsRandom.uuid(),
                display_name: None,
                hint: "xyz".into(),
                start: NOW,
                end: datetime!(2027-11-23 12:00 UTC),
            },
            "h",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.instance_write().await.unwrap();
        tx.purge_tenant(a.tenant.id).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert!(tx.applications().await.unwrap().is_empty());
        assert!(tx.all_password_credentials().await.unwrap().is_empty());
    }
}
