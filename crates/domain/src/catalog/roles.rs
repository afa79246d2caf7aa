//! The built-in Microsoft Entra directory roles (Graph `unifiedRoleDefinition` with `isBuiltIn = true`).
//!
//! Every role in spec 05 §7 is here, with Microsoft's template ids, display names and descriptions, so
//! that clients addressing a role by `roleTemplateId` work unchanged. A built-in role's `id` equals its
//! `templateId`.
//!
//! `allowed_resource_actions` follows Microsoft's "Microsoft Entra built-in roles" permissions reference,
//! keeping only the `microsoft.directory/*` actions on entity types Gatehouse implements: users, groups
//! (including role-assignable groups and group settings), contacts, devices and their BitLocker keys, the
//! device registration policy, applications, application templates and policies, service principals and
//! their creation policies, OAuth 2.0 permission grants, consent requests and policies, permission grant
//! policies, role definitions and assignments (`directoryRoles`, `scopedRoleMemberships`, PIM),
//! administrative units, domains, organization, authorization policy, policies, authentication methods
//! policies (`userCredentialPolicies`), Conditional Access policies, named locations, authentication
//! context on resource actions, audit, sign-in and provisioning logs, custom security attributes,
//! subscribed SKUs, cross-tenant access policy, ID Protection, entitlement management, access reviews,
//! lifecycle workflows, deleted items, branding, bulk jobs, tenant creation, custom authentication
//! extensions, identity providers and on-premises synchronization data. Actions for things Gatehouse does
//! not build (spec 19: Application Proxy, LAPS, Verified ID, Intune device management, IoT, Teams
//! external profiles, multitenant organizations, tenant restrictions, cross-cloud meetings, password hash
//! sync, Defender for Cloud Apps, managed identities, B2C user flows, partner contracts, service
//! activation) and every non-directory action (`microsoft.office365.*`, `microsoft.azure.*`, ...) are
//! left out, so a few roles whose rights lie wholly outside the directory have no actions at all.
//!
//! `allProperties` actions never imply custom security attributes: those rights come only from the
//! `customSecurityAttributeDefinitions`, `attributeSets`, `customSecurityAttributeAuditLogs` and
//! `*/customSecurityAttributes/*` actions of the Attribute roles (spec 05 §7; spec 11).
//!
//! `is_privileged` is Microsoft's "privileged" label, and the 16 roles that need MFA on every sign-in
//! under security defaults are always privileged (spec 05 §6), whatever Microsoft's label says.

use uuid::{Uuid, uuid};

/// A built-in directory role (Graph unifiedRoleDefinition with isBuiltIn = true; its id equals its templateId).
#[derive(Debug)]
pub struct BuiltInRole {
    pub template_id: Uuid,
    pub display_name: &'static str,
    pub description: &'static str,
    /// Entra's "privileged" label.
    pub is_privileged: bool,
    /// rolePermissions[0].allowedResourceActions, Entra action strings like "microsoft.directory/users/basic/update".
    pub allowed_resource_actions: &'static [&'static str],
}

/// Template id (and role definition id) of Application Administrator.
pub const APPLICATION_ADMINISTRATOR: Uuid = uuid!("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3");
/// Template id (and role definition id) of Application Developer.
pub const APPLICATION_DEVELOPER: Uuid = uuid!("cf1c38e5-3621-4004-a7cb-879624dced7c");
/// Template id (and role definition id) of Attribute Assignment Administrator.
pub const ATTRIBUTE_ASSIGNMENT_ADMINISTRATOR: Uuid = uuid!("58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d");
/// Template id (and role definition id) of Attribute Assignment Reader.
pub const ATTRIBUTE_ASSIGNMENT_READER: Uuid = uuid!("ffd52fa5-98dc-465c-991d-fc073eb59f8f");
/// Template id (and role definition id) of Attribute Definition Administrator.
pub const ATTRIBUTE_DEFINITION_ADMINISTRATOR: Uuid = uuid!("8424c6f0-a189-499e-bbd0-26c1753c96d4");
/// Template id (and role definition id) of Attribute Definition Reader.
pub const ATTRIBUTE_DEFINITION_READER: Uuid = uuid!("1d336d2c-4ae8-42ef-9711-b3604ce3fc2c");
/// Template id (and role definition id) of Attribute Log Administrator.
pub const ATTRIBUTE_LOG_ADMINISTRATOR: Uuid = uuid!("5b784334-f94b-471a-a387-e7219fc49ca2");
/// Template id (and role definition id) of Attribute Log Reader.
pub const ATTRIBUTE_LOG_READER: Uuid = uuid!("9c99539d-8186-4804-835f-fd51ef9e2dcd");
/// Template id (and role definition id) of Authentication Administrator.
pub const AUTHENTICATION_ADMINISTRATOR: Uuid = uuid!("c4e39bd9-1100-46d3-8c65-fb160da0071f");
/// Template id (and role definition id) of Authentication Policy Administrator.
pub const AUTHENTICATION_POLICY_ADMINISTRATOR: Uuid = uuid!("0526716b-113d-4c15-b2c8-68e3c22b9f80");
/// Template id (and role definition id) of Billing Administrator.
pub const BILLING_ADMINISTRATOR: Uuid = uuid!("b0f54661-2d74-4c50-afa3-1ec803f12efe");
/// Template id (and role definition id) of Cloud Application Administrator.
pub const CLOUD_APPLICATION_ADMINISTRATOR: Uuid = uuid!("158c047a-c907-4556-b7ef-446551a6b5f7");
/// Template id (and role definition id) of Cloud Device Administrator.
pub const CLOUD_DEVICE_ADMINISTRATOR: Uuid = uuid!("7698a772-787b-4ac8-901f-60d6b08affd2");
/// Template id (and role definition id) of Conditional Access Administrator.
pub const CONDITIONAL_ACCESS_ADMINISTRATOR: Uuid = uuid!("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9");
/// Template id (and role definition id) of Directory Readers.
pub const DIRECTORY_READERS: Uuid = uuid!("88d8e3e3-8f55-4a1e-953a-9b9898b8876b");
/// Template id (and role definition id) of Directory Synchronization Accounts.
pub const DIRECTORY_SYNCHRONIZATION_ACCOUNTS: Uuid = uuid!("d29b2b05-8046-44ba-8758-1e26182fcf32");
/// Template id (and role definition id) of Directory Writers.
pub const DIRECTORY_WRITERS: Uuid = uuid!("9360feb5-f418-4baa-8175-e2a00bac4301");
/// Template id (and role definition id) of Domain Name Administrator.
pub const DOMAIN_NAME_ADMINISTRATOR: Uuid = uuid!("8329153b-31d0-4727-b945-745eb3bc5f31");
/// Template id (and role definition id) of Exchange Administrator.
pub const EXCHANGE_ADMINISTRATOR: Uuid = uuid!("29232cdf-9323-42fd-ade2-1d097af3e4de");
/// Template id (and role definition id) of External ID User Flow Attribute Administrator.
pub const EXTERNAL_ID_USER_FLOW_ATTRIBUTE_ADMINISTRATOR: Uuid =
    uuid!("0f971eea-41eb-4569-a71e-57bb8a3eff1e");
/// Template id (and role definition id) of External Identity Provider Administrator.
pub const EXTERNAL_IDENTITY_PROVIDER_ADMINISTRATOR: Uuid =
    uuid!("be2f45a1-457d-42af-a067-6ec1fa63bc45");
/// Template id (and role definition id) of Global Administrator.
pub const GLOBAL_ADMINISTRATOR: Uuid = uuid!("62e90394-69f5-4237-9190-012177145e10");
/// Template id (and role definition id) of Global Reader.
pub const GLOBAL_READER: Uuid = uuid!("f2ef992c-3afb-46b9-b7cf-a126ee74c451");
/// Template id (and role definition id) of Groups Administrator.
pub const GROUPS_ADMINISTRATOR: Uuid = uuid!("fdd7a751-b60b-444a-984c-02652fe8fa1c");
/// Template id (and role definition id) of Guest Inviter.
pub const GUEST_INVITER: Uuid = uuid!("95e79109-95c0-4d8e-aee3-d01accf2d47b");
/// Template id (and role definition id) of Helpdesk Administrator.
pub const HELPDESK_ADMINISTRATOR: Uuid = uuid!("729827e3-9c14-49f7-bb1b-9608f156bbb8");
/// Template id (and role definition id) of Identity Governance Administrator.
pub const IDENTITY_GOVERNANCE_ADMINISTRATOR: Uuid = uuid!("45d8d3c5-c802-45c6-b32a-1d70b5e1e86e");
/// Template id (and role definition id) of Intune Administrator.
pub const INTUNE_ADMINISTRATOR: Uuid = uuid!("3a2c62db-5318-420d-8d74-23affee5d9d5");
/// Template id (and role definition id) of License Administrator.
pub const LICENSE_ADMINISTRATOR: Uuid = uuid!("4d6ac14f-3453-41d0-bef9-a3e0c569773a");
/// Template id (and role definition id) of Lifecycle Workflows Administrator.
pub const LIFECYCLE_WORKFLOWS_ADMINISTRATOR: Uuid = uuid!("59d46f88-662b-457b-bceb-5c3809e5908f");
/// Template id (and role definition id) of Organizational Branding Administrator.
pub const ORGANIZATIONAL_BRANDING_ADMINISTRATOR: Uuid =
    uuid!("92ed04bf-c94a-4b82-9729-b799a7a4c178");
/// Template id (and role definition id) of Password Administrator.
pub const PASSWORD_ADMINISTRATOR: Uuid = uuid!("966707d0-3269-4727-9be2-8c3a10f19b9d");
/// Template id (and role definition id) of Privileged Authentication Administrator.
pub const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: Uuid =
    uuid!("7be44c8a-adaf-4e2a-84d6-ab2649e08a13");
