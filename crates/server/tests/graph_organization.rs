//! `/organization` through the router on both engines, with delegated tokens from the password
//! grant: what members, guests and `User.Read` tokens see, changes by Global and Billing
//! Administrators (audited as "Update company"), read-only and invalid properties refused, and the
//! response checked against Microsoft's OpenAPI description.

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use gatehouse_domain::audit::AuditCategory;
use gatehouse_domain::catalog::roles::{BILLING_ADMINISTRATOR, GLOBAL_READER};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::role::{RoleAssignment, TENANT_SCOPE};
use serde_json::{Value, json};
use support::graph::{Fixture, fixture};
use support::openapi::OpenApi;
use support::{Response, START, each_engine};
use uuid::Uuid;

const READ: &str = "Organization.Read.All";
const WRITE: &str = "Organization.ReadWrite.All";

/// Assigns `role` to the fixture user `alias` at tenant scope.
async fn assign(f: &Fixture, alias: &str, role: Uuid) {
    let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
    let user = tx
        .user_by_upn(&format!("{alias}@{}", f.domain))
        .await
        .unwrap()
        .unwrap();
    tx.insert_role_assignment(&RoleAssignment {
        id: ObjectId::generate(f.app.state.random.as_ref()),
        role_definition_id: role,
        principal_id: user.id,
        directory_scope_id: TENANT_SCOPE.into(),
        created: START,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn assert_error(r: &Response, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
}

async fn organization(f: &Fixture, token: &str) -> Value {
    let r = f.call(token, Method::GET, "/organization", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
    r.body["value"][0].clone()
}

#[tokio::test]
async fn members_read_the_organization_and_guests_its_name_and_domains() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let tenant = f.tenant.to_string();
        let admin = f.user_token("admin", READ).await;
        let r = f.call(&admin, Method::GET, "/organization", None).await;
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#organization"
        );
        let org = organization(&f, &admin).await;
        assert_eq!(org["id"], tenant);
        assert_eq!(org["displayName"], "Contoso");
        assert_eq!(org["countryLetterCode"], "US");
        assert_eq!(org["tenantType"], "AAD");
        assert_eq!(org["createdDateTime"], "2026-11-23T12:00:00Z");
        assert_eq!(org["technicalNotificationMails"], json!([f.admin_upn]));
        assert_eq!(org["assignedPlans"], json!([]));
        assert_eq!(org["marketingNotificationEmails"], json!([]));
        assert_eq!(org["privacyProfile"], Value::Null);
        assert_eq!(
            org["verifiedDomains"],
            json!([{"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": true,
                "isInitial": true, "name": f.domain, "type": "Managed"}])
        );

        let one = f
            .call(
                &admin,
                Method::GET,
                &format!("/organization/{tenant}"),
                None,
            )
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert_eq!(
            one.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#organization/$entity"
        );
        assert_eq!(one.body["id"], tenant);
        let other = f
            .call(
                &admin,
                Method::GET,
                &format!("/organization/{}", Uuid::nil()),
                None,
            )
            .await;
        assert_error(&other, StatusCode::NOT_FOUND, "Request_ResourceNotFound");

        // A member reads everything with Organization.Read.All ...
        let ann = f.user_token("ann", READ).await;
        assert_eq!(organization(&f, &ann).await, org);
        // ... and the id, name and verified domains with User.Read alone, like a guest.
        let ann_basic = f.user_token("ann", "User.Read").await;
        let gus = f.user_token("gus", READ).await;
        for token in [&ann_basic, &gus] {
            let basic = organization(&f, token).await;
            assert_eq!(basic["id"], tenant);
            assert_eq!(basic["displayName"], "Contoso");
            assert_eq!(basic["verifiedDomains"], org["verifiedDomains"]);
            for hidden in [
                "countryLetterCode",
                "technicalNotificationMails",
                "tenantType",
            ] {
                assert_eq!(basic[hidden], Value::Null, "{hidden}");
            }
        }
        // Without any permission that reads the organization, nothing.
        let none = f.user_token("ann", "Application.Read.All").await;
        let r = f.call(&none, Method::GET, "/organization", None).await;
        assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
    })
    .await;
}

#[tokio::test]
async fn an_administrator_changes_the_organization_and_it_is_audited() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let path = format!("/organization/{}", f.tenant);
        let admin = f.user_token("admin", WRITE).await;
        let body = json!({
            "displayName": "Contoso Ltd",
            "marketingNotificationEmails": ["marketing@contoso.com"],
            "technicalNotificationMails": ["it@contoso.com", "ops@contoso.com"],
            "securityComplianceNotificationMails": ["security@contoso.com"],
            "securityComplianceNotificationPhones": ["+1 425 555 0100"],
            "privacyProfile": {"contactEmail": "privacy@contoso.com",
                "statementUrl": "https://contoso.com/privacy"},
            "businessPhones": ["+1 425 555 0199"],
            "city": "Redmond",
            "preferredLanguage": "en-US",
            "defaultUsageLocation": "us",
        });
        let r = f.call(&admin, Method::PATCH, &path, Some(body)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let org = organization(&f, &admin).await;
        assert_eq!(org["displayName"], "Contoso Ltd");
        assert_eq!(
            org["technicalNotificationMails"],
            json!(["it@contoso.com", "ops@contoso.com"])
        );
        assert_eq!(
            org["marketingNotificationEmails"],
            json!(["marketing@contoso.com"])
        );
        assert_eq!(
            org["securityComplianceNotificationPhones"],
            json!(["+1 425 555 0100"])
        );
        assert_eq!(
            org["privacyProfile"],
            json!({"contactEmail": "privacy@contoso.com", "statementUrl": "https://contoso.com/privacy"})
        );
        assert_eq!(org["city"], "Redmond");
        assert_eq!(org["defaultUsageLocation"], "US");
        assert_eq!(org["countryLetterCode"], "US");

        // null clears a property; the others keep their values.
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &path,
                Some(json!({"privacyProfile": null, "city": null})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let org = organization(&f, &admin).await;
        assert_eq!(org["privacyProfile"], Value::Null);
        assert_eq!(org["city"], Value::Null);
        assert_eq!(org["preferredLanguage"], "en-US");

        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(10).await.unwrap();
        let updates: Vec<_> = records
            .iter()
            .filter(|r| r.activity_display_name == "Update company")
            .collect();
        assert_eq!(updates.len(), 2);
        let first = updates.iter().find(|r| r.target_resources[0].modified_properties.len() > 2).unwrap();
        assert_eq!(first.category, AuditCategory::DirectoryManagement);
        assert_eq!(first.target_resources[0].id, f.tenant.to_string());
        assert_eq!(first.target_resources[0].resource_type, "Company");
        let changed: BTreeSet<&str> = first.target_resources[0]
            .modified_properties
            .iter()
            .map(|p| p.display_name.as_str())
            .collect();
        assert!(changed.contains("technicalNotificationMails"), "{changed:?}");
    })
    .await;
}

