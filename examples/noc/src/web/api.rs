//! The JSON API for payment gateways and scripts, under `/api/v1/`: bearer tokens made on the
//! Users page (each with a role), never a session cookie — so no CSRF token either, and a
//! browser page elsewhere cannot use someone's login.
//!
//! | method | path | role | what |
//! |---|---|---|---|
//! | GET | `/api/v1/customers` | any | customers with balance and state |
//! | POST | `/api/v1/customers` | admin | add a customer |
//! | GET | `/api/v1/invoices?status=unpaid&month=2026-12` | any | invoices with their status |
//! | POST | `/api/v1/payments` | operator | record a payment (`Idempotency-Key` recommended) |
//!
//! Errors are `{"error": "..."}` with a 4xx status that says whose mistake it was: 401 no or
//! bad token, 403 role, 404 unknown customer, 409 idempotency key reused for another payment,
//! 422 a value refused (the message names the field).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Web;
use crate::auth::Role;
use crate::billing::{self, Ledger, LineStatus};
use crate::storage::api_tokens::ApiToken;
use crate::storage::billing::NewCustomer;
use crate::Error;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/customers", get(customers).post(add_customer))
        .route("/api/v1/invoices", get(invoices))
        .route("/api/v1/payments", axum::routing::post(payment))
}

/// Longest `Idempotency-Key` accepted.
pub const MAX_KEY: usize = 128;

fn fail(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "error": msg.into() }))).into_response()
}

fn error_response(e: &Error) -> Response {
    let status = match e {
        Error::BadInput(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Router(_) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let msg = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!("api: {e}");
        "internal error".to_owned()
    } else {
        e.to_string()
    };
    fail(status, msg)
}

/// The caller of an API request: a live token from `Authorization: Bearer ...`.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub ApiToken);

impl ApiCaller {
    fn name(&self) -> String {
        format!("api:{}", self.0.name)
    }
}

impl FromRequestParts<Arc<Web>> for ApiCaller {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, st: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let refused = |msg: &str| {
            let mut r = fail(StatusCode::UNAUTHORIZED, msg);
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            r
        };
        let Some(v) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(refused("an API token is required: Authorization: Bearer TOKEN (make one on the Users page)"));
        };
        let token = v
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128);
        let Some(token) = token else {
            return Err(refused("Authorization: Bearer TOKEN"));
        };
        match st.store.api_token(token) {
            Ok(Some(t)) => Ok(ApiCaller(t)),
            Ok(None) => Err(refused("unknown or revoked API token")),
            Err(e) => Err(error_response(&e)),
        }
    }
}

/// The refusal when the token's role may not do `what`.
fn refuse_unless(caller: &ApiCaller, ok: bool, what: &str) -> Option<Response> {
    if ok {
        None
    } else {
        Some(fail(
            StatusCode::FORBIDDEN,
            format!("this token ({}) may not {what}", caller.0.role.as_str()),
        ))
    }
}

/// A customer as the API shows it.
#[derive(Debug, Serialize)]
struct CustomerOut {
    id: i64,
    name: String,
    area: String,
    phone: String,
    router_id: i64,
    secret: String,
    package: Option<String>,
    billing_day: u8,
    status: String,
    isolated: bool,
    exempt: bool,
    balance: i64,
}

async fn customers(State(st): State<Arc<Web>>, _caller: ApiCaller) -> Response {
    let r = (|| -> Result<Vec<CustomerOut>, Error> {
        let packages: HashMap<i64, String> = st
            .store
            .packages()?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let balances = st.store.balances()?;
        Ok(st
            .store
            .customers()?
            .into_iter()
            .map(|c| CustomerOut {
                balance: balances.get(&c.id).copied().unwrap_or(0),
                package: c.package_id.and_then(|p| packages.get(&p).cloned()),
                id: c.id,
                name: c.name,
                area: c.area,
                phone: c.phone,
                router_id: c.router_id,
                secret: c.secret,
                billing_day: c.billing_day,
                status: c.status,
                isolated: c.isolated,
                exempt: c.exempt,
            })
            .collect())
    })();
    match r {
        Ok(c) => Json(json!({ "customers": c })).into_response(),
        Err(e) => error_response(&e),
    }
}

