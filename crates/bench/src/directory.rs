//! The directory scenarios' iterations (issue 6): Graph reads and writes of users in a tenant the
//! generator ([`crate::seed`]) filled, with an application token holding `User.ReadWrite.All`.

use anyhow::{Context as _, Result, anyhow};
use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use serde_json::json;

use crate::http::Session;
use crate::scenarios::WorkerState;
use crate::seed::{Directory, mix};

/// `GET /v1.0/users/{id}` of a seeded user drawn at random (uniformly) by each client.
pub async fn get_user(
    s: &mut Session,
    state: &mut WorkerState,
    token: &str,
    dir: &Directory,
) -> Result<()> {
    let index = (state.next_random() % dir.users.max(1) as u64) as usize;
    let path = format!("/v1.0/users/{}", dir.user_id(index));
    let r = s
        .graph(Method::GET, &path, token, &[], None)
        .await?
        .expect(StatusCode::OK, "GET /users/{id}")?;
    if !contains(&r.body, dir.upn(index).as_bytes()) {
        return Err(anyhow!("GET {path} answered another user"));
    }
    Ok(())
}

/// The body of a `POST /users` with a sign-in name no other iteration of any run uses.
pub fn new_user_body(domain: &str, prefix: &str, state: &mut WorkerState) -> serde_json::Value {
    state.counter += 1;
    let alias = format!("{prefix}-{}-{}", state.worker, state.counter);
    json!({
        "accountEnabled": true,
        "displayName": format!("Benchmark {alias}"),
        "mailNickname": alias,
        "userPrincipalName": format!("{alias}@{domain}"),
        "department": "Benchmarking",
        "passwordProfile": {
            "forceChangePasswordNextSignIn": false,
            "password": format!("Bench-{alias}-Pa55!"),
        },
    })
}

/// `POST /v1.0/users` with a unique user principal name (the server hashes its password with
/// Argon2id, as every create does).
pub async fn create_user(
    s: &mut Session,
    state: &mut WorkerState,
    token: &str,
    domain: &str,
    prefix: &str,
) -> Result<()> {
    let body = new_user_body(domain, prefix, state);
    s.graph(
        Method::POST,
        "/v1.0/users",
        token,
        &[],
        Some(Bytes::from(body.to_string())),
    )
    .await?
    .expect(StatusCode::CREATED, "POST /users")?;
    Ok(())
}

/// One page of a user list: the client's next page (its `@odata.nextLink`), or `first` when it
/// has none yet or the last page was reached. Fails unless the page is full or the last.
pub async fn list_page(
    s: &mut Session,
    state: &mut WorkerState,
    token: &str,
    first: &str,
    headers: &[(hyper::header::HeaderName, &str)],
) -> Result<()> {
    let path = state.next_link.take().unwrap_or_else(|| first.to_owned());
    let r = s
        .graph(Method::GET, &path, token, headers, None)
        .await?
        .expect(StatusCode::OK, "GET /users page")?;
    if !contains(&r.body, b"\"value\":[") {
        return Err(anyhow!("GET {path}: no value array"));
    }
    state.next_link = next_link(r.text())?;
    Ok(())
}

/// `GET {path}` of a `/$count` segment, which must answer a plain number.
pub async fn count(
    s: &mut Session,
    token: &str,
    path: &str,
    headers: &[(hyper::header::HeaderName, &str)],
) -> Result<u64> {
    let r = s
        .graph(Method::GET, path, token, headers, None)
        .await?
        .expect(StatusCode::OK, "GET $count")?;
    r.text()
        .trim()
        .parse()
        .with_context(|| format!("GET {path}: not a count: {:.80}", r.text()))
}

/// The path and query of a page's `@odata.nextLink`, if it has one.
pub fn next_link(body: &str) -> Result<Option<String>> {
    const KEY: &str = "\"@odata.nextLink\":\"";
    let Some(start) = body.find(KEY).map(|i| i + KEY.len()) else {
        return Ok(None);
    };
    let end = body[start..].find('"').context("unterminated nextLink")?;
    let url = &body[start..start + end];
    let path = url
        .find("/v1.0/")
        .map(|i| &url[i..])
        .with_context(|| format!("nextLink {url} is not a Graph v1.0 URL"))?;
    Ok(Some(path.to_owned()))
}

impl WorkerState {
    /// A client's state: its index and a random stream of its own (the same for every run).
    pub fn for_worker(worker: usize) -> Self {
        Self {
            worker,
            rng: mix(worker as u64 ^ 0x5eed),
            ..Self::default()
        }
    }

    /// The client's next random number.
    pub fn next_random(&mut self) -> u64 {
        self.rng = mix(self.rng);
        self.rng
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_become_paths_and_the_last_page_has_none() {
        let body = r#"{"@odata.context":"x","value":[],"@odata.nextLink":"https://localhost:8443/v1.0/users?$top=100&$skiptoken=abc"}"#;
        assert_eq!(
            next_link(body).unwrap().as_deref(),
            Some("/v1.0/users?$top=100&$skiptoken=abc")
        );
        assert_eq!(next_link(r#"{"value":[]}"#).unwrap(), None);
        assert!(next_link(r#"{"@odata.nextLink":"https://elsewhere/x"}"#).is_err());
    }

    #[test]
    fn clients_draw_different_reproducible_streams_and_unique_names() {
        let (mut a, mut b, mut a2) = (
            WorkerState::for_worker(0),
            WorkerState::for_worker(1),
            WorkerState::for_worker(0),
        );
        let xs: Vec<u64> = (0..5).map(|_| a.next_random()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_random()).collect();
        let xs2: Vec<u64> = (0..5).map(|_| a2.next_random()).collect();
        assert_eq!(xs, xs2);
        assert!(xs.iter().all(|x| !ys.contains(x)));
        let mut names = std::collections::HashSet::new();
        for state in [&mut a, &mut b] {
            for _ in 0..3 {
                let body = new_user_body("bench.example.com", "run1", state);
                assert!(names.insert(body["userPrincipalName"].as_str().unwrap().to_owned()));
                assert_eq!(
                    body["mailNickname"],
                    body["userPrincipalName"]
                        .as_str()
                        .unwrap()
                        .split('@')
                        .next()
                        .unwrap()
                );
            }
        }
        assert_eq!(names.len(), 6);
    }
}
