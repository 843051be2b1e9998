//! The admin user API (admin facts §1): AdminCreateUser and its invitation, AdminGetUser,
//! AdminDeleteUser, disabling and enabling, attributes, passwords and resets, global sign-out
//! and the MFA preference. Users are made with MessageAction SUPPRESS unless the invitation is
//! what a scenario is about, so runs against AWS send nothing.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, DeliveryMediumType, MessageActionType, PasswordPolicyType,
    RecoveryOptionNameType, RecoveryOptionType, SoftwareTokenMfaConfigType,
    SoftwareTokenMfaSettingsType, UserPoolMfaType, UserPoolPolicyType,
};

use super::{is_uuid, USER_DOES_NOT_EXIST};
use crate::admin::{
    admin_client, admin_sign_in, create_user, created_user, get_user, status, value,
    TEMPORARY_PASSWORD,
};
use crate::check::{expect_error, expect_error_message, fail, present, Call, Step};
use crate::ctx::{attribute, Ctx, NEW_PASSWORD};
use crate::{ensure, ensure_eq};

/// Wire facts §7.1.
const USER_IS_DISABLED: &str = "User is disabled.";

/// Admin facts §1.2: a user created with a temporary password must change it: the response
/// and AdminGetUser show FORCE_CHANGE_PASSWORD, Enabled, and a `sub`.
pub async fn created_user_must_change_password(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let (username, email) = (ctx.unique("user"), ctx.email());
    let output = ctx
        .cognito()
        .admin_create_user()
        .user_pool_id(&pool)
        .username(&username)
        .temporary_password(TEMPORARY_PASSWORD)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", &email))
        .send()
        .await
        .op("AdminCreateUser")?;
    let created = present(output.user, "AdminCreateUser User")?;
    ensure_eq!(
        created.username.as_deref(),
        Some(username.as_str()),
        "AdminCreateUser User.Username"
    );
    ensure_eq!(
        created.user_status.as_ref().map(|s| s.as_str()),
        Some("FORCE_CHANGE_PASSWORD"),
        "AdminCreateUser User.UserStatus"
    );
    ensure!(created.enabled, "AdminCreateUser User.Enabled is false");
    let sub = present(
        value(created.attributes(), "sub").map(str::to_owned),
        "AdminCreateUser User.Attributes sub",
    )?;
    ensure!(is_uuid(&sub), "sub {sub:?} is not a UUID");
    ensure_eq!(
        value(created.attributes(), "email"),
        Some(email.as_str()),
        "AdminCreateUser User.Attributes email"
    );

    let user = get_user(&ctx, &pool, &username).await?;
    ensure_eq!(user.username, username, "AdminGetUser Username");
    ensure_eq!(
        user.user_status.as_ref().map(|s| s.as_str()),
        Some("FORCE_CHANGE_PASSWORD"),
        "AdminGetUser UserStatus"
    );
    ensure!(user.enabled, "AdminGetUser Enabled is false");
    ensure_eq!(
        value(user.user_attributes(), "sub"),
        Some(sub.as_str()),
        "AdminGetUser attribute sub"
    );
    ensure_eq!(
        value(user.user_attributes(), "email"),
        Some(email.as_str()),
        "AdminGetUser attribute email"
    );
    Ok(())
}

/// Admin facts §1.2 (CLI admin-get-user example): with `UsernameAttributes=[email]` the address
/// is an alias and the stored username is a UUID equal to `sub`.
pub async fn email_pool_username_is_the_sub(ctx: Ctx) -> Step {
    let pool = ctx.email_pool().await?;
    let email = ctx.email();
    let user = create_user(&ctx, &pool, &email, &email, &[]).await?;
    let got = get_user(&ctx, &pool, &email).await?;
    ensure!(
        is_uuid(&got.username),
        "AdminGetUser Username is {:?}, expected the generated UUID",
        got.username
    );
    ensure_eq!(got.username, user.sub, "AdminGetUser Username (the sub)");
    ensure_eq!(
        value(got.user_attributes(), "email"),
        Some(email.as_str()),
        "AdminGetUser attribute email"
    );
    Ok(())
}

