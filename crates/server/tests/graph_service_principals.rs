//! `/servicePrincipals` through the router on both engines with real delegated tokens: create for an
//! application of this tenant (conflict, unknown appId), list with `$filter`, read, owners
//! and non-owners, and the audit record.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::each_engine;

use support::graph::{RW, fixture, urlencode};

#[tokio::test]
async fn an_administrator_creates_lists_filters_and_reads_a_service_principal() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (_, app_id) = f.register(&admin, "Daemon").await;
        let r = f.create_sp(&admin, &app_id).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let b = &r.body;
        assert_eq!(
            b["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#servicePrincipals/$entity"
        );
        assert_eq!(b["appId"], app_id.as_str());
        assert_eq!(b["displayName"], "Daemon");
        assert_eq!(b["accountEnabled"], true);
        assert_eq!(b["appOwnerOrganizationId"], f.tenant.to_string());
        assert_eq!(b["servicePrincipalType"], "Application");
        assert_eq!(b["signInAudience"], "AzureADMyOrg");
        assert_eq!(b["servicePrincipalNames"], json!([app_id]));
        assert_eq!(b["appRoles"], json!([]));
        assert_eq!(b["oauth2PermissionScopes"], json!([]));
        let id = b["id"].as_str().unwrap().to_owned();
        assert_ne!(id, app_id);

        let again = f.create_sp(&admin, &app_id).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
        assert_eq!(again.body["error"]["details"][0]["code"], "ObjectConflict");

        let unknown = uuid::Uuid::new_v4().to_string();
        let r = f.create_sp(&admin, &unknown).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Request_BadRequest");
        assert_eq!(
            r.body["error"]["message"],
            format!("The appId '{unknown}' of the service principal does not reference a valid application object.")
        );

        let r = f.call(&admin, Method::GET, "/servicePrincipals", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#servicePrincipals"
        );
        let all = r.body["value"].as_array().unwrap();
        assert!(all.len() > 1, "first-party service principals are listed too");
        assert!(all.iter().any(|s| s["id"] == id.as_str()));

        let filter = format!("/servicePrincipals?$filter={}", urlencode(&format!("appId eq '{app_id}'")));
        let r = f.call(&admin, Method::GET, &filter, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["value"][0]["id"], id.as_str());
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals?$filter={}", urlencode("displayName eq 'DAEMON'")), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["value"][0]["id"], id.as_str());
        for bad in [
            format!("/servicePrincipals?$filter={}", urlencode(&format!("startswith(appId,'{app_id}')"))),
            "/servicePrincipals?$top=1000".to_owned(),
        ] {
            let r = f.call(&admin, Method::GET, &bad, None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
            assert_eq!(r.body["error"]["code"], "Request_UnsupportedQuery", "{bad}");
        }

        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["appId"], app_id.as_str());
        let missing = uuid::Uuid::new_v4();
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals/{missing}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(10).await.unwrap();
        let added = records
            .iter()
            .find(|r| r.activity_display_name == "Add service principal")
            .expect("audited");
        assert_eq!(
            added.category,
            gatehouse_domain::audit::AuditCategory::ApplicationManagement
        );
        assert_eq!(added.target_resources[0].id, id);
    })
    .await;
}

#[tokio::test]
async fn owners_create_their_apps_service_principal_and_others_may_not() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let ann = f.user_token("ann", RW).await;
        let (_, admins_app) = f.register(&admin, "Admin's").await;
        let (_, anns_app) = f.register(&ann, "Ann's").await;

        let r = f.create_sp(&ann, &admins_app).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Authorization_RequestDenied");
        let r = f.create_sp(&ann, &anns_app).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Members read service principals; a token without Application/Directory scopes does not.
        let r = f.call(&ann, Method::GET, "/servicePrincipals", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let user_read = f.user_token("admin", "User.Read").await;
        let r = f.create_sp(&user_read, &admins_app).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = f
            .call(&user_read, Method::GET, "/servicePrincipals", None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    })
    .await;
}
