//! The router's configuration and live state, and the operations menus perform on it.
//!
//! Everything here is synchronous and runs under one mutex; nothing awaits while holding it.

use std::borrow::Cow;

use routeros_proto::TrapCategory;
use tokio::sync::broadcast;

use crate::schema::{Kind, MenuKind, MenuSpec, MENUS};
use crate::traffic::Traffic;
use crate::validate;
use crate::Version;
use queue_model::clock::{Date, DateStyle, DateTime, TimeOfDay};

/// A command failure: the `!trap` a router answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub category: Option<TrapCategory>,
    pub message: String,
}

impl Failure {
    pub fn new(category: Option<TrapCategory>, message: impl Into<String>) -> Self {
        Failure {
            category,
            message: message.into(),
        }
    }
    /// `input does not match any value of NAME` (category 1).
    pub fn no_match(name: &str) -> Self {
        Self::new(
            Some(TrapCategory::ArgumentValue),
            format!("input does not match any value of {name}"),
        )
    }
    /// `no such item` (category 0).
    pub fn no_such_item() -> Self {
        Self::new(Some(TrapCategory::MissingItemOrCommand), "no such item")
    }
}

/// One item of a menu.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub id: u32,
    /// Values set explicitly, by property index: the bytes a client sent, kept exactly.
    pub values: Vec<(u16, Box<[u8]>)>,
    /// Counters the traffic model moves (meaning depends on the menu).
    pub stats: [u64; 8],
    /// Interfaces: link state.
    pub running: bool,
    /// Interfaces: times the link went down.
    pub link_downs: u32,
    /// Made by the router for a session (a PPP interface, its queue, an address-list entry).
    pub dynamic: bool,
}

impl Item {
    pub fn get(&self, idx: usize) -> Option<&[u8]> {
        self.values
            .iter()
            .find(|(i, _)| usize::from(*i) == idx)
            .map(|(_, v)| &**v)
    }
    pub fn set(&mut self, idx: usize, value: Box<[u8]>) {
        let Ok(i) = u16::try_from(idx) else { return };
        match self.values.iter_mut().find(|(k, _)| *k == i) {
            Some(slot) => slot.1 = value,
            None => self.values.push((i, value)),
        }
    }
    pub fn unset(&mut self, idx: usize) {
        self.values.retain(|(i, _)| usize::from(*i) != idx);
    }
}

/// A menu and its items.
#[derive(Debug)]
pub(crate) struct Menu {
    pub spec: &'static MenuSpec,
    pub items: Vec<Item>,
    /// Bumped on every configuration change (caches key on it).
    pub generation: u64,
}

impl Menu {
    /// The bytes of a property as printed (explicit, else default).
    pub fn raw<'a>(&self, item: &'a Item, name: &str) -> Option<&'a [u8]> {
        let idx = self.spec.prop_index(name.as_bytes())?;
        item.get(idx)
            .or_else(|| self.spec.props.get(idx)?.default.map(str::as_bytes))
    }

    /// The value of a property as text: typed values always are; free text that is not
    /// UTF-8 reads as absent here (compare names with [`raw`](Self::raw)).
    pub fn value<'a>(&self, item: &'a Item, name: &str) -> Option<&'a str> {
        self.raw(item, name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    pub fn position(&self, id: u32) -> Option<usize> {
        // Ids grow as items are added, so a menu is usually sorted by id.
        match self.items.binary_search_by_key(&id, |i| i.id) {
            Ok(pos) => Some(pos),
            Err(_) => self.items.iter().position(|i| i.id == id),
        }
    }

    /// The position of the first item whose property `name` is `value` (bytes).
    pub fn find(&self, name: &str, value: &[u8]) -> Option<usize> {
        self.items
            .iter()
            .position(|it| self.raw(it, name) == Some(value))
    }
}

/// A change that `listen` and `print follow` report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change {
    pub menu: usize,
    pub id: u32,
    pub dead: bool,
}

/// Most log lines kept, as a router's memory log does.
pub(crate) const LOG_LINES: usize = 1000;

