//! Billing pages: the month at a glance, customers and their accounts, payments with a
//! preview and a printable receipt, isolating and restoring one customer. Packages, import,
//! the isolation setup, running the cycle and the pause switch are in [`super::billing_setup`];
//! reports and CSV in [`super::billing_reports`].
//!
//! Every change to a router or to money is shown first and made by a second, confirmed
//! request; a payment form carries a key made at preview time, so a double submit records
//! once.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

use super::api::{new_customer, CustomerIn};
use super::{urlencode, Admin, Current, Seller, Web};
use crate::billing::{self, LineStatus};
use crate::i18n::Lang;
use crate::routers::ppp;
use crate::storage::billing::{Customer, Package};
use crate::{tr, Error};

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/billing", get(billing_page))
        .route("/billing/customers", get(customers_page).post(add_customer))
        .route("/billing/customers/{id}", get(customer_page))
        .route("/billing/customers/{id}/edit", post(edit_customer))
        .route("/billing/customers/{id}/pay", post(pay_preview))
        .route("/billing/customers/{id}/pay/confirm", post(pay_confirm))
        .route("/billing/customers/{id}/isolate", post(isolate_preview))
        .route("/billing/customers/{id}/restore", post(restore_preview))
        .route(
            "/billing/customers/{id}/isolation/confirm",
            post(isolation_confirm),
        )
        .route("/billing/receipts/{id}", get(receipt_page))
}

pub(super) fn fail(st: &Web, lang: Lang, e: &Error) -> Response {
    let status = match e {
        Error::BadInput(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Router(_) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    st.error_page_in(lang, status, &e.to_string())
}

pub(super) fn money(st: &Web) -> billing::Currency {
    st.billing
        .currency()
        .unwrap_or_else(|_| billing::Currency::idr())
}

/// Why a typed amount was refused, in `lang`.
pub(super) fn money_error(lang: Lang, e: &billing::MoneyError) -> String {
    use billing::MoneyError as M;
    match e {
        M::Empty => tr!(lang, "billing-money-empty"),
        M::NotANumber(t) => tr!(lang, "billing-money-not-a-number", typed = format!("{t:?}")),
        M::Fraction(t, unit) => tr!(
            lang,
            "billing-money-fraction",
            typed = format!("{t:?}"),
            unit = unit
        ),
        M::NotPositive => tr!(lang, "billing-money-not-positive"),
        M::TooLarge(t, max) => tr!(lang, "billing-money-too-large", typed = t, max = max),
        other => other.to_string(),
    }
}

/// A customer with their account, as the pages show them.
#[derive(Debug, Serialize)]
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) area: String,
    pub(super) package: String,
    pub(super) balance: i64,
    pub(super) balance_text: String,
    pub(super) status: String,
    pub(super) isolated: bool,
    pub(super) exempt: bool,
    pub(super) router: String,
}

pub(super) fn rows(st: &Web, lang: Lang) -> Result<Vec<Row>, Error> {
    let cur = money(st);
    let packages: HashMap<i64, Package> = st
        .store
        .packages()?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let routers: HashMap<i64, String> = st
        .store
        .routers()?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let balances = st.store.balances()?;
    Ok(st
        .store
        .customers()?
        .into_iter()
        .map(|c| {
            let balance = balances.get(&c.id).copied().unwrap_or(0);
            Row {
                balance,
                balance_text: cur.format_in(lang, balance),
                package: c
                    .package_id
                    .and_then(|p| packages.get(&p))
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                router: routers.get(&c.router_id).cloned().unwrap_or_default(),
                id: c.id,
                name: c.name,
                area: c.area,
                status: c.status,
                isolated: c.isolated,
                exempt: c.exempt,
            }
        })
        .collect())
}

pub(super) fn routers_value(st: &Web) -> Value {
    Value::from_serialize(
        st.hub
            .routers()
            .iter()
            .map(|r| serde_json::json!({"id": r.id, "name": r.name}))
            .collect::<Vec<_>>(),
    )
}

