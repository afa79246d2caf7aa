//! Group members and owners through the router on both engines: `$ref` add and remove with
//! Graph's errors, nesting through three levels with `transitiveMembers` / `transitiveMemberOf`,
//! cycles refused, Microsoft 365 member rules, owners managing members, hidden membership, the
//! membership functions, `getByIds`, and the audit records.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::each_engine;
use support::graph::fixture;
use support::groups::*;

#[tokio::test]
async fn members_are_added_listed_and_removed_by_ref_with_graphs_errors() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let (ann, bob) = (f.user_oid("ann").await, f.user_oid("bob").await);
        let g = f.new_group_id(&admin, security("Engineering")).await;
        f.group_add_member(&admin, &g, &ann).await;
        let r = f.group_ref(&admin, &g, "members", &ann).await;
        assert_bad_request(
            &r,
            "One or more added object references already exist for the following modified properties: 'members'.",
        );
        let r = f.group_ref(&admin, &g, "members", "5c6d2b0e-0000-4000-8000-000000000001").await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        // PATCH with members@odata.bind adds several at once.
        let r = f
            .call(&admin, Method::PATCH, &format!("/groups/{g}"),
                  Some(json!({"members@odata.bind": [object_url(&bob)]})))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let members = f.read_path(&admin, &format!("/groups/{g}/members")).await;
        assert_eq!(ids(&members), sorted(&[&ann, &bob]));
        assert_eq!(
            members.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#directoryObjects"
        );
        let first = &members.body["value"][0];
        assert_eq!(first["@odata.type"], "#microsoft.graph.user");
        assert!(first["userPrincipalName"].as_str().unwrap().ends_with(&f.domain));

        let path = format!("/groups/{g}/members/{ann}/$ref");
        let r = f.call(&admin, Method::DELETE, &path, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&admin, Method::DELETE, &path, None).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        assert_eq!(ids(&f.read_path(&admin, &format!("/groups/{g}/members")).await), vec![bob.clone()]);

        let activities = f.group_audit_activities().await;
        assert_eq!(activities.iter().filter(|a| *a == "Add member to group").count(), 2);
        assert_eq!(activities.iter().filter(|a| *a == "Remove member from group").count(), 1);
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        let records = tx.audit_records(50).await.unwrap();
        let removed = records.iter().find(|r| r.activity_display_name == "Remove member from group").unwrap();
        assert_eq!(removed.target_resources[0].id, g);
        assert_eq!(removed.target_resources[1].id, ann);
        assert_eq!(removed.target_resources[1].resource_type, "User");
    })
    .await;
}

