//! Billing administration: packages, importing a router's PPP secrets as customers, the
//! isolation setup wizard, running the cycle (a dry run first) and the pause switch. Every
//! change is shown first and made by a confirmed second request.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;

use super::billing::{confirm, fail, money, routers_value};
use super::{urlencode, Admin, Web};
use crate::billing;
use crate::routers::ppp;
use crate::storage::billing::Package;
use crate::Error;

/// The routes of this area.
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/billing/packages", post(save_package))
        .route("/billing/import", post(import_preview))
        .route("/billing/import/confirm", post(import_confirm))
        .route("/billing/run", post(run_preview))
        .route("/billing/run/confirm", post(run_confirm))
        .route("/billing/pause", post(pause))
        .route("/billing/setup", get(setup_page).post(setup_preview))
        .route("/billing/setup/apply", post(setup_apply))
}

#[derive(Debug, Deserialize)]
struct PackageForm {
    name: String,
    profile: String,
    price: String,
}

async fn save_package(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<PackageForm>,
) -> Response {
    let r = (|| -> Result<String, Error> {
        let name = billing::check_name("Package name", &f.name)?;
        let profile = billing::check_name("Profile", &f.profile)?;
        let price = money(&st)
            .parse(&f.price, billing::money::MAX_AMOUNT)
            .map_err(|e| Error::BadInput(format!("Price: {e}")))?;
        let old = st.store.packages()?.into_iter().find(|p| p.name == name);
        st.store.upsert_package(&name, &profile, price)?;
        let detail = match old {
            Some(o) => format!(
                "{name}: profile {} → {profile}, price {} → {price}",
                o.profile, o.price
            ),
            None => format!("{name}: profile {profile}, price {price}"),
        };
        st.store
            .audit(&s.user, None, "billing.package", &detail, true)?;
        Ok(name)
    })();
    match r {
        Ok(name) => Redirect::to(&format!(
            "/billing?done={}",
            urlencode(&format!("Package '{name}' saved."))
        ))
        .into_response(),
        Err(e) => fail(&st, &e),
    }
}

#[derive(Debug, Deserialize)]
struct ImportForm {
    router: i64,
}

/// The secrets of a router not yet linked to a customer, with the package their profile
/// maps to.
async fn importable(
    st: &Web,
    router: i64,
) -> Result<Vec<(String, String, Option<Package>)>, Error> {
    let r = st
        .hub
        .router(router)
        .ok_or_else(|| Error::NotFound(format!("no router #{router}")))?;
    let client = r
        .client()
        .ok_or_else(|| Error::Router(format!("{} is not connected", r.name)))?;
    let (secrets, _) = ppp::secrets(&client).await?;
    let taken: std::collections::HashSet<(i64, String)> = st
        .store
        .customers()?
        .into_iter()
        .map(|c| (c.router_id, c.secret))
        .collect();
    let names: std::collections::HashSet<String> = st
        .store
        .customers()?
        .into_iter()
        .map(|c| c.name.to_lowercase())
        .collect();
    let packages = st.store.packages()?;
    Ok(secrets
        .into_iter()
        .filter(|s| !taken.contains(&(router, s.name.clone())))
        .filter(|s| !names.contains(&s.name.to_lowercase()))
        .filter(|s| s.profile != st.billing.isolate_profile)
        .map(|s| {
            let p = packages.iter().find(|p| p.profile == s.profile).cloned();
            (s.name, s.profile, p)
        })
        .collect())
}

async fn import_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<ImportForm>,
) -> Response {
    match importable(&st, f.router).await {
        Ok(list) => {
            let cur = money(&st);
            let mut lines: Vec<String> = list
                .iter()
                .map(|(n, profile, p)| match p {
                    Some(p) => format!(
                        "{n}: profile {profile} → package {} ({})",
                        p.name,
                        cur.format(p.price)
                    ),
                    None => {
                        format!("{n}: profile {profile} → no package (not billed until one is set)")
                    }
                })
                .collect();
            if lines.is_empty() {
                lines.push("Every secret of this router is a customer already.".into());
            }
            let today = st.billing_today();
            lines.push(format!(
                "Each is billed from today ({today}) on day {} of the month; change it per customer.",
                today.day().min(28)
            ));
            confirm(
                &st,
                &s,
                &format!("Import {} PPP secrets as customers", list.len()),
                &lines,
                "/billing/import/confirm",
                &[("router", f.router.to_string())],
                "Import",
                "/billing",
            )
        }
        Err(e) => fail(&st, &e),
    }
}

