//! A pool's users and every index over them: sign-in aliases, `sub`, the attributes ListUsers
//! searches, refresh tokens. The indexes are private and change only through these methods
//! (`put`, `remove`, `get_mut`'s guard), so no caller can let them drift from the users.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{Bound, Deref, DerefMut, Index};
use std::sync::Arc;

use super::{User, UsernameMode};

/// Attributes ListUsers searches with an index of their own (AWS's searchable attributes,
/// API reference `ListUsers.Filter`, less `username` and `sub`, which the user map and the
/// `sub` map serve). Values are indexed lower-cased; `status` (Enabled / Disabled), which AWS
/// matches case-sensitively, as it is.
pub const INDEXED_SEARCH_ATTRIBUTES: [&str; 8] = [
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
];

/// What fixes how users are keyed and found; set when the pool is created and never changed.
#[derive(Debug, Clone, Default)]
pub struct DirectoryRules {
    pub username_mode: UsernameMode,
    pub alias_attributes: Vec<String>,
    pub case_sensitive: bool,
}

/// The index entries one user contributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Entries {
    aliases: Vec<String>,
    /// Per attribute index (`INDEXED_SEARCH_ATTRIBUTES` up to `ATTRIBUTE_INDEXES`).
    search: Vec<(usize, String)>,
    /// `cognito:user_status` (lower-cased) and `status`.
    statuses: [&'static str; 2],
    /// `None` where it cannot change (a user borrowed through `get_mut`).
    sub: Option<String>,
}

/// The user keys in the indexes are one shared `Arc<str>` per user (16 bytes an entry rather
/// than a string of its own each): with 100,000 users that is about 20 MiB less.
#[derive(Debug, Clone, Default)]
struct Indexes {
    /// Sign-in names other than the internal username (`email:...`) → user key.
    aliases: HashMap<String, Arc<str>>,
    /// `sub` → user key; ordered, so ListUsers can search it by prefix.
    subs: BTreeMap<String, Arc<str>>,
    /// Per attribute of `INDEXED_SEARCH_ATTRIBUTES` (the first `ATTRIBUTE_INDEXES`):
    /// (lower-cased value, user key).
    search: [BTreeSet<(String, Arc<str>)>; ATTRIBUTE_INDEXES],
    /// The two statuses (the last two `INDEXED_SEARCH_ATTRIBUTES`): a handful of values, each
    /// with its users, so that keeping them costs key comparisons only.
    statuses: [BTreeMap<&'static str, BTreeSet<Arc<str>>>; 2],
}

/// How many of `INDEXED_SEARCH_ATTRIBUTES` are user attributes; the rest are the statuses.
const ATTRIBUTE_INDEXES: usize = 6;

#[derive(Debug, Clone, Default)]
pub struct UserDirectory {
    rules: DirectoryRules,
    /// Users by `key` of their internal username. Boxed: B-tree nodes keep spare slots, and a
    /// slot of a pointer rather than of the whole user (about 460 bytes) saves about 200 bytes
    /// a user.
    users: BTreeMap<String, Box<User>>,
    index: Indexes,
    /// Refresh token → (user key, sign-in `event_id`).
    refresh_tokens: HashMap<String, (String, String)>,
    /// With `--data-dir`: the keys of users put, removed or borrowed for change since the
    /// store last took them (`take_changed`), so a commit saves exactly those.
    changed: Option<BTreeSet<String>>,
}

pub fn alias_key(attribute: &str, value: &str) -> String {
    // E-mail addresses and phone numbers are matched case-insensitively.
    format!("{attribute}:{}", value.to_lowercase())
}

/// The aliases a user can sign in with, given the pool's rules.
fn aliases_of(rules: &DirectoryRules, user: &User) -> Vec<String> {
    let mut out = Vec::new();
    match &rules.username_mode {
        UsernameMode::Attributes(attrs) => {
            for attr in attrs {
                if let Some(v) = user.attribute(attr) {
                    out.push(alias_key(attr, v));
                }
            }
        }
        UsernameMode::Username => {
            for attr in &rules.alias_attributes {
                let Some(v) = user.attribute(attr) else {
                    continue;
                };
                // AWS: email and phone aliases work only once verified.
                if attr == "preferred_username" || user.is_verified(attr) {
                    out.push(alias_key(attr, v));
                }
            }
        }
    }
    out
}

fn entries(rules: &DirectoryRules, user: &User) -> Entries {
    Entries {
        sub: Some(user.sub.clone()),
        ..changeable_entries(rules, user)
    }
}

/// The entries that can change while a user is borrowed: all but `sub`.
fn changeable_entries(rules: &DirectoryRules, user: &User) -> Entries {
    Entries {
        aliases: aliases_of(rules, user),
        search: INDEXED_SEARCH_ATTRIBUTES[..ATTRIBUTE_INDEXES]
            .iter()
            .enumerate()
            .filter_map(|(i, name)| user.attribute(name).map(|v| (i, v.to_lowercase())))
            .collect(),
        // What ListUsers compares: the status lower-cased (matched case-insensitively), and
        // `status` as it is (matched case-sensitively).
        statuses: [
            user.status.as_lowercase(),
            if user.enabled { "Enabled" } else { "Disabled" },
        ],
        sub: None,
    }
}

impl UserDirectory {
    pub fn new(rules: DirectoryRules) -> Self {
        UserDirectory {
            rules,
            ..Default::default()
        }
    }

