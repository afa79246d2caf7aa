//! The storage conformance suite: every test runs on SQLite and on PostgreSQL (when available; CI
//! requires it), each on a fresh database.

use gatehouse_domain::Error;
use gatehouse_domain::application::{ConsentType, OAuth2PermissionGrant, ServicePrincipal};
use gatehouse_domain::domain_name::Domain;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::{OsRandom, Random};
use gatehouse_domain::tenant::TenantState;
use gatehouse_store::testing::{self, TestDatabase};
use gatehouse_store::{Engine, Store, StoreOptions};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00:00.123456 UTC);

fn plan(name: &str, domain: &str) -> TenantPlan {
    testing::tenant_plan(name, domain, NOW)
}

async fn create(store: &Store, plan: &TenantPlan) -> Result<(), Error> {
    testing::create_tenant(store, plan).await
}

#[tokio::test]
async fn migrations_are_idempotent_and_readiness_follows_them() {
    for db in TestDatabase::all().await {
        let store = Store::open(&db.url, &StoreOptions::default()).unwrap();
        assert!(
            matches!(store.check_ready().await, Err(Error::Unavailable { .. })),
            "{:?}",
            db.engine
        );
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        store.check_ready().await.unwrap();
    }
}

#[tokio::test]
async fn a_tenant_is_written_atomically_and_read_back_exactly() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let p = plan("Contoso", "contoso.gatehouse.test");
        create(&store, &p).await.unwrap();

        let mut tx = store.read(p.tenant.id).await.unwrap();
        assert_eq!(tx.tenant().await.unwrap(), p.tenant, "{:?}", db.engine);
        assert_eq!(tx.domains().await.unwrap(), vec![p.initial_domain.clone()]);
        let admin = tx
            .user_by_upn("ADMIN@contoso.gatehouse.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(admin.id, p.admin.id);
        assert_eq!(admin.password, p.admin.password);
        assert_eq!(admin.created, NOW, "microsecond precision survives");
        assert_eq!(
            tx.user(p.admin.id).await.unwrap().user_principal_name,
            p.admin.user_principal_name
        );
        assert_eq!(
            tx.role_assignments_of(p.admin.id).await.unwrap(),
            vec![p.admin_role.clone()]
        );
        assert_eq!(tx.audit_records(10).await.unwrap(), vec![p.audit.clone()]);

        let mut instance = store.instance_read().await.unwrap();
        let listed = instance.list_tenants().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].default_domain, "contoso.gatehouse.test");
        assert_eq!(
            instance
                .tenant_by_domain("Contoso.Gatehouse.Test")
                .await
                .unwrap(),
            Some(p.tenant.id)
        );
    }
}

#[tokio::test]
async fn an_uncommitted_transaction_leaves_nothing() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let p = plan("Contoso", "contoso.gatehouse.test");
        {
            let mut tx = store
                .instance_write()
                .await
                .unwrap()
                .create_tenant(&p.tenant)
                .await
                .unwrap();
            tx.insert_domain(&p.initial_domain, NOW).await.unwrap();
            tx.insert_user(&p.admin).await.unwrap();
            // dropped without commit
        }
        assert!(
            store
                .instance_read()
                .await
                .unwrap()
                .list_tenants()
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            store.read(p.tenant.id).await.unwrap().tenant().await,
            Err(Error::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn tenants_are_isolated() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = plan("Contoso", "contoso.gatehouse.test");
        let b = plan("Fabrikam", "fabrikam.gatehouse.test");
        create(&store, &a).await.unwrap();
        create(&store, &b).await.unwrap();
        let mut in_b = store.read(b.tenant.id).await.unwrap();
        assert!(
            in_b.user_by_upn("admin@contoso.gatehouse.test")
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            in_b.user(a.admin.id).await,
            Err(Error::NotFound { .. })
        ));
        assert!(
            in_b.role_assignments_of(a.admin.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(in_b.audit_records(10).await.unwrap(), vec![b.audit.clone()]);
    }
}

#[tokio::test]
async fn uniqueness_rules_are_conflicts() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = plan("Contoso", "contoso.gatehouse.test");
        create(&store, &a).await.unwrap();
        // A verified domain belongs to one tenant of the instance.
        let b = plan("Contoso Two", "contoso.gatehouse.test");
        assert!(
            matches!(create(&store, &b).await, Err(Error::Conflict { .. })),
            "{:?}",
            db.engine
        );
        // The same name may be added unverified elsewhere.
        let c = plan("Fabrikam", "fabrikam.gatehouse.test");
        create(&store, &c).await.unwrap();
        let mut tx = store.write(c.tenant.id).await.unwrap();
        let unverified = Domain {
            is_verified: false,
            is_default: false,
            is_initial: false,
            ..a.initial_domain.clone()
        };
        tx.insert_domain(&unverified, NOW).await.unwrap();
        // UPNs are unique per tenant, case-insensitively.
        let mut dup = c.admin.clone();
        dup.id = ObjectId::generate(&OsRandom);
        dup.user_principal_name =
            gatehouse_domain::user::UserPrincipalName::parse("ADMIN@fabrikam.gatehouse.test")
                .unwrap();
        assert!(matches!(
            tx.insert_user(&dup).await,
            Err(Error::Conflict { .. })
        ));
    }
}

