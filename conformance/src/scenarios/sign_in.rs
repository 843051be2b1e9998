//! InitiateAuth with USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH: credentials, SECRET_HASH,
//! confirmation, existence errors, allowed flows, and refresh.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
};

use super::{
    is_uuid, missing_secret_hash_message, wrong_secret_hash_messages, INCORRECT_CREDENTIALS,
    USER_DOES_NOT_EXIST,
};
use crate::check::{expect_error, expect_error_message, present, Call, Step};
use crate::ctx::{password_flows, tokens, Ctx, WithSecretHash, PASSWORD};
use crate::jwt::{decode_unverified, TokenUse};
use crate::{ensure, ensure_eq};

/// Wire facts §2.2 and §1.5: tokens, `TokenType: Bearer`, `ExpiresIn` 3600, an empty `ChallengeParameters`.
pub async fn user_password_auth_returns_tokens(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let output = ctx
        .password_auth(&client, &user.username, &user.password)
        .await
        .op("InitiateAuth USER_PASSWORD_AUTH")?;
    ensure_eq!(output.challenge_name, None, "ChallengeName");
    ensure!(
        output
            .challenge_parameters
            .as_ref()
            .is_some_and(|p| p.is_empty()),
        "ChallengeParameters is {:?}, AWS sends an empty map with tokens",
        output.challenge_parameters
    );
    let tokens = tokens(output.authentication_result)?;
    ensure_eq!(tokens.token_type.as_deref(), Some("Bearer"), "TokenType");
    ensure_eq!(tokens.expires_in, 3600, "ExpiresIn (default 1 hour)");
    ensure!(
        tokens.refresh.is_some(),
        "USER_PASSWORD_AUTH returned no RefreshToken"
    );
    Ok(())
}

pub async fn wrong_password_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .password_auth(&client, &user.username, "Wr0ng-Password!")
        .await;
    expect_error_message(
        "InitiateAuth with a wrong password",
        result,
        "NotAuthorizedException",
        INCORRECT_CREDENTIALS,
    )
}

/// Wire facts §7.1: returned for the right password and for a wrong one.
pub async fn unconfirmed_user_is_user_not_confirmed(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.unconfirmed_user(&client).await?;
    let result = ctx
        .password_auth(&client, &user.username, &user.password)
        .await;
    expect_error_message(
        "InitiateAuth of an unconfirmed user",
        result,
        "UserNotConfirmedException",
        "User is not confirmed.",
    )?;
    let result = ctx
        .password_auth(&client, &user.username, "Wr0ng-Password!")
        .await;
    expect_error_message(
        "InitiateAuth of an unconfirmed user with a wrong password",
        result,
        "UserNotConfirmedException",
        "User is not confirmed.",
    )
}

/// Wire facts §7.7: LEGACY (the API's default).
pub async fn unknown_user_legacy_is_user_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let result = ctx
        .password_auth(&client, &ctx.unique("nobody"), PASSWORD)
        .await;
    expect_error_message(
        "InitiateAuth of an unknown user (LEGACY)",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}

/// Wire facts §7.7: ENABLED hides whether the user exists.
pub async fn unknown_user_enabled_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx
        .create_client(&pool, |b| {
            password_flows(b).prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        })
        .await?;
    let result = ctx
        .password_auth(&client, &ctx.unique("nobody"), PASSWORD)
        .await;
    expect_error_message(
        "InitiateAuth of an unknown user (ENABLED)",
        result,
        "NotAuthorizedException",
        INCORRECT_CREDENTIALS,
    )
}

pub async fn secret_hash_missing_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .cognito()
        .initiate_auth()
        .client_id(&client.id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &user.username)
        .auth_parameters("PASSWORD", &user.password)
        .send()
        .await;
    expect_error_message(
        "InitiateAuth without SECRET_HASH",
        result,
        "NotAuthorizedException",
        &missing_secret_hash_message(&client.id),
    )
}

pub async fn secret_hash_wrong_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .cognito()
        .initiate_auth()
        .client_id(&client.id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &user.username)
        .auth_parameters("PASSWORD", &user.password)
        .with_secret_hash(client.secret_hash("someone-else"))
        .send()
        .await;
    let messages = wrong_secret_hash_messages(&client.id);
    expect_error(
        "InitiateAuth with a SECRET_HASH for another username",
        result,
        "NotAuthorizedException",
        &[&messages[0], &messages[1]],
    )
}

