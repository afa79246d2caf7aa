//! `/oauth2PermissionGrants` and `/policies/authorizationPolicy` through the router on both engines
//! with real delegated tokens: create, list with `$filter`, get, widen the scopes, delete; the
//! validation Graph applies; who may do what; the audit records.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::each_engine;
use support::graph::{Fixture, RW, fixture};

const GRANTS_RW: &str = "DelegatedPermissionGrant.ReadWrite.All";
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

async fn sp_id(f: &Fixture, token: &str, app_id: &str) -> String {
    let r = f
        .call(
            token,
            Method::GET,
            &format!("/servicePrincipals?$filter=appId%20eq%20'{app_id}'"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["value"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_administrator_grants_lists_changes_and_revokes_delegated_permissions() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", &format!("{RW} {GRANTS_RW}")).await;
        let (_, app_id) = f.register(&admin, "Portal").await;
        let client = f.create_sp(&admin, &app_id).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let graph = sp_id(&f, &admin, GRAPH_APP_ID).await;

        let r = f
            .call(
                &admin,
                Method::POST,
                "/oauth2PermissionGrants",
                Some(json!({
                    "clientId": client, "consentType": "AllPrincipals",
                    "resourceId": graph, "scope": "user.read openid User.Read"
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#oauth2PermissionGrants/$entity"
        );
        assert_eq!(r.body["scope"], "User.Read openid", "normalised, once each");
        assert_eq!(r.body["principalId"], serde_json::Value::Null);
        let id = r.body["id"].as_str().unwrap().to_owned();

        // One grant per client, resource and consenting principal.
        let again = f
            .call(
                &admin,
                Method::POST,
                "/oauth2PermissionGrants",
                Some(json!({
                    "clientId": client, "consentType": "AllPrincipals",
                    "resourceId": graph, "scope": "email"
                })),
            )
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
        assert_eq!(again.body["error"]["message"], "Permission entry already exists.");

        // Validation: unknown scope, principal rules, missing service principals.
        let ann = f.user_token("ann", "User.Read").await;
        let ann_id = support::graph::claims(&ann)["oid"].as_str().unwrap().to_owned();
        for (body, target) in [
            (json!({"clientId": client, "consentType": "AllPrincipals", "resourceId": graph, "scope": "Nope.Read"}), "scope"),
            (json!({"clientId": client, "consentType": "Principal", "resourceId": graph, "scope": "email"}), "principalId"),
            (json!({"clientId": client, "consentType": "AllPrincipals", "principalId": ann_id, "resourceId": graph}), "principalId"),
            (json!({"clientId": client, "consentType": "Everyone", "resourceId": graph}), "consentType"),
            (json!({"clientId": uuid::Uuid::new_v4().to_string(), "consentType": "AllPrincipals", "resourceId": graph}), "clientId"),
            (json!({"clientId": client, "consentType": "Principal", "principalId": uuid::Uuid::new_v4().to_string(), "resourceId": graph}), "principalId"),
        ] {
            let r = f.call(&admin, Method::POST, "/oauth2PermissionGrants", Some(body.clone())).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
            assert_eq!(r.body["error"]["details"][0]["target"], target, "{body}: {}", r.body);
        }

        // A per-user grant for ann.
        let r = f
            .call(
                &admin,
                Method::POST,
                "/oauth2PermissionGrants",
                Some(json!({
                    "clientId": client, "consentType": "Principal", "principalId": ann_id,
                    "resourceId": graph, "scope": "User.ReadBasic.All"
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["principalId"], ann_id.as_str());

        // Lists: all, filtered, and the client's own.
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!("/oauth2PermissionGrants?$filter=clientId%20eq%20'{client}'%20and%20consentType%20eq%20'Principal'"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let value = r.body["value"].as_array().unwrap();
        assert_eq!(value.len(), 1, "{}", r.body);
        assert_eq!(value[0]["scope"], "User.ReadBasic.All");
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals/{client}/oauth2PermissionGrants"), None)
            .await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 2, "{}", r.body);
        let r = f.call(&admin, Method::GET, "/oauth2PermissionGrants", None).await;
        assert!(
            r.body["value"].as_array().unwrap().len() > 2,
            "the first-party clients' grants are listed too"
        );
        let r = f
            .call(&admin, Method::GET, "/oauth2PermissionGrants?$filter=scope%20eq%20'x'", None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["code"], "Request_UnsupportedQuery");

        // Members list grants ("List permissions granted to applications") but cannot grant.
        let ann = f.user_token("ann", "Directory.Read.All").await;
        let r = f.call(&ann, Method::GET, &format!("/oauth2PermissionGrants/{id}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["scope"], "User.Read openid");
        let ann_rw = f.user_token("ann", GRANTS_RW).await;
        let r = f
            .call(&ann_rw, Method::PATCH, &format!("/oauth2PermissionGrants/{id}"), Some(json!({"scope": "email"})))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Authorization_RequestDenied");

        // Update the scopes; only `scope` may change.
        let path = format!("/oauth2PermissionGrants/{id}");
        let r = f
            .call(&admin, Method::PATCH, &path, Some(json!({"scope": "User.Read email profile"})))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(&admin, Method::PATCH, &path, Some(json!({"consentType": "Principal"})))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let r = f.call(&admin, Method::GET, &path, None).await;
        assert_eq!(r.body["scope"], "User.Read email profile");

        // Revoke.
        let r = f.call(&admin, Method::DELETE, &path, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&admin, Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let mut activities: Vec<String> = tx
            .audit_records(20)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.activity_display_name)
            .filter(|a| a.contains("delegated permission grant"))
            .collect();
        activities.sort();
        assert_eq!(
            activities,
            [
                "Add delegated permission grant",
                "Add delegated permission grant",
                "Remove delegated permission grant",
                "Update delegated permission grant",
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn the_authorization_policy_is_read_by_members_and_changed_by_administrators() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let ann = f.user_token("ann", "Policy.Read.All").await;
        let r = f.call(&ann, Method::GET, "/policies/authorizationPolicy", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["id"], "authorizationPolicy");
        assert_eq!(r.body["guestUserRoleId"], "10dae51f-b6af-4016-8d66-8c2a99b929b3");
        assert_eq!(
            r.body["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"],
            json!(["ManagePermissionGrantsForSelf.microsoft-user-default-low"])
        );
        assert_eq!(r.body["defaultUserRolePermissions"]["allowedToCreateApps"], true);

        let ann_rw = f.user_token("ann", "Policy.ReadWrite.Authorization").await;
        let body = json!({"defaultUserRolePermissions": {"allowedToCreateApps": false, "permissionGrantPoliciesAssigned": []}});
        let r = f.call(&ann_rw, Method::PATCH, "/policies/authorizationPolicy", Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        let admin = f.user_token("admin", "Policy.ReadWrite.Authorization").await;
        for bad in [
            json!({"allowInvitesFrom": "anyone"}),
            json!({"guestUserRoleId": "00000000-0000-0000-0000-000000000000"}),
            json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": ["x"]}}),
            json!({"displayName": "Mine"}),
            json!({"blockMsolPowerShell": "yes"}),
        ] {
            let r = f.call(&admin, Method::PATCH, "/policies/authorizationPolicy", Some(bad.clone())).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        }
        let r = f.call(&admin, Method::PATCH, "/policies/authorizationPolicy", Some(body)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&ann, Method::GET, "/policies/authorizationPolicy", None).await;
        assert_eq!(r.body["defaultUserRolePermissions"]["allowedToCreateApps"], false);
        assert_eq!(r.body["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"], json!([]));
        assert_eq!(r.body["allowInvitesFrom"], "everyone", "untouched properties keep their values");

        // allowedToCreateApps off: members can no longer register applications.
        let ann_apps = f.user_token("ann", RW).await;
        let r = f
            .call(&ann_apps, Method::POST, "/applications", Some(json!({"displayName": "Mine"})))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(5).await.unwrap();
        assert!(records.iter().any(|r| r.activity_display_name == "Update authorization policy"));
    })
    .await;
}
