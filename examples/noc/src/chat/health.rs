//! Network health commands: `/devices [filter]`, `/adddevice NAME IP [parent]`,
//! `/deldevice NAME` (operator or admin; audited), `/isp`, `/quota`, `/public`,
//! `/diagnose NAME|IP`.

use std::sync::Arc;

use tg_notify::html::escape;

use super::{names, table, Caller, ChatOps, MAX_ROWS};
use crate::health::diagnose::{self, Verdict};
use crate::health::DeviceView;
use crate::routers::RouterHandle;

fn ms(us: Option<u64>) -> String {
    us.map_or("-".into(), |u| format!("{}", u.div_ceil(1000)))
}

impl ChatOps {
    /// The health commands; `None` when `name` is not one of them.
    pub(super) async fn health_command(
        &self,
        caller: &Caller,
        name: &str,
        args: &str,
    ) -> Option<Result<String, String>> {
        let mut words = names::words(args);
        let at = match names::take_at(&mut words) {
            Some(r) => match self.pick_router(Some(&r)) {
                Ok(r) => Some(r),
                Err(e) => return Some(Err(e)),
            },
            None => None,
        };
        let texts: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
        let rest = names::join(&words);
        Some(match name {
            "devices" => self.devices(rest.trim(), at.as_ref()),
            "adddevice" => self.add_device(caller, &texts, at),
            "deldevice" => self.del_device(caller, rest.trim()),
            "isp" => self.isp(at.as_ref()),
            "quota" => self.quota(at.as_ref()),
            "public" => self.public(at.as_ref()),
            "diagnose" => self.diagnose(rest.trim(), at).await,
            _ => return None,
        })
    }

    fn routers_or(&self, at: Option<&Arc<RouterHandle>>) -> Vec<Arc<RouterHandle>> {
        match at {
            Some(r) => vec![r.clone()],
            None => self.routers(),
        }
    }

    fn devices(&self, filter: &str, at: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let all = self.state.health.all_devices();
        let f = filter.to_lowercase();
        let mut shown: Vec<&(Arc<RouterHandle>, DeviceView)> = all
            .iter()
            .filter(|(r, _)| at.is_none_or(|a| a.id == r.id))
            .filter(|(_, d)| match f.as_str() {
                "" => true,
                "up" | "down" | "unknown" => d.status == f,
                _ => d.name.to_lowercase().contains(&f),
            })
            .collect();
        if shown.is_empty() {
            return Ok(if all.is_empty() {
                "No devices watched yet. Add one: <code>/adddevice NAME IP [parent]</code>".into()
            } else {
                "No device matches.".into()
            });
        }
        // Down first, then by parent and name.
        shown.sort_by(|a, b| {
            (a.1.status != "down", &a.1.parent, &a.1.name).cmp(&(
                b.1.status != "down",
                &b.1.parent,
                &b.1.name,
            ))
        });
        let down = shown.iter().filter(|(_, d)| d.status == "down").count();
        let total = shown.len();
        let rows: Vec<Vec<String>> = shown
            .iter()
            .take(MAX_ROWS)
            .map(|(_, d)| {
                let name = match &d.parent {
                    Some(p) => format!("{}<{p}", d.name),
                    None => d.name.clone(),
                };
                vec![name, d.status.to_owned(), ms(d.rtt_us)]
            })
            .collect();
        let more = if total > MAX_ROWS {
            format!("\n{} more; add a filter.", total - MAX_ROWS)
        } else {
            String::new()
        };
        Ok(format!(
            "<b>Devices</b>: {total}, {down} down\n{}{more}",
            table(&["device<parent", "state", "ms"], &rows)
        ))
    }

    fn add_device(
        &self,
        caller: &Caller,
        words: &[String],
        at: Option<Arc<RouterHandle>>,
    ) -> Result<String, String> {
        if !caller.role.can_sell() {
            return Err("Adding devices needs the operator or admin role.".into());
        }
        let addr_at = words
            .iter()
            .position(|w| w.parse::<std::net::IpAddr>().is_ok() || crate::health::is_mac(w));
        let Some(i) = addr_at.filter(|i| *i > 0) else {
            return Err(super::usage("adddevice"));
        };
        let name = words.get(..i).unwrap_or_default().join(" ");
        let address = words.get(i).cloned().unwrap_or_default();
        let parent = words.get(i + 1..).unwrap_or_default().join(" ");
        let parent = Some(parent.as_str()).filter(|p| !p.is_empty());
        let router = match at {
            Some(r) => r,
            None => self.pick_router(None)?,
        };
        self.state
            .health
            .add_device(&caller.name, &router, &name, &address, parent)
            .map_err(|e| escape(&e.to_string()))?;
        Ok(format!(
            "Added {} ({}){}; {} checks it from now on.",
            escape(&name),
            escape(&address),
            parent.map_or(String::new(), |p| format!(" behind {}", escape(p))),
            escape(&router.name)
        ))
    }

    fn del_device(&self, caller: &Caller, name: &str) -> Result<String, String> {
        if !caller.role.can_sell() {
            return Err("Removing devices needs the operator or admin role.".into());
        }
        if name.is_empty() {
            return Err(super::usage("deldevice"));
        }
        let d = self.find_device(name)?;
        self.state
            .health
            .delete_device(&caller.name, &d.1.name)
            .map_err(|e| escape(&e.to_string()))?;
        Ok(format!("Removed {}.", escape(&d.1.name)))
    }

