//! `gatehouse serve` settings.
//!
//! Each setting is taken from the first place that gives it: a flag, then a `GATEHOUSE_*` environment
//! variable, then the TOML config file (`--config` / `GATEHOUSE_CONFIG`), then the default. A setting's
//! names follow from its file key: `public_url` is `--public-url` and `GATEHOUSE_PUBLIC_URL`. Secrets and
//! bootstrap values come from the environment only; secrets are redacted in `Debug`, as is any password
//! in the database URL. Loading reads the config file and nothing else: it creates and writes nothing.
//! `docs/configuration.md` is the user-facing reference.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use base64::Engine as _;
use gatehouse_domain::domain_name::DomainName;
use zeroize::Zeroize;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
pub const DEFAULT_PUBLIC_URL: &str = "https://localhost:8443";
pub const DEFAULT_DATA_DIR: &str = "gatehouse-data";
pub const DEFAULT_LOG_FILTER: &str = "info";
pub const DEFAULT_DOMAIN_SUFFIX: &str = "gatehouse.test";
pub const DEFAULT_TENANT_NAME: &str = "Default Directory";

/// `gatehouse serve` flags. Every field is optional so that layering can tell "not given".
/// Environment variables are read by [`Settings::load`], not by clap, so that tests stay hermetic.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML config file [env: GATEHOUSE_CONFIG]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Address to listen on, IP:PORT; repeatable [env: GATEHOUSE_LISTEN, comma-separated] [default: 127.0.0.1:8443]
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<String>,
    /// Public https URL; the issuer and links use it [env: GATEHOUSE_PUBLIC_URL] [default: https://localhost:8443]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Data directory [env: GATEHOUSE_DATA_DIR] [default: ./gatehouse-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite:PATH or postgres://... [env: GATEHOUSE_DATABASE_URL] [default: DATA_DIR/gatehouse.db]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// PEM certificate chain, with --tls-key [env: GATEHOUSE_TLS_CERT] [default: a development certificate]
    #[arg(long, value_name = "PATH")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert [env: GATEHOUSE_TLS_KEY]
    #[arg(long, value_name = "PATH")]
    pub tls_key: Option<PathBuf>,
    /// Log line format: human or json [env: GATEHOUSE_LOG_FORMAT] [default: human]
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Log filter in RUST_LOG syntax, e.g. gatehouse=debug,info [env: GATEHOUSE_LOG] [default: info]
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,
    /// Suffix of new tenants' initial domains [env: GATEHOUSE_INITIAL_DOMAIN_SUFFIX] [default: gatehouse.test]
    #[arg(long, value_name = "DOMAIN")]
    pub initial_domain_suffix: Option<String>,
    /// DNS server for domain verification, IP:PORT [env: GATEHOUSE_DNS_RESOLVER] [default: the system resolver]
    #[arg(long, value_name = "ADDR")]
    pub dns_resolver: Option<String>,
}

/// The effective settings of `gatehouse serve`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: Vec<SocketAddr>,
    pub public_url: PublicUrl,
    /// Absolute.
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub tls: TlsSource,
    pub log_format: LogFormat,
    /// A `tracing_subscriber::EnvFilter` directive string, already validated.
    pub log_filter: String,
    pub initial_domain_suffix: DomainName,
    /// The DNS server domain verification asks; `None`: the system resolver.
    pub dns_resolver: Option<SocketAddr>,
    /// `GATEHOUSE_MASTER_KEY`: base64 of exactly 32 bytes (validated). `None`: `DATA_DIR/master.key`.
    pub master_key: Option<Secret>,
    /// `GATEHOUSE_OPERATOR_KEY`: at least 32 characters (validated). `None`: `DATA_DIR/operator.key`.
    pub operator_key: Option<Secret>,
    pub bootstrap: Bootstrap,
}

/// What the first start on an empty database creates. Environment only.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub tenant_name: String,
    pub domain: Option<DomainName>,
    pub admin: Option<String>,
    pub admin_password: Option<Secret>,
    pub security_defaults: bool,
}

/// Where the server certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// A development CA and server certificate in `DATA_DIR/tls/`, created on first start.
    Development,
    /// PEM files given by the operator (absolute paths).
    Files { cert: PathBuf, key: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

/// A secret string: `Debug` never shows it, and it is wiped from memory when dropped.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Why a value does not parse; the caller adds which setting it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(String);

fn invalid<T>(why: &str) -> Result<T, InvalidValue> {
    Err(InvalidValue(why.to_owned()))
}

/// The public base URL: `https`, no query or fragment, no trailing slash, host lower-cased.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for PublicUrl {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        let Some(rest) = strip_prefix_ignore_case(raw, "https://") else {
            return invalid("expected an https:// URL such as https://localhost:8443");
        };
        if raw.contains(['?', '#']) {
            return invalid("expected a URL without query (?) or fragment (#)");
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (host, port) = match authority.rfind(':') {
            Some(at) if !authority[at..].contains(']') => {
                (&authority[..at], Some(&authority[at + 1..]))
            }
            _ => (authority, None),
        };
        let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
            None => {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b))
            }
        };
        if !host_ok || port.is_some_and(|p| p.parse::<u16>().is_err()) {
            return invalid("expected https://HOST[:PORT][/PATH], with an IPv6 host in brackets");
        }
        let path = path.trim_end_matches('/');
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return invalid("expected a URL without spaces");
        }
        Ok(Self(format!(
            "https://{}{path}",
            authority.to_ascii_lowercase()
        )))
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicUrl({})", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// A `sqlite:` or `postgres://` / `postgresql://` URL. `Debug` shows it with any password redacted;
/// there is deliberately no `Display`: use [`DatabaseUrl::redacted`] for logs, `as_str` to connect.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    kind: DatabaseKind,
}

