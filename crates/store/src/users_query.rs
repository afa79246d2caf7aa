//! `GET /users` and `/users/$count` as OData list queries over the `users` table: the Graph user
//! properties `$filter`, `$orderby` and `$search` use, as the table stores them (text compared
//! lower-cased, the UPN through `upn_key`, multi-valued properties in `directory_values`).

use gatehouse_domain::Result;
use gatehouse_domain::odata::QueryOptions;
use gatehouse_domain::user::User;

use crate::odata_sql::{Column, ColumnKind, ListQuery, Page, Schema};
use crate::tx::TenantTx;
use crate::users::{USER_COLUMNS, user_from_row};

const fn nullable_text(property: &'static str, sql: &'static str) -> Column {
    Column::text(property, sql, true)
}

/// The user properties a list query can use.
static USERS: Schema = Schema {
    table: "users",
    entity: "User",
    id: "id",
    columns: &[
        Column::typed("id", "id", ColumnKind::Guid, false),
        Column::typed("accountEnabled", "account_enabled", ColumnKind::Bool, false),
        Column::typed("createdDateTime", "created_at", ColumnKind::Instant, false),
        Column::text("displayName", "display_name", false),
        Column::text("mailNickname", "mail_nickname", false),
        Column::keyed("userPrincipalName", "user_principal_name", "upn_key"),
        Column::text("userType", "user_type", false),
        Column::typed(
            "employeeHireDate",
            "employee_hire_at",
            ColumnKind::Instant,
            true,
        ),
        Column::typed(
            "employeeLeaveDateTime",
            "employee_leave_at",
            ColumnKind::Instant,
            true,
        ),
        Column::typed(
            "onPremisesSyncEnabled",
            "on_premises_sync_enabled",
            ColumnKind::Bool,
            true,
        ),
        Column::typed(
            "showInAddressList",
            "show_in_address_list",
            ColumnKind::Bool,
            true,
        ),
        nullable_text("givenName", "given_name"),
        nullable_text("surname", "surname"),
        nullable_text("mail", "mail"),
        nullable_text("jobTitle", "job_title"),
        nullable_text("department", "department"),
        nullable_text("companyName", "company_name"),
        nullable_text("officeLocation", "office_location"),
        nullable_text("employeeId", "employee_id"),
        nullable_text("employeeType", "employee_type"),
        nullable_text("employeeOrgData/division", "employee_org_division"),
        nullable_text("employeeOrgData/costCenter", "employee_org_cost_center"),
        nullable_text("mobilePhone", "mobile_phone"),
        nullable_text("faxNumber", "fax_number"),
        nullable_text("streetAddress", "street_address"),
        nullable_text("city", "city"),
        nullable_text("state", "state"),
        nullable_text("postalCode", "postal_code"),
        nullable_text("country", "country"),
        nullable_text("usageLocation", "usage_location"),
        nullable_text("preferredLanguage", "preferred_language"),
        nullable_text("ageGroup", "age_group"),
        nullable_text("consentProvidedForMinor", "consent_provided_for_minor"),
        nullable_text("passwordPolicies", "password_policies"),
        nullable_text("creationType", "creation_type"),
        nullable_text("externalUserState", "external_user_state"),
        nullable_text("onPremisesImmutableId", "on_premises_immutable_id"),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute1",
            "extension_attribute1",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute2",
            "extension_attribute2",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute3",
            "extension_attribute3",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute4",
            "extension_attribute4",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute5",
            "extension_attribute5",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute6",
            "extension_attribute6",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute7",
            "extension_attribute7",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute8",
            "extension_attribute8",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute9",
            "extension_attribute9",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute10",
            "extension_attribute10",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute11",
            "extension_attribute11",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute12",
            "extension_attribute12",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute13",
            "extension_attribute13",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute14",
            "extension_attribute14",
        ),
        nullable_text(
            "onPremisesExtensionAttributes/extensionAttribute15",
            "extension_attribute15",
        ),
        Column::values("businessPhones"),
        Column::values("otherMails"),
        Column::values("proxyAddresses"),
        Column::values("imAddresses"),
    ],
};

fn active(options: &QueryOptions) -> ListQuery<'_> {
    ListQuery {
        schema: &USERS,
        options,
        scope: "users.deleted_at IS NULL",
        scope_params: Vec::new(),
    }
}

impl<M> TenantTx<M> {
    /// One page of the active users for a `GET /users` request.
    pub async fn users_list(&mut self, options: &QueryOptions) -> Result<Page<User>> {
        let page = self
            .list_page(&active(options), USER_COLUMNS.as_str())
            .await?;
        let mut page = page.try_map(|row| user_from_row(&row))?;
        self.load_collections(&mut page.items).await?;
        Ok(page)
    }

    /// How many active users `options` matches (`/users/$count`).
    pub async fn users_count(&mut self, options: &QueryOptions) -> Result<u64> {
        self.list_count(&active(options)).await
    }
}
