//! Users and their sign-in names: username rules for `UsernameAttributes` and
//! `AliasAttributes` pools, case sensitivity, the alias index, attribute checks, masking.

use super::codes::Delivery;
use crate::error::{ErrorKind, ServiceError};
use crate::model::{
    alias_key, AppClient, AttributeDataType, Attributes, User, UserPool, UsernameMode,
};
use crate::outbox::Message;
use crate::wire::{AttributeType, CodeDeliveryDetailsType};

/// The key a username is stored under: lower-cased in case-insensitive pools.
pub fn user_key(pool: &UserPool, username: &str) -> String {
    pool.users.key(username)
}

pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// E.164: `+` and 1–15 digits.
pub fn looks_like_phone(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| (1..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()))
}

/// Which user (key) already holds one of `user`'s aliases, other than `user` itself.
pub fn alias_conflict(pool: &UserPool, user: &User) -> Option<(String, String)> {
    let own = user_key(pool, &user.username);
    for key in pool.users.aliases_of(user) {
        if let Some(holder) = pool.users.alias_holder(&key) {
            if *holder != own {
                let attribute = key.split(':').next().unwrap_or_default().to_owned();
                return Some((attribute, holder.to_owned()));
            }
        }
    }
    None
}

/// Stores `user`, giving it the aliases it has a right to. A verified alias held by another
/// user is refused with AliasExistsException unless `force` (ForceAliasCreation), which moves
/// every such e-mail and phone alias: the other users' `_verified` turns `false`, so they can
/// no longer sign in with it (API reference). Aliases that verification does not govern
/// (`preferred_username`, and the sign-in attributes of `UsernameAttributes` pools) never move.
pub fn claim_aliases(pool: &mut UserPool, user: User, force: bool) -> Result<(), ServiceError> {
    let own = user_key(pool, &user.username);
    let conflicts: Vec<(String, String)> = pool
        .users
        .aliases_of(&user)
        .into_iter()
        .filter_map(|alias| {
            let holder = pool.users.alias_holder(&alias)?;
            (holder != own).then(|| {
                let attribute = alias.split(':').next().unwrap_or_default().to_owned();
                (attribute, holder.to_owned())
            })
        })
        .collect();
    if let Some((attribute, _)) = conflicts.first() {
        let movable = matches!(pool.username_mode, UsernameMode::Username)
            && conflicts
                .iter()
                .all(|(a, _)| a == "email" || a == "phone_number");
        if !force || !movable {
            return Err(ServiceError::alias_exists(attribute));
        }
        for (attribute, holder) in conflicts {
            if let Some(mut other) = pool.users.get_mut(&holder) {
                other
                    .attributes
                    .insert(format!("{attribute}_verified"), "false".to_owned());
            }
        }
    }
    pool.users.put(user);
    Ok(())
}

/// Resolves a sign-in name (internal username, or an email / phone / preferred username
/// the pool accepts) to the user's key.
pub fn find_key(pool: &UserPool, name: &str) -> Option<String> {
    let key = user_key(pool, name);
    if pool.users.contains_key(&key) {
        return Some(key);
    }
    let attributes: Vec<&str> = match &pool.username_mode {
        UsernameMode::Attributes(attrs) => attrs.iter().map(String::as_str).collect(),
        UsernameMode::Username => pool.alias_attributes.iter().map(String::as_str).collect(),
    };
    attributes.iter().find_map(|attr| {
        pool.users
            .alias_holder(&alias_key(attr, name))
            .map(str::to_owned)
    })
}

/// Resolves the `Username` of an Admin* operation: "your user's username, but it can be any
/// of their alias attributes … \[or\] the `sub`" (API reference, every Admin* `Username`).
pub fn find_key_admin(pool: &UserPool, name: &str) -> Option<String> {
    find_key(pool, name).or_else(|| {
        pool.users
            .key_of_sub(&name.to_lowercase())
            .map(str::to_owned)
    })
}

/// `find_key_admin`, or UserNotFoundException (admin-sigv4-facts §1.1: admin operations are
/// not subject to PreventUserExistenceErrors).
pub fn require_admin(pool: &UserPool, name: &str) -> Result<String, ServiceError> {
    find_key_admin(pool, name).ok_or_else(ServiceError::user_not_found)
}

