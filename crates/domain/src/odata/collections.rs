//! The collections Gatehouse serves with OData query options, described as Graph documents them
//! ("Advanced query capabilities on Microsoft Entra ID objects"): which properties filter with
//! which operators by default or only in advanced queries, which sort, which are searchable.

use super::collection::{Collection, Kind, Ops, Property, Support};

const EQ_IN: Ops = Ops::EQ.with(Ops::IN);
const NEG: Ops = Ops::NE.with(Ops::NOT);

static SERVICE_PRINCIPAL_PROPERTIES: [Property; 12] = [
    Property::plain("id", Kind::Guid).filter(EQ_IN, NEG),
    Property::plain("accountEnabled", Kind::Bool).filter(EQ_IN, NEG),
    Property::plain("appDisplayName", Kind::String)
        .filter(EQ_IN.with(Ops::STARTS_WITH), NEG.with(Ops::NULL)),
    Property::plain("appId", Kind::Guid).filter(EQ_IN, NEG),
    Property::plain("appOwnerOrganizationId", Kind::Guid).filter(EQ_IN, NEG.with(Ops::NULL)),
    Property::plain("appRoles", Kind::String),
    Property::plain("displayName", Kind::String)
        .filter(EQ_IN.with(Ops::STARTS_WITH), NEG.with(Ops::NULL))
        .sort(Support::Advanced)
        .searchable(),
    Property::plain("oauth2PermissionScopes", Kind::String),
    Property::plain("servicePrincipalNames", Kind::StringCollection),
    Property::plain("servicePrincipalType", Kind::String),
    Property::plain("signInAudience", Kind::String),
    Property::plain("tags", Kind::StringCollection),
];

/// `/servicePrincipals`.
pub static SERVICE_PRINCIPALS: Collection = Collection {
    name: "servicePrincipals",
    entity: "ServicePrincipal",
    type_name: "microsoft.graph.servicePrincipal",
    properties: &SERVICE_PRINCIPAL_PROPERTIES,
    navigations: &[],
    default_page_size: 100,
    max_top: 999,
    directory: true,
};

static GRANT_PROPERTIES: [Property; 6] = [
    Property::plain("id", Kind::String).filter(EQ_IN, NEG),
    Property::plain("clientId", Kind::Guid).filter(EQ_IN, NEG),
    Property::plain("consentType", Kind::String).filter(EQ_IN, NEG),
    Property::plain("principalId", Kind::Guid).filter(EQ_IN, NEG.with(Ops::NULL)),
    Property::plain("resourceId", Kind::Guid).filter(EQ_IN, NEG),
    Property::plain("scope", Kind::String),
];

/// `/oauth2PermissionGrants` (and a service principal's).
pub static OAUTH2_PERMISSION_GRANTS: Collection = Collection {
    name: "oauth2PermissionGrants",
    entity: "OAuth2PermissionGrant",
    type_name: "microsoft.graph.oAuth2PermissionGrant",
    properties: &GRANT_PROPERTIES,
    navigations: &[],
    default_page_size: 100,
    max_top: 999,
    directory: true,
};

/// A text property: `default` operators, and Graph's advanced extras (`ne`, `not`, null).
const fn text(name: &'static str, default: Ops) -> Property {
    Property::plain(name, Kind::String)
        .filter(default, NEG.with(Ops::NULL).with(default))
        .select_only()
}

/// A text property Graph filters only in advanced queries.
const fn advanced_text(name: &'static str) -> Property {
    Property::plain(name, Kind::String)
        .filter(
            Ops::NONE,
            EQ_IN
                .with(NEG)
                .with(Ops::NULL)
                .with(Ops::STARTS_WITH)
                .with(Ops::RANGE),
        )
        .select_only()
}

/// A property returned without `$select`.
const fn default_select(p: Property) -> Property {
    let mut p = p;
    p.default_select = true;
    p
}

const TEXT_DEFAULT: Ops = EQ_IN.with(Ops::STARTS_WITH).with(Ops::RANGE);
const COLLECTION_DEFAULT: Ops = Ops::LAMBDA.with(Ops::EQ).with(Ops::STARTS_WITH);

static EMPLOYEE_ORG_DATA: [Property; 2] = [advanced_text("division"), advanced_text("costCenter")];

static EXTENSION_ATTRIBUTES: [Property; 15] = [
    advanced_text("extensionAttribute1"),
    advanced_text("extensionAttribute2"),
    advanced_text("extensionAttribute3"),
    advanced_text("extensionAttribute4"),
    advanced_text("extensionAttribute5"),
    advanced_text("extensionAttribute6"),
    advanced_text("extensionAttribute7"),
    advanced_text("extensionAttribute8"),
    advanced_text("extensionAttribute9"),
    advanced_text("extensionAttribute10"),
    advanced_text("extensionAttribute11"),
    advanced_text("extensionAttribute12"),
    advanced_text("extensionAttribute13"),
    advanced_text("extensionAttribute14"),
    advanced_text("extensionAttribute15"),
];

