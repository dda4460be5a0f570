//! "Why is this house's internet slow or dead?": the evidence for one device, in a fixed
//! order of checks, each OK, the problem, or unknown — never a guess.
//!
//! [`gather`] collects the evidence from the router (fresh pings run at once, within a few
//! seconds) and from what the checks and the poller already know; [`verdicts`] turns it into
//! answers (pure, tested without a router).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::{DeviceView, Health, QuotaView, Settings};
use crate::i18n::Lang;
use crate::routers::netwatch::{self, PingResult};
use crate::routers::{RouterHandle, Status};
use crate::tr;

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "text", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Verdict {
    /// Fine (with the figure that says so).
    Ok(String),
    /// The problem.
    Problem(String),
    /// Not known, and why.
    Unknown(String),
}

/// One line of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The check (`Router`, `ISP`...).
    pub check: &'static str,
    /// What it found.
    pub verdict: Verdict,
}

/// Everything the checks look at.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Evidence {
    /// The router's name.
    pub router: String,
    /// `Ok` when the router answers, else why not.
    pub router_up: Option<Result<(), String>>,
    /// Whether the default route is active (`None`: not read).
    pub route_active: Option<bool>,
    /// Ping to the gateway.
    pub gateway: Option<PingResult>,
    /// Ping to the first public target.
    pub target: Option<(String, PingResult)>,
    /// Quotas.
    pub quotas: Vec<QuotaView>,
    /// The device (as tracked) and the ping to it.
    pub device: Option<DeviceView>,
    /// The ping to the device.
    pub device_ping: Option<PingResult>,
    /// The parent (as tracked) and the ping to it.
    pub parent: Option<(DeviceView, Option<PingResult>)>,
    /// The device's simple queue: name, percent of max-limit, at max since (Unix seconds).
    pub queue: Option<(String, u64, Option<i64>)>,
    /// WAN rates now (down, up), bits/s.
    pub wan_rate: Option<(u64, u64)>,
    /// CPU load, percent.
    pub cpu: Option<u64>,
    /// Unix seconds now.
    pub now: i64,
}

/// A duration in its two largest units (`0s`, `45s`, `10m`, `1h5m`, `2d3h`).
fn span(secs: u64) -> String {
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let parts: Vec<String> = units
        .iter()
        .scan(secs, |left, (size, unit)| {
            let n = *left / size;
            *left %= size;
            Some((n, *unit))
        })
        .filter(|(n, _)| *n > 0)
        .take(2)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.concat()
    }
}

fn ms(us: Option<u64>) -> String {
    us.map_or("-".into(), |u| format!("{} ms", u.div_ceil(1000)))
}

/// The answers, in the fixed order: router, ISP, quota, device, parent, queue, uplink, CPU;
/// in English (see [`verdicts_in`]).
pub fn verdicts(e: &Evidence, s: &Settings) -> Vec<Finding> {
    verdicts_in(Lang::En, e, s)
}

/// A check's name in `lang` (`Router`, `ISP`, `Quota` / `Kuota`...); [`Finding::check`]
/// itself stays English.
pub fn check_label(lang: Lang, check: &str) -> String {
    match check {
        "Router" => tr!(lang, "diagnose-check-router"),
        "ISP" => tr!(lang, "diagnose-check-isp"),
        "Quota" => tr!(lang, "diagnose-check-quota"),
        "Device" => tr!(lang, "diagnose-check-device"),
        "Parent" => tr!(lang, "diagnose-check-parent"),
        "Queue" => tr!(lang, "diagnose-check-queue"),
        "Uplink" => tr!(lang, "diagnose-check-uplink"),
        "CPU" => tr!(lang, "diagnose-check-cpu"),
        other => other.to_owned(),
    }
}

/// A verdict's word in `lang`: `ok`, `problem`, `unknown` / `ok`, `masalah`, `tidak diketahui`.
pub fn verdict_label(lang: Lang, v: &Verdict) -> String {
    match v {
        Verdict::Ok(_) => tr!(lang, "diagnose-verdict-ok"),
        Verdict::Problem(_) => tr!(lang, "diagnose-verdict-problem"),
        Verdict::Unknown(_) => tr!(lang, "diagnose-verdict-unknown"),
    }
}

