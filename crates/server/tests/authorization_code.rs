//! The authorization code flow with PKCE through the real sign-in pages, in-process: a tiny
//! cookie-carrying browser posts the forms the pages render.

mod support;

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::catalog::first_party::{ADMIN_CENTER, AZURE_CLI, GRAPH_COMMAND_LINE_TOOLS};
use gatehouse_domain::ids::{ObjectId, TenantId};
use gatehouse_store::testing::TestDatabase;
use serde_json::Value;
use support::browser::{Browser, challenge, hidden, html, params};
use support::graph::urlencode as enc;
use support::{Response, TestApp, each_engine};

const MEMBER: &str = "ann@defaultdirectory.gatehouse.test";
const PASSWORD: &str = "Correct-Horse-7";
const VERIFIER: &str = "dBjftJeZ4CVP-1mB0JxbjXIcIZm5xWYQFiLbC2hxx2c";
const REDIRECT: &str = "http://localhost:8400/";

struct Fixture {
    app: TestApp,
    tenant: TenantId,
    member: ObjectId,
}

async fn fixture(db: TestDatabase) -> Fixture {
    let app = TestApp::new(db).await;
    let tenant = app.bootstrap_tenant().await;
    let member = app.add_member(tenant, MEMBER, "Ann Member", PASSWORD).await;
    app.clock.advance(time::Duration::minutes(1));
    Fixture {
        member,
        app,
        tenant,
    }
}

fn authorize_url(tenant: &str, client: &str, redirect: &str, extra: &str) -> String {
    format!(
        "/{tenant}/oauth2/v2.0/authorize?client_id={client}&response_type=code&redirect_uri={}&scope={}&state=xyz%20state&nonce=n-0S6_WzA2Mj&code_challenge={}&code_challenge_method=S256{extra}",
        enc(redirect),
        enc("openid profile offline_access User.Read"),
        challenge(VERIFIER)
    )
}

fn cli() -> String {
    GRAPH_COMMAND_LINE_TOOLS.to_string()
}

/// Signs in as the member on the page `authorize` rendered; returns the "Stay signed in?" page.
async fn submit_password(
    b: &mut Browser,
    app: &TestApp,
    tenant: &str,
    page: &Response,
    password: &str,
) -> Response {
    b.submit_password(app, tenant, page, MEMBER, password).await
}

async fn stay(
    b: &mut Browser,
    app: &TestApp,
    tenant: &str,
    kmsi: &Response,
    yes: bool,
) -> Response {
    b.stay(app, tenant, kmsi, yes).await
}

/// The full interactive flow; returns the response carrying the code.
async fn sign_in(b: &mut Browser, app: &TestApp, tenant: &str, url: &str) -> Response {
    b.sign_in(app, tenant, url, MEMBER, PASSWORD).await
}

async fn redeem(
    app: &TestApp,
    tenant: &str,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> Response {
    let mut b = Browser::default();
    b.post(
        app,
        &format!("/{tenant}/oauth2/v2.0/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &cli()),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
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
        .unwrap_or_else(|| panic!("not an OAuth error: {:?}", r.body))
}

async fn code_for(f: &Fixture) -> String {
    let tid = f.tenant.to_string();
    let mut b = Browser::default();
    let r = sign_in(
        &mut b,
        &f.app,
        &tid,
        &authorize_url(&tid, &cli(), REDIRECT, ""),
    )
    .await;
    params(&r, "query")["code"].clone()
}

#[tokio::test]
async fn code_flow_works_in_every_response_mode() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        for mode in ["query", "fragment", "form_post"] {
            let mut b = Browser::default();
            let url = authorize_url(&tid, &cli(), REDIRECT, &format!("&response_mode={mode}"));
            let r = sign_in(&mut b, &f.app, &tid, &url).await;
            if mode == "form_post" {
                assert_eq!(r.status, StatusCode::OK);
                assert!(html(&r).contains(&format!("action=\"{REDIRECT}\"")));
                let csp = r.header("content-security-policy").unwrap();
                assert!(csp.contains("script-src 'sha256-"), "{csp}");
                assert!(!csp.contains("unsafe-inline"));
            } else {
                assert_eq!(r.status, StatusCode::FOUND, "{mode}");
                assert!(r.header("location").unwrap().starts_with(REDIRECT));
            }
            let p = params(&r, mode);
            assert_eq!(p["state"], "xyz state", "{mode}");
            let cookie = b.cookies.get("__Host-gatehouse-sso").expect("SSO cookie");
            assert!(!cookie.is_empty());
            let t = redeem(&f.app, &tid, &p["code"], VERIFIER, REDIRECT).await;
            assert_eq!(t.status, StatusCode::OK, "{mode}: {}", t.body);
            let id = claims(t.body["id_token"].as_str().unwrap());
            assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
            assert_eq!(id["aud"], cli());
            assert_eq!(id["tid"], tid);
            assert_eq!(id["oid"], f.member.to_string());
            let access = claims(t.body["access_token"].as_str().unwrap());
            assert_eq!(access["amr"], serde_json::json!(["pwd"]));
            assert_eq!(
                access["auth_time"],
                (support::START + time::Duration::minutes(1)).unix_timestamp()
            );
            assert!(access["scp"].as_str().unwrap().contains("User.Read"));
            assert!(t.body["refresh_token"].is_string());
        }
    })
    .await;
}

