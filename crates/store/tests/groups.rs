//! Group storage on both engines: transitive membership through ten levels of nesting (each group
//! once, deleted groups left out), cycles refused, the recycle bin (soft delete, restore, purge of
//! expired groups), filtered keyset pages, tenant isolation, and proofs.

use gatehouse_domain::Error;
use gatehouse_domain::authz::{self, GroupTarget, Principal, Proof, UserKind};
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::group::{DirectoryRef, Group, ObjectKind, RESTORE_WINDOW};
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::provisioning::TenantPlan;
use gatehouse_domain::random::OsRandom;
use gatehouse_store::testing::{self, TestDatabase};
use gatehouse_store::{GroupQuery, SqlFilter, SqlParam, Store};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

async fn tenant(store: &Store, label: &str) -> TenantPlan {
    let plan = testing::tenant_plan(label, &format!("{label}.gatehouse.test"), NOW);
    testing::create_tenant(store, &plan).await.unwrap();
    plan
}

fn proof(action: &'static str) -> Proof {
    let ga = Principal::new(
        vec![GLOBAL_ADMINISTRATOR],
        UserKind::Member,
        vec!["Group.ReadWrite.All".into()],
    );
    authz::decide_group(&ga, action, GroupTarget::collection()).unwrap()
}

fn group(name: &str, unified: bool) -> Group {
    Group {
        id: ObjectId::generate(&OsRandom),
        display_name: name.into(),
        description: None,
        mail_nickname: name.to_lowercase(),
        mail_enabled: unified,
        security_enabled: !unified,
        group_types: if unified {
            vec!["Unified".into()]
        } else {
            Vec::new()
        },
        visibility: None,
        is_assignable_to_role: false,
        classification: None,
        membership_rule: None,
        membership_rule_processing_state: None,
        created: NOW,
        deleted: None,
    }
}

fn as_group(g: &Group) -> DirectoryRef {
    DirectoryRef {
        id: g.id,
        kind: ObjectKind::Group,
    }
}

