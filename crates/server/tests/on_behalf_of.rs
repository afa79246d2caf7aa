//! APIs registered in the tenant as resources, in-process on both engines: delegated tokens for an
//! API's own scopes (audience = its appId, consent on it), app-only tokens with its app roles, and
//! the on-behalf-of flow from the API to Microsoft Graph.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::each_engine;
use support::graph::{
    Fixture, PASSWORD, aadsts, claims, confidential_client, credentials, fixture,
};

const API_URI: &str = "api://contoso-api";
const ROLE_ID: &str = "5b1d0a2e-3333-4c2b-9a55-0c3f1b2d4e03";
const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const ADMIN_SCOPES: &str = "Application.ReadWrite.All AppRoleAssignment.ReadWrite.All";

/// A confidential application named `name` with `patch` applied: (appId, secret, service
/// principal id).
async fn app(f: &Fixture, admin: &str, name: &str, mut patch: Value) -> (String, String, String) {
    let (id, app_id, secret, sp) = confidential_client(f, admin).await;
    patch["displayName"] = json!(name);
    let r = f
        .call(
            admin,
            Method::PATCH,
            &format!("/applications/{id}"),
            Some(patch),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    (app_id, secret, sp)
}

async fn api(f: &Fixture, admin: &str) -> (String, String, String) {
    app(
        f,
        admin,
        "Contoso API",
        json!({
            "identifierUris": [API_URI],
            "appRoles": [{"id": ROLE_ID, "allowedMemberTypes": ["Application"], "description": "Run jobs",
                          "displayName": "Run jobs", "isEnabled": true, "value": "Jobs.Run"}],
            "api": {"oauth2PermissionScopes": [{
                "id": "5b1d0a2e-4444-4c2b-9a55-0c3f1b2d4e04", "adminConsentDescription": "Access the API",
                "adminConsentDisplayName": "Access Contoso API", "isEnabled": true, "type": "User",
                "value": "access_as_user"
            }]}
        }),
    )
    .await
}

async fn password_token(f: &Fixture, client: &str, scope: &str) -> support::Response {
    f.token_request(
        &f.tenant.to_string(),
        &[
            ("grant_type", "password"),
            ("client_id", client),
            ("username", &format!("ann@{}", f.domain)),
            ("password", PASSWORD),
            ("scope", scope),
        ],
        None,
    )
    .await
}

async fn obo(
    f: &Fixture,
    client: &str,
    secret: &str,
    assertion: &str,
    scope: &str,
) -> support::Response {
    f.token_request(
        &f.tenant.to_string(),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("requested_token_use", "on_behalf_of"),
            ("client_id", client),
            ("client_secret", secret),
            ("assertion", assertion),
            ("scope", scope),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn an_api_exchanges_a_users_token_for_a_graph_token_on_their_behalf() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", ADMIN_SCOPES).await;
        let (api_id, api_secret, _) = api(&f, &admin).await;
        let (cli_id, _, _) = app(
            &f,
            &admin,
            "Contoso CLI",
            json!({"isFallbackPublicClient": true}),
        )
        .await;
        let scope = format!("{API_URI}/access_as_user");

        // The client needs consent on the API; then the token is the API's.
        let r = password_token(&f, &cli_id, &scope).await;
        assert_eq!(aadsts(&r), 65001, "{}", r.body);
        f.admin_consent_on(&cli_id, &api_id, "access_as_user").await;
        let r = password_token(&f, &cli_id, &scope).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let user_token = r.body["access_token"].as_str().unwrap().to_owned();
        let c = claims(&user_token);
        assert_eq!(c["aud"], api_id.as_str());
        assert_eq!(c["scp"], "access_as_user");
        assert_eq!(c["azp"], cli_id.as_str());
        // Graph does not accept a token meant for the API.
        let r = f.call(&user_token, Method::GET, "/me", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        // Unknown resources and scopes.
        let r = password_token(&f, &cli_id, "api://nobody/read").await;
        assert_eq!(aadsts(&r), 500011, "{}", r.body);
        let r = password_token(&f, &cli_id, &format!("{API_URI}/nope")).await;
        assert_eq!(aadsts(&r), 70011, "{}", r.body);

        // On behalf of ann, the API calls Graph once it holds consent there.
        let graph_scope = "https://graph.microsoft.com/User.Read";
        let r = obo(&f, &api_id, &api_secret, &user_token, graph_scope).await;
        assert_eq!(aadsts(&r), 65001, "{}", r.body);
        f.admin_consent(&api_id, "User.Read").await;
        let r = obo(&f, &api_id, &api_secret, &user_token, graph_scope).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.get("refresh_token").is_none());
        let downstream = r.body["access_token"].as_str().unwrap().to_owned();
        let d = claims(&downstream);
        assert_eq!(d["aud"], GRAPH);
        assert_eq!(d["azp"], api_id.as_str());
        assert_eq!(d["scp"], "User.Read");
        assert_eq!(d["oid"], c["oid"]);
        assert_eq!(d["amr"], c["amr"]);
        let me = f.call(&downstream, Method::GET, "/me", None).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.body["userPrincipalName"], format!("ann@{}", f.domain));

        // Refusals: a token for another audience, a wrong secret, no or a wrong requested_token_use.
        let graph_token = f.user_token("ann", "User.Read").await;
        let r = obo(&f, &api_id, &api_secret, &graph_token, graph_scope).await;
        assert_eq!(aadsts(&r), 50013, "{}", r.body);
        let r = obo(&f, &api_id, &api_secret, "not-a-jwt", graph_scope).await;
        assert_eq!(aadsts(&r), 50013, "{}", r.body);
        let r = obo(&f, &api_id, "wrong", &user_token, graph_scope).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(aadsts(&r), 7000215, "{}", r.body);
        let tid = f.tenant.to_string();
        let r = f
            .token_request(
                &tid,
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("requested_token_use", "something_else"),
                    ("client_id", &api_id),
                    ("client_secret", &api_secret),
                    ("assertion", &user_token),
                    ("scope", graph_scope),
                ],
                None,
            )
            .await;
        assert_eq!(aadsts(&r), 9002313, "{}", r.body);

        // Another client cannot use a token meant for the API.
        let (other_id, other_secret, _) = app(&f, &admin, "Other API", json!({})).await;
        let r = obo(&f, &other_id, &other_secret, &user_token, graph_scope).await;
        assert_eq!(aadsts(&r), 50013, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn a_daemon_gets_an_app_only_token_for_an_api_with_its_app_roles() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", ADMIN_SCOPES).await;
        let (api_id, _, api_sp) = api(&f, &admin).await;
        let (daemon_id, secret, daemon_sp) = app(&f, &admin, "Nightly", json!({})).await;
        let default = format!("{API_URI}/.default");

        let r = f
            .token_request(
                &f.tenant.to_string(),
                &credentials(&daemon_id, &secret, &default),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = claims(r.body["access_token"].as_str().unwrap());
        assert_eq!(c["aud"], api_id.as_str());
        assert!(c.get("roles").is_none(), "no role assigned yet: {c}");

        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/servicePrincipals/{api_sp}/appRoleAssignedTo"),
                Some(json!({"principalId": daemon_sp, "resourceId": api_sp, "appRoleId": ROLE_ID})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        for scope in [default.clone(), format!("{api_id}/.default")] {
            let r = f
                .token_request(
                    &f.tenant.to_string(),
                    &credentials(&daemon_id, &secret, &scope),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let c = claims(r.body["access_token"].as_str().unwrap());
            assert_eq!(c["aud"], api_id.as_str());
            assert_eq!(c["roles"], json!(["Jobs.Run"]));
            assert_eq!(c["idtyp"], "app");
        }
        let r = f
            .token_request(
                &f.tenant.to_string(),
                &credentials(&daemon_id, &secret, "api://nobody/.default"),
                None,
            )
            .await;
        assert_eq!(aadsts(&r), 500011, "{}", r.body);
    })
    .await;
}