pub(super) fn packages_value(st: &Web, lang: Lang) -> Result<Value, Error> {
    let cur = money(st);
    Ok(Value::from_serialize(
        st.store
            .packages()?
            .iter()
            .map(|p| {
                serde_json::json!({"id": p.id, "name": p.name, "profile": p.profile,
                    "price": p.price, "price_text": cur.format_in(lang, p.price)})
            })
            .collect::<Vec<_>>(),
    ))
}

async fn billing_page(State(st): State<Arc<Web>>, Current(s): Current) -> Response {
    let r = (|| -> Result<Value, Error> {
        let cur = money(&st);
        let today = st.billing_today();
        let month = format!("{:04}-{:02}", today.year(), today.month());
        let lang = s.lang;
        let rows = rows(&st, lang)?;
        let months = st.store.billing_months(1)?;
        let this = months
            .iter()
            .find(|m| m.month == month)
            .cloned()
            .unwrap_or_default();
        let owing: Vec<&Row> = rows.iter().filter(|r| r.balance > 0).collect();
        let owed: i64 = owing.iter().map(|r| r.balance).sum();
        Ok(context! {
            month => month,
            invoiced => cur.format_in(lang, this.invoiced),
            received => cur.format_in(lang, this.received),
            customers => rows.len(),
            owing => owing.len(),
            owed => cur.format_in(lang, owed),
            isolated => rows.iter().filter(|r| r.isolated).count(),
            last_run => st.store.billing_state("last_run")?,
            paused => st.store.billing_state("paused")?.as_deref() == Some("yes"),
            packages => packages_value(&st, lang)?,
            routers => routers_value(&st),
            today => today.to_string(),
            billing_day => today.day().min(28),
            grace_days => st.billing.grace_days,
            seller => s.role.can_sell(),
        })
    })();
    match r {
        Ok(ctx) => st.page(&s, "billing.html", "billing", ctx),
        Err(e) => fail(&st, s.lang, &e),
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    show: String,
}

async fn customers_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<ListQuery>,
) -> Response {
    match rows(&st, s.lang) {
        Ok(mut rows) => {
            let needle = q.q.trim().to_lowercase();
            rows.retain(|r| {
                (needle.is_empty()
                    || r.name.to_lowercase().contains(&needle)
                    || r.area.to_lowercase().contains(&needle))
                    && match q.show.as_str() {
                        "owing" => r.balance > 0,
                        "isolated" => r.isolated,
                        "exempt" => r.exempt,
                        "inactive" => r.status == "inactive",
                        _ => true,
                    }
            });
            st.page(
                &s,
                "billing_customers.html",
                "billing",
                context! { rows => Value::from_serialize(&rows), q => q.q, show => q.show },
            )
        }
        Err(e) => fail(&st, s.lang, &e),
    }
}

pub(super) fn customer_or_404(st: &Web, lang: Lang, id: i64) -> Result<Customer, Error> {
    st.store
        .customer(id)?
        .ok_or_else(|| Error::NotFound(tr!(lang, "billing-err-no-customer", id = id.to_string())))
}

/// An invoice's status (`paid`, `partial`, `unpaid`) in `lang`.
pub(super) fn invoice_status(lang: Lang, status: &str) -> String {
    match status {
        "paid" => tr!(lang, "billing-invoice-paid"),
        "partial" => tr!(lang, "billing-invoice-partial"),
        "unpaid" => tr!(lang, "billing-invoice-unpaid"),
        other => other.to_owned(),
    }
}

