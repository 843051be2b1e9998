//! Codes are not e-mailed or texted: each is logged as one line and kept here, readable at
//! `GET /_emulator/outbox` (a path no AWS route can take: pool ids never start with `_`).
//!
//! Bounded, whatever clients do (README "Limits"): a message goes once its code has expired,
//! when its pool is deleted, or when its pool holds `PER_POOL` newer ones or the outbox
//! `TOTAL` newer ones. With `--data-dir`, what goes is deleted from disk too.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::Serialize;

use crate::auth::codes::Purpose;
use crate::clock::Timestamp;
use crate::persist::records::MessageRecord;
use crate::persist::{to_json, Change, Journal};

/// Messages a pool keeps; the oldest goes first.
pub const PER_POOL: usize = 10_000;
/// Messages the outbox keeps in all.
pub const TOTAL: usize = 100_000;

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub user_pool_id: String,
    /// The internal username.
    pub username: String,
    /// `EMAIL` or `SMS`.
    pub medium: &'static str,
    /// The unmasked address or number.
    pub destination: String,
    pub code: String,
    /// `SIGN_UP`, `FORGOT_PASSWORD`, `VERIFY_ATTRIBUTE`, or `INVITATION` (AdminCreateUser),
    /// whose `code` is the temporary password.
    pub purpose: &'static str,
    /// Epoch milliseconds.
    pub sent_at: i64,
}

impl Message {
    /// When the code stops working; `None` for an invitation, whose temporary password lasts
    /// as long as its pool says (kept until the caps push it out).
    fn expires(&self) -> Option<Timestamp> {
        let ttl: Duration = [
            Purpose::SignUp,
            Purpose::ForgotPassword,
            Purpose::VerifyAttribute,
        ]
        .into_iter()
        .find(|p| p.as_str() == self.purpose)?
        .ttl();
        Some(Timestamp(self.sent_at).plus(ttl))
    }
}

#[derive(Default)]
struct Held {
    /// Every message by its sequence number: oldest first.
    by_seq: BTreeMap<i64, Message>,
    /// Each pool's sequence numbers, oldest first.
    by_pool: HashMap<String, VecDeque<i64>>,
    next_seq: i64,
}

impl Held {
    fn add(&mut self, seq: i64, message: Message, dropped: &mut Vec<i64>) {
        self.next_seq = self.next_seq.max(seq + 1);
        let pool = self
            .by_pool
            .entry(message.user_pool_id.clone())
            .or_default();
        pool.push_back(seq);
        if pool.len() > PER_POOL {
            if let Some(oldest) = pool.pop_front() {
                self.by_seq.remove(&oldest);
                dropped.push(oldest);
            }
        }
        self.by_seq.insert(seq, message);
        while self.by_seq.len() > TOTAL {
            let Some((oldest, message)) = self.by_seq.pop_first() else {
                break;
            };
            // The oldest of all is the oldest of its pool.
            if let Some(pool) = self.by_pool.get_mut(&message.user_pool_id) {
                if pool.front() == Some(&oldest) {
                    pool.pop_front();
                } else {
                    pool.retain(|s| *s != oldest);
                }
                if pool.is_empty() {
                    self.by_pool.remove(&message.user_pool_id);
                }
            }
            dropped.push(oldest);
        }
    }

    /// Drops the expired messages at the front of `pool` (messages are in the order sent, so
    /// this costs only what it drops, and a long-lived code in front holds back later ones
    /// until it expires too: the caps still bound them).
    fn drop_expired(&mut self, pool_id: &str, now: Timestamp, dropped: &mut Vec<i64>) {
        let Some(pool) = self.by_pool.get_mut(pool_id) else {
            return;
        };
        while let Some(seq) = pool.front().copied() {
            let expired = self
                .by_seq
                .get(&seq)
                .is_none_or(|m| m.expires().is_some_and(|t| now >= t));
            if !expired {
                break;
            }
            pool.pop_front();
            self.by_seq.remove(&seq);
            dropped.push(seq);
        }
        if pool.is_empty() {
            self.by_pool.remove(pool_id);
        }
    }

    fn drop_pool(&mut self, pool_id: &str, dropped: &mut Vec<i64>) {
        for seq in self.by_pool.remove(pool_id).unwrap_or_default() {
            self.by_seq.remove(&seq);
            dropped.push(seq);
        }
    }
}

#[derive(Default)]
pub struct Outbox {
    held: Mutex<Held>,
    /// With `--data-dir`: every message is saved as it is sent, and deleted as it goes.
    journal: Option<Arc<Journal>>,
}

