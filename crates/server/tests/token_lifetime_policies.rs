//! Graph `/policies/tokenLifetimePolicies` and their assignment to applications, and the lifetimes
//! of the tokens issued under them: the application's policy wins over the tenant default, which
//! wins over Entra's defaults (access tokens 60–90 minutes, ID tokens 1 hour).

mod support;

use axum::http::{Method, StatusCode};
use gatehouse_domain::audit::AuditCategory;
use serde_json::{Value, json};
use support::each_engine;
use support::graph::{
    Fixture, GRAPH_DEFAULT, RW, claims, confidential_client, credentials, fixture,
};

const PW: &str = "Policy.ReadWrite.ApplicationConfiguration";
const PR: &str = "Policy.Read.All";
const POLICIES: &str = "/policies/tokenLifetimePolicies";

fn definition(inner: &str) -> Value {
    json!([format!(
        "{{\"TokenLifetimePolicy\":{{\"Version\":1{inner}}}}}"
    )])
}

fn lifetime(token: &str) -> i64 {
    let c = claims(token);
    c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap()
}

/// A delegated token for `alias`, and its ID token (password grant with `openid`).
async fn user_tokens(f: &Fixture, alias: &str) -> (String, String) {
    let upn = format!("{alias}@{}", f.domain);
    let r = f
        .token_request(
            &f.tenant.to_string(),
            &[
                ("grant_type", "password"),
                ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e"),
                ("username", &upn),
                ("password", support::graph::PASSWORD),
                ("scope", "openid User.Read"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        r.body["access_token"].as_str().unwrap().to_owned(),
        r.body["id_token"].as_str().unwrap().to_owned(),
    )
}

async fn app_token(f: &Fixture, app_id: &str, secret: &str) -> String {
    let r = f
        .token_request(
            &f.tenant.to_string(),
            &credentials(app_id, secret, GRAPH_DEFAULT),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["expires_in"].as_i64().unwrap(),
        lifetime(r.body["access_token"].as_str().unwrap())
    );
    r.body["access_token"].as_str().unwrap().to_owned()
}

async fn create(f: &Fixture, token: &str, body: Value) -> support::Response {
    f.call(token, Method::POST, POLICIES, Some(body)).await
}

#[tokio::test]
async fn policies_set_the_lifetimes_of_issued_tokens() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let admin = f.user_token("admin", &format!("{PW} {RW}")).await;
        let (app_object, app_id, secret, _) = confidential_client(&f, &admin).await;

        // Entra's defaults without a policy.
        let (access, id) = user_tokens(&f, "ann").await;
        assert!((3600..5400).contains(&lifetime(&access)), "{}", lifetime(&access));
        assert_eq!(lifetime(&id), 3600);

        // A tenant default applies to every client.
        let r = create(
            &f,
            &admin,
            json!({
                "displayName": "Tenant lifetimes",
                "definition": definition(r#","AccessTokenLifetime":"02:00:00","IdTokenLifetime":"04:00:00""#),
                "isOrganizationDefault": true,
            }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["isOrganizationDefault"], true);
        assert_eq!(r.body["displayName"], "Tenant lifetimes");
        assert!(r.body["@odata.context"].as_str().unwrap().ends_with("$metadata#policies/tokenLifetimePolicies/$entity"));
        let default_id = r.body["id"].as_str().unwrap().to_owned();
        let (access, id) = user_tokens(&f, "ann").await;
        assert_eq!((lifetime(&access), lifetime(&id)), (7200, 14400));
        assert_eq!(lifetime(&app_token(&f, &app_id, &secret).await), 7200);

        // An application's own policy wins for that application.
        let r = create(
            &f,
            &admin,
            json!({"displayName": "Daemon", "definition": definition(r#","AccessTokenLifetime":"00:30:00""#)}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["isOrganizationDefault"], false);
        let own_id = r.body["id"].as_str().unwrap().to_owned();
        let refs = format!("/applications/{app_object}/tokenLifetimePolicies");
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("{refs}/$ref"),
                Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/policies/tokenLifetimePolicies/{own_id}")})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(lifetime(&app_token(&f, &app_id, &secret).await), 1800);
        let (access, _) = user_tokens(&f, "ann").await;
        assert_eq!(lifetime(&access), 7200, "other clients keep the default");
        let r = f.call(&admin, Method::GET, &refs, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["value"][0]["id"], own_id.as_str());

        // One policy per application.
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("{refs}/$ref"),
                Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/policies/tokenLifetimePolicies/{default_id}")})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.to_string().contains("ObjectConflict"), "{}", r.body);

        // Changing the policy changes the next tokens; removing the assignment restores the default.
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &format!("{POLICIES}/{own_id}"),
                Some(json!({"definition": definition(r#","AccessTokenLifetime":"00:45:00""#)})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(lifetime(&app_token(&f, &app_id, &secret).await), 2700);
        let r = f
            .call(&admin, Method::DELETE, &format!("{refs}/{own_id}/$ref"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(lifetime(&app_token(&f, &app_id, &secret).await), 7200);
        let r = f
            .call(&admin, Method::DELETE, &format!("{refs}/{own_id}/$ref"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        // Deleting the default restores Entra's defaults.
        let r = f
            .call(&admin, Method::DELETE, &format!("{POLICIES}/{default_id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let (access, id) = user_tokens(&f, "ann").await;
        assert!((3600..5400).contains(&lifetime(&access)));
        assert_eq!(lifetime(&id), 3600);
        let r = f.call(&admin, Method::GET, &format!("{POLICIES}/{default_id}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Every change was audited.
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let mut activities: Vec<String> = tx
            .audit_records(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.category == AuditCategory::Policy)
            .map(|r| r.activity_display_name)
            .collect();
        activities.sort();
        assert_eq!(
            activities,
            [
                "Add policy",
                "Add policy",
                "Add policy to application",
                "Delete policy",
                "Remove policy from application",
                "Update policy"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn bad_definitions_defaults_and_callers_are_refused() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let admin = f.user_token("admin", PW).await;
        for (body, target) in [
            (json!({"displayName": "x", "definition": definition(r#","AccessTokenLifetime":"00:05:00""#)}), "definition"),
            (json!({"displayName": "x", "definition": definition(r#","IdTokenLifetime":"1.00:00:01""#)}), "definition"),
            (json!({"displayName": "x", "definition": definition(r#","MaxInactiveTime":"90.00:00:00""#)}), "definition"),
            (json!({"displayName": "x", "definition": definition(r#","MaxAgeSessionSingleFactor":"until-revoked""#)}), "definition"),
            (json!({"displayName": "x", "definition": [r#"{"TokenLifetimePolicy":{"Version":2}}"#]}), "definition"),
            (json!({"displayName": "x", "definition": ["not json"]}), "definition"),
            (json!({"displayName": "x", "definition": "{}"}), "definition"),
            (json!({"displayName": "x", "definition": [definition("")[0].clone(), definition("")[0].clone()]}), "definition"),
            (json!({"definition": definition("")}), "displayName"),
            (json!({"displayName": "x"}), "definition"),
            (json!({"displayName": "x", "definition": definition(""), "isOrganizationDefault": "yes"}), "isOrganizationDefault"),
            (json!({"displayName": "x", "definition": definition(""), "somethingElse": 1}), "somethingElse"),
        ] {
            let r = create(&f, &admin, body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
            assert_eq!(r.body["error"]["code"], "Request_BadRequest", "{body}: {}", r.body);
            assert!(r.body.to_string().contains(target), "{body}: {}", r.body);
        }
        // One organization default.
        let default = json!({"displayName": "d", "definition": definition(""), "isOrganizationDefault": true});
        assert_eq!(create(&f, &admin, default.clone()).await.status, StatusCode::CREATED);
        let r = create(&f, &admin, default).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.to_string().contains("ObjectConflict"), "{}", r.body);

        // Reading needs Policy.Read.All (or the write permission) and a role that reads policies.
        let reader = f.user_token("admin", PR).await;
        let r = f.call(&reader, Method::GET, POLICIES, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
        let r = create(&f, &reader, json!({"displayName": "x", "definition": definition("")})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let other = f.user_token("admin", RW).await;
        let r = f.call(&other, Method::GET, POLICIES, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        // A member without a policy role may do nothing, even with the permission.
        let ann = f.user_token("ann", PW).await;
        let r = f.call(&ann, Method::GET, POLICIES, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = create(&f, &ann, json!({"displayName": "x", "definition": definition("")})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    })
    .await;
}
