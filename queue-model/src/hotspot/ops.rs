//! The router side of the hotspot conventions: the few async steps over a
//! [`routeros_proto::Client`] that every tool needs — the router's date, the user names taken,
//! and adding a batch of users with a bounded number of commands in flight. The rest of the
//! module is sans-io; these functions only move its values over the API.

use std::collections::HashSet;

use futures_util::stream::{FuturesOrdered, StreamExt};
use routeros_proto::{Client, Command};

use super::HotspotUser;
use crate::clock::Date;
use crate::Item as _;
use crate::Text;

/// Commands in flight while adding users: enough to hide a link's round trip, few enough for
/// the router's API queue.
pub const PIPELINE: usize = 32;

/// The router's date (its clock, in either date form), or today's UTC date here when the
/// router does not say.
pub async fn router_date(client: &Client) -> Date {
    let rows = client
        .print(Command::new("/system/clock/print"))
        .await
        .unwrap_or_default();
    rows.first()
        .and_then(|r| r.get_str("date"))
        .and_then(Result::ok)
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            Date::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(0))
                .unwrap_or(Date::EPOCH)
        })
}

/// The names of the router's hotspot users (what new codes must not repeat).
pub async fn user_names(client: &Client) -> Result<HashSet<Text>, routeros_proto::Error> {
    let rows = client
        .print(
            Command::builder("/ip/hotspot/user/print")
                .proplist(["name"])
                .build(),
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|u| u.get("name"))
        .map(Text::from)
        .collect())
}

/// What [`add_users`] did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Added {
    /// Indexes (into the users given) of the users the router accepted, in order.
    pub added: Vec<usize>,
    /// The first refusal: the user's name and the router's reason. Users after it are not
    /// sent (those already in flight may still have been added).
    pub failure: Option<(String, String)>,
}

/// Adds `users` to `/ip/hotspot/user`, [`PIPELINE`] commands at a time, calling `progress`
/// with the count added so far; stops sending at the first refusal.
pub async fn add_users(
    client: &Client,
    users: &[HotspotUser],
    mut progress: impl FnMut(usize),
) -> Added {
    let mut out = Added::default();
    let mut pending = FuturesOrdered::new();
    let mut next = users.iter().enumerate();
    loop {
        while out.failure.is_none() && pending.len() < PIPELINE {
            let Some((i, u)) = next.next() else { break };
            let mut cmd = Command::builder("/ip/hotspot/user/add");
            for (k, v) in &u.to_add_attributes() {
                cmd.attribute(k, v);
            }
            let cmd = cmd.build();
            let c = client.clone();
            pending.push_back(async move { (i, c.execute(cmd).await) });
        }
        let Some((i, result)) = pending.next().await else {
            break;
        };
        match result {
            Ok(_) => {
                out.added.push(i);
                progress(out.added.len());
            }
            Err(e) if out.failure.is_none() => {
                let why = e
                    .trap()
                    .map(|t| t.message.clone())
                    .unwrap_or_else(|| e.to_string());
                let name = users
                    .get(i)
                    .map(|u| u.name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.failure = Some((name, why));
            }
            Err(_) => {}
        }
    }
    out
}
