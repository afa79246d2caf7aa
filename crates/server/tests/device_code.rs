//! The device authorization grant (RFC 8628) in-process on both engines: `/devicecode`, polling the
//! token endpoint through every state, and the `/devicelogin` pages in a cookie-keeping browser.

mod support;

use axum::http::StatusCode;
use gatehouse_domain::audit::Initiator;
use gatehouse_domain::catalog::first_party::{AZURE_CLI, GRAPH_COMMAND_LINE_TOOLS};
use gatehouse_domain::tenant::{NewTenant, initial_domain};
use gatehouse_server::identity::device_code::{GRANT_TYPE, purge_expired};
use gatehouse_server::identity::device_pages::{
    EXPIRED_CODE, MAX_WRONG_CODES, TOO_MANY_CODES, WRONG_CODE,
};
use gatehouse_server::identity::pages::escape;
use gatehouse_server::services::tenants::{self, CreateTenant};
use serde_json::Value;
use support::browser::{Browser, hidden, html};
use support::graph::{Fixture, PASSWORD, aadsts, claims, fixture};
use support::{Response, each_engine};
use time::Duration;

const SCOPE: &str = "User.Read openid profile offline_access";

fn cli() -> String {
    AZURE_CLI.to_string()
}

async fn device_code(f: &Fixture, authority: &str, fields: &[(&str, &str)]) -> Response {
    Browser::default()
        .post(
            &f.app,
            &format!("/{authority}/oauth2/v2.0/devicecode"),
            fields,
        )
        .await
}

/// A code for the Azure CLI at `authority`: (device_code, user_code).
async fn new_code(f: &Fixture, authority: &str) -> (String, String) {
    let r = device_code(f, authority, &[("client_id", &cli()), ("scope", SCOPE)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        r.body["device_code"].as_str().unwrap().to_owned(),
        r.body["user_code"].as_str().unwrap().to_owned(),
    )
}

async fn poll_as(f: &Fixture, authority: &str, client: &str, device_code: &str) -> Response {
    f.token_request(
        authority,
        &[
            ("grant_type", GRANT_TYPE),
            ("client_id", client),
            ("device_code", device_code),
            ("client_info", "1"),
        ],
        None,
    )
    .await
}

async fn poll(f: &Fixture, authority: &str, device_code: &str) -> Response {
    poll_as(f, authority, &cli(), device_code).await
}

fn error(r: &Response) -> (&str, u64) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    (r.body["error"].as_str().unwrap_or_default(), aadsts(r))
}

fn form_action(r: &Response) -> String {
    let page = html(r);
    let start = page.find("action=\"").expect("a form") + "action=\"".len();
    let end = page[start..].find('"').unwrap();
    page[start..start + end].replace("&amp;", "&")
}

/// Enters `user_code` on the "Enter code" page.
async fn enter_code(b: &mut Browser, f: &Fixture, user_code: &str) -> Response {
    let page = b.get(&f.app, "/devicelogin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(html(&page).contains("autocomplete=\"one-time-code\""));
    b.post(
        &f.app,
        "/devicelogin",
        &[("otc", user_code), ("csrf", &hidden(&page, "csrf"))],
    )
    .await
}

/// Signs in as `upn` on the sign-in page and answers "Stay signed in?"; returns the page the
/// browser is sent back to.
async fn sign_in(b: &mut Browser, f: &Fixture, page: &Response, upn: &str) -> Response {
    let action = form_action(page);
    let authority = action
        .strip_prefix('/')
        .and_then(|a| a.strip_suffix("/login"))
        .unwrap_or_else(|| panic!("not the sign-in page: {}", html(page)));
    let kmsi = b
        .submit_password(&f.app, authority, page, upn, PASSWORD)
        .await;
    let back = b.stay(&f.app, authority, &kmsi, true).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{:?}", back.body);
    let location = back.header("location").unwrap().to_owned();
    assert!(
        location.starts_with("/devicelogin/confirm?ticket="),
        "{location}"
    );
    b.get(&f.app, &location).await
}

async fn answer(b: &mut Browser, f: &Fixture, confirm: &Response, consent: &str) -> Response {
    answer_for(b, f, confirm, consent, "Microsoft Azure CLI").await
}

async fn answer_for(
    b: &mut Browser,
    f: &Fixture,
    confirm: &Response,
    consent: &str,
    app: &str,
) -> Response {
    assert!(
        html(confirm).contains(&escape(&format!("Are you trying to sign in to {app}?"))),
        "{}",
        html(confirm)
    );
    b.post(
        &f.app,
        "/devicelogin/confirm",
        &[
            ("consent", consent),
            ("csrf", &hidden(confirm, "csrf")),
            ("ticket", &hidden(confirm, "ticket")),
        ],
    )
    .await
}

