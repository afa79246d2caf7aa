//! `/{tenant}/oauth2/v2.0/logout`: ends the SSO session server-side and clears its cookie, redirects
//! only to a registered post-logout URI, and loads the signed-in apps' front-channel logout URLs.

mod support;

use axum::http::StatusCode;
use gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS;
use serde_json::json;
use support::browser::{Browser, html, params};
use support::graph::{Fixture, PASSWORD, fixture, urlencode};
use support::{Response, each_engine};

const LOOPBACK: &str = "http://localhost:8400/";
const WEB_REDIRECT: &str = "https://app.contoso.test/signin-oidc";
const WEB_LOGOUT: &str = "https://app.contoso.test/signout-oidc";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const SSO: &str = "__Host-gatehouse-sso";

fn cli() -> String {
    GRAPH_COMMAND_LINE_TOOLS.to_string()
}

fn code_url(f: &Fixture, extra: &str) -> String {
    format!(
        "/{}/oauth2/v2.0/authorize?client_id={}&response_type=code&redirect_uri={}&scope=openid&code_challenge={CHALLENGE}&code_challenge_method=S256&state=a{extra}",
        f.tenant,
        cli(),
        urlencode(LOOPBACK)
    )
}

fn upn(f: &Fixture) -> String {
    format!("ann@{}", f.domain)
}

/// Signs the browser in through the CLI's code flow.
async fn signed_in(f: &Fixture) -> Browser {
    let mut b = Browser::default();
    let r = b
        .sign_in(
            &f.app,
            &f.tenant.to_string(),
            &code_url(f, ""),
            &upn(f),
            PASSWORD,
        )
        .await;
    assert!(params(&r, "query").contains_key("code"));
    assert!(b.cookies.contains_key(SSO));
    b
}

async fn logout(b: &mut Browser, f: &Fixture, query: &str) -> Response {
    b.get(&f.app, &format!("/{}/oauth2/v2.0/logout?{query}", f.tenant))
        .await
}

fn clears_the_cookie(r: &Response) -> bool {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.starts_with(&format!("{SSO}=;")) && v.contains("Max-Age=0") && v.contains("Path=/")
        })
}

/// After logout the next sign-in asks for credentials: silent sign-in fails, the page asks.
async fn asks_for_credentials_again(b: &mut Browser, f: &Fixture) {
    let r = b.get(&f.app, &code_url(f, "&prompt=none")).await;
    let p = params(&r, "query");
    assert_eq!(p["error"], "login_required", "{p:?}");
    let page = b.get(&f.app, &code_url(f, "")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("type=\"password\""));
}

/// A registered web app that may receive ID tokens, with a front-channel logout URL.
async fn web_app(f: &Fixture) -> String {
    f.web_app(json!({
        "redirectUris": [WEB_REDIRECT],
        "logoutUrl": WEB_LOGOUT,
        "implicitGrantSettings": {"enableIdTokenIssuance": true},
    }))
    .await
}

