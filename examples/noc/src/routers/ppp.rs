//! PPP on a router, for billing: the secrets and their profiles, the active sessions, moving
//! a secret to another profile and ending its sessions so the client redials into it, and the
//! router side of isolation (profile, pool, address list, redirect to the notice page).
//!
//! Reads fail as a whole (a partly read router is an unknown router); writes go out a
//! bounded number at a time.

use std::collections::HashMap;

use futures_util::stream::{FuturesOrdered, StreamExt};
use routeros_proto::{Attributes, Client, Command};
use serde::Serialize;

use crate::Error;

/// Commands in flight while moving secrets.
pub const PIPELINE: usize = 32;

/// The comment noc puts on the rules it adds for isolation (and finds them by).
pub const RULE_COMMENT: &str = "noc: isolir";

fn router_err(what: &str) -> impl Fn(routeros_proto::Error) -> Error + '_ {
    move |e| Error::Router(format!("{what}: {e}"))
}

fn text(r: &Attributes, name: &str) -> Option<String> {
    r.get_str(name).and_then(Result::ok).map(str::to_owned)
}

/// A `/ppp/secret` as billing needs it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecretRow {
    /// `.id`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Profile.
    pub profile: String,
    /// Disabled on the router.
    pub disabled: bool,
    /// Comment.
    pub comment: String,
}

/// The secrets (rows whose name or profile is not UTF-8 are counted, not guessed at).
pub async fn secrets(client: &Client) -> Result<(Vec<SecretRow>, usize), Error> {
    let rows = client
        .print(
            Command::builder("/ppp/secret/print")
                .proplist([".id", "name", "profile", "disabled", "comment"])
                .build(),
        )
        .await
        .map_err(router_err("reading /ppp/secret"))?;
    let mut out = Vec::with_capacity(rows.len());
    let mut unreadable = 0;
    for r in &rows {
        match (text(r, ".id"), text(r, "name"), text(r, "profile")) {
            (Some(id), Some(name), profile) => out.push(SecretRow {
                id,
                name,
                profile: profile.unwrap_or_else(|| "default".into()),
                disabled: text(r, "disabled").as_deref() == Some("true"),
                comment: crate::fmt::router_text(
                    &r.get_string_lossy("comment").unwrap_or_default(),
                ),
            }),
            _ => unreadable += 1,
        }
    }
    Ok((out, unreadable))
}

/// The names of the PPP profiles.
pub async fn profiles(client: &Client) -> Result<Vec<String>, Error> {
    let rows = client
        .print(
            Command::builder("/ppp/profile/print")
                .proplist(["name"])
                .build(),
        )
        .await
        .map_err(router_err("reading /ppp/profile"))?;
    Ok(rows.iter().filter_map(|r| text(r, "name")).collect())
}

/// An active PPP session.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActiveRow {
    /// `.id`.
    pub id: String,
    /// The secret's name.
    pub name: String,
    /// The client's address.
    pub address: String,
    /// Uptime as the router says it.
    pub uptime: String,
}

/// The active sessions.
pub async fn active(client: &Client) -> Result<Vec<ActiveRow>, Error> {
    let rows = client
        .print(
            Command::builder("/ppp/active/print")
                .proplist([".id", "name", "address", "uptime"])
                .build(),
        )
        .await
        .map_err(router_err("reading /ppp/active"))?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(ActiveRow {
                id: text(r, ".id")?,
                name: text(r, "name")?,
                address: text(r, "address").unwrap_or_default(),
                uptime: text(r, "uptime").unwrap_or_default(),
            })
        })
        .collect())
}

/// The session (secret name) using `address`, asked of the router directly.
pub async fn session_by_address(client: &Client, address: &str) -> Result<Option<String>, Error> {
    let rows = client
        .print(
            Command::builder("/ppp/active/print")
                .proplist(["name", "address"])
                .word(format!("?address={address}"))
                .build(),
        )
        .await
        .map_err(router_err("reading /ppp/active"))?;
    Ok(rows.iter().find_map(|r| text(r, "name")))
}

/// One secret to move to another profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The secret's `.id`.
    pub secret_id: String,
    /// Its name (for messages).
    pub name: String,
    /// The profile to set.
    pub profile: String,
    /// The `.id`s of its active sessions, ended after the profile is set.
    pub sessions: Vec<String>,
}

