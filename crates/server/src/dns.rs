//! DNS lookups for domain verification: the TXT records of a name, through the system resolver or
//! the one the `dns_resolver` setting names. Answers are not cached, so a record an administrator
//! has just added is seen on the next attempt.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use gatehouse_domain::domain_name::DomainName;
use gatehouse_domain::{Error, Result};
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, TokioResolver};

/// How long one query may take, and how often it is tried.
const TIMEOUT: Duration = Duration::from_secs(5);
const ATTEMPTS: usize = 2;

/// A DNS resolver for TXT lookups.
pub struct Dns {
    /// `Err`: why there is none (the system configuration could not be read); lookups are then
    /// `Unavailable` rather than the server refusing to start.
    resolver: std::result::Result<TokioResolver, String>,
    source: String,
}

impl fmt::Debug for Dns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dns({})", self.source)
    }
}

fn options(mut opts: ResolverOpts) -> ResolverOpts {
    opts.timeout = TIMEOUT;
    opts.attempts = ATTEMPTS;
    opts.positive_max_ttl = Some(Duration::ZERO);
    opts.negative_max_ttl = Some(Duration::ZERO);
    opts
}

impl Dns {
    /// The operating system's resolver (`/etc/resolv.conf`).
    pub fn system() -> Self {
        let resolver = TokioResolver::builder_tokio()
            .map(|mut builder| {
                *builder.options_mut() = options(builder.options_mut().clone());
                builder.build()
            })
            .map_err(|e| format!("cannot read the system DNS configuration: {e}"));
        if let Err(problem) = &resolver {
            tracing::warn!(%problem, "domain verification will fail until the dns_resolver setting names a DNS server");
        }
        Self {
            resolver,
            source: "the system resolver".into(),
        }
    }

    /// The DNS server at `addr` (UDP, falling back to TCP for truncated answers).
    pub fn at(addr: SocketAddr) -> Self {
        let mut config = ResolverConfig::new();
        config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
        config.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
        let resolver =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                .with_options(options(ResolverOpts::default()))
                .build();
        Self {
            resolver: Ok(resolver),
            source: addr.to_string(),
        }
    }

    /// The resolver `setting` names, or the system's.
    pub fn configured(setting: Option<SocketAddr>) -> Self {
        match setting {
            Some(addr) => Self::at(addr),
            None => Self::system(),
        }
    }

    /// The TXT records of `name`, each with its character strings joined. A name without TXT
    /// records, or that does not exist, has none; a resolver that cannot answer is `Unavailable`.
    pub async fn txt(&self, name: &DomainName) -> Result<Vec<String>> {
        let resolver = self
            .resolver
            .as_ref()
            .map_err(|problem| Error::unavailable(format!("DNS lookup of {name}: {problem}")))?;
        match resolver.txt_lookup(format!("{name}.")).await {
            Ok(lookup) => Ok(lookup
                .iter()
                .map(|txt| {
                    txt.txt_data()
                        .iter()
                        .map(|chunk| String::from_utf8_lossy(chunk))
                        .collect::<String>()
                })
                .collect()),
            Err(e) if absent(&e) => Ok(Vec::new()),
            Err(e) => Err(Error::unavailable(format!(
                "DNS lookup of {name} via {}: {e}",
                self.source
            ))),
        }
    }
}

/// Whether the answer says the name has no TXT record (NXDOMAIN, or an empty NOERROR), as opposed
/// to a server that failed or refused to answer.
fn absent(e: &ResolveError) -> bool {
    matches!(
        e.proto().map(|p| p.kind()),
        Some(ProtoErrorKind::NoRecordsFound {
            response_code: ResponseCode::NoError | ResponseCode::NXDomain,
            ..
        })
    )
}
