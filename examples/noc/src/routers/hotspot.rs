//! Hotspot vouchers on a router, the MIKHMON way so both tools agree: profiles with the
//! on-login header (price, validity, expiry mode), voucher batches, their users and sessions,
//! sales harvested from the router's records into SQLite, and expiry enforced by noc itself.
//! Every change goes through here and is audited.

use queue_model::clock::{DateStyle, DateTime, RouterOsVersion, TimeOfDay};
use queue_model::hotspot::mikhmon::{
    voucher_state, Amount, ExpiryMode, OnLoginHeader, SalesRecord, UserComment, UserMode, Validity,
    VoucherState, RECORD_COMMENT,
};
use queue_model::hotspot::voucher::BatchBuilder;
use queue_model::hotspot::{ops, HotspotActive, HotspotUser, HotspotUserProfile};
use queue_model::{Item as _, RateLimit, Text, Time};
use routeros_proto::{Client, Command};
use serde::Serialize;

use super::RouterHandle;
use crate::storage::Store;
use crate::Error;

fn router_err(what: &str) -> impl Fn(routeros_proto::Error) -> Error + '_ {
    move |e| Error::Router(format!("{what}: {e}"))
}

fn client_of(router: &RouterHandle) -> Result<Client, Error> {
    router
        .client()
        .ok_or_else(|| Error::Router(format!("{} is not connected right now", router.name)))
}

/// `[hotspot]` in `noc.toml`.
///
/// ```toml
/// [hotspot]
/// remove_harvested = false   # delete a sales record from the router once it is stored here
/// daily_summary = "21:00"    # send the day's sales to the alert chats at this local time
/// utc_offset = "+07:00"      # the local time of daily_summary (default UTC)
/// ```
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Settings {
    /// Remove each sales record from the router once it is safely stored (MIKHMON keeps them
    /// all, which slows big routers down); default false.
    #[serde(default)]
    pub remove_harvested: bool,
    /// Local `HH:MM` to send the day's sales summary to the alert chats; none by default.
    #[serde(default)]
    pub daily_summary: Option<String>,
    /// The UTC offset of `daily_summary` (`+07:00`).
    #[serde(default)]
    pub utc_offset: Option<String>,
}

impl Settings {
    /// The summary time as (minutes after local midnight, UTC offset in minutes), checked.
    pub fn summary_at(&self) -> Result<Option<(u32, i32)>, Error> {
        let Some(t) = self.daily_summary.as_deref() else {
            return Ok(None);
        };
        let bad = || Error::Config(format!("hotspot.daily_summary {t:?}: use \"21:00\""));
        let (h, m) = t.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        let offset = match self.utc_offset.as_deref() {
            Some(o) => crate::alerts::rules::parse_utc_offset(o)?,
            None => 0,
        };
        Ok(Some((h * 60 + m, offset)))
    }
}

/// A hotspot user profile as the Hotspot page shows it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Profile {
    /// Name.
    pub name: String,
    /// Base price (what a sale records), in the configured currency's units.
    pub price: u64,
    /// Selling price printed on vouchers.
    pub selling_price: u64,
    /// Validity from first login (`30d`, `12h`), empty without expiry.
    pub validity: String,
    /// `rem`, `ntf`, `remc`, `ntfc`, or empty.
    pub mode: String,
    /// `rx/tx` rate limit as the router has it.
    pub rate_limit: String,
    /// Shared users.
    pub shared_users: String,
    /// Whether the profile carries a MIKHMON header noc could read.
    pub priced: bool,
}

/// The date form the router's scripts write (from its RouterOS version; the 7.10+ form when
/// the version cannot be read).
pub async fn date_style(client: &Client) -> DateStyle {
    client
        .print(Command::new("/system/resource/print"))
        .await
        .ok()
        .and_then(|rows| {
            rows.first()
                .and_then(|r| r.get_str("version"))
                .and_then(Result::ok)
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<RouterOsVersion>().ok())
        })
        .map_or(DateStyle::Iso, DateStyle::for_version)
}

/// The router's clock as a date-time (the time its scripts write expiries in).
pub async fn router_now(client: &Client) -> Option<DateTime> {
    let rows = client
        .print(Command::new("/system/clock/print"))
        .await
        .ok()?;
    let row = rows.first()?;
    let date = row.get_str("date")?.ok()?.parse().ok()?;
    let time: TimeOfDay = row.get_str("time")?.ok()?.parse().ok()?;
    Some(DateTime::new(date, time))
}