async fn customer_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Path(id): Path<i64>,
) -> Response {
    let lang = s.lang;
    let r = (|| -> Result<Value, Error> {
        let cur = money(&st);
        let c = customer_or_404(&st, lang, id)?;
        let invoices = st.store.invoices_of(id)?;
        let payments = st.store.payments_of(id)?;
        let ledger = billing::ledger_of(&st.store, id)?;
        let lines: Vec<_> = invoices
            .iter()
            .rev()
            .map(|i| {
                let status = ledger.status_of(i.id).unwrap_or(LineStatus::Unpaid);
                serde_json::json!({
                    "number": billing::invoice_number(i.id, &i.period),
                    "period": i.period, "due": i.due, "amount": cur.format_in(lang, i.amount),
                    "description": i.description, "status": status.as_str(),
                    "status_text": invoice_status(lang, status.as_str()),
                })
            })
            .collect();
        let pays: Vec<_> = payments
            .iter()
            .rev()
            .map(|p| {
                serde_json::json!({
                    "id": p.id, "receipt": billing::receipt_number(p.id), "date": p.date,
                    "amount": cur.format_in(lang, p.amount), "method": p.method, "by": p.recorded_by,
                    "note": p.note,
                })
            })
            .collect();
        let router = st
            .store
            .routers()?
            .into_iter()
            .find(|r| r.id == c.router_id)
            .map(|r| r.name)
            .unwrap_or_else(|| format!("#{}", c.router_id));
        Ok(context! {
            c => Value::from_serialize(&c), router => router,
            balance => ledger.balance(), balance_text => cur.format_in(lang, ledger.balance()),
            invoices => Value::from_serialize(&lines), payments => Value::from_serialize(&pays),
            packages => packages_value(&st, lang)?, seller => s.role.can_sell(),
            suggested => ledger.balance().max(0),
        })
    })();
    match r {
        Ok(ctx) => st.page(&s, "billing_customer.html", "billing", ctx),
        Err(e) => fail(&st, lang, &e),
    }
}

#[derive(Debug, Deserialize)]
struct CustomerForm {
    name: String,
    #[serde(default)]
    router: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    package: String,
    #[serde(default)]
    billing_day: String,
    #[serde(default)]
    grace_days: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    telegram_chat: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    exempt: Option<String>,
    #[serde(default)]
    language: String,
}

fn number<T: std::str::FromStr>(lang: Lang, field: &str, s: &str) -> Result<Option<T>, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| Error::BadInput(tr!(lang, "billing-err-whole-number", field = field)))
}

fn form_to_input(lang: Lang, f: &CustomerForm) -> Result<CustomerIn, Error> {
    Ok(CustomerIn {
        name: f.name.clone(),
        router: number(lang, &tr!(lang, "billing-field-router"), &f.router)?
            .ok_or_else(|| Error::BadInput(tr!(lang, "billing-err-pick-router")))?,
        secret: f.secret.clone(),
        package: Some(f.package.clone()),
        billing_day: number(
            lang,
            &tr!(lang, "billing-field-billing-day"),
            &f.billing_day,
        )?,
        grace_days: number(lang, &tr!(lang, "billing-field-grace-days"), &f.grace_days)?,
        phone: Some(f.phone.clone()),
        area: Some(f.area.clone()),
        telegram_chat: number(lang, &tr!(lang, "billing-telegram-chat"), &f.telegram_chat)?,
        since: Some(f.since.clone()).filter(|s| !s.trim().is_empty()),
    })
}

async fn add_customer(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<CustomerForm>,
) -> Response {
    let lang = s.lang;
    let r = form_to_input(lang, &f)
        .and_then(|input| new_customer(&st, &input))
        .and_then(|n| {
            let id = st.store.add_customer(&n)?;
            st.store.audit(
                &s.user,
                Some(n.router_id),
                "billing.customer.add",
                &format!("{} ({})", n.name, n.secret),
                true,
            )?;
            Ok((id, n.name))
        });
    match r {
        Ok((id, name)) => Redirect::to(&format!(
            "/billing/customers/{id}?done={}",
            urlencode(&tr!(lang, "billing-customer-added", name = name))
        ))
        .into_response(),
        Err(e) => fail(&st, lang, &e),
    }
}