/// The whole router.
pub(crate) struct State {
    pub version: Version,
    pub menus: Vec<Menu>,
    next_id: u32,
    pub uptime: u64,
    pub cpu_load: u8,
    /// `(load, seconds left)` of a CPU spike in progress.
    pub spike: Option<(u8, u32)>,
    pub changes: broadcast::Sender<Change>,
    pub traffic: Traffic,
    pub board_name: String,
    /// Ticks performed (the model's clock, one second each).
    pub ticks: u64,
    /// The wall clock at boot (uptime 0), in seconds since 1970 on the router's local clock.
    pub clock_base: i64,
    /// The API user, owner of scripts added without one.
    pub admin: String,
    /// Hotspot and PPP sessions: limits and the PPPoE clients that redial.
    pub sessions: crate::session::Sessions,
    /// Hosts behind the router, the uplink, targets beyond it, the public address.
    pub health: crate::health::Health,
}

/// A row as printed: `(name, value)` in the menu's order, `.id` first.
pub(crate) type Row<'a> = Vec<(&'static str, Cow<'a, [u8]>)>;

impl State {
    pub fn new(version: Version) -> Self {
        let (changes, _) = broadcast::channel(1024);
        State {
            version,
            menus: MENUS
                .iter()
                .map(|spec| Menu {
                    spec,
                    items: Vec::new(),
                    generation: 0,
                })
                .collect(),
            next_id: 1,
            uptime: 0,
            cpu_load: 1,
            spike: None,
            changes,
            traffic: Traffic::default(),
            board_name: "hAP ax^3".into(),
            ticks: 0,
            clock_base: DEFAULT_CLOCK,
            admin: "admin".into(),
            sessions: crate::session::Sessions::default(),
            health: crate::health::Health::default(),
        }
    }

    /// The router's wall clock now.
    pub fn now(&self) -> DateTime {
        let secs = self
            .clock_base
            .saturating_add(i64::try_from(self.uptime).unwrap_or(i64::MAX));
        DateTime::from_seconds_since_epoch(secs)
            .or_else(|| DateTime::from_seconds_since_epoch(DEFAULT_CLOCK))
            .unwrap_or(DateTime::new(Date::EPOCH, TimeOfDay::MIDNIGHT))
    }

    /// Sets the wall clock to `t` (the uptime goes on).
    pub fn set_now(&mut self, t: DateTime) {
        let up = i64::try_from(self.uptime).unwrap_or(i64::MAX);
        self.clock_base = t.seconds_since_epoch().saturating_sub(up);
    }

    /// How this version writes dates.
    pub fn date_style(&self) -> DateStyle {
        self.version.date_style()
    }

    pub fn menu_index(&self, path: &str) -> Option<usize> {
        MENUS.iter().position(|m| m.path == path)
    }

    pub fn menu_by_kind(&self, kind: MenuKind) -> usize {
        MENUS.iter().position(|m| m.kind == kind).unwrap_or(0)
    }

    pub fn notify(&self, menu: usize, id: u32, dead: bool) {
        // No receivers is fine: nobody listens.
        let _ = self.changes.send(Change { menu, id, dead });
    }

    fn alloc_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    /// Inserts an item without validation (initial configuration, simulator events).
    pub fn insert_raw(&mut self, menu: usize, values: &[(&str, &str)]) -> u32 {
        let values: Vec<(&str, &[u8])> = values.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        let id = self.alloc_id();
        self.insert_item(menu, id, &values, false);
        id
    }

    /// Inserts an item the router made for a session (`dynamic=true`), values as bytes.
    pub fn insert_dynamic(&mut self, menu: usize, values: &[(&str, &[u8])]) -> u32 {
        let id = self.alloc_id();
        self.insert_item(menu, id, values, true);
        id
    }

    /// Inserts a built-in item with a fixed id (`*0` for `default`, `*FFFFFFFE`).
    pub fn insert_builtin(&mut self, menu: usize, id: u32, values: &[(&str, &str)]) {
        let values: Vec<(&str, &[u8])> = values.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        self.insert_item(menu, id, &values, false);
        if let Some(m) = self.menus.get_mut(menu) {
            m.items.sort_by_key(|i| i.id);
        }
    }

