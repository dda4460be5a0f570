//! Hotspot: profiles with price and validity (MIKHMON-compatible), voucher batches and their
//! printable sheets with QR codes, users by batch, active sessions, and sales reports with CSV.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use queue_model::hotspot::mikhmon::{ExpiryMode, UserMode};
use queue_model::{RateLimit, Time};
use serde::Deserialize;

use super::queues::pick_router;
use super::{urlencode, Admin, Current, Seller, Web};
use crate::i18n::Lang;
use crate::routers::hotspot::{self, BatchRequest, ProfileSpec};
use crate::routers::RouterHandle;
use crate::tr;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/hotspot", get(hotspot_page))
        .route("/hotspot/profiles", post(save_profile))
        .route("/hotspot/generate", post(generate))
        .route("/hotspot/batch", get(batch_page))
        .route("/hotspot/batch/remove-unused", post(remove_unused))
        .route("/hotspot/sheet", get(sheet))
        .route("/hotspot/active", get(active_page))
        .route("/hotspot/kick", post(kick))
        .route("/hotspot/sales", get(sales_page))
        .route("/hotspot/sales.csv", get(sales_csv))
        .route("/api/hotspot/generate", post(api_generate))
        .route("/api/hotspot/jobs/{id}", get(api_job))
}

/// A batch being added in the background, for the page's progress bar.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Job {
    /// Vouchers asked for.
    pub total: usize,
    /// Added so far.
    pub added: usize,
    /// Finished (successfully or not).
    pub done: bool,
    /// The batch comment, once known.
    pub batch: Option<String>,
    /// Why it stopped early, if it did.
    pub error: Option<String>,
    /// Who started it (only they see it).
    #[serde(skip)]
    pub user_id: i64,
}

/// Background batches, the most recent [`MAX_JOBS`] kept.
#[derive(Debug, Default)]
pub struct Jobs {
    next: std::sync::atomic::AtomicU64,
    map: std::sync::Mutex<std::collections::BTreeMap<u64, Job>>,
}

/// Background batches remembered (older ones are forgotten).
pub const MAX_JOBS: usize = 64;

impl Jobs {
    fn start(&self, user_id: i64, total: usize) -> u64 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        while map.len() >= MAX_JOBS {
            let Some(first) = map.keys().next().copied() else {
                break;
            };
            map.remove(&first);
        }
        map.insert(
            id,
            Job {
                total,
                user_id,
                ..Job::default()
            },
        );
        id
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut Job)) {
        if let Some(j) = self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&id)
        {
            f(j);
        }
    }

    fn get(&self, id: u64) -> Option<Job> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }
}

/// Starts a batch in the background and answers with its job id at once; the page polls
/// `/api/hotspot/jobs/{id}` for a progress bar.
async fn api_generate(
    State(st): State<Arc<Web>>,
    Seller(s): Seller,
    axum::Json(f): axum::Json<GenerateForm>,
) -> Response {
    let Some(r) = st.hub.router(f.router) else {
        return (StatusCode::NOT_FOUND, tr!(s.lang, "editor-no-router")).into_response();
    };
    let req = match batch_request(s.lang, &f) {
        Ok(x) => x,
        Err(e) => return (StatusCode::UNPROCESSABLE_ENTITY, e).into_response(),
    };
    let id = st.jobs.start(s.user_id, req.count);
    let web = st.clone();
    tokio::spawn(async move {
        let result = hotspot::generate(&web.store, &r, &s.user, &req, |n| {
            web.jobs.update(id, |j| j.added = n);
        })
        .await;
        web.jobs.update(id, |j| {
            j.done = true;
            match result {
                Ok(g) => {
                    j.added = g.users.len();
                    j.batch = Some(g.batch);
                    j.error = g.failure;
                }
                Err(e) => j.error = Some(e.to_string()),
            }
        });
    });
    axum::Json(serde_json::json!({ "job": id })).into_response()
}

