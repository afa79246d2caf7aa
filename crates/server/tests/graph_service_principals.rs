//! `/servicePrincipals` through the router on both engines with real delegated tokens: create for an
//! application of this tenant (conflict, unknown appId), list with `$filter=appId eq`, read, owners
//! and non-owners, and the audit record.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use gatehouse_domain::audit::Initiator;
use gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS;
use gatehouse_domain::ids::{ObjectId, TenantId};
use gatehouse_domain::tenant::{NewTenant, initial_domain};
use gatehouse_domain::user::{User, UserPrincipalName, UserType};
use gatehouse_server::services::tenants::{self, CreateTenant};
use serde_json::{Value, json};
use support::{Response, TestApp, each_engine};
use tower::ServiceExt as _;

const PASSWORD: &str = "Correct-Horse-7";
const RW: &str = "Application.ReadWrite.All";

struct Fixture {
    app: TestApp,
    tenant: TenantId,
    domain: String,
    admin_upn: String,
}

/// A tenant without security defaults (so the Global Administrator's password grant works) and a
/// member, "ann".
async fn fixture(db: gatehouse_store::testing::TestDatabase) -> Fixture {
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
    let mut tx = app.state.store.write(tenant).await.unwrap();
    tx.insert_user(&User {
        id: ObjectId::generate(app.state.random.as_ref()),
        user_principal_name: UserPrincipalName::parse(&format!("ann@{domain}")).unwrap(),
        display_name: "ann".into(),
        mail_nickname: "ann".into(),
        account_enabled: true,
        user_type: UserType::Member,
        password: Some(
            app.state
                .passwords
                .hasher()
                .hash(PASSWORD, app.state.random.as_ref())
                .unwrap(),
        ),
        created: support::START,
        last_password_change: Some(support::START),
        sign_in_sessions_valid_from: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Fixture {
        app,
        tenant,
        admin_upn: created.admin_user_principal_name,
        domain,
    }
}

fn urlencode(s: &str) -> String {
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
    async fn token_request(
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
        support::read(self.app.router().oneshot(req).await.unwrap()).await
    }

    async fn user_token(&self, alias: &str, scope: &str) -> String {
        let upn = if alias == "admin" {
            self.admin_upn.clone()
        } else {
            format!("{alias}@{}", self.domain)
        };
        let client = GRAPH_COMMAND_LINE_TOOLS.to_string();
        let r = self
            .token_request(
                &self.tenant.to_string(),
                &[
                    ("grant_type", "password"),
                    ("client_id", &client),
                    ("username", &upn),
                    ("password", PASSWORD),
                    ("scope", scope),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{upn}: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Response {
        self.app
            .call(method, &format!("/v1.0{path}"), Some(token), body)
            .await
    }

    /// Registers an application as `token`'s user; returns (object id, appId).
    async fn register(&self, token: &str, name: &str) -> (String, String) {
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

    async fn create_sp(&self, token: &str, app_id: &str) -> Response {
        self.call(
            token,
            Method::POST,
            "/servicePrincipals",
            Some(json!({"appId": app_id})),
        )
        .await
    }
}

#[tokio::test]
async fn an_administrator_creates_lists_filters_and_reads_a_service_principal() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let (_, app_id) = f.register(&admin, "Daemon").await;
        let r = f.create_sp(&admin, &app_id).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let b = &r.body;
        assert_eq!(
            b["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#servicePrincipals/$entity"
        );
        assert_eq!(b["appId"], app_id.as_str());
        assert_eq!(b["displayName"], "Daemon");
        assert_eq!(b["accountEnabled"], true);
        assert_eq!(b["appOwnerOrganizationId"], f.tenant.to_string());
        assert_eq!(b["servicePrincipalType"], "Application");
        assert_eq!(b["signInAudience"], "AzureADMyOrg");
        assert_eq!(b["servicePrincipalNames"], json!([app_id]));
        assert_eq!(b["appRoles"], json!([]));
        assert_eq!(b["oauth2PermissionScopes"], json!([]));
        let id = b["id"].as_str().unwrap().to_owned();
        assert_ne!(id, app_id);

        let again = f.create_sp(&admin, &app_id).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
        assert_eq!(again.body["error"]["details"][0]["code"], "ObjectConflict");

        let unknown = uuid::Uuid::new_v4().to_string();
        let r = f.create_sp(&admin, &unknown).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Request_BadRequest");
        assert_eq!(
            r.body["error"]["message"],
            format!("The appId '{unknown}' of the service principal does not reference a valid application object.")
        );

        let r = f.call(&admin, Method::GET, "/servicePrincipals", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#servicePrincipals"
        );
        let all = r.body["value"].as_array().unwrap();
        assert!(all.len() > 1, "first-party service principals are listed too");
        assert!(all.iter().any(|s| s["id"] == id.as_str()));

        let filter = format!("/servicePrincipals?$filter={}", urlencode(&format!("appId eq '{app_id}'")));
        let r = f.call(&admin, Method::GET, &filter, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
        assert_eq!(r.body["value"][0]["id"], id.as_str());
        for bad in [
            format!("/servicePrincipals?$filter={}", urlencode("displayName eq 'Daemon'")),
            format!("/servicePrincipals?$filter={}", urlencode(&format!("startswith(appId,'{app_id}')"))),
            "/servicePrincipals?$top=5".to_owned(),
        ] {
            let r = f.call(&admin, Method::GET, &bad, None).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
            assert_eq!(r.body["error"]["code"], "Request_UnsupportedQuery", "{bad}");
        }

        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["appId"], app_id.as_str());
        let missing = uuid::Uuid::new_v4();
        let r = f
            .call(&admin, Method::GET, &format!("/servicePrincipals/{missing}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(10).await.unwrap();
        let added = records
            .iter()
            .find(|r| r.activity_display_name == "Add service principal")
            .expect("audited");
        assert_eq!(
            added.category,
            gatehouse_domain::audit::AuditCategory::ApplicationManagement
        );
        assert_eq!(added.target_resources[0].id, id);
    })
    .await;
}

#[tokio::test]
async fn owners_create_their_apps_service_principal_and_others_may_not() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let ann = f.user_token("ann", RW).await;
        let (_, admins_app) = f.register(&admin, "Admin's").await;
        let (_, anns_app) = f.register(&ann, "Ann's").await;

        let r = f.create_sp(&ann, &admins_app).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(r.body["error"]["code"], "Authorization_RequestDenied");
        let r = f.create_sp(&ann, &anns_app).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // Members read service principals; a token without Application/Directory scopes does not.
        let r = f.call(&ann, Method::GET, "/servicePrincipals", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let user_read = f.user_token("admin", "User.Read").await;
        let r = f.create_sp(&user_read, &admins_app).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = f
            .call(&user_read, Method::GET, "/servicePrincipals", None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    })
    .await;
}