    fn insert_item(&mut self, menu: usize, id: u32, values: &[(&str, &[u8])], dynamic: bool) {
        let Some(m) = self.menus.get_mut(menu) else {
            return;
        };
        let mut item = Item {
            id,
            values: Vec::new(),
            stats: [0; 8],
            running: true,
            link_downs: 0,
            dynamic,
        };
        for (n, v) in values {
            if let Some(idx) = m.spec.prop_index(n.as_bytes()) {
                item.set(idx, (*v).into());
            }
        }
        m.items.push(item);
        m.generation += 1;
        if m.spec.kind == MenuKind::Log && m.items.len() > LOG_LINES {
            m.items.remove(0);
        }
        self.notify(menu, id, false);
    }

    /// Removes items by id without the effects of an API `remove` (for sessions that end on
    /// their own); returns the removed items.
    pub fn remove_ids(&mut self, menu: usize, ids: &[u32]) -> Vec<Item> {
        let Some(m) = self.menus.get_mut(menu) else {
            return Vec::new();
        };
        let mut removed = Vec::new();
        m.items.retain(|it| {
            if ids.contains(&it.id) {
                removed.push(it.clone());
                false
            } else {
                true
            }
        });
        if !removed.is_empty() {
            m.generation += 1;
        }
        for it in &removed {
            self.notify(menu, it.id, true);
        }
        removed
    }

    /// Appends a log line.
    pub fn log(&mut self, topics: &str, message: &str) {
        let time = self.now().time.to_string();
        let menu = self.menu_by_kind(MenuKind::Log);
        self.insert_raw(
            menu,
            &[("time", &time), ("topics", topics), ("message", message)],
        );
    }

