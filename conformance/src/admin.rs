//! Steps the admin-API scenarios share (admin facts §1–§4): an app client that allows
//! ADMIN_USER_PASSWORD_AUTH, users made by AdminCreateUser with a temporary password,
//! AdminInitiateAuth, and a user as AdminGetUser shows it. Like `ctx`, helpers assert only
//! what they need to go on.

use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::builders::AdminInitiateAuthFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::{
    AdminInitiateAuthError, AdminInitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, MessageActionType,
};

use crate::check::{fail, present, Call, Step};
use crate::ctx::{attribute, tokens, AppClient, Ctx, Tokens, User, WithSecretHash};

/// A temporary password that satisfies Cognito's default policy, distinct from `ctx::PASSWORD`.
pub const TEMPORARY_PASSWORD: &str = "Temp0rary-Pass!";

/// What `AdminInitiateAuth` returns through the SDK.
pub type AdminAuthResult = Result<AdminInitiateAuthOutput, SdkError<AdminInitiateAuthError>>;

/// ADMIN_USER_PASSWORD_AUTH, USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH with a generated secret:
/// a back end that signs users in with AdminInitiateAuth and lets them use InitiateAuth too.
pub fn admin_flows(
    builder: CreateUserPoolClientFluentBuilder,
) -> CreateUserPoolClientFluentBuilder {
    builder
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
}

/// An app client of `user_pool_id` with `admin_flows`.
pub async fn admin_client(ctx: &Ctx, user_pool_id: &str) -> Step<AppClient> {
    ctx.create_client(user_pool_id, admin_flows).await
}

/// AdminCreateUser with MessageAction SUPPRESS (nothing is sent), `TEMPORARY_PASSWORD`, an
/// `email` attribute and `extra` attributes. The user's status is FORCE_CHANGE_PASSWORD.
/// `User.sub` comes from the response's `sub` attribute.
pub async fn create_user(
    ctx: &Ctx,
    user_pool_id: &str,
    username: &str,
    email: &str,
    extra: &[(&str, &str)],
) -> Step<User> {
    let mut request = ctx
        .cognito()
        .admin_create_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .temporary_password(TEMPORARY_PASSWORD)
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", email));
    for (name, value) in extra {
        request = request.user_attributes(attribute(name, value));
    }
    let output = request.send().await.op("AdminCreateUser")?;
    let user = present(output.user, "AdminCreateUser User")?;
    let sub = present(
        value(user.attributes(), "sub").map(str::to_owned),
        "AdminCreateUser User.Attributes sub",
    )?;
    Ok(User {
        username: username.to_owned(),
        password: TEMPORARY_PASSWORD.to_owned(),
        email: email.to_owned(),
        sub,
    })
}

/// `create_user` with a unique username and e-mail and no other attributes.
pub async fn created_user(ctx: &Ctx, user_pool_id: &str) -> Step<User> {
    let (username, email) = (ctx.unique("user"), ctx.email());
    create_user(ctx, user_pool_id, &username, &email, &[]).await
}

/// AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH, with SECRET_HASH when the client has a secret; the raw result.
pub async fn admin_password_auth(
    ctx: &Ctx,
    client: &AppClient,
    username: &str,
    password: &str,
) -> AdminAuthResult {
    ctx.cognito()
        .admin_initiate_auth()
        .user_pool_id(&client.user_pool_id)
        .client_id(&client.id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .with_secret_hash(client.secret_hash(username))
        .send()
        .await
}

/// ADMIN_USER_PASSWORD_AUTH that must end in tokens.
pub async fn admin_sign_in(
    ctx: &Ctx,
    client: &AppClient,
    username: &str,
    password: &str,
) -> Step<Tokens> {
    let output = admin_password_auth(ctx, client, username, password)
        .await
        .op("AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH")?;
    if let Some(challenge) = output.challenge_name {
        return fail(format!(
            "AdminInitiateAuth answered a {challenge} challenge, expected tokens"
        ));
    }
    tokens(output.authentication_result)
}

/// AdminGetUser, which must succeed.
pub async fn get_user(ctx: &Ctx, user_pool_id: &str, username: &str) -> Step<AdminGetUserOutput> {
    ctx.cognito()
        .admin_get_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .send()
        .await
        .op("AdminGetUser")
}

/// The user's `UserStatus` as AdminGetUser shows it (`""` when absent).
pub async fn status(ctx: &Ctx, user_pool_id: &str, username: &str) -> Step<String> {
    let user = get_user(ctx, user_pool_id, username).await?;
    Ok(user
        .user_status
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default())
}

/// The value of attribute `name` in a list of attributes.
pub fn value<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.value.as_deref())
}

impl WithSecretHash for AdminInitiateAuthFluentBuilder {
    fn with_secret_hash(self, secret_hash: Option<String>) -> Self {
        match secret_hash {
            Some(hash) => self.auth_parameters("SECRET_HASH", hash),
            None => self,
        }
    }
}