/// Template id (and role definition id) of Privileged Role Administrator.
pub const PRIVILEGED_ROLE_ADMINISTRATOR: Uuid = uuid!("e8611ab8-c189-46e8-94e1-60213ab1f814");
/// Template id (and role definition id) of Reports Reader.
pub const REPORTS_READER: Uuid = uuid!("4a5d8f65-41da-4de4-8968-e035b65339cf");
/// Template id (and role definition id) of Security Administrator.
pub const SECURITY_ADMINISTRATOR: Uuid = uuid!("194ae4cb-b126-40b2-bd5b-6091b380977d");
/// Template id (and role definition id) of Security Operator.
pub const SECURITY_OPERATOR: Uuid = uuid!("5f2222b1-57c3-48ba-8ad5-d4759f1fde6f");
/// Template id (and role definition id) of Security Reader.
pub const SECURITY_READER: Uuid = uuid!("5d6b6bb7-de71-4623-b4af-96380a352509");
/// Template id (and role definition id) of Service Support Administrator.
pub const SERVICE_SUPPORT_ADMINISTRATOR: Uuid = uuid!("f023fd81-a637-4b56-95fd-791ac0226033");
/// Template id (and role definition id) of SharePoint Administrator.
pub const SHAREPOINT_ADMINISTRATOR: Uuid = uuid!("f28a1f50-f6e7-4571-818b-6a12f2af6b6c");
/// Template id (and role definition id) of Teams Administrator.
pub const TEAMS_ADMINISTRATOR: Uuid = uuid!("69091246-20e8-4a56-aa4d-066075b2a7a8");
/// Template id (and role definition id) of Teams Communications Administrator.
pub const TEAMS_COMMUNICATIONS_ADMINISTRATOR: Uuid = uuid!("baf37b3a-610e-45da-9e62-d9d1e5e8914b");
/// Template id (and role definition id) of Teams Devices Administrator.
pub const TEAMS_DEVICES_ADMINISTRATOR: Uuid = uuid!("3d762c5a-1b6c-493f-843e-55a3b42923d4");
/// Template id (and role definition id) of Tenant Creator.
pub const TENANT_CREATOR: Uuid = uuid!("112ca1a2-15ad-4102-995e-45b0bc479a6a");
/// Template id (and role definition id) of User Administrator.
pub const USER_ADMINISTRATOR: Uuid = uuid!("fe930be7-5e62-47db-91af-98c3a49a38b1");

/// Every built-in role, in display-name order.
pub static BUILT_IN_ROLES: &[BuiltInRole] = &[
    BuiltInRole {
        template_id: APPLICATION_ADMINISTRATOR,
        display_name: "Application Administrator",
        description: "Can create and manage all aspects of app registrations and enterprise apps.",
        is_privileged: true,
        allowed_resource_actions: APPLICATION_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: APPLICATION_DEVELOPER,
        display_name: "Application Developer",
        description: "Can create application registrations independent of the 'Users can register applications' setting.",
        is_privileged: true,
        allowed_resource_actions: APPLICATION_DEVELOPER_ACTIONS,
    },
    BuiltInRole {
        template_id: ATTRIBUTE_ASSIGNMENT_ADMINISTRATOR,
        display_name: "Attribute Assignment Administrator",
        description: "Assign custom security attribute keys and values to supported Microsoft Entra objects.",
        is_privileged: false,
        allowed_resource_actions: ATTRIBUTE_ASSIGNMENT_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: ATTRIBUTE_ASSIGNMENT_READER,
        display_name: "Attribute Assignment Reader",
        description: "Read custom security attribute keys and values for supported Microsoft Entra objects.",
        is_privileged: false,
        allowed_resource_actions: ATTRIBUTE_ASSIGNMENT_READER_ACTIONS,
    },
    BuiltInRole {
        template_id: ATTRIBUTE_DEFINITION_ADMINISTRATOR,
        display_name: "Attribute Definition Administrator",
        description: "Define and manage the definition of custom security attributes.",
        is_privileged: false,
        allowed_resource_actions: ATTRIBUTE_DEFINITION_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: ATTRIBUTE_DEFINITION_READER,
        display_name: "Attribute Definition Reader",
        description: "Read the definition of custom security attributes.",
        is_privileged: false,
        allowed_resource_actions: ATTRIBUTE_DEFINITION_READER_ACTIONS,
    },
    BuiltInRole {
        template_id: ATTRIBUTE_LOG_ADMINISTRATOR,
        display_name: "Attribute Log Administrator",
        description: "Read audit logs and configure diagnostic settings for events related to custom security attributes.",
        is_privileged: false,
        allowed_resource_actions: ATTRIBUTE_LOG_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: ATTRIBUTE_LOG_READER,
        display_name: "Attribute Log Reader",
        description: "Read audit logs related to custom security attributes.",
        is_privileged: false,
        allowed_resource_actions: ATTRIBUTE_LOG_READER_ACTIONS,
    },
    BuiltInRole {
        template_id: AUTHENTICATION_ADMINISTRATOR,
        display_name: "Authentication Administrator",
        description: "Can access to view, set and reset authentication method information for any non-admin user.",
        is_privileged: true,
        allowed_resource_actions: AUTHENTICATION_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: AUTHENTICATION_POLICY_ADMINISTRATOR,
        display_name: "Authentication Policy Administrator",
        description: "Can create and manage the authentication methods policy, tenant-wide MFA settings, password protection policy, and verifiable credentials.",
        is_privileged: true,
        allowed_resource_actions: AUTHENTICATION_POLICY_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: BILLING_ADMINISTRATOR,
        display_name: "Billing Administrator",
        description: "Can perform common billing related tasks like updating payment information.",
        is_privileged: true,
        allowed_resource_actions: BILLING_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: CLOUD_APPLICATION_ADMINISTRATOR,
        display_name: "Cloud Application Administrator",
        description: "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
        is_privileged: true,
        allowed_resource_actions: CLOUD_APPLICATION_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: CLOUD_DEVICE_ADMINISTRATOR,
        display_name: "Cloud Device Administrator",
        description: "Limited access to manage devices in Microsoft Entra ID.",
        is_privileged: true,
        allowed_resource_actions: CLOUD_DEVICE_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: CONDITIONAL_ACCESS_ADMINISTRATOR,
        display_name: "Conditional Access Administrator",
        description: "Can manage Conditional Access capabilities.",
        is_privileged: true,
        allowed_resource_actions: CONDITIONAL_ACCESS_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: DIRECTORY_READERS,
        display_name: "Directory Readers",
        description: "Can read basic directory information. Commonly used to grant directory read access to applications and guests.",
        is_privileged: false,
        allowed_resource_actions: DIRECTORY_READERS_ACTIONS,
    },
    BuiltInRole {
        template_id: DIRECTORY_SYNCHRONIZATION_ACCOUNTS,
        display_name: "Directory Synchronization Accounts",
        description: "Only used by Microsoft Entra Connect service.",
        is_privileged: false,
        allowed_resource_actions: DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ACTIONS,
    },
    BuiltInRole {
        template_id: DIRECTORY_WRITERS,
        display_name: "Directory Writers",
        description: "Can read and write basic directory information. For granting access to applications, not intended for users.",
        is_privileged: true,
        allowed_resource_actions: DIRECTORY_WRITERS_ACTIONS,
    },
    BuiltInRole {
        template_id: DOMAIN_NAME_ADMINISTRATOR,
        display_name: "Domain Name Administrator",
        description: "Can manage domain names in cloud and on-premises.",
        is_privileged: true,
        allowed_resource_actions: DOMAIN_NAME_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: EXCHANGE_ADMINISTRATOR,
        display_name: "Exchange Administrator",
        description: "Can manage all aspects of the Exchange product.",
        is_privileged: true,
        allowed_resource_actions: EXCHANGE_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: EXTERNAL_ID_USER_FLOW_ATTRIBUTE_ADMINISTRATOR,
        display_name: "External ID User Flow Attribute Administrator",
        description: "Can create and manage the attribute schema available to all user flows.",
        is_privileged: false,
        allowed_resource_actions: EXTERNAL_ID_USER_FLOW_ATTRIBUTE_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: EXTERNAL_IDENTITY_PROVIDER_ADMINISTRATOR,
        display_name: "External Identity Provider Administrator",
        description: "Can configure identity providers for use in direct federation.",
        is_privileged: true,
        allowed_resource_actions: EXTERNAL_IDENTITY_PROVIDER_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: GLOBAL_ADMINISTRATOR,
        display_name: "Global Administrator",
        description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
        is_privileged: true,
        allowed_resource_actions: GLOBAL_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: GLOBAL_READER,
        display_name: "Global Reader",
        description: "Can read everything that a Global Administrator can, but not update anything.",
        is_privileged: true,
        allowed_resource_actions: GLOBAL_READER_ACTIONS,
    },
    BuiltInRole {
        template_id: GROUPS_ADMINISTRATOR,
        display_name: "Groups Administrator",
        description: "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.",
        is_privileged: false,
        allowed_resource_actions: GROUPS_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: GUEST_INVITER,
        display_name: "Guest Inviter",
        description: "Can invite guest users independent of the 'members can invite guests' setting.",
        is_privileged: false,
        allowed_resource_actions: GUEST_INVITER_ACTIONS,
    },
    BuiltInRole {
        template_id: HELPDESK_ADMINISTRATOR,
        display_name: "Helpdesk Administrator",
        description: "Can reset passwords for non-administrators and Helpdesk Administrators.",
        is_privileged: true,
        allowed_resource_actions: HELPDESK_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: IDENTITY_GOVERNANCE_ADMINISTRATOR,
        display_name: "Identity Governance Administrator",
        description: "Manage access using Microsoft Entra ID for identity governance scenarios.",
        is_privileged: true,
        allowed_resource_actions: IDENTITY_GOVERNANCE_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: INTUNE_ADMINISTRATOR,
        display_name: "Intune Administrator",
        description: "Can manage all aspects of the Intune product.",
        is_privileged: true,
        allowed_resource_actions: INTUNE_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: LICENSE_ADMINISTRATOR,
        display_name: "License Administrator",
        description: "Can manage product licenses on users and groups.",
        is_privileged: false,
        allowed_resource_actions: LICENSE_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: LIFECYCLE_WORKFLOWS_ADMINISTRATOR,
        display_name: "Lifecycle Workflows Administrator",
        description: "Create and manage all aspects of workflows and tasks associated with Lifecycle Workflows in Microsoft Entra ID.",
        is_privileged: true,
        allowed_resource_actions: LIFECYCLE_WORKFLOWS_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: ORGANIZATIONAL_BRANDING_ADMINISTRATOR,
        display_name: "Organizational Branding Administrator",
        description: "Manage all aspects of organizational branding in a tenant.",
        is_privileged: false,
        allowed_resource_actions: ORGANIZATIONAL_BRANDING_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: PASSWORD_ADMINISTRATOR,
        display_name: "Password Administrator",
        description: "Can reset passwords for non-administrators and Password Administrators.",
        is_privileged: true,
        allowed_resource_actions: PASSWORD_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        display_name: "Privileged Authentication Administrator",
        description: "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
        is_privileged: true,
        allowed_resource_actions: PRIVILEGED_AUTHENTICATION_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: PRIVILEGED_ROLE_ADMINISTRATOR,
        display_name: "Privileged Role Administrator",
        description: "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
        is_privileged: true,
        allowed_resource_actions: PRIVILEGED_ROLE_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: REPORTS_READER,
        display_name: "Reports Reader",
        description: "Can read sign-in and audit reports.",
        is_privileged: false,
        allowed_resource_actions: REPORTS_READER_ACTIONS,
    },
    BuiltInRole {
        template_id: SECURITY_ADMINISTRATOR,
        display_name: "Security Administrator",
        description: "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
        is_privileged: true,
        allowed_resource_actions: SECURITY_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: SECURITY_OPERATOR,
        display_name: "Security Operator",
        description: "Creates and manages security events.",
        is_privileged: true,
        allowed_resource_actions: SECURITY_OPERATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: SECURITY_READER,
        display_name: "Security Reader",
        description: "Can read security information and reports in Microsoft Entra ID and Office 365.",
        is_privileged: true,
        allowed_resource_actions: SECURITY_READER_ACTIONS,
    },
    BuiltInRole {
        template_id: SERVICE_SUPPORT_ADMINISTRATOR,
        display_name: "Service Support Administrator",
        description: "Can read service health information and manage support tickets.",
        is_privileged: false,
        allowed_resource_actions: SERVICE_SUPPORT_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: SHAREPOINT_ADMINISTRATOR,
        display_name: "SharePoint Administrator",
        description: "Can manage all aspects of the SharePoint service.",
        is_privileged: true,
        allowed_resource_actions: SHAREPOINT_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: TEAMS_ADMINISTRATOR,
        display_name: "Teams Administrator",
        description: "Can manage the Microsoft Teams service.",
        is_privileged: false,
        allowed_resource_actions: TEAMS_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: TEAMS_COMMUNICATIONS_ADMINISTRATOR,
        display_name: "Teams Communications Administrator",
        description: "Can manage calling and meetings features within the Microsoft Teams service.",
        is_privileged: false,
        allowed_resource_actions: TEAMS_COMMUNICATIONS_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: TEAMS_DEVICES_ADMINISTRATOR,
        display_name: "Teams Devices Administrator",
        description: "Can perform management related tasks on Teams certified devices.",
        is_privileged: false,
        allowed_resource_actions: TEAMS_DEVICES_ADMINISTRATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: TENANT_CREATOR,
        display_name: "Tenant Creator",
        description: "Create new Microsoft Entra or Azure AD B2C tenants.",
        is_privileged: false,
        allowed_resource_actions: TENANT_CREATOR_ACTIONS,
    },
    BuiltInRole {
        template_id: USER_ADMINISTRATOR,
        display_name: "User Administrator",
        description: "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
        is_privileged: true,
        allowed_resource_actions: USER_ADMINISTRATOR_ACTIONS,
    },
];

