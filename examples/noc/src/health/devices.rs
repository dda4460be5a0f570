//! Which watched devices are down, and which alerts that makes (sans-io).
//!
//! A device is down after `failed_checks` failed netwatch checks in a row and up again at
//! the first check that passes. Alerts follow the dependency logic of eworm's
//! netwatch-notify: a device whose parent (or any ancestor) is down is not alerted on its
//! own — the topmost device that is down gets one alert that says how many houses are behind
//! it; while the router's uplink is down no new device alert is raised at all (the "ISP down"
//! alert says it), and while the router itself is unreachable nothing changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Event;
use crate::i18n::Lang;
use crate::tr;

/// What a check said about a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// No result yet (just added, the router just started).
    Unknown,
    /// The latest check passed.
    Up,
    /// `failed` more checks failed since the last observation (at least 1 when the status
    /// is down and the count did not move: a first observation).
    Down {
        /// New failed checks.
        failed: u64,
    },
}

/// A device's state as tracked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceState {
    /// Failed checks in a row.
    pub fails: u64,
    /// Down (at least `failed_checks` failures in a row).
    pub down: bool,
    /// Unix seconds of the last change of `down` (0: never observed).
    pub since: i64,
    /// Whether a check result was ever seen.
    pub known: bool,
}

/// The tracker of one router's devices.
#[derive(Debug, Default)]
pub struct Tracker {
    states: HashMap<String, DeviceState>,
    /// Alert keys firing now → the device they are about.
    firing: BTreeMap<String, String>,
    /// The language of the alerts (noc's default).
    pub lang: Lang,
}

/// A device as the tracker needs it: name and parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Name.
    pub name: String,
    /// Parent's name.
    pub parent: Option<String>,
}

impl Tracker {
    /// The state of `name`.
    pub fn state(&self, name: &str) -> Option<&DeviceState> {
        self.states.get(name)
    }

    /// The alert keys firing now.
    pub fn firing(&self) -> Vec<String> {
        self.firing.keys().cloned().collect()
    }