/// Admin facts §1.2 and wire facts §7.2 (`User account already exists`, recorded from boto3).
/// The facts mark the SUPPRESS case INFERRED (a user report); the plain case asks for an
/// e-mail invitation so no missing phone number can be the error instead.
pub async fn existing_username_is_username_exists(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let user = created_user(&ctx, &pool).await?;
    let again = ctx
        .cognito()
        .admin_create_user()
        .user_pool_id(&pool)
        .username(&user.username)
        .temporary_password(TEMPORARY_PASSWORD)
        .message_action(MessageActionType::Suppress)
        .send()
        .await;
    expect_error_message(
        "AdminCreateUser SUPPRESS of an existing username",
        again,
        "UsernameExistsException",
        "User account already exists",
    )?;
    let again = ctx
        .cognito()
        .admin_create_user()
        .user_pool_id(&pool)
        .username(&user.username)
        .temporary_password(TEMPORARY_PASSWORD)
        .user_attributes(attribute("email", &user.email))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await;
    expect_error_message(
        "AdminCreateUser of an existing username",
        again,
        "UsernameExistsException",
        "User account already exists",
    )
}

/// Admin facts §1.2 and §0.12 (aws-sdk-js #1357, verbatim): RESEND needs an existing user.
pub async fn resend_to_unknown_user_is_user_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let result = ctx
        .cognito()
        .admin_create_user()
        .user_pool_id(&pool)
        .username(ctx.unique("nobody"))
        .message_action(MessageActionType::Resend)
        .send()
        .await;
    expect_error_message(
        "AdminCreateUser RESEND for a user that does not exist",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}

/// Admin facts §1.1 (recorded CLI output).
pub async fn unknown_user_is_user_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let result = ctx
        .cognito()
        .admin_get_user()
        .user_pool_id(&pool)
        .username(ctx.unique("nobody"))
        .send()
        .await;
    expect_error_message(
        "AdminGetUser of an unknown user",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}

/// Admin facts §1.4 and §1.1.
pub async fn deleted_user_is_user_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let user = created_user(&ctx, &pool).await?;
    ctx.cognito()
        .admin_delete_user()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await
        .op("AdminDeleteUser")?;
    let result = ctx
        .cognito()
        .admin_get_user()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await;
    expect_error_message(
        "AdminGetUser after AdminDeleteUser",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}

/// Admin facts §1.5: a deactivated user can't sign in (wire facts §7.1 `User is disabled.`),
/// and still appears, with Enabled false.
pub async fn disabled_user_cannot_sign_in(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    ctx.cognito()
        .admin_disable_user()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await
        .op("AdminDisableUser")?;
    expect_error_message(
        "InitiateAuth of a disabled user",
        ctx.password_auth(&client, &user.username, &user.password)
            .await,
        "NotAuthorizedException",
        USER_IS_DISABLED,
    )?;
    let got = get_user(&ctx, &pool, &user.username).await?;
    ensure!(
        !got.enabled,
        "AdminGetUser Enabled is true after AdminDisableUser"
    );
    Ok(())
}

/// Admin facts §1.5: AdminEnableUser "activates sign-in for a user profile that previously had
/// sign-in access disabled".
pub async fn enabled_user_signs_in_again(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    ctx.cognito()
        .admin_disable_user()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await
        .op("AdminDisableUser")?;
    ctx.cognito()
        .admin_enable_user()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await
        .op("AdminEnableUser")?;
    ctx.sign_in(&client, &user.username, &user.password).await?;
    let got = get_user(&ctx, &pool, &user.username).await?;
    ensure!(
        got.enabled,
        "AdminGetUser Enabled is false after AdminEnableUser"
    );
    Ok(())
}

/// Admin facts §1.6.
pub async fn update_attributes_changes_values(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let user = created_user(&ctx, &pool).await?;
    ctx.cognito()
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username(&user.username)
        .user_attributes(attribute("name", "Ada Lovelace"))
        .send()
        .await
        .op("AdminUpdateUserAttributes")?;
    let got = get_user(&ctx, &pool, &user.username).await?;
    ensure_eq!(
        value(got.user_attributes(), "name"),
        Some("Ada Lovelace"),
        "attribute name after AdminUpdateUserAttributes"
    );
    ensure_eq!(
        value(got.user_attributes(), "email"),
        Some(user.email.as_str()),
        "attribute email (not in the update)"
    );
    Ok(())
}

