//! Rate history: the series and their compressed sample blocks.

use rusqlite::{params, OptionalExtension};

use super::MAX_L7_ROWS;
use super::{db, Store};
use crate::series::{decode_points, Block, Point, Tier};
use crate::Error;

impl Store {
    // ---- samples ----

    /// The id of a series (`kind` is `queue`, `tree` or `iface`), created on first use.
    pub fn series_id(&self, router_id: i64, kind: &str, name: &str) -> Result<i64, Error> {
        let c = self.c();
        if let Some(id) = c
            .query_row(
                "SELECT id FROM series WHERE router_id=?1 AND kind=?2 AND name=?3",
                params![router_id, kind, name],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?
        {
            return Ok(id);
        }
        c.execute(
            "INSERT INTO series(router_id, kind, name) VALUES (?1, ?2, ?3)",
            params![router_id, kind, name],
        )
        .map_err(db)?;
        Ok(c.last_insert_rowid())
    }

    /// The id of an existing series.
    pub fn find_series(
        &self,
        router_id: i64,
        kind: &str,
        name: &str,
    ) -> Result<Option<i64>, Error> {
        self.c()
            .query_row(
                "SELECT id FROM series WHERE router_id=?1 AND kind=?2 AND name=?3",
                params![router_id, kind, name],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
    }

    /// Writes blocks (insert or replace) in one transaction.
    pub fn write_blocks(&self, blocks: &[Block]) -> Result<(), Error> {
        let r = (|| -> Result<(), Error> {
            let mut c = self.c();
            let tx = c.transaction().map_err(db)?;
            {
                let mut st = tx
                    .prepare_cached(
                        "INSERT OR REPLACE INTO samples(tier, series_id, start, data) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .map_err(db)?;
                for b in blocks {
                    st.execute(params![b.tier.code(), b.series, b.start, b.data])
                        .map_err(db)?;
                }
            }
            tx.commit().map_err(db)
        })();
        self.wrote(r)
    }

    /// Points of a series in `[from, to]` from stored blocks.
    pub fn history(
        &self,
        series: i64,
        tier: Tier,
        from: i64,
        to: i64,
    ) -> Result<Vec<Point>, Error> {
        let c = self.c();
        let mut st = c
            .prepare_cached(
                "SELECT start, data FROM samples WHERE tier=?1 AND series_id=?2 AND start>=?3 AND start<=?4 ORDER BY start",
            )
            .map_err(db)?;
        let rows = st
            .query_map(
                params![tier.code(), series, tier.block_start(from), to],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (start, data) = row.map_err(db)?;
            out.extend(
                decode_points(tier, start, &data)
                    .into_iter()
                    .filter(|p| p.t >= from && p.t <= to),
            );
        }
        Ok(out)
    }

    /// Deletes samples older than each tier's retention and prunes the Layer 7 log; returns
    /// the rows removed.
    pub fn prune(&self, now: i64) -> Result<usize, Error> {
        let c = self.c();
        let mut n = 0;
        for tier in Tier::ALL {
            n += c
                .execute(
                    "DELETE FROM samples WHERE tier=?1 AND start < ?2",
                    params![tier.code(), now - tier.retention() - tier.span()],
                )
                .map_err(db)?;
        }
        n += c
            .execute(
                "DELETE FROM l7_activity WHERE id <= (SELECT max(id) FROM l7_activity) - ?1",
                [MAX_L7_ROWS],
            )
            .map_err(db)?;
        Ok(n)
    }

    /// Reclaims free pages (after large prunes).
    pub fn vacuum(&self) -> Result<(), Error> {
        self.c().execute_batch("VACUUM").map_err(db)
    }
}
