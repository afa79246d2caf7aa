//! What a Graph collection supports: its properties with their types, the `$filter` operators each
//! supports by default or only in advanced queries, sorting, the default `$select` projection,
//! `$search`, `$expand`, and page sizes. One `static` [`Collection`] per entity set.

/// A set of `$filter` operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ops(u16);

impl Ops {
    pub const NONE: Ops = Ops(0);
    pub const EQ: Ops = Ops(1);
    pub const NE: Ops = Ops(1 << 1);
    pub const NOT: Ops = Ops(1 << 2);
    /// `gt`, `ge`, `lt`, `le`.
    pub const RANGE: Ops = Ops(1 << 3);
    pub const IN: Ops = Ops(1 << 4);
    pub const STARTS_WITH: Ops = Ops(1 << 5);
    pub const ENDS_WITH: Ops = Ops(1 << 6);
    /// `eq null` / `ne null`.
    pub const NULL: Ops = Ops(1 << 7);
    /// `any()` / `all()` on a collection property.
    pub const LAMBDA: Ops = Ops(1 << 8);
    /// Everything.
    pub const ALL: Ops = Ops(0x1ff);

    pub const fn with(self, other: Ops) -> Ops {
        Ops(self.0 | other.0)
    }

    pub const fn contains(self, other: Ops) -> bool {
        self.0 & other.0 == other.0
    }
}

/// Whether something works by default, only in advanced queries (`ConsistencyLevel: eventual` and
/// `$count=true`), or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    No,
    Default,
    Advanced,
}

/// The type of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Bool,
    Int,
    DateTime,
    /// A GUID; `$filter` accepts it unquoted or as a string.
    Guid,
    /// A collection of strings (`proxyAddresses`, `otherMails`, `businessPhones`, `groupTypes`).
    StringCollection,
    /// A collection of complex values filterable through one of their properties in a lambda
    /// (`assignedLicenses/any(x:x/skuId eq ...)`).
    ComplexCollection(&'static [Property]),
    /// A complex value whose properties are addressed by path
    /// (`onPremisesExtensionAttributes/extensionAttribute1`).
    Complex(&'static [Property]),
}

impl Kind {
    /// The EDM type name OData's messages use.
    pub fn edm_type(self) -> &'static str {
        match self {
            Kind::String => "Edm.String",
            Kind::Bool => "Edm.Boolean",
            Kind::Int => "Edm.Int32",
            Kind::DateTime => "Edm.DateTimeOffset",
            Kind::Guid => "Edm.Guid",
            Kind::StringCollection => "Collection(Edm.String)",
            Kind::ComplexCollection(_) | Kind::Complex(_) => "Edm.ComplexType",
        }
    }
}

/// One property of an entity type, as the query layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    /// Graph's spelling; matched case-insensitively.
    pub name: &'static str,
    pub kind: Kind,
    /// `$filter` operators that work without advanced query parameters.
    pub filter_default: Ops,
    /// `$filter` operators that work only in advanced queries (in addition to the defaults).
    pub filter_advanced: Ops,
    pub sort: Support,
    /// Part of the default projection (returned without `$select`).
    pub default_select: bool,
    /// Searchable with `$search="name:word"` (advanced).
    pub search: bool,
}

impl Property {
    /// A property returned by default that cannot be filtered, sorted or searched.
    pub const fn plain(name: &'static str, kind: Kind) -> Self {
        Self {
            name,
            kind,
            filter_default: Ops::NONE,
            filter_advanced: Ops::NONE,
            sort: Support::No,
            default_select: true,
            search: false,
        }
    }

    /// This property with `$filter` support: `default` operators always, `advanced` ones in
    /// advanced queries.
    pub const fn filter(mut self, default: Ops, advanced: Ops) -> Self {
        self.filter_default = default;
        self.filter_advanced = advanced;
        self
    }

    pub const fn sort(mut self, support: Support) -> Self {
        self.sort = support;
        self
    }

    pub const fn searchable(mut self) -> Self {
        self.search = true;
        self
    }

    /// Returned only when `$select`ed.
    pub const fn select_only(mut self) -> Self {
        self.default_select = false;
        self
    }

    /// How this property supports `ops`.
    pub fn supports(&self, ops: Ops) -> Support {
        if self.filter_default.contains(ops) {
            Support::Default
        } else if self.filter_default.with(self.filter_advanced).contains(ops) {
            Support::Advanced
        } else {
            Support::No
        }
    }
}

/// A navigation property `$expand` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Navigation {
    pub name: &'static str,
    /// A single object (`manager`) rather than a collection (`members`).
    pub single: bool,
}

/// An entity set and what its list endpoint supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collection {
    /// The entity set (`users`), as in `@odata.context`.
    pub name: &'static str,
    /// The resource name Graph's query errors use (`User`).
    pub entity: &'static str,
    /// The qualified type (`microsoft.graph.user`).
    pub type_name: &'static str,
    pub properties: &'static [Property],
    pub navigations: &'static [Navigation],
    pub default_page_size: u32,
    pub max_top: u32,
    /// A directory object collection: Graph's advanced-query rules apply (`ConsistencyLevel:
    /// eventual` enables `$count`, `$search` and the advanced operators). When false, only the
    /// default operators exist and `$count`/`$search` are not supported.
    pub directory: bool,
}

/// Graph's limit on objects returned per expanded relationship.
pub const MAX_EXPANDED: usize = 20;

impl Collection {
    /// The property named `name` (case-insensitive).
    pub fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    pub fn navigation(&self, name: &str) -> Option<&'static Navigation> {
        self.navigations
            .iter()
            .find(|n| n.name.eq_ignore_ascii_case(name))
    }

    /// The properties returned without `$select`.
    pub fn default_select(&self) -> impl Iterator<Item = &'static str> {
        self.properties
            .iter()
            .filter(|p| p.default_select)
            .map(|p| p.name)
    }
}
