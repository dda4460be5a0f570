//! The bot in Bahasa Indonesia: `/lang id` switches one chat (and only that chat) to
//! Indonesian, the choice survives a restart, every kind of reply (help, tables, a queue,
//! billing with rupiah written `Rp 150.000`, errors, usage lines) is in Indonesian and its
//! tables still fit a phone; an unknown language lists the choices.

mod common;

use std::time::Duration;

use common::*;
use noc::auth::Role;
use noc::chat::{Caller, ChatOps, MAX_WIDTH};
use noc::i18n::Lang;

const GROUP: &str = "telegram:-100500";
const OTHER: &str = "telegram:-100600";

async fn start_in(dir: &std::path::Path) -> noc::Noc {
    let mut options = noc::Options::new(dir);
    options
        .listen("127.0.0.1:0".parse().unwrap())
        .admin_password(ADMIN_PASSWORD)
        .poll_interval(Duration::from_millis(300))
        .simulator_size(6, 6);
    noc::Noc::start(options).await.unwrap()
}

fn ops_of(noc: &noc::Noc) -> ChatOps {
    ChatOps::new(
        noc.state().clone(),
        noc::storage::TgStore::in_memory().unwrap(),
        Vec::new(),
    )
}

/// What an admin writing in `chat` gets back, in the chat's language as the channels pick it.
async fn ask(ops: &ChatOps, chat: &str, text: &str) -> String {
    let caller = Caller::new("telegram:4242", Role::Admin)
        .with_chat(chat)
        .with_lang(ops.lang_for(chat, None));
    ops.handle(&caller, text).await.unwrap()
}

/// Every line of every `<pre>` block, as the phone shows it.
fn pre_lines(reply: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in reply.split("<pre>").skip(1) {
        let block = part.split("</pre>").next().unwrap();
        let plain = tg_notify::html::to_plain(&format!("<pre>{block}</pre>")).unwrap();
        out.extend(plain.lines().map(str::to_owned));
    }
    out
}

fn assert_fits(reply: &str) {
    let lines = pre_lines(reply);
    assert!(!lines.is_empty(), "a table: {reply}");
    for l in lines {
        assert!(l.chars().count() <= MAX_WIDTH, "{l:?} in {reply}");
    }
}

