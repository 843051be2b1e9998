//! `--data-dir`: the durable log behind `store`. Operations never name the database: the
//! store's write guard, the outbox, STS and the clock hand each committed change to the
//! `Journal`, and the front doors answer only once `Journal::durable` says it is on disk.
//!
//! One writer thread owns the SQLite connection (WAL mode). It takes every change queued
//! since its last commit and applies them in one transaction (group commit), so concurrent
//! requests share a commit; a change costs what changed (one user's row, one pool's
//! settings), never the whole state. Reads stay in memory; the database is read only at
//! start-up (`load`).
//!
//! Durability: a commit in WAL mode with `synchronous=NORMAL` reaches the operating system
//! before it is acknowledged, so it survives a crash of the process (kill -9); with `--fsync`
//! (`synchronous=FULL`) every commit is also flushed to the disk, so it survives power loss.
//!
//! A commit that fails (a full disk, an I/O error) answers `InternalErrorException` to the
//! requests waiting for it and is retried, with what came after it, until it succeeds: the
//! database never skips a change, and nothing in it is overwritten by a partial state.

mod load;
pub mod records;
pub mod schema;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{params, Connection, OpenFlags};
use tokio::sync::watch;

pub use load::{Loaded, LoadedPool};

/// The database file inside `--data-dir`.
pub const DATABASE_FILE: &str = "emulator.db";
/// Held (an exclusive advisory lock) while an emulator uses the directory.
pub const LOCK_FILE: &str = "emulator.lock";

/// Changes queued beyond this many go into the next transaction.
const MAX_BATCH: usize = 4096;
/// How long the writer looks for more work before it sleeps.
const SPIN: Duration = Duration::from_micros(100);
/// How long a failed commit waits before it is tried again.
const RETRY_AFTER: Duration = Duration::from_millis(250);

/// One change to durable state, as rows.
#[derive(Debug, Clone)]
pub enum Change {
    /// A pool's settings, clients and groups (a `PoolRecord`, JSON).
    PutPool {
        id: String,
        record: String,
    },
    /// A pool and everything in it.
    DeletePool {
        id: String,
    },
    /// One user (a `UserRecord`, JSON), by the key it is stored under.
    PutUser {
        pool: String,
        key: String,
        record: String,
    },
    DeleteUser {
        pool: String,
        key: String,
    },
    /// A pool's RSA keys, PKCS#8 DER.
    PutKeys {
        pool: String,
        id_token: Vec<u8>,
        access_token: Vec<u8>,
    },
    /// An outbox message (a `MessageRecord`, JSON) under its sequence number.
    AddMessage {
        seq: i64,
        record: String,
    },
    /// Outbox messages that went (expired, capped, or of a deleted pool).
    DeleteMessages {
        seqs: Vec<i64>,
    },
    /// A temporary key STS issued (a `StsKeyRecord`, JSON).
    PutStsKey {
        access_key_id: String,
        expires: i64,
        record: String,
    },
    /// STS keys expired before this time (epoch milliseconds), which the keyring has forgotten.
    ForgetStsKeys {
        expired_before: i64,
    },
    /// A setting of the emulator itself (`meta` table).
    PutMeta {
        key: &'static str,
        value: String,
    },
    /// Tests: caps the database's size (`PRAGMA max_page_count`), as a full disk would.
    #[cfg(test)]
    PageLimit(i64),
}

/// Where the writer is: everything up to `committed` is on disk; `failing` names the last
/// change of a batch that could not be committed, and why.
#[derive(Debug, Clone, Default)]
struct Status {
    committed: u64,
    failing: Option<(u64, String)>,
}

/// What the writer receives: the changes of one `record`, under one sequence number.
type Queued = (u64, Vec<Change>);

/// The last sequence number handed out and the writer's channel (`None` once closing).
struct Queue {
    seq: u64,
    sender: Option<mpsc::Sender<Queued>>,
}

