//! Plans: the ordered commands that turn the router's current queues and Layer 7 protocols into
//! the desired ones.
//!
//! Items are matched by name; equal items are not touched. Names should be unique (RouterOS
//! refuses a duplicate), but a configuration read from an export may repeat one: the k-th item
//! of a name in the current list is matched with the k-th item of that name in the desired
//! list, so a configuration planned against itself is always an empty plan and duplicates plan
//! deterministically. The plan adds and updates items in
//! tree order (parents before children, each `add` placed with `place-before` where its
//! successor exists already), then removes what is gone (children before parents), then moves
//! the fewest items needed to restore the desired order (the complement of a longest increasing
//! subsequence). Queue trees and queue types are planned the same way; mangle rules, which
//! have no name, are matched by comment (rules without one are not planned); filter rules are
//! not planned.
//!
//! ```
//! use queue_model::{apply, plan, rsc};
//! let current = rsc::parse("/queue simple\nadd name=a target=10.0.0.1\nadd name=b target=10.0.0.2\n")?;
//! let desired = rsc::parse("/queue simple\nadd name=b target=10.0.0.2\nadd max-limit=1M/1M name=a target=10.0.0.1\n")?;
//! let changes = plan(&current, &desired);
//! let text: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
//! assert_eq!(text, [
//!     "/queue simple set [find name=a] max-limit=1M/1M",
//!     "/queue simple move [find name=a]",
//! ]);
//! assert_eq!(apply(&current, &changes)?, desired);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use routeros_proto::Command;

use crate::error::ApplyError;
use crate::model::{Config, FirewallRule, Item, Layer7Protocol, SimpleQueue};
use crate::rsc::quote;
use crate::text::Text;
use crate::tree::{QueueTree, QueueType};
use crate::tree_check::tree_parents;
use crate::validate::{depths, parent_indices};

/// The menu a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Menu {
    /// `/queue simple`.
    SimpleQueue,
    /// `/ip firewall layer7-protocol`.
    Layer7Protocol,
    /// `/queue tree` (items addressed by name).
    QueueTree,
    /// `/queue type` (items addressed by name).
    QueueType,
    /// `/ip firewall mangle` (rules addressed by comment).
    Mangle,
}

impl Menu {
    /// Every menu [`plan`] covers, in the order it plans them.
    pub const ALL: [Menu; 5] = [
        Menu::Layer7Protocol,
        Menu::QueueType,
        Menu::Mangle,
        Menu::SimpleQueue,
        Menu::QueueTree,
    ];

    /// The CLI path, e.g. `/queue simple`.
    pub fn cli_path(self) -> &'static str {
        match self {
            Menu::SimpleQueue => "/queue simple",
            Menu::Layer7Protocol => "/ip firewall layer7-protocol",
            Menu::QueueTree => "/queue tree",
            Menu::QueueType => "/queue type",
            Menu::Mangle => "/ip firewall mangle",
        }
    }

    /// The property that identifies an item of this menu in a plan: `comment` for mangle
    /// rules, `name` elsewhere. For `comment`, the API commands of [`Change::to_command`]
    /// carry the comment in `numbers`/`place-before`/`destination`, and the caller must first
    /// resolve it to the rule's `.id` (`print ?comment=...`); the CLI form uses `[find comment=...]`.
    pub fn key_property(self) -> &'static str {
        match self {
            Menu::Mangle => "comment",
            _ => "name",
        }
    }

    /// The API path, e.g. `/queue/simple`.
    pub fn api_path(self) -> &'static str {
        match self {
            Menu::SimpleQueue => "/queue/simple",
            Menu::Layer7Protocol => "/ip/firewall/layer7-protocol",
            Menu::QueueTree => "/queue/tree",
            Menu::QueueType => "/queue/type",
            Menu::Mangle => "/ip/firewall/mangle",
        }
    }
}