#[tokio::test]
async fn service_principals_and_grants_round_trip() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let p = plan("Contoso", "contoso.gatehouse.test");
        create(&store, &p).await.unwrap();
        let sp = |name: &str| ServicePrincipal {
            id: ObjectId::generate(&OsRandom),
            app_id: AppId::from_uuid(OsRandom.uuid()),
            display_name: name.to_owned(),
            app_owner_organization_id: Some(OsRandom.uuid()),
            account_enabled: true,
            created: NOW,
        };
        let (client, resource) = (sp("client"), sp("resource"));
        let mut tx = store.write(p.tenant.id).await.unwrap();
        tx.insert_service_principal(&client).await.unwrap();
        tx.insert_service_principal(&resource).await.unwrap();
        let mut grant = OAuth2PermissionGrant {
            id: "grant-1".into(),
            client_id: client.id,
            consent_type: ConsentType::AllPrincipals,
            resource_id: resource.id,
            scope: "User.Read".into(),
        };
        tx.put_grant(&grant).await.unwrap();
        grant.scope = "User.Read openid".into();
        tx.put_grant(&grant).await.unwrap();
        let user_grant = OAuth2PermissionGrant {
            id: "grant-2".into(),
            consent_type: ConsentType::Principal(p.admin.id),
            ..grant.clone()
        };
        tx.put_grant(&user_grant).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.read(p.tenant.id).await.unwrap();
        assert_eq!(
            tx.service_principal_by_app_id(client.app_id).await.unwrap(),
            Some(client.clone())
        );
        assert_eq!(
            tx.grants_of_client(client.id).await.unwrap(),
            vec![grant, user_grant]
        );
    }
}

#[tokio::test]
async fn purging_a_tenant_removes_every_row_it_owns() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = plan("Contoso", "contoso.gatehouse.test");
        let b = plan("Fabrikam", "fabrikam.gatehouse.test");
        create(&store, &a).await.unwrap();
        create(&store, &b).await.unwrap();
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.set_state(TenantState::Deleted, Some(NOW)).await.unwrap();
        tx.insert_data_key("k1", b"wrapped", NOW).await.unwrap();
        tx.commit().await.unwrap();

        let mut instance = store.instance_write().await.unwrap();
        let due = instance
            .tenants_deleted_before(NOW + time::Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(due, vec![a.tenant.id]);
        instance.purge_tenant(a.tenant.id).await.unwrap();
        instance.commit().await.unwrap();

        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert!(
            tx.user_by_upn("admin@contoso.gatehouse.test")
                .await
                .unwrap()
                .is_none()
        );
        assert!(tx.audit_records(10).await.unwrap().is_empty());
        assert!(tx.data_key("k1").await.unwrap().is_none());
        let mut tx = store.read(b.tenant.id).await.unwrap();
        assert!(
            tx.user_by_upn("admin@fabrikam.gatehouse.test")
                .await
                .unwrap()
                .is_some()
        );
        // The purged tenant's domain is free again.
        let again = plan("Contoso Again", "contoso.gatehouse.test");
        create(&store, &again).await.unwrap();
    }
}

#[tokio::test]
async fn instance_settings_can_be_claimed_once() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let mut tx = store.instance_write().await.unwrap();
        assert!(
            tx.put_setting("bootstrapped", "1", NOW, true)
                .await
                .unwrap()
        );
        assert!(
            !tx.put_setting("bootstrapped", "2", NOW, true)
                .await
                .unwrap()
        );
        tx.put_setting("other", "a", NOW, false).await.unwrap();
        tx.put_setting("other", "b", NOW, false).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.instance_read().await.unwrap();
        assert_eq!(
            tx.setting("bootstrapped").await.unwrap().as_deref(),
            Some("1")
        );
        assert_eq!(tx.setting("other").await.unwrap().as_deref(), Some("b"));
        assert_eq!(tx.setting("missing").await.unwrap(), None);
    }
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_not_an_internal_error() {
    let store = Store::open(
        "postgres://postgres@127.0.0.1:1/none",
        &StoreOptions {
            acquire_timeout: std::time::Duration::from_millis(500),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(store.engine(), Engine::Postgres);
    assert!(matches!(
        store.check_ready().await,
        Err(Error::Unavailable { .. })
    ));
    assert!(matches!(
        store.read(ObjectIdTenant::id()).await,
        Err(Error::Unavailable { .. })
    ));
}

struct ObjectIdTenant;
impl ObjectIdTenant {
    fn id() -> gatehouse_domain::ids::TenantId {
        gatehouse_domain::ids::TenantId::generate(&OsRandom)
    }
}
