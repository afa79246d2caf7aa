//! Devices: registered device objects (Graph `device`) with the properties dynamic device rules
//! read (spec 04 §4.4), their registered owners and users.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::ids::ObjectId;
use crate::{Error, Result};

/// The device's single-valued string properties, by Graph name (nested ones by path).
pub const TEXT_PROPERTIES: &[&str] = &[
    "deviceId",
    "operatingSystem",
    "operatingSystemVersion",
    "trustType",
    "profileType",
    "deviceOwnership",
    "enrollmentProfileName",
    "deviceCategory",
    "mdmAppId",
    "extensionAttributes/extensionAttribute1",
    "extensionAttributes/extensionAttribute2",
    "extensionAttributes/extensionAttribute3",
    "extensionAttributes/extensionAttribute4",
    "extensionAttributes/extensionAttribute5",
    "extensionAttributes/extensionAttribute6",
    "extensionAttributes/extensionAttribute7",
    "extensionAttributes/extensionAttribute8",
    "extensionAttributes/extensionAttribute9",
    "extensionAttributes/extensionAttribute10",
    "extensionAttributes/extensionAttribute11",
    "extensionAttributes/extensionAttribute12",
    "extensionAttributes/extensionAttribute13",
    "extensionAttributes/extensionAttribute14",
    "extensionAttributes/extensionAttribute15",
];

/// The device's multi-valued string properties.
pub const COLLECTION_PROPERTIES: &[&str] = &["physicalIds", "systemLabels"];

/// Allowed values of the enumerated text properties (as Graph documents them).
const ALLOWED: &[(&str, &[&str])] = &[
    ("trustType", &["Workplace", "AzureAd", "ServerAd"]),
    (
        "profileType",
        &["RegisteredDevice", "SecureVM", "Printer", "Shared", "IoT"],
    ),
    (
        "deviceOwnership",
        &[
            "unknown", "company", "personal", "Unknown", "Company", "Personal",
        ],
    ),
];

/// Graph `alternativeSecurityId`: how the device proves itself (a key, usually a certificate hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlternativeSecurityId {
    pub kind: i32,
    pub identity_provider: Option<String>,
    /// The key, base64 as Graph carries it.
    pub key: String,
}

/// A registered device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: ObjectId,
    pub display_name: String,
    pub account_enabled: bool,
    /// Values of [`TEXT_PROPERTIES`] that are set.
    pub text: BTreeMap<&'static str, String>,
    /// Values of [`COLLECTION_PROPERTIES`].
    pub collections: BTreeMap<&'static str, Vec<String>>,
    pub alternative_security_ids: Vec<AlternativeSecurityId>,
    pub is_compliant: Option<bool>,
    pub is_managed: Option<bool>,
    pub registration: OffsetDateTime,
    pub approximate_last_sign_in: Option<OffsetDateTime>,
    pub compliance_expiration: Option<OffsetDateTime>,
}

impl Device {
    pub fn new(id: ObjectId, display_name: String, registration: OffsetDateTime) -> Self {
        Self {
            id,
            display_name,
            account_enabled: true,
            text: BTreeMap::new(),
            collections: BTreeMap::new(),
            alternative_security_ids: Vec::new(),
            is_compliant: None,
            is_managed: None,
            registration,
            approximate_last_sign_in: None,
            compliance_expiration: None,
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.text.get(name).map(String::as_str)
    }

    pub fn collection(&self, name: &str) -> &[String] {
        self.collections.get(name).map_or(&[], Vec::as_slice)
    }

    /// Sets (or, with `None` or an empty string, clears) a text property after validating it.
    pub fn set_text(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        let name = TEXT_PROPERTIES
            .iter()
            .find(|p| **p == name)
            .ok_or_else(|| unknown(name))?;
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            self.text.remove(name);
            return Ok(());
        };
        let allowed = ALLOWED
            .iter()
            .find(|(p, _)| p == name)
            .is_none_or(|(_, values)| values.contains(&value));
        let max = if name.starts_with("extensionAttributes/") {
            1024
        } else {
            256
        };
        let is_guid = *name != "deviceId" || uuid::Uuid::try_parse(value).is_ok();
        if !allowed
            || !is_guid
            || value.chars().count() > max
            || value.chars().any(char::is_control)
        {
            return Err(invalid(name));
        }
        self.text.insert(name, value.to_owned());
        Ok(())
    }

    /// Replaces a multi-valued property.
    pub fn set_collection(&mut self, name: &str, values: Vec<String>) -> Result<()> {
        let name = COLLECTION_PROPERTIES
            .iter()
            .find(|p| **p == name)
            .ok_or_else(|| unknown(name))?;
        if values
            .iter()
            .any(|v| v.trim().is_empty() || v.chars().count() > 1024)
        {
            return Err(invalid(name));
        }
        if values.is_empty() {
            self.collections.remove(name);
        } else {
            self.collections.insert(name, values);
        }
        Ok(())
    }
}

fn unknown(name: &str) -> Error {
    Error::invalid_property(
        name,
        format!("Property '{name}' does not exist on type 'microsoft.graph.device'."),
    )
}

/// Graph's message for a missing or malformed device property.
pub fn invalid(name: &str) -> Error {
    Error::invalid_property(
        name,
        format!("Invalid value specified for property '{name}' of resource 'Device'."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_device_properties() {
        let mut d = Device::new(
            ObjectId::from_uuid(uuid::Uuid::nil()),
            "Laptop".into(),
            OffsetDateTime::UNIX_EPOCH,
        );
        d.set_text("operatingSystem", Some("Windows")).unwrap();
        d.set_text("trustType", Some("AzureAd")).unwrap();
        d.set_text("deviceId", Some("4c299165-6e8f-4b45-a5ba-c5d250a707ff"))
            .unwrap();
        assert_eq!(d.get("operatingSystem"), Some("Windows"));
        assert!(d.set_text("trustType", Some("Cloud")).is_err());
        assert!(d.set_text("deviceId", Some("not-a-guid")).is_err());
        assert!(d.set_text("colour", Some("red")).is_err());
        d.set_text("operatingSystem", None).unwrap();
        assert_eq!(d.get("operatingSystem"), None);
        d.set_collection("physicalIds", vec!["[USER-GID]:x".into()])
            .unwrap();
        assert!(d.set_collection("physicalIds", vec![" ".into()]).is_err());
    }
}