    fn find_device(&self, q: &str) -> Result<(Arc<RouterHandle>, DeviceView), String> {
        let all = self.state.health.all_devices();
        if let Some(d) = all
            .iter()
            .find(|(_, d)| d.ip.as_deref() == Some(q) || d.address.eq_ignore_ascii_case(q))
        {
            return Ok(d.clone());
        }
        let list: Vec<&str> = all.iter().map(|(_, d)| d.name.as_str()).collect();
        let hits = names::resolve(q, &list);
        match hits.as_slice() {
            [i] => all.get(*i).cloned().ok_or_else(|| "No such device.".into()),
            [] => Err(format!("No device called {}.", escape(q))),
            _ => Err(names::ambiguous(
                "devices",
                q,
                &hits
                    .iter()
                    .filter_map(|i| list.get(*i).map(|s| (*s).to_owned()))
                    .collect::<Vec<_>>(),
                "/diagnose {}",
            )),
        }
    }

    fn isp(&self, at: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let mut out = String::from("<b>ISP</b>");
        for r in self.routers_or(at) {
            let h = self.state.health.router(r.id).isp;
            let mut rows = Vec::new();
            if let Some(g) = h.gateway {
                rows.push(vec![
                    "gateway".into(),
                    format!("{}%", g.loss()),
                    ms(g.avg_us),
                ]);
            }
            for (t, p) in &h.targets {
                rows.push(vec![t.clone(), format!("{}%", p.loss()), ms(p.avg_us)]);
            }
            let state = if h.down {
                "DOWN (router up, uplink dead)".to_owned()
            } else if h.checked == 0 {
                "not measured yet".to_owned()
            } else {
                "up".to_owned()
            };
            let route = h
                .route
                .as_ref()
                .map_or("no default route".to_owned(), |rt| {
                    format!(
                        "via {}{}{}",
                        rt.gateway,
                        rt.interface
                            .as_ref()
                            .map_or(String::new(), |i| format!(" on {i}")),
                        if rt.active { "" } else { " (inactive)" }
                    )
                });
            out.push_str(&format!(
                "\n{}: {}\n{}",
                escape(&r.name),
                escape(&state),
                escape(&route)
            ));
            if !rows.is_empty() {
                out.push('\n');
                out.push_str(&table(&["to", "loss", "ms"], &rows));
            }
            if h.checked > 0 {
                out.push_str(&format!(
                    "\nmeasured {}",
                    escape(&self.short_time(h.checked))
                ));
            }
        }
        Ok(out)
    }

    fn quota(&self, at: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let mut rows = Vec::new();
        for r in self.routers_or(at) {
            for q in self.state.health.router(r.id).quotas {
                rows.push(vec![
                    q.interface.clone(),
                    crate::fmt::bytes(q.used),
                    crate::fmt::bytes(q.quota),
                    format!("{}%", q.percent),
                ]);
            }
        }
        if rows.is_empty() {
            return Ok(
                "No quota configured (<code>[[health.quota]]</code> in noc.toml) or counted yet."
                    .into(),
            );
        }
        Ok(format!(
            "<b>Quota this month</b>\n{}",
            table(&["wan", "used", "of", "%"], &rows)
        ))
    }

    fn public(&self, at: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let mut out = String::from("<b>Public address</b>");
        for r in self.routers_or(at) {
            let h = self.state.health.router(r.id).isp;
            let line = match h.public {
                Some((a, since)) => format!("{a} since {}", self.long_time(since)),
                None => "unknown (/ip/cloud has none yet)".into(),
            };
            out.push_str(&format!("\n{}: {}", escape(&r.name), escape(&line)));
        }
        Ok(out)
    }

    async fn diagnose(&self, q: &str, at: Option<Arc<RouterHandle>>) -> Result<String, String> {
        if q.is_empty() {
            return Err(super::usage("diagnose"));
        }
        let (router, device, ip) = match self.find_device(q) {
            Ok((r, d)) => {
                let ip = d.ip.clone();
                (r, Some(d), ip)
            }
            Err(e) if q.parse::<std::net::IpAddr>().is_err() => return Err(e),
            Err(_) => {
                let r = match at {
                    Some(r) => r,
                    None => self.pick_router(None)?,
                };
                (r, None, Some(q.to_owned()))
            }
        };
        let health = &self.state.health;
        let e = diagnose::gather(health, &router, device, ip.clone()).await;
        let findings = diagnose::verdicts(&e, health.settings());
        let mut s = format!(
            "<b>Diagnose {}</b>{}",
            escape(q),
            ip.map_or(String::new(), |i| format!(" ({})", escape(&i)))
        );
        s.push_str(&format!(
            "\n<b>{}</b>",
            escape(&match diagnose::cause(&findings) {
                Some(c) => format!("Likely cause: {c}"),
                None => "No problem found.".to_owned(),
            })
        ));
        for f in &findings {
            let (mark, text) = match &f.verdict {
                Verdict::Ok(t) => ("OK", t),
                Verdict::Problem(t) => ("PROBLEM", t),
                Verdict::Unknown(t) => ("unknown", t),
            };
            s.push_str(&format!(
                "\n{} {}: {}",
                escape(f.check),
                mark,
                escape(&crate::fmt::cap(text, 200))
            ));
        }
        Ok(s)
    }
}