/// The router's user profiles with their prices and validity.
pub async fn profiles(router: &RouterHandle) -> Result<Vec<Profile>, Error> {
    let client = client_of(router)?;
    let rows = client
        .print(Command::new("/ip/hotspot/user/profile/print"))
        .await
        .map_err(router_err("reading hotspot profiles"))?;
    let mut out = Vec::new();
    for row in rows {
        let Ok(p) = HotspotUserProfile::from_attributes(&row) else {
            continue;
        };
        let header = OnLoginHeader::from_script(p.on_login.as_bytes()).ok();
        out.push(Profile {
            name: crate::fmt::router_text(&p.name.to_string_lossy()),
            price: header.as_ref().map_or(0, |h| h.price.0),
            selling_price: header.as_ref().map_or(0, |h| h.selling_price.0),
            validity: header
                .as_ref()
                .and_then(|h| h.validity)
                .map(|v| v.to_string())
                .unwrap_or_default(),
            mode: header
                .as_ref()
                .and_then(|h| h.mode)
                .map(|m| m.code().to_owned())
                .unwrap_or_default(),
            rate_limit: p.rate_limit.to_string_lossy().into_owned(),
            shared_users: p.shared_users.to_string(),
            priced: header.is_some(),
        });
    }
    Ok(out)
}

/// A profile to create or change.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProfileSpec {
    /// Name.
    pub name: String,
    /// Base price.
    pub price: u64,
    /// Selling price (0: the base price).
    pub selling_price: u64,
    /// Validity (`None`: no expiry).
    pub validity: Option<Time>,
    /// What happens at expiry.
    pub mode: ExpiryMode,
    /// Rate limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Users sharing one voucher (1..=100).
    pub shared_users: u32,
    /// Lock each voucher to the first device's MAC address.
    pub mac_lock: bool,
}

impl ProfileSpec {
    /// A profile called `name`: free, no expiry, unlimited rate, one user per voucher.
    pub fn new(name: impl Into<String>) -> Self {
        ProfileSpec {
            name: name.into(),
            price: 0,
            selling_price: 0,
            validity: None,
            mode: ExpiryMode::RemoveAndRecord,
            rate_limit: None,
            shared_users: 1,
            mac_lock: false,
        }
    }
}

/// Creates or updates a profile with MIKHMON's on-login header (so both tools read the same
/// price and validity); audited.
pub async fn save_profile(
    store: &Store,
    router: &RouterHandle,
    user: &str,
    spec: &ProfileSpec,
) -> Result<(), Error> {
    let client = client_of(router)?;
    let style = date_style(&client).await;
    let mut header = match spec.validity {
        Some(v) => OnLoginHeader::new(spec.mode, Amount(spec.price), Validity::new(v)),
        None => OnLoginHeader::without_expiry(Amount(spec.price)),
    };
    header.selling_price = Amount(if spec.selling_price == 0 {
        spec.price
    } else {
        spec.selling_price
    });
    header.mac_lock = spec.mac_lock;
    let name = Text::from(spec.name.as_str());
    let script = header.render_script(&name, style);
    let rate = spec
        .rate_limit
        .as_ref()
        .map(|r| r.to_string())
        .unwrap_or_default();
    let existing: Vec<_> = client
        .print(Command::new("/ip/hotspot/user/profile/print"))
        .await
        .map_err(router_err("reading hotspot profiles"))?
        .into_iter()
        .filter(|r| r.get("name") == Some(spec.name.as_bytes()))
        .collect();
    let shared = spec.shared_users.clamp(1, 100).to_string();
    let cmd = match existing
        .first()
        .and_then(|r| r.get_str(".id"))
        .and_then(Result::ok)
    {
        Some(id) => Command::builder("/ip/hotspot/user/profile/set")
            .attribute(".id", id)
            .attribute("rate-limit", rate.as_str())
            .attribute("shared-users", shared.as_str())
            .attribute("on-login", script.as_bytes())
            .build(),
        None => Command::builder("/ip/hotspot/user/profile/add")
            .attribute("name", spec.name.as_str())
            .attribute("rate-limit", rate.as_str())
            .attribute("shared-users", shared.as_str())
            .attribute("on-login", script.as_bytes())
            .build(),
    };
    let r = client.execute(cmd).await;
    store.audit(
        user,
        Some(router.id),
        "hotspot.profile",
        &format!(
            "{} price={} validity={} rate-limit={}",
            spec.name,
            spec.price,
            spec.validity.map(|v| v.to_string()).unwrap_or_default(),
            rate
        ),
        r.is_ok(),
    )?;
    r.map(|_| ()).map_err(router_err("saving the profile"))
}

