//! The scenarios: what one iteration of each does, over a [`Session`].

use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::StatusCode;
use hyper::header::LOCATION;
use sha2::{Digest as _, Sha256};

use crate::directory;
use crate::http::{Session, percent_decode, percent_encode};
use crate::seed::Directory;

/// Microsoft Graph Command Line Tools, the first-party public client every tenant has.
pub const GRAPH_COMMAND_LINE_TOOLS: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
/// A loopback redirect URI, which Microsoft's public clients may use on any port.
pub const LOOPBACK_REDIRECT: &str = "http://localhost:8400/";
/// The delegated scopes the user scenarios ask for (one access token per grant, no ID token).
pub const USER_SCOPE: &str = "https://graph.microsoft.com/User.Read offline_access";
/// The scopes of the sign-in flow (access, ID and refresh token, as an OIDC web app asks).
pub const SIGNIN_SCOPE: &str = "openid profile offline_access User.Read";

/// The scenarios that can be run (`gatehouse-bench run NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum ScenarioName {
    TokenClientCredentials,
    /// Client credentials for a tenant whose Graph tokens are ES256 (`graphTokenAlgorithm`).
    TokenClientCredentialsEs256,
    TokenRefresh,
    SigninPassword,
    GraphMe,
    /// `GET /v1.0/users/{id}` of random seeded users.
    GraphGetUser,
    /// `POST /v1.0/users` with unique sign-in names.
    GraphCreateUser,
    /// `GET /v1.0/users?$top=100`, each client following its `@odata.nextLink`s.
    GraphListUsers,
    /// `GET /v1.0/users?$filter=department eq '…'&$top=100`, following the next links.
    GraphListFilter,
    /// `GET /v1.0/users/$count?$filter=department eq '…'` with `ConsistencyLevel: eventual`.
    GraphCount,
}

impl ScenarioName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TokenClientCredentials => "token-client-credentials",
            Self::TokenClientCredentialsEs256 => "token-client-credentials-es256",
            Self::TokenRefresh => "token-refresh",
            Self::SigninPassword => "signin-password",
            Self::GraphMe => "graph-me",
            Self::GraphGetUser => "graph-get-user",
            Self::GraphCreateUser => "graph-create-user",
            Self::GraphListUsers => "graph-list-users",
            Self::GraphListFilter => "graph-list-filter",
            Self::GraphCount => "graph-count",
        }
    }

    /// Whether the scenario works on a generated directory (`--users`).
    pub fn needs_directory(self) -> bool {
        matches!(
            self,
            Self::GraphGetUser
                | Self::GraphCreateUser
                | Self::GraphListUsers
                | Self::GraphListFilter
                | Self::GraphCount
        )
    }

    /// Whether issue 4 states the scenario's target as a latency: it runs with
    /// `--latency-concurrency` clients, so the figure is the request's own time rather than the
    /// queue in front of a saturated core.
    pub fn latency_bound(self) -> bool {
        matches!(
            self,
            Self::GraphListUsers | Self::GraphListFilter | Self::GraphCount
        )
    }

    /// The tenant's `graphTokenAlgorithm` while the scenario runs.
    pub fn graph_token_algorithm(self) -> &'static str {
        match self {
            Self::TokenClientCredentialsEs256 => "ES256",
            _ => "RS256",
        }
    }

    /// What `run` measures when no scenario is named (the directory scenarios, which seed a
    /// directory first, run when named).
    pub const ALL: [ScenarioName; 5] = [
        Self::TokenClientCredentials,
        Self::TokenClientCredentialsEs256,
        Self::TokenRefresh,
        Self::SigninPassword,
        Self::GraphMe,
    ];
}

/// A user who signs in: tenant (id or domain), user name, password.
#[derive(Debug, Clone)]
pub struct User {
    pub tenant: String,
    pub username: String,
    pub password: String,
}

