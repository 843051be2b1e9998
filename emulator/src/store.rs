//! All state, and the only way to reach it. Locks guard state transitions only:
//! callers read what they need, drop the lock, do expensive work (hashing, signing),
//! then lock again to commit, re-checking what may have changed in between.
//! No lock is ever held across an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::clock::Timestamp;
use crate::error::ServiceError;
use crate::model::{AppClient, Group, PoolSettings, SchemaAttribute, UserPool, UsernameMode};
use crate::persist::records::{PoolRecord, UserRecord};
use crate::persist::{to_json, Change, Journal};
use crate::pool_keys::{LazyKeys, PoolKeys};

/// One user pool: its signing keys (made once) and its mutable state behind its own lock,
/// so traffic on one pool never waits for another. The lock is reached only through `read`
/// and `write`; with `--data-dir`, the write guard hands what changed to the journal.
pub struct PoolEntry {
    pub keys: LazyKeys,
    state: RwLock<UserPool>,
    saved: Option<Saved>,
}

/// What a persisted pool needs to save its changes.
struct Saved {
    journal: Arc<Journal>,
    id: String,
    /// The pool's settings, clients and groups as last saved: a write that leaves them equal
    /// saves only its users, and finding that out costs comparisons, not a serialisation.
    header: Mutex<Header>,
    /// Set (under the pool's write lock) when the pool is deleted: later writes through an
    /// `Arc` taken before are not saved, so they cannot bring the pool back.
    removed: AtomicBool,
}

/// A copy of what `PoolRecord` saves of a pool (all but its users and pending sign-ins, and
/// groups without their members, which are saved with each user).
struct Header {
    name: String,
    arn: String,
    created: Timestamp,
    last_modified: Timestamp,
    settings: PoolSettings,
    username_mode: UsernameMode,
    alias_attributes: Vec<String>,
    schema: Vec<SchemaAttribute>,
    case_sensitive: Option<bool>,
    software_token_mfa_enabled: bool,
    stored_mfa: serde_json::Map<String, serde_json::Value>,
    clients: BTreeMap<String, AppClient>,
    groups: Vec<GroupHeader>,
}

type GroupHeader = (
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Timestamp,
    Timestamp,
);

fn group_header(g: &Group) -> GroupHeader {
    (
        g.name.clone(),
        g.description.clone(),
        g.role_arn.clone(),
        g.precedence,
        g.created,
        g.last_modified,
    )
}

impl Header {
    fn of(pool: &UserPool) -> Self {
        Header {
            name: pool.name.clone(),
            arn: pool.arn.clone(),
            created: pool.created,
            last_modified: pool.last_modified,
            settings: pool.settings.clone(),
            username_mode: pool.username_mode.clone(),
            alias_attributes: pool.alias_attributes.clone(),
            schema: pool.schema.clone(),
            case_sensitive: pool.case_sensitive,
            software_token_mfa_enabled: pool.software_token_mfa_enabled,
            stored_mfa: pool.stored_mfa.clone(),
            clients: pool.clients.clone(),
            groups: pool.groups().values().map(group_header).collect(),
        }
    }

    /// Whether `pool` still has exactly these settings, clients and groups.
    fn matches(&self, pool: &UserPool) -> bool {
        self.name == pool.name
            && self.arn == pool.arn
            && self.created == pool.created
            && self.last_modified == pool.last_modified
            && self.settings == pool.settings
            && self.username_mode == pool.username_mode
            && self.alias_attributes == pool.alias_attributes
            && self.schema == pool.schema
            && self.case_sensitive == pool.case_sensitive
            && self.software_token_mfa_enabled == pool.software_token_mfa_enabled
            && self.stored_mfa == pool.stored_mfa
            && self.clients == pool.clients
            && self.groups.len() == pool.group_count()
            && self
                .groups
                .iter()
                .zip(pool.groups().values())
                .all(|(saved, g)| *saved == group_header(g))
    }
}

