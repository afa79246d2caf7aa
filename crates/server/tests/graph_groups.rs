//! `/groups` through the router on both engines with real delegated tokens: create (security and
//! Microsoft 365, binds, creator as owner), list with paging and filters, read, update, delete
//! (recycle bin for Microsoft 365 groups, at once for security groups), validation, permissions,
//! audit, and response shapes checked against Microsoft's OpenAPI description.

mod support;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use gatehouse_domain::audit::AuditCategory;
use gatehouse_domain::authz::{self, Principal, UserKind};
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use serde_json::{Value, json};
use support::each_engine;
use support::graph::fixture;
use support::groups::*;
use support::openapi::OpenApi;

#[tokio::test]
async fn an_administrator_creates_reads_lists_updates_and_deletes_a_security_group() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let mut body = security("MDM policy - West");
        body["description"] = json!("Devices in the west");
        let created = f.create_group(&admin, body).await;
        assert_eq!(
            created["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#groups/$entity"
        );
        assert_eq!(created["displayName"], "MDM policy - West");
        assert_eq!(created["mailNickname"], "mdm-policy---west");
        assert_eq!(created["securityEnabled"], true);
        assert_eq!(created["mailEnabled"], false);
        assert_eq!(created["mail"], Value::Null);
        assert_eq!(created["groupTypes"], json!([]));
        assert_eq!(created["createdDateTime"], "2026-11-23T12:00:00Z");
        assert_eq!(created["description"], "Devices in the west");
        assert!(
            created["securityIdentifier"]
                .as_str()
                .unwrap()
                .starts_with("S-1-12-1-")
        );
        let id = created["id"].as_str().unwrap().to_owned();

        // An administrator is not made an owner of what they create.
        let owners = f.read_path(&admin, &format!("/groups/{id}/owners")).await;
        assert_eq!(ids(&owners), Vec::<String>::new());

        let got = f.read_path(&admin, &format!("/groups/{id}")).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        assert_eq!(got.body["displayName"], "MDM policy - West");

        let r = f
            .call(
                &admin,
                Method::PATCH,
                &format!("/groups/{id}"),
                Some(json!({"displayName": "MDM policy - East", "description": null})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let got = f.read_path(&admin, &format!("/groups/{id}")).await;
        assert_eq!(got.body["displayName"], "MDM policy - East");
        assert_eq!(got.body["description"], Value::Null);

        let list = f.read_path(&admin, "/groups").await;
        assert_eq!(ids(&list), vec![id.clone()]);
        assert_eq!(
            list.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#groups"
        );

        // A security group is deleted at once: not in the recycle bin.
        let r = f
            .call(&admin, Method::DELETE, &format!("/groups/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.read_path(&admin, &format!("/groups/{id}")).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        assert!(tx.deleted_group(oid(&id)).await.is_err());
        assert!(tx.deleted_groups().await.unwrap().is_empty());
        let records = tx.audit_records(20).await.unwrap();
        let group_activities: BTreeSet<&str> = records
            .iter()
            .filter(|r| r.category == AuditCategory::GroupManagement)
            .map(|r| r.activity_display_name.as_str())
            .collect();
        assert_eq!(
            group_activities,
            BTreeSet::from(["Add group", "Update group", "Delete group"])
        );
        let deleted = records
            .iter()
            .find(|r| r.activity_display_name == "Delete group")
            .unwrap();
        assert_eq!(deleted.target_resources[0].id, id);
        assert_eq!(deleted.target_resources[0].resource_type, "Group");
    })
    .await;
}

#[tokio::test]
async fn a_microsoft_365_group_with_binds_goes_to_the_recycle_bin_and_comes_back_whole() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let (ann, bob) = (f.user_oid("ann").await, f.user_oid("bob").await);
        let mut body = unified("Contoso Sales");
        body["owners@odata.bind"] =
            json!([format!("https://graph.microsoft.com/v1.0/users/{bob}")]);
        body["members@odata.bind"] = json!([object_url(&ann), object_url(&bob)]);
        let created = f.create_group(&admin, body).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let mail = format!("contoso-sales@{}", f.domain);
        assert_eq!(created["mail"], mail.as_str());
        assert_eq!(created["proxyAddresses"], json!([format!("SMTP:{mail}")]));
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{id}/members")).await),
            sorted(&[&ann, &bob])
        );
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{id}/owners")).await),
            vec![bob.clone()]
        );

        // Microsoft 365 groups need a unique address; security groups may share a nickname.
        let r = f
            .call(
                &admin,
                Method::POST,
                "/groups",
                Some(unified("Contoso Sales")),
            )
            .await;
        assert_bad_request(
            &r,
            "Another object with the same value for property proxyAddresses already exists.",
        );
        f.create_group(&admin, security("Contoso Sales")).await;
        f.create_group(&admin, security("Contoso Sales")).await;

        let r = f
            .call(&admin, Method::DELETE, &format!("/groups/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.read_path(&admin, &format!("/groups/{id}")).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let ann_groups = f.read_path(&admin, &format!("/users/{ann}/memberOf")).await;
        assert_eq!(ids(&ann_groups), Vec::<String>::new());
        // Its address stays reserved while it can be restored.
        let r = f
            .call(
                &admin,
                Method::POST,
                "/groups",
                Some(unified("Contoso Sales")),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        // The recycle bin lists it; a restore brings back properties, members and owners.
        let bin = f
            .read_path(&admin, "/directory/deletedItems/microsoft.graph.group")
            .await;
        assert_eq!(ids(&bin), vec![id.clone()]);
        assert_eq!(
            bin.body["value"][0]["@odata.type"],
            "#microsoft.graph.group"
        );
        assert_eq!(
            bin.body["value"][0]["deletedDateTime"],
            "2026-11-23T12:00:00Z"
        );
        let one = f
            .read_path(&admin, &format!("/directory/deletedItems/{id}"))
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert_eq!(one.body["displayName"], "Contoso Sales");
        // Members may not restore a group they do not own.
        let ann_token = f.user_token("ann", "Group.ReadWrite.All").await;
        let restore = format!("/directory/deletedItems/{id}/restore");
        assert_forbidden(&f.call(&ann_token, Method::POST, &restore, None).await);
        let r = f.call(&admin, Method::POST, &restore, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["@odata.type"], "#microsoft.graph.group");
        assert_eq!(r.body["deletedDateTime"], Value::Null);
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{id}/members")).await),
            sorted(&[&ann, &bob])
        );
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{id}/owners")).await),
            vec![bob.clone()]
        );
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/users/{ann}/memberOf")).await),
            vec![id.clone()]
        );

        // Its owner deletes it again and purges it for good.
        let bob_token = f.user_token("bob", "Group.ReadWrite.All").await;
        let r = f
            .call(&bob_token, Method::DELETE, &format!("/groups/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(
                &bob_token,
                Method::DELETE,
                &format!("/directory/deletedItems/{id}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .read_path(&admin, &format!("/directory/deletedItems/{id}"))
            .await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        assert!(tx.group_members(oid(&id)).await.unwrap().is_empty());
        drop(tx);
        let activities = f.group_audit_activities().await;
        for a in [
            "Add group",
            "Add owner to group",
            "Add member to group",
            "Delete group",
            "Restore group",
            "Hard delete group",
        ] {
            assert!(activities.iter().any(|x| x == a), "{a}: {activities:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn listing_pages_by_top_and_skiptoken_and_filters_by_eq() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let mut all = Vec::new();
        for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
            all.push(f.new_group_id(&admin, security(name)).await);
        }
        all.push(f.new_group_id(&admin, unified("Foxtrot")).await);
        all.sort();
        let mut seen = Vec::new();
        let mut path = "/groups?$top=2".to_owned();
        let mut pages = 0;
        loop {
            let r = f.read_path(&admin, &path).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(r.body["value"].as_array().unwrap().len() <= 2);
            seen.extend(ids(&r));
            pages += 1;
            match r.body["@odata.nextLink"].as_str() {
                Some(next) => {
                    let prefix = "https://localhost:8443/v1.0";
                    assert!(next.starts_with(prefix), "{next}");
                    path = next[prefix.len()..].to_owned();
                }
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, all);

        let r = f.read_path(&admin, "/groups?$filter=displayName%20eq%20'charlie'").await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1, "{}", r.body);
        assert_eq!(r.body["value"][0]["displayName"], "Charlie");
        let r = f.read_path(&admin, "/groups?$filter=securityEnabled%20eq%20false").await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 1, "{}", r.body);
        assert_eq!(r.body["value"][0]["displayName"], "Foxtrot");
        let r = f
            .read_path(&admin, "/groups?$filter=mailEnabled%20eq%20false%20and%20mailNickname%20eq%20'echo'&$top=1")
            .await;
        assert_eq!(r.body["value"][0]["displayName"], "Echo", "{}", r.body);
        // A filtered page carries its filter into the next link.
        let r = f.read_path(&admin, "/groups?$filter=mailEnabled%20eq%20false&$top=3").await;
        let next = r.body["@odata.nextLink"].as_str().unwrap();
        assert!(next.contains("$filter=mailEnabled%20eq%20false"), "{next}");

        for bad in ["/groups?$top=0", "/groups?$top=1000", "/groups?$orderby=displayName",
                    "/groups?$filter=description%20eq%20'x'", "/groups?$skiptoken=nonsense"] {
            let r = f.read_path(&admin, bad).await;
            assert_graph_error(&r, StatusCode::BAD_REQUEST, "Request_UnsupportedQuery");
        }
    })
    .await;
}

