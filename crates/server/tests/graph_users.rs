//! `/users` and `/directory/deletedItems` through the router on both engines, with real tokens:
//! create (validation, verified domains, the new user signs in), read by id and by UPN with the
//! default properties and `$select`, paging, update (profile, disable, password), manager and direct
//! reports, delete to the recycle bin, restore, permanent delete and the 30-day purge, who may do
//! what, audit, and shapes checked against Microsoft's OpenAPI description.

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use gatehouse_domain::audit::AuditCategory;
use serde_json::{Value, json};
use support::graph::{Fixture, GRAPH_DEFAULT, PASSWORD, confidential_client, fixture};
use support::openapi::OpenApi;
use support::{Response, each_engine};

const RW: &str = "User.ReadWrite.All";

impl Fixture {
    fn upn(&self, alias: &str) -> String {
        format!("{alias}@{}", self.domain)
    }

    async fn create_user(&self, token: &str, alias: &str, extra: Value) -> Response {
        let mut body = json!({
            "accountEnabled": true,
            "displayName": format!("{alias} Example"),
            "mailNickname": alias,
            "userPrincipalName": self.upn(alias),
            "passwordProfile": {"password": PASSWORD, "forceChangePasswordNextSignIn": false},
        });
        if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
            b.extend(e);
        }
        self.call(token, Method::POST, "/users", Some(body)).await
    }

    async fn new_user(&self, token: &str, alias: &str) -> String {
        let r = self.create_user(token, alias, json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    async fn sign_in_status(&self, alias: &str) -> StatusCode {
        let client = gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS.to_string();
        let upn = self.upn(alias);
        self.token_request(
            &self.tenant.to_string(),
            &[
                ("grant_type", "password"),
                ("client_id", &client),
                ("username", &upn),
                ("password", PASSWORD),
                ("scope", GRAPH_DEFAULT),
            ],
            None,
        )
        .await
        .status
    }

    async fn audit_activities(&self) -> Vec<String> {
        let mut tx = self.app.state.store.read(self.tenant).await.unwrap();
        tx.audit_records(1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.category == AuditCategory::UserManagement)
            .map(|r| r.activity_display_name)
            .collect()
    }
}

fn assert_error(r: &Response, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
}

#[tokio::test]
async fn an_administrator_creates_a_user_who_can_then_sign_in() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let r = f
            .create_user(
                &admin,
                "adele",
                json!({
                    "givenName": "Adele", "surname": "Vance", "jobTitle": "Retail Manager",
                    "usageLocation": "US", "businessPhones": ["+1 425 555 0109"],
                    "otherMails": ["adele@example.com"],
                    "employeeOrgData": {"division": "Retail", "costCenter": "CC-7"},
                    "onPremisesExtensionAttributes": {"extensionAttribute1": "badge-42"},
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#users/$entity"
        );
        assert_eq!(r.body["userPrincipalName"], f.upn("adele"));
        assert_eq!(r.body["businessPhones"], json!(["+1 425 555 0109"]));
        let id = r.body["id"].as_str().unwrap().to_owned();
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!(
                    "/users/{id}?$select=displayName,userType,accountEnabled,passwordProfile,\
                     employeeOrgData,onPremisesExtensionAttributes,createdDateTime,otherMails"
                ),
                None,
            )
            .await;
        let u = &r.body;
        assert_eq!(r.status, StatusCode::OK, "{u}");
        assert_eq!(u["displayName"], "adele Example");
        assert_eq!(u["userType"], "Member");
        assert_eq!(u["accountEnabled"], true);
        assert!(u.get("passwordProfile").is_none(), "the password is never returned");
        assert_eq!(u["otherMails"], json!(["adele@example.com"]));
        assert_eq!(u["employeeOrgData"]["costCenter"], "CC-7");
        assert_eq!(
            u["onPremisesExtensionAttributes"]["extensionAttribute1"],
            "badge-42"
        );
        assert_eq!(
            u["onPremisesExtensionAttributes"]["extensionAttribute2"],
            Value::Null
        );
        assert_eq!(u["createdDateTime"], "2026-11-23T12:00:00Z");

        // Read by id and by user principal name: Graph's default properties only.
        for key in [id.clone(), f.upn("adele")] {
            let r = f
                .call(&admin, Method::GET, &format!("/users/{key}"), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let keys: BTreeSet<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
            let expected: BTreeSet<&str> = [
                "@odata.context", "businessPhones", "displayName", "givenName", "jobTitle", "mail",
                "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
            ]
            .into();
            assert_eq!(keys, expected);
            assert_eq!(r.body["jobTitle"], "Retail Manager");
        }

        // $select names other properties; id is always there.
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!("/users/{id}?$select=displayName,usageLocation,employeeOrgData"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#users(displayName,usageLocation,employeeOrgData)/$entity"
        );
        assert_eq!(r.body["usageLocation"], "US");
        assert_eq!(r.body["id"], id);
        assert!(r.body.get("jobTitle").is_none());
        let r = f
            .call(&admin, Method::GET, &format!("/users/{id}?$select=shoeSize"), None)
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");

        // The new user signs in with the initial password.
        assert_eq!(f.sign_in_status("adele").await, StatusCode::OK);
        let token = f.user_token("adele", "User.Read").await;
        let me = f.call(&token, Method::GET, "/me?$select=id,jobTitle", None).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.body["jobTitle"], "Retail Manager");
        assert_eq!(me.body["id"], id);

        assert!(f.audit_activities().await.contains(&"Add user".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn creation_is_validated_as_graph_validates_it() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        for missing in [
            "accountEnabled",
            "displayName",
            "mailNickname",
            "passwordProfile",
            "userPrincipalName",
        ] {
            let mut body = json!({
                "accountEnabled": true, "displayName": "X", "mailNickname": "x",
                "userPrincipalName": f.upn("x"), "passwordProfile": {"password": PASSWORD},
            });
            body.as_object_mut().unwrap().remove(missing);
            let r = f.call(&admin, Method::POST, "/users", Some(body)).await;
            assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
            assert_eq!(
                r.body["error"]["message"],
                format!("Invalid value specified for property '{missing}' of resource 'User'.")
            );
        }
        // A user principal name on a domain the tenant has not verified.
        let r = f
            .create_user(
                &admin,
                "x",
                json!({"userPrincipalName": "x@fabrikam.example"}),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("verified domain")
        );
        // A weak password, an unknown property, a read-only property, a bad usage location.
        for extra in [
            json!({"passwordProfile": {"password": "password"}}),
            json!({"favouriteColour": "blue"}),
            json!({"createdDateTime": "2020-01-01T00:00:00Z"}),
            json!({"usageLocation": "usa"}),
            json!({"mailNickname": "has space"}),
        ] {
            let r = f.create_user(&admin, "x", extra.clone()).await;
            assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        }
        // Duplicates are Graph's 400 with its message, case-insensitively.
        f.new_user(&admin, "dup").await;
        let r = f
            .create_user(
                &admin,
                "dup2",
                json!({"userPrincipalName": f.upn("DUP").to_uppercase()}),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        assert_eq!(
            r.body["error"]["message"],
            "Another object with the same value for property userPrincipalName already exists."
        );
        let r = f
            .create_user(
                &admin,
                "p1",
                json!({"proxyAddresses": ["SMTP:shared@contoso.example"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = f
            .create_user(
                &admin,
                "p2",
                json!({"proxyAddresses": ["smtp:Shared@contoso.example"]}),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        // Nothing half-written: the refused users do not exist.
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!("/users/{}", f.upn("p2")),
                None,
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
    })
    .await;
}

#[tokio::test]
async fn the_list_pages_with_an_opaque_skiptoken() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        for i in 0..3 {
            f.new_user(&admin, &format!("pager{i}")).await;
        }
        // admin, ann, bob, gus and three more.
        let mut seen = BTreeSet::new();
        let mut next = Some("/v1.0/users?$top=3&$select=userPrincipalName".to_owned());
        let mut pages = 0;
        while let Some(path) = next {
            let r = f.app.call(Method::GET, &path, Some(&admin), None).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let value = r.body["value"].as_array().unwrap();
            assert!(value.len() <= 3);
            for u in value {
                assert!(seen.insert(u["userPrincipalName"].as_str().unwrap().to_owned()));
                assert!(u.get("displayName").is_none());
            }
            next = r.body["@odata.nextLink"]
                .as_str()
                .map(|l| l.strip_prefix("https://localhost:8443").unwrap().to_owned());
            pages += 1;
        }
        assert_eq!((seen.len(), pages), (7, 3));
        // Graph: "Request_UnsupportedQuery: Invalid page size specified: '1000'. ..."
        for (bad, code) in [
            ("$top=0", "Request_UnsupportedQuery"),
            ("$top=1000", "Request_UnsupportedQuery"),
            ("$skiptoken=garbage", "Request_BadRequest"),
        ] {
            let r = f
                .call(&admin, Method::GET, &format!("/users?{bad}"), None)
                .await;
            assert_error(&r, StatusCode::BAD_REQUEST, code);
        }
    })
    .await;
}

#[tokio::test]
async fn updates_change_only_what_the_body_names_and_disabling_ends_sign_in() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let id = f.new_user(&admin, "megan").await;
        let patch = |body: Value| {
            let (f, admin, id) = (&f, &admin, &id);
            async move {
                f.call(admin, Method::PATCH, &format!("/users/{id}"), Some(body))
                    .await
            }
        };
        let r = patch(json!({"jobTitle": "Engineer", "department": "R&D", "city": "Oslo"})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = patch(json!({"city": null, "onPremisesExtensionAttributes": {"extensionAttribute15": "x"}})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!("/users/{id}?$select=jobTitle,department,city,displayName,onPremisesExtensionAttributes"),
                None,
            )
            .await;
        assert_eq!(r.body["jobTitle"], "Engineer");
        assert_eq!(r.body["department"], "R&D");
        assert_eq!(r.body["city"], Value::Null);
        assert_eq!(r.body["displayName"], "megan Example");
        assert_eq!(r.body["onPremisesExtensionAttributes"]["extensionAttribute15"], "x");

        for bad in [json!({"id": "x"}), json!({"nope": 1}), json!({"accountEnabled": "yes"})] {
            let r = patch(bad).await;
            assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        }

        // A new password works at once; disabling stops sign-in and is audited as such.
        assert_eq!(f.sign_in_status("megan").await, StatusCode::OK);
        let r = patch(json!({"accountEnabled": false})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(f.sign_in_status("megan").await, StatusCode::BAD_REQUEST);
        let r = patch(json!({"accountEnabled": true})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(f.sign_in_status("megan").await, StatusCode::OK);
        let activities = f.audit_activities().await;
        for a in ["Update user", "Disable account", "Enable account"] {
            assert!(activities.contains(&a.to_owned()), "{a}: {activities:?}");
        }

        // revokeSignInSessions answers true and moves signInSessionsValidFromDateTime.
        f.app.clock.advance(time::Duration::minutes(5));
        let r = f
            .call(&admin, Method::POST, &format!("/users/{id}/revokeSignInSessions"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"], true);
        let r = f
            .call(&admin, Method::GET, &format!("/users/{id}?$select=signInSessionsValidFromDateTime"), None)
            .await;
        assert_eq!(r.body["signInSessionsValidFromDateTime"], "2026-11-23T12:05:00Z");
    })
    .await;
}

#[tokio::test]
async fn managers_and_direct_reports_refuse_circular_chains() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let boss = f.new_user(&admin, "boss").await;
        let mid = f.new_user(&admin, "mid").await;
        let set = |user: String, manager: String| {
            let (f, admin) = (&f, &admin);
            async move {
                f.call(
                    admin,
                    Method::PUT,
                    &format!("/users/{user}/manager/$ref"),
                    Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{manager}")})),
                )
                .await
            }
        };
        assert_eq!(set(mid.clone(), boss.clone()).await.status, StatusCode::NO_CONTENT);
        assert_eq!(set(f.upn("ann"), mid.clone()).await.status, StatusCode::NO_CONTENT);
        let r = f
            .call(&admin, Method::GET, &format!("/users/{}/manager", f.upn("ann")), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["id"], mid.as_str());
        assert_eq!(r.body["@odata.type"], "#microsoft.graph.user");
        let r = f
            .call(&admin, Method::GET, &format!("/users/{boss}/directReports"), None)
            .await;
        assert_eq!(r.body["value"][0]["id"], mid.as_str());

        // boss reporting to ann would close the loop boss → mid → ann → boss.
        let ann = f.call(&admin, Method::GET, &format!("/users/{}", f.upn("ann")), None).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = set(boss.clone(), ann).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        assert_eq!(
            r.body["error"]["message"],
            "The manager assignment would create a circular reporting chain."
        );

        let r = f
            .call(&admin, Method::DELETE, &format!("/users/{mid}/manager/$ref"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = f.call(&admin, Method::GET, &format!("/users/{mid}/manager"), None).await;
        assert_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let activities = f.audit_activities().await;
        assert!(activities.contains(&"Set user manager".to_owned()));
        assert!(activities.contains(&"Remove user manager".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn deleted_users_wait_in_the_recycle_bin_for_thirty_days() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let id = f.new_user(&admin, "leaver").await;
        let r = f
            .call(&admin, Method::DELETE, &format!("/users/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(&admin, Method::GET, &format!("/users/{id}"), None)
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        assert_eq!(f.sign_in_status("leaver").await, StatusCode::BAD_REQUEST);
        // The sign-in name stays reserved while the user is in the bin.
        let r = f.create_user(&admin, "leaver", json!({})).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");

        for cast in ["microsoft.graph.user", "graph.user"] {
            let r = f
                .call(
                    &admin,
                    Method::GET,
                    &format!("/directory/deletedItems/{cast}"),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert_eq!(r.body["value"][0]["id"], id.as_str());
            assert_eq!(
                r.body["value"][0]["deletedDateTime"],
                "2026-11-23T12:00:00Z"
            );
        }
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/directory/deletedItems/{id}/restore"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["@odata.type"], "#microsoft.graph.user");
        assert_eq!(r.body["id"], id.as_str());
        assert_eq!(f.sign_in_status("leaver").await, StatusCode::OK);

        // Permanent delete.
        f.call(&admin, Method::DELETE, &format!("/users/{id}"), None)
            .await;
        let r = f
            .call(
                &admin,
                Method::DELETE,
                &format!("/directory/deletedItems/{id}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(
                &admin,
                Method::GET,
                &format!("/directory/deletedItems/{id}"),
                None,
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        assert_eq!(
            f.new_user(&admin, "leaver").await.len(),
            36,
            "the name is free again"
        );

        // The purge takes what is older than 30 days, and only that.
        let old = f.new_user(&admin, "old").await;
        f.call(&admin, Method::DELETE, &format!("/users/{old}"), None)
            .await;
        f.app.clock.advance(time::Duration::days(29));
        let admin = f.user_token("admin", RW).await;
        let young = f.new_user(&admin, "young").await;
        f.call(&admin, Method::DELETE, &format!("/users/{young}"), None)
            .await;
        f.app.clock.advance(time::Duration::days(2));
        let purged = gatehouse_server::graph::deleted_items::purge_expired(&f.app.state)
            .await
            .unwrap();
        assert_eq!(purged, 1);
        let admin = f.user_token("admin", RW).await;
        let r = f
            .call(
                &admin,
                Method::GET,
                "/directory/deletedItems/microsoft.graph.user",
                None,
            )
            .await;
        let ids: Vec<&str> = r.body["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u["id"].as_str())
            .collect();
        assert_eq!(ids, vec![young.as_str()]);

        let activities = f.audit_activities().await;
        for a in ["Delete user", "Restore user", "Hard delete user"] {
            assert!(activities.contains(&a.to_owned()), "{a}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_last_global_administrator_cannot_be_deleted_or_disabled() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let r = f
            .call(
                &admin,
                Method::DELETE,
                &format!("/users/{}", f.admin_upn),
                None,
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &format!("/users/{}", f.admin_upn),
                Some(json!({"accountEnabled": false})),
            )
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        assert_eq!(f.sign_in_status("admin").await, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn who_may_read_and_change_users() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let gus_id = f
            .call(
                &admin,
                Method::GET,
                &format!("/users/{}", f.upn("gus")),
                None,
            )
            .await
            .body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // A member reads and lists users but cannot create, change or delete them.
        let ann = f.user_token("ann", "User.ReadWrite.All").await;
        let r = f.call(&ann, Method::GET, "/users", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = f.create_user(&ann, "sneaky", json!({})).await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
        let r = f
            .call(
                &ann,
                Method::PATCH,
                &format!("/users/{gus_id}"),
                Some(json!({"jobTitle": "x"})),
            )
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
        let r = f
            .call(&ann, Method::DELETE, &format!("/users/{gus_id}"), None)
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
        // A token without a user permission cannot read users even for an administrator.
        let narrow = f.user_token("admin", "Application.Read.All").await;
        let r = f.call(&narrow, Method::GET, "/users", None).await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
        // A guest reads a user it addresses but does not enumerate.
        let gus = f.user_token("gus", "User.Read.All").await;
        let r = f.call(&gus, Method::GET, "/users", None).await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
        let r = f
            .call(&gus, Method::GET, &format!("/users/{}", f.upn("ann")), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // An application with User.Read.All reads; with it alone it cannot write.
        let manage = f
            .user_token(
                "admin",
                "Application.ReadWrite.All AppRoleAssignment.ReadWrite.All",
            )
            .await;
        let (_, app_id, secret, sp_id) = confidential_client(&f, &manage).await;
        f.grant_graph_permission(&manage, &sp_id, "User.Read.All")
            .await;
        let daemon = f.app_token(&app_id, &secret).await;
        let r = f.call(&daemon, Method::GET, "/users?$top=2", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 2);
        let r = f.create_user(&daemon, "robot", json!({})).await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
        f.grant_graph_permission(&manage, &sp_id, "User.ReadWrite.All")
            .await;
        let daemon = f.app_token(&app_id, &secret).await;
        let r = f.create_user(&daemon, "robot", json!({})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn user_responses_use_only_property_names_of_the_graph_schema() {
    let Some(openapi) = OpenApi::load("Users.yml") else {
        eprintln!("note: ../shared/graph-openapi/Users.yml not found; shape check skipped");
        return;
    };
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let admin = f.user_token("admin", RW).await;
    let created = f
        .create_user(
            &admin,
            "shape",
            json!({"employeeOrgData": {"division": "D"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let mut seen = BTreeSet::new();
    openapi.check("microsoft.graph.user", &created.body, "create", &mut seen);
    let id = created.body["id"].as_str().unwrap();
    let every: Vec<&str> = [
        "accountEnabled",
        "ageGroup",
        "businessPhones",
        "city",
        "companyName",
        "createdDateTime",
        "deletedDateTime",
        "employeeOrgData",
        "imAddresses",
        "onPremisesExtensionAttributes",
        "otherMails",
        "proxyAddresses",
        "signInSessionsValidFromDateTime",
        "userType",
    ]
    .into();
    let full = f
        .call(
            &admin,
            Method::GET,
            &format!("/users/{id}?$select={}", every.join(",")),
            None,
        )
        .await;
    openapi.check("microsoft.graph.user", &full.body, "create", &mut seen);
    let list = f.call(&admin, Method::GET, "/users", None).await;
    openapi.check(
        "microsoft.graph.user",
        &list.body["value"],
        "list",
        &mut seen,
    );
    assert!(seen.contains("create.onPremisesExtensionAttributes.extensionAttribute1"));
    assert!(seen.contains("create.employeeOrgData.division"));
}

#[tokio::test]
async fn sign_in_activity_records_interactive_and_non_interactive_sign_ins() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let client = gatehouse_domain::catalog::first_party::GRAPH_COMMAND_LINE_TOOLS.to_string();
        let ann = f.upn("ann");
        let r = f
            .token_request(
                &f.tenant.to_string(),
                &[
                    ("grant_type", "password"),
                    ("client_id", &client),
                    ("username", &ann),
                    ("password", PASSWORD),
                    ("scope", "User.Read offline_access"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let refresh = r.body["refresh_token"].as_str().unwrap().to_owned();
        let path = format!("/users/{ann}?$select=displayName,signInActivity");
        let reader = f
            .user_token("admin", "User.Read.All AuditLog.Read.All")
            .await;
        let r = f.call(&reader, Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let activity = &r.body["signInActivity"];
        assert_eq!(activity["lastSignInDateTime"], "2026-11-23T12:00:00Z");
        assert!(activity["lastSignInRequestId"].is_string());
        assert_eq!(
            activity["lastSuccessfulSignInRequestId"],
            activity["lastSignInRequestId"]
        );
        assert_eq!(activity["lastNonInteractiveSignInDateTime"], Value::Null);

        f.app.clock.advance(time::Duration::minutes(10));
        let r = f
            .token_request(
                &f.tenant.to_string(),
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &client),
                    ("refresh_token", &refresh),
                    ("scope", "User.Read offline_access"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = f.call(&reader, Method::GET, &path, None).await;
        let activity = &r.body["signInActivity"];
        assert_eq!(activity["lastSignInDateTime"], "2026-11-23T12:00:00Z");
        assert_eq!(
            activity["lastNonInteractiveSignInDateTime"],
            "2026-11-23T12:10:00Z"
        );
        assert_eq!(
            activity["lastSuccessfulSignInDateTime"],
            "2026-11-23T12:10:00Z"
        );
        // Not returned unless selected; without AuditLog.Read.All, or without a reports role, 403.
        let r = f
            .call(&reader, Method::GET, &format!("/users/{ann}"), None)
            .await;
        assert!(r.body.get("signInActivity").is_none());
        let no_audit = f.user_token("admin", "User.Read.All").await;
        let r = f.call(&no_audit, Method::GET, &path, None).await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
        let bob = f.user_token("bob", "User.Read.All AuditLog.Read.All").await;
        let r = f.call(&bob, Method::GET, &path, None).await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
    })
    .await;
}
