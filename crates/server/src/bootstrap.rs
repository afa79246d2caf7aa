//! The first start on an empty database: one tenant, its first Global Administrator, its security
//! defaults. Claimed by an instance setting written in the same transaction, so it runs exactly
//! once, even with several nodes starting together, and a crash half-way leaves nothing behind.

use gatehouse_domain::audit::Initiator;
use gatehouse_domain::domain_name::DomainName;
use gatehouse_domain::tenant::{self, NewTenant};
use gatehouse_domain::{Error, Result};
use gatehouse_domain::{password, provisioning};

use crate::config::Bootstrap;
use crate::services::tenants::{self, CreateTenant};
use crate::state::AppState;

const CLAIM: &str = "bootstrap.completed_at";

/// What the first start created; the password only when it was generated.
#[derive(Debug, Clone)]
pub struct Bootstrapped {
    pub tenant_name: String,
    pub tenant_id: String,
    pub domain: String,
    pub admin: String,
    pub generated_password: Option<String>,
}

/// The bootstrap tenant described by the settings, fully validated (so that a bad setting stops the
/// start with a clear message instead of failing later in the background).
pub fn request(settings: &Bootstrap, suffix: &DomainName) -> Result<CreateTenant> {
    let domain = match &settings.domain {
        Some(d) => d.clone(),
        None => tenant::initial_domain(&tenant::slug(&settings.tenant_name), suffix)
            .map_err(setting("GATEHOUSE_BOOTSTRAP_DOMAIN"))?,
    };
    let new = NewTenant::new(
        &settings.tenant_name,
        domain,
        "US",
        settings.security_defaults,
    )
    .map_err(setting("GATEHOUSE_BOOTSTRAP_TENANT_NAME"))?;
    provisioning::admin_upn(settings.admin.as_deref(), &new)
        .map_err(setting("GATEHOUSE_BOOTSTRAP_ADMIN"))?;
    let admin_password = settings
        .admin_password
        .as_ref()
        .map(|p| p.expose().to_owned());
    if let Some(p) = &admin_password {
        password::check_complexity(p).map_err(setting("GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD"))?;
    }
    Ok(CreateTenant {
        tenant: new,
        admin: settings.admin.clone(),
        admin_password,
    })
}

/// Names the environment variable a validation error came from.
fn setting(name: &'static str) -> impl Fn(Error) -> Error {
    move |e| Error::invalid_property(name, e.to_string())
}

/// Runs the bootstrap if it never ran; `None` when it already had.
pub async fn run(state: &AppState, request: CreateTenant) -> Result<Option<Bootstrapped>> {
    if state
        .store
        .instance_read()
        .await?
        .setting(CLAIM)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let (plan, generated_password) =
        tenants::prepare(state, request, Initiator::instance("Gatehouse bootstrap")).await?;

    let mut claim = state.store.instance_write().await?;
    let now = state.clock.now();
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| Error::internal(e.to_string()))?;
    if !claim.put_setting(CLAIM, &stamp, now, true).await? {
        return Ok(None); // another node got there first
    }
    let tx = tenants::write(state, claim, &plan).await?;
    tx.commit().await?;
    Ok(Some(Bootstrapped {
        tenant_name: plan.tenant.display_name,
        tenant_id: plan.tenant.id.to_string(),
        domain: plan.initial_domain.name.to_string(),
        admin: plan.admin.user_principal_name.to_string(),
        generated_password,
    }))
}