/// [`verdicts`] with the texts in `lang`.
pub fn verdicts_in(lang: Lang, e: &Evidence, s: &Settings) -> Vec<Finding> {
    use Verdict::*;
    let mut out = Vec::new();
    let mut push = |check, verdict| out.push(Finding { check, verdict });
    let router_ok = matches!(e.router_up, Some(Result::Ok(())));
    push(
        "Router",
        match &e.router_up {
            Some(Result::Ok(())) => Ok(tr!(lang, "diagnose-router-answers", router = &e.router)),
            Some(Err(why)) => Problem(tr!(
                lang,
                "diagnose-router-silent",
                router = &e.router,
                why = why
            )),
            None => Unknown(tr!(lang, "diagnose-not-polled")),
        },
    );
    let off = || Unknown(tr!(lang, "diagnose-router-off"));
    push(
        "ISP",
        if !router_ok {
            off()
        } else {
            let lossy = |p: &PingResult| p.loss() >= s.loss_warn_percent;
            match (&e.route_active, &e.gateway, &e.target) {
                (Some(false), _, _) => Problem(tr!(lang, "diagnose-uplink-route-inactive")),
                (_, Some(g), Some((_, t))) if g.received == 0 && t.received == 0 => {
                    Problem(tr!(lang, "diagnose-uplink-dead"))
                }
                (_, _, Some((host, t))) if t.received == 0 => {
                    Problem(tr!(lang, "diagnose-isp-down", host = host))
                }
                (_, g, Some((host, t))) if lossy(t) || g.as_ref().is_some_and(lossy) => {
                    Problem(tr!(
                        lang,
                        "diagnose-isp-lossy",
                        loss = t.loss().to_string(),
                        host = host,
                        gateway = g.map_or(String::new(), |g| tr!(
                            lang,
                            "diagnose-isp-lossy-gateway",
                            loss = g.loss().to_string()
                        )),
                        avg = ms(t.avg_us)
                    ))
                }
                (_, _, Some((host, t)))
                    if t.avg_us.is_some_and(|a| a / 1000 >= s.latency_warn_ms) =>
                {
                    Problem(tr!(
                        lang,
                        "diagnose-isp-slow",
                        avg = ms(t.avg_us),
                        host = host
                    ))
                }
                (_, _, Some((host, t))) => Ok(tr!(
                    lang,
                    "diagnose-isp-ok",
                    loss = t.loss().to_string(),
                    avg = ms(t.avg_us),
                    host = host
                )),
                _ => Unknown(tr!(lang, "diagnose-isp-no-ping")),
            }
        },
    );
    push(
        "Quota",
        if e.quotas.is_empty() {
            Unknown(tr!(lang, "diagnose-quota-none"))
        } else if let Some(q) = e.quotas.iter().find(|q| q.percent >= 100) {
            Problem(tr!(
                lang,
                "diagnose-quota-used-up",
                interface = &q.interface,
                used = lang.bytes(q.used),
                quota = lang.bytes(q.quota),
                percent = q.percent.to_string()
            ))
        } else {
            Ok(e.quotas
                .iter()
                .map(|q| format!("{} {}%", q.interface, q.percent))
                .collect::<Vec<_>>()
                .join(", "))
        },
    );
    let ping_verdict = |name: &str, v: Option<&DeviceView>, p: Option<&PingResult>| -> Verdict {
        match (p, v) {
            (Some(p), _) if p.received == 0 => {
                Problem(tr!(lang, "diagnose-ping-silent", name = name))
            }
            (Some(p), _) if p.loss() >= s.loss_warn_percent => Problem(tr!(
                lang,
                "diagnose-ping-lossy",
                name = name,
                loss = p.loss().to_string(),
                avg = ms(p.avg_us)
            )),
            (Some(p), _) => Ok(tr!(
                lang,
                "diagnose-ping-ok",
                name = name,
                avg = ms(p.avg_us)
            )),
            (None, Some(v)) if v.status == "down" => {
                Problem(tr!(lang, "diagnose-ping-down", name = name))
            }
            (None, _) => Unknown(tr!(lang, "diagnose-ping-none", name = name)),
        }
    };
    push(
        "Device",
        match &e.device {
            _ if !router_ok => off(),
            None => Unknown(tr!(lang, "diagnose-device-unwatched")),
            Some(d) => ping_verdict(&d.name, Some(d), e.device_ping.as_ref()),
        },
    );
    push(
        "Parent",
        match &e.parent {
            _ if !router_ok => off(),
            None => Ok(tr!(lang, "diagnose-no-parent")),
            Some((p, ping)) => ping_verdict(&p.name, Some(p), ping.as_ref()),
        },
    );
    push(
        "Queue",
        match &e.queue {
            _ if !router_ok => off(),
            None => Unknown(tr!(lang, "diagnose-queue-none")),
            Some((name, pct, Some(since))) => Problem(tr!(
                lang,
                "diagnose-queue-full",
                name = name,
                percent = pct.to_string(),
                span = span(u64::try_from(e.now.saturating_sub(*since)).unwrap_or(0))
            )),
            Some((name, pct, None)) => Ok(tr!(
                lang,
                "diagnose-queue-ok",
                name = name,
                percent = pct.to_string()
            )),
        },
    );
    push(
        "Uplink",
        match (s.capacity(), e.wan_rate) {
            _ if !router_ok => off(),
            (None, _) => Unknown(tr!(lang, "diagnose-uplink-unset")),
            (_, None) => Unknown(tr!(lang, "diagnose-uplink-no-rate")),
            (Some((cd, cu)), Some((d, u))) => {
                let pd = (d.saturating_mul(100) / cd).to_string();
                let pu = (u.saturating_mul(100) / cu).to_string();
                if d.saturating_mul(100) / cd >= 90 || u.saturating_mul(100) / cu >= 90 {
                    Problem(tr!(lang, "diagnose-uplink-saturated", down = pd, up = pu))
                } else {
                    Ok(tr!(lang, "diagnose-uplink-ok", down = pd, up = pu))
                }
            }
        },
    );
    push(
        "CPU",
        match e.cpu {
            _ if !router_ok => off(),
            None => Unknown(tr!(lang, "diagnose-cpu-none")),
            Some(c) if c >= 90 => Problem(tr!(lang, "diagnose-cpu-high", cpu = c.to_string())),
            Some(c) => Ok(format!("{c}%")),
        },
    );
    out
}

