//! Hotspot menus and simulated logins: RouterOS's refusals, counters and limits, kicks, the
//! wall clock in both date forms, and what MIKHMON's on-login script leaves on the router.

mod common;

use common::{attr, rows, sim, Conn};
use queue_model::clock::DateStyle;
use queue_model::hotspot::mikhmon::OnLoginHeader;
use ros_sim::{Error, Row, SimHandle, Version};

fn get<'a>(row: &'a Row, name: &str) -> &'a str {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn has(row: &Row, name: &str) -> bool {
    row.iter().any(|(n, _)| n == name)
}

fn find(h: &SimHandle, path: &str, name: &str, value: &str) -> Option<Row> {
    h.print(path)
        .unwrap()
        .into_iter()
        .find(|r| get(r, name) == value)
}

fn refused(r: Result<String, Error>) -> String {
    match r {
        Err(Error::Refused { message }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A MIKHMON profile as its generator writes it for `style`.
fn mikhmon_profile(h: &SimHandle, name: &str, header: &str, style: DateStyle) {
    let header: OnLoginHeader = header.parse().unwrap();
    let script = header.render_script(&name.into(), style).to_string();
    h.add(
        "/ip/hotspot/user/profile",
        &[
            ("name", name),
            ("rate-limit", "512k/1M"),
            ("shared-users", "1"),
            ("on-login", &script),
        ],
    )
    .unwrap();
}

async fn router(version: &str) -> ros_sim::RunningSim {
    let version: Version = version.parse().unwrap();
    sim(move |c| {
        c.version(version)
            .hosts(0)
            .queues(0)
            .clock("2024-07-15 10:00:00".parse().unwrap());
    })
    .await
}

#[tokio::test]
async fn defaults_and_the_clock_in_each_versions_date_form() {
    for (version, date) in [("6.49.10", "jul/15/2024"), ("7.18.2", "2024-07-15")] {
        let sim = router(version).await;
        let mut c = Conn::login(sim.addr()).await;
        let r = c.call(&["/system/clock/print"]).await;
        assert_eq!(attr(&r[0], "date"), date, "{version}");
        assert_eq!(attr(&r[0], "time"), "10:00:00");
        c.call(&["/sim/tick", "=count=61"]).await;
        let r = c.call(&["/system/clock/print"]).await;
        assert_eq!(attr(&r[0], "time"), "10:01:01");

        // Setting the clock takes either form.
        let r = c
            .call(&["/system/clock/set", "=date=2024-07-31", "=time=23:59:50"])
            .await;
        assert!(r[0].trap_info().is_none(), "{r:?}");
        c.call(&["/sim/tick", "=count=15"]).await;
        let r = c.call(&["/system/clock/print"]).await;
        let aug = if date.contains('/') {
            "aug/01/2024"
        } else {
            "2024-08-01"
        };
        assert_eq!(
            (attr(&r[0], "date"), attr(&r[0], "time")),
            (aug.into(), "00:00:05".into())
        );
        let r = c.call(&["/system/clock/set", "=date=2024-13-01"]).await;
        assert_eq!(
            r[0].trap_info().unwrap().message,
            "invalid value for argument date"
        );

        let servers = rows(&c.call(&["/ip/hotspot/print"]).await).len();
        assert_eq!(servers, 1);
        let r = c.call(&["/ip/hotspot/print"]).await;
        assert_eq!(attr(&r[0], "name"), "hotspot1");
        let r = c.call(&["/ip/hotspot/user/profile/print"]).await;
        assert_eq!(attr(&r[0], ".id"), "*0");
        assert_eq!(attr(&r[0], "name"), "default");
        assert_eq!(attr(&r[0], "default"), "true");
        assert_eq!(attr(&r[0], "shared-users"), "1");
        let r = c
            .call(&["/ip/hotspot/user/profile/remove", "=.id=*0"])
            .await;
        assert!(r[0].trap_info().is_some());
        let r = c
            .call(&["/ip/hotspot/user/add", "=name=x", "=profile=nope"])
            .await;
        assert_eq!(
            r[0].trap_info().unwrap().message,
            "input does not match any value of profile"
        );
        let r = c
            .call(&["/ip/hotspot/user/add", "=name=x", "=limit-uptime=01:30:00"])
            .await;
        assert!(r[0].trap_info().is_none(), "{r:?}");
        let r = c.call(&["/ip/hotspot/user/print"]).await;
        assert_eq!(attr(&r[0], "limit-uptime"), "1h30m");
        assert_eq!(attr(&r[0], "uptime"), "0s");
        assert_eq!(attr(&r[0], "profile"), "default");
        // Sessions are read-only: no add.
        let r = c.call(&["/ip/hotspot/active/add", "=user=x"]).await;
        assert!(r[0].trap_info().is_some());
    }
}

#[tokio::test]
async fn mikhmon_first_login_writes_expiry_record_and_lock_in_the_versions_form() {
    let cases = [
        (
            "6.49.10",
            DateStyle::Legacy,
            "jul/16/2024 10:00:00",
            "jul/15/2024-|-10:00:00-|-abk37-|-5000-|-10.5.50.12-|-AA:BB:CC:DD:EE:01-|-1d-|-1Day-|-vc-482-07.15.24-warung",
            "jul2024",
            "jul/15/2024",
        ),
        (
            "7.18.2",
            DateStyle::Iso,
            "2024-07-16 10:00:00",
            "2024-07-15-|-10:00:00-|-abk37-|-5000-|-10.5.50.12-|-AA:BB:CC:DD:EE:01-|-1d-|-1Day-|-vc-482-07.15.24-warung",
            "072024",
            "2024-07-15",
        ),
    ];
    for (version, style, expiry, record, owner, source) in cases {
        let sim = router(version).await;
        let h = sim.handle();
        mikhmon_profile(&h, "1Day", r#":put (",remc,5000,1d,5500,,Enable,")"#, style);
        h.add(
            "/ip/hotspot/user",
            &[
                ("name", "abk37"),
                ("password", "abk37"),
                ("profile", "1Day"),
                ("comment", "vc-482-07.15.24-warung"),
            ],
        )
        .unwrap();
        let id = h
            .hotspot_login("abk37", "abk37", "aa:bb:cc:dd:ee:01", "10.5.50.12")
            .unwrap();
        let user = find(&h, "/ip/hotspot/user", "name", "abk37").unwrap();
        assert_eq!(get(&user, "comment"), expiry, "{version}");
        assert_eq!(get(&user, "mac-address"), "AA:BB:CC:DD:EE:01");
        let scripts = h.print("/system/script").unwrap();
        assert_eq!(scripts.len(), 1);
        assert_eq!(get(&scripts[0], "name"), record);
        assert_eq!(get(&scripts[0], "owner"), owner);
        assert_eq!(get(&scripts[0], "source"), source);
        assert_eq!(get(&scripts[0], "comment"), "mikhmon");

        // The next login is not a sale: the comment is an expiry now.
        h.remove("/ip/hotspot/active", &id).unwrap();
        h.tick(60);
        h.hotspot_login("abk37", "abk37", "AA:BB:CC:DD:EE:01", "10.5.50.12")
            .unwrap();
        assert_eq!(h.print("/system/script").unwrap().len(), 1);
        let user = find(&h, "/ip/hotspot/user", "name", "abk37").unwrap();
        assert_eq!(get(&user, "comment"), expiry);
        h.hotspot_logout("abk37").unwrap();

        // Locked to its first MAC.
        let msg = refused(h.hotspot_login("abk37", "abk37", "AA:BB:CC:DD:EE:02", "10.5.50.13"));
        assert_eq!(
            msg,
            "user abk37 is not allowed to log in from this MAC address"
        );
    }
}

#[tokio::test]
async fn modes_without_recording_or_expiry_and_scripts_that_are_not_mikhmons() {
    let sim = router("7.18.2").await;
    let h = sim.handle();
    // Notice without record: expiry, no sale.
    mikhmon_profile(
        &h,
        "ntf",
        r#":put (",ntf,3000,12h,3000,,Disable,")"#,
        DateStyle::Iso,
    );
    // No expiry, lock only: every login locks.
    mikhmon_profile(
        &h,
        "noexp",
        r#":put (",,2000,,,noexp,Enable,")"#,
        DateStyle::Iso,
    );
    // Something else entirely.
    h.add(
        "/ip/hotspot/user/profile",
        &[("name", "plain"), ("on-login", ":log info \"hi\"")],
    )
    .unwrap();
    for (name, profile, comment) in [
        ("n1", "ntf", "up-101-07.15.24-"),
        ("x1", "noexp", ""),
        ("p1", "plain", "vc-102-07.15.24-"),
        ("o1", "ntf", "Pak RT"),
    ] {
        let mut attrs = vec![("name", name), ("password", "pw"), ("profile", profile)];
        if !comment.is_empty() {
            attrs.push(("comment", comment));
        }
        h.add("/ip/hotspot/user", &attrs).unwrap();
    }
    for (i, name) in ["n1", "x1", "p1", "o1"].iter().enumerate() {
        h.hotspot_login(name, "pw", &format!("02:00:00:00:00:0{i}"), "")
            .unwrap();
    }
    assert!(h.print("/system/script").unwrap().is_empty());
    let user = |n: &str| find(&h, "/ip/hotspot/user", "name", n).unwrap();
    assert_eq!(get(&user("n1"), "comment"), "2024-07-15 22:00:00");
    assert!(!has(&user("n1"), "mac-address"));
    assert_eq!(get(&user("x1"), "mac-address"), "02:00:00:00:00:01");
    assert!(!has(&user("x1"), "comment"));
    assert_eq!(get(&user("p1"), "comment"), "vc-102-07.15.24-");
    assert_eq!(get(&user("o1"), "comment"), "Pak RT");
}

#[tokio::test]
async fn refusals_in_the_hotspots_words() {
    let sim = router("7.18.2").await;
    let h = sim.handle();
    h.add(
        "/ip/hotspot/user/profile",
        &[("name", "duo"), ("shared-users", "2")],
    )
    .unwrap();
    h.add("/ip/hotspot/user", &[("name", "u1"), ("password", "pw")])
        .unwrap();
    h.add(
        "/ip/hotspot/user",
        &[("name", "u2"), ("password", "pw"), ("profile", "duo")],
    )
    .unwrap();
    h.add(
        "/ip/hotspot/user",
        &[("name", "off"), ("password", "pw"), ("disabled", "yes")],
    )
    .unwrap();
    let invalid = "invalid username or password";
    assert_eq!(refused(h.hotspot_login("u1", "nope", "", "")), invalid);
    assert_eq!(refused(h.hotspot_login("ghost", "pw", "", "")), invalid);
    assert_eq!(refused(h.hotspot_login("off", "pw", "", "")), invalid);
    assert_eq!(
        refused(h.hotspot_login("u1", "pw", "not-a-mac", "")),
        "invalid value for argument mac-address"
    );
    h.hotspot_login("u1", "pw", "02:00:00:00:00:01", "10.5.50.2")
        .unwrap();
    assert_eq!(
        refused(h.hotspot_login("u1", "pw", "02:00:00:00:00:02", "10.5.50.3")),
        "no more sessions are allowed for user u1"
    );
    // The same device cannot log in twice.
    assert_eq!(
        refused(h.hotspot_login("u2", "pw", "02:00:00:00:00:01", "10.5.50.2")),
        "IP 10.5.50.2 is already logged in"
    );
    h.hotspot_login("u2", "pw", "02:00:00:00:00:03", "")
        .unwrap();
    h.hotspot_login("u2", "pw", "02:00:00:00:00:04", "")
        .unwrap();
    assert_eq!(
        refused(h.hotspot_login("u2", "pw", "02:00:00:00:00:05", "")),
        "no more sessions are allowed for user u2"
    );
    assert_eq!(h.print("/ip/hotspot/active").unwrap().len(), 3);
    let log = h.print("/log").unwrap();
    assert!(
        log.iter().any(|r| {
            let m = get(r, "message");
            m.starts_with("ghost (10.5.50.")
                && m.ends_with("): login failed: invalid username or password")
        }),
        "{log:?}"
    );
    // Enabling the user lets it in.
    h.set("/ip/hotspot/user", "off", &[("disabled", "no")])
        .unwrap();
    h.hotspot_login("off", "pw", "02:00:00:00:00:06", "")
        .unwrap();
}

#[tokio::test]
async fn counters_grow_and_limits_log_out() {
    let sim = router("6.49.10").await;
    let h = sim.handle();
    h.add(
        "/ip/hotspot/user/profile",
        &[("name", "slow"), ("rate-limit", "64k/128k")],
    )
    .unwrap();
    h.add(
        "/ip/hotspot/user",
        &[
            ("name", "t1"),
            ("password", "pw"),
            ("limit-uptime", "30s"),
            ("profile", "slow"),
        ],
    )
    .unwrap();
    h.add(
        "/ip/hotspot/user",
        &[
            ("name", "q1"),
            ("password", "pw"),
            ("limit-bytes-total", "1000000"),
        ],
    )
    .unwrap();
    h.hotspot_login("t1", "pw", "02:00:00:00:00:01", "")
        .unwrap();
    h.hotspot_login("q1", "pw", "02:00:00:00:00:02", "")
        .unwrap();
    h.tick(10);
    let a = find(&h, "/ip/hotspot/active", "user", "t1").unwrap();
    assert_eq!(get(&a, "uptime"), "10s");
    assert_eq!(get(&a, "session-time-left"), "20s");
    assert_eq!(get(&a, "login-by"), "http-chap");
    assert_eq!(get(&a, "server"), "hotspot1");
    let (bin, bout): (u64, u64) = (
        get(&a, "bytes-in").parse().unwrap(),
        get(&a, "bytes-out").parse().unwrap(),
    );
    // Shaped by the profile's rate-limit: at most 8 KB/s up, 16 KB/s down.
    assert!(
        bin > 0 && bin <= 80_000 && bout > bin && bout <= 160_000,
        "{a:?}"
    );
    let u = find(&h, "/ip/hotspot/user", "name", "t1").unwrap();
    assert_eq!(get(&u, "uptime"), "10s");
    assert_eq!(get(&u, "bytes-out"), bout.to_string());
    let host = find(&h, "/ip/hotspot/host", "mac-address", "02:00:00:00:00:01").unwrap();
    assert_eq!(get(&host, "authorized"), "true");

    // q1 downloads at 20-250 KB/s: its megabyte is gone within 50 s.
    h.tick(20);
    assert!(find(&h, "/ip/hotspot/active", "user", "t1").is_none());
    let log: Vec<String> = h
        .print("/log")
        .unwrap()
        .iter()
        .map(|r| get(r, "message").to_owned())
        .collect();
    assert!(
        log.iter()
            .any(|m| m.ends_with("logged out: uptime limit reached")),
        "{log:?}"
    );
    let u = find(&h, "/ip/hotspot/user", "name", "t1").unwrap();
    assert_eq!(get(&u, "uptime"), "30s");
    let host = find(&h, "/ip/hotspot/host", "mac-address", "02:00:00:00:00:01").unwrap();
    assert_eq!(get(&host, "authorized"), "false");
    assert_eq!(
        refused(h.hotspot_login("t1", "pw", "02:00:00:00:00:01", "")),
        "user t1 has reached uptime limit"
    );
    h.tick(30);
    assert!(find(&h, "/ip/hotspot/active", "user", "q1").is_none());
    let u = find(&h, "/ip/hotspot/user", "name", "q1").unwrap();
    let used: u64 =
        get(&u, "bytes-in").parse::<u64>().unwrap() + get(&u, "bytes-out").parse::<u64>().unwrap();
    assert!(used >= 1_000_000, "{u:?}");
    assert_eq!(
        refused(h.hotspot_login("q1", "pw", "02:00:00:00:00:02", "")),
        "user q1 has reached traffic limit"
    );
    // reset-counters gives the voucher its time back.
    let mut c = Conn::login(sim.addr()).await;
    let r = c
        .call(&["/ip/hotspot/user/reset-counters", "=numbers=t1"])
        .await;
    assert!(r[0].trap_info().is_none(), "{r:?}");
    h.hotspot_login("t1", "pw", "02:00:00:00:00:01", "")
        .unwrap();
}

#[tokio::test]
async fn kick_over_the_api_and_sim_commands() {
    let sim = router("7.18.2").await;
    let h = sim.handle();
    h.add("/ip/hotspot/user", &[("name", "k1"), ("password", "pw")])
        .unwrap();
    let mut c = Conn::login(sim.addr()).await;
    let r = c
        .call(&[
            "/sim/hotspot/login",
            "=user=k1",
            "=password=pw",
            "=mac-address=02:00:00:00:00:09",
            "=address=10.5.50.9",
        ])
        .await;
    let id = r[0]
        .ret()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap();
    assert!(id.starts_with('*'));
    let r = c.call(&["/ip/hotspot/active/print"]).await;
    assert_eq!(attr(&r[0], ".id"), id);
    assert_eq!(attr(&r[0], "user"), "k1");
    assert_eq!(attr(&r[0], "address"), "10.5.50.9");
    assert_eq!(attr(&r[0], "mac-address"), "02:00:00:00:00:09");
    assert_eq!(attr(&r[0], "radius"), "false");
    let r = c.call(&["/ip/hotspot/cookie/print"]).await;
    assert_eq!(attr(&r[0], "user"), "k1");
    assert_eq!(attr(&r[0], "expires-in"), "3d");
    let r = c
        .call(&["/ip/hotspot/active/remove", &format!("=.id={id}")])
        .await;
    assert!(r[0].trap_info().is_none(), "{r:?}");
    assert!(rows(&c.call(&["/ip/hotspot/active/print"]).await).is_empty());
    let log = h.print("/log").unwrap();
    assert!(log
        .iter()
        .any(|r| get(r, "message") == "k1 (10.5.50.9): logged out: admin reset"));

    let r = c
        .call(&["/sim/hotspot/login", "=user=k1", "=password=bad"])
        .await;
    assert_eq!(
        r[0].trap_info().unwrap().message,
        "invalid username or password"
    );
    c.call(&["/sim/hotspot/login", "=user=k1", "=password=pw"])
        .await;
    let r = c.call(&["/sim/hotspot/logout", "=user=k1"]).await;
    assert!(r[0].trap_info().is_none(), "{r:?}");
    assert!(h.print("/ip/hotspot/active").unwrap().is_empty());
    let r = c.call(&["/sim/hotspot/logout", "=user=k1"]).await;
    assert_eq!(r[0].trap_info().unwrap().message, "no such item");

    // Removing the user logs its sessions out.
    h.hotspot_login("k1", "pw", "", "").unwrap();
    h.remove("/ip/hotspot/user", "k1").unwrap();
    assert!(h.print("/ip/hotspot/active").unwrap().is_empty());
}

#[tokio::test]
async fn sessions_are_capped() {
    let sim = sim(|c| {
        c.hosts(0).queues(0).max_sessions(3);
    })
    .await;
    let h = sim.handle();
    h.add(
        "/ip/hotspot/user/profile",
        &[("name", "many"), ("shared-users", "unlimited")],
    )
    .unwrap();
    h.add(
        "/ip/hotspot/user",
        &[("name", "m"), ("password", ""), ("profile", "many")],
    )
    .unwrap();
    for _ in 0..3 {
        h.hotspot_login("m", "", "", "").unwrap();
    }
    assert_eq!(
        refused(h.hotspot_login("m", "", "", "")),
        "session limit reached (3)"
    );
    // Hosts and cookies stay within the cap as devices come and go.
    for _ in 0..10 {
        h.hotspot_logout("m").unwrap();
        for _ in 0..3 {
            h.hotspot_login("m", "", "", "").unwrap();
        }
    }
    assert!(h.print("/ip/hotspot/host").unwrap().len() <= 3);
    assert!(h.print("/ip/hotspot/cookie").unwrap().len() <= 3);
}

#[tokio::test]
async fn scheduler_next_run_and_script_defaults() {
    let sim = router("6.49.10").await;
    let h = sim.handle();
    h.add(
        "/system/scheduler",
        &[
            ("name", "abk37"),
            ("start-date", "jul/15/2024"),
            ("start-time", "10:00:00"),
            ("interval", "1d"),
        ],
    )
    .unwrap();
    h.tick(5);
    let s = &h.print("/system/scheduler").unwrap()[0];
    assert_eq!(get(s, "next-run"), "jul/16/2024 10:00:00");
    assert_eq!(get(s, "interval"), "1d");
    assert_eq!(get(s, "owner"), "admin");
    h.add(
        "/system/script",
        &[("name", "s1"), ("source", ":log info x")],
    )
    .unwrap();
    let s = &h.print("/system/script").unwrap()[0];
    assert_eq!(get(s, "owner"), "admin");
    assert_eq!(get(s, "run-count"), "0");
}