async fn polled(noc: &noc::Noc) -> String {
    let router = noc.state().hub.routers()[0].clone();
    eventually("the queues", || {
        let r = router.clone();
        async move { !r.live().queues.is_empty() }
    })
    .await;
    router.live().queues[0].name.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_switches_to_indonesian_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let noc = start_in(dir.path()).await;
    let queue = polled(&noc).await;
    let ops = ops_of(&noc);

    // A customer who owes Rp 150.000.
    let store = &noc.state().store;
    let router_id = noc.state().hub.routers()[0].id;
    let id = store
        .add_customer(&noc::storage::billing::NewCustomer::new(
            "Pak Budi",
            router_id,
            "budi",
            5,
            3,
            "2026-11-01",
        ))
        .unwrap();
    store
        .add_invoices(&[(
            id,
            "2026-11".into(),
            "2026-11-05".into(),
            "2026-11-08".into(),
            150_000,
            "Paket 10M".into(),
        )])
        .unwrap();

    // English until the chat chooses.
    let r = ask(&ops, GROUP, "/lang").await;
    assert!(r.contains("English") && r.contains("/lang id"), "{r}");
    let r = ask(&ops, GROUP, "/lang id").await;
    assert_eq!(r, "✅ Chat ini sekarang memakai Bahasa Indonesia.");
    assert_eq!(store.chat_language(GROUP).unwrap(), Some(Lang::Id));
    assert!(store
        .audit_log(5)
        .unwrap()
        .iter()
        .any(|a| a.action == "chat.language" && a.detail == format!("{GROUP} id")));
    let r = ask(&ops, GROUP, "/bahasa").await;
    assert!(r.starts_with("Chat ini memakai Bahasa Indonesia."), "{r}");

    // Help, queues, one queue, billing, errors and usage lines in Indonesian.
    let r = ask(&ops, GROUP, "/help").await;
    assert!(r.starts_with("<b>Perintah</b>"), "{r}");
    assert!(r.contains("antrean teratas menurut rate"), "{r}");
    assert!(r.contains("/paid NAMA JUMLAH"), "{r}");
    assert!(r.contains("/lang [id|en]</code> — bahasa chat ini"), "{r}");
    assert!(r.contains("Waktu dalam UTC."), "{r}");
    assert!(!r.contains("Commands"), "{r}");

    let r = ask(&ops, GROUP, "/queues").await;
    assert!(r.starts_with("<b>Antrean</b> menurut rate ("), "{r}");
    assert!(pre_lines(&r)[0].starts_with("antrean"), "{r}");
    assert!(pre_lines(&r)[0].contains("pakai"), "{r}");
    assert_fits(&r);

    let r = ask(&ops, GROUP, "/top").await;
    assert!(r.starts_with("<b>Pemakai terbesar</b>"), "{r}");
    assert_fits(&r);

    let r = ask(&ops, GROUP, &format!("/queue {queue}")).await;
    assert!(r.starts_with(&format!("<b>Antrean {queue}</b>")), "{r}");
    let lines = pre_lines(&r);
    assert!(lines.iter().any(|l| l.starts_with("komentar")), "{r}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("status") && l.contains("aktif")),
        "{r}"
    );
    assert!(r.contains("naik") && r.contains("turun"), "{r}");
    assert_fits(&r);

    let r = ask(&ops, GROUP, "/status").await;
    assert!(r.contains("<b>Router</b>: 1 up, 0 tidak"), "{r}");
    assert_fits(&r);

    let r = ask(&ops, GROUP, "/resource").await;
    assert!(
        r.contains("memori") && r.contains("sisa dari") && r.contains(","),
        "{r}"
    );
    assert_fits(&r);

    let r = ask(&ops, GROUP, "/interfaces").await;
    assert!(
        r.contains("interface") && pre_lines(&r)[0].starts_with("nama"),
        "{r}"
    );
    assert_fits(&r);

    let r = ask(&ops, GROUP, "/unpaid").await;
    assert!(r.starts_with("<b>1 menunggak</b> · Rp 150.000"), "{r}");
    assert!(pre_lines(&r)[0].starts_with("pelanggan"), "{r}");
    assert_fits(&r);

    let r = ask(&ops, GROUP, "/customer budi").await;
    assert!(r.contains("Saldo: <b>Rp 150.000</b>"), "{r}");
    assert!(r.contains("belum bayar") && r.contains("tgl 5"), "{r}");

    let r = ask(&ops, GROUP, "/paid budi 50rb").await;
    assert!(
        r.contains("Catat <b>Rp 50.000</b> dari <b>Pak Budi</b>?"),
        "{r}"
    );
    assert!(r.contains("Saldo setelahnya: Rp 100.000"), "{r}");
    assert!(r.contains("Untuk mencatat, kirim:"), "{r}");
    let r = ask(&ops, GROUP, "/paid budi 50rb ya").await;
    assert!(r.contains("tercatat · kuitansi"), "{r}");
    assert!(r.contains("Saldo: Rp 100.000"), "{r}");

    let r = ask(&ops, GROUP, "/frobnicate").await;
    assert_eq!(r, "Perintah /frobnicate tidak dikenal. Coba /help.");
    let r = ask(&ops, GROUP, "/limit").await;
    assert_eq!(r, "Cara pakai: <code>/limit NAMA 2M/5M</code>");
    let r = ask(&ops, GROUP, "/queue nosuchqueue").await;
    assert_eq!(r, "Tidak ada antrean bernama nosuchqueue.");
    let r = ask(&ops, GROUP, "/resource nosuch").await;
    assert_eq!(r, "Tidak ada router bernama nosuch.");
    let r = ask(&ops, GROUP, "/alerts").await;
    assert!(r.contains("peringatan") || r.contains("Peringatan"), "{r}");

    // A read-only member of the group reads the refusal in the group's language.
    let viewer = Caller::new("telegram:777", Role::ReadOnly)
        .with_chat(GROUP)
        .with_lang(ops.lang_for(GROUP, None));
    let r = ops
        .handle(&viewer, &format!("/limit {queue} 1M/2M"))
        .await
        .unwrap();
    assert_eq!(r, "Maaf, /limit butuh admin; akses Anda hanya baca.");

    // Another chat still gets English.
    let r = ask(&ops, OTHER, "/help").await;
    assert!(r.starts_with("<b>Commands</b>"), "{r}");
    assert!(r.contains("/paid NAME AMOUNT"), "{r}");
    let r = ask(&ops, OTHER, "/unpaid").await;
    assert!(r.starts_with("<b>1 owing</b> · Rp 100.000"), "{r}");
    assert!(pre_lines(&r)[0].starts_with("customer"), "{r}");

    // An unknown language: a clear error with the choices, in the chat's language.
    let r = ask(&ops, GROUP, "/lang xx").await;
    assert!(r.contains("Bahasa xx tidak dikenal"), "{r}");
    assert!(r.contains("<code>id</code> (Bahasa Indonesia)"), "{r}");
    assert!(r.contains("<code>en</code> (English)"), "{r}");
    let r = ask(&ops, OTHER, "/lang xx").await;
    assert!(r.starts_with("Unknown language xx. Choices:"), "{r}");
    assert_eq!(store.chat_language(GROUP).unwrap(), Some(Lang::Id));
    assert_eq!(store.chat_language(OTHER).unwrap(), None);

    // The choice survives a restart.
    noc.shutdown().await;
    let noc = start_in(dir.path()).await;
    polled(&noc).await;
    let ops = ops_of(&noc);
    assert_eq!(ops.lang_for(GROUP, None), Lang::Id);
    assert_eq!(
        ops.lang_for(OTHER, Some(Lang::Id)),
        Lang::Id,
        "noc.toml's choice"
    );
    assert_eq!(ops.lang_for(OTHER, None), Lang::En);
    let r = ask(&ops, GROUP, "/help").await;
    assert!(r.starts_with("<b>Perintah</b>"), "{r}");
    // And back to English.
    let r = ask(&ops, GROUP, "/lang english").await;
    assert_eq!(r, "✅ This chat is now in English.");
    let r = ask(&ops, GROUP, "/queues").await;
    assert!(r.starts_with("<b>Queues</b> by rate ("), "{r}");
    noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_follows_its_choice_from_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let noc = start_in(dir.path()).await;
    polled(&noc).await;
    let input = b"/lang id\n/status\nhalo\n/lang en\n/status\n" as &[u8];
    let mut out = Vec::new();
    noc::chat::run_console(ops_of(&noc), input, &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("noc bot console: type /help"), "{out}");
    assert!(
        out.contains("Chat ini sekarang memakai Bahasa Indonesia."),
        "{out}"
    );
    assert!(out.contains("Router: 1 up, 0 tidak"), "{out}");
    assert!(out.contains("Perintah diawali /. Coba /help."), "{out}");
    assert!(out.contains("This chat is now in English."), "{out}");
    assert!(out.contains("Routers: 1 up, 0 not"), "{out}");
    assert_eq!(
        noc.state().store.chat_language("console").unwrap(),
        Some(Lang::En)
    );
    noc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nocs_default_language_answers_chats_that_chose_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = noc::Options::new(dir.path());
    options
        .listen("127.0.0.1:0".parse().unwrap())
        .admin_password(ADMIN_PASSWORD)
        .file_config("language = \"id\"\n".parse().unwrap());
    let noc = noc::Noc::start(options).await.unwrap();
    assert_eq!(noc.state().language, Lang::Id);
    let ops = ops_of(&noc);
    assert_eq!(ops.lang_for("whatsapp:+628111", None), Lang::Id);
    assert_eq!(ops.lang_for("telegram:-1", Some(Lang::En)), Lang::En);
    let input = b"/help\n/lang en\n/help\n" as &[u8];
    let mut out = Vec::new();
    noc::chat::run_console(ops, input, &mut out).await.unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("konsol bot noc: ketik /help"), "{out}");
    let id_help = out.find("Perintah\n").expect(&out);
    let en_help = out.find("Commands\n").expect(&out);
    assert!(id_help < en_help, "{out}");
    noc.shutdown().await;
}