/// The first problem found, in the order of the checks.
pub fn cause(findings: &[Finding]) -> Option<&str> {
    findings.iter().find_map(|f| match &f.verdict {
        Verdict::Problem(p) => Some(p.as_str()),
        _ => None,
    })
}

/// Collects the evidence for the device called `name`, or at address `addr` on `router`;
/// pings run at once, all together, within about 4 seconds.
pub async fn gather(
    health: &Health,
    router: &Arc<RouterHandle>,
    device: Option<DeviceView>,
    ip: Option<String>,
) -> Evidence {
    let live = router.live();
    let h = health.router(router.id);
    let mut e = Evidence {
        router: router.name.clone(),
        now: crate::now(),
        quotas: h.quotas.clone(),
        ..Evidence::default()
    };
    e.router_up = match &live.status {
        Status::Up => Some(Ok(())),
        Status::Connecting => None,
        Status::Slow(r) | Status::Down(r) => Some(Err(crate::fmt::cap(r, 120))),
    };
    let Some(client) = router.client().filter(|_| live.status == Status::Up) else {
        e.device = device;
        return e;
    };
    e.cpu = live.resource.as_ref().map(|r| r.cpu_load);
    let parent = device
        .as_ref()
        .and_then(|d| d.parent.clone())
        .and_then(|p| h.devices.iter().find(|v| v.name == p).cloned());
    let timeout = Duration::from_secs(4);
    let target = health.settings.public_targets.first().cloned();
    let ping = |host: Option<String>, count: u32| {
        let client = client.clone();
        async move {
            match host {
                Some(h) => netwatch::ping(&client, &h, count, timeout).await.ok(),
                None => None,
            }
        }
    };
    let route = async {
        tokio::time::timeout(timeout, netwatch::default_route(&client))
            .await
            .ok()
            .and_then(Result::ok)
            .flatten()
    };
    let route = route.await;
    let gw = route
        .as_ref()
        .map(|r| r.gateway.clone())
        .filter(|g| g.parse::<std::net::IpAddr>().is_ok());
    let parent_ip = parent.as_ref().and_then(|p| p.ip.clone());
    let (gp, tp, dp, pp) = tokio::join!(
        ping(gw, 10),
        ping(target.clone(), 10),
        ping(ip.clone(), 5),
        ping(parent_ip, 5),
    );
    e.route_active = route.as_ref().map(|r| r.active);
    e.gateway = gp;
    e.target = target.zip(tp);
    e.device_ping = dp;
    e.parent = parent.map(|p| (p, pp));
    if let Some(ip) = &ip {
        let wanted = format!("{ip}/32");
        if let Some(q) = live
            .queues
            .iter()
            .find(|q| q.target.split(',').any(|t| t == ip || t == wanted))
        {
            e.queue = Some((
                q.name.clone(),
                q.usage_percent(),
                h.full_queues.get(&q.name).copied(),
            ));
        }
    }
    let wan = h.isp.wan.clone();
    e.wan_rate = live
        .interfaces
        .iter()
        .find(|i| wan.contains(&i.name))
        .map(|i| (i.rx_bps, i.tx_bps));
    e.device = device;
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping(sent: u64, received: u64, avg_ms: u64) -> PingResult {
        PingResult {
            sent,
            received,
            avg_us: (received > 0).then_some(avg_ms * 1000),
        }
    }

    fn view(name: &str, status: &'static str) -> DeviceView {
        DeviceView {
            name: name.into(),
            address: "10.0.0.9".into(),
            ip: Some("10.0.0.9".into()),
            parent: None,
            status,
            fails: 0,
            since: 0,
            rtt_us: None,
            loss: None,
        }
    }

    fn healthy() -> Evidence {
        Evidence {
            router: "r1".into(),
            router_up: Some(Ok(())),
            route_active: Some(true),
            gateway: Some(ping(10, 10, 2)),
            target: Some(("8.8.8.8".into(), ping(10, 10, 9))),
            quotas: vec![QuotaView {
                interface: "ether1".into(),
                period: "2026-12".into(),
                used: 10,
                quota: 100,
                percent: 10,
                elapsed: 50,
            }],
            device: Some(view("house1", "up")),
            device_ping: Some(ping(5, 5, 1)),
            parent: None,
            queue: Some(("house1".into(), 20, None)),
            wan_rate: Some((10_000_000, 1_000_000)),
            cpu: Some(5),
            now: 1000,
        }
    }

    fn settings() -> Settings {
        Settings {
            uplink_capacity: Some("100M/20M".into()),
            ..Settings::default()
        }
    }

    #[test]
    fn a_healthy_house_is_ok_in_every_check_in_order() {
        let f = verdicts(&healthy(), &settings());
        let order: Vec<&str> = f.iter().map(|f| f.check).collect();
        assert_eq!(
            order,
            ["Router", "ISP", "Quota", "Device", "Parent", "Queue", "Uplink", "CPU"]
        );
        assert!(
            f.iter().all(|f| matches!(f.verdict, Verdict::Ok(_))),
            "{f:?}"
        );
        assert_eq!(cause(&f), None);
    }

    #[test]
    fn each_simulated_cause_is_named() {
        let s = settings();
        let mut e = healthy();
        e.device_ping = Some(ping(5, 0, 0));
        assert!(cause(&verdicts(&e, &s))
            .unwrap()
            .contains("house1 does not answer"));

        let mut e = healthy();
        let mut p = view("ap1", "down");
        p.ip = Some("10.0.0.2".into());
        e.parent = Some((p, Some(ping(5, 0, 0))));
        e.device_ping = Some(ping(5, 0, 0));
        let f = verdicts(&e, &s);
        assert!(matches!(&f[4].verdict, Verdict::Problem(p) if p.contains("ap1")));

        let mut e = healthy();
        e.route_active = Some(false);
        e.gateway = Some(ping(10, 0, 0));
        e.target = Some(("8.8.8.8".into(), ping(10, 0, 0)));
        assert!(cause(&verdicts(&e, &s)).unwrap().contains("uplink dead"));

        let mut e = healthy();
        e.target = Some(("8.8.8.8".into(), ping(10, 7, 9)));
        assert!(cause(&verdicts(&e, &s))
            .unwrap()
            .contains("30% loss to 8.8.8.8"));

        let mut e = healthy();
        e.quotas[0].percent = 100;
        e.quotas[0].used = 100;
        assert!(cause(&verdicts(&e, &s)).unwrap().contains("quota used up"));

        let mut e = healthy();
        e.queue = Some(("house1".into(), 99, Some(400)));
        assert!(cause(&verdicts(&e, &s))
            .unwrap()
            .contains("at max-limit (99%) for 10m"));

        let mut e = healthy();
        e.wan_rate = Some((95_000_000, 1_000_000));
        assert!(cause(&verdicts(&e, &s))
            .unwrap()
            .contains("uplink saturated"));

        let mut e = healthy();
        e.cpu = Some(97);
        assert!(cause(&verdicts(&e, &s)).unwrap().contains("CPU at 97%"));

        let mut e = healthy();
        e.router_up = Some(Err("connection refused".into()));
        let f = verdicts(&e, &s);
        assert!(cause(&f).unwrap().contains("does not answer"));
        assert!(f[1..]
            .iter()
            .filter(|f| f.check != "Quota")
            .all(|f| matches!(f.verdict, Verdict::Unknown(_))));
    }

    #[test]
    fn the_checks_speak_indonesian_with_the_same_figures() {
        let s = settings();
        let mut e = healthy();
        e.target = Some(("8.8.8.8".into(), ping(10, 7, 9)));
        e.quotas[0].used = 1_500_000;
        let f = verdicts_in(Lang::Id, &e, &s);
        assert_eq!(
            cause(&f),
            Some("ISP loss: 30% loss ke 8.8.8.8, 0% ke gateway (rata-rata 9 ms)")
        );
        assert_eq!(check_label(Lang::Id, f[2].check), "Kuota");
        assert_eq!(verdict_label(Lang::Id, &f[1].verdict), "masalah");
        e.quotas[0].percent = 100;
        e.target = Some(("8.8.8.8".into(), ping(10, 10, 9)));
        assert_eq!(
            cause(&verdicts_in(Lang::Id, &e, &s)),
            Some("kuota ether1 habis: 1,5 MB dari 100 B (100%)")
        );
        // English stays as it was.
        assert_eq!(
            cause(&verdicts(&e, &s)),
            Some("ether1 quota used up: 1.5 MB of 100 B (100%)")
        );
        assert_eq!(check_label(Lang::En, "Quota"), "Quota");
    }

    #[test]
    fn spans_show_two_units() {
        assert_eq!(span(0), "0s");
        assert_eq!(span(600), "10m");
        assert_eq!(span(3_900), "1h5m");
        assert_eq!(span(2 * 86_400 + 3 * 3_600 + 5), "2d3h");
    }

    #[test]
    fn missing_evidence_is_unknown_not_a_guess() {
        let e = Evidence {
            router: "r1".into(),
            router_up: Some(Ok(())),
            ..Evidence::default()
        };
        let f = verdicts(&e, &Settings::default());
        for x in &f[1..] {
            if x.check != "Parent" {
                assert!(matches!(x.verdict, Verdict::Unknown(_)), "{x:?}");
            }
        }
    }
}
