//! The rule book: rules from `noc.toml` merged with those saved in the dashboard, and the
//! signal that the set changed.

use super::rules::{default_rules, RuleConfig};

/// A rule saved from the dashboard (persisted in the database).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SavedRule {
    /// The rule.
    pub rule: RuleConfig,
    /// Whether it applies; a disabled rule also switches off a `noc.toml` rule of the same
    /// name.
    pub enabled: bool,
}

impl SavedRule {
    /// A saved rule.
    pub fn new(rule: RuleConfig, enabled: bool) -> SavedRule {
        SavedRule { rule, enabled }
    }
}

/// Where a rule of the effective set comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleSource {
    /// `noc.toml`.
    File,
    /// Saved in the dashboard.
    Dashboard,
    /// Saved in the dashboard under the name of a `noc.toml` rule, which it replaces.
    Override,
    /// Built in: `noc.toml` has no rules, so the [`default_rules`] apply.
    BuiltIn,
    /// Saved in the dashboard under the name of a built-in rule, which it replaces.
    BuiltInOverride,
}

impl RuleSource {
    /// `noc.toml`, `built-in`, `dashboard`, `dashboard (replaces noc.toml)` or
    /// `dashboard (replaces built-in)`.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSource::File => "noc.toml",
            RuleSource::Dashboard => "dashboard",
            RuleSource::Override => "dashboard (replaces noc.toml)",
            RuleSource::BuiltIn => "built-in",
            RuleSource::BuiltInOverride => "dashboard (replaces built-in)",
        }
    }

    /// Whether the rule (or the one it replaces) is one of the built-in defaults.
    pub fn is_built_in(self) -> bool {
        matches!(self, RuleSource::BuiltIn | RuleSource::BuiltInOverride)
    }
}

/// One row of the merged rule list: the rule, whether it is enabled, and its origin.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ListedRule {
    /// The rule.
    pub rule: RuleConfig,
    /// Whether the engine evaluates it.
    pub enabled: bool,
    /// Where it comes from.
    pub source: RuleSource,
}

/// The alert rules saved in the dashboard. Rows that no longer parse (or whose JSON names
/// another rule) are skipped with a warning.
pub fn saved_rules(store: &crate::storage::Store) -> Result<Vec<SavedRule>, crate::Error> {
    let mut out = Vec::new();
    for row in store.stored_rules()? {
        match serde_json::from_str::<RuleConfig>(&row.json) {
            Ok(rule) if rule.name == row.name => out.push(SavedRule::new(rule, row.enabled)),
            Ok(_) => tracing::warn!(rule = %row.name, "saved alert rule has another name: skipped"),
            Err(e) => {
                tracing::warn!(rule = %row.name, error = %e, "saved alert rule unreadable: skipped")
            }
        }
    }
    Ok(out)
}

/// Saves (inserts or replaces) an alert rule; `replaces` is the name it had before an edit
/// that renamed it.
pub fn save_rule(
    store: &crate::storage::Store,
    rule: &RuleConfig,
    enabled: bool,
    replaces: Option<&str>,
    user: &str,
) -> Result<(), crate::Error> {
    let json = serde_json::to_string(rule).map_err(|e| crate::Error::Config(e.to_string()))?;
    store.store_rule(&rule.name, &json, enabled, replaces, user)
}

/// Merges the file rules with the rules saved in the dashboard: a saved rule replaces the file
/// rule of the same name (in its place), a disabled saved rule switches it off, and saved
/// rules with new names follow the file rules in name order.
pub fn merge(file: &[RuleConfig], saved: &[SavedRule]) -> Vec<ListedRule> {
    let mut out: Vec<ListedRule> = file
        .iter()
        .map(|r| match saved.iter().find(|s| s.rule.name == r.name) {
            Some(s) => ListedRule {
                rule: s.rule.clone(),
                enabled: s.enabled,
                source: RuleSource::Override,
            },
            None => ListedRule {
                rule: r.clone(),
                enabled: true,
                source: RuleSource::File,
            },
        })
        .collect();
    let mut extra: Vec<&SavedRule> = saved
        .iter()
        .filter(|s| !file.iter().any(|r| r.name == s.rule.name))
        .collect();
    extra.sort_by(|a, b| a.rule.name.cmp(&b.rule.name));
    out.extend(extra.into_iter().map(|s| ListedRule {
        rule: s.rule.clone(),
        enabled: s.enabled,
        source: RuleSource::Dashboard,
    }));
    out
}

/// The rules the engine evaluates: the enabled rules of [`merge`].
pub fn effective(file: &[RuleConfig], saved: &[SavedRule]) -> Vec<RuleConfig> {
    merge(file, saved)
        .into_iter()
        .filter(|l| l.enabled)
        .map(|l| l.rule)
        .collect()
}

/// The file rules of a running noc and a signal that the rule set changed; the monitor
/// listens, the dashboard's rule editor pulls the trigger after saving.
#[derive(Debug)]
pub struct RuleBook {
    /// The file rules, and whether they are the built-in defaults.
    file: std::sync::Mutex<(Vec<RuleConfig>, bool)>,
    changed: tokio::sync::watch::Sender<u64>,
}

impl Default for RuleBook {
    fn default() -> RuleBook {
        let book = RuleBook::new(default_rules());
        book.lock().1 = true;
        book
    }
}

impl RuleBook {
    /// A book whose file rules are `file`.
    pub fn new(file: Vec<RuleConfig>) -> RuleBook {
        RuleBook {
            file: std::sync::Mutex::new((file, false)),
            changed: tokio::sync::watch::channel(0).0,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<RuleConfig>, bool)> {
        self.file.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The rules from `noc.toml` (or the defaults).
    pub fn file_rules(&self) -> Vec<RuleConfig> {
        self.lock().0.clone()
    }

    /// Whether the file rules are the built-in defaults (`noc.toml` has no `[[rule]]`).
    pub fn is_built_in(&self) -> bool {
        self.lock().1
    }

    /// Replaces the file rules (from `noc.toml`) and signals a change.
    pub fn set_file_rules(&self, rules: Vec<RuleConfig>) {
        *self.lock() = (rules, false);
        self.notify();
    }

    /// Replaces the file rules with built-in ones (`noc.toml` has none) and signals a change.
    pub fn set_built_in_rules(&self, rules: Vec<RuleConfig>) {
        *self.lock() = (rules, true);
        self.notify();
    }

    /// The merged rule list ([`merge`]), with the origin of file rules shown as `built-in`
    /// when they are the defaults.
    pub fn list(&self, saved: &[SavedRule]) -> Vec<ListedRule> {
        let (file, built_in) = self.lock().clone();
        let mut list = merge(&file, saved);
        if built_in {
            for l in &mut list {
                l.source = match l.source {
                    RuleSource::File => RuleSource::BuiltIn,
                    RuleSource::Override => RuleSource::BuiltInOverride,
                    s => s,
                };
            }
        }
        list
    }

    /// Signals that the saved rules changed.
    pub fn notify(&self) {
        self.changed.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// A receiver that sees every later [`RuleBook::notify`].
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }
}