    pub fn rules(&self) -> &DirectoryRules {
        &self.rules
    }

    /// The key a username is stored under: lower-cased in case-insensitive pools.
    pub fn key(&self, username: &str) -> String {
        if self.rules.case_sensitive {
            username.to_owned()
        } else {
            username.to_lowercase()
        }
    }

    /// The aliases a user can sign in with, given the pool's rules.
    pub fn aliases_of(&self, user: &User) -> Vec<String> {
        aliases_of(&self.rules, user)
    }

    fn entries(&self, user: &User) -> Entries {
        entries(&self.rules, user)
    }

    fn unindex(index: &mut Indexes, key: &str, entries: &Entries) {
        for alias in &entries.aliases {
            if index.aliases.get(alias).map(|k| &**k) == Some(key) {
                index.aliases.remove(alias);
            }
        }
        if let Some(sub) = &entries.sub {
            if index.subs.get(sub).map(|k| &**k) == Some(key) {
                index.subs.remove(sub);
            }
        }
        for (j, value) in entries.statuses.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            if let Some(keys) = index.statuses[j].get_mut(value) {
                keys.remove(key);
                if keys.is_empty() {
                    index.statuses[j].remove(value);
                }
            }
        }
        if entries.search.is_empty() {
            return;
        }
        let shared: Arc<str> = Arc::from(key);
        for (i, value) in &entries.search {
            index.search[*i].remove(&(value.clone(), shared.clone()));
        }
    }

    fn reindex(index: &mut Indexes, key: &str, entries: &Entries) {
        if entries.aliases.is_empty()
            && entries.search.is_empty()
            && entries.sub.is_none()
            && entries.statuses.iter().all(|v| v.is_empty())
        {
            return;
        }
        let shared: Arc<str> = Arc::from(key);
        for alias in &entries.aliases {
            // An alias another user holds stays theirs: callers release it first
            // (`users::claim_aliases`), so a missed check can never steal a sign-in name.
            index
                .aliases
                .entry(alias.clone())
                .or_insert_with(|| shared.clone());
        }
        if let Some(sub) = &entries.sub {
            index.subs.insert(sub.clone(), shared.clone());
        }
        for (i, value) in &entries.search {
            index.search[*i].insert((value.clone(), shared.clone()));
        }
        for (j, value) in entries.statuses.iter().enumerate() {
            if !value.is_empty() {
                index.statuses[j]
                    .entry(value)
                    .or_default()
                    .insert(shared.clone());
            }
        }
    }

    /// From now on, remember which users change (see `take_changed`).
    pub fn track_changes(&mut self) {
        self.changed.get_or_insert_with(BTreeSet::new);
    }

    /// The keys of the users that changed since the last call (empty unless tracking).
    pub fn take_changed(&mut self) -> BTreeSet<String> {
        match &mut self.changed {
            Some(changed) => std::mem::take(changed),
            None => BTreeSet::new(),
        }
    }

    fn note_change(&mut self, key: &str) {
        if let Some(changed) = &mut self.changed {
            if !changed.contains(key) {
                changed.insert(key.to_owned());
            }
        }
    }

