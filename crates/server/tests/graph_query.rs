//! The OData query options of Graph lists through the router on both engines (on
//! `/servicePrincipals`, which uses the shared machinery): `$filter` with Graph's advanced-query
//! rules, `$select` with its `@odata.context`, `$top` paging through `@odata.nextLink`, `$orderby`,
//! `$count` and `/$count` with `ConsistencyLevel: eventual`, `$search`, and Graph's errors.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use support::each_engine;
use support::graph::{Fixture, RW, fixture, urlencode};
use tower::ServiceExt;

const BASE: &str = "https://localhost:8443";

/// Registers applications and their service principals; returns their appIds.
async fn service_principals(f: &Fixture, admin: &str, names: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names {
        let (_, app_id) = f.register(admin, name).await;
        let r = f.create_sp(admin, &app_id).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(app_id);
    }
    ids
}

fn names(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["displayName"].as_str().unwrap().to_owned())
        .collect()
}

/// `GET path` with `ConsistencyLevel: eventual` as a header; the body as text.
async fn eventual_text(f: &Fixture, token: &str, path: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(format!("/v1.0{path}"))
        .header("authorization", format!("Bearer {token}"))
        .header("ConsistencyLevel", "eventual")
        .body(Body::empty())
        .unwrap();
    let r = f.app.router().oneshot(req).await.unwrap();
    let status = r.status();
    let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    if status == StatusCode::OK {
        assert!(content_type.starts_with("text/plain"), "{content_type}");
    }
    (status, text)
}

#[tokio::test]
async fn lists_filter_select_page_sort_count_and_search_as_graph() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        service_principals(&f, &admin, &["Query Alpha", "Query Beta", "query gamma", "Other"]).await;
        let starts = urlencode("startswith(displayName,'query')");

        // $filter, case-insensitive.
        let r = f.call(&admin, Method::GET, &format!("/servicePrincipals?$filter={starts}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut all = names(&r.body);
        all.sort();
        assert_eq!(all, ["Query Alpha", "Query Beta", "query gamma"]);
        assert!(r.body.get("@odata.count").is_none());
        assert!(r.body.get("@odata.nextLink").is_none());

        // $top pages through @odata.nextLink: the same URL with a new $skiptoken.
        let mut url = format!("/servicePrincipals?$filter={starts}&$top=2");
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let r = f.call(&admin, Method::GET, &url, None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            pages += 1;
            seen.extend(names(&r.body));
            let Some(next) = r.body["@odata.nextLink"].as_str() else { break };
            let path = next.strip_prefix(&format!("{BASE}/v1.0")).unwrap();
            assert!(path.starts_with(&format!("/servicePrincipals?$filter={starts}&$top=2&$skiptoken=")), "{next}");
            url = path.to_owned();
        }
        seen.sort();
        assert_eq!((pages, seen), (2, all.clone()));

        // $select: the context names the properties; id always comes back.
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals?$filter={starts}&$select=displayName,APPID"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["@odata.context"], format!("{BASE}/v1.0/$metadata#servicePrincipals(displayName,appId)"));
        for sp in r.body["value"].as_array().unwrap() {
            let mut keys: Vec<&str> = sp.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(keys, ["appId", "displayName", "id"]);
        }
        let r = f.call(&admin, Method::GET, "/servicePrincipals?$select=nope", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["code"], "Request_BadRequest");
        assert_eq!(
            r.body["error"]["message"],
            "Could not find a property named 'nope' on type 'microsoft.graph.servicePrincipal'."
        );

        // $count=true: ignored without eventual consistency, @odata.count with it.
        let r = f.call(&admin, Method::GET, &format!("/servicePrincipals?$filter={starts}&$count=true"), None).await;
        assert!(r.body.get("@odata.count").is_none(), "{}", r.body);
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals?$filter={starts}&$count=true&ConsistencyLevel=eventual&$top=1"), None)
            .await;
        assert_eq!(r.body["@odata.count"], 3, "{}", r.body);
        assert_eq!(names(&r.body).len(), 1);

        // Advanced queries: refused without the advanced parameters, with Graph's message.
        let ne = urlencode("displayName ne 'Other'");
        let r = f.call(&admin, Method::GET, &format!("/servicePrincipals?$filter={ne}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["code"], "Request_UnsupportedQuery");
        assert_eq!(
            r.body["error"]["message"],
            "Operator 'ne' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
        );
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals?$filter={starts}%20and%20{ne}&$count=true&ConsistencyLevel=eventual"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["@odata.count"], 3);

        // $orderby: an advanced query on service principals.
        let r = f.call(&admin, Method::GET, "/servicePrincipals?$orderby=displayName", None).await;
        assert_eq!(r.body["error"]["message"], "Sorting not supported for current query.");
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals?$filter={starts}&$orderby=displayName%20desc&$count=true&ConsistencyLevel=eventual"), None)
            .await;
        assert_eq!(names(&r.body), ["query gamma", "Query Beta", "Query Alpha"], "{}", r.body);

        // $search: tokenised prefix match, with the header only.
        let search = urlencode("\"displayName:bet\"");
        let r = f.call(&admin, Method::GET, &format!("/servicePrincipals?$search={search}"), None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body["error"]["message"],
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"
        );
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals?$search={search}&ConsistencyLevel=eventual"), None)
            .await;
        assert_eq!(names(&r.body), ["Query Beta"], "{}", r.body);

        // /$count: plain text with eventual consistency; Graph's 400 without.
        let r = f.call(&admin, Method::GET, "/servicePrincipals/$count", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.body["error"]["code"], "Request_BadRequest");
        assert_eq!(r.body["error"]["message"], "$count is not currently supported.");
        let (status, text) = eventual_text(&f, &admin, &format!("/servicePrincipals/$count?$filter={starts}")).await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, "3"));
        let (_, total) = eventual_text(&f, &admin, "/servicePrincipals/$count").await;
        let r = f.call(&admin, Method::GET, "/servicePrincipals?$top=999", None).await;
        assert_eq!(total, r.body["value"].as_array().unwrap().len().to_string());

        // Syntax errors, garbage tokens, unknown options.
        let cases = [
            (format!("/servicePrincipals?$filter={}", urlencode("displayName eq")), "BadRequest", "Invalid filter clause: Expression expected at position 14 in 'displayName eq'."),
            ("/servicePrincipals?$skiptoken=garbage".to_owned(), "Request_BadRequest", "Invalid Skip Token"),
            ("/servicePrincipals?$skip=2".to_owned(), "Request_BadRequest", "'$skip' is not supported by the service."),
            ("/servicePrincipals?$top=0".to_owned(), "Request_UnsupportedQuery", "Invalid page size specified: '0'. Must be between 1 and 999 inclusive."),
            (format!("/servicePrincipals?$filter={}", urlencode("tags/any(t:t eq 'x')")), "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'tags' of resource 'ServicePrincipal'."),
        ];
        for (url, code, message) in cases {
            let r = f.call(&admin, Method::GET, &url, None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}");
            assert_eq!((r.body["error"]["code"].as_str(), r.body["error"]["message"].as_str()), (Some(code), Some(message)), "{url}");
        }
    })
    .await;
}