fn ann(f: &Fixture) -> String {
    format!("ann@{}", f.domain)
}

#[tokio::test]
async fn devicecode_answers_with_entras_fields_at_every_authority() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        for authority in [tid.as_str(), f.domain.as_str(), "common", "organizations"] {
            let r = device_code(&f, authority, &[("client_id", &cli()), ("scope", SCOPE)]).await;
            assert_eq!(r.status, StatusCode::OK, "{authority}: {}", r.body);
            assert_eq!(r.header("cache-control"), Some("no-store"));
            let user_code = r.body["user_code"].as_str().unwrap();
            assert_eq!(user_code.len(), 9, "{user_code}");
            assert!(
                user_code
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            );
            assert!(r.body["device_code"].as_str().unwrap().len() >= 43);
            assert_eq!(
                r.body["verification_uri"],
                "https://localhost:8443/devicelogin"
            );
            assert_eq!(r.body["expires_in"], 900);
            assert_eq!(r.body["interval"], 5);
            assert_eq!(
                r.body["message"],
                format!(
                    "To sign in, use a web browser to open the page https://localhost:8443/devicelogin and enter the code {user_code} to authenticate."
                )
            );
        }
        let discovery = f
            .app
            .call(
                axum::http::Method::GET,
                &format!("/{tid}/v2.0/.well-known/openid-configuration"),
                None,
                None,
            )
            .await;
        assert_eq!(
            discovery.body["device_authorization_endpoint"],
            format!("https://localhost:8443/{tid}/oauth2/v2.0/devicecode")
        );
    })
    .await;
}

#[tokio::test]
async fn devicecode_refuses_unknown_confidential_and_malformed_requests() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let unknown = "7e1f1f2b-9f57-4a39-9f42-4d2c2f0f6a11";
        for authority in [tid.as_str(), "common"] {
            let r = device_code(&f, authority, &[("client_id", unknown), ("scope", SCOPE)]).await;
            assert_eq!(error(&r), ("unauthorized_client", 700016), "{authority}");
        }
        let r = device_code(
            &f,
            &tid,
            &[
                ("client_id", &cli()),
                ("scope", "User.Read https://graph.microsoft.com/.default"),
            ],
        )
        .await;
        assert_eq!(error(&r), ("invalid_scope", 70011));
        let r = device_code(&f, &tid, &[("client_id", &cli())]).await;
        assert_eq!(error(&r), ("invalid_request", 900144));
        let r = device_code(
            &f,
            "nosuchtenant.example",
            &[("client_id", &cli()), ("scope", SCOPE)],
        )
        .await;
        assert_eq!(aadsts(&r), 90002);

        // A registered (confidential) application cannot use the device code flow.
        let admin = f.user_token("admin", "Application.ReadWrite.All").await;
        let (_, app_id) = f.register(&admin, "Web app").await;
        let sp = f.create_sp(&admin, &app_id).await;
        assert_eq!(sp.status, StatusCode::CREATED, "{}", sp.body);
        // (invalid_client is 401, as at the token endpoint; client_auth.rs.)
        let r = device_code(&f, &tid, &[("client_id", &app_id), ("scope", SCOPE)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(
            (r.body["error"].as_str(), aadsts(&r)),
            (Some("invalid_client"), 7000218)
        );
    })
    .await;
}