#[tokio::test]
async fn creation_is_validated_as_graph_does() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let ann = f.user_oid("ann").await;
        let post = |body: Value| {
            let admin = admin.clone();
            let f = &f;
            async move { f.call(&admin, Method::POST, "/groups", Some(body)).await }
        };
        let mut no_nickname = security("X");
        no_nickname.as_object_mut().unwrap().remove("mailNickname");
        let r = post(no_nickname).await;
        assert_bad_request(
            &r,
            "The mailNickname property is required when creating a group.",
        );
        let mut mail_security = security("X");
        mail_security["mailEnabled"] = json!(true);
        let r = post(mail_security).await;
        assert_graph_error(&r, StatusCode::BAD_REQUEST, "Request_BadRequest");
        let mut bad_nick = security("X");
        bad_nick["mailNickname"] = json!("a b");
        assert_eq!(post(bad_nick).await.status, StatusCode::BAD_REQUEST);
        let mut hidden_security = security("X");
        hidden_security["visibility"] = json!("HiddenMembership");
        assert_eq!(post(hidden_security).await.status, StatusCode::BAD_REQUEST);
        let mut read_only = security("X");
        read_only["id"] = json!(ann);
        assert_eq!(post(read_only).await.status, StatusCode::BAD_REQUEST);

        // More than 20 references in one request.
        let mut many = security("Many");
        many["members@odata.bind"] = json!(vec![object_url(&ann); 21]);
        let r = post(many).await;
        assert_bad_request(
            &r,
            "A maximum of 20 members and owners can be added in one request.",
        );
        // A bind to an object that does not exist.
        let mut missing = security("Missing");
        missing["members@odata.bind"] = json!([object_url("5c6d2b0e-0000-4000-8000-000000000001")]);
        let r = post(missing).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        // Nothing of a failed create remains.
        assert_eq!(
            ids(&f.read_path(&admin, "/groups").await),
            Vec::<String>::new()
        );

        // Dynamic groups take a rule, and no assigned members.
        let mut dynamic = security("Sales people");
        dynamic["groupTypes"] = json!(["DynamicMembership"]);
        dynamic["membershipRule"] = json!("user.department -eq \"Sales\"");
        dynamic["membershipRuleProcessingState"] = json!("On");
        let mut with_members = dynamic.clone();
        with_members["members@odata.bind"] = json!([object_url(&ann)]);
        let r = post(with_members).await;
        assert_bad_request(
            &r,
            "Members cannot be added to or removed from a group with dynamic membership.",
        );
        let created = f.create_group(&admin, dynamic).await;
        assert_eq!(created["membershipRule"], "user.department -eq \"Sales\"");
        assert_eq!(created["membershipRuleProcessingState"], "On");
        let r = f
            .group_ref(&admin, created["id"].as_str().unwrap(), "members", &ann)
            .await;
        assert_bad_request(
            &r,
            "Members cannot be added to or removed from a group with dynamic membership.",
        );
    })
    .await;
}