static USER_PROPERTIES: [Property; 47] = [
    default_select(Property::plain("id", Kind::Guid).filter(EQ_IN, NEG)),
    Property::plain("accountEnabled", Kind::Bool)
        .filter(EQ_IN, NEG.with(Ops::RANGE))
        .select_only(),
    text("ageGroup", EQ_IN),
    default_select(
        Property::plain("businessPhones", Kind::StringCollection)
            .filter(COLLECTION_DEFAULT, Ops::NOT),
    ),
    text("city", TEXT_DEFAULT),
    advanced_text("companyName"),
    text("consentProvidedForMinor", EQ_IN),
    text("country", TEXT_DEFAULT),
    Property::plain("createdDateTime", Kind::DateTime)
        .filter(Ops::EQ.with(Ops::RANGE), NEG.with(Ops::IN))
        .sort(Support::Advanced)
        .select_only(),
    text("creationType", EQ_IN),
    Property::plain("deletedDateTime", Kind::DateTime).select_only(),
    text("department", TEXT_DEFAULT),
    default_select(
        Property::plain("displayName", Kind::String)
            .filter(EQ_IN.with(Ops::STARTS_WITH), NEG.with(Ops::NULL))
            .sort(Support::Default)
            .searchable(),
    ),
    Property::plain("employeeHireDate", Kind::DateTime)
        .filter(
            Ops::NONE,
            Ops::EQ.with(Ops::NE).with(Ops::RANGE).with(Ops::IN),
        )
        .select_only(),
    Property::plain("employeeLeaveDateTime", Kind::DateTime)
        .filter(
            Ops::NONE,
            Ops::EQ.with(Ops::NE).with(Ops::RANGE).with(Ops::IN),
        )
        .select_only(),
    text("employeeId", Ops::EQ.with(Ops::STARTS_WITH)),
    Property::plain("employeeOrgData", Kind::Complex(&EMPLOYEE_ORG_DATA)).select_only(),
    advanced_text("employeeType"),
    text("externalUserState", EQ_IN),
    Property::plain("externalUserStateChangeDateTime", Kind::DateTime).select_only(),
    advanced_text("faxNumber"),
    default_select(text("givenName", TEXT_DEFAULT).searchable()),
    Property::plain("imAddresses", Kind::StringCollection)
        .filter(COLLECTION_DEFAULT, Ops::NOT)
        .select_only(),
    default_select(text("jobTitle", TEXT_DEFAULT)),
    Property::plain("lastPasswordChangeDateTime", Kind::DateTime).select_only(),
    default_select(
        Property::plain("mail", Kind::String)
            .filter(
                TEXT_DEFAULT,
                Ops::NE.with(Ops::NOT).with(Ops::ENDS_WITH).with(Ops::NULL),
            )
            .searchable(),
    ),
    text("mailNickname", TEXT_DEFAULT).searchable(),
    default_select(advanced_text("mobilePhone")),
    default_select(advanced_text("officeLocation")),
    Property::plain(
        "onPremisesExtensionAttributes",
        Kind::Complex(&EXTENSION_ATTRIBUTES),
    )
    .select_only(),
    advanced_text("onPremisesImmutableId"),
    Property::plain("onPremisesSyncEnabled", Kind::Bool)
        .filter(EQ_IN, NEG.with(Ops::NULL))
        .select_only(),
    Property::plain("otherMails", Kind::StringCollection)
        .filter(COLLECTION_DEFAULT, NEG.with(Ops::ENDS_WITH))
        .select_only(),
    Property::plain("passwordPolicies", Kind::String)
        .filter(Ops::NONE, Ops::EQ.with(NEG).with(Ops::NULL))
        .select_only(),
    Property::plain("passwordProfile", Kind::String).select_only(),
    advanced_text("postalCode"),
    default_select(advanced_text("preferredLanguage")),
    Property::plain("proxyAddresses", Kind::StringCollection)
        .filter(COLLECTION_DEFAULT, NEG.with(Ops::ENDS_WITH))
        .select_only(),
    Property::plain("showInAddressList", Kind::Bool)
        .filter(Ops::NONE, EQ_IN.with(NEG))
        .select_only(),
    Property::plain("signInActivity", Kind::String).select_only(),
    Property::plain("signInSessionsValidFromDateTime", Kind::DateTime).select_only(),
    text("state", TEXT_DEFAULT),
    advanced_text("streetAddress"),
    default_select(text("surname", TEXT_DEFAULT).searchable()),
    text("usageLocation", TEXT_DEFAULT),
    default_select(
        Property::plain("userPrincipalName", Kind::String)
            .filter(EQ_IN.with(Ops::STARTS_WITH), NEG.with(Ops::ENDS_WITH))
            .sort(Support::Default)
            .searchable(),
    ),
    Property::plain("userType", Kind::String)
        .filter(EQ_IN, NEG.with(Ops::NULL))
        .select_only(),
];

/// `/users`.
pub static USERS: Collection = Collection {
    name: "users",
    entity: "User",
    type_name: "microsoft.graph.user",
    properties: &USER_PROPERTIES,
    navigations: &[],
    default_page_size: 100,
    max_top: 999,
    directory: true,
};
