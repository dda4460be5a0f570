//! Value checks, worded as RouterOS words its refusals.
//!
//! This is the seam where `queue-model`'s validation plugs in for `/queue/simple`; the checks
//! here cover what the simulator itself relies on (rates it can shape, targets it can match).

use routeros_proto::TrapCategory;

use queue_model::{PropertyError, QueueTree, QueueType, SimpleQueue};
use routeros_proto::Attributes;

use crate::schema::{Kind, MenuKind, MenuSpec};
use crate::state::{Failure, Item, Menu, State};

fn bad_value(name: &str) -> Failure {
    Failure::new(
        Some(TrapCategory::ArgumentValue),
        format!("invalid value for argument {name}"),
    )
}

/// The explicit values of an item as API attributes (what an `add` would have carried).
pub(crate) fn explicit_attributes(spec: &MenuSpec, item: &Item) -> Attributes {
    let mut a = Attributes::with_capacity(item.values.len());
    for (idx, v) in &item.values {
        if let Some(p) = spec.props.get(usize::from(*idx)) {
            a.push(p.name, v);
        }
    }
    a
}

/// Checks a simple queue, queue tree or queue type with `queue-model`, exactly as RouterOS
/// refuses bad values: the item's current values with `attrs` applied on top (an empty value
/// unsets).
pub(crate) fn with_model(
    spec: &MenuSpec,
    item: &Item,
    attrs: &[(String, Vec<u8>)],
) -> Result<(), Failure> {
    match spec.kind {
        MenuKind::Queue => check_model::<SimpleQueue>(spec, item, attrs),
        MenuKind::QueueTree => check_model::<QueueTree>(spec, item, attrs),
        MenuKind::QueueType => check_model::<QueueType>(spec, item, attrs),
        MenuKind::Netwatch => check_model::<queue_model::netwatch::Netwatch>(spec, item, attrs),
        _ => Ok(()),
    }
}

fn check_model<T: queue_model::Item>(
    spec: &MenuSpec,
    item: &Item,
    attrs: &[(String, Vec<u8>)],
) -> Result<(), Failure> {
    let mut merged = Attributes::new();
    for (n, v) in explicit_attributes(spec, item).iter() {
        if !attrs.iter().any(|(a, _)| a.as_bytes() == n) {
            merged.push(n, v);
        }
    }
    for (n, v) in attrs.iter().filter(|(_, v)| !v.is_empty()) {
        merged.push(n, v);
    }
    T::from_attributes(&merged).map(|_| ()).map_err(|e| {
        let category = match e {
            PropertyError::ReadOnly { .. } => None,
            _ => Some(TrapCategory::ArgumentValue),
        };
        Failure::new(category, e.to_string())
    })
}

/// Checks and normalises one value; `Ok(None)` unsets the property (an empty value). Free
/// text keeps its bytes exactly (UTF-8 or not); typed values must be text.
pub(crate) fn value(kind: Kind, name: &str, raw: &[u8]) -> Result<Option<Vec<u8>>, Failure> {
    if raw.is_empty() && kind != Kind::ReadOnly {
        return Ok(None);
    }
    if kind == Kind::Text {
        return Ok(Some(raw.to_vec()));
    }
    let value = std::str::from_utf8(raw).map_err(|_| bad_value(name))?;
    Ok(Some(
        match kind {
            Kind::Text => value.to_owned(),
            Kind::Bool => match value {
                "yes" | "true" => "true".into(),
                "no" | "false" => "false".into(),
                _ => return Err(Failure::no_match(name)),
            },
            Kind::Enum(words) => {
                if !words.contains(&value) {
                    return Err(Failure::no_match(name));
                }
                value.to_owned()
            }
            Kind::Int(min, max) => {
                let n: u64 = value.parse().map_err(|_| bad_value(name))?;
                if n < min || n > max {
                    return Err(Failure::new(
                        Some(TrapCategory::ArgumentValue),
                        format!("value of {name} out of range ({min}..{max})"),
                    ));
                }
                n.to_string()
            }
            Kind::Priority => {
                let parse = |s: &str| s.parse::<u8>().ok().filter(|n| (1..=8).contains(n));
                match value.split_once('/') {
                    Some((a, b)) => match (parse(a), parse(b)) {
                        (Some(a), Some(b)) => format!("{a}/{b}"),
                        _ => return Err(Failure::no_match(name)),
                    },
                    None => match parse(value) {
                        Some(a) => format!("{a}/{a}"),
                        None => return Err(Failure::no_match(name)),
                    },
                }
            }
            Kind::Rate => parse_rate(value)
                .ok_or_else(|| bad_value(name))?
                .to_string(),
            Kind::Seconds => format!("{}s", parse_time(value).ok_or_else(|| bad_value(name))?),
            Kind::RatePair => {
                let (a, b) = value.split_once('/').unwrap_or((value, value));
                let a = parse_rate(a).ok_or_else(|| bad_value(name))?;
                let b = parse_rate(b).ok_or_else(|| bad_value(name))?;
                format!("{a}/{b}")
            }
            Kind::TimePair => {
                let (a, b) = value.split_once('/').unwrap_or((value, value));
                let a = parse_time(a).ok_or_else(|| bad_value(name))?;
                let b = parse_time(b).ok_or_else(|| bad_value(name))?;
                format!("{a}s/{b}s")
            }
            Kind::Duration => value
                .parse::<queue_model::Time>()
                .map_err(|_| bad_value(name))?
                .to_string(),
            Kind::Mac => value
                .parse::<queue_model::MacAddress>()
                .map_err(|_| bad_value(name))?
                .to_string(),
            Kind::Ipv4 => value
                .parse::<std::net::Ipv4Addr>()
                .map_err(|_| bad_value(name))?
                .to_string(),
            Kind::CountOrUnlimited => match value {
                "unlimited" => value.to_owned(),
                v => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| bad_value(name))?
                    .to_string(),
            },
            Kind::ReadOnly => return Err(Failure::new(None, "unknown parameter")),
        }
        .into_bytes(),
    ))
}

