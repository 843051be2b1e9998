//! All state, and the only way to reach it. Locks guard state transitions only:
//! callers read what they need, drop the lock, do expensive work (hashing, signing),
//! then lock again to commit, re-checking what may have changed in between.
//! No lock is ever held across an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::error::ServiceError;
use crate::model::UserPool;
use crate::pool_keys::LazyKeys;

/// One user pool: its signing keys (immutable) and its mutable state behind its own lock,
/// so traffic on one pool never waits for another. The lock is reached only through `read`
/// and `write`, the one place a later persistence layer hooks its commits.
pub struct PoolEntry {
    pub keys: LazyKeys,
    state: RwLock<UserPool>,
}

impl PoolEntry {
    /// The pool, shared: for lookups and snapshots taken before slow work.
    pub fn read(&self) -> RwLockReadGuard<'_, UserPool> {
        self.state.read()
    }

    /// The pool, exclusive: for a state transition. Operations compute, then commit; none
    /// panics after its first write (no `.expect` on a mutation path), so a panic caught by
    /// the protocol layer cannot leave a half-written pool behind these non-poisoning locks.
    pub fn write(&self) -> RwLockWriteGuard<'_, UserPool> {
        self.state.write()
    }
}

#[derive(Default)]
pub struct Store {
    /// Pools by id; a BTreeMap so listings are deterministic.
    pools: RwLock<BTreeMap<String, Arc<PoolEntry>>>,
    /// client id → pool id, for the operations that name only a client.
    clients: RwLock<HashMap<String, String>>,
}

impl Store {
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
        let entry = Arc::new(PoolEntry {
            keys: LazyKeys::default(),
            state: RwLock::new(pool),
        });
        let id = entry.read().id.clone();
        self.pools.write().insert(id, entry.clone());
        entry
    }

    pub fn remove_pool(&self, user_pool_id: &str) -> Option<Arc<PoolEntry>> {
        let removed = self.pools.write().remove(user_pool_id)?;
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
