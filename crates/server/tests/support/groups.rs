//! Helpers for the group tests: create groups, add references, read a user's id, assert errors.

#![allow(dead_code)]

use axum::http::{Method, StatusCode};
use gatehouse_domain::ids::ObjectId;
use serde_json::{Value, json};

use super::Response;
use super::graph::Fixture;

/// Scopes an administrator's token carries in the group tests: groups and users in full.
pub const GROUP_ADMIN_SCOPES: &str = "Group.ReadWrite.All User.Read.All";

pub fn security(name: &str) -> Value {
    json!({
        "displayName": name, "mailNickname": name.to_lowercase().replace(' ', "-"),
        "mailEnabled": false, "securityEnabled": true, "groupTypes": [],
    })
}

pub fn unified(name: &str) -> Value {
    json!({
        "displayName": name, "mailNickname": name.to_lowercase().replace(' ', "-"),
        "mailEnabled": true, "securityEnabled": false, "groupTypes": ["Unified"],
    })
}

pub fn object_url(id: &str) -> String {
    format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")
}

pub fn assert_graph_error(r: &Response, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
}

pub fn assert_forbidden(r: &Response) {
    assert_graph_error(r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
    assert_eq!(
        r.body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
}

pub fn assert_bad_request(r: &Response, message: &str) {
    assert_graph_error(r, StatusCode::BAD_REQUEST, "Request_BadRequest");
    assert_eq!(r.body["error"]["message"], message, "{}", r.body);
}

/// The ids in a collection response, sorted.
pub fn ids(r: &Response) -> Vec<String> {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut ids: Vec<String> = r.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

pub fn sorted(ids: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

impl Fixture {
    /// The object id of a fixture user ("admin", "ann", "bob", "gus").
    pub async fn user_oid(&self, alias: &str) -> String {
        let upn = if alias == "admin" {
            self.admin_upn.clone()
        } else {
            format!("{alias}@{}", self.domain)
        };
        let mut tx = self.app.state.store.read(self.tenant).await.unwrap();
        tx.user_by_upn(&upn).await.unwrap().unwrap().id.to_string()
    }

    /// Creates a group as `token`'s caller; returns its JSON.
    pub async fn create_group(&self, token: &str, body: Value) -> Value {
        let r = self.call(token, Method::POST, "/groups", Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    /// Creates a group and returns its id.
    pub async fn new_group_id(&self, token: &str, body: Value) -> String {
        self.create_group(token, body).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `POST /groups/{group}/{relation}/$ref` for `object`.
    pub async fn group_ref(
        &self,
        token: &str,
        group: &str,
        relation: &str,
        object: &str,
    ) -> Response {
        self.call(
            token,
            Method::POST,
            &format!("/groups/{group}/{relation}/$ref"),
            Some(json!({ "@odata.id": object_url(object) })),
        )
        .await
    }

    /// Adds `member` to `group` and expects 204.
    pub async fn group_add_member(&self, token: &str, group: &str, member: &str) {
        let r = self.group_ref(token, group, "members", member).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }

    pub async fn read_path(&self, token: &str, path: &str) -> Response {
        self.call(token, Method::GET, path, None).await
    }

    /// The activity names of the tenant's most recent audit records.
    pub async fn group_audit_activities(&self) -> Vec<String> {
        let mut tx = self.app.state.store.read(self.tenant).await.unwrap();
        tx.audit_records(200)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.activity_display_name)
            .collect()
    }
}

pub fn oid(s: &str) -> ObjectId {
    s.parse().unwrap()
}