async fn edit_customer(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(f): Form<CustomerForm>,
) -> Response {
    let status_in = f.status.trim().to_owned();
    let exempt = f.exempt.is_some();
    let language_in = f.language.trim().to_owned();
    let lang = s.lang;
    let r = (|| -> Result<String, Error> {
        let old = customer_or_404(&st, lang, id)?;
        let mut input = form_to_input(
            lang,
            &CustomerForm {
                router: old.router_id.to_string(),
                secret: old.secret.clone(),
                ..f
            },
        )?;
        if input.since.is_none() {
            input.since = Some(old.since.clone());
        }
        let n = new_customer(&st, &input)?;
        let status = if status_in.is_empty() {
            billing::Status::parse(&old.status).unwrap_or(billing::Status::Active)
        } else {
            billing::Status::parse(&status_in)
                .ok_or_else(|| Error::BadInput(tr!(lang, "billing-err-status")))?
        };
        let mut c = old.clone();
        c.name = n.name;
        c.area = n.area;
        c.phone = n.phone;
        c.telegram_chat = n.telegram_chat;
        c.package_id = n.package_id;
        c.billing_day = n.billing_day;
        c.grace_days = n.grace_days;
        c.since = n.since;
        c.status = status.as_str().to_owned();
        c.exempt = exempt;
        // Empty: `[billing] language`; anything else must be a language noc speaks.
        c.language = if language_in.is_empty() {
            None
        } else {
            Some(Lang::parse(&language_in).ok_or_else(|| {
                Error::BadInput(tr!(
                    lang,
                    "language-unknown",
                    language = crate::fmt::cap(&language_in, 16)
                ))
            })?)
        };
        st.store.update_customer(&c)?;
        let mut changes = Vec::new();
        let code = |l: Option<Lang>| l.map_or("default", Lang::code).to_owned();
        let fields: [(&str, String, String); 9] = [
            ("name", old.name.clone(), c.name.clone()),
            ("area", old.area.clone(), c.area.clone()),
            ("phone", old.phone.clone(), c.phone.clone()),
            (
                "package",
                format!("{:?}", old.package_id),
                format!("{:?}", c.package_id),
            ),
            (
                "billing day",
                old.billing_day.to_string(),
                c.billing_day.to_string(),
            ),
            (
                "grace days",
                old.grace_days.to_string(),
                c.grace_days.to_string(),
            ),
            ("status", old.status.clone(), c.status.clone()),
            ("exempt", old.exempt.to_string(), c.exempt.to_string()),
            ("language", code(old.language), code(c.language)),
        ];
        for (k, a, b) in fields {
            if a != b {
                changes.push(format!("{k}: {a} → {b}"));
            }
        }
        st.store.audit(
            &s.user,
            Some(c.router_id),
            "billing.customer.edit",
            &format!("{}: {}", c.name, changes.join(", ")),
            true,
        )?;
        Ok(c.name)
    })();
    match r {
        Ok(name) => Redirect::to(&format!(
            "/billing/customers/{id}?done={}",
            urlencode(&tr!(lang, "billing-customer-saved", name = name))
        ))
        .into_response(),
        Err(e) => fail(&st, lang, &e),
    }
}

/// A confirmation page: what will happen, then one button.
#[allow(clippy::too_many_arguments)]
pub(super) fn confirm(
    st: &Web,
    s: &crate::auth::Session,
    title: &str,
    lines: &[String],
    action: &str,
    fields: &[(&str, String)],
    button: &str,
    back: &str,
) -> Response {
    st.page(
        s,
        "billing_confirm.html",
        "billing",
        context! {
            title => title, lines => lines, action => action,
            fields => Value::from_serialize(fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Vec<_>>()),
            button => button, back => back,
        },
    )
}

#[derive(Debug, Deserialize)]
struct PayForm {
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    key: String,
}