/// A bit rate: `1000`, `512k`, `10M`, `1G` (decimal multipliers, as RouterOS uses).
pub(crate) fn parse_rate(s: &str) -> Option<u64> {
    let s = s.trim();
    let (digits, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (s.get(..s.len() - 1)?, 1_000),
        b'M' => (s.get(..s.len() - 1)?, 1_000_000),
        b'G' => (s.get(..s.len() - 1)?, 1_000_000_000),
        _ => (s, 1),
    };
    if digits.contains('.') {
        let f: f64 = digits.parse().ok()?;
        if !f.is_finite() || f < 0.0 {
            return None;
        }
        // Rates are far below 2^53: the product is exact enough and bounded.
        let v = (f * mult as f64).round();
        if v > 4.0e12 {
            return None;
        }
        return Some(v as u64);
    }
    let n: u64 = digits.parse().ok()?;
    let v = n.checked_mul(mult)?;
    (v <= 4_000_000_000_000).then_some(v)
}

/// Seconds: `10`, `10s`, `2m`, `1h`.
fn parse_time(s: &str) -> Option<u64> {
    let (digits, mult) = match s.as_bytes().last()? {
        b's' => (s.get(..s.len() - 1)?, 1),
        b'm' => (s.get(..s.len() - 1)?, 60),
        b'h' => (s.get(..s.len() - 1)?, 3600),
        _ => (s, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(mult)
}

/// A rate pair `up/down` as numbers.
pub(crate) fn rate_pair(s: &str) -> (u64, u64) {
    let (a, b) = s.split_once('/').unwrap_or((s, s));
    (parse_rate(a).unwrap_or(0), parse_rate(b).unwrap_or(0))
}

/// An IPv4 address or prefix `a.b.c.d[/len]` as `(address, prefix length)`.
pub(crate) fn parse_net(s: &str) -> Option<(u32, u8)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, l.parse::<u8>().ok().filter(|l| *l <= 32)?),
        None => (s, 32),
    };
    let ip: std::net::Ipv4Addr = addr.trim().parse().ok()?;
    Some((u32::from(ip), len))
}

/// True when `ip` lies in `(net, len)`.
pub(crate) fn net_contains((net, len): (u32, u8), ip: u32) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    net & mask == ip & mask
}

/// The network of an interface address `192.168.88.1/24` → `192.168.88.0`.
pub(crate) fn network_of(addr: &str) -> Option<String> {
    let (ip, len) = parse_net(addr)?;
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    Some(std::net::Ipv4Addr::from(ip & mask).to_string())
}