/// The built-in role with this template id (which is also its role definition id).
pub fn built_in_role(template_id: &Uuid) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES
        .iter()
        .find(|r| r.template_id == *template_id)
}

/// The 16 roles that security defaults require MFA for on every sign-in (spec 05 §6).
pub const SECURITY_DEFAULTS_MFA_ROLES: [Uuid; 16] = [
    GLOBAL_ADMINISTRATOR,
    APPLICATION_ADMINISTRATOR,
    AUTHENTICATION_ADMINISTRATOR,
    BILLING_ADMINISTRATOR,
    CLOUD_APPLICATION_ADMINISTRATOR,
    CONDITIONAL_ACCESS_ADMINISTRATOR,
    EXCHANGE_ADMINISTRATOR,
    HELPDESK_ADMINISTRATOR,
    PASSWORD_ADMINISTRATOR,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
    PRIVILEGED_ROLE_ADMINISTRATOR,
    SECURITY_ADMINISTRATOR,
    SHAREPOINT_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    AUTHENTICATION_POLICY_ADMINISTRATOR,
    IDENTITY_GOVERNANCE_ADMINISTRATOR,
];

/// The 16 roles that security defaults require MFA for on every sign-in (spec 05 §6).
pub fn requires_mfa_under_security_defaults(template_id: &Uuid) -> bool {
    SECURITY_DEFAULTS_MFA_ROLES.contains(template_id)
}

const APPLICATION_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/adminConsentRequestPolicy/allProperties/allTasks",
    "microsoft.directory/appConsent/appConsentRequests/allProperties/read",
    "microsoft.directory/applicationPolicies/basic/update",
    "microsoft.directory/applicationPolicies/create",
    "microsoft.directory/applicationPolicies/delete",
    "microsoft.directory/applicationPolicies/owners/read",
    "microsoft.directory/applicationPolicies/owners/update",
    "microsoft.directory/applicationPolicies/policyAppliedTo/read",
    "microsoft.directory/applicationPolicies/standard/read",
    "microsoft.directory/applications/appRoles/update",
    "microsoft.directory/applications/audience/update",
    "microsoft.directory/applications/authentication/update",
    "microsoft.directory/applications/basic/update",
    "microsoft.directory/applications/create",
    "microsoft.directory/applications/credentials/update",
    "microsoft.directory/applications/delete",
    "microsoft.directory/applications/disablement/update",
    "microsoft.directory/applications/extensionProperties/update",
    "microsoft.directory/applications/notes/update",
    "microsoft.directory/applications/owners/update",
    "microsoft.directory/applications/permissions/update",
    "microsoft.directory/applications/policies/update",
    "microsoft.directory/applications/synchronization/standard/read",
    "microsoft.directory/applications/tag/update",
    "microsoft.directory/applications/verification/update",
    "microsoft.directory/applicationTemplates/instantiate",
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/customAuthenticationExtensions/allProperties/allTasks",
    "microsoft.directory/deletedItems.applications/delete",
    "microsoft.directory/deletedItems.applications/restore",
    "microsoft.directory/oAuth2PermissionGrants/allProperties/allTasks",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
    "microsoft.directory/servicePrincipals/audience/update",
    "microsoft.directory/servicePrincipals/authentication/update",
    "microsoft.directory/servicePrincipals/basic/update",
    "microsoft.directory/servicePrincipals/create",
    "microsoft.directory/servicePrincipals/credentials/update",
    "microsoft.directory/servicePrincipals/delete",
    "microsoft.directory/servicePrincipals/disable",
    "microsoft.directory/servicePrincipals/enable",
    "microsoft.directory/servicePrincipals/getPasswordSingleSignOnCredentials",
    "microsoft.directory/servicePrincipals/managePasswordSingleSignOnCredentials",
    "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-application-admin",
    "microsoft.directory/servicePrincipals/notes/update",
    "microsoft.directory/servicePrincipals/owners/update",
    "microsoft.directory/servicePrincipals/permissions/update",
    "microsoft.directory/servicePrincipals/policies/update",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/credentials/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/jobs/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/schema/manage",
    "microsoft.directory/servicePrincipals/synchronization/standard/read",
    "microsoft.directory/servicePrincipals/synchronizationCredentials/manage",
    "microsoft.directory/servicePrincipals/synchronizationJobs/manage",
    "microsoft.directory/servicePrincipals/synchronizationSchema/manage",
    "microsoft.directory/servicePrincipals/tag/update",
    "microsoft.directory/signInReports/allProperties/read",
];

const APPLICATION_DEVELOPER_ACTIONS: &[&str] = &[
    "microsoft.directory/applications/createAsOwner",
    "microsoft.directory/oAuth2PermissionGrants/createAsOwner",
    "microsoft.directory/servicePrincipals/createAsOwner",
];

const ATTRIBUTE_ASSIGNMENT_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/attributeSets/allProperties/read",
    "microsoft.directory/customSecurityAttributeDefinitions/allProperties/read",
    "microsoft.directory/devices/customSecurityAttributes/read",
    "microsoft.directory/devices/customSecurityAttributes/update",
    "microsoft.directory/servicePrincipals/customSecurityAttributes/read",
    "microsoft.directory/servicePrincipals/customSecurityAttributes/update",
    "microsoft.directory/users/customSecurityAttributes/read",
    "microsoft.directory/users/customSecurityAttributes/update",
];

