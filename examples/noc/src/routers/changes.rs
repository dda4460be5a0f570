//! Reading a router's configuration for an edit, and the one place that changes a router:
//! [`apply_queue`] sends a plan's commands in order and writes the audit entry. The web editor,
//! the chat commands and any future action go through here.

use queue_model::{Config, Item as _, SimpleQueue, Text};
use routeros_proto::{Client, Command};
use serde::Serialize;

use super::RouterHandle;
use crate::storage::Store;
use crate::Error;

/// A router's simple queues as the model reads them, and the rows it could not read.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Current {
    /// The queues that were read, in router order.
    pub config: Config,
    /// Rows that could not be read (name as the router sent it, and why); they are left alone:
    /// they are in neither the current nor the desired configuration, so no plan touches them.
    pub unreadable: Vec<(Text, String)>,
}

impl Current {
    /// One line for people about the unreadable rows (`None` when every row was read).
    pub fn unreadable_note(&self) -> Option<String> {
        let first = self.unreadable.first()?;
        let more = self.unreadable.len() - 1;
        Some(format!(
            "{} queue{} could not be read and {} left untouched: {} ({}){}",
            self.unreadable.len(),
            if self.unreadable.len() == 1 { "" } else { "s" },
            if self.unreadable.len() == 1 {
                "is"
            } else {
                "are"
            },
            first.0,
            first.1,
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ))
    }
}

/// Reads every simple queue of the router. A row the model cannot read does not fail the
/// others: it is listed in [`Current::unreadable`].
pub async fn current_queues(client: &Client) -> Result<Current, Error> {
    let rows = client
        .print(Command::new("/queue/simple/print"))
        .await
        .map_err(|e| Error::Router(format!("cannot read the queues: {e}")))?;
    let mut current = Current::default();
    for mut row in rows {
        for ro in ["dynamic", "invalid"] {
            row.remove(ro);
        }
        match SimpleQueue::from_attributes(&row) {
            Ok(q) => current.config.queues.push(q),
            Err(e) => {
                let name = row.get("name").map(Text::from).unwrap_or_default();
                current.unreadable.push((name, e.to_string()));
            }
        }
    }
    if let Some(note) = current.unreadable_note() {
        tracing::warn!("{}", crate::fmt::log_safe(&note));
    }
    Ok(current)
}

/// The outcome of applying a change on a router.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Applied {
    /// The commands sent, in order.
    pub commands: Vec<String>,
    /// The router's error, if a command failed (later commands were not sent).
    pub error: Option<String>,
}

/// Turns `current` into `desired` on the router (the plan's commands, in order) and writes the
/// audit log entry. The web editor, the chat commands and the alert actions use this.
pub async fn apply_queue(
    store: &Store,
    router: &RouterHandle,
    user: &str,
    action: &str,
    current: &Config,
    desired: &Config,
) -> Result<Applied, Error> {
    let client = router
        .client()
        .ok_or_else(|| Error::Router(format!("{} is not connected", router.name)))?;
    let changes = queue_model::plan_menus(current, desired, &[queue_model::Menu::SimpleQueue]);
    let mut applied = Applied {
        commands: Vec::new(),
        error: None,
    };
    for c in &changes {
        applied.commands.push(c.to_string());
        if let Err(e) = client.execute(c.to_command()).await {
            applied.error = Some(e.to_string());
            break;
        }
    }
    let detail = match &applied.error {
        None => applied.commands.join("\n"),
        Some(e) => format!("{}\nfailed: {e}", applied.commands.join("\n")),
    };
    store.audit(
        user,
        Some(router.id),
        action,
        &detail,
        applied.error.is_none(),
    )?;
    Ok(applied)
}

/// The menus a queue tree plan covers: mangle rules (by comment), queue types, queue trees.
pub const TREE_MENUS: &[queue_model::Menu] = &[
    queue_model::Menu::Mangle,
    queue_model::Menu::QueueType,
    queue_model::Menu::QueueTree,
];

/// Reads the router's mangle rules, queue types (not the built-in ones) and queue trees;
/// dynamic items are skipped. Any row the model cannot read fails the whole read: a plan
/// against a partly known state could remove what it did not see.
pub async fn current_trees(client: &Client) -> Result<Config, Error> {
    async fn read<T: queue_model::Item>(
        client: &Client,
        path: &str,
        skip: impl Fn(&routeros_proto::Attributes) -> bool,
    ) -> Result<Vec<T>, Error> {
        let rows = client
            .print(Command::new(format!("{path}/print")))
            .await
            .map_err(|e| Error::Router(format!("cannot read {path}: {e}")))?;
        let mut out = Vec::new();
        for row in rows {
            if row.get("dynamic") == Some(&b"true"[..]) || skip(&row) {
                continue;
            }
            out.push(T::from_attributes(&row).map_err(|e| {
                Error::Router(format!(
                    "cannot read {path}: {}",
                    crate::fmt::log_safe(&e.to_string())
                ))
            })?);
        }
        Ok(out)
    }
    let mut cfg = Config::default();
    cfg.mangle = read(client, "/ip/firewall/mangle", |_| false).await?;
    cfg.queue_types = read(client, "/queue/type", |row| {
        row.get("default") == Some(&b"true"[..])
            || row.get("name").is_some_and(|n| {
                queue_model::BUILTIN_QUEUE_TYPES
                    .iter()
                    .any(|b| b.as_bytes() == n)
            })
    })
    .await?;
    cfg.queue_trees = read(client, "/queue/tree", |_| false).await?;
    Ok(cfg)
}

/// Turns `current` into `desired` over `menus` on the router and writes the audit entry, as
/// [`apply_queue`] does; mangle rules, which a plan names by comment, are looked up by
/// comment just before each command that addresses one.
pub async fn apply_plan(
    store: &Store,
    router: &RouterHandle,
    user: &str,
    action: &str,
    current: &Config,
    desired: &Config,
    menus: &[queue_model::Menu],
) -> Result<Applied, Error> {
    let client = router
        .client()
        .ok_or_else(|| Error::Router(format!("{} is not connected", router.name)))?;
    let changes = queue_model::plan_menus(current, desired, menus);
    let mut applied = Applied {
        commands: Vec::new(),
        error: None,
    };
    for c in &changes {
        applied.commands.push(c.to_string());
        let mut cmd = c.to_command();
        if c.menu() == queue_model::Menu::Mangle {
            let rows = client
                .print(
                    Command::builder("/ip/firewall/mangle/print")
                        .proplist([".id", "comment"])
                        .build(),
                )
                .await;
            let resolved = rows.map_err(|e| e.to_string()).and_then(|rows| {
                let ids: Vec<(Vec<u8>, Vec<u8>)> = rows
                    .iter()
                    .filter_map(|r| Some((r.get("comment")?.to_vec(), r.get(".id")?.to_vec())))
                    .collect();
                queue_model::resolve_comments(&cmd, &ids)
                    .map_err(|e| crate::fmt::log_safe(&e.to_string()))
            });
            match resolved {
                Ok(c) => cmd = c,
                Err(e) => {
                    applied.error = Some(e);
                    break;
                }
            }
        }
        if let Err(e) = client.execute(cmd).await {
            applied.error = Some(e.to_string());
            break;
        }
    }
    let detail = match &applied.error {
        None => applied.commands.join("\n"),
        Some(e) => format!("{}\nfailed: {e}", applied.commands.join("\n")),
    };
    store.audit(
        user,
        Some(router.id),
        action,
        &detail,
        applied.error.is_none(),
    )?;
    Ok(applied)
}