/// One step of a plan. Items are addressed by name (`numbers=<name>` in API commands, which
/// RouterOS accepts for named items).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Create an item.
    Add {
        /// Where.
        menu: Menu,
        /// The new item's name.
        name: Text,
        /// Its non-default properties (name included), alphabetical.
        properties: Vec<(String, Text)>,
        /// Insert before this item instead of appending.
        place_before: Option<Text>,
    },
    /// Change properties of an item.
    Set {
        /// Where.
        menu: Menu,
        /// The item.
        name: Text,
        /// The properties to change, with their new values (defaults written out).
        properties: Vec<(String, Text)>,
    },
    /// Delete an item.
    Remove {
        /// Where.
        menu: Menu,
        /// The item.
        name: Text,
    },
    /// Move an item before another one, or to the end.
    Move {
        /// Where.
        menu: Menu,
        /// The item to move.
        name: Text,
        /// The item to move it before; `None`: to the end.
        before: Option<Text>,
    },
}

impl Change {
    /// The menu this change applies to.
    pub fn menu(&self) -> Menu {
        match self {
            Change::Add { menu, .. }
            | Change::Set { menu, .. }
            | Change::Remove { menu, .. }
            | Change::Move { menu, .. } => *menu,
        }
    }

    /// The name of the item this change is about.
    pub fn name(&self) -> &Text {
        match self {
            Change::Add { name, .. }
            | Change::Set { name, .. }
            | Change::Remove { name, .. }
            | Change::Move { name, .. } => name,
        }
    }

    /// The API command that performs this change.
    ///
    /// ```
    /// use queue_model::{Change, Menu};
    /// let c = Change::Remove { menu: Menu::SimpleQueue, name: "old".into() };
    /// let cmd = c.to_command();
    /// assert_eq!(&cmd.command()[..], b"/queue/simple/remove");
    /// assert_eq!(&cmd.words()[0][..], b"=numbers=old");
    /// ```
    pub fn to_command(&self) -> Command {
        let path = self.menu().api_path();
        match self {
            Change::Add {
                properties,
                place_before,
                ..
            } => {
                let mut b = Command::builder(format!("{path}/add"));
                for (k, v) in properties {
                    b.attribute(k, v);
                }
                if let Some(p) = place_before {
                    b.attribute("place-before", p);
                }
                b.build()
            }
            Change::Set {
                name, properties, ..
            } => {
                let mut b = Command::builder(format!("{path}/set"));
                b.attribute("numbers", name);
                for (k, v) in properties {
                    b.attribute(k, v);
                }
                b.build()
            }
            Change::Remove { name, .. } => Command::builder(format!("{path}/remove"))
                .attribute("numbers", name)
                .build(),
            Change::Move { name, before, .. } => {
                let mut b = Command::builder(format!("{path}/move"));
                b.attribute("numbers", name);
                if let Some(d) = before {
                    b.attribute("destination", d);
                }
                b.build()
            }
        }
    }
}

/// The change as a RouterOS CLI command, e.g.
/// `/queue simple set [find name=desk-1] max-limit=2M/5M`.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.menu().cli_path();
        let key = self.menu().key_property();
        let find = |n: &Text| format!("[find {key}={}]", quote(n.as_bytes()));
        match self {
            Change::Add {
                properties,
                place_before,
                ..
            } => {
                write!(f, "{path} add")?;
                for (k, v) in properties {
                    write!(f, " {k}={}", quote(v.as_bytes()))?;
                }
                if let Some(p) = place_before {
                    write!(f, " place-before={}", find(p))?;
                }
                Ok(())
            }
            Change::Set {
                name, properties, ..
            } => {
                write!(f, "{path} set {}", find(name))?;
                for (k, v) in properties {
                    write!(f, " {k}={}", quote(v.as_bytes()))?;
                }
                Ok(())
            }
            Change::Remove { name, .. } => write!(f, "{path} remove {}", find(name)),
            Change::Move { name, before, .. } => {
                write!(f, "{path} move {}", find(name))?;
                if let Some(d) = before {
                    write!(f, " destination={}", find(d))?;
                }
                Ok(())
            }
        }
    }
}

