//! Delegated permission grants (Graph `oAuth2PermissionGrant`) and the tenant's authorization
//! policy, which decides what users may consent to. Writes require the decision's [`Proof`].

use gatehouse_domain::application::{ConsentType, OAuth2PermissionGrant};
use gatehouse_domain::authorization_policy::AuthorizationPolicy;
use gatehouse_domain::authz::Proof;
use gatehouse_domain::ids::ObjectId;
use gatehouse_domain::odata::QueryOptions;
use gatehouse_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::directory::grant_from_row;
use crate::error::db;
use crate::odata_sql::{Column, ColumnKind, ListQuery, Page, Schema, SqlValue};
use crate::tx::{TenantTx, Write};

const GRANT_COLUMNS: &str = "id, client_id, consent_type, principal_id, resource_id, scope";

/// `oAuth2PermissionGrant` properties as the `oauth2_permission_grants` table stores them.
static GRANTS: Schema = Schema {
    table: "oauth2_permission_grants",
    entity: "OAuth2PermissionGrant",
    id: "id",
    columns: &[
        Column::typed("id", "id", ColumnKind::ExactText, false),
        Column::typed("clientId", "client_id", ColumnKind::Guid, false),
        Column::text("consentType", "consent_type", false),
        Column::typed("principalId", "principal_id", ColumnKind::Guid, true),
        Column::typed("resourceId", "resource_id", ColumnKind::Guid, false),
    ],
};

/// The stored form of the authorization policy (private to the store; Graph's shape is the
/// server's business).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredPolicy {
    allow_invites_from: String,
    allowed_to_sign_up_email_based_subscriptions: bool,
    allowed_to_use_sspr: bool,
    allow_email_verified_users_to_join_organization: bool,
    allow_user_consent_for_risky_apps: bool,
    block_msol_powershell: bool,
    guest_user_role_id: String,
    allowed_to_create_apps: bool,
    allowed_to_create_security_groups: bool,
    allowed_to_create_tenants: bool,
    allowed_to_read_bitlocker_keys_for_owned_device: bool,
    allowed_to_read_other_users: bool,
    permission_grant_policies_assigned: Vec<String>,
}

impl From<&AuthorizationPolicy> for StoredPolicy {
    fn from(p: &AuthorizationPolicy) -> Self {
        Self {
            allow_invites_from: p.allow_invites_from.clone(),
            allowed_to_sign_up_email_based_subscriptions: p
                .allowed_to_sign_up_email_based_subscriptions,
            allowed_to_use_sspr: p.allowed_to_use_sspr,
            allow_email_verified_users_to_join_organization: p
                .allow_email_verified_users_to_join_organization,
            allow_user_consent_for_risky_apps: p.allow_user_consent_for_risky_apps,
            block_msol_powershell: p.block_msol_powershell,
            guest_user_role_id: p.guest_user_role_id.to_string(),
            allowed_to_create_apps: p.allowed_to_create_apps,
            allowed_to_create_security_groups: p.allowed_to_create_security_groups,
            allowed_to_create_tenants: p.allowed_to_create_tenants,
            allowed_to_read_bitlocker_keys_for_owned_device: p
                .allowed_to_read_bitlocker_keys_for_owned_device,
            allowed_to_read_other_users: p.allowed_to_read_other_users,
            permission_grant_policies_assigned: p.permission_grant_policies_assigned.clone(),
        }
    }
}

impl TryFrom<StoredPolicy> for AuthorizationPolicy {
    type Error = Error;

    fn try_from(p: StoredPolicy) -> Result<Self> {
        Ok(Self {
            allow_invites_from: p.allow_invites_from,
            allowed_to_sign_up_email_based_subscriptions: p
                .allowed_to_sign_up_email_based_subscriptions,
            allowed_to_use_sspr: p.allowed_to_use_sspr,
            allow_email_verified_users_to_join_organization: p
                .allow_email_verified_users_to_join_organization,
            allow_user_consent_for_risky_apps: p.allow_user_consent_for_risky_apps,
            block_msol_powershell: p.block_msol_powershell,
            guest_user_role_id: Uuid::try_parse(&p.guest_user_role_id)
                .map_err(|e| Error::internal(format!("stored guestUserRoleId: {e}")))?,
            allowed_to_create_apps: p.allowed_to_create_apps,
            allowed_to_create_security_groups: p.allowed_to_create_security_groups,
            allowed_to_create_tenants: p.allowed_to_create_tenants,
            allowed_to_read_bitlocker_keys_for_owned_device: p
                .allowed_to_read_bitlocker_keys_for_owned_device,
            allowed_to_read_other_users: p.allowed_to_read_other_users,
            permission_grant_policies_assigned: p.permission_grant_policies_assigned,
        })
    }
}

