//! The persisted format: one serde record per row, apart from the model (which has no serde
//! derives), so what is saved is a deliberate, versioned choice rather than whatever the
//! structs happen to be. Records are JSON, so `sqlite3 DIR/emulator.db` shows readable rows.
//!
//! Fields added later take `#[serde(default)]`, so older rows still read; a change an older
//! emulator could not read bumps `schema::VERSION` with a migration.
//!
//! Not here, on purpose: short-lived sign-in state (`PendingSignIns`: SRP secrets `b`,
//! challenge sessions), which a restart may lose as AWS's own sessions expire.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::credentials::{Identity, Issued};
use crate::crypto::credentials::StoredCredentials;
use crate::model::{
    AppClient, AttributeDataType, AuthEvent, Credentials, Group, PasswordPolicy, PendingCode,
    PoolSettings, SchemaAttribute, SignInSession, SoftwareToken, TokenValidity, TokenValidityUnit,
    User, UserPool, UserStatus, UsernameMode,
};
use crate::outbox::Message;

/// Base64 for byte strings inside JSON.
mod b64 {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

// ---------------------------------------------------------------------------------------
// Pools (everything but users and pending sign-ins), clients, groups.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolRecord {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub created: i64,
    pub last_modified: i64,
    pub settings: SettingsRecord,
    /// `None`: free-form usernames; `Some(attributes)`: `UsernameAttributes`.
    pub username_attributes: Option<Vec<String>>,
    pub alias_attributes: Vec<String>,
    pub schema: Vec<SchemaRecord>,
    pub case_sensitive: Option<bool>,
    pub software_token_mfa_enabled: bool,
    pub stored_mfa: Map<String, Value>,
    pub clients: Vec<ClientRecord>,
    /// Groups without members: membership is saved with each user (`UserRecord::groups`).
    pub groups: Vec<GroupRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsRecord {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: u32,
    pub password_history_size: Option<u32>,
    pub other_policies: Map<String, Value>,
    pub auto_verified_attributes: Vec<String>,
    pub mfa_configuration: String,
    pub deletion_protection: bool,
    pub stored: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaRecord {
    pub name: String,
    pub data_type: String,
    pub developer_only: bool,
    pub mutable: bool,
    pub required: bool,
    pub string_constraints: Option<(Option<String>, Option<String>)>,
    pub number_constraints: Option<(Option<String>, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidityRecord {
    pub value: u64,
    pub unit: String,
    pub unit_given: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub client_id: String,
    pub client_name: String,
    /// Kept as AWS keeps it: DescribeUserPoolClient returns it.
    pub client_secret: Option<String>,
    pub created: i64,
    pub last_modified: i64,
    pub explicit_auth_flows: Vec<String>,
    pub access_token_validity: ValidityRecord,
    pub id_token_validity: ValidityRecord,
    pub refresh_token_validity: ValidityRecord,
    pub access_token_validity_given: bool,
    pub id_token_validity_given: bool,
    pub read_attributes: Option<Vec<String>>,
    pub write_attributes: Option<Vec<String>>,
    pub prevent_user_existence_errors: String,
    pub enable_token_revocation: bool,
    pub auth_session_validity: u32,
    pub stored: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRecord {
    pub name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
    pub created: i64,
    pub last_modified: i64,
}

fn validity(v: &TokenValidity) -> ValidityRecord {
    ValidityRecord {
        value: v.value,
        unit: v.unit.as_str().to_owned(),
        unit_given: v.unit_given,
    }
}

fn validity_from(r: ValidityRecord) -> Result<TokenValidity, String> {
    Ok(TokenValidity {
        value: r.value,
        unit: TokenValidityUnit::parse(&r.unit)
            .ok_or_else(|| format!("unknown token validity unit {:?}", r.unit))?,
        unit_given: r.unit_given,
    })
}

impl PoolRecord {
    pub fn of(pool: &UserPool) -> Self {
        let s = &pool.settings;
        let p = &s.password_policy;
        PoolRecord {
            id: pool.id.clone(),
            name: pool.name.clone(),
            arn: pool.arn.clone(),
            created: pool.created.millis(),
            last_modified: pool.last_modified.millis(),
            settings: SettingsRecord {
                minimum_length: p.minimum_length,
                require_uppercase: p.require_uppercase,
                require_lowercase: p.require_lowercase,
                require_numbers: p.require_numbers,
                require_symbols: p.require_symbols,
                temporary_password_validity_days: p.temporary_password_validity_days,
                password_history_size: p.password_history_size,
                other_policies: s.other_policies.clone(),
                auto_verified_attributes: s.auto_verified_attributes.clone(),
                mfa_configuration: s.mfa_configuration.clone(),
                deletion_protection: s.deletion_protection,
                stored: s.stored.clone(),
            },
            username_attributes: match &pool.username_mode {
                UsernameMode::Username => None,
                UsernameMode::Attributes(a) => Some(a.clone()),
            },
            alias_attributes: pool.alias_attributes.clone(),
            schema: pool
                .schema
                .iter()
                .map(|a| SchemaRecord {
                    name: a.name.clone(),
                    data_type: a.data_type.as_str().to_owned(),
                    developer_only: a.developer_only,
                    mutable: a.mutable,
                    required: a.required,
                    string_constraints: a.string_constraints.clone(),
                    number_constraints: a.number_constraints.clone(),
                })
                .collect(),
            case_sensitive: pool.case_sensitive,
            software_token_mfa_enabled: pool.software_token_mfa_enabled,
            stored_mfa: pool.stored_mfa.clone(),
            clients: pool
                .clients
                .values()
                .map(|c| {
                    // Every field named, as for users.
                    let AppClient {
                        client_id: _,
                        user_pool_id: _,
                        client_name: _,
                        client_secret: _,
                        created: _,
                        last_modified: _,
                        explicit_auth_flows: _,
                        access_token_validity: _,
                        id_token_validity: _,
                        refresh_token_validity: _,
                        access_token_validity_given: _,
                        id_token_validity_given: _,
                        read_attributes: _,
                        write_attributes: _,
                        prevent_user_existence_errors: _,
                        enable_token_revocation: _,
                        auth_session_validity: _,
                        stored: _,
                    } = c;
                    ClientRecord {
                        client_id: c.client_id.clone(),
                        client_name: c.client_name.clone(),
                        client_secret: c.client_secret.clone(),
                        created: c.created.millis(),
                        last_modified: c.last_modified.millis(),
                        explicit_auth_flows: c.explicit_auth_flows.clone(),
                        access_token_validity: validity(&c.access_token_validity),
                        id_token_validity: validity(&c.id_token_validity),
                        refresh_token_validity: validity(&c.refresh_token_validity),
                        access_token_validity_given: c.access_token_validity_given,
                        id_token_validity_given: c.id_token_validity_given,
                        read_attributes: c.read_attributes.clone(),
                        write_attributes: c.write_attributes.clone(),
                        prevent_user_existence_errors: c.prevent_user_existence_errors.clone(),
                        enable_token_revocation: c.enable_token_revocation,
                        auth_session_validity: c.auth_session_validity,
                        stored: c.stored.clone(),
                    }
                })
                .collect(),
            groups: pool
                .groups()
                .values()
                .map(|g| GroupRecord {
                    name: g.name.clone(),
                    description: g.description.clone(),
                    role_arn: g.role_arn.clone(),
                    precedence: g.precedence,
                    created: g.created.millis(),
                    last_modified: g.last_modified.millis(),
                })
                .collect(),
        }
    }

    /// The pool with no users yet (they are put in afterwards, then their groups joined).
    pub fn into_pool(self) -> Result<UserPool, String> {
        let s = self.settings;
        let settings = PoolSettings {
            password_policy: PasswordPolicy {
                minimum_length: s.minimum_length,
                require_uppercase: s.require_uppercase,
                require_lowercase: s.require_lowercase,
                require_numbers: s.require_numbers,
                require_symbols: s.require_symbols,
                temporary_password_validity_days: s.temporary_password_validity_days,
                password_history_size: s.password_history_size,
            },
            other_policies: s.other_policies,
            auto_verified_attributes: s.auto_verified_attributes,
            mfa_configuration: s.mfa_configuration,
            deletion_protection: s.deletion_protection,
            stored: s.stored,
        };
        let schema = self
            .schema
            .into_iter()
            .map(|a| {
                Ok(SchemaAttribute {
                    data_type: AttributeDataType::parse(&a.data_type)
                        .ok_or_else(|| format!("unknown attribute type {:?}", a.data_type))?,
                    name: a.name,
                    developer_only: a.developer_only,
                    mutable: a.mutable,
                    required: a.required,
                    string_constraints: a.string_constraints,
                    number_constraints: a.number_constraints,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mode = match self.username_attributes {
            None => UsernameMode::Username,
            Some(a) => UsernameMode::Attributes(a),
        };
        let mut pool = UserPool::new(
            self.id,
            self.name,
            self.arn,
            Timestamp(self.created),
            settings,
            mode,
            self.alias_attributes,
            schema,
            self.case_sensitive,
        );
        pool.last_modified = Timestamp(self.last_modified);
        pool.software_token_mfa_enabled = self.software_token_mfa_enabled;
        pool.stored_mfa = self.stored_mfa;
        for c in self.clients {
            let client = AppClient {
                user_pool_id: pool.id.clone(),
                client_name: c.client_name,
                client_secret: c.client_secret,
                created: Timestamp(c.created),
                last_modified: Timestamp(c.last_modified),
                explicit_auth_flows: c.explicit_auth_flows,
                access_token_validity: validity_from(c.access_token_validity)?,
                id_token_validity: validity_from(c.id_token_validity)?,
                refresh_token_validity: validity_from(c.refresh_token_validity)?,
                access_token_validity_given: c.access_token_validity_given,
                id_token_validity_given: c.id_token_validity_given,
                read_attributes: c.read_attributes,
                write_attributes: c.write_attributes,
                prevent_user_existence_errors: c.prevent_user_existence_errors,
                enable_token_revocation: c.enable_token_revocation,
                auth_session_validity: c.auth_session_validity,
                stored: c.stored,
                client_id: c.client_id.clone(),
            };
            pool.clients.insert(c.client_id, client);
        }
        for g in self.groups {
            pool.put_group(Group {
                name: g.name,
                description: g.description,
                role_arn: g.role_arn,
                precedence: g.precedence,
                created: Timestamp(g.created),
                last_modified: Timestamp(g.last_modified),
                members: BTreeSet::new(),
            });
        }
        Ok(pool)
    }
}

// ---------------------------------------------------------------------------------------
// Users.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    pub username: String,
    pub sub: String,
    pub attributes: Vec<(String, String)>,
    pub status: String,
    pub enabled: bool,
    pub created: i64,
    pub last_modified: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<CredentialsRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_up_code: Option<CodeRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forgot_password_code: Option<CodeRecord>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attribute_codes: BTreeMap<String, CodeRecord>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_sign_ins: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failed_sign_in: Option<i64>,
    /// Live sign-ins by `event_id`: their refresh tokens, and what revocation leaves.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sessions: BTreeMap<String, SessionRecord>,
    /// Refresh tokens of revoked sign-ins: token → (`event_id`, expiry).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub revoked_refresh_tokens: BTreeMap<String, (String, i64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token: Option<SoftwareTokenRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_software_token: Option<SoftwareTokenRecord>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub totp_enabled: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub totp_preferred: bool,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub groups: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_password_expires: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_events: Vec<AuthEventRecord>,
}

/// Never a password: the SRP salt and key `x`, or an Argon2id hash and the SRP verifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CredentialsRecord {
    SrpKey {
        #[serde(with = "b64")]
        salt: Vec<u8>,
        #[serde(with = "b64")]
        x: Vec<u8>,
    },
    Argon2id {
        #[serde(with = "b64")]
        salt: Vec<u8>,
        phc: String,
        #[serde(with = "b64")]
        verifier: Vec<u8>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeRecord {
    pub code: String,
    pub expires: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub client_id: String,
    pub origin_jti: String,
    pub refresh_token: String,
    pub auth_time: i64,
    pub refresh_expires: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftwareTokenRecord {
    #[serde(with = "b64")]
    pub secret: Vec<u8>,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_step: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthEventRecord {
    pub event_id: String,
    pub created: i64,
    pub response: String,
    pub challenges: Vec<(String, String)>,
}

fn code(c: &PendingCode) -> CodeRecord {
    CodeRecord {
        code: c.code.clone(),
        expires: c.expires.millis(),
        failed_attempts: c.failed_attempts,
    }
}

fn code_from(r: CodeRecord) -> PendingCode {
    PendingCode {
        code: r.code,
        expires: Timestamp(r.expires),
        failed_attempts: r.failed_attempts,
    }
}

fn token(t: &SoftwareToken) -> SoftwareTokenRecord {
    SoftwareTokenRecord {
        secret: t.secret.clone(),
        verified: t.verified,
        friendly_name: t.friendly_name.clone(),
        last_step: t.last_step,
    }
}

fn token_from(r: SoftwareTokenRecord) -> SoftwareToken {
    SoftwareToken {
        secret: r.secret,
        verified: r.verified,
        friendly_name: r.friendly_name,
        last_step: r.last_step,
    }
}

fn status_from(s: &str) -> Result<UserStatus, String> {
    [
        UserStatus::Unconfirmed,
        UserStatus::Confirmed,
        UserStatus::ResetRequired,
        UserStatus::ForceChangePassword,
    ]
    .into_iter()
    .find(|x| x.as_str() == s)
    .ok_or_else(|| format!("unknown user status {s:?}"))
}

/// The words AdminListUserAuthEvents uses (`EventResponseType`, `ChallengeName`,
/// `ChallengeResponse`), back as the static strings the model keeps.
fn event_word(s: &str) -> Option<&'static str> {
    [
        "Pass",
        "Fail",
        "InProgress",
        "Password",
        "Mfa",
        "Success",
        "Failure",
    ]
    .into_iter()
    .find(|w| *w == s)
}

impl UserRecord {
    pub fn of(user: &User) -> Self {
        // Every field named: a field added to `User` does not compile until it is saved here
        // (or said to be left out).
        let User {
            username: _,
            sub: _,
            attributes: _,
            status: _,
            enabled: _,
            created: _,
            last_modified: _,
            credentials: _,
            sign_up_code: _,
            forgot_password_code: _,
            attribute_codes: _,
            failed_sign_ins: _,
            locked_until: _,
            last_failed_sign_in: _,
            // Rate windows restart with the process: see `auth::limits`.
            limits: _,
            sessions: _,
            revoked_refresh_tokens: _,
            software_token: _,
            pending_software_token: _,
            totp_enabled: _,
            totp_preferred: _,
            groups: _,
            temporary_password_expires: _,
            auth_events: _,
        } = user;
        UserRecord {
            username: user.username.clone(),
            sub: user.sub.clone(),
            attributes: user
                .attributes
                .iter()
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect(),
            status: user.status.as_str().to_owned(),
            enabled: user.enabled,
            created: user.created.millis(),
            last_modified: user.last_modified.millis(),
            credentials: user.credentials.as_ref().map(|c| match c.to_stored() {
                StoredCredentials::Default { salt, x } => CredentialsRecord::SrpKey {
                    salt: salt.to_vec(),
                    x: x.to_vec(),
                },
                StoredCredentials::Hardened {
                    salt,
                    phc,
                    verifier,
                } => CredentialsRecord::Argon2id {
                    salt: salt.to_vec(),
                    phc,
                    verifier,
                },
            }),
            sign_up_code: user.sign_up_code.as_deref().map(code),
            forgot_password_code: user.forgot_password_code.as_deref().map(code),
            attribute_codes: user
                .attribute_codes
                .iter()
                .map(|(k, c)| (k.clone(), code(c)))
                .collect(),
            failed_sign_ins: user.failed_sign_ins,
            locked_until: user.locked_until.map(Timestamp::millis),
            last_failed_sign_in: user.last_failed_sign_in.map(Timestamp::millis),
            sessions: user
                .sessions
                .iter()
                .map(|(id, s)| {
                    (
                        id.clone(),
                        SessionRecord {
                            client_id: s.client_id.clone(),
                            origin_jti: s.origin_jti.clone(),
                            refresh_token: s.refresh_token.clone(),
                            auth_time: s.auth_time.millis(),
                            refresh_expires: s.refresh_expires.millis(),
                        },
                    )
                })
                .collect(),
            revoked_refresh_tokens: user
                .revoked_refresh_tokens
                .iter()
                .flat_map(|r| r.iter())
                .map(|(token, (event_id, expires))| {
                    (token.clone(), (event_id.clone(), expires.millis()))
                })
                .collect(),
            software_token: user.software_token.as_deref().map(token),
            pending_software_token: user.pending_software_token.as_deref().map(token),
            totp_enabled: user.totp_enabled,
            totp_preferred: user.totp_preferred,
            groups: user.groups.clone(),
            temporary_password_expires: user.temporary_password_expires.map(Timestamp::millis),
            auth_events: user
                .auth_events
                .iter()
                .map(|e| AuthEventRecord {
                    event_id: e.event_id.clone(),
                    created: e.created.millis(),
                    response: e.response.to_owned(),
                    challenges: e
                        .challenges
                        .iter()
                        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn into_user(self) -> Result<User, String> {
        let array = |bytes: &[u8], what: &str| -> Result<[u8; 16], String> {
            bytes
                .try_into()
                .map_err(|_| format!("{what}: expected 16 bytes, found {}", bytes.len()))
        };
        let credentials = match self.credentials {
            None => None,
            Some(CredentialsRecord::SrpKey { salt, x }) => {
                let x: [u8; 32] = x
                    .as_slice()
                    .try_into()
                    .map_err(|_| format!("SRP key: expected 32 bytes, found {}", x.len()))?;
                let stored = StoredCredentials::Default {
                    salt: array(&salt, "SRP salt")?,
                    x,
                };
                Credentials::from_stored(stored).map(Arc::new)
            }
            Some(CredentialsRecord::Argon2id {
                salt,
                phc,
                verifier,
            }) => {
                let stored = StoredCredentials::Hardened {
                    salt: array(&salt, "SRP salt")?,
                    phc,
                    verifier,
                };
                Some(Arc::new(
                    Credentials::from_stored(stored)
                        .ok_or_else(|| "an incomplete Argon2id hash".to_owned())?,
                ))
            }
        };
        let mut user = User::new(
            self.username,
            self.sub,
            self.attributes.into_iter().collect(),
            status_from(&self.status)?,
            Timestamp(self.created),
        );
        user.enabled = self.enabled;
        user.last_modified = Timestamp(self.last_modified);
        user.credentials = credentials;
        user.sign_up_code = self.sign_up_code.map(|c| Box::new(code_from(c)));
        user.forgot_password_code = self.forgot_password_code.map(|c| Box::new(code_from(c)));
        user.attribute_codes = self
            .attribute_codes
            .into_iter()
            .map(|(k, c)| (k, code_from(c)))
            .collect();
        user.failed_sign_ins = self.failed_sign_ins;
        user.locked_until = self.locked_until.map(Timestamp);
        user.last_failed_sign_in = self.last_failed_sign_in.map(Timestamp);
        user.sessions = self
            .sessions
            .into_iter()
            .map(|(id, s)| {
                (
                    id,
                    SignInSession {
                        client_id: s.client_id,
                        origin_jti: s.origin_jti,
                        refresh_token: s.refresh_token,
                        auth_time: Timestamp(s.auth_time),
                        refresh_expires: Timestamp(s.refresh_expires),
                    },
                )
            })
            .collect();
        if !self.revoked_refresh_tokens.is_empty() {
            user.revoked_refresh_tokens = Some(Box::new(
                self.revoked_refresh_tokens
                    .into_iter()
                    .map(|(token, (event_id, expires))| (token, (event_id, Timestamp(expires))))
                    .collect(),
            ));
        }
        user.software_token = self.software_token.map(|t| Box::new(token_from(t)));
        user.pending_software_token = self.pending_software_token.map(|t| Box::new(token_from(t)));
        user.totp_enabled = self.totp_enabled;
        user.totp_preferred = self.totp_preferred;
        user.groups = self.groups;
        user.temporary_password_expires = self.temporary_password_expires.map(Timestamp);
        let word = |w: &str| event_word(w).ok_or_else(|| format!("unknown auth event word {w:?}"));
        user.auth_events = self
            .auth_events
            .into_iter()
            .map(|e| {
                let challenges = e
                    .challenges
                    .iter()
                    .map(|(a, b)| Ok((word(a)?, word(b)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(AuthEvent {
                    response: word(&e.response)?,
                    event_id: e.event_id,
                    created: Timestamp(e.created),
                    challenges,
                })
            })
            .collect::<Result<VecDeque<_>, String>>()?;
        Ok(user)
    }
}

// ---------------------------------------------------------------------------------------
// The outbox and STS's temporary keys.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    pub user_pool_id: String,
    pub username: String,
    pub medium: String,
    pub destination: String,
    pub code: String,
    pub purpose: String,
    pub sent_at: i64,
}

impl MessageRecord {
    pub fn of(m: &Message) -> Self {
        MessageRecord {
            user_pool_id: m.user_pool_id.clone(),
            username: m.username.clone(),
            medium: m.medium.to_owned(),
            destination: m.destination.clone(),
            code: m.code.clone(),
            purpose: m.purpose.to_owned(),
            sent_at: m.sent_at,
        }
    }

    pub fn into_message(self) -> Result<Message, String> {
        Ok(Message {
            medium: crate::auth::codes::medium_word(&self.medium)
                .ok_or_else(|| format!("unknown medium {:?}", self.medium))?,
            purpose: crate::auth::codes::purpose_word(&self.purpose)
                .ok_or_else(|| format!("unknown purpose {:?}", self.purpose))?,
            user_pool_id: self.user_pool_id,
            username: self.username,
            destination: self.destination,
            code: self.code,
            sent_at: self.sent_at,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StsKeyRecord {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: i64,
    /// `root`, `user/NAME` or `assumed-role/ROLE/SESSION`.
    pub identity: String,
}

impl StsKeyRecord {
    pub fn of(issued: &Issued, identity: &Identity) -> Self {
        StsKeyRecord {
            access_key_id: issued.access_key_id.clone(),
            secret_access_key: issued.secret_access_key.clone(),
            session_token: issued.session_token.clone(),
            expiration: issued.expiration.millis(),
            identity: match identity {
                Identity::Root => "root".to_owned(),
                Identity::User { name } => format!("user/{name}"),
                Identity::AssumedRole {
                    role_name,
                    session_name,
                } => format!("assumed-role/{role_name}/{session_name}"),
            },
        }
    }

    pub fn into_issued(self) -> Result<(Issued, Identity), String> {
        let identity = if self.identity == "root" {
            Identity::Root
        } else if let Some(name) = self.identity.strip_prefix("user/") {
            Identity::User {
                name: name.to_owned(),
            }
        } else if let Some((role_name, session_name)) = self
            .identity
            .strip_prefix("assumed-role/")
            .and_then(|rest| rest.split_once('/'))
        {
            Identity::AssumedRole {
                role_name: role_name.to_owned(),
                session_name: session_name.to_owned(),
            }
        } else {
            return Err(format!("unknown identity {:?}", self.identity));
        };
        Ok((
            Issued {
                access_key_id: self.access_key_id,
                secret_access_key: self.secret_access_key,
                session_token: self.session_token,
                expiration: Timestamp(self.expiration),
            },
            identity,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::credentials::SrpIdentity;

    /// A user with every field set, through JSON and back, gives the same record.
    #[test]
    fn a_user_with_everything_set_reads_back_the_same() {
        let code = |c: &str| PendingCode {
            code: c.to_owned(),
            expires: Timestamp(5),
            failed_attempts: 2,
        };
        let token = |verified| SoftwareToken {
            secret: vec![1, 2, 3],
            verified,
            friendly_name: Some("phone".to_owned()),
            last_step: Some(77),
        };
        let mut user = User::new(
            "ann".to_owned(),
            "sub-1".to_owned(),
            [("email".to_owned(), "a@example.com".to_owned())]
                .into_iter()
                .collect(),
            UserStatus::ForceChangePassword,
            Timestamp(1),
        );
        user.enabled = false;
        user.last_modified = Timestamp(2);
        user.credentials = Some(Arc::new(Credentials::new(
            SrpIdentity::new("us-east-1_Pool12345", "ann"),
            "pw",
            [3; 16],
        )));
        user.sign_up_code = Some(Box::new(code("111111")));
        user.forgot_password_code = Some(Box::new(code("222222")));
        user.attribute_codes
            .insert("email".to_owned(), code("333333"));
        user.failed_sign_ins = 3;
        user.locked_until = Some(Timestamp(9));
        user.last_failed_sign_in = Some(Timestamp(8));
        user.sessions.insert(
            "event".to_owned(),
            SignInSession {
                client_id: "client".to_owned(),
                origin_jti: "jti".to_owned(),
                refresh_token: "refresh".to_owned(),
                auth_time: Timestamp(3),
                refresh_expires: Timestamp(4),
            },
        );
        user.revoked_refresh_tokens = Some(Box::new(
            [(
                "old-refresh".to_owned(),
                ("old-event".to_owned(), Timestamp(6)),
            )]
            .into_iter()
            .collect(),
        ));
        user.software_token = Some(Box::new(token(true)));
        user.pending_software_token = Some(Box::new(token(false)));
        user.totp_enabled = true;
        user.totp_preferred = true;
        user.groups.insert("admins".to_owned());
        user.temporary_password_expires = Some(Timestamp(8));
        user.record_auth_event(AuthEvent {
            event_id: "event".to_owned(),
            created: Timestamp(3),
            response: "Pass",
            challenges: vec![("Password", "Success"), ("Mfa", "Success")],
        });
        let record = UserRecord::of(&user);
        let text = serde_json::to_string(&record).unwrap();
        assert!(!text.contains("\"pw\""), "no password: {text}");
        let back: UserRecord = serde_json::from_str(&text).unwrap();
        let user_back = back.into_user().unwrap();
        assert_eq!(UserRecord::of(&user_back), record);
        assert!(user_back
            .credentials
            .unwrap()
            .matches(SrpIdentity::new("us-east-1_Pool12345", "ann"), "pw"));
    }
}
