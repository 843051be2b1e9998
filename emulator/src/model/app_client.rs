//! An app client of a user pool.

use serde_json::{Map, Value};

use crate::clock::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenValidityUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl TokenValidityUnit {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "seconds" => Some(Self::Seconds),
            "minutes" => Some(Self::Minutes),
            "hours" => Some(Self::Hours),
            "days" => Some(Self::Days),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seconds => "seconds",
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Days => "days",
        }
    }
    pub fn seconds(self) -> u64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3600,
            Self::Days => 86400,
        }
    }
}

/// A validity as the caller expressed it (value and unit) — AWS echoes both back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenValidity {
    pub value: u64,
    pub unit: TokenValidityUnit,
    /// Whether the caller gave the unit explicitly (only then is it echoed in `TokenValidityUnits`).
    pub unit_given: bool,
}

impl TokenValidity {
    pub fn seconds(self) -> u64 {
        self.value.saturating_mul(self.unit.seconds())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppClient {
    pub client_id: String,
    pub user_pool_id: String,
    pub client_name: String,
    pub client_secret: Option<String>,
    pub created: Timestamp,
    pub last_modified: Timestamp,
    /// Effective flows (AWS's default set when the caller gave none).
    pub explicit_auth_flows: Vec<String>,
    pub access_token_validity: TokenValidity,
    pub id_token_validity: TokenValidity,
    pub refresh_token_validity: TokenValidity,
    /// Whether the caller set access / id validity (AWS omits them from Describe otherwise).
    pub access_token_validity_given: bool,
    pub id_token_validity_given: bool,
    pub read_attributes: Option<Vec<String>>,
    pub write_attributes: Option<Vec<String>>,
    /// `ENABLED` or `LEGACY`.
    pub prevent_user_existence_errors: String,
    pub enable_token_revocation: bool,
    /// Minutes a challenge `Session` lives (3–15).
    pub auth_session_validity: u32,
    /// OAuth and other settings the emulator stores and echoes (CallbackURLs, AllowedOAuthFlows...).
    pub stored: Map<String, Value>,
}

impl AppClient {
    /// Whether the client allows `flow` (an `ALLOW_*` name), honouring the legacy values:
    /// with those, SRP and refresh are always allowed and each legacy value enables its flow.
    pub fn allows_flow(&self, flow: &str) -> bool {
        let has = |f: &str| self.explicit_auth_flows.iter().any(|x| x == f);
        let legacy = [
            "ADMIN_NO_SRP_AUTH",
            "CUSTOM_AUTH_FLOW_ONLY",
            "USER_PASSWORD_AUTH",
        ]
        .iter()
        .any(|l| has(l));
        if !legacy {
            return has(flow);
        }
        match flow {
            "ALLOW_USER_SRP_AUTH" | "ALLOW_REFRESH_TOKEN_AUTH" => true,
            "ALLOW_USER_PASSWORD_AUTH" => has("USER_PASSWORD_AUTH"),
            "ALLOW_ADMIN_USER_PASSWORD_AUTH" => has("ADMIN_NO_SRP_AUTH"),
            "ALLOW_CUSTOM_AUTH" => has("CUSTOM_AUTH_FLOW_ONLY"),
            _ => false,
        }
    }

    pub fn prevents_user_existence_errors(&self) -> bool {
        self.prevent_user_existence_errors == "ENABLED"
    }
}
