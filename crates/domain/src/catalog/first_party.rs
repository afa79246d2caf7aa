//! First-party applications: present as service principals in every tenant so that Microsoft's tools
//! and Gatehouse's own portals work with default settings.

use uuid::{Uuid, uuid};

/// The tenant that owns Microsoft's first-party applications (`appOwnerOrganizationId`).
pub const MICROSOFT_SERVICES_TENANT: Uuid = uuid!("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
/// The owner recorded for Gatehouse's own applications.
pub const GATEHOUSE_OWNER_TENANT: Uuid = uuid!("92938db5-bfea-4500-9d25-d2f105231f33");

/// Microsoft Graph: the resource every directory call is addressed to.
pub const MICROSOFT_GRAPH: Uuid = uuid!("00000003-0000-0000-c000-000000000000");
/// Microsoft Graph Command Line Tools (Graph PowerShell, the Graph CLI).
pub const GRAPH_COMMAND_LINE_TOOLS: Uuid = uuid!("14d82eec-204b-4c2f-b7e8-296a70dab67e");
/// Microsoft Azure CLI (`az login`).
pub const AZURE_CLI: Uuid = uuid!("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
/// The Gatehouse admin center.
pub const ADMIN_CENTER: Uuid = uuid!("268156ad-cf10-408b-955e-395f08e59309");
/// Gatehouse My Account, the self-service portal.
pub const MY_ACCOUNT: Uuid = uuid!("0e3318d5-69ec-4d69-91f2-9ff8a6483a4c");

/// How a first-party application signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstPartyKind {
    /// A resource (API) that clients request tokens for.
    Resource,
    /// A public client (no secret) that users sign in with; pre-consented for Graph's delegated
    /// permissions so the user gets exactly the rights of their own roles.
    PublicClient,
}

/// A first-party application as every tenant sees it.
#[derive(Debug)]
pub struct FirstPartyApp {
    pub app_id: Uuid,
    pub display_name: &'static str,
    pub owner_tenant: Uuid,
    pub kind: FirstPartyKind,
    /// For Gatehouse's portals, the redirect path under the public URL; Microsoft's clients bring
    /// their own (loopback and native) redirect URIs.
    pub redirect_path: Option<&'static str>,
}

pub static FIRST_PARTY_APPS: &[FirstPartyApp] = &[
    FirstPartyApp {
        app_id: MICROSOFT_GRAPH,
        display_name: "Microsoft Graph",
        owner_tenant: MICROSOFT_SERVICES_TENANT,
        kind: FirstPartyKind::Resource,
        redirect_path: None,
    },
    FirstPartyApp {
        app_id: GRAPH_COMMAND_LINE_TOOLS,
        display_name: "Microsoft Graph Command Line Tools",
        owner_tenant: MICROSOFT_SERVICES_TENANT,
        kind: FirstPartyKind::PublicClient,
        redirect_path: None,
    },
    FirstPartyApp {
        app_id: AZURE_CLI,
        display_name: "Microsoft Azure CLI",
        owner_tenant: MICROSOFT_SERVICES_TENANT,
        kind: FirstPartyKind::PublicClient,
        redirect_path: None,
    },
    FirstPartyApp {
        app_id: ADMIN_CENTER,
        display_name: "Gatehouse admin center",
        owner_tenant: GATEHOUSE_OWNER_TENANT,
        kind: FirstPartyKind::PublicClient,
        redirect_path: Some("/admin/signin-oidc"),
    },
    FirstPartyApp {
        app_id: MY_ACCOUNT,
        display_name: "Gatehouse My Account",
        owner_tenant: GATEHOUSE_OWNER_TENANT,
        kind: FirstPartyKind::PublicClient,
        redirect_path: Some("/myaccount/signin-oidc"),
    },
];

pub fn first_party_app(app_id: &Uuid) -> Option<&'static FirstPartyApp> {
    FIRST_PARTY_APPS.iter().find(|a| a.app_id == *app_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_are_unique_and_graph_is_the_only_resource() {
        let mut ids: Vec<_> = FIRST_PARTY_APPS.iter().map(|a| a.app_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), FIRST_PARTY_APPS.len());
        let resources: Vec<_> = FIRST_PARTY_APPS
            .iter()
            .filter(|a| a.kind == FirstPartyKind::Resource)
            .collect();
        assert_eq!(resources.len(), 1);
        assert_eq!(resources[0].app_id, MICROSOFT_GRAPH);
        assert_eq!(
            first_party_app(&AZURE_CLI).unwrap().display_name,
            "Microsoft Azure CLI"
        );
    }
}
