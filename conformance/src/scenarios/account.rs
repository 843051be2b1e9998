//! What a signed-in user does with an access token: GetUser, attributes and their verification,
//! ChangePassword, DeleteUser.

use aws_sdk_cognitoidentityprovider::types::{AttributeDataType, SchemaAttributeType};

use super::{
    check_email_delivery, CODE_MISMATCH, INCORRECT_CREDENTIALS, POLICY_PREFIX, USER_DOES_NOT_EXIST,
};
use crate::check::{expect_error_message, Call, Step};
use crate::ctx::{attribute, AppClient, Ctx, Tokens, User, NEW_PASSWORD};
use crate::{ensure, ensure_eq};

/// A confirmed user of the tutorial's client in a pool made by `pool`, signed in.
async fn signed_in(ctx: &Ctx, verifying: bool) -> Step<(AppClient, User, Tokens)> {
    let pool = if verifying {
        ctx.verifying_pool().await?
    } else {
        ctx.plain_pool().await?
    };
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    Ok((client, user, tokens))
}

/// The user's attributes as GetUser returns them (all values are strings, wire facts §1.5).
async fn attributes(ctx: &Ctx, access_token: &str) -> Step<Vec<(String, String)>> {
    let me = ctx
        .cognito()
        .get_user()
        .access_token(access_token)
        .send()
        .await
        .op("GetUser")?;
    Ok(me
        .user_attributes
        .into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect())
}

fn value<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub async fn get_user_returns_attributes(ctx: Ctx) -> Step {
    let (_, user, tokens) = signed_in(&ctx, false).await?;
    let me = ctx
        .cognito()
        .get_user()
        .access_token(&tokens.access)
        .send()
        .await
        .op("GetUser")?;
    ensure_eq!(me.username, user.username, "GetUser Username");
    let attributes: Vec<(String, String)> = me
        .user_attributes
        .into_iter()
        .map(|a| (a.name, a.value.unwrap_or_default()))
        .collect();
    ensure_eq!(
        value(&attributes, "sub"),
        Some(user.sub.as_str()),
        "attribute sub"
    );
    ensure_eq!(
        value(&attributes, "email"),
        Some(user.email.as_str()),
        "attribute email"
    );
    Ok(())
}

pub async fn update_user_attributes_changes_values(ctx: Ctx) -> Step {
    let (_, _, tokens) = signed_in(&ctx, false).await?;
    let output = ctx
        .cognito()
        .update_user_attributes()
        .access_token(&tokens.access)
        .user_attributes(attribute("name", "Ada Lovelace"))
        .send()
        .await
        .op("UpdateUserAttributes")?;
    ensure!(
        output.code_delivery_details_list().is_empty(),
        "changing name sent a code: {:?}",
        output.code_delivery_details_list()
    );
    let attributes = attributes(&ctx, &tokens.access).await?;
    ensure_eq!(
        value(&attributes, "name"),
        Some("Ada Lovelace"),
        "attribute name after the update"
    );
    Ok(())
}

/// A new address is unverified, and a pool that verifies e-mail sends it a code.
pub async fn changed_email_becomes_unverified(ctx: Ctx) -> Step {
    let (_, _, tokens) = signed_in(&ctx, true).await?;
    let new_email = ctx.email();
    let output = ctx
        .cognito()
        .update_user_attributes()
        .access_token(&tokens.access)
        .user_attributes(attribute("email", &new_email))
        .send()
        .await
        .op("UpdateUserAttributes email")?;
    let list = output.code_delivery_details_list();
    ensure_eq!(
        list.len(),
        1,
        "CodeDeliveryDetailsList entries after changing the e-mail"
    );
    check_email_delivery(list.first(), &new_email)?;
    let attributes = attributes(&ctx, &tokens.access).await?;
    ensure_eq!(
        value(&attributes, "email"),
        Some(new_email.as_str()),
        "attribute email after the update"
    );
    ensure_eq!(
        value(&attributes, "email_verified"),
        Some("false"),
        "attribute email_verified after the update"
    );
    Ok(())
}

pub async fn attribute_verification_code_is_sent(ctx: Ctx) -> Step {
    let (_, user, tokens) = signed_in(&ctx, true).await?;
    let output = ctx
        .cognito()
        .get_user_attribute_verification_code()
        .access_token(&tokens.access)
        .attribute_name("email")
        .send()
        .await
        .op("GetUserAttributeVerificationCode")?;
    check_email_delivery(output.code_delivery_details.as_ref(), &user.email)
}

