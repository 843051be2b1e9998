//! What CreateUserPoolClient and UpdateUserPoolClient share: reading client settings with
//! AWS's defaults and bounds, and rendering `UserPoolClientType`.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::ServiceError;
use crate::model::{AppClient, TokenValidity, TokenValidityUnit, UserPool};

/// The settable members of a client (both Create and Update take them).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettingsInput {
    pub client_name: Option<String>,
    refresh_token_validity: Option<u64>,
    access_token_validity: Option<u64>,
    id_token_validity: Option<u64>,
    token_validity_units: Option<Map<String, Value>>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<String>,
    enable_token_revocation: Option<bool>,
    auth_session_validity: Option<u32>,
    /// Everything else (OAuth settings, analytics...), stored and echoed.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// Members echoed as sent, in the order AWS lists them.
const STORED_MEMBERS: &[&str] = &[
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AnalyticsConfiguration",
    "RefreshTokenRotation",
];

const LEGACY_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
];

/// AWS: "If you don't specify a value for ExplicitAuthFlows, your app client supports
/// ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH."
const DEFAULT_FLOWS: &[&str] = &[
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];

fn validity(
    value: Option<u64>,
    units: Option<&Map<String, Value>>,
    unit_key: &str,
    default_value: u64,
    default_unit: TokenValidityUnit,
    bounds_seconds: (u64, u64),
) -> Result<(TokenValidity, bool), ServiceError> {
    let given_unit = units
        .and_then(|u| u.get(unit_key))
        .and_then(Value::as_str)
        .and_then(TokenValidityUnit::parse);
    let unit = given_unit.unwrap_or(default_unit);
    let (value, given) = match value {
        // AWS: 0 means "the default".
        Some(0) | None => (None, false),
        Some(v) => (Some(v), true),
    };
    let validity = match value {
        Some(v) => TokenValidity {
            value: v,
            unit,
            unit_given: given_unit.is_some(),
        },
        None => TokenValidity {
            value: default_value,
            unit: default_unit,
            unit_given: given_unit.is_some(),
        },
    };
    // A unit given without a value applies to the default value in that unit, which
    // AWS checks the same way (e.g. "days" for an access token is out of range).
    let effective = match (value, given_unit) {
        (None, Some(unit)) => TokenValidity {
            value: default_value,
            unit,
            unit_given: true,
        },
        _ => validity,
    };
    let seconds = effective.seconds();
    if seconds < bounds_seconds.0 || seconds > bounds_seconds.1 {
        return Err(ServiceError::invalid_parameter(
            "Invalid range for token validity.",
        ));
    }
    Ok((effective, given))
}

fn check_attributes(
    pool: &UserPool,
    attrs: &Option<Vec<String>>,
    what: &str,
    verb: &str,
) -> Result<(), ServiceError> {
    let Some(attrs) = attrs else { return Ok(()) };
    for name in attrs {
        let known = pool.attribute(name).is_some();
        // `sub` can be read but never written; developer-only attributes are not client-visible.
        if !known || name.starts_with("dev:") || (what == "write" && name == "sub") {
            return Err(ServiceError::invalid_parameter(format!(
                "Invalid {what} attributes specified while {verb} a client"
            )));
        }
    }
    Ok(())
}