async fn import_confirm(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<ImportForm>,
) -> Response {
    let r = async {
        let list = importable(&st, f.router).await?;
        let today = st.billing_today();
        let mut added = 0;
        for (name, _, p) in &list {
            // The secret's name is kept exactly (it is how the router is addressed); the
            // customer's name is what people read: printable and at most 64 characters.
            let shown = crate::fmt::cap(&crate::fmt::router_text(name), 64);
            let mut n = crate::storage::billing::NewCustomer::new(
                shown,
                f.router,
                name.clone(),
                today.day().min(28),
                st.billing.grace_days,
                today.to_string(),
            );
            n.package_id = p.as_ref().map(|p| p.id);
            match st.store.add_customer(&n) {
                Ok(_) => added += 1,
                Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        st.store.audit(
            &s.user,
            Some(f.router),
            "billing.import",
            &format!("{added} customers imported from PPP secrets"),
            true,
        )?;
        Ok::<_, Error>(added)
    }
    .await;
    match r {
        Ok(n) => Redirect::to(&format!(
            "/billing/customers?done={}",
            urlencode(&format!("{n} customers imported."))
        ))
        .into_response(),
        Err(e) => fail(&st, &e),
    }
}

#[derive(Debug, Deserialize)]
struct RunForm {
    #[serde(default)]
    as_of: String,
}

fn as_of(st: &Web, f: &RunForm) -> Result<queue_model::clock::Date, Error> {
    if f.as_of.trim().is_empty() {
        Ok(st.billing_today())
    } else {
        f.as_of
            .trim()
            .parse()
            .map_err(|_| Error::BadInput("Date: YYYY-MM-DD".into()))
    }
}

async fn run_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<RunForm>,
) -> Response {
    let r = async {
        let day = as_of(&st, &f)?;
        let report = billing::run_cycle(
            &st.store,
            &st.billing,
            &st.clients(),
            day,
            true,
            &s.user,
            None,
        )
        .await?;
        let lines: Vec<String> = report
            .text(&money(&st))
            .lines()
            .map(str::to_owned)
            .collect();
        Ok::<_, Error>(confirm(
            &st,
            &s,
            "Run the billing cycle",
            &lines,
            "/billing/run/confirm",
            &[("as_of", day.to_string())],
            "Run it",
            "/billing",
        ))
    }
    .await;
    r.unwrap_or_else(|e| fail(&st, &e))
}

async fn run_confirm(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<RunForm>,
) -> Response {
    let r = async {
        let day = as_of(&st, &f)?;
        let report = billing::run_cycle(
            &st.store,
            &st.billing,
            &st.clients(),
            day,
            false,
            &s.user,
            None,
        )
        .await?;
        billing::queue_digest(&st.store, &st.billing, &report)?;
        Ok::<_, Error>(report)
    }
    .await;
    match r {
        Ok(rep) => Redirect::to(&format!(
            "/billing?done={}",
            urlencode(&format!(
                "Cycle run: {} invoices, {} reminders, {} isolated, {} restored{}.",
                rep.invoices.len(),
                rep.reminders.len(),
                rep.isolated.len(),
                rep.restored.len(),
                if rep.skipped.is_empty() {
                    String::new()
                } else {
                    format!("; {} left for the next run", rep.skipped.len())
                }
            ))
        ))
        .into_response(),
        Err(e) => fail(&st, &e),
    }
}

#[derive(Debug, Deserialize)]
struct PauseForm {
    paused: String,
}

async fn pause(State(st): State<Arc<Web>>, Admin(s): Admin, Form(f): Form<PauseForm>) -> Response {
    let on = f.paused == "yes";
    let r = st
        .store
        .set_billing_state("paused", if on { "yes" } else { "no" })
        .and_then(|()| {
            st.store.audit(
                &s.user,
                None,
                "billing.pause",
                if on {
                    "isolation paused"
                } else {
                    "isolation resumed"
                },
                true,
            )
        });
    match r {
        Ok(()) => Redirect::to(&format!(
            "/billing?done={}",
            urlencode(if on {
                "Isolation paused: nobody is isolated until you resume."
            } else {
                "Isolation resumed."
            })
        ))
        .into_response(),
        Err(e) => fail(&st, &e),
    }
}

#[derive(Debug, Deserialize)]
struct SetupForm {
    router: i64,
    notice: String,
    #[serde(default)]
    pool: String,
    #[serde(default)]
    local_address: String,
    #[serde(default)]
    rate_limit: String,
}

async fn setup_page(State(st): State<Arc<Web>>, Admin(s): Admin) -> Response {
    let notice = st
        .billing
        .notice_listen
        .map(|a| match a {
            std::net::SocketAddr::V4(v) if !v.ip().is_unspecified() => v.to_string(),
            _ => format!("NOC-LAN-IP:{}", a.port()),
        })
        .unwrap_or_default();
    st.page(
        &s,
        "billing_setup.html",
        "billing",
        context! {
            routers => routers_value(&st), notice => notice,
            profile => st.billing.isolate_profile.clone(),
            listening => st.billing.notice_listen.map(|a| a.to_string()),
        },
    )
}

fn setup_of(st: &Web, f: &SetupForm) -> Result<ppp::IsolationSetup, Error> {
    let notice: std::net::SocketAddrV4 = f.notice.trim().parse().map_err(|_| {
        Error::BadInput(
            "Notice page: noc's address as the router reaches it, IP:PORT (like 192.168.88.10:8081)"
                .into(),
        )
    })?;
    let mut setup = ppp::IsolationSetup::new(&st.billing.isolate_profile, notice);
    if !f.pool.trim().is_empty() {
        setup.pool_ranges = f.pool.trim().to_owned();
    }
    if !f.local_address.trim().is_empty() {
        setup.local_address = f.local_address.trim().to_owned();
    }
    if !f.rate_limit.trim().is_empty() {
        setup.rate_limit = f.rate_limit.trim().to_owned();
    }
    setup.validate()?;
    Ok(setup)
}

async fn setup_commands(
    st: &Web,
    f: &SetupForm,
) -> Result<(Vec<ppp::SetupCommand>, String), Error> {
    let setup = setup_of(st, f)?;
    let r = st
        .hub
        .router(f.router)
        .ok_or_else(|| Error::NotFound(format!("no router #{}", f.router)))?;
    let client = r
        .client()
        .ok_or_else(|| Error::Router(format!("{} is not connected", r.name)))?;
    Ok((ppp::setup_plan(&client, &setup).await?, r.name.clone()))
}

async fn setup_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<SetupForm>,
) -> Response {
    match setup_commands(&st, &f).await {
        Ok((cmds, name)) => {
            let mut lines: Vec<String> = cmds.iter().map(|c| c.line.clone()).collect();
            if lines.is_empty() {
                lines.push(format!("{name} has everything isolation needs already."));
            }
            confirm(
                &st,
                &s,
                &format!("Isolation setup on {name}"),
                &lines,
                "/billing/setup/apply",
                &[
                    ("router", f.router.to_string()),
                    ("notice", f.notice.clone()),
                    ("pool", f.pool.clone()),
                    ("local_address", f.local_address.clone()),
                    ("rate_limit", f.rate_limit.clone()),
                ],
                "Apply on the router",
                "/billing/setup",
            )
        }
        Err(e) => fail(&st, &e),
    }
}

async fn setup_apply(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<SetupForm>,
) -> Response {
    let r = async {
        let (cmds, name) = setup_commands(&st, &f).await?;
        let client = st
            .hub
            .router(f.router)
            .and_then(|r| r.client())
            .ok_or_else(|| Error::Router("the router is not connected".into()))?;
        let (sent, err) = ppp::apply_setup(&client, &cmds).await;
        let detail = match &err {
            None => sent.join("\n"),
            Some(e) => format!("{}\nfailed: {e}", sent.join("\n")),
        };
        st.store.audit(
            &s.user,
            Some(f.router),
            "billing.setup",
            &detail,
            err.is_none(),
        )?;
        match err {
            None => Ok(format!(
                "Isolation set up on {name} ({} commands).",
                sent.len()
            )),
            Some(e) => Err(Error::Router(e)),
        }
    }
    .await;
    match r {
        Ok(msg) => Redirect::to(&format!("/billing?done={}", urlencode(&msg))).into_response(),
        Err(e) => fail(&st, &e),
    }
}