/// The changes that turn `current` into `desired`: Layer 7 protocols, queue types, mangle
/// rules, simple queues and queue trees, in that order.
///
/// Applying them with [`apply`] yields `desired`, provided both configurations have unique
/// names (and mangle rules unique comments); unknown properties present only in `current` are
/// left alone. Mangle rules are matched by comment, and a new rule is placed with
/// `place-before` the next desired rule that exists; rules without a comment cannot be
/// addressed and are not planned (they are neither added, changed nor removed).
pub fn plan(current: &Config, desired: &Config) -> Vec<Change> {
    plan_menus(current, desired, &Menu::ALL)
}

/// [`plan`] restricted to some menus: a caller that read only `/queue simple` and
/// `/ip firewall layer7-protocol` from a router plans those two, and does not re-add the trees
/// or mangle rules of a desired script it never compared with the router's.
///
/// ```
/// use queue_model::{plan_menus, rsc, Config, Menu};
/// let desired = rsc::parse("/queue tree\nadd name=t parent=global\n")?;
/// assert!(plan_menus(&Config::default(), &desired, &[Menu::SimpleQueue]).is_empty());
/// assert_eq!(plan_menus(&Config::default(), &desired, &[Menu::QueueTree]).len(), 1);
/// # Ok::<(), queue_model::RscError>(())
/// ```
pub fn plan_menus(current: &Config, desired: &Config, menus: &[Menu]) -> Vec<Change> {
    let want = |m: Menu| menus.contains(&m);
    let mut out = Vec::new();
    if want(Menu::Layer7Protocol) {
        out.extend(plan_menu(
            Menu::Layer7Protocol,
            &current.layer7_protocols,
            &desired.layer7_protocols,
            |_: &[Layer7Protocol]| None,
        ));
    }
    if want(Menu::QueueType) {
        out.extend(plan_menu(
            Menu::QueueType,
            &current.queue_types,
            &desired.queue_types,
            |_: &[QueueType]| None,
        ));
    }
    let commented = |rules: &[FirewallRule]| -> Vec<FirewallRule> {
        rules
            .iter()
            .filter(|r| r.comment.is_some())
            .cloned()
            .collect()
    };
    if want(Menu::Mangle) {
        out.extend(plan_menu(
            Menu::Mangle,
            &commented(&current.mangle),
            &commented(&desired.mangle),
            |_: &[FirewallRule]| None,
        ));
    }
    if want(Menu::SimpleQueue) {
        out.extend(plan_menu(
            Menu::SimpleQueue,
            &current.queues,
            &desired.queues,
            |qs: &[SimpleQueue]| {
                let (parents, _) = parent_indices(qs);
                Some(depths(&parents))
            },
        ));
    }
    if want(Menu::QueueTree) {
        out.extend(plan_menu(
            Menu::QueueTree,
            &current.queue_trees,
            &desired.queue_trees,
            |ts: &[QueueTree]| Some(depths(&tree_parents(ts))),
        ));
    }
    out
}

/// What identifies an item in a plan: its name, or a mangle rule's comment.
fn name_of<T: Item>(t: &T) -> &[u8] {
    t.name()
        .or_else(|| t.plan_key())
        .map(Text::as_bytes)
        .unwrap_or_default()
}

/// An item's name and which occurrence of that name it is in its list (0 for the first item of
/// that name, 1 for a second one, ...): unique within a list even when names repeat.
type Key<'a> = (&'a [u8], usize);

/// The key of every item of `items`, in list order.
fn keys<T: Item>(items: &[T]) -> Vec<Key<'_>> {
    let mut seen: HashMap<&[u8], usize> = HashMap::new();
    items
        .iter()
        .map(|t| {
            let name = name_of(t);
            let n = seen.entry(name).or_insert(0);
            let key = (name, *n);
            *n += 1;
            key
        })
        .collect()
}