const ATTRIBUTE_ASSIGNMENT_READER_ACTIONS: &[&str] = &[
    "microsoft.directory/attributeSets/allProperties/read",
    "microsoft.directory/customSecurityAttributeDefinitions/allProperties/read",
    "microsoft.directory/devices/customSecurityAttributes/read",
    "microsoft.directory/servicePrincipals/customSecurityAttributes/read",
    "microsoft.directory/users/customSecurityAttributes/read",
];

const ATTRIBUTE_DEFINITION_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/attributeSets/allProperties/allTasks",
    "microsoft.directory/customSecurityAttributeDefinitions/allProperties/allTasks",
];

const ATTRIBUTE_DEFINITION_READER_ACTIONS: &[&str] = &[
    "microsoft.directory/attributeSets/allProperties/read",
    "microsoft.directory/customSecurityAttributeDefinitions/allProperties/read",
];

const ATTRIBUTE_LOG_ADMINISTRATOR_ACTIONS: &[&str] =
    &["microsoft.directory/customSecurityAttributeAuditLogs/allProperties/read"];

const ATTRIBUTE_LOG_READER_ACTIONS: &[&str] =
    &["microsoft.directory/customSecurityAttributeAuditLogs/allProperties/read"];

const AUTHENTICATION_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/deletedItems.users/restore",
    "microsoft.directory/users/authenticationMethods/basic/update",
    "microsoft.directory/users/authenticationMethods/create",
    "microsoft.directory/users/authenticationMethods/delete",
    "microsoft.directory/users/authenticationMethods/standard/restrictedRead",
    "microsoft.directory/users/basic/update",
    "microsoft.directory/users/delete",
    "microsoft.directory/users/disable",
    "microsoft.directory/users/enable",
    "microsoft.directory/users/invalidateAllRefreshTokens",
    "microsoft.directory/users/manager/update",
    "microsoft.directory/users/password/update",
    "microsoft.directory/users/restore",
    "microsoft.directory/users/userPrincipalName/update",
];

const AUTHENTICATION_POLICY_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/organization/strongAuthentication/allTasks",
    "microsoft.directory/userCredentialPolicies/basic/update",
    "microsoft.directory/userCredentialPolicies/create",
    "microsoft.directory/userCredentialPolicies/delete",
    "microsoft.directory/userCredentialPolicies/owners/read",
    "microsoft.directory/userCredentialPolicies/owners/update",
    "microsoft.directory/userCredentialPolicies/policyAppliedTo/read",
    "microsoft.directory/userCredentialPolicies/standard/read",
    "microsoft.directory/userCredentialPolicies/tenantDefault/update",
];

const BILLING_ADMINISTRATOR_ACTIONS: &[&str] = &["microsoft.directory/organization/basic/update"];

const CLOUD_APPLICATION_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/adminConsentRequestPolicy/allProperties/allTasks",
    "microsoft.directory/appConsent/appConsentRequests/allProperties/read",
    "microsoft.directory/applicationPolicies/basic/update",
    "microsoft.directory/applicationPolicies/create",
    "microsoft.directory/applicationPolicies/delete",
    "microsoft.directory/applicationPolicies/owners/read",
    "microsoft.directory/applicationPolicies/owners/update",
    "microsoft.directory/applicationPolicies/policyAppliedTo/read",
    "microsoft.directory/applicationPolicies/standard/read",
    "microsoft.directory/applications/appRoles/update",
    "microsoft.directory/applications/audience/update",
    "microsoft.directory/applications/authentication/update",
    "microsoft.directory/applications/basic/update",
    "microsoft.directory/applications/create",
    "microsoft.directory/applications/credentials/update",
    "microsoft.directory/applications/delete",
    "microsoft.directory/applications/disablement/update",
    "microsoft.directory/applications/extensionProperties/update",
    "microsoft.directory/applications/notes/update",
    "microsoft.directory/applications/owners/update",
    "microsoft.directory/applications/permissions/update",
    "microsoft.directory/applications/policies/update",
    "microsoft.directory/applications/synchronization/standard/read",
    "microsoft.directory/applications/tag/update",
    "microsoft.directory/applications/verification/update",
    "microsoft.directory/applicationTemplates/instantiate",
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/deletedItems.applications/delete",
    "microsoft.directory/deletedItems.applications/restore",
    "microsoft.directory/oAuth2PermissionGrants/allProperties/allTasks",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
    "microsoft.directory/servicePrincipals/audience/update",
    "microsoft.directory/servicePrincipals/authentication/update",
    "microsoft.directory/servicePrincipals/basic/update",
    "microsoft.directory/servicePrincipals/create",
    "microsoft.directory/servicePrincipals/credentials/update",
    "microsoft.directory/servicePrincipals/delete",
    "microsoft.directory/servicePrincipals/disable",
    "microsoft.directory/servicePrincipals/enable",
    "microsoft.directory/servicePrincipals/getPasswordSingleSignOnCredentials",
    "microsoft.directory/servicePrincipals/managePasswordSingleSignOnCredentials",
    "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-application-admin",
    "microsoft.directory/servicePrincipals/notes/update",
    "microsoft.directory/servicePrincipals/owners/update",
    "microsoft.directory/servicePrincipals/permissions/update",
    "microsoft.directory/servicePrincipals/policies/update",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/credentials/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/jobs/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/schema/manage",
    "microsoft.directory/servicePrincipals/synchronization/standard/read",
    "microsoft.directory/servicePrincipals/synchronizationCredentials/manage",
    "microsoft.directory/servicePrincipals/synchronizationJobs/manage",
    "microsoft.directory/servicePrincipals/synchronizationSchema/manage",
    "microsoft.directory/servicePrincipals/tag/update",
    "microsoft.directory/signInReports/allProperties/read",
];

const CLOUD_DEVICE_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/authorizationPolicy/standard/read",
    "microsoft.directory/bitlockerKeys/key/read",
    "microsoft.directory/deletedItems.devices/delete",
    "microsoft.directory/deletedItems.devices/restore",
    "microsoft.directory/deviceRegistrationPolicy/basic/update",
    "microsoft.directory/deviceRegistrationPolicy/standard/read",
    "microsoft.directory/devices/delete",
    "microsoft.directory/devices/disable",
    "microsoft.directory/devices/enable",
    "microsoft.directory/signInReports/allProperties/read",
];

const CONDITIONAL_ACCESS_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/conditionalAccessPolicies/basic/update",
    "microsoft.directory/conditionalAccessPolicies/create",
    "microsoft.directory/conditionalAccessPolicies/delete",
    "microsoft.directory/conditionalAccessPolicies/owners/read",
    "microsoft.directory/conditionalAccessPolicies/owners/update",
    "microsoft.directory/conditionalAccessPolicies/policyAppliedTo/read",
    "microsoft.directory/conditionalAccessPolicies/standard/read",
    "microsoft.directory/conditionalAccessPolicies/tenantDefault/update",
    "microsoft.directory/namedLocations/basic/update",
    "microsoft.directory/namedLocations/create",
    "microsoft.directory/namedLocations/delete",
    "microsoft.directory/namedLocations/standard/read",
    "microsoft.directory/resourceNamespaces/resourceActions/authenticationContext/update",
];

const DIRECTORY_READERS_ACTIONS: &[&str] = &[
    "microsoft.directory/administrativeUnits/members/read",
    "microsoft.directory/administrativeUnits/standard/read",
    "microsoft.directory/applicationPolicies/standard/read",
    "microsoft.directory/applications/owners/read",
    "microsoft.directory/applications/policies/read",
    "microsoft.directory/applications/standard/read",
    "microsoft.directory/contacts/memberOf/read",
    "microsoft.directory/contacts/standard/read",
    "microsoft.directory/devices/memberOf/read",
    "microsoft.directory/devices/registeredOwners/read",
    "microsoft.directory/devices/registeredUsers/read",
    "microsoft.directory/devices/standard/read",
    "microsoft.directory/directoryRoles/eligibleMembers/read",
    "microsoft.directory/directoryRoles/members/read",
    "microsoft.directory/directoryRoles/standard/read",
    "microsoft.directory/domains/standard/read",
    "microsoft.directory/groups/appRoleAssignments/read",
    "microsoft.directory/groups/memberOf/read",
    "microsoft.directory/groups/members/read",
    "microsoft.directory/groups/owners/read",
    "microsoft.directory/groups/settings/read",
    "microsoft.directory/groups/standard/read",
    "microsoft.directory/groupSettings/standard/read",
    "microsoft.directory/groupSettingTemplates/standard/read",
    "microsoft.directory/oAuth2PermissionGrants/standard/read",
    "microsoft.directory/organization/standard/read",
    "microsoft.directory/organization/trustedCAsForPasswordlessAuth/read",
    "microsoft.directory/roleAssignments/standard/read",
    "microsoft.directory/roleDefinitions/standard/read",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/read",
    "microsoft.directory/servicePrincipals/appRoleAssignments/read",
    "microsoft.directory/servicePrincipals/memberOf/read",
    "microsoft.directory/servicePrincipals/oAuth2PermissionGrants/read",
    "microsoft.directory/servicePrincipals/ownedObjects/read",
    "microsoft.directory/servicePrincipals/owners/read",
    "microsoft.directory/servicePrincipals/policies/read",
    "microsoft.directory/servicePrincipals/standard/read",
    "microsoft.directory/subscribedSkus/standard/read",
    "microsoft.directory/users/appRoleAssignments/read",
    "microsoft.directory/users/directReports/read",
    "microsoft.directory/users/invitedBy/read",
    "microsoft.directory/users/licenseDetails/read",
    "microsoft.directory/users/manager/read",
    "microsoft.directory/users/memberOf/read",
    "microsoft.directory/users/oAuth2PermissionGrants/read",
    "microsoft.directory/users/ownedDevices/read",
    "microsoft.directory/users/ownedObjects/read",
    "microsoft.directory/users/photo/read",
    "microsoft.directory/users/registeredDevices/read",
    "microsoft.directory/users/scopedRoleMemberOf/read",
    "microsoft.directory/users/sponsors/read",
    "microsoft.directory/users/standard/read",
];

const DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ACTIONS: &[&str] =
    &["microsoft.directory/onPremisesSynchronization/standard/read"];

const DIRECTORY_WRITERS_ACTIONS: &[&str] = &[
    "microsoft.directory/applications/extensionProperties/update",
    "microsoft.directory/contacts/create",
    "microsoft.directory/groups/assignedLabels/update",
    "microsoft.directory/groups/assignLicense",
    "microsoft.directory/groups/basic/update",
    "microsoft.directory/groups/classification/update",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/dynamicMembershipRule/update",
    "microsoft.directory/groups/groupType/update",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/owners/update",
    "microsoft.directory/groups/reprocessLicenseAssignment",
    "microsoft.directory/groups/settings/update",
    "microsoft.directory/groups/visibility/update",
    "microsoft.directory/groupSettings/basic/update",
    "microsoft.directory/groupSettings/create",
    "microsoft.directory/groupSettings/delete",
    "microsoft.directory/oAuth2PermissionGrants/basic/update",
    "microsoft.directory/oAuth2PermissionGrants/create",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToCloudTenant/credentials/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToCloudTenant/jobs/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToCloudTenant/schema/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/credentials/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/jobs/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/schema/manage",
    "microsoft.directory/servicePrincipals/synchronizationCredentials/manage",
    "microsoft.directory/servicePrincipals/synchronizationJobs/manage",
    "microsoft.directory/servicePrincipals/synchronizationSchema/manage",
    "microsoft.directory/users/assignLicense",
    "microsoft.directory/users/basic/update",
    "microsoft.directory/users/create",
    "microsoft.directory/users/disable",
    "microsoft.directory/users/enable",
    "microsoft.directory/users/invalidateAllRefreshTokens",
    "microsoft.directory/users/inviteGuest",
    "microsoft.directory/users/manager/update",
    "microsoft.directory/users/photo/update",
    "microsoft.directory/users/reprocessLicenseAssignment",
    "microsoft.directory/users/sponsors/update",
    "microsoft.directory/users/userPrincipalName/update",
];

const DOMAIN_NAME_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/domains/allProperties/allTasks",
    "microsoft.directory/domains/federationConfiguration/basic/update",
    "microsoft.directory/domains/federationConfiguration/create",
    "microsoft.directory/domains/federationConfiguration/delete",
    "microsoft.directory/domains/federationConfiguration/standard/read",
];

const EXCHANGE_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/contacts/allProperties/read",
    "microsoft.directory/contacts/memberOf/read",
    "microsoft.directory/contacts/standard/read",
    "microsoft.directory/groups.unified/assignedLabels/update",
    "microsoft.directory/groups.unified/basic/update",
    "microsoft.directory/groups.unified/create",
    "microsoft.directory/groups.unified/delete",
    "microsoft.directory/groups.unified/members/update",
    "microsoft.directory/groups.unified/owners/update",
    "microsoft.directory/groups.unified/restore",
    "microsoft.directory/groups/hiddenMembers/read",
    "microsoft.directory/onPremisesSynchronization/standard/read",
];

const EXTERNAL_ID_USER_FLOW_ATTRIBUTE_ADMINISTRATOR_ACTIONS: &[&str] = &[];

const EXTERNAL_IDENTITY_PROVIDER_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/domains/federation/update",
    "microsoft.directory/identityProviders/allProperties/allTasks",
];

const GLOBAL_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/accessReviews/allProperties/allTasks",
    "microsoft.directory/accessReviews/definitions/allProperties/allTasks",
    "microsoft.directory/adminConsentRequestPolicy/allProperties/allTasks",
    "microsoft.directory/administrativeUnits/allProperties/allTasks",
    "microsoft.directory/appConsent/appConsentRequests/allProperties/read",
    "microsoft.directory/applications/allProperties/allTasks",
    "microsoft.directory/applications/synchronization/standard/read",
    "microsoft.directory/applicationTemplates/instantiate",
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/authorizationPolicy/allProperties/allTasks",
    "microsoft.directory/bitlockerKeys/key/read",
    "microsoft.directory/bulkJobs/basic/update",
    "microsoft.directory/bulkJobs/create",
    "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks",
    "microsoft.directory/contacts/allProperties/allTasks",
    "microsoft.directory/crossTenantAccessPolicy/basic/update",
    "microsoft.directory/crossTenantAccessPolicy/default/b2bCollaboration/update",
    "microsoft.directory/crossTenantAccessPolicy/default/b2bDirectConnect/update",
    "microsoft.directory/crossTenantAccessPolicy/default/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/partners/b2bCollaboration/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/b2bDirectConnect/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/create",
    "microsoft.directory/crossTenantAccessPolicy/partners/delete",
    "microsoft.directory/crossTenantAccessPolicy/partners/identitySynchronization/basic/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/identitySynchronization/create",
    "microsoft.directory/crossTenantAccessPolicy/partners/identitySynchronization/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/partners/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/standard/read",
    "microsoft.directory/customAuthenticationExtensions/allProperties/allTasks",
    "microsoft.directory/deletedItems/delete",
    "microsoft.directory/deletedItems/restore",
    "microsoft.directory/deviceRegistrationPolicy/basic/update",
    "microsoft.directory/deviceRegistrationPolicy/standard/read",
    "microsoft.directory/devices/allProperties/allTasks",
    "microsoft.directory/directoryRoles/allProperties/allTasks",
    "microsoft.directory/directoryRoleTemplates/allProperties/allTasks",
    "microsoft.directory/domains/allProperties/allTasks",
    "microsoft.directory/domains/federationConfiguration/basic/update",
    "microsoft.directory/domains/federationConfiguration/create",
    "microsoft.directory/domains/federationConfiguration/delete",
    "microsoft.directory/domains/federationConfiguration/standard/read",
    "microsoft.directory/entitlementManagement/allProperties/allTasks",
    "microsoft.directory/groups/allProperties/allTasks",
    "microsoft.directory/groupsAssignableToRoles/allProperties/update",
    "microsoft.directory/groupsAssignableToRoles/assignLicense",
    "microsoft.directory/groupsAssignableToRoles/create",
    "microsoft.directory/groupsAssignableToRoles/delete",
    "microsoft.directory/groupsAssignableToRoles/reprocessLicenseAssignment",
    "microsoft.directory/groupsAssignableToRoles/restore",
    "microsoft.directory/groupSettings/allProperties/allTasks",
    "microsoft.directory/groupSettingTemplates/allProperties/allTasks",
    "microsoft.directory/identityProtection/allProperties/allTasks",
    "microsoft.directory/lifecycleWorkflows/workflows/allProperties/allTasks",
    "microsoft.directory/loginOrganizationBranding/allProperties/allTasks",
    "microsoft.directory/namedLocations/basic/update",
    "microsoft.directory/namedLocations/create",
    "microsoft.directory/namedLocations/delete",
    "microsoft.directory/namedLocations/standard/read",
    "microsoft.directory/oAuth2PermissionGrants/allProperties/allTasks",
    "microsoft.directory/onPremisesSynchronization/basic/update",
    "microsoft.directory/onPremisesSynchronization/standard/read",
    "microsoft.directory/organization/allProperties/allTasks",
    "microsoft.directory/permissionGrantPolicies/basic/update",
    "microsoft.directory/permissionGrantPolicies/create",
    "microsoft.directory/permissionGrantPolicies/delete",
    "microsoft.directory/permissionGrantPolicies/standard/read",
    "microsoft.directory/policies/allProperties/allTasks",
    "microsoft.directory/privilegedIdentityManagement/allProperties/read",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/resourceNamespaces/resourceActions/authenticationContext/update",
    "microsoft.directory/roleAssignments/allProperties/allTasks",
    "microsoft.directory/roleDefinitions/allProperties/allTasks",
    "microsoft.directory/scopedRoleMemberships/allProperties/allTasks",
    "microsoft.directory/servicePrincipalCreationPolicies/basic/update",
    "microsoft.directory/servicePrincipalCreationPolicies/create",
    "microsoft.directory/servicePrincipalCreationPolicies/delete",
    "microsoft.directory/servicePrincipalCreationPolicies/standard/read",
    "microsoft.directory/servicePrincipals/allProperties/allTasks",
    "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToCloudTenant/credentials/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToCloudTenant/jobs/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToCloudTenant/schema/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/credentials/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/jobs/manage",
    "microsoft.directory/servicePrincipals/synchronization.cloudTenantToExternalSystem/schema/manage",
    "microsoft.directory/servicePrincipals/synchronization/standard/read",
    "microsoft.directory/signInReports/allProperties/read",
    "microsoft.directory/subscribedSkus/allProperties/allTasks",
    "microsoft.directory/tenantManagement/tenants/create",
    "microsoft.directory/users/allProperties/allTasks",
    "microsoft.directory/users/authenticationMethods/basic/update",
    "microsoft.directory/users/authenticationMethods/create",
    "microsoft.directory/users/authenticationMethods/delete",
    "microsoft.directory/users/authenticationMethods/standard/read",
    "microsoft.directory/users/convertExternalToInternalMemberUser",
];

