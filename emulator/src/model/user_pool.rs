//! A user pool's settings. Settings the emulator enforces are typed; configuration it only
//! stores (Lambda triggers, message templates, e-mail and SMS configuration...) is kept as the
//! caller sent it and returned by DescribeUserPool.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::directory::{DirectoryRules, UserDirectory};
use super::{AppClient, AuthSession, Group, SrpChallenge};
use crate::clock::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: u32,
    pub password_history_size: Option<u32>,
}

impl Default for PasswordPolicy {
    /// AWS's policy for a pool created without one: 8 characters and every class.
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
            password_history_size: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeDataType {
    String,
    Number,
    DateTime,
    Boolean,
}

impl AttributeDataType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "String" => Some(Self::String),
            "Number" => Some(Self::Number),
            "DateTime" => Some(Self::DateTime),
            "Boolean" => Some(Self::Boolean),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Number => "Number",
            Self::DateTime => "DateTime",
            Self::Boolean => "Boolean",
        }
    }
}

/// One attribute of the pool's schema (standard or `custom:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaAttribute {
    pub name: String,
    pub data_type: AttributeDataType,
    pub developer_only: bool,
    pub mutable: bool,
    pub required: bool,
    /// String constraints (min, max length) as AWS returns them: decimal strings.
    pub string_constraints: Option<(Option<String>, Option<String>)>,
    /// Number constraints (min, max value) as decimal strings.
    pub number_constraints: Option<(Option<String>, Option<String>)>,
}

/// AWS's standard attributes: name, type, mutable, required, string length bounds.
/// Source: Cognito developer guide, "Standard attributes", and the schema DescribeUserPool
/// returns for a pool created without `Schema`.
pub const STANDARD_ATTRIBUTES: &[(&str, AttributeDataType, bool, bool)] = &[
    ("sub", AttributeDataType::String, false, true),
    ("name", AttributeDataType::String, true, false),
    ("given_name", AttributeDataType::String, true, false),
    ("family_name", AttributeDataType::String, true, false),
    ("middle_name", AttributeDataType::String, true, false),
    ("nickname", AttributeDataType::String, true, false),
    ("preferred_username", AttributeDataType::String, true, false),
    ("profile", AttributeDataType::String, true, false),
    ("picture", AttributeDataType::String, true, false),
    ("website", AttributeDataType::String, true, false),
    ("email", AttributeDataType::String, true, false),
    ("email_verified", AttributeDataType::Boolean, true, false),
    ("gender", AttributeDataType::String, true, false),
    ("birthdate", AttributeDataType::String, true, false),
    ("zoneinfo", AttributeDataType::String, true, false),
    ("locale", AttributeDataType::String, true, false),
    ("phone_number", AttributeDataType::String, true, false),
    (
        "phone_number_verified",
        AttributeDataType::Boolean,
        true,
        false,
    ),
    ("address", AttributeDataType::String, true, false),
    ("updated_at", AttributeDataType::Number, true, false),
];

impl SchemaAttribute {
    /// A standard attribute with AWS's default constraints.
    pub fn standard(
        name: &str,
        data_type: AttributeDataType,
        mutable: bool,
        required: bool,
    ) -> Self {
        let (string_constraints, number_constraints) = match (name, data_type) {
            ("sub", _) => (Some((Some("1".into()), Some("2048".into()))), None),
            ("birthdate", _) => (Some((Some("10".into()), Some("10".into()))), None),
            (_, AttributeDataType::String) => (Some((Some("0".into()), Some("2048".into()))), None),
            (_, AttributeDataType::Number) => (None, Some((Some("0".into()), None))),
            _ => (None, None),
        };
        SchemaAttribute {
            name: name.to_owned(),
            data_type,
            developer_only: false,
            mutable,
            required,
            string_constraints,
            number_constraints,
        }
    }

    pub fn is_custom(&self) -> bool {
        self.name.starts_with("custom:") || self.name.starts_with("dev:")
    }
}

