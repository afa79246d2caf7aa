//! Server certificates: the operator's PEM files, or a development CA and server certificate that
//! Gatehouse creates in `DATA_DIR/tls/` and reuses on later starts.
//!
//! Development files: `ca.pem` (the CA to trust, 0644), `ca-key.pem` (0600), `server.pem` (0644) and
//! `server-key.pem` (0600). The server certificate covers `localhost`, `127.0.0.1` and `::1`; it is
//! re-issued from the existing CA when it is missing, unusable or within 30 days of expiry. Each file is
//! written atomically (a temporary file in the same directory, then a rename). With configured files
//! nothing is written.

use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
};
use rustls::client::danger::ServerCertVerifier as _;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use time::{Duration, OffsetDateTime};

use crate::config::{TlsSource, io_reason};

/// The development CA's common name, as users see it in their trust store.
pub const DEV_CA_NAME: &str = "Gatehouse Development CA";
/// The names the development server certificate covers.
pub const DEV_SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
const CA_VALIDITY: Duration = Duration::days(3650);
const SERVER_VALIDITY: Duration = Duration::days(365);
/// A certificate this close to expiry is replaced.
const RENEW_BEFORE: Duration = Duration::days(30);
/// Certificates start an hour in the past, so that a client whose clock is a little behind accepts them.
const BACKDATE: Duration = Duration::hours(1);
const KEY_MODE: u32 = 0o600;
const CERT_MODE: u32 = 0o644;

/// What `gatehouse serve` needs to accept TLS connections.
#[derive(Debug)]
pub struct TlsSetup {
    /// TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`, the ring crypto provider.
    pub config: Arc<rustls::ServerConfig>,
    /// The development CA certificate to trust (`DATA_DIR/tls/ca.pem`); `None` for configured files.
    pub ca_pem: Option<PathBuf>,
}

/// A certificate problem; each message is one line naming the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A configured `--tls-cert` or `--tls-key` file is unusable.
    #[error("{setting} {path}: {problem}")]
    ConfiguredFile {
        setting: &'static str,
        path: String,
        problem: String,
    },
    /// A file of the development CA is unusable; new files would not be trusted, so the operator decides.
    #[error(
        "development CA {path}: {problem}; to start over, remove the directory {dir} (a new ca.pem must then be trusted again)"
    )]
    DevelopmentCa {
        path: String,
        dir: String,
        problem: String,
    },
    #[error(
        "cannot write {path}: {reason}; check that the data directory is writable (--data-dir)"
    )]
    Write { path: String, reason: String },
    #[error("cannot create the development certificate: {0}")]
    Generate(String),
    #[error("cannot set up TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Loads the configured certificate, or creates/reuses the development CA and server certificate.
