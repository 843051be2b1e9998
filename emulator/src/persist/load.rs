//! Reading `--data-dir` back at start-up: every table into memory, users parsed on two
//! threads and indexed in bulk (`UserDirectory::put_all`), then what is indexed twice but kept
//! once (group members, refresh tokens) rebuilt.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;

use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension};

use super::records::{MessageRecord, PoolRecord, StsKeyRecord, UserRecord};
use crate::credentials::{Identity, Issued};
use crate::outbox::Message;
use crate::pool_keys::PoolKeys;

/// Everything read back from the database at start-up.
pub struct Loaded {
    pub pools: Vec<LoadedPool>,
    /// Outbox messages by sequence number, oldest first.
    pub messages: Vec<(i64, Message)>,
    pub sts_keys: Vec<(Issued, Identity)>,
    pub clock_offset_millis: i64,
    pub simulation_key: Option<[u8; 32]>,
    /// Starts before this one (0: the directory was empty).
    pub boots: u64,
    /// `meta.seed`: what the seed replay saved at the first start.
    pub seed: Option<String>,
}

pub struct LoadedPool {
    pub pool: crate::model::UserPool,
    pub keys: Option<PoolKeys>,
}

impl Loaded {
    /// Nothing was ever saved here: the seed may run. (A first start killed before its seed was
    /// saved leaves no pool either, unless it died between two calls of the seed.)
    pub fn is_fresh(&self) -> bool {
        self.seed.is_none() && self.pools.is_empty()
    }

    pub fn user_count(&self) -> usize {
        self.pools.iter().map(|p| p.pool.users.len()).sum()
    }
}

pub(super) fn load(conn: &Connection) -> Result<Loaded, String> {
    let meta = |key: &str| -> Result<Option<String>, String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()
        .map_err(|e| e.to_string())
    };
    let boots = match meta("boots")? {
        Some(text) => text
            .parse()
            .map_err(|_| format!("meta 'boots' is not a number: {text:?}"))?,
        None => 0,
    };
    let clock_offset_millis = match meta("clock_offset_millis")? {
        Some(text) => text
            .parse()
            .map_err(|_| format!("meta 'clock_offset_millis' is not a number: {text:?}"))?,
        None => 0,
    };
    let simulation_key = match meta("simulation_key")? {
        Some(text) => Some(
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &text)
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| "meta 'simulation_key' is not 32 bytes of base64".to_owned())?,
        ),
        None => None,
    };

    let sql = |e: rusqlite::Error| e.to_string();
    let mut pools: Vec<LoadedPool> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    {
        let mut statement = conn
            .prepare("SELECT id, record FROM pools ORDER BY id")
            .map_err(sql)?;
        let mut rows = statement.query([]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let id: String = row.get(0).map_err(sql)?;
            let text: String = row.get(1).map_err(sql)?;
            let record: PoolRecord = serde_json::from_str(&text)
                .map_err(|e| format!("pool {id}: unreadable record: {e}"))?;
            let pool = record.into_pool().map_err(|e| format!("pool {id}: {e}"))?;
            by_id.insert(id, pools.len());
            pools.push(LoadedPool { pool, keys: None });
        }
    }
    {
        let mut statement = conn
            .prepare("SELECT pool, id_token, access_token FROM signing_keys")
            .map_err(sql)?;
        let mut rows = statement.query([]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let pool: String = row.get(0).map_err(sql)?;
            // Keys of a pool deleted while they were being made belong to nothing.
            let Some(&i) = by_id.get(&pool) else { continue };
            let id_token: Vec<u8> = row.get(1).map_err(sql)?;
            let access_token: Vec<u8> = row.get(2).map_err(sql)?;
            let key = |der: &[u8]| {
                crate::crypto::jwt::SigningKey::from_pkcs8(der)
                    .ok_or_else(|| format!("pool {pool}: a signing key is not an RSA key"))
            };
            pools[i].keys = Some(PoolKeys {
                id_token: key(&id_token)?,
                access_token: key(&access_token)?,
            });
        }
    }
    let pool_ids: Vec<String> = pools.iter().map(|p| p.pool.id.clone()).collect();
    let users = load_users(conn, &by_id, &pool_ids)?;
    for (loaded, users) in pools.iter_mut().zip(users) {
        loaded.pool.users.put_all(users);
    }
    for loaded in &mut pools {
        restore_derived(&mut loaded.pool);
    }
    let mut messages = Vec::new();
    {
        let mut statement = conn
            .prepare("SELECT seq, record FROM outbox ORDER BY seq")
            .map_err(sql)?;
        let mut rows = statement.query([]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let seq: i64 = row.get(0).map_err(sql)?;
            let text: String = row.get(1).map_err(sql)?;
            let record: MessageRecord = serde_json::from_str(&text)
                .map_err(|e| format!("outbox: unreadable message: {e}"))?;
            messages.push((
                seq,
                record.into_message().map_err(|e| format!("outbox: {e}"))?,
            ));
        }
    }
    let mut sts_keys = Vec::new();
    {
        let mut statement = conn
            .prepare("SELECT record FROM sts_keys ORDER BY expires")
            .map_err(sql)?;
        let mut rows = statement.query([]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let text: String = row.get(0).map_err(sql)?;
            let record: StsKeyRecord = serde_json::from_str(&text)
                .map_err(|e| format!("sts_keys: unreadable key: {e}"))?;
            sts_keys.push(record.into_issued().map_err(|e| format!("sts_keys: {e}"))?);
        }
    }
    Ok(Loaded {
        seed: meta("seed")?,
        pools,
        messages,
        sts_keys,
        clock_offset_millis,
        simulation_key,
        boots,
    })
}

