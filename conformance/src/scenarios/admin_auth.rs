//! AdminInitiateAuth and AdminRespondToAuthChallenge (admin facts §1.12–§1.13), the
//! NEW_PASSWORD_REQUIRED challenge of users created with a temporary password (§2), and the
//! two ways to refresh: AdminInitiateAuth REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_respond_to_auth_challenge::{
    AdminRespondToAuthChallengeError, AdminRespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AuthFlowType, ChallengeNameType, SchemaAttributeType,
};
use serde_json::Value;

use crate::admin::{
    admin_client, admin_password_auth, admin_sign_in, created_user, status, AdminAuthResult,
};
use crate::check::{expect_error_message, fail, present, Call, Step, Stop};
use crate::ctx::{tokens, AppClient, Ctx, RespondResult, User, WithSecretHash, NEW_PASSWORD};
use crate::jwt::TokenUse;
use crate::{ensure, ensure_eq};

type AdminRespondResult =
    Result<AdminRespondToAuthChallengeOutput, SdkError<AdminRespondToAuthChallengeError>>;

/// Wire facts §7.1 (recorded spike); admin facts §1.13.
const SESSION_USED: &str = "Invalid session for the user, session can only be used once.";

/// A pool made by `configure`, the admin client, and a user created with the temporary password.
async fn invited(
    ctx: &Ctx,
    configure: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> Step<(AppClient, User)> {
    let pool = ctx.create_pool(configure).await?;
    let client = admin_client(ctx, &pool).await?;
    let user = created_user(ctx, &pool).await?;
    Ok((client, user))
}

/// A pool whose schema requires `name`, which users created by `invited` lack.
fn requires_name(builder: CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder {
    builder.schema(
        SchemaAttributeType::builder()
            .name("name")
            .attribute_data_type(AttributeDataType::String)
            .required(true)
            .mutable(true)
            .build(),
    )
}

/// A NEW_PASSWORD_REQUIRED challenge: its Session and ChallengeParameters.
struct Challenge {
    session: String,
    parameters: HashMap<String, String>,
}

fn new_password_challenge(
    name: Option<&ChallengeNameType>,
    session: Option<String>,
    parameters: Option<HashMap<String, String>>,
) -> Step<Challenge> {
    ensure_eq!(
        name.map(|c| c.as_str()),
        Some("NEW_PASSWORD_REQUIRED"),
        "ChallengeName for a user with a temporary password"
    );
    Ok(Challenge {
        session: present(session, "Session")?,
        parameters: present(parameters, "ChallengeParameters")?,
    })
}

/// InitiateAuth USER_PASSWORD_AUTH with the temporary password; must be challenged.
async fn start(ctx: &Ctx, client: &AppClient, user: &User) -> Step<Challenge> {
    let output = ctx
        .password_auth(client, &user.username, &user.password)
        .await
        .op("InitiateAuth USER_PASSWORD_AUTH with the temporary password")?;
    new_password_challenge(
        output.challenge_name.as_ref(),
        output.session,
        output.challenge_parameters,
    )
}

/// AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH with the temporary password; must be challenged.
async fn admin_start(ctx: &Ctx, client: &AppClient, user: &User) -> Step<Challenge> {
    let output = admin_password_auth(ctx, client, &user.username, &user.password)
        .await
        .op("AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH with the temporary password")?;
    new_password_challenge(
        output.challenge_name.as_ref(),
        output.session,
        output.challenge_parameters,
    )
}

/// The ChallengeResponses of a NEW_PASSWORD_REQUIRED answer: `USERNAME`, `NEW_PASSWORD`,
/// `SECRET_HASH` for a client with a secret, and `userAttributes.*` from `attributes`.
fn new_password_responses(
    client: &AppClient,
    user: &User,
    attributes: &[(&str, &str)],
) -> HashMap<String, String> {
    let mut responses = HashMap::from([
        ("USERNAME".to_owned(), user.username.clone()),
        ("NEW_PASSWORD".to_owned(), NEW_PASSWORD.to_owned()),
    ]);
    if let Some(hash) = client.secret_hash(&user.username) {
        responses.insert("SECRET_HASH".to_owned(), hash);
    }
    for (name, value) in attributes {
        responses.insert(format!("userAttributes.{name}"), (*value).to_owned());
    }
    responses
}

/// RespondToAuthChallenge NEW_PASSWORD_REQUIRED with `NEW_PASSWORD` and `userAttributes.*` from `attributes`.
async fn answer(
    ctx: &Ctx,
    client: &AppClient,
    user: &User,
    session: &str,
    attributes: &[(&str, &str)],
) -> RespondResult {
    ctx.cognito()
        .respond_to_auth_challenge()
        .client_id(&client.id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(session)
        .set_challenge_responses(Some(new_password_responses(client, user, attributes)))
        .send()
        .await
}

/// AdminRespondToAuthChallenge NEW_PASSWORD_REQUIRED, like `answer`.
async fn admin_answer(
    ctx: &Ctx,
    client: &AppClient,
    user: &User,
    session: &str,
    attributes: &[(&str, &str)],
) -> AdminRespondResult {
    ctx.cognito()
        .admin_respond_to_auth_challenge()
        .user_pool_id(&client.user_pool_id)
        .client_id(&client.id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(session)
        .set_challenge_responses(Some(new_password_responses(client, user, attributes)))
        .send()
        .await
}

/// A ChallengeParameters value that must be a JSON-encoded string of some JSON value.
fn json_parameter(parameters: &HashMap<String, String>, name: &str) -> Step<Value> {
    let text = present(
        parameters.get(name).cloned(),
        &format!("ChallengeParameters.{name}"),
    )?;
    serde_json::from_str(&text).map_err(|e| {
        Stop::Fail(format!(
            "ChallengeParameters.{name} is {text:?}, not a JSON-encoded string: {e}"
        ))
    })
}

/// `requiredAttributes`: a JSON array of strings.
fn required_attributes(parameters: &HashMap<String, String>) -> Step<Vec<String>> {
    match json_parameter(parameters, "requiredAttributes")? {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(name) => Ok(name),
                other => fail(format!(
                    "requiredAttributes holds {other}, expected attribute names"
                )),
            })
            .collect(),
        other => fail(format!(
            "requiredAttributes is {other}, expected a JSON array"
        )),
    }
}

/// Admin facts §2 (CLI example and recorded outputs): `USER_ID_FOR_SRP` is the username,
/// `requiredAttributes` a JSON array, `userAttributes` a JSON object of the current attributes
/// as strings, without `sub`.
fn check_challenge_parameters(parameters: &HashMap<String, String>, user: &User) -> Step {
    ensure_eq!(
        parameters.get("USER_ID_FOR_SRP").map(String::as_str),
        Some(user.username.as_str()),
        "ChallengeParameters.USER_ID_FOR_SRP"
    );
    let required = required_attributes(parameters)?;
    ensure!(
        required.is_empty(),
        "requiredAttributes is {required:?}; the pool requires no attribute"
    );
    let Value::Object(attributes) = json_parameter(parameters, "userAttributes")? else {
        return fail("ChallengeParameters.userAttributes is not a JSON object");
    };
    ensure_eq!(
        attributes.get("email").and_then(Value::as_str),
        Some(user.email.as_str()),
        "userAttributes.email"
    );
    ensure!(
        !attributes.contains_key("sub"),
        "userAttributes contains sub; AWS leaves it out: {attributes:?}"
    );
    Ok(())
}

/// Admin facts §1.12: tokens for a confirmed user, as from InitiateAuth (CLI example).
pub async fn admin_password_auth_returns_tokens(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = admin_client(&ctx, &pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let output = admin_password_auth(&ctx, &client, &user.username, &user.password)
        .await
        .op("AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH")?;
    ensure_eq!(output.challenge_name, None, "ChallengeName");
    ensure!(
        output
            .challenge_parameters
            .as_ref()
            .is_none_or(|p| p.is_empty()),
        "ChallengeParameters is {:?}, AWS sends an empty map with tokens",
        output.challenge_parameters
    );
    let tokens = tokens(output.authentication_result)?;
    ensure_eq!(tokens.token_type.as_deref(), Some("Bearer"), "TokenType");
    ensure_eq!(tokens.expires_in, 3600, "ExpiresIn (default 1 hour)");
    ensure!(
        tokens.refresh.is_some(),
        "ADMIN_USER_PASSWORD_AUTH returned no RefreshToken"
    );
    let access = ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await?;
    ensure_eq!(
        access.get("username").and_then(Value::as_str),
        Some(user.username.as_str()),
        "access token username"
    );
    ctx.verify_token(&client, &tokens.id, TokenUse::Id).await?;
    Ok(())
}

/// Admin facts §1.12: the client must allow ALLOW_ADMIN_USER_PASSWORD_AUTH. Wire facts §7.1
/// records two wordings; the generic one is what apps report for the admin flow
/// (USER_PASSWORD_AUTH names itself instead).
pub async fn flow_not_enabled_is_invalid_parameter(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    expect_error_message(
        "AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH on a client without that flow",
        admin_password_auth(&ctx, &client, &user.username, &user.password).await,
        "InvalidParameterException",
        "Auth flow not enabled for this client",
    )
}

/// Admin facts §1.12: USER_PASSWORD_AUTH belongs to InitiateAuth.
pub async fn user_password_auth_is_not_supported(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = admin_client(&ctx, &pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result: AdminAuthResult = ctx
        .cognito()
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &user.username)
        .auth_parameters("PASSWORD", &user.password)
        .with_secret_hash(client.secret_hash(&user.username))
        .send()
        .await;
    expect_error_message(
        "AdminInitiateAuth USER_PASSWORD_AUTH",
        result,
        "InvalidParameterException",
        "Initiate Auth method not supported.",
    )
}

/// Admin facts §2: InitiateAuth with a temporary password answers NEW_PASSWORD_REQUIRED.
pub async fn temporary_password_is_challenged(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, |b| b).await?;
    let challenge = start(&ctx, &client, &user).await?;
    check_challenge_parameters(&challenge.parameters, &user)
}

/// Admin facts §2: AdminInitiateAuth with a temporary password answers NEW_PASSWORD_REQUIRED.
pub async fn admin_temporary_password_is_challenged(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, |b| b).await?;
    let challenge = admin_start(&ctx, &client, &user).await?;
    check_challenge_parameters(&challenge.parameters, &user)
}

/// Admin facts §2: answering with NEW_PASSWORD gives tokens and marks the user confirmed; the
/// new password is the password from then on.
pub async fn new_password_answer_confirms_the_user(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, |b| b).await?;
    let challenge = start(&ctx, &client, &user).await?;
    let answered = answer(&ctx, &client, &user, &challenge.session, &[])
        .await
        .op("RespondToAuthChallenge NEW_PASSWORD_REQUIRED")?;
    ensure_eq!(
        answered.challenge_name,
        None,
        "ChallengeName after NEW_PASSWORD"
    );
    tokens(answered.authentication_result)?;
    ensure_eq!(
        status(&ctx, &client.user_pool_id, &user.username).await?,
        "CONFIRMED",
        "UserStatus after NEW_PASSWORD_REQUIRED"
    );
    ctx.sign_in(&client, &user.username, NEW_PASSWORD).await?;
    Ok(())
}

