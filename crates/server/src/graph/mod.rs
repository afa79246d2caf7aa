//! The Microsoft Graph–compatible API (`/v1.0`, `/beta`): bearer-token authentication and the
//! resources as they land.

pub mod app_role_assignments;
pub mod application_json;
pub mod applications;
pub mod auth;
pub mod authorization_policy;
pub mod batch;
pub mod deleted_groups;
pub mod deleted_items;
pub mod devices;
pub mod domain_verification;
pub mod domains;
pub mod group_json;
pub mod group_members;
pub mod groups;
pub mod key_credentials;
pub mod me;
pub mod membership;
pub mod organization;
pub mod paging;
pub mod permission_grants;
pub mod photos;
pub mod query;
pub mod service_principals;
pub mod token_lifetime_policies;
pub mod user_json;
pub mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post, put};
use gatehouse_domain::photo::MAX_BYTES as MAX_PHOTO_BYTES;

use crate::identity::userinfo;
use crate::state::AppState;

/// The Graph routes, served under both `/v1.0` and `/beta`, and the OIDC userinfo endpoint, which
/// takes the same Graph access tokens.
pub fn routes(state: AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/me", get(me::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/$count", get(users::count))
        .route(
            "/users/{id}",
            get(users::read).patch(users::update).delete(users::remove),
        )
        .route(
            "/users/{id}/revokeSignInSessions",
            post(users::revoke_sign_in_sessions),
        )
        .route("/users/{id}/manager", get(users::manager))
        .route(
            "/users/{id}/manager/$ref",
            put(users::set_manager).delete(users::remove_manager),
        )
        .route("/users/{id}/directReports", get(users::direct_reports))
        .route("/users/{id}/ownedDevices", get(devices::owned_by))
        .route("/users/{id}/registeredDevices", get(devices::registered_by))
        .route("/me/ownedDevices", get(devices::owned_by_me))
        .route("/me/registeredDevices", get(devices::registered_by_me))
        .route("/devices", get(devices::list).post(devices::create))
        .route(
            "/devices/{id}",
            get(devices::read)
                .patch(devices::update)
                .delete(devices::remove),
        )
        .route("/devices/{id}/{relation}", get(devices::list_users))
        .route("/devices/{id}/{relation}/$ref", post(devices::add_user))
        .route(
            "/devices/{id}/{relation}/{user_id}/$ref",
            delete(devices::remove_user),
        )
        .route(
            "/users/{id}/photo",
            get(photos::read_metadata).delete(photos::remove),
        )
        .route(
            "/users/{id}/photo/$value",
            get(photos::read_value)
                .put(photos::put_value)
                .layer(DefaultBodyLimit::max(2 * MAX_PHOTO_BYTES)),
        )
        .route(
            "/me/photo",
            get(photos::read_my_metadata).delete(photos::remove_mine),
        )
        .route(
            "/me/photo/$value",
            get(photos::read_my_value)
                .put(photos::put_my_value)
                .layer(DefaultBodyLimit::max(2 * MAX_PHOTO_BYTES)),
        )
        .route(
            "/directory/deletedItems/{segment}",
            get(deleted_items::read).delete(deleted_items::purge),
        )
        .route(
            "/directory/deletedItems/{segment}/restore",
            post(deleted_items::restore),
        )
        .merge(group_routes())
        .route(
            "/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/applications/{id}",
            get(applications::read)
                .patch(applications::update)
                .delete(applications::remove),
        )
        .route(
            "/applications/{id}/addPassword",
            post(applications::add_password),
        )
        .route(
            "/applications/{id}/removePassword",
            post(applications::remove_password),
        )
        .route("/applications/{id}/addKey", post(key_credentials::add_key))
        .route(
            "/applications/{id}/removeKey",
            post(key_credentials::remove_key),
        )
        .route(
            "/policies/tokenLifetimePolicies",
            get(token_lifetime_policies::list).post(token_lifetime_policies::create),
        )
        .route(
            "/policies/tokenLifetimePolicies/{id}",
            get(token_lifetime_policies::read)
                .patch(token_lifetime_policies::update)
                .delete(token_lifetime_policies::remove),
        )
        .route(
            "/applications/{id}/tokenLifetimePolicies",
            get(token_lifetime_policies::list_assigned),
        )
        .route(
            "/applications/{id}/tokenLifetimePolicies/$ref",
            post(token_lifetime_policies::assign),
        )
        .route(
            "/applications/{id}/tokenLifetimePolicies/{policy_id}/$ref",
            delete(token_lifetime_policies::unassign),
        )
        .route(
            "/servicePrincipals",
            get(service_principals::list).post(service_principals::create),
        )
        .route("/servicePrincipals/$count", get(service_principals::count))
        .route("/servicePrincipals/{id}", get(service_principals::read))
        .route(
            "/servicePrincipals/{id}/appRoleAssignments",
            get(app_role_assignments::list_assignments)
                .post(app_role_assignments::create_assignment),
        )
        .route(
            "/servicePrincipals/{id}/appRoleAssignments/{assignment_id}",
            delete(app_role_assignments::remove_assignment),
        )
        .route(
            "/servicePrincipals/{id}/appRoleAssignedTo",
            get(app_role_assignments::list_assigned_to)
                .post(app_role_assignments::create_assigned_to),
        )
        .route(
            "/servicePrincipals/{id}/appRoleAssignedTo/{assignment_id}",
            delete(app_role_assignments::remove_assigned_to),
        )
        .route(
            "/servicePrincipals/{id}/oauth2PermissionGrants",
            get(permission_grants::list_of_client),
        )
        .route(
            "/oauth2PermissionGrants",
            get(permission_grants::list).post(permission_grants::create),
        )
        .route(
            "/oauth2PermissionGrants/{id}",
            get(permission_grants::read)
                .patch(permission_grants::update)
                .delete(permission_grants::remove),
        )
        .route("/organization", get(organization::list))
        .route(
            "/organization/{id}",
            get(organization::read).patch(organization::update),
        )
        .route("/domains", get(domains::list).post(domains::create))
        .route(
            "/domains/{name}",
            get(domains::read)
                .patch(domains::update)
                .delete(domains::remove),
        )
        .route(
            "/domains/{name}/domainNameReferences",
            get(domains::name_references),
        )
        .route(
            "/domains/{name}/verificationDnsRecords",
            get(domain_verification::verification_records),
        )
        .route("/domains/{name}/verify", post(domain_verification::verify))
        .route(
            "/policies/authorizationPolicy",
            get(authorization_policy::read).patch(authorization_policy::update),
        )
        .route_layer(from_fn_with_state(state.clone(), auth::authenticate));
    // `/$batch` runs its requests through the same routes (batches do not nest).
    let target = batch::Target(
        Router::new()
            .nest("/v1.0", api.clone())
            .nest("/beta", api.clone())
            .with_state(state.clone()),
    );
    let api = api.merge(
        Router::new()
            .route("/$batch", post(batch::batch))
            .layer(axum::Extension(target))
            .route_layer(from_fn_with_state(state.clone(), auth::authenticate)),
    );
    let userinfo = Router::new()
        .route(
            "/oidc/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route_layer(from_fn_with_state(state, auth::authenticate));
    Router::new()
        .nest("/v1.0", api.clone())
        .nest("/beta", api)
        .merge(userinfo)
}

