//! The load generator's HTTPS client: rustls (trusting only the server's CA) under hyper's
//! connection API, HTTP/1.1 or HTTP/2, one connection per session, kept alive or opened anew for
//! every iteration (`--new-connections`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow, bail};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::client::conn::{http1, http2};
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The HTTP version the load generator speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Protocol {
    #[serde(rename = "HTTP/1.1")]
    Http1,
    #[serde(rename = "HTTP/2")]
    Http2,
}

/// Where and how to connect: the server's address, the name its certificate carries, TLS.
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    /// The TLS server name and `Host` (the development certificate covers `localhost`).
    pub host: String,
    pub protocol: Protocol,
    /// Open a new connection (TCP and TLS handshake) for every iteration.
    pub new_connections: bool,
    tls: TlsConnector,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("addr", &self.addr)
            .field("protocol", &self.protocol)
            .field("new_connections", &self.new_connections)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// A target trusting only the PEM CA certificate(s) at `ca`.
    pub fn new(
        addr: SocketAddr,
        ca: &Path,
        protocol: Protocol,
        new_connections: bool,
    ) -> Result<Self> {
        let pem = std::fs::read(ca).with_context(|| format!("read {}", ca.display()))?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            roots.add(cert.context("CA certificate")?)?;
        }
        if roots.is_empty() {
            bail!("no certificate in {}", ca.display());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![match protocol {
            Protocol::Http1 => b"http/1.1".to_vec(),
            Protocol::Http2 => b"h2".to_vec(),
        }];
        Ok(Self {
            addr,
            host: "localhost".to_owned(),
            protocol,
            new_connections,
            tls: TlsConnector::from(Arc::new(config)),
        })
    }

    /// `https://localhost:PORT`
    pub fn base(&self) -> String {
        format!("https://{}:{}", self.host, self.addr.port())
    }

    async fn connect(&self) -> Result<Sender> {
        let tcp = TcpStream::connect(self.addr)
            .await
            .with_context(|| format!("connect to {}", self.addr))?;
        tcp.set_nodelay(true)?;
        let name = ServerName::try_from(self.host.clone())?;
        let tls = self.tls.connect(name, tcp).await.context("TLS handshake")?;
        let io = TokioIo::new(tls);
        Ok(match self.protocol {
            Protocol::Http1 => {
                let (sender, conn) = http1::handshake(io).await?;
                tokio::spawn(conn);
                Sender::H1(sender)
            }
            Protocol::Http2 => {
                let (sender, conn) = http2::handshake(TokioExecutor::new(), io).await?;
                tokio::spawn(conn);
                Sender::H2(sender)
            }
        })
    }
}

#[derive(Debug)]
enum Sender {
    H1(http1::SendRequest<Full<Bytes>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

/// A response, read to the end.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }

    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.body).context("response is not JSON")
    }

    /// Fails unless the status is `expected`, quoting the start of the body.
    pub fn expect(self, expected: StatusCode, what: &str) -> Result<Self> {
        if self.status == expected {
            return Ok(self);
        }
        let body: String = self.text().chars().take(300).collect();
        Err(anyhow!(
            "{what}: HTTP {} (expected {expected}): {body}",
            self.status
        ))
    }
}

/// One simulated client: a connection (opened on first use) and, for flows through the pages,
/// a cookie jar.
#[derive(Debug)]
pub struct Session {
    target: Arc<Target>,
    sender: Option<Sender>,
    /// Requests sent since the last [`Session::take_requests`].
    requests: u64,
    pub cookies: BTreeMap<String, String>,
}

impl Session {
    pub fn new(target: Arc<Target>) -> Self {
        Self {
            target,
            sender: None,
            requests: 0,
            cookies: BTreeMap::new(),
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Ends an iteration: drops the connection in `--new-connections` mode, and the cookies.
    pub fn end_iteration(&mut self) {
        if self.target.new_connections {
            self.sender = None;
        }
        self.cookies.clear();
    }

    /// Forgets the connection (after an error).
    pub fn reset(&mut self) {
        self.sender = None;
        self.cookies.clear();
    }

    pub fn take_requests(&mut self) -> u64 {
        std::mem::take(&mut self.requests)
    }

    pub async fn get(&mut self, path: &str, bearer: Option<&str>) -> Result<Reply> {
        let mut headers = Vec::new();
        let auth;
        if let Some(token) = bearer {
            auth = format!("Bearer {token}");
            headers.push((header::AUTHORIZATION, auth.as_str()));
        }
        self.send(Method::GET, path, &headers, Bytes::new()).await
    }

    /// A Graph call with a bearer token, extra headers and an optional JSON body.
    pub async fn graph(
        &mut self,
        method: Method,
        path: &str,
        token: &str,
        extra: &[(header::HeaderName, &str)],
        json: Option<Bytes>,
    ) -> Result<Reply> {
        let auth = format!("Bearer {token}");
        let mut headers = vec![(header::AUTHORIZATION, auth.as_str())];
        headers.extend(extra.iter().cloned());
        if json.is_some() {
            headers.push((header::CONTENT_TYPE, "application/json"));
        }
        self.send(method, path, &headers, json.unwrap_or_default())
            .await
    }

    /// A form POST (`application/x-www-form-urlencoded`).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Reply> {
        let body = form_encode(fields);
        let headers = [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")];
        self.send(Method::POST, path, &headers, Bytes::from(body))
            .await
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(header::HeaderName, &str)],
        body: Bytes,
    ) -> Result<Reply> {
        let closed = match &self.sender {
            Some(Sender::H1(s)) => s.is_closed(),
            Some(Sender::H2(s)) => s.is_closed(),
            None => true,
        };
        if closed {
            self.sender = Some(self.target.connect().await?);
        }
        let uri = match self.target.protocol {
            Protocol::Http1 => path.to_owned(),
            Protocol::Http2 => format!("{}{path}", self.target.base()),
        };
        let mut request = Request::builder().method(method).uri(uri);
        if self.target.protocol == Protocol::Http1 {
            request = request.header(
                header::HOST,
                format!("{}:{}", self.target.host, self.target.addr.port()),
            );
        }
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        if !self.cookies.is_empty() {
            let jar = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(header::COOKIE, jar);
        }
        let request = request.body(Full::new(body))?;
        self.requests += 1;
        let response = match self.sender.as_mut().expect("connected above") {
            Sender::H1(s) => {
                s.ready().await?;
                s.send_request(request).await?
            }
            Sender::H2(s) => {
                s.ready().await?;
                s.send_request(request).await?
            }
        };
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        for cookie in parts.headers.get_all(header::SET_COOKIE) {
            let cookie = cookie.to_str().unwrap_or_default();
            let pair = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies
                    .insert(name.trim().to_owned(), value.to_owned());
            }
        }
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

/// `application/x-www-form-urlencoded` encoding of `fields`.
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` (form encoding).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_round_trips() {
        let s = "https://graph.microsoft.com/.default offline_access+é&=";
        let encoded = percent_encode(s);
        assert!(
            !encoded.contains([' ', '&', '=', '+', '/', ':']),
            "{encoded}"
        );
        assert_eq!(percent_decode(&encoded), s);
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(form_encode(&[("a", "1 2"), ("b", "&")]), "a=1%202&b=%26");
    }
}
