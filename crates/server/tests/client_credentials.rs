//! The client credentials grant through the router on both engines: an application registered with a
//! Global Administrator's delegated token, a client secret from addPassword and a service principal
//! from POST /servicePrincipals; secrets in the body and by HTTP Basic; every refusal's AADSTS code;
//! and what an app-only token may do on Graph.

mod support;

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use serde_json::json;
use support::each_engine;

use support::graph::{
    GRAPH_DEFAULT, RW, aadsts, claims, confidential_client, credentials, fixture, urlencode,
};

fn basic(app_id: &str, secret: &str) -> String {
    let raw = format!("{}:{}", urlencode(app_id), urlencode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

#[tokio::test]
async fn a_client_secret_buys_an_app_only_graph_token_in_the_body_or_by_basic_auth() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (_, app_id, secret, sp_id) = confidential_client(&f, &admin).await;
        let tenant = f.tenant.to_string();

        let r = f
            .token_request(&tenant, &credentials(&app_id, &secret, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["token_type"], "Bearer");
        assert!(r.body.get("refresh_token").is_none());
        assert!(r.body.get("id_token").is_none());
        assert!(r.body.get("scope").is_none_or(|s| s == GRAPH_DEFAULT));
        let expires_in = r.body["expires_in"].as_i64().unwrap();
        assert!((3600..5400).contains(&expires_in), "{expires_in}");
        assert_eq!(r.body["ext_expires_in"], expires_in);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let token = r.body["access_token"].as_str().unwrap().to_owned();
        let c = claims(&token);
        assert_eq!(c["aud"], "00000003-0000-0000-c000-000000000000");
        assert_eq!(c["iss"], format!("https://localhost:8443/{tenant}/v2.0"));
        assert_eq!(c["idtyp"], "app");
        assert_eq!(c["azp"], app_id.as_str());
        assert_eq!(c["azpacr"], "1");
        assert_eq!(c["oid"], sp_id.as_str());
        assert_eq!(c["sub"], sp_id.as_str());
        assert_eq!(c["tid"], tenant.as_str());
        assert_eq!(c["ver"], "2.0");
        assert!(c["uti"].is_string());
        assert_eq!(
            c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
            expires_in
        );
        assert_eq!(c["nbf"], c["iat"]);
        for absent in ["scp", "roles", "upn", "name", "wids", "preferred_username"] {
            assert!(c.get(absent).is_none(), "{absent}: {c}");
        }

        // HTTP Basic (client_secret_basic), with Graph named by its app id, on the domain authority.
        let fields = [
            ("grant_type", "client_credentials"),
            ("scope", "00000003-0000-0000-c000-000000000000/.default"),
        ];
        let r = f
            .token_request(&f.domain, &fields, Some(basic(&app_id, &secret)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.get("refresh_token").is_none());
        assert_eq!(
            claims(r.body["access_token"].as_str().unwrap())["oid"],
            sp_id.as_str()
        );

        // Both methods at once are refused.
        let r = f
            .token_request(
                &tenant,
                &credentials(&app_id, &secret, GRAPH_DEFAULT),
                Some(basic(&app_id, &secret)),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"], "invalid_request");

        // The app-only token on Graph: no /me, and no applications without application permissions.
        let r = f.call(&token, Method::GET, "/me", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "BadRequest");
        assert_eq!(
            r.body["error"]["message"],
            "/me request is only valid with delegated authentication flow."
        );
        for (method, path, body) in [
            (Method::GET, "/applications".to_owned(), None),
            (
                Method::POST,
                "/applications".to_owned(),
                Some(json!({"displayName": "x"})),
            ),
            (Method::GET, "/servicePrincipals".to_owned(), None),
            (Method::GET, format!("/servicePrincipals/{sp_id}"), None),
        ] {
            let r = f.call(&token, method, &path, body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
            assert_eq!(r.body["error"]["code"], "Authorization_RequestDenied");
        }
    })
    .await;
}

#[tokio::test]
async fn wrong_expired_and_missing_secrets_are_refused_with_entras_codes() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (id, app_id, secret, _) = confidential_client(&f, &admin).await;
        let tenant = f.tenant.to_string();

        let r = f
            .token_request(
                &tenant,
                &credentials(&app_id, "not-the-secret", GRAPH_DEFAULT),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(r.body["error"], "invalid_client");
        assert_eq!(aadsts(&r), 7000215);
        assert!(
            r.body["error_description"]
                .as_str()
                .unwrap()
                .contains(&app_id)
        );

        let fields = [
            ("grant_type", "client_credentials"),
            ("client_id", app_id.as_str()),
            ("scope", GRAPH_DEFAULT),
        ];
        let r = f.token_request(&tenant, &fields, None).await;
        assert_eq!(aadsts(&r), 7000218, "{}", r.body);

        // A second, short-lived secret: works now, then expires while the first still works.
        let short = f
            .add_password(
                &admin,
                &id,
                json!({"passwordCredential": {"endDateTime": "2026-11-24T12:00:00Z"}}),
            )
            .await["secretText"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = f
            .token_request(&tenant, &credentials(&app_id, &short, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        f.app.clock.advance(time::Duration::days(2));
        let r = f
            .token_request(&tenant, &credentials(&app_id, &short, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(aadsts(&r), 7000222);
        assert_eq!(
            r.body["error_description"]
                .as_str()
                .unwrap()
                .split("\r\nTrace ID")
                .next()
                .unwrap(),
            format!(
                "AADSTS7000222: The provided client secret keys for app '{app_id}' are expired."
            )
        );
        let r = f
            .token_request(&tenant, &credentials(&app_id, &secret, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn unknown_clients_missing_service_principals_bad_scopes_and_common_are_refused() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (_, app_id, secret, _) = confidential_client(&f, &admin).await;
        let tenant = f.tenant.to_string();

        // Registered, with a secret, but no service principal.
        let (bare_id, bare_app) = f.register(&admin, "No SP").await;
        let bare_secret = f.add_password(&admin, &bare_id, json!({})).await["secretText"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = f
            .token_request(&tenant, &credentials(&bare_app, &bare_secret, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(aadsts(&r), 7000229);
        assert!(r.body["error_description"].as_str().unwrap().starts_with(&format!(
            "AADSTS7000229: The client application {bare_app} is missing service principal in the tenant {tenant}."
        )));

        let unknown = uuid::Uuid::new_v4().to_string();
        let r = f
            .token_request(&tenant, &credentials(&unknown, &secret, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(aadsts(&r), 700016, "{}", r.body);
        assert_eq!(r.body["error"], "unauthorized_client");

        for scope in [
            "User.Read",
            "https://graph.microsoft.com/User.Read",
            "https://graph.microsoft.com/.default offline_access",
            "",
        ] {
            let r = f
                .token_request(&tenant, &credentials(&app_id, &secret, scope), None)
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{scope}: {}", r.body);
            assert_eq!(r.body["error"], "invalid_scope", "{scope}");
            assert_eq!(aadsts(&r), 1002012, "{scope}");
        }

        for authority in ["common", "organizations"] {
            let r = f
                .token_request(authority, &credentials(&app_id, &secret, GRAPH_DEFAULT), None)
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
            assert_eq!(r.body["error"], "invalid_request");
            assert_eq!(aadsts(&r), 900023);
        }
    })
    .await;
}

#[tokio::test]
async fn a_deleted_applications_secret_and_tokens_stop_working() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (id, app_id, secret, _) = confidential_client(&f, &admin).await;
        let tenant = f.tenant.to_string();
        let r = f
            .token_request(&tenant, &credentials(&app_id, &secret, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let token = r.body["access_token"].as_str().unwrap().to_owned();

        let r = f
            .call(&admin, Method::DELETE, &format!("/applications/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .token_request(&tenant, &credentials(&app_id, &secret, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(aadsts(&r), 700016, "{}", r.body);
        // Its service principal went with it, so its unexpired token no longer authenticates.
        let r = f.call(&token, Method::GET, "/applications", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert!(r.header("www-authenticate").is_some());
    })
    .await;
}