impl Outbox {
    /// An outbox holding `messages` (read back from `--data-dir`, by sequence number) that
    /// saves new ones.
    pub fn persistent(journal: Arc<Journal>, messages: Vec<(i64, Message)>) -> Self {
        let mut held = Held::default();
        let mut dropped = Vec::new();
        for (seq, message) in messages {
            held.add(seq, message, &mut dropped);
        }
        let outbox = Outbox {
            held: Mutex::new(held),
            journal: Some(journal),
        };
        outbox.forget(dropped);
        outbox
    }

    fn forget(&self, seqs: Vec<i64>) {
        if let (Some(journal), false) = (&self.journal, seqs.is_empty()) {
            journal.record([Change::DeleteMessages { seqs }]);
        }
    }

    pub fn send(&self, message: Message) {
        // An invitation's code is a temporary password: it stays out of the log.
        let code = if message.purpose == crate::auth::codes::INVITATION {
            "(temporary password: see /_emulator/outbox)"
        } else {
            message.code.as_str()
        };
        tracing::info!(
            pool = %message.user_pool_id,
            user = %message.username,
            medium = message.medium,
            destination = %message.destination,
            code = %code,
            purpose = message.purpose,
            "outbox: code sent"
        );
        let mut held = self.held.lock();
        let mut dropped = Vec::new();
        held.drop_expired(
            &message.user_pool_id,
            Timestamp(message.sent_at),
            &mut dropped,
        );
        let seq = held.next_seq;
        // Recorded under the lock, so the journal sees additions and deletions in order.
        if let Some(journal) = &self.journal {
            journal.record([Change::AddMessage {
                seq,
                record: to_json(&MessageRecord::of(&message)),
            }]);
        }
        held.add(seq, message, &mut dropped);
        self.forget(dropped);
    }

    /// Forgets the messages of a deleted pool.
    pub fn drop_pool(&self, pool_id: &str) {
        let mut held = self.held.lock();
        let mut dropped = Vec::new();
        held.drop_pool(pool_id, &mut dropped);
        self.forget(dropped);
    }

    /// Messages whose codes still work at `now`, oldest first, optionally for one pool and
    /// for one user (matched against the internal username or the destination).
    pub fn list(&self, pool: Option<&str>, user: Option<&str>, now: Timestamp) -> Vec<Message> {
        let mut held = self.held.lock();
        let mut dropped = Vec::new();
        let pools: Vec<String> = match pool {
            Some(p) => vec![p.to_owned()],
            None => held.by_pool.keys().cloned().collect(),
        };
        for p in &pools {
            held.drop_expired(p, now, &mut dropped);
        }
        let matches = |m: &Message| {
            m.expires().is_none_or(|t| now < t)
                && user.is_none_or(|u| m.username == u || m.destination.eq_ignore_ascii_case(u))
        };
        let listed = match pool {
            Some(p) => held
                .by_pool
                .get(p)
                .into_iter()
                .flatten()
                .filter_map(|seq| held.by_seq.get(seq))
                .filter(|m| matches(m))
                .cloned()
                .collect(),
            None => held
                .by_seq
                .values()
                .filter(|m| matches(m))
                .cloned()
                .collect(),
        };
        drop(held);
        self.forget(dropped);
        listed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(pool: &str, purpose: &'static str, sent_at: i64) -> Message {
        Message {
            user_pool_id: pool.to_owned(),
            username: "u".to_owned(),
            medium: "EMAIL",
            destination: "u@example.com".to_owned(),
            code: "123456".to_owned(),
            purpose,
            sent_at,
        }
    }

    #[test]
    fn a_pool_keeps_its_newest_messages_and_a_deleted_pool_none() {
        let outbox = Outbox::default();
        for i in 0..(PER_POOL as i64 + 5) {
            outbox.send(message("a", "INVITATION", i));
        }
        outbox.send(message("b", "INVITATION", 0));
        let a = outbox.list(Some("a"), None, Timestamp(0));
        assert_eq!(a.len(), PER_POOL);
        assert_eq!(a[0].sent_at, 5);
        outbox.drop_pool("a");
        assert!(outbox.list(Some("a"), None, Timestamp(0)).is_empty());
        assert_eq!(outbox.list(None, None, Timestamp(0)).len(), 1);
    }

    #[test]
    fn expired_codes_leave_the_outbox() {
        // AWS lifetimes: forgot-password codes 1 hour, sign-up codes 24 hours.
        let outbox = Outbox::default();
        outbox.send(message("a", "FORGOT_PASSWORD", 0));
        outbox.send(message("a", "SIGN_UP", 0));
        let hour = 3_600_000;
        assert_eq!(outbox.list(None, None, Timestamp(hour - 1)).len(), 2);
        let listed = outbox.list(None, None, Timestamp(hour));
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].purpose, "SIGN_UP");
        assert!(outbox.list(None, None, Timestamp(24 * hour)).is_empty());
        assert!(outbox.held.lock().by_seq.is_empty());
    }
}