#[tokio::test]
async fn a_user_without_a_session_signs_in_approves_and_the_device_gets_tokens_once() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let (device, user_code) = new_code(&f, &tid).await;

        assert_eq!(error(&poll(&f, &tid, &device).await), ("authorization_pending", 70016));
        assert_eq!(error(&poll(&f, &tid, &device).await), ("slow_down", 70016));
        f.app.clock.advance(Duration::seconds(5));
        assert_eq!(error(&poll(&f, &tid, &device).await), ("authorization_pending", 70016));

        let mut b = Browser::default();
        // Codes are read as people type them.
        let typed = format!(" {}-{} ", &user_code[..4].to_lowercase(), &user_code[4..]);
        let page = enter_code(&mut b, &f, &typed).await;
        assert_eq!(form_action(&page), format!("/{tid}/login"), "the sign-in page");
        let confirm = sign_in(&mut b, &f, &page, &ann(&f)).await;
        assert!(html(&confirm).contains(&ann(&f)));
        f.app.clock.advance(Duration::seconds(30));
        let done = answer(&mut b, &f, &confirm, "continue").await;
        assert_eq!(done.status, StatusCode::OK);
        assert!(html(&done).contains(
            "You have signed in to the Microsoft Azure CLI application on your device. You may now close this window."
        ), "{}", html(&done));

        let t = poll(&f, &tid, &device).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert!(t.body["refresh_token"].is_string());
        assert!(t.body["client_info"].is_string());
        let access = claims(t.body["access_token"].as_str().unwrap());
        assert_eq!(access["tid"], tid);
        assert_eq!(access["azp"], cli());
        assert_eq!(access["upn"], ann(&f));
        assert_eq!(access["amr"], serde_json::json!(["pwd"]));
        assert!(access["scp"].as_str().unwrap().split(' ').any(|s| s == "User.Read"));
        let id = claims(t.body["id_token"].as_str().unwrap());
        assert_eq!(id["aud"], cli());
        assert_eq!(id["preferred_username"], ann(&f));

        // Redeemed once: the second use is an expired code, and the page no longer takes it.
        f.app.clock.advance(Duration::seconds(5));
        assert_eq!(error(&poll(&f, &tid, &device).await), ("expired_token", 70020));
        let again = enter_code(&mut b, &f, &user_code).await;
        assert!(html(&again).contains(&escape(EXPIRED_CODE)), "{}", html(&again));
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_user_goes_straight_to_the_question_and_may_cancel() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let mut b = Browser::default();
        let (first, code) = new_code(&f, "organizations").await;
        let page = enter_code(&mut b, &f, &code).await;
        let confirm = sign_in(&mut b, &f, &page, &ann(&f)).await;
        answer(&mut b, &f, &confirm, "continue").await;
        // Requested at /organizations: tokens for the user's tenant, polled where requested.
        assert_eq!(
            error(&poll(&f, &tid, &first).await),
            ("bad_verification_code", 70018)
        );
        let t = poll(&f, "organizations", &first).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert_eq!(claims(t.body["access_token"].as_str().unwrap())["tid"], tid);

        // The SSO session skips the sign-in; Cancel declines.
        let (device, code) = new_code(&f, &tid).await;
        let confirm = enter_code(&mut b, &f, &code).await;
        let declined = answer(&mut b, &f, &confirm, "cancel").await;
        assert!(
            html(&declined)
                .contains("You have declined to sign in to the Microsoft Azure CLI application")
        );
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("authorization_declined", 70000)
        );
        let r = enter_code(&mut b, &f, &code).await;
        assert!(html(&r).contains(&escape(EXPIRED_CODE)));
    })
    .await;
}

#[tokio::test]
async fn codes_expire_after_fifteen_minutes() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let (device, code) = new_code(&f, &tid).await;
        let mut b = Browser::default();
        let page = enter_code(&mut b, &f, &code).await;
        f.app.clock.advance(Duration::seconds(900));
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("expired_token", 70020)
        );
        let r = enter_code(&mut b, &f, &code).await;
        assert!(html(&r).contains(&escape(EXPIRED_CODE)));
        // Signing in now does not revive it.
        let back = sign_in(&mut b, &f, &page, &ann(&f)).await;
        assert!(
            html(&back).contains(&escape(EXPIRED_CODE)),
            "{}",
            html(&back)
        );
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("expired_token", 70020)
        );
        // Kept a while for late polls, then purged by the periodic job.
        assert_eq!(purge_expired(&f.app.state).await.unwrap(), 0);
        f.app
            .clock
            .advance(Duration::minutes(15) + Duration::seconds(1));
        assert_eq!(purge_expired(&f.app.state).await.unwrap(), 1);
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("bad_verification_code", 70018)
        );
    })
    .await;
}

#[tokio::test]
async fn wrong_device_codes_clients_and_authorities_are_bad_verification_codes() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let (device, _) = new_code(&f, &tid).await;
        let other = GRAPH_COMMAND_LINE_TOOLS.to_string();
        for (authority, client, code) in [
            (tid.as_str(), cli(), "not-a-device-code".to_owned()),
            (tid.as_str(), other, device.clone()),
            ("common", cli(), device.clone()),
        ] {
            let r = poll_as(&f, authority, &client, &code).await;
            assert_eq!(
                error(&r),
                ("bad_verification_code", 70018),
                "{authority} {client}"
            );
        }
        let r = f
            .token_request(
                &tid,
                &[("grant_type", GRANT_TYPE), ("client_id", &cli())],
                None,
            )
            .await;
        assert_eq!(error(&r), ("invalid_request", 900144));
    })
    .await;
}