/// `/groups` and the membership routes of users, `/me` and directory objects.
fn group_routes() -> Router<AppState> {
    use group_members as gm;
    use membership as ms;
    Router::new()
        .route("/groups", get(groups::list).post(groups::create))
        .route(
            "/groups/{id}",
            get(groups::read)
                .patch(groups::update)
                .delete(groups::remove),
        )
        .route("/groups/{id}/members", get(gm::members))
        .route("/groups/{id}/members/$ref", post(gm::add_member))
        .route("/groups/{id}/members/{cast}", get(gm::members_cast))
        .route(
            "/groups/{id}/members/{member_id}/$ref",
            delete(gm::remove_member),
        )
        .route(
            "/groups/{id}/transitiveMembers",
            get(gm::transitive_members),
        )
        .route(
            "/groups/{id}/transitiveMembers/{cast}",
            get(gm::transitive_members_cast),
        )
        .route("/groups/{id}/owners", get(gm::owners))
        .route("/groups/{id}/owners/$ref", post(gm::add_owner))
        .route("/groups/{id}/owners/{cast}", get(gm::owners_cast))
        .route(
            "/groups/{id}/owners/{owner_id}/$ref",
            delete(gm::remove_owner),
        )
        .route("/groups/{id}/memberOf", get(gm::member_of))
        .route("/groups/{id}/memberOf/{cast}", get(gm::member_of_cast))
        .route(
            "/groups/{id}/transitiveMemberOf",
            get(gm::transitive_member_of),
        )
        .route(
            "/groups/{id}/transitiveMemberOf/{cast}",
            get(gm::transitive_member_of_cast),
        )
        .route(
            "/groups/{id}/checkMemberGroups",
            post(ms::group_check_member_groups),
        )
        .route(
            "/groups/{id}/checkMemberObjects",
            post(ms::group_check_member_objects),
        )
        .route(
            "/groups/{id}/getMemberGroups",
            post(ms::group_get_member_groups),
        )
        .route(
            "/groups/{id}/getMemberObjects",
            post(ms::group_get_member_objects),
        )
        .route("/users/{id}/memberOf", get(ms::user_member_of))
        .route("/users/{id}/memberOf/{cast}", get(ms::user_member_of_cast))
        .route(
            "/users/{id}/transitiveMemberOf",
            get(ms::user_transitive_member_of),
        )
        .route(
            "/users/{id}/transitiveMemberOf/{cast}",
            get(ms::user_member_of_cast),
        )
        .route(
            "/users/{id}/checkMemberGroups",
            post(ms::user_check_member_groups),
        )
        .route(
            "/users/{id}/checkMemberObjects",
            post(ms::user_check_member_objects),
        )
        .route(
            "/users/{id}/getMemberGroups",
            post(ms::user_get_member_groups),
        )
        .route(
            "/users/{id}/getMemberObjects",
            post(ms::user_get_member_objects),
        )
        .route("/me/memberOf", get(ms::me_member_of))
        .route("/me/transitiveMemberOf", get(ms::me_transitive_member_of))
        .route("/me/checkMemberGroups", post(ms::me_check_member_groups))
        .route("/me/checkMemberObjects", post(ms::me_check_member_objects))
        .route("/me/getMemberGroups", post(ms::me_get_member_groups))
        .route("/me/getMemberObjects", post(ms::me_get_member_objects))
        .route("/directoryObjects/getByIds", post(ms::get_by_ids))
}

/// The API version a request addressed (`v1.0` or `beta`), for `@odata.context`.
pub fn version(uri: &axum::http::Uri) -> &'static str {
    if uri.path().starts_with("/beta/") {
        "beta"
    } else {
        "v1.0"
    }
}