    /// Resolves `.id`/`numbers` (comma-separated `*HEX` ids or names, names compared byte
    /// for byte) to item positions.
    pub fn resolve(&self, menu: usize, spec: &[u8]) -> Result<Vec<usize>, Failure> {
        let m = self.menus.get(menu).ok_or_else(Failure::no_such_item)?;
        let mut out = Vec::new();
        for part in spec
            .split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .filter(|s| !s.is_empty())
        {
            let id = part
                .strip_prefix(b"*")
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u32::from_str_radix(hex, 16).ok());
            let pos = match id {
                Some(id) => m.position(id),
                None => m
                    .spec
                    .unique
                    .and_then(|u| m.items.iter().position(|it| m.raw(it, u) == Some(part))),
            };
            out.push(pos.ok_or_else(Failure::no_such_item)?);
        }
        if out.is_empty() {
            return Err(Failure::no_such_item());
        }
        Ok(out)
    }

    /// `add`: validates and inserts; returns the new `.id`.
    pub fn add(&mut self, menu: usize, attrs: &[(String, Vec<u8>)]) -> Result<u32, Failure> {
        self.add_before(menu, attrs, None)
    }

    /// `add place-before=...`: as [`add`](Self::add), inserted before the item `before`
    /// (an id or a name, as `numbers` takes).
    pub fn add_before(
        &mut self,
        menu: usize,
        attrs: &[(String, Vec<u8>)],
        before: Option<&[u8]>,
    ) -> Result<u32, Failure> {
        let before = match before {
            Some(b) => Some(
                self.resolve(menu, b)?
                    .first()
                    .copied()
                    .ok_or_else(Failure::no_such_item)?,
            ),
            None => None,
        };
        let spec = self.menus.get(menu).ok_or_else(Failure::no_such_item)?.spec;
        let mut item = Item {
            id: 0,
            values: Vec::new(),
            stats: [0; 8],
            running: true,
            link_downs: 0,
            dynamic: false,
        };
        let mut attrs = attrs.to_vec();
        if spec.kind == MenuKind::Queue && !attrs.iter().any(|(n, v)| n == "name" && !v.is_empty())
        {
            // RouterOS names unnamed queues queue1, queue2, ...
            let m = &self.menus[menu];
            let mut n = m.items.len() + 1;
            while m
                .items
                .iter()
                .any(|it| m.raw(it, "name") == Some(format!("queue{n}").as_bytes()))
            {
                n += 1;
            }
            attrs.push(("name".into(), format!("queue{n}").into_bytes()));
        }
        self.apply(menu, &mut item, &attrs, None)?;
        self.fill_defaults(menu, &mut item);
        for req in spec.required {
            let idx = spec.prop_index(req.as_bytes());
            if idx.and_then(|i| item.get(i)).is_none() {
                return Err(Failure::new(None, format!("failure: {req} not specified")));
            }
        }
        let menu_ref = &self.menus[menu];
        validate::item(self, menu_ref, &item, None)?;
        item.id = self.alloc_id();
        let id = item.id;
        let m = &mut self.menus[menu];
        if let Some(pos) = before.filter(|p| *p <= m.items.len()) {
            m.items.insert(pos, item);
        } else {
            m.items.push(item);
        }
        if before.is_none() && m.items.len() >= 2 && m.items[m.items.len() - 2].id > id {
            // Behind a built-in with a high id (`*FFFFFFFE`), which prints last.
            m.items.sort_by_key(|i| i.id);
        }
        m.generation += 1;
        self.notify(menu, id, false);
        Ok(id)
    }

    /// `move`: the items at `positions` go before the item at `destination` (in their
    /// current order), or to the end.
    pub fn move_items(
        &mut self,
        menu: usize,
        positions: &[usize],
        destination: Option<usize>,
    ) -> Result<(), Failure> {
        let m = self.menus.get_mut(menu).ok_or_else(Failure::no_such_item)?;
        let dest_id = destination.and_then(|d| m.items.get(d)).map(|i| i.id);
        let mut moving = Vec::new();
        let mut rest = Vec::new();
        for (i, it) in std::mem::take(&mut m.items).into_iter().enumerate() {
            if positions.contains(&i) && Some(it.id) != dest_id {
                moving.push(it);
            } else {
                rest.push(it);
            }
        }
        let at = dest_id
            .and_then(|d| rest.iter().position(|i| i.id == d))
            .unwrap_or(rest.len());
        let ids: Vec<u32> = moving.iter().map(|i| i.id).collect();
        rest.splice(at..at, moving);
        m.items = rest;
        m.generation += 1;
        for id in ids {
            self.notify(menu, id, false);
        }
        Ok(())
    }

    /// True when the item at `pos` is one of the router's own queue types (which `set` and
    /// `remove` refuse).
    fn builtin_type(&self, menu: usize, pos: usize) -> bool {
        let Some(m) = self.menus.get(menu) else {
            return false;
        };
        m.spec.kind == MenuKind::QueueType
            && m.items.get(pos).is_some_and(|it| {
                m.raw(it, "name").is_some_and(|n| {
                    queue_model::BUILTIN_QUEUE_TYPES
                        .iter()
                        .any(|b| b.as_bytes() == n)
                }) && it.dynamic
            })
    }

    /// `set`: validates and updates items.
    pub fn set(
        &mut self,
        menu: usize,
        positions: &[usize],
        attrs: &[(String, Vec<u8>)],
    ) -> Result<(), Failure> {
        if positions.iter().any(|&p| self.builtin_type(menu, p)) {
            return Err(Failure::new(
                None,
                "failure: can not change default queue type",
            ));
        }
        for &pos in positions {
            let Some(mut item) = self.menus.get(menu).and_then(|m| m.items.get(pos)).cloned()
            else {
                return Err(Failure::no_such_item());
            };
            self.apply(menu, &mut item, attrs, Some(pos))?;
            validate::item(self, &self.menus[menu], &item, Some(pos))?;
            if self.menus[menu].spec.kind == MenuKind::Netwatch {
                // A changed entry is tested again at the next tick.
                item.stats[0] = 0;
            }
            let id = item.id;
            let m = &mut self.menus[menu];
            if let Some(slot) = m.items.get_mut(pos) {
                *slot = item;
            }
            m.generation += 1;
            self.notify(menu, id, false);
        }
        Ok(())
    }

    /// `remove`: a session removed is logged out (and a PPPoE client redials).
    pub fn remove(&mut self, menu: usize, positions: &[usize]) -> Result<(), Failure> {
        if positions.iter().any(|&p| self.builtin_type(menu, p)) {
            return Err(Failure::new(
                None,
                "failure: can not remove default queue type",
            ));
        }
        let m = self.menus.get(menu).ok_or_else(Failure::no_such_item)?;
        let mut ids: Vec<u32> = positions
            .iter()
            .filter_map(|&p| m.items.get(p).map(|i| i.id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let kind = m.spec.kind;
        if matches!(kind, MenuKind::HotspotProfile | MenuKind::PppProfile)
            && ids.iter().any(|&id| is_builtin(id))
        {
            return Err(Failure::new(None, "failure: cannot remove default profile"));
        }
        let removed = self.remove_ids(menu, &ids);
        crate::session::removed(self, kind, &removed);
        Ok(())
    }

    /// `reset-counters` (hotspot users): uptime and byte counters back to zero.
    pub fn reset_counters(&mut self, menu: usize, positions: &[usize]) {
        let mut ids = Vec::new();
        if let Some(m) = self.menus.get_mut(menu) {
            for &p in positions {
                if let Some(item) = m.items.get_mut(p) {
                    item.stats = [0; 8];
                    ids.push(item.id);
                }
            }
            m.generation += 1;
        }
        for id in ids {
            self.notify(menu, id, false);
        }
    }

    /// Values a new item gets from the router's state rather than from a fixed default.
    fn fill_defaults(&self, menu: usize, item: &mut Item) {
        let spec = self.menus[menu].spec;
        let mut put = |name: &str, value: &[u8]| {
            if let Some(idx) = spec.prop_index(name.as_bytes()) {
                if item.get(idx).is_none() {
                    item.set(idx, value.into());
                }
            }
        };
        match spec.kind {
            MenuKind::Script => put("owner", self.admin.as_bytes()),
            MenuKind::Scheduler => {
                put("owner", self.admin.as_bytes());
                put(
                    "start-date",
                    self.now().date.render(self.date_style()).as_bytes(),
                );
                put("start-time", b"startup");
            }
            _ => {}
        }
    }

    /// Checks and applies `name=value` attributes to an item (not yet stored).
    fn apply(
        &self,
        menu: usize,
        item: &mut Item,
        attrs: &[(String, Vec<u8>)],
        _pos: Option<usize>,
    ) -> Result<(), Failure> {
        let spec = self.menus[menu].spec;
        if matches!(
            spec.kind,
            MenuKind::Queue | MenuKind::QueueTree | MenuKind::QueueType | MenuKind::Netwatch
        ) {
            validate::with_model(spec, item, attrs)?;
        }
        for (name, value) in attrs {
            let Some(idx) = spec.prop_index(name.as_bytes()) else {
                return Err(Failure::new(None, "unknown parameter"));
            };
            let Some(prop) = spec.props.get(idx) else {
                return Err(Failure::new(None, "unknown parameter"));
            };
            match validate::value(prop.kind, prop.name, value)? {
                Some(v) => item.set(idx, v.into_boxed_slice()),
                None => item.unset(idx),
            }
        }
        Ok(())
    }

    /// The row of an item as `print` shows it.
    pub fn row(&self, menu: usize, item: &Item) -> Row<'static> {
        let mut row: Row<'static> = Vec::with_capacity(self.menus[menu].spec.props.len() + 1);
        let mut scratch = Vec::new();
        self.visit_row(menu, item, &mut scratch, |name, value| {
            row.push((name, Cow::Owned(value.to_vec())));
        });
        row
    }

    /// The single row of a singleton menu.
    pub fn singleton_row(&self, menu: usize) -> Row<'_> {
        let spec = self.menus[menu].spec;
        let mut row: Row<'_> = Vec::new();
        let item = self.menus[menu].items.first();
        for (idx, prop) in spec.props.iter().enumerate() {
            let v = item
                .and_then(|i| i.get(idx))
                .map(Cow::Borrowed)
                .or_else(|| {
                    self.singleton_value(spec.kind, prop.name)
                        .map(|v| Cow::Owned(v.into_bytes()))
                })
                .or_else(|| prop.default.map(|d| Cow::Borrowed(d.as_bytes())));
            if let Some(v) = v {
                row.push((prop.name, v));
            }
        }
        row
    }

    fn singleton_value(&self, kind: MenuKind, name: &str) -> Option<String> {
        match kind {
            MenuKind::Resource => self.resource_value(name),
            MenuKind::Cloud => crate::health::cloud_value(self, name),
            MenuKind::Clock => {
                let now = self.now();
                match name {
                    "time" => Some(now.time.to_string()),
                    "date" => Some(now.date.render(self.date_style())),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `/system/clock/set`: `date` (either form) and `time` move the wall clock; the time
    /// zone settings are kept as given.
    pub fn set_clock(&mut self, menu: usize, attrs: &[(String, Vec<u8>)]) -> Result<(), Failure> {
        let mut now = self.now();
        let mut rest = Vec::new();
        for (name, value) in attrs {
            let text = std::str::from_utf8(value).ok();
            match name.as_str() {
                "date" => {
                    now.date = text
                        .and_then(|t| t.parse().ok())
                        .ok_or_else(|| bad_value("date"))?;
                }
                "time" => {
                    now.time = text
                        .and_then(|t| t.parse().ok())
                        .ok_or_else(|| bad_value("time"))?;
                }
                _ => rest.push((name.clone(), value.clone())),
            }
        }
        if self.menus[menu].items.is_empty() {
            self.insert_raw(menu, &[]);
        }
        self.set(menu, &[0], &rest)?;
        self.set_now(now);
        Ok(())
    }

    fn resource_value(&self, name: &str) -> Option<String> {
        let total_mem: u64 = 1024 * 1024 * 1024;
        Some(match name {
            "uptime" => format_duration(self.uptime),
            "version" => format!("{} (stable)", self.version),
            "build-time" => "2025-03-11 11:59:04".into(),
            "factory-software" => "7.5".into(),
            "free-memory" => {
                (total_mem - 180 * 1024 * 1024 - self.traffic.flow_count() * 4096).to_string()
            }
            "total-memory" => total_mem.to_string(),
            "cpu" => "ARM64".into(),
            "cpu-count" => "4".into(),
            "cpu-frequency" => "1800".into(),
            "cpu-load" => self.cpu_load.to_string(),
            "free-hdd-space" => "92553216".into(),
            "total-hdd-space" => "134217728".into(),
            "architecture-name" => "arm64".into(),
            "board-name" => self.board_name.clone(),
            "platform" => "MikroTik".into(),
            _ => return None,
        })
    }

    /// Writes the value of a computed (read-only) property into `out`; false when the
    /// property has none.
    fn computed_into(
        &self,
        kind: MenuKind,
        m: &Menu,
        item: &Item,
        name: &str,
        out: &mut Vec<u8>,
    ) -> bool {
        let s = &item.stats;
        let mut pair = |a: u64, b: u64| {
            let mut n = itoa::Buffer::new();
            out.extend_from_slice(n.format(a).as_bytes());
            out.push(b'/');
            out.extend_from_slice(n.format(b).as_bytes());
        };
        match (kind, name) {
            (MenuKind::Queue, "rate") => pair(s[0], s[1]),
            (MenuKind::Queue, "packet-rate") => pair(s[0] / 8 / 1000, s[1] / 8 / 1000),
            (MenuKind::Queue, "bytes") => pair(s[2], s[3]),
            (MenuKind::Queue, "packets") => pair(s[4], s[5]),
            (MenuKind::Queue, "dropped") => pair(s[6], s[7]),
            (MenuKind::Queue, "queued-packets" | "queued-bytes") => pair(0, 0),
            (MenuKind::QueueTree, "rate" | "packet-rate" | "bytes" | "packets" | "dropped")
            | (MenuKind::QueueTree, "queued-bytes" | "queued-packets" | "pcq-queues") => {
                let i = match name {
                    "rate" => 0,
                    "packet-rate" => 1,
                    "bytes" => 2,
                    "packets" => 3,
                    "dropped" => 4,
                    "queued-bytes" => 5,
                    "queued-packets" => 6,
                    _ => 7,
                };
                out.extend_from_slice(itoa::Buffer::new().format(s[i]).as_bytes());
            }
            _ => {
                let text: Cow<'_, [u8]> = match (kind, name) {
                    (
                        MenuKind::Queue
                        | MenuKind::QueueTree
                        | MenuKind::Mangle
                        | MenuKind::Filter
                        | MenuKind::Nat
                        | MenuKind::Address,
                        "invalid",
                    ) => Cow::Borrowed(b"false"),
                    (MenuKind::QueueType, "default") => flag(item.dynamic),
                    (
                        MenuKind::Queue
                        | MenuKind::Mangle
                        | MenuKind::Filter
                        | MenuKind::Nat
                        | MenuKind::Address
                        | MenuKind::AddressList
                        | MenuKind::Lease,
                        "dynamic",
                    ) => flag(item.dynamic),
                    (MenuKind::Mangle | MenuKind::Filter | MenuKind::Nat, "bytes") => number(s[0]),
                    (MenuKind::Mangle | MenuKind::Filter | MenuKind::Nat, "packets") => {
                        number(s[1])
                    }
                    (MenuKind::Interface, "actual-mtu") => match m.raw(item, "mtu") {
                        Some(v) => Cow::Borrowed(v),
                        None => return false,
                    },
                    (MenuKind::Interface, "rx-byte") => number(s[0]),
                    (MenuKind::Interface, "tx-byte") => number(s[1]),
                    (MenuKind::Interface, "rx-packet") => number(s[2]),
                    (MenuKind::Interface, "tx-packet") => number(s[3]),
                    (MenuKind::Interface, "rx-drop" | "tx-drop") => Cow::Borrowed(b"0"),
                    (MenuKind::Interface, "link-downs") => number(u64::from(item.link_downs)),
                    (MenuKind::Interface, "running") => {
                        let disabled = m.value(item, "disabled") == Some("true");
                        Cow::Borrowed(if item.running && !disabled {
                            b"true"
                        } else {
                            b"false"
                        })
                    }
                    (MenuKind::Address, "network") => {
                        match m.value(item, "address").and_then(validate::network_of) {
                            Some(n) => Cow::Owned(n.into_bytes()),
                            None => return false,
                        }
                    }
                    (MenuKind::Address, "actual-interface") => match m.raw(item, "interface") {
                        Some(v) => Cow::Borrowed(v),
                        None => return false,
                    },
                    (MenuKind::AddressList, "creation-time") => {
                        Cow::Borrowed(b"2025-03-20 10:00:00")
                    }
                    (MenuKind::Interface, "dynamic") => flag(item.dynamic),
                    (MenuKind::HotspotProfile, "default") => flag(item.id == 0),
                    (MenuKind::PppProfile, "default") => flag(is_builtin(item.id)),
                    (MenuKind::Scheduler, "next-run") => match self.next_run(m, item) {
                        Some(t) => Cow::Owned(t.render(self.date_style()).into_bytes()),
                        None => return false,
                    },
                    (
                        MenuKind::HotspotUser
                        | MenuKind::HotspotActive
                        | MenuKind::HotspotHost
                        | MenuKind::HotspotCookie
                        | MenuKind::PppActive,
                        _,
                    ) => match crate::session::computed(self, kind, item, name) {
                        Some(v) => Cow::Owned(v.into_bytes()),
                        None => return false,
                    },
                    (MenuKind::Netwatch | MenuKind::Arp | MenuKind::Route, _) => {
                        match crate::health::computed(self, kind, m, item, name) {
                            Some(v) => Cow::Owned(v.into_bytes()),
                            None => return false,
                        }
                    }
                    _ => return false,
                };
                out.extend_from_slice(&text);
            }
        }
        true
    }

    /// Calls `f` with every property of an item as `print` shows it, `.id` first, in the
    /// menu's order, without building a row: computed values are formatted into `scratch`.
    pub fn visit_row(
        &self,
        menu: usize,
        item: &Item,
        scratch: &mut Vec<u8>,
        mut f: impl FnMut(&'static str, &[u8]),
    ) {
        let m = &self.menus[menu];
        let spec = m.spec;
        if !spec.singleton {
            scratch.clear();
            scratch.push(b'*');
            push_hex(scratch, item.id);
            f(".id", scratch);
        }
        for (idx, prop) in spec.props.iter().enumerate() {
            if let Some(v) = item.get(idx) {
                f(prop.name, v);
                continue;
            }
            // Only read-only properties are computed.
            if prop.kind == Kind::ReadOnly {
                scratch.clear();
                if self.computed_into(spec.kind, m, item, prop.name, scratch) {
                    f(prop.name, scratch);
                    continue;
                }
            }
            if let Some(d) = prop.default {
                f(prop.name, d.as_bytes());
            }
        }
    }

    /// Interface counters by name: `(rx bits/s, tx bits/s, rx packets/s, tx packets/s)`.
    pub fn interface_rates(&self, name: &str) -> Option<[u64; 4]> {
        let idx = self.menu_by_kind(MenuKind::Interface);
        let m = &self.menus[idx];
        let item = m.items.iter().find(|i| m.value(i, "name") == Some(name))?;
        let running = item.running && m.value(item, "disabled") != Some("true");
        let s = &item.stats;
        Some(if running {
            [s[4], s[5], s[6], s[7]]
        } else {
            [0; 4]
        })
    }
}

impl State {
    /// A scheduler's next run: its start, then every `interval`, the first one after now.
    fn next_run(&self, m: &Menu, item: &Item) -> Option<DateTime> {
        if m.value(item, "disabled") == Some("true") {
            return None;
        }
        let interval = m
            .value(item, "interval")
            .and_then(|v| v.parse::<queue_model::Time>().ok())
            .map_or(0, |t| t.as_millis() / 1000);
        let start = match m.value(item, "start-time")? {
            "startup" => self.clock_base.saturating_add(3),
            t => {
                let date: Date = m.value(item, "start-date")?.parse().ok()?;
                DateTime::new(date, t.parse().ok()?).seconds_since_epoch()
            }
        };
        let now = self.now().seconds_since_epoch();
        let next = if start > now {
            start
        } else if interval > 0 {
            let interval = i64::try_from(interval).ok()?;
            start.checked_add(((now - start) / interval + 1).checked_mul(interval)?)?
        } else {
            return None;
        };
        DateTime::from_seconds_since_epoch(next)
    }
}

/// The ids of built-in profiles: `*0` (`default`) and `*FFFFFFFE` (PPP's
/// `default-encryption`).
pub(crate) fn is_builtin(id: u32) -> bool {
    id == 0 || id == 0xFFFF_FFFE
}

/// The wall clock at boot unless configured: 2025-03-20 08:00:00.
pub(crate) const DEFAULT_CLOCK: i64 = 1_742_457_600;

fn flag(b: bool) -> Cow<'static, [u8]> {
    Cow::Borrowed(if b { b"true" } else { b"false" })
}

fn bad_value(name: &str) -> Failure {
    Failure::new(
        Some(TrapCategory::ArgumentValue),
        format!("invalid value for argument {name}"),
    )
}

/// Appends `n` in upper-case hexadecimal, as RouterOS writes item ids (`*1A`).
fn push_hex(out: &mut Vec<u8>, n: u32) {
    let digits = 8 - n.leading_zeros().min(28) / 4;
    for i in (0..digits).rev() {
        let d = (n >> (i * 4)) & 0xF;
        out.push(b"0123456789ABCDEF"[usize::try_from(d).unwrap_or(0)]);
    }
}

fn number(n: u64) -> Cow<'static, [u8]> {
    Cow::Owned(n.to_string().into_bytes())
}

/// RouterOS's duration format: `1w2d3h4m5s`.
pub(crate) fn format_duration(mut secs: u64) -> String {
    let mut out = String::new();
    for (unit, len) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs >= len {
            out.push_str(&format!("{}{unit}", secs / len));
            secs %= len;
        }
    }
    if secs > 0 || out.is_empty() {
        out.push_str(&format!("{secs}s"));
    }
    out
}
