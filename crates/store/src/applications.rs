//! Application registrations, their owners and client secrets. Writes require the authorization
//! decision's [`Proof`]; secrets are stored as keyed hashes only, never as text.

use gatehouse_domain::application::{
    AppRole, Application, ImplicitGrantSettings, PasswordCredential, PermissionScope,
    RequiredResourceAccess, ResourceAccess, ResourceAccessType, SignInAudience,
};
use gatehouse_domain::authz::Proof;
use gatehouse_domain::ids::{AppId, ObjectId};
use gatehouse_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::error::db;
use crate::rows::{get, get_ts, parse, ts};
use crate::tx::{TenantTx, Write};

/// The private JSON document of an application's nested properties.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Document {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    identifier_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_fallback_public_client: Option<bool>,
    #[serde(default)]
    web_redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    web_logout_url: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    implicit_id_token: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    implicit_access_token: bool,
    #[serde(default)]
    spa_redirect_uris: Vec<String>,
    #[serde(default)]
    public_client_redirect_uris: Vec<String>,
    #[serde(default)]
    required_resource_access: Vec<RequiredDoc>,
    #[serde(default)]
    app_roles: Vec<AppRoleDoc>,
    #[serde(default)]
    oauth2_permission_scopes: Vec<ScopeDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RequiredDoc {
    resource_app_id: String,
    /// (permission id, "Scope" | "Role")
    access: Vec<(String, String)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct AppRoleDoc {
    id: String,
    allowed_member_types: Vec<String>,
    description: Option<String>,
    display_name: Option<String>,
    is_enabled: bool,
    value: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ScopeDoc {
    id: String,
    admin_consent_description: Option<String>,
    admin_consent_display_name: Option<String>,
    user_consent_description: Option<String>,
    user_consent_display_name: Option<String>,
    is_enabled: bool,
    kind: String,
    value: Option<String>,
}

fn uuid(s: &str) -> Result<Uuid> {
    Uuid::try_parse(s).map_err(|e| Error::internal(format!("stored id {s}: {e}")))
}

impl Document {
    fn of(app: &Application) -> Self {
        Self {
            description: app.description.clone(),
            notes: app.notes.clone(),
            tags: app.tags.clone(),
            identifier_uris: app.identifier_uris.clone(),
            is_fallback_public_client: app.is_fallback_public_client,
            web_redirect_uris: app.web_redirect_uris.clone(),
            web_logout_url: app.web_logout_url.clone(),
            implicit_id_token: app.implicit_grant.enable_id_token_issuance,
            implicit_access_token: app.implicit_grant.enable_access_token_issuance,
            spa_redirect_uris: app.spa_redirect_uris.clone(),
            public_client_redirect_uris: app.public_client_redirect_uris.clone(),
            required_resource_access: app
                .required_resource_access
                .iter()
                .map(|r| RequiredDoc {
                    resource_app_id: r.resource_app_id.to_string(),
                    access: r
                        .resource_access
                        .iter()
                        .map(|a| (a.id.to_string(), a.kind.as_str().to_owned()))
                        .collect(),
                })
                .collect(),
            app_roles: app
                .app_roles
                .iter()
                .map(|r| AppRoleDoc {
                    id: r.id.to_string(),
                    allowed_member_types: r.allowed_member_types.clone(),
                    description: r.description.clone(),
                    display_name: r.display_name.clone(),
                    is_enabled: r.is_enabled,
                    value: r.value.clone(),
                })
                .collect(),
            oauth2_permission_scopes: app
                .oauth2_permission_scopes
                .iter()
                .map(|s| ScopeDoc {
                    id: s.id.to_string(),
                    admin_consent_description: s.admin_consent_description.clone(),
                    admin_consent_display_name: s.admin_consent_display_name.clone(),
                    user_consent_description: s.user_consent_description.clone(),
                    user_consent_display_name: s.user_consent_display_name.clone(),
                    is_enabled: s.is_enabled,
                    kind: s.kind.clone(),
                    value: s.value.clone(),
                })
                .collect(),
        }
    }
}

const APPLICATION_COLUMNS: &str =
    "id, app_id, display_name, sign_in_audience, document, created_at";

fn application_from_row(row: &AnyRow) -> Result<Application> {
    let doc: Document = {
        let s: String = get(row, "document")?;
        serde_json::from_str(&s).map_err(|e| Error::internal(format!("stored document: {e}")))?
    };
    Ok(Application {
        id: parse(row, "id", str::parse)?,
        app_id: parse(row, "app_id", str::parse)?,
        display_name: get(row, "display_name")?,
        sign_in_audience: parse(row, "sign_in_audience", SignInAudience::parse)?,
        description: doc.description,
        notes: doc.notes,
        tags: doc.tags,
        identifier_uris: doc.identifier_uris,
        is_fallback_public_client: doc.is_fallback_public_client,
        web_redirect_uris: doc.web_redirect_uris,
        web_logout_url: doc.web_logout_url,
        implicit_grant: ImplicitGrantSettings {
            enable_id_token_issuance: doc.implicit_id_token,
            enable_access_token_issuance: doc.implicit_access_token,
        },
        spa_redirect_uris: doc.spa_redirect_uris,
        public_client_redirect_uris: doc.public_client_redirect_uris,
        required_resource_access: doc
            .required_resource_access
            .into_iter()
            .map(|r| {
                Ok(RequiredResourceAccess {
                    resource_app_id: AppId::from_uuid(uuid(&r.resource_app_id)?),
                    resource_access: r
                        .access
                        .into_iter()
                        .map(|(id, kind)| {
                            Ok(ResourceAccess {
                                id: uuid(&id)?,
                                kind: ResourceAccessType::parse(&kind)
                                    .map_err(|e| Error::internal(e.to_string()))?,
                            })
                        })
                        .collect::<Result<_>>()?,
                })
            })
            .collect::<Result<_>>()?,
        app_roles: doc
            .app_roles
            .into_iter()
            .map(|r| {
                Ok(AppRole {
                    id: uuid(&r.id)?,
                    allowed_member_types: r.allowed_member_types,
                    description: r.description,
                    display_name: r.display_name,
                    is_enabled: r.is_enabled,
                    value: r.value,
                })
            })
            .collect::<Result<_>>()?,
        oauth2_permission_scopes: doc
            .oauth2_permission_scopes
            .into_iter()
            .map(|s| {
                Ok(PermissionScope {
                    id: uuid(&s.id)?,
                    admin_consent_description: s.admin_consent_description,
                    admin_consent_display_name: s.admin_consent_display_name,
                    user_consent_description: s.user_consent_description,
                    user_consent_display_name: s.user_consent_display_name,
                    is_enabled: s.is_enabled,
                    kind: s.kind,
                    value: s.value,
                })
            })
            .collect::<Result<_>>()?,
        created: get_ts(row, "created_at")?,
    })
}

const CREDENTIAL_COLUMNS: &str = "application_id, key_id, display_name, hint, start_at, end_at";

fn credential_from_row(row: &AnyRow) -> Result<(ObjectId, PasswordCredential)> {
    Ok((
        parse(row, "application_id", str::parse)?,
        PasswordCredential {
            key_id: parse(row, "key_id", uuid)?,
            display_name: get(row, "display_name")?,
            hint: get(row, "hint")?,
            start: get_ts(row, "start_at")?,
            end: get_ts(row, "end_at")?,
        },
    ))
}

fn document(app: &Application) -> Result<String> {
    serde_json::to_string(&Document::of(app)).map_err(|e| Error::internal(e.to_string()))
}

impl<M> TenantTx<M> {
    /// The application with object id `id`, or `NotFound`.
    pub async fn application(&mut self, id: ObjectId) -> Result<Application> {
        let row = sqlx::query(&format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(&self.tenant)
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found(id.to_string()))?;
        application_from_row(&row)
    }

    /// The application whose client id is `app_id`, if any.
    pub async fn application_by_app_id(&mut self, app_id: AppId) -> Result<Option<Application>> {
        let row = sqlx::query(&format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE tenant_id = $1 AND app_id = $2"
        ))
        .bind(&self.tenant)
        .bind(app_id.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.as_ref().map(application_from_row).transpose()
    }

    /// Every application of the tenant, oldest first.
    pub async fn applications(&mut self) -> Result<Vec<Application>> {
        let rows = sqlx::query(&format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE tenant_id = $1 ORDER BY created_at, id"
        ))
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(application_from_row).collect()
    }

    /// The owners (object ids) of an application.
    pub async fn application_owners(&mut self, application: ObjectId) -> Result<Vec<ObjectId>> {
        let rows = sqlx::query(
            "SELECT owner_id FROM application_owners WHERE tenant_id = $1 AND application_id = $2 \
             ORDER BY owner_id",
        )
        .bind(&self.tenant)
        .bind(application.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| parse(r, "owner_id", str::parse))
            .collect()
    }

    /// Whether `owner` owns `application`.
    pub async fn is_application_owner(
        &mut self,
        application: ObjectId,
        owner: ObjectId,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM application_owners WHERE tenant_id = $1 AND application_id = $2 AND owner_id = $3",
        )
        .bind(&self.tenant)
        .bind(application.to_string())
        .bind(owner.to_string())
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(row.is_some())
    }

    /// An application's client secrets (without the secrets), oldest first.
    pub async fn password_credentials(
        &mut self,
        application: ObjectId,
    ) -> Result<Vec<PasswordCredential>> {
        let rows = sqlx::query(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM password_credentials WHERE tenant_id = $1 AND application_id = $2 \
             ORDER BY start_at, key_id"
        ))
        .bind(&self.tenant)
        .bind(application.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| credential_from_row(r).map(|(_, c)| c))
            .collect()
    }

    /// Every client secret of the tenant with its application's object id (for collections).
    pub async fn all_password_credentials(
        &mut self,
    ) -> Result<Vec<(ObjectId, PasswordCredential)>> {
        let rows = sqlx::query(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM password_credentials WHERE tenant_id = $1 \
             ORDER BY start_at, key_id"
        ))
        .bind(&self.tenant)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(credential_from_row).collect()
    }

    /// The keyed hashes of an application's secrets with their validity, for verifying a presented
    /// client secret.
    pub async fn password_credential_hashes(
        &mut self,
        application: ObjectId,
    ) -> Result<Vec<(PasswordCredential, String)>> {
        let rows = sqlx::query(&format!(
            "SELECT {CREDENTIAL_COLUMNS}, secret_hash FROM password_credentials \
             WHERE tenant_id = $1 AND application_id = $2 ORDER BY start_at, key_id"
        ))
        .bind(&self.tenant)
        .bind(application.to_string())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| Ok((credential_from_row(r)?.1, get(r, "secret_hash")?)))
            .collect()
    }
}

