//! The database's tables, its version (`PRAGMA user_version`) and the migrations from every
//! earlier version. Rows hold `records` as JSON; the keys beside them are what rows are
//! found and replaced by.
//!
//! Users are a rowid table with a unique index on (pool, key), not a table keyed by them: a
//! new user's row goes on the table's last page, where the user's next change (a
//! confirmation) finds it too, so a commit of many sign-ups writes a few pages, not one per
//! user; and rows of several hundred bytes are what SQLite advises against keeping in a
//! WITHOUT ROWID table.

use rusqlite::Connection;

/// The schema this build writes. A database at a higher version came from a newer emulator:
/// it is refused, never rewritten.
pub const VERSION: i64 = 1;

/// Migration `i` takes a database from version `i` to `i + 1`. Version 0 is an empty file.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE pools (id TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE users (
         id INTEGER PRIMARY KEY,
         pool TEXT NOT NULL,
         key TEXT NOT NULL,
         record TEXT NOT NULL,
         UNIQUE (pool, key)
     );
     CREATE TABLE signing_keys (
         pool TEXT PRIMARY KEY,
         id_token BLOB NOT NULL,
         access_token BLOB NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE outbox (seq INTEGER PRIMARY KEY, record TEXT NOT NULL);
     CREATE TABLE sts_keys (
         access_key_id TEXT PRIMARY KEY,
         expires INTEGER NOT NULL,
         record TEXT NOT NULL
     ) WITHOUT ROWID;",
];

/// The version a database is at.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Brings the database to `VERSION`, one migration per transaction; refuses a newer one.
/// Returns the version it found.
pub fn migrate(conn: &mut Connection) -> Result<i64, String> {
    let found = version(conn).map_err(|e| e.to_string())?;
    if found > VERSION {
        return Err(format!(
            "the database is at schema version {found}, from a newer emulator; this one \
             reads up to version {VERSION}. Nothing was changed."
        ));
    }
    if found < 0 {
        return Err(format!(
            "the database has a negative schema version ({found})"
        ));
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch(sql)
            .and_then(|()| tx.pragma_update(None, "user_version", from as i64 + 1))
            .and_then(|()| tx.commit())
            .map_err(|e| format!("migration from version {from}: {e}"))?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_a_migration_and_newer_databases_are_refused() {
        assert_eq!(MIGRATIONS.len() as i64, VERSION);
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert_eq!(version(&conn).unwrap(), VERSION);
        // Running again changes nothing.
        assert_eq!(migrate(&mut conn).unwrap(), VERSION);
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        let error = migrate(&mut conn).unwrap_err();
        assert!(error.contains("newer emulator"), "{error}");
        assert_eq!(version(&conn).unwrap(), VERSION + 1, "left as it was");
    }
}
