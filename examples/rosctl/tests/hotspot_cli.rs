//! `rosctl hotspot` run as a process against the RouterOS simulator imitating 6.49 and 7.18:
//! MIKHMON profiles read back, vouchers generated and logged in, sales recorded in the
//! version's date form and reported across both forms and a month boundary.

use std::process::{Command, Output};

use queue_model::clock::DateStyle;
use queue_model::hotspot::mikhmon::OnLoginHeader;
use ros_sim::{Row, RunningSim, SimHandle, Version};
use serde_json::Value;

fn rosctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rosctl"))
        .args(args)
        .env_remove("ROS_PASSWORD")
        .output()
        .unwrap()
}

async fn run(sim: &RunningSim, args: &[&str]) -> Output {
    let mut all = vec![
        "--router".to_owned(),
        sim.addr().to_string(),
        "hotspot".to_owned(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        rosctl(&args)
    })
    .await
    .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn get<'a>(row: &'a Row, name: &str) -> &'a str {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

async fn router(version: &str, clock: &str) -> RunningSim {
    let mut config = ros_sim::SimConfig::new();
    config
        .listen("127.0.0.1:0".parse().unwrap())
        .hosts(0)
        .queues(0)
        .tick_interval(None)
        .version(version.parse::<Version>().unwrap())
        .clock(clock.parse().unwrap());
    ros_sim::Simulator::start(config).await.unwrap()
}

fn mikhmon_profile(
    h: &SimHandle,
    name: &str,
    header: &str,
    style: DateStyle,
    extra: &[(&str, &str)],
) {
    let header: OnLoginHeader = header.parse().unwrap();
    let script = header.render_script(&name.into(), style).to_string();
    let mut attrs = vec![("name", name), ("on-login", script.as_str())];
    attrs.extend_from_slice(extra);
    h.add("/ip/hotspot/user/profile", &attrs).unwrap();
}