    /// Inserts or replaces `user`, keeping every index in step.
    pub fn put(&mut self, user: User) {
        let key = self.key(&user.username);
        self.note_change(&key);
        if let Some(old) = self.users.get(&key).map(|u| &**u) {
            let old = self.entries(old);
            Self::unindex(&mut self.index, &key, &old);
        }
        let new = self.entries(&user);
        Self::reindex(&mut self.index, &key, &new);
        self.users.insert(key, Box::new(user));
    }

    /// Puts many users into an empty directory at once (start-up from `--data-dir`): each
    /// index is built from a sorted run in one pass instead of by a million inserts. The same
    /// result as `put` one by one: of two users under one key the later wins, and of two users
    /// claiming one alias the first keeps it.
    pub fn put_all(&mut self, users: Vec<User>) {
        if !self.users.is_empty() {
            for user in users {
                self.put(user);
            }
            return;
        }
        let mut by_key: Vec<(String, Box<User>)> = users
            .into_iter()
            .map(|user| (self.key(&user.username), Box::new(user)))
            .collect();
        // Stable: of equal keys, the later stays last, and the map keeps the last.
        by_key.sort_by(|a, b| a.0.cmp(&b.0));
        by_key.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        let mut subs = Vec::with_capacity(by_key.len());
        let mut search: [Vec<(String, Arc<str>)>; ATTRIBUTE_INDEXES] = Default::default();
        let mut statuses: [BTreeMap<&'static str, Vec<Arc<str>>>; 2] = Default::default();
        for (key, user) in &by_key {
            let entries = entries(&self.rules, user);
            let shared: Arc<str> = Arc::from(key.as_str());
            for alias in entries.aliases {
                self.index
                    .aliases
                    .entry(alias)
                    .or_insert_with(|| shared.clone());
            }
            if let Some(sub) = entries.sub {
                subs.push((sub, shared.clone()));
            }
            for (i, value) in entries.search {
                search[i].push((value, shared.clone()));
            }
            for (j, value) in entries.statuses.iter().enumerate() {
                // Keys arrive in order, so each status's set is built from a sorted run.
                statuses[j].entry(value).or_default().push(shared.clone());
            }
        }
        self.index.subs = subs.into_iter().collect();
        for (i, mut entries) in search.into_iter().enumerate() {
            entries.sort_unstable();
            self.index.search[i] = entries.into_iter().collect();
        }
        for (j, by_value) in statuses.into_iter().enumerate() {
            self.index.statuses[j] = by_value
                .into_iter()
                .map(|(value, keys)| (value, keys.into_iter().collect()))
                .collect();
        }
        if let Some(changed) = &mut self.changed {
            changed.extend(by_key.iter().map(|(key, _)| key.clone()));
        }
        self.users = by_key.into_iter().collect();
    }

    /// Removes the user with `key`, with their aliases and refresh tokens.
    pub fn remove(&mut self, key: &str) -> Option<User> {
        let user = *self.users.remove(key)?;
        self.note_change(key);
        let entries = self.entries(&user);
        Self::unindex(&mut self.index, key, &entries);
        for session in user.sessions.values() {
            self.refresh_tokens.remove(&session.refresh_token);
        }
        for token in user.revoked_refresh_tokens.iter().flat_map(|r| r.keys()) {
            self.refresh_tokens.remove(token);
        }
        Some(user)
    }

    pub fn get(&self, key: &str) -> Option<&User> {
        self.users.get(key).map(|u| &**u)
    }

    /// The user with `key`, to change in place; the indexes follow when the guard drops.
    pub fn get_mut(&mut self, key: &str) -> Option<UserMut<'_>> {
        let before = changeable_entries(&self.rules, self.users.get(key)?);
        self.note_change(key);
        let rules = &self.rules;
        let user = &mut **self.users.get_mut(key)?;
        Some(UserMut {
            user,
            index: &mut self.index,
            rules,
            key: key.to_owned(),
            before,
        })
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.users.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Users in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &User)> {
        self.users.iter().map(|(k, u)| (k, &**u))
    }

