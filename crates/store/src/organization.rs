//! The organization object's properties: the tenant row's name and technical contacts, and the
//! stored profile (addresses, phones, notification recipients, privacy profile) as one document.

use gatehouse_domain::authz::Proof;
use gatehouse_domain::organization::{OrganizationProfile, PrivacyProfile};
use gatehouse_domain::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::error::db;
use crate::tx::{TenantTx, Write};

/// The stored form of the profile (private to the store; Graph's shape is the server's business).
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StoredProfile {
    business_phones: Vec<String>,
    city: Option<String>,
    country: Option<String>,
    default_usage_location: Option<String>,
    marketing_notification_emails: Vec<String>,
    postal_code: Option<String>,
    preferred_language: Option<String>,
    privacy_contact_email: Option<String>,
    privacy_statement_url: Option<String>,
    has_privacy_profile: bool,
    security_compliance_notification_mails: Vec<String>,
    security_compliance_notification_phones: Vec<String>,
    state: Option<String>,
    street: Option<String>,
}

impl From<&OrganizationProfile> for StoredProfile {
    fn from(p: &OrganizationProfile) -> Self {
        let privacy = p.privacy_profile.clone();
        Self {
            business_phones: p.business_phones.clone(),
            city: p.city.clone(),
            country: p.country.clone(),
            default_usage_location: p.default_usage_location.clone(),
            marketing_notification_emails: p.marketing_notification_emails.clone(),
            postal_code: p.postal_code.clone(),
            preferred_language: p.preferred_language.clone(),
            has_privacy_profile: privacy.is_some(),
            privacy_contact_email: privacy.as_ref().and_then(|x| x.contact_email.clone()),
            privacy_statement_url: privacy.and_then(|x| x.statement_url),
            security_compliance_notification_mails: p
                .security_compliance_notification_mails
                .clone(),
            security_compliance_notification_phones: p
                .security_compliance_notification_phones
                .clone(),
            state: p.state.clone(),
            street: p.street.clone(),
        }
    }
}

impl From<StoredProfile> for OrganizationProfile {
    fn from(s: StoredProfile) -> Self {
        Self {
            business_phones: s.business_phones,
            city: s.city,
            country: s.country,
            default_usage_location: s.default_usage_location,
            marketing_notification_emails: s.marketing_notification_emails,
            postal_code: s.postal_code,
            preferred_language: s.preferred_language,
            privacy_profile: s.has_privacy_profile.then_some(PrivacyProfile {
                contact_email: s.privacy_contact_email,
                statement_url: s.privacy_statement_url,
            }),
            security_compliance_notification_mails: s.security_compliance_notification_mails,
            security_compliance_notification_phones: s.security_compliance_notification_phones,
            state: s.state,
            street: s.street,
        }
    }
}

fn check(proof: &Proof) -> Result<()> {
    if proof.covers_entity("organization") {
        Ok(())
    } else {
        Err(Error::internal(format!(
            "a proof for {} cannot write the organization",
            proof.action()
        )))
    }
}

impl<M> TenantTx<M> {
    /// The organization's stored profile; a tenant that never set one has the empty profile.
    pub async fn organization_profile(&mut self) -> Result<OrganizationProfile> {
        let document: Option<String> =
            sqlx::query_scalar("SELECT document FROM organization_profiles WHERE tenant_id = $1")
                .bind(&self.tenant)
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(db)?;
        match document {
            None => Ok(OrganizationProfile::default()),
            Some(d) => serde_json::from_str::<StoredProfile>(&d)
                .map(OrganizationProfile::from)
                .map_err(|e| Error::internal(format!("stored organization profile: {e}"))),
        }
    }
}

impl TenantTx<Write> {
    /// Stores the organization's name, technical contacts and profile.
    pub async fn update_organization(
        &mut self,
        proof: &Proof,
        display_name: &str,
        technical_notification_mails: &[String],
        profile: &OrganizationProfile,
    ) -> Result<()> {
        check(proof)?;
        let mails = serde_json::to_string(technical_notification_mails)
            .map_err(|e| Error::internal(format!("technical notification mails: {e}")))?;
        sqlx::query(
            "UPDATE tenants SET display_name = $2, technical_notification_mails = $3 WHERE tenant_id = $1",
        )
        .bind(&self.tenant)
        .bind(display_name)
        .bind(mails)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        let document = serde_json::to_string(&StoredProfile::from(profile))
            .map_err(|e| Error::internal(format!("organization profile: {e}")))?;
        sqlx::query(
            "INSERT INTO organization_profiles (tenant_id, document) VALUES ($1, $2) \
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