#[tokio::test]
async fn ten_levels_of_nesting_resolve_transitively_and_cycles_are_refused() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let (create, members) = (
            proof(authz::GROUPS_CREATE),
            proof(authz::GROUPS_MEMBERS_UPDATE),
        );
        let mut tx = store.write(a.tenant.id).await.unwrap();
        // levels[0] ⊃ levels[1] ⊃ ... ⊃ levels[9] ⊃ admin
        let levels: Vec<Group> = (0..10).map(|i| group(&format!("L{i}"), false)).collect();
        for g in &levels {
            tx.insert_group(&create, g).await.unwrap();
        }
        for pair in levels.windows(2) {
            tx.add_group_member(&members, pair[0].id, as_group(&pair[1]))
                .await
                .unwrap();
        }
        let user = DirectoryRef {
            id: a.admin.id,
            kind: ObjectKind::User,
        };
        tx.add_group_member(&members, levels[9].id, user)
            .await
            .unwrap();

        let mut all: Vec<ObjectId> = levels.iter().map(|g| g.id).collect();
        all.sort();
        assert_eq!(tx.transitive_member_of_ids(a.admin.id).await.unwrap(), all);
        let via_groups: Vec<ObjectId> = tx
            .transitive_member_of(a.admin.id)
            .await
            .unwrap()
            .iter()
            .map(|g| g.id)
            .collect();
        assert_eq!(via_groups, all);
        assert_eq!(tx.member_of(a.admin.id).await.unwrap()[0].id, levels[9].id);
        let down = tx.transitive_group_members(levels[0].id).await.unwrap();
        assert_eq!(down.len(), 10, "nine groups and the user, each once");
        assert!(down.contains(&user));

        // Any edge back up the chain would close a cycle.
        for (parent, child) in [(9, 0), (5, 2), (3, 3)] {
            let e = tx
                .add_group_member(&members, levels[parent].id, as_group(&levels[child]))
                .await
                .unwrap_err();
            assert_eq!(
                e.to_string(),
                "Adding this group would create a circular membership."
            );
        }
        let e = tx
            .add_group_member(&members, levels[9].id, user)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
        tx.commit().await.unwrap();

        // Another tenant sees none of it.
        let b = tenant(&store, "fabrikam").await;
        let mut tx = store.read(b.tenant.id).await.unwrap();
        assert!(tx.group(levels[0].id).await.is_err());
        assert!(
            tx.transitive_member_of_ids(a.admin.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(tx.group_members(levels[0].id).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_recycle_bin_keeps_members_until_restored_or_purged() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let (create, members, delete, restore) = (
            proof(authz::GROUPS_CREATE),
            proof(authz::GROUPS_MEMBERS_UPDATE),
            proof(authz::GROUPS_DELETE),
            proof(authz::GROUPS_RESTORE),
        );
        let user = DirectoryRef {
            id: a.admin.id,
            kind: ObjectKind::User,
        };
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let (team, old) = (group("Team", true), group("Old", true));
        for g in [&team, &old] {
            tx.insert_group(&create, g).await.unwrap();
            tx.add_group_member(&members, g.id, user).await.unwrap();
        }
        tx.soft_delete_group(&delete, team.id, NOW).await.unwrap();
        tx.soft_delete_group(&delete, old.id, NOW - RESTORE_WINDOW)
            .await
            .unwrap();
        assert!(tx.group(team.id).await.is_err());
        assert!(tx.member_of(a.admin.id).await.unwrap().is_empty());
        assert!(
            tx.transitive_member_of_ids(a.admin.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(tx.deleted_groups().await.unwrap().len(), 2);
        // Its address stays reserved.
        let e = tx
            .insert_group(&create, &group("Team", true))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict { .. }), "{e:?}");

        // The job purges what is past the window; the rest can be restored whole.
        let purged = tx
            .purge_expired_groups(NOW - RESTORE_WINDOW + time::Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(purged.iter().map(|g| g.id).collect::<Vec<_>>(), [old.id]);
        assert!(tx.deleted_group(old.id).await.is_err());
        let restored = tx.restore_group(&restore, team.id).await.unwrap();
        assert_eq!(restored.deleted, None);
        assert_eq!(tx.member_of(a.admin.id).await.unwrap()[0].id, team.id);
        assert!(tx.restore_group(&restore, team.id).await.is_err());
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn pages_follow_ids_with_a_plugged_in_filter_and_writes_need_a_group_proof() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = tenant(&store, "contoso").await;
        let create = proof(authz::GROUPS_CREATE);
        let mut tx = store.write(a.tenant.id).await.unwrap();
        let mut ids = Vec::new();
        for i in 0..5 {
            let g = group(&format!("G{i}"), i == 4);
            ids.push(g.id);
            tx.insert_group(&create, &g).await.unwrap();
        }
        ids.sort();
        let page = |after, filter: SqlFilter| GroupQuery {
            filter,
            after,
            limit: 2,
        };
        let first = tx
            .groups_page(&page(None, SqlFilter::default()))
            .await
            .unwrap();
        assert_eq!(first.iter().map(|g| g.id).collect::<Vec<_>>(), ids[..2]);
        let next = tx
            .groups_page(&page(Some(ids[1]), SqlFilter::default()))
            .await
            .unwrap();
        assert_eq!(next.iter().map(|g| g.id).collect::<Vec<_>>(), ids[2..4]);
        let security = SqlFilter::eq("security_enabled", SqlParam::Bool(false)).and(SqlFilter::eq(
            "display_name_key",
            SqlParam::Text("g4".into()),
        ));
        let m365 = tx.groups_page(&page(None, security)).await.unwrap();
        assert_eq!(m365.len(), 1);
        assert_eq!(m365[0].display_name, "G4");

        let wrong = authz::decide(
            &Principal::new(
                vec![GLOBAL_ADMINISTRATOR],
                UserKind::Member,
                vec!["Application.ReadWrite.All".into()],
            ),
            authz::APPLICATIONS_CREATE_AS_OWNER,
            authz::Ownership::NoTarget,
        )
        .unwrap();
        let e = tx
            .insert_group(&wrong, &group("X", false))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Internal { .. }), "{e:?}");
    }
}