    /// One round: the checks of `devices` (by name), whether the uplink is down, at `now`.
    /// Returns the alerts to raise and resolve.
    #[allow(clippy::too_many_arguments)]
    pub fn observe(
        &mut self,
        router_id: i64,
        router: &str,
        devices: &[Node],
        checks: &HashMap<String, Check>,
        uplink_down: bool,
        failed_checks: u64,
        now: i64,
    ) -> Vec<Event> {
        let names: BTreeSet<&str> = devices.iter().map(|d| d.name.as_str()).collect();
        self.states.retain(|k, _| names.contains(k.as_str()));
        for d in devices {
            let s = self.states.entry(d.name.clone()).or_default();
            match checks.get(&d.name).copied().unwrap_or(Check::Unknown) {
                Check::Unknown => {}
                Check::Up => {
                    s.known = true;
                    s.fails = 0;
                    if s.down || s.since == 0 {
                        s.since = now;
                    }
                    s.down = false;
                }
                Check::Down { failed } => {
                    s.known = true;
                    s.fails = s.fails.saturating_add(failed.max(1));
                    if !s.down && s.fails >= failed_checks.max(1) {
                        s.down = true;
                        s.since = now;
                    }
                }
            }
        }
        let parent: HashMap<&str, &str> = devices
            .iter()
            .filter_map(|d| Some((d.name.as_str(), d.parent.as_deref()?)))
            .collect();
        let is_down = |n: &str| self.states.get(n).is_some_and(|s| s.down);
        // The topmost down ancestor of each down device (a loop counts as no parent).
        let top = |n: &str| -> String {
            let mut cur = n;
            let mut top = n;
            for _ in 0..devices.len() {
                match parent.get(cur) {
                    Some(p) if names.contains(p) => {
                        cur = p;
                        if is_down(cur) {
                            top = cur;
                        }
                    }
                    _ => break,
                }
            }
            top.to_owned()
        };
        let mut behind: BTreeMap<String, usize> = BTreeMap::new();
        for d in devices {
            if is_down(&d.name) {
                let t = top(&d.name);
                let n = behind.entry(t.clone()).or_default();
                if t != d.name {
                    *n += 1;
                }
            }
        }
        let key = |name: &str| format!("device-down:{router_id}:{name}");
        let mut wanted: BTreeMap<String, (String, usize)> = behind
            .into_iter()
            .map(|(name, n)| (key(&name), (name, n)))
            .collect();
        if uplink_down {
            // No new device alert while the ISP is down; the ones open stay until their
            // device is back.
            wanted.retain(|k, _| self.firing.contains_key(k));
        }
        let mut out = Vec::new();
        let gone: Vec<(String, String)> = self
            .firing
            .iter()
            .filter(|(k, name)| !wanted.contains_key(*k) && !is_down(name))
            .map(|(k, n)| (k.clone(), n.clone()))
            .collect();
        for (k, name) in gone {
            self.firing.remove(&k);
            out.push(Event::resolved(
                k,
                "device-down",
                router_id,
                router,
                tr!(self.lang, "health-device-up", device = &name),
            ));
        }
        for (k, (name, n)) in wanted {
            if self.firing.contains_key(&k) {
                continue;
            }
            let (title, detail) = if n > 0 {
                (
                    tr!(
                        self.lang,
                        "health-device-down-behind",
                        device = &name,
                        count = n
                    ),
                    tr!(
                        self.lang,
                        "health-device-down-behind-detail",
                        device = &name,
                        count = n
                    ),
                )
            } else {
                (
                    tr!(self.lang, "health-device-down", device = &name),
                    tr!(
                        self.lang,
                        "health-device-down-detail",
                        checks = failed_checks.to_string(),
                        router = router
                    ),
                )
            };
            self.firing.insert(k.clone(), name);
            out.push(Event::firing(
                k,
                "device-down",
                router_id,
                router,
                title,
                detail,
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(list: &[(&str, Option<&str>)]) -> Vec<Node> {
        list.iter()
            .map(|(n, p)| Node {
                name: (*n).into(),
                parent: p.map(Into::into),
            })
            .collect()
    }

    fn all(devs: &[Node], c: Check) -> HashMap<String, Check> {
        devs.iter().map(|d| (d.name.clone(), c)).collect()
    }

    #[test]
    fn down_after_n_checks_and_resolves_once() {
        let devs = nodes(&[("cpe", None)]);
        let mut t = Tracker::default();
        assert!(t
            .observe(1, "r", &devs, &all(&devs, Check::Up), false, 3, 0)
            .is_empty());
        let down = all(&devs, Check::Down { failed: 1 });
        assert!(t.observe(1, "r", &devs, &down, false, 3, 1).is_empty());
        assert!(t.observe(1, "r", &devs, &down, false, 3, 2).is_empty());
        let e = t.observe(1, "r", &devs, &down, false, 3, 3);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].title, "cpe is down");
        assert!(t.observe(1, "r", &devs, &down, false, 3, 4).is_empty());
        let e = t.observe(1, "r", &devs, &all(&devs, Check::Up), false, 3, 5);
        assert_eq!(e.len(), 1);
        assert!(!e[0].firing);
        assert!(t
            .observe(1, "r", &devs, &all(&devs, Check::Up), false, 3, 6)
            .is_empty());
    }

    #[test]
    fn a_parent_down_is_one_alert_and_the_uplink_none() {
        let mut list = vec![("ap", None)];
        let names: Vec<String> = (0..12).map(|i| format!("house{i}")).collect();
        for n in &names {
            list.push((n.as_str(), Some("ap")));
        }
        let devs = nodes(&list);
        let mut t = Tracker::default();
        let down = all(&devs, Check::Down { failed: 3 });
        let e = t.observe(1, "r", &devs, &down, false, 3, 1);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].title, "ap is down: 12 houses behind it");
        // The AP comes back, one house stays down: the AP's alert resolves, the house's fires.
        let mut c = all(&devs, Check::Up);
        c.insert("house3".into(), Check::Down { failed: 1 });
        let e = t.observe(1, "r", &devs, &c, false, 3, 2);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e.iter().any(|e| !e.firing && e.key.ends_with(":ap")));
        assert!(e.iter().any(|e| e.firing && e.title == "house3 is down"));
        // With the uplink down nothing new fires.
        let mut t = Tracker::default();
        assert!(t.observe(1, "r", &devs, &down, true, 3, 1).is_empty());
        assert!(t.firing().is_empty());
    }

    #[test]
    fn parent_loops_do_not_hang() {
        let devs = nodes(&[("a", Some("b")), ("b", Some("a"))]);
        let mut t = Tracker::default();
        let e = t.observe(
            1,
            "r",
            &devs,
            &all(&devs, Check::Down { failed: 5 }),
            false,
            3,
            1,
        );
        assert!(!e.is_empty());
    }
}