/// Checks an item as a whole before it is stored (`pos` is its position when it is a `set`).
pub(crate) fn item(
    state: &State,
    menu: &Menu,
    item: &Item,
    pos: Option<usize>,
) -> Result<(), Failure> {
    let spec = menu.spec;
    if let Some(unique) = spec.unique {
        if let Some(v) = menu.raw(item, unique) {
            let clash = menu
                .items
                .iter()
                .enumerate()
                .any(|(i, other)| Some(i) != pos && menu.raw(other, unique) == Some(v));
            if clash {
                return Err(Failure::new(
                    None,
                    format!("failure: already have such {unique}"),
                ));
            }
        }
    }
    match spec.kind {
        MenuKind::Queue => {
            if let Some(target) = menu.value(item, "target") {
                for t in target.split(',').filter(|t| !t.is_empty()) {
                    let is_iface = state.interface_rates(t).is_some();
                    if parse_net(t).is_none() && !is_iface {
                        return Err(Failure::no_match("target"));
                    }
                }
            }
            if let Some(parent) = menu.raw(item, "parent") {
                let ok = parent == b"none"
                    || menu.items.iter().any(|q| {
                        menu.raw(q, "name") == Some(parent) && Some(q.id) != Some(item.id)
                    });
                if !ok {
                    return Err(Failure::no_match("parent"));
                }
            }
            let (lu, ld) = rate_pair(menu.value(item, "limit-at").unwrap_or("0/0"));
            let (mu, md) = rate_pair(menu.value(item, "max-limit").unwrap_or("0/0"));
            if (mu != 0 && lu > mu) || (md != 0 && ld > md) {
                return Err(Failure::new(
                    None,
                    "failure: limit-at must not be greater than max-limit",
                ));
            }
        }
        MenuKind::QueueTree => {
            if let Some(parent) = menu.raw(item, "parent") {
                let ok = parent == b"global"
                    || std::str::from_utf8(parent)
                        .is_ok_and(|p| state.interface_rates(p).is_some())
                    || menu
                        .items
                        .iter()
                        .any(|q| menu.raw(q, "name") == Some(parent) && q.id != item.id);
                if !ok {
                    return Err(Failure::no_match("parent"));
                }
            }
            if let Some(q) = menu.raw(item, "queue") {
                let tm = &state.menus[state.menu_by_kind(MenuKind::QueueType)];
                if tm.find("name", q).is_none() {
                    return Err(Failure::no_match("queue"));
                }
            }
            let limit = |n| menu.value(item, n).and_then(parse_rate).unwrap_or(0);
            let (la, ml) = (limit("limit-at"), limit("max-limit"));
            if ml != 0 && la > ml {
                return Err(Failure::new(
                    None,
                    "failure: limit-at must not be greater than max-limit",
                ));
            }
        }
        MenuKind::Pool => {
            let ok = menu.value(item, "ranges").is_some_and(|r| {
                r.split(',').all(|range| {
                    let (a, b) = range.split_once('-').unwrap_or((range, range));
                    a.trim().parse::<std::net::Ipv4Addr>().is_ok()
                        && b.trim().parse::<std::net::Ipv4Addr>().is_ok()
                })
            });
            if !ok {
                return Err(bad_value("ranges"));
            }
        }
        MenuKind::Mangle | MenuKind::Filter | MenuKind::Nat => {
            if let Some(l7) = menu.raw(item, "layer7-protocol") {
                let l7m = state.menu_by_kind(MenuKind::Layer7);
                let m = &state.menus[l7m];
                if !m.items.iter().any(|i| m.raw(i, "name") == Some(l7)) {
                    return Err(Failure::no_match("layer7-protocol"));
                }
            }
            for name in ["src-address", "dst-address"] {
                if let Some(a) = menu.value(item, name) {
                    if parse_net(a.trim_start_matches('!')).is_none() {
                        return Err(bad_value(name));
                    }
                }
            }
        }
        MenuKind::HotspotUser | MenuKind::PppSecret => {
            let kind = if spec.kind == MenuKind::HotspotUser {
                MenuKind::HotspotProfile
            } else {
                MenuKind::PppProfile
            };
            if let Some(profile) = menu.raw(item, "profile") {
                let pm = &state.menus[state.menu_by_kind(kind)];
                if pm.find("name", profile).is_none() {
                    return Err(Failure::no_match("profile"));
                }
            }
        }
        MenuKind::HotspotServer => {
            if let Some(i) = menu.value(item, "interface") {
                if state.interface_rates(i).is_none() {
                    return Err(Failure::no_match("interface"));
                }
            }
        }
        MenuKind::Address | MenuKind::AddressList | MenuKind::Lease => {
            if let Some(a) = menu.value(item, "address") {
                if parse_net(a).is_none() {
                    return Err(bad_value("address"));
                }
            }
            if spec.kind == MenuKind::Address {
                if let Some(i) = menu.value(item, "interface") {
                    if state.interface_rates(i).is_none() {
                        return Err(Failure::no_match("interface"));
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}