/// Admin facts §2 and §1.13: the same through AdminRespondToAuthChallenge.
pub async fn admin_new_password_answer_confirms_the_user(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, |b| b).await?;
    let challenge = admin_start(&ctx, &client, &user).await?;
    let answered = admin_answer(&ctx, &client, &user, &challenge.session, &[])
        .await
        .op("AdminRespondToAuthChallenge NEW_PASSWORD_REQUIRED")?;
    ensure_eq!(
        answered.challenge_name,
        None,
        "ChallengeName after NEW_PASSWORD"
    );
    tokens(answered.authentication_result)?;
    ensure_eq!(
        status(&ctx, &client.user_pool_id, &user.username).await?,
        "CONFIRMED",
        "UserStatus after NEW_PASSWORD_REQUIRED"
    );
    admin_sign_in(&ctx, &client, &user.username, NEW_PASSWORD).await?;
    Ok(())
}

/// Admin facts §0.7 and §2 (recorded CLI output, AdminRespondToAuthChallenge): an attribute
/// that already has a value can't be sent back.
pub async fn provided_attribute_cannot_be_resent(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, |b| b).await?;
    let challenge = admin_start(&ctx, &client, &user).await?;
    expect_error_message(
        "AdminRespondToAuthChallenge NEW_PASSWORD_REQUIRED re-sending userAttributes.email",
        admin_answer(
            &ctx,
            &client,
            &user,
            &challenge.session,
            &[("email", &user.email)],
        )
        .await,
        "NotAuthorizedException",
        "Cannot modify an already provided email",
    )
}