/// Returns the rustls server config and, for the development case, the path of `ca.pem`.
pub fn server_config(
    source: &TlsSource,
    data_dir: &Path,
    now: OffsetDateTime,
) -> Result<TlsSetup, TlsError> {
    match source {
        TlsSource::Files { cert, key } => {
            let (chain, key) = load_configured(cert, key)?;
            Ok(TlsSetup {
                config: Arc::new(build_config(chain, key)?),
                ca_pem: None,
            })
        }
        TlsSource::Development => {
            let dir = data_dir.join("tls");
            let (chain, key) = development(&dir, now)?;
            Ok(TlsSetup {
                config: Arc::new(build_config(chain, key)?),
                ca_pem: Some(dir.join("ca.pem")),
            })
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn build_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ServerConfig, TlsError> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

type CertAndKey = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn load_configured(cert_path: &Path, key_path: &Path) -> Result<CertAndKey, TlsError> {
    let cert_error = |problem: String| TlsError::ConfiguredFile {
        setting: "--tls-cert",
        path: cert_path.display().to_string(),
        problem,
    };
    let key_error = |problem: String| TlsError::ConfiguredFile {
        setting: "--tls-key",
        path: key_path.display().to_string(),
        problem,
    };
    let cert_pem = fs::read(cert_path)
        .map_err(|e| cert_error(format!("cannot read file: {}", io_reason(&e))))?;
    let key_pem = fs::read(key_path)
        .map_err(|e| key_error(format!("cannot read file: {}", io_reason(&e))))?;

    let chain = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_error(format!("not a valid PEM file: {}", io_reason(&e))))?;
    if chain.is_empty() {
        return Err(cert_error(
            "no certificate found in the file (expected PEM: -----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| key_error(format!("not a valid PEM file: {}", io_reason(&e))))?
        .ok_or_else(|| {
            key_error("no private key found in the file (expected PEM: PKCS#8, PKCS#1 RSA or SEC1 EC private key)".into())
        })?;

    let signing_key = provider()
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| {
            key_error(format!(
                "unusable private key ({e}); expected an RSA, ECDSA or Ed25519 key"
            ))
        })?;
    match rustls::sign::CertifiedKey::new(chain.clone(), signing_key).keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {
            Ok((chain, key))
        }
        Err(rustls::Error::InconsistentKeys(_)) => Err(key_error(format!(
            "the private key does not belong to the first certificate in --tls-cert {}",
            cert_path.display()
        ))),
        Err(e) => Err(cert_error(format!(
            "the first certificate is not a valid X.509 certificate ({e})"
        ))),
    }
}

/// The development CA, as loaded from (or just written to) `ca.pem` and `ca-key.pem`.
struct DevCa {
    der: CertificateDer<'static>,
    /// For signing: the CA's parameters re-read from `ca.pem`, self-signed again in memory.
    issuer: rcgen::Certificate,
    key: KeyPair,
    /// True when the CA was created by this call (the server certificate must then be issued too).
    created: bool,
}

fn development(dir: &Path, now: OffsetDateTime) -> Result<CertAndKey, TlsError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| TlsError::Write {
            path: dir.display().to_string(),
            reason: io_reason(&e),
        })?;
    let ca = load_or_create_ca(dir, now)?;
    if !ca.created
        && let Some(existing) = reusable_server_cert(dir, &ca, now)
    {
        return Ok(existing);
    }
    issue_server_cert(dir, &ca, now)
}

fn load_or_create_ca(dir: &Path, now: OffsetDateTime) -> Result<DevCa, TlsError> {
    let (cert_path, key_path) = (dir.join("ca.pem"), dir.join("ca-key.pem"));
    let ca_error = |path: &Path, problem: String| TlsError::DevelopmentCa {
        path: path.display().to_string(),
        dir: dir.display().to_string(),
        problem,
    };
    let cert_pem = match fs::read_to_string(&cert_path) {
        Ok(pem) => pem,
        // ca.pem is written last, so a missing ca.pem means there is no complete CA yet.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return create_ca(dir, now),
        Err(e) => {
            return Err(ca_error(
                &cert_path,
                format!("cannot read file: {}", io_reason(&e)),
            ));
        }
    };
    let key_pem = fs::read_to_string(&key_path).map_err(|e| {
        ca_error(
            &key_path,
            format!("cannot read the CA's private key: {}", io_reason(&e)),
        )
    })?;
    let key = KeyPair::from_pem(&key_pem)
        .map_err(|e| ca_error(&key_path, format!("not a usable private key ({e})")))?;
    let params = CertificateParams::from_ca_cert_pem(&cert_pem)
        .map_err(|e| ca_error(&cert_path, format!("not a readable certificate ({e})")))?;
    if !matches!(params.is_ca, IsCa::Ca(_)) {
        return Err(ca_error(&cert_path, "not a CA certificate".into()));
    }
    let der = first_certificate(&cert_pem)
        .ok_or_else(|| ca_error(&cert_path, "no certificate found in the file".into()))?;
    let signer = provider()
        .key_provider
        .load_private_key(pkcs8(&key))
        .map_err(|e| ca_error(&key_path, format!("not a usable private key ({e})")))?;
    if rustls::sign::CertifiedKey::new(vec![der.clone()], signer)
        .keys_match()
        .is_err()
    {
        return Err(ca_error(
            &key_path,
            "the private key does not belong to ca.pem".into(),
        ));
    }
    if params.not_after - RENEW_BEFORE < now {
        tracing::warn!(path = %cert_path.display(), "the development CA expires within 30 days; creating a new one");
        return create_ca(dir, now);
    }
    let issuer = params
        .self_signed(&key)
        .map_err(|e| ca_error(&cert_path, format!("cannot sign with this CA ({e})")))?;
    Ok(DevCa {
        der,
        issuer,
        key,
        created: false,
    })
}

fn create_ca(dir: &Path, now: OffsetDateTime) -> Result<DevCa, TlsError> {
    let key = KeyPair::generate().map_err(generate_error)?;
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, DEV_CA_NAME);
    name.push(DnType::OrganizationName, "Gatehouse");
    // Tells this CA apart from one created earlier, in a trust store or a certificate viewer.
    name.push(
        DnType::OrganizationalUnitName,
        format!("development CA created {}", now.date()),
    );
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    // Even if its key leaks, this CA cannot vouch for any name but the local machine's.
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix([127, 0, 0, 0], 8)),
            GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix(
                std::net::Ipv6Addr::LOCALHOST.octets(),
                128,
            )),
        ],
        excluded_subtrees: Vec::new(),
    });
    params.not_before = now - BACKDATE;
    params.not_after = now + CA_VALIDITY;
    let issuer = params.self_signed(&key).map_err(generate_error)?;
    write_atomically(
        &dir.join("ca-key.pem"),
        key.serialize_pem().as_bytes(),
        KEY_MODE,
    )?;
    write_atomically(&dir.join("ca.pem"), issuer.pem().as_bytes(), CERT_MODE)?;
    Ok(DevCa {
        der: issuer.der().clone(),
        issuer,
        key,
        created: true,
    })
}