#[tokio::test]
async fn nested_groups_give_transitive_members_and_memberships_and_refuse_cycles() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let (ann, bob) = (f.user_oid("ann").await, f.user_oid("bob").await);
        // top ⊃ middle ⊃ bottom ⊃ ann; top ⊃ bob; bottom also directly in top (a diamond).
        let top = f.new_group_id(&admin, security("Top")).await;
        let middle = f.new_group_id(&admin, security("Middle")).await;
        let bottom = f.new_group_id(&admin, security("Bottom")).await;
        f.group_add_member(&admin, &top, &middle).await;
        f.group_add_member(&admin, &middle, &bottom).await;
        f.group_add_member(&admin, &bottom, &ann).await;
        f.group_add_member(&admin, &top, &bob).await;
        f.group_add_member(&admin, &top, &bottom).await;

        let t = f
            .read_path(&admin, &format!("/groups/{top}/transitiveMembers"))
            .await;
        assert_eq!(ids(&t), sorted(&[&middle, &bottom, &ann, &bob]));
        let users = f
            .read_path(
                &admin,
                &format!("/groups/{top}/transitiveMembers/microsoft.graph.user"),
            )
            .await;
        assert_eq!(ids(&users), sorted(&[&ann, &bob]));
        assert_eq!(
            users.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#users"
        );
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{top}/members")).await),
            sorted(&[&middle, &bottom, &bob])
        );

        assert_eq!(
            ids(&f.read_path(&admin, &format!("/users/{ann}/memberOf")).await),
            vec![bottom.clone()]
        );
        let upn = format!("ann@{}", f.domain);
        let tr = f
            .read_path(&admin, &format!("/users/{upn}/transitiveMemberOf"))
            .await;
        assert_eq!(ids(&tr), sorted(&[&top, &middle, &bottom]));
        assert_eq!(
            ids(&f
                .read_path(&admin, &format!("/groups/{bottom}/memberOf"))
                .await),
            sorted(&[&top, &middle])
        );
        assert_eq!(
            ids(&f
                .read_path(&admin, &format!("/groups/{bottom}/transitiveMemberOf"))
                .await),
            sorted(&[&top, &middle])
        );
        // The signed-in user's own memberships need only User.Read; groups then show id and type.
        let ann_token = f.user_token("ann", "User.Read").await;
        let me = f.read_path(&ann_token, "/me/transitiveMemberOf").await;
        assert_eq!(ids(&me), sorted(&[&top, &middle, &bottom]));
        assert_eq!(me.body["value"][0]["@odata.type"], "#microsoft.graph.group");
        assert_eq!(me.body["value"][0].get("displayName"), None);
        assert_eq!(
            ids(&f.read_path(&ann_token, "/me/memberOf").await),
            vec![bottom.clone()]
        );
        // ...but not somebody else's.
        assert_forbidden(
            &f.read_path(&ann_token, &format!("/users/{bob}/memberOf"))
                .await,
        );

        // Cycles and self-membership are refused.
        for (parent, child) in [(&bottom, &top), (&middle, &top), (&top, &top)] {
            let r = f.group_ref(&admin, parent, "members", child).await;
            assert_bad_request(&r, "Adding this group would create a circular membership.");
        }
    })
    .await;
}