impl DatabaseUrl {
    /// The SQLite file `path`, created if missing when connecting (`mode=rwc`).
    pub fn sqlite_file(path: &Path) -> Result<Self, InvalidValue> {
        let Some(path) = path.to_str() else {
            return invalid("the path is not valid UTF-8");
        };
        let escaped = path
            .replace('%', "%25")
            .replace('?', "%3F")
            .replace('#', "%23");
        let url = format!("sqlite://{escaped}?mode=rwc");
        Ok(Self {
            url,
            kind: DatabaseKind::Sqlite,
        })
    }
    /// The full URL, password included: only for connecting.
    pub fn as_str(&self) -> &str {
        &self.url
    }
    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }
    /// The URL with the password (in the user info or a `password=` parameter) replaced.
    pub fn redacted(&self) -> String {
        redact_url(&self.url)
    }
}

impl FromStr for DatabaseUrl {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, InvalidValue> {
        let url = raw.trim().to_owned();
        let postgres = ["postgres://", "postgresql://"].iter();
        let kind = match strip_prefix_ignore_case(&url, "sqlite:") {
            Some(path) if !path.trim_start_matches('/').is_empty() => Some(DatabaseKind::Sqlite),
            Some(_) => None,
            None => postgres
                .filter_map(|scheme| strip_prefix_ignore_case(&url, scheme))
                .any(|rest| !rest.is_empty())
                .then_some(DatabaseKind::Postgres),
        };
        match kind {
            Some(kind) => Ok(Self { url, kind }),
            None => invalid("expected sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Replaces the password of `scheme://user:password@host...` and of `*password*=` parameters.
fn redact_url(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let mut out = base.to_owned();
    if let Some((scheme, rest)) = base.split_once("://")
        && let Some((userinfo, host)) = rest.rsplit_once('@')
        && let Some((user, _password)) = userinfo.split_once(':')
    {
        out = format!("{scheme}://{user}:<redacted>@{host}");
    }
    for (i, param) in query.into_iter().flat_map(|q| q.split('&')).enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        match param.split_once('=') {
            Some((name, _)) if name.to_ascii_lowercase().contains("password") => {
                out.push_str(&format!("{name}=<redacted>"));
            }
            _ => out.push_str(param),
        }
    }
    out
}

impl FromStr for LogFormat {
    type Err = InvalidValue;
    fn from_str(raw: &str) -> Result<Self, InvalidValue> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "human" => Ok(Self::Human),
            "json" => Ok(Self::Json),
            _ => invalid("expected human or json"),
        }
    }
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Json => "json",
        }
    }
}

/// A configuration problem. Each message is one line naming the setting and the fix; none contains a
/// secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file cannot be read or parsed, has an unknown key, or a value of the wrong type.
    #[error("config file {path}: {problem}")]
    File { path: String, problem: String },
    /// `setting` is a flag, an environment variable or a file key; `location` names the file, if any.
    #[error("invalid {setting} '{value}'{location}: {expected}")]
    Invalid {
        setting: String,
        value: String,
        location: String,
        expected: String,
    },
    /// A secret that does not have the required form; its value is never shown.
    #[error("invalid {setting}: {expected}")]
    InvalidSecret {
        setting: String,
        expected: &'static str,
    },
    #[error(
        "{given} is set but {missing} is not: give both, or neither to use a development certificate"
    )]
    IncompleteTls { given: String, missing: String },
}

/// A setting, by its config file key; its flag and environment variable follow from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key(&'static str);

impl Key {
    fn flag(self) -> String {
        format!("--{}", self.0.replace('_', "-"))
    }
    fn env(self) -> String {
        format!("GATEHOUSE_{}", self.0.to_ascii_uppercase())
    }
    fn everywhere(self) -> String {
        format!(
            "{} (or {}, or `{}` in the config file)",
            self.flag(),
            self.env(),
            self.0
        )
    }
}

const LISTEN: Key = Key("listen");
const PUBLIC_URL: Key = Key("public_url");
const DATA_DIR: Key = Key("data_dir");
const DATABASE_URL: Key = Key("database_url");
const TLS_CERT: Key = Key("tls_cert");
const TLS_KEY: Key = Key("tls_key");
const LOG_FORMAT: Key = Key("log_format");
const LOG: Key = Key("log");
const DOMAIN_SUFFIX: Key = Key("initial_domain_suffix");
const DNS_RESOLVER: Key = Key("dns_resolver");
#[rustfmt::skip]
const FILE_KEYS: [Key; 10] =
    [LISTEN, PUBLIC_URL, DATA_DIR, DATABASE_URL, TLS_CERT, TLS_KEY, LOG_FORMAT, LOG, DOMAIN_SUFFIX, DNS_RESOLVER];

const MASTER_KEY: Key = Key("master_key");
const OPERATOR_KEY: Key = Key("operator_key");
const TENANT_NAME: Key = Key("bootstrap_tenant_name");
const DOMAIN: Key = Key("bootstrap_domain");
const ADMIN: Key = Key("bootstrap_admin");
const ADMIN_PASSWORD: Key = Key("bootstrap_admin_password");
const SECURITY_DEFAULTS: Key = Key("bootstrap_security_defaults");
/// Settings read from the environment only: secrets and one-time bootstrap values.
#[rustfmt::skip]
const ENV_ONLY: [Key; 7] =
    [MASTER_KEY, OPERATOR_KEY, TENANT_NAME, DOMAIN, ADMIN, ADMIN_PASSWORD, SECURITY_DEFAULTS];