    /// Users in key order, starting after `after`.
    pub fn iter_after<'a>(
        &'a self,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a String, &'a User)> + 'a {
        let start = match after {
            Some(key) => Bound::Excluded(key),
            None => Bound::Unbounded,
        };
        self.users
            .range::<str, _>((start, Bound::Unbounded))
            .map(|(k, u)| (k, &**u))
    }

    /// Users in key order, starting at `from` (inclusive).
    pub fn iter_from<'a>(
        &'a self,
        from: &str,
    ) -> impl Iterator<Item = (&'a String, &'a User)> + 'a {
        self.users
            .range::<str, _>((Bound::Included(from), Bound::Unbounded))
            .map(|(k, u)| (k, &**u))
    }

    /// The key of the user holding sign-in alias `alias_key` (see `alias_key`).
    pub fn alias_holder(&self, alias_key: &str) -> Option<&str> {
        self.index.aliases.get(alias_key).map(|k| &**k)
    }

    /// The key of the user whose `sub` is `sub`.
    pub fn key_of_sub(&self, sub: &str) -> Option<&str> {
        self.index.subs.get(sub).map(|k| &**k)
    }

    /// `(sort value, key)` pairs of the users whose indexed `attribute` (an
    /// `INDEXED_SEARCH_ATTRIBUTES` entry, or `sub`) starts with (`prefix`) or equals `value`,
    /// in order, strictly after `after`. `value` must be in the index's form (lower-cased,
    /// except for `status`).
    pub fn search<'a>(
        &'a self,
        attribute: &str,
        value: String,
        prefix: bool,
        after: Option<(&str, &str)>,
    ) -> Box<dyn Iterator<Item = (&'a str, &'a str)> + 'a> {
        if attribute == "sub" {
            let start = match after {
                Some((v, _)) => Bound::Excluded(v),
                None => Bound::Included(value.as_str()),
            };
            let range = self.index.subs.range::<str, _>((start, Bound::Unbounded));
            return Box::new(
                range
                    .map(|(v, k)| (v.as_str(), &**k))
                    .take_while(move |(v, _)| matches(v, &value, prefix)),
            );
        }
        let Some(i) = INDEXED_SEARCH_ATTRIBUTES
            .iter()
            .position(|a| *a == attribute)
        else {
            return Box::new(std::iter::empty());
        };
        if i >= ATTRIBUTE_INDEXES {
            let after: Option<(String, Arc<str>)> =
                after.map(|(v, k)| (v.to_owned(), Arc::from(k)));
            return Box::new(
                self.index.statuses[i - ATTRIBUTE_INDEXES]
                    .iter()
                    .filter(move |(v, _)| matches(v, &value, prefix))
                    .flat_map(move |(v, keys)| {
                        let v: &'static str = v;
                        let keys: Box<dyn Iterator<Item = &Arc<str>>> =
                            match &after {
                                Some((after_value, _)) if v < after_value.as_str() => {
                                    Box::new(std::iter::empty())
                                }
                                Some((after_value, after_key)) if v == after_value.as_str() => {
                                    Box::new(keys.range((
                                        Bound::Excluded(after_key.clone()),
                                        Bound::Unbounded,
                                    )))
                                }
                                _ => Box::new(keys.iter()),
                            };
                        keys.map(move |k| (v, &**k))
                    }),
            );
        }
        let set = &self.index.search[i];
        let iter: Box<dyn Iterator<Item = &(String, Arc<str>)>> = match after {
            Some((v, k)) => Box::new(set.range::<(String, Arc<str>), _>((
                Bound::Excluded((v.to_owned(), Arc::from(k))),
                Bound::Unbounded,
            ))),
            None => Box::new(set.range::<(String, Arc<str>), _>((
                Bound::Included((value.clone(), Arc::from(""))),
                Bound::Unbounded,
            ))),
        };
        Box::new(
            iter.map(|(v, k)| (v.as_str(), &**k))
                .take_while(move |(v, _)| matches(v, &value, prefix)),
        )
    }

    pub fn refresh_token(&self, token: &str) -> Option<&(String, String)> {
        self.refresh_tokens.get(token)
    }

    pub fn insert_refresh_token(&mut self, token: String, key: String, event_id: String) {
        self.refresh_tokens.insert(token, (key, event_id));
    }

    pub fn remove_refresh_token(&mut self, token: &str) {
        self.refresh_tokens.remove(token);
    }
}

fn matches(candidate: &str, value: &str, prefix: bool) -> bool {
    if prefix {
        candidate.starts_with(value)
    } else {
        candidate == value
    }
}

impl Index<&str> for UserDirectory {
    type Output = User;
    /// For keys the caller found under the same lock.
    fn index(&self, key: &str) -> &User {
        &self.users[key]
    }
}

