//! A tiny cookie-carrying browser for the sign-in pages, and helpers to read what they render
//! (hidden form fields, the parameters of a response sent back to the client).

#![allow(dead_code)]

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt as _;

use super::graph::urlencode;
use super::{Response, TestApp};

/// The PKCE S256 challenge of `verifier`.
pub fn challenge(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Percent-decoding (with `+` as a space), as a client reads a redirect.
pub fn dec(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A browser: keeps cookies across requests (a `Max-Age=0` cookie is deleted).
#[derive(Default)]
pub struct Browser {
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub async fn send(
        &mut self,
        app: &TestApp,
        req: axum::http::request::Builder,
        body: Body,
    ) -> Response {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie)
        };
        let r = super::read(app.router().oneshot(req.body(body).unwrap()).await.unwrap()).await;
        for v in r.headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (kv, attributes) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        r
    }

    pub async fn get(&mut self, app: &TestApp, path: &str) -> Response {
        self.send(app, Request::get(path), Body::empty()).await
    }

    pub async fn post(&mut self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            app,
            Request::post(path).header("content-type", "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }
}

impl Browser {
    /// Signs in as `login` on the page `authorize` rendered; returns the "Stay signed in?" page.
    pub async fn submit_password(
        &mut self,
        app: &TestApp,
        tenant: &str,
        page: &Response,
        login: &str,
        password: &str,
    ) -> Response {
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        self.post(
            app,
            &format!("/{tenant}/login"),
            &[
                ("login", login),
                ("passwd", password),
                ("csrf", &hidden(page, "csrf")),
                ("request", &hidden(page, "request")),
            ],
        )
        .await
    }

    /// Answers "Stay signed in?".
    pub async fn stay(
        &mut self,
        app: &TestApp,
        tenant: &str,
        kmsi: &Response,
        yes: bool,
    ) -> Response {
        assert!(html(kmsi).contains("Stay signed in?"), "{}", html(kmsi));
        self.post(
            app,
            &format!("/{tenant}/kmsi"),
            &[
                ("kmsi", if yes { "yes" } else { "no" }),
                ("csrf", &hidden(kmsi, "csrf")),
                ("request", &hidden(kmsi, "request")),
                ("pending", &hidden(kmsi, "pending")),
            ],
        )
        .await
    }

    /// The full interactive flow from `url` (an authorize URL); returns the answer to the client.
    pub async fn sign_in(
        &mut self,
        app: &TestApp,
        tenant: &str,
        url: &str,
        login: &str,
        password: &str,
    ) -> Response {
        let page = self.get(app, url).await;
        let kmsi = self
            .submit_password(app, tenant, &page, login, password)
            .await;
        self.stay(app, tenant, &kmsi, true).await
    }
}

pub fn html(r: &Response) -> &str {
    r.body
        .as_str()
        .unwrap_or_else(|| panic!("not HTML: {:?}", r.body))
}

pub fn hidden(r: &Response, name: &str) -> String {
    let page = html(r);
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    let end = page[start..].find('"').unwrap();
    page[start..start + end].replace("&amp;", "&")
}

/// The parameters sent back to the client in `mode` (`query`, `fragment` or `form_post`).
pub fn params(r: &Response, mode: &str) -> HashMap<String, String> {
    let raw = match mode {
        "form_post" => {
            let page = html(r);
            let mut out = HashMap::new();
            for name in [
                "code",
                "state",
                "error",
                "error_description",
                "id_token",
                "access_token",
                "token_type",
                "expires_in",
                "scope",
            ] {
                if page.contains(&format!("name=\"{name}\"")) {
                    out.insert(name.to_owned(), hidden(r, name));
                }
            }
            return out;
        }
        "fragment" => r
            .header("location")
            .unwrap()
            .split_once('#')
            .unwrap()
            .1
            .to_owned(),
        _ => r
            .header("location")
            .unwrap()
            .split_once('?')
            .unwrap()
            .1
            .to_owned(),
    };
    raw.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), dec(v)))
        .collect()
}