/// Where a value came from; relative paths resolve against the file's directory or the working
/// directory.
#[derive(Debug, Clone)]
enum Origin {
    Default,
    Flag,
    Env,
    File { path: PathBuf, dir: PathBuf },
}

/// A raw value and where it came from, so that an error can name the setting as the user gave it.
#[derive(Debug)]
struct Given {
    value: String,
    key: Key,
    origin: Origin,
}

impl Given {
    fn new(value: &str, key: Key, origin: Origin) -> Self {
        Self {
            value: value.to_owned(),
            key,
            origin,
        }
    }

    fn setting(&self) -> String {
        match &self.origin {
            Origin::Flag | Origin::Default => self.key.flag(),
            Origin::Env => self.key.env(),
            Origin::File { path, .. } => {
                format!("`{}` in config file {}", self.key.0, path.display())
            }
        }
    }

    fn invalid(&self, shown: &str, expected: impl fmt::Display) -> ConfigError {
        let (setting, location) = match &self.origin {
            Origin::Default => (self.key.flag(), " (the default)".to_owned()),
            Origin::Flag => (self.key.flag(), String::new()),
            Origin::Env => (self.key.env(), String::new()),
            Origin::File { path, .. } => (
                format!("`{}`", self.key.0),
                format!(" in config file {}", path.display()),
            ),
        };
        let (value, expected) = (shown.to_owned(), expected.to_string());
        ConfigError::Invalid {
            setting,
            value,
            location,
            expected,
        }
    }

    fn parse<T: FromStr<Err = InvalidValue>>(&self) -> Result<T, ConfigError> {
        self.value.parse().map_err(|e| self.invalid(&self.value, e))
    }

    fn check<T>(
        &self,
        parse: impl FnOnce(&str) -> Option<T>,
        expected: &str,
    ) -> Result<T, ConfigError> {
        parse(&self.value).ok_or_else(|| self.invalid(&self.value, expected))
    }

    fn path(&self) -> Result<PathBuf, ConfigError> {
        let relative = Path::new(&self.value);
        let resolved = match &self.origin {
            Origin::File { dir, .. } if !self.value.is_empty() => Ok(dir.join(relative)),
            _ => std::path::absolute(relative),
        };
        resolved
            .map_err(|e| self.invalid(&self.value, format!("expected a path ({})", io_reason(&e))))
    }
}

/// The config file's values, checked for unknown keys and types. `listen` is joined with commas.
struct ConfigFile {
    path: PathBuf,
    dir: PathBuf,
    values: HashMap<&'static str, String>,
}

impl ConfigFile {
    fn read(setting: &str, raw_path: &Path) -> Result<Self, ConfigError> {
        let problem = |problem: String| ConfigError::File {
            path: raw_path.display().to_string(),
            problem,
        };
        let path = std::path::absolute(raw_path).map_err(|e| problem(io_reason(&e)))?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| problem(format!("cannot read it ({}): {}", setting, io_reason(&e))))?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map_or(0, |s| text[..s.start].matches('\n').count() + 1);
            problem(format!(
                "not valid TOML at line {line}: {}",
                e.message().replace('\n', " ")
            ))
        })?;
        let mut values = HashMap::new();
        for (name, value) in table {
            let Some(key) = FILE_KEYS.into_iter().find(|k| k.0 == name) else {
                return Err(problem(format!(
                    "unknown key `{name}`: {}",
                    unknown_key_hint(&name)
                )));
            };
            let text = match (value, key) {
                (toml::Value::String(text), _) => Some(text),
                (toml::Value::Array(items), LISTEN) => items
                    .iter()
                    .map(|i| i.as_str())
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.join(",")),
                _ => None,
            };
            let expected = if key == LISTEN {
                "an array of strings"
            } else {
                "a string (in quotes)"
            };
            let text = text.ok_or_else(|| problem(format!("`{name}` must be {expected}")))?;
            values.insert(key.0, text);
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Self { path, dir, values })
    }
}

/// "did you mean" for an unknown file key, or the rule for environment-only settings.
fn unknown_key_hint(name: &str) -> String {
    let normal = name.trim().to_ascii_lowercase().replace('-', "_");
    let normal = normal.strip_prefix("gatehouse_").unwrap_or(&normal);
    if let Some(key) = ENV_ONLY.iter().find(|k| k.0 == normal) {
        return format!(
            "this setting is read only from the environment variable {}",
            key.env()
        );
    }
    let known = FILE_KEYS.map(|k| k.0);
    let longer: Vec<String> = known
        .iter()
        .filter(|k| k.starts_with(normal))
        .map(|k| format!("`{k}`"))
        .collect();
    if !normal.is_empty() && !longer.is_empty() {
        return format!("did you mean {}?", longer.join(" or "));
    }
    let best = known
        .iter()
        .map(|k| (edit_distance(normal, k), *k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 3) || normal.starts_with(k))
        .min();
    match best {
        Some((_, k)) => format!("did you mean `{k}`?"),
        None => format!("known keys are {}", known.join(", ")),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            (diagonal, row[j + 1]) = (row[j + 1], next);
        }
    }
    row[b.len()]
}