/// A new customer (`POST /api/v1/customers`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerIn {
    /// Name.
    pub name: String,
    /// Router id.
    pub router: i64,
    /// PPP secret name.
    pub secret: String,
    /// Package name.
    #[serde(default)]
    pub package: Option<String>,
    /// 1–28 (default: today's day, at most 28).
    #[serde(default)]
    pub billing_day: Option<u8>,
    /// Grace days (default from `[billing]`).
    #[serde(default)]
    pub grace_days: Option<u16>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Area.
    #[serde(default)]
    pub area: Option<String>,
    /// Telegram chat id.
    #[serde(default)]
    pub telegram_chat: Option<i64>,
    /// Billed from (default today).
    #[serde(default)]
    pub since: Option<String>,
}

/// Checks a new customer's fields against the database; the error names the field.
pub fn new_customer(st: &crate::AppState, f: &CustomerIn) -> Result<NewCustomer, Error> {
    let name = billing::check_name("name", &f.name)?;
    let secret = billing::check_name("secret", &f.secret)?;
    if st.hub.router(f.router).is_none() && !st.store.routers()?.iter().any(|r| r.id == f.router) {
        return Err(Error::BadInput(format!("router: no router #{}", f.router)));
    }
    let today = st.billing_today();
    let day = f.billing_day.unwrap_or(today.day().min(28));
    if !(1..=28).contains(&day) {
        return Err(Error::BadInput("billing_day: 1 to 28".into()));
    }
    let since = match &f.since {
        Some(s) => s
            .parse::<queue_model::clock::Date>()
            .map_err(|_| Error::BadInput("since: a date, YYYY-MM-DD".into()))?,
        None => today,
    };
    let package_id = match f
        .package
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(
            st.store
                .packages()?
                .into_iter()
                .find(|x| x.name.eq_ignore_ascii_case(p))
                .ok_or_else(|| Error::BadInput(format!("package: no package {p:?}")))?
                .id,
        ),
        None => None,
    };
    let phone = f.phone.as_deref().unwrap_or("").trim().to_owned();
    if !phone.is_empty() && phone.parse::<wa_notify::PhoneNumber>().is_err() {
        return Err(Error::BadInput(
            "phone: an international number, like +6281234567890".into(),
        ));
    }
    let grace = f.grace_days.unwrap_or(st.billing.grace_days);
    if grace > 60 {
        return Err(Error::BadInput("grace_days: at most 60".into()));
    }
    let mut n = NewCustomer::new(name, f.router, secret, day, grace, since.to_string());
    n.package_id = package_id;
    n.phone = phone;
    n.area = f
        .area
        .as_deref()
        .map(|a| crate::fmt::cap(a.trim(), 64))
        .unwrap_or_default();
    n.telegram_chat = f.telegram_chat;
    Ok(n)
}

async fn add_customer(
    State(st): State<Arc<Web>>,
    caller: ApiCaller,
    body: Result<Json<CustomerIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if let Some(r) = refuse_unless(&caller, caller.0.role == Role::Admin, "add customers") {
        return r;
    }
    let Json(f) = match body {
        Ok(b) => b,
        Err(e) => return fail(e.status(), e.body_text()),
    };
    let r = new_customer(&st, &f).and_then(|n| {
        let id = st.store.add_customer(&n)?;
        st.store.audit(
            &caller.name(),
            Some(n.router_id),
            "billing.customer.add",
            &format!("{} ({})", n.name, n.secret),
            true,
        )?;
        Ok(id)
    });
    match r {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => error_response(&e),
    }
}

#[derive(Debug, Deserialize)]
struct InvoiceQuery {
    status: Option<String>,
    month: Option<String>,
    customer: Option<i64>,
}

/// An invoice with its status, as the API and the reports show it.
#[derive(Debug, Serialize)]
pub struct InvoiceOut {
    /// Row id.
    pub id: i64,
    /// `INV-...`.
    pub number: String,
    /// Customer id.
    pub customer_id: i64,
    /// Customer name.
    pub customer: String,
    /// `YYYY-MM`.
    pub period: String,
    /// Issue date.
    pub issued: String,
    /// Due date.
    pub due: String,
    /// Amount.
    pub amount: i64,
    /// Paid of it.
    pub paid: i64,
    /// `paid`, `partial`, `unpaid`.
    pub status: &'static str,
}

