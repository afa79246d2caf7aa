//! Domains and the organization profile on both engines: round trips, one verified owner per name,
//! the default switch, users on a domain, and proofs that must fit the write.

use gatehouse_domain::Error;
use gatehouse_domain::authz::{self, Ownership, Principal};
use gatehouse_domain::domain_name::{Domain, DomainName};
use gatehouse_domain::organization::{OrganizationProfile, PrivacyProfile};
use gatehouse_domain::random::SeededRandom;
use gatehouse_store::testing::{self, TestDatabase};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00:00 UTC);

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

fn app(permission: &str) -> Principal {
    Principal::application(vec![permission.to_owned()])
}

#[tokio::test]
async fn domains_round_trip_and_a_verified_name_has_one_tenant() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = testing::tenant_plan("Contoso", "contoso.gatehouse.test", NOW);
        let b = testing::tenant_plan("Fabrikam", "fabrikam.gatehouse.test", NOW);
        testing::create_tenant(&store, &a).await.unwrap();
        testing::create_tenant(&store, &b).await.unwrap();
        let proof = authz::decide(
            &app("Domain.ReadWrite.All"),
            authz::DOMAINS_UPDATE,
            Ownership::NotOwner,
        )
        .unwrap();
        let random = SeededRandom::new(3);

        let mut custom = Domain::custom(name("contoso.com"), false, &random);
        custom.supported_services = vec!["Email".into()];
        let mut tx = store.write(a.tenant.id).await.unwrap();
        tx.add_domain(&proof, &custom, NOW).await.unwrap();
        assert_eq!(
            tx.domain(&custom.name).await.unwrap(),
            custom,
            "{:?}",
            db.engine
        );
        let initial = tx.domain(&a.initial_domain.name).await.unwrap();
        assert_eq!(initial, a.initial_domain);
        assert_eq!(
            initial.supported_services,
            ["Email", "OfficeCommunicationsOnline"]
        );
        custom.is_verified = true;
        custom.is_root = true;
        tx.update_domain(&proof, &custom).await.unwrap();
        tx.set_default_domain(&proof, &custom.name).await.unwrap();
        let defaults: Vec<String> = tx
            .domains()
            .await
            .unwrap()
            .into_iter()
            .filter(|d| d.is_default)
            .map(|d| d.name.to_string())
            .collect();
        assert_eq!(defaults, ["contoso.com"]);
        tx.commit().await.unwrap();

        // Fabrikam may add the name unverified, sees it is taken, and cannot verify it.
        let mut tx = store.write(b.tenant.id).await.unwrap();
        let mut theirs = Domain::custom(name("contoso.com"), false, &random);
        tx.add_domain(&proof, &theirs, NOW).await.unwrap();
        assert!(tx.verified_elsewhere(&[name("contoso.com")]).await.unwrap());
        assert!(!tx.verified_elsewhere(&[name("other.com")]).await.unwrap());
        theirs.is_verified = true;
        let err = tx.update_domain(&proof, &theirs).await.unwrap_err();
        assert_eq!(
            err,
            Error::conflict("The domain is already in use by another tenant.")
        );
        tx.commit().await.unwrap();

        // Contoso does not count its own names as held elsewhere.
        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert!(!tx.verified_elsewhere(&[name("contoso.com")]).await.unwrap());
        let upns: Vec<String> = tx
            .users_on_domain(&a.initial_domain.name)
            .await
            .unwrap()
            .iter()
            .map(|u| u.user_principal_name.to_string())
            .collect();
        assert_eq!(upns, ["admin@contoso.gatehouse.test"]);
        assert!(
            tx.users_on_domain(&name("gatehouse.test"))
                .await
                .unwrap()
                .is_empty()
        );
        tx.delete_domain(&proof, &custom.name).await.unwrap();
        assert!(matches!(
            tx.delete_domain(&proof, &custom.name).await,
            Err(Error::NotFound { .. })
        ));
        // A proof for another entity cannot write domains.
        let other = authz::decide(
            &app("Organization.ReadWrite.All"),
            authz::ORGANIZATION_UPDATE,
            Ownership::NotOwner,
        )
        .unwrap();
        assert!(matches!(
            tx.delete_domain(&other, &a.initial_domain.name).await,
            Err(Error::Internal { .. })
        ));
    }
}

#[tokio::test]
async fn the_organization_profile_round_trips() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let a = testing::tenant_plan("Contoso", "contoso.gatehouse.test", NOW);
        testing::create_tenant(&store, &a).await.unwrap();
        let proof = authz::decide(
            &app("Organization.ReadWrite.All"),
            authz::ORGANIZATION_UPDATE,
            Ownership::NotOwner,
        )
        .unwrap();
        let mut tx = store.write(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.organization_profile().await.unwrap(),
            OrganizationProfile::default()
        );
        let profile = OrganizationProfile {
            business_phones: vec!["+1 425 555 0100".into()],
            city: Some("Redmond".into()),
            marketing_notification_emails: vec!["m@contoso.com".into()],
            privacy_profile: Some(PrivacyProfile {
                contact_email: None,
                statement_url: Some("https://contoso.com/privacy".into()),
            }),
            ..OrganizationProfile::default()
        };
        let mails = vec!["it@contoso.com".to_owned()];
        tx.update_organization(&proof, "Contoso Ltd", &mails, &profile)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.read(a.tenant.id).await.unwrap();
        assert_eq!(
            tx.organization_profile().await.unwrap(),
            profile,
            "{:?}",
            db.engine
        );
        let tenant = tx.tenant().await.unwrap();
        assert_eq!(tenant.display_name, "Contoso Ltd");
        assert_eq!(tenant.technical_notification_mails, mails);
    }
}