fn plan_menu<T: Item>(
    menu: Menu,
    current: &[T],
    desired: &[T],
    depth_of: impl Fn(&[T]) -> Option<Vec<Option<usize>>>,
) -> Vec<Change> {
    let mut out = Vec::new();
    let cur_keys = keys(current);
    let want_keys = keys(desired);
    let cur_by_key: HashMap<Key<'_>, &T> = cur_keys.iter().copied().zip(current).collect();
    let want: HashSet<Key<'_>> = want_keys.iter().copied().collect();
    // The list as the router will have it, kept up to date while planning.
    let mut order: Vec<Key<'_>> = cur_keys.clone();

    // 1. Adds and sets in tree order: parents first (stable, so list order otherwise).
    let mut idx: Vec<usize> = (0..desired.len()).collect();
    if let Some(d) = depth_of(desired) {
        idx.sort_by_key(|&i| d.get(i).copied().flatten().unwrap_or(usize::MAX));
    }
    let desired_pos: HashMap<Key<'_>, usize> =
        want_keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    for i in idx {
        let (Some(item), Some(&key)) = (desired.get(i), want_keys.get(i)) else {
            continue;
        };
        let name = key.0;
        match cur_by_key.get(&key) {
            None => {
                // Place before the next desired item that exists already.
                let before = want_keys
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .find(|k| order.contains(k))
                    .copied();
                match before.and_then(|b| order.iter().position(|k| *k == b)) {
                    Some(p) => order.insert(p, key),
                    None => order.push(key),
                }
                out.push(Change::Add {
                    menu,
                    name: Text::from(name),
                    properties: item.properties(),
                    place_before: before.map(|(b, _)| Text::from(b)),
                });
            }
            Some(cur) => {
                if *cur == item {
                    continue;
                }
                // Only what differs, byte for byte: a field that did not change is never
                // written back (a comment in another code page stays untouched).
                let old: HashMap<String, Text> = cur.all_properties().into_iter().collect();
                let changed: Vec<(String, Text)> = item
                    .all_properties()
                    .into_iter()
                    .filter(|(k, v)| old.get(k) != Some(v))
                    .collect();
                if !changed.is_empty() {
                    out.push(Change::Set {
                        menu,
                        name: Text::from(name),
                        properties: changed,
                    });
                }
            }
        }
    }

    // 2. Removals, deepest first.
    let mut gone: Vec<usize> = (0..current.len())
        .filter(|&i| cur_keys.get(i).is_some_and(|k| !want.contains(k)))
        .collect();
    if let Some(d) = depth_of(current) {
        gone.sort_by_key(|&i| std::cmp::Reverse(d.get(i).copied().flatten().unwrap_or(0)));
    }
    for i in gone {
        let Some(&key) = cur_keys.get(i) else {
            continue;
        };
        order.retain(|k| *k != key);
        out.push(Change::Remove {
            menu,
            name: Text::from(key.0),
        });
    }

    // 3. Moves: keep a longest run already in desired order, move the rest into place.
    let seq: Vec<usize> = order
        .iter()
        .filter_map(|k| desired_pos.get(k).copied())
        .collect();
    let keep: HashSet<usize> = longest_increasing(&seq).into_iter().collect();
    for j in (0..desired.len()).rev() {
        if keep.contains(&j) {
            continue;
        }
        let Some(item) = desired.get(j) else { continue };
        out.push(Change::Move {
            menu,
            name: Text::from(name_of(item)),
            before: desired.get(j + 1).map(|t| Text::from(name_of(t))),
        });
    }
    out
}

