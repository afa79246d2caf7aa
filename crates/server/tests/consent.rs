//! Consent during the authorization code flow, in-process through the real pages on both engines:
//! a user consents for themself to low-impact permissions; admin approval is needed beyond what
//! the tenant's user consent setting allows; administrators consent for the organization;
//! `prompt=none` and the password grant get AADSTS65001; declining returns `access_denied`.

mod support;

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS;
use serde_json::json;
use support::Response;
use support::browser::{Browser, challenge, hidden, html};
use support::each_engine;
use support::graph::urlencode as enc;
use support::graph::{Fixture, PASSWORD, aadsts, claims, fixture};

const VERIFIER: &str = "dBjftJeZ4CVP-1mB0JxbjXIcIZm5xWYQFiLbC2hxx2c";
const REDIRECT: &str = "http://localhost:8400/";
const GRANTS_RW: &str = "DelegatedPermissionGrant.ReadWrite.All Application.Read.All";

fn cli() -> String {
    GRAPH_COMMAND_LINE_TOOLS.to_string()
}

fn authorize_url(f: &Fixture, scope: &str, extra: &str) -> String {
    format!(
        "/{}/oauth2/v2.0/authorize?client_id={}&response_type=code&redirect_uri={}&scope={}&state=s1&code_challenge={}&code_challenge_method=S256{extra}",
        f.tenant,
        cli(),
        enc(REDIRECT),
        enc(scope),
        challenge(VERIFIER)
    )
}

fn query(r: &Response) -> HashMap<String, String> {
    let location = r
        .header("location")
        .unwrap_or_else(|| panic!("no redirect: {:?}", r.body));
    location
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), support::browser::dec(v)))
        .collect()
}

/// Signs `upn` in through the pages (staying signed in); returns the page after "Stay signed in?".
async fn sign_in(b: &mut Browser, f: &Fixture, upn: &str, url: &str) -> Response {
    let page = b.get(&f.app, url).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    let kmsi = b
        .post(
            &f.app,
            &format!("/{}/login", f.tenant),
            &[
                ("login", upn),
                ("passwd", PASSWORD),
                ("csrf", &hidden(&page, "csrf")),
                ("request", &hidden(&page, "request")),
            ],
        )
        .await;
    b.post(
        &f.app,
        &format!("/{}/kmsi", f.tenant),
        &[
            ("kmsi", "yes"),
            ("csrf", &hidden(&kmsi, "csrf")),
            ("request", &hidden(&kmsi, "request")),
            ("pending", &hidden(&kmsi, "pending")),
        ],
    )
    .await
}

async fn answer(
    b: &mut Browser,
    f: &Fixture,
    page: &Response,
    fields: &[(&str, &str)],
) -> Response {
    let mut all = vec![
        ("csrf", hidden(page, "csrf")),
        ("request", hidden(page, "request")),
        ("pending", hidden(page, "pending")),
    ];
    all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let borrowed: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(&f.app, &format!("/{}/consent", f.tenant), &borrowed)
        .await
}

async fn redeem(f: &Fixture, code: &str) -> Response {
    f.token_request(
        &f.tenant.to_string(),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &cli()),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await
}

/// Revokes the Graph Command Line Tools' tenant-wide consent, so its users must consent again.
async fn revoke_cli_consent(f: &Fixture, admin: &str) -> String {
    let r = f
        .call(
            admin,
            Method::GET,
            &format!("/servicePrincipals?$filter=appId%20eq%20'{}'", cli()),
            None,
        )
        .await;
    let sp = r.body["value"][0]["id"].as_str().unwrap().to_owned();
    let r = f
        .call(
            admin,
            Method::GET,
            &format!("/servicePrincipals/{sp}/oauth2PermissionGrants"),
            None,
        )
        .await;
    for g in r.body["value"].as_array().unwrap() {
        let id = g["id"].as_str().unwrap();
        let d = f
            .call(
                admin,
                Method::DELETE,
                &format!("/oauth2PermissionGrants/{id}"),
                None,
            )
            .await;
        assert_eq!(d.status, StatusCode::NO_CONTENT, "{}", d.body);
    }
    sp
}

