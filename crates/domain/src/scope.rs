//! OAuth scope requests as Entra reads them: the OpenID Connect scopes, and the delegated
//! permissions of one resource, named `{resource}/{permission}`, `{resource}/.default`, or bare
//! (bare names belong to Microsoft Graph).

use std::collections::BTreeSet;

use crate::catalog::first_party::MICROSOFT_GRAPH;

/// The OpenID Connect scopes, which address no resource.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// Microsoft Graph's resource identifier URI.
pub const GRAPH_RESOURCE_URI: &str = "https://graph.microsoft.com";

/// What a `scope` parameter asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeRequest {
    /// The OIDC scopes requested, lower-cased.
    pub oidc: BTreeSet<String>,
    /// The resource addressed (its app id or identifier URI as written), if any.
    pub resource: Option<String>,
    /// `.default`: everything consented for the resource.
    pub default: bool,
    /// Named permissions of the resource.
    pub permissions: Vec<String>,
}

/// Why a scope parameter is unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeError {
    /// Permissions of more than one resource, or `.default` mixed with named permissions.
    Mixed(String),
    /// A scope that is syntactically wrong.
    Malformed(String),
}

impl ScopeRequest {
    pub fn parse(raw: &str) -> Result<Self, ScopeError> {
        let mut request = Self::default();
        for item in raw.split_whitespace() {
            if OIDC_SCOPES.iter().any(|s| s.eq_ignore_ascii_case(item)) {
                request.oidc.insert(item.to_ascii_lowercase());
                continue;
            }
            let (resource, name) = match item.rsplit_once('/') {
                Some((resource, name)) => (resource.trim_end_matches('/').to_owned(), name),
                None => (GRAPH_RESOURCE_URI.to_owned(), item),
            };
            if resource.is_empty() || name.is_empty() {
                return Err(ScopeError::Malformed(item.to_owned()));
            }
            match &request.resource {
                Some(r) if !same_resource(r, &resource) => {
                    return Err(ScopeError::Mixed(item.to_owned()));
                }
                Some(_) => {}
                None => request.resource = Some(resource),
            }
            if name == ".default" {
                request.default = true;
            } else if !request
                .permissions
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name))
            {
                request.permissions.push(name.to_owned());
            }
        }
        if request.default && !request.permissions.is_empty() {
            return Err(ScopeError::Mixed(".default".to_owned()));
        }
        Ok(request)
    }

    /// True when the request addresses Microsoft Graph (explicitly, or by naming no resource).
    pub fn is_graph(&self) -> bool {
        self.resource.as_deref().is_none_or(is_graph_resource)
    }

    pub fn wants(&self, oidc_scope: &str) -> bool {
        self.oidc.contains(oidc_scope)
    }

    /// The permissions to put in the token, given what is consented: everything for `.default`,
    /// otherwise the named ones, each of which must be consented (`Err` lists the missing ones).
    pub fn delegated(&self, consented: &BTreeSet<String>) -> Result<Vec<String>, Vec<String>> {
        if self.default {
            return Ok(consented.iter().cloned().collect());
        }
        let mut granted = Vec::new();
        let mut missing = Vec::new();
        for p in &self.permissions {
            match consented.iter().find(|c| c.eq_ignore_ascii_case(p)) {
                Some(c) => granted.push(c.clone()),
                None => missing.push(p.clone()),
            }
        }
        if missing.is_empty() {
            Ok(granted)
        } else {
            Err(missing)
        }
    }
}

/// Whether a resource named in a scope is Microsoft Graph (by URI or app id).
pub fn is_graph_resource(resource: &str) -> bool {
    let r = resource.trim_end_matches('/');
    r.eq_ignore_ascii_case(GRAPH_RESOURCE_URI)
        || r.eq_ignore_ascii_case("https://graph.microsoft.com/v1.0")
        || r.eq_ignore_ascii_case(&MICROSOFT_GRAPH.to_string())
}

fn same_resource(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || (is_graph_resource(a) && is_graph_resource(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_the_forms_msal_sends() {
        let cases: [(&str, &[&str], bool, &[&str]); 5] = [
            (
                "User.Read openid profile offline_access",
                &["offline_access", "openid", "profile"],
                false,
                &["User.Read"],
            ),
            ("https://graph.microsoft.com/.default", &[], true, &[]),
            (
                "00000003-0000-0000-c000-000000000000/.default openid",
                &["openid"],
                true,
                &[],
            ),
            (
                "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Read",
                &[],
                false,
                &["User.Read", "Mail.Read"],
            ),
            (
                "OpenID User.Read user.read",
                &["openid"],
                false,
                &["User.Read"],
            ),
        ];
        for (raw, oidc, default, perms) in cases {
            let r = ScopeRequest::parse(raw).unwrap();
            assert_eq!(r.oidc, set(oidc), "{raw}");
            assert_eq!(r.default, default, "{raw}");
            assert_eq!(
                r.permissions,
                perms.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{raw}"
            );
            assert!(r.is_graph(), "{raw}");
        }
        assert!(ScopeRequest::parse("openid").unwrap().resource.is_none());
    }

    #[test]
    fn refuses_mixed_and_malformed_requests() {
        assert!(matches!(
            ScopeRequest::parse("User.Read api://other/Read"),
            Err(ScopeError::Mixed(_))
        ));
        assert!(matches!(
            ScopeRequest::parse("https://graph.microsoft.com/.default User.Read"),
            Err(ScopeError::Mixed(_))
        ));
        assert!(matches!(
            ScopeRequest::parse("https://graph.microsoft.com/"),
            Err(ScopeError::Malformed(_))
        ));
        assert!(!ScopeRequest::parse("api://other/Read").unwrap().is_graph());
    }

    #[test]
    fn delegated_permissions_need_consent() {
        let consented = set(&["User.Read", "Group.Read.All"]);
        let named = ScopeRequest::parse("user.read").unwrap();
        assert_eq!(
            named.delegated(&consented),
            Ok(vec!["User.Read".to_owned()])
        );
        let default = ScopeRequest::parse("https://graph.microsoft.com/.default").unwrap();
        assert_eq!(
            default.delegated(&consented),
            Ok(vec!["Group.Read.All".to_owned(), "User.Read".to_owned()])
        );
        let missing = ScopeRequest::parse("User.Read Mail.Send").unwrap();
        assert_eq!(
            missing.delegated(&consented),
            Err(vec!["Mail.Send".to_owned()])
        );
    }
}