#[tokio::test]
async fn membership_functions_answer_transitively() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let ann = f.user_oid("ann").await;
        let outer = f.new_group_id(&admin, security("Outer")).await;
        let inner = f.new_group_id(&admin, security("Inner")).await;
        let m365 = f.new_group_id(&admin, unified("Team")).await;
        let other = f.new_group_id(&admin, security("Other")).await;
        f.group_add_member(&admin, &outer, &inner).await;
        f.group_add_member(&admin, &inner, &ann).await;
        f.group_add_member(&admin, &m365, &ann).await;

        let post = |path: String, body: serde_json::Value| {
            let admin = admin.clone();
            let f = &f;
            async move { f.call(&admin, Method::POST, &path, Some(body)).await }
        };
        let r = post(format!("/users/{ann}/checkMemberGroups"), json!({"groupIds": [outer, other, m365]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.body["@odata.context"],
            "https://localhost:8443/v1.0/$metadata#Collection(Edm.String)"
        );
        let mut got: Vec<String> = serde_json::from_value(r.body["value"].clone()).unwrap();
        got.sort();
        assert_eq!(got, sorted(&[&outer, &m365]));
        let r = post(format!("/users/{ann}/getMemberGroups"), json!({"securityEnabledOnly": true})).await;
        let mut got: Vec<String> = serde_json::from_value(r.body["value"].clone()).unwrap();
        got.sort();
        assert_eq!(got, sorted(&[&outer, &inner]));
        let r = post(format!("/users/{ann}/getMemberObjects"), json!({"securityEnabledOnly": false})).await;
        assert_eq!(r.body["value"].as_array().unwrap().len(), 3, "{}", r.body);
        let r = post(format!("/users/{ann}/checkMemberObjects"), json!({"ids": [inner]})).await;
        assert_eq!(r.body["value"], json!([inner]));
        let r = post(format!("/groups/{inner}/getMemberGroups"), json!({"securityEnabledOnly": false})).await;
        assert_eq!(r.body["value"], json!([outer]));
        let r = post(format!("/groups/{inner}/checkMemberGroups"), json!({"groupIds": [other]})).await;
        assert_eq!(r.body["value"], json!([]));
        let too_many: Vec<String> = (0..21).map(|_| outer.clone()).collect();
        let r = post(format!("/users/{ann}/checkMemberGroups"), json!({"groupIds": too_many})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

        let ann_token = f.user_token("ann", "User.Read").await;
        let r = f.call(&ann_token, Method::POST, "/me/getMemberGroups", Some(json!({"securityEnabledOnly": false}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["value"].as_array().unwrap().len(), 3);

        // getByIds: by type, in the order asked, unknown ids left out.
        let r = post(
            "/directoryObjects/getByIds".into(),
            json!({"ids": [outer, ann, "5c6d2b0e-0000-4000-8000-000000000001", m365], "types": ["group"]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let got: Vec<&str> = r.body["value"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(got, [outer.as_str(), m365.as_str()]);
        assert_eq!(r.body["value"][0]["@odata.type"], "#microsoft.graph.group");
        assert_eq!(r.body["value"][0]["displayName"], "Outer");
        let r = post("/directoryObjects/getByIds".into(), json!({"ids": [ann, outer]})).await;
        assert_eq!(r.body["value"][0]["@odata.type"], "#microsoft.graph.user");
        assert_eq!(r.body["value"][0]["userPrincipalName"], format!("ann@{}", f.domain));
        let none = f.user_token("ann", "User.Read").await;
        let r = f.call(&none, Method::POST, "/directoryObjects/getByIds", Some(json!({"ids": [ann]}))).await;
        assert_forbidden(&r);
    })
    .await;
}

#[tokio::test]
async fn microsoft_365_groups_hold_users_only_and_keep_an_owner() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let ann_token = f.user_token("ann", "Group.ReadWrite.All").await;
        let bob_token = f.user_token("bob", "GroupMember.ReadWrite.All").await;
        let (ann, bob, gus) = (f.user_oid("ann").await, f.user_oid("bob").await, f.user_oid("gus").await);
        let team = f.new_group_id(&ann_token, unified("Ann's team")).await;
        let nested = f.new_group_id(&admin, security("Nested")).await;
        let r = f.group_ref(&admin, &team, "members", &nested).await;
        assert_bad_request(&r, "Only users can be members of a Microsoft 365 group.");
        // People outside the organization can be members.
        f.group_add_member(&ann_token, &team, &gus).await;
        // The owner manages members; others do not.
        f.group_add_member(&ann_token, &team, &bob).await;
        assert_forbidden(&f.group_ref(&bob_token, &team, "members", &ann).await);
        assert_forbidden(&f.call(&bob_token, Method::DELETE, &format!("/groups/{team}/members/{gus}/$ref"), None).await);
        let r = f.call(&ann_token, Method::DELETE, &format!("/groups/{team}/members/{gus}/$ref"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        // Groups cannot own groups; owners are users or service principals.
        let r = f.group_ref(&admin, &team, "owners", &nested).await;
        assert_bad_request(&r, "Only users and service principals can be owners of a group.");
        let r = f.group_ref(&ann_token, &team, "owners", &ann).await;
        assert_bad_request(
            &r,
            "One or more added object references already exist for the following modified properties: 'owners'.",
        );
        // The last owner of a Microsoft 365 group stays, unless an administrator removes it.
        let last = format!("/groups/{team}/owners/{ann}/$ref");
        let r = f.call(&ann_token, Method::DELETE, &last, None).await;
        assert_bad_request(&r, "The group must have at least one owner.");
        let r = f.group_ref(&ann_token, &team, "owners", &bob).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&ann_token, Method::DELETE, &last, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f.call(&admin, Method::DELETE, &format!("/groups/{team}/owners/{bob}/$ref"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(ids(&f.read_path(&admin, &format!("/groups/{team}/owners")).await), Vec::<String>::new());
        let activities = f.group_audit_activities().await;
        for a in ["Add owner to group", "Remove owner from group"] {
            assert!(activities.iter().any(|x| x == a), "{a}");
        }
    })
    .await;
}

#[tokio::test]
async fn hidden_membership_is_listed_only_to_owners_members_and_privileged_readers() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f.user_token("admin", GROUP_ADMIN_SCOPES).await;
        let ann = f.user_oid("ann").await;
        let mut body = unified("Hidden");
        body["visibility"] = json!("HiddenMembership");
        body["members@odata.bind"] = json!([object_url(&ann)]);
        let created = f.create_group(&admin, body).await;
        assert_eq!(created["visibility"], "HiddenMembership");
        let g = created["id"].as_str().unwrap();
        let members = format!("/groups/{g}/members");
        let ann_token = f.user_token("ann", "GroupMember.Read.All").await;
        let bob_token = f.user_token("bob", "GroupMember.Read.All").await;
        assert_eq!(ids(&f.read_path(&admin, &members).await), vec![ann.clone()]);
        assert_eq!(
            ids(&f.read_path(&ann_token, &members).await),
            vec![ann.clone()]
        );
        assert_forbidden(&f.read_path(&bob_token, &members).await);
        assert_forbidden(
            &f.read_path(&bob_token, &format!("/groups/{g}/transitiveMembers"))
                .await,
        );
        // The group itself stays visible.
        assert_eq!(
            f.read_path(&bob_token, &format!("/groups/{g}"))
                .await
                .status,
            StatusCode::OK
        );
        // HiddenMembership is set at creation only.
        let r = f
            .call(
                &admin,
                Method::PATCH,
                &format!("/groups/{g}"),
                Some(json!({"visibility": "Private"})),
            )
            .await;
        assert_bad_request(
            &r,
            "HiddenMembership can be set only when a Microsoft 365 group is created.",
        );
    })
    .await;
}

#[tokio::test]
async fn a_deleted_user_leaves_member_lists_until_restored() {
    each_engine(|db| async {
        let f = fixture(db).await;
        let admin = f
            .user_token("admin", "Group.ReadWrite.All User.ReadWrite.All")
            .await;
        let (ann, bob) = (f.user_oid("ann").await, f.user_oid("bob").await);
        let g = f.new_group_id(&admin, security("Staff")).await;
        f.group_add_member(&admin, &g, &ann).await;
        f.group_add_member(&admin, &g, &bob).await;
        let r = f.group_ref(&admin, &g, "owners", &ann).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let r = f
            .call(&admin, Method::DELETE, &format!("/users/{ann}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{g}/members")).await),
            vec![bob.clone()]
        );
        assert_eq!(
            ids(&f
                .read_path(&admin, &format!("/groups/{g}/transitiveMembers"))
                .await),
            vec![bob.clone()]
        );
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{g}/owners")).await),
            Vec::<String>::new()
        );
        let r = f.group_ref(&admin, &g, "members", &ann).await;
        assert_graph_error(&r, StatusCode::NOT_FOUND, "Request_ResourceNotFound");
        let r = f
            .call(
                &admin,
                Method::POST,
                &format!("/directory/deletedItems/{ann}/restore"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{g}/members")).await),
            sorted(&[&ann, &bob])
        );
        assert_eq!(
            ids(&f.read_path(&admin, &format!("/groups/{g}/owners")).await),
            vec![ann.clone()]
        );
        // Purged users leave their groups for good.
        let r = f
            .call(&admin, Method::DELETE, &format!("/users/{ann}"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = f
            .call(
                &admin,
                Method::DELETE,
                &format!("/directory/deletedItems/{ann}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        let mut tx = f.app.state.store.read(f.tenant).await.unwrap();
        assert_eq!(tx.group_members(oid(&g)).await.unwrap().len(), 1);
        assert!(tx.group_owners(oid(&g)).await.unwrap().is_empty());
    })
    .await;
}