/// Every invoice with its status (payments pay the oldest first).
pub fn invoices_with_status(store: &crate::storage::Store) -> Result<Vec<InvoiceOut>, Error> {
    let names: HashMap<i64, String> = store
        .customers()?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let paid = store.paid_totals()?;
    let mut by_customer: HashMap<i64, Vec<crate::storage::billing::Invoice>> = HashMap::new();
    for i in store.invoices()? {
        by_customer.entry(i.customer_id).or_default().push(i);
    }
    let mut out = Vec::new();
    for (cust, invs) in by_customer {
        let lines = invs
            .iter()
            .filter_map(|i| {
                Some(billing::ledger::Line {
                    id: i.id,
                    period: i.period.clone(),
                    due: i.due.parse().ok()?,
                    amount: i.amount,
                })
            })
            .collect();
        let ledger = Ledger::new(lines, paid.get(&cust).copied().unwrap_or(0));
        for i in invs {
            let status = ledger.status_of(i.id).unwrap_or(LineStatus::Unpaid);
            out.push(InvoiceOut {
                number: billing::invoice_number(i.id, &i.period),
                paid: match status {
                    LineStatus::Paid => i.amount,
                    LineStatus::Partial(p) => p,
                    LineStatus::Unpaid => 0,
                },
                status: status.as_str(),
                customer: names.get(&cust).cloned().unwrap_or_default(),
                id: i.id,
                customer_id: cust,
                period: i.period,
                issued: i.issued,
                due: i.due,
                amount: i.amount,
            });
        }
    }
    out.sort_by(|a, b| a.period.cmp(&b.period).then(a.id.cmp(&b.id)));
    Ok(out)
}

async fn invoices(
    State(st): State<Arc<Web>>,
    _caller: ApiCaller,
    q: Result<Query<InvoiceQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "query: status, month, customer",
        );
    };
    if let Some(s) = &q.status {
        if !matches!(s.as_str(), "paid" | "partial" | "unpaid" | "open") {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "status: paid, partial, unpaid or open (partial and unpaid)",
            );
        }
    }
    if let Some(m) = &q.month {
        if m.parse::<queue_model::clock::MonthKey>().is_err() || m.len() != 7 {
            return fail(StatusCode::UNPROCESSABLE_ENTITY, "month: YYYY-MM");
        }
    }
    match invoices_with_status(&st.store) {
        Ok(mut list) => {
            list.retain(|i| {
                q.month.as_ref().is_none_or(|m| &i.period == m)
                    && q.customer.is_none_or(|c| i.customer_id == c)
                    && q.status
                        .as_deref()
                        .is_none_or(|s| s == i.status || (s == "open" && i.status != "paid"))
            });
            Json(json!({ "invoices": list })).into_response()
        }
        Err(e) => error_response(&e),
    }
}

/// A payment (`POST /api/v1/payments`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentIn {
    /// Customer id or exact name.
    customer: serde_json::Value,
    /// A whole amount (a JSON integer or a string like "150.000").
    amount: serde_json::Value,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

async fn payment(
    State(st): State<Arc<Web>>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: Result<Json<PaymentIn>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if let Some(r) = refuse_unless(&caller, caller.0.role.can_sell(), "record payments") {
        return r;
    }
    let Json(f) = match body {
        Ok(b) => b,
        Err(e) => return fail(e.status(), e.body_text()),
    };
    let key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if !k.trim().is_empty() && k.len() <= MAX_KEY => {
            Some(format!("api:{}:{}", caller.0.id, k.trim()))
        }
        Some(_) => {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Idempotency-Key: 1 to {MAX_KEY} visible characters"),
            )
        }
    };
    let Ok(currency) = st.billing.currency() else {
        return fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "billing.currency is wrong",
        );
    };
    let amount = match &f.amount {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(v) if v > 0 && v <= st.billing.max_payment => Ok(v),
            Some(v) if v <= 0 => Err("amount: more than 0".to_owned()),
            Some(_) => Err(format!(
                "amount: at most {}",
                currency.format(st.billing.max_payment)
            )),
            None => Err("amount: a whole number (no decimals)".to_owned()),
        },
        serde_json::Value::String(s) => currency
            .parse(s, st.billing.max_payment)
            .map_err(|e| format!("amount: {e}")),
        _ => Err("amount: a whole number".to_owned()),
    };
    let amount = match amount {
        Ok(a) => a,
        Err(e) => return fail(StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let who = match &f.customer {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        _ => {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "customer: an id or a name",
            )
        }
    };
    let customer = match billing::find_customer(&st.store, &who) {
        Ok(c) => c,
        Err(e) => return error_response(&e),
    };
    let r = billing::record_payment(
        &st.store,
        &st.billing,
        &st.clients(),
        &customer,
        amount,
        f.method.as_deref().unwrap_or("api"),
        f.note.as_deref().unwrap_or(""),
        &caller.name(),
        key,
    )
    .await;
    match r {
        Ok(rec) => {
            let status = if rec.replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            (status, Json(rec)).into_response()
        }
        Err(e) => error_response(&e),
    }
}
