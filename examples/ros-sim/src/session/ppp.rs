//! PPPoE sessions: clients that dial with a secret, the `/ppp/active` rows with their dynamic
//! interface, queue and address-list entry, and clients that dial again after their session is
//! removed (with whatever profile the secret has then).

use super::*;

/// A PPPoE client dials: on success it is remembered and dials again whenever the router
/// removes its session. Returns the `/ppp/active` id.
pub(crate) fn ppp_connect(
    st: &mut State,
    name: &[u8],
    password: &[u8],
    caller_id: &str,
) -> Result<u32, Failure> {
    let caller_id = if caller_id.is_empty() {
        let [_, _, a, b] = st.sessions.next_session.to_be_bytes();
        format!("02:00:5E:20:{a:02X}:{b:02X}")
    } else {
        caller_id
            .parse::<MacAddress>()
            .map_err(|_| bad_value("caller-id"))?
            .to_string()
    };
    let id = dial(st, name, password, &caller_id)?;
    let clients = &mut st.sessions.clients;
    match clients
        .iter_mut()
        .find(|c| &*c.name == name && c.caller_id == caller_id)
    {
        Some(c) => {
            c.session = Some(id);
            c.redial_at = None;
            c.password = password.into();
        }
        None => {
            if clients.len() >= st.sessions.max {
                // At most `max` are connected: forget one that is only redialling.
                if let Some(pos) = clients.iter().position(|c| c.session.is_none()) {
                    clients.remove(pos);
                }
            }
            clients.push(Client {
                name: name.into(),
                password: password.into(),
                caller_id,
                session: Some(id),
                redial_at: None,
            });
        }
    }
    Ok(id)
}

/// The client hangs up (`peer-request`) and stops dialling.
pub(crate) fn ppp_disconnect(st: &mut State, name: &[u8]) -> Result<(), Failure> {
    let pm = st.menu_by_kind(MenuKind::PppActive);
    let m = &st.menus[pm];
    let ids: Vec<u32> = m
        .items
        .iter()
        .filter(|a| m.raw(a, "name") == Some(name))
        .map(|a| a.id)
        .collect();
    let before = st.sessions.clients.len();
    st.sessions.clients.retain(|c| &*c.name != name);
    if ids.is_empty() && before == st.sessions.clients.len() {
        return Err(Failure::no_such_item());
    }
    let removed = st.remove_ids(pm, &ids);
    ppp_ended(st, &removed, "peer-request", false);
    Ok(())
}

fn dial(st: &mut State, name: &[u8], password: &[u8], caller_id: &str) -> Result<u32, Failure> {
    match dial_check(st, name, password, caller_id) {
        Ok(s) => Ok(ppp_start(st, s, name, caller_id)),
        Err(f) => {
            st.log(
                "pppoe,ppp,error",
                &format!("<pppoe-{caller_id}>: {}", f.message),
            );
            Err(f)
        }
    }
}

struct Dial {
    secret_id: u32,
    address: String,
    encoding: &'static str,
    rate_limit: Option<String>,
    address_list: Vec<u8>,
    limit_in: Vec<u8>,
    limit_out: Vec<u8>,
}

fn dial_check(st: &State, name: &[u8], password: &[u8], caller_id: &str) -> Result<Dial, Failure> {
    let failed = || refused(format!("user {} authentication failed", lossy(name)));
    let sm = &st.menus[st.menu_by_kind(MenuKind::PppSecret)];
    let s = sm
        .find("name", name)
        .and_then(|p| sm.items.get(p))
        .ok_or_else(failed)?;
    let caller_ok = match sm.value(s, "caller-id") {
        None | Some("") => true,
        Some(c) => c == caller_id,
    };
    if sm.value(s, "disabled") == Some("true")
        || sm.raw(s, "password").unwrap_or_default() != password
        || !matches!(sm.value(s, "service"), None | Some("any" | "pppoe"))
        || !caller_ok
    {
        return Err(failed());
    }
    let pm = &st.menus[st.menu_by_kind(MenuKind::PppProfile)];
    let profile = sm.raw(s, "profile").unwrap_or(b"default");
    let p = pm
        .find("name", profile)
        .or_else(|| pm.find("name", b"default"))
        .and_then(|i| pm.items.get(i));
    let pval = |n: &str| p.and_then(|p| pm.value(p, n));
    let am = &st.menus[st.menu_by_kind(MenuKind::PppActive)];
    if pval("only-one") == Some("yes") && am.items.iter().any(|a| am.raw(a, "name") == Some(name)) {
        return Err(refused(format!("user {} already connected", lossy(name))));
    }
    if am.items.len() >= st.sessions.max {
        return Err(refused(format!(
            "session limit reached ({})",
            st.sessions.max
        )));
    }
    let address = match sm
        .value(s, "remote-address")
        .or_else(|| pval("remote-address").filter(|a| a.parse::<Ipv4Addr>().is_ok()))
    {
        Some(a) => a.to_owned(),
        None => {
            // The profile's pool (`remote-address=POOL`) hands out its first free address;
            // without one, 10.10.0.2 and up.
            let used: std::collections::HashSet<&str> = am
                .items
                .iter()
                .filter_map(|a| am.value(a, "address"))
                .collect();
            let pool = pval("remote-address").and_then(|name| {
                let pm = &st.menus[st.menu_by_kind(MenuKind::Pool)];
                let p = pm
                    .find("name", name.as_bytes())
                    .and_then(|i| pm.items.get(i))?;
                pm.value(p, "ranges").map(str::to_owned)
            });
            match pool {
                Some(ranges) => ranges
                    .split(',')
                    .filter_map(|r| {
                        let (a, b) = r.split_once('-').unwrap_or((r, r));
                        Some((
                            u32::from(a.trim().parse::<Ipv4Addr>().ok()?),
                            u32::from(b.trim().parse::<Ipv4Addr>().ok()?),
                        ))
                    })
                    .flat_map(|(a, b)| a..=b)
                    .map(|n| Ipv4Addr::from(n).to_string())
                    .find(|a| !used.contains(a.as_str()))
                    .ok_or_else(|| refused("no free address in the pool"))?,
                None => (2u32..)
                    .map(|n| Ipv4Addr::from(0x0A0A_0000 + n).to_string())
                    .find(|a| !used.contains(a.as_str()))
                    .unwrap_or_default(),
            }
        }
    };
    Ok(Dial {
        secret_id: s.id,
        address,
        encoding: if pval("use-encryption") == Some("yes") {
            "MPPE128 stateless"
        } else {
            ""
        },
        rate_limit: pval("rate-limit")
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        address_list: pval("address-list").unwrap_or_default().as_bytes().to_vec(),
        limit_in: sm.raw(s, "limit-bytes-in").unwrap_or(b"0").to_vec(),
        limit_out: sm.raw(s, "limit-bytes-out").unwrap_or(b"0").to_vec(),
    })
}

