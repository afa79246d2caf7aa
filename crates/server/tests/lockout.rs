//! Smart lockout through the password grant and the sign-in page, on both engines: ten distinct
//! wrong passwords lock the user for a minute (AADSTS50053, even with the right password), the
//! next lockout lasts twice as long, a repeated wrong password counts once, success clears it all.

mod support;

use axum::http::StatusCode;
use gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS;
use support::browser::{Browser, hidden, html};
use support::each_engine;
use support::graph::{Fixture, PASSWORD, aadsts, fixture};
use time::Duration;

async fn attempt(f: &Fixture, password: &str) -> support::Response {
    f.token_request(
        &f.tenant.to_string(),
        &[
            ("grant_type", "password"),
            ("client_id", &GRAPH_COMMAND_LINE_TOOLS.to_string()),
            ("username", &format!("ann@{}", f.domain)),
            ("password", password),
            ("scope", "User.Read"),
        ],
        None,
    )
    .await
}

#[tokio::test]
async fn ten_wrong_passwords_lock_the_account_for_a_minute_then_two() {
    each_engine(|db| async {
        let f = fixture(db).await;
        for i in 0..10 {
            let r = attempt(&f, &format!("Wrong-{i}")).await;
            assert_eq!(aadsts(&r), 50126, "attempt {i}: {}", r.body);
        }
        let r = attempt(&f, PASSWORD).await;
        assert_eq!(aadsts(&r), 50053, "{}", r.body);
        assert_eq!(r.body["error"], "invalid_grant");

        // The sign-in page says so too.
        let mut b = Browser::default();
        let tid = f.tenant.to_string();
        let url = format!(
            "/{tid}/oauth2/v2.0/authorize?client_id={}&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2F&scope=User.Read&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
            GRAPH_COMMAND_LINE_TOOLS
        );
        let page = b.get(&f.app, &url).await;
        let r = b
            .post(
                &f.app,
                &format!("/{tid}/login"),
                &[
                    ("login", &format!("ann@{}", f.domain)),
                    ("passwd", PASSWORD),
                    ("csrf", &hidden(&page, "csrf")),
                    ("request", &hidden(&page, "request")),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(html(&r).contains("Your account is locked."), "{}", html(&r));

        // Other users are not affected.
        let bob = f.user_token("bob", "User.Read").await;
        assert!(!bob.is_empty());

        // After the minute, ten more wrong passwords lock for two minutes.
        f.app.clock.advance(Duration::seconds(61));
        for i in 0..10 {
            assert_eq!(aadsts(&attempt(&f, &format!("Again-{i}")).await), 50126);
        }
        f.app.clock.advance(Duration::seconds(90));
        assert_eq!(aadsts(&attempt(&f, PASSWORD).await), 50053);
        f.app.clock.advance(Duration::seconds(31));
        let r = attempt(&f, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // Success clears the record: one wrong password is just that again.
        assert_eq!(aadsts(&attempt(&f, "Wrong-0").await), 50126);
        assert_eq!(attempt(&f, PASSWORD).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_same_wrong_password_is_counted_once() {
    each_engine(|db| async {
        let f = fixture(db).await;
        for _ in 0..15 {
            assert_eq!(aadsts(&attempt(&f, "Summer2026!").await), 50126);
        }
        assert_eq!(attempt(&f, PASSWORD).await.status, StatusCode::OK);
    })
    .await;
}
