//! Tenant-scoped directory data: the tenant's own row, service principals, delegated
//! grants, role assignments and data keys (users are in `users.rs`). Every statement binds the tenant id first.

use gatehouse_domain::application::{ConsentType, OAuth2PermissionGrant, ServicePrincipal};
use gatehouse_domain::authz::Proof;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::odata::QueryOptions;
use gatehouse_domain::role::RoleAssignment;
use gatehouse_domain::tenant::{Tenant, TenantState, TokenAlgorithm};
use gatehouse_domain::{Error, Result};
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::db;
use crate::instance::tenant_from_row;
use crate::odata_sql::{Column, ColumnKind, ListQuery, Page, Schema};
use crate::rows::{get, get_flag, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

const SERVICE_PRINCIPAL_COLUMNS: &str =
    "id, app_id, display_name, app_owner_organization_id, account_enabled, created_at";

/// `servicePrincipal` properties as the `service_principals` table stores them.
static SERVICE_PRINCIPALS: Schema = Schema {
    table: "service_principals",
    entity: "ServicePrincipal",
    id: "id",
    columns: &[
        Column::typed("id", "id", ColumnKind::Guid, false),
        Column::typed("accountEnabled", "account_enabled", ColumnKind::Bool, false),
        Column::text("appDisplayName", "display_name", false),
        Column::typed("appId", "app_id", ColumnKind::Guid, false),
        Column::typed(
            "appOwnerOrganizationId",
            "app_owner_organization_id",
            ColumnKind::Guid,
            true,
        ),
        Column::text("displayName", "display_name", false),
    ],
};

fn service_principal_from_row(row: &AnyRow) -> Result<ServicePrincipal> {
    Ok(ServicePrincipal {
        id: parse(row, "id", str::parse)?,
        app_id: parse(row, "app_id", str::parse)?,
        display_name: get(row, "display_name")?,
        app_owner_organization_id: get::<Option<String>>(row, "app_owner_organization_id")?
            .map(|s| Uuid::try_parse(&s).map_err(|e| Error::internal(e.to_string())))
            .transpose()?,
        account_enabled: get_flag(row, "account_enabled")?,
        created: get_ts(row, "created_at")?,
    })
}

pub(crate) fn grant_from_row(row: &AnyRow) -> Result<OAuth2PermissionGrant> {
    let consent_type = match (
        get::<String>(row, "consent_type")?.as_str(),
        get::<Option<String>>(row, "principal_id")?,
    ) {
        ("AllPrincipals", None) => ConsentType::AllPrincipals,
        ("Principal", Some(p)) => ConsentType::Principal(p.parse()?),
        (other, _) => {
            return Err(Error::internal(format!(
                "stored consent type '{other}' is invalid"
            )));
        }
    };
    Ok(OAuth2PermissionGrant {
        id: get(row, "id")?,
        client_id: parse(row, "client_id", str::parse)?,
        consent_type,
        resource_id: parse(row, "resource_id", str::parse)?,
        scope: get(row, "scope")?,
    })
}

fn role_assignment_from_row(row: &AnyRow) -> Result<RoleAssignment> {
    Ok(RoleAssignment {
        id: parse(row, "id", str::parse)?,
        role_definition_id: parse(row, "role_definition_id", |s| {
            Uuid::try_parse(s).map_err(|e| Error::internal(e.to_string()))
        })?,
        principal_id: parse(row, "principal_id", str::parse)?,
        directory_scope_id: get(row, "directory_scope_id")?,
        created: get_ts(row, "created_at")?,
    })
}

impl<M> TenantTx<M> {
    /// This transaction's tenant.
    pub async fn tenant(&mut self) -> Result<Tenant> {
        let row = sqlx::query(
            "SELECT t.tenant_id, t.display_name, t.country_letter_code, t.state, t.created_at, t.deleted_at, \
             t.technical_notification_mails, t.security_defaults_enabled, t.graph_token_algorithm FROM tenants t \
             WHERE t.tenant_id = $1",
        )
        .bind(&self.tenant)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(self.tenant.clone()))?;
        tenant_from_row(&row)
    }

    pub async fn service_principal_by_app_id(
        &mut self,
        app_id: AppId,
    ) -> Result<Option<ServicePrincipal>> {
        let row = sqlx::query(
            "SELECT id, app_id, display_name, app_owner_organization_id, account_enabled, created_at \
             FROM service_principals WHERE tenant_id = $1 AND app_id = $2",
        )
        .bind(&self.tenant)
        .bind(app_id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref().map(service_principal_from_row).transpose()
    }

    /// The service principal with object id `id`, or `NotFound`.
    pub async fn service_principal(&mut self, id: ObjectId) -> Result<ServicePrincipal> {
        let row = sqlx::query(
            "SELECT id, app_id, display_name, app_owner_organization_id, account_enabled, created_at \
             FROM service_principals WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_string()))?;
        service_principal_from_row(&row)
    }

    /// The tenant's service principals, oldest first.
    pub async fn service_principals(&mut self) -> Result<Vec<ServicePrincipal>> {
        let rows = sqlx::query(
            "SELECT id, app_id, display_name, app_owner_organization_id, account_enabled, created_at \
             FROM service_principals WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(service_principal_from_row).collect()
    }

    /// One page of the tenant's service principals for a `GET /servicePrincipals` request.
    pub async fn service_principals_page(
        &mut self,
        options: &QueryOptions,
    ) -> Result<Page<ServicePrincipal>> {
        let query = ListQuery {
            schema: &SERVICE_PRINCIPALS,
            options,
            scope: "",
            scope_params: Vec::new(),
        };
        self.list_page(&query, SERVICE_PRINCIPAL_COLUMNS)
            .await?
            .try_map(|row| service_principal_from_row(&row))
    }

    /// How many service principals `options` matches (`/servicePrincipals/$count`).
    pub async fn service_principals_count(&mut self, options: &QueryOptions) -> Result<u64> {
        let query = ListQuery {
            schema: &SERVICE_PRINCIPALS,
            options,
            scope: "",
            scope_params: Vec::new(),
        };
        self.list_count(&query).await
    }

    /// The delegated grants `client_id` holds.
    pub async fn grants_of_client(
        &mut self,
        client_id: ObjectId,
    ) -> Result<Vec<OAuth2PermissionGrant>> {
        let rows = sqlx::query(
            "SELECT id, client_id, consent_type, principal_id, resource_id, scope FROM oauth2_permission_grants \
             WHERE tenant_id = $1 AND client_id = $2 ORDER BY id",
        )
        .bind(&self.tenant)
        .bind(client_id.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(grant_from_row).collect()
    }

    pub async fn role_assignments_of(
        &mut self,
        principal_id: ObjectId,
    ) -> Result<Vec<RoleAssignment>> {
        let rows = sqlx::query(
            "SELECT id, role_definition_id, principal_id, directory_scope_id, created_at FROM role_assignments \
             WHERE tenant_id = $1 AND principal_id = $2 ORDER BY created_at, id",
        )
        .bind(&self.tenant)
        .bind(principal_id.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(role_assignment_from_row).collect()
    }

    /// A wrapped data-encryption key of this tenant.
    pub async fn data_key(&mut self, key_id: &str) -> Result<Option<Vec<u8>>> {
        sqlx::query_scalar(
            "SELECT wrapped_key FROM tenant_data_keys WHERE tenant_id = $1 AND key_id = $2",
        )
        .bind(&self.tenant)
        .bind(key_id)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)
    }
}

impl TenantTx<Write> {
    pub async fn set_state(
        &mut self,
        state: TenantState,
        deleted: Option<OffsetDateTime>,
    ) -> Result<()> {
        sqlx::query("UPDATE tenants SET state = $2, deleted_at = $3 WHERE tenant_id = $1")
            .bind(&self.tenant)
            .bind(state.as_str())
            .bind(deleted.map(ts))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Sets how the tenant's Microsoft Graph access tokens are signed.
    pub async fn set_graph_token_algorithm(&mut self, algorithm: TokenAlgorithm) -> Result<()> {
        sqlx::query("UPDATE tenants SET graph_token_algorithm = $2 WHERE tenant_id = $1")
            .bind(&self.tenant)
            .bind(algorithm.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    pub async fn insert_service_principal(&mut self, sp: &ServicePrincipal) -> Result<()> {
        sqlx::query(
            "INSERT INTO service_principals (tenant_id, id, app_id, display_name, app_owner_organization_id, \
             account_enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.tenant)
        .bind(sp.id.to_string())
        .bind(sp.app_id.to_string())
        .bind(&sp.display_name)
        .bind(sp.app_owner_organization_id.map(|u| u.to_string()))
        .bind(sp.account_enabled)
        .bind(ts(sp.created))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Creates a service principal through the Graph API: requires the decision's proof for a
    /// `servicePrincipals` action; a second one for the same application is a `Conflict`.
    pub async fn create_service_principal(
        &mut self,
        proof: &Proof,
        sp: &ServicePrincipal,
    ) -> Result<()> {
        proof.require("servicePrincipals")?;
        self.insert_service_principal(sp)
            .await
            .map_err(|e| match e {
                Error::Conflict { .. } => Error::conflict(format!(
                    "A service principal for the application '{}' already exists in the tenant.",
                    sp.app_id
                )),
                other => other,
            })
    }

    /// Inserts a grant, or replaces the scope of the grant with the same id.
    pub async fn put_grant(&mut self, grant: &OAuth2PermissionGrant) -> Result<()> {
        let (consent_type, principal) = match grant.consent_type {
            ConsentType::AllPrincipals => ("AllPrincipals", None),
            ConsentType::Principal(p) => ("Principal", Some(p.to_string())),
        };
        sqlx::query(
            "INSERT INTO oauth2_permission_grants (tenant_id, id, client_id, consent_type, principal_id, resource_id, \
             scope) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET scope = excluded.scope",
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
        .map_err(db)?;
        Ok(())
    }

    pub async fn insert_role_assignment(&mut self, assignment: &RoleAssignment) -> Result<()> {
        sqlx::query(
            "INSERT INTO role_assignments (tenant_id, id, role_definition_id, principal_id, directory_scope_id, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&self.tenant)
        .bind(assignment.id.to_string())
        .bind(assignment.role_definition_id.to_string())
        .bind(assignment.principal_id.to_string())
        .bind(&assignment.directory_scope_id)
        .bind(ts(assignment.created))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    pub async fn insert_data_key(
        &mut self,
        key_id: &str,
        wrapped: &[u8],
        now: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query("INSERT INTO tenant_data_keys (tenant_id, key_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&self.tenant)
            .bind(key_id)
            .bind(wrapped.to_vec())
            .bind(ts(now))
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }
}