async fn pay_preview(
    State(st): State<Arc<Web>>,
    Seller(s): Seller,
    Path(id): Path<i64>,
    Form(f): Form<PayForm>,
) -> Response {
    let lang = s.lang;
    let r = (|| -> Result<Response, Error> {
        let c = customer_or_404(&st, lang, id)?;
        let cur = money(&st);
        let amount = cur.parse(&f.amount, st.billing.max_payment).map_err(|e| {
            Error::BadInput(tr!(
                lang,
                "billing-err-amount",
                reason = money_error(lang, &e)
            ))
        })?;
        let after = billing::ledger_of(&st.store, id)?.balance() - amount;
        let method = if f.method.trim().is_empty() {
            "cash".to_owned()
        } else {
            f.method.trim().to_owned()
        };
        let after_text = if after < 0 {
            format!(
                "{} {}",
                cur.format_in(lang, after),
                tr!(lang, "billing-credit")
            )
        } else {
            cur.format_in(lang, after)
        };
        let mut lines = vec![
            tr!(
                lang,
                "billing-pay-record",
                amount = cur.format_in(lang, amount),
                name = &c.name,
                method = &method
            ),
            tr!(lang, "billing-pay-balance-after", balance = after_text),
        ];
        if c.isolated {
            lines.push(if after <= 0 {
                tr!(lang, "billing-pay-restores")
            } else {
                tr!(lang, "billing-pay-stays-isolated")
            });
        }
        Ok(confirm(
            &st,
            &s,
            &tr!(lang, "billing-record-payment"),
            &lines,
            &format!("/billing/customers/{id}/pay/confirm"),
            &[
                ("amount", amount.to_string()),
                ("method", method),
                ("note", f.note.clone()),
                ("key", crate::auth::random_token()),
            ],
            &tr!(lang, "billing-pay-button"),
            &format!("/billing/customers/{id}"),
        ))
    })();
    r.unwrap_or_else(|e| fail(&st, lang, &e))
}

async fn pay_confirm(
    State(st): State<Arc<Web>>,
    Seller(s): Seller,
    Path(id): Path<i64>,
    Form(f): Form<PayForm>,
) -> Response {
    let lang = s.lang;
    let c = match customer_or_404(&st, lang, id) {
        Ok(c) => c,
        Err(e) => return fail(&st, lang, &e),
    };
    let Ok(amount) = f.amount.trim().parse::<i64>() else {
        return fail(
            &st,
            lang,
            &Error::BadInput(tr!(
                lang,
                "billing-err-whole-number",
                field = tr!(lang, "billing-amount")
            )),
        );
    };
    if amount <= 0 || amount > st.billing.max_payment {
        let max = money(&st).format_in(lang, st.billing.max_payment);
        return fail(
            &st,
            lang,
            &Error::BadInput(tr!(lang, "billing-err-amount-range", max = max)),
        );
    }
    if f.note.chars().count() > 200 || f.note.chars().any(char::is_control) {
        return fail(&st, lang, &Error::BadInput(tr!(lang, "billing-err-note")));
    }
    let key = (!f.key.trim().is_empty() && f.key.len() <= 128)
        .then(|| format!("web:{}:{}", s.user_id, f.key.trim()));
    match billing::record_payment(
        &st.store,
        &st.billing,
        &st.clients(),
        &c,
        amount,
        &f.method,
        &f.note,
        &s.user,
        key,
    )
    .await
    {
        Ok(rec) => {
            let mut msg = tr!(lang, "billing-pay-recorded", receipt = &rec.receipt);
            if rec.restored {
                msg.push(' ');
                msg.push_str(&tr!(lang, "billing-pay-restored"));
            }
            if let Some(p) = rec.pending {
                msg.push(' ');
                msg.push_str(&tr!(lang, "billing-pay-pending", reason = p));
            }
            Redirect::to(&format!(
                "/billing/receipts/{}?done={}",
                rec.payment.id,
                urlencode(&msg)
            ))
            .into_response()
        }
        Err(e) => fail(&st, lang, &e),
    }
}

async fn receipt_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Path(id): Path<i64>,
) -> Response {
    let lang = s.lang;
    let r = (|| -> Result<Value, Error> {
        let cur = money(&st);
        let p = st
            .store
            .payment(id)?
            .ok_or_else(|| Error::NotFound(tr!(lang, "receipt-not-found", id = id.to_string())))?;
        let c = customer_or_404(&st, lang, p.customer_id)?;
        let invoiced: i64 = st.store.invoices_of(c.id)?.iter().map(|i| i.amount).sum();
        let paid: i64 = st
            .store
            .payments_of(c.id)?
            .iter()
            .filter(|x| x.id <= p.id)
            .map(|x| x.amount)
            .sum();
        Ok(context! {
            number => billing::receipt_number(p.id), date => p.date,
            customer => c.name, area => c.area, amount => cur.format_in(lang, p.amount),
            method => p.method, note => p.note, by => p.recorded_by,
            balance => cur.format_in(lang, invoiced - paid), customer_id => c.id,
            pay_to => st.billing.pay_to.clone(),
        })
    })();
    match r {
        Ok(ctx) => st.render_in(lang, "billing_receipt.html", ctx),
        Err(e) => fail(&st, lang, &e),
    }
}

