use serde::{Deserialize, Serialize};

use super::{AttributeType, Cx, Operation};
use crate::auth::codes::{Delivery, INVITATION};
use crate::auth::policy::{self, Wording};
use crate::auth::{make_credentials, users};
use crate::error::{ErrorKind, ServiceError};
use crate::model::{Attributes, User, UserPool, UserStatus, UsernameMode};
use crate::outbox::Message;
use crate::wire::UserType;

pub struct AdminCreateUser;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    #[serde(default)]
    user_attributes: Vec<AttributeType>,
    temporary_password: Option<String>,
    #[serde(default)]
    force_alias_creation: bool,
    message_action: Option<String>,
    desired_delivery_mediums: Option<Vec<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    user: UserType,
}

impl Operation for AdminCreateUser {
    const NAME: &'static str = "AdminCreateUser";
    const COST: super::Cost = super::Cost::Hashing;
    type Request = Request;
    type Response = Response;

    /// A user in FORCE_CHANGE_PASSWORD with a temporary password (given, or generated to the
    /// pool's policy), and an invitation in the outbox unless SUPPRESS (admin-sigv4-facts §1.2).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let resend = match request.message_action.as_deref() {
            Some("RESEND") => true,
            Some("SUPPRESS") | None => false,
            Some(other) => {
                return Err(ServiceError::invalid_parameter(format!(
                    "Invalid MessageAction {other}."
                )))
            }
        };
        let written: Vec<(String, String)> = request
            .user_attributes
            .iter()
            .map(|a| (a.name.clone(), a.value.clone()))
            .collect();

        // Checks and the new user's shape, under the read lock.
        let (pool_id, password, user) = {
            let pool = entry.read();
            let password = match &request.temporary_password {
                Some(given) => {
                    policy::check(&pool.settings.password_policy, given, Wording::Admin)?;
                    given.clone()
                }
                None => users::generate_temporary_password(
                    &cx.state.ids,
                    &pool.settings.password_policy,
                ),
            };
            let user = if resend {
                let key = users::require_admin(&pool, &request.username)?;
                let user = pool.users[&key].clone();
                if user.status != UserStatus::ForceChangePassword {
                    return Err(resend_not_possible(&user.username));
                }
                user
            } else {
                new_user(cx, &pool, &request, &written)?
            };
            (pool.id.clone(), password, user)
        };

        // Hashing with no lock held.
        let mut user = user;
        user.credentials = Some(make_credentials(
            cx.state,
            &pool_id,
            &user.username,
            &password,
        ));
        user.status = UserStatus::ForceChangePassword;
        user.last_modified = cx.now;

        let mut pool = entry.write();
        user.temporary_password_expires = Some(cx.now.plus(temporary_validity(&pool)));
        let invitation = if request.message_action.as_deref() == Some("SUPPRESS") {
            None
        } else {
            invitation(
                &pool,
                &user,
                &password,
                request.desired_delivery_mediums.as_deref(),
                cx,
            )?
        };
        if resend {
            // Only the password and its clock change: the user may have changed meanwhile.
            let key = users::user_key(&pool, &user.username);
            let Some(mut current) = pool.users.get_mut(&key) else {
                return Err(ServiceError::user_not_found());
            };
            if current.status != UserStatus::ForceChangePassword {
                return Err(resend_not_possible(&current.username));
            }
            current.credentials = user.credentials.clone();
            current.temporary_password_expires = user.temporary_password_expires;
            current.last_modified = cx.now;
            user = current.clone();
        } else {
            ensure_new(&pool, &request.username, &user)?;
            crate::auth::users::claim_aliases(
                &mut pool,
                user.clone(),
                request.force_alias_creation,
            )?;
        }
        drop(pool);
        for message in invitation.into_iter().flatten() {
            cx.state.outbox.send(message);
        }
        Ok(Response {
            user: UserType::of(&user),
        })
    }
}