/// The existing server certificate and key, if they belong together, chain to `ca` for localhost, and stay
/// valid for at least [`RENEW_BEFORE`] from `now`.
fn reusable_server_cert(dir: &Path, ca: &DevCa, now: OffsetDateTime) -> Option<CertAndKey> {
    let cert_pem = fs::read_to_string(dir.join("server.pem")).ok()?;
    let key_pem = fs::read(dir.join("server-key.pem")).ok()?;
    let cert = first_certificate(&cert_pem)?;
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice()).ok()??;
    let signer = provider()
        .key_provider
        .load_private_key(key.clone_key())
        .ok()?;
    rustls::sign::CertifiedKey::new(vec![cert.clone()], signer)
        .keys_match()
        .ok()?;
    for at in [now, now + RENEW_BEFORE] {
        verify_for_localhost(&ca.der, &cert, at).ok()?;
    }
    Some((vec![cert], key))
}

fn issue_server_cert(dir: &Path, ca: &DevCa, now: OffsetDateTime) -> Result<CertAndKey, TlsError> {
    let key = KeyPair::generate().map_err(generate_error)?;
    let mut params =
        CertificateParams::new(DEV_SERVER_NAMES.map(String::from)).map_err(generate_error)?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "localhost");
    name.push(DnType::OrganizationName, "Gatehouse");
    params.distinguished_name = name;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = now - BACKDATE;
    params.not_after = now + SERVER_VALIDITY;
    let cert = params
        .signed_by(&key, &ca.issuer, &ca.key)
        .map_err(generate_error)?;
    // The key goes first: a crash in between leaves a pair that does not match, which is re-issued.
    write_atomically(
        &dir.join("server-key.pem"),
        key.serialize_pem().as_bytes(),
        KEY_MODE,
    )?;
    write_atomically(&dir.join("server.pem"), cert.pem().as_bytes(), CERT_MODE)?;
    Ok((vec![cert.der().clone()], pkcs8(&key)))
}