/// Admin facts §1.13 and §2 (same recorded log): a rejected answer uses up the session; the
/// next answer with it is refused and the user stays FORCE_CHANGE_PASSWORD.
pub async fn answered_session_cannot_be_answered_again(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, |b| b).await?;
    let challenge = admin_start(&ctx, &client, &user).await?;
    let rejected = admin_answer(
        &ctx,
        &client,
        &user,
        &challenge.session,
        &[("email", &user.email)],
    )
    .await;
    ensure!(
        rejected.is_err(),
        "re-sending userAttributes.email was accepted; the next step needs it refused"
    );
    expect_error_message(
        "AdminRespondToAuthChallenge with the session of a rejected answer",
        admin_answer(&ctx, &client, &user, &challenge.session, &[]).await,
        "NotAuthorizedException",
        SESSION_USED,
    )?;
    ensure_eq!(
        status(&ctx, &client.user_pool_id, &user.username).await?,
        "FORCE_CHANGE_PASSWORD",
        "UserStatus after the refused answers"
    );
    Ok(())
}

/// Admin facts §2 (recorded CLI output; DG): required attributes without a value are listed as
/// `userAttributes.<name>`. AdminCreateUser may leave them out (API reference, UserAttributes).
pub async fn missing_required_attribute_is_listed(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, requires_name).await?;
    let challenge = start(&ctx, &client, &user).await?;
    ensure_eq!(
        required_attributes(&challenge.parameters)?,
        vec!["userAttributes.name".to_owned()],
        "requiredAttributes in a pool requiring name"
    );
    Ok(())
}