fn ppp_start(st: &mut State, d: Dial, name: &[u8], caller_id: &str) -> u32 {
    let im = st.menu_by_kind(MenuKind::Interface);
    let mut iface = [b"<pppoe-", name, b">"].concat();
    let mut n = 1;
    while st.menus[im].find("name", &iface).is_some() && n <= st.sessions.max {
        iface = [b"<pppoe-", name, format!("-{n}>").as_bytes()].concat();
        n += 1;
    }
    let iface_id = st.insert_dynamic(
        im,
        &[("name", &iface), ("type", b"pppoe-in"), ("mtu", b"1480")],
    );
    let mut queue_id = 0;
    if let Some(r) = d
        .rate_limit
        .as_deref()
        .and_then(|r| r.parse::<RateLimit>().ok())
    {
        let pair = |u: u64, d: u64| format!("{u}/{d}");
        let max = pair(r.rate.upload.0, r.rate.download.0);
        let mut values: Vec<(&str, Vec<u8>)> = vec![
            ("name", iface.clone()),
            ("target", iface.clone()),
            ("max-limit", max.into_bytes()),
        ];
        if let Some(m) = r.rate_min {
            values.push(("limit-at", pair(m.upload.0, m.download.0).into_bytes()));
        }
        if let Some(b) = r.burst_rate {
            let t = r.burst_threshold.unwrap_or(r.rate);
            values.push(("burst-limit", pair(b.upload.0, b.download.0).into_bytes()));
            values.push((
                "burst-threshold",
                pair(t.upload.0, t.download.0).into_bytes(),
            ));
            let time = r
                .burst_time
                .map(|t| (t.upload.as_millis() / 1000, t.download.as_millis() / 1000))
                .unwrap_or((1, 1));
            values.push((
                "burst-time",
                format!("{}s/{}s", time.0, time.1).into_bytes(),
            ));
        }
        let qm = st.menu_by_kind(MenuKind::Queue);
        let values: Vec<(&str, &[u8])> = values.iter().map(|(n, v)| (*n, &v[..])).collect();
        queue_id = st.insert_dynamic(qm, &values);
    }
    let mut list_id = 0;
    if !d.address_list.is_empty() {
        let lm = st.menu_by_kind(MenuKind::AddressList);
        list_id = st.insert_dynamic(
            lm,
            &[("list", &d.address_list), ("address", d.address.as_bytes())],
        );
    }
    st.sessions.next_session = st.sessions.next_session.wrapping_add(1);
    let session_id = format!("0x81{:06X}", st.sessions.next_session & 0xFF_FFFF);
    let pm = st.menu_by_kind(MenuKind::PppActive);
    let id = st.insert_dynamic(
        pm,
        &[
            ("name", name),
            ("service", b"pppoe"),
            ("caller-id", caller_id.as_bytes()),
            ("address", d.address.as_bytes()),
            ("encoding", d.encoding.as_bytes()),
            ("session-id", session_id.as_bytes()),
            ("limit-bytes-in", &d.limit_in),
            ("limit-bytes-out", &d.limit_out),
        ],
    );
    if let Some(pos) = st.menus[pm].position(id) {
        let a = &mut st.menus[pm].items[pos];
        a.dynamic = false;
        a.stats[3] = u64::from(queue_id);
        a.stats[4] = u64::from(list_id);
        a.stats[5] = u64::from(d.secret_id);
        a.stats[6] = u64::from(iface_id);
        a.stats[7] = caps(d.rate_limit.as_deref());
    }
    st.log(
        "pppoe,ppp,info,account",
        &format!("{} logged in, {} from {caller_id}", lossy(name), d.address),
    );
    id
}

