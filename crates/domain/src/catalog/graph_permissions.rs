//! Microsoft Graph's permissions, with Microsoft's real ids, as the Graph service principal exposes them
//! (`oauth2PermissionScopes` and `appRoles` of appId 00000003-0000-0000-c000-000000000000).
//!
//! The catalogue covers the permissions of every resource Gatehouse implements (spec 17 §8), each in the
//! variants Microsoft publishes: some exist only as delegated permissions (`User.Read`,
//! `Directory.AccessAsUser.All`, `UserAuthenticationMethod.Read`/`ReadWrite`) and some only as application
//! permissions (`Application.ReadWrite.OwnedBy`, `Group.Create`, `Device.ReadWrite.All`). The OpenID
//! Connect scopes that Graph exposes as delegated permissions (`openid`, `profile`, `email`,
//! `offline_access`) come first. Ids, display names and descriptions are Microsoft's, so clients that
//! put permission ids in `requiredResourceAccess` or `appRoleAssignments` work unchanged.

use uuid::{Uuid, uuid};

/// A delegated permission (Graph permissionScope) exposed by the Microsoft Graph resource.
#[derive(Debug)]
pub struct DelegatedPermission {
    pub id: Uuid,
    /// The scope value, e.g. "User.Read".
    pub value: &'static str,
    /// Graph permissionScope.type "Admin" (true) vs "User" (false).
    pub admin_consent_required: bool,
    pub admin_consent_display_name: &'static str,
    pub admin_consent_description: &'static str,
    pub user_consent_display_name: &'static str,
    pub user_consent_description: &'static str,
}

/// An application permission (Graph appRole with allowedMemberTypes ["Application"]).
#[derive(Debug)]
pub struct ApplicationPermission {
    pub id: Uuid,
    pub value: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
}

