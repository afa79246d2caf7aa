//! `/authorize` response types beyond `code`: the hybrid `code id_token` and the implicit
//! `id_token`, `token`, `id_token token`, gated by the application's `implicitGrantSettings`, with
//! `nonce`, `c_hash` and `at_hash` as OpenID Connect requires.

mod support;

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::browser::{Browser, html, params};
use support::graph::{Fixture, PASSWORD, RW, fixture, urlencode};
use support::{Response, each_engine};

const REDIRECT: &str = "https://app.contoso.test/signin-oidc";
const NONCE: &str = "n-0S6_WzA2Mj";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The expected `c_hash`/`at_hash`, computed here independently of the server.
fn left_half_sha256(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// A registered web app with an enabled service principal and the given implicit settings.
async fn web_app(f: &Fixture, id_tokens: bool, access_tokens: bool) -> String {
    let settings =
        json!({"enableIdTokenIssuance": id_tokens, "enableAccessTokenIssuance": access_tokens});
    f.web_app(json!({"redirectUris": [REDIRECT], "implicitGrantSettings": settings}))
        .await
}

fn url(f: &Fixture, client: &str, response_type: &str, extra: &str) -> String {
    format!(
        "/{}/oauth2/v2.0/authorize?client_id={client}&response_type={}&redirect_uri={}&scope={}&state=s1{extra}",
        f.tenant,
        urlencode(response_type),
        urlencode(REDIRECT),
        urlencode("openid profile"),
    )
}

async fn sign_in(f: &Fixture, url: &str) -> Response {
    let upn = format!("ann@{}", f.domain);
    Browser::default()
        .sign_in(&f.app, &f.tenant.to_string(), url, &upn, PASSWORD)
        .await
}

/// An error sent back to the redirect URI (before any sign-in).
async fn error_at_client(f: &Fixture, url: &str, mode: &str) -> (String, u64) {
    let r = Browser::default().get(&f.app, url).await;
    assert_eq!(r.status, StatusCode::FOUND, "{:?}", r.body);
    assert!(r.header("location").unwrap().starts_with(REDIRECT));
    let p = params(&r, mode);
    let code = p["error_description"]
        .strip_prefix("AADSTS")
        .and_then(|d| d.split(':').next())
        .unwrap()
        .parse()
        .unwrap();
    (p["error"].clone(), code)
}

#[tokio::test]
async fn hybrid_and_implicit_flows_return_tokens_with_correct_hashes() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let client = web_app(&f, true, true).await;
        let nonce = format!("&nonce={NONCE}");

        // id_token alone: in the fragment by default, with the nonce, no hashes.
        let r = sign_in(&f, &url(&f, &client, "id_token", &nonce)).await;
        let p = params(&r, "fragment");
        assert_eq!(p["state"], "s1");
        assert!(!p.contains_key("code") && !p.contains_key("access_token"));
        let id = claims(&p["id_token"]);
        assert_eq!(id["nonce"], NONCE);
        assert_eq!(id["aud"], client);
        assert_eq!(id["preferred_username"], format!("ann@{}", f.domain));
        assert!(id.get("c_hash").is_none() && id.get("at_hash").is_none());

        // code id_token: c_hash is the left half of SHA-256 of the code.
        let hybrid = url(
            &f,
            &client,
            "code id_token",
            &format!("{nonce}&code_challenge={CHALLENGE}&code_challenge_method=S256"),
        );
        let r = sign_in(&f, &hybrid).await;
        let p = params(&r, "fragment");
        let id = claims(&p["id_token"]);
        assert_eq!(id["c_hash"], left_half_sha256(&p["code"]));
        assert_ne!(id["c_hash"], left_half_sha256(&format!("{}x", p["code"])));
        assert_eq!(id["nonce"], NONCE);
        assert!(id.get("at_hash").is_none());

        // The same in form_post.
        let r = sign_in(&f, &format!("{hybrid}&response_mode=form_post")).await;
        let p = params(&r, "form_post");
        assert_eq!(
            claims(&p["id_token"])["c_hash"],
            left_half_sha256(&p["code"])
        );

        // id_token token: at_hash is the left half of SHA-256 of the access token.
        let r = sign_in(&f, &url(&f, &client, "id_token token", &nonce)).await;
        let p = params(&r, "fragment");
        assert_eq!(p["token_type"], "Bearer");
        assert!(p["expires_in"].parse::<i64>().unwrap() >= 3600);
        let access = claims(&p["access_token"]);
        assert_eq!(access["aud"], "00000003-0000-0000-c000-000000000000");
        assert_eq!(access["azp"], client);
        let id = claims(&p["id_token"]);
        assert_eq!(id["at_hash"], left_half_sha256(&p["access_token"]));
        assert!(id.get("c_hash").is_none());

        // token alone: no ID token, so no nonce needed.
        let r = sign_in(&f, &url(&f, &client, "token", "")).await;
        let p = params(&r, "fragment");
        assert!(p.contains_key("access_token") && !p.contains_key("id_token"));
    })
    .await;
}

