//! Transactions: the only way to reach the data. A `TenantTx` binds every statement to its tenant.

use std::marker::PhantomData;

use gatehouse_domain::Result;
use gatehouse_domain::ids::TenantId;
use sqlx::{Any, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::error::db;

/// Marker: the transaction may only read.
#[derive(Debug)]
pub struct Read;
/// Marker: the transaction may write.
#[derive(Debug)]
pub struct Write;

/// A transaction over one tenant's data.
#[derive(Debug)]
pub struct TenantTx<M> {
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) tenant: String,
    tenant_id: TenantId,
    _gate: Option<OwnedMutexGuard<()>>,
    _mode: PhantomData<M>,
}

impl<M> TenantTx<M> {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        tenant: TenantId,
        gate: Option<OwnedMutexGuard<()>>,
    ) -> Self {
        Self {
            tx,
            tenant: tenant.to_string(),
            tenant_id: tenant,
            _gate: gate,
            _mode: PhantomData,
        }
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    /// Commits everything written in this transaction, atomically.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await.map_err(db)
    }
}

/// A transaction over the instance realm.
#[derive(Debug)]
pub struct InstanceTx<M> {
    pub(crate) tx: Transaction<'static, Any>,
    gate: Option<OwnedMutexGuard<()>>,
    _mode: PhantomData<M>,
}

impl<M> InstanceTx<M> {
    pub(crate) fn new(tx: Transaction<'static, Any>, gate: Option<OwnedMutexGuard<()>>) -> Self {
        Self {
            tx,
            gate,
            _mode: PhantomData,
        }
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await.map_err(db)
    }
}

impl InstanceTx<Write> {
    /// Continues the same transaction inside one tenant (e.g. right after creating it).
    pub fn into_tenant(self, tenant: TenantId) -> TenantTx<Write> {
        TenantTx::new(self.tx, tenant, self.gate)
    }
}