/// One iteration's work.
#[derive(Debug, Clone)]
pub enum Scenario {
    /// `GET /healthz`: the empty endpoint through the whole stack.
    Healthz,
    /// A form POST to a token endpoint that must answer 200 with an `access_token` (client
    /// credentials against Gatehouse or a peer).
    TokenRequest {
        path: String,
        fields: Vec<(String, String)>,
    },
    /// `grant_type=refresh_token`, each client following its own rotating token family.
    Refresh { user: User },
    /// The authorization code flow through the sign-in pages with PKCE, then the code redeemed.
    SigninPassword { user: User },
    /// `GET /v1.0/me` with a user's access token.
    GraphMe { token: String },
    /// `GET /v1.0/users/{id}` of a random user of `directory`.
    GraphGetUser { token: String, directory: Directory },
    /// `POST /v1.0/users` in `domain`, sign-in names starting with `prefix`.
    GraphCreateUser {
        token: String,
        domain: String,
        prefix: String,
    },
    /// Pages of user lists, each client following its next links and, at the end of a list,
    /// starting one of `firsts` (paths and queries) drawn at random.
    GraphListPages {
        token: String,
        firsts: Arc<Vec<String>>,
    },
    /// `/$count` requests with `ConsistencyLevel: eventual`: one of `counts` (path and query, the
    /// count the generated directory must give) drawn at random.
    GraphCount {
        token: String,
        counts: Arc<Vec<(String, u64)>>,
    },
}

/// What a client keeps between iterations.
#[derive(Debug, Clone, Default)]
pub struct WorkerState {
    pub refresh_token: Option<String>,
    /// The client's index among the clients.
    pub worker: usize,
    /// The client's random stream ([`WorkerState::next_random`]).
    pub rng: u64,
    /// Iterations that needed a unique number so far.
    pub counter: u64,
    /// The next page of a list the client is walking.
    pub next_link: Option<String>,
}

impl Scenario {
    pub async fn iteration(&self, s: &mut Session, state: &mut WorkerState) -> Result<()> {
        match self {
            Self::Healthz => {
                s.get("/healthz", None)
                    .await?
                    .expect(StatusCode::OK, "GET /healthz")?;
            }
            Self::TokenRequest { path, fields } => {
                let fields: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let r = s
                    .post_form(path, &fields)
                    .await?
                    .expect(StatusCode::OK, "token request")?;
                if !contains(&r.body, b"\"access_token\"") {
                    return Err(anyhow!("token response without access_token"));
                }
            }
            Self::Refresh { user } => {
                let current = match state.refresh_token.take() {
                    Some(t) => t,
                    None => password_grant(s, user).await?,
                };
                let path = format!("/{}/oauth2/v2.0/token", user.tenant);
                let r = s
                    .post_form(
                        &path,
                        &[
                            ("grant_type", "refresh_token"),
                            ("client_id", GRAPH_COMMAND_LINE_TOOLS),
                            ("refresh_token", &current),
                            ("scope", USER_SCOPE),
                        ],
                    )
                    .await?
                    .expect(StatusCode::OK, "refresh_token grant")?;
                state.refresh_token = Some(string_field(&r.json()?, "refresh_token")?);
            }
            Self::SigninPassword { user } => sign_in(s, user).await?,
            Self::GraphMe { token } => {
                s.get("/v1.0/me", Some(token))
                    .await?
                    .expect(StatusCode::OK, "GET /v1.0/me")?;
            }
            Self::GraphGetUser { token, directory } => {
                directory::get_user(s, state, token, directory).await?;
            }
            Self::GraphCreateUser {
                token,
                domain,
                prefix,
            } => directory::create_user(s, state, token, domain, prefix).await?,
            Self::GraphListPages { token, firsts } => {
                directory::list_page(s, state, token, firsts).await?;
            }
            Self::GraphCount { token, counts } => {
                let (path, expected) =
                    &counts[(state.next_random() % counts.len() as u64) as usize];
                let got = directory::count(s, token, path).await?;
                if got != *expected {
                    return Err(anyhow!("GET {path}: {got}, expected {expected}"));
                }
            }
        }
        Ok(())
    }
}

/// `grant_type=password` as Graph Command Line Tools; returns the refresh token.
pub async fn password_grant(s: &mut Session, user: &User) -> Result<String> {
    let path = format!("/{}/oauth2/v2.0/token", user.tenant);
    let r = s
        .post_form(
            &path,
            &[
                ("grant_type", "password"),
                ("client_id", GRAPH_COMMAND_LINE_TOOLS),
                ("username", &user.username),
                ("password", &user.password),
                ("scope", USER_SCOPE),
            ],
        )
        .await?
        .expect(StatusCode::OK, "password grant")?;
    string_field(&r.json()?, "refresh_token")
}