#[tokio::test]
async fn the_session_cookie_and_pages_have_the_security_attributes() {
    let f = fixture(TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    let mut b = Browser::default();
    let page = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), REDIRECT, "&login_hint=ann%40x"),
        )
        .await;
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let csrf_cookie = page.header("set-cookie").unwrap();
    assert!(csrf_cookie.starts_with("__Host-"), "{csrf_cookie}");
    assert!(csrf_cookie.contains("Secure") && csrf_cookie.contains("HttpOnly"));
    let h = html(&page);
    for needle in [
        "<label for=\"login\">",
        "type=\"email\" id=\"login\" name=\"login\" autocomplete=\"username\"",
        "<label for=\"passwd\">Password</label>",
        "type=\"password\" id=\"passwd\" name=\"passwd\" autocomplete=\"current-password\"",
        "<button type=\"submit\" id=\"idSIButton9\">Sign in</button>",
        "value=\"ann@x\"",
    ] {
        assert!(h.contains(needle), "{needle} missing in {h}");
    }
    let kmsi = submit_password(&mut b, &f.app, &tid, &page, PASSWORD).await;
    assert!(html(&kmsi).contains(">Yes</button>") && html(&kmsi).contains(">No</button>"));
    let yes = stay(&mut b, &f.app, &tid, &kmsi, true).await;
    let set = yes.header("set-cookie").unwrap();
    for attr in [
        "__Host-gatehouse-sso=",
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=7776000",
    ] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    // "No": a browser-session cookie.
    let mut b = Browser::default();
    let page = b
        .get(&f.app, &authorize_url(&tid, &cli(), REDIRECT, ""))
        .await;
    let kmsi = submit_password(&mut b, &f.app, &tid, &page, PASSWORD).await;
    let no = stay(&mut b, &f.app, &tid, &kmsi, false).await;
    let set = no.header("set-cookie").unwrap();
    assert!(
        set.contains("SameSite=Lax") && !set.contains("Max-Age"),
        "{set}"
    );
    // The store keeps only a keyed hash of the cookie.
    let value = &b.cookies["__Host-gatehouse-sso"];
    let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
    assert!(tx.sign_in_session(value).await.unwrap().is_none());
    assert!(
        tx.sign_in_session(&f.app.state.secrets.keyed_hash(value))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn pkce_mismatch_replay_and_expiry_are_refused() {
    let f = fixture(TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    let code = code_for(&f).await;
    let wrong = redeem(
        &f.app,
        &tid,
        &code,
        "wrong-verifier-wrong-verifier-wrong-verifier",
        REDIRECT,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(aadsts(&wrong), 501481);
    assert_eq!(wrong.body["error"], "invalid_grant");
    let other_redirect = redeem(&f.app, &tid, &code, VERIFIER, "http://localhost:9999/").await;
    assert_eq!(other_redirect.body["error"], "invalid_grant");
    // A failed attempt does not use the code up.
    let ok = redeem(&f.app, &tid, &code, VERIFIER, REDIRECT).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let replay = redeem(&f.app, &tid, &code, VERIFIER, REDIRECT).await;
    assert_eq!(aadsts(&replay), 54005);
    assert!(
        replay.body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS54005: OAuth2 Authorization code was already redeemed")
    );

    let code = code_for(&f).await;
    f.app.clock.advance(time::Duration::minutes(11));
    let expired = redeem(&f.app, &tid, &code, VERIFIER, REDIRECT).await;
    assert_eq!(aadsts(&expired), 70008);
}

#[tokio::test]
async fn bad_clients_and_redirect_uris_get_the_error_page_and_no_redirect() {
    let f = fixture(TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    let mut b = Browser::default();
    for redirect in [
        "http://evil.example/",
        "http://localhost.evil.example/",
        "https://localhost/",
        "http://localhost@evil.example/",
    ] {
        let r = b
            .get(&f.app, &authorize_url(&tid, &cli(), redirect, ""))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{redirect}");
        assert!(r.header("location").is_none(), "{redirect}");
        let h = html(&r);
        assert!(h.contains("<title>Sign-in failed</title>"));
        assert!(h.contains("AADSTS50011"), "{h}");
        assert!(h.contains("Trace ID") && h.contains("Correlation ID") && h.contains("Timestamp"));
        assert!(h.contains(&format!(
            "does not match the redirect URIs configured for the application &#39;{}&#39;",
            cli()
        )));
    }
    // The portals accept exactly their own redirect URI.
    let admin = ADMIN_CENTER.to_string();
    let r = b
        .get(
            &f.app,
            &authorize_url(&tid, &admin, "http://localhost:8400/", ""),
        )
        .await;
    assert!(html(&r).contains("AADSTS50011"));
    let r = b
        .get(
            &f.app,
            &authorize_url(&tid, &admin, "https://localhost:8443/admin/signin-oidc", ""),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(html(&r).contains("autocomplete=\"current-password\""));
    // Azure CLI's native-client redirect.
    let r = b
        .get(
            &f.app,
            &authorize_url(
                &tid,
                &AZURE_CLI.to_string(),
                "https://login.microsoftonline.com/common/oauth2/nativeclient",
                "",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for client in [
        "11111111-2222-3333-4444-555555555555",
        "00000003-0000-0000-c000-000000000000",
        "nope",
    ] {
        let r = b
            .get(&f.app, &authorize_url(&tid, client, REDIRECT, ""))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.header("location").is_none());
        assert!(html(&r).contains("AADSTS700016"), "{client}");
    }
}

#[tokio::test]
async fn protocol_errors_go_back_to_a_valid_redirect_uri() {
    let f = fixture(TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    let mut b = Browser::default();
    let no_pkce = format!(
        "/{tid}/oauth2/v2.0/authorize?client_id={}&response_type=code&redirect_uri={}&scope=openid&state=s1",
        cli(),
        enc(REDIRECT)
    );
    let r = b.get(&f.app, &no_pkce).await;
    assert_eq!(r.status, StatusCode::FOUND);
    let p = params(&r, "query");
    assert_eq!(p["error"], "invalid_request");
    assert!(
        p["error_description"]
            .starts_with("AADSTS9002325: Proof Key for Code Exchange is required")
    );
    assert_eq!(p["state"], "s1");
    let token = authorize_url(&tid, &cli(), REDIRECT, "")
        .replace("response_type=code", "response_type=token");
    let r = b.get(&f.app, &token).await;
    // Tokens never travel in the query, not even the refusal of one.
    let p = params(&r, "fragment");
    assert_eq!(p["error"], "unsupported_response_type");
    assert!(p["error_description"].starts_with("AADSTS700051:"));
    let none = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), REDIRECT, "&prompt=none"),
        )
        .await;
    let p = params(&none, "query");
    assert_eq!(p["error"], "login_required");
    assert!(p["error_description"].starts_with("AADSTS50058"));
    assert_eq!(p["state"], "xyz state");
}

#[tokio::test]
async fn an_sso_session_skips_the_password_until_prompt_login_or_revocation() {
    let f = fixture(TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    let mut b = Browser::default();
    let first = sign_in(
        &mut b,
        &f.app,
        &tid,
        &authorize_url(&tid, &cli(), REDIRECT, ""),
    )
    .await;
    assert_eq!(first.status, StatusCode::FOUND);
    f.app.clock.advance(time::Duration::minutes(5));
    // A second authorization: no password.
    let again = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), "http://127.0.0.1:5000/cb", ""),
        )
        .await;
    assert_eq!(again.status, StatusCode::FOUND);
    let code = params(&again, "query")["code"].clone();
    let t = redeem(&f.app, &tid, &code, VERIFIER, "http://127.0.0.1:5000/cb").await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let silent = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), REDIRECT, "&prompt=none"),
        )
        .await;
    assert!(params(&silent, "query").contains_key("code"));
    // /common finds the session's tenant.
    let common = b
        .get(&f.app, &authorize_url("common", &cli(), REDIRECT, ""))
        .await;
    assert!(params(&common, "query").contains_key("code"));
    // prompt=login and an exceeded max_age ask again.
    let login = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), REDIRECT, "&prompt=login"),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(html(&login).contains("name=\"passwd\""));
    let aged = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), REDIRECT, "&max_age=60"),
        )
        .await;
    assert_eq!(aged.status, StatusCode::OK);
    let fresh = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), REDIRECT, "&max_age=3600"),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::FOUND);
    // Revoking the user's sessions ends the SSO session.
    let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
    tx.set_sign_in_sessions_valid_from(f.member, f.app.state.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    f.app.clock.advance(time::Duration::seconds(1));
    let after = b
        .get(&f.app, &authorize_url(&tid, &cli(), REDIRECT, ""))
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(html(&after).contains("name=\"passwd\""));
    let silent = b
        .get(
            &f.app,
            &authorize_url(&tid, &cli(), REDIRECT, "&prompt=none"),
        )
        .await;
    assert_eq!(params(&silent, "query")["error"], "login_required");
}

