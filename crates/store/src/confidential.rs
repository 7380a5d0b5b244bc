//! Confidential records: the log holds only a salted commitment; the salt and
//! the content stay here, in the operator's database, until disclosed. Every
//! disclosure is recorded.

use rusqlite::{params, Connection, OptionalExtension};

use crate::imports::Hidden;
use crate::{Result, Store};

/// Save the hidden half inside the append transaction (same durability as the entry).
pub(crate) fn insert(tx: &Connection, index: u64, hidden: &Hidden) -> Result<()> {
    tx.prepare_cached("INSERT INTO confidential (idx, salt, content) VALUES (?1, ?2, ?3)")?
        .execute(params![index, &hidden.salt[..], hidden.content])?;
    Ok(())
}

impl Store {
    /// Every hidden half, by entry index, for verification (not a
    /// disclosure: nothing leaves the database).
    pub fn for_each_hidden(&self, mut visit: impl FnMut(u64, &[u8], &[u8]) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT idx, salt, content FROM confidential ORDER BY idx")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            // Read as bytes whatever the column's type: a hand-edited row may
            // hold text where a blob was written.
            let salt = row.get_ref(1)?.as_bytes().unwrap_or_default();
            let content = row.get_ref(2)?.as_bytes().unwrap_or_default();
            visit(row.get(0)?, salt, content)?;
        }
        Ok(())
    }

    /// The hidden half of entry `index`, recording that it was disclosed.
    /// `None` if the entry is not confidential.
    pub fn disclose(&self, index: u64, now: &str) -> Result<Option<Hidden>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT salt, content FROM confidential WHERE idx = ?1",
                [index],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((salt, content)) = row else {
            return Ok(None);
        };
        let salt: [u8; 32] = salt
            .try_into()
            .map_err(|_| crate::StoreError::CorruptState(format!("entry {index}: salt is not 32 bytes")))?;
        self.conn.execute(
            "INSERT INTO disclosures (idx, disclosed_at) VALUES (?1, ?2)",
            params![index, now],
        )?;
        Ok(Some(Hidden { salt, content }))
    }
}
