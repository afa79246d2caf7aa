//! Identifiers. Every directory object id is a GUID, written lower-case with hyphens as Graph does.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::Error;

macro_rules! guid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
            /// A new random id drawn from the injected randomness source.
            pub fn generate(random: &dyn crate::random::Random) -> Self {
                Self(random.uuid())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Uuid::try_parse(s)
                    .map(Self)
                    .map_err(|_| Error::invalid(format!("Invalid object identifier '{s}'.")))
            }
        }
    };
}

guid_id!(
    /// A tenant's id (Graph `organization.id`, the `tid` claim).
    TenantId
);
guid_id!(
    /// The id of any directory object within a tenant (users, groups, apps, service principals...).
    ObjectId
);
guid_id!(
    /// An application's `appId` (client id); stable across tenants for multi-tenant and first-party apps.
    AppId
);
