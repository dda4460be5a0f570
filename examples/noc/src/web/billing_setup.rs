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
use crate::i18n::Lang;
use crate::routers::ppp;
use crate::storage::billing::Package;
use crate::{tr, Error};

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
    let lang = s.lang;
    let r = (|| -> Result<String, Error> {
        let name = billing::check_name_in(lang, &tr!(lang, "setup-field-package-name"), &f.name)?;
        let profile = billing::check_name_in(lang, &tr!(lang, "setup-field-profile"), &f.profile)?;
        let price = money(&st)
            .parse(&f.price, billing::money::MAX_AMOUNT)
            .map_err(|e| {
                Error::BadInput(tr!(
                    lang,
                    "setup-err-price",
                    reason = super::billing::money_error(lang, &e)
                ))
            })?;
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
            urlencode(&tr!(lang, "setup-package-saved", name = name))
        ))
        .into_response(),
        Err(e) => fail(&st, lang, &e),
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
    lang: Lang,
    router: i64,
) -> Result<Vec<(String, String, Option<Package>)>, Error> {
    let r = st.hub.router(router).ok_or_else(|| {
        Error::NotFound(tr!(lang, "setup-err-no-router", id = router.to_string()))
    })?;
    let client = r
        .client()
        .ok_or_else(|| Error::Router(tr!(lang, "setup-err-not-connected", router = &r.name)))?;
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
    let lang = s.lang;
    match importable(&st, lang, f.router).await {
        Ok(list) => {
            let cur = money(&st);
            let mut lines: Vec<String> = list
                .iter()
                .map(|(n, profile, p)| match p {
                    Some(p) => tr!(
                        lang,
                        "setup-import-line",
                        secret = n,
                        profile = profile,
                        package = &p.name,
                        price = cur.format_in(lang, p.price)
                    ),
                    None => tr!(
                        lang,
                        "setup-import-line-no-package",
                        secret = n,
                        profile = profile
                    ),
                })
                .collect();
            if lines.is_empty() {
                lines.push(tr!(lang, "setup-import-nothing"));
            }
            let today = st.billing_today();
            lines.push(tr!(
                lang,
                "setup-import-billed-from",
                today = today.to_string(),
                day = today.day().min(28).to_string()
            ));
            confirm(
                &st,
                &s,
                &tr!(
                    lang,
                    "setup-import-title",
                    count = lang.integer(i64::try_from(list.len()).unwrap_or(i64::MAX))
                ),
                &lines,
                "/billing/import/confirm",
                &[("router", f.router.to_string())],
                &tr!(lang, "setup-import-button"),
                "/billing",
            )
        }
        Err(e) => fail(&st, lang, &e),
    }
}

async fn import_confirm(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<ImportForm>,
) -> Response {
    let lang = s.lang;
    let r = async {
        let list = importable(&st, lang, f.router).await?;
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
            urlencode(&tr!(lang, "setup-imported", count = n.to_string()))
        ))
        .into_response(),
        Err(e) => fail(&st, lang, &e),
    }
}

#[derive(Debug, Deserialize)]
struct RunForm {
    #[serde(default)]
    as_of: String,
}

fn as_of(st: &Web, lang: Lang, f: &RunForm) -> Result<queue_model::clock::Date, Error> {
    if f.as_of.trim().is_empty() {
        Ok(st.billing_today())
    } else {
        f.as_of
            .trim()
            .parse()
            .map_err(|_| Error::BadInput(tr!(lang, "setup-err-date")))
    }
}

async fn run_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<RunForm>,
) -> Response {
    let lang = s.lang;
    let r = async {
        let day = as_of(&st, lang, &f)?;
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
            .text_in(lang, &money(&st))
            .lines()
            .map(str::to_owned)
            .collect();
        Ok::<_, Error>(confirm(
            &st,
            &s,
            &tr!(lang, "setup-run-title"),
            &lines,
            "/billing/run/confirm",
            &[("as_of", day.to_string())],
            &tr!(lang, "setup-run-button"),
            "/billing",
        ))
    }
    .await;
    r.unwrap_or_else(|e| fail(&st, lang, &e))
}