/// Verifies `cert` as a TLS server certificate for `localhost`, issued by `ca`, at time `at`.
fn verify_for_localhost(
    ca: &CertificateDer<'_>,
    cert: &CertificateDer<'_>,
    at: OffsetDateTime,
) -> Result<(), rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone().into_owned())?;
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| rustls::Error::General(e.to_string()))?;
    let seconds = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(seconds));
    let name =
        ServerName::try_from("localhost").map_err(|e| rustls::Error::General(e.to_string()))?;
    verifier
        .verify_server_cert(cert, &[], &name, &[], now)
        .map(|_| ())
}

fn first_certificate(pem: &str) -> Option<CertificateDer<'static>> {
    rustls_pemfile::certs(&mut pem.as_bytes()).next()?.ok()
}

fn pkcs8(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

fn generate_error(e: rcgen::Error) -> TlsError {
    TlsError::Generate(e.to_string())
}

/// Writes `contents` to a temporary file beside `path` with `mode`, then renames it over `path`.
fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> Result<(), TlsError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&temp)?;
        // The umask or a leftover temporary file could leave other permissions: set them before writing.
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        fs::File::open(dir)?.sync_all()
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&temp);
        TlsError::Write {
            path: path.display().to_string(),
            reason: io_reason(&e),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use rustls::{ClientConfig, ClientConnection, ServerConnection};

    const FILES: [(&str, u32); 4] = [
        ("ca.pem", 0o644),
        ("ca-key.pem", 0o600),
        ("server.pem", 0o644),
        ("server-key.pem", 0o600),
    ];

    fn t0() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn dev(data_dir: &Path, now: OffsetDateTime) -> TlsSetup {
        server_config(&TlsSource::Development, data_dir, now).unwrap()
    }

    fn contents(data_dir: &Path) -> Vec<Vec<u8>> {
        FILES
            .iter()
            .map(|(name, _)| fs::read(data_dir.join("tls").join(name)).unwrap())
            .collect()
    }

    fn pem_cert(path: &Path) -> CertificateDer<'static> {
        first_certificate(&fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Runs a TLS handshake between a client trusting `ca` and `server`, in memory.
    fn handshake(
        server: Arc<rustls::ServerConfig>,
        ca: &CertificateDer<'static>,
        name: &str,
        version: &'static rustls::SupportedProtocolVersion,
    ) -> Result<ClientConnection, rustls::Error> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.clone())?;
        let mut client_config = ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[version])?
            .with_root_certificates(roots)
            .with_no_client_auth();
        client_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let name = ServerName::try_from(name.to_owned()).unwrap();
        let mut client = ClientConnection::new(Arc::new(client_config), name)?;
        let mut server = ServerConnection::new(server)?;
        for _ in 0..10 {
            let mut buffer = Vec::new();
            while client.wants_write() {
                client.write_tls(&mut buffer).unwrap();
            }
            server.read_tls(&mut buffer.as_slice()).unwrap();
            server.process_new_packets()?;
            buffer.clear();
            while server.wants_write() {
                server.write_tls(&mut buffer).unwrap();
            }
            client.read_tls(&mut buffer.as_slice()).unwrap();
            client.process_new_packets()?;
            if !client.is_handshaking() && !server.is_handshaking() {
                return Ok(client);
            }
        }
        panic!("the handshake did not finish");
    }

    #[test]
    fn first_start_creates_a_ca_and_server_certificate_with_private_key_modes() {
        let data = tempfile::tempdir().unwrap();
        let setup = dev(data.path(), t0());
        assert_eq!(
            setup.ca_pem.as_deref(),
            Some(data.path().join("tls/ca.pem").as_path())
        );
        for (name, mode) in FILES {
            let meta = fs::metadata(data.path().join("tls").join(name)).unwrap();
            assert_eq!(meta.permissions().mode() & 0o777, mode, "{name}");
        }
        let leftovers: Vec<_> = fs::read_dir(data.path().join("tls")).unwrap().collect();
        assert_eq!(leftovers.len(), 4, "no temporary files remain");
        let ca = CertificateParams::from_ca_cert_pem(
            &fs::read_to_string(data.path().join("tls/ca.pem")).unwrap(),
        )
        .unwrap();
        assert!(matches!(ca.is_ca, IsCa::Ca(_)));
        let common_name = format!("{:?}", ca.distinguished_name.get(&DnType::CommonName));
        assert!(common_name.contains(DEV_CA_NAME), "{common_name}");
        assert!(ca.not_after - t0() > Duration::days(3600));
        assert_eq!(
            setup.config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }

    #[test]
    fn later_starts_reuse_the_files() {
        let data = tempfile::tempdir().unwrap();
        dev(data.path(), t0());
        let first = contents(data.path());
        dev(data.path(), t0() + Duration::days(200));
        assert_eq!(contents(data.path()), first);
    }

    #[test]
    fn a_server_certificate_near_expiry_or_missing_is_reissued_from_the_same_ca() {
        let data = tempfile::tempdir().unwrap();
        let tls = data.path().join("tls");
        dev(data.path(), t0());
        let first = contents(data.path());
        let later = t0() + Duration::days(340);
        dev(data.path(), later);
        let second = contents(data.path());
        assert_eq!(second[..2], first[..2], "the CA stays");
        assert_ne!(second[2], first[2], "server.pem is new");
        assert_ne!(second[3], first[3], "server-key.pem is new");
        let ca = pem_cert(&tls.join("ca.pem"));
        verify_for_localhost(
            &ca,
            &pem_cert(&tls.join("server.pem")),
            later + Duration::days(300),
        )
        .unwrap();

        fs::remove_file(tls.join("server.pem")).unwrap();
        dev(data.path(), later);
        assert_eq!(contents(data.path())[..2], first[..2]);
        verify_for_localhost(&ca, &pem_cert(&tls.join("server.pem")), later).unwrap();
    }

    #[test]
    fn a_server_key_that_does_not_match_is_reissued() {
        let data = tempfile::tempdir().unwrap();
        let tls = data.path().join("tls");
        dev(data.path(), t0());
        fs::copy(tls.join("ca-key.pem"), tls.join("server-key.pem")).unwrap();
        let setup = dev(data.path(), t0());
        let ca = pem_cert(&tls.join("ca.pem"));
        handshake(setup.config, &ca, "localhost", &rustls::version::TLS13).unwrap();
    }

    #[test]
    fn a_ca_near_expiry_is_replaced() {
        let data = tempfile::tempdir().unwrap();
        dev(data.path(), t0());
        let first = contents(data.path());
        dev(data.path(), t0() + Duration::days(3640));
        assert_ne!(contents(data.path())[0], first[0]);
    }

    #[test]
    fn clients_trusting_ca_pem_connect_to_localhost_and_loopback_ips() {
        let data = tempfile::tempdir().unwrap();
        let setup = dev(data.path(), t0());
        let ca = pem_cert(&data.path().join("tls/ca.pem"));
        for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
            for name in DEV_SERVER_NAMES {
                let client = handshake(setup.config.clone(), &ca, name, version)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(client.alpn_protocol(), Some(&b"h2"[..]));
                assert_eq!(client.protocol_version(), Some(version.version));
            }
        }
        let error =
            handshake(setup.config, &ca, "example.com", &rustls::version::TLS13).unwrap_err();
        assert!(
            matches!(error, rustls::Error::InvalidCertificate(_)),
            "{error}"
        );
    }

    #[test]
    fn an_unusable_ca_is_an_error_and_nothing_is_written() {
        let data = tempfile::tempdir().unwrap();
        let tls = data.path().join("tls");
        dev(data.path(), t0());
        for name in ["ca-key.pem", "server.pem", "server-key.pem"] {
            fs::remove_file(tls.join(name)).unwrap();
        }
        let ca = fs::read(tls.join("ca.pem")).unwrap();
        let message = server_config(&TlsSource::Development, data.path(), t0())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("ca-key.pem") && message.contains("remove the directory"),
            "{message}"
        );
        assert_eq!(fs::read_dir(&tls).unwrap().count(), 1);
        assert_eq!(fs::read(tls.join("ca.pem")).unwrap(), ca);
    }

    /// A self-signed localhost certificate and its key as PKCS#8 and SEC1 PEM.
    fn self_signed(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let (cert_path, pkcs8_path, sec1_path) = (
            dir.join("cert.pem"),
            dir.join("key.pem"),
            dir.join("ec-key.pem"),
        );
        fs::write(&cert_path, cert.pem()).unwrap();
        fs::write(&pkcs8_path, key.serialize_pem()).unwrap();
        // PKCS#8 is SEQUENCE { version, algorithm, OCTET STRING { SEC1 ECPrivateKey } }: take the octet string.
        let der = key.serialize_der();
        let (mut at, mut sec1) = (
            2 + usize::from(der[1] & 0x80 != 0) * usize::from(der[1] & 0x7f),
            Vec::new(),
        );
        while at < der.len() {
            let (tag, len) = (der[at], usize::from(der[at + 1]));
            if tag == 0x04 {
                sec1 = der[at + 2..at + 2 + len].to_vec();
            }
            at += 2 + len;
        }
        let body = base64::engine::general_purpose::STANDARD.encode(sec1);
        fs::write(
            &sec1_path,
            format!("-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----\n"),
        )
        .unwrap();
        (cert_path, pkcs8_path, sec1_path)
    }

    #[test]
    fn configured_files_load_as_pkcs8_or_sec1_and_write_nothing() {
        let files = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let (cert, pkcs8_key, sec1_key) = self_signed(files.path());
        for key in [pkcs8_key, sec1_key] {
            let setup = server_config(
                &TlsSource::Files {
                    cert: cert.clone(),
                    key: key.clone(),
                },
                data.path(),
                t0(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", key.display()));
            assert!(setup.ca_pem.is_none());
            handshake(
                setup.config,
                &pem_cert(&cert),
                "localhost",
                &rustls::version::TLS13,
            )
            .unwrap();
        }
        assert_eq!(fs::read_dir(data.path()).unwrap().count(), 0);
    }

    #[test]
    fn bad_configured_files_name_the_file_and_the_problem() {
        let files = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let (cert, key, _) = self_signed(files.path());
        let other = tempfile::tempdir().unwrap();
        let (_, other_key, _) = self_signed(other.path());
        let garbage = files.path().join("garbage.pem");
        fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let missing = files.path().join("missing.pem");
        let show = |p: &Path| p.display().to_string();
        let cases = [
            (
                &missing,
                &key,
                format!(
                    "--tls-cert {}: cannot read file: No such file or directory",
                    show(&missing)
                ),
            ),
            (
                &cert,
                &missing,
                format!(
                    "--tls-key {}: cannot read file: No such file or directory",
                    show(&missing)
                ),
            ),
            (
                &cert,
                &cert,
                format!(
                    "--tls-key {}: no private key found in the file",
                    show(&cert)
                ),
            ),
            (
                &key,
                &key,
                format!(
                    "--tls-cert {}: no certificate found in the file",
                    show(&key)
                ),
            ),
            (
                &cert,
                &other_key,
                format!(
                    "--tls-key {}: the private key does not belong",
                    show(&other_key)
                ),
            ),
            (
                &garbage,
                &key,
                format!(
                    "--tls-cert {}: the first certificate is not a valid X.509",
                    show(&garbage)
                ),
            ),
        ];
        for (cert, key, expected) in cases {
            let source = TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            };
            let message = server_config(&source, data.path(), t0())
                .unwrap_err()
                .to_string();
            assert!(
                message.starts_with(&expected),
                "{message:?} does not start with {expected:?}"
            );
            assert!(!message.contains('\n'), "{message:?}");
        }
        assert_eq!(
            fs::read_dir(data.path()).unwrap().count(),
            0,
            "nothing is written"
        );
    }
}