mod mon_support;

/// Sends `text` from `user` in `chat` through the fake Bot API and returns the reply's text.
async fn ask_telegram(
    tg: &tg_notify::fake::FakeTelegram,
    chat: i64,
    user: i64,
    text: &str,
) -> String {
    let before = mon_support::texts(tg, chat).len();
    tg.push_text(chat, user, text);
    mon_support::wait_until(&format!("a reply to {text}"), 30, || {
        mon_support::texts(tg, chat).len() > before
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    mon_support::texts(tg, chat)[before..].join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_telegram_a_group_has_one_language_from_noc_toml_then_from_lang() {
    use mon_support::{ADMIN, CHAT, STRANGER, VIEWER};
    let sim = mon_support::start_sim().await;
    let tg = tg_notify::fake::FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let app = mon_support::start_noc(dir.path(), mon_support::file_config(sim.addr())).await;
    mon_support::wait_polled(&app).await;
    // The group reads Indonesian (`language = "id"` in its [[telegram.chat]]).
    let mut cfg = mon_support::telegram(&tg);
    cfg.chats[0].language = Some(Lang::Id);
    let mut o = noc::alerts::MonitorOptions::new(dir.path());
    o.rules(Vec::new()).telegram(cfg.clone());
    let mut monitor = noc::alerts::Monitor::start(app.state().clone(), o)
        .await
        .unwrap();
    let bot = noc::chat::telegram::start(app.state().clone(), &monitor, &cfg).unwrap();
    monitor.attach(bot);

    let r = ask_telegram(&tg, CHAT, VIEWER, "/queues").await;
    assert!(r.starts_with("Antrean menurut rate ("), "{r}");
    let r = ask_telegram(&tg, CHAT, VIEWER, "/limit queue1 1M/2M").await;
    assert_eq!(r, "Maaf, /limit butuh admin; akses Anda hanya baca.");
    // The admin's private chat is another chat: noc's default, English.
    let r = ask_telegram(&tg, ADMIN, ADMIN, "/queues").await;
    assert!(r.starts_with("Queues by rate ("), "{r}");
    let r = ask_telegram(&tg, STRANGER, STRANGER, "/status").await;
    assert!(
        r.contains("only answers the network's administrators"),
        "{r}"
    );

    // Anyone allowed in the group may choose; the choice is the group's, for everyone.
    let r = ask_telegram(&tg, CHAT, VIEWER, "/lang en").await;
    assert_eq!(r, "✅ This chat is now in English.");
    assert_eq!(
        app.state()
            .store
            .chat_language(&format!("telegram:{CHAT}"))
            .unwrap(),
        Some(Lang::En)
    );
    let r = ask_telegram(&tg, CHAT, ADMIN, "/queues").await;
    assert!(r.starts_with("Queues by rate ("), "{r}");
    let r = ask_telegram(&tg, ADMIN, ADMIN, "/bahasa indonesia").await;
    assert_eq!(r, "✅ Chat ini sekarang memakai Bahasa Indonesia.");
    let r = ask_telegram(&tg, ADMIN, ADMIN, "/status").await;
    assert!(r.starts_with("Router: 1 up, 0 tidak"), "{r}");
    let r = ask_telegram(&tg, CHAT, VIEWER, "/status").await;
    assert!(r.starts_with("Routers: 1 up, 0 not"), "{r}");
    monitor.shutdown().await;
    app.shutdown().await;
}