struct Layers<'a> {
    env: &'a HashMap<String, String>,
    file: Option<ConfigFile>,
}

impl Layers<'_> {
    /// An environment variable; set-but-empty counts as not set.
    fn env(&self, key: Key) -> Option<Given> {
        let value = self.env.get(&key.env())?.trim();
        (!value.is_empty()).then(|| Given::new(value, key, Origin::Env))
    }

    /// The value of `key` from the highest layer that has it, if any.
    fn pick(&self, key: Key, flag: Option<String>) -> Option<Given> {
        if let Some(value) = flag {
            return Some(Given::new(&value, key, Origin::Flag));
        }
        if let Some(given) = self.env(key) {
            return Some(given);
        }
        let file = self.file.as_ref()?;
        let origin = Origin::File {
            path: file.path.clone(),
            dir: file.dir.clone(),
        };
        Some(Given::new(file.values.get(key.0)?, key, origin))
    }

    fn get(&self, key: Key, flag: Option<String>, default: &str) -> Given {
        self.pick(key, flag)
            .unwrap_or_else(|| Given::new(default, key, Origin::Default))
    }
}

fn path_flag(flag: &Option<PathBuf>) -> Option<String> {
    flag.as_ref().map(|p| p.to_string_lossy().into_owned())
}

impl Settings {
    /// Layers defaults, file, environment and flags. `env` is passed in (not read from the process) so
    /// tests are hermetic; relative paths from flags and the environment use the working directory.
    pub fn load(args: &ServeArgs, env: &HashMap<String, String>) -> Result<Settings, ConfigError> {
        let mut layers = Layers { env, file: None };
        let config = Key("config");
        let config_path = match (&args.config, layers.env(config)) {
            (Some(path), _) => Some((config.flag(), path.clone())),
            (None, Some(given)) => Some((config.env(), PathBuf::from(given.value))),
            (None, None) => None,
        };
        if let Some((setting, path)) = config_path {
            layers.file = Some(ConfigFile::read(&setting, &path)?);
        }

        let listen = parse_listen(&layers.get(LISTEN, flags_joined(&args.listen), DEFAULT_LISTEN))?;
        let public_url = layers.get(PUBLIC_URL, args.public_url.clone(), DEFAULT_PUBLIC_URL);
        let public_url = public_url.parse()?;
        let data_dir_given = layers.get(DATA_DIR, path_flag(&args.data_dir), DEFAULT_DATA_DIR);
        let data_dir = data_dir_given.path()?;
        let database_url = match layers.pick(DATABASE_URL, args.database_url.clone()) {
            Some(url) => url
                .value
                .parse()
                .map_err(|e| url.invalid(&redact_url(&url.value), e))?,
            None => DatabaseUrl::sqlite_file(&data_dir.join("gatehouse.db")).map_err(|e| {
                data_dir_given.invalid(&data_dir_given.value, format!("{e}; set --database-url"))
            })?,
        };
        let tls_cert = layers.pick(TLS_CERT, path_flag(&args.tls_cert));
        let tls_key = layers.pick(TLS_KEY, path_flag(&args.tls_key));
        let tls = match (tls_cert, tls_key) {
            (None, None) => TlsSource::Development,
            (Some(cert), Some(key)) => TlsSource::Files {
                cert: cert.path()?,
                key: key.path()?,
            },
            (Some(one), None) | (None, Some(one)) => {
                let missing = [TLS_CERT, TLS_KEY].into_iter().find(|k| *k != one.key);
                let missing = missing.unwrap_or(TLS_KEY);
                let (given, missing) = (one.setting(), missing.everywhere());
                return Err(ConfigError::IncompleteTls { given, missing });
            }
        };
        let log_format = layers
            .get(LOG_FORMAT, args.log_format.clone(), "human")
            .parse()?;
        let log_filter = layers.get(LOG, args.log.clone(), DEFAULT_LOG_FILTER);
        let log_filter =
            log_filter.check(log_filter_directives, "expected a log filter such as info")?;
        let suffix = args.initial_domain_suffix.clone();
        let suffix = layers.get(DOMAIN_SUFFIX, suffix, DEFAULT_DOMAIN_SUFFIX);
        let initial_domain_suffix = suffix.check(domain, "expected a DNS domain name")?;
        let dns_resolver = layers
            .pick(DNS_RESOLVER, args.dns_resolver.clone())
            .map(|given| {
                given.check(
                    |v| v.trim().parse::<SocketAddr>().ok(),
                    "expected IP:PORT such as 127.0.0.1:53 or [::1]:53",
                )
            })
            .transpose()?;
        let master_key = layers.env(MASTER_KEY).map(master_key).transpose()?;
        let operator_key = layers.env(OPERATOR_KEY).map(operator_key).transpose()?;
        let bootstrap = Bootstrap::from_env(&layers)?;
        Ok(Settings {
            listen,
            public_url,
            data_dir,
            database_url,
            tls,
            log_format,
            log_filter,
            initial_domain_suffix,
            dns_resolver,
            master_key,
            operator_key,
            bootstrap,
        })
    }
}

fn flags_joined(values: &[String]) -> Option<String> {
    (!values.is_empty()).then(|| values.join(","))
}

fn domain(raw: &str) -> Option<DomainName> {
    DomainName::parse(raw).ok()
}

