//! Application permissions through the router on both engines: a Global Administrator grants
//! Microsoft Graph's `Application.ReadWrite.All` to a daemon's service principal, its client
//! credentials token then carries `roles` and lets it manage applications; revoking the assignment
//! takes the permission away from new tokens; and the refusals (unknown role, members, duplicates,
//! another tenant's service principal, administrators who may not grant Graph's permissions).

mod support;

use axum::http::{Method, StatusCode};
use gatehouse_domain::audit::Initiator;
use gatehouse_domain::tenant::{NewTenant, initial_domain};
use gatehouse_server::services::tenants::{self, CreateTenant};
use serde_json::json;
use support::{Response, each_engine};

use support::graph::{Fixture, PASSWORD, RW, claims, confidential_client, fixture};

const APP_RW_ID: &str = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9";
const ADMIN_SCOPES: &str = "Application.ReadWrite.All AppRoleAssignment.ReadWrite.All";

impl Fixture {
    async fn assign(&self, token: &str, principal: &str, resource: &str, role: &str) -> Response {
        self.call(
            token,
            Method::POST,
            &format!("/servicePrincipals/{principal}/appRoleAssignments"),
            Some(json!({"principalId": principal, "resourceId": resource, "appRoleId": role})),
        )
        .await
    }
}

#[tokio::test]
async fn a_granted_graph_application_permission_reaches_the_token_and_the_api_until_revoked() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", ADMIN_SCOPES).await;
        let (_, app_id, secret, sp_id) = confidential_client(&f, &admin).await;
        let graph = f.graph_sp(&admin).await;

        // Graph's service principal exposes its application permissions with Microsoft's ids.
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!("/servicePrincipals/{graph}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let role = r.body["appRoles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["value"] == RW)
            .unwrap()
            .clone();
        assert_eq!(role["id"], APP_RW_ID);
        assert_eq!(role["allowedMemberTypes"], json!(["Application"]));
        assert!(
            r.body["oauth2PermissionScopes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["value"] == "User.Read")
        );

        // Without an assignment: no roles, no applications.
        let token = f.app_token(&app_id, &secret).await;
        assert!(claims(&token).get("roles").is_none());
        let r = f.call(&token, Method::GET, "/applications", None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The grant.
        let r = f.assign(&admin, &sp_id, &graph, APP_RW_ID).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let assignment = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["appRoleId"], APP_RW_ID);
        assert_eq!(r.body["principalId"], sp_id.as_str());
        assert_eq!(r.body["principalType"], "ServicePrincipal");
        assert_eq!(r.body["principalDisplayName"], "Daemon");
        assert_eq!(r.body["resourceId"], graph.as_str());
        assert_eq!(r.body["resourceDisplayName"], "Microsoft Graph");
        assert!(r.body["createdDateTime"].is_string());

        // Both collections list it.
        for path in [
            format!("/servicePrincipals/{sp_id}/appRoleAssignments"),
            format!("/servicePrincipals/{graph}/appRoleAssignedTo"),
        ] {
            let r = f.call(&admin, Method::GET, &path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            let ids: Vec<&str> = r.body["value"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|a| a["id"].as_str())
                .collect();
            assert_eq!(ids, vec![assignment.as_str()], "{path}");
        }

        // The next token carries the role and may manage applications.
        let token = f.app_token(&app_id, &secret).await;
        assert_eq!(claims(&token)["roles"], json!([RW]));
        let r = f.call(&token, Method::GET, "/applications", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = f
            .call(
                &token,
                Method::POST,
                "/applications",
                Some(json!({"displayName": "Made by a daemon"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        // Revoked: new tokens have no roles and no access.
        let path = format!("/servicePrincipals/{sp_id}/appRoleAssignments/{assignment}");
        let r = f.call(&admin, Method::DELETE, &path, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&admin, Method::DELETE, &path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let token = f.app_token(&app_id, &secret).await;
        assert!(claims(&token).get("roles").is_none());
        let r = f.call(&token, Method::GET, "/applications", None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Authorization_RequestDenied");

        // Both writes are audited.
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let names: Vec<String> = tx
            .audit_records(100)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.activity_display_name)
            .collect();
        for activity in [
            "Add app role assignment to service principal",
            "Remove app role assignment from service principal",
        ] {
            assert!(names.iter().any(|n| n == activity), "{activity}: {names:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn app_role_assignments_are_refused_for_unknown_roles_members_duplicates_and_other_tenants() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", ADMIN_SCOPES).await;
        let (_, _, _, sp_id) = confidential_client(&f, &admin).await;
        let graph = f.graph_sp(&admin).await;

        // A role Graph does not expose.
        let r = f
            .assign(
                &admin,
                &sp_id,
                &graph,
                "00000000-0000-0000-0000-00000000beef",
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Request_BadRequest");
        assert_eq!(
            r.body["error"]["message"],
            "Permission being assigned was not found on application"
        );

        // A member without roles.
        let ann = f.user_token("ann", ADMIN_SCOPES).await;
        let r = f.assign(&ann, &sp_id, &graph, APP_RW_ID).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Authorization_RequestDenied");

        // The same grant twice, through the resource's appRoleAssignedTo the second time.
        let r = f.assign(&admin, &sp_id, &graph, APP_RW_ID).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/servicePrincipals/{graph}/appRoleAssignedTo"),
                Some(json!({"principalId": sp_id, "resourceId": graph, "appRoleId": APP_RW_ID})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"]["details"][0]["code"], "ObjectConflict");

        // Another tenant's service principal is not found here.
        let other = tenants::create(
            &f.app.state,
            CreateTenant {
                tenant: NewTenant::new(
                    "Fabrikam",
                    initial_domain("fabrikam", &f.app.state.instance.initial_domain_suffix)
                        .unwrap(),
                    "US",
                    false,
                )
                .unwrap(),
                admin: Some("admin".into()),
                admin_password: Some(PASSWORD.into()),
            },
            Initiator::instance("test"),
        )
        .await
        .unwrap()
        .summary
        .tenant
        .id;
        let mut tx = f.app.state.store.read(other).await.unwrap();
        let foreign = tx.service_principals().await.unwrap()[0].id.to_string();
        drop(tx);
        let r = f.assign(&admin, &foreign, &graph, APP_RW_ID).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!("/servicePrincipals/{foreign}/appRoleAssignments"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    })
    .await;
}
