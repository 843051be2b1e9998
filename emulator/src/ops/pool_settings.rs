//! What CreateUserPool and UpdateUserPool share: reading pool settings from a request
//! (with AWS's defaults for what is omitted) and rendering `UserPoolType`.

use serde_json::{json, Map, Value};

use crate::error::ServiceError;
use crate::model::{
    AttributeDataType, PasswordPolicy, PoolSettings, SchemaAttribute, UserPool, STANDARD_ATTRIBUTES,
};

/// Members stored as sent and echoed by DescribeUserPool, with AWS's value when omitted.
const STORED_MEMBERS: &[&str] = &[
    "LambdaConfig",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
];

/// AWS's value for a stored member the caller omitted (None: AWS omits it too).
fn stored_default(member: &str) -> Option<Value> {
    Some(match member {
        "LambdaConfig" => json!({}),
        "VerificationMessageTemplate" => json!({"DefaultEmailOption": "CONFIRM_WITH_CODE"}),
        "UserAttributeUpdateSettings" => json!({"AttributesRequireVerificationBeforeUpdate": []}),
        "EmailConfiguration" => json!({"EmailSendingAccount": "COGNITO_DEFAULT"}),
        "AdminCreateUserConfig" => {
            json!({"AllowAdminCreateUserOnly": false, "UnusedAccountValidityDays": 7})
        }
        "UserPoolTier" => json!("ESSENTIALS"),
        _ => return None,
    })
}

fn bool_member(obj: &Map<String, Value>, name: &str) -> Option<bool> {
    obj.get(name).and_then(Value::as_bool)
}

fn u32_member(obj: &Map<String, Value>, name: &str) -> Option<u32> {
    obj.get(name).and_then(Value::as_u64).map(|v| v as u32)
}