#[tokio::test]
async fn read_only_unknown_and_invalid_properties_are_refused() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let path = format!("/organization/{}", f.tenant);
        let admin = f.user_token("admin", WRITE).await;
        let before = organization(&f, &admin).await;
        #[rustfmt::skip]
        let cases = [
            (json!({"countryLetterCode": "DE"}), "countryLetterCode", "Property 'countryLetterCode' is read-only and cannot be set."),
            (json!({"tenantType": "CIAM"}), "tenantType", "Property 'tenantType' is read-only and cannot be set."),
            (json!({"createdDateTime": "2020-01-01T00:00:00Z"}), "createdDateTime", "Property 'createdDateTime' is read-only and cannot be set."),
            (json!({"verifiedDomains": []}), "verifiedDomains", "Property 'verifiedDomains' is read-only and cannot be set."),
            (json!({"id": Uuid::nil().to_string()}), "id", "Property 'id' is read-only and cannot be set."),
            (json!({"city": "Paris", "assignedPlans": []}), "assignedPlans", "Property 'assignedPlans' is read-only and cannot be set."),
            (json!({"favouriteColour": "blue"}), "favouriteColour", "Property 'favouriteColour' does not exist on microsoft.graph.organization or cannot be set."),
            (json!({"technicalNotificationMails": ["not an address"]}), "technicalNotificationMails", "'not an address' is not a valid email address."),
            (json!({"privacyProfile": {"statementUrl": "ftp://contoso.com"}}), "privacyProfile", "'ftp://contoso.com' is not a valid http or https URL of at most 255 characters."),
            (json!({"displayName": " "}), "displayName", "The organization name is required and must be at most 256 characters."),
            (json!({"marketingNotificationEmails": "m@contoso.com"}), "marketingNotificationEmails", "Invalid value for property 'marketingNotificationEmails': expected an array of strings."),
        ];
        for (body, target, message) in cases {
            let r = f.call(&admin, Method::PATCH, &path, Some(body)).await;
            assert_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
            assert_eq!(r.body["error"]["message"], message, "{target}");
            assert_eq!(r.body["error"]["details"][0]["target"], target);
        }
        assert_eq!(organization(&f, &admin).await, before, "nothing changed");
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &format!("/organization/{}", Uuid::nil()),
                Some(json!({"city": "Paris"})),
            )
            .await;
        assert_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
    })
    .await;
}

#[tokio::test]
async fn only_administrators_with_write_permission_change_the_organization() {
    each_engine(|db| async {
        let f = fixture(db).await;
        assign(&f, "bob", BILLING_ADMINISTRATOR).await;
        assign(&f, "ann", GLOBAL_READER).await;
        let path = format!("/organization/{}", f.tenant);
        let body = json!({"marketingNotificationEmails": ["m@contoso.com"]});
        let denied = [
            f.user_token("gus", WRITE).await,
            f.user_token("ann", WRITE).await,
            f.user_token("admin", READ).await,
        ];
        for token in &denied {
            let r = f
                .call(token, Method::PATCH, &path, Some(body.clone()))
                .await;
            assert_error(&r, StatusCode::FORBIDDEN, "Authorization_RequestDenied");
            assert_eq!(
                r.body["error"]["message"],
                "Insufficient privileges to complete the operation."
            );
        }
        let billing = f.user_token("bob", WRITE).await;
        let r = f.call(&billing, Method::PATCH, &path, Some(body)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let reader = f.user_token("ann", READ).await;
        assert_eq!(
            organization(&f, &reader).await["marketingNotificationEmails"],
            json!(["m@contoso.com"])
        );
    })
    .await;
}

#[tokio::test]
async fn the_organization_uses_only_property_names_of_the_graph_schema() {
    let Some(openapi) = OpenApi::load("Identity.DirectoryManagement.yml") else {
        eprintln!("note: ../shared/graph-openapi not found; shape check skipped");
        return;
    };
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let admin = f.user_token("admin", WRITE).await;
    let r = f
        .call(
            &admin,
            Method::PATCH,
            &format!("/organization/{}", f.tenant),
            Some(json!({"privacyProfile": {"contactEmail": "p@contoso.com"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mut seen = BTreeSet::new();
    let org = organization(&f, &admin).await;
    openapi.check(
        "microsoft.graph.organization",
        &org,
        "organization",
        &mut seen,
    );
    for nested in [
        "organization.verifiedDomains.capabilities",
        "organization.privacyProfile.contactEmail",
    ] {
        assert!(seen.contains(nested), "{nested} not checked: {seen:?}");
    }
}