/// Admin facts §2 (three recorded reports): the answer must supply every required attribute.
pub async fn answer_without_required_attribute_is_invalid(ctx: Ctx) -> Step {
    let (client, user) = invited(&ctx, requires_name).await?;
    let challenge = start(&ctx, &client, &user).await?;
    expect_error_message(
        "RespondToAuthChallenge NEW_PASSWORD_REQUIRED without the required name",
        answer(&ctx, &client, &user, &challenge.session, &[]).await,
        "InvalidParameterException",
        "Invalid attributes given, name is missing",
    )
}

/// Admin facts §1.12: AdminInitiateAuth takes REFRESH_TOKEN_AUTH too (SECRET_HASH over the username).
pub async fn admin_refresh_returns_new_tokens(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = admin_client(&ctx, &pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let first = admin_sign_in(&ctx, &client, &user.username, &user.password).await?;
    let refresh = present(first.refresh.clone(), "RefreshToken")?;
    let output = ctx
        .cognito()
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .with_secret_hash(client.secret_hash(&user.username))
        .send()
        .await
        .op("AdminInitiateAuth REFRESH_TOKEN_AUTH")?;
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

/// API reference, GetTokensFromRefreshToken: new ID and access tokens for the token's user
/// (a new refresh token only with rotation, which this client does not have).
pub async fn get_tokens_from_refresh_token_returns_new_tokens(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let first = ctx.sign_in(&client, &user.username, &user.password).await?;
    let output = ctx
        .cognito()
        .get_tokens_from_refresh_token()
        .client_id(&client.id)
        .set_client_secret(client.secret.clone())
        .refresh_token(present(first.refresh.clone(), "RefreshToken")?)
        .send()
        .await
        .op("GetTokensFromRefreshToken")?;
    let renewed = tokens(output.authentication_result)?;
    ensure!(
        renewed.access != first.access,
        "the refreshed access token is the old one"
    );
    let claims = ctx
        .verify_token(&client, &renewed.access, TokenUse::Access)
        .await?;
    ensure_eq!(
        claims.get("sub").and_then(Value::as_str),
        Some(user.sub.as_str()),
        "refreshed access token sub"
    );
    ctx.verify_token(&client, &renewed.id, TokenUse::Id).await?;
    Ok(())
}
