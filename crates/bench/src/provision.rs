//! Sets a server up through its public APIs, as an operator and an administrator would: a
//! tenant (operator API), an administrator's delegated Graph token (password grant), a
//! confidential application with a client secret and a service principal (Graph `applications`,
//! `addPassword`, `servicePrincipals`) and a Microsoft Graph application permission granted to it
//! (`appRoleAssignments`).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::scenarios::GRAPH_COMMAND_LINE_TOOLS;

/// Microsoft Graph's app id.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// The client-credentials scope for Microsoft Graph.
pub const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";
/// The application permission granted to the benchmark's daemon.
pub const DAEMON_ROLE: &str = "Application.ReadWrite.All";
const ADMIN_SCOPES: &str = "https://graph.microsoft.com/Application.ReadWrite.All \
                            https://graph.microsoft.com/AppRoleAssignment.ReadWrite.All";

/// An HTTPS API client for one server: base URL, a client trusting only its CA.
#[derive(Debug, Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

/// Status and JSON body (`Null` when not JSON).
pub type Reply = (StatusCode, Value);

impl Api {
    /// A client trusting only the PEM CA at `ca`, reaching `localhost` at `addr`.
    pub fn new(ca: &Path, addr: std::net::SocketAddr) -> Result<Self> {
        let pem = std::fs::read(ca).with_context(|| format!("read {}", ca.display()))?;
        let http = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&pem)?)
            .resolve("localhost", addr)
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self {
            http,
            base: format!("https://localhost:{}", addr.port()),
        })
    }

    async fn reply(request: reqwest::RequestBuilder) -> Result<Reply> {
        let response = request.send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }

    /// Waits until `/readyz` answers 200.
    pub async fn wait_ready(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let ready = self.http.get(format!("{}/readyz", self.base)).send().await;
            if matches!(&ready, Ok(r) if r.status() == StatusCode::OK) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the server was not ready within {timeout:?}: {ready:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `POST /_gatehouse/tenants` with the operator key: a tenant with security defaults off and
    /// the given administrator password. Returns (tenant id, default domain, administrator UPN).
    pub async fn create_tenant(
        &self,
        operator_key: &str,
        label: &str,
        admin_password: &str,
    ) -> Result<(String, String, String)> {
        let body = json!({
            "displayName": format!("Benchmark {label}"),
            "initialDomain": label,
            "securityDefaultsEnabled": false,
            "adminPassword": admin_password,
        });
        let request = self
            .http
            .post(format!("{}/_gatehouse/tenants", self.base))
            .bearer_auth(operator_key)
            .json(&body);
        let (status, tenant) = Self::reply(request).await?;
        if status != StatusCode::CREATED {
            bail!("create tenant: HTTP {status}: {tenant}");
        }
        let field = |v: &Value| v.as_str().map(str::to_owned).context("tenant field");
        Ok((
            field(&tenant["id"])?,
            field(&tenant["defaultDomain"])?,
            field(&tenant["admin"]["userPrincipalName"])?,
        ))
    }

    /// `PATCH /_gatehouse/tenants/{id}` with the operator key: how the tenant's Microsoft Graph
    /// access tokens are signed ("RS256" or "ES256").
    pub async fn set_graph_token_algorithm(
        &self,
        operator_key: &str,
        tenant: &str,
        algorithm: &str,
    ) -> Result<()> {
        let request = self
            .http
            .patch(format!("{}/_gatehouse/tenants/{tenant}", self.base))
            .bearer_auth(operator_key)
            .json(&json!({ "graphTokenAlgorithm": algorithm }));
        let (status, body) = Self::reply(request).await?;
        if status != StatusCode::OK || body["graphTokenAlgorithm"] != algorithm {
            bail!("set graphTokenAlgorithm {algorithm}: HTTP {status}: {body}");
        }
        Ok(())
    }

    /// A token request; fails unless it answers 200. Returns the response body.
    pub async fn token(&self, tenant: &str, form: &[(&str, &str)]) -> Result<Value> {
        let request = self
            .http
            .post(format!("{}/{tenant}/oauth2/v2.0/token", self.base))
            .form(form);
        let (status, body) = Self::reply(request).await?;
        if status != StatusCode::OK {
            let grant = form.iter().find(|(k, _)| *k == "grant_type");
            bail!(
                "token request {grant:?}: HTTP {status}: {}",
                body["error_description"]
            );
        }
        Ok(body)
    }

    /// `grant_type=password` as Graph Command Line Tools; the access token.
    pub async fn password_grant_token(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        scope: &str,
    ) -> Result<String> {
        let body = self
            .token(
                tenant,
                &[
                    ("grant_type", "password"),
                    ("client_id", GRAPH_COMMAND_LINE_TOOLS),
                    ("username", username),
                    ("password", password),
                    ("scope", scope),
                ],
            )
            .await?;
        string(&body, "access_token")
    }

    /// A Microsoft Graph call (`/v1.0{path}`) with a bearer token.
    pub async fn graph(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply> {
        let mut request = self
            .http
            .request(method, format!("{}/v1.0{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::reply(request).await
    }

    async fn graph_expect(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        expected: StatusCode,
    ) -> Result<Value> {
        let what = format!("{method} {path}");
        let (status, body) = self.graph(token, method, path, body).await?;
        if status != expected {
            bail!("{what}: HTTP {status}: {body}");
        }
        Ok(body)
    }

    /// With an administrator's delegated Graph token: `POST /applications`, `addPassword`,
    /// `POST /servicePrincipals`.
    pub async fn register_confidential_client(
        &self,
        admin_token: &str,
        display_name: &str,
    ) -> Result<ConfidentialClient> {
        let app = self
            .graph_expect(
                admin_token,
                Method::POST,
                "/applications",
                Some(json!({ "displayName": display_name })),
                StatusCode::CREATED,
            )
            .await?;
        let object_id = string(&app, "id")?;
        let app_id = string(&app, "appId")?;
        let (status, password) = self
            .graph(
                admin_token,
                Method::POST,
                &format!("/applications/{object_id}/addPassword"),
                Some(json!({ "passwordCredential": { "displayName": display_name } })),
            )
            .await?;
        // Never quote this body: it holds the secret.
        let Some(secret) = password["secretText"]
            .as_str()
            .filter(|_| status == StatusCode::OK)
        else {
            bail!(
                "addPassword: HTTP {status}, fields {:?}",
                password.as_object().map(|o| o.keys().collect::<Vec<_>>())
            );
        };
        let secret = secret.to_owned();
        let sp = self
            .graph_expect(
                admin_token,
                Method::POST,
                "/servicePrincipals",
                Some(json!({ "appId": app_id })),
                StatusCode::CREATED,
            )
            .await?;
        Ok(ConfidentialClient {
            object_id,
            app_id,
            secret,
            service_principal_id: string(&sp, "id")?,
        })
    }

    /// Grants Microsoft Graph's application permission `role` (by value, e.g.
    /// `Application.ReadWrite.All`) to `client` through `appRoleAssignments`.
    pub async fn grant_graph_app_role(
        &self,
        admin_token: &str,
        client: &ConfidentialClient,
        role: &str,
    ) -> Result<()> {
        let list = self
            .graph_expect(
                admin_token,
                Method::GET,
                &format!("/servicePrincipals?$filter=appId%20eq%20'{GRAPH_APP_ID}'"),
                None,
                StatusCode::OK,
            )
            .await?;
        let graph = &list["value"][0];
        let graph_id = string(graph, "id")?;
        let role_id = graph["appRoles"]
            .as_array()
            .and_then(|roles| roles.iter().find(|r| r["value"] == role))
            .and_then(|r| r["id"].as_str())
            .ok_or_else(|| anyhow!("Microsoft Graph has no application permission {role}"))?
            .to_owned();
        let sp = &client.service_principal_id;
        self.graph_expect(
            admin_token,
            Method::POST,
            &format!("/servicePrincipals/{sp}/appRoleAssignments"),
            Some(json!({ "principalId": sp, "resourceId": graph_id, "appRoleId": role_id })),
            StatusCode::CREATED,
        )
        .await?;
        Ok(())
    }
}

/// An application registration with a client secret and a service principal.
#[derive(Debug, Clone)]
pub struct ConfidentialClient {
    /// The application object's id.
    pub object_id: String,
    pub app_id: String,
    /// `secretText` from addPassword (shown once).
    pub secret: String,
    pub service_principal_id: String,
}

/// Everything the scenarios need from a provisioned server.
#[derive(Debug, Clone)]
pub struct Provisioned {
    pub tenant_id: String,
    pub domain: String,
    pub admin: String,
    pub admin_password: String,
    pub daemon: ConfidentialClient,
    /// The instance operator key (to change the tenant's settings between scenarios).
    pub operator_key: String,
    /// The claims of a client-credentials access token the server issued (what the signing
    /// ceiling signs).
    pub app_token_claims: Value,
}

/// Provisions a fresh tenant on the server behind `api` (operator key from `data_dir`).
pub async fn provision(api: &Api, data_dir: &Path) -> Result<Provisioned> {
    let key_path = data_dir.join("operator.key");
    let operator_key = std::fs::read_to_string(&key_path)
        .with_context(|| format!("read {}", key_path.display()))?;
    let label = format!("bench{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let admin_password = format!("Bench-{}-Pa55!", uuid::Uuid::new_v4().simple());
    let (tenant_id, domain, admin) = api
        .create_tenant(operator_key.trim(), &label, &admin_password)
        .await?;
    let admin_token = api
        .password_grant_token(&tenant_id, &admin, &admin_password, ADMIN_SCOPES)
        .await?;
    let daemon = api
        .register_confidential_client(&admin_token, "Benchmark daemon")
        .await?;
    api.grant_graph_app_role(&admin_token, &daemon, DAEMON_ROLE)
        .await?;
    let token = api
        .token(
            &tenant_id,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &daemon.app_id),
                ("client_secret", &daemon.secret),
                ("scope", GRAPH_DEFAULT),
            ],
        )
        .await?;
    let app_token_claims = jwt_claims(&string(&token, "access_token")?)?;
    if !app_token_claims["roles"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r == DAEMON_ROLE))
    {
        bail!("the daemon's token does not carry {DAEMON_ROLE}: {app_token_claims}");
    }
    Ok(Provisioned {
        tenant_id,
        domain,
        admin,
        admin_password,
        daemon,
        operator_key: operator_key.trim().to_owned(),
        app_token_claims,
    })
}

/// The application permission of the directory scenarios' application.
pub const DIRECTORY_ROLE: &str = "User.ReadWrite.All";

/// An application token for the directory scenarios: a second confidential client ("Benchmark
/// directory daemon", so the first one's tokens stay as the token scenarios measure them) holding
/// Microsoft Graph's [`DIRECTORY_ROLE`], and its client-credentials access token.
pub async fn directory_token(api: &Api, setup: &Provisioned) -> Result<String> {
    let admin_token = api
        .password_grant_token(
            &setup.tenant_id,
            &setup.admin,
            &setup.admin_password,
            ADMIN_SCOPES,
        )
        .await?;
    let client = api
        .register_confidential_client(&admin_token, "Benchmark directory daemon")
        .await?;
    api.grant_graph_app_role(&admin_token, &client, DIRECTORY_ROLE)
        .await?;
    let token = api
        .token(
            &setup.tenant_id,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.app_id),
                ("client_secret", &client.secret),
                ("scope", GRAPH_DEFAULT),
            ],
        )
        .await?;
    let token = string(&token, "access_token")?;
    if !jwt_claims(&token)?["roles"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r == DIRECTORY_ROLE))
    {
        bail!("the directory daemon's token does not carry {DIRECTORY_ROLE}");
    }
    Ok(token)
}

/// The (unverified) claims of a compact JWT.
pub fn jwt_claims(jwt: &str) -> Result<Value> {
    jwt_part(jwt, 1)
}

/// The JOSE header of a compact JWT.
pub fn jwt_header(jwt: &str) -> Result<Value> {
    jwt_part(jwt, 0)
}

fn jwt_part(jwt: &str, index: usize) -> Result<Value> {
    use base64::Engine as _;
    let part = jwt.split('.').nth(index).context("not a JWT")?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part)?;
    Ok(serde_json::from_slice(&json)?)
}

fn string(body: &Value, name: &str) -> Result<String> {
    body[name]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no {name} in {body}"))
}
