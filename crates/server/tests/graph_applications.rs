//! `/applications` through the router on both engines, with real delegated tokens from the password
//! grant: CRUD, client secrets shown once and stored hashed, owner and role rights, guests, scopes,
//! validation, audit, and response shapes checked against Microsoft's OpenAPI description.

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use gatehouse_domain::audit::AuditCategory;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::user::{User, UserPrincipalName, UserType};
use serde_json::{Value, json};
use support::openapi::OpenApi;
use support::{Response, each_engine};

use support::graph::{Fixture, PASSWORD, RW, fixture};

impl Fixture {
    /// Registers an application as `token`'s user; returns the created application's JSON.
    async fn create(&self, token: &str, name: &str) -> Value {
        let r = self
            .call(
                token,
                Method::POST,
                "/applications",
                Some(json!({"displayName": name})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }
}

fn assert_graph_error(r: &Response, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
    assert!(r.body["error"]["innerError"]["request-id"].is_string());
}

fn assert_forbidden(r: &Response) {
    assert_graph_error(r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
    assert_eq!(
        r.body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
}

fn assert_bad_request(r: &Response, target: &str) {
    assert_graph_error(r, StatusCode::BAD_REQUEST, "Request_BadRequest");
    assert_eq!(
        r.body["error"]["details"][0]["target"], target,
        "{}",
        r.body
    );
}

#[tokio::test]
async fn an_administrator_creates_lists_reads_updates_and_deletes_an_application() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let created = f.create(&admin, "Contoso Portal").await;
        assert_eq!(
            created["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#applications/$entity"
        );
        assert_eq!(created["displayName"], "Contoso Portal");
        assert_eq!(created["signInAudience"], "AzureADMyOrg");
        assert_eq!(created["api"]["requestedAccessTokenVersion"], 2);
        assert_eq!(created["passwordCredentials"], json!([]));
        assert_eq!(created["createdDateTime"], "2026-11-23T12:00:00Z");
        let id = created["id"].as_str().unwrap().to_owned();
        let app_id = created["appId"].as_str().unwrap();
        assert!(id.parse::<ObjectId>().is_ok() && app_id.parse::<ObjectId>().is_ok());
        assert_ne!(id, app_id);

        let list = f.call(&admin, Method::GET, "/applications", None).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(
            list.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#applications"
        );
        assert_eq!(list.body["value"].as_array().unwrap().len(), 1);
        assert_eq!(list.body["value"][0]["id"], id.as_str());

        let path = format!("/applications/{id}");
        let patch = json!({
            "displayName": "Contoso Portal v2",
            "signInAudience": "AzureADMultipleOrgs",
            "identifierUris": ["api://contoso-portal"],
            "web": {"redirectUris": ["https://portal.contoso.com/signin-oidc"]},
            "spa": {"redirectUris": ["https://spa.contoso.com"]},
            "publicClient": {"redirectUris": ["http://localhost"]},
            "requiredResourceAccess": [{
                "resourceAppId": "00000003-0000-0000-c000-000000000000",
                "resourceAccess": [{"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"}]
            }],
            "appRoles": [{
                "id": "2a7d3f4e-1111-4c2b-9a55-0c3f1b2d4e01", "allowedMemberTypes": ["Application"],
                "description": "Read all", "displayName": "Reader", "isEnabled": true, "value": "Portal.Read.All"
            }],
            "api": {"oauth2PermissionScopes": [{
                "id": "2a7d3f4e-2222-4c2b-9a55-0c3f1b2d4e02", "adminConsentDescription": "Access the portal",
                "adminConsentDisplayName": "Access", "isEnabled": true, "type": "User", "value": "access_as_user"
            }]}
        });
        let r = f.call(&admin, Method::PATCH, &path, Some(patch)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let got = f.call(&admin, Method::GET, &path, None).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        let b = &got.body;
        assert_eq!(b["displayName"], "Contoso Portal v2");
        assert_eq!(b["signInAudience"], "AzureADMultipleOrgs");
        assert_eq!(b["identifierUris"], json!(["api://contoso-portal"]));
        assert_eq!(b["web"]["redirectUris"], json!(["https://portal.contoso.com/signin-oidc"]));
        assert_eq!(b["spa"]["redirectUris"], json!(["https://spa.contoso.com"]));
        assert_eq!(b["publicClient"]["redirectUris"], json!(["http://localhost"]));
        assert_eq!(b["requiredResourceAccess"][0]["resourceAccess"][0]["type"], "Scope");
        assert_eq!(b["appRoles"][0]["value"], "Portal.Read.All");
        assert_eq!(b["api"]["oauth2PermissionScopes"][0]["value"], "access_as_user");
        assert_eq!(b["appId"], app_id);

        // The changes were audited in ApplicationManagement.
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(10).await.unwrap();
        drop(tx);
        let mut activities: Vec<&str> = records
            .iter()
            .filter(|r| r.category == AuditCategory::ApplicationManagement)
            .map(|r| r.activity_display_name.as_str())
            .collect();
        activities.sort_unstable();
        assert_eq!(activities, ["Add application", "Update application"]);

        let r = f.call(&admin, Method::DELETE, &path, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&admin, Method::GET, &path, None).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let r = f.call(&admin, Method::DELETE, &path, None).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(10).await.unwrap();
        let deleted = records
            .iter()
            .find(|r| r.activity_display_name == "Delete application")
            .expect("audited");
        assert_eq!(deleted.target_resources[0].id, id);
        assert_eq!(deleted.target_resources[0].resource_type, "Application");
    })
    .await;
}

#[tokio::test]
async fn add_password_shows_the_secret_once_and_stores_only_its_keyed_hash() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let id = f.create(&admin, "Daemon").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/applications/{id}/addPassword"),
                Some(json!({"passwordCredential": {"displayName": "CI secret"}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#microsoft.graph.passwordCredential"
        );
        let secret = r.body["secretText"].as_str().unwrap().to_owned();
        assert_eq!(secret.len(), 40);
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"~._-".contains(&b))
        );
        assert_eq!(r.body["hint"], &secret[..3]);
        assert_eq!(r.body["displayName"], "CI secret");
        assert_eq!(r.body["startDateTime"], "2026-11-23T12:00:00Z");
        assert_eq!(r.body["endDateTime"], "2028-11-23T12:00:00Z");
        let key_id = r.body["keyId"].as_str().unwrap().to_owned();
        assert!(key_id.parse::<ObjectId>().is_ok());

        // GET never shows the secret again.
        for path in [format!("/applications/{id}"), "/applications".to_owned()] {
            let got = f.call(&admin, Method::GET, &path, None).await;
            let text = got.body.to_string();
            assert!(!text.contains(&secret), "{path}");
        }
        let got = f
            .call(&admin, Method::GET, &format!("/applications/{id}"), None)
            .await;
        let creds = &got.body["passwordCredentials"];
        assert_eq!(creds.as_array().unwrap().len(), 1);
        assert_eq!(creds[0]["keyId"], key_id.as_str());
        assert_eq!(creds[0]["secretText"], Value::Null);
        assert_eq!(creds[0]["hint"], &secret[..3]);

        // Storage keeps the keyed hash, not the secret.
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let stored = tx
            .password_credential_hashes(id.parse::<ObjectId>().unwrap())
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].1, secret);
        assert!(!stored[0].1.contains(&secret));
        assert!(f.app.state.secrets.verify_keyed_hash(&secret, &stored[0].1));
        assert!(
            tx.audit_records(10)
                .await
                .unwrap()
                .iter()
                .any(|r| r.activity_display_name
                    == "Update application – Certificates and secrets management")
        );
        let audit_text = format!("{:?}", tx.audit_records(10).await.unwrap());
        assert!(!audit_text.contains(&secret));
        drop(tx);

