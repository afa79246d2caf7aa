//! Customer-registered applications as OAuth clients, in-process on both engines: certificates
//! through Graph (keyCredentials, addKey/removeKey with proof of possession), every client
//! authentication method at the token endpoint with each failure's AADSTS code, and the
//! authorization code flow for web (secret or private_key_jwt), SPA and public clients.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::browser::{Browser, html, params};
use support::certs::{TestCert, cert};
use support::graph::{
    Fixture, GRAPH_DEFAULT, PASSWORD, RW, aadsts, claims, confidential_client, fixture,
    urlencode as enc,
};
use support::{Response, START, each_engine};
use time::Duration;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const PROOF_AUDIENCE: &str = "00000002-0000-0000-c000-000000000000";
const WEB: &str = "https://app.example.com/signin-oidc";
const SPA: &str = "https://spa.example.com";
const VERIFIER: &str = "dBjftJeZ4CVP-1mB0JxbjXIcIZm5xWYQFiLbC2hxx2c";

fn challenge(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

fn year_cert(seed: u8, cn: &str) -> TestCert {
    cert(
        seed,
        cn,
        START - Duration::days(1),
        START + Duration::days(365),
    )
}

async fn patch_keys(f: &Fixture, token: &str, id: &str, keys: Value) -> Response {
    f.call(
        token,
        Method::PATCH,
        &format!("/applications/{id}"),
        Some(json!({ "keyCredentials": keys })),
    )
    .await
}

fn new_key(c: &TestCert) -> Value {
    json!({"type": "AsymmetricX509Cert", "usage": "Verify", "key": c.base64()})
}

async fn keys_of(f: &Fixture, token: &str, id: &str) -> Vec<Value> {
    let r = f
        .call(token, Method::GET, &format!("/applications/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["keyCredentials"].as_array().unwrap().clone()
}

/// An addKey/removeKey proof signed by `c` for the application `object_id`.
fn proof(c: &TestCert, object_id: &str, now: i64, lifetime: i64) -> String {
    c.sign(
        json!({"alg": "RS256", "typ": "JWT", "x5t": c.x5t()}),
        json!({"aud": PROOF_AUDIENCE, "iss": object_id, "nbf": now, "exp": now + lifetime}),
    )
}

#[tokio::test]
async fn certificates_are_managed_through_graph_with_proof_of_possession() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (id, _) = f.register(&admin, "Daemon").await;
        let now = START.unix_timestamp();
        let first = year_cert(1, "daemon");

        // addKey needs an existing valid certificate to prove possession of.
        let add = |body: Value| {
            let f = &f;
            let admin = admin.clone();
            let id = id.clone();
            async move {
                f.call(&admin, Method::POST, &format!("/applications/{id}/addKey"), Some(body))
                    .await
            }
        };
        let second = year_cert(2, "second");
        let r = add(json!({"keyCredential": new_key(&second), "proof": proof(&first, &id, now, 600)})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        let r = patch_keys(&f, &admin, &id, json!([new_key(&first)])).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let keys = keys_of(&f, &admin, &id).await;
        assert_eq!(keys.len(), 1);
        let k = &keys[0];
        assert_eq!(k["key"], Value::Null, "the certificate is never returned");
        assert_eq!(k["type"], "AsymmetricX509Cert");
        assert_eq!(k["usage"], "Verify");
        assert_eq!(k["customKeyIdentifier"], first.thumbprint_base64());
        assert_eq!(k["displayName"], "CN=daemon");
        assert_eq!(k["startDateTime"], "2026-11-22T12:00:00Z");
        assert_eq!(k["endDateTime"], "2027-11-23T12:00:00Z");
        let first_id = k["keyId"].as_str().unwrap().to_owned();
        let list = f.call(&admin, Method::GET, "/applications", None).await;
        let listed = list.body["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id.as_str())
            .unwrap();
        assert_eq!(listed["keyCredentials"], json!(keys));

        // Malformed and expired certificates are refused with Graph's 400.
        let expired = cert(3, "old", START - Duration::days(400), START - Duration::days(1));
        for bad in [
            json!([{"type": "AsymmetricX509Cert", "usage": "Verify", "key": "bm90IGEgY2VydGlmaWNhdGU="}]),
            json!([{"type": "AsymmetricX509Cert", "usage": "Verify", "key": "%%%"}]),
            json!([new_key(&expired)]),
            json!([{"type": "Symmetric", "usage": "Verify", "key": first.base64()}]),
            json!([{"type": "AsymmetricX509Cert", "usage": "Verify"}]),
        ] {
            let r = patch_keys(&f, &admin, &id, bad.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
            assert_eq!(r.body["error"]["code"], "Request_BadRequest");
        }
        assert_eq!(keys_of(&f, &admin, &id).await.len(), 1, "nothing half-written");

        // addKey: a proof by the registered certificate, for this app, at most 10 minutes long.
        let stranger = year_cert(4, "stranger");
        for bad in [
            json!({"keyCredential": new_key(&second)}),
            json!({"keyCredential": new_key(&second), "proof": "not.a.jwt"}),
            json!({"keyCredential": new_key(&second), "proof": proof(&stranger, &id, now, 600)}),
            json!({"keyCredential": new_key(&second), "proof": proof(&first, &id, now, 1200)}),
            json!({"keyCredential": new_key(&second), "proof": proof(&first, "00000000-0000-0000-0000-000000000001", now, 600)}),
            json!({"keyCredential": new_key(&second), "proof": proof(&first, &id, now - 3600, 600)}),
        ] {
            let r = add(bad.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        }
        let ann = f.user_token("ann", RW).await;
        let r = f
            .call(
                &ann,
                Method::POST,
                &format!("/applications/{id}/addKey"),
                Some(json!({"keyCredential": new_key(&second), "proof": proof(&first, &id, now, 600)})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = add(json!({
            "keyCredential": {"type": "AsymmetricX509Cert", "usage": "Verify", "key": second.base64(), "displayName": "Rotation 2"},
            "passwordCredential": null,
            "proof": proof(&first, &id, now, 600),
        }))
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["key"], Value::Null);
        assert_eq!(r.body["displayName"], "Rotation 2");
        assert_eq!(r.body["customKeyIdentifier"], second.thumbprint_base64());
        let second_id = r.body["keyId"].as_str().unwrap().to_owned();
        assert_eq!(keys_of(&f, &admin, &id).await.len(), 2);

        // removeKey needs a proof too.
        let remove = |body: Value| {
            let f = &f;
            let admin = admin.clone();
            let id = id.clone();
            async move {
                f.call(&admin, Method::POST, &format!("/applications/{id}/removeKey"), Some(body))
                    .await
            }
        };
        let r = remove(json!({"keyId": second_id})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        let r = remove(json!({"keyId": second_id, "proof": proof(&second, &id, now, 600)})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let keys = keys_of(&f, &admin, &id).await;
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0]["keyId"], first_id.as_str());

        // PATCH keeps a certificate named by keyId without its key, and [] removes them all.
        let r = patch_keys(&f, &admin, &id, json!([{"keyId": first_id}])).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(keys_of(&f, &admin, &id).await.len(), 1);
        let r = patch_keys(&f, &admin, &id, json!([])).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert!(keys_of(&f, &admin, &id).await.is_empty());

        // Every change was audited as Entra names it.
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let audits = tx.audit_records(1000).await.unwrap();
        let managed = audits
            .iter()
            .filter(|a| a.activity_display_name == "Update application – Certificates and secrets management")
            .count();
        assert_eq!(managed, 2, "addKey and removeKey");
    })
    .await;
}

fn token_endpoint(segment: &str) -> String {
    format!("https://localhost:8443/{segment}/oauth2/v2.0/token")
}

fn with_assertion<'a>(app_id: &'a str, assertion: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", app_id),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
        ("scope", GRAPH_DEFAULT),
    ]
}

#[tokio::test]
async fn private_key_jwt_authenticates_confidential_clients_once_per_assertion() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (id, app_id, secret, _) = confidential_client(&f, &admin).await;
        let tid = f.tenant.to_string();
        let good = year_cert(1, "daemon");
        let short = cert(5, "short", START - Duration::days(1), START + Duration::days(2));
        let r = patch_keys(&f, &admin, &id, json!([new_key(&good), new_key(&short)])).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let now = START;
        let t = now.unix_timestamp();
        let aud = token_endpoint(&tid);

        // MSAL's form: x5t, RS256. It works once; the same assertion again is a replay.
        let assertion = good.assertion(&app_id, &aud, now, "jti-1");
        let r = send(&f, with_assertion(&app_id, &assertion), &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let at = claims(r.body["access_token"].as_str().unwrap());
        assert_eq!(at["azp"], app_id.as_str());
        assert_eq!(at["idtyp"], "app");
        assert_eq!(at["azpacr"], "2", "authenticated by certificate");
        let r = send(&f, with_assertion(&app_id, &assertion), &tid).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(r.body["error"], "invalid_client");
        assert_eq!(aadsts(&r), 50027);

        // PS256 named by x5t#S256; RS256 named by kid (hex thumbprint); the domain as audience;
        // client_id left out (the assertion's sub names the client).
        let ps = good.sign(
            json!({"alg": "PS256", "typ": "JWT", "x5t#S256": good.x5t_s256()}),
            json!({"iss": app_id, "sub": app_id, "aud": aud, "nbf": t, "exp": t + 600, "jti": "jti-2"}),
        );
        let r = send(&f, with_assertion(&app_id, &ps), &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // MSAL for Python pads its x5t ("...="); Entra accepts that too.
        let padded = good.sign(
            json!({"alg": "RS256", "typ": "JWT", "x5t": format!("{}=", good.x5t())}),
            json!({"iss": app_id, "sub": app_id, "aud": aud, "nbf": t, "exp": t + 600, "jti": "jti-padded"}),
        );
        let r = send(&f, with_assertion(&app_id, &padded), &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        use sha1::Digest as _;
        let hex: String = sha1::Sha1::digest(&good.der).iter().map(|b| format!("{b:02X}")).collect();
        let by_kid = good.sign(
            json!({"alg": "RS256", "kid": hex}),
            json!({"iss": app_id, "sub": app_id, "aud": token_endpoint(&f.domain), "exp": t + 600, "jti": "jti-3"}),
        );
        let mut fields = with_assertion(&app_id, &by_kid);
        fields.retain(|(k, _)| *k != "client_id");
        let r = send(&f, fields, &f.domain).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Every failure with Entra's code.
        let stranger = year_cert(4, "stranger");
        let forged = stranger.sign(
            json!({"alg": "RS256", "x5t": good.x5t()}),
            json!({"iss": app_id, "sub": app_id, "aud": aud, "exp": t + 600, "jti": "f"}),
        );
        let claims_with = |extra: Value, jti: &str| {
            let mut c = json!({"iss": app_id, "sub": app_id, "aud": aud, "nbf": t, "exp": t + 600, "jti": jti});
            for (k, v) in extra.as_object().unwrap() {
                c[k] = v.clone();
            }
            good.sign(json!({"alg": "RS256", "x5t": good.x5t()}), c)
        };
        let none_alg = format!(
            "{}.{}.",
            base64_url(&json!({"alg": "none", "x5t": good.x5t()})),
            base64_url(&json!({"iss": app_id, "sub": app_id, "aud": aud, "exp": t + 600, "jti": "n"}))
        );
        let cases: Vec<(&str, String, u64)> = vec![
            ("unregistered certificate", stranger.assertion(&app_id, &aud, now, "u"), 700027),
            ("bad signature", forged, 700027),
            ("no key named", good.sign(json!({"alg": "RS256"}), json!({"iss": app_id, "sub": app_id, "aud": aud, "exp": t + 600, "jti": "k"})), 700027),
            ("wrong audience", claims_with(json!({"aud": "https://login.microsoftonline.com/common/oauth2/v2.0/token"}), "a"), 700023),
            ("other tenant's endpoint", claims_with(json!({"aud": token_endpoint("00000000-0000-0000-0000-000000000000")}), "a2"), 700023),
            ("issuer is not the client", claims_with(json!({"iss": "someone-else"}), "i"), 700021),
            ("subject is not the client", claims_with(json!({"sub": "someone-else"}), "s"), 700021),
            ("expired", claims_with(json!({"nbf": t - 1200, "exp": t - 600}), "e"), 700024),
            ("not yet valid", claims_with(json!({"nbf": t + 900, "exp": t + 1200}), "y"), 700024),
            ("no jti", good.sign(json!({"alg": "RS256", "x5t": good.x5t()}), json!({"iss": app_id, "sub": app_id, "aud": aud, "exp": t + 600})), 50027),
            ("alg none", none_alg, 50027),
            ("not a JWT", "abc.def".to_owned(), 50027),
        ];
        for (name, assertion, code) in cases {
            let r = send(&f, with_assertion(&app_id, &assertion), &tid).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}: {}", r.body);
            assert_eq!(aadsts(&r), code, "{name}: {}", r.body);
            assert!(
                r.body["error_description"].as_str().unwrap().starts_with(&format!("AADSTS{code}: ")),
                "{name}"
            );
        }

        // Malformed combinations.
        let fresh = good.assertion(&app_id, &aud, now, "m1");
        let mut wrong_type = with_assertion(&app_id, &fresh);
        wrong_type[2].1 = "urn:example:other";
        let mut both = with_assertion(&app_id, &fresh);
        both.push(("client_secret", &secret));
        for (name, fields) in [("assertion type", wrong_type), ("secret and assertion", both)] {
            let r = send(&f, fields, &tid).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
            assert_eq!(aadsts(&r), 9002313, "{name}");
        }

        // client_secret_basic, and no credential at all.
        let basic = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{app_id}:{}", enc(&secret)),
        );
        let r = f
            .token_request(
                &tid,
                &[("grant_type", "client_credentials"), ("scope", GRAPH_DEFAULT)],
                Some(format!("Basic {basic}")),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = send(&f,
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &app_id),
                ("scope", GRAPH_DEFAULT),
            ],
            &tid,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(aadsts(&r), 7000218);

        // A certificate past its end: 7000222, while the other still works.
        f.app.clock.advance(Duration::days(3));
        let later = START + Duration::days(3);
        let r = send(&f,
            with_assertion(&app_id, &short.assertion(&app_id, &aud, later, "late-1")),
            &tid,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(aadsts(&r), 7000222);
        let r = send(&f,
            with_assertion(&app_id, &good.assertion(&app_id, &aud, later, "late-2")),
            &tid,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    })
    .await;
}

async fn send(f: &Fixture, fields: Vec<(&str, &str)>, segment: &str) -> Response {
    f.token_request(segment, &fields, None).await
}

fn base64_url(v: &Value) -> String {
    base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        v.to_string(),
    )
}

fn authorize_url(tid: &str, client: &str, redirect: &str, pkce: bool) -> String {
    let pkce = if pkce {
        format!(
            "&code_challenge={}&code_challenge_method=S256",
            challenge(VERIFIER)
        )
    } else {
        String::new()
    };
    format!(
        "/{tid}/oauth2/v2.0/authorize?client_id={client}&response_type=code&redirect_uri={}&scope={}&state=st&nonce=n-42{pkce}",
        enc(redirect),
        enc("openid profile email offline_access"),
    )
}

/// A registered app with web, SPA and public-client redirect URIs, a secret, a certificate and a
/// service principal: (object id, appId, secret, certificate).
async fn registered_app(f: &Fixture, admin: &str) -> (String, String, String, TestCert) {
    let (id, app_id, secret, _) = confidential_client(f, admin).await;
    let c = year_cert(1, "web");
    let r = f
        .call(
            admin,
            Method::PATCH,
            &format!("/applications/{id}"),
            Some(json!({
                "web": {"redirectUris": [WEB]},
                "spa": {"redirectUris": [SPA]},
                "publicClient": {"redirectUris": ["http://localhost"]},
                "keyCredentials": [new_key(&c)],
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    f.admin_consent(&app_id, "openid profile email offline_access User.Read")
        .await;
    (id, app_id, secret, c)
}

/// Signs ann in for `client` at `redirect`; returns the code.
async fn code(f: &Fixture, client: &str, redirect: &str, pkce: bool) -> String {
    let tid = f.tenant.to_string();
    let mut b = Browser::default();
    let upn = format!("ann@{}", f.domain);
    let r = b
        .sign_in(
            &f.app,
            &tid,
            &authorize_url(&tid, client, redirect, pkce),
            &upn,
            PASSWORD,
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{:?}", r.body);
    assert!(r.header("location").unwrap().starts_with(redirect));
    let p = params(&r, "query");
    assert_eq!(p["state"], "st");
    p.get("code").unwrap_or_else(|| panic!("{p:?}")).clone()
}

fn redeem_fields<'a>(client: &'a str, code: &'a str, redirect: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("client_id", client),
        ("code", code),
        ("redirect_uri", redirect),
    ]
}

#[tokio::test]
async fn registered_web_apps_redeem_codes_with_a_secret_or_a_certificate() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (_, app_id, secret, c) = registered_app(&f, &admin).await;
        let tid = f.tenant.to_string();

        // Web redirect URIs need no PKCE; the code needs the client's credential.
        let code1 = code(&f, &app_id, WEB, false).await;
        let r = send(&f, redeem_fields(&app_id, &code1, WEB), &tid).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(aadsts(&r), 7000218);
        let mut wrong = redeem_fields(&app_id, &code1, "https://app.example.com/other");
        wrong.push(("client_secret", &secret));
        let r = send(&f, wrong, &tid).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"], "invalid_grant");
        // Another confidential client cannot redeem it.
        let (_, other_id, other_secret, _) = confidential_client(&f, &admin).await;
        let mut other = redeem_fields(&other_id, &code1, WEB);
        other.push(("client_secret", &other_secret));
        let r = send(&f, other, &tid).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(aadsts(&r), 700005);
        let mut ok = redeem_fields(&app_id, &code1, WEB);
        ok.push(("client_secret", &secret));
        let r = send(&f, ok.clone(), &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id_token = claims(r.body["id_token"].as_str().unwrap());
        assert_eq!(id_token["aud"], app_id.as_str());
        assert_eq!(id_token["nonce"], "n-42");
        let r = send(&f, ok, &tid).await;
        assert_eq!(aadsts(&r), 54005, "{}", r.body);

        // The same flow with private_key_jwt.
        let code2 = code(&f, &app_id, WEB, false).await;
        let assertion = c.assertion(&app_id, &token_endpoint(&tid), START, "code-2");
        let mut fields = redeem_fields(&app_id, &code2, WEB);
        fields.extend([
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion.as_str()),
        ]);
        let r = send(&f, fields, &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Its refresh token needs the credential too (a web app is confidential).
        let rt = r.body["refresh_token"].as_str().unwrap();
        let mut fields = vec![
            ("grant_type", "refresh_token"),
            ("client_id", app_id.as_str()),
            ("refresh_token", rt),
        ];
        let r = send(&f, fields.clone(), &tid).await;
        assert_eq!(aadsts(&r), 7000218, "{}", r.body);
        fields.push(("client_secret", secret.as_str()));
        let r = send(&f, fields, &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn spa_and_public_clients_need_pkce_and_no_credential() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (_, app_id, secret, _) = registered_app(&f, &admin).await;
        let tid = f.tenant.to_string();

        // Without PKCE, a SPA or public-client redirect gets the error at its redirect URI.
        for redirect in [SPA, "http://localhost:8400/"] {
            let r = f
                .app
                .call(
                    Method::GET,
                    &authorize_url(&tid, &app_id, redirect, false),
                    None,
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::FOUND, "{redirect}");
            let p = params(&r, "query");
            assert_eq!(p["error"], "invalid_request", "{redirect}");
            assert!(p["error_description"].starts_with("AADSTS9002325"), "{p:?}");
        }

        // SPA: a secret is refused (public client), the verifier alone redeems.
        let spa_code = code(&f, &app_id, SPA, true).await;
        let mut with_secret = redeem_fields(&app_id, &spa_code, SPA);
        with_secret.extend([
            ("client_secret", secret.as_str()),
            ("code_verifier", VERIFIER),
        ]);
        let r = send(&f, with_secret, &tid).await;
        assert_eq!(aadsts(&r), 700025, "{}", r.body);
        let r = send(&f, redeem_fields(&app_id, &spa_code, SPA), &tid).await;
        assert_eq!(aadsts(&r), 9002325, "{}", r.body);
        let mut ok = redeem_fields(&app_id, &spa_code, SPA);
        ok.push(("code_verifier", VERIFIER));
        let r = send(&f, ok, &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // Public client registered as http://localhost: any port at run time.
        let loopback = "http://localhost:53100";
        let public_code = code(&f, &app_id, loopback, true).await;
        let mut ok = redeem_fields(&app_id, &public_code, loopback);
        ok.push(("code_verifier", VERIFIER));
        let r = send(&f, ok, &tid).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn unregistered_redirect_uris_never_receive_a_redirect() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (_, app_id, _, _) = registered_app(&f, &admin).await;
        let tid = f.tenant.to_string();
        for redirect in [
            "https://evil.example/cb",
            "https://app.example.com/signin-oidc/",
            "https://APP.example.com/signin-oidc",
            "https://app.example.com/signin-oidc?x=1",
            "https://spa.example.com/",
            "http://localhost:8400/other",
            "http://127.0.0.1:8400/",
        ] {
            let r = f
                .app
                .call(
                    Method::GET,
                    &authorize_url(&tid, &app_id, redirect, true),
                    None,
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{redirect}");
            assert!(r.header("location").is_none(), "{redirect}");
            assert!(html(&r).contains("AADSTS50011"), "{redirect}");
        }
        // Registered apps need a tenant in the authority; an unknown client gets the error page.
        let r = f
            .app
            .call(
                Method::GET,
                &authorize_url("organizations", &app_id, WEB, true),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(html(&r).contains("AADSTS700016"));
    })
    .await;
}

#[tokio::test]
async fn fallback_public_clients_use_the_password_grant_without_a_credential() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (id, app_id, secret, _) = confidential_client(&f, &admin).await;
        f.admin_consent(&app_id, "openid profile").await;
        let tid = f.tenant.to_string();
        let upn = format!("ann@{}", f.domain);
        let grant = |extra: Option<(&'static str, String)>| {
            let mut fields = vec![
                ("grant_type", "password".to_owned()),
                ("client_id", app_id.clone()),
                ("username", upn.clone()),
                ("password", PASSWORD.to_owned()),
                ("scope", "openid profile".to_owned()),
            ];
            fields.extend(extra);
            fields
        };
        let run = |fields: Vec<(&'static str, String)>| {
            let f = &f;
            let tid = tid.clone();
            async move {
                let borrowed: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                f.token_request(&tid, &borrowed, None).await
            }
        };
        // A confidential client must authenticate...
        let r = run(grant(None)).await;
        assert_eq!(aadsts(&r), 7000218, "{}", r.body);
        let r = run(grant(Some(("client_secret", secret.clone())))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // ...until it is marked a fallback public client.
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &format!("/applications/{id}"),
                Some(json!({"isFallbackPublicClient": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = run(grant(None)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            claims(r.body["access_token"].as_str().unwrap())["azp"],
            app_id.as_str()
        );
        // A wrong secret is still refused.
        let r = run(grant(Some(("client_secret", "wrong".to_owned())))).await;
        assert_eq!(aadsts(&r), 7000215, "{}", r.body);
    })
    .await;
}
