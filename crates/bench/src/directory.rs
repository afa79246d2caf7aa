//! The directory scenarios' iterations (issue 6): Graph reads and writes of users in a tenant the
//! generator ([`crate::seed`]) filled, with an application token holding `User.ReadWrite.All`.

use anyhow::{Context as _, Result, anyhow};
use hyper::body::Bytes;
use hyper::header::HeaderName;
use hyper::{Method, StatusCode};
use serde_json::json;

use crate::http::{Session, percent_encode};
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

/// One page of a user list: the client's next page (its `@odata.nextLink`), or the first page
/// of one of `firsts` drawn at random when it has none yet or the last page was reached.
pub async fn list_page(
    s: &mut Session,
    state: &mut WorkerState,
    token: &str,
    firsts: &[String],
) -> Result<()> {
    let path = match state.next_link.take() {
        Some(next) => next,
        None => firsts[(state.next_random() % firsts.len().max(1) as u64) as usize].clone(),
    };
    let r = s
        .graph(Method::GET, &path, token, &[], None)
        .await?
        .expect(StatusCode::OK, "GET /users page")?;
    if !contains(&r.body, b"\"value\":[") {
        return Err(anyhow!("GET {path}: no value array"));
    }
    state.next_link = next_link(r.text())?;
    Ok(())
}

/// `GET {path}` of a `/$count` segment with `ConsistencyLevel: eventual`, which must answer a
/// plain number.
pub async fn count(s: &mut Session, token: &str, path: &str) -> Result<u64> {
    let eventual = [(HeaderName::from_static("consistencylevel"), "eventual")];
    let r = s
        .graph(Method::GET, path, token, &eventual, None)
        .await?
        .expect(StatusCode::OK, "GET $count")?;
    r.text()
        .trim()
        .parse()
        .with_context(|| format!("GET {path}: not a count: {:.80}", r.text()))
}

/// `$filter=department eq '{department}'` for a query string.
pub fn department_filter(department: &str) -> String {
    format!(
        "$filter={}",
        percent_encode(&format!("department eq '{department}'"))
    )
}

/// The first page of each department's users, 100 per page.
pub fn department_lists() -> Vec<String> {
    Directory::departments()
        .map(|d| format!("/v1.0/users?{}&$top=100", department_filter(d)))
        .collect()
}

/// The `/users/$count` of each department with the count `dir` must give.
pub fn department_counts(dir: &Directory) -> Vec<(String, u64)> {
    let mut counts: std::collections::BTreeMap<&str, u64> =
        Directory::departments().map(|d| (d, 0)).collect();
    for index in 0..dir.users {
        *counts.entry(dir.department(index)).or_default() += 1;
    }
    Directory::departments()
        .map(|d| {
            (
                format!("/v1.0/users/$count?{}", department_filter(d)),
                counts[d],
            )
        })
        .collect()
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
    fn department_queries_are_encoded_and_their_counts_add_up() {
        let dir = Directory {
            seed: 9,
            users: 5_000,
            domain: "bench.example.com".to_owned(),
        };
        let counts = department_counts(&dir);
        assert_eq!(counts.len(), Directory::departments().count());
        assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 5_000);
        let (path, n) = &counts[0];
        assert_eq!(
            path,
            "/v1.0/users/$count?$filter=department%20eq%20%27Engineering%27"
        );
        let engineering = (0..5_000)
            .filter(|i| dir.department(*i) == "Engineering")
            .count() as u64;
        assert_eq!(*n, engineering);
        let lists = department_lists();
        assert!(lists.iter().any(
            |l| l == "/v1.0/users?$filter=department%20eq%20%27Customer%20Support%27&$top=100"
        ));
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