/// A batch to generate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchRequest {
    /// Profile name.
    pub profile: String,
    /// How many (1..=500).
    pub count: usize,
    /// Code length (3..=8).
    pub length: usize,
    /// Prefix.
    pub prefix: String,
    /// `vc` (code = password) or `up` (user and password).
    pub mode: UserMode,
    /// A note in the batch comment.
    pub note: String,
}

impl BatchRequest {
    /// `count` vouchers of `profile`: 5-character codes (code = password), no prefix or note.
    pub fn new(profile: impl Into<String>, count: usize) -> Self {
        BatchRequest {
            profile: profile.into(),
            count,
            length: 5,
            prefix: String::new(),
            mode: UserMode::Voucher,
            note: String::new(),
        }
    }
}

/// Most vouchers in one batch.
pub const MAX_BATCH: usize = 500;

/// The generated users that the router accepted, and the batch comment that names them.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Generated {
    /// The batch comment (`vc-123-07.15.24-note`).
    pub batch: String,
    /// Codes (and passwords in `up` mode).
    pub users: Vec<(String, String)>,
    /// The router's refusal, when it stopped the batch early.
    pub failure: Option<String>,
}

/// Generates a batch with MIKHMON's conventions and adds it to the router; `progress` sees the
/// count added so far. Audited.
pub async fn generate(
    store: &Store,
    router: &RouterHandle,
    user: &str,
    req: &BatchRequest,
    progress: impl FnMut(usize),
) -> Result<Generated, Error> {
    if !(1..=MAX_BATCH).contains(&req.count) {
        return Err(Error::BadInput(format!(
            "a batch has 1 to {MAX_BATCH} vouchers"
        )));
    }
    let client = client_of(router)?;
    let known = profiles(router).await?;
    if !known.iter().any(|p| p.name == req.profile) {
        return Err(Error::BadInput(format!(
            "no profile called {:?}",
            req.profile
        )));
    }
    let existing = ops::user_names(&client)
        .await
        .map_err(router_err("reading hotspot users"))?;
    let date = ops::router_date(&client).await;
    let mut b = BatchBuilder::new(req.mode, req.count, req.profile.as_str(), date);
    b.length(req.length)
        .prefix(req.prefix.as_str())
        .note(req.note.as_str());
    let spec = b.build().map_err(|e| Error::BadInput(e.to_string()))?;
    let batch = spec
        .generate(&existing, &mut rand::rngs::OsRng)
        .map_err(|e| Error::BadInput(e.to_string()))?;
    let outcome = ops::add_users(&client, &batch.users, progress).await;
    let users: Vec<(String, String)> = outcome
        .added
        .iter()
        .filter_map(|i| batch.users.get(*i))
        .map(|u| {
            (
                u.name.to_string_lossy().into_owned(),
                u.password.expose().to_string_lossy().into_owned(),
            )
        })
        .collect();
    let comment = batch.comment.to_text().to_string_lossy().into_owned();
    let failure = outcome.failure.map(|(n, why)| format!("{n}: {why}"));
    store.audit(
        user,
        Some(router.id),
        "hotspot.generate",
        &format!(
            "{} vouchers of {} ({comment}){}",
            users.len(),
            req.profile,
            failure
                .as_deref()
                .map(|f| format!("; stopped: {f}"))
                .unwrap_or_default()
        ),
        failure.is_none(),
    )?;
    Ok(Generated {
        batch: comment,
        users,
        failure,
    })
}

/// A voucher (hotspot user) with its state.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Voucher {
    /// RouterOS id.
    pub id: String,
    /// Code.
    pub name: String,
    /// Password (the code in `vc` mode).
    pub password: String,
    /// Profile.
    pub profile: String,
    /// The batch comment, or the expiry MIKHMON wrote at first login.
    pub comment: String,
    /// The batch it belongs to (from the comment), if known.
    pub batch: Option<String>,
    /// `unused`, `used`, `active`, `expired`, `unknown`.
    pub state: &'static str,
    /// Uptime so far.
    pub uptime: String,
}