/// The handle to the writer thread.
pub struct Journal {
    /// The last sequence number handed out, and the channel: taken together, so changes
    /// reach the writer in the order of their numbers.
    queue: Mutex<Queue>,
    last: AtomicU64,
    committed: Arc<AtomicU64>,
    status: watch::Receiver<Status>,
    writer: Mutex<Option<JoinHandle<()>>>,
    dir: PathBuf,
    /// Released when the journal is dropped, after the writer has finished.
    _lock: File,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("dir", &self.dir)
            .field("last", &self.last.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// Queues `changes`, in order, after everything queued before: one message to the writer
    /// (each wakes it at most once), numbered as one.
    pub fn record(&self, changes: impl IntoIterator<Item = Change>) {
        let changes: Vec<Change> = changes.into_iter().collect();
        if changes.is_empty() {
            return;
        }
        self.send(|| changes);
    }

    /// Queues the change `make` builds, running it under the queue's lock, so that of two
    /// racing calls the later value is saved last, and a request that sees its effect waits for
    /// it (the clock offset).
    pub fn record_with(&self, make: impl FnOnce() -> Change) {
        self.send(|| vec![make()]);
    }

    fn send(&self, make: impl FnOnce() -> Vec<Change>) {
        let mut queue = self.queue.lock();
        queue.seq += 1;
        let seq = queue.seq;
        // Before `make` runs: a request that sees what `make` does (a moved clock) waits for it.
        self.last.store(seq, Ordering::Release);
        let changes = make();
        if let Some(sender) = &queue.sender {
            // The writer outlives every sender; a send fails only while the process exits.
            let _ = sender.send((seq, changes));
        }
    }

    /// Waits until every change queued so far is committed. `Err` if the commit holding one of
    /// them failed (it is retried; the caller answers an internal error).
    pub async fn durable(&self) -> Result<(), String> {
        let upto = self.last.load(Ordering::Acquire);
        if self.committed.load(Ordering::Acquire) >= upto {
            return Ok(());
        }
        let mut status = self.status.clone();
        let outcome = status
            // A failing batch holds everything queued when it was last tried (see `write_loop`),
            // so a change queued since waits for the next try.
            .wait_for(|s| {
                s.committed >= upto || s.failing.as_ref().is_some_and(|(last, _)| *last >= upto)
            })
            .await
            .map(|s| s.clone());
        match outcome {
            Ok(s) if s.committed >= upto => Ok(()),
            Ok(s) => Err(s.failing.map(|(_, why)| why).unwrap_or_default()),
            Err(_) => Err("the database writer has stopped".to_owned()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        // Closing the channel lets the writer commit what is queued and stop.
        self.queue.lock().sender = None;
        if let Some(writer) = self.writer.lock().take() {
            let _ = writer.join();
        }
    }
}

/// Opens (or creates) the database in `dir`, refusing a directory another emulator holds,
/// a newer schema or unreadable rows; reads everything back; starts the writer.
pub fn open(dir: &Path, fsync: bool) -> Result<(Arc<Journal>, Loaded), String> {
    create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let lock_path = dir.join(LOCK_FILE);
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(format!(
            "{} is in use by another emulator (it holds {}); stop it or choose another --data-dir",
            dir.display(),
            lock_path.display()
        ))
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(format!("cannot lock {}: {e}", lock_path.display()))
        }
    }
    let path = dir.join(DATABASE_FILE);
    let described = |e: rusqlite::Error| format!("{}: {e}", path.display());
    let mut conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(described)?;
    // The first read of a file that is not a database fails here, before anything is written.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(described)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!(
            "{}: SQLite refused WAL mode (journal_mode is {mode})",
            path.display()
        ));
    }
    conn.pragma_update(None, "synchronous", if fsync { "FULL" } else { "NORMAL" })
        .map_err(described)?;
    schema::migrate(&mut conn).map_err(|e| format!("{}: {e}", path.display()))?;
    let loaded = load::load(&conn).map_err(|e| format!("{}: {e}", path.display()))?;
    // Keys made through a pool's handle after the pool was deleted belong to nothing.
    conn.execute(
        "DELETE FROM signing_keys WHERE pool NOT IN (SELECT id FROM pools)",
        [],
    )
    .map_err(described)?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('boots', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![(loaded.boots + 1).to_string()],
    )
    .map_err(described)?;

    let (sender, receiver) = mpsc::channel();
    let committed = Arc::new(AtomicU64::new(0));
    let (status_tx, status_rx) = watch::channel(Status::default());
    let writer_committed = committed.clone();
    let writer = std::thread::Builder::new()
        .name("cognito-db-writer".to_owned())
        .spawn(move || write_loop(conn, receiver, status_tx, writer_committed))
        .map_err(|e| format!("cannot start the database writer: {e}"))?;
    let journal = Journal {
        queue: Mutex::new(Queue {
            seq: 0,
            sender: Some(sender),
        }),
        last: AtomicU64::new(0),
        committed,
        status: status_rx,
        writer: Mutex::new(Some(writer)),
        dir: dir.to_owned(),
        _lock: lock,
    };
    Ok((Arc::new(journal), loaded))
}