impl<M> TenantTx<M> {
    /// Every delegated grant of the tenant, by id.
    pub async fn oauth2_permission_grants(&mut self) -> Result<Vec<OAuth2PermissionGrant>> {
        let rows = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} FROM oauth2_permission_grants WHERE tenant_id = $1 ORDER BY id"
        ))
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(grant_from_row).collect()
    }

    /// One page of the tenant's delegated grants for a `GET /oauth2PermissionGrants` request,
    /// or of those `client` holds (`GET /servicePrincipals/{id}/oauth2PermissionGrants`).
    pub async fn oauth2_permission_grants_page(
        &mut self,
        options: &QueryOptions,
        client: Option<ObjectId>,
    ) -> Result<Page<OAuth2PermissionGrant>> {
        let query = ListQuery {
            schema: &GRANTS,
            options,
            scope: if client.is_some() {
                "client_id = $2"
            } else {
                ""
            },
            scope_params: client
                .map(|c| vec![SqlValue::Text(c.to_string())])
                .unwrap_or_default(),
        };
        self.list_page(&query, GRANT_COLUMNS)
            .await?
            .try_map(|row| grant_from_row(&row))
    }

    /// The grant with id `id`, or `NotFound`.
    pub async fn oauth2_permission_grant(&mut self, id: &str) -> Result<OAuth2PermissionGrant> {
        let row = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} FROM oauth2_permission_grants WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(&self.tenant)
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_owned()))?;
        grant_from_row(&row)
    }

    /// The tenant's authorization policy; Entra's defaults until it is first changed.
    pub async fn authorization_policy(&mut self) -> Result<AuthorizationPolicy> {
        let document: Option<String> =
            sqlx::query_scalar("SELECT document FROM authorization_policies WHERE tenant_id = $1")
                .bind(&self.tenant)
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db)?;
        match document {
            None => Ok(AuthorizationPolicy::default()),
            Some(d) => serde_json::from_str::<StoredPolicy>(&d)
                .map_err(|e| Error::internal(format!("stored authorization policy: {e}")))?
                .try_into(),
        }
    }
}

impl TenantTx<Write> {
    /// Inserts a grant. A second grant for the same client, resource and consenting principal is
    /// a `Conflict`; a client or resource that is not a service principal of the tenant `Invalid`.
    pub async fn insert_oauth2_permission_grant(
        &mut self,
        proof: &Proof,
        grant: &OAuth2PermissionGrant,
    ) -> Result<()> {
        proof.require("oAuth2PermissionGrants")?;
        let (consent_type, principal) = match grant.consent_type {
            ConsentType::AllPrincipals => ("AllPrincipals", None),
            ConsentType::Principal(p) => ("Principal", Some(p.to_string())),
        };
        sqlx::query(
            "INSERT INTO oauth2_permission_grants (tenant_id, id, client_id, consent_type, principal_id, \
             resource_id, scope) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.tenant)
        .bind(&grant.id)
        .bind(grant.client_id.to_string())
        .bind(consent_type)
        .bind(principal)
        .bind(grant.resource_id.to_string())
        .bind(&grant.scope)
        .execute(&mut *self.tx)
        .await
        .map_err(db)
        .map_err(|e| match e {
            Error::Conflict { .. } => Error::conflict("Permission entry already exists."),
            other => other,
        })?;
        Ok(())
    }

    /// Replaces the scopes of grant `id`; `NotFound` when there is none.
    pub async fn update_oauth2_permission_grant_scope(
        &mut self,
        proof: &Proof,
        id: &str,
        scope: &str,
    ) -> Result<()> {
        proof.require("oAuth2PermissionGrants")?;
        let done = sqlx::query(
            "UPDATE oauth2_permission_grants SET scope = $3 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&self.tenant)
        .bind(id)
        .bind(scope)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_owned()));
        }
        Ok(())
    }

    /// Deletes grant `id`; `NotFound` when there is none.
    pub async fn delete_oauth2_permission_grant(&mut self, proof: &Proof, id: &str) -> Result<()> {
        proof.require("oAuth2PermissionGrants")?;
        let done =
            sqlx::query("DELETE FROM oauth2_permission_grants WHERE tenant_id = $1 AND id = $2")
                .bind(&self.tenant)
                .bind(id)
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_owned()));
        }
        Ok(())
    }

    /// Stores the authorization policy (validated by the caller's domain rules).
    pub async fn put_authorization_policy(
        &mut self,
        proof: &Proof,
        policy: &AuthorizationPolicy,
    ) -> Result<()> {
        proof.require("authorizationPolicy")?;
        policy.validate()?;
        let document = serde_json::to_string(&StoredPolicy::from(policy))
            .map_err(|e| Error::internal(format!("authorization policy: {e}")))?;
        sqlx::query(
            "INSERT INTO authorization_policies (tenant_id, document) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET document = excluded.document",
        )
        .bind(&self.tenant)
        .bind(document)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }
}