/// The user AdminCreateUser would add: the pool's username rules and attribute checks (an admin
/// may write any attribute but `sub`). AWS: required attributes are not enforced here; the user
/// gives them when answering NEW_PASSWORD_REQUIRED, whose `requiredAttributes` lists them
/// (admin-sigv4-facts §2, recorded responses).
fn new_user(
    cx: &Cx<'_>,
    pool: &UserPool,
    request: &Request,
    written: &[(String, String)],
) -> Result<User, ServiceError> {
    users::check_sign_up_username(pool, &request.username)?;
    users::check_attribute_writes(pool, None, written, true)?;
    let sub = cx.state.ids.uuid();
    let mut attributes: Attributes = written.iter().cloned().collect();
    attributes.insert("sub".to_owned(), sub.clone());
    // Pools that sign in with email/phone: the username is that attribute, and the internal
    // username is the sub (admin-sigv4-facts §1.2, CLI admin-get-user example).
    let username = match &pool.username_mode {
        UsernameMode::Attributes(_) => {
            if let Some(attr) = users::username_attribute(pool, &request.username) {
                attributes.insert(attr.to_owned(), request.username.clone());
            }
            sub.clone()
        }
        UsernameMode::Username => request.username.clone(),
    };
    let user = User::new(
        username,
        sub,
        attributes,
        UserStatus::ForceChangePassword,
        cx.now,
    );
    ensure_new(pool, &request.username, &user)?;
    Ok(user)
}

/// RESEND for a user who already chose a password. INFERRED wording (admin-sigv4-facts §1.2).
fn resend_not_possible(username: &str) -> ServiceError {
    ServiceError::new(
        ErrorKind::UnsupportedUserStateException,
        format!("Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD"),
    )
}

/// Wire facts §7.2: AdminCreateUser's wording for a taken name.
fn ensure_new(pool: &UserPool, requested: &str, user: &User) -> Result<(), ServiceError> {
    if users::find_key(pool, requested).is_some()
        || pool
            .users
            .contains_key(&users::user_key(pool, &user.username))
    {
        return Err(ServiceError::new(
            ErrorKind::UsernameExistsException,
            "User account already exists",
        ));
    }
    Ok(())
}

/// `PasswordPolicy.TemporaryPasswordValidityDays`, where 0 means the default 7 (API reference).
fn temporary_validity(pool: &UserPool) -> std::time::Duration {
    let days = match pool
        .settings
        .password_policy
        .temporary_password_validity_days
    {
        0 => 7,
        days => days,
    };
    std::time::Duration::from_secs(u64::from(days) * 24 * 3600)
}

/// The invitation messages for `user`, one per medium. Explicit `DesiredDeliveryMediums` must
/// each have their attribute (admin-sigv4-facts §1.2 messages). Without them AWS's default is
/// SMS; here an invitation goes by SMS when the user has a phone number, else by e-mail when
/// they have an address, else nowhere (Deviation: AWS's behaviour for a missing default medium
/// was not captured).
fn invitation(
    pool: &UserPool,
    user: &User,
    password: &str,
    mediums: Option<&[String]>,
    cx: &Cx<'_>,
) -> Result<Option<Vec<Message>>, ServiceError> {
    let attribute_for = |medium: &str| match medium {
        "EMAIL" => Some("email"),
        "SMS" => Some("phone_number"),
        _ => None,
    };
    let chosen: Vec<&str> = match mediums {
        Some(mediums) if !mediums.is_empty() => {
            let mut chosen = Vec::new();
            for medium in mediums {
                let Some(attribute) = attribute_for(medium) else {
                    return Err(ServiceError::invalid_parameter(format!(
                        "Invalid delivery medium {medium}."
                    )));
                };
                if user.attribute(attribute).is_none() {
                    return Err(ServiceError::invalid_parameter(if medium == "EMAIL" {
                        "No email provided but desired delivery medium was Email"
                    } else {
                        "No phone_number provided but desired delivery medium was Sms"
                    }));
                }
                chosen.push(attribute);
            }
            chosen
        }
        _ => ["phone_number", "email"]
            .into_iter()
            .find(|a| user.attribute(a).is_some())
            .into_iter()
            .collect(),
    };
    let messages = chosen
        .into_iter()
        .filter_map(|attribute| {
            let delivery = Delivery::to_attribute(attribute, user.attribute(attribute)?)?;
            Some(Message {
                user_pool_id: pool.id.clone(),
                username: user.username.clone(),
                medium: delivery.medium(),
                destination: delivery.destination.clone(),
                code: password.to_owned(),
                purpose: INVITATION,
                sent_at: cx.now.millis(),
            })
        })
        .collect();
    Ok(Some(messages))
}