/// Builds a client from settings; `existing` carries the id, secret and creation time on update.
pub fn build_client(
    pool: &UserPool,
    input: ClientSettingsInput,
    client_id: String,
    client_secret: Option<String>,
    created: crate::clock::Timestamp,
    now: crate::clock::Timestamp,
    verb: &str,
) -> Result<AppClient, ServiceError> {
    let units = input.token_validity_units.as_ref();
    // Bounds from the API reference: access and ID tokens 5 minutes to 1 day,
    // refresh tokens 60 minutes to 10 years.
    let (access, access_given) = validity(
        input.access_token_validity,
        units,
        "AccessToken",
        1,
        TokenValidityUnit::Hours,
        (300, 86_400),
    )?;
    let (id, id_given) = validity(
        input.id_token_validity,
        units,
        "IdToken",
        1,
        TokenValidityUnit::Hours,
        (300, 86_400),
    )?;
    let (refresh, _) = validity(
        input.refresh_token_validity,
        units,
        "RefreshToken",
        30,
        TokenValidityUnit::Days,
        (3_600, 315_360_000),
    )?;

    let flows = match input.explicit_auth_flows {
        Some(flows) => {
            let legacy = flows.iter().any(|f| LEGACY_FLOWS.contains(&f.as_str()));
            let modern = flows.iter().any(|f| f.starts_with("ALLOW_"));
            if legacy && modern {
                return Err(ServiceError::invalid_parameter(
                    "ExplicitAuthFlows can not have both legacy and new values.",
                ));
            }
            let mut unique: Vec<String> = Vec::with_capacity(flows.len());
            for f in flows {
                if !unique.contains(&f) {
                    unique.push(f);
                }
            }
            unique
        }
        None => DEFAULT_FLOWS.iter().map(|f| (*f).to_owned()).collect(),
    };
    check_attributes(pool, &input.read_attributes, "read", verb)?;
    check_attributes(pool, &input.write_attributes, "write", verb)?;

    let mut stored = Map::new();
    for member in STORED_MEMBERS {
        if let Some(v) = input.rest.get(*member) {
            stored.insert((*member).to_owned(), v.clone());
        }
    }
    stored.insert(
        "AllowedOAuthFlowsUserPoolClient".to_owned(),
        input
            .rest
            .get("AllowedOAuthFlowsUserPoolClient")
            .cloned()
            .unwrap_or(json!(false)),
    );
    stored.insert(
        "EnablePropagateAdditionalUserContextData".to_owned(),
        input
            .rest
            .get("EnablePropagateAdditionalUserContextData")
            .cloned()
            .unwrap_or(json!(false)),
    );

    Ok(AppClient {
        client_id,
        user_pool_id: pool.id.clone(),
        client_name: input.client_name.unwrap_or_default(),
        client_secret,
        created,
        last_modified: now,
        explicit_auth_flows: flows,
        access_token_validity: access,
        id_token_validity: id,
        refresh_token_validity: refresh,
        access_token_validity_given: access_given,
        id_token_validity_given: id_given,
        read_attributes: input.read_attributes,
        write_attributes: input.write_attributes,
        // AWS: LEGACY when created through the API without a value.
        prevent_user_existence_errors: input
            .prevent_user_existence_errors
            .unwrap_or_else(|| "LEGACY".to_owned()),
        // AWS: token revocation is on by default for new clients.
        enable_token_revocation: input.enable_token_revocation.unwrap_or(true),
        auth_session_validity: input.auth_session_validity.unwrap_or(3),
        stored,
    })
}

/// `UserPoolClientType` as Create/Describe/UpdateUserPoolClient return it.
pub fn user_pool_client_type(client: &AppClient) -> Value {
    let mut out = Map::new();
    out.insert("UserPoolId".into(), json!(client.user_pool_id));
    out.insert("ClientName".into(), json!(client.client_name));
    out.insert("ClientId".into(), json!(client.client_id));
    if let Some(secret) = &client.client_secret {
        out.insert("ClientSecret".into(), json!(secret));
    }
    out.insert(
        "LastModifiedDate".into(),
        json!(client.last_modified.epoch_seconds_f64()),
    );
    out.insert(
        "CreationDate".into(),
        json!(client.created.epoch_seconds_f64()),
    );
    out.insert(
        "RefreshTokenValidity".into(),
        json!(client.refresh_token_validity.value),
    );
    if client.access_token_validity_given {
        out.insert(
            "AccessTokenValidity".into(),
            json!(client.access_token_validity.value),
        );
    }
    if client.id_token_validity_given {
        out.insert(
            "IdTokenValidity".into(),
            json!(client.id_token_validity.value),
        );
    }
    let mut units = Map::new();
    for (key, v) in [
        ("AccessToken", client.access_token_validity),
        ("IdToken", client.id_token_validity),
        ("RefreshToken", client.refresh_token_validity),
    ] {
        if v.unit_given {
            units.insert(key.to_owned(), json!(v.unit.as_str()));
        }
    }
    out.insert("TokenValidityUnits".into(), Value::Object(units));
    if let Some(r) = &client.read_attributes {
        out.insert("ReadAttributes".into(), json!(r));
    }
    if let Some(w) = &client.write_attributes {
        out.insert("WriteAttributes".into(), json!(w));
    }
    out.insert(
        "ExplicitAuthFlows".into(),
        json!(client.explicit_auth_flows),
    );
    out.insert(
        "PreventUserExistenceErrors".into(),
        json!(client.prevent_user_existence_errors),
    );
    out.insert(
        "EnableTokenRevocation".into(),
        json!(client.enable_token_revocation),
    );
    out.insert(
        "AuthSessionValidity".into(),
        json!(client.auth_session_validity),
    );
    for (k, v) in &client.stored {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}