/// Admin facts §1.7.
pub async fn delete_attributes_removes_them(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let (username, email) = (ctx.unique("user"), ctx.email());
    create_user(&ctx, &pool, &username, &email, &[("name", "Ada Lovelace")]).await?;
    ctx.cognito()
        .admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username(&username)
        .user_attribute_names("name")
        .send()
        .await
        .op("AdminDeleteUserAttributes")?;
    let got = get_user(&ctx, &pool, &username).await?;
    ensure_eq!(
        value(got.user_attributes(), "name"),
        None,
        "attribute name after AdminDeleteUserAttributes"
    );
    ensure_eq!(
        value(got.user_attributes(), "email"),
        Some(email.as_str()),
        "attribute email (not deleted)"
    );
    Ok(())
}

/// Admin facts §1.8: `Permanent: true` ⇒ CONFIRMED and immediate sign-in, with either password flow.
pub async fn permanent_password_confirms_the_user(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = admin_client(&ctx, &pool).await?;
    let user = created_user(&ctx, &pool).await?;
    ctx.cognito()
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username(&user.username)
        .password(NEW_PASSWORD)
        .permanent(true)
        .send()
        .await
        .op("AdminSetUserPassword Permanent=true")?;
    ensure_eq!(
        status(&ctx, &pool, &user.username).await?,
        "CONFIRMED",
        "UserStatus after AdminSetUserPassword Permanent=true"
    );
    ctx.sign_in(&client, &user.username, NEW_PASSWORD).await?;
    admin_sign_in(&ctx, &client, &user.username, NEW_PASSWORD).await?;
    Ok(())
}

/// Admin facts §1.8: `Permanent: false` ⇒ FORCE_CHANGE_PASSWORD, and the next sign-in gets NEW_PASSWORD_REQUIRED.
pub async fn temporary_password_forces_a_change(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    ctx.cognito()
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username(&user.username)
        .password(NEW_PASSWORD)
        .permanent(false)
        .send()
        .await
        .op("AdminSetUserPassword Permanent=false")?;
    ensure_eq!(
        status(&ctx, &pool, &user.username).await?,
        "FORCE_CHANGE_PASSWORD",
        "UserStatus after AdminSetUserPassword Permanent=false"
    );
    let output = ctx
        .password_auth(&client, &user.username, NEW_PASSWORD)
        .await
        .op("InitiateAuth with the temporary password")?;
    ensure_eq!(
        output.challenge_name.as_ref().map(|c| c.as_str()),
        Some("NEW_PASSWORD_REQUIRED"),
        "ChallengeName"
    );
    Ok(())
}

/// Admin facts §1.2 and §1.9 (recorded CLI output). The e-mail is verified, so the missing
/// recovery channel cannot be the reason instead.
pub async fn reset_of_force_change_password_user_is_refused(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let (username, email) = (ctx.unique("user"), ctx.email());
    create_user(
        &ctx,
        &pool,
        &username,
        &email,
        &[("email_verified", "true")],
    )
    .await?;
    let result = ctx
        .cognito()
        .admin_reset_user_password()
        .user_pool_id(&pool)
        .username(&username)
        .send()
        .await;
    expect_error_message(
        "AdminResetUserPassword of a FORCE_CHANGE_PASSWORD user",
        result,
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
    )
}

/// Admin facts §1.9: RESET_REQUIRED, and signing in then answers PasswordResetRequiredException.
/// Only the type is checked: the message varies by case and `Password reset required for the
/// user` is not confirmed (wire facts §7.1). The e-mail is verified with AdminUpdateUserAttributes
/// (`email_verified=true`, admin facts §1.6), so no code needs to be read.
pub async fn reset_password_requires_a_reset(ctx: Ctx) -> Step {
    let pool = ctx
        .create_pool(|b| {
            b.account_recovery_setting(
                AccountRecoverySettingType::builder()
                    .recovery_mechanisms(
                        RecoveryOptionType::builder()
                            .priority(1)
                            .name(RecoveryOptionNameType::VerifiedEmail)
                            .build()
                            .expect("priority and name are set"),
                    )
                    .build(),
            )
        })
        .await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    ctx.cognito()
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username(&user.username)
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .op("AdminUpdateUserAttributes email_verified=true")?;
    ctx.cognito()
        .admin_reset_user_password()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await
        .op("AdminResetUserPassword")?;
    ensure_eq!(
        status(&ctx, &pool, &user.username).await?,
        "RESET_REQUIRED",
        "UserStatus after AdminResetUserPassword"
    );
    expect_error(
        "InitiateAuth of a RESET_REQUIRED user",
        ctx.password_auth(&client, &user.username, &user.password)
            .await,
        "PasswordResetRequiredException",
        &[],
    )
}