impl PoolEntry {
    /// The pool, shared: for lookups and snapshots taken before slow work.
    pub fn read(&self) -> RwLockReadGuard<'_, UserPool> {
        self.state.read()
    }

    /// The pool, exclusive: for a state transition. Operations compute, then commit; none
    /// panics after its first write (no `.expect` on a mutation path), so a panic caught by
    /// the protocol layer cannot leave a half-written pool behind these non-poisoning locks.
    pub fn write(&self) -> PoolWrite<'_> {
        PoolWrite {
            guard: self.state.write(),
            entry: self,
        }
    }
}

/// The pool, write-locked. When it drops, with `--data-dir`, the users it changed and (if
/// they changed) the pool's settings, clients and groups are queued for the next commit,
/// still under the lock, so the journal sees each pool's changes in the order they happened.
pub struct PoolWrite<'a> {
    guard: RwLockWriteGuard<'a, UserPool>,
    entry: &'a PoolEntry,
}

impl Deref for PoolWrite<'_> {
    type Target = UserPool;
    fn deref(&self) -> &UserPool {
        &self.guard
    }
}

impl DerefMut for PoolWrite<'_> {
    fn deref_mut(&mut self) -> &mut UserPool {
        &mut self.guard
    }
}

impl Drop for PoolWrite<'_> {
    fn drop(&mut self) {
        let Some(saved) = &self.entry.saved else {
            return;
        };
        let pool = &mut *self.guard;
        let changed = pool.users.take_changed();
        if saved.removed.load(Ordering::Acquire) {
            return;
        }
        let mut changes = Vec::with_capacity(changed.len() + 1);
        {
            let mut last = saved.header.lock();
            if !last.matches(pool) {
                *last = Header::of(pool);
                changes.push(Change::PutPool {
                    id: saved.id.clone(),
                    record: to_json(&PoolRecord::of(pool)),
                });
            }
        }
        for key in changed {
            changes.push(match pool.users.get(&key) {
                Some(user) => Change::PutUser {
                    pool: saved.id.clone(),
                    record: to_json(&UserRecord::of(user)),
                    key,
                },
                None => Change::DeleteUser {
                    pool: saved.id.clone(),
                    key,
                },
            });
        }
        if !changes.is_empty() {
            saved.journal.record(changes);
        }
    }
}

#[derive(Default)]
pub struct Store {
    /// Pools by id; a BTreeMap so listings are deterministic.
    pools: RwLock<BTreeMap<String, Arc<PoolEntry>>>,
    /// client id → pool id, for the operations that name only a client.
    clients: RwLock<HashMap<String, String>>,
    /// With `--data-dir`: where changes go.
    journal: Option<Arc<Journal>>,
}

impl Store {
    /// A store whose changes are saved to `journal`.
    pub fn persistent(journal: Arc<Journal>) -> Self {
        Store {
            journal: Some(journal),
            ..Store::default()
        }
    }

    /// `saved`: the pool is in the database already (read back from it).
    fn entry(&self, mut pool: UserPool, keys: Option<PoolKeys>, saved: bool) -> Arc<PoolEntry> {
        let id = pool.id.clone();
        let saved = self.journal.as_ref().map(|journal| {
            pool.users.track_changes();
            if !saved {
                journal.record([Change::PutPool {
                    id: id.clone(),
                    record: to_json(&PoolRecord::of(&pool)),
                }]);
            }
            Saved {
                journal: journal.clone(),
                id: id.clone(),
                header: Mutex::new(Header::of(&pool)),
                removed: AtomicBool::new(false),
            }
        });
        let keys = match (keys, &self.journal) {
            (Some(keys), _) => LazyKeys::loaded(keys),
            (None, Some(journal)) => LazyKeys::saved_to(journal.clone(), id),
            (None, None) => LazyKeys::default(),
        };
        Arc::new(PoolEntry {
            keys,
            state: RwLock::new(pool),
            saved,
        })
    }