fn log_filter_directives(raw: &str) -> Option<String> {
    let filter = raw.trim();
    let valid = !filter.is_empty() && tracing_subscriber::EnvFilter::try_new(filter).is_ok();
    valid.then(|| filter.to_owned())
}

fn parse_listen(given: &Given) -> Result<Vec<SocketAddr>, ConfigError> {
    const EXPECTED: &str = "expected IP:PORT such as 127.0.0.1:8443 or [::1]:8443";
    let mut addrs: Vec<SocketAddr> = Vec::new();
    for part in given
        .value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let addr: SocketAddr = part.parse().map_err(|_| given.invalid(part, EXPECTED))?;
        if addrs.contains(&addr) {
            return Err(given.invalid(part, "the address is listed twice; give each one once"));
        }
        addrs.push(addr);
    }
    if addrs.is_empty() {
        return Err(given.invalid(&given.value, format!("{EXPECTED}; at least one is needed")));
    }
    Ok(addrs)
}

fn master_key(given: Given) -> Result<Secret, ConfigError> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    if let Some(mut bytes) = [STANDARD, URL_SAFE]
        .iter()
        .find_map(|e| e.decode(&given.value).ok())
    {
        let ok = bytes.len() == 32;
        bytes.zeroize();
        if ok {
            return Ok(Secret::new(given.value.as_str()));
        }
    }
    Err(ConfigError::InvalidSecret {
        setting: given.key.env(),
        expected: "expected the base64 encoding of exactly 32 random bytes, e.g. from \
                   `openssl rand -base64 32`; unset it to use the key file DATA_DIR/master.key",
    })
}

fn operator_key(given: Given) -> Result<Secret, ConfigError> {
    let value = &given.value;
    if value.chars().count() >= 32 && !value.chars().any(char::is_whitespace) {
        return Ok(Secret::new(value.as_str()));
    }
    Err(ConfigError::InvalidSecret {
        setting: given.key.env(),
        expected: "expected at least 32 characters without spaces, e.g. from \
                   `openssl rand -base64 32`; unset it to use the key file DATA_DIR/operator.key",
    })
}