#[tokio::test]
async fn wrong_user_codes_are_refused_and_limited() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let (_, expired) = new_code(&f, &tid).await;
        f.app.clock.advance(Duration::seconds(900));
        let (_, code) = new_code(&f, &tid).await;
        let mut b = Browser::default();
        // A code that is no longer live counts as much as a wrong one.
        let r = enter_code(&mut b, &f, &expired).await;
        assert!(html(&r).contains(&escape(EXPIRED_CODE)), "{}", html(&r));
        for i in 1..MAX_WRONG_CODES {
            let wrong = if i % 2 == 0 { "ZZZZZZZZZ" } else { "nonsense" };
            let r = enter_code(&mut b, &f, wrong).await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(html(&r).contains(&escape(WRONG_CODE)), "{}", html(&r));
        }
        // Past the limit even the right code is refused, until the window has passed.
        let r = enter_code(&mut b, &f, &code).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(html(&r).contains(&escape(TOO_MANY_CODES)));
        f.app.clock.advance(Duration::minutes(15));
        let (_, code) = new_code(&f, &tid).await;
        let r = enter_code(&mut b, &f, &code).await;
        assert_eq!(form_action(&r), format!("/{tid}/login"));
    })
    .await;
}

#[tokio::test]
async fn forms_without_the_csrf_cookie_or_from_another_browser_are_refused() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let (device, code) = new_code(&f, &tid).await;
        let mut b = Browser::default();
        let page = b.get(&f.app, "/devicelogin").await;
        let csrf = hidden(&page, "csrf");
        let mut stranger = Browser::default();
        let r = stranger
            .post(&f.app, "/devicelogin", &[("otc", &code), ("csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(html(&r).contains("AADSTS9002313"));
        let r = b
            .post(
                &f.app,
                "/devicelogin",
                &[("otc", &code), ("csrf", "forged")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        // A confirmation page sent to someone else (phishing) is useless in their browser.
        let signin = enter_code(&mut b, &f, &code).await;
        let confirm = sign_in(&mut b, &f, &signin, &ann(&f)).await;
        let mut victim = Browser::default();
        let victim_page = enter_code(&mut victim, &f, "ZZZZZZZZZ").await;
        victim.cookies.extend(
            b.cookies
                .iter()
                .filter(|(k, _)| k.as_str() == "__Host-gatehouse-sso")
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let r = victim
            .post(
                &f.app,
                "/devicelogin/confirm",
                &[
                    ("consent", "continue"),
                    ("csrf", &hidden(&victim_page, "csrf")),
                    ("ticket", &hidden(&confirm, "ticket")),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("authorization_pending", 70016)
        );
    })
    .await;
}

#[tokio::test]
async fn a_code_for_one_tenant_is_approved_only_by_its_users() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let tenants = f
            .app
            .state
            .store
            .instance_read()
            .await
            .unwrap()
            .list_tenants()
            .await
            .unwrap();
        let other = tenants
            .iter()
            .map(|t| t.tenant.id)
            .find(|t| *t != f.tenant)
            .unwrap();
        let outsider = "olga@defaultdirectory.gatehouse.test";
        f.app.add_member(other, outsider, "Olga", PASSWORD).await;

        // Olga is signed in to her own tenant.
        let mut b = Browser::default();
        let (_, mine) = new_code(&f, &other.to_string()).await;
        let page = enter_code(&mut b, &f, &mine).await;
        sign_in(&mut b, &f, &page, outsider).await;

        // A code for Contoso: her session does not count, and her credentials are not Contoso's.
        let (device, code) = new_code(&f, &tid).await;
        let page = enter_code(&mut b, &f, &code).await;
        assert_eq!(
            form_action(&page),
            format!("/{tid}/login"),
            "{}",
            html(&page)
        );
        let r = b
            .post(
                &f.app,
                &form_action(&page),
                &[
                    ("login", outsider),
                    ("passwd", PASSWORD),
                    ("csrf", &hidden(&page, "csrf")),
                    ("request", &hidden(&page, "request")),
                ],
            )
            .await;
        assert!(
            html(&r).contains("Your account or password is incorrect"),
            "{}",
            html(&r)
        );
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("authorization_pending", 70016)
        );

        // A Contoso user approves it in the same browser.
        let confirm = sign_in(&mut b, &f, &page, &ann(&f)).await;
        answer(&mut b, &f, &confirm, "continue").await;
        f.app.clock.advance(Duration::seconds(5));
        let t = poll(&f, &tid, &device).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        let access: Value = claims(t.body["access_token"].as_str().unwrap());
        assert_eq!(access["tid"], tid);
    })
    .await;
}