/// The form of a sign-in name that lookups compare: lower-cased where the pool would match
/// it case-insensitively (case-insensitive usernames, or any sign-in attribute, whose values
/// are always matched that way).
pub fn lookup_form(pool: &UserPool, name: &str) -> String {
    let has_sign_in_attributes = match &pool.username_mode {
        UsernameMode::Attributes(_) => true,
        UsernameMode::Username => !pool.alias_attributes.is_empty(),
    };
    if has_sign_in_attributes {
        name.to_lowercase()
    } else {
        user_key(pool, name)
    }
}

pub fn find<'p>(pool: &'p UserPool, name: &str) -> Option<&'p User> {
    find_key(pool, name).and_then(|k| pool.users.get(&k))
}

/// Checks a SignUp username against the pool's sign-in rules (wire facts §7.2).
pub fn check_sign_up_username(pool: &UserPool, username: &str) -> Result<(), ServiceError> {
    match &pool.username_mode {
        UsernameMode::Attributes(attrs) => {
            let email = attrs.iter().any(|a| a == "email");
            let phone = attrs.iter().any(|a| a == "phone_number");
            let ok = (email && looks_like_email(username)) || (phone && looks_like_phone(username));
            if !ok {
                let message = match (email, phone) {
                    (true, true) => "Username should be either an email or a phone number.",
                    (true, false) => "Username should be an email.",
                    _ => "Username should be a phone number.",
                };
                return Err(ServiceError::invalid_parameter(message));
            }
        }
        UsernameMode::Username => {
            if pool.alias_attributes.iter().any(|a| a == "email") && looks_like_email(username) {
                return Err(ServiceError::invalid_parameter(
                    "Username cannot be of email format, since user pool is configured for email alias.",
                ));
            }
            if pool.alias_attributes.iter().any(|a| a == "phone_number")
                && looks_like_phone(username)
            {
                return Err(ServiceError::invalid_parameter(
                    "Username cannot be of phone number format, since user pool is configured for phone_number alias.",
                ));
            }
        }
    }
    Ok(())
}

/// The attribute a sign-in name stands for in a `UsernameAttributes` pool.
pub fn username_attribute(pool: &UserPool, username: &str) -> Option<&'static str> {
    match &pool.username_mode {
        UsernameMode::Attributes(_) if looks_like_email(username) => Some("email"),
        UsernameMode::Attributes(_) if looks_like_phone(username) => Some("phone_number"),
        _ => None,
    }
}

/// What a client-side caller may set: schema, mutability, client write permissions, formats.
/// `creating`: the user is being created (immutable attributes may be set once).
pub fn check_attribute_writes(
    pool: &UserPool,
    client: Option<&AppClient>,
    attributes: &[(String, String)],
    creating: bool,
) -> Result<(), ServiceError> {
    for (name, value) in attributes {
        let Some(schema) = pool.attribute(name) else {
            return Err(ServiceError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema.\n"
            )));
        };
        // Developer-only attributes are for admin calls (`client` is `None`) only.
        if name == "sub" || (schema.developer_only && client.is_some()) {
            return Err(ServiceError::unauthorized_attribute_write());
        }
        if let Some(allowed) = client.and_then(|c| c.write_attributes.as_ref()) {
            if !allowed.iter().any(|a| a == name) {
                return Err(ServiceError::unauthorized_attribute_write());
            }
        }
        if !creating && !schema.mutable {
            return Err(ServiceError::immutable_attribute(name));
        }
        if name == "email" && !looks_like_email(value) {
            return Err(ServiceError::invalid_parameter(
                "Invalid email address format.",
            ));
        }
        if name == "phone_number" && !looks_like_phone(value) {
            return Err(ServiceError::invalid_parameter(
                "Invalid phone number format.",
            ));
        }
        if schema.data_type == AttributeDataType::Boolean && value != "true" && value != "false" {
            return Err(ServiceError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: Value must be a boolean.\n"
            )));
        }
        if schema.data_type == AttributeDataType::Number && value.parse::<f64>().is_err() {
            return Err(ServiceError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: Value must be a number.\n"
            )));
        }
        if let Some((min, max)) = &schema.string_constraints {
            let len = value.chars().count();
            let min = min
                .as_deref()
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(0);
            let max = max
                .as_deref()
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(2048);
            if len < min || len > max {
                return Err(ServiceError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: String must be between {min} and {max} characters long.\n"
                )));
            }
        }
    }
    Ok(())
}

/// Required attributes a new user lacks (wire facts §7.6 wording).
pub fn check_required(pool: &UserPool, attributes: &Attributes) -> Result<(), ServiceError> {
    for attr in pool.schema.iter().filter(|a| a.required && a.name != "sub") {
        if !attributes.contains_key(&attr.name) {
            return Err(ServiceError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {}: The attribute is required\n",
                attr.name
            )));
        }
    }
    Ok(())
}