impl Index<&String> for UserDirectory {
    type Output = User;
    fn index(&self, key: &String) -> &User {
        &self.users[key.as_str()]
    }
}

/// A user borrowed for change. When it drops, the indexes are brought in step with whatever
/// changed (attributes, and so aliases and search entries), even if a panic unwinds through it.
pub struct UserMut<'a> {
    user: &'a mut User,
    index: &'a mut Indexes,
    rules: &'a DirectoryRules,
    key: String,
    before: Entries,
}

impl Deref for UserMut<'_> {
    type Target = User;
    fn deref(&self) -> &User {
        self.user
    }
}

impl DerefMut for UserMut<'_> {
    fn deref_mut(&mut self) -> &mut User {
        self.user
    }
}

/// The items of `a` that `b` lacks.
fn difference<T: Clone + PartialEq>(a: &[T], b: &[T]) -> Vec<T> {
    a.iter().filter(|x| !b.contains(x)).cloned().collect()
}

impl Drop for UserMut<'_> {
    fn drop(&mut self) {
        let after = changeable_entries(self.rules, self.user);
        if after == self.before {
            return;
        }
        // Only what changed moves.
        // A status that did not change is left alone ("" marks it).
        let changed = |of: &[&'static str; 2], other: &[&'static str; 2]| {
            [0, 1].map(|j| if of[j] == other[j] { "" } else { of[j] })
        };
        let gone = Entries {
            aliases: difference(&self.before.aliases, &after.aliases),
            search: difference(&self.before.search, &after.search),
            statuses: changed(&self.before.statuses, &after.statuses),
            sub: None,
        };
        let new = Entries {
            aliases: difference(&after.aliases, &self.before.aliases),
            search: difference(&after.search, &self.before.search),
            statuses: changed(&after.statuses, &self.before.statuses),
            sub: None,
        };
        UserDirectory::unindex(self.index, &self.key, &gone);
        UserDirectory::reindex(self.index, &self.key, &new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::model::UserStatus;

    fn user(i: usize) -> User {
        let mut attributes = crate::model::Attributes::default();
        let name = format!("User{i:03}");
        attributes.insert("email".into(), format!("{name}@Example.com"));
        attributes.insert("email_verified".into(), i.is_multiple_of(2).to_string());
        attributes.insert("preferred_username".into(), format!("nick{}", i % 7));
        let status = [UserStatus::Confirmed, UserStatus::Unconfirmed][i % 2];
        let mut user = User::new(
            name,
            format!("sub-{:03}", 999 - i),
            attributes,
            status,
            Timestamp(0),
        );
        user.enabled = !i.is_multiple_of(3);
        user
    }

    /// Every lookup the indexes serve, as answers.
    fn answers(d: &UserDirectory) -> Vec<String> {
        let mut out: Vec<String> = d
            .iter()
            .map(|(k, u)| format!("{k}={}", u.username))
            .collect();
        for i in 0..40 {
            out.push(format!(
                "{:?}",
                d.alias_holder(&alias_key("email", &format!("user{i:03}@example.com")))
            ));
            out.push(format!(
                "{:?}",
                d.alias_holder(&alias_key("preferred_username", &format!("nick{}", i % 7)))
            ));
            out.push(format!(
                "{:?}",
                d.key_of_sub(&format!("sub-{:03}", 999 - i))
            ));
        }
        for (attribute, value, prefix) in [
            ("email", "user01", true),
            ("preferred_username", "nick3", false),
            ("sub", "sub-98", true),
            ("cognito:user_status", "confirmed", false),
            ("status", "Disabled", false),
        ] {
            let found: Vec<(&str, &str)> = d
                .search(attribute, value.to_owned(), prefix, None)
                .collect();
            out.push(format!("{attribute}: {found:?}"));
        }
        out
    }

    #[test]
    fn putting_all_at_once_indexes_as_putting_one_by_one() {
        let rules = DirectoryRules {
            username_mode: UsernameMode::Username,
            alias_attributes: vec!["email".into(), "preferred_username".into()],
            case_sensitive: false,
        };
        let mut one_by_one = UserDirectory::new(rules.clone());
        for i in 0..40 {
            one_by_one.put(user(i));
        }
        let mut at_once = UserDirectory::new(rules);
        at_once.put_all((0..40).rev().map(user).collect());
        assert_eq!(answers(&at_once), answers(&one_by_one));
        assert_eq!(at_once.len(), 40);
    }
}