/// Wire facts §7.1; ExplicitAuthFlows defaults to refresh, SRP and custom auth (§1.3).
pub async fn flow_not_enabled_is_invalid_parameter(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.create_client(&pool, |b| b).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .password_auth(&client, &user.username, &user.password)
        .await;
    expect_error_message(
        "InitiateAuth USER_PASSWORD_AUTH on a client with the default flows",
        result,
        "InvalidParameterException",
        "USER_PASSWORD_AUTH flow not enabled for this client",
    )
}

/// Wire facts §3.1: in e-mail pools the internal username is a UUID, not the address.
pub async fn email_pool_signs_in_with_email(ctx: Ctx) -> Step {
    let pool = ctx.email_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, true).await?;
    let tokens = ctx.sign_in(&client, &user.email, &user.password).await?;
    let access = ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await?;
    let id = ctx.verify_token(&client, &tokens.id, TokenUse::Id).await?;
    let username = access
        .get("username")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    ensure!(
        is_uuid(username),
        "access token username is {username:?}, expected the internal UUID username"
    );
    ensure_eq!(
        id.get("cognito:username").and_then(|v| v.as_str()),
        Some(username),
        "ID token cognito:username"
    );
    ensure_eq!(
        id.get("email").and_then(|v| v.as_str()),
        Some(user.email.as_str()),
        "ID token email"
    );
    let me = ctx
        .cognito()
        .get_user()
        .access_token(&tokens.access)
        .send()
        .await
        .op("GetUser")?;
    ensure_eq!(me.username, username, "GetUser Username");
    Ok(())
}

/// Wire facts §3.4: new ID and access tokens, no RefreshToken.
pub async fn refresh_returns_new_tokens_without_refresh_token(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let first = ctx.sign_in(&client, &user.username, &user.password).await?;
    let refresh = present(first.refresh.clone(), "RefreshToken")?;
    let output = ctx
        .refresh(&client, &refresh, &user.username)
        .await
        .op("InitiateAuth REFRESH_TOKEN_AUTH")?;
    let result = present(output.authentication_result.clone(), "AuthenticationResult")?;
    ensure_eq!(
        result.refresh_token,
        None,
        "RefreshToken in a REFRESH_TOKEN_AUTH response"
    );
    let renewed = tokens(output.authentication_result)?;
    ensure!(
        renewed.access != first.access,
        "the refreshed access token is the old one"
    );
    ctx.verify_token(&client, &renewed.access, TokenUse::Access)
        .await?;
    ctx.verify_token(&client, &renewed.id, TokenUse::Id).await?;
    Ok(())
}

/// Wire facts §4: for refresh, SECRET_HASH is computed over the internal username (the UUID in e-mail pools).
pub async fn refresh_secret_hash_over_internal_username(ctx: Ctx) -> Step {
    let pool = ctx.email_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, true).await?;
    let first = ctx.sign_in(&client, &user.email, &user.password).await?;
    let (_, claims) = decode_unverified(&first.access).map_err(crate::Stop::Fail)?;
    let internal = present(
        claims
            .get("username")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        "access token username",
    )?;
    let refresh = present(first.refresh, "RefreshToken")?;
    let output = ctx
        .refresh(&client, &refresh, &internal)
        .await
        .op("InitiateAuth REFRESH_TOKEN_AUTH with SECRET_HASH over the internal username")?;
    tokens(output.authentication_result)?;
    Ok(())
}

/// Wire facts §3.4: a refresh token works only with the client that issued it.
pub async fn refresh_with_other_client_is_invalid(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let other = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let first = ctx.sign_in(&client, &user.username, &user.password).await?;
    let refresh = present(first.refresh, "RefreshToken")?;
    let result = ctx.refresh(&other, &refresh, &user.username).await;
    expect_error_message(
        "REFRESH_TOKEN_AUTH on another client of the pool",
        result,
        "NotAuthorizedException",
        "Invalid Refresh Token",
    )
}

/// Wire facts §3.4.
pub async fn garbage_refresh_token_is_invalid(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx
        .create_client(&pool, |b| {
            b.explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        })
        .await?;
    let result = ctx.refresh(&client, "not-a-refresh-token", "nobody").await;
    expect_error_message(
        "REFRESH_TOKEN_AUTH with a made-up token",
        result,
        "NotAuthorizedException",
        "Invalid Refresh Token",
    )
}