/// The router's hotspot users as vouchers, optionally only one batch's.
pub async fn vouchers(router: &RouterHandle, batch: Option<&str>) -> Result<Vec<Voucher>, Error> {
    let client = client_of(router)?;
    let now = match router_now(&client).await {
        Some(t) => t,
        None => DateTime::from_seconds_since_epoch(crate::now())
            .ok_or_else(|| Error::Router("no clock to judge expiry by".into()))?,
    };
    let rows = client
        .print(Command::new("/ip/hotspot/user/print"))
        .await
        .map_err(router_err("reading hotspot users"))?;
    let mut out = Vec::new();
    for row in rows {
        let Ok(u) = HotspotUser::from_attributes(&row) else {
            continue;
        };
        let comment = u.comment.clone().unwrap_or_default();
        let of_batch = match UserComment::parse(comment.as_bytes()) {
            UserComment::Batch(b) => Some(b.to_text().to_string_lossy().into_owned()),
            _ => None,
        };
        if batch.is_some_and(|b| of_batch.as_deref() != Some(b)) {
            continue;
        }
        let state = match voucher_state(&u, now) {
            VoucherState::Unused => "unused",
            VoucherState::Used => "used",
            VoucherState::Active { .. } => "active",
            VoucherState::Expired { .. } => "expired",
            _ => "unknown",
        };
        out.push(Voucher {
            id: u.id.clone().unwrap_or_default(),
            name: crate::fmt::router_text(&u.name.to_string_lossy()),
            password: u.password.expose().to_string_lossy().into_owned(),
            profile: crate::fmt::router_text(&u.profile.to_string_lossy()),
            comment: crate::fmt::router_text(&comment.to_string_lossy()),
            batch: of_batch,
            state,
            uptime: u.stats.uptime.to_string(),
        });
    }
    Ok(out)
}

/// Removes the never-used vouchers of a batch; returns how many. Audited.
pub async fn remove_unused(
    store: &Store,
    router: &RouterHandle,
    user: &str,
    batch: &str,
) -> Result<usize, Error> {
    let client = client_of(router)?;
    let ids: Vec<String> = vouchers(router, Some(batch))
        .await?
        .into_iter()
        .filter(|v| v.state == "unused" && !v.id.is_empty())
        .map(|v| v.id)
        .collect();
    for chunk in ids.chunks(100) {
        client
            .execute(
                Command::builder("/ip/hotspot/user/remove")
                    .attribute(".id", chunk.join(",").as_str())
                    .build(),
            )
            .await
            .map_err(router_err("removing vouchers"))?;
    }
    store.audit(
        user,
        Some(router.id),
        "hotspot.remove-unused",
        &format!("{} unused vouchers of {batch}", ids.len()),
        true,
    )?;
    Ok(ids.len())
}

/// An active hotspot session.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Session {
    /// RouterOS id (what kick takes).
    pub id: String,
    /// User.
    pub user: String,
    /// Address.
    pub address: String,
    /// MAC address.
    pub mac: String,
    /// Uptime.
    pub uptime: String,
    /// Bytes received + sent.
    pub bytes: u64,
}

/// The router's active hotspot sessions.
pub async fn sessions(router: &RouterHandle) -> Result<Vec<Session>, Error> {
    let client = client_of(router)?;
    let rows = client
        .print(Command::new("/ip/hotspot/active/print"))
        .await
        .map_err(router_err("reading hotspot sessions"))?;
    Ok(rows
        .iter()
        .filter_map(|r| HotspotActive::from_attributes(r).ok())
        .map(|a| Session {
            id: a.id.clone().unwrap_or_default(),
            user: crate::fmt::router_text(&a.user.to_string_lossy()),
            address: a.address.map(|x| x.to_string()).unwrap_or_default(),
            mac: a.mac_address.map(|m| m.to_string()).unwrap_or_default(),
            uptime: a.uptime.to_string(),
            bytes: a.bytes_in.saturating_add(a.bytes_out),
        })
        .collect())
}

/// Ends a session (`/ip/hotspot/active/remove`). Audited.
pub async fn kick(store: &Store, router: &RouterHandle, user: &str, id: &str) -> Result<(), Error> {
    let client = client_of(router)?;
    let r = client
        .execute(
            Command::builder("/ip/hotspot/active/remove")
                .attribute(".id", id)
                .build(),
        )
        .await;
    store.audit(user, Some(router.id), "hotspot.kick", id, r.is_ok())?;
    r.map(|_| ()).map_err(router_err("ending the session"))
}

/// What a harvest found.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[non_exhaustive]
pub struct Harvest {
    /// Records stored for the first time.
    pub new: usize,
    /// Records already stored (harvested before).
    pub known: usize,
    /// `mikhmon` scripts whose name is not a sales record (skipped, counted).
    pub skipped: usize,
}