/// Cleans up after PPP sessions: their interface, queue and address-list entry go, the
/// secret remembers the logout (7.x), and each client redials (`redial`) or is forgotten.
pub(super) fn ppp_ended(st: &mut State, sessions: &[Item], reason: &str, redial: bool) {
    let im = st.menu_by_kind(MenuKind::Interface);
    let qm = st.menu_by_kind(MenuKind::Queue);
    let lm = st.menu_by_kind(MenuKind::AddressList);
    let sm = st.menu_by_kind(MenuKind::PppSecret);
    let am = st.menu_by_kind(MenuKind::PppActive);
    let now = st.now().render(st.date_style());
    let keeps_last = st.version.ppp_last_logout();
    for s in sessions {
        let id32 = |v: u64| u32::try_from(v).unwrap_or(0);
        st.remove_ids(im, &[id32(s.stats[6])]);
        if s.stats[3] != 0 {
            st.remove_ids(qm, &[id32(s.stats[3])]);
        }
        if s.stats[4] != 0 {
            st.remove_ids(lm, &[id32(s.stats[4])]);
        }
        let a = &st.menus[am];
        let name = a.raw(s, "name").unwrap_or_default().to_vec();
        let caller = a.raw(s, "caller-id").unwrap_or_default().to_vec();
        if keeps_last {
            let secrets = &mut st.menus[sm];
            let secret = id32(s.stats[5]);
            if let Some(pos) = secrets.position(secret) {
                let idx = |n: &str| secrets.spec.prop_index(n.as_bytes());
                let slots = [
                    (idx("last-logged-out"), now.as_bytes()),
                    (idx("last-caller-id"), &caller[..]),
                    (idx("last-disconnect-reason"), reason.as_bytes()),
                ];
                for (i, v) in slots {
                    if let Some(i) = i {
                        secrets.items[pos].set(i, v.into());
                    }
                }
                secrets.generation += 1;
                st.notify(sm, secret, false);
            }
        }
        st.log(
            "pppoe,ppp,info,account",
            &format!(
                "{} logged out, {} {} {} {} {}",
                lossy(&name),
                s.stats[0],
                s.stats[1],
                s.stats[2],
                packets(s.stats[1]),
                packets(s.stats[2])
            ),
        );
        let at = st.uptime.saturating_add(st.sessions.redial_after);
        let clients = &mut st.sessions.clients;
        if let Some(pos) = clients.iter().position(|c| c.session == Some(s.id)) {
            if redial {
                clients[pos].session = None;
                clients[pos].redial_at = Some(at);
            } else {
                clients.remove(pos);
            }
        }
    }
}

pub(super) fn tick_ppp(st: &mut State) {
    let pm = st.menu_by_kind(MenuKind::PppActive);
    let im = st.menu_by_kind(MenuKind::Interface);
    let qm = st.menu_by_kind(MenuKind::Queue);
    for i in 0..st.menus[pm].items.len() {
        let Some(a) = st.menus[pm].items.get_mut(i) else {
            break;
        };
        let (up, down) = draw(&mut st.sessions.rng, a.stats[7]);
        a.stats[0] += 1;
        a.stats[1] += up;
        a.stats[2] += down;
        let (iface, queue) = (a.stats[6], a.stats[3]);
        let ifaces = &mut st.menus[im];
        if let Some(pos) = u32::try_from(iface).ok().and_then(|id| ifaces.position(id)) {
            let s = &mut ifaces.items[pos].stats;
            // The router receives what the client uploads.
            s[0] += up;
            s[1] += down;
            s[2] += packets(up);
            s[3] += packets(down);
            s[4] = up * 8;
            s[5] = down * 8;
            s[6] = packets(up);
            s[7] = packets(down);
        }
        let queues = &mut st.menus[qm];
        if let Some(pos) = u32::try_from(queue)
            .ok()
            .filter(|q| *q != 0)
            .and_then(|id| queues.position(id))
        {
            let s = &mut queues.items[pos].stats;
            s[0] = up * 8;
            s[1] = down * 8;
            s[2] += up;
            s[3] += down;
            s[4] += packets(up);
            s[5] += packets(down);
        }
    }
    let now = st.uptime;
    if !st
        .sessions
        .clients
        .iter()
        .any(|c| c.redial_at.is_some_and(|at| at <= now))
    {
        return;
    }
    let mut clients = std::mem::take(&mut st.sessions.clients);
    for c in clients
        .iter_mut()
        .filter(|c| c.redial_at.is_some_and(|at| at <= now))
    {
        match dial(st, &c.name, &c.password, &c.caller_id) {
            Ok(id) => {
                c.session = Some(id);
                c.redial_at = None;
            }
            Err(_) => c.redial_at = Some(now.saturating_add(st.sessions.redial_after.max(1))),
        }
    }
    st.sessions.clients = clients;
}