/// GET authorize, POST the password with the CSRF cookie and field, answer "Stay signed in?",
/// take the code from the redirect, redeem it with the PKCE verifier.
async fn sign_in(s: &mut Session, user: &User) -> Result<()> {
    let tenant = &user.tenant;
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let state = uuid::Uuid::new_v4().simple().to_string();
    let authorize = format!(
        "/{tenant}/oauth2/v2.0/authorize?client_id={GRAPH_COMMAND_LINE_TOOLS}&response_type=code\
         &redirect_uri={}&scope={}&state={state}&nonce={state}&code_challenge={}\
         &code_challenge_method=S256",
        percent_encode(LOOPBACK_REDIRECT),
        percent_encode(SIGNIN_SCOPE),
        pkce_challenge(&verifier),
    );
    let page = s
        .get(&authorize, None)
        .await?
        .expect(StatusCode::OK, "GET authorize")?;
    let page = page.text();
    let kmsi = s
        .post_form(
            &format!("/{tenant}/login"),
            &[
                ("login", &user.username),
                ("passwd", &user.password),
                ("csrf", &hidden(page, "csrf")?),
                ("request", &hidden(page, "request")?),
            ],
        )
        .await?
        .expect(StatusCode::OK, "POST login")?;
    let kmsi = kmsi.text();
    let done = s
        .post_form(
            &format!("/{tenant}/kmsi"),
            &[
                ("kmsi", "yes"),
                ("csrf", &hidden(kmsi, "csrf")?),
                ("request", &hidden(kmsi, "request")?),
                ("pending", &hidden(kmsi, "pending")?),
            ],
        )
        .await?
        .expect(StatusCode::FOUND, "POST kmsi")?;
    let location = done
        .headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("no Location after sign-in")?;
    let code = query_param(location, "code").with_context(|| format!("no code in {location}"))?;
    if query_param(location, "state").as_deref() != Some(state.as_str()) {
        return Err(anyhow!("state not echoed in {location}"));
    }
    let r = s
        .post_form(
            &format!("/{tenant}/oauth2/v2.0/token"),
            &[
                ("grant_type", "authorization_code"),
                ("client_id", GRAPH_COMMAND_LINE_TOOLS),
                ("code", &code),
                ("redirect_uri", LOOPBACK_REDIRECT),
                ("code_verifier", &verifier),
            ],
        )
        .await?
        .expect(StatusCode::OK, "code redemption")?;
    let body = r.json()?;
    for field in ["access_token", "id_token", "refresh_token"] {
        string_field(&body, field)?;
    }
    Ok(())
}

/// PKCE S256: base64url(SHA-256(verifier)).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The value of the hidden input `name` on an HTML page, unescaped.
pub fn hidden(page: &str, name: &str) -> Result<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .with_context(|| format!("no hidden field {name:?} on the page"))?
        + marker.len();
    let len = page[start..]
        .find('"')
        .context("unterminated attribute value")?;
    Ok(html_unescape(&page[start..start + len]))
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A query parameter of a URL, decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| percent_decode(v))
}

fn string_field(body: &serde_json::Value, name: &str) -> Result<String> {
    body[name]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("response without {name}"))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn hidden_fields_and_query_parameters_are_read_and_unescaped() {
        let page = r#"<input type="hidden" name="request" value="a.b&amp;c&quot;"><input type="hidden" name="csrf" value="x">"#;
        assert_eq!(hidden(page, "request").unwrap(), "a.b&c\"");
        assert_eq!(hidden(page, "csrf").unwrap(), "x");
        assert!(hidden(page, "pending").is_err());
        let url = "http://localhost:8400/?code=0.AB%2Bc&state=s1#frag";
        assert_eq!(query_param(url, "code").unwrap(), "0.AB+c");
        assert_eq!(query_param(url, "state").unwrap(), "s1");
        assert_eq!(query_param(url, "error"), None);
    }
}
