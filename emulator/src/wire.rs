//! AWS's wire shapes, named as in the API reference (`UserType`, `GroupType`, …), each rendered
//! in exactly one place. Operations return these; `model` stays free of serde.
//! Dates are epoch seconds with a millisecond fraction (wire facts §2.2).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::model::{AuthEvent, Group, User, UserPool};

/// `AttributeType`: every value a string (wire facts §1.5). Requests may omit `Value`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

impl AttributeType {
    /// `user`'s attributes that pass `keep`: `sub` first, as AWS's examples show it
    /// (admin-sigv4-facts §1.2), then the others in name order.
    pub fn list(user: &User, keep: impl Fn(&str) -> bool) -> Vec<AttributeType> {
        let attribute = |(name, value): (&String, &String)| AttributeType {
            name: name.clone(),
            value: value.clone(),
        };
        let sub = user.attributes.iter().filter(|(name, _)| *name == "sub");
        let rest = user.attributes.iter().filter(|(name, _)| *name != "sub");
        sub.chain(rest)
            .filter(|(name, _)| keep(name))
            .map(attribute)
            .collect()
    }
}

/// A `Timestamp` as AWS renders dates.
fn date(t: Timestamp) -> f64 {
    t.epoch_seconds_f64()
}

/// `UserType`, as AdminCreateUser, ListUsers and ListUsersInGroup return it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    pub username: String,
    pub attributes: Vec<AttributeType>,
    pub user_create_date: f64,
    pub user_last_modified_date: f64,
    pub enabled: bool,
    pub user_status: &'static str,
}

impl UserType {
    /// `user` with all of their attributes.
    pub fn of(user: &User) -> UserType {
        Self::with_attributes(user, AttributeType::list(user, |_| true))
    }

    pub fn with_attributes(user: &User, attributes: Vec<AttributeType>) -> UserType {
        UserType {
            username: user.username.clone(),
            attributes,
            user_create_date: date(user.created),
            user_last_modified_date: date(user.last_modified),
            enabled: user.enabled,
            user_status: user.status.as_str(),
        }
    }
}

/// The MFA members GetUser and AdminGetUser share; absent when empty (admin-sigv4-facts §1.3).
#[derive(Debug, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UserMfaSettings {
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Option::is_none")]
    pub user_mfa_setting_list: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<&'static str>,
}

impl UserMfaSettings {
    pub fn of(user: &User) -> UserMfaSettings {
        UserMfaSettings {
            user_mfa_setting_list: user.totp_enabled.then(|| vec!["SOFTWARE_TOKEN_MFA"]),
            preferred_mfa_setting: user.totp_preferred.then_some("SOFTWARE_TOKEN_MFA"),
        }
    }
}

/// `GroupType`: unset Description, RoleArn and Precedence are omitted (admin-sigv4-facts §3.1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupType {
    pub group_name: String,
    pub user_pool_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
    pub last_modified_date: f64,
    pub creation_date: f64,
}

impl GroupType {
    pub fn of(pool: &UserPool, group: &Group) -> GroupType {
        GroupType {
            group_name: group.name.clone(),
            user_pool_id: pool.id.clone(),
            description: group.description.clone(),
            role_arn: group.role_arn.clone(),
            precedence: group.precedence,
            last_modified_date: date(group.last_modified),
            creation_date: date(group.created),
        }
    }
}

/// `CodeDeliveryDetailsType`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetailsType {
    /// Masked, as AWS shows it (`t***@e***`).
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: &'static str,
    /// `email` or `phone_number`.
    pub attribute_name: &'static str,
}

/// `AuthenticationResultType`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResultType {
    pub access_token: String,
    pub expires_in: i64,
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub id_token: String,
}

/// The response of (Admin)InitiateAuth and (Admin)RespondToAuthChallenge: either a challenge
/// (name, parameters, session) or tokens. `ChallengeParameters` is always present (`{}` with
/// tokens), as AWS sends it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub challenge_parameters: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResultType>,
}

/// `ChallengeResponseType` inside an auth event.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChallengeResponseType {
    pub challenge_name: &'static str,
    pub challenge_response: &'static str,
}

/// `AuthEventType`, as AdminListUserAuthEvents returns it (no risk data: the emulator has no
/// threat protection, so `EventRisk` says so).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthEventType {
    pub event_id: String,
    pub event_type: &'static str,
    pub creation_date: f64,
    pub event_response: &'static str,
    pub event_risk: Value,
    pub challenge_responses: Vec<ChallengeResponseType>,
}

impl AuthEventType {
    pub fn of(event: &AuthEvent) -> AuthEventType {
        AuthEventType {
            event_id: event.event_id.clone(),
            event_type: "SignIn",
            creation_date: date(event.created),
            event_response: event.response,
            event_risk: serde_json::json!({"CompromisedCredentialsDetected": false}),
            challenge_responses: event
                .challenges
                .iter()
                .map(|(name, response)| ChallengeResponseType {
                    challenge_name: name,
                    challenge_response: response,
                })
                .collect(),
        }
    }
}

/// The empty `{}` that operations without output members answer (admin-sigv4-facts §1.1).
#[derive(Debug, Serialize, Default)]
pub struct Empty {}

/// `SMSMfaSettingsType` and its siblings: `{Enabled, PreferredMfa}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettingsType {
    pub enabled: Option<bool>,
    pub preferred_mfa: Option<bool>,
}

impl MfaSettingsType {
    pub fn turns_on(&self) -> bool {
        self.enabled == Some(true) || self.preferred_mfa == Some(true)
    }
}

/// The factor settings (Admin)SetUserMFAPreference takes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaPreferences {
    pub software_token_mfa_settings: Option<MfaSettingsType>,
    #[serde(rename = "SMSMfaSettings")]
    pub sms_mfa_settings: Option<MfaSettingsType>,
    pub email_mfa_settings: Option<MfaSettingsType>,
    pub web_authn_mfa_settings: Option<MfaSettingsType>,
}
