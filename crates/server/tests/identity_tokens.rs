//! Discovery, JWKS, the password and refresh grants, and bearer authentication on the Graph API,
//! through the router on both engines.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::catalog::first_party::{GRAPH_COMMAND_LINE_TOOLS, MICROSOFT_GRAPH};
use gatehouse_domain::ids::{ObjectId, TenantId};
use serde_json::{Value, json};
use support::{Response, TestApp, each_engine};
use tower::ServiceExt as _;

const DOMAIN: &str = "defaultdirectory.gatehouse.test";
const MEMBER: &str = "ann@defaultdirectory.gatehouse.test";
const PASSWORD: &str = "Correct-Horse-7";

struct Fixture {
    app: TestApp,
    tenant: TenantId,
    member: ObjectId,
}

async fn fixture(db: gatehouse_store::testing::TestDatabase) -> Fixture {
    let app = TestApp::new(db).await;
    let tenant = app.bootstrap_tenant().await;
    let member = app.add_member(tenant, MEMBER, "Ann Member", PASSWORD).await;
    Fixture {
        member,
        app,
        tenant,
    }
}

async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    support::read(app.router().oneshot(req).await.unwrap()).await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn password_grant(
    app: &TestApp,
    tenant: &str,
    user: &str,
    password: &str,
    scope: &str,
) -> Response {
    let client = GRAPH_COMMAND_LINE_TOOLS.to_string();
    form(
        app,
        &format!("/{tenant}/oauth2/v2.0/token"),
        &[
            ("grant_type", "password"),
            ("client_id", &client),
            ("username", user),
            ("password", password),
            ("scope", scope),
            ("client_info", "1"),
        ],
    )
    .await
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn aadsts(r: &Response) -> i64 {
    r.body["error_codes"][0]
        .as_i64()
        .unwrap_or_else(|| panic!("not an OAuth error: {}", r.body))
}

async fn me(app: &TestApp, token: &str) -> Response {
    let req = Request::get("/v1.0/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    support::read(app.router().oneshot(req).await.unwrap()).await
}

#[tokio::test]
async fn discovery_names_the_tenant_and_its_keys() {
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    for segment in [tid.as_str(), DOMAIN] {
        let r = f
            .app
            .call(
                Method::GET,
                &format!("/{segment}/v2.0/.well-known/openid-configuration"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.body["issuer"],
            format!("https://localhost:8443/{tid}/v2.0")
        );
        assert_eq!(
            r.body["token_endpoint"],
            format!("https://localhost:8443/{tid}/oauth2/v2.0/token")
        );
        assert_eq!(
            r.body["jwks_uri"],
            format!("https://localhost:8443/{tid}/discovery/v2.0/keys")
        );
        assert_eq!(
            r.body["token_endpoint_auth_methods_supported"],
            json!([
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic"
            ])
        );
    }
    let common = f
        .app
        .call(
            Method::GET,
            "/common/v2.0/.well-known/openid-configuration",
            None,
            None,
        )
        .await;
    assert_eq!(
        common.body["issuer"],
        "https://localhost:8443/{tenantid}/v2.0"
    );
    assert_eq!(
        common.body["token_endpoint"],
        "https://localhost:8443/common/oauth2/v2.0/token"
    );
    let unknown = f
        .app
        .call(
            Method::GET,
            "/nowhere.example/v2.0/.well-known/openid-configuration",
            None,
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(aadsts(&unknown), 90002);
    assert!(
        unknown.body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS90002: Tenant 'nowhere.example' not found.")
    );

    let jwks = f
        .app
        .call(
            Method::GET,
            &format!("/{tid}/discovery/v2.0/keys"),
            None,
            None,
        )
        .await;
    let keys = jwks.body["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "RSA");
    assert!(
        keys[0]["kid"].is_string() && keys[0]["x5t"].is_string() && keys[0]["x5c"][0].is_string()
    );
    let realm = f
        .app
        .call(
            Method::GET,
            &format!("/common/userrealm/{MEMBER}?api-version=1.0"),
            None,
            None,
        )
        .await;
    assert_eq!(realm.body["account_type"], "Managed");
    let realm = f
        .app
        .call(
            Method::GET,
            "/common/userrealm/x@unknown.example?api-version=1.0",
            None,
            None,
        )
        .await;
    assert_eq!(realm.body["account_type"], "Unknown");
}

#[tokio::test]
async fn the_password_grant_issues_entra_shaped_tokens_that_graph_accepts() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let r = password_grant(
            &f.app,
            DOMAIN,
            MEMBER,
            PASSWORD,
            "User.Read openid profile offline_access",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.body["token_type"], "Bearer");
        assert_eq!(r.body["scope"], "User.Read profile openid");
        assert!(r.body["expires_in"].as_i64().unwrap() >= 3600);
        let access = claims(r.body["access_token"].as_str().unwrap());
        assert_eq!(access["aud"], MICROSOFT_GRAPH.to_string());
        assert_eq!(access["iss"], format!("https://localhost:8443/{tid}/v2.0"));
        assert_eq!(access["tid"], tid);
        assert_eq!(access["oid"], f.member.to_string());
        assert_eq!(access["scp"], "User.Read profile openid");
        assert_eq!(access["azp"], GRAPH_COMMAND_LINE_TOOLS.to_string());
        assert_eq!(access["ver"], "2.0");
        assert_eq!(access["preferred_username"], MEMBER);
        assert_eq!(
            access["wids"],
            json!(["b79fbf4d-3ef9-4689-8143-76b194e85509"])
        );
        let id = claims(r.body["id_token"].as_str().unwrap());
        assert_eq!(id["aud"], GRAPH_COMMAND_LINE_TOOLS.to_string());
        assert_eq!(id["preferred_username"], MEMBER);
        assert_ne!(
            id["sub"], access["sub"],
            "subjects are pairwise per application"
        );
        let info: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(r.body["client_info"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(info, json!({"uid": f.member.to_string(), "utid": tid}));
        assert!(r.body["refresh_token"].is_string());

        let profile = me(&f.app, r.body["access_token"].as_str().unwrap()).await;
        assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
        assert_eq!(profile.body["userPrincipalName"], MEMBER);
        assert_eq!(profile.body["id"], f.member.to_string());
        assert_eq!(
            profile.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#users/$entity"
        );

        // The userinfo endpoint answers with the ID token's (pairwise) subject.
        let req = Request::get("/oidc/userinfo")
            .header(
                "authorization",
                format!("Bearer {}", r.body["access_token"].as_str().unwrap()),
            )
            .body(Body::empty())
            .unwrap();
        let info = support::read(f.app.router().oneshot(req).await.unwrap()).await;
        assert_eq!(info.status, StatusCode::OK, "{}", info.body);
        assert_eq!(info.body["sub"], id["sub"]);
        assert_eq!(info.body["name"], "Ann Member");

        // `/common` finds the tenant from the sign-in name; `.default` means everything consented.
        let common = password_grant(
            &f.app,
            "common",
            MEMBER,
            PASSWORD,
            "https://graph.microsoft.com/.default",
        )
        .await;
        assert_eq!(common.status, StatusCode::OK, "{}", common.body);
        assert!(
            claims(common.body["access_token"].as_str().unwrap())["scp"]
                .as_str()
                .unwrap()
                .contains("Directory.AccessAsUser.All")
        );
        assert!(
            common.body.get("refresh_token").is_none(),
            "no offline_access, no refresh token"
        );
    })
    .await;
}

#[tokio::test]
async fn the_password_grant_refuses_with_entras_codes() {
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let cases = [
        (MEMBER, "wrong-Password-1", "User.Read", 50126),
        (
            "nobody@defaultdirectory.gatehouse.test",
            PASSWORD,
            "User.Read",
            50034,
        ),
        // A permission Gatehouse's Graph does not expose (consent: tests/consent.rs).
        (MEMBER, PASSWORD, "Mail.Read", 70011),
        (MEMBER, PASSWORD, "api://someone-else/Read", 500011),
        (MEMBER, PASSWORD, "User.Read api://someone-else/Read", 70011),
    ];
    for (user, password, scope, code) in cases {
        let r = password_grant(&f.app, DOMAIN, user, password, scope).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{user} {scope}");
        assert_eq!(aadsts(&r), code, "{}", r.body);
        assert!(
            r.body["error_description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("AADSTS{code}: "))
        );
        assert!(
            r.body["trace_id"].is_string()
                && r.body["correlation_id"].is_string()
                && r.body["timestamp"].is_string()
        );
    }
    // The Global Administrator must use MFA under security defaults.
    let admin = password_grant(
        &f.app,
        DOMAIN,
        "admin@defaultdirectory.gatehouse.test",
        "irrelevant-but-Valid-1",
        "User.Read",
    )
    .await;
    assert_eq!(aadsts(&admin), 50126, "the password is checked first");
    let client = GRAPH_COMMAND_LINE_TOOLS.to_string();
    let path = format!("/{DOMAIN}/oauth2/v2.0/token");
    let r = form(&f.app, &path, &[("client_id", &client)]).await;
    assert_eq!(aadsts(&r), 900144);
    let r = form(
        &f.app,
        &path,
        &[("grant_type", "urn:example:nope"), ("client_id", &client)],
    )
    .await;
    assert_eq!(r.body["error"], "unsupported_grant_type");
    let unknown_client = uuid::Uuid::new_v4().to_string();
    let r = form(
        &f.app,
        &path,
        &[
            ("grant_type", "password"),
            ("client_id", &unknown_client),
            ("username", MEMBER),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(aadsts(&r), 700016);
    let r = form(
        &f.app,
        &path,
        &[
            ("grant_type", "password"),
            ("client_id", &client),
            ("client_secret", "x"),
            ("username", MEMBER),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(aadsts(&r), 700025);
    // Disabled accounts are refused.
    set_enabled(&f, false).await;
    assert_eq!(
        aadsts(&password_grant(&f.app, DOMAIN, MEMBER, PASSWORD, "User.Read").await),
        50057
    );
}

async fn set_enabled(f: &Fixture, enabled: bool) {
    let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
    tx.set_account_enabled(f.member, enabled).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn mfa_is_required_for_administrators_under_security_defaults() {
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    // Give the member the Global Administrator role: now the password alone is not enough.
    let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
    tx.insert_role_assignment(&gatehouse_domain::role::RoleAssignment {
        id: ObjectId::generate(f.app.state.random.as_ref()),
        role_definition_id: gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR,
        principal_id: f.member,
        directory_scope_id: "/".into(),
        created: support::START,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = password_grant(&f.app, DOMAIN, MEMBER, PASSWORD, "User.Read").await;
    assert_eq!(aadsts(&r), 50076, "{}", r.body);
}

async fn refresh(app: &TestApp, token: &str) -> Response {
    let client = GRAPH_COMMAND_LINE_TOOLS.to_string();
    form(
        app,
        "/common/oauth2/v2.0/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", token),
            ("scope", "User.Read offline_access openid"),
        ],
    )
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replay_revokes_the_family() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let first = password_grant(
            &f.app,
            DOMAIN,
            MEMBER,
            PASSWORD,
            "User.Read openid offline_access",
        )
        .await;
        let rt1 = first.body["refresh_token"].as_str().unwrap().to_owned();
        let second = refresh(&f.app, &rt1).await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.body);
        let rt2 = second.body["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(rt1, rt2);
        assert_ne!(first.body["access_token"], second.body["access_token"]);
        assert_eq!(
            me(&f.app, second.body["access_token"].as_str().unwrap())
                .await
                .status,
            StatusCode::OK
        );
        // Replaying rt1 fails and ends the family: rt2 stops working too.
        assert_eq!(aadsts(&refresh(&f.app, &rt1).await), 70008);
        assert_eq!(aadsts(&refresh(&f.app, &rt2).await), 70008);
        assert_eq!(aadsts(&refresh(&f.app, "garbage").await), 9002313);
    })
    .await;
}

#[tokio::test]
async fn refresh_tokens_end_with_revocation_and_inactivity() {
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let rt = password_grant(&f.app, DOMAIN, MEMBER, PASSWORD, "User.Read offline_access")
        .await
        .body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    f.app.clock.advance(time::Duration::days(91));
    assert_eq!(aadsts(&refresh(&f.app, &rt).await), 700082);

    let rt = password_grant(&f.app, DOMAIN, MEMBER, PASSWORD, "User.Read offline_access")
        .await
        .body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    f.app.clock.advance(time::Duration::minutes(1));
    let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
    tx.set_sign_in_sessions_valid_from(f.member, f.app.state.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(aadsts(&refresh(&f.app, &rt).await), 50173);
}

#[tokio::test]
async fn graph_rejects_bad_tokens_with_401_and_a_challenge() {
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let r = password_grant(&f.app, DOMAIN, MEMBER, PASSWORD, "User.Read openid").await;
    let good = r.body["access_token"].as_str().unwrap().to_owned();
    let (header, payload, signature) = {
        let mut p = good.split('.');
        (
            p.next().unwrap().to_owned(),
            p.next().unwrap().to_owned(),
            p.next().unwrap().to_owned(),
        )
    };
    let mut forged_claims = claims(&good);
    forged_claims["oid"] = json!(uuid::Uuid::new_v4().to_string());
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged_claims).unwrap());
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    // Algorithm confusion: the tenant's RSA key named by its kid, with another algorithm.
    let kid =
        serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(&header).unwrap()).unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_owned();
    let jwks = f
        .app
        .call(
            Method::GET,
            &format!("/{DOMAIN}/discovery/v2.0/keys"),
            None,
            None,
        )
        .await;
    let jwk = jwks.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap()
        .clone();
    let cert_der = base64::engine::general_purpose::STANDARD
        .decode(jwk["x5c"][0].as_str().unwrap())
        .unwrap();
    let with_header = |h: Value, sign: &dyn Fn(&[u8]) -> Vec<u8>| {
        let h = URL_SAFE_NO_PAD.encode(h.to_string());
        // The genuine claims, so that only the algorithm and signature are wrong.
        let input = format!("{h}.{payload}");
        let sig = URL_SAFE_NO_PAD.encode(sign(input.as_bytes()));
        format!("{input}.{sig}")
    };
    let hs256 = |key: Vec<u8>| {
        move |input: &[u8]| {
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
            ring::hmac::sign(&k, input).as_ref().to_vec()
        }
    };
    let es256 = |input: &[u8]| {
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        pair.sign(&rng, input).unwrap().as_ref().to_vec()
    };
    let confused = [
        (
            "HS256 keyed with the certificate",
            with_header(
                json!({"alg": "HS256", "kid": kid}),
                &hs256(cert_der.clone()),
            ),
        ),
        (
            "HS256 keyed with the modulus",
            with_header(
                json!({"alg": "HS256", "kid": kid}),
                &hs256(jwk["n"].as_str().unwrap().as_bytes().to_vec()),
            ),
        ),
        (
            "ES256 (an attacker's key) with the RSA key's kid",
            with_header(json!({"alg": "ES256", "kid": kid}), &es256),
        ),
        (
            "alg none with the RSA key's kid",
            format!(
                "{}.{payload}.",
                URL_SAFE_NO_PAD.encode(json!({"alg": "none", "kid": kid}).to_string())
            ),
        ),
    ];
    let bad_tokens = [
        ("tampered", format!("{header}.{forged_payload}.{signature}")),
        ("alg none", format!("{none_header}.{payload}.")),
        ("garbage", "not-a-jwt".to_owned()),
        (
            "id token (wrong audience)",
            r.body["id_token"].as_str().unwrap().to_owned(),
        ),
    ];
    for (what, token) in bad_tokens.into_iter().chain(confused) {
        let r = me(&f.app, &token).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(
            r.body["error"]["code"], "InvalidAuthenticationToken",
            "{what}"
        );
        assert!(
            r.header("www-authenticate")
                .unwrap()
                .starts_with("Bearer realm=\"\""),
            "{what}"
        );
    }
    let none = f.app.call(Method::GET, "/v1.0/me", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.body["error"]["message"], "Access token is empty.");

    assert_eq!(me(&f.app, &good).await.status, StatusCode::OK);
    set_enabled(&f, false).await;
    assert_eq!(
        me(&f.app, &good).await.status,
        StatusCode::UNAUTHORIZED,
        "a disabled user is refused even with a valid token"
    );
    set_enabled(&f, true).await;
    assert_eq!(me(&f.app, &good).await.status, StatusCode::OK);
    f.app.clock.advance(time::Duration::hours(2));
    assert_eq!(
        me(&f.app, &good).await.status,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
}
