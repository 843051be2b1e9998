//! A user pool's settings. Settings the emulator enforces are typed; configuration it only
//! stores (Lambda triggers, message templates, e-mail and SMS configuration...) is kept as the
//! caller sent it and returned by DescribeUserPool.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::{AppClient, User};
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
    /// Users by `user_key` of their internal username (see `User`).
    pub users: BTreeMap<String, User>,
    /// Sign-in names other than the internal username (`email:...`, `phone_number:...`,
    /// `preferred_username:...`) → user key. See `auth::users`.
    pub sign_in_aliases: HashMap<String, String>,
    /// Refresh token → (user key, session `event_id`).
    pub refresh_tokens: HashMap<String, (String, String)>,
    /// Outstanding USER_SRP_AUTH challenges by SECRET_BLOCK.
    pub srp_challenges: HashMap<String, super::SrpChallenge>,
    /// Sign-ins waiting for their MFA step, by `Session`. A used or expired session stays
    /// until it has been expired for a while, so that it is reported as such.
    pub auth_sessions: HashMap<String, super::AuthSession>,
}

/// The pool settings that CreateUserPool sets and UpdateUserPool replaces as a whole.
#[derive(Debug, Clone, Default)]
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