/// Copies the router's MIKHMON sales records (`/system/script` with `comment=mikhmon`) into
/// the database: a record is stored once however often it is harvested, so reports survive a
/// reset of the router. The router's records are left in place; see [`harvest_and_remove`].
pub async fn harvest_sales(store: &Store, router: &RouterHandle) -> Result<Harvest, Error> {
    harvest(store, router, false).await
}

/// [`harvest_sales`], then removes from the router each record now safely stored (never one
/// whose storing failed). Audited.
pub async fn harvest_and_remove(store: &Store, router: &RouterHandle) -> Result<Harvest, Error> {
    harvest(store, router, true).await
}

async fn harvest(store: &Store, router: &RouterHandle, remove: bool) -> Result<Harvest, Error> {
    let client = client_of(router)?;
    let rows = client
        .print(
            Command::builder("/system/script/print")
                .proplist([".id", "name", "comment"])
                .build(),
        )
        .await
        .map_err(router_err("reading sales records"))?;
    let mut records = Vec::new();
    let mut ids = Vec::new();
    let mut h = Harvest::default();
    for row in rows {
        if row.get("comment") != Some(RECORD_COMMENT.as_bytes()) {
            continue;
        }
        let Some(name) = row.get("name") else {
            continue;
        };
        match SalesRecord::parse(name) {
            Ok(r) => {
                records.push((name.to_vec(), r));
                if let Some(id) = row.get_str(".id").and_then(Result::ok) {
                    ids.push(id.to_owned());
                }
            }
            Err(_) => h.skipped += 1,
        }
    }
    // Stored first (in one transaction); only then may the router forget them.
    let new = store.add_sales(router.id, &records)?;
    h.new = new;
    h.known = records.len() - new;
    if remove && !ids.is_empty() {
        for chunk in ids.chunks(100) {
            let r = client
                .execute(
                    Command::builder("/system/script/remove")
                        .attribute(".id", chunk.join(",").as_str())
                        .build(),
                )
                .await;
            store.audit(
                "noc (sales)",
                Some(router.id),
                "hotspot.records.remove",
                &format!("{} stored sales records", chunk.len()),
                r.is_ok(),
            )?;
            r.map_err(router_err("removing stored sales records"))?;
        }
    }
    Ok(h)
}

/// Enforces expiry with the router's clock: a voucher whose validity (written into its comment
/// at first login) has run out is removed (`rem`, `remc`) or limited to `limit-uptime=1s`
/// (`ntf`, `ntfc`), as its profile says. Returns how many were expired. Audited.
pub async fn enforce_expiry(store: &Store, router: &RouterHandle) -> Result<usize, Error> {
    let client = client_of(router)?;
    let Some(now) = router_now(&client).await else {
        // Without the router's clock the state is unknown: change nothing.
        return Ok(0);
    };
    let modes: std::collections::HashMap<Text, ExpiryMode> = client
        .print(Command::new("/ip/hotspot/user/profile/print"))
        .await
        .map_err(router_err("reading hotspot profiles"))?
        .iter()
        .filter_map(|r| HotspotUserProfile::from_attributes(r).ok())
        .filter_map(|p| {
            let h = OnLoginHeader::from_script(p.on_login.as_bytes()).ok()?;
            Some((p.name, h.mode?))
        })
        .collect();
    let rows = client
        .print(Command::new("/ip/hotspot/user/print"))
        .await
        .map_err(router_err("reading hotspot users"))?;
    let mut expired = 0;
    for row in rows {
        let Ok(u) = HotspotUser::from_attributes(&row) else {
            continue;
        };
        let (Some(mode), Some(id)) = (modes.get(&u.profile), u.id.as_deref()) else {
            continue;
        };
        if !matches!(voucher_state(&u, now), VoucherState::Expired { .. }) {
            continue;
        }
        let cmd = if mode.removes() {
            Command::builder("/ip/hotspot/user/remove")
                .attribute(".id", id)
                .build()
        } else if u.limit_uptime != Time::from_millis(1000) {
            Command::builder("/ip/hotspot/user/set")
                .attribute(".id", id)
                .attribute("limit-uptime", "1s")
                .build()
        } else {
            continue;
        };
        let r = client.execute(cmd).await;
        store.audit(
            "noc (expiry)",
            Some(router.id),
            if mode.removes() {
                "hotspot.expire.remove"
            } else {
                "hotspot.expire.limit"
            },
            &u.name.to_string_lossy(),
            r.is_ok(),
        )?;
        if r.is_ok() {
            expired += 1;
        }
    }
    Ok(expired)
}
