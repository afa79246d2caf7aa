//! The tenant option `graphTokenAlgorithm` on both engines: set through the operator API, it makes
//! every grant's Microsoft Graph access tokens ES256 (signed with the tenant's P-256 key, published
//! in its JWKS and accepted by Graph), while ID tokens and tokens for the tenant's own APIs stay
//! RS256; P-256 keys rotate like the RSA ones.

mod support;

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::clock::Clock;
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::tenant::TokenAlgorithm;
use gatehouse_server::identity::jwt;
use gatehouse_server::identity::keys::{KeyDeps, Signer, SigningKeys};
use serde_json::{Value, json};
use support::graph::{
    Fixture, GRAPH_DEFAULT, RW, claims, confidential_client, credentials, fixture,
};
use support::{START, TestApp, each_engine};
use time::Duration;

const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const API_URI: &str = "api://contoso-reports";

fn header(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn set_algorithm(app: &TestApp, tenant: &str, body: Value) -> support::Response {
    app.operator(
        Method::PATCH,
        &format!("/_gatehouse/tenants/{tenant}"),
        Some(body),
    )
    .await
}

async fn jwks(f: &Fixture) -> Vec<Value> {
    let r = f
        .app
        .call(
            Method::GET,
            &format!("/{}/discovery/v2.0/keys", f.tenant),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["keys"].as_array().unwrap().clone()
}

fn jwk<'a>(keys: &'a [Value], token: &str) -> &'a Value {
    let kid = header(token)["kid"].as_str().unwrap().to_owned();
    keys.iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("{kid} is not published: {keys:?}"))
}

