//! Paged, filtered reads of the alert feed and the audit log (the pages show any amount of
//! history a screen at a time).

use rusqlite::params;

use super::{db, Alert, AuditEntry, Store};
use crate::Error;

/// Which alerts a page shows.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AlertFilter {
    /// `critical`, `warning` or `info`; any when `None`.
    pub severity: Option<String>,
    /// `Some(true)`: open only; `Some(false)`: resolved only.
    pub open: Option<bool>,
    /// Case-insensitive text in the title or the detail.
    pub text: Option<String>,
}

/// Which audit entries a page shows.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AuditFilter {
    /// Exactly this user.
    pub user: Option<String>,
    /// Actions starting with this (`queue.`, `user.password`).
    pub action: Option<String>,
    /// Case-insensitive text in the detail.
    pub text: Option<String>,
}

fn like(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let escaped = t
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
}

/// The `WHERE` clause of an [`AlertFilter`] over `?1` (severity), `?2` (open) and `?3`
/// (text).
const ALERT_FILTER: &str = "(?1 IS NULL OR severity = ?1)
     AND (?2 IS NULL OR (resolved_at IS NULL) = ?2)
     AND (?3 IS NULL OR title LIKE ?3 ESCAPE '\\' OR detail LIKE ?3 ESCAPE '\\')";