/// How users sign in, fixed at pool creation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum UsernameMode {
    /// A free-form username (optionally with aliases).
    #[default]
    Username,
    /// `UsernameAttributes`: users sign in with email and/or phone number; the internal
    /// username is a UUID (the `sub`).
    Attributes(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct UserPool {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub created: Timestamp,
    pub last_modified: Timestamp,
    /// What UpdateUserPool replaces.
    pub settings: PoolSettings,
    pub username_mode: UsernameMode,
    pub alias_attributes: Vec<String>,
    /// Standard attributes first (AWS's order), then custom ones in creation order.
    pub schema: Vec<SchemaAttribute>,
    /// `UsernameConfiguration.CaseSensitive`, when the caller gave one.
    pub case_sensitive: Option<bool>,
    pub software_token_mfa_enabled: bool,
    /// SMS, e-mail and WebAuthn MFA configuration from SetUserPoolMfaConfig, stored as sent.
    pub stored_mfa: Map<String, Value>,
    pub clients: BTreeMap<String, AppClient>,
    /// The users and their indexes (aliases, `sub`, searchable attributes, refresh tokens).
    pub users: UserDirectory,
    /// Groups by name. Membership is kept on both sides (`Group::members`, `User::groups`)
    /// and changes only through `join_group` / `leave_group` / `delete_group` / `delete_user`.
    groups: BTreeMap<String, Group>,
    /// Short-lived sign-in state, apart from the durable data above: what a restart may lose.
    pub pending: PendingSignIns,
}

/// Sign-ins between two steps. Never persisted: SRP secrets and challenge sessions.
#[derive(Debug, Clone, Default)]
pub struct PendingSignIns {
    /// Outstanding USER_SRP_AUTH challenges by SECRET_BLOCK.
    pub srp: HashMap<String, SrpChallenge>,
    /// Sign-ins waiting for a challenge answer (MFA, NEW_PASSWORD_REQUIRED), by `Session`.
    /// A used or expired session stays until it has been expired for a while, so that it is
    /// reported as such.
    pub sessions: HashMap<String, AuthSession>,
    /// When `auth::challenges::make_room` may next sweep each table.
    pub srp_next_sweep: Option<Timestamp>,
    pub sessions_next_sweep: Option<Timestamp>,
}

/// The pool settings that CreateUserPool sets and UpdateUserPool replaces as a whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolSettings {
    pub password_policy: PasswordPolicy,
    /// Other members of `Policies` (e.g. `SignInPolicy`), stored as sent.
    pub other_policies: Map<String, Value>,
    pub auto_verified_attributes: Vec<String>,
    /// `OFF`, `ON` or `OPTIONAL`.
    pub mfa_configuration: String,
    pub deletion_protection: bool,
    /// Configuration stored as sent and echoed by DescribeUserPool, keyed by wire member name.
    pub stored: Map<String, Value>,
}

impl UserPool {
    /// An empty pool: no clients, users or groups. Callers fill in settings and schema.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        name: String,
        arn: String,
        now: Timestamp,
        settings: PoolSettings,
        username_mode: UsernameMode,
        alias_attributes: Vec<String>,
        schema: Vec<SchemaAttribute>,
        case_sensitive: Option<bool>,
    ) -> Self {
        let users = UserDirectory::new(DirectoryRules {
            username_mode: username_mode.clone(),
            alias_attributes: alias_attributes.clone(),
            case_sensitive: case_sensitive.unwrap_or(true),
        });
        UserPool {
            id,
            name,
            arn,
            created: now,
            last_modified: now,
            settings,
            username_mode,
            alias_attributes,
            schema,
            case_sensitive,
            software_token_mfa_enabled: false,
            stored_mfa: Map::new(),
            clients: BTreeMap::new(),
            users,
            groups: BTreeMap::new(),
            pending: PendingSignIns::default(),
        }
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.get(name)
    }

    pub fn groups(&self) -> &BTreeMap<String, Group> {
        &self.groups
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Adds a new group or replaces one's settings (its members stay).
    pub fn put_group(&mut self, mut group: Group) {
        if let Some(old) = self.groups.get_mut(&group.name) {
            group.members = std::mem::take(&mut old.members);
        }
        self.groups.insert(group.name.clone(), group);
    }

    /// Deletes a group, detaching its members.
    pub fn delete_group(&mut self, name: &str) -> Option<Group> {
        let group = self.groups.remove(name)?;
        for key in &group.members {
            if let Some(mut user) = self.users.get_mut(key) {
                user.groups.remove(name);
            }
        }
        Some(group)
    }

    /// Puts the user with `key` in group `name`; both must exist. Idempotent.
    pub fn join_group(&mut self, name: &str, key: &str) -> bool {
        let (Some(group), Some(mut user)) = (self.groups.get_mut(name), self.users.get_mut(key))
        else {
            return false;
        };
        group.members.insert(key.to_owned());
        user.groups.insert(name.to_owned());
        true
    }

    /// Takes the user with `key` out of group `name`. Idempotent.
    pub fn leave_group(&mut self, name: &str, key: &str) {
        if let Some(group) = self.groups.get_mut(name) {
            group.members.remove(key);
        }
        if let Some(mut user) = self.users.get_mut(key) {
            user.groups.remove(name);
        }
    }

    /// Deletes the user with `key` and everything that names them (aliases, refresh tokens,
    /// group memberships).
    pub fn delete_user(&mut self, key: &str) -> Option<super::User> {
        let user = self.users.remove(key)?;
        for name in &user.groups {
            if let Some(group) = self.groups.get_mut(name) {
                group.members.remove(key);
            }
        }
        Some(user)
    }

    /// Usernames compare case-insensitively unless the pool says otherwise.
    /// AWS: pools created through the API without `UsernameConfiguration` are case sensitive.
    pub fn usernames_case_sensitive(&self) -> bool {
        self.case_sensitive.unwrap_or(true)
    }

    pub fn attribute(&self, name: &str) -> Option<&SchemaAttribute> {
        self.schema.iter().find(|a| a.name == name)
    }

    pub fn custom_attribute_count(&self) -> usize {
        self.schema.iter().filter(|a| a.is_custom()).count()
    }
}