async fn isolation_preview(st: &Web, s: &crate::auth::Session, id: i64, isolate: bool) -> Response {
    let lang = s.lang;
    let r = async {
        let c = customer_or_404(st, lang, id)?;
        let router = st
            .hub
            .router(c.router_id)
            .ok_or_else(|| Error::NotFound(tr!(lang, "billing-err-router-not-configured")))?;
        let client = router.client().ok_or_else(|| {
            Error::Router(tr!(
                lang,
                "billing-err-router-unknown-state",
                router = &router.name
            ))
        })?;
        let (secrets, sessions, profiles) = ppp::ppp_state(&client).await?;
        let secret = secrets.get(&c.secret).ok_or_else(|| {
            Error::NotFound(tr!(
                lang,
                "billing-err-no-secret",
                router = &router.name,
                secret = format!("{:?}", c.secret)
            ))
        })?;
        if isolate && !profiles.contains(&st.billing.isolate_profile) {
            return Err(Error::BadInput(tr!(
                lang,
                "billing-err-no-isolate-profile",
                profile = format!("{:?}", st.billing.isolate_profile)
            )));
        }
        let target = if isolate {
            st.billing.isolate_profile.clone()
        } else {
            st.store
                .packages()?
                .into_iter()
                .find(|p| Some(p.id) == c.package_id)
                .map(|p| p.profile)
                .or_else(|| c.restore_profile.clone())
                .unwrap_or_else(|| "default".into())
        };
        let n = sessions.get(&c.secret).map_or(0, Vec::len);
        let mut lines = vec![tr!(
            lang,
            "billing-isolation-set",
            router = &router.name,
            command = format!("/ppp/secret/set {} profile={target}", c.secret),
            now = &secret.profile
        )];
        if n > 0 {
            lines.push(tr!(
                lang,
                "billing-isolation-sessions",
                count = n.to_string(),
                profile = &target
            ));
        }
        if !isolate {
            lines.push(tr!(lang, "billing-isolation-again"));
        }
        Ok::<_, Error>(confirm(
            st,
            s,
            &if isolate {
                tr!(lang, "billing-isolate-title")
            } else {
                tr!(lang, "billing-restore-title")
            },
            &lines,
            &format!("/billing/customers/{id}/isolation/confirm"),
            &[("isolate", if isolate { "yes" } else { "no" }.to_owned())],
            &if isolate {
                tr!(lang, "billing-isolate")
            } else {
                tr!(lang, "billing-restore")
            },
            &format!("/billing/customers/{id}"),
        ))
    }
    .await;
    r.unwrap_or_else(|e| fail(st, lang, &e))
}

async fn isolate_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
) -> Response {
    isolation_preview(&st, &s, id, true).await
}

async fn restore_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
) -> Response {
    isolation_preview(&st, &s, id, false).await
}

#[derive(Debug, Deserialize)]
struct IsolationForm {
    isolate: String,
}

async fn isolation_confirm(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(f): Form<IsolationForm>,
) -> Response {
    let isolate = f.isolate == "yes";
    let lang = s.lang;
    let r = async {
        let c = customer_or_404(&st, lang, id)?;
        let client = st
            .hub
            .router(c.router_id)
            .and_then(|r| r.client())
            .ok_or_else(|| Error::Router(tr!(lang, "billing-err-router-not-connected")))?;
        let done =
            billing::force_by_hand(&st.store, &st.billing, &client, &c, isolate, &s.user).await?;
        Ok::<_, Error>(tr!(
            lang,
            "billing-forced",
            name = &c.name,
            secret = &c.secret,
            from = &done.from,
            to = &done.to,
            ended = done.ended.to_string()
        ))
    }
    .await;
    match r {
        Ok(detail) => Redirect::to(&format!(
            "/billing/customers/{id}?done={}",
            urlencode(&detail)
        ))
        .into_response(),
        Err(e) => fail(&st, lang, &e),
    }
}