async fn grants_of(f: &Fixture, admin: &str, sp: &str) -> Vec<serde_json::Value> {
    let r = f
        .call(
            admin,
            Method::GET,
            &format!("/servicePrincipals/{sp}/oauth2PermissionGrants"),
            None,
        )
        .await;
    r.body["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_user_consents_for_themself_to_low_impact_permissions() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GRANTS_RW).await;
        let sp = revoke_cli_consent(&f, &admin).await;
        let ann = format!("ann@{}", f.domain);

        // Without consent, the password grant is refused with AADSTS65001.
        let r = f
            .token_request(
                &f.tenant.to_string(),
                &[
                    ("grant_type", "password"),
                    ("client_id", &cli()),
                    ("username", &ann),
                    ("password", PASSWORD),
                    ("scope", "User.Read"),
                ],
                None,
            )
            .await;
        assert_eq!(aadsts(&r), 65001, "{}", r.body);
        assert_eq!(r.body["error"], "invalid_grant");

        let mut b = Browser::default();
        let scope = "openid profile offline_access User.Read";
        let page = sign_in(&mut b, &f, &ann, &authorize_url(&f, scope, "")).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        let text = html(&page);
        assert!(text.contains("Permissions requested"), "{text}");
        assert!(
            text.contains("Sign you in and read your profile") || text.contains("Sign in as you"),
            "{text}"
        );
        assert!(
            !text.contains("consent_org"),
            "members cannot consent for the organization"
        );
        assert_eq!(page.header("x-frame-options"), Some("DENY"));

        // A forged or replayed answer is refused.
        let mut forged = Browser {
            cookies: b.cookies.clone(),
        };
        let r = forged
            .post(
                &f.app,
                &format!("/{}/consent", f.tenant),
                &[
                    ("csrf", "x"),
                    ("request", &hidden(&page, "request")),
                    ("pending", &hidden(&page, "pending")),
                    ("decision", "accept"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        let r = answer(&mut b, &f, &page, &[("decision", "accept")]).await;
        assert_eq!(r.status, StatusCode::FOUND, "{:?}", r.body);
        let p = query(&r);
        assert_eq!(p["state"], "s1");
        let t = redeem(&f, &p["code"]).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.body);
        assert!(
            claims(t.body["access_token"].as_str().unwrap())["scp"]
                .as_str()
                .unwrap()
                .contains("User.Read")
        );

        let grants = grants_of(&f, &admin, &sp).await;
        assert_eq!(grants.len(), 1, "{grants:?}");
        assert_eq!(grants[0]["consentType"], "Principal");
        let scopes: Vec<&str> = grants[0]["scope"].as_str().unwrap().split(' ').collect();
        for s in ["User.Read", "openid", "profile", "offline_access"] {
            assert!(scopes.contains(&s), "{scopes:?}");
        }

        // Consented: the next sign-in goes straight to the code; prompt=consent asks again.
        let r = b.get(&f.app, &authorize_url(&f, scope, "")).await;
        assert_eq!(r.status, StatusCode::FOUND, "{:?}", r.body);
        let r = b
            .get(&f.app, &authorize_url(&f, scope, "&prompt=consent"))
            .await;
        assert!(html(&r).contains("Permissions requested"));

        // Beyond low impact: admin approval needed; prompt=none says consent_required.
        let wider = "openid User.ReadBasic.All";
        let r = b
            .get(&f.app, &authorize_url(&f, wider, "&prompt=none"))
            .await;
        let p = query(&r);
        assert_eq!(p["error"], "consent_required", "{p:?}");
        assert!(p["error_description"].starts_with("AADSTS65001"), "{p:?}");
        let page = b.get(&f.app, &authorize_url(&f, wider, "")).await;
        let text = html(&page);
        assert!(text.contains("Need admin approval"), "{text}");
        assert!(!text.contains("value=\"accept\""), "{text}");
        let r = answer(&mut b, &f, &page, &[("decision", "cancel")]).await;
        let p = query(&r);
        assert_eq!(p["error"], "access_denied");
        assert!(p["error_description"].starts_with("AADSTS65004"), "{p:?}");
        // An accept forced through anyway is refused, and nothing is granted.
        let r = answer(&mut b, &f, &page, &[("decision", "accept")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        assert!(html(&r).contains("AADSTS90094"), "{}", html(&r));
        assert!(
            !grants_of(&f, &admin, &sp).await[0]["scope"]
                .as_str()
                .unwrap()
                .contains("User.ReadBasic.All")
        );

        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(10).await.unwrap();
        assert!(
            records
                .iter()
                .any(|r| r.activity_display_name == "Consent to application")
        );
    })
    .await;
}

#[tokio::test]
async fn administrators_consent_for_the_organization_and_the_setting_can_turn_user_consent_off() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f
            .user_token(
                "admin",
                &format!("{GRANTS_RW} Policy.ReadWrite.Authorization"),
            )
            .await;
        let sp = revoke_cli_consent(&f, &admin).await;
        let r = f
            .call(
                &admin,
                Method::PATCH,
                "/policies/authorizationPolicy",
                Some(
                    json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

        // User consent is off: even openid needs an administrator.
        let mut b = Browser::default();
        let page = sign_in(
            &mut b,
            &f,
            &format!("bob@{}", f.domain),
            &authorize_url(&f, "openid User.Read", ""),
        )
        .await;
        assert!(
            html(&page).contains("Need admin approval"),
            "{}",
            html(&page)
        );

        // The administrator consents on behalf of the organization.
        let mut b = Browser::default();
        let page = sign_in(
            &mut b,
            &f,
            &f.admin_upn,
            &authorize_url(&f, "openid User.Read User.ReadBasic.All", ""),
        )
        .await;
        let text = html(&page);
        assert!(text.contains("consent_org"), "{text}");
        let r = answer(
            &mut b,
            &f,
            &page,
            &[("decision", "accept"), ("consent_org", "on")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FOUND, "{:?}", r.body);
        let grants = grants_of(&f, &admin, &sp).await;
        assert_eq!(grants.len(), 1, "{grants:?}");
        assert_eq!(grants[0]["consentType"], "AllPrincipals");

        // Now bob signs in without being asked, and the password grant works for everyone.
        let mut b = Browser::default();
        let r = sign_in(
            &mut b,
            &f,
            &format!("bob@{}", f.domain),
            &authorize_url(&f, "openid User.Read", ""),
        )
        .await;
        assert_eq!(r.status, StatusCode::FOUND, "{:?}", r.body);
        let token = f.user_token("ann", "User.ReadBasic.All").await;
        assert!(
            claims(&token)["scp"]
                .as_str()
                .unwrap()
                .contains("User.ReadBasic.All")
        );
    })
    .await;
}
