//! The one password check of every sign-in (the password grant and the sign-in page), with smart
//! lockout: a locked-out user is refused with AADSTS50053 before the password is even checked;
//! a wrong password is recorded (the same one counted once); a correct one clears the record.

use axum::http::StatusCode;
use gatehouse_domain::ids::TenantId;
use gatehouse_domain::lockout::LockoutPolicy;
use gatehouse_domain::password::PasswordHash;
use gatehouse_domain::user::User;

use crate::http::oauth_error::OAuthError;
use crate::state::AppState;

/// AADSTS50053, as Entra words it.
pub fn locked() -> OAuthError {
    OAuthError::new(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        50053,
        "Your account is locked. You've tried to sign in too many times with an incorrect user ID or password.",
    )
}

/// Whether `password` is `user`'s (`hash`), counting wrong ones towards a lockout; `Err` 50053
/// while the user is locked out.
pub async fn check_password(
    state: &AppState,
    tenant: TenantId,
    user: &User,
    hash: PasswordHash,
    password: String,
) -> Result<bool, OAuthError> {
    let now = state.clock.now();
    let mut record = state
        .store
        .read(tenant)
        .await?
        .sign_in_lockout(user.id)
        .await?;
    if record.is_locked(now) {
        return Err(locked());
    }
    let attempt = state
        .secrets
        .keyed_hash(&format!("lockout/{tenant}/{}/{password}", user.id));
    let ok = state.passwords.verify(password, hash).await?;
    if ok && record.failures == 0 && record.lockouts == 0 {
        return Ok(true);
    }
    let mut tx = state.store.write(tenant).await?;
    // Re-read inside the write: concurrent attempts each count.
    record = tx.sign_in_lockout(user.id).await?;
    let locked_now = if ok {
        record = Default::default();
        false
    } else {
        record.record_failure(attempt, now, &LockoutPolicy::default())
    };
    tx.put_sign_in_lockout(user.id, &record).await?;
    tx.commit().await?;
    if locked_now {
        tracing::warn!(tenant_id = %tenant, user_id = %user.id, "user locked out after repeated wrong passwords");
    }
    Ok(ok)
}