/// Moves each secret to its profile and ends its sessions (so the client redials with the new
/// profile), [`PIPELINE`] secrets at a time. One result per move, in order: the sessions
/// ended, or the router's refusal. A session that ended on its own in between is no error.
pub async fn move_secrets(client: &Client, moves: &[Move]) -> Vec<Result<usize, Error>> {
    let mut out = Vec::with_capacity(moves.len());
    let mut pending = FuturesOrdered::new();
    let mut next = moves.iter();
    loop {
        while pending.len() < PIPELINE {
            let Some(m) = next.next() else { break };
            pending.push_back(async move {
                let mut set = Command::builder("/ppp/secret/set");
                set.id(&m.secret_id).attribute("profile", &m.profile);
                client
                    .execute(set.build())
                    .await
                    .map_err(|e| Error::Router(format!("setting {}'s profile: {e}", m.name)))?;
                let mut ended = 0;
                for s in &m.sessions {
                    let mut rm = Command::builder("/ppp/active/remove");
                    rm.id(s);
                    match client.execute(rm.build()).await {
                        Ok(_) => ended += 1,
                        Err(e) if e.trap().is_some() => {} // gone already
                        Err(e) => {
                            return Err(Error::Router(format!("ending {}'s session: {e}", m.name)))
                        }
                    }
                }
                Ok(ended)
            });
        }
        match pending.next().await {
            Some(r) => out.push(r),
            None => break,
        }
    }
    out
}

/// The router side of isolation, as the setup wizard asks for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct IsolationSetup {
    /// The PPP profile isolated customers get (`isolir`).
    pub profile: String,
    /// The address pool of that profile, `10.99.0.2-10.99.0.254`.
    pub pool_ranges: String,
    /// The router's address on those sessions, `10.99.0.1`.
    pub local_address: String,
    /// The isolated sessions' rate limit, `256k/256k`.
    pub rate_limit: String,
    /// Where plain HTTP from isolated customers goes: noc's notice server, `IP:PORT`.
    pub notice: std::net::SocketAddrV4,
}

impl IsolationSetup {
    /// Defaults around a notice server address.
    pub fn new(profile: &str, notice: std::net::SocketAddrV4) -> IsolationSetup {
        IsolationSetup {
            profile: profile.to_owned(),
            pool_ranges: "10.99.0.2-10.99.0.254".into(),
            local_address: "10.99.0.1".into(),
            rate_limit: "256k/256k".into(),
            notice,
        }
    }

    /// Checks the fields; the error names the field.
    pub fn validate(&self) -> Result<(), Error> {
        let word = |f: &str, v: &str| {
            if v.is_empty()
                || v.len() > 64
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./:".contains(&b))
            {
                Err(Error::BadInput(format!(
                    "{f}: letters, digits and - _ . / : only"
                )))
            } else {
                Ok(())
            }
        };
        word("profile", &self.profile)?;
        let (a, b) = self.pool_ranges.split_once('-').ok_or_else(|| {
            Error::BadInput("pool: FIRST-LAST, like 10.99.0.2-10.99.0.254".into())
        })?;
        for ip in [a, b, self.local_address.as_str()] {
            ip.trim()
                .parse::<std::net::Ipv4Addr>()
                .map_err(|_| Error::BadInput(format!("{ip:?} is not an IPv4 address")))?;
        }
        self.rate_limit
            .parse::<queue_model::RateLimit>()
            .map_err(|e| Error::BadInput(format!("rate limit: {e}")))?;
        Ok(())
    }

    fn pool_name(&self) -> String {
        self.profile.clone()
    }
}

/// A command of the setup, with how it reads.
#[derive(Debug, Clone)]
pub struct SetupCommand {
    /// What it does, as a terminal line (`/ip/pool/add name=isolir ...`).
    pub line: String,
    /// The command.
    pub command: Command,
}

fn setup_command(path: &str, attrs: &[(&str, String)]) -> SetupCommand {
    let mut b = Command::builder(path);
    let mut line = path.to_owned();
    for (k, v) in attrs {
        b.attribute(k, v);
        line.push(' ');
        line.push_str(k);
        line.push('=');
        if v.contains(' ') || v.is_empty() {
            line.push_str(&format!("{v:?}"));
        } else {
            line.push_str(v);
        }
    }
    SetupCommand {
        line,
        command: b.build(),
    }
}