/// Whether `client` may read `name` (its ReadAttributes, or everything but developer-only ones).
pub fn readable(pool: &UserPool, client: Option<&AppClient>, name: &str) -> bool {
    if pool.attribute(name).is_some_and(|a| a.developer_only) || name.starts_with("dev:") {
        return false;
    }
    match client.and_then(|c| c.read_attributes.as_ref()) {
        Some(allowed) => name == "sub" || allowed.iter().any(|a| a == name),
        None => true,
    }
}

/// `AttributeType` list as GetUser returns it: what `client` may read (wire facts §1.5).
pub fn attribute_list(
    pool: &UserPool,
    client: Option<&AppClient>,
    user: &User,
) -> Vec<AttributeType> {
    AttributeType::list(user, |name| readable(pool, client, name))
}

/// (Admin)UpdateUserAttributes on the user with `key`; `client` is the caller's app client,
/// `None` for an admin call. A blank value deletes the attribute (API reference), with
/// DeleteUserAttributes' checks. A changed e-mail or phone number becomes unverified, unless an
/// admin call sets its `_verified` to `true` in the same request (admin-sigv4-facts §1.6); when
/// the pool verifies it automatically, a code is sent (returned as deliveries and messages for
/// the caller to send once the lock is released). A verified alias another user holds is
/// refused.
pub fn update_attributes(
    ids: &crate::ids::IdGen,
    now: crate::clock::Timestamp,
    pool: &mut UserPool,
    client: Option<&AppClient>,
    key: &str,
    written: &[(String, String)],
) -> Result<(Vec<CodeDeliveryDetailsType>, Vec<Message>), ServiceError> {
    let set: Vec<(String, String)> = written
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .cloned()
        .collect();
    let deleted: Vec<String> = written
        .iter()
        .filter(|(_, value)| value.is_empty())
        .map(|(name, _)| name.clone())
        .collect();
    check_attribute_writes(pool, client, &set, false)?;
    check_attribute_deletes(pool, client, &deleted)?;
    let Some(mut user) = pool.users.get(key).cloned() else {
        return Err(ServiceError::user_not_found());
    };
    let sets_verified = |name: &str| {
        client.is_none()
            && set
                .iter()
                .any(|(n, v)| *n == format!("{name}_verified") && v == "true")
    };
    for name in &deleted {
        remove_attribute(&mut user, name);
    }
    let mut details = Vec::new();
    let mut messages = Vec::new();
    let mut unverified = Vec::new();
    for (name, value) in &set {
        let changed = user.attribute(name) != Some(value.as_str());
        user.attributes.insert(name.clone(), value.clone());
        let Some(delivery) = Delivery::to_attribute(name, value).filter(|_| changed) else {
            continue;
        };
        if sets_verified(name) {
            continue;
        }
        // A new e-mail or phone number is unverified until its code comes back, whatever
        // else the call writes.
        unverified.push(format!("{name}_verified"));
        if pool
            .settings
            .auto_verified_attributes
            .iter()
            .any(|a| a == name)
        {
            let (code, message) = super::codes::issue(
                ids,
                now,
                &mut user,
                &pool.id,
                &delivery,
                super::codes::Purpose::VerifyAttribute,
            )?;
            messages.push(message);
            user.attribute_codes.insert(name.clone(), code);
            details.push(delivery.details());
        }
    }
    for name in unverified {
        user.attributes.insert(name, "false".to_owned());
    }
    if let Some((attribute, _)) = alias_conflict(pool, &user) {
        return Err(ServiceError::alias_exists(&attribute));
    }
    user.last_modified = now;
    pool.users.put(user);
    Ok((details, messages))
}

/// Removes `name` and, for an e-mail or phone number, its verification and pending code.
fn remove_attribute(user: &mut User, name: &str) {
    user.attributes.remove(name);
    if name == "email" || name == "phone_number" {
        user.attributes.remove(&format!("{name}_verified"));
        user.attribute_codes.remove(name);
    }
}

