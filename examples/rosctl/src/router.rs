//! Router connection options shared by every subcommand that talks to a router.

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
    #[arg(long, global = true, env = "ROS_PASSWORD", hide_env_values = true, default_value = "")]
    pub password: String,
    /// Use TLS (api-ssl).
    #[arg(long, global = true)]
    pub tls: bool,
    /// SHA-256 fingerprint of the router's certificate (hex), to pin a self-signed certificate.
    #[arg(long, global = true)]
    pub fingerprint: Option<String>,
}