        // More than two years is refused; removePassword takes the secret away.
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/applications/{id}/addPassword"),
                Some(json!({"passwordCredential": {"endDateTime": "2029-01-01T00:00:00Z"}})),
            )
            .await;
        assert_bad_request(&r, "endDateTime");
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/applications/{id}/removePassword"),
                Some(json!({"keyId": key_id})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let got = f
            .call(&admin, Method::GET, &format!("/applications/{id}"), None)
            .await;
        assert_eq!(got.body["passwordCredentials"], json!([]));
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/applications/{id}/removePassword"),
                Some(json!({"keyId": key_id})),
            )
            .await;
        assert_bad_request(&r, "keyId");
    })
    .await;
}

#[tokio::test]
async fn a_member_registers_and_manages_own_apps_but_not_another_members() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let ann = f.user_token("ann", RW).await;
        let bob = f.user_token("bob", RW).await;
        let anns = f.create(&ann, "Ann's app").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let bobs = f.create(&bob, "Bob's app").await["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // The creator is the owner.
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let owners = tx
            .application_owners(anns.parse::<ObjectId>().unwrap())
            .await
            .unwrap();
        let ann_id = tx
            .user_by_upn(&format!("ann@{}", f.domain))
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(owners, vec![ann_id]);
        drop(tx);

        // Ann manages her own app...
        let own = format!("/applications/{anns}");
        let r = f
            .call(
                &ann,
                Method::PATCH,
                &own,
                Some(json!({"displayName": "Renamed"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(
                &ann,
                Method::POST,
                &format!("{own}/addPassword"),
                Some(json!({})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // ...reads Bob's (members read every application) but cannot change it.
        let theirs = format!("/applications/{bobs}");
        let r = f.call(&ann, Method::GET, &theirs, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = f
            .call(
                &ann,
                Method::PATCH,
                &theirs,
                Some(json!({"displayName": "Mine now"})),
            )
            .await;
        assert_forbidden(&r);
        let r = f
            .call(
                &ann,
                Method::POST,
                &format!("{theirs}/addPassword"),
                Some(json!({})),
            )
            .await;
        assert_forbidden(&r);
        let r = f.call(&ann, Method::DELETE, &theirs, None).await;
        assert_forbidden(&r);
        let r = f.call(&ann, Method::GET, "/applications", None).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 2);

        // An owner may not edit appRoles (not an owner action in Entra's list); an admin may.
        let r = f
            .call(&ann, Method::PATCH, &own, Some(json!({"appRoles": []})))
            .await;
        assert_forbidden(&r);
        let admin = f.user_token("admin", RW).await;
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &theirs,
                Some(json!({"displayName": "Admin's choice"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

        let r = f.call(&ann, Method::DELETE, &own, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn guests_and_tokens_without_an_application_scope_are_refused() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let id = f.create(&admin, "Existing").await["id"]
            .as_str()
            .unwrap()
            .to_owned();

        let gus = f.user_token("gus", RW).await;
        let r = f
            .call(
                &gus,
                Method::POST,
                "/applications",
                Some(json!({"displayName": "Guest app"})),
            )
            .await;
        assert_forbidden(&r);
        let r = f.call(&gus, Method::GET, "/applications", None).await;
        assert_forbidden(&r);
        let r = f
            .call(&gus, Method::GET, &format!("/applications/{id}"), None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "guests read one application: {}",
            r.body
        );

        for alias in ["admin", "ann"] {
            let weak = f.user_token(alias, "User.Read").await;
            let r = f
                .call(
                    &weak,
                    Method::POST,
                    "/applications",
                    Some(json!({"displayName": "x"})),
                )
                .await;
            assert_forbidden(&r);
            let r = f.call(&weak, Method::GET, "/applications", None).await;
            assert_forbidden(&r);
            let r = f
                .call(&weak, Method::DELETE, &format!("/applications/{id}"), None)
                .await;
            assert_forbidden(&r);
        }

        // A read scope reads but does not write; Directory.ReadWrite.All does not reach secrets.
        let reader = f.user_token("admin", "Application.Read.All").await;
        let r = f.call(&reader, Method::GET, "/applications", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = f
            .call(
                &reader,
                Method::PATCH,
                &format!("/applications/{id}"),
                Some(json!({"displayName": "y"})),
            )
            .await;
        assert_forbidden(&r);
        let directory = f.user_token("admin", "Directory.ReadWrite.All").await;
        let r = f
            .call(
                &directory,
                Method::PATCH,
                &format!("/applications/{id}"),
                Some(json!({"displayName": "z"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(
                &directory,
                Method::POST,
                &format!("/applications/{id}/addPassword"),
                Some(json!({})),
            )
            .await;
        assert_forbidden(&r);

        // Nothing was written by the refused calls.
        let r = f.call(&admin, Method::GET, "/applications", None).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["value"][0]["passwordCredentials"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn invalid_requests_are_400_with_the_property_as_target() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let cases = [
            (json!({}), "displayName"),
            (json!({"displayName": ""}), "displayName"),
            (json!({"displayName": 7}), "displayName"),
            (json!({"displayName": "a", "signInAudience": "Everyone"}), "signInAudience"),
            (json!({"displayName": "a", "signInAudience": "PersonalMicrosoftAccount"}), "signInAudience"),
            (json!({"displayName": "a", "web": {"redirectUris": ["http://example.com/cb"]}}), "web.redirectUris"),
            (json!({"displayName": "a", "spa": {"redirectUris": ["https://*.example.com"]}}), "spa.redirectUris"),
            (json!({"displayName": "a", "appId": "3b2a5b1e-0000-4000-8000-000000000000"}), "appId"),
            (json!({"displayName": "a", "requiredResourceAccess": [{"resourceAppId": "nope", "resourceAccess": []}]}), "requiredResourceAccess.resourceAppId"),
        ];
        for (body, target) in cases {
            let r = f
                .call(&admin, Method::POST, "/applications", Some(body.clone()))
                .await;
            assert_bad_request(&r, target);
        }
        let id = f.create(&admin, "Valid").await["id"].as_str().unwrap().to_owned();
        let r = f
            .call(&admin, Method::PATCH, &format!("/applications/{id}"), Some(json!({"signInAudience": "AzureADandPersonalMicrosoftAccount"})))
            .await;
        assert_bad_request(&r, "signInAudience");
        let r = f
            .call(&admin, Method::GET, "/applications/not-a-guid", None)
            .await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        let missing = ObjectId::generate(f.app.state.random.as_ref());
        let r = f
            .call(&admin, Method::PATCH, &format!("/applications/{missing}"), Some(json!({"displayName": "x"})))
            .await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        // Nothing but the valid app was created.
        let r = f.call(&admin, Method::GET, "/applications", None).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn another_tenants_applications_are_not_found() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let id = f.create(&admin, "Contoso only").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // The bootstrap tenant's member signs in there (no administrator role, so no MFA).
        let bootstrap = f
            .app
            .state
            .store
            .instance_read()
            .await
            .unwrap()
            .list_tenants()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.tenant.id != f.tenant)
            .unwrap();
        let upn = format!("eve@{}", bootstrap.default_domain);
        let mut tx = f.app.state.store.write(bootstrap.tenant.id).await.unwrap();
        tx.insert_user(&User {
            id: ObjectId::generate(f.app.state.random.as_ref()),
            user_principal_name: UserPrincipalName::parse(&upn).unwrap(),
            display_name: "Eve".into(),
            mail_nickname: "eve".into(),
            account_enabled: true,
            user_type: UserType::Member,
            password: Some(
                f.app
                    .state
                    .passwords
                    .hasher()
                    .hash(PASSWORD, f.app.state.random.as_ref())
                    .unwrap(),
            ),
            created: support::START,
            last_password_change: Some(support::START),
            sign_in_sessions_valid_from: None,
            profile: Default::default(),
            deleted: None,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let eve = f.token_for(bootstrap.tenant.id, &upn, RW).await;
        let r = f
            .call(&eve, Method::GET, &format!("/applications/{id}"), None)
            .await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let r = f
            .call(&eve, Method::DELETE, &format!("/applications/{id}"), None)
            .await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let r = f.call(&eve, Method::GET, "/applications", None).await;
        assert_eq!(r.body["value"], json!([]));
    })
    .await;
}

#[tokio::test]
async fn responses_use_only_property_names_of_the_graph_schema() {
    let Some(openapi) = OpenApi::load("Applications.yml") else {
        eprintln!("note: ../shared/graph-openapi/Applications.yml not found; shape check skipped");
        return;
    };
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let admin = f.user_token("admin", RW).await;
    let id = f.create(&admin, "Shapes").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let patch = json!({
        "web": {"redirectUris": ["https://a.example/cb"]},
        "requiredResourceAccess": [{"resourceAppId": "00000003-0000-0000-c000-000000000000",
            "resourceAccess": [{"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"}]}],
        "appRoles": [{"id": "2a7d3f4e-1111-4c2b-9a55-0c3f1b2d4e01", "allowedMemberTypes": ["User"],
            "displayName": "R", "description": "R", "isEnabled": true, "value": "R"}],
        "api": {"oauth2PermissionScopes": [{"id": "2a7d3f4e-2222-4c2b-9a55-0c3f1b2d4e02", "type": "Admin",
            "adminConsentDisplayName": "S", "adminConsentDescription": "S", "isEnabled": true, "value": "S"}]}
    });
    let r = f
        .call(
            &admin,
            Method::PATCH,
            &format!("/applications/{id}"),
            Some(patch),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let added = f
        .call(
            &admin,
            Method::POST,
            &format!("/applications/{id}/addPassword"),
            Some(json!({})),
        )
        .await;
    let mut seen = BTreeSet::new();
    openapi.check(
        "microsoft.graph.passwordCredential",
        &added.body,
        "addPassword",
        &mut seen,
    );
    let got = f
        .call(&admin, Method::GET, &format!("/applications/{id}"), None)
        .await;
    openapi.check(
        "microsoft.graph.application",
        &got.body,
        "application",
        &mut seen,
    );
    let list = f.call(&admin, Method::GET, "/applications", None).await;
    openapi.check(
        "microsoft.graph.application",
        &list.body["value"],
        "application",
        &mut seen,
    );
    // The nested objects were checked too, not just the top level.
    for nested in [
        "application.api.oauth2PermissionScopes",
        "application.appRoles.allowedMemberTypes",
        "application.passwordCredentials.hint",
        "application.requiredResourceAccess.resourceAccess",
        "application.web.implicitGrantSettings",
        "application.web.redirectUriSettings",
        "addPassword.secretText",
    ] {
        assert!(
            seen.iter().any(|s| s.starts_with(nested)),
            "{nested} not checked: {seen:?}"
        );
    }
    assert!(
        seen.contains("application.requiredResourceAccess.resourceAccess.type"),
        "{seen:?}"
    );
}
