//! Codes are not e-mailed or texted: each is logged as one line and kept here, readable at
//! `GET /_emulator/outbox` (a path no AWS route can take: pool ids never start with `_`).

use std::sync::Arc;

use parking_lot::Mutex;
use serde::Serialize;

use crate::persist::records::MessageRecord;
use crate::persist::{to_json, Change, Journal};

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

#[derive(Default)]
pub struct Outbox {
    messages: Mutex<Vec<Message>>,
    /// With `--data-dir`: every message is saved as it is sent.
    journal: Option<Arc<Journal>>,
}

impl Outbox {
    /// An outbox holding `messages` (read back from `--data-dir`) that saves new ones.
    pub fn persistent(journal: Arc<Journal>, messages: Vec<Message>) -> Self {
        Outbox {
            messages: Mutex::new(messages),
            journal: Some(journal),
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
        let mut messages = self.messages.lock();
        if let Some(journal) = &self.journal {
            journal.record([Change::AddMessage {
                record: to_json(&MessageRecord::of(&message)),
            }]);
        }
        messages.push(message);
    }

    /// Messages, oldest first, optionally for one pool and for one user (matched against the
    /// internal username or the destination).
    pub fn list(&self, pool: Option<&str>, user: Option<&str>) -> Vec<Message> {
        self.messages
            .lock()
            .iter()
            .filter(|m| pool.is_none_or(|p| m.user_pool_id == p))
            .filter(|m| {
                user.is_none_or(|u| m.username == u || m.destination.eq_ignore_ascii_case(u))
            })
            .cloned()
            .collect()
    }
}
