//! Router connection options shared by every subcommand that talks to a router.

use std::time::Duration;

use anyhow::Context as _;
use routeros_proto::client::{Config, Fingerprint, TlsConfig};

/// How to reach and log in to a router.
#[derive(Debug, clap::Args)]
pub struct RouterArgs {
    /// Router address, `HOST[:PORT]` (port 8728, or 8729 with --tls).
    #[arg(long, global = true)]
    pub router: Option<String>,
    /// User name.
    #[arg(long, global = true, default_value = "admin")]
    pub user: String,
    /// Password (or the ROS_PASSWORD environment variable).
    #[arg(
        long,
        global = true,
        env = "ROS_PASSWORD",
        hide_env_values = true,
        default_value = ""
    )]
    pub password: String,
    /// Use TLS (api-ssl). Needs --fingerprint or --ca: RouterOS's anonymous-DH api-ssl mode
    /// (no certificate on the service) cannot be used.
    #[arg(long, global = true)]
    pub tls: bool,
    /// SHA-256 fingerprint of the router's certificate (hex, colons allowed), to pin a
    /// self-signed certificate. Implies --tls.
    #[arg(long, global = true)]
    pub fingerprint: Option<String>,
    /// PEM file with the CA that issued the router's certificate. Implies --tls.
    #[arg(long, global = true, value_name = "PEM")]
    pub ca: Option<std::path::PathBuf>,
    /// Seconds to wait for the connection and login.
    #[arg(long, global = true, default_value_t = 10, value_name = "SECS")]
    pub connect_timeout: u64,
}

impl RouterArgs {
    /// The client configuration these options describe.
    pub fn config(&self) -> anyhow::Result<Config> {
        let addr = self
            .router
            .as_deref()
            .context("no router given: use --router HOST[:PORT]")?;
        let mut config = Config::new(addr);
        config
            .user(self.user.clone())
            .password(self.password.clone())
            .connect_timeout(Duration::from_secs(self.connect_timeout));
        if let Some(fp) = &self.fingerprint {
            let fp: Fingerprint = fp
                .parse()
                .map_err(|e| anyhow::anyhow!("--fingerprint: {e}"))?;
            config.tls(TlsConfig::fingerprint(fp));
        } else if let Some(path) = &self.ca {
            let pem = std::fs::read(path)
                .with_context(|| format!("cannot read --ca {}", path.display()))?;
            config.tls(TlsConfig::ca_pem(&pem).map_err(|e| anyhow::anyhow!("--ca: {e}"))?);
        } else if self.tls {
            anyhow::bail!(
                "--tls needs --fingerprint SHA256 (self-signed router certificate) or --ca PEM"
            );
        }
        Ok(config)
    }

    /// Connects and logs in; errors read as one line.
    pub async fn connect(&self) -> anyhow::Result<routeros_proto::Client> {
        let config = self.config()?;
        config.connect().await.map_err(|e| anyhow::anyhow!("{e}"))
    }
}