/// The data directory is readable by its owner only: it holds client secrets, signing keys
/// and password verifiers.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn write_loop(
    mut conn: Connection,
    receiver: mpsc::Receiver<Queued>,
    status: watch::Sender<Status>,
    committed: Arc<AtomicU64>,
) {
    let mut pending: Vec<Queued> = Vec::new();
    let mut open = true;
    let mut failures = 0u32;
    loop {
        if pending.is_empty() {
            if !open {
                break;
            }
            match next(&receiver) {
                Ok(change) => pending.push(change),
                Err(_) => break,
            }
        }
        // While commits fail, everything queued joins the retry, so each waiter hears how the
        // try that holds its change ended.
        while open && (pending.len() < MAX_BATCH || failures > 0) {
            match receiver.try_recv() {
                Ok(change) => pending.push(change),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => open = false,
            }
        }
        let Some(&(last, _)) = pending.last() else {
            continue;
        };
        match apply(&mut conn, &pending) {
            Ok(()) => {
                pending.clear();
                failures = 0;
                committed.store(last, Ordering::Release);
                status.send_replace(Status {
                    committed: last,
                    failing: None,
                });
            }
            Err(e) => {
                failures += 1;
                let why = format!("the database commit failed: {e}");
                if failures == 1 || failures.is_multiple_of(40) {
                    tracing::error!(error = %e, changes = pending.len(), "database commit failed; retrying");
                }
                status.send_modify(|s| s.failing = Some((last, why)));
                if !open && failures > 20 {
                    tracing::error!(
                        changes = pending.len(),
                        "stopping with changes that could not be committed"
                    );
                    break;
                }
                std::thread::sleep(RETRY_AFTER);
            }
        }
    }
}

/// The next change: looked for without sleeping for a moment first, since under load the next
/// one comes within microseconds and waking a sleeping thread costs more than the commit.
fn next(receiver: &mpsc::Receiver<Queued>) -> Result<Queued, mpsc::RecvError> {
    let until = std::time::Instant::now() + SPIN;
    loop {
        match receiver.try_recv() {
            Ok(change) => return Ok(change),
            Err(mpsc::TryRecvError::Disconnected) => return Err(mpsc::RecvError),
            Err(mpsc::TryRecvError::Empty) if std::time::Instant::now() < until => {
                std::thread::yield_now();
            }
            Err(mpsc::TryRecvError::Empty) => return receiver.recv(),
        }
    }
}

