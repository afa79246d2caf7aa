//! `/devices` through the router on both engines: register, list, read, update, delete; registered
//! owners and users with a user's `ownedDevices` / `registeredDevices`; owners may disable their
//! device but not rename it; members read; audit; shapes against Microsoft's OpenAPI description.

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use gatehouse_domain::audit::AuditCategory;
use serde_json::{Value, json};
use support::each_engine;
use support::graph::{Fixture, fixture};
use support::openapi::OpenApi;

/// Device.ReadWrite.All is an application permission only; delegated writes use Directory.AccessAsUser.All.
const RW: &str = "Directory.AccessAsUser.All";

fn laptop() -> Value {
    json!({
        "accountEnabled": true,
        "alternativeSecurityIds": [{"type": 2, "key": "Y3YxN2E1MWFlYw=="}],
        "deviceId": "4c299165-6e8f-4b45-a5ba-c5d250a707ff",
        "displayName": "Sawyer Laptop",
        "operatingSystem": "Windows",
        "operatingSystemVersion": "10.0.22631",
        "trustType": "AzureAd",
        "physicalIds": ["[USER-GID]:4c299165-6e8f-4b45-a5ba-c5d250a707ff:6825786449406074"],
    })
}

impl Fixture {
    async fn user_id(&self, token: &str, alias: &str) -> String {
        let r = self
            .call(
                token,
                Method::GET,
                &format!("/users/{alias}@{}", self.domain),
                None,
            )
            .await;
        r.body["id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn devices_are_registered_owned_and_managed() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", RW).await;
        let r = f.call(&admin, Method::POST, "/devices", Some(laptop())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["@odata.context"], "https://localhost:8443/v1.0/$metadata#devices/$entity");
        assert_eq!(r.body["trustType"], "AzureAd");
        assert_eq!(r.body["alternativeSecurityIds"][0]["type"], 2);
        assert_eq!(r.body["registrationDateTime"], "2026-11-23T12:00:00Z");
        let id = r.body["id"].as_str().unwrap().to_owned();

        let r = f
            .call(&admin, Method::PATCH, &format!("/devices/{id}"),
                  Some(json!({"extensionAttributes": {"extensionAttribute1": "kiosk"}, "isCompliant": true})))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&admin, Method::GET, &format!("/devices/{id}"), None).await;
        assert_eq!(r.body["extensionAttributes"]["extensionAttribute1"], "kiosk");
        assert_eq!(r.body["isCompliant"], true);
        for bad in [json!({"trustType": "Cloud"}), json!({"deviceId": "nope"}), json!({"colour": "red"}),
                    json!({"registrationDateTime": "2020-01-01T00:00:00Z"})] {
            let r = f.call(&admin, Method::PATCH, &format!("/devices/{id}"), Some(bad)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        }
        let mut incomplete = laptop();
        incomplete.as_object_mut().unwrap().remove("alternativeSecurityIds");
        let r = f.call(&admin, Method::POST, "/devices", Some(incomplete)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        // Ann becomes the registered owner and user.
        let ann_id = f.user_id(&admin, "ann").await;
        for relation in ["registeredOwners", "registeredUsers"] {
            let r = f
                .call(&admin, Method::POST, &format!("/devices/{id}/{relation}/$ref"),
                      Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{ann_id}")})))
                .await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{relation}: {}", r.body);
        }
        let r = f
            .call(&admin, Method::POST, &format!("/devices/{id}/registeredOwners/$ref"),
                  Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{ann_id}")})))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "a second time: {}", r.body);
        let r = f.call(&admin, Method::GET, &format!("/devices/{id}/registeredOwners"), None).await;
        assert_eq!(r.body["value"][0]["id"], ann_id.as_str());
        assert_eq!(r.body["value"][0]["@odata.type"], "#microsoft.graph.user");

        let ann = f.user_token("ann", "Device.Read.All User.Read").await;
        for path in ["/me/ownedDevices", "/me/registeredDevices"] {
            let r = f.call(&ann, Method::GET, path, None).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            assert_eq!(r.body["value"][0]["id"], id.as_str(), "{path}");
            assert_eq!(r.body["value"][0]["@odata.type"], "#microsoft.graph.device");
        }
        let r = f.call(&admin, Method::GET, &format!("/users/{ann_id}/ownedDevices"), None).await;
        assert_eq!(r.body["value"][0]["id"], id.as_str());

        // The owner may disable the device, not rename it; another member only reads.
        let ann_rw = f.user_token("ann", "Directory.AccessAsUser.All").await;
        let r = f.call(&ann_rw, Method::PATCH, &format!("/devices/{id}"), Some(json!({"accountEnabled": false}))).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&ann_rw, Method::PATCH, &format!("/devices/{id}"), Some(json!({"displayName": "Mine"}))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let bob = f.user_token("bob", "Directory.AccessAsUser.All").await;
        let r = f.call(&bob, Method::GET, "/devices", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
        let r = f.call(&bob, Method::PATCH, &format!("/devices/{id}"), Some(json!({"accountEnabled": true}))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = f.call(&bob, Method::POST, "/devices", Some(laptop())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let gus = f.user_token("gus", "Device.Read.All").await;
        let r = f.call(&gus, Method::GET, "/devices", None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "guests do not enumerate devices: {}", r.body);

        // Remove the owner, delete the device.
        let r = f.call(&admin, Method::DELETE, &format!("/devices/{id}/registeredOwners/{ann_id}/$ref"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&ann, Method::GET, "/me/ownedDevices", None).await;
        assert_eq!(r.body["value"], json!([]));
        let r = f.call(&admin, Method::DELETE, &format!("/devices/{id}"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&admin, Method::GET, &format!("/devices/{id}"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        let r = f.call(&ann, Method::GET, "/me/registeredDevices", None).await;
        assert_eq!(r.body["value"], json!([]));

        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let activities: BTreeSet<String> = tx
            .audit_records(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.category == AuditCategory::Device)
            .map(|a| a.activity_display_name)
            .collect();
        for a in ["Add device", "Update device", "Delete device", "Add registered owner to device",
                  "Add registered users to device", "Remove registered owner from device"] {
            assert!(activities.contains(a), "{a}: {activities:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn device_responses_use_only_property_names_of_the_graph_schema() {
    let Some(openapi) = OpenApi::load("Identity.DirectoryManagement.yml") else {
        eprintln!("note: ../shared/graph-openapi not found; shape check skipped");
        return;
    };
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let admin = f.user_token("admin", RW).await;
    let mut created = f
        .call(&admin, Method::POST, "/devices", Some(laptop()))
        .await
        .body;
    // `extensionAttributes` is documented on v1.0 devices after the 2023 snapshot of the description.
    let extension = created
        .as_object_mut()
        .unwrap()
        .remove("extensionAttributes");
    assert!(extension.is_some_and(|e| e.is_object()));
    let mut seen = BTreeSet::new();
    openapi.check("microsoft.graph.device", &created, "create", &mut seen);
    assert!(
        seen.contains("create.alternativeSecurityIds.type"),
        "{seen:?}"
    );
}
