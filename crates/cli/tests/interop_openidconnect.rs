//! An independent OpenID Connect relying party against the real `gatehouse` binary: the
//! `openidconnect` crate discovers the provider (trusting the development CA), runs the
//! authorization code flow with PKCE and a nonce for a web application registered over Graph with
//! a client secret (`client_secret_basic`) and admin consent for `openid profile email`
//! (`POST /oauth2PermissionGrants`), while this test drives the real sign-in page over HTTP
//! with a cookie-keeping client (reading each form's fields from the HTML), exchanges the code,
//! verifies the ID token (signature via JWKS, issuer, audience, nonce) and calls userinfo.
//!
//! Opt-in with `GATEHOUSE_INTEROP=1` (CI sets it). It listens on a free local port (not 443), so it
//! needs no interop lock.

#![allow(clippy::print_stderr)]

mod support;

use std::collections::HashMap;

use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse as _, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse as _,
};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;
use support::{
    Server, graph, password_grant_token, register_confidential_client, serve_command_on,
};

const TENANT: &str = "defaultdirectory.gatehouse.test";
const ADMIN: &str = "admin@defaultdirectory.gatehouse.test";
const PASSWORD: &str = "Interop-Oidc-Pa55word!";
const REDIRECT: &str = "https://rp.example.test/callback";

/// A reqwest client that keeps cookies (by name, for the one host it talks to) and never follows
/// redirects, so the test sees each step the browser would.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    async fn send(
        &mut self,
        request: reqwest::RequestBuilder,
    ) -> (StatusCode, String, Option<String>) {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header(COOKIE, cookie)
        };
        let response = request.send().await.expect("request");
        for value in response.headers().get_all(SET_COOKIE) {
            let value = value.to_str().unwrap_or_default();
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((name, v)) = pair.split_once('=') {
                self.cookies.insert(name.trim().to_owned(), v.to_owned());
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        (status, response.text().await.unwrap_or_default(), location)
    }
}