impl Bootstrap {
    fn from_env(layers: &Layers<'_>) -> Result<Self, ConfigError> {
        let name = layers.env(TENANT_NAME);
        let tenant_name = match &name {
            Some(given) => given.check(
                |n| (n.chars().count() <= 256).then(|| n.to_owned()),
                "expected a display name of at most 256 characters",
            )?,
            None => DEFAULT_TENANT_NAME.to_owned(),
        };
        let domain_example = "expected a DNS domain name such as contoso.gatehouse.test";
        let domain = layers.env(DOMAIN).map(|d| d.check(domain, domain_example));
        let admin = layers.env(ADMIN).map(|admin| {
            let no_spaces = |a: &str| (!a.contains(char::is_whitespace)).then(|| a.to_owned());
            admin.check(
                no_spaces,
                "expected a sign-in name without spaces such as admin@contoso.com",
            )
        });
        // Not trimmed: a password may start or end with a space.
        let password = layers
            .env
            .get(&ADMIN_PASSWORD.env())
            .filter(|p| !p.is_empty());
        let security_defaults = match layers.env(SECURITY_DEFAULTS) {
            Some(given) => given.check(
                |v| match v.to_ascii_lowercase().as_str() {
                    "on" => Some(true),
                    "off" => Some(false),
                    _ => None,
                },
                "expected on or off",
            )?,
            None => true,
        };
        Ok(Self {
            tenant_name,
            domain: domain.transpose()?,
            admin: admin.transpose()?,
            admin_password: password.map(|p| Secret::new(p.as_str())),
            security_defaults,
        })
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// An I/O error as a short phrase, without the "(os error N)" suffix.
pub(crate) fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    text.split(" (os error")
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    const KEY_32: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const OPERATOR: &str = "gho_operator-key-of-at-least-32-characters";

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    /// Loads settings from `given`, separated by `|`: `file:TOML` (the config file), `GATEHOUSE_*=value`
    /// (environment variables) and command-line arguments. Returns them and the config file's directory.
    fn load(given: &str) -> (Result<Settings, ConfigError>, String) {
        let dir = tempfile::tempdir().unwrap();
        let (mut env, mut argv) = (HashMap::new(), vec!["gatehouse".to_owned()]);
        for part in given.split('|').filter(|p| !p.is_empty()) {
            if let Some(body) = part.strip_prefix("file:") {
                let path = dir.path().join("gatehouse.toml");
                std::fs::write(&path, body.replace("\\n", "\n")).unwrap();
                argv.extend(["--config".to_owned(), path.display().to_string()]);
            } else if let Some((name, value)) =
                part.split_once('=').filter(|_| part.starts_with("GATE"))
            {
                env.insert(name.to_owned(), value.to_owned());
            } else {
                argv.push(part.to_owned());
            }
        }
        let args = Cli::try_parse_from(argv).unwrap().serve;
        (
            Settings::load(&args, &env),
            dir.path().display().to_string(),
        )
    }

    /// The one-line error that loading `given` gives, with the config file's directory as `{dir}`.
    fn error(given: &str) -> String {
        let (result, dir) = load(given);
        let message = result
            .map(|s| panic!("{given}: expected an error, got {s:?}"))
            .unwrap_err();
        let message = message.to_string().replace(&dir, "{dir}");
        assert!(!message.contains('\n'), "{message:?}");
        message
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let s = load("").0.unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(s.listen, vec![SocketAddr::from(([127, 0, 0, 1], 8443))]);
        assert_eq!(s.public_url.as_str(), "https://localhost:8443");
        assert_eq!(s.data_dir, cwd.join("gatehouse-data"));
        let db = format!(
            "sqlite://{}/gatehouse-data/gatehouse.db?mode=rwc",
            cwd.display()
        );
        assert_eq!(s.database_url.as_str(), db);
        assert_eq!(s.database_url.kind(), DatabaseKind::Sqlite);
        assert_eq!(s.tls, TlsSource::Development);
        assert_eq!(
            (s.log_format, s.log_filter.as_str()),
            (LogFormat::Human, "info")
        );
        assert_eq!(s.initial_domain_suffix.as_str(), "gatehouse.test");
        assert!(s.master_key.is_none() && s.operator_key.is_none());
        let b = &s.bootstrap;
        assert_eq!(b.tenant_name, "Default Directory");
        assert!(b.domain.is_none() && b.admin.is_none() && b.admin_password.is_none());
        assert!(b.security_defaults);
    }

    #[test]
    fn each_layer_overrides_the_one_below() {
        type Get = fn(&Settings) -> String;
        fn tls(s: &Settings) -> String {
            match &s.tls {
                TlsSource::Files { cert, key } => format!("{} {}", cert.display(), key.display()),
                TlsSource::Development => "development".into(),
            }
        }
        // What to read; the file, the environment variable and the flags; expected from the default,
        // then with the file, then also the variable, then also the flags.
        #[rustfmt::skip]
        let cases: [(Get, [&str; 3], [&str; 4]); 9] = [
            (|s| format!("{:?}", s.listen),
             [r#"listen = ["10.0.0.1:1", "10.0.0.1:2"]"#, "GATEHOUSE_LISTEN=10.0.0.2:1, [::1]:2", "--listen|10.0.0.3:1|--listen=10.0.0.3:2"],
             ["[127.0.0.1:8443]", "[10.0.0.1:1, 10.0.0.1:2]", "[10.0.0.2:1, [::1]:2]", "[10.0.0.3:1, 10.0.0.3:2]"]),
            (|s| s.public_url.to_string(),
             [r#"public_url = "https://file.example/""#, "GATEHOUSE_PUBLIC_URL=https://ENV.example:8443/id/", "--public-url|https://[::1]:9443"],
             ["https://localhost:8443", "https://file.example", "https://env.example:8443/id", "https://[::1]:9443"]),
            (|s| format!("{} {}", s.data_dir.display(), s.database_url.as_str()),
             [r#"data_dir = "state""#, "GATEHOUSE_DATA_DIR=/var/env", "--data-dir|/var/flag"],
             ["{cwd}/gatehouse-data sqlite://{cwd}/gatehouse-data/gatehouse.db?mode=rwc", "{dir}/state sqlite://{dir}/state/gatehouse.db?mode=rwc",
              "/var/env sqlite:///var/env/gatehouse.db?mode=rwc", "/var/flag sqlite:///var/flag/gatehouse.db?mode=rwc"]),
            (|s| s.database_url.as_str().to_owned(),
             [r#"database_url = "sqlite:file.db""#, "GATEHOUSE_DATABASE_URL=postgres://env@db/g", "--database-url|postgresql://flag@db/g"],
             ["sqlite://{cwd}/gatehouse-data/gatehouse.db?mode=rwc", "sqlite:file.db", "postgres://env@db/g", "postgresql://flag@db/g"]),
            (tls,
             [r#"tls_cert = "c.pem"\ntls_key = "k.pem""#, "GATEHOUSE_TLS_CERT=/env/c.pem", "--tls-cert|/flag/c.pem"],
             ["development", "{dir}/c.pem {dir}/k.pem", "/env/c.pem {dir}/k.pem", "/flag/c.pem {dir}/k.pem"]),
            (|s| s.log_format.as_str().into(),
             [r#"log_format = "json""#, "GATEHOUSE_LOG_FORMAT=human", "--log-format|JSON"],
             ["human", "json", "human", "json"]),
            (|s| s.log_filter.clone(),
             [r#"log = "warn""#, "GATEHOUSE_LOG=gatehouse=debug,info", "--log|trace"],
             ["info", "warn", "gatehouse=debug,info", "trace"]),
            (|s| s.initial_domain_suffix.to_string(),
             [r#"initial_domain_suffix = "file.test""#, "GATEHOUSE_INITIAL_DOMAIN_SUFFIX=Env.Test", "--initial-domain-suffix|flag.test"],
             ["gatehouse.test", "file.test", "env.test", "flag.test"]),
            (|s| format!("{:?}", s.dns_resolver),
             [r#"dns_resolver = "10.0.0.53:53""#, "GATEHOUSE_DNS_RESOLVER=[::1]:5353", "--dns-resolver|127.0.0.1:1053"],
             ["None", "Some(10.0.0.53:53)", "Some([::1]:5353)", "Some(127.0.0.1:1053)"]),
        ];
        let cwd = std::env::current_dir().unwrap().display().to_string();
        for (get, [file, var, flags], expected) in cases {
            let file = format!("file:{file}");
            let layers = [
                "",
                &file,
                &format!("{file}|{var}"),
                &format!("{file}|{var}|{flags}"),
            ];
            for (given, expected) in layers.into_iter().zip(expected) {
                let (settings, dir) = load(given);
                let settings = settings.unwrap_or_else(|e| panic!("{given}: {e}"));
                let expected = expected.replace("{dir}", &dir).replace("{cwd}", &cwd);
                assert_eq!(get(&settings), expected, "{given}");
            }
        }
    }

    #[test]
    fn config_file_can_come_from_gatehouse_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.toml");
        std::fs::write(&path, r#"public_url = "https://from-file.example""#).unwrap();
        let env = HashMap::from([("GATEHOUSE_CONFIG".to_owned(), path.display().to_string())]);
        let s = Settings::load(&ServeArgs::default(), &env).unwrap();
        assert_eq!(s.public_url.as_str(), "https://from-file.example");
    }

    #[test]
    fn bad_config_files_are_errors_naming_the_key_with_a_hint() {
        let file = "config file {dir}/gatehouse.toml: ";
        #[rustfmt::skip]
        let cases = [
            (r#"file:lisen = ["127.0.0.1:1"]"#, "unknown key `lisen`: did you mean `listen`?"),
            (r#"file:public-url = "https://x.example""#, "unknown key `public-url`: did you mean `public_url`?"),
            (r#"file:database = "sqlite:x.db""#, "unknown key `database`: did you mean `database_url`?"),
            (r#"file:[tls]\ncert = "c.pem""#, "unknown key `tls`: did you mean `tls_cert` or `tls_key`?"),
            (r#"file:master_key = "x""#, "unknown key `master_key`: this setting is read only from the environment variable GATEHOUSE_MASTER_KEY"),
            (r#"file:operator_key = "x""#, "unknown key `operator_key`: this setting is read only from the environment variable GATEHOUSE_OPERATOR_KEY"),
            (r#"file:bootstrap_admin_password = "x""#, "unknown key `bootstrap_admin_password`: this setting is read only from the environment variable GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD"),
            ("file:zzzzzzzz = 1", "unknown key `zzzzzzzz`: known keys are listen, public_url, data_dir, database_url, tls_cert, tls_key, log_format, log, initial_domain_suffix, dns_resolver"),
            ("file:listen = [\\n1,\\n", "not valid TOML at line 3: invalid array expected `]`"),
            ("file:public_url = 5", "`public_url` must be a string (in quotes)"),
            ("file:listen = [1]", "`listen` must be an array of strings"),
        ];
        for (given, expected) in cases {
            assert_eq!(error(given), format!("{file}{expected}"));
        }
        let missing = error("--config|/nonexistent/g.toml");
        let expected =
            "config file /nonexistent/g.toml: cannot read it (--config): No such file or directory";
        assert_eq!(missing, expected);
    }

    #[test]
    fn invalid_values_name_the_setting() {
        #[rustfmt::skip]
        let cases = [
            ("--listen|1.2.3", "invalid --listen '1.2.3': expected IP:PORT such as 127.0.0.1:8443 or [::1]:8443"),
            ("GATEHOUSE_LISTEN=localhost:80", "invalid GATEHOUSE_LISTEN 'localhost:80': expected IP:PORT"),
            ("GATEHOUSE_DNS_RESOLVER=dns.example:53", "invalid GATEHOUSE_DNS_RESOLVER 'dns.example:53': expected IP:PORT such as 127.0.0.1:53 or [::1]:53"),
            ("--dns-resolver|10.0.0.53", "invalid --dns-resolver '10.0.0.53': expected IP:PORT"),
            ("GATEHOUSE_LISTEN= , ", "invalid GATEHOUSE_LISTEN ',': expected IP:PORT such as 127.0.0.1:8443 or [::1]:8443; at least one is needed"),
            (r#"file:listen = ["nope"]"#, "invalid `listen` 'nope' in config file {dir}/gatehouse.toml: expected IP:PORT"),
            ("--listen=[::1]:1|--listen=[::1]:1", "invalid --listen '[::1]:1': the address is listed twice; give each one once"),
            ("--public-url|http://x.example", "invalid --public-url 'http://x.example': expected an https:// URL such as https://localhost:8443"),
            ("GATEHOUSE_PUBLIC_URL=https://x.example/?a=1", "invalid GATEHOUSE_PUBLIC_URL 'https://x.example/?a=1': expected a URL without query (?) or fragment (#)"),
            ("--public-url|https://x.example/#f", "invalid --public-url 'https://x.example/#f': expected a URL without query"),
            ("--public-url|https://u:p@x.example", "invalid --public-url 'https://u:p@x.example': expected https://HOST[:PORT][/PATH]"),
            ("--public-url|https://x.example:99999", "invalid --public-url 'https://x.example:99999': expected https://HOST[:PORT][/PATH]"),
            ("--public-url|https://[::1", "invalid --public-url 'https://[::1': expected https://HOST[:PORT][/PATH], with an IPv6 host in brackets"),
            ("--database-url|mysql://u@db/x", "invalid --database-url 'mysql://u@db/x': expected sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
            (r#"file:database_url = "sqlite:""#, "invalid `database_url` 'sqlite:' in config file {dir}/gatehouse.toml: expected sqlite:PATH"),
            ("GATEHOUSE_LOG_FORMAT=xml", "invalid GATEHOUSE_LOG_FORMAT 'xml': expected human or json"),
            ("--log|=?", "invalid --log '=?': expected a log filter such as info"),
            ("--initial-domain-suffix|no_dots", "invalid --initial-domain-suffix 'no_dots': expected a DNS domain name"),
            ("GATEHOUSE_BOOTSTRAP_SECURITY_DEFAULTS=maybe", "invalid GATEHOUSE_BOOTSTRAP_SECURITY_DEFAULTS 'maybe': expected on or off"),
            ("GATEHOUSE_BOOTSTRAP_DOMAIN=-bad-", "invalid GATEHOUSE_BOOTSTRAP_DOMAIN '-bad-': expected a DNS domain name such as contoso.gatehouse.test"),
            ("GATEHOUSE_BOOTSTRAP_ADMIN=a b@x.test", "invalid GATEHOUSE_BOOTSTRAP_ADMIN 'a b@x.test': expected a sign-in name without spaces"),
            ("GATEHOUSE_MASTER_KEY=not base64!", "invalid GATEHOUSE_MASTER_KEY: expected the base64 encoding of exactly 32 random bytes"),
            ("GATEHOUSE_MASTER_KEY=AAECAwQFBgcICQoLDA0ODw==", "invalid GATEHOUSE_MASTER_KEY: expected the base64 encoding of exactly 32 random bytes"),
            ("GATEHOUSE_OPERATOR_KEY=too-short", "invalid GATEHOUSE_OPERATOR_KEY: expected at least 32 characters without spaces"),
            ("--tls-cert|c.pem", "--tls-cert is set but --tls-key (or GATEHOUSE_TLS_KEY, or `tls_key` in the config file) is not: give both, or neither to use a development certificate"),
            ("GATEHOUSE_TLS_KEY=k.pem", "GATEHOUSE_TLS_KEY is set but --tls-cert (or GATEHOUSE_TLS_CERT, or `tls_cert` in the config file) is not"),
            (r#"file:tls_cert = "c.pem""#, "`tls_cert` in config file {dir}/gatehouse.toml is set but --tls-key (or GATEHOUSE_TLS_KEY"),
        ];
        for (given, expected) in cases {
            let message = error(given);
            assert!(
                message.starts_with(expected),
                "{given}: {message:?} does not start with {expected:?}"
            );
        }
    }

    #[test]
    fn secrets_and_bootstrap_come_from_the_environment() {
        let s = load(&format!(
            "GATEHOUSE_MASTER_KEY={KEY_32}|GATEHOUSE_OPERATOR_KEY={OPERATOR}|\
             GATEHOUSE_BOOTSTRAP_TENANT_NAME=Contoso|GATEHOUSE_BOOTSTRAP_DOMAIN=Contoso.Example|\
             GATEHOUSE_BOOTSTRAP_ADMIN=root@contoso.example|GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD= pass word |\
             GATEHOUSE_BOOTSTRAP_SECURITY_DEFAULTS=OFF"
        ));
        let s = s.0.unwrap();
        assert_eq!(s.master_key.as_ref().map(Secret::expose), Some(KEY_32));
        assert_eq!(s.operator_key.as_ref().map(Secret::expose), Some(OPERATOR));
        let b = &s.bootstrap;
        assert_eq!(b.tenant_name, "Contoso");
        assert_eq!(
            b.domain.as_ref().map(DomainName::as_str),
            Some("contoso.example")
        );
        assert_eq!(b.admin.as_deref(), Some("root@contoso.example"));
        assert_eq!(
            b.admin_password.as_ref().map(Secret::expose),
            Some(" pass word ")
        );
        assert!(!b.security_defaults);
    }

    #[test]
    fn debug_output_and_errors_redact_every_secret() {
        let db = "postgres://gatehouse:s3cr3t-pw@db:5432/gh?sslmode=require&sslpassword=k3y-pw";
        let s = load(&format!(
            "GATEHOUSE_MASTER_KEY={KEY_32}|GATEHOUSE_OPERATOR_KEY={OPERATOR}|\
             GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD=correct horse battery|GATEHOUSE_DATABASE_URL={db}"
        ));
        let s = s.0.unwrap();
        let debug = format!("{s:?} {s:#?}");
        for secret in [KEY_32, OPERATOR, "correct horse", "s3cr3t-pw", "k3y-pw"] {
            assert!(!debug.contains(secret), "Debug shows {secret:?}: {debug}");
        }
        let redacted =
            "postgres://gatehouse:<redacted>@db:5432/gh?sslmode=require&sslpassword=<redacted>";
        assert!(debug.contains(redacted), "{debug}");
        assert_eq!(s.database_url.as_str(), db);

        let message = error("--database-url|mysql://u:hunter2@db/x?password=hunter3");
        assert!(
            message.contains("'mysql://u:<redacted>@db/x?password=<redacted>'"),
            "{message}"
        );
        let message = error("GATEHOUSE_MASTER_KEY=c2VjcmV0LXRvby1zaG9ydA==");
        assert!(!message.contains("c2VjcmV0"), "{message}");
    }

    #[test]
    fn empty_environment_variables_count_as_unset() {
        let s = load("GATEHOUSE_PUBLIC_URL=|GATEHOUSE_MASTER_KEY= |GATEHOUSE_TLS_CERT=")
            .0
            .unwrap();
        assert_eq!(s.public_url.as_str(), DEFAULT_PUBLIC_URL);
        assert!(s.master_key.is_none());
        assert_eq!(s.tls, TlsSource::Development);
    }

    #[test]
    fn default_sqlite_url_escapes_special_characters() {
        let url = DatabaseUrl::sqlite_file(Path::new("/data/50% off?#/gatehouse.db")).unwrap();
        assert_eq!(
            url.as_str(),
            "sqlite:///data/50%25 off%3F%23/gatehouse.db?mode=rwc"
        );
    }
}
