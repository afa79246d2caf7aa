//! Shape checks against Microsoft's OpenAPI descriptions of Graph (`../shared/graph-openapi/`): every
//! property a response carries must exist in the schema it claims.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Property names per schema from Microsoft's OpenAPI description, with each property's schema
/// when it refers to one (directly, as array items, or through anyOf).
pub struct OpenApi {
    schemas: BTreeMap<String, BTreeMap<String, Option<String>>>,
}

impl OpenApi {
    /// Loads `file` from `GATEHOUSE_GRAPH_OPENAPI_DIR`, or else from `../shared/graph-openapi/`
    /// beside the checkout; `None` when it is not there.
    pub fn load(file: &str) -> Option<Self> {
        let dir = std::env::var("GATEHOUSE_GRAPH_OPENAPI_DIR").unwrap_or_else(|_| {
            format!(
                "{}/../../../shared/graph-openapi",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        let path = format!("{dir}/{file}");
        let text = std::fs::read_to_string(path).ok()?;
        let lines: Vec<&str> = text.lines().collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        let mut schemas = BTreeMap::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let is_schema = indent(line) == 4
                && line.trim_start().starts_with("microsoft.graph.")
                && line.ends_with(':');
            if !is_schema {
                i += 1;
                continue;
            }
            let name = line.trim().trim_end_matches(':').to_owned();
            let mut props = BTreeMap::new();
            let mut j = i + 1;
            let mut prop_indent = None;
            let mut current: Option<String> = None;
            while j < lines.len() && (lines[j].trim().is_empty() || indent(lines[j]) > 4) {
                let l = lines[j];
                let t = l.trim();
                if let Some(base) = t.strip_prefix("- $ref: '#/components/schemas/")
                    && prop_indent.is_none()
                {
                    props.insert(format!("$base:{}", base.trim_end_matches('\'')), None);
                }
                if t == "properties:" {
                    prop_indent = Some(indent(l) + 2);
                } else if Some(indent(l)) == prop_indent && t.ends_with(':') {
                    let p = t.trim_end_matches(':').trim_matches('\'').to_owned();
                    props.insert(p.clone(), None);
                    current = Some(p);
                } else if prop_indent.is_some_and(|pi| indent(l) < pi) {
                    current = None;
                } else if let (Some(p), Some(r)) =
                    (&current, t.split("$ref: '#/components/schemas/").nth(1))
                {
                    let entry = props.get_mut(p).unwrap();
                    if entry.is_none() {
                        *entry = Some(r.trim_end_matches('\'').to_owned());
                    }
                }
                j += 1;
            }
            schemas.insert(name, props);
            i = j;
        }
        Some(Self { schemas })
    }

    fn properties(&self, schema: &str) -> BTreeMap<String, Option<String>> {
        let mut out = BTreeMap::new();
        if let Some(props) = self.schemas.get(schema) {
            for (k, v) in props {
                if let Some(base) = k.strip_prefix("$base:") {
                    out.extend(self.properties(base));
                } else {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        out
    }

    /// Every key of `value` (recursively) exists in `schema`.
    pub fn check(&self, schema: &str, value: &Value, path: &str, seen: &mut BTreeSet<String>) {
        match value {
            Value::Array(items) => {
                for item in items {
                    self.check(schema, item, path, seen);
                }
            }
            Value::Object(m) => {
                let props = self.properties(schema);
                assert!(!props.is_empty(), "schema {schema} not found");
                for (k, v) in m {
                    if k.starts_with("@odata.") {
                        continue;
                    }
                    let Some(sub) = props.get(k) else {
                        panic!("{path}.{k} is not a property of {schema}");
                    };
                    seen.insert(format!("{path}.{k}"));
                    if let Some(sub) = sub
                        && sub.starts_with("microsoft.graph.")
                    {
                        self.check(sub, v, &format!("{path}.{k}"), seen);
                    }
                }
            }
            _ => {}
        }
    }
}
