//! Tables and connection settings.

use rusqlite::Connection;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS log_entries (
    idx       INTEGER PRIMARY KEY,      -- position in the transparency log, from 0
    leaf_hash BLOB NOT NULL,            -- SHA-256(0x00 || body), RFC 9162
    body      BLOB NOT NULL             -- the record as canonical JSON (RFC 8785)
);
CREATE TABLE IF NOT EXISTS log_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    size     INTEGER NOT NULL,
    frontier BLOB NOT NULL              -- hashes of the perfect subtrees on the right edge
);
CREATE TABLE IF NOT EXISTS log_tiles (
    level  INTEGER NOT NULL,            -- C2SP tlog-tiles level: 0 holds leaf hashes
    idx    INTEGER NOT NULL,            -- tile index within the level
    width  INTEGER NOT NULL,            -- hashes held: 256, or fewer on the right edge
    hashes BLOB NOT NULL,               -- the tile as served: width concatenated 32-byte hashes
    PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS records (
    idx       INTEGER PRIMARY KEY REFERENCES log_entries(idx),
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL,            -- process/case id, or ocid
    record_id TEXT NOT NULL,
    time_ms   INTEGER,                  -- when it happened (UTC milliseconds), if known
    import_id INTEGER NOT NULL REFERENCES imports(id),
    position  TEXT NOT NULL             -- where in the source file
);
CREATE INDEX IF NOT EXISTS records_by_subject ON records(kind, subject, time_ms, idx);
CREATE TABLE IF NOT EXISTS imports (
    id          INTEGER PRIMARY KEY,
    file        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,                   -- NULL while running, or after a crash
    consumed    INTEGER NOT NULL DEFAULT 0,  -- records read from the file and committed (accepted or rejected)
    accepted    INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS imports_by_hash ON imports(sha256);
CREATE TABLE IF NOT EXISTS rejections (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    position  TEXT NOT NULL,
    field     TEXT,
    reason    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rejections_by_import ON rejections(import_id);
CREATE TABLE IF NOT EXISTS confidential (
    idx     INTEGER PRIMARY KEY REFERENCES log_entries(idx),
    salt    BLOB NOT NULL,               -- 32 random bytes
    content BLOB NOT NULL                -- the hidden record's canonical JSON; never published
);
CREATE TABLE IF NOT EXISTS disclosures (
    idx          INTEGER NOT NULL REFERENCES log_entries(idx),
    disclosed_at TEXT NOT NULL            -- every disclosure of hidden content is recorded
);
CREATE TABLE IF NOT EXISTS checkpoints (
    size       INTEGER PRIMARY KEY,
    root       BLOB NOT NULL,
    note       TEXT NOT NULL,            -- the signed note, exactly as published
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS check_runs (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    log_size   INTEGER NOT NULL,
    packs      TEXT NOT NULL,            -- pack ids and versions used
    coverage   TEXT NOT NULL             -- JSON
);
CREATE TABLE IF NOT EXISTS findings (
    run_id   INTEGER NOT NULL REFERENCES check_runs(id),
    seq      INTEGER NOT NULL,
    rule_id  TEXT NOT NULL,
    severity TEXT NOT NULL,
    body     TEXT NOT NULL,              -- the finding as JSON
    PRIMARY KEY (run_id, seq)
);
"#;

pub fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    // 16 KiB pages suit rows of a few hundred bytes: fewer B-tree pages to
    // split, write and fsync per batch (with the cache below, appends ran
    // about twice as fast as with SQLite's defaults). Takes effect only when
    // the database is created, so it comes before WAL mode, which creates
    // it; existing databases keep theirs.
    conn.pragma_update(None, "page_size", 16384)?;
    // A 16 MiB page cache holds a whole batch's dirty pages, so they are not
    // spilled to the WAL and read back before COMMIT.
    conn.pragma_update(None, "cache_size", -16384)?;
    // WAL + FULL: a committed transaction survives power loss; readers never block the writer.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(SCHEMA)
}
