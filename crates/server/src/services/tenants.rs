//! Tenants: create (with the first Global Administrator and the first-party applications),
//! list, update the operator settings, delete, restore, purge.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::application::ServicePrincipal;
use gatehouse_domain::audit::{
    AuditCategory, AuditRecord, Initiator, ModifiedProperty, OperationType, TargetResource,
};
use gatehouse_domain::catalog::first_party::{FIRST_PARTY_APPS, FirstPartyKind, MICROSOFT_GRAPH};
use gatehouse_domain::catalog::roles::GLOBAL_ADMINISTRATOR;
use gatehouse_domain::ids::{AppId, ObjectId, TenantId};
use gatehouse_domain::password;
use gatehouse_domain::provisioning::{TenantPlan, admin_upn, first_party_grant, plan_tenant};
use gatehouse_domain::tenant::{
    DELETED_TENANT_RETENTION_DAYS, NewTenant, TenantState, TokenAlgorithm,
};
use gatehouse_domain::{Error, Result};
use gatehouse_store::{InstanceTx, TenantSummary, TenantTx, Write};

use crate::state::AppState;

/// A request to create a tenant.
#[derive(Debug, Clone)]
pub struct CreateTenant {
    pub tenant: NewTenant,
    /// The first administrator's sign-in name or alias; default `admin`.
    pub admin: Option<String>,
    /// The first administrator's password; generated when absent.
    pub admin_password: Option<String>,
}

/// A created tenant, with the generated password when there is one (shown once, never stored).
#[derive(Debug, Clone)]
pub struct CreatedTenant {
    pub summary: TenantSummary,
    pub admin_user_principal_name: String,
    pub generated_password: Option<String>,
}

/// Prepares a tenant: validates the request and hashes the password (slow, so outside any
/// transaction).
pub async fn prepare(
    state: &AppState,
    request: CreateTenant,
    initiated_by: Initiator,
) -> Result<(TenantPlan, Option<String>)> {
    let upn = admin_upn(request.admin.as_deref(), &request.tenant)?;
    let (clear, generated) = match request.admin_password {
        Some(p) => {
            password::check_complexity(&p)?;
            (p, false)
        }
        None => (password::generate(state.random.as_ref()), true),
    };
    let hash = state
        .passwords
        .hash(clear.clone(), state.random.clone())
        .await?;
    let plan = plan_tenant(
        request.tenant,
        upn,
        hash,
        initiated_by,
        state.clock.now(),
        state.random.as_ref(),
    );
    Ok((plan, generated.then_some(clear)))
}

/// Writes a prepared tenant inside an instance transaction the caller commits.
pub async fn write(
    state: &AppState,
    tx: InstanceTx<Write>,
    plan: &TenantPlan,
) -> Result<TenantTx<Write>> {
    let mut tx = tx.create_tenant(&plan.tenant).await?;
    tx.insert_domain(&plan.initial_domain, plan.tenant.created)
        .await?;
    tx.insert_user(&plan.admin).await?;
    tx.insert_role_assignment(&plan.admin_role).await?;
    ensure_first_party(state, &mut tx).await?;
    tx.audit(&plan.audit).await?;
    Ok(tx)
}

/// Creates a tenant, audited as DirectoryManagement / "Create Company".
pub async fn create(
    state: &AppState,
    request: CreateTenant,
    initiated_by: Initiator,
) -> Result<CreatedTenant> {
    let (plan, generated_password) = prepare(state, request, initiated_by).await?;
    let tx = write(state, state.store.instance_write().await?, &plan).await?;
    tx.commit().await?;
    Ok(CreatedTenant {
        summary: TenantSummary {
            tenant: plan.tenant,
            default_domain: plan.initial_domain.name.to_string(),
        },
        admin_user_principal_name: plan.admin.user_principal_name.to_string(),
        generated_password,
    })
}

/// Makes sure the tenant has every first-party service principal, and that each first-party public
/// client holds tenant-wide consent for all of Microsoft Graph's delegated permissions. Idempotent:
/// run at creation and on every start, so tenants pick up new catalogue entries.
pub async fn ensure_first_party(state: &AppState, tx: &mut TenantTx<Write>) -> Result<()> {
    let mut graph = None;
    let mut clients = Vec::new();
    for app in FIRST_PARTY_APPS {
        let app_id = AppId::from_uuid(app.app_id);
        let sp = match tx.service_principal_by_app_id(app_id).await? {
            Some(sp) => sp,
            None => {
                let sp = ServicePrincipal {
                    id: ObjectId::generate(state.random.as_ref()),
                    app_id,
                    display_name: app.display_name.to_owned(),
                    app_owner_organization_id: Some(app.owner_tenant),
                    account_enabled: true,
                    created: state.clock.now(),
                };
                tx.insert_service_principal(&sp).await?;
                sp
            }
        };
        match app.kind {
            FirstPartyKind::Resource if app.app_id == MICROSOFT_GRAPH => graph = Some(sp.id),
            FirstPartyKind::Resource => {}
            FirstPartyKind::PublicClient => clients.push(sp.id),
        }
    }
    let graph = graph.ok_or_else(|| Error::internal("the catalogue lacks Microsoft Graph"))?;
    for client in clients {
        let existing = tx.grants_of_client(client).await?.into_iter().find(|g| {
            g.resource_id == graph
                && g.consent_type == gatehouse_domain::application::ConsentType::AllPrincipals
        });
        let id = match existing {
            Some(g) => g.id,
            None => {
                let mut raw = [0u8; 32];
                state.random.fill(&mut raw);
                URL_SAFE_NO_PAD.encode(raw)
            }
        };
        tx.put_grant(&first_party_grant(id, client, graph)).await?;
    }
    Ok(())
}