    /// Puts back a pool read from `--data-dir` (with its users), without saving it again.
    pub fn restore_pool(&self, pool: UserPool, keys: Option<PoolKeys>) {
        let client_ids: Vec<String> = pool.clients.keys().cloned().collect();
        let id = pool.id.clone();
        let entry = self.entry(pool, keys, true);
        // Users put back were recorded as changed; they are saved already.
        let _ = entry.state.write().users.take_changed();
        self.pools.write().insert(id.clone(), entry);
        let mut clients = self.clients.write();
        for client_id in client_ids {
            clients.insert(client_id, id.clone());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pools.read().is_empty()
    }

    pub fn pool(&self, user_pool_id: &str) -> Result<Arc<PoolEntry>, ServiceError> {
        self.pools
            .read()
            .get(user_pool_id)
            .cloned()
            .ok_or_else(|| ServiceError::user_pool_not_found(user_pool_id))
    }

    /// The pool that owns `client_id`.
    pub fn pool_of_client(&self, client_id: &str) -> Result<Arc<PoolEntry>, ServiceError> {
        let pool_id = self
            .clients
            .read()
            .get(client_id)
            .cloned()
            .ok_or_else(|| ServiceError::client_not_found(client_id))?;
        // A pool deleted between the two reads reads as a missing client.
        self.pool(&pool_id)
            .map_err(|_| ServiceError::client_not_found(client_id))
    }

    /// The pool holding the sign-in session `session` (calls that carry only a `Session`):
    /// session ids start with their pool's id (`auth::challenges::open_session`).
    pub fn pool_of_session(&self, session: &str) -> Option<Arc<PoolEntry>> {
        let (pool_id, _) = session.split_once('.')?;
        let entry = self.pool(pool_id).ok()?;
        let holds = entry.read().pending.sessions.contains_key(session);
        holds.then_some(entry)
    }

    pub fn insert_pool(&self, pool: UserPool) -> Arc<PoolEntry> {
        let id = pool.id.clone();
        let entry = self.entry(pool, None, false);
        self.pools.write().insert(id, entry.clone());
        entry
    }

    pub fn remove_pool(&self, user_pool_id: &str) -> Option<Arc<PoolEntry>> {
        let removed = self.pools.write().remove(user_pool_id)?;
        if let Some(saved) = &removed.saved {
            // Under the pool's lock: every write before this one is queued already.
            let _guard = removed.state.write();
            saved.removed.store(true, Ordering::Release);
            saved.journal.record([Change::DeletePool {
                id: saved.id.clone(),
            }]);
        }
        let client_ids: Vec<String> = removed.read().clients.keys().cloned().collect();
        let mut clients = self.clients.write();
        for id in client_ids {
            clients.remove(&id);
        }
        Some(removed)
    }

    /// Pool ids in order, starting at `from` (inclusive), at most `limit`, plus whether more follow.
    pub fn pools_page(
        &self,
        from: Option<&str>,
        limit: usize,
    ) -> (Vec<Arc<PoolEntry>>, Option<String>) {
        let pools = self.pools.read();
        let mut iter: Box<dyn Iterator<Item = (&String, &Arc<PoolEntry>)>> = match from {
            Some(from) => Box::new(pools.range(from.to_owned()..)),
            None => Box::new(pools.iter()),
        };
        let page: Vec<Arc<PoolEntry>> = iter.by_ref().take(limit).map(|(_, e)| e.clone()).collect();
        let next = iter.next().map(|(id, _)| id.clone());
        (page, next)
    }

    pub fn index_client(&self, client_id: &str, user_pool_id: &str) {
        self.clients
            .write()
            .insert(client_id.to_owned(), user_pool_id.to_owned());
    }

    pub fn unindex_client(&self, client_id: &str) {
        self.clients.write().remove(client_id);
    }
}
