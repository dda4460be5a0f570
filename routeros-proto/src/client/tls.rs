//! TLS (api-ssl, port 8729) through rustls.
//!
//! RouterOS can offer api-ssl in two ways: with a certificate assigned to the `api-ssl` service,
//! or with no certificate at all, in which case it negotiates an *anonymous Diffie-Hellman*
//! cipher suite (`ADH-*`). rustls does not implement anonymous cipher suites (they give no
//! protection against an active attacker), so **the anonymous-DH mode cannot be used with this
//! client**: assign a certificate to the service (`/ip/service/set api-ssl certificate=...`),
//! even a self-signed one, and pin its SHA-256 fingerprint with
//! [`TlsConfig::fingerprint`].

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

use super::Error;

/// How to check the router's certificate.
///
/// RouterOS offers api-ssl either with a certificate assigned to the service or, without one,
/// through *anonymous Diffie-Hellman* cipher suites (`ADH-*`). rustls does not implement
/// anonymous cipher suites (they do not authenticate the router at all), so **the
/// anonymous-DH mode cannot be used**: assign a certificate to the service
/// (`/ip/service/set api-ssl certificate=...`), even a self-signed one, and pin its SHA-256
/// fingerprint with [`TlsConfig::fingerprint`], or trust its CA with [`TlsConfig::ca_pem`].
///
/// ```
/// use routeros_proto::client::{Fingerprint, TlsConfig};
/// let fp: Fingerprint = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
///     .parse()
///     .unwrap();
/// let tls = TlsConfig::fingerprint(fp);
/// # let _ = tls;
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    verify: Verify,
    server_name: Option<String>,
}

#[derive(Clone)]
enum Verify {
    Roots(Arc<RootCertStore>),
    Pinned(Fingerprint),
    Custom(Arc<dyn ServerCertVerifier>),
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verify = match &self.verify {
            Verify::Roots(r) => format!("ca({} certificates)", r.len()),
            Verify::Pinned(fp) => format!("pinned({fp})"),
            Verify::Custom(v) => format!("custom({v:?})"),
        };
        f.debug_struct("TlsConfig")
            .field("verify", &verify)
            .field("server_name", &self.server_name)
            .finish()
    }
}

impl TlsConfig {
    /// Trust certificates issued by the CA certificate(s) in this PEM text; the router's
    /// certificate must name the host (or IP address) you connect to.
    pub fn ca_pem(pem: &[u8]) -> Result<Self, Error> {
        let mut roots = RootCertStore::empty();
        let mut reader = pem;
        for cert in rustls_pemfile::certs(&mut reader) {
            let cert = cert.map_err(|e| Error::TlsConfig(format!("bad PEM: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| Error::TlsConfig(format!("bad CA certificate: {e}")))?;
        }
        if roots.is_empty() {
            return Err(Error::TlsConfig("no certificate in the CA PEM".into()));
        }
        Ok(Self::roots(roots))
    }

    /// Trust the certificates in this root store.
    pub fn roots(roots: RootCertStore) -> Self {
        TlsConfig {
            verify: Verify::Roots(Arc::new(roots)),
            server_name: None,
        }
    }

    /// Accept exactly the certificate whose DER encoding has this SHA-256 fingerprint
    /// (a self-signed router certificate); names and expiry are not checked.
    ///
    /// On the router: `/certificate/print detail` shows `fingerprint`.
    pub fn fingerprint(fingerprint: Fingerprint) -> Self {
        TlsConfig {
            verify: Verify::Pinned(fingerprint),
            server_name: None,
        }
    }

    /// Check the certificate with a verifier of your own.
    pub fn verifier(verifier: Arc<dyn ServerCertVerifier>) -> Self {
        TlsConfig {
            verify: Verify::Custom(verifier),
            server_name: None,
        }
    }

    /// The name to send (SNI) and to check the certificate against; by default the host part
    /// of the address.
    pub fn server_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.server_name = Some(name.into());
        self
    }

    pub(crate) fn name_for(&self, host: &str) -> Result<ServerName<'static>, Error> {
        let name = self.server_name.as_deref().unwrap_or(host);
        let name = name.trim_start_matches('[').trim_end_matches(']');
        ServerName::try_from(name.to_owned())
            .map_err(|e| Error::TlsConfig(format!("bad server name {name:?}: {e}")))
    }

    pub(crate) fn client_config(&self) -> Result<rustls::ClientConfig, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::TlsConfig(e.to_string()))?;
        let config = match &self.verify {
            Verify::Roots(roots) => builder
                .with_root_certificates(roots.clone())
                .with_no_client_auth(),
            Verify::Pinned(fp) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(PinnedVerifier {
                    fingerprint: *fp,
                    provider,
                }))
                .with_no_client_auth(),
            Verify::Custom(v) => builder
                .dangerous()
                .with_custom_certificate_verifier(v.clone())
                .with_no_client_auth(),
        };
        Ok(config)
    }
}

/// A SHA-256 certificate fingerprint; parses from hex with or without `:` separators.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of_der(der: &[u8]) -> Self {
        Fingerprint(Sha256::digest(der).into())
    }
}

impl FromStr for Fingerprint {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let hex_digits: String = s
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect();
        let mut out = [0u8; 32];
        hex::decode_to_slice(&hex_digits, &mut out).map_err(|_| {
            Error::TlsConfig(format!(
                "fingerprint must be 64 hex digits (SHA-256), got {s:?}"
            ))
        })?;
        Ok(Fingerprint(out))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// Rewrites a handshake error so that a verifier's own message (such as a fingerprint
/// mismatch) reads plainly instead of through nested `Debug` output.
pub(crate) fn readable(err: std::io::Error) -> std::io::Error {
    let plain = match err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other))) => {
            format!("invalid peer certificate: {}", other.0)
        }
        _ => return err,
    };
    std::io::Error::new(err.kind(), plain)
}

/// Accepts one certificate by its SHA-256 fingerprint; signatures are still verified.
#[derive(Debug)]
struct PinnedVerifier {
    fingerprint: Fingerprint,
    provider: Arc<CryptoProvider>,
}

/// The error shown when the pinned fingerprint does not match.
#[derive(Debug, thiserror::Error)]
#[error("certificate fingerprint {got} does not match the pinned {want}")]
struct FingerprintMismatch {
    got: Fingerprint,
    want: Fingerprint,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let got = Fingerprint::of_der(end_entity);
        if got == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Other(rustls::OtherError(Arc::new(
                    FingerprintMismatch {
                        got,
                        want: self.fingerprint,
                    },
                ))),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