const GLOBAL_READER_ACTIONS: &[&str] = &[
    "microsoft.directory/accessReviews/allProperties/read",
    "microsoft.directory/accessReviews/definitions/allProperties/read",
    "microsoft.directory/adminConsentRequestPolicy/allProperties/read",
    "microsoft.directory/administrativeUnits/allProperties/read",
    "microsoft.directory/appConsent/appConsentRequests/allProperties/read",
    "microsoft.directory/applications/allProperties/read",
    "microsoft.directory/applications/synchronization/standard/read",
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/authorizationPolicy/standard/read",
    "microsoft.directory/bitlockerKeys/key/read",
    "microsoft.directory/bulkJobs/standard/read",
    "microsoft.directory/conditionalAccessPolicies/allProperties/read",
    "microsoft.directory/contacts/allProperties/read",
    "microsoft.directory/crossTenantAccessPolicy/default/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/partners/identitySynchronization/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/partners/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/standard/read",
    "microsoft.directory/customAuthenticationExtensions/allProperties/read",
    "microsoft.directory/deviceRegistrationPolicy/standard/read",
    "microsoft.directory/devices/allProperties/read",
    "microsoft.directory/directoryRoles/allProperties/read",
    "microsoft.directory/directoryRoleTemplates/allProperties/read",
    "microsoft.directory/domains/allProperties/read",
    "microsoft.directory/domains/federationConfiguration/standard/read",
    "microsoft.directory/entitlementManagement/allProperties/read",
    "microsoft.directory/groups/allProperties/read",
    "microsoft.directory/groupSettings/allProperties/read",
    "microsoft.directory/groupSettingTemplates/allProperties/read",
    "microsoft.directory/identityProtection/allProperties/read",
    "microsoft.directory/lifecycleWorkflows/workflows/allProperties/read",
    "microsoft.directory/loginOrganizationBranding/allProperties/read",
    "microsoft.directory/namedLocations/standard/read",
    "microsoft.directory/oAuth2PermissionGrants/allProperties/read",
    "microsoft.directory/onPremisesSynchronization/standard/read",
    "microsoft.directory/organization/allProperties/read",
    "microsoft.directory/permissionGrantPolicies/standard/read",
    "microsoft.directory/policies/allProperties/read",
    "microsoft.directory/privilegedIdentityManagement/allProperties/read",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/roleAssignments/allProperties/read",
    "microsoft.directory/roleDefinitions/allProperties/read",
    "microsoft.directory/scopedRoleMemberships/allProperties/read",
    "microsoft.directory/servicePrincipalCreationPolicies/standard/read",
    "microsoft.directory/servicePrincipals/allProperties/read",
    "microsoft.directory/servicePrincipals/synchronization/standard/read",
    "microsoft.directory/signInReports/allProperties/read",
    "microsoft.directory/subscribedSkus/allProperties/read",
    "microsoft.directory/users/allProperties/read",
    "microsoft.directory/users/authenticationMethods/standard/restrictedRead",
];

const GROUPS_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/bulkJobs.groups/basic/update",
    "microsoft.directory/bulkJobs.groups/create",
    "microsoft.directory/bulkJobs.groups/standard/read",
    "microsoft.directory/deletedItems.groups/delete",
    "microsoft.directory/deletedItems.groups/restore",
    "microsoft.directory/groups/assignedLabels/update",
    "microsoft.directory/groups/assignLicense",
    "microsoft.directory/groups/basic/update",
    "microsoft.directory/groups/classification/update",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/delete",
    "microsoft.directory/groups/dynamicMembershipRule/update",
    "microsoft.directory/groups/groupType/update",
    "microsoft.directory/groups/hiddenMembers/read",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/owners/update",
    "microsoft.directory/groups/reprocessLicenseAssignment",
    "microsoft.directory/groups/restore",
    "microsoft.directory/groups/settings/update",
    "microsoft.directory/groups/visibility/update",
];

const GUEST_INVITER_ACTIONS: &[&str] = &[
    "microsoft.directory/users/appRoleAssignments/read",
    "microsoft.directory/users/directReports/read",
    "microsoft.directory/users/invitedBy/read",
    "microsoft.directory/users/inviteGuest",
    "microsoft.directory/users/licenseDetails/read",
    "microsoft.directory/users/manager/read",
    "microsoft.directory/users/memberOf/read",
    "microsoft.directory/users/oAuth2PermissionGrants/read",
    "microsoft.directory/users/ownedDevices/read",
    "microsoft.directory/users/ownedObjects/read",
    "microsoft.directory/users/photo/read",
    "microsoft.directory/users/registeredDevices/read",
    "microsoft.directory/users/scopedRoleMemberOf/read",
    "microsoft.directory/users/sponsors/read",
    "microsoft.directory/users/standard/read",
];

const HELPDESK_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/bitlockerKeys/key/read",
    "microsoft.directory/users/invalidateAllRefreshTokens",
    "microsoft.directory/users/password/update",
];

const IDENTITY_GOVERNANCE_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/accessReviews/allProperties/allTasks",
    "microsoft.directory/accessReviews/definitions.applications/allProperties/allTasks",
    "microsoft.directory/accessReviews/definitions.entitlementManagement/allProperties/allTasks",
    "microsoft.directory/accessReviews/definitions.groups/allProperties/read",
    "microsoft.directory/accessReviews/definitions.groups/allProperties/update",
    "microsoft.directory/accessReviews/definitions.groups/create",
    "microsoft.directory/accessReviews/definitions.groups/delete",
    "microsoft.directory/entitlementManagement/allProperties/allTasks",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
];

const INTUNE_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/bitlockerKeys/key/read",
    "microsoft.directory/contacts/basic/update",
    "microsoft.directory/contacts/create",
    "microsoft.directory/contacts/delete",
    "microsoft.directory/deletedItems.devices/delete",
    "microsoft.directory/deletedItems.devices/restore",
    "microsoft.directory/deviceRegistrationPolicy/standard/read",
    "microsoft.directory/devices/basic/update",
    "microsoft.directory/devices/create",
    "microsoft.directory/devices/delete",
    "microsoft.directory/devices/disable",
    "microsoft.directory/devices/enable",
    "microsoft.directory/devices/extensionAttributeSet1/update",
    "microsoft.directory/devices/extensionAttributeSet2/update",
    "microsoft.directory/devices/extensionAttributeSet3/update",
    "microsoft.directory/devices/registeredOwners/update",
    "microsoft.directory/devices/registeredUsers/update",
    "microsoft.directory/groups.security/assignedLabels/update",
    "microsoft.directory/groups.security/basic/update",
    "microsoft.directory/groups.security/classification/update",
    "microsoft.directory/groups.security/create",
    "microsoft.directory/groups.security/delete",
    "microsoft.directory/groups.security/dynamicMembershipRule/update",
    "microsoft.directory/groups.security/members/update",
    "microsoft.directory/groups.security/owners/update",
    "microsoft.directory/groups.security/visibility/update",
    "microsoft.directory/groups/hiddenMembers/read",
    "microsoft.directory/users/basic/update",
    "microsoft.directory/users/manager/update",
    "microsoft.directory/users/photo/update",
];

const LICENSE_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/authorizationPolicy/standard/read",
    "microsoft.directory/groups/assignLicense",
    "microsoft.directory/groups/reprocessLicenseAssignment",
    "microsoft.directory/users/assignLicense",
    "microsoft.directory/users/reprocessLicenseAssignment",
    "microsoft.directory/users/usageLocation/update",
];

const LIFECYCLE_WORKFLOWS_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/lifecycleWorkflows/workflows/allProperties/allTasks",
    "microsoft.directory/organization/strongAuthentication/read",
    "microsoft.directory/users/lifeCycleInfo/read",
];

const ORGANIZATIONAL_BRANDING_ADMINISTRATOR_ACTIONS: &[&str] =
    &["microsoft.directory/loginOrganizationBranding/allProperties/allTasks"];

const PASSWORD_ADMINISTRATOR_ACTIONS: &[&str] = &["microsoft.directory/users/password/update"];

const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/deletedItems.users/restore",
    "microsoft.directory/users/authenticationMethods/basic/update",
    "microsoft.directory/users/authenticationMethods/create",
    "microsoft.directory/users/authenticationMethods/delete",
    "microsoft.directory/users/authenticationMethods/standard/read",
    "microsoft.directory/users/authorizationInfo/update",
    "microsoft.directory/users/basic/update",
    "microsoft.directory/users/delete",
    "microsoft.directory/users/disable",
    "microsoft.directory/users/enable",
    "microsoft.directory/users/invalidateAllRefreshTokens",
    "microsoft.directory/users/manager/update",
    "microsoft.directory/users/password/update",
    "microsoft.directory/users/restore",
    "microsoft.directory/users/userPrincipalName/update",
];

const PRIVILEGED_ROLE_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/accessReviews/definitions.applications/allProperties/read",
    "microsoft.directory/accessReviews/definitions.directoryRoles/allProperties/allTasks",
    "microsoft.directory/accessReviews/definitions.groups/allProperties/read",
    "microsoft.directory/accessReviews/definitions.groupsAssignableToRoles/allProperties/update",
    "microsoft.directory/accessReviews/definitions.groupsAssignableToRoles/create",
    "microsoft.directory/accessReviews/definitions.groupsAssignableToRoles/delete",
    "microsoft.directory/administrativeUnits/allProperties/allTasks",
    "microsoft.directory/authorizationPolicy/allProperties/allTasks",
    "microsoft.directory/directoryRoles/allProperties/allTasks",
    "microsoft.directory/groupsAssignableToRoles/allProperties/update",
    "microsoft.directory/groupsAssignableToRoles/assignLicense",
    "microsoft.directory/groupsAssignableToRoles/create",
    "microsoft.directory/groupsAssignableToRoles/delete",
    "microsoft.directory/groupsAssignableToRoles/reprocessLicenseAssignment",
    "microsoft.directory/groupsAssignableToRoles/restore",
    "microsoft.directory/oAuth2PermissionGrants/allProperties/allTasks",
    "microsoft.directory/permissionGrantPolicies/allProperties/read",
    "microsoft.directory/permissionGrantPolicies/allProperties/update",
    "microsoft.directory/permissionGrantPolicies/create",
    "microsoft.directory/permissionGrantPolicies/delete",
    "microsoft.directory/privilegedIdentityManagement/allProperties/allTasks",
    "microsoft.directory/roleAssignments/allProperties/allTasks",
    "microsoft.directory/roleDefinitions/allProperties/allTasks",
    "microsoft.directory/scopedRoleMemberships/allProperties/allTasks",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
    "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin",
    "microsoft.directory/servicePrincipals/permissions/update",
];