/// The values of a longest strictly increasing subsequence of `seq` (O(n log n)).
fn longest_increasing(seq: &[usize]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new(); // index into seq of the smallest tail per length
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, &v) in seq.iter().enumerate() {
        let pos = tails.partition_point(|&t| seq.get(t).is_some_and(|&x| x < v));
        if let Some(p) = prev.get_mut(i) {
            *p = pos.checked_sub(1).and_then(|q| tails.get(q).copied());
        }
        if pos == tails.len() {
            tails.push(i);
        } else if let Some(slot) = tails.get_mut(pos) {
            *slot = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        if let Some(&v) = seq.get(i) {
            out.push(v);
        }
        cur = prev.get(i).copied().flatten();
    }
    out.reverse();
    out
}

fn apply_menu<T: Item>(items: &mut Vec<T>, change: &Change) -> Result<(), ApplyError> {
    let pos = |items: &[T], n: &Text| items.iter().position(|t| name_of(t) == n.as_bytes());
    let missing = |n: &Text| ApplyError::NoSuchItem(n.to_string());
    match change {
        Change::Add {
            name,
            properties,
            place_before,
            ..
        } => {
            if pos(items, name).is_some() {
                return Err(ApplyError::Exists(name.to_string()));
            }
            let mut t = T::default();
            for (k, v) in properties {
                t.set_property(k, v.as_bytes())?;
            }
            t.required()?;
            match place_before {
                Some(b) => {
                    let p = pos(items, b).ok_or_else(|| missing(b))?;
                    items.insert(p, t);
                }
                None => items.push(t),
            }
        }
        Change::Set {
            name, properties, ..
        } => {
            let p = pos(items, name).ok_or_else(|| missing(name))?;
            if let Some(t) = items.get_mut(p) {
                for (k, v) in properties {
                    t.set_property(k, v.as_bytes())?;
                }
            }
        }
        Change::Remove { name, .. } => {
            let p = pos(items, name).ok_or_else(|| missing(name))?;
            items.remove(p);
        }
        Change::Move { name, before, .. } => {
            let p = pos(items, name).ok_or_else(|| missing(name))?;
            let t = items.remove(p);
            match before {
                Some(b) => match pos(items, b) {
                    Some(q) => items.insert(q, t),
                    None => {
                        items.insert(p, t);
                        return Err(missing(b));
                    }
                },
                None => items.push(t),
            }
        }
    }
    Ok(())
}

/// Refuses what RouterOS refuses: a parent that does not exist, removing a queue that still
/// has children.
fn check_tree(queues: &[SimpleQueue], change: &Change) -> Result<(), ApplyError> {
    match change {
        Change::Add { name, .. } | Change::Set { name, .. } => {
            let parent = queues
                .iter()
                .find(|q| &q.name == name)
                .and_then(|q| q.parent.as_ref());
            if let Some(p) = parent {
                if !queues.iter().any(|q| &q.name == p) {
                    return Err(ApplyError::NoSuchItem(p.to_string()));
                }
            }
        }
        Change::Remove { name, .. } => {
            if queues.iter().any(|q| q.parent.as_ref() == Some(name)) {
                return Err(ApplyError::HasChildren(name.to_string()));
            }
        }
        Change::Move { .. } => {}
    }
    Ok(())
}

