//! Checkpoints published with a quorum of witness cosignatures.
//!
//! Kept apart from `checkpoints` (every checkpoint the log signed): a row
//! here means independent witnesses vouched for that tree, so a later
//! publication must extend it. The table is created on first use.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

const TABLE: &str = "CREATE TABLE IF NOT EXISTS published_checkpoints (
    size         INTEGER PRIMARY KEY,   -- tree size of the checkpoint
    note         TEXT NOT NULL,         -- the signed note with its cosignatures, as published
    published_at TEXT NOT NULL
)";

/// A cosigned checkpoint as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedCheckpoint {
    /// Tree size.
    pub size: u64,
    /// The signed note with the witnesses' cosignature lines.
    pub note: String,
    /// When it was published (RFC 3339).
    pub published_at: String,
}

impl Store {
    /// Records a cosigned checkpoint as published; publishing the same size
    /// again (fresh cosignatures) replaces the note.
    pub fn save_published(&self, size: u64, note: &str, published_at: &str) -> Result<()> {
        self.conn.execute(TABLE, [])?;
        self.conn.execute(
            "INSERT INTO published_checkpoints (size, note, published_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(size) DO UPDATE SET note = excluded.note, published_at = excluded.published_at",
            params![size, note, published_at],
        )?;
        Ok(())
    }

    /// The published checkpoint with the largest size, if any.
    pub fn latest_published(&self) -> Result<Option<PublishedCheckpoint>> {
        self.conn.execute(TABLE, [])?;
        Ok(self
            .conn
            .query_row(
                "SELECT size, note, published_at FROM published_checkpoints ORDER BY size DESC LIMIT 1",
                [],
                |r| {
                    Ok(PublishedCheckpoint {
                        size: r.get(0)?,
                        note: r.get(1)?,
                        published_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_is_the_largest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("m.db")).unwrap();
        assert_eq!(store.latest_published().unwrap(), None);
        store.save_published(5, "five\n", "t1").unwrap();
        store.save_published(9, "nine\n", "t2").unwrap();
        store.save_published(9, "nine again\n", "t3").unwrap();
        let latest = store.latest_published().unwrap().unwrap();
        assert_eq!((latest.size, latest.note.as_str()), (9, "nine again\n"));
    }
}