/// Admin facts §1.10: the user's tokens are revoked (wire facts §7.4 messages, as after GlobalSignOut).
pub async fn global_sign_out_revokes_tokens(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    let refresh = present(tokens.refresh.clone(), "RefreshToken")?;
    ctx.cognito()
        .admin_user_global_sign_out()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await
        .op("AdminUserGlobalSignOut")?;
    expect_error_message(
        "GetUser after AdminUserGlobalSignOut",
        ctx.cognito()
            .get_user()
            .access_token(&tokens.access)
            .send()
            .await,
        "NotAuthorizedException",
        "Access Token has been revoked",
    )?;
    expect_error_message(
        "REFRESH_TOKEN_AUTH after AdminUserGlobalSignOut",
        ctx.refresh(&client, &refresh, &user.username).await,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    )
}

/// Wire facts §6: enabling TOTP for a user without a verified software token is an
/// InvalidParameterException. The recorded message (`User has not set up software token mfa`)
/// comes from apps calling the token-authorised SetUserMFAPreference, so only the type is checked here.
pub async fn software_token_preference_needs_a_token(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    ctx.cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .op("SetUserPoolMfaConfig")?;
    let client = ctx.create_client(&pool, |b| b).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .cognito()
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username(&user.username)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await;
    expect_error(
        "AdminSetUserMFAPreference SOFTWARE_TOKEN_MFA without a verified token",
        result,
        "InvalidParameterException",
        &[],
    )
}

/// Admin facts §1.2: without MessageAction the user is invited, and the invitation carries the
/// temporary password (the `{####}` placeholder). Read from the target's outbox: SKIP without it.
pub async fn invitation_carries_the_temporary_password(ctx: Ctx) -> Step {
    ctx.require_codes()?;
    let pool = ctx.plain_pool().await?;
    let (username, email) = (ctx.unique("user"), ctx.email());
    ctx.cognito()
        .admin_create_user()
        .user_pool_id(&pool)
        .username(&username)
        .temporary_password(TEMPORARY_PASSWORD)
        .user_attributes(attribute("email", &email))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .op("AdminCreateUser with an e-mail invitation")?;
    let messages = ctx.target().messages(&pool, &username).await?;
    let Some(invitation) = messages.iter().rev().find(|m| m.purpose == "INVITATION") else {
        return fail(format!(
            "no INVITATION message was sent to {username}; messages: {messages:?}"
        ));
    };
    ensure_eq!(
        invitation.code,
        TEMPORARY_PASSWORD,
        "the invitation's code (the temporary password)"
    );
    ensure_eq!(invitation.medium, "EMAIL", "the invitation's medium");
    ensure!(
        invitation.destination.eq_ignore_ascii_case(&email),
        "the invitation went to {:?}, expected {email:?}",
        invitation.destination
    );
    Ok(())
}

/// Admin facts §1.2: the temporary password is valid for TemporaryPasswordValidityDays from
/// creation (here 1; the default is 7), then fails with wire facts §7.1's message (or its older
/// wording). Two days pass, so a count in whole calendar days expires it too.
pub async fn temporary_password_expires(ctx: Ctx) -> Step {
    let wait = Duration::from_secs(49 * 3600);
    ctx.require_time(wait)?;
    let policy = PasswordPolicyType::builder()
        .minimum_length(8)
        .require_uppercase(true)
        .require_lowercase(true)
        .require_numbers(true)
        .require_symbols(true)
        .temporary_password_validity_days(1)
        .build();
    let pool = ctx
        .create_pool(|b| {
            b.policies(
                UserPoolPolicyType::builder()
                    .password_policy(policy)
                    .build(),
            )
        })
        .await?;
    let client = ctx.password_client(&pool).await?;
    let user = created_user(&ctx, &pool).await?;
    ctx.advance(wait).await?;
    expect_error(
        "InitiateAuth with an expired temporary password",
        ctx.password_auth(&client, &user.username, &user.password)
            .await,
        "NotAuthorizedException",
        &[
            "Temporary password has expired and must be reset by an administrator.",
            "User account has expired, it must be reset by an administrator.",
        ],
    )
}