/// The `action` of the page's form and its named input values (HTML-unescaped).
fn form(page: &str) -> (String, HashMap<String, String>) {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let attr = |tag: &str, name: &str| {
        let marker = format!("{name}=\"");
        let start = tag.find(&marker)? + marker.len();
        let end = tag[start..].find('"')?;
        Some(unescape(&tag[start..start + end]))
    };
    let form_tag = page
        .split("<form")
        .nth(1)
        .and_then(|f| f.split('>').next())
        .unwrap_or_else(|| panic!("no form in {page}"));
    let action = attr(form_tag, "action").expect("form action");
    let mut fields = HashMap::new();
    for input in page.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap_or_default();
        if let Some(name) = attr(tag, "name") {
            fields.insert(name, attr(tag, "value").unwrap_or_default());
        }
    }
    (action, fields)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openidconnect_crate_discovers_signs_in_and_verifies_the_id_token() {
    if std::env::var("GATEHOUSE_INTEROP").as_deref() != Ok("1") {
        eprintln!(
            "interop_openidconnect: skipped; set GATEHOUSE_INTEROP=1 to run the openidconnect \
             crate's discovery, code flow and ID token validation against the binary"
        );
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let base = format!("https://localhost:{port}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = serve_command_on(&data, &format!("127.0.0.1:{port}"));
    cmd.arg("--public-url")
        .arg(&base)
        .env("GATEHOUSE_BOOTSTRAP_SECURITY_DEFAULTS", "off")
        .env("GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD);
    let server = Server::start(cmd, &data).await;
    server.wait_ready().await;
    let client = server.client();
    let tenant_id = client
        .tenants()
        .await
        .iter()
        .find(|t| t["defaultDomain"] == TENANT)
        .and_then(|t| t["id"].as_str())
        .expect("the bootstrap tenant")
        .to_owned();

    // An administrator registers a web app with a secret and its redirect URI, over Graph.
    let admin = password_grant_token(
        &client,
        TENANT,
        ADMIN,
        PASSWORD,
        "https://graph.microsoft.com/Application.ReadWrite.All \
         https://graph.microsoft.com/DelegatedPermissionGrant.ReadWrite.All",
    )
    .await;
    let app = register_confidential_client(&client, &admin, "OIDC relying party").await;
    let (status, body) = graph(
        &client,
        &admin,
        reqwest::Method::PATCH,
        &format!("/applications/{}", app.object_id),
        Some(json!({ "web": { "redirectUris": [REDIRECT] } })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    // Admin consent for the OIDC scopes up front, as an administrator grants it in the portal.
    let (status, graph_sp) = graph(
        &client,
        &admin,
        reqwest::Method::GET,
        "/servicePrincipals?$filter=appId%20eq%20'00000003-0000-0000-c000-000000000000'",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{graph_sp}");
    let grant = json!({
        "clientId": app.service_principal_id,
        "consentType": "AllPrincipals",
        "resourceId": graph_sp["value"][0]["id"],
        "scope": "openid profile email",
    });
    let (status, body) = graph(
        &client,
        &admin,
        reqwest::Method::POST,
        "/oauth2PermissionGrants",
        Some(grant),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The relying party's HTTP client: trusts the development CA, follows no redirects.
    let pem = std::fs::read(server.ca_path()).expect("ca.pem");
    let http = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("CA"))
        .resolve("localhost", server.addr)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    let issuer = IssuerUrl::new(format!("{base}/{tenant_id}/v2.0")).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer.clone(), &http)
        .await
        .unwrap_or_else(|e| panic!("discovery: {e:?}"));
    assert_eq!(metadata.issuer(), &issuer);
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(app.app_id.clone()),
        Some(ClientSecret::new(app.secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.to_owned()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = rp
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The user signs in on the real pages: user name and password, then "Stay signed in?".
    let mut browser = Browser {
        http: http.clone(),
        cookies: HashMap::new(),
    };
    let (status, page, _) = browser.send(browser.http.get(url.as_str())).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (action, mut fields) = form(&page);
    fields.insert("login".into(), format!("admin@{TENANT}"));
    fields.insert("passwd".into(), PASSWORD.into());
    let (status, page, _) = browser
        .send(browser.http.post(format!("{base}{action}")).form(&fields))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Stay signed in?"), "{page}");
    let (action, mut fields) = form(&page);
    fields.insert("kmsi".into(), "yes".into());
    let (status, page, location) = browser
        .send(browser.http.post(format!("{base}{action}")).form(&fields))
        .await;
    assert_eq!(status, StatusCode::FOUND, "{page}");
    let location = reqwest::Url::parse(&location.expect("a redirect")).unwrap();
    assert!(location.as_str().starts_with(REDIRECT), "{location}");
    let answer: HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(answer.get("state"), Some(csrf.secret()), "{answer:?}");
    let code = answer
        .get("code")
        .unwrap_or_else(|| panic!("no code: {answer:?}"));

    // The code exchange (client_secret_basic) and the ID token's verification by the crate.
    let tokens = rp
        .exchange_code(AuthorizationCode::new(code.clone()))
        .expect("a token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("code exchange: {e:?}"));
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&rp.id_token_verifier(), &nonce)
        .unwrap_or_else(|e| panic!("ID token verification: {e:?}"));
    assert_eq!(claims.issuer(), &issuer);
    assert_eq!(claims.audiences()[0].as_str(), app.app_id);
    assert_eq!(
        claims.preferred_username().map(|u| u.as_str().to_owned()),
        Some(format!("admin@{TENANT}"))
    );

    // Replaying the code fails.
    let replay = rp
        .exchange_code(AuthorizationCode::new(code.clone()))
        .expect("a token endpoint")
        .request_async(&http)
        .await;
    assert!(replay.is_err(), "a redeemed code was accepted again");

    // userinfo with the access token: the same subject.
    let info: openidconnect::core::CoreUserInfoClaims = rp
        .user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        )
        .expect("a userinfo endpoint")
        .request_async(&http)
        .await
        .unwrap_or_else(|e| panic!("userinfo: {e:?}"));
    assert_eq!(info.subject(), claims.subject());
    eprintln!(
        "interop_openidconnect: discovery, code flow with PKCE and nonce, ID token and userinfo \
         verified for {}",
        app.app_id
    );
    drop(server);
}