async fn api_job(
    State(st): State<Arc<Web>>,
    Seller(s): Seller,
    axum::extract::Path(id): axum::extract::Path<u64>,
) -> Response {
    match st.jobs.get(id) {
        Some(j) if j.user_id == s.user_id => axum::Json(j).into_response(),
        _ => (StatusCode::NOT_FOUND, "no such job").into_response(),
    }
}

#[derive(Deserialize)]
struct RouterQuery {
    router: Option<i64>,
}

fn router_value(r: &RouterHandle) -> Value {
    Value::from_serialize(serde_json::json!({"id": r.id, "name": r.name}))
}

fn no_router(st: &Web, lang: Lang) -> Response {
    st.error_page_in(lang, StatusCode::NOT_FOUND, &tr!(lang, "hotspot-no-router"))
}

async fn hotspot_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<RouterQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return no_router(&st, s.lang);
    };
    let (profiles, error) = match hotspot::profiles(&r).await {
        Ok(p) => (p, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    st.page(
        &s,
        "hotspot.html",
        "hotspot",
        context! {
            router => router_value(&r), profiles => Value::from_serialize(&profiles),
            error => error, seller => s.role.can_sell(),
            max_batch => hotspot::MAX_BATCH,
        },
    )
}

#[derive(Deserialize)]
struct ProfileForm {
    router: i64,
    name: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    selling_price: String,
    #[serde(default)]
    validity: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    rate_limit: String,
    #[serde(default)]
    shared_users: String,
    #[serde(default)]
    mac_lock: Option<String>,
}

/// A whole amount of money: digits, with `.` or `,` as thousands separators in groups of
/// three (`150.000`, `150,000`); `5000.50` is refused rather than guessed.
fn amount(lang: Lang, field: &str, s: &str) -> Result<u64, String> {
    let s = s.trim();
    let groups: Vec<&str> = s.split(['.', ',']).collect();
    let grouped = groups.len() == 1
        || (groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
            && groups.iter().skip(1).all(|g| g.len() == 3));
    let digits: String = groups.concat();
    if digits.is_empty() {
        return Ok(0);
    }
    if !grouped || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 12 {
        return Err(tr!(lang, "hotspot-err-amount", field = field));
    }
    digits
        .parse()
        .map_err(|_| tr!(lang, "hotspot-err-too-large", field = field))
}

fn profile_spec(lang: Lang, f: &ProfileForm) -> Result<ProfileSpec, String> {
    let name = f.name.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        return Err(tr!(lang, "hotspot-err-name"));
    }
    let validity = if f.validity.trim().is_empty() {
        None
    } else {
        Some(
            f.validity
                .trim()
                .parse::<Time>()
                .map_err(|_| tr!(lang, "hotspot-err-validity"))?,
        )
    };
    let mode = match f.mode.as_str() {
        "" | "rem" => ExpiryMode::Remove,
        "ntf" => ExpiryMode::Notice,
        "remc" => ExpiryMode::RemoveAndRecord,
        "ntfc" => ExpiryMode::NoticeAndRecord,
        _ => return Err(tr!(lang, "hotspot-err-expiry")),
    };
    let rate_limit = if f.rate_limit.trim().is_empty() {
        None
    } else {
        Some(
            f.rate_limit
                .trim()
                .parse::<RateLimit>()
                .map_err(|e| tr!(lang, "hotspot-err-rate-limit", error = e.to_string()))?,
        )
    };
    let shared_users = if f.shared_users.trim().is_empty() {
        1
    } else {
        match f.shared_users.trim().parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err(tr!(lang, "hotspot-err-shared-users")),
        }
    };
    Ok(ProfileSpec {
        name: name.to_owned(),
        price: amount(lang, &tr!(lang, "hotspot-field-price"), &f.price)?,
        selling_price: amount(
            lang,
            &tr!(lang, "hotspot-field-selling-price"),
            &f.selling_price,
        )?,
        validity,
        mode,
        rate_limit,
        shared_users,
        mac_lock: f.mac_lock.is_some(),
    })
}