/// Microsoft Graph's delegated permissions (`oauth2PermissionScopes`).
pub static DELEGATED: &[DelegatedPermission] = &[
    DelegatedPermission {
        id: uuid!("37f7f235-527c-4136-accd-4a02d197296e"),
        value: "openid",
        admin_consent_required: false,
        admin_consent_display_name: "Sign users in",
        admin_consent_description: "Allows users to sign in to the app with their work or school accounts and allows the app to see basic user profile information.",
        user_consent_display_name: "Sign in as you",
        user_consent_description: "Allows you to sign in to the app with your work or school account and allows the app to read your basic profile information.",
    },
    DelegatedPermission {
        id: uuid!("14dad69e-099b-42c9-810b-d002981feec1"),
        value: "profile",
        admin_consent_required: false,
        admin_consent_display_name: "View users' basic profile",
        admin_consent_description: "Allows the app to see your users' basic profile (e.g., name, picture, user name, email address)",
        user_consent_display_name: "View your basic profile",
        user_consent_description: "Allows the app to see your basic profile (e.g., name, picture, user name, email address)",
    },
    DelegatedPermission {
        id: uuid!("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0"),
        value: "email",
        admin_consent_required: false,
        admin_consent_display_name: "View users' email address",
        admin_consent_description: "Allows the app to read your users' primary email address",
        user_consent_display_name: "View your email address",
        user_consent_description: "Allows the app to read your primary email address",
    },
    DelegatedPermission {
        id: uuid!("7427e0e9-2fba-42fe-b0c0-848c9e6a8182"),
        value: "offline_access",
        admin_consent_required: false,
        admin_consent_display_name: "Maintain access to data you have given it access to",
        admin_consent_description: "Allows the app to see and update the data you gave it access to, even when users are not currently using the app. This does not give the app any additional permissions.",
        user_consent_display_name: "Maintain access to data you have given it access to",
        user_consent_description: "Allows the app to see and update the data you gave it access to, even when you are not currently using the app. This does not give the app any additional permissions.",
    },
    DelegatedPermission {
        id: uuid!("e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        value: "User.Read",
        admin_consent_required: false,
        admin_consent_display_name: "Sign in and read user profile",
        admin_consent_description: "Allows users to sign-in to the app, and allows the app to read the profile of signed-in users. It also allows the app to read basic company information of signed-in users.",
        user_consent_display_name: "Sign you in and read your profile",
        user_consent_description: "Allows you to sign in to the app with your organizational account and let the app read your profile. It also allows the app to read basic company information.",
    },
    DelegatedPermission {
        id: uuid!("b4e74841-8e56-480b-be8b-910348b18b4c"),
        value: "User.ReadWrite",
        admin_consent_required: false,
        admin_consent_display_name: "Read and write access to user profile",
        admin_consent_description: "Allows the app to read the signed-in user's full profile. It also allows the app to update the signed-in user's profile information on their behalf.",
        user_consent_display_name: "Read and update your profile",
        user_consent_description: "Allows the app to read your profile, and discover your group membership, reports and manager. It also allows the app to update your profile information on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("b340eb25-3456-403f-be2f-af7a0d370277"),
        value: "User.ReadBasic.All",
        admin_consent_required: false,
        admin_consent_display_name: "Read all users' basic profiles",
        admin_consent_description: "Allows the app to read a basic set of profile properties of other users in your organization on behalf of the signed-in user. This includes display name, first and last name, email address and photo.",
        user_consent_display_name: "Read all users' basic profiles",
        user_consent_description: "Allows the app to read a basic set of profile properties of other users in your organization on your behalf. Includes display name, first and last name, email address and photo.",
    },
    DelegatedPermission {
        id: uuid!("a154be20-db9c-4678-8ab7-66f6cc099a59"),
        value: "User.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all users' full profiles",
        admin_consent_description: "Allows the app to read the full set of profile properties, reports, and managers of other users in your organization, on behalf of the signed-in user.",
        user_consent_display_name: "Read all users' full profiles",
        user_consent_description: "Allows the app to read the full set of profile properties, reports, and managers of other users in your organization, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("204e0828-b5ca-4ad8-b9f3-f32a958e7cc4"),
        value: "User.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write all users' full profiles",
        admin_consent_description: "Allows the app to read and write the full set of profile properties, reports, and managers of other users in your organization, on behalf of the signed-in user.",
        user_consent_display_name: "Read and write all users' full profiles",
        user_consent_description: "Allows the app to read and write the full set of profile properties, reports, and managers of other users in your organization, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("63dd7cd9-b489-4adf-a28c-ac38b9a0f962"),
        value: "User.Invite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Invite guest users to the organization",
        admin_consent_description: "Allows the app to invite guest users to the organization, on behalf of the signed-in user.",
        user_consent_display_name: "Invite guest users to the organization",
        user_consent_description: "Allows the app to invite guest users to the organization, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("f92e74e7-2563-467f-9dd0-902688cb5863"),
        value: "User.EnableDisableAccount.All",
        admin_consent_required: true,
        admin_consent_display_name: "Enable and disable user accounts",
        admin_consent_description: "Allows the app to enable and disable users' accounts, on behalf of the signed-in user.",
        user_consent_display_name: "Enable and disable user accounts",
        user_consent_description: "Allows the app to enable and disable users' accounts, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("56760768-b641-451f-8906-e1b8ab31bca7"),
        value: "User-PasswordProfile.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write password profiles and reset user passwords",
        admin_consent_description: "Allows the app to read and write password profiles and reset passwords for all users, on behalf of the signed-in user.",
        user_consent_display_name: "Read and write password profiles and reset user passwords",
        user_consent_description: "Allows the app to read and write password profiles and reset passwords for all users, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("5f8c59db-677d-491f-a6b8-5f174b11ec1d"),
        value: "Group.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all groups",
        admin_consent_description: "Allows the app to list groups, and to read their properties and all group memberships on behalf of the signed-in user.  Also allows the app to read calendar, conversations, files, and other group content for all groups the signed-in user can access.",
        user_consent_display_name: "Read all groups",
        user_consent_description: "Allows the app to list groups, and to read their properties and all group memberships on your behalf.  Also allows the app to read calendar, conversations, files, and other group content for all groups you can access.  ",
    },
    DelegatedPermission {
        id: uuid!("4e46008b-f24c-477d-8fff-7bb4ec7aafe0"),
        value: "Group.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write all groups",
        admin_consent_description: "Allows the app to create groups and read all group properties and memberships on behalf of the signed-in user.  Additionally allows group owners to manage their groups and allows group members to update group content.",
        user_consent_display_name: "Read and write all groups",
        user_consent_description: "Allows the app to create groups and read all group properties and memberships on your behalf.  Additionally allows the app to manage your groups and to update group content for groups you are a member of.",
    },
    DelegatedPermission {
        id: uuid!("bc024368-1153-4739-b217-4326f2e966d0"),
        value: "GroupMember.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read group memberships",
        admin_consent_description: "Allows the app to list groups, read basic group properties and read membership of all groups the signed-in user has access to.",
        user_consent_display_name: "Read group memberships",
        user_consent_description: "Allows the app to list groups, read basic group properties and read membership of all your groups.",
    },
    DelegatedPermission {
        id: uuid!("f81125ac-d3b7-4573-a3b2-7099cc39df9e"),
        value: "GroupMember.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write group memberships",
        admin_consent_description: "Allows the app to list groups, read basic properties, read and update the membership of the groups the signed-in user has access to. Group properties and owners cannot be updated and groups cannot be deleted.",
        user_consent_display_name: "Read and write group memberships",
        user_consent_description: "Allows the app to list groups, read basic properties, read and update the membership of your groups. Group properties and owners cannot be updated and groups cannot be deleted.",
    },
    DelegatedPermission {
        id: uuid!("951183d1-1a61-466f-a6d1-1fde911bfd95"),
        value: "Device.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all devices",
        admin_consent_description: "Allows the app to read your organization's devices' configuration information on behalf of the signed-in user.",
        user_consent_display_name: "Read all devices",
        user_consent_description: "Allows the app to read devices' configuration information on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("06da0dbc-49e2-44d2-8312-53f166ab848a"),
        value: "Directory.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read directory data",
        admin_consent_description: "Allows the app to read data in your organization's directory, such as users, groups and apps.",
        user_consent_display_name: "Read directory data",
        user_consent_description: "Allows the app to read data in your organization's directory.",
    },
    DelegatedPermission {
        id: uuid!("c5366453-9fb0-48a5-a156-24f0c49a4b84"),
        value: "Directory.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write directory data",
        admin_consent_description: "Allows the app to read and write data in your organization's directory, such as users, and groups.  It does not allow the app to delete users or groups, or reset user passwords.",
        user_consent_display_name: "Read and write directory data",
        user_consent_description: "Allows the app to read and write data in your organization's directory, such as other users, groups.  It does not allow the app to delete users or groups, or reset user passwords.",
    },
    DelegatedPermission {
        id: uuid!("0e263e50-5827-48a4-b97c-d940288653c7"),
        value: "Directory.AccessAsUser.All",
        admin_consent_required: true,
        admin_consent_display_name: "Access directory as the signed in user",
        admin_consent_description: "Allows the app to have the same access to information in the directory as the signed-in user.",
        user_consent_display_name: "Access the directory as you",
        user_consent_description: "Allows the app to have the same access to information in your work or school directory as you do.",
    },
    DelegatedPermission {
        id: uuid!("c79f8feb-a9db-4090-85f9-90d820caa0eb"),
        value: "Application.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read applications",
        admin_consent_description: "Allows the app to read applications and service principals on behalf of the signed-in user.",
        user_consent_display_name: "Read applications",
        user_consent_description: "Allows the app to read applications and service principals on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("bdfbf15f-ee85-4955-8675-146e8e5296b5"),
        value: "Application.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write applications",
        admin_consent_description: "Allows the app to create, read, update and delete applications and service principals on behalf of the signed-in user. Allows management of app role assignments, except those exposed by Microsoft Graph. Does not allow management of delegated permission grants.",
        user_consent_display_name: "Read and write applications",
        user_consent_description: "Allows the app to create, read, update and delete applications and service principals on your behalf. Allows management of app role assignments, except those exposed by Microsoft Graph. Does not allow management of delegated permission grants.",
    },
    DelegatedPermission {
        id: uuid!("84bccea3-f856-4a8a-967b-dbe0a3d53a64"),
        value: "AppRoleAssignment.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Manage app permission grants and app role assignments",
        admin_consent_description: "Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, on behalf of the signed-in user.",
        user_consent_display_name: "Manage app permission grants and app role assignments",
        user_consent_description: "Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("41ce6ca6-6826-4807-84f1-1c82854f7ee5"),
        value: "DelegatedPermissionGrant.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Manage all delegated permission grants",
        admin_consent_description: "Allows the app to manage permission grants for delegated permissions exposed by any API (including Microsoft Graph), on behalf of the signed in user.",
        user_consent_display_name: "Manage all delegated permission grants",
        user_consent_description: "Allows the app to manage permission grants for delegated permissions exposed by any API (including Microsoft Graph), on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("741c54c3-0c1e-44a1-818b-3f97ab4e8c83"),
        value: "RoleManagement.Read.Directory",
        admin_consent_required: true,
        admin_consent_display_name: "Read directory RBAC settings",
        admin_consent_description: "Allows the app to read the role-based access control (RBAC) settings for your company's directory, on behalf of the signed-in user.  This includes reading directory role templates, directory roles and memberships.",
        user_consent_display_name: "Read directory RBAC settings",
        user_consent_description: "Allows the app to read the role-based access control (RBAC) settings for your company's directory, on your behalf.  This includes reading directory role templates, directory roles and memberships.",
    },
    DelegatedPermission {
        id: uuid!("d01b97e9-cbc0-49fe-810a-750afd5527a3"),
        value: "RoleManagement.ReadWrite.Directory",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write directory RBAC settings",
        admin_consent_description: "Allows the app to read and manage the role-based access control (RBAC) settings for your company's directory, on behalf of the signed-in user. This includes instantiating directory roles and managing directory role membership, and reading directory role templates, directory roles and memberships.",
        user_consent_display_name: "Read and write directory RBAC settings",
        user_consent_description: "Allows the app to read and manage the role-based access control (RBAC) settings for your company's directory, on your behalf. This includes instantiating directory roles and managing directory role membership, and reading directory role templates, directory roles and memberships.",
    },
    DelegatedPermission {
        id: uuid!("8c026be3-8e26-4774-9372-8d5d6f21daff"),
        value: "RoleAssignmentSchedule.ReadWrite.Directory",
        admin_consent_required: true,
        admin_consent_display_name: "Read, update, and delete all active role assignments for your company's directory",
        admin_consent_description: "Allows the app to read and manage the active role-based access control (RBAC) assignments for your company's directory, on behalf of the signed-in user. This includes managing active directory role membership, and reading directory role templates, directory roles and active memberships.",
        user_consent_display_name: "Read, update, and delete all active role assignments for your company's directory",
        user_consent_description: "Allows the app to read and manage the active role-based access control (RBAC) assignments for your company's directory, on your behalf. This includes managing active directory role membership, and reading directory role templates, directory roles and active memberships.",
    },
    DelegatedPermission {
        id: uuid!("62ade113-f8e0-4bf9-a6ba-5acb31db32fd"),
        value: "RoleEligibilitySchedule.ReadWrite.Directory",
        admin_consent_required: true,
        admin_consent_display_name: "Read, update, and delete  all eligible role assignments for your company's directory",
        admin_consent_description: "Allows the app to read and manage the eligible role-based access control (RBAC) assignments for your company's directory, on behalf of the signed-in user. This includes managing eligible directory role membership, and reading directory role templates, directory roles and eligible memberships.",
        user_consent_display_name: "Read, update, and delete  all eligible role assignments for your company's directory",
        user_consent_description: "Allows the app to read and manage the eligible role-based access control (RBAC) assignments for your company's directory, on your behalf. This includes managing eligible directory role membership, and reading directory role templates, directory roles and eligible memberships.",
    },
    DelegatedPermission {
        id: uuid!("e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20"),
        value: "AuditLog.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read audit log data",
        admin_consent_description: "Allows the app to read and query your audit log activities, on behalf of the signed-in user.",
        user_consent_display_name: "Read audit log data",
        user_consent_description: "Allows the app to read and query your audit log activities, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("02e97553-ed7b-43d0-ab3c-f8bace0d040c"),
        value: "Reports.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all usage reports",
        admin_consent_description: "Allows an app to read all service usage reports on behalf of the signed-in user.  Services that provide usage reports include Office 365 and Azure Active Directory.",
        user_consent_display_name: "Read all usage reports",
        user_consent_description: "Allows an app to read all service usage reports on your behalf. Services that provide usage reports include Office 365 and Azure Active Directory.",
    },
    DelegatedPermission {
        id: uuid!("469cd065-729e-4dee-b1fa-d92e0fab6310"),
        value: "ProfilePhoto.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read profile photo of a user or group",
        admin_consent_description: "Allows the app to read all profile photos of users and groups, on behalf of the signed-in user.",
        user_consent_display_name: "Read profile photo of a user or group",
        user_consent_description: "Allows the app to read all profile photos of users and groups, on your behalf",
    },
    DelegatedPermission {
        id: uuid!("f5b24df7-511e-48bb-ae88-643f023b55e1"),
        value: "ProfilePhoto.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write profile photo of a user or group",
        admin_consent_description: "Allows the app to read and write all profile photos of users and groups, on behalf of the signed-in user.",
        user_consent_display_name: "Read and write profile photo of a user or group",
        user_consent_description: "Allows the app to read and write all profile photos of users and groups, on your behalf",
    },
    DelegatedPermission {
        id: uuid!("1f6b61c5-2f65-4135-9c9f-31c0f8d32b52"),
        value: "UserAuthenticationMethod.Read",
        admin_consent_required: true,
        admin_consent_display_name: "Read user authentication methods.",
        admin_consent_description: "Allows the app to read the signed-in user's authentication methods, including phone numbers and Authenticator app settings. This does not allow the app to see secret information like the signed-in user's passwords, or to sign-in  or otherwise use the signed-in user's authentication methods.",
        user_consent_display_name: "Read your authentication methods.",
        user_consent_description: "Allows the app to read your authentication methods, including phone numbers and Authenticator app settings. This does not allow the app to see secret information like your passwords, or to sign-in or otherwise use your authentication methods.",
    },
    DelegatedPermission {
        id: uuid!("48971fc1-70d7-4245-af77-0beb29b53ee2"),
        value: "UserAuthenticationMethod.ReadWrite",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write user authentication methods",
        admin_consent_description: "Allows the app to read and write the signed-in user's authentication methods, including phone numbers and Authenticator app settings.                       This does not allow the app to see secret information like the signed-in user's passwords, or                      to sign-in or otherwise use the signed-in user's authentication methods.  ",
        user_consent_display_name: "Read and write your authentication methods",
        user_consent_description: "Allows the app to read and write your authentication methods, including phone numbers and Authenticator app settings.This does not allow the app to see secret information like your passwords, or to sign-in or otherwise use your authentication methods.",
    },
    DelegatedPermission {
        id: uuid!("aec28ec7-4d02-4e8c-b864-50163aea77eb"),
        value: "UserAuthenticationMethod.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all users' authentication methods",
        admin_consent_description: "Allows the app to read authentication methods of all users in your organization that the signed-in user has access to. Authentication methods include things like a user’s phone numbers and Authenticator app settings. This does not allow the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods.",
        user_consent_display_name: "Read all users' authentication methods",
        user_consent_description: "Allows the app to read authentication methods of all users you have access to in your organization. Authentication methods include things like a user’s phone numbers and Authenticator app settings. This does not allow the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods.",
    },
    DelegatedPermission {
        id: uuid!("b7887744-6746-4312-813d-72daeaee7e2d"),
        value: "UserAuthenticationMethod.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write all users' authentication methods",
        admin_consent_description: " Allows the app to read and write authentication methods of all users in your organization that the signed-in user has access to.                       Authentication methods include things like a user's phone numbers and Authenticator app settings. This                      does not allow the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods.",
        user_consent_display_name: "Read and write all users' authentication methods",
        user_consent_description: "Allows the app to read and write authentication methods of all users you have access to in your organization.                       Authentication methods include things like a user's phone numbers and Authenticator app settings. This does not allow                      the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods.",
    },
    DelegatedPermission {
        id: uuid!("572fea84-0151-49b2-9301-11cb16974376"),
        value: "Policy.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read your organization's policies",
        admin_consent_description: "Allows the app to read your organization's policies on behalf of the signed-in user.",
        user_consent_display_name: "Read your organization's policies",
        user_consent_description: "Allows the app to read your organization's policies on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("ad902697-1014-4ef5-81ef-2b4301988e8c"),
        value: "Policy.ReadWrite.ConditionalAccess",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write your organization's conditional access policies",
        admin_consent_description: "Allows the app to read and write your organization's conditional access policies on behalf of the signed-in user.",
        user_consent_display_name: "Read and write your organization's conditional access policies",
        user_consent_description: "Allows the app to read and write your organization's conditional access policies on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("7e823077-d88e-468f-a337-e18f1f0e6c7c"),
        value: "Policy.ReadWrite.AuthenticationMethod",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write authentication method policies",
        admin_consent_description: "Allows the app to read and write the authentication method policies, on behalf of the signed-in user. ",
        user_consent_display_name: "Read and write your authentication method policies ",
        user_consent_description: "Allows the app to read and write the authentication method policies for your tenant, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("edd3c878-b384-41fd-95ad-e7407dd775be"),
        value: "Policy.ReadWrite.Authorization",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write your organization's authorization policy",
        admin_consent_description: "Allows the app to read and write your organization's authorization policy on behalf of the signed-in user.  For example, authorization policies can control some of the permissions that the out-of-the-box user role has by default.",
        user_consent_display_name: "Read and write your organization's authorization policy",
        user_consent_description: "Allows the app to read and write your organization's authorization policy on your behalf. For example, authorization policies can control some of the permissions that the out-of-the-box user role has by default.",
    },
    DelegatedPermission {
        id: uuid!("0b2a744c-2abf-4f1e-ad7e-17a087e2be99"),
        value: "Policy.ReadWrite.SecurityDefaults",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write your organization's security defaults policy",
        admin_consent_description: "Allows the app to read and write your organization's security defaults policy on behalf of the signed-in user.",
        user_consent_display_name: "Read and write your organization's security defaults policy",
        user_consent_description: "Allows the app to read and write your organization's security defaults policy on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("b27add92-efb2-4f16-84f5-8108ba77985c"),
        value: "Policy.ReadWrite.ApplicationConfiguration",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write your organization's application configuration policies",
        admin_consent_description: "Allows the app to read and write your organization's application configuration policies on behalf of the signed-in user.  This includes policies such as activityBasedTimeoutPolicy, claimsMappingPolicy, homeRealmDiscoveryPolicy,  tokenIssuancePolicy and tokenLifetimePolicy.",
        user_consent_display_name: "Read and write your organization's application configuration policies",
        user_consent_description: "Allows the app to read and write your organization's application configuration policies on your behalf.  This includes policies such as activityBasedTimeoutPolicy, claimsMappingPolicy, homeRealmDiscoveryPolicy, tokenIssuancePolicy  and tokenLifetimePolicy.",
    },
    DelegatedPermission {
        id: uuid!("d04bb851-cb7c-4146-97c7-ca3e71baf56c"),
        value: "IdentityRiskyUser.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read identity risky user information",
        admin_consent_description: "Allows the app to read identity risky user information for all users in your organization on behalf of the signed-in user.",
        user_consent_display_name: "Read identity risky user information",
        user_consent_description: "Allows the app to read identity risky user information for all users in your organization on behalf of the signed-in user.",
    },
    DelegatedPermission {
        id: uuid!("e0a7cdbb-08b0-4697-8264-0069786e9674"),
        value: "IdentityRiskyUser.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write risky user information",
        admin_consent_description: "Allows the app to read and update identity risky user information for all users in your organization on behalf of the signed-in user. Update operations include dismissing risky users.",
        user_consent_display_name: "Read and write identity risky user information",
        user_consent_description: "Allows the app to read and update identity risky user information for all users in your organization on your behalf. Update operations include dismissing risky users.",
    },
    DelegatedPermission {
        id: uuid!("8f6a01e7-0391-4ee5-aa22-a3af122cef27"),
        value: "IdentityRiskEvent.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read identity risk event information",
        admin_consent_description: "Allows the app to read identity risk event information for all users in your organization on behalf of the signed-in user.",
        user_consent_display_name: "Read identity risk event information",
        user_consent_description: "Allows the app to read identity risk event information for all users in your organization on behalf of the signed-in user.",
    },
    DelegatedPermission {
        id: uuid!("2f9ee017-59c1-4f1d-9472-bd5529a7b311"),
        value: "Domain.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read domains.",
        admin_consent_description: "Allows the app to read all domain properties on behalf of the signed-in user.",
        user_consent_display_name: "Read domains.",
        user_consent_description: "Allows the app to read all domain properties on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("0b5d694c-a244-4bde-86e6-eb5cd07730fe"),
        value: "Domain.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write domains",
        admin_consent_description: "Allows the app to read and write all domain properties on behalf of the signed-in user. Also allows the app to add, verify and remove domains.",
        user_consent_display_name: "Read and write domains",
        user_consent_description: "Allows the app to read and write all domain properties on your behalf. Also allows the app to add, verify and remove domains.",
    },
    DelegatedPermission {
        id: uuid!("4908d5b9-3fb2-4b1e-9336-1888b7937185"),
        value: "Organization.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read organization information",
        admin_consent_description: "Allows the app to read the organization and related resources, on behalf of the signed-in user. Related resources include things like subscribed skus and tenant branding information.",
        user_consent_display_name: "Read organization information",
        user_consent_description: "Allows the app to read the organization and related resources, on your behalf. Related resources include things like subscribed skus and tenant branding information.",
    },
    DelegatedPermission {
        id: uuid!("46ca0847-7e6b-426e-9775-ea810a948356"),
        value: "Organization.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write organization information",
        admin_consent_description: "Allows the app to read and write the organization and related resources, on behalf of the signed-in user. Related resources include things like subscribed skus and tenant branding information.",
        user_consent_display_name: "Read and write organization information",
        user_consent_description: "Allows the app to read and write the organization and related resources, on your behalf. Related resources include things like subscribed skus and tenant branding information.",
    },
    DelegatedPermission {
        id: uuid!("15ce63de-b141-4c9a-a9a5-241bf27c6aaf"),
        value: "OrganizationalBranding.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write organizational branding information",
        admin_consent_description: "Allows the app to read and write the organizational branding information, on behalf of the signed-in user.",
        user_consent_display_name: "Read and write organizational branding information",
        user_consent_description: "Allows the app to read and write the organizational branding information, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("f55016cc-149c-447e-8f21-7cf3ec1d6350"),
        value: "LicenseAssignment.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Manage all license assignments",
        admin_consent_description: "Allows an app to manage license assignments for users and groups, on behalf of the signed-in user.",
        user_consent_display_name: "Manage all license assignments",
        user_consent_description: "Allows the app to manage all license assignments, on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("ce026878-a0ff-4745-a728-d4fedd086c07"),
        value: "CustomSecAttributeDefinition.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read custom security attribute definitions",
        admin_consent_description: "Allows the app to read custom security attribute definitions for the tenant on behalf of a signed in user.",
        user_consent_display_name: "Read custom security attribute definitions",
        user_consent_description: "Allows the app to read custom security attribute definitions for the tenant on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("8b0160d4-5743-482b-bb27-efc0a485ca4a"),
        value: "CustomSecAttributeDefinition.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write custom security attribute definitions",
        admin_consent_description: "Allows the app to read and write custom security attribute definitions for the tenant on behalf of a signed in user.",
        user_consent_display_name: "Read and write custom security attribute definitions",
        user_consent_description: "Allows the app to read and write custom security attribute definitions for the tenant on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("b46ffa80-fe3d-4822-9a1a-c200932d54d0"),
        value: "CustomSecAttributeAssignment.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read custom security attribute assignments",
        admin_consent_description: "Allows the app to read custom security attribute assignments for all principals in the tenant on behalf of a signed in user.",
        user_consent_display_name: "Read custom security attribute assignments",
        user_consent_description: "Allows the app to read custom security attribute assignments for all principals in the tenant on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("ca46335e-8453-47cd-a001-8459884efeae"),
        value: "CustomSecAttributeAssignment.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write custom security attribute assignments",
        admin_consent_description: "Allows the app to read and write custom security attribute assignments for all principals in the tenant on behalf of a signed in user.",
        user_consent_display_name: "Read and write custom security attribute assignments",
        user_consent_description: "Allows the app to read and write custom security attribute assignments for all principals in the tenant on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("1fcdeaab-b519-44dd-bffc-ed1fd15a24e0"),
        value: "CustomSecAttributeAuditLogs.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read custom security attribute audit logs",
        admin_consent_description: "Allows the app to read audit logs for events that contain information about custom security attributes, on behalf of the signed-in user.",
        user_consent_display_name: "Read custom security attribute audit logs",
        user_consent_description: "Allows the app to read custom security attributes audit logs on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("7b8a2d34-6b3f-4542-a343-54651608ad81"),
        value: "AdministrativeUnit.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write administrative units",
        admin_consent_description: "Allows the app to create, read, update, and delete administrative units and manage administrative unit membership on behalf of the signed-in user.",
        user_consent_display_name: "Read and write administrative units",
        user_consent_description: "Allows the app to create, read, update, and delete administrative units and manage administrative unit membership on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("ae7a573d-81d7-432b-ad44-4ed5c9d89038"),
        value: "EntitlementManagement.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write entitlement management resources",
        admin_consent_description: "Allows the app to request access to and management of access packages and related entitlement management resources on behalf of the signed-in user.",
        user_consent_display_name: "Read and write entitlement management resources",
        user_consent_description: "Allows the app to request access to and management of access packages and related entitlement management resources that you have access to.",
    },
    DelegatedPermission {
        id: uuid!("e4aa47b9-9a69-4109-82ed-36ec70d85ff1"),
        value: "AccessReview.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Manage all access reviews that user can access",
        admin_consent_description: "Allows the app to read, update, delete and perform actions on access reviews, reviewers, decisions and settings that the signed-in user has access to in the organization.",
        user_consent_display_name: "Manage access reviews that you can access",
        user_consent_description: "Allows the app to read, update and perform action on access reviews, reviewers, decisions and settings that you have access to.",
    },
    DelegatedPermission {
        id: uuid!("789c445d-433c-4575-a1fc-367a58a1bd4a"),
        value: "LifecycleWorkflows-Workflow.ReadBasic.All",
        admin_consent_required: true,
        admin_consent_display_name: "List all workflows in Lifecycle workflows",
        admin_consent_description: "Allows the app to list all workflows on behalf of a signed-in user.",
        user_consent_display_name: "List all workflows in Lifecycle workflows",
        user_consent_description: "Allows the app to list all workflows on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("7fabe5bd-2e47-4e61-b924-327117024e18"),
        value: "LifecycleWorkflows-Workflow.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all workflows in Lifecycle workflows",
        admin_consent_description: "Allows the app to list and read all workflows and tasks on behalf of a signed-in user.",
        user_consent_display_name: "Read all workflows in Lifecycle workflows",
        user_consent_description: "Allows the app to list and read all workflows and tasks on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("29e49f0c-a053-4cc5-a4b1-7da0c8c1e643"),
        value: "LifecycleWorkflows-Workflow.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write all workflows in Lifecycle workflows",
        admin_consent_description: "Allows the app to create, update, list, read and delete all workflows and tasks in lifecycle workflows on behalf of a signed-in user.",
        user_consent_display_name: "Read and write all workflows in Lifecycle workflows",
        user_consent_description: "Allows the app to create, update, list, read and delete all workflows and tasks in lifecycle workflows on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("df1c25b3-072c-45cd-8403-c63441e4cca1"),
        value: "LifecycleWorkflows-Workflow.Activate",
        admin_consent_required: true,
        admin_consent_display_name: "Run workflows on-demand in Lifecycle workflows",
        admin_consent_description: "Allows the app to run workflows on-demand on behalf of a signed-in user.",
        user_consent_display_name: "Run workflows on-demand in Lifecycle workflows",
        user_consent_description: "Allows the app to run workflows on-demand on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("4d3d7f81-163f-426a-8432-5638d2e82083"),
        value: "LifecycleWorkflows-Reports.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all Lifecycle workflows reports",
        admin_consent_description: "Allows the app to read all Lifecycle workflows reports on behalf of a signed-in user.",
        user_consent_display_name: "Read all Lifecycle workflows reports",
        user_consent_description: "Allows the app to read all Lifecycle workflows reports on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("2973a298-1d69-4f87-8d30-7025f0ec19d7"),
        value: "LifecycleWorkflows-CustomExt.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read all Lifecycle workflows custom task extensions",
        admin_consent_description: "Allows the app to read all Lifecycle workflows custom task extensions on behalf of a signed-in user.",
        user_consent_display_name: "Read all Lifecycle workflows custom task extensions",
        user_consent_description: "Allows the app to read all Lifecycle workflows custom task extensions on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("ef6bafb1-3019-4a22-a332-103aff92225f"),
        value: "LifecycleWorkflows-CustomExt.ReadWrite.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read and write all Lifecycle workflows custom task extensions",
        admin_consent_description: "Allows the app to create, update, list, read and delete all Lifecycle workflows custom task extensions on behalf of a signed-in user.",
        user_consent_display_name: "Read and write all Lifecycle workflows custom task extensions",
        user_consent_description: "Allows the app to create, update, list, read and delete all Lifecycle workflows custom task extensions on your behalf.",
    },
    DelegatedPermission {
        id: uuid!("64733abd-851e-478a-bffb-e47a14b18235"),
        value: "SecurityEvents.Read.All",
        admin_consent_required: true,
        admin_consent_display_name: "Read your organization’s security events",
        admin_consent_description: "Allows the app to read your organization’s security events on behalf of the signed-in user.",
        user_consent_display_name: "Read your organization’s security events",
        user_consent_description: "Allows the app to read your organization’s security events on your behalf.",
    },
];

/// Microsoft Graph's application permissions (`appRoles`).
pub static APPLICATION: &[ApplicationPermission] = &[
    ApplicationPermission {
        id: uuid!("97235f07-e226-4f63-ace3-39588e11d3a1"),
        value: "User.ReadBasic.All",
        display_name: "Read all users' basic profiles",
        description: "Allows the app to read a basic set of profile properties of other users in your organization without a signed-in user. Includes display name, first and last name, email address, open extensions, and photo.",
    },
    ApplicationPermission {
        id: uuid!("df021288-bdef-4463-88db-98f22de89214"),
        value: "User.Read.All",
        display_name: "Read all users' full profiles",
        description: "Allows the app to read user profiles without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("741f803b-c850-494e-b5df-cde7c675a1ca"),
        value: "User.ReadWrite.All",
        display_name: "Read and write all users' full profiles",
        description: "Allows the app to read and update user profiles without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("09850681-111b-4a89-9bed-3f2cae46d706"),
        value: "User.Invite.All",
        display_name: "Invite guest users to the organization",
        description: "Allows the app to invite guest users to the organization, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("3011c876-62b7-4ada-afa2-506cbbecc68c"),
        value: "User.EnableDisableAccount.All",
        display_name: "Enable and disable user accounts",
        description: "Allows the app to enable and disable users' accounts, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("cc117bb9-00cf-4eb8-b580-ea2a878fe8f7"),
        value: "User-PasswordProfile.ReadWrite.All",
        display_name: "Read and write all password profiles and reset user passwords",
        description: "Allows the app to read and write password profiles and reset passwords for all users, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("5b567255-7703-4780-807c-7be8301ae99b"),
        value: "Group.Read.All",
        display_name: "Read all groups",
        description: "Allows the app to read group properties and memberships, and read conversations for all groups, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("62a82d76-70ea-41e2-9197-370581804d09"),
        value: "Group.ReadWrite.All",
        display_name: "Read and write all groups",
        description: "Allows the app to create groups, read all group properties and memberships, update group properties and memberships, and delete groups. Also allows the app to read and write conversations. All of these operations can be performed by the app without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("bf7b1a76-6e77-406b-b258-bf5c7720e98f"),
        value: "Group.Create",
        display_name: "Create groups",
        description: "Allows the app to create groups without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("98830695-27a2-44f7-8c18-0c3ebc9698f6"),
        value: "GroupMember.Read.All",
        display_name: "Read all group memberships",
        description: "Allows the app to read memberships and basic group properties for all groups without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("dbaae8cf-10b5-4b86-a4a1-f871c94c6695"),
        value: "GroupMember.ReadWrite.All",
        display_name: "Read and write all group memberships",
        description: "Allows the app to list groups, read basic properties, read and update the membership of the groups this app has access to without a signed-in user. Group properties and owners cannot be updated and groups cannot be deleted.",
    },
    ApplicationPermission {
        id: uuid!("7438b122-aefc-4978-80ed-43db9fcc7715"),
        value: "Device.Read.All",
        display_name: "Read all devices",
        description: "Allows the app to read your organization's devices' configuration information without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("1138cb37-bd11-4084-a2b7-9f71582aeddb"),
        value: "Device.ReadWrite.All",
        display_name: "Read and write devices",
        description: "Allows the app to read and write all device properties without a signed in user.  Does not allow device creation, device deletion or update of device alternative security identifiers.",
    },
    ApplicationPermission {
        id: uuid!("7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
        value: "Directory.Read.All",
        display_name: "Read directory data",
        description: "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("19dbc75e-c2e2-444c-a770-ec69d8559fc7"),
        value: "Directory.ReadWrite.All",
        display_name: "Read and write directory data",
        description: "Allows the app to read and write data in your organization's directory, such as users, and groups, without a signed-in user.  Does not allow user or group deletion.",
    },
    ApplicationPermission {
        id: uuid!("9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"),
        value: "Application.Read.All",
        display_name: "Read all applications",
        description: "Allows the app to read all applications and service principals without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"),
        value: "Application.ReadWrite.All",
        display_name: "Read and write all applications",
        description: "Allows the app to create, read, update and delete applications and service principals without a signed-in user. Allows management of app role assignments, except those exposed by Microsoft Graph. Does not allow management of delegated permission grants.",
    },
    ApplicationPermission {
        id: uuid!("18a4783c-866b-4cc7-a460-3d5e5662c884"),
        value: "Application.ReadWrite.OwnedBy",
        display_name: "Manage apps that this app creates or owns",
        description: "Allows the app to create other applications, and fully manage those applications (read, update, update application secrets and delete), without a signed-in user.  It cannot update any apps that it is not an owner of.",
    },
    ApplicationPermission {
        id: uuid!("06b708a9-e830-4db3-a914-8e69da51d44f"),
        value: "AppRoleAssignment.ReadWrite.All",
        display_name: "Manage app permission grants and app role assignments",
        description: "Allows the app to manage permission grants for application permissions to any API (including Microsoft Graph) and application assignments for any app, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("8e8e4742-1d95-4f68-9d56-6ee75648c72a"),
        value: "DelegatedPermissionGrant.ReadWrite.All",
        display_name: "Manage all delegated permission grants",
        description: "Allows the app to manage permission grants for delegated permissions exposed by any API (including Microsoft Graph), without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("483bed4a-2ad3-4361-a73b-c83ccdbdc53c"),
        value: "RoleManagement.Read.Directory",
        display_name: "Read all directory RBAC settings",
        description: "Allows the app to read the role-based access control (RBAC) settings for your company's directory, without a signed-in user.  This includes reading directory role templates, directory roles and memberships.",
    },
    ApplicationPermission {
        id: uuid!("9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"),
        value: "RoleManagement.ReadWrite.Directory",
        display_name: "Read and write all directory RBAC settings",
        description: "Allows the app to read and manage the role-based access control (RBAC) settings for your company's directory, without a signed-in user. This includes instantiating directory roles and managing directory role membership, and reading directory role templates, directory roles and memberships.",
    },
    ApplicationPermission {
        id: uuid!("dd199f4a-f148-40a4-a2ec-f0069cc799ec"),
        value: "RoleAssignmentSchedule.ReadWrite.Directory",
        display_name: "Read, update, and delete all policies for privileged role assignments of your company's directory",
        description: "Allows the app to read, update, and delete policies for privileged role-based access control (RBAC) assignments of your company's directory, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("fee28b28-e1f3-4841-818e-2704dc62245f"),
        value: "RoleEligibilitySchedule.ReadWrite.Directory",
        display_name: "Read, update, and delete all eligible role assignments and schedules for your company's directory",
        description: "Allows the app to read and manage the eligible role-based access control (RBAC) assignments and schedules for your company's directory, without a signed-in user. This includes managing eligible directory role membership, and reading directory role templates, directory roles and eligible memberships.",
    },
    ApplicationPermission {
        id: uuid!("b0afded3-3588-46d8-8b3d-9842eff778da"),
        value: "AuditLog.Read.All",
        display_name: "Read all audit log data",
        description: "Allows the app to read and query your audit log activities, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("230c1aed-a721-4c5d-9cb4-a90514e508ef"),
        value: "Reports.Read.All",
        display_name: "Read all usage reports",
        description: "Allows an app to read all service usage reports without a signed-in user.  Services that provide usage reports include Office 365 and Azure Active Directory.",
    },
    ApplicationPermission {
        id: uuid!("e24d31aa-e1ab-4c80-85fe-23018690335d"),
        value: "ProfilePhoto.Read.All",
        display_name: "Read profile photo of a user or group",
        description: "Allows the app to read all profile photos of users and groups, without a signed-in user",
    },
    ApplicationPermission {
        id: uuid!("27baa7f6-5dfb-4ba8-b1d3-1e812c143013"),
        value: "ProfilePhoto.ReadWrite.All",
        display_name: "Read and write profile photo of a user or group",
        description: "Allows the app to read and write all profile photos of users and groups, without a signed-in user",
    },
    ApplicationPermission {
        id: uuid!("38d9df27-64da-44fd-b7c5-a6fbac20248f"),
        value: "UserAuthenticationMethod.Read.All",
        display_name: "Read all users' authentication methods",
        description: "Allows the app to read authentication methods of all users in your organization, without a signed-in user. Authentication methods include things like a user’s phone numbers and Authenticator app settings. This does not allow the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods.",
    },
    ApplicationPermission {
        id: uuid!("50483e42-d915-4231-9639-7fdb7fd190e5"),
        value: "UserAuthenticationMethod.ReadWrite.All",
        display_name: "Read and write all users' authentication methods ",
        description: "Allows the application to read and write authentication methods of all users in your organization, without a signed-in user.                       Authentication methods include things like a user's phone numbers and Authenticator app settings. This                      does not allow the app to see secret information like passwords, or to sign-in or otherwise use the authentication methods",
    },
    ApplicationPermission {
        id: uuid!("246dd0d5-5bd0-4def-940b-0421030a5b68"),
        value: "Policy.Read.All",
        display_name: "Read your organization's policies",
        description: "Allows the app to read all your organization's policies without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("01c0a623-fc9b-48e9-b794-0756f8e8f067"),
        value: "Policy.ReadWrite.ConditionalAccess",
        display_name: "Read and write your organization's conditional access policies",
        description: "Allows the app to read and write your organization's conditional access policies, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("29c18626-4985-4dcd-85c0-193eef327366"),
        value: "Policy.ReadWrite.AuthenticationMethod",
        display_name: "Read and write all authentication method policies ",
        description: "Allows the app to read and write all authentication method policies for the tenant, without a signed-in user. ",
    },
    ApplicationPermission {
        id: uuid!("fb221be6-99f2-473f-bd32-01c6a0e9ca3b"),
        value: "Policy.ReadWrite.Authorization",
        display_name: "Read and write your organization's authorization policy",
        description: "Allows the app to read and write your organization's authorization policy without a signed in user. For example, authorization policies can control some of the permissions that the out-of-the-box user role has by default.",
    },
    ApplicationPermission {
        id: uuid!("1c6e93a6-28e2-4cbb-9f64-1a46a821124d"),
        value: "Policy.ReadWrite.SecurityDefaults",
        display_name: "Read and write your organization's security defaults policy",
        description: "Allows the app to read and write your organization's security defaults policy, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("be74164b-cff1-491c-8741-e671cb536e13"),
        value: "Policy.ReadWrite.ApplicationConfiguration",
        display_name: "Read and write your organization's application configuration policies",
        description: "Allows the app to read and write your organization's application configuration policies, without a signed-in user.  This includes policies such as activityBasedTimeoutPolicy, claimsMappingPolicy, homeRealmDiscoveryPolicy, tokenIssuancePolicy  and tokenLifetimePolicy.",
    },
    ApplicationPermission {
        id: uuid!("dc5007c0-2d7d-4c42-879c-2dab87571379"),
        value: "IdentityRiskyUser.Read.All",
        display_name: "Read all identity risky user information",
        description: "Allows the app to read the identity risky user information for your organization without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("656f6061-f9fe-4807-9708-6a2e0934df76"),
        value: "IdentityRiskyUser.ReadWrite.All",
        display_name: "Read and write all risky user information",
        description: "Allows the app to read and update identity risky user information for your organization without a signed-in user.  Update operations include dismissing risky users.",
    },
    ApplicationPermission {
        id: uuid!("6e472fd1-ad78-48da-a0f0-97ab2c6b769e"),
        value: "IdentityRiskEvent.Read.All",
        display_name: "Read all identity risk event information",
        description: "Allows the app to read the identity risk event information for your organization without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("dbb9058a-0e50-45d7-ae91-66909b5d4664"),
        value: "Domain.Read.All",
        display_name: "Read domains",
        description: "Allows the app to read all domain properties without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("7e05723c-0bb0-42da-be95-ae9f08a6e53c"),
        value: "Domain.ReadWrite.All",
        display_name: "Read and write domains",
        description: "Allows the app to read and write all domain properties without a signed in user.  Also allows the app to add,  verify and remove domains.",
    },
    ApplicationPermission {
        id: uuid!("498476ce-e0fe-48b0-b801-37ba7e2685c6"),
        value: "Organization.Read.All",
        display_name: "Read organization information",
        description: "Allows the app to read the organization and related resources, without a signed-in user. Related resources include things like subscribed skus and tenant branding information.",
    },
    ApplicationPermission {
        id: uuid!("292d869f-3427-49a8-9dab-8c70152b74e9"),
        value: "Organization.ReadWrite.All",
        display_name: "Read and write organization information",
        description: "Allows the app to read and write the organization and related resources, without a signed-in user. Related resources include things like subscribed skus and tenant branding information.",
    },
    ApplicationPermission {
        id: uuid!("d2ebfbc1-a5f8-424b-83a6-56ab5927a73c"),
        value: "OrganizationalBranding.ReadWrite.All",
        display_name: "Read and write organizational branding information",
        description: "Allows the app to read and write the organizational branding information, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("5facf0c1-8979-4e95-abcf-ff3d079771c0"),
        value: "LicenseAssignment.ReadWrite.All",
        display_name: "Manage all license assignments",
        description: "Allows an app to manage license assignments for users and groups, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("b185aa14-d8d2-42c1-a685-0f5596613624"),
        value: "CustomSecAttributeDefinition.Read.All",
        display_name: "Read custom security attribute definitions",
        description: "Allows the app to read custom security attribute definitions for the tenant without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("12338004-21f4-4896-bf5e-b75dfaf1016d"),
        value: "CustomSecAttributeDefinition.ReadWrite.All",
        display_name: "Read and write custom security attribute definitions",
        description: "Allows the app to read and write custom security attribute definitions for the tenant without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("3b37c5a4-1226-493d-bec3-5d6c6b866f3f"),
        value: "CustomSecAttributeAssignment.Read.All",
        display_name: "Read custom security attribute assignments",
        description: "Allows the app to read custom security attribute assignments for all principals in the tenant without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("de89b5e4-5b8f-48eb-8925-29c2b33bd8bd"),
        value: "CustomSecAttributeAssignment.ReadWrite.All",
        display_name: "Read and write custom security attribute assignments",
        description: "Allows the app to read and write custom security attribute assignments for all principals in the tenant without a signed in user.",
    },
    ApplicationPermission {
        id: uuid!("2a4f026d-e829-4e84-bdbf-d981a2703059"),
        value: "CustomSecAttributeAuditLogs.Read.All",
        display_name: "Read all custom security attribute audit logs",
        description: "Allows the app to read all audit logs for events that contain information about custom security attributes, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("5eb59dd3-1da2-4329-8733-9dabdc435916"),
        value: "AdministrativeUnit.ReadWrite.All",
        display_name: "Read and write all administrative units",
        description: "Allows the app to create, read, update, and delete administrative units and manage administrative unit membership without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("9acd699f-1e81-4958-b001-93b1d2506e19"),
        value: "EntitlementManagement.ReadWrite.All",
        display_name: "Read and write all entitlement management resources",
        description: "Allows the app to read and write access packages and related entitlement management resources without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("ef5f7d5c-338f-44b0-86c3-351f46c8bb5f"),
        value: "AccessReview.ReadWrite.All",
        display_name: "Manage all access reviews",
        description: "Allows the app to read, update, delete and perform actions on access reviews, reviewers, decisions and settings in the organization, without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("021ea6db-c06b-45c6-8c9c-c1cd9a37a483"),
        value: "LifecycleWorkflows-Workflow.ReadBasic.All",
        display_name: "List all workflows in Lifecycle workflows",
        description: "Allows the app to list all workflows without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("03b0ad3e-fc2b-4ef1-b0ff-252e865cb608"),
        value: "LifecycleWorkflows-Workflow.Read.All",
        display_name: "Read all workflows in Lifecycle workflows",
        description: "Allows the app to list and read all workflows and tasks without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("94c88098-1d9d-4c42-a356-4d5a95312554"),
        value: "LifecycleWorkflows-Workflow.ReadWrite.All",
        display_name: "Read and write all workflows in Lifecycle workflows",
        description: "Allows the app to create, update, list, read and delete all workflows and tasks in lifecycle workflows without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("3a87a643-13d2-47aa-8d6a-b0a8377cb03b"),
        value: "LifecycleWorkflows-Workflow.Activate",
        display_name: "Run workflows on-demand in Lifecycle workflows",
        description: "Allows the app run workflows on-demand without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("fe615156-48b5-4c83-b613-e6e31a43c446"),
        value: "LifecycleWorkflows-Reports.Read.All",
        display_name: "Read all Lifecycle workflows reports",
        description: "Allows the app to read all Lifecycle workflows reports without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("2cb19e7d-9012-40bf-9a22-69fc776af8b0"),
        value: "LifecycleWorkflows-CustomExt.Read.All",
        display_name: "Read all Lifecycle workflows custom task extensionss",
        description: "Allows the app to read all Lifecycle workflows custom task extensions without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("3351c766-bacc-4d93-94fa-f2c8b1986ee7"),
        value: "LifecycleWorkflows-CustomExt.ReadWrite.All",
        display_name: "Read and write all Lifecycle workflows custom task extensions",
        description: "Allows the app to create, update, list, read and delete all Lifecycle workflows custom task extensions without a signed-in user.",
    },
    ApplicationPermission {
        id: uuid!("bf394140-e372-4bf9-a898-299cfc7564e5"),
        value: "SecurityEvents.Read.All",
        display_name: "Read your organization’s security events",
        description: "Allows the app to read your organization’s security events without a signed-in user.",
    },
];

/// The delegated permission with this value, compared case-insensitively as Entra compares scopes.
pub fn delegated(value: &str) -> Option<&'static DelegatedPermission> {
    DELEGATED
        .iter()
        .find(|p| p.value.eq_ignore_ascii_case(value))
}

