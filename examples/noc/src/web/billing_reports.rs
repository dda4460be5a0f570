//! Billing reports: revenue per month, paid and unpaid invoices of a month, arrears, and CSV
//! of invoices, payments and arrears.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::api::invoices_with_status;
use super::billing::{fail, invoice_status, money, rows};
use super::{Current, Web};
use crate::billing;
use crate::Error;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/billing/reports", get(reports_page))
        .route("/billing/reports.csv", get(reports_csv))
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    kind: String,
}

async fn reports_page(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<ReportQuery>,
) -> Response {
    let lang = s.lang;
    let r = (|| -> Result<Value, Error> {
        let cur = money(&st);
        let today = st.billing_today();
        let month = if q.month.len() == 7 {
            q.month.clone()
        } else {
            format!("{:04}-{:02}", today.year(), today.month())
        };
        let months: Vec<_> = st
            .store
            .billing_months(12)?
            .into_iter()
            .map(|m| {
                serde_json::json!({"month": m.month, "invoiced": cur.format_in(lang, m.invoiced),
                    "received": cur.format_in(lang, m.received), "invoices": m.invoices,
                    "payments": m.payments})
            })
            .collect();
        let invoices = invoices_with_status(&st.store)?;
        let of_month: Vec<_> = invoices.iter().filter(|i| i.period == month).collect();
        let paid = of_month.iter().filter(|i| i.status == "paid").count();
        let arrears: Vec<_> = rows(&st, lang)?
            .into_iter()
            .filter(|r| r.balance > 0)
            .collect();
        Ok(context! {
            month => month, months => Value::from_serialize(&months),
            paid => paid, unpaid => of_month.len() - paid,
            unpaid_list => Value::from_serialize(of_month.iter().filter(|i| i.status != "paid").map(|i| serde_json::json!({
                "customer": i.customer, "customer_id": i.customer_id, "number": i.number,
                "amount": cur.format_in(lang, i.amount - i.paid), "status": i.status,
                "status_text": invoice_status(lang, i.status),
            })).collect::<Vec<_>>()),
            arrears => Value::from_serialize(&arrears),
        })
    })();
    match r {
        Ok(ctx) => st.page(&s, "billing_reports.html", "billing", ctx),
        Err(e) => fail(&st, lang, &e),
    }
}

fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

async fn reports_csv(
    State(st): State<Arc<Web>>,
    Current(s): Current,
    Query(q): Query<ReportQuery>,
) -> Response {
    let r = (|| -> Result<String, Error> {
        let mut out = String::new();
        match q.kind.as_str() {
            "payments" => {
                out.push_str("receipt,date,customer,amount,method,recorded_by,note\r\n");
                let names: HashMap<i64, String> = st
                    .store
                    .customers()?
                    .into_iter()
                    .map(|c| (c.id, c.name))
                    .collect();
                let (from, to) = if q.month.len() == 7 {
                    (format!("{}-01", q.month), format!("{}-31", q.month))
                } else {
                    ("0000-00-00".into(), "9999-99-99".into())
                };
                for p in st.store.payments_between(&from, &to)? {
                    out.push_str(&format!(
                        "{},{},{},{},{},{},{}\r\n",
                        billing::receipt_number(p.id),
                        p.date,
                        csv_field(names.get(&p.customer_id).map_or("", String::as_str)),
                        p.amount,
                        csv_field(&p.method),
                        csv_field(&p.recorded_by),
                        csv_field(&p.note)
                    ));
                }
            }
            "arrears" => {
                out.push_str("customer,area,package,balance,isolated\r\n");
                for r in rows(&st, s.lang)?.into_iter().filter(|r| r.balance > 0) {
                    out.push_str(&format!(
                        "{},{},{},{},{}\r\n",
                        csv_field(&r.name),
                        csv_field(&r.area),
                        csv_field(&r.package),
                        r.balance,
                        r.isolated
                    ));
                }
            }
            _ => {
                out.push_str("invoice,period,customer,issued,due,amount,paid,status\r\n");
                for i in invoices_with_status(&st.store)? {
                    if q.month.len() == 7 && i.period != q.month {
                        continue;
                    }
                    out.push_str(&format!(
                        "{},{},{},{},{},{},{},{}\r\n",
                        i.number,
                        i.period,
                        csv_field(&i.customer),
                        i.issued,
                        i.due,
                        i.amount,
                        i.paid,
                        i.status
                    ));
                }
            }
        }
        Ok(out)
    })();
    match r {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"billing.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => fail(&st, s.lang, &e),
    }
}