pub async fn verify_user_attribute_with_code(ctx: Ctx) -> Step {
    ctx.require_codes()?;
    let (client, user, tokens) = signed_in(&ctx, true).await?;
    ctx.cognito()
        .get_user_attribute_verification_code()
        .access_token(&tokens.access)
        .attribute_name("email")
        .send()
        .await
        .op("GetUserAttributeVerificationCode")?;
    let code = ctx
        .code(&client.user_pool_id, &user.email, "VERIFY_ATTRIBUTE")
        .await?;
    ctx.cognito()
        .verify_user_attribute()
        .access_token(&tokens.access)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .op("VerifyUserAttribute")?;
    let attributes = attributes(&ctx, &tokens.access).await?;
    ensure_eq!(
        value(&attributes, "email_verified"),
        Some("true"),
        "attribute email_verified after verification"
    );
    Ok(())
}

/// Wire facts §7.2.
pub async fn verify_user_attribute_wrong_code_is_code_mismatch(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx, true).await?;
    ctx.cognito()
        .get_user_attribute_verification_code()
        .access_token(&tokens.access)
        .attribute_name("email")
        .send()
        .await
        .op("GetUserAttributeVerificationCode")?;
    let wrong = ctx
        .wrong_code(&client.user_pool_id, &user.email, "VERIFY_ATTRIBUTE")
        .await;
    let result = ctx
        .cognito()
        .verify_user_attribute()
        .access_token(&tokens.access)
        .attribute_name("email")
        .code(wrong)
        .send()
        .await;
    expect_error_message(
        "VerifyUserAttribute with a wrong code",
        result,
        "CodeMismatchException",
        CODE_MISMATCH,
    )
}

pub async fn delete_user_attributes_removes_them(ctx: Ctx) -> Step {
    let (_, _, tokens) = signed_in(&ctx, false).await?;
    ctx.cognito()
        .update_user_attributes()
        .access_token(&tokens.access)
        .user_attributes(attribute("name", "Ada Lovelace"))
        .send()
        .await
        .op("UpdateUserAttributes")?;
    ctx.cognito()
        .delete_user_attributes()
        .access_token(&tokens.access)
        .user_attribute_names("name")
        .send()
        .await
        .op("DeleteUserAttributes")?;
    let attributes = attributes(&ctx, &tokens.access).await?;
    ensure_eq!(
        value(&attributes, "name"),
        None,
        "attribute name after DeleteUserAttributes"
    );
    Ok(())
}

/// Wire facts §7.6.
pub async fn required_attribute_cannot_be_deleted(ctx: Ctx) -> Step {
    let pool = ctx
        .create_pool(|b| {
            b.schema(
                SchemaAttributeType::builder()
                    .name("email")
                    .attribute_data_type(AttributeDataType::String)
                    .required(true)
                    .mutable(true)
                    .build(),
            )
        })
        .await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    let result = ctx
        .cognito()
        .delete_user_attributes()
        .access_token(&tokens.access)
        .user_attribute_names("email")
        .send()
        .await;
    expect_error_message(
        "DeleteUserAttributes of a required attribute",
        result,
        "InvalidParameterException",
        "Invalid user attributes: email: Required attribute cannot be deleted.",
    )
}

pub async fn change_password_swaps_passwords(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx, false).await?;
    ctx.cognito()
        .change_password()
        .access_token(&tokens.access)
        .previous_password(&user.password)
        .proposed_password(NEW_PASSWORD)
        .send()
        .await
        .op("ChangePassword")?;
    expect_error_message(
        "InitiateAuth with the old password",
        ctx.password_auth(&client, &user.username, &user.password)
            .await,
        "NotAuthorizedException",
        INCORRECT_CREDENTIALS,
    )?;
    ctx.sign_in(&client, &user.username, NEW_PASSWORD).await?;
    Ok(())
}

pub async fn change_password_wrong_previous_is_not_authorized(ctx: Ctx) -> Step {
    let (_, _, tokens) = signed_in(&ctx, false).await?;
    let result = ctx
        .cognito()
        .change_password()
        .access_token(&tokens.access)
        .previous_password("Wr0ng-Password!")
        .proposed_password(NEW_PASSWORD)
        .send()
        .await;
    expect_error_message(
        "ChangePassword with a wrong previous password",
        result,
        "NotAuthorizedException",
        INCORRECT_CREDENTIALS,
    )
}

/// Wire facts §7.3: ChangePassword uses the public wording.
pub async fn change_password_enforces_policy(ctx: Ctx) -> Step {
    let (_, user, tokens) = signed_in(&ctx, false).await?;
    let result = ctx
        .cognito()
        .change_password()
        .access_token(&tokens.access)
        .previous_password(&user.password)
        .proposed_password("Sh0rt!a")
        .send()
        .await;
    expect_error_message(
        "ChangePassword to a 7-character password",
        result,
        "InvalidPasswordException",
        &format!("{POLICY_PREFIX}Password not long enough"),
    )
}

pub async fn delete_user_removes_the_user(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx, false).await?;
    ctx.cognito()
        .delete_user()
        .access_token(&tokens.access)
        .send()
        .await
        .op("DeleteUser")?;
    expect_error_message(
        "InitiateAuth of a deleted user",
        ctx.password_auth(&client, &user.username, &user.password)
            .await,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )?;
    Ok(())
}
