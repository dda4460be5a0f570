//! Network health commands: `/devices [filter]`, `/adddevice NAME IP [parent]`,
//! `/deldevice NAME` (operator or admin; audited), `/isp`, `/quota`, `/public`,
//! `/diagnose NAME|IP`.

use std::sync::Arc;

use tg_notify::html::escape;

use super::{names, num, table, Caller, ChatOps, MAX_ROWS};
use crate::health::diagnose::{self, Verdict};
use crate::health::DeviceView;
use crate::i18n::Lang;
use crate::routers::RouterHandle;
use crate::tr;

fn ms(lang: Lang, us: Option<u64>) -> String {
    us.map_or("-".into(), |u| num(lang, u.div_ceil(1000)))
}

/// A device's state word (`up`, `down`, `unknown`) in `lang`.
fn device_state(lang: Lang, s: &str) -> String {
    match s {
        "up" => tr!(lang, "chat-state-up"),
        "down" => tr!(lang, "chat-state-down"),
        "unknown" => tr!(lang, "chat-state-unknown"),
        other => other.to_owned(),
    }
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
        let l = self.lang;
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
                format!(
                    "{} <code>{}</code>",
                    tr!(l, "chat-no-devices-yet"),
                    escape(&super::usage_line(l, "/adddevice NAME IP [parent]"))
                )
            } else {
                tr!(l, "chat-no-device-matches")
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
                vec![name, device_state(l, d.status), ms(l, d.rtt_us)]
            })
            .collect();
        let more = if total > MAX_ROWS {
            format!(
                "\n{}",
                tr!(l, "chat-devices-more", count = num(l, total - MAX_ROWS))
            )
        } else {
            String::new()
        };
        Ok(format!(
            "<b>{}</b>: {}\n{}{more}",
            tr!(l, "chat-devices-title"),
            tr!(
                l,
                "chat-devices-count",
                total = num(l, total),
                down = num(l, down)
            ),
            table(
                &[
                    &tr!(l, "chat-th-device-parent"),
                    &tr!(l, "chat-th-state"),
                    "ms"
                ],
                &rows
            )
        ))
    }

    fn add_device(
        &self,
        caller: &Caller,
        words: &[String],
        at: Option<Arc<RouterHandle>>,
    ) -> Result<String, String> {
        let l = self.lang;
        if !caller.role.can_sell() {
            return Err(tr!(l, "chat-adding-needs-operator"));
        }
        let addr_at = words
            .iter()
            .position(|w| w.parse::<std::net::IpAddr>().is_ok() || crate::health::is_mac(w));
        let Some(i) = addr_at.filter(|i| *i > 0) else {
            return Err(super::usage(l, "adddevice"));
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
        let name = format!("{} ({})", escape(&name), escape(&address));
        let router = escape(&router.name);
        Ok(match parent {
            Some(p) => tr!(
                l,
                "chat-device-added-behind",
                name = name,
                parent = escape(p),
                router = router
            ),
            None => tr!(l, "chat-device-added", name = name, router = router),
        })
    }

    fn del_device(&self, caller: &Caller, name: &str) -> Result<String, String> {
        let l = self.lang;
        if !caller.role.can_sell() {
            return Err(tr!(l, "chat-removing-needs-operator"));
        }
        if name.is_empty() {
            return Err(super::usage(l, "deldevice"));
        }
        let d = self.find_device(name)?;
        self.state
            .health
            .delete_device(&caller.name, &d.1.name)
            .map_err(|e| escape(&e.to_string()))?;
        Ok(tr!(l, "chat-device-removed", name = escape(&d.1.name)))
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
            [i] => all
                .get(*i)
                .cloned()
                .ok_or_else(|| tr!(self.lang, "chat-no-such-device")),
            [] => Err(tr!(self.lang, "chat-no-device-called", name = escape(q))),
            _ => Err(names::ambiguous(
                self.lang,
                names::What::Devices,
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
        let l = self.lang;
        let mut out = String::from("<b>ISP</b>");
        for r in self.routers_or(at) {
            let h = self.state.health.router(r.id).isp;
            let mut rows = Vec::new();
            if let Some(g) = h.gateway {
                rows.push(vec![
                    "gateway".into(),
                    format!("{}%", g.loss()),
                    ms(l, g.avg_us),
                ]);
            }
            for (t, p) in &h.targets {
                rows.push(vec![t.clone(), format!("{}%", p.loss()), ms(l, p.avg_us)]);
            }
            let state = if h.down {
                tr!(l, "chat-isp-down")
            } else if h.checked == 0 {
                tr!(l, "chat-not-measured")
            } else {
                tr!(l, "chat-state-up")
            };
            let route = h
                .route
                .as_ref()
                .map_or(tr!(l, "chat-no-default-route"), |rt| {
                    let mut s = tr!(l, "chat-route-via", gateway = rt.gateway.to_string());
                    if let Some(i) = &rt.interface {
                        s.push(' ');
                        s.push_str(&tr!(l, "chat-on-router", router = i.to_string()));
                    }
                    if !rt.active {
                        s.push(' ');
                        s.push_str(&tr!(l, "chat-route-inactive"));
                    }
                    s
                });
            out.push_str(&format!(
                "\n{}: {}\n{}",
                escape(&r.name),
                escape(&state),
                escape(&route)
            ));
            if !rows.is_empty() {
                out.push('\n');
                out.push_str(&table(&[&tr!(l, "chat-th-to"), "loss", "ms"], &rows));
            }
            if h.checked > 0 {
                out.push('\n');
                out.push_str(&tr!(
                    l,
                    "chat-measured",
                    time = escape(&self.short_time(h.checked))
                ));
            }
        }
        Ok(out)
    }

    fn quota(&self, at: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let l = self.lang;
        let mut rows = Vec::new();
        for r in self.routers_or(at) {
            for q in self.state.health.router(r.id).quotas {
                rows.push(vec![
                    q.interface.clone(),
                    l.bytes(q.used),
                    l.bytes(q.quota),
                    format!("{}%", q.percent),
                ]);
            }
        }
        if rows.is_empty() {
            return Ok(tr!(
                l,
                "chat-no-quota",
                section = "<code>[[health.quota]]</code>"
            ));
        }
        Ok(format!(
            "<b>{}</b>\n{}",
            tr!(l, "chat-quota-title"),
            table(
                &["wan", &tr!(l, "chat-th-used"), &tr!(l, "chat-th-of"), "%"],
                &rows
            )
        ))
    }

    fn public(&self, at: Option<&Arc<RouterHandle>>) -> Result<String, String> {
        let l = self.lang;
        let mut out = format!("<b>{}</b>", tr!(l, "chat-public-title"));
        for r in self.routers_or(at) {
            let h = self.state.health.router(r.id).isp;
            let line = match h.public {
                Some((a, since)) => {
                    format!("{a} {}", tr!(l, "chat-since", time = self.long_time(since)))
                }
                None => tr!(l, "chat-public-unknown"),
            };
            out.push_str(&format!("\n{}: {}", escape(&r.name), escape(&line)));
        }
        Ok(out)
    }

    async fn diagnose(&self, q: &str, at: Option<Arc<RouterHandle>>) -> Result<String, String> {
        let l = self.lang;
        if q.is_empty() {
            return Err(super::usage(l, "diagnose"));
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
        let findings = diagnose::verdicts_in(l, &e, health.settings());
        let mut s = format!(
            "<b>{}</b>{}",
            tr!(l, "chat-diagnose-title", target = escape(q)),
            ip.map_or(String::new(), |i| format!(" ({})", escape(&i)))
        );
        s.push_str(&format!(
            "\n<b>{}</b>",
            escape(&match diagnose::cause(&findings) {
                Some(c) => tr!(l, "chat-likely-cause", cause = c.to_string()),
                None => tr!(l, "chat-no-problem"),
            })
        ));
        for f in &findings {
            let (mark, text) = match &f.verdict {
                Verdict::Ok(t) => ("OK".to_owned(), t),
                Verdict::Problem(t) => (tr!(l, "chat-verdict-problem"), t),
                Verdict::Unknown(t) => (tr!(l, "chat-state-unknown"), t),
            };
            s.push_str(&format!(
                "\n{} {}: {}",
                escape(&diagnose::check_label(l, f.check)),
                mark,
                escape(&crate::fmt::cap(text, 200))
            ));
        }
        Ok(s)
    }
}