/// The application permission with this value, compared case-insensitively.
pub fn application(value: &str) -> Option<&'static ApplicationPermission> {
    APPLICATION
        .iter()
        .find(|p| p.value.eq_ignore_ascii_case(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_across_both_lists() {
        let mut ids: Vec<_> = DELEGATED
            .iter()
            .map(|p| p.id)
            .chain(APPLICATION.iter().map(|p| p.id))
            .collect();
        let total = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total);
        assert!(!ids.contains(&Uuid::nil()));
    }

    #[test]
    fn values_are_unique_within_each_list() {
        let mut values: Vec<_> = DELEGATED.iter().map(|p| p.value.to_lowercase()).collect();
        values.sort();
        values.dedup();
        assert_eq!(values.len(), DELEGATED.len());
        let mut values: Vec<_> = APPLICATION.iter().map(|p| p.value.to_lowercase()).collect();
        values.sort();
        values.dedup();
        assert_eq!(values.len(), APPLICATION.len());
    }

    #[test]
    fn texts_are_present() {
        for p in DELEGATED {
            assert!(!p.admin_consent_display_name.is_empty(), "{}", p.value);
            assert!(!p.admin_consent_description.is_empty(), "{}", p.value);
            assert!(!p.user_consent_display_name.is_empty(), "{}", p.value);
            assert!(!p.user_consent_description.is_empty(), "{}", p.value);
        }
        for p in APPLICATION {
            assert!(
                !p.display_name.is_empty() && !p.description.is_empty(),
                "{}",
                p.value
            );
        }
    }

    #[test]
    fn lookups_are_case_insensitive() {
        assert_eq!(delegated("user.read").unwrap().value, "User.Read");
        assert_eq!(delegated("USER.READ.ALL").unwrap().value, "User.Read.All");
        assert_eq!(delegated("User.Read.all").unwrap().value, "User.Read.All");
        assert_eq!(application("user.read.all").unwrap().value, "User.Read.All");
        assert_eq!(delegated("OpenID").unwrap().value, "openid");
        assert!(delegated("Mail.Send").is_none());
        assert!(application("").is_none());
    }

    #[test]
    fn known_ids() {
        assert_eq!(
            delegated("User.Read").unwrap().id,
            uuid!("e1fe6dd8-ba31-4d61-89e7-88639da4683d")
        );
        assert_eq!(
            application("User.Read.All").unwrap().id,
            uuid!("df021288-bdef-4463-88db-98f22de89214")
        );
        assert_eq!(
            delegated("openid").unwrap().id,
            uuid!("37f7f235-527c-4136-accd-4a02d197296e")
        );
        assert_eq!(
            delegated("offline_access").unwrap().id,
            uuid!("7427e0e9-2fba-42fe-b0c0-848c9e6a8182")
        );
        assert_eq!(
            delegated("User.ReadWrite.All").unwrap().id,
            uuid!("204e0828-b5ca-4ad8-b9f3-f32a958e7cc4")
        );
        assert_eq!(
            application("User.ReadWrite.All").unwrap().id,
            uuid!("741f803b-c850-494e-b5df-cde7c675a1ca")
        );
        assert_eq!(
            application("Group.Read.All").unwrap().id,
            uuid!("5b567255-7703-4780-807c-7be8301ae99b")
        );
        assert_eq!(
            application("Directory.Read.All").unwrap().id,
            uuid!("7ab1d382-f21e-4acd-a863-ba3e13f7da61")
        );
    }

    #[test]
    fn variants_follow_microsoft() {
        assert!(delegated("User.Read").is_some() && application("User.Read").is_none());
        assert!(
            delegated("Directory.AccessAsUser.All").is_some()
                && application("Directory.AccessAsUser.All").is_none()
        );
        assert!(
            application("Application.ReadWrite.OwnedBy").is_some()
                && delegated("Application.ReadWrite.OwnedBy").is_none()
        );
        for scope in ["openid", "profile", "email", "offline_access", "User.Read"] {
            assert!(!delegated(scope).unwrap().admin_consent_required, "{scope}");
        }
        for scope in [
            "User.ReadWrite.All",
            "Directory.AccessAsUser.All",
            "RoleManagement.ReadWrite.Directory",
        ] {
            assert!(delegated(scope).unwrap().admin_consent_required, "{scope}");
        }
    }

    #[test]
    fn every_scope_named_in_the_seeds_is_present() {
        for scope in [
            "User.Read.All",
            "User.ReadWrite.All",
            "AuditLog.Read.All",
            "ProfilePhoto.Read.All",
            "RoleManagement.ReadWrite.Directory",
            "Directory.AccessAsUser.All",
            "Group.Read.All",
            "GroupMember.Read.All",
            "GroupMember.ReadWrite.All",
            "Device.Read.All",
            "UserAuthenticationMethod.Read.All",
            "UserAuthenticationMethod.ReadWrite.All",
            "CustomSecAttributeDefinition.ReadWrite.All",
            "CustomSecAttributeAssignment.ReadWrite.All",
            "LifecycleWorkflows-Workflow.ReadBasic.All",
            "LifecycleWorkflows-Workflow.Read.All",
            "LifecycleWorkflows-Workflow.ReadWrite.All",
            "LifecycleWorkflows-Workflow.Activate",
            "LifecycleWorkflows-Reports.Read.All",
            "LifecycleWorkflows-CustomExt.Read.All",
            "LifecycleWorkflows-CustomExt.ReadWrite.All",
        ] {
            assert!(delegated(scope).is_some(), "{scope}");
        }
    }
}