fn apply(conn: &mut Connection, batch: &[Queued]) -> rusqlite::Result<()> {
    #[cfg(test)]
    for change in batch.iter().flat_map(|(_, changes)| changes) {
        if let Change::PageLimit(pages) = change {
            conn.pragma_update(None, "max_page_count", pages)?;
        }
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for change in batch.iter().flat_map(|(_, changes)| changes) {
        match change {
            Change::PutPool { id, record } => {
                tx.prepare_cached(
                    "INSERT INTO pools (id, record) VALUES (?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET record = excluded.record",
                )?
                .execute(params![id, record])?;
            }
            Change::DeletePool { id } => {
                tx.prepare_cached("DELETE FROM users WHERE pool = ?1")?
                    .execute([id])?;
                tx.prepare_cached("DELETE FROM signing_keys WHERE pool = ?1")?
                    .execute([id])?;
                tx.prepare_cached("DELETE FROM pools WHERE id = ?1")?
                    .execute([id])?;
            }
            Change::PutUser { pool, key, record } => {
                tx.prepare_cached(
                    "INSERT INTO users (pool, key, record) VALUES (?1, ?2, ?3)
                     ON CONFLICT (pool, key) DO UPDATE SET record = excluded.record",
                )?
                .execute(params![pool, key, record])?;
            }
            Change::DeleteUser { pool, key } => {
                tx.prepare_cached("DELETE FROM users WHERE pool = ?1 AND key = ?2")?
                    .execute(params![pool, key])?;
            }
            Change::PutKeys {
                pool,
                id_token,
                access_token,
            } => {
                tx.prepare_cached(
                    "INSERT INTO signing_keys (pool, id_token, access_token) VALUES (?1, ?2, ?3)
                     ON CONFLICT (pool) DO UPDATE
                     SET id_token = excluded.id_token, access_token = excluded.access_token",
                )?
                .execute(params![pool, id_token, access_token])?;
            }
            Change::AddMessage { seq, record } => {
                tx.prepare_cached("INSERT INTO outbox (seq, record) VALUES (?1, ?2)")?
                    .execute(params![seq, record])?;
            }
            Change::DeleteMessages { seqs } => {
                let mut delete = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
                for seq in seqs {
                    delete.execute([seq])?;
                }
            }
            Change::PutStsKey {
                access_key_id,
                expires,
                record,
            } => {
                tx.prepare_cached(
                    "INSERT INTO sts_keys (access_key_id, expires, record) VALUES (?1, ?2, ?3)
                     ON CONFLICT (access_key_id) DO UPDATE
                     SET expires = excluded.expires, record = excluded.record",
                )?
                .execute(params![access_key_id, expires, record])?;
            }
            Change::ForgetStsKeys { expired_before } => {
                tx.prepare_cached("DELETE FROM sts_keys WHERE expires < ?1")?
                    .execute([expired_before])?;
            }
            #[cfg(test)]
            Change::PageLimit(_) => {}
            Change::PutMeta { key, value } => {
                tx.prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![key, value])?;
            }
        }
    }
    tx.commit()
}

/// The JSON of a record; the records are plain data, so this cannot fail in practice.
pub fn to_json<T: serde::Serialize>(record: &T) -> String {
    serde_json::to_string(record).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    fn dir(name: &str) -> Dir {
        let path = std::env::temp_dir().join(format!(
            "cognito-emulator-unit-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        Dir(path)
    }

    fn user_row(journal: &Journal, record: String) {
        journal.record([Change::PutUser {
            pool: "us-east-1_Pool12345".to_owned(),
            key: "ann".to_owned(),
            record,
        }]);
    }

    #[tokio::test]
    async fn a_full_disk_fails_the_waiting_requests_then_the_change_is_retried_until_it_commits() {
        let dir = dir("full");
        let (journal, _) = open(&dir.0, false).unwrap();
        journal.record([Change::PutMeta {
            key: "probe",
            value: "before".to_owned(),
        }]);
        journal.durable().await.unwrap();
        // The file may not grow past its current size: a megabyte row cannot be written.
        journal.record([Change::PageLimit(1)]);
        journal.durable().await.unwrap();
        user_row(&journal, "x".repeat(1 << 20));
        let error = journal.durable().await.unwrap_err();
        assert!(error.contains("full"), "{error}");
        // Room again: the same change commits on its next try, and later ones after it.
        journal.record([Change::PageLimit(1 << 30)]);
        journal.record([Change::PutMeta {
            key: "probe",
            value: "after".to_owned(),
        }]);
        journal.durable().await.unwrap();
        drop(journal);
        let conn = Connection::open(dir.0.join(DATABASE_FILE)).unwrap();
        let length: i64 = conn
            .query_row("SELECT length(record) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(length, 1 << 20);
        let probe: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'probe'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(probe, "after");
    }

    #[tokio::test]
    async fn concurrent_changes_share_commits_and_all_arrive() {
        let dir = dir("group");
        let (journal, _) = open(&dir.0, false).unwrap();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let journal = journal.clone();
            tasks.push(tokio::spawn(async move {
                for j in 0..50 {
                    journal.record([Change::PutUser {
                        pool: "us-east-1_Pool12345".to_owned(),
                        key: format!("user-{i}-{j}"),
                        record: "{}".to_owned(),
                    }]);
                    journal.durable().await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        drop(journal);
        let conn = Connection::open(dir.0.join(DATABASE_FILE)).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 16 * 50);
    }
}
