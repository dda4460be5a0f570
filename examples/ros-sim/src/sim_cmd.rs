//! The `/sim/...` command namespace (which real routers lack) and the events behind it, shared
//! with [`SimHandle`](crate::SimHandle).

use routeros_proto::{Request, TrapCategory};

use crate::schema::MenuKind;
use crate::server::Shared;
use crate::state::{Failure, State};

/// A new LAN host with a DHCP lease; returns the lease's `.id`.
pub(crate) fn host_appears(
    st: &mut State,
    name: Option<&str>,
    mac: Option<&str>,
) -> Result<(String, String), Failure> {
    let host = st.traffic.new_host(name, mac);
    let lease = st.menu_by_kind(MenuKind::Lease);
    let ip = host.ip.to_string();
    let id = st.insert_raw(
        lease,
        &[
            ("address", &ip),
            ("mac-address", &host.mac),
            ("active-address", &ip),
            ("active-mac-address", &host.mac),
            ("host-name", &host.name),
            ("status", "bound"),
            ("expires-after", "9m58s"),
            ("last-seen", "2s"),
            ("dynamic", "true"),
        ],
    );
    crate::health::add_arp(st, &ip, &host.mac, "bridge", true);
    st.log(
        "dhcp,info",
        &format!("defconf assigned {ip} for {} {}", host.mac, host.name),
    );
    Ok((format!("*{id:X}"), ip))
}

/// Sets an interface's link state, logging as RouterOS does.
pub(crate) fn link(st: &mut State, name: &str, up: bool) -> Result<(), Failure> {
    let idx = st.menu_by_kind(MenuKind::Interface);
    let m = &mut st.menus[idx];
    let pos = m
        .items
        .iter()
        .position(|i| m.value(i, "name") == Some(name))
        .ok_or_else(|| Failure::no_match("interface"))?;
    let item = &mut m.items[pos];
    let changed = item.running != up;
    item.running = up;
    if !up && changed {
        item.link_downs += 1;
    }
    let id = item.id;
    if changed {
        st.notify(idx, id, false);
        let state = if up { "up" } else { "down" };
        st.log("interface,info", &format!("{name} link {state}"));
    }
    Ok(())
}

/// A CPU spike to `load` percent for `seconds` ticks.
pub(crate) fn cpu_spike(st: &mut State, load: u8, seconds: u32) {
    st.spike = Some((load.min(100), seconds));
    st.cpu_load = load.min(100);
}

fn arg(req: &Request, name: &str) -> Option<String> {
    req.attributes.get_string_lossy(name)
}

/// An argument's bytes (names and passwords need not be UTF-8).
fn bytes<'a>(req: &'a Request, name: &str) -> &'a [u8] {
    req.attributes.get(name).unwrap_or_default()
}

fn number<T: std::str::FromStr>(req: &Request, name: &str, default: T) -> Result<T, Failure> {
    match arg(req, name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            Failure::new(
                Some(TrapCategory::ArgumentValue),
                format!("invalid value for argument {name}"),
            )
        }),
    }
}

/// `=up=`, `=loss=` and `=latency=` applied over `current`.
fn reachability(
    req: &Request,
    current: crate::health::Reachability,
) -> Result<crate::health::Reachability, Failure> {
    let mut r = match arg(req, "up").as_deref() {
        None => current,
        Some("yes" | "true") => crate::health::Reachability::up(),
        Some("no" | "false") => crate::health::Reachability::down(),
        Some(_) => return Err(Failure::no_match("up")),
    };
    if arg(req, "up").is_some() {
        r = r.loss(current.loss_percent()).latency(current.round_trip());
    }
    let loss: u8 = number(req, "loss", current.loss_percent())?;
    if loss > 100 {
        return Err(Failure::new(
            Some(TrapCategory::ArgumentValue),
            "value of loss out of range (0..100)",
        ));
    }
    r = r.loss(loss);
    if let Some(l) = arg(req, "latency") {
        let t: queue_model::Time = l.parse().map_err(|_| {
            Failure::new(
                Some(TrapCategory::ArgumentValue),
                "invalid value for argument latency",
            )
        })?;
        r = r.latency(std::time::Duration::from_millis(t.as_millis()));
    }
    Ok(r)
}

