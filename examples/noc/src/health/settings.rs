//! `[health]` in `noc.toml`: the WAN interfaces, the public targets, the checks' pace and
//! thresholds, and the monthly quotas.

use serde::Deserialize;

use crate::Error;

/// `[health]` in `noc.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Settings {
    /// The WAN interfaces (default: the interface of the default route).
    pub wan_interfaces: Vec<String>,
    /// Addresses beyond the ISP the router pings (default 8.8.8.8 and 1.1.1.1).
    pub public_targets: Vec<String>,
    /// Failed checks in a row before a device is down (default 3).
    pub failed_checks: u32,
    /// Seconds between the router's netwatch checks of a device (default 10).
    pub check_interval_secs: u64,
    /// Seconds between ISP measurements (pings to the gateway and the targets; default 60).
    pub isp_check_secs: u64,
    /// Loss to the ISP (percent) from which it is a problem (default 10).
    pub loss_warn_percent: u64,
    /// Latency to the public targets (ms) from which it is a problem (default 150).
    pub latency_warn_ms: u64,
    /// The uplink's capacity, `DOWN/UP` (`100M/20M`); without it "uplink saturated" is
    /// unknown.
    pub uplink_capacity: Option<String>,
    /// Monthly quotas (`[[health.quota]]`).
    #[serde(rename = "quota")]
    pub quotas: Vec<QuotaConfig>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            wan_interfaces: Vec::new(),
            public_targets: vec!["8.8.8.8".into(), "1.1.1.1".into()],
            failed_checks: 3,
            check_interval_secs: 10,
            isp_check_secs: 60,
            loss_warn_percent: 10,
            latency_warn_ms: 150,
            uplink_capacity: None,
            quotas: Vec::new(),
        }
    }
}

/// One `[[health.quota]]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct QuotaConfig {
    /// The WAN interface (`ether1`).
    pub interface: String,
    /// The router (default: every router with that interface).
    #[serde(default)]
    pub router: Option<String>,
    /// Bytes a month, in GB (10^9; received + sent).
    pub monthly_gb: u64,
    /// The day of the month the count starts again (1..=28, default 1).
    #[serde(default = "one")]
    pub reset_day: u8,
    /// Percentages that raise an alert, once a month each (default 80 and 100).
    #[serde(default = "default_thresholds")]
    pub thresholds: Vec<u32>,
}

fn one() -> u8 {
    1
}

fn default_thresholds() -> Vec<u32> {
    vec![80, 100]
}

impl QuotaConfig {
    /// The quota in bytes.
    pub fn bytes(&self) -> u64 {
        self.monthly_gb.saturating_mul(1_000_000_000)
    }

    pub(super) fn applies_to(&self, router: &str, interface: &str) -> bool {
        self.interface == interface && self.router.as_deref().is_none_or(|r| r == router)
    }
}

impl Settings {
    /// Checks the values (named in the error).
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |m: String| Err(Error::Config(format!("[health] {m}")));
        if self.failed_checks == 0 {
            return bad("failed_checks must be at least 1".into());
        }
        if !(1..=86_400).contains(&self.check_interval_secs) {
            return bad("check_interval_secs must be 1..86400".into());
        }
        if !(1..=86_400).contains(&self.isp_check_secs) {
            return bad("isp_check_secs must be 1..86400".into());
        }
        for t in &self.public_targets {
            if t.parse::<std::net::IpAddr>().is_err() {
                return bad(format!("public_targets: {t:?} is not an IP address"));
            }
        }
        if let Some(c) = &self.uplink_capacity {
            if self.capacity().is_none() {
                return bad(format!(
                    "uplink_capacity {c:?}: give DOWN/UP, like 100M/20M"
                ));
            }
        }
        for q in &self.quotas {
            if q.interface.trim().is_empty() || q.monthly_gb == 0 {
                return bad("every quota needs an interface and monthly_gb above 0".into());
            }
            if !(1..=28).contains(&q.reset_day) {
                return bad(format!("quota {}: reset_day must be 1..28", q.interface));
            }
            if q.thresholds.is_empty() || q.thresholds.iter().any(|t| !(1..=1000).contains(t)) {
                return bad(format!(
                    "quota {}: thresholds are percentages 1..1000",
                    q.interface
                ));
            }
        }
        Ok(())
    }

    /// The uplink capacity (down, up) in bits/s.
    pub fn capacity(&self) -> Option<(u64, u64)> {
        let (d, u) = self.uplink_capacity.as_deref()?.split_once('/')?;
        let d = d.trim().parse::<queue_model::Rate>().ok()?.0;
        let u = u.trim().parse::<queue_model::Rate>().ok()?.0;
        (d > 0 && u > 0).then_some((d, u))
    }
}