/// What the router lacks of `setup`: the pool, the profile (or its address list), the
/// redirect of plain HTTP to the notice page, and the rules that keep isolated customers to
/// DNS and the notice page. Empty when all is in place.
pub async fn setup_plan(
    client: &Client,
    setup: &IsolationSetup,
) -> Result<Vec<SetupCommand>, Error> {
    setup.validate()?;
    let list = setup.profile.clone();
    let mut out = Vec::new();
    let pools = client
        .print(
            Command::builder("/ip/pool/print")
                .proplist(["name"])
                .build(),
        )
        .await
        .map_err(router_err("reading /ip/pool"))?;
    if !pools
        .iter()
        .any(|p| text(p, "name").as_deref() == Some(setup.pool_name().as_str()))
    {
        out.push(setup_command(
            "/ip/pool/add",
            &[
                ("name", setup.pool_name()),
                ("ranges", setup.pool_ranges.clone()),
            ],
        ));
    }
    let profiles = client
        .print(
            Command::builder("/ppp/profile/print")
                .proplist([".id", "name", "address-list"])
                .build(),
        )
        .await
        .map_err(router_err("reading /ppp/profile"))?;
    match profiles
        .iter()
        .find(|p| text(p, "name").as_deref() == Some(setup.profile.as_str()))
    {
        None => out.push(setup_command(
            "/ppp/profile/add",
            &[
                ("name", setup.profile.clone()),
                ("local-address", setup.local_address.clone()),
                ("remote-address", setup.pool_name()),
                ("address-list", list.clone()),
                ("rate-limit", setup.rate_limit.clone()),
                ("comment", RULE_COMMENT.into()),
            ],
        )),
        Some(p) if text(p, "address-list").as_deref() != Some(list.as_str()) => {
            out.push(setup_command(
                "/ppp/profile/set",
                &[
                    (".id", text(p, ".id").unwrap_or_default()),
                    ("address-list", list.clone()),
                ],
            ))
        }
        Some(_) => {}
    }
    let has_rule = |rows: &[Attributes], comment: &str| {
        rows.iter()
            .any(|r| text(r, "comment").as_deref() == Some(comment))
    };
    let nat = client
        .print(
            Command::builder("/ip/firewall/nat/print")
                .proplist([".id", "comment"])
                .build(),
        )
        .await
        .map_err(router_err("reading /ip/firewall/nat"))?;
    let redirect = format!("{RULE_COMMENT} redirect");
    if !has_rule(&nat, &redirect) {
        let mut attrs = vec![
            ("chain", "dstnat".to_owned()),
            ("src-address-list", list.clone()),
            ("protocol", "tcp".into()),
            ("dst-port", "80".into()),
            ("action", "dst-nat".into()),
            ("to-addresses", setup.notice.ip().to_string()),
            ("to-ports", setup.notice.port().to_string()),
            ("comment", redirect),
        ];
        if let Some(first) = nat.first().and_then(|r| text(r, ".id")) {
            attrs.push(("place-before", first));
        }
        out.push(setup_command("/ip/firewall/nat/add", &attrs));
    }
    let filter = client
        .print(
            Command::builder("/ip/firewall/filter/print")
                .proplist([".id", "comment"])
                .build(),
        )
        .await
        .map_err(router_err("reading /ip/firewall/filter"))?;
    let first = filter.first().and_then(|r| text(r, ".id"));
    let rules: [(&str, Vec<(&str, String)>); 3] = [
        (
            "dns",
            vec![
                ("protocol", "udp".into()),
                ("dst-port", "53".into()),
                ("action", "accept".into()),
            ],
        ),
        (
            "notice",
            vec![
                ("dst-address", setup.notice.ip().to_string()),
                ("action", "accept".into()),
            ],
        ),
        ("block", vec![("action", "drop".into())]),
    ];
    for (what, extra) in rules {
        let comment = format!("{RULE_COMMENT} {what}");
        if has_rule(&filter, &comment) {
            continue;
        }
        let mut attrs = vec![
            ("chain", "forward".to_owned()),
            ("src-address-list", list.clone()),
        ];
        attrs.extend(extra);
        attrs.push(("comment", comment));
        if let Some(f) = &first {
            attrs.push(("place-before", f.clone()));
        }
        out.push(setup_command("/ip/firewall/filter/add", &attrs));
    }
    Ok(out)
}

/// Sends the setup's commands in order; stops at the first refusal. Returns the lines sent
/// and the refusal.
pub async fn apply_setup(client: &Client, cmds: &[SetupCommand]) -> (Vec<String>, Option<String>) {
    let mut sent = Vec::new();
    for c in cmds {
        sent.push(c.line.clone());
        if let Err(e) = client.execute(c.command.clone()).await {
            return (sent, Some(e.to_string()));
        }
    }
    (sent, None)
}

/// Secrets by name, active sessions by name: one read of each.
pub async fn ppp_state(
    client: &Client,
) -> Result<
    (
        HashMap<String, SecretRow>,
        HashMap<String, Vec<String>>,
        Vec<String>,
    ),
    Error,
> {
    let (secrets, _) = secrets(client).await?;
    let sessions = active(client).await?;
    let profiles = profiles(client).await?;
    let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
    for s in sessions {
        by_name.entry(s.name).or_default().push(s.id);
    }
    Ok((
        secrets.into_iter().map(|s| (s.name.clone(), s)).collect(),
        by_name,
        profiles,
    ))
}