#[tokio::test]
async fn tokens_from_the_authorization_endpoint_follow_entras_rules() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let id_only = web_app(&f, true, false).await;
        let nothing = web_app(&f, false, false).await;
        let nonce = format!("&nonce={NONCE}");
        let pkce = format!("&code_challenge={CHALLENGE}&code_challenge_method=S256");

        // Access tokens need enableAccessTokenIssuance; ID tokens enableIdTokenIssuance.
        let cases = [
            (&id_only, "id_token token", nonce.clone(), 700051),
            (&id_only, "token", String::new(), 700051),
            (&nothing, "id_token", nonce.clone(), 700054),
            (&nothing, "code id_token", format!("{nonce}{pkce}"), 700054),
        ];
        for (client, rt, extra, code) in cases {
            let (error, aadsts) = error_at_client(&f, &url(&f, client, rt, &extra), "fragment").await;
            assert_eq!((error.as_str(), aadsts), ("unsupported_response_type", code), "{rt}");
        }
        // An ID token from the authorization endpoint needs a nonce.
        let (error, aadsts) =
            error_at_client(&f, &url(&f, &id_only, "id_token", ""), "fragment").await;
        assert_eq!((error.as_str(), aadsts), ("invalid_request", 900144));
        // Tokens never go in the query: the error itself comes back in the fragment.
        let (error, aadsts) = error_at_client(
            &f,
            &url(&f, &id_only, "code id_token", &format!("{nonce}{pkce}&response_mode=query")),
            "fragment",
        )
        .await;
        assert_eq!((error.as_str(), aadsts), ("invalid_request", 70007));
        // Unknown or repeated values.
        for rt in ["code code", "id_token foo", "none"] {
            let (error, _) = error_at_client(&f, &url(&f, &id_only, rt, &nonce), "query").await;
            assert_eq!(error, "unsupported_response_type", "{rt}");
        }
        // Microsoft's first-party public clients enable no implicit issuance.
        let cli = GRAPH_COMMAND_LINE_TOOLS.to_string();
        let r = Browser::default()
            .get(
                &f.app,
                &format!(
                    "/{}/oauth2/v2.0/authorize?client_id={cli}&response_type=code%20id_token&redirect_uri={}&scope=openid&nonce=x{pkce}",
                    f.tenant,
                    urlencode("http://localhost:8400/")
                ),
            )
            .await;
        let p = params(&r, "fragment");
        assert!(p["error_description"].starts_with("AADSTS700054:"), "{p:?}");
        // PKCE is optional for a web redirect URI (a confidential client, which must authenticate
        // to redeem the code: tests/client_auth.rs), so the hybrid flow goes on to the sign-in page.
        let r = Browser::default()
            .get(&f.app, &url(&f, &id_only, "code id_token", &nonce))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.headers);
        assert!(html(&r).contains("name=\"passwd\""));
    })
    .await;
}

#[tokio::test]
async fn the_web_platform_keeps_its_logout_url_and_implicit_settings() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (id, _) = f.register(&admin, "Contoso web").await;
        let path = format!("/applications/{id}");
        let patch = |body: Value| {
            let (f, admin, path) = (&f, &admin, &path);
            async move { f.call(admin, Method::PATCH, path, Some(body)).await }
        };
        let r = patch(json!({"web": {"logoutUrl": "https://app.contoso.test/signout"}})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r =
            patch(json!({"web": {"implicitGrantSettings": {"enableIdTokenIssuance": true}}})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let web = f.call(&admin, Method::GET, &path, None).await.body["web"].clone();
        assert_eq!(web["logoutUrl"], "https://app.contoso.test/signout");
        assert_eq!(web["implicitGrantSettings"]["enableIdTokenIssuance"], true);
        assert_eq!(
            web["implicitGrantSettings"]["enableAccessTokenIssuance"],
            false
        );
        for bad in [
            json!({"web": {"logoutUrl": "http://app.contoso.test/signout"}}),
            json!({"web": {"logoutUrl": 42}}),
            json!({"web": {"implicitGrantSettings": {"enableIdTokenIssuance": "yes"}}}),
            json!({"web": {"implicitGrantSettings": {"somethingElse": true}}}),
        ] {
            let r = patch(bad.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        }
        // null clears the platform.
        assert_eq!(
            patch(json!({"web": null})).await.status,
            StatusCode::NO_CONTENT
        );
        let web = f.call(&admin, Method::GET, &path, None).await.body["web"].clone();
        assert_eq!(web["logoutUrl"], Value::Null);
        assert_eq!(web["implicitGrantSettings"]["enableIdTokenIssuance"], false);
    })
    .await;
}
