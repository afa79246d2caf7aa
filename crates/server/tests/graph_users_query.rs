//! `GET /users` and `/users/$count` with OData query options on real users, on both engines:
//! filters on columns, on the UPN key, on `directory_values` collections and on
//! `onPremisesExtensionAttributes`, Graph's advanced-query rules, `$orderby`, `$search`, `$count`.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use support::each_engine;
use support::graph::{Fixture, PASSWORD, fixture, urlencode};
use tower::ServiceExt;

const RW: &str = "User.ReadWrite.All";

async fn create(f: &Fixture, token: &str, alias: &str, name: &str, extra: Value) {
    let mut body = json!({
        "accountEnabled": true,
        "displayName": name,
        "mailNickname": alias,
        "userPrincipalName": format!("{alias}@{}", f.domain),
        "passwordProfile": {"password": PASSWORD, "forceChangePasswordNextSignIn": false},
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let r = f.call(token, Method::POST, "/users", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

fn names(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["value"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|u| u["displayName"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn users_filter_sort_search_and_count() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        create(
            &f,
            &admin,
            "qalex",
            "Q Alex Wilber",
            json!({"city": "Paris", "mail": "alex@contoso.com",
            "otherMails": ["Alex.W@Example.com"], "businessPhones": ["+1 555 0100"],
            "onPremisesExtensionAttributes": {"extensionAttribute1": "Blue"}}),
        )
        .await;
        create(
            &f,
            &admin,
            "qallan",
            "Q Allan Deyoung",
            json!({"city": "paris", "accountEnabled": false,
            "otherMails": ["allan@example.org"]}),
        )
        .await;
        create(
            &f,
            &admin,
            "qadele",
            "Q Adele Vance",
            json!({"city": "Berlin", "mail": "adele@fabrikam.com",
            "onPremisesExtensionAttributes": {"extensionAttribute1": "red"}}),
        )
        .await;
        let get = |q: String| {
            let f = &f;
            let admin = &admin;
            async move {
                f.call(admin, Method::GET, &format!("/users?{q}"), None)
                    .await
            }
        };
        let filter = |text: &str| format!("$filter={}", urlencode(text));
        let advanced =
            |text: &str| format!("{}&$count=true&ConsistencyLevel=eventual", filter(text));

        let cases: Vec<(String, Vec<&str>)> = vec![
            (
                filter("startswith(displayName,'q a')"),
                vec!["Q Adele Vance", "Q Allan Deyoung", "Q Alex Wilber"],
            ),
            (
                filter("city eq 'PARIS' and accountEnabled eq true"),
                vec!["Q Alex Wilber"],
            ),
            (
                filter("city in ('berlin', 'nowhere')"),
                vec!["Q Adele Vance"],
            ),
            (
                filter(&format!(
                    "userPrincipalName eq 'QALLAN@{}'",
                    f.domain.to_uppercase()
                )),
                vec!["Q Allan Deyoung"],
            ),
            (
                filter("otherMails/any(m:m eq 'alex.w@example.COM')"),
                vec!["Q Alex Wilber"],
            ),
            (
                filter("otherMails/any(m:startswith(m,'a'))"),
                vec!["Q Alex Wilber", "Q Allan Deyoung"],
            ),
            (
                filter("businessPhones/any(p:p eq '+1 555 0100')"),
                vec!["Q Alex Wilber"],
            ),
            (
                advanced("onPremisesExtensionAttributes/extensionAttribute1 eq 'BLUE'"),
                vec!["Q Alex Wilber"],
            ),
            (
                advanced("endswith(mail,'@fabrikam.com')"),
                vec!["Q Adele Vance"],
            ),
            (
                advanced("startswith(displayName,'Q ') and mail eq null"),
                vec!["Q Allan Deyoung"],
            ),
            (
                advanced("startswith(displayName,'Q ') and not(city eq 'paris')"),
                vec!["Q Adele Vance"],
            ),
        ];
        for (query, expected) in cases {
            let r = get(query.clone()).await;
            assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
            let mut expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
            expected.sort();
            assert_eq!(names(&r.body), expected, "{query}");
            if query.contains("$count=true") {
                assert_eq!(r.body["@odata.count"], expected.len(), "{query}");
            }
        }

        // Advanced operators without the advanced parameters: Graph's 400.
        let r = get(filter("endswith(mail,'@fabrikam.com')")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["code"], "Request_UnsupportedQuery");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Operator 'endsWith' is not supported")
        );
        let r = get(format!(
            "{}&$orderby=displayName",
            filter("city eq 'paris'")
        ))
        .await;
        assert_eq!(
            r.body["error"]["message"],
            "Sorting not supported for current query."
        );
        let r = get(filter("jobTitle eq 'x' or foo eq 1")).await;
        assert_eq!(
            r.body["error"]["message"],
            "Property 'foo' does not exist as a declared property or extension property."
        );

        // $orderby with $filter in an advanced query; $select shapes the entities.
        let r = get(format!(
            "{}&$orderby=displayName%20desc&$select=displayName,city",
            advanced("startswith(displayName,'q a')")
        ))
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let ordered: Vec<&str> = r.body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["displayName"].as_str().unwrap())
            .collect();
        assert_eq!(
            ordered,
            ["Q Allan Deyoung", "Q Alex Wilber", "Q Adele Vance"]
        );
        assert_eq!(r.body["value"][0]["city"], "paris");
        assert!(r.body["value"][0].get("mail").is_none());
        assert!(
            r.body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("$metadata#users(displayName,city)")
        );

        // $search and /$count.
        let r = get(format!(
            "$search={}&ConsistencyLevel=eventual",
            urlencode("\"displayName:deyo\"")
        ))
        .await;
        assert_eq!(names(&r.body), ["Q Allan Deyoung"]);
        let req = Request::builder()
            .uri(format!(
                "/v1.0/users/$count?{}",
                filter("startswith(displayName,'q a')")
            ))
            .header("authorization", format!("Bearer {admin}"))
            .header("ConsistencyLevel", "eventual")
            .body(Body::empty())
            .unwrap();
        let r = f.app.router().oneshot(req).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let text = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
        assert_eq!(&text[..], b"3");
    })
    .await;
}