#[tokio::test]
async fn the_operator_reads_and_sets_the_graph_token_algorithm() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let path = format!("/_gatehouse/tenants/{}", f.tenant);
        let tenant = f.tenant.to_string();
        let r = f.app.operator(Method::GET, &path, None).await;
        assert_eq!(r.body["graphTokenAlgorithm"], "RS256", "{}", r.body);

        let r = set_algorithm(&f.app, &tenant, json!({"graphTokenAlgorithm": "ES256"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["graphTokenAlgorithm"], "ES256");
        assert_eq!(r.body["displayName"], "Contoso");
        let r = f.app.operator(Method::GET, &path, None).await;
        assert_eq!(r.body["graphTokenAlgorithm"], "ES256");
        // Setting it again changes nothing; an empty patch shows the tenant.
        let r = set_algorithm(&f.app, &tenant, json!({"graphTokenAlgorithm": "ES256"})).await;
        assert_eq!(r.body["graphTokenAlgorithm"], "ES256");
        let r = set_algorithm(&f.app, &tenant, json!({})).await;
        assert_eq!(r.body["graphTokenAlgorithm"], "ES256");

        for (body, status) in [
            (
                json!({"graphTokenAlgorithm": "HS256"}),
                StatusCode::BAD_REQUEST,
            ),
            (
                json!({"graphTokenAlgorithm": "es256"}),
                StatusCode::BAD_REQUEST,
            ),
            (json!({"graphTokenAlgorithm": 256}), StatusCode::BAD_REQUEST),
            (json!({"displayName": "x"}), StatusCode::BAD_REQUEST),
        ] {
            let r = set_algorithm(&f.app, &tenant, body.clone()).await;
            assert_eq!(r.status, status, "{body}: {}", r.body);
            assert!(r.body["error"]["code"].is_string(), "{}", r.body);
        }
        let r = f.app.operator(Method::GET, &path, None).await;
        assert_eq!(r.body["graphTokenAlgorithm"], "ES256", "unchanged");
        let nobody = "2f6d1a7c-0000-4000-8000-000000000000";
        let r = set_algorithm(&f.app, nobody, json!({"graphTokenAlgorithm": "ES256"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = f
            .app
            .call(
                Method::PATCH,
                &path,
                None,
                Some(json!({"graphTokenAlgorithm": "RS256"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "no operator key");

        // The change is audited in the tenant, once.
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let updates: Vec<_> = tx
            .audit_records(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.activity_display_name == "Update Company")
            .collect();
        assert_eq!(updates.len(), 1, "{updates:?}");
        let changed = &updates[0].target_resources[0].modified_properties[0];
        assert_eq!(
            (
                changed.display_name.as_str(),
                changed.old_value.as_deref(),
                changed.new_value.as_deref()
            ),
            ("GraphTokenAlgorithm", Some("RS256"), Some("ES256"))
        );
    })
    .await;
}

#[tokio::test]
async fn es256_tenants_get_es256_graph_tokens_and_rs256_for_everything_else() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let tenant = f.tenant.to_string();
        let admin = f.user_token("admin", RW).await;
        assert_eq!(header(&admin)["alg"], "RS256", "the default");
        let (api_object, api_id) = f.register(&admin, "Contoso Reports").await;
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &format!("/applications/{api_object}"),
                Some(json!({"identifierUris": [API_URI]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(
            f.create_sp(&admin, &api_id).await.status,
            StatusCode::CREATED
        );
        let (_, app_id, secret, _) = confidential_client(&f, &admin).await;

        let r = set_algorithm(&f.app, &tenant, json!({"graphTokenAlgorithm": "ES256"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Password grant: the Graph access token is ES256, the ID token RS256.
        let r = f
            .token_request(
                &tenant,
                &[
                    ("grant_type", "password"),
                    ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e"),
                    ("username", &format!("ann@{}", f.domain)),
                    ("password", support::graph::PASSWORD),
                    ("scope", "User.Read openid profile"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let user = r.body["access_token"].as_str().unwrap().to_owned();
        let id_token = r.body["id_token"].as_str().unwrap().to_owned();
        assert_eq!(claims(&user)["aud"], GRAPH);
        assert_eq!(header(&user)["alg"], "ES256");
        assert_eq!(header(&id_token)["alg"], "RS256");
        let keys = jwks(&f).await;
        let ec = jwk(&keys, &user);
        assert_eq!(
            (&ec["kty"], &ec["crv"], &ec["alg"], &ec["use"]),
            (
                &json!("EC"),
                &json!("P-256"),
                &json!("ES256"),
                &json!("sig")
            )
        );
        assert!(ec["x"].is_string() && ec["y"].is_string() && ec.get("n").is_none());
        assert_eq!(jwk(&keys, &id_token)["kty"], "RSA");
        let r = f.call(&user, Method::GET, "/me", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["userPrincipalName"], format!("ann@{}", f.domain));

        // Client credentials: Graph tokens are ES256 and accepted; the tenant's API's are RS256.
        let r = f
            .token_request(&tenant, &credentials(&app_id, &secret, GRAPH_DEFAULT), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let app = r.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(header(&app)["alg"], "ES256");
        assert_eq!(header(&app)["kid"], header(&user)["kid"]);
        let r = f.call(&app, Method::GET, "/applications", None).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "accepted, but no role: {}",
            r.body
        );
        let api_scope = format!("{API_URI}/.default");
        let r = f
            .token_request(&tenant, &credentials(&app_id, &secret, &api_scope), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let api_token = r.body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(claims(&api_token)["aud"], api_id.as_str());
        assert_eq!(header(&api_token)["alg"], "RS256");

        // The admin's delegated token is ES256 too, and manages applications.
        let admin_es = f.user_token("admin", RW).await;
        assert_eq!(header(&admin_es)["alg"], "ES256");
        let r = f.call(&admin_es, Method::GET, "/applications", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // An ES256 signature relabelled RS256, or made by another P-256 key, is refused.
        let (head, rest) = user.split_once('.').unwrap();
        let mut relabelled = header(&user);
        relabelled["alg"] = json!("RS256");
        let relabelled = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(relabelled.to_string()));
        let foreign = {
            use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
            let rng = ring::rand::SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                    .unwrap();
            let input = user.rsplit_once('.').unwrap().0;
            let sig = pair.sign(&rng, input.as_bytes()).unwrap();
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
        };
        assert!(!head.is_empty());
        for (what, token) in [("relabelled", relabelled), ("foreign key", foreign)] {
            let r = f.call(&token, Method::GET, "/me", None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: {}", r.body);
        }

        // Back to RS256: new Graph tokens are RS256; the ES256 ones stay valid until they expire.
        let r = set_algorithm(&f.app, &tenant, json!({"graphTokenAlgorithm": "RS256"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let again = f.user_token("ann", "User.Read").await;
        assert_eq!(header(&again)["alg"], "RS256");
        let r = f.call(&user, Method::GET, "/me", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(jwk(&jwks(&f).await, &user)["kty"], "EC");
    })
    .await;
}

async fn ec_published(keys: &SigningKeys, d: &KeyDeps<'_>, t: TenantId) -> Vec<String> {
    let all = keys.published(d, t).await.unwrap();
    all.iter()
        .filter(|k| k.algorithm() == TokenAlgorithm::Es256)
        .map(|k| k.kid.clone())
        .collect()
}

async fn es256(keys: &SigningKeys, d: &KeyDeps<'_>, t: TenantId) -> Arc<Signer> {
    keys.signer_for(d, t, TokenAlgorithm::Es256).await.unwrap()
}

async fn verifies(keys: &SigningKeys, d: &KeyDeps<'_>, t: TenantId, token: &str) -> bool {
    let jwt = jwt::parse_with(token, jwt::GRAPH_ALGORITHMS).unwrap();
    let kid = jwt.header.kid.clone().unwrap();
    match keys
        .public_key_for(d, t, TokenAlgorithm::Es256, &kid)
        .await
        .unwrap()
    {
        Some(k) => jwt.verify_signature(&k).is_ok(),
        None => false,
    }
}

#[tokio::test]
async fn p256_keys_rotate_and_retired_ones_stay_published() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let app = &f.app;
        let keys = &app.state.keys;
        let d = KeyDeps {
            store: &app.state.store,
            secrets: &app.state.secrets,
            clock: app.clock.as_ref(),
            random: app.state.random.as_ref(),
        };
        let t = f.tenant;
        let advance_to = |days: i64| {
            let target = START + Duration::days(days);
            app.clock.advance(target - app.clock.now());
        };
        assert!(
            ec_published(keys, &d, t).await.is_empty(),
            "none until one signs"
        );
        let first = es256(keys, &d, t).await;
        assert_eq!(first.algorithm(), TokenAlgorithm::Es256);
        assert_eq!(ec_published(keys, &d, t).await, [first.kid.as_str()]);
        let rsa = keys.signer(&d, t).await.unwrap();
        assert_ne!(rsa.kid, first.kid, "separate keys per algorithm");

        advance_to(76);
        let next = es256(keys, &d, t).await;
        assert_eq!(next.kid, first.kid, "still signing");
        let upcoming = ec_published(keys, &d, t).await;
        assert_eq!(upcoming.len(), 2, "{upcoming:?}");
        let old_token = first.sign(&json!({"n": 1}));
        advance_to(90);
        let second = es256(keys, &d, t).await;
        assert_eq!(second.kid, upcoming[1]);
        assert_eq!(
            ec_published(keys, &d, t).await,
            upcoming,
            "the retired key stays published"
        );
        assert!(verifies(keys, &d, t, &old_token).await);
        // The RSA lookup never finds a P-256 key.
        assert!(
            keys.public_key(&d, t, &first.kid).await.unwrap().is_none(),
            "an RS256 header cannot name an EC kid"
        );
        advance_to(104);
        es256(keys, &d, t).await;
        assert_eq!(ec_published(keys, &d, t).await, [second.kid.as_str()]);
        assert!(!verifies(keys, &d, t, &old_token).await);
    })
    .await;
}