/// Rows read per batch handed to a parser.
const LOAD_BATCH: usize = 2048;

/// Every pool's users. This thread reads rows while two threads parse them (JSON and the
/// model's types), so a million users load on both cores.
fn load_users(
    conn: &Connection,
    by_id: &HashMap<String, usize>,
    pool_ids: &[String],
) -> Result<Vec<Vec<crate::model::User>>, String> {
    type Batch = Vec<(usize, String, Vec<u8>)>;
    let parse = |(pool, key, bytes): (usize, String, Vec<u8>)| {
        let pool_id = &pool_ids[pool];
        let record: UserRecord = serde_json::from_slice(&bytes)
            .map_err(|e| format!("user {key:?} of pool {pool_id}: unreadable record: {e}"))?;
        let user = record
            .into_user()
            .map_err(|e| format!("user {key:?} of pool {pool_id}: {e}"))?;
        Ok::<_, String>((pool, user))
    };
    let (sender, receiver) = mpsc::sync_channel::<Batch>(8);
    // Owned by the parsers only: once both have stopped (a bad row), the reader's next send
    // fails instead of waiting for them.
    let receiver = Arc::new(Mutex::new(receiver));
    let parse = &parse;
    std::thread::scope(|scope| {
        let parsers: Vec<_> = (0..2)
            .map(|_| {
                let receiver = receiver.clone();
                scope.spawn(move || {
                    let mut parsed = Vec::new();
                    loop {
                        let Ok(batch) = receiver.lock().recv() else {
                            return Ok::<_, String>(parsed);
                        };
                        for row in batch {
                            parsed.push(parse(row)?);
                        }
                    }
                })
            })
            .collect();
        drop(receiver);
        let read = (|| {
            let sql = |e: rusqlite::Error| e.to_string();
            let mut statement = conn
                // In the table's order (sequential); `put_all` sorts.
                .prepare("SELECT pool, key, record FROM users")
                .map_err(sql)?;
            let mut rows = statement.query([]).map_err(sql)?;
            let mut batch: Batch = Vec::with_capacity(LOAD_BATCH);
            while let Some(row) = rows.next().map_err(sql)? {
                let pool_id = row
                    .get_ref(0)
                    .map_err(sql)?
                    .as_str()
                    .map_err(|e| e.to_string())?;
                let Some(&i) = by_id.get(pool_id) else {
                    return Err(format!("a user of pool {pool_id}, which does not exist"));
                };
                let key: String = row.get(1).map_err(sql)?;
                let bytes = row
                    .get_ref(2)
                    .map_err(sql)?
                    .as_bytes()
                    .map_err(|e| e.to_string())?;
                batch.push((i, key, bytes.to_vec()));
                if batch.len() == LOAD_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(LOAD_BATCH));
                    if sender.send(full).is_err() {
                        break; // A parser failed; its error is reported below.
                    }
                }
            }
            let _ = sender.send(batch);
            Ok(())
        })();
        drop(sender);
        let mut users: Vec<Vec<crate::model::User>> = pool_ids.iter().map(|_| Vec::new()).collect();
        for parser in parsers {
            let parsed = parser
                .join()
                .map_err(|_| "a parser of user records panicked".to_owned())??;
            for (pool, user) in parsed {
                users[pool].push(user);
            }
        }
        read?;
        Ok(users)
    })
}

/// What is kept once but indexed twice: group members (saved with each user) and the
/// refresh-token index (from each user's sign-ins).
fn restore_derived(pool: &mut crate::model::UserPool) {
    let mut joins = Vec::new();
    let mut tokens = Vec::new();
    for (key, user) in pool.users.iter() {
        for group in &user.groups {
            joins.push((group.clone(), key.clone()));
        }
        for (event_id, session) in user.sessions.iter() {
            tokens.push((session.refresh_token.clone(), key.clone(), event_id.clone()));
        }
        for (token, (event_id, _)) in user.revoked_refresh_tokens.iter().flat_map(|r| r.iter()) {
            tokens.push((token.clone(), key.clone(), event_id.clone()));
        }
    }
    for (group, key) in joins {
        pool.join_group(&group, &key);
    }
    for (token, key, event_id) in tokens {
        pool.users.insert_refresh_token(token, key, event_id);
    }
}