#[tokio::test]
async fn logout_ends_the_session_and_redirects_only_to_a_registered_uri() {
    each_engine(|db| async move {
        let f = fixture(db).await;

        // A registered redirect URI of the client named by client_id: redirected, with state.
        let mut b = signed_in(&f).await;
        let stolen = b.cookies[SSO].clone();
        let r = logout(
            &mut b,
            &f,
            &format!(
                "client_id={}&post_logout_redirect_uri={}&state=st%201&logout_hint={}",
                cli(),
                urlencode(LOOPBACK),
                urlencode(&upn(&f))
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FOUND);
        assert_eq!(
            r.header("location"),
            Some("http://localhost:8400/?state=st%201")
        );
        assert!(clears_the_cookie(&r));
        assert!(!b.cookies.contains_key(SSO));
        asks_for_credentials_again(&mut b, &f).await;
        // The old cookie, replayed, is dead on the server too.
        b.cookies.insert(SSO.into(), stolen);
        asks_for_credentials_again(&mut b, &f).await;

        // Not registered for the client, or no client named: the signed-out page, no redirect.
        for query in [
            format!(
                "client_id={}&post_logout_redirect_uri={}",
                cli(),
                urlencode("https://evil.example/")
            ),
            format!("post_logout_redirect_uri={}", urlencode(LOOPBACK)),
            format!(
                "client_id=00000000-0000-0000-0000-000000000001&post_logout_redirect_uri={}",
                urlencode(LOOPBACK)
            ),
            String::new(),
        ] {
            let mut b = signed_in(&f).await;
            let r = logout(&mut b, &f, &query).await;
            assert_eq!(r.status, StatusCode::OK, "{query}");
            assert_eq!(r.header("location"), None, "{query}");
            assert!(html(&r).contains("You signed out of your account"));
            assert!(!html(&r).contains("evil.example") && !html(&r).contains("refresh"));
            assert!(clears_the_cookie(&r));
            asks_for_credentials_again(&mut b, &f).await;
        }

        // POST works the same; without a session there is nothing to end but the page still shows.
        let mut b = signed_in(&f).await;
        let r = b
            .post(
                &f.app,
                &format!("/{}/oauth2/v2.0/logout", f.tenant),
                &[
                    ("client_id", &cli()),
                    ("post_logout_redirect_uri", LOOPBACK),
                ],
            )
            .await;
        assert_eq!(r.header("location"), Some(LOOPBACK));
        asks_for_credentials_again(&mut b, &f).await;
        let r = logout(&mut Browser::default(), &f, "").await;
        assert_eq!(r.status, StatusCode::OK);

        // An unknown tenant gets the error page.
        let r = Browser::default()
            .get(&f.app, "/nope.example/oauth2/v2.0/logout")
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(html(&r).contains("AADSTS90002"));
    })
    .await;
}

#[tokio::test]
async fn id_token_hints_name_the_client_and_front_channel_logout_loads_its_logout_url() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let client = web_app(&f).await;
        let id_token_url = format!(
            "/{}/oauth2/v2.0/authorize?client_id={client}&response_type=id_token&redirect_uri={}&scope=openid&nonce=n1",
            f.tenant,
            urlencode(WEB_REDIRECT)
        );
        let sign_in = || async {
            let mut b = Browser::default();
            let r = b
                .sign_in(&f.app, &f.tenant.to_string(), &id_token_url, &upn(&f), PASSWORD)
                .await;
            let hint = params(&r, "fragment")["id_token"].clone();
            (b, hint)
        };

        // The hint's audience names the app; its logout URL is loaded before continuing.
        let (mut b, hint) = sign_in().await;
        // Hints are accepted after they expire, as Entra does.
        f.app.clock.advance(time::Duration::hours(3));
        let r = logout(
            &mut b,
            &f,
            &format!(
                "id_token_hint={hint}&post_logout_redirect_uri={}&state=s",
                urlencode(WEB_REDIRECT)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let page = html(&r);
        assert!(page.contains(&format!("<iframe hidden title=\"Signing out\" src=\"{WEB_LOGOUT}\">")), "{page}");
        assert!(page.contains(&format!("url={WEB_REDIRECT}?state=s")), "{page}");
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-src https://app.contoso.test"), "{csp}");
        assert!(clears_the_cookie(&r));
        asks_for_credentials_again(&mut b, &f).await;

        // A second logout has no session, so no app to sign out of.
        let r = logout(&mut b, &f, "").await;
        assert!(!html(&r).contains("<iframe"));

        // A hint whose signature does not verify names nobody: no redirect.
        let (mut b, hint) = sign_in().await;
        let (head, rest) = hint.rsplit_once('.').unwrap();
        let forged = format!("{head}.{}", rest.chars().rev().collect::<String>());
        let r = logout(
            &mut b,
            &f,
            &format!(
                "id_token_hint={forged}&post_logout_redirect_uri={}",
                urlencode(WEB_REDIRECT)
            ),
        )
        .await;
        assert!(!html(&r).contains("refresh"), "{}", html(&r));
        assert!(html(&r).contains("<iframe"), "the session still ends");
    })
    .await;
}