fn string_list(obj: &Map<String, Value>, name: &str) -> Vec<String> {
    obj.get(name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn password_policy(policies: Option<&Map<String, Value>>) -> PasswordPolicy {
    let Some(policy) = policies
        .and_then(|p| p.get("PasswordPolicy"))
        .and_then(Value::as_object)
    else {
        return PasswordPolicy::default();
    };
    // AWS: with a PasswordPolicy given, an omitted class requirement is false.
    PasswordPolicy {
        minimum_length: u32_member(policy, "MinimumLength").unwrap_or(8),
        require_uppercase: bool_member(policy, "RequireUppercase").unwrap_or(false),
        require_lowercase: bool_member(policy, "RequireLowercase").unwrap_or(false),
        require_numbers: bool_member(policy, "RequireNumbers").unwrap_or(false),
        require_symbols: bool_member(policy, "RequireSymbols").unwrap_or(false),
        // AWS: 0 means the default, 7 days.
        temporary_password_validity_days: u32_member(policy, "TemporaryPasswordValidityDays")
            .filter(|d| *d > 0)
            .unwrap_or(7),
        password_history_size: u32_member(policy, "PasswordHistorySize"),
    }
}

fn other_policies(policies: Option<&Map<String, Value>>) -> Map<String, Value> {
    let mut other: Map<String, Value> = policies
        .map(|p| {
            p.iter()
                .filter(|(k, _)| *k != "PasswordPolicy")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    other
        .entry("SignInPolicy")
        .or_insert_with(|| json!({"AllowedFirstAuthFactors": ["PASSWORD"]}));
    other
}

/// Settings that both CreateUserPool and UpdateUserPool take; omitted ones reset to AWS's defaults.
/// `totp_enabled`: whether SetUserPoolMfaConfig enabled software tokens on the pool.
pub fn settings_from_request(
    request: &Map<String, Value>,
    totp_enabled: bool,
) -> Result<PoolSettings, ServiceError> {
    let policies = request.get("Policies").and_then(Value::as_object);
    let mfa_configuration = request
        .get("MfaConfiguration")
        .and_then(Value::as_str)
        .unwrap_or("OFF")
        .to_owned();
    if mfa_configuration != "OFF" && !totp_enabled && !request.contains_key("SmsConfiguration") {
        // AWS: MFA needs a factor; TOTP is enabled only by SetUserPoolMfaConfig.
        return Err(ServiceError::invalid_parameter(
            "SMS configuration and Auth Roles are required when MFA is enabled.",
        ));
    }
    let mut stored = Map::new();
    for member in STORED_MEMBERS {
        if let Some(v) = request
            .get(*member)
            .cloned()
            .or_else(|| stored_default(member))
        {
            stored.insert((*member).to_owned(), v);
        }
    }
    Ok(PoolSettings {
        password_policy: password_policy(policies),
        other_policies: other_policies(policies),
        auto_verified_attributes: string_list(request, "AutoVerifiedAttributes"),
        mfa_configuration,
        deletion_protection: request.get("DeletionProtection").and_then(Value::as_str)
            == Some("ACTIVE"),
        stored,
    })
}

/// The schema of a new pool: the standard attributes (with the caller's overrides of
/// `Required`/`Mutable`), then the caller's custom attributes.
pub fn initial_schema(request: &Map<String, Value>) -> Result<Vec<SchemaAttribute>, ServiceError> {
    let mut schema: Vec<SchemaAttribute> = STANDARD_ATTRIBUTES
        .iter()
        .map(|(name, t, mutable, required)| {
            SchemaAttribute::standard(name, *t, *mutable, *required)
        })
        .collect();
    let given = request
        .get("Schema")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for attr in given {
        let Some(attr) = attr.as_object() else {
            continue;
        };
        let name = attr.get("Name").and_then(Value::as_str).unwrap_or_default();
        if let Some(standard) = schema.iter_mut().find(|a| a.name == name) {
            if let Some(t) = attr.get("AttributeDataType").and_then(Value::as_str) {
                if AttributeDataType::parse(t) != Some(standard.data_type) {
                    return Err(ServiceError::invalid_parameter(format!(
                        "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
                    )));
                }
            }
            if let Some(required) = bool_member(attr, "Required") {
                standard.required = required;
            }
            if let Some(mutable) = bool_member(attr, "Mutable") {
                standard.mutable = mutable;
            }
            apply_constraints(standard, attr);
        } else {
            let custom = custom_attribute(attr)?;
            if schema.iter().any(|a| a.name == custom.name) {
                return Err(duplicate_attribute(&custom.name));
            }
            schema.push(custom);
        }
    }
    Ok(schema)
}

fn duplicate_attribute(name: &str) -> ServiceError {
    ServiceError::invalid_parameter(format!("Existing attribute already has name {name}."))
}

fn apply_constraints(target: &mut SchemaAttribute, attr: &Map<String, Value>) {
    let pair = |v: Option<&Value>, lo: &str, hi: &str| {
        v.and_then(Value::as_object).map(|c| {
            (
                c.get(lo).and_then(Value::as_str).map(str::to_owned),
                c.get(hi).and_then(Value::as_str).map(str::to_owned),
            )
        })
    };
    if let Some(c) = pair(
        attr.get("StringAttributeConstraints"),
        "MinLength",
        "MaxLength",
    ) {
        target.string_constraints = Some(c);
    }
    if let Some(c) = pair(
        attr.get("NumberAttributeConstraints"),
        "MinValue",
        "MaxValue",
    ) {
        target.number_constraints = Some(c);
    }
}

/// A custom attribute from a `SchemaAttributeType`: AWS prefixes the name with `custom:`.
pub fn custom_attribute(attr: &Map<String, Value>) -> Result<SchemaAttribute, ServiceError> {
    let raw = attr.get("Name").and_then(Value::as_str).unwrap_or_default();
    if raw.is_empty() {
        return Err(ServiceError::invalid_parameter(
            "Attribute name must not be empty.",
        ));
    }
    let developer_only = bool_member(attr, "DeveloperOnlyAttribute").unwrap_or(false);
    let name = if developer_only {
        format!("dev:custom:{raw}")
    } else {
        format!("custom:{raw}")
    };
    if bool_member(attr, "Required").unwrap_or(false) {
        return Err(ServiceError::invalid_parameter(
            "Required custom attributes are not supported currently.",
        ));
    }
    let data_type = attr
        .get("AttributeDataType")
        .and_then(Value::as_str)
        .and_then(AttributeDataType::parse)
        .unwrap_or(AttributeDataType::String);
    let mut out = SchemaAttribute {
        name,
        data_type,
        developer_only,
        mutable: bool_member(attr, "Mutable").unwrap_or(true),
        required: false,
        string_constraints: None,
        number_constraints: None,
    };
    apply_constraints(&mut out, attr);
    Ok(out)
}

/// Adds custom attributes to an existing pool (AddCustomAttributes).
pub fn add_custom_attributes(pool: &mut UserPool, attrs: &[Value]) -> Result<(), ServiceError> {
    let mut new = Vec::new();
    for attr in attrs {
        let Some(attr) = attr.as_object() else {
            continue;
        };
        let custom = custom_attribute(attr)?;
        if pool
            .schema
            .iter()
            .chain(new.iter())
            .any(|a: &SchemaAttribute| a.name == custom.name)
        {
            return Err(duplicate_attribute(&custom.name));
        }
        new.push(custom);
    }
    // AWS: a pool holds at most 50 custom attributes.
    if pool.custom_attribute_count() + new.len() > 50 {
        return Err(ServiceError::new(
            crate::error::ErrorKind::LimitExceededException,
            "The number of custom attributes exceeds the limit of 50.",
        ));
    }
    pool.schema.extend(new);
    Ok(())
}

pub fn schema_attribute_type(attr: &SchemaAttribute) -> Value {
    let mut out = json!({
        "Name": attr.name,
        "AttributeDataType": attr.data_type.as_str(),
        "DeveloperOnlyAttribute": attr.developer_only,
        "Mutable": attr.mutable,
        "Required": attr.required,
    });
    let pair = |(lo, hi): &(Option<String>, Option<String>), lo_name: &str, hi_name: &str| {
        let mut m = Map::new();
        if let Some(v) = lo {
            m.insert(lo_name.to_owned(), json!(v));
        }
        if let Some(v) = hi {
            m.insert(hi_name.to_owned(), json!(v));
        }
        Value::Object(m)
    };
    if let Some(c) = &attr.string_constraints {
        out["StringAttributeConstraints"] = pair(c, "MinLength", "MaxLength");
    }
    if let Some(c) = &attr.number_constraints {
        out["NumberAttributeConstraints"] = pair(c, "MinValue", "MaxValue");
    }
    out
}

/// `UserPoolType` as DescribeUserPool and CreateUserPool return it.
pub fn user_pool_type(pool: &UserPool) -> Value {
    let settings = &pool.settings;
    let p = &settings.password_policy;
    let mut password_policy = json!({
        "MinimumLength": p.minimum_length,
        "RequireUppercase": p.require_uppercase,
        "RequireLowercase": p.require_lowercase,
        "RequireNumbers": p.require_numbers,
        "RequireSymbols": p.require_symbols,
        "TemporaryPasswordValidityDays": p.temporary_password_validity_days,
    });
    if let Some(h) = p.password_history_size {
        password_policy["PasswordHistorySize"] = json!(h);
    }
    let mut policies = settings.other_policies.clone();
    policies.insert("PasswordPolicy".to_owned(), password_policy);

    let mut out = Map::new();
    out.insert("Id".into(), json!(pool.id));
    out.insert("Name".into(), json!(pool.name));
    out.insert("Policies".into(), Value::Object(policies));
    out.insert(
        "DeletionProtection".into(),
        json!(if settings.deletion_protection {
            "ACTIVE"
        } else {
            "INACTIVE"
        }),
    );
    out.insert(
        "LastModifiedDate".into(),
        json!(pool.last_modified.epoch_seconds_f64()),
    );
    out.insert(
        "CreationDate".into(),
        json!(pool.created.epoch_seconds_f64()),
    );
    out.insert(
        "SchemaAttributes".into(),
        Value::Array(pool.schema.iter().map(schema_attribute_type).collect()),
    );
    if !settings.auto_verified_attributes.is_empty() {
        out.insert(
            "AutoVerifiedAttributes".into(),
            json!(settings.auto_verified_attributes),
        );
    }
    if !pool.alias_attributes.is_empty() {
        out.insert("AliasAttributes".into(), json!(pool.alias_attributes));
    }
    if let crate::model::UsernameMode::Attributes(attrs) = &pool.username_mode {
        out.insert("UsernameAttributes".into(), json!(attrs));
    }
    out.insert("MfaConfiguration".into(), json!(settings.mfa_configuration));
    out.insert("EstimatedNumberOfUsers".into(), json!(pool.users.len()));
    if let Some(cs) = pool.case_sensitive {
        out.insert("UsernameConfiguration".into(), json!({"CaseSensitive": cs}));
    }
    out.insert("Arn".into(), json!(pool.arn));
    for (k, v) in &settings.stored {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}
