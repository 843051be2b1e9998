//! A map whose entries each expire, with an index by expiry, so that dropping the expired ones
//! costs O(log n) per entry dropped instead of a walk over all of them. A user's live sign-ins
//! and revoked refresh tokens are kept this way: a user signed in a hundred thousand times
//! would otherwise make every new sign-in walk them all under the pool's write lock.

use std::collections::{BTreeMap, BTreeSet};

use crate::clock::Timestamp;

/// An entry of an `ExpiringMap`: when it stops mattering.
pub trait Expiring {
    fn expires(&self) -> Timestamp;
}

#[derive(Debug, Clone)]
pub struct ExpiringMap<V> {
    by_key: BTreeMap<String, V>,
    /// (expiry, key) of every entry in `by_key`.
    by_expiry: BTreeSet<(Timestamp, String)>,
}

impl<V> Default for ExpiringMap<V> {
    fn default() -> Self {
        ExpiringMap {
            by_key: BTreeMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }
}

impl<V: Expiring> ExpiringMap<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.by_key.get(key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// In key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.by_key.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.by_key.keys()
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.by_key.values()
    }

    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        let old = self.remove(&key);
        self.by_expiry.insert((value.expires(), key.clone()));
        self.by_key.insert(key, value);
        old
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry(&mut self, key: &str) -> Option<(String, V)> {
        let (key, value) = self.by_key.remove_entry(key)?;
        self.by_expiry.remove(&(value.expires(), key.clone()));
        Some((key, value))
    }

    /// Removes and returns every entry that expired at or before `now`, soonest first.
    pub fn take_expired(&mut self, now: Timestamp) -> Vec<(String, V)> {
        let mut expired = Vec::new();
        while let Some((expires, _)) = self.by_expiry.first() {
            if *expires > now {
                break;
            }
            let Some((_, key)) = self.by_expiry.pop_first() else {
                break;
            };
            if let Some(value) = self.by_key.remove(&key) {
                expired.push((key, value));
            }
        }
        expired
    }

    /// Empties the map, handing back what it held in key order.
    pub fn take_all(&mut self) -> Vec<(String, V)> {
        self.by_expiry.clear();
        std::mem::take(&mut self.by_key).into_iter().collect()
    }
}

impl<V: Expiring> FromIterator<(String, V)> for ExpiringMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(entries: I) -> Self {
        let mut map = ExpiringMap::default();
        for (key, value) in entries {
            map.insert(key, value);
        }
        map
    }
}

/// A revoked refresh token's (`event_id`, expiry).
impl Expiring for (String, Timestamp) {
    fn expires(&self) -> Timestamp {
        self.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_entries_leave_soonest_first_and_the_rest_stay() {
        let mut map: ExpiringMap<(String, Timestamp)> = [
            ("c".to_owned(), ("3".to_owned(), Timestamp(30))),
            ("a".to_owned(), ("1".to_owned(), Timestamp(10))),
            ("b".to_owned(), ("2".to_owned(), Timestamp(20))),
        ]
        .into_iter()
        .collect();
        // Replacing an entry moves it in the expiry order too.
        map.insert("c".to_owned(), ("3".to_owned(), Timestamp(5)));
        let gone: Vec<String> = map
            .take_expired(Timestamp(10))
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(gone, ["c", "a"]);
        assert_eq!(map.len(), 1);
        assert!(map.contains_key("b"));
        assert!(map.take_expired(Timestamp(19)).is_empty());
        assert_eq!(map.remove("b").map(|v| v.1), Some(Timestamp(20)));
        assert!(map.take_expired(Timestamp(100)).is_empty());
        assert!(map.is_empty());
    }
}