/// What may be deleted (wire facts §7.6 messages): not `sub`, a required or immutable
/// attribute, or one outside `client`'s WriteAttributes.
fn check_attribute_deletes(
    pool: &UserPool,
    client: Option<&AppClient>,
    names: &[String],
) -> Result<(), ServiceError> {
    for name in names {
        let Some(schema) = pool.attribute(name) else {
            return Err(ServiceError::invalid_parameter(format!(
                "Invalid user attributes: {name}: Attribute does not exist in the schema."
            )));
        };
        if schema.required || name == "sub" {
            return Err(ServiceError::invalid_parameter(format!(
                "Invalid user attributes: {name}: Required attribute cannot be deleted."
            )));
        }
        if !schema.mutable {
            return Err(ServiceError::immutable_attribute(name));
        }
        if let Some(allowed) = client.and_then(|c| c.write_attributes.as_ref()) {
            if !allowed.iter().any(|a| a == name) {
                return Err(ServiceError::unauthorized_attribute_write());
            }
        }
    }
    Ok(())
}

/// (Admin)DeleteUserAttributes on the user with `key`. `client` is the caller's app client,
/// `None` for an admin call.
pub fn delete_attributes(
    pool: &mut UserPool,
    client: Option<&AppClient>,
    key: &str,
    names: &[String],
    now: crate::clock::Timestamp,
) -> Result<(), ServiceError> {
    check_attribute_deletes(pool, client, names)?;
    let Some(mut user) = pool.users.get_mut(key) else {
        return Err(ServiceError::user_not_found());
    };
    for name in names {
        remove_attribute(&mut user, name);
    }
    user.last_modified = now;
    Ok(())
}

/// A temporary password that satisfies any policy the pool can have: its minimum length (at
/// least 8, at most 99) with a lower-case letter, an upper-case letter, a digit and a symbol.
pub fn generate_temporary_password(
    ids: &crate::ids::IdGen,
    policy: &crate::model::PasswordPolicy,
) -> String {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"^$*.[]{}()?!@#%&";
    let len = (policy.minimum_length as usize).clamp(8, 99);
    let random = ids.bytes::<128>();
    let classes = [LOWER, UPPER, DIGITS, SYMBOLS];
    (0..len)
        .map(|i| {
            let class = if i < classes.len() {
                classes[i]
            } else {
                classes[random[i] as usize % classes.len()]
            };
            class[random[64 + i % 64] as usize % class.len()] as char
        })
        .collect()
}

/// Masks a destination as CodeDeliveryDetails shows it: `t***@e***` for e-mail
/// (recorded real responses), `+*******1234` for phone numbers.
pub fn mask(medium: &str, destination: &str) -> String {
    if medium == "EMAIL" {
        let (local, domain) = destination.split_once('@').unwrap_or((destination, ""));
        let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        format!("{}***@{}***", first(local), first(domain))
    } else {
        let digits: Vec<char> = destination.chars().collect();
        let keep = digits.len().min(4);
        let masked = digits.len().saturating_sub(keep + 1);
        format!(
            "+{}{}",
            "*".repeat(masked),
            digits[digits.len() - keep..].iter().collect::<String>()
        )
    }
}

/// Where a code for `user` goes: e-mail when the pool auto-verifies e-mail and the user has one,
/// else SMS likewise. `None` when the pool verifies nothing automatically.
pub fn code_destination(pool: &UserPool, user: &User) -> Option<Delivery> {
    let auto = &pool.settings.auto_verified_attributes;
    ["email", "phone_number"].into_iter().find_map(|name| {
        let value = user.attribute(name)?;
        auto.iter()
            .any(|a| a == name)
            .then(|| Delivery::to_attribute(name, value))?
    })
}

/// UsernameExistsException in AWS's two wordings (wire facts §7.2).
pub fn username_exists(pool: &UserPool, attribute: Option<&str>) -> ServiceError {
    let message = match (&pool.username_mode, attribute) {
        (UsernameMode::Attributes(_), Some(attr)) => {
            format!("An account with the given {attr} already exists.")
        }
        _ => "User already exists".to_owned(),
    };
    ServiceError::new(ErrorKind::UsernameExistsException, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_aws() {
        // Recorded real SignUp responses show `t***@e***` for test@example.com.
        assert_eq!(mask("EMAIL", "test@example.com"), "t***@e***");
        assert_eq!(mask("SMS", "+15555550123"), "+*******0123");
    }

    #[test]
    fn recognises_emails_and_phones() {
        assert!(looks_like_email("a.b+c@example.co.uk"));
        assert!(!looks_like_email("not-an-email"));
        assert!(!looks_like_email("a@b"));
        assert!(looks_like_phone("+15555550123"));
        assert!(!looks_like_phone("5555550123"));
    }
}