async fn save_profile(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<ProfileForm>,
) -> Response {
    let Some(r) = st.hub.router(f.router) else {
        return no_router(&st, s.lang);
    };
    let spec = match profile_spec(s.lang, &f) {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e),
    };
    match hotspot::save_profile(&st.store, &r, &s.user, &spec).await {
        Ok(()) => Redirect::to(&format!(
            "/hotspot?router={}&done={}",
            r.id,
            urlencode(&tr!(
                s.lang,
                "hotspot-profile-saved",
                name = &spec.name,
                router = &r.name
            ))
        ))
        .into_response(),
        Err(e) => st.error_page_in(s.lang, StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

#[derive(Deserialize)]
pub(super) struct GenerateForm {
    #[serde(deserialize_with = "int_or_string")]
    router: i64,
    profile: String,
    count: String,
    #[serde(default)]
    length: String,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    note: String,
}

/// A router id from a form (text) or JSON (a number).
fn int_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum V {
        N(i64),
        S(String),
    }
    match V::deserialize(d)? {
        V::N(n) => Ok(n),
        V::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// Checks the batch form's fields.
fn batch_request(lang: Lang, f: &GenerateForm) -> Result<BatchRequest, String> {
    let count = match f.count.trim().parse::<usize>() {
        Ok(n) if (1..=hotspot::MAX_BATCH).contains(&n) => n,
        _ => {
            return Err(tr!(
                lang,
                "hotspot-err-count",
                max = hotspot::MAX_BATCH.to_string()
            ))
        }
    };
    let length = match f.length.trim() {
        "" => 5,
        l => match l.parse::<usize>() {
            Ok(n) if (3..=8).contains(&n) => n,
            _ => return Err(tr!(lang, "hotspot-err-length")),
        },
    };
    let prefix: String = f.prefix.trim().chars().take(8).collect();
    if !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(tr!(lang, "hotspot-err-prefix"));
    }
    let mut req = BatchRequest::new(f.profile.clone(), count);
    req.length = length;
    req.prefix = prefix;
    req.mode = if f.mode == "up" {
        UserMode::UserPassword
    } else {
        UserMode::Voucher
    };
    req.note = f
        .note
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(20)
        .collect();
    Ok(req)
}

async fn generate(
    State(st): State<Arc<Web>>,
    Seller(s): Seller,
    Form(f): Form<GenerateForm>,
) -> Response {
    let Some(r) = st.hub.router(f.router) else {
        return no_router(&st, s.lang);
    };
    let req = match batch_request(s.lang, &f) {
        Ok(x) => x,
        Err(e) => return st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e),
    };
    match hotspot::generate(&st.store, &r, &s.user, &req, |_| {}).await {
        Ok(g) if g.failure.is_none() => Redirect::to(&format!(
            "/hotspot/batch?router={}&batch={}",
            r.id,
            urlencode(&g.batch)
        ))
        .into_response(),
        Ok(g) => st.error_page_in(
            s.lang,
            StatusCode::BAD_GATEWAY,
            &tr!(
                s.lang,
                "hotspot-err-batch-stopped",
                added = g.users.len().to_string(),
                error = g.failure.unwrap_or_default(),
                batch = &g.batch
            ),
        ),
        Err(crate::Error::BadInput(e)) => {
            st.error_page_in(s.lang, StatusCode::UNPROCESSABLE_ENTITY, &e)
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct BatchQuery {
    router: i64,
    #[serde(default)]
    batch: String,
    #[serde(default)]
    layout: String,
    #[serde(default)]
    login: String,
}

async fn batch_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<BatchQuery>,
) -> Response {
    let Some(r) = st.hub.router(q.router) else {
        return no_router(&st, s.lang);
    };
    let batch = Some(q.batch.as_str()).filter(|b| !b.is_empty());
    match hotspot::vouchers(&r, batch).await {
        Ok(v) => {
            let unused = v.iter().filter(|x| x.state == "unused").count();
            st.page(
                &s,
                "hotspot_batch.html",
                "hotspot",
                context! {
                    router => router_value(&r), batch => q.batch, vouchers => Value::from_serialize(&v),
                    unused => unused, seller => s.role.can_sell(),
                },
            )
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct BatchForm {
    router: i64,
    batch: String,
}

async fn remove_unused(
    State(st): State<Arc<Web>>,
    Seller(s): Seller,
    Form(f): Form<BatchForm>,
) -> Response {
    let Some(r) = st.hub.router(f.router) else {
        return no_router(&st, s.lang);
    };
    match hotspot::remove_unused(&st.store, &r, &s.user, &f.batch).await {
        Ok(_) => Redirect::to(&format!(
            "/hotspot/batch?router={}&batch={}",
            r.id,
            urlencode(&f.batch)
        ))
        .into_response(),
        Err(e) => st.error_page_in(s.lang, StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

/// An SVG QR code of `text` (black modules on white, no scripts or styles).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(120, 120)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The hotspot login URL a voucher's QR code opens, with the code filled in.
pub fn login_url(base: &str, user: &str, password: &str) -> String {
    format!(
        "{}?username={}&password={}",
        base.trim_end_matches('/'),
        urlencode(user),
        urlencode(password)
    )
}

async fn sheet(
    State(st): State<Arc<Web>>,
    Seller(s): Seller,
    Query(q): Query<BatchQuery>,
) -> Response {
    let Some(r) = st.hub.router(q.router) else {
        return no_router(&st, s.lang);
    };
    let (vouchers, profiles) = match (
        hotspot::vouchers(&r, Some(q.batch.as_str())).await,
        hotspot::profiles(&r).await,
    ) {
        (Ok(v), Ok(p)) => (v, p),
        (Err(e), _) | (_, Err(e)) => {
            return st.error_page_in(s.lang, StatusCode::BAD_GATEWAY, &e.to_string())
        }
    };
    let base = if q.login.starts_with("http://") || q.login.starts_with("https://") {
        q.login.clone()
    } else {
        "http://hotspot.lan/login".to_owned()
    };
    let cards: Vec<serde_json::Value> = vouchers
        .iter()
        .filter(|v| v.state == "unused")
        .map(|v| {
            let p = profiles.iter().find(|p| p.name == v.profile);
            let url = login_url(&base, &v.name, &v.password);
            serde_json::json!({
                "code": v.name,
                "password": if v.password == v.name { String::new() } else { v.password.clone() },
                "profile": v.profile,
                "price": p.map(|p| if p.selling_price > 0 { p.selling_price } else { p.price }).unwrap_or(0),
                "validity": p.map(|p| p.validity.clone()).unwrap_or_default(),
                "url": url,
                "qr": qr_svg(&url),
            })
        })
        .collect();
    let layout = match q.layout.as_str() {
        "small" | "thermal" => q.layout.clone(),
        _ => "default".to_owned(),
    };
    st.render_in(
        s.lang,
        "hotspot_sheet.html",
        context! {
            router => router_value(&r), batch => q.batch, cards => Value::from_serialize(&cards),
            layout => layout, login => base,
        },
    )
}

async fn active_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<RouterQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return no_router(&st, s.lang);
    };
    match hotspot::sessions(&r).await {
        Ok(sessions) => st.page(
            &s,
            "hotspot_active.html",
            "hotspot",
            context! {
                router => router_value(&r), sessions => Value::from_serialize(&sessions),
                seller => s.role.can_sell(),
            },
        ),
        Err(e) => st.error_page_in(s.lang, StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct KickForm {
    router: i64,
    id: String,
}

async fn kick(State(st): State<Arc<Web>>, Seller(s): Seller, Form(f): Form<KickForm>) -> Response {
    let Some(r) = st.hub.router(f.router) else {
        return no_router(&st, s.lang);
    };
    match hotspot::kick(&st.store, &r, &s.user, &f.id).await {
        Ok(()) => Redirect::to(&format!(
            "/hotspot/active?router={}&done={}",
            r.id,
            urlencode(&tr!(s.lang, "hotspot-kicked", router = &r.name))
        ))
        .into_response(),
        Err(e) => st.error_page_in(s.lang, StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct SalesQuery {
    router: Option<i64>,
    /// `YYYY-MM` (default: this month).
    #[serde(default)]
    month: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn valid_date(s: &str) -> bool {
    s.len() == 10 && s.parse::<queue_model::clock::Date>().is_ok()
}

/// The report's date range: `from..=to` when both are dates, else the month (default: the
/// router's current month, `default_month`, else noc's).
fn range(q: &SalesQuery, default_month: Option<String>) -> (String, String, String) {
    if valid_date(&q.from) && valid_date(&q.to) {
        return (q.from.clone(), q.to.clone(), String::new());
    }
    let month = if q.month.len() == 7
        && q.month.as_bytes().get(4) == Some(&b'-')
        && format!("{}-01", q.month)
            .parse::<queue_model::clock::Date>()
            .is_ok()
    {
        q.month.clone()
    } else {
        default_month.unwrap_or_else(|| crate::fmt::time(crate::now())[..7].to_owned())
    };
    (format!("{month}-01"), format!("{month}-31"), month)
}

/// `YYYY-MM` by the router's clock (sales carry the router's dates).
async fn router_month(r: &RouterHandle) -> Option<String> {
    let t = hotspot::router_now(&r.client()?).await?;
    Some(format!("{:04}-{:02}", t.date.year(), t.date.month()))
}

async fn sales_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<SalesQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return no_router(&st, s.lang);
    };
    // Fresh records first (kept if the router is unreachable: the stored ones still show).
    let harvest = hotspot::harvest_sales(&st.store, &r).await;
    let (from, to, month) = range(&q, router_month(&r).await);
    match st.store.sales_totals(Some(r.id), &from, &to) {
        Ok(t) => {
            let max_day = t.by_day.iter().map(|d| d.2).max().unwrap_or(0).max(1);
            st.page(
                &s,
                "hotspot_sales.html",
                "hotspot",
                context! {
                    router => router_value(&r), totals => Value::from_serialize(&t),
                    from => from, to => to, month => month, max_day => max_day,
                    harvest => harvest.as_ref().ok().map(Value::from_serialize),
                    harvest_error => harvest.err().map(|e| e.to_string()),
                },
            )
        }
        Err(e) => st.error_page_in(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn sales_csv(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<SalesQuery>,
) -> Response {
    let Some(r) = pick_router(&st, q.router) else {
        return (StatusCode::NOT_FOUND, tr!(s.lang, "editor-no-router")).into_response();
    };
    let (from, to, _) = range(&q, router_month(&r).await);
    match st.store.sales(Some(r.id), &from, &to, 1_000_000) {
        Ok(sales) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"sales-{from}-{to}.csv\""),
                ),
            ],
            crate::storage::sales_csv(&sales),
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_whole_and_bounded() {
        assert_eq!(amount(Lang::En, "Price", "5.000"), Ok(5000));
        assert_eq!(amount(Lang::En, "Price", "150,000"), Ok(150_000));
        assert_eq!(amount(Lang::En, "Price", ""), Ok(0));
        assert!(
            amount(Lang::En, "Price", "5000.50").is_err(),
            "decimals are not thousands"
        );
        assert!(amount(Lang::En, "Price", "-5").is_err());
        assert!(amount(Lang::En, "Price", "1e9").is_err());
        assert!(amount(Lang::En, "Price", "9999999999999").is_err());
    }

    #[test]
    fn qr_codes_carry_the_login_url() {
        let url = login_url("http://hotspot.lan/login", "abc12", "abc12");
        assert_eq!(
            url,
            "http://hotspot.lan/login?username=abc12&password=abc12"
        );
        let svg = qr_svg(&url);
        assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("<script") && !svg.contains("style="));
    }
}