impl TenantTx<Write> {
    /// Inserts an application with `owner` as its first owner.
    pub async fn insert_application(
        &mut self,
        proof: &Proof,
        app: &Application,
        owner: ObjectId,
    ) -> Result<()> {
        proof.require("applications")?;
        sqlx::query(
            "INSERT INTO applications (tenant_id, id, app_id, display_name, sign_in_audience, document, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.tenant)
        .bind(app.id.to_string())
        .bind(app.app_id.to_string())
        .bind(&app.display_name)
        .bind(app.sign_in_audience.as_str())
        .bind(document(app)?)
        .bind(ts(app.created))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO application_owners (tenant_id, application_id, owner_id) VALUES ($1, $2, $3)",
        )
        .bind(&self.tenant)
        .bind(app.id.to_string())
        .bind(owner.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Replaces an application's properties (`id`, `appId` and `createdDateTime` never change).
    pub async fn update_application(&mut self, proof: &Proof, app: &Application) -> Result<()> {
        proof.require("applications")?;
        let done = sqlx::query(
            "UPDATE applications SET display_name = $3, sign_in_audience = $4, document = $5 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&self.tenant)
        .bind(app.id.to_string())
        .bind(&app.display_name)
        .bind(app.sign_in_audience.as_str())
        .bind(document(app)?)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(app.id.to_string()));
        }
        Ok(())
    }

    /// Deletes an application with its owners and credentials, and its service principal in this
    /// tenant (with the delegated grants and app role assignments it holds or is the resource of).
    pub async fn delete_application(&mut self, proof: &Proof, id: ObjectId) -> Result<()> {
        proof.require("applications")?;
        const SP_OF_APP: &str = "SELECT sp.id FROM service_principals sp JOIN applications a \
             ON a.tenant_id = sp.tenant_id AND a.app_id = sp.app_id WHERE a.tenant_id = $1 AND a.id = $2";
        for sql in [
            format!(
                "DELETE FROM app_role_assignments WHERE tenant_id = $1 AND (principal_id IN ({SP_OF_APP}) \
                 OR resource_id IN ({SP_OF_APP}))"
            ),
            format!(
                "DELETE FROM oauth2_permission_grants WHERE tenant_id = $1 AND (client_id IN ({SP_OF_APP}) \
                 OR resource_id IN ({SP_OF_APP}))"
            ),
            format!(
                "DELETE FROM group_members WHERE tenant_id = $1 AND member_id IN ({SP_OF_APP})"
            ),
            format!("DELETE FROM group_owners WHERE tenant_id = $1 AND owner_id IN ({SP_OF_APP})"),
            format!("DELETE FROM service_principals WHERE tenant_id = $1 AND id IN ({SP_OF_APP})"),
        ] {
            sqlx::query(&sql)
                .bind(&self.tenant)
                .bind(id.to_string())
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        }
        // Children go explicitly too, so the delete does not depend on the engine enforcing cascades.
        for table in [
            "password_credentials",
            "key_credentials",
            "application_owners",
        ] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND application_id = $2"
            ))
            .bind(&self.tenant)
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        }
        let done = sqlx::query("DELETE FROM applications WHERE tenant_id = $1 AND id = $2")
            .bind(&self.tenant)
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(id.to_string()));
        }
        Ok(())
    }

    /// Adds a client secret, stored as `secret_hash` (a keyed hash, never the secret).
    pub async fn insert_password_credential(
        &mut self,
        proof: &Proof,
        application: ObjectId,
        credential: &PasswordCredential,
        secret_hash: &str,
    ) -> Result<()> {
        proof.require("applications")?;
        sqlx::query(
            "INSERT INTO password_credentials (tenant_id, application_id, key_id, display_name, hint, secret_hash, \
             start_at, end_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&self.tenant)
        .bind(application.to_string())
        .bind(credential.key_id.to_string())
        .bind(credential.display_name.clone())
        .bind(&credential.hint)
        .bind(secret_hash)
        .bind(ts(credential.start))
        .bind(ts(credential.end))
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Removes a client secret; `NotFound` when the application has no such key.
    pub async fn delete_password_credential(
        &mut self,
        proof: &Proof,
        application: ObjectId,
        key_id: Uuid,
    ) -> Result<()> {
        self.delete_credential(proof, "password_credentials", application, key_id)
            .await
    }

    /// Removes the credential `key_id` of `application` from `table` (`password_credentials` or
    /// `key_credentials`); `NotFound` when the application has no such key.
    pub(crate) async fn delete_credential(
        &mut self,
        proof: &Proof,
        table: &'static str,
        application: ObjectId,
        key_id: Uuid,
    ) -> Result<()> {
        proof.require("applications")?;
        let done = sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND application_id = $2 AND key_id = $3"
        ))
        .bind(&self.tenant)
        .bind(application.to_string())
        .bind(key_id.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(key_id.to_string()));
        }
        Ok(())
    }
}