fn codes(v: &Value) -> Vec<(String, String)> {
    v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_owned(),
                u["password"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouchers_sales_and_reports_on_6_49_and_7_18() {
    for (version, style, day1, month_owner) in [
        ("6.49.10", DateStyle::Legacy, "jul/31/2024", "jul2024"),
        ("7.18.2", DateStyle::Iso, "2024-07-31", "072024"),
    ] {
        let sim = router(version, "2024-07-31 23:00:00").await;
        let h = sim.handle();
        mikhmon_profile(
            &h,
            "1Day",
            r#":put (",remc,5000,1d,5500,,Disable,")"#,
            style,
            &[("rate-limit", "1M/2M"), ("shared-users", "1")],
        );
        mikhmon_profile(
            &h,
            "3Jam",
            r#":put (",ntfc,2000,3h,2500,,Enable,")"#,
            style,
            &[],
        );
        h.add(
            "/ip/hotspot/user/profile",
            &[("name", "staff"), ("shared-users", "unlimited")],
        )
        .unwrap();

        // Profiles: MIKHMON's header read back with its price and validity.
        let p = json(&run(&sim, &["profiles", "--json"]).await);
        let by_name = |n: &str| {
            p.as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == n)
                .unwrap()
                .clone()
        };
        let day = by_name("1Day");
        assert_eq!(day["price"], 5000, "{version}");
        assert_eq!(day["selling_price"], 5500);
        assert_eq!(day["validity"], "1d");
        assert_eq!(day["expiry_mode"], "remc");
        assert_eq!(day["rate_limit"], "1M/2M");
        assert_eq!(day["shared_users"], "1");
        assert_eq!(by_name("3Jam")["mac_lock"], true);
        assert_eq!(by_name("staff")["price"], Value::Null);
        assert_eq!(by_name("staff")["shared_users"], "unlimited");
        assert_eq!(by_name("default")["price"], Value::Null);
        let table = run(&sim, &["profiles"]).await;
        assert!(stdout(&table)
            .lines()
            .any(|l| l.starts_with("1Day") && l.contains("5000")));

        // Generate: codes, batch comment with the router's date, users on the router.
        let g = json(
            &run(
                &sim,
                &[
                    "generate",
                    "--profile",
                    "1Day",
                    "--count",
                    "20",
                    "--prefix",
                    "wf",
                    "--length",
                    "5",
                    "--comment",
                    "warung",
                    "--json",
                ],
            )
            .await,
        );
        let comment = g["comment"].as_str().unwrap().to_owned();
        assert!(
            comment.starts_with("vc-") && comment.ends_with("-07.31.24-warung"),
            "{comment}"
        );
        let day_codes = codes(&g);
        assert_eq!(day_codes.len(), 20);
        for (name, password) in &day_codes {
            assert_eq!(name, password);
            assert!(name.starts_with("wf") && name.len() == 7, "{name}");
        }
        let up = json(
            &run(
                &sim,
                &[
                    "generate",
                    "--profile",
                    "3Jam",
                    "--count",
                    "5",
                    "--mode",
                    "up",
                    "--limit-uptime",
                    "3h",
                    "--limit-bytes",
                    "500M",
                    "--json",
                ],
            )
            .await,
        );
        let up_codes = codes(&up);
        assert!(up["comment"].as_str().unwrap().starts_with("up-"));
        let users = h.print("/ip/hotspot/user").unwrap();
        assert_eq!(users.len(), 25);
        let u = users
            .iter()
            .find(|u| get(u, "name") == up_codes[0].0)
            .unwrap();
        assert_eq!(get(u, "limit-uptime"), "3h");
        assert_eq!(get(u, "limit-bytes-total"), "524288000");
        assert_eq!(get(u, "profile"), "3Jam");
        assert!(up_codes[0].1.bytes().all(|b| b"23456789".contains(&b)));
        assert!(users
            .iter()
            .filter(|u| get(u, "profile") == "1Day")
            .all(|u| get(u, "comment") == comment));

        // Sales: three on jul 31, four after midnight.
        let mut mac = 0;
        let mut login = |name: &str, password: &str| {
            mac += 1;
            h.hotspot_login(name, password, &format!("02:00:00:00:00:{mac:02X}"), "")
                .unwrap();
        };
        for (n, p) in &day_codes[..3] {
            login(n, p);
        }
        let sale = &h.print("/system/script").unwrap()[0];
        assert!(
            get(sale, "name").starts_with(&format!("{day1}-|-23:00:00-|-wf")),
            "{sale:?}"
        );
        assert_eq!(get(sale, "owner"), month_owner);
        assert_eq!(get(sale, "source"), day1);
        h.tick(3600);
        for (n, p) in &day_codes[3..5] {
            login(n, p);
        }
        for (n, p) in &up_codes[..2] {
            login(n, p);
        }
        assert_eq!(h.print("/system/script").unwrap().len(), 7);

        let all = json(&run(&sim, &["report", "--json"]).await);
        assert_eq!(all["count"], 7, "{version}: {all}");
        assert_eq!(all["total"], 5 * 5000 + 2 * 2000);
        assert_eq!(all["by_day"]["2024-07-31"]["count"], 3);
        assert_eq!(all["by_day"]["2024-07-31"]["total"], 15000);
        assert_eq!(all["by_day"]["2024-08-01"]["count"], 4);
        assert_eq!(all["by_day"]["2024-08-01"]["total"], 14000);
        assert_eq!(all["by_profile"]["1Day"]["total"], 25000);
        assert_eq!(all["by_profile"]["3Jam"]["count"], 2);
        let aug = json(&run(&sim, &["report", "--month", "2024-08", "--json"]).await);
        assert_eq!(
            (aug["count"].clone(), aug["total"].clone()),
            (4.into(), 14000.into())
        );
        let jul = json(&run(&sim, &["report", "--day", day1, "--json"]).await);
        assert_eq!(
            (jul["count"].clone(), jul["total"].clone()),
            (3.into(), 15000.into())
        );
        let text = run(&sim, &["report", "--month", month_owner]).await;
        assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
        assert!(
            stdout(&text).starts_with("2024-07: 3 sold, total 15000"),
            "{}",
            stdout(&text)
        );

        // A record that does not parse is skipped and said, never fatal; nothing is deleted.
        h.add(
            "/system/script",
            &[("name", "jul/31/2024-|-oops"), ("comment", "mikhmon")],
        )
        .unwrap();
        let o = run(&sim, &["report", "--json"]).await;
        let r = json(&o);
        assert_eq!(r["count"], 7);
        assert_eq!(r["skipped"]["missing-fields"], 1);
        assert!(
            stderr(&o).contains("skipped 1 records that do not parse"),
            "{}",
            stderr(&o)
        );
        assert_eq!(h.print("/system/script").unwrap().len(), 8);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_upgraded_mid_month_holds_both_date_forms() {
    let sim = router("7.18.2", "2024-08-01 09:00:00").await;
    let h = sim.handle();
    for (name, owner, source) in [
        ("jul/30/2024-|-20:00:00-|-a1-|-5000-|-10.5.50.2-|-AA:BB:CC:DD:EE:01-|-1d-|-1Day-|-vc-101-07.29.24-", "jul2024", "jul/30/2024"),
        ("2024-07-31-|-21:00:00-|-a2-|-5000-|-10.5.50.3-|-AA:BB:CC:DD:EE:02-|-1d-|-1Day-|-vc-101-07.29.24-", "072024", "2024-07-31"),
        ("2024-08-01-|-08:00:00-|-b1-|-50000-|-10.5.50.4-|-AA:BB:CC:DD:EE:03-|-30d-|-1Month-|-vc-102-07.29.24-", "082024", "2024-08-01"),
    ] {
        h.add(
            "/system/script",
            &[("name", name), ("owner", owner), ("source", source), ("comment", "mikhmon")],
        )
        .unwrap();
    }
    h.add(
        "/system/script",
        &[("name", "backup"), ("source", "/export")],
    )
    .unwrap();
    let jul = json(&run(&sim, &["report", "--month", "jul2024", "--json"]).await);
    assert_eq!(
        (jul["count"].clone(), jul["total"].clone()),
        (2.into(), 10000.into())
    );
    assert_eq!(jul["by_day"].as_object().unwrap().len(), 2);
    let all = json(&run(&sim, &["report", "--json"]).await);
    assert_eq!(
        (all["count"].clone(), all["total"].clone()),
        (3.into(), 60000.into())
    );
    assert_eq!(all["by_profile"]["1Month"]["total"], 50000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_stay_unique_and_mistakes_are_one_line() {
    let sim = router("7.18.2", "2024-07-15 10:00:00").await;
    let h = sim.handle();
    h.add("/ip/hotspot/user/profile", &[("name", "1Jam")])
        .unwrap();
    // 512 codes of three digits: 300 and 200 fit, 100 more do not.
    let first = json(
        &run(
            &sim,
            &[
                "generate",
                "--profile",
                "1Jam",
                "--count",
                "300",
                "--charset",
                "num",
                "--length",
                "3",
                "--json",
            ],
        )
        .await,
    );
    let second = json(
        &run(
            &sim,
            &[
                "generate",
                "--profile",
                "1Jam",
                "--count",
                "200",
                "--charset",
                "num",
                "--length",
                "3",
                "--json",
            ],
        )
        .await,
    );
    let mut all: Vec<String> = codes(&first)
        .into_iter()
        .chain(codes(&second))
        .map(|c| c.0)
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 500);
    assert_eq!(h.print("/ip/hotspot/user").unwrap().len(), 500);
    let o = run(
        &sim,
        &[
            "generate",
            "--profile",
            "1Jam",
            "--count",
            "100",
            "--charset",
            "num",
            "--length",
            "3",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert_eq!(h.print("/ip/hotspot/user").unwrap().len(), 500);

    for (args, says) in [
        (
            vec!["generate", "--profile", "nope", "--count", "5"],
            "no hotspot user profile \"nope\"",
        ),
        (
            vec!["generate", "--profile", "1Jam", "--count", "501"],
            "rosctl: ",
        ),
        (
            vec![
                "generate",
                "--profile",
                "1Jam",
                "--count",
                "5",
                "--limit-bytes",
                "lots",
            ],
            "not a byte count",
        ),
        (vec!["report", "--month", "13-2024"], "month"),
    ] {
        let o = run(&sim, &args).await;
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_vouchers_run_out_and_can_be_kicked() {
    let sim = router("6.49.10", "2024-07-15 10:00:00").await;
    let h = sim.handle();
    mikhmon_profile(
        &h,
        "1Jam",
        r#":put (",rem,3000,1h,3000,,Disable,")"#,
        DateStyle::Legacy,
        &[],
    );
    let g = json(
        &run(
            &sim,
            &[
                "generate",
                "--profile",
                "1Jam",
                "--count",
                "2",
                "--limit-uptime",
                "1h",
                "--json",
            ],
        )
        .await,
    );
    let c = codes(&g);
    let (a, b) = (&c[0], &c[1]);
    h.hotspot_login(&a.0, &a.1, "02:00:00:00:00:01", "")
        .unwrap();
    let kicked = h
        .hotspot_login(&b.0, &b.1, "02:00:00:00:00:02", "")
        .unwrap();
    h.tick(60);
    h.remove("/ip/hotspot/active", &kicked).unwrap();
    assert_eq!(h.print("/ip/hotspot/active").unwrap().len(), 1);
    h.tick(3540);
    assert!(h.print("/ip/hotspot/active").unwrap().is_empty());
    let user = h
        .print("/ip/hotspot/user")
        .unwrap()
        .into_iter()
        .find(|u| get(u, "name") == a.0)
        .unwrap();
    assert_eq!(get(&user, "uptime"), "1h");
    assert_eq!(get(&user, "comment"), "jul/15/2024 11:00:00");
    let again = h.hotspot_login(&a.0, &a.1, "02:00:00:00:00:01", "");
    assert!(
        matches!(&again, Err(ros_sim::Error::Refused { message }) if message.ends_with("has reached uptime limit")),
        "{again:?}"
    );
    // `rem` does not record: no sales.
    let r = json(&run(&sim, &["report", "--json"]).await);
    assert_eq!(r["count"], 0);
}