/// Reconciles the first-party applications of every active tenant.
pub async fn reconcile_all(state: &AppState) -> Result<usize> {
    let tenants = state.store.instance_read().await?.list_tenants().await?;
    let mut n = 0;
    for t in tenants
        .iter()
        .filter(|t| t.tenant.state == TenantState::Active)
    {
        let mut tx = state.store.write(t.tenant.id).await?;
        ensure_first_party(state, &mut tx).await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}

pub async fn list(state: &AppState) -> Result<Vec<TenantSummary>> {
    state.store.instance_read().await?.list_tenants().await
}

pub async fn get(state: &AppState, id: TenantId) -> Result<TenantSummary> {
    state.store.instance_read().await?.tenant(id).await
}

fn company_audit(
    state: &AppState,
    activity: &str,
    op: OperationType,
    summary: &TenantSummary,
    by: Initiator,
) -> AuditRecord {
    AuditRecord::success(
        ObjectId::generate(state.random.as_ref()),
        state.clock.now(),
        AuditCategory::DirectoryManagement,
        activity,
        op,
        by,
        vec![TargetResource {
            id: summary.tenant.id.to_string(),
            display_name: Some(summary.tenant.display_name.clone()),
            resource_type: "Company".to_owned(),
            user_principal_name: None,
            modified_properties: Vec::new(),
        }],
    )
}

/// Sets how the tenant's Microsoft Graph access tokens are signed, audited as DirectoryManagement
/// / "Update Company". Takes effect for the next token issued (each grant reads the setting).
pub async fn set_graph_token_algorithm(
    state: &AppState,
    id: TenantId,
    algorithm: TokenAlgorithm,
    initiated_by: Initiator,
) -> Result<TenantSummary> {
    let mut summary = get(state, id).await?;
    if summary.tenant.state == TenantState::Deleted {
        return Err(Error::not_found(id.to_string()));
    }
    let mut tx = state.store.write(id).await?;
    let old = tx.tenant().await?.graph_token_algorithm;
    summary.tenant.graph_token_algorithm = algorithm;
    if old == algorithm {
        return Ok(summary);
    }
    tx.set_graph_token_algorithm(algorithm).await?;
    let mut audit = company_audit(
        state,
        "Update Company",
        OperationType::Update,
        &summary,
        initiated_by,
    );
    audit.target_resources[0]
        .modified_properties
        .push(ModifiedProperty {
            display_name: "GraphTokenAlgorithm".to_owned(),
            old_value: Some(old.as_str().to_owned()),
            new_value: Some(algorithm.as_str().to_owned()),
        });
    tx.audit(&audit).await?;
    tx.commit().await?;
    Ok(summary)
}

/// Deletes a tenant: it stops serving at once and is purged after the retention period. Refused
/// while users other than Global Administrators remain.
pub async fn delete(state: &AppState, id: TenantId, initiated_by: Initiator) -> Result<()> {
    let summary = get(state, id).await?;
    if summary.tenant.state == TenantState::Deleted {
        return Err(Error::not_found(id.to_string()));
    }
    let mut tx = state.store.write(id).await?;
    let blocking = tx.count_users_without_role(GLOBAL_ADMINISTRATOR).await?;
    if blocking > 0 {
        return Err(Error::precondition(format!(
            "The tenant still has {blocking} user(s) who are not Global Administrators. Delete them before deleting the tenant."
        )));
    }
    tx.set_state(TenantState::Deleted, Some(state.clock.now()))
        .await?;
    tx.audit(&company_audit(
        state,
        "Delete Company",
        OperationType::Delete,
        &summary,
        initiated_by,
    ))
    .await?;
    tx.commit().await
}

/// Restores a deleted tenant within its retention period.
pub async fn restore(
    state: &AppState,
    id: TenantId,
    initiated_by: Initiator,
) -> Result<TenantSummary> {
    let mut summary = get(state, id).await?;
    if summary.tenant.state != TenantState::Deleted {
        return Err(Error::precondition(
            "Only a deleted tenant can be restored.",
        ));
    }
    let expired = summary.tenant.deleted.is_some_and(|at| {
        at + time::Duration::days(DELETED_TENANT_RETENTION_DAYS) <= state.clock.now()
    });
    if expired {
        return Err(Error::precondition(
            "The retention period has ended; the tenant can no longer be restored.",
        ));
    }
    let mut tx = state.store.write(id).await?;
    tx.set_state(TenantState::Active, None).await?;
    tx.audit(&company_audit(
        state,
        "Restore Company",
        OperationType::Restore,
        &summary,
        initiated_by,
    ))
    .await?;
    tx.commit().await?;
    summary.tenant.state = TenantState::Active;
    summary.tenant.deleted = None;
    Ok(summary)
}

/// Purges tenants deleted longer ago than the retention period; returns how many.
pub async fn purge_expired(state: &AppState) -> Result<usize> {
    let cutoff = state.clock.now() - time::Duration::days(DELETED_TENANT_RETENTION_DAYS);
    let mut tx = state.store.instance_write().await?;
    let due = tx.tenants_deleted_before(cutoff).await?;
    for id in &due {
        tx.purge_tenant(*id).await?;
        tracing::info!(tenant_id = %id, "purged deleted tenant");
    }
    tx.commit().await?;
    Ok(due.len())
}