/// Runs `/sim/<name>`; `Ok(Some(ret))` is answered as `!done =ret=...`.
pub(crate) fn run(shared: &Shared, name: &str, req: &Request) -> Result<Option<String>, Failure> {
    match name {
        "tick" => {
            let n: u64 = number(req, "count", 1)?;
            shared.tick(n.min(86_400));
            Ok(Some(shared.lock().ticks.to_string()))
        }
        "host-appear" => {
            let mut st = shared.lock();
            let (id, ip) = host_appears(
                &mut st,
                arg(req, "host-name").as_deref(),
                arg(req, "mac-address").as_deref(),
            )?;
            let _ = id;
            Ok(Some(ip))
        }
        "cpu-spike" => {
            let load: u8 = number(req, "load", 100)?;
            let secs: u32 = number(req, "duration", 10)?;
            cpu_spike(&mut shared.lock(), load, secs);
            Ok(None)
        }
        "interface-down" | "interface-up" => {
            let iface = arg(req, "interface").unwrap_or_default();
            link(&mut shared.lock(), &iface, name == "interface-up")?;
            Ok(None)
        }
        "hotspot/login" => {
            let mut st = shared.lock();
            let id = crate::session::hotspot_login(
                &mut st,
                bytes(req, "user"),
                bytes(req, "password"),
                &arg(req, "mac-address").unwrap_or_default(),
                &arg(req, "address").unwrap_or_default(),
            )?;
            Ok(Some(format!("*{id:X}")))
        }
        "hotspot/logout" => {
            crate::session::hotspot_logout(&mut shared.lock(), bytes(req, "user"))?;
            Ok(None)
        }
        "ppp/connect" => {
            let mut st = shared.lock();
            let id = crate::session::ppp_connect(
                &mut st,
                bytes(req, "name"),
                bytes(req, "password"),
                &arg(req, "caller-id").unwrap_or_default(),
            )?;
            Ok(Some(format!("*{id:X}")))
        }
        "ppp/disconnect" => {
            crate::session::ppp_disconnect(&mut shared.lock(), bytes(req, "name"))?;
            Ok(None)
        }
        "host/add" => {
            let ip = arg(req, "address").unwrap_or_default();
            crate::health::add_host(
                &mut shared.lock(),
                &ip,
                &arg(req, "mac-address").unwrap_or_default(),
                arg(req, "host-name").as_deref(),
            )?;
            Ok(Some(ip))
        }
        "host/set" => {
            let ip = arg(req, "address").unwrap_or_default();
            let mut st = shared.lock();
            let reach = reachability(req, *crate::health::host_mut(&mut st, &ip)?)?;
            crate::health::set_host(&mut st, &ip, reach)?;
            Ok(None)
        }
        "host/remove" => {
            let ip = arg(req, "address").unwrap_or_default();
            crate::health::remove_host(&mut shared.lock(), &ip)?;
            Ok(None)
        }
        "target/set" => {
            let ip = arg(req, "address").unwrap_or_default();
            let mut st = shared.lock();
            let current = ip
                .parse()
                .map(|a| crate::health::target(&st, a))
                .unwrap_or_default();
            let reach = reachability(req, current)?;
            crate::health::set_target(&mut st, &ip, reach)?;
            Ok(None)
        }
        "uplink/down" | "uplink/up" => {
            crate::health::set_uplink(&mut shared.lock(), name == "uplink/up");
            Ok(None)
        }
        "public-address" => {
            let ip = arg(req, "address").unwrap_or_default();
            crate::health::set_public_address(&mut shared.lock(), &ip)?;
            Ok(None)
        }
        "wan-traffic" => {
            let rx: u64 = number(req, "rx-byte", 0)?;
            let tx: u64 = number(req, "tx-byte", 0)?;
            crate::health::add_wan_traffic(&mut shared.lock(), rx, tx);
            Ok(None)
        }
        "reboot" => {
            crate::health::reboot(&mut shared.lock());
            Ok(None)
        }
        "log" => {
            let topics = arg(req, "topics").unwrap_or_else(|| "script,info".into());
            let message = arg(req, "message").unwrap_or_default();
            shared.lock().log(&topics, &message);
            Ok(None)
        }
        other => Err(Failure::new(
            Some(TrapCategory::MissingItemOrCommand),
            format!("no such command or directory ({other})"),
        )),
    }
}