#[tokio::test]
async fn members_create_groups_as_owners_and_manage_only_their_own() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let ann = f.user_token("ann", "Group.ReadWrite.All").await;
        let bob = f.user_token("bob", "Group.ReadWrite.All").await;
        let gus = f.user_token("gus", "Group.ReadWrite.All").await;
        let ann_id = f.user_oid("ann").await;

        let id = f.new_group_id(&ann, security("Ann's team")).await;
        let owners = f.read_path(&ann, &format!("/groups/{id}/owners")).await;
        assert_eq!(ids(&owners), vec![ann_id.clone()]);
        // Without a user-reading permission, owners come back with id and type only.
        assert_eq!(
            owners.body["value"][0]["@odata.type"],
            "#microsoft.graph.user"
        );
        assert_eq!(owners.body["value"][0].get("userPrincipalName"), None);
        let path = format!("/groups/{id}");
        let patch = json!({"description": "Ann's"});
        let r = f
            .call(&ann, Method::PATCH, &path, Some(patch.clone()))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        // Owners do not change visibility (not an owner action).
        let r = f
            .call(
                &ann,
                Method::PATCH,
                &path,
                Some(json!({"visibility": "Private"})),
            )
            .await;
        assert_forbidden(&r);
        // Others read, but do not change or delete.
        assert_eq!(f.read_path(&bob, &path).await.status, StatusCode::OK);
        assert_eq!(f.read_path(&bob, "/groups").await.status, StatusCode::OK);
        assert_forbidden(&f.call(&bob, Method::PATCH, &path, Some(patch)).await);
        assert_forbidden(&f.call(&bob, Method::DELETE, &path, None).await);
        // Guests neither create nor enumerate, but read a group they address.
        assert_forbidden(
            &f.call(&gus, Method::POST, "/groups", Some(security("Guests")))
                .await,
        );
        assert_forbidden(&f.read_path(&gus, "/groups").await);
        assert_eq!(f.read_path(&gus, &path).await.status, StatusCode::OK);
        // A read-only permission does not create, even for an administrator.
        let reader = f.user_token("admin", "Group.Read.All").await;
        assert_forbidden(
            &f.call(&reader, Method::POST, "/groups", Some(security("R")))
                .await,
        );
        // Only Global/Privileged Role Administrators create role-assignable groups.
        let mut role = security("Helpdesk admins");
        role["isAssignableToRole"] = json!(true);
        assert_forbidden(
            &f.call(&ann, Method::POST, "/groups", Some(role.clone()))
                .await,
        );
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let created = f.create_group(&admin, role).await;
        assert_eq!(created["isAssignableToRole"], true);

        // allowedToCreateSecurityGroups off: members create Microsoft 365 groups only.
        let mut tx = f.app.state.store.write(f.tenant).await.unwrap();
        let mut policy = tx.authorization_policy().await.unwrap();
        policy.allowed_to_create_security_groups = false;
        let ga = Principal::new(
            vec![GLOBAL_ADMINISTRATOR],
            UserKind::Member,
            vec!["Policy.ReadWrite.Authorization".into()],
        );
        let proof = authz::decide(
            &ga,
            authz::AUTHORIZATION_POLICY_UPDATE,
            authz::Ownership::NotOwner,
        )
        .unwrap();
        tx.put_authorization_policy(&proof, &policy).await.unwrap();
        tx.commit().await.unwrap();
        assert_forbidden(
            &f.call(&bob, Method::POST, "/groups", Some(security("Bob's")))
                .await,
        );
        f.create_group(&bob, unified("Bob's M365")).await;

        let r = f.call(&ann, Method::DELETE, &path, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn responses_use_only_property_names_of_the_graph_schema() {
    let Some(openapi) = OpenApi::load("Groups.yml") else {
        eprintln!("note: ../shared/graph-openapi/Groups.yml not found; shape check skipped");
        return;
    };
    let f = fixture(gatehouse_store::testing::TestDatabase::sqlite()).await;
    let admin = f
        .user_token(
            "admin",
            "Group.ReadWrite.All User.Read.All Application.Read.All",
        )
        .await;
    let ann = f.user_oid("ann").await;
    let mut body = unified("Shapes");
    body["members@odata.bind"] = json!([object_url(&ann)]);
    let group = f.create_group(&admin, body).await;
    let id = group["id"].as_str().unwrap();
    let outer = f.new_group_id(&admin, security("Outer")).await;
    f.group_add_member(&admin, &outer, id).await;
    let mut seen = BTreeSet::new();
    openapi.check("microsoft.graph.group", &group, "group", &mut seen);
    let list = f.read_path(&admin, "/groups").await;
    openapi.check(
        "microsoft.graph.group",
        &list.body["value"],
        "group",
        &mut seen,
    );
    let members = f
        .read_path(&admin, &format!("/groups/{outer}/transitiveMembers"))
        .await;
    for m in members.body["value"].as_array().unwrap() {
        let schema = match m["@odata.type"].as_str().unwrap() {
            "#microsoft.graph.user" => "microsoft.graph.user",
            "#microsoft.graph.group" => "microsoft.graph.group",
            other => panic!("{other}"),
        };
        openapi.check(schema, m, "member", &mut seen);
    }
    for p in [
        "group.securityIdentifier",
        "group.proxyAddresses",
        "member.userPrincipalName",
        "member.mailNickname",
    ] {
        assert!(seen.contains(p), "{p} not checked: {seen:?}");
    }
}

#[tokio::test]
async fn the_periodic_job_purges_microsoft_365_groups_after_30_days() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let gone = f.new_group_id(&admin, unified("Gone")).await;
        let r = f
            .call(&admin, Method::DELETE, &format!("/groups/{gone}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        f.app.clock.advance(time::Duration::days(29));
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let kept = f.new_group_id(&admin, unified("Kept")).await;
        let r = f
            .call(&admin, Method::DELETE, &format!("/groups/{kept}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let purge = gatehouse_server::graph::groups::purge_expired;
        assert_eq!(purge(&f.app.state).await.unwrap(), 0);
        f.app.clock.advance(time::Duration::days(2));
        assert_eq!(purge(&f.app.state).await.unwrap(), 1);
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        assert!(tx.deleted_group(oid(&gone)).await.is_err());
        assert!(tx.deleted_group(oid(&kept)).await.is_ok());
        drop(tx);
        assert!(
            f.group_audit_activities()
                .await
                .iter()
                .any(|a| a == "Hard delete group")
        );
    })
    .await;
}
