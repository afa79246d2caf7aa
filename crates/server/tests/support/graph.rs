//! A tenant for Graph and token tests: security defaults off (so its Global Administrator's password
//! grant works), a member "ann", and helpers to get tokens, call Graph, register confidential clients.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use gatehouse_domain::audit::Initiator;
use gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS;
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::tenant::{NewTenant, initial_domain};
use gatehouse_domain::user::UserType;
use gatehouse_server::services::tenants::{self, CreateTenant};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use super::{Response, TestApp};

pub const PASSWORD: &str = "Correct-Horse-7";
pub const RW: &str = "Application.ReadWrite.All";
pub const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";

pub struct Fixture {
    pub app: TestApp,
    pub tenant: TenantId,
    pub domain: String,
    pub admin_upn: String,
}

/// A tenant without security defaults (so the Global Administrator's password grant works), with
/// two members ("ann", "bob") and a guest ("gus"), all with the password [`PASSWORD`].
pub async fn fixture(db: gatehouse_store::testing::TestDatabase) -> Fixture {
    let app = TestApp::new(db).await;
    let new = NewTenant::new(
        "Contoso",
        initial_domain("contoso", &app.state.instance.initial_domain_suffix).unwrap(),
        "US",
        false,
    )
    .unwrap();
    let created = tenants::create(
        &app.state,
        CreateTenant {
            tenant: new,
            admin: Some("admin".into()),
            admin_password: Some(PASSWORD.into()),
        },
        Initiator::instance("test"),
    )
    .await
    .unwrap();
    let tenant = created.summary.tenant.id;
    let domain = created.summary.default_domain.clone();
    for (alias, kind) in [
        ("ann", UserType::Member),
        ("bob", UserType::Member),
        ("gus", UserType::Guest),
    ] {
        app.add_user(tenant, &format!("{alias}@{domain}"), alias, PASSWORD, kind)
            .await;
    }
    Fixture {
        app,
        tenant,
        admin_upn: created.admin_user_principal_name,
        domain,
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Fixture {
    /// Posts a form to `/{authority}/oauth2/v2.0/token`, with an optional Authorization header.
    pub async fn token_request(
        &self,
        authority: &str,
        fields: &[(&str, &str)],
        authorization: Option<String>,
    ) -> Response {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = Request::post(format!("/{authority}/oauth2/v2.0/token"))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            req = req.header("authorization", a);
        }
        let req = req.body(Body::from(body)).unwrap();
        super::read(self.app.router().oneshot(req).await.unwrap()).await
    }

    /// A delegated Graph token for `alias` ("admin" or a user of the fixture tenant).
    pub async fn user_token(&self, alias: &str, scope: &str) -> String {
        let upn = if alias == "admin" {
            self.admin_upn.clone()
        } else {
            format!("{alias}@{}", self.domain)
        };
        self.token_for(self.tenant, &upn, scope).await
    }

    /// A delegated Graph token from the password grant for `upn` in `tenant`.
    pub async fn token_for(&self, tenant: TenantId, upn: &str, scope: &str) -> String {
        let client = GRAPH_COMMAND_LINE_TOOLS.to_string();
        let r = self
            .token_request(
                &tenant.to_string(),
                &[
                    ("grant_type", "password"),
                    ("client_id", &client),
                    ("username", upn),
                    ("password", PASSWORD),
                    ("scope", scope),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{upn}: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        self.app
            .call(method, &format!("/v1.0{path}"), Some(token), body)
            .await
    }

    /// The service principal id of Microsoft Graph in the fixture tenant.
    pub async fn graph_sp(&self, token: &str) -> String {
        let r = self
            .call(
                token,
                Method::GET,
                "/servicePrincipals?$filter=appId%20eq%20'00000003-0000-0000-c000-000000000000'",
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["value"][0]["id"].as_str().unwrap().to_owned()
    }

    /// An app-only Graph token from the client-credentials grant.
    pub async fn app_token(&self, app_id: &str, secret: &str) -> String {
        let r = self
            .token_request(
                &self.tenant.to_string(),
                &credentials(app_id, secret, GRAPH_DEFAULT),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Grants the service principal `sp_id` Microsoft Graph's application permission `value`
    /// (e.g. "User.Read.All"), as an administrator with `admin`'s token.
    pub async fn grant_graph_permission(&self, admin: &str, sp_id: &str, value: &str) {
        let graph = self.graph_sp(admin).await;
        let r = self
            .call(
                admin,
                Method::GET,
                &format!("/servicePrincipals/{graph}"),
                None,
            )
            .await;
        let role = r.body["appRoles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["value"] == value)
            .unwrap_or_else(|| panic!("Graph has no application permission {value}"))["id"]
            .clone();
        let r = self
            .call(
                admin,
                Method::POST,
                &format!("/servicePrincipals/{sp_id}/appRoleAssignments"),
                Some(json!({"principalId": sp_id, "resourceId": graph, "appRoleId": role})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }

    /// Registers an application as `token`'s user; returns (object id, appId).
    pub async fn register(&self, token: &str, name: &str) -> (String, String) {
        let r = self
            .call(
                token,
                Method::POST,
                "/applications",
                Some(json!({"displayName": name})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        (
            r.body["id"].as_str().unwrap().to_owned(),
            r.body["appId"].as_str().unwrap().to_owned(),
        )
    }

    /// Grants the application `app_id` tenant-wide consent for `scope` on Microsoft Graph, as an
    /// administrator does in the portal (`POST /oauth2PermissionGrants`).
    pub async fn admin_consent(&self, app_id: &str, scope: &str) {
        self.admin_consent_on(app_id, "00000003-0000-0000-c000-000000000000", scope)
            .await;
    }

    /// Grants `app_id` tenant-wide consent for `scope` on the resource whose appId is `resource`.
    pub async fn admin_consent_on(&self, app_id: &str, resource: &str, scope: &str) {
        let admin = self
            .user_token(
                "admin",
                "Application.Read.All DelegatedPermissionGrant.ReadWrite.All",
            )
            .await;
        let mut ids = Vec::new();
        for app in [app_id, resource] {
            let path = format!("/servicePrincipals?$filter=appId%20eq%20'{app}'");
            let r = self.call(&admin, Method::GET, &path, None).await;
            ids.push(r.body["value"][0]["id"].as_str().unwrap().to_owned());
        }
        let body = json!({
            "clientId": ids[0], "consentType": "AllPrincipals", "resourceId": ids[1], "scope": scope,
        });
        let r = self
            .call(&admin, Method::POST, "/oauth2PermissionGrants", Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }

    /// Registers an application (as the administrator) with the `web` platform object `web`,
    /// creates its service principal and grants it consent for the OIDC scopes and `User.Read`;
    /// returns its appId.
    pub async fn web_app(&self, web: Value) -> String {
        let admin = self.user_token("admin", RW).await;
        let (id, app_id) = self.register(&admin, "Contoso web").await;
        let r = self
            .call(
                &admin,
                Method::PATCH,
                &format!("/applications/{id}"),
                Some(json!({ "web": web })),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(
            self.create_sp(&admin, &app_id).await.status,
            StatusCode::CREATED
        );
        self.admin_consent(&app_id, "openid profile email offline_access User.Read")
            .await;
        app_id
    }

    pub async fn add_password(&self, token: &str, id: &str, body: Value) -> Value {
        let r = self
            .call(
                token,
                Method::POST,
                &format!("/applications/{id}/addPassword"),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    pub async fn create_sp(&self, token: &str, app_id: &str) -> Response {
        self.call(
            token,
            Method::POST,
            "/servicePrincipals",
            Some(json!({"appId": app_id})),
        )
        .await
    }
}

pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub fn aadsts(r: &Response) -> u64 {
    r.body["error_codes"][0].as_u64().unwrap_or_default()
}

/// A registered application with a secret and a service principal: (object id, appId, secret, SP id).
pub async fn confidential_client(f: &Fixture, admin: &str) -> (String, String, String, String) {
    let (id, app_id) = f.register(admin, "Daemon").await;
    let secret = f.add_password(admin, &id, json!({})).await["secretText"]
        .as_str()
        .unwrap()
        .to_owned();
    let sp = f.create_sp(admin, &app_id).await;
    assert_eq!(sp.status, StatusCode::CREATED, "{}", sp.body);
    let sp_id = sp.body["id"].as_str().unwrap().to_owned();
    (id, app_id, secret, sp_id)
}

pub fn credentials<'a>(
    app_id: &'a str,
    secret: &'a str,
    scope: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", app_id),
        ("client_secret", secret),
        ("scope", scope),
    ]
}
