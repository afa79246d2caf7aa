//! `POST /$batch` through the router on both engines: requests run in order with the batch's
//! credentials, relative and absolute URLs, `dependsOn` with 424 after a failed dependency, each
//! response by id, and Graph's refusals (too many, duplicate ids, nesting, no token).

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use support::each_engine;
use support::graph::{PASSWORD, fixture};

fn by_id<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no response {id} in {body}"))
}

#[tokio::test]
async fn a_batch_runs_its_requests_in_order_and_answers_each_by_id() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", "User.ReadWrite.All").await;
        let upn = format!("batch@{}", f.domain);
        let batch = json!({"requests": [
            {"id": "1", "method": "POST", "url": "/users",
             "headers": {"Content-Type": "application/json"},
             "body": {"accountEnabled": true, "displayName": "Batch", "mailNickname": "batch",
                      "userPrincipalName": upn, "passwordProfile": {"password": PASSWORD}}},
            {"id": "2", "method": "GET", "url": format!("users/{upn}?$select=displayName"), "dependsOn": ["1"]},
            {"id": "3", "method": "PATCH", "url": format!("https://graph.microsoft.com/v1.0/users/{upn}"),
             "body": {"jobTitle": "Batched"}, "dependsOn": ["2"]},
            {"id": "4", "method": "GET", "url": "/users/nobody@nowhere.example"},
            {"id": "5", "method": "GET", "url": "/me", "dependsOn": ["4"]},
        ]});
        let r = f.call(&admin, Method::POST, "/$batch", Some(batch)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(by_id(&r.body, "1")["status"], 201);
        assert_eq!(by_id(&r.body, "1")["headers"]["Content-Type"], "application/json");
        assert_eq!(by_id(&r.body, "2")["status"], 200);
        assert_eq!(by_id(&r.body, "2")["body"]["displayName"], "Batch");
        assert_eq!(by_id(&r.body, "3")["status"], 204);
        assert!(by_id(&r.body, "3").get("body").is_none());
        assert_eq!(by_id(&r.body, "4")["status"], 404);
        assert_eq!(by_id(&r.body, "4")["body"]["error"]["code"], "Request_ResourceNotFound");
        assert_eq!(by_id(&r.body, "5")["status"], 424);
        let r = f
            .call(&admin, Method::GET, &format!("/users/{upn}?$select=jobTitle"), None)
            .await;
        assert_eq!(r.body["jobTitle"], "Batched");
    })
    .await;
}

#[tokio::test]
async fn malformed_batches_are_refused_as_graph_refuses_them() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", "User.Read.All").await;
        let get = |id: usize| json!({"id": id.to_string(), "method": "GET", "url": "/me"});
        for (batch, why) in [
            (json!({"requests": (0..21).map(get).collect::<Vec<_>>()}), "more than 20"),
            (json!({"requests": [get(1), get(1)]}), "duplicate ids"),
            (json!({"requests": []}), "empty"),
            (json!({"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]}), "unknown dependency"),
            (json!({"requests": [{"id": "1", "method": "GET"}]}), "no url"),
        ] {
            let r = f.call(&admin, Method::POST, "/$batch", Some(batch)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
        }
        // A nested batch is refused inside the batch.
        let r = f
            .call(&admin, Method::POST, "/$batch",
                  Some(json!({"requests": [{"id": "1", "method": "POST", "url": "/$batch", "body": {}}]})))
            .await;
        assert_eq!(by_id(&r.body, "1")["status"], 400);
        // Without a token the batch itself is 401.
        let r = f
            .app
            .call(Method::POST, "/v1.0/$batch", None, Some(json!({"requests": [get(1)]})))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    })
    .await;
}