/// Applies changes to a configuration in memory, the way the router would: `set`, `remove`
/// and `move` need the item to exist, `add` a new name, a queue's parent must exist and a
/// queue with children cannot be removed.
pub fn apply(config: &Config, changes: &[Change]) -> Result<Config, ApplyError> {
    let mut out = config.clone();
    for c in changes {
        match c.menu() {
            Menu::SimpleQueue => {
                apply_menu(&mut out.queues, c)?;
                check_tree(&out.queues, c)?;
            }
            Menu::Layer7Protocol => apply_menu(&mut out.layer7_protocols, c)?,
            Menu::QueueType => apply_menu(&mut out.queue_types, c)?,
            Menu::Mangle => apply_menu(&mut out.mangle, c)?,
            Menu::QueueTree => {
                apply_menu(&mut out.queue_trees, c)?;
                if let Change::Remove { name, .. } = c {
                    if out.queue_trees.iter().any(|t| &t.parent == name) {
                        return Err(ApplyError::HasChildren(name.to_string()));
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lis() {
        assert_eq!(longest_increasing(&[3, 0, 1, 4, 2, 5]), vec![0, 1, 2, 5]);
        assert_eq!(longest_increasing(&[]), Vec::<usize>::new());
    }

    fn parse(s: &str) -> Config {
        crate::rsc::parse(s).unwrap()
    }

    fn lines(changes: &[Change]) -> Vec<String> {
        changes.iter().map(Change::to_string).collect()
    }

    /// Found by the `rsc_parse` fuzz target: with a repeated name, the current item of that name
    /// shadowed the other, so a configuration planned against itself gave `set` and `move`.
    #[test]
    fn duplicate_names_plan_against_themselves_to_nothing() {
        let cfg = parse(
            "/ip firewall layer7-protocol\n\
             add name=x regexp=^a\n\
             add name=y regexp=^b\n\
             add name=x regexp=^c\n\
             /queue simple\n\
             add name=q target=10.0.0.1\n\
             add max-limit=1M/1M name=q target=10.0.0.2\n\
             add name=r target=10.0.0.3\n\
             add name=q parent=r target=10.0.0.4\n",
        );
        assert_eq!(cfg.layer7_protocols.len(), 3);
        assert_eq!(cfg.queues.len(), 4);
        assert_eq!(lines(&plan(&cfg, &cfg)), Vec::<String>::new());
    }

    /// Duplicates are matched in order of appearance: the second `q` of one list is the second
    /// `q` of the other.
    #[test]
    fn duplicate_names_match_in_order_of_appearance() {
        let current = parse(
            "/queue simple\n\
             add name=q target=10.0.0.1\n\
             add name=q target=10.0.0.2\n",
        );
        let desired = parse(
            "/queue simple\n\
             add name=q target=10.0.0.1\n\
             add max-limit=1M/1M name=q target=10.0.0.2\n\
             add name=q target=10.0.0.3\n",
        );
        let changes = plan(&current, &desired);
        assert_eq!(
            lines(&changes),
            [
                "/queue simple set [find name=q] max-limit=1M/1M",
                "/queue simple add name=q target=10.0.0.3/32",
            ]
        );
        assert_eq!(changes, plan(&current, &desired), "deterministic");
        // Back again: the third `q` goes, the second is set back.
        assert_eq!(
            lines(&plan(&desired, &current)),
            [
                "/queue simple set [find name=q] max-limit=0/0",
                "/queue simple remove [find name=q]",
            ]
        );
    }
}

/// Why [`resolve_comments`] could not address a mangle rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No rule on the router has the comment the plan names it by.
    #[error("no mangle rule with comment {0:?}")]
    UnknownComment(String),
    /// The resolved words do not make a command.
    #[error("invalid command: {0}")]
    Command(String),
}

/// Replaces the mangle rule comments a plan's command names rules by (in `numbers`,
/// `place-before` and `destination`; see [`Menu::key_property`]) with the rules' `.id`s:
/// `ids` are `(comment, id)` as the router reports them. Other words are kept as they are.
pub fn resolve_comments(
    cmd: &Command,
    ids: &[(Vec<u8>, Vec<u8>)],
) -> Result<Command, ResolveError> {
    let mut words: Vec<Vec<u8>> = vec![cmd.command().to_vec()];
    for w in cmd.words() {
        let mut word = w.to_vec();
        for key in [&b"=numbers="[..], b"=place-before=", b"=destination="] {
            if let Some(comment) = w.strip_prefix(key) {
                let id = ids
                    .iter()
                    .find(|(c, _)| c.as_slice() == comment)
                    .map(|(_, id)| id)
                    .ok_or_else(|| {
                        ResolveError::UnknownComment(String::from_utf8_lossy(comment).into_owned())
                    })?;
                word = [key, id.as_slice()].concat();
            }
        }
        words.push(word);
    }
    Command::from_words(words).map_err(|e| ResolveError::Command(e.to_string()))
}