#[tokio::test]
async fn wrong_password_and_csrf_failures_reveal_nothing_and_start_no_session() {
    let f = fixture(TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    let mut b = Browser::default();
    let page = b
        .get(&f.app, &authorize_url(&tid, &cli(), REDIRECT, ""))
        .await;
    let wrong = submit_password(&mut b, &f.app, &tid, &page, "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::OK);
    let h = html(&wrong);
    assert!(h.contains("Your account or password is incorrect. If you don&#39;t remember your password, reset it now."), "{h}");
    assert!(h.contains("name=\"passwd\""));
    // An unknown user sees exactly the same message.
    let unknown = b
        .post(
            &f.app,
            &format!("/{tid}/login"),
            &[
                ("login", "nobody@defaultdirectory.gatehouse.test"),
                ("passwd", PASSWORD),
                ("csrf", &hidden(&page, "csrf")),
                ("request", &hidden(&page, "request")),
            ],
        )
        .await;
    assert!(html(&unknown).contains("Your account or password is incorrect."));

    for (csrf, cookies) in [("", true), ("forged", true), ("ok", false)] {
        let mut b2 = Browser::default();
        let page = b2
            .get(&f.app, &authorize_url(&tid, &cli(), REDIRECT, ""))
            .await;
        let field = if csrf == "ok" {
            hidden(&page, "csrf")
        } else {
            csrf.to_owned()
        };
        if !cookies {
            b2.cookies.clear();
        }
        let r = b2
            .post(
                &f.app,
                &format!("/{tid}/login"),
                &[
                    ("login", MEMBER),
                    ("passwd", PASSWORD),
                    ("csrf", &field),
                    ("request", &hidden(&page, "request")),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{csrf} {cookies}");
        assert!(!html(&r).contains("Stay signed in?"));
        assert!(!b2.cookies.contains_key("__Host-gatehouse-sso"));
    }
    // A tampered authorization request is refused too.
    let page = b
        .get(&f.app, &authorize_url(&tid, &cli(), REDIRECT, ""))
        .await;
    let r = b
        .post(
            &f.app,
            &format!("/{tid}/login"),
            &[
                ("login", MEMBER),
                ("passwd", PASSWORD),
                ("csrf", &hidden(&page, "csrf")),
                ("request", &format!("x{}", hidden(&page, "request"))),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_disabled_user_gets_the_error_page() {
    let f = fixture(TestDatabase::sqlite()).await;
    let tid = f.tenant.to_string();
    let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
    tx.set_account_enabled(f.member, false).await.unwrap();
    tx.commit().await.unwrap();
    let mut b = Browser::default();
    let page = b
        .get(&f.app, &authorize_url(&tid, &cli(), REDIRECT, ""))
        .await;
    let r = submit_password(&mut b, &f.app, &tid, &page, PASSWORD).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r).contains("AADSTS50057"));
    assert!(r.header("location").is_none());
}