async fn run_confirm(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<RunForm>,
) -> Response {
    let lang = s.lang;
    let r = async {
        let day = as_of(&st, lang, &f)?;
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
            urlencode(&if rep.skipped.is_empty() {
                tr!(
                    lang,
                    "setup-run-done",
                    invoices = rep.invoices.len().to_string(),
                    reminders = rep.reminders.len().to_string(),
                    isolated = rep.isolated.len().to_string(),
                    restored = rep.restored.len().to_string()
                )
            } else {
                tr!(
                    lang,
                    "setup-run-done-left",
                    invoices = rep.invoices.len().to_string(),
                    reminders = rep.reminders.len().to_string(),
                    isolated = rep.isolated.len().to_string(),
                    restored = rep.restored.len().to_string(),
                    left = rep.skipped.len().to_string()
                )
            })
        ))
        .into_response(),
        Err(e) => fail(&st, lang, &e),
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
            urlencode(&if on {
                tr!(s.lang, "setup-paused")
            } else {
                tr!(s.lang, "setup-resumed")
            })
        ))
        .into_response(),
        Err(e) => fail(&st, s.lang, &e),
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

fn setup_of(st: &Web, lang: Lang, f: &SetupForm) -> Result<ppp::IsolationSetup, Error> {
    let notice: std::net::SocketAddrV4 = f
        .notice
        .trim()
        .parse()
        .map_err(|_| Error::BadInput(tr!(lang, "setup-err-notice")))?;
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
    lang: Lang,
    f: &SetupForm,
) -> Result<(Vec<ppp::SetupCommand>, String), Error> {
    let setup = setup_of(st, lang, f)?;
    let r = st.hub.router(f.router).ok_or_else(|| {
        Error::NotFound(tr!(lang, "setup-err-no-router", id = f.router.to_string()))
    })?;
    let client = r
        .client()
        .ok_or_else(|| Error::Router(tr!(lang, "setup-err-not-connected", router = &r.name)))?;
    Ok((ppp::setup_plan(&client, &setup).await?, r.name.clone()))
}

async fn setup_preview(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<SetupForm>,
) -> Response {
    let lang = s.lang;
    match setup_commands(&st, lang, &f).await {
        Ok((cmds, name)) => {
            let mut lines: Vec<String> = cmds.iter().map(|c| c.line.clone()).collect();
            if lines.is_empty() {
                lines.push(tr!(lang, "setup-nothing-to-do", router = &name));
            }
            confirm(
                &st,
                &s,
                &tr!(lang, "setup-title-on", router = &name),
                &lines,
                "/billing/setup/apply",
                &[
                    ("router", f.router.to_string()),
                    ("notice", f.notice.clone()),
                    ("pool", f.pool.clone()),
                    ("local_address", f.local_address.clone()),
                    ("rate_limit", f.rate_limit.clone()),
                ],
                &tr!(lang, "setup-apply-button"),
                "/billing/setup",
            )
        }
        Err(e) => fail(&st, lang, &e),
    }
}

async fn setup_apply(
    State(st): State<Arc<Web>>,
    Admin(s): Admin,
    Form(f): Form<SetupForm>,
) -> Response {
    let lang = s.lang;
    let r = async {
        let (cmds, name) = setup_commands(&st, lang, &f).await?;
        let client = st
            .hub
            .router(f.router)
            .and_then(|r| r.client())
            .ok_or_else(|| Error::Router(tr!(lang, "setup-err-router-not-connected")))?;
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
            None => Ok(tr!(
                lang,
                "setup-done",
                router = &name,
                count = sent.len().to_string()
            )),
            Some(e) => Err(Error::Router(e)),
        }
    }
    .await;
    match r {
        Ok(msg) => Redirect::to(&format!("/billing?done={}", urlencode(&msg))).into_response(),
        Err(e) => fail(&st, lang, &e),
    }
}
