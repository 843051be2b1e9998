//! A user pool group: a name, an optional IAM role and precedence, and its members.

use std::collections::BTreeSet;

use crate::clock::Timestamp;

#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    /// Lower wins; `None` is AWS's "null" precedence, after every number.
    pub precedence: Option<i64>,
    pub created: Timestamp,
    pub last_modified: Timestamp,
    /// Keys of the member users (see `UserPool::join_group`).
    pub members: BTreeSet<String>,
}

impl Group {
    /// The order AWS appears to use for a user's groups (admin-sigv4-facts §3.3, inferred):
    /// precedence ascending, groups without one last, ties by name.
    pub fn order_key(&self) -> (bool, i64, &str) {
        (
            self.precedence.is_none(),
            self.precedence.unwrap_or(0),
            &self.name,
        )
    }
}
