//! `gatehouse tenant ...`: the instance operator's tenant commands, over the server's HTTPS API
//! (`/_gatehouse/tenants`), authenticated with the operator key.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct TenantArgs {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: TenantCommand,
}

/// Where the server is and how to trust and authenticate to it.
#[derive(Debug, Args)]
struct Connection {
    /// Server base URL
    #[arg(
        long,
        env = "GATEHOUSE_SERVER",
        default_value = "https://localhost:8443",
        global = true
    )]
    server: String,
    /// CA certificate to trust instead of the public roots [default: ./gatehouse-data/tls/ca.pem when it exists]
    #[arg(long, env = "GATEHOUSE_CA_CERT", global = true)]
    ca_cert: Option<PathBuf>,
    /// File holding the operator key (GATEHOUSE_OPERATOR_KEY takes precedence)
    #[arg(long, default_value = "gatehouse-data/operator.key", global = true)]
    operator_key_file: PathBuf,
    /// Print the server's JSON instead of text
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// List every tenant of the instance.
    List,
    /// Show one tenant.
    Show { id: String },
    /// Create a tenant with its first Global Administrator (the password is printed once).
    Create {
        /// Organization name
        #[arg(long)]
        name: String,
        /// Initial domain label: 3-27 lowercase letters and digits; the instance suffix is appended
        #[arg(long)]
        initial_domain: String,
        /// Two-letter country code
        #[arg(long, default_value = "US")]
        country: String,
        /// First administrator's alias or sign-in name [default: admin]
        #[arg(long)]
        admin: Option<String>,
        /// Security defaults for the new tenant
        #[arg(long, default_value = "on", value_parser = ["on", "off"])]
        security_defaults: String,
    },
    /// Change a tenant's operator settings.
    Update {
        id: String,
        /// How the tenant's Microsoft Graph access tokens are signed (ES256 is cheaper to sign;
        /// only Gatehouse reads those tokens)
        #[arg(long, value_parser = ["RS256", "ES256"])]
        graph_token_algorithm: Option<String>,
    },
    /// Delete a tenant (restorable for 20 days).
    Delete { id: String },
    /// Restore a deleted tenant.
    Restore { id: String },
}

pub async fn run(args: TenantArgs) -> Result<()> {
    let api = Api::new(&args.connection)?;
    let json_out = args.connection.json;
    let result = match args.command {
        TenantCommand::List => api.call(reqwest::Method::GET, "", None).await?,
        TenantCommand::Show { id } => {
            api.call(reqwest::Method::GET, &format!("/{id}"), None)
                .await?
        }
        TenantCommand::Create {
            name,
            initial_domain,
            country,
            admin,
            security_defaults,
        } => {
            let mut body = json!({
                "displayName": name,
                "initialDomain": initial_domain,
                "countryLetterCode": country,
                "securityDefaultsEnabled": security_defaults == "on",
            });
            if let Some(admin) = admin {
                body["adminUserPrincipalName"] = json!(admin);
            }
            if let Ok(p) = std::env::var("GATEHOUSE_TENANT_ADMIN_PASSWORD") {
                body["adminPassword"] = json!(p);
            }
            api.call(reqwest::Method::POST, "", Some(body)).await?
        }
        TenantCommand::Update {
            id,
            graph_token_algorithm,
        } => {
            let mut body = json!({});
            if let Some(alg) = graph_token_algorithm {
                body["graphTokenAlgorithm"] = json!(alg);
            }
            api.call(reqwest::Method::PATCH, &format!("/{id}"), Some(body))
                .await?
        }
        TenantCommand::Delete { id } => {
            api.call(reqwest::Method::DELETE, &format!("/{id}"), None)
                .await?
        }
        TenantCommand::Restore { id } => {
            api.call(reqwest::Method::POST, &format!("/{id}/restore"), None)
                .await?
        }
    };
    print(&result, json_out);
    Ok(())
}

struct Api {
    client: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    fn new(c: &Connection) -> Result<Self> {
        let key = match std::env::var("GATEHOUSE_OPERATOR_KEY") {
            Ok(k) if !k.is_empty() => k,
            _ => std::fs::read_to_string(&c.operator_key_file)
                .with_context(|| {
                    format!(
                        "cannot read the operator key from {} (set GATEHOUSE_OPERATOR_KEY or --operator-key-file)",
                        c.operator_key_file.display()
                    )
                })?
                .trim()
                .to_owned(),
        };
        let default_ca = PathBuf::from("gatehouse-data/tls/ca.pem");
        let ca = c
            .ca_cert
            .clone()
            .or_else(|| default_ca.exists().then_some(default_ca));
        let mut builder = reqwest::Client::builder().https_only(true);
        if let Some(ca) = ca {
            let pem = std::fs::read(&ca)
                .with_context(|| format!("cannot read --ca-cert {}", ca.display()))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .with_context(|| format!("--ca-cert {} is not a PEM certificate", ca.display()))?;
            builder = builder
                .tls_built_in_root_certs(false)
                .add_root_certificate(cert);
        }
        Ok(Self {
            client: builder.build()?,
            base: format!("{}/_gatehouse/tenants", c.server.trim_end_matches('/')),
            key,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let response = req
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.base))?;
        let status = response.status();
        let text = response.text().await?;
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if !status.is_success() {
            match value["error"]["message"].as_str() {
                Some(message) => bail!(
                    "{message} ({}, {})",
                    value["error"]["code"].as_str().unwrap_or(""),
                    status.as_u16()
                ),
                None => bail!("the server answered {status}"),
            }
        }
        Ok(value)
    }
}

#[allow(clippy::print_stdout)]
fn print(value: &Value, json_out: bool) {
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
        return;
    }
    let rows: Vec<&Value> = match value.get("value").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None if value.is_null() => {
            println!("Done.");
            return;
        }
        None => vec![value],
    };
    println!(
        "{:<30} {:<40} {:<36} {:<8} {:<12}",
        "Organization name", "Domain name", "Organization ID", "State", "Graph tokens"
    );
    for t in rows {
        println!(
            "{:<30} {:<40} {:<36} {:<8} {:<12}",
            t["displayName"].as_str().unwrap_or(""),
            t["defaultDomain"].as_str().unwrap_or(""),
            t["id"].as_str().unwrap_or(""),
            t["state"].as_str().unwrap_or(""),
            t["graphTokenAlgorithm"].as_str().unwrap_or("")
        );
    }
    if let Some(admin) = value.get("admin") {
        println!(
            "First Global Administrator: {}",
            admin["userPrincipalName"].as_str().unwrap_or("")
        );
        if let Some(p) = admin["password"].as_str() {
            println!("Password (shown once, not stored): {p}");
        }
    }
}