impl Store {
    /// How many open, unacknowledged alerts match `f` (whatever its state says), and the
    /// highest id among them: what "acknowledge all" would acknowledge.
    pub fn unacked_open(&self, f: &AlertFilter) -> Result<(i64, i64), Error> {
        let text = like(&f.text);
        self.c()
            .query_row(
                &format!(
                    "SELECT count(*), coalesce(max(id), 0) FROM alerts WHERE {ALERT_FILTER}
                     AND acked_by IS NULL"
                ),
                params![f.severity, Some(1i64), text],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(db)
    }

    /// Acknowledges the open, unacknowledged alerts that match `f` (whatever its state says)
    /// with an id up to `up_to` (what the page showed: alerts opened since are left alone);
    /// returns how many.
    pub fn ack_open(
        &self,
        f: &AlertFilter,
        up_to: i64,
        user: &str,
        now: i64,
    ) -> Result<usize, Error> {
        let text = like(&f.text);
        let n = self
            .c()
            .execute(
                &format!(
                    "UPDATE alerts SET acked_by=?5, acked_at=?6 WHERE {ALERT_FILTER}
                     AND acked_by IS NULL AND id <= ?4"
                ),
                params![f.severity, Some(1i64), text, up_to, user, now],
            )
            .map_err(db)?;
        if n > 0 {
            self.alerts_changed();
        }
        Ok(n)
    }

    /// One page of alerts (open first, then the most recent) and how many match.
    pub fn alerts_page(
        &self,
        f: &AlertFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Alert>, i64), Error> {
        let c = self.c();
        let open = f.open.map(i64::from);
        let text = like(&f.text);
        let filter = ALERT_FILTER;
        let total: i64 = c
            .query_row(
                &format!("SELECT count(*) FROM alerts WHERE {filter}"),
                params![f.severity, open, text],
                |r| r.get(0),
            )
            .map_err(db)?;
        let mut st = c
            .prepare_cached(&format!(
                "SELECT id, key, router_id, severity, title, detail, first_seen, last_seen, count,
                        resolved_at, acked_by, acked_at
                 FROM alerts WHERE {filter}
                 ORDER BY (resolved_at IS NULL) DESC, last_seen DESC, id DESC LIMIT ?4 OFFSET ?5"
            ))
            .map_err(db)?;
        let rows = st
            .query_map(params![f.severity, open, text, limit, offset], |r| {
                Ok(Alert {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    router_id: r.get(2)?,
                    severity: r.get(3)?,
                    title: r.get(4)?,
                    detail: r.get(5)?,
                    first_seen: r.get(6)?,
                    last_seen: r.get(7)?,
                    count: r.get(8)?,
                    resolved_at: r.get(9)?,
                    acked_by: r.get(10)?,
                    acked_at: r.get(11)?,
                })
            })
            .map_err(db)?;
        Ok((rows.collect::<Result<_, _>>().map_err(db)?, total))
    }

    /// One page of the audit log (newest first) and how many entries match.
    pub fn audit_page(
        &self,
        f: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AuditEntry>, i64), Error> {
        let c = self.c();
        let user = f.user.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let action = f
            .action
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                format!(
                    "{}%",
                    a.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        let text = like(&f.text);
        let filter = "(?1 IS NULL OR user = ?1)
             AND (?2 IS NULL OR action LIKE ?2 ESCAPE '\\')
             AND (?3 IS NULL OR detail LIKE ?3 ESCAPE '\\')";
        let total: i64 = c
            .query_row(
                &format!("SELECT count(*) FROM audit WHERE {filter}"),
                params![user, action, text],
                |r| r.get(0),
            )
            .map_err(db)?;
        let mut st = c
            .prepare_cached(&format!(
                "SELECT id, time, user, router_id, action, detail, ok FROM audit WHERE {filter}
                 ORDER BY id DESC LIMIT ?4 OFFSET ?5"
            ))
            .map_err(db)?;
        let rows = st
            .query_map(params![user, action, text, limit, offset], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    time: r.get(1)?,
                    user: r.get(2)?,
                    router_id: r.get(3)?,
                    action: r.get(4)?,
                    detail: r.get(5)?,
                    ok: r.get(6)?,
                })
            })
            .map_err(db)?;
        Ok((rows.collect::<Result<_, _>>().map_err(db)?, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_and_audit_page_and_filter() {
        let s = Store::in_memory().unwrap();
        for i in 0..120 {
            let sev = if i % 3 == 0 { "critical" } else { "info" };
            s.fire_alert(
                &format!("k{i}"),
                None,
                sev,
                &format!("alert {i}"),
                "100%_done",
                i,
            )
            .unwrap();
            s.audit(
                if i % 2 == 0 { "ana" } else { "budi" },
                None,
                "queue.edit",
                &format!("q{i}"),
                true,
            )
            .unwrap();
        }
        s.resolve_alert("k3", 500).unwrap();
        let all = AlertFilter::default();
        let (page, total) = s.alerts_page(&all, 0, 50).unwrap();
        assert_eq!((page.len(), total), (50, 120));
        let (last, _) = s.alerts_page(&all, 100, 50).unwrap();
        assert_eq!(last.len(), 20);
        let crit = AlertFilter {
            severity: Some("critical".into()),
            ..Default::default()
        };
        assert_eq!(s.alerts_page(&crit, 0, 500).unwrap().1, 40);
        let resolved = AlertFilter {
            open: Some(false),
            ..Default::default()
        };
        let (r, n) = s.alerts_page(&resolved, 0, 10).unwrap();
        assert_eq!((n, r[0].key.as_str()), (1, "k3"));
        let text = AlertFilter {
            text: Some("ALERT 11".into()),
            ..Default::default()
        };
        assert_eq!(s.alerts_page(&text, 0, 500).unwrap().1, 11, "11, 110..119");
        let literal = AlertFilter {
            text: Some("%_".into()),
            ..Default::default()
        };
        assert_eq!(
            s.alerts_page(&literal, 0, 500).unwrap().1,
            120,
            "wildcards match literally"
        );
        let ana = AuditFilter {
            user: Some("ana".into()),
            ..Default::default()
        };
        let (a, n) = s.audit_page(&ana, 0, 10).unwrap();
        assert_eq!((a.len(), n), (10, 60));
        assert!(a.iter().all(|e| e.user == "ana"));
        let action = AuditFilter {
            action: Some("queue.".into()),
            text: Some("q11".into()),
            ..Default::default()
        };
        assert_eq!(s.audit_page(&action, 0, 10).unwrap().1, 11);
    }
}