const REPORTS_READER_ACTIONS: &[&str] = &[
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/signInReports/allProperties/read",
];

const SECURITY_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/applications/policies/update",
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/authorizationPolicy/standard/read",
    "microsoft.directory/bitlockerKeys/key/read",
    "microsoft.directory/bulkJobs/standard/read",
    "microsoft.directory/conditionalAccessPolicies/basic/update",
    "microsoft.directory/conditionalAccessPolicies/create",
    "microsoft.directory/conditionalAccessPolicies/delete",
    "microsoft.directory/conditionalAccessPolicies/owners/read",
    "microsoft.directory/conditionalAccessPolicies/owners/update",
    "microsoft.directory/conditionalAccessPolicies/policyAppliedTo/read",
    "microsoft.directory/conditionalAccessPolicies/standard/read",
    "microsoft.directory/conditionalAccessPolicies/tenantDefault/update",
    "microsoft.directory/crossTenantAccessPolicy/basic/update",
    "microsoft.directory/crossTenantAccessPolicy/default/b2bCollaboration/update",
    "microsoft.directory/crossTenantAccessPolicy/default/b2bDirectConnect/update",
    "microsoft.directory/crossTenantAccessPolicy/default/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/partners/b2bCollaboration/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/b2bDirectConnect/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/create",
    "microsoft.directory/crossTenantAccessPolicy/partners/delete",
    "microsoft.directory/crossTenantAccessPolicy/partners/identitySynchronization/basic/update",
    "microsoft.directory/crossTenantAccessPolicy/partners/identitySynchronization/create",
    "microsoft.directory/crossTenantAccessPolicy/partners/identitySynchronization/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/partners/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/standard/read",
    "microsoft.directory/domains/federation/update",
    "microsoft.directory/domains/federationConfiguration/basic/update",
    "microsoft.directory/domains/federationConfiguration/create",
    "microsoft.directory/domains/federationConfiguration/delete",
    "microsoft.directory/domains/federationConfiguration/standard/read",
    "microsoft.directory/entitlementManagement/allProperties/read",
    "microsoft.directory/identityProtection/allProperties/read",
    "microsoft.directory/identityProtection/allProperties/update",
    "microsoft.directory/namedLocations/basic/update",
    "microsoft.directory/namedLocations/create",
    "microsoft.directory/namedLocations/delete",
    "microsoft.directory/namedLocations/standard/read",
    "microsoft.directory/policies/basic/update",
    "microsoft.directory/policies/create",
    "microsoft.directory/policies/delete",
    "microsoft.directory/policies/owners/update",
    "microsoft.directory/policies/tenantDefault/update",
    "microsoft.directory/privilegedIdentityManagement/allProperties/read",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/resourceNamespaces/resourceActions/authenticationContext/update",
    "microsoft.directory/servicePrincipals/policies/update",
    "microsoft.directory/signInReports/allProperties/read",
];

const SECURITY_OPERATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/authorizationPolicy/standard/read",
    "microsoft.directory/identityProtection/allProperties/allTasks",
    "microsoft.directory/privilegedIdentityManagement/allProperties/read",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/signInReports/allProperties/read",
    "microsoft.directory/users/disable",
    "microsoft.directory/users/enable",
    "microsoft.directory/users/invalidateAllRefreshTokens",
    "microsoft.directory/users/password/update",
];

const SECURITY_READER_ACTIONS: &[&str] = &[
    "microsoft.directory/accessReviews/definitions/allProperties/read",
    "microsoft.directory/auditLogs/allProperties/read",
    "microsoft.directory/authorizationPolicy/standard/read",
    "microsoft.directory/bitlockerKeys/key/read",
    "microsoft.directory/conditionalAccessPolicies/owners/read",
    "microsoft.directory/conditionalAccessPolicies/policyAppliedTo/read",
    "microsoft.directory/conditionalAccessPolicies/standard/read",
    "microsoft.directory/domains/federationConfiguration/standard/read",
    "microsoft.directory/entitlementManagement/allProperties/read",
    "microsoft.directory/identityProtection/allProperties/read",
    "microsoft.directory/namedLocations/standard/read",
    "microsoft.directory/policies/owners/read",
    "microsoft.directory/policies/policyAppliedTo/read",
    "microsoft.directory/policies/standard/read",
    "microsoft.directory/privilegedIdentityManagement/allProperties/read",
    "microsoft.directory/provisioningLogs/allProperties/read",
    "microsoft.directory/signInReports/allProperties/read",
];

const SERVICE_SUPPORT_ADMINISTRATOR_ACTIONS: &[&str] = &[];

const SHAREPOINT_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/groups.unified/assignedLabels/update",
    "microsoft.directory/groups.unified/basic/update",
    "microsoft.directory/groups.unified/create",
    "microsoft.directory/groups.unified/delete",
    "microsoft.directory/groups.unified/members/update",
    "microsoft.directory/groups.unified/owners/update",
    "microsoft.directory/groups.unified/restore",
    "microsoft.directory/groups/hiddenMembers/read",
];

const TEAMS_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/authorizationPolicy/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/default/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/partners/create",
    "microsoft.directory/crossTenantAccessPolicy/partners/standard/read",
    "microsoft.directory/crossTenantAccessPolicy/standard/read",
    "microsoft.directory/groups.unified/assignedLabels/update",
    "microsoft.directory/groups.unified/basic/update",
    "microsoft.directory/groups.unified/create",
    "microsoft.directory/groups.unified/delete",
    "microsoft.directory/groups.unified/members/update",
    "microsoft.directory/groups.unified/owners/update",
    "microsoft.directory/groups.unified/restore",
    "microsoft.directory/groups/hiddenMembers/read",
    "microsoft.directory/permissionGrantPolicies/standard/read",
];

const TEAMS_COMMUNICATIONS_ADMINISTRATOR_ACTIONS: &[&str] =
    &["microsoft.directory/authorizationPolicy/standard/read"];

const TEAMS_DEVICES_ADMINISTRATOR_ACTIONS: &[&str] = &[];

const TENANT_CREATOR_ACTIONS: &[&str] = &["microsoft.directory/tenantManagement/tenants/create"];