#[tokio::test]
async fn a_user_disabled_after_approving_gets_no_tokens() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let (device, code) = new_code(&f, &tid).await;
        let mut b = Browser::default();
        let page = enter_code(&mut b, &f, &code).await;
        let confirm = sign_in(&mut b, &f, &page, &ann(&f)).await;
        answer(&mut b, &f, &confirm, "continue").await;
        let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
        let user = tx.user_by_upn(&ann(&f)).await.unwrap().unwrap();
        tx.set_account_enabled(user.id, false).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("invalid_grant", 50057)
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_revoked_after_approving_get_no_tokens() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let (device, code) = new_code(&f, &tid).await;
        let mut b = Browser::default();
        let page = enter_code(&mut b, &f, &code).await;
        let confirm = sign_in(&mut b, &f, &page, &ann(&f)).await;
        answer(&mut b, &f, &confirm, "continue").await;
        f.app.clock.advance(Duration::seconds(10));
        let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
        let user = tx.user_by_upn(&ann(&f)).await.unwrap().unwrap();
        tx.set_sign_in_sessions_valid_from(user.id, f.app.state.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            error(&poll(&f, &tid, &device).await),
            ("invalid_grant", 70008)
        );
    })
    .await;
}

#[tokio::test]
async fn an_administrator_under_security_defaults_cannot_approve_without_mfa() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let new = NewTenant::new(
            "Fabrikam",
            initial_domain("fabrikam", &f.app.state.instance.initial_domain_suffix).unwrap(),
            "US",
            true,
        )
        .unwrap();
        let created = tenants::create(
            &f.app.state,
            CreateTenant {
                tenant: new,
                admin: Some("admin".into()),
                admin_password: Some(PASSWORD.into()),
            },
            Initiator::instance("test"),
        )
        .await
        .unwrap();
        let fabrikam = created.summary.tenant.id.to_string();
        let (device, code) = new_code(&f, &fabrikam).await;
        let mut b = Browser::default();
        let page = enter_code(&mut b, &f, &code).await;
        let kmsi = b
            .submit_password(
                &f.app,
                &fabrikam,
                &page,
                &created.admin_user_principal_name,
                PASSWORD,
            )
            .await;
        assert_eq!(kmsi.status, StatusCode::BAD_REQUEST);
        assert!(html(&kmsi).contains("AADSTS50076"), "{}", html(&kmsi));
        assert_eq!(
            error(&poll(&f, &fabrikam, &device).await),
            ("authorization_pending", 70016)
        );
    })
    .await;
}

#[tokio::test]
async fn a_registered_app_that_allows_public_client_flows_may_use_the_device_code() {
    each_engine(|db| async move {
        let f = fixture(db).await;
        let tid = f.tenant.to_string();
        let admin = f.user_token("admin", "Application.ReadWrite.All").await;
        let r = f
            .call(
                &admin,
                axum::http::Method::POST,
                "/applications",
                Some(serde_json::json!({"displayName": "Kiosk", "isFallbackPublicClient": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let app_id = r.body["appId"].as_str().unwrap().to_owned();
        let scope = "openid profile offline_access";
        // No service principal in the tenant yet: unknown here.
        let r = device_code(&f, &tid, &[("client_id", &app_id), ("scope", scope)]).await;
        assert_eq!(error(&r), ("unauthorized_client", 700016));
        let sp = f.create_sp(&admin, &app_id).await;
        assert_eq!(sp.status, StatusCode::CREATED, "{}", sp.body);
        f.admin_consent(&app_id, scope).await;
        // Public: a secret is refused.
        let r = device_code(
            &f,
            &tid,
            &[
                ("client_id", &app_id),
                ("scope", scope),
                ("client_secret", "x"),
            ],
        )
        .await;
        assert_eq!(error(&r), ("invalid_request", 700025));

        let r = device_code(&f, &tid, &[("client_id", &app_id), ("scope", scope)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let device = r.body["device_code"].as_str().unwrap().to_owned();
        let code = r.body["user_code"].as_str().unwrap().to_owned();
        let mut b = Browser::default();
        let page = enter_code(&mut b, &f, &code).await;
        let confirm = sign_in(&mut b, &f, &page, &ann(&f)).await;
        answer_for(&mut b, &f, &confirm, "continue", "Kiosk").await;
        let t = poll_as(&f, &tid, &app_id, &device).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        let id = claims(t.body["id_token"].as_str().unwrap());
        assert_eq!(id["aud"], app_id);
        assert_eq!(id["preferred_username"], ann(&f));
    })
    .await;
}