const USER_ADMINISTRATOR_ACTIONS: &[&str] = &[
    "microsoft.directory/accessReviews/definitions.applications/allProperties/allTasks",
    "microsoft.directory/accessReviews/definitions.directoryRoles/allProperties/read",
    "microsoft.directory/accessReviews/definitions.entitlementManagement/allProperties/allTasks",
    "microsoft.directory/accessReviews/definitions.groups/allProperties/read",
    "microsoft.directory/accessReviews/definitions.groups/allProperties/update",
    "microsoft.directory/accessReviews/definitions.groups/create",
    "microsoft.directory/accessReviews/definitions.groups/delete",
    "microsoft.directory/contacts/basic/update",
    "microsoft.directory/contacts/create",
    "microsoft.directory/contacts/delete",
    "microsoft.directory/deletedItems.groups/restore",
    "microsoft.directory/deletedItems.users/restore",
    "microsoft.directory/entitlementManagement/allProperties/allTasks",
    "microsoft.directory/groups.unified/assignedLabels/update",
    "microsoft.directory/groups/assignLicense",
    "microsoft.directory/groups/basic/update",
    "microsoft.directory/groups/classification/update",
    "microsoft.directory/groups/create",
    "microsoft.directory/groups/delete",
    "microsoft.directory/groups/dynamicMembershipRule/update",
    "microsoft.directory/groups/groupType/update",
    "microsoft.directory/groups/hiddenMembers/read",
    "microsoft.directory/groups/members/update",
    "microsoft.directory/groups/owners/update",
    "microsoft.directory/groups/reprocessLicenseAssignment",
    "microsoft.directory/groups/restore",
    "microsoft.directory/groups/settings/update",
    "microsoft.directory/groups/visibility/update",
    "microsoft.directory/oAuth2PermissionGrants/allProperties/allTasks",
    "microsoft.directory/onPremisesSynchronization/standard/read",
    "microsoft.directory/policies/standard/read",
    "microsoft.directory/servicePrincipals/appRoleAssignedTo/update",
    "microsoft.directory/users/assignLicense",
    "microsoft.directory/users/basic/update",
    "microsoft.directory/users/convertExternalToInternalMemberUser",
    "microsoft.directory/users/create",
    "microsoft.directory/users/delete",
    "microsoft.directory/users/disable",
    "microsoft.directory/users/enable",
    "microsoft.directory/users/invalidateAllRefreshTokens",
    "microsoft.directory/users/inviteGuest",
    "microsoft.directory/users/lifeCycleInfo/read",
    "microsoft.directory/users/manager/update",
    "microsoft.directory/users/password/update",
    "microsoft.directory/users/photo/update",
    "microsoft.directory/users/reprocessLicenseAssignment",
    "microsoft.directory/users/restore",
    "microsoft.directory/users/sponsors/update",
    "microsoft.directory/users/usageLocation/update",
    "microsoft.directory/users/userPrincipalName/update",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Spec 05 §7: the table and the "also ship these roles" paragraph.
    const SPEC_TABLE: &[(&str, &str)] = &[
        (
            "Global Administrator",
            "62e90394-69f5-4237-9190-012177145e10",
        ),
        ("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
        (
            "Privileged Role Administrator",
            "e8611ab8-c189-46e8-94e1-60213ab1f814",
        ),
        ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
        (
            "Groups Administrator",
            "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        ),
        (
            "Helpdesk Administrator",
            "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        ),
        (
            "Password Administrator",
            "966707d0-3269-4727-9be2-8c3a10f19b9d",
        ),
        (
            "Authentication Administrator",
            "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        ),
        (
            "Privileged Authentication Administrator",
            "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        ),
        (
            "Authentication Policy Administrator",
            "0526716b-113d-4c15-b2c8-68e3c22b9f80",
        ),
        (
            "Conditional Access Administrator",
            "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        ),
        (
            "Security Administrator",
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
        ),
        ("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509"),
        ("Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"),
        (
            "Application Administrator",
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        ),
        (
            "Cloud Application Administrator",
            "158c047a-c907-4556-b7ef-446551a6b5f7",
        ),
        (
            "Application Developer",
            "cf1c38e5-3621-4004-a7cb-879624dced7c",
        ),
        (
            "Billing Administrator",
            "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        ),
        (
            "License Administrator",
            "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
        ),
        (
            "Exchange Administrator",
            "29232cdf-9323-42fd-ade2-1d097af3e4de",
        ),
        (
            "SharePoint Administrator",
            "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        ),
        (
            "Intune Administrator",
            "3a2c62db-5318-420d-8d74-23affee5d9d5",
        ),
        (
            "Teams Administrator",
            "69091246-20e8-4a56-aa4d-066075b2a7a8",
        ),
        (
            "Teams Communications Administrator",
            "baf37b3a-610e-45da-9e62-d9d1e5e8914b",
        ),
        (
            "Teams Devices Administrator",
            "3d762c5a-1b6c-493f-843e-55a3b42923d4",
        ),
        (
            "Service Support Administrator",
            "f023fd81-a637-4b56-95fd-791ac0226033",
        ),
        (
            "Identity Governance Administrator",
            "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
        ),
        (
            "Lifecycle Workflows Administrator",
            "59d46f88-662b-457b-bceb-5c3809e5908f",
        ),
        (
            "Organizational Branding Administrator",
            "92ed04bf-c94a-4b82-9729-b799a7a4c178",
        ),
        ("Tenant Creator", "112ca1a2-15ad-4102-995e-45b0bc479a6a"),
        ("Guest Inviter", "95e79109-95c0-4d8e-aee3-d01accf2d47b"),
        (
            "Directory Synchronization Accounts",
            "d29b2b05-8046-44ba-8758-1e26182fcf32",
        ),
        (
            "Attribute Definition Administrator",
            "8424c6f0-a189-499e-bbd0-26c1753c96d4",
        ),
        (
            "Attribute Definition Reader",
            "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c",
        ),
        (
            "Attribute Assignment Administrator",
            "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d",
        ),
        (
            "Attribute Assignment Reader",
            "ffd52fa5-98dc-465c-991d-fc073eb59f8f",
        ),
        (
            "Attribute Log Administrator",
            "5b784334-f94b-471a-a387-e7219fc49ca2",
        ),
        (
            "Attribute Log Reader",
            "9c99539d-8186-4804-835f-fd51ef9e2dcd",
        ),
        (
            "External ID User Flow Attribute Administrator",
            "0f971eea-41eb-4569-a71e-57bb8a3eff1e",
        ),
        ("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf"),
        ("Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"),
        ("Directory Writers", "9360feb5-f418-4baa-8175-e2a00bac4301"),
        (
            "Domain Name Administrator",
            "8329153b-31d0-4727-b945-745eb3bc5f31",
        ),
        (
            "Cloud Device Administrator",
            "7698a772-787b-4ac8-901f-60d6b08affd2",
        ),
        (
            "External Identity Provider Administrator",
            "be2f45a1-457d-42af-a067-6ec1fa63bc45",
        ),
    ];

    fn is_custom_security_attribute_action(action: &str) -> bool {
        action.starts_with("microsoft.directory/customSecurityAttribute")
            || action.starts_with("microsoft.directory/attributeSets/")
            || action.contains("/customSecurityAttributes/")
    }

    #[test]
    fn ids_and_names_are_unique() {
        let mut ids: Vec<_> = BUILT_IN_ROLES.iter().map(|r| r.template_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), BUILT_IN_ROLES.len());
        let mut names: Vec<_> = BUILT_IN_ROLES
            .iter()
            .map(|r| r.display_name.to_lowercase())
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), BUILT_IN_ROLES.len());
    }

    #[test]
    fn the_catalogue_is_exactly_the_spec_table() {
        assert_eq!(BUILT_IN_ROLES.len(), SPEC_TABLE.len());
        for (name, id) in SPEC_TABLE {
            let id = Uuid::parse_str(id).unwrap();
            let role = built_in_role(&id).unwrap_or_else(|| panic!("{name} is missing"));
            assert_eq!(role.display_name, *name);
            assert!(!role.description.is_empty(), "{name}");
        }
        assert_eq!(
            GLOBAL_ADMINISTRATOR,
            uuid!("62e90394-69f5-4237-9190-012177145e10")
        );
        assert_eq!(
            HELPDESK_ADMINISTRATOR,
            uuid!("729827e3-9c14-49f7-bb1b-9608f156bbb8")
        );
        assert_eq!(
            built_in_role(&GLOBAL_ADMINISTRATOR).unwrap().display_name,
            "Global Administrator"
        );
        assert!(built_in_role(&Uuid::nil()).is_none());
    }

    #[test]
    fn actions_are_well_formed_directory_actions_without_duplicates() {
        for role in BUILT_IN_ROLES {
            let mut seen = std::collections::HashSet::new();
            for action in role.allowed_resource_actions {
                assert!(
                    action.starts_with("microsoft.directory/"),
                    "{}: {action}",
                    role.display_name
                );
                let segments: Vec<_> = action.split('/').collect();
                assert!(segments.len() >= 3, "{}: {action}", role.display_name);
                assert!(
                    segments.iter().all(|s| !s.is_empty()),
                    "{}: {action}",
                    role.display_name
                );
                assert!(
                    !action.contains(char::is_whitespace),
                    "{}: {action}",
                    role.display_name
                );
                assert!(
                    seen.insert(action.to_lowercase()),
                    "{}: duplicate {action}",
                    role.display_name
                );
            }
        }
    }

    #[test]
    fn custom_security_attribute_rights_come_only_from_the_attribute_roles() {
        for role in BUILT_IN_ROLES {
            let has_csa = role
                .allowed_resource_actions
                .iter()
                .any(|a| is_custom_security_attribute_action(a));
            assert_eq!(
                has_csa,
                role.display_name.starts_with("Attribute "),
                "{}",
                role.display_name
            );
        }
        for id in [GLOBAL_ADMINISTRATOR, GLOBAL_READER] {
            let role = built_in_role(&id).unwrap();
            assert!(
                !role
                    .allowed_resource_actions
                    .iter()
                    .any(|a| a.to_lowercase().contains("customsecurityattribute"))
            );
            assert!(
                !role
                    .allowed_resource_actions
                    .iter()
                    .any(|a| a.contains("attributeSets"))
            );
        }
    }

    #[test]
    fn global_reader_only_reads() {
        let role = built_in_role(&GLOBAL_READER).unwrap();
        assert!(!role.allowed_resource_actions.is_empty());
        for action in role.allowed_resource_actions {
            assert!(
                action.ends_with("/read") || action.ends_with("/restrictedRead"),
                "{action}"
            );
        }
    }

    #[test]
    fn only_privileged_role_and_global_administrators_manage_role_assignments() {
        let writes_roles = |role: &BuiltInRole| {
            role.allowed_resource_actions.iter().any(|a| {
                (a.starts_with("microsoft.directory/roleAssignments/")
                    || a.starts_with("microsoft.directory/groupsAssignableToRoles/"))
                    && !a.ends_with("/read")
            })
        };
        let mut holders: Vec<_> = BUILT_IN_ROLES
            .iter()
            .filter(|r| writes_roles(r))
            .map(|r| r.template_id)
            .collect();
        holders.sort();
        let mut expected = vec![GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_ADMINISTRATOR];
        expected.sort();
        assert_eq!(holders, expected);
    }

    #[test]
    fn exactly_sixteen_roles_need_mfa_under_security_defaults_and_all_are_privileged() {
        let mfa: Vec<_> = BUILT_IN_ROLES
            .iter()
            .filter(|r| requires_mfa_under_security_defaults(&r.template_id))
            .collect();
        assert_eq!(mfa.len(), 16);
        assert!(mfa.iter().all(|r| r.is_privileged));
        for id in SECURITY_DEFAULTS_MFA_ROLES {
            assert!(built_in_role(&id).is_some());
        }
        assert!(requires_mfa_under_security_defaults(&GLOBAL_ADMINISTRATOR));
        assert!(requires_mfa_under_security_defaults(
            &IDENTITY_GOVERNANCE_ADMINISTRATOR
        ));
        assert!(!requires_mfa_under_security_defaults(&GLOBAL_READER));
        assert!(!requires_mfa_under_security_defaults(
            &DIRECTORY_SYNCHRONIZATION_ACCOUNTS
        ));
    }

    #[test]
    fn helpdesk_and_password_administrators_reset_passwords() {
        for id in [
            HELPDESK_ADMINISTRATOR,
            PASSWORD_ADMINISTRATOR,
            USER_ADMINISTRATOR,
        ] {
            let role = built_in_role(&id).unwrap();
            assert!(
                role.allowed_resource_actions
                    .contains(&"microsoft.directory/users/password/update")
            );
        }
        assert!(!built_in_role(&DIRECTORY_READERS).unwrap().is_privileged);
    }
}
