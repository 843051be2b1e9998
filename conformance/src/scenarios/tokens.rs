//! Tokens as a resource server sees them (JWKS, signature, claims) and as Cognito enforces them
//! (edited, expired and revoked tokens; wire facts §3 and §7.4).

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{TimeUnitsType, TokenValidityUnitsType};
use serde_json::Value;

use super::is_uuid;
use crate::check::{expect_error, expect_error_message, present, Call, Step, Stop};
use crate::ctx::{password_flows, AppClient, Ctx, Tokens, User};
use crate::jwt::{self, decode_unverified, TokenUse};
use crate::{ensure, ensure_eq};

/// The tutorial's client and a confirmed user, signed in.
async fn signed_in(ctx: &Ctx) -> Step<(AppClient, User, Tokens)> {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    Ok((client, user, tokens))
}

async fn get_user(
    ctx: &Ctx,
    access_token: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::get_user::GetUserOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::get_user::GetUserError,
    >,
> {
    ctx.cognito()
        .get_user()
        .access_token(access_token)
        .send()
        .await
}

fn text<'a>(claims: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

fn int(claims: &serde_json::Map<String, Value>, name: &str) -> Step<i64> {
    present(
        claims.get(name).and_then(Value::as_i64),
        &format!("integer claim {name}"),
    )
}

/// Wire facts §3.2: two RSA keys per pool, RS256, `use: sig`.
pub async fn jwks_has_two_rsa_signing_keys(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let keys = ctx.jwks(&pool).await?;
    ensure_eq!(keys.len(), 2, "number of keys in the pool's JWKS");
    for key in &keys {
        ensure!(
            key.kid.as_deref().is_some_and(|k| !k.is_empty())
                && key.kty.as_deref() == Some("RSA")
                && key.alg.as_deref() == Some("RS256")
                && key.key_use.as_deref() == Some("sig")
                && key.e.as_deref() == Some("AQAB")
                && key.n.is_some(),
            "JWK is not an RS256 signing key with kid, n and e=AQAB: {key:?}"
        );
    }
    ensure!(keys[0].kid != keys[1].kid, "the two keys share a kid");
    Ok(())
}

/// Wire facts §3.1: the access token's claims.
pub async fn access_token_verifies_like_a_resource_server(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx).await?;
    let claims = ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await?;
    ensure_eq!(
        text(&claims, "sub"),
        Some(user.sub.as_str()),
        "access token sub"
    );
    ensure_eq!(
        text(&claims, "username"),
        Some(user.username.as_str()),
        "access token username"
    );
    ensure!(
        text(&claims, "scope")
            .is_some_and(|s| s.split(' ').any(|x| x == "aws.cognito.signin.user.admin")),
        "access token scope {:?} lacks aws.cognito.signin.user.admin",
        claims.get("scope")
    );
    ensure!(
        !claims.contains_key("aud"),
        "access tokens carry client_id, not aud"
    );
    let (iat, exp, auth_time) = (
        int(&claims, "iat")?,
        int(&claims, "exp")?,
        int(&claims, "auth_time")?,
    );
    ensure_eq!(exp - iat, 3600, "access token exp - iat");
    ensure!(auth_time <= iat, "auth_time {auth_time} is after iat {iat}");
    for name in ["jti", "origin_jti", "event_id"] {
        ensure!(
            text(&claims, name).is_some_and(is_uuid),
            "access token {name} is {:?}, expected a UUID (token revocation is on by default)",
            claims.get(name)
        );
    }
    Ok(())
}

/// Wire facts §3.1: the ID token's claims, attribute values typed (`email_verified` a boolean).
pub async fn id_token_verifies_like_a_resource_server(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx).await?;
    let claims = ctx.verify_token(&client, &tokens.id, TokenUse::Id).await?;
    ensure_eq!(
        text(&claims, "sub"),
        Some(user.sub.as_str()),
        "ID token sub"
    );
    ensure_eq!(
        text(&claims, "cognito:username"),
        Some(user.username.as_str()),
        "ID token cognito:username"
    );
    ensure_eq!(
        text(&claims, "email"),
        Some(user.email.as_str()),
        "ID token email"
    );
    if let Some(verified) = claims.get("email_verified") {
        ensure!(
            verified.is_boolean(),
            "ID token email_verified is {verified}, expected a JSON boolean"
        );
    }
    ensure_eq!(
        int(&claims, "exp")? - int(&claims, "iat")?,
        3600,
        "ID token exp - iat"
    );
    // Different keys sign the two tokens.
    let (access_header, _) = decode_unverified(&tokens.access).map_err(Stop::Fail)?;
    let (id_header, _) = decode_unverified(&tokens.id).map_err(Stop::Fail)?;
    ensure!(
        access_header.get("kid") != id_header.get("kid"),
        "ID and access tokens are signed with the same kid; Cognito uses one key for each"
    );
    Ok(())
}

/// Wire facts §3.1: `auth_time` and `origin_jti` survive a refresh; `jti` does not.
pub async fn refreshed_tokens_keep_the_sign_in(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx).await?;
    let refresh = present(tokens.refresh.clone(), "RefreshToken")?;
    let output = ctx
        .refresh(&client, &refresh, &user.username)
        .await
        .op("InitiateAuth REFRESH_TOKEN_AUTH")?;
    let renewed = crate::ctx::tokens(output.authentication_result)?;
    let before = ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await?;
    let after = ctx
        .verify_token(&client, &renewed.access, TokenUse::Access)
        .await?;
    ctx.verify_token(&client, &renewed.id, TokenUse::Id).await?;
    ensure_eq!(
        after.get("auth_time"),
        before.get("auth_time"),
        "auth_time after a refresh"
    );
    ensure_eq!(
        after.get("origin_jti"),
        before.get("origin_jti"),
        "origin_jti after a refresh"
    );
    ensure!(
        after.get("jti") != before.get("jti"),
        "the refreshed access token reuses the jti"
    );
    get_user(&ctx, &renewed.access)
        .await
        .op("GetUser with the refreshed token")?;
    Ok(())
}

/// Wire facts §7.4: an edited token fails its signature, locally and at Cognito.
pub async fn edited_access_token_is_invalid(ctx: Ctx) -> Step {
    let (client, _, tokens) = signed_in(&ctx).await?;
    let forged = jwt::tamper(&tokens.access, |claims| {
        claims.insert("username".to_owned(), Value::from("someone-else"));
    })
    .map_err(Stop::Fail)?;
    let keys = ctx.jwks(&client.user_pool_id).await?;
    let issuer = ctx.target().expected_issuer(&client.user_pool_id);
    let expected = jwt::Expected {
        issuer: &issuer,
        token_use: TokenUse::Access,
        client_id: &client.id,
        now: ctx.target().now_secs(),
    };
    ensure!(
        jwt::verify(&forged, &keys, &expected).is_err(),
        "an edited token verified against the pool's JWKS"
    );
    expect_error_message(
        "GetUser with an edited access token",
        get_user(&ctx, &forged).await,
        "NotAuthorizedException",
        "Invalid Access Token",
    )?;
    expect_error_message(
        "GetUser with a string that is no JWT",
        get_user(&ctx, "not-a-token").await,
        "NotAuthorizedException",
        "Invalid Access Token",
    )
}

/// Wire facts §7.4: an ID token is not an access token.
pub async fn id_token_is_not_an_access_token(ctx: Ctx) -> Step {
    let (_, _, tokens) = signed_in(&ctx).await?;
    expect_error_message(
        "GetUser with an ID token",
        get_user(&ctx, &tokens.id).await,
        "NotAuthorizedException",
        "Invalid Access Token",
    )
}

/// Wire facts §7.4: 5 minutes is the shortest access-token validity (§3.3).
pub async fn expired_access_token_is_rejected(ctx: Ctx) -> Step {
    let wait = Duration::from_secs(5 * 60 + 30);
    ctx.require_time(wait)?;
    let pool = ctx.plain_pool().await?;
    let client = ctx
        .create_client(&pool, |b| {
            password_flows(b)
                .access_token_validity(5)
                .token_validity_units(
                    TokenValidityUnitsType::builder()
                        .access_token(TimeUnitsType::Minutes)
                        .build(),
                )
        })
        .await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    ctx.advance(wait).await?;
    match ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await
    {
        Err(Stop::Fail(reason)) if reason.contains("expired") => {}
        other => {
            return Err(Stop::Fail(format!(
                "a resource server should see the token as expired, got {other:?}"
            )))
        }
    }
    expect_error_message(
        "GetUser with an expired access token",
        get_user(&ctx, &tokens.access).await,
        "NotAuthorizedException",
        "Access Token has expired",
    )
}

/// Wire facts §3.4 (the message is not confirmed from a primary source, so only the code is checked);
/// 60 minutes is the shortest refresh-token validity (§3.3).
pub async fn expired_refresh_token_is_rejected(ctx: Ctx) -> Step {
    let wait = Duration::from_secs(61 * 60);
    ctx.require_time(wait)?;
    let pool = ctx.plain_pool().await?;
    let client = ctx
        .create_client(&pool, |b| {
            password_flows(b)
                .refresh_token_validity(60)
                .token_validity_units(
                    TokenValidityUnitsType::builder()
                        .refresh_token(TimeUnitsType::Minutes)
                        .build(),
                )
        })
        .await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    let refresh = present(tokens.refresh, "RefreshToken")?;
    ctx.advance(wait).await?;
    expect_error(
        "REFRESH_TOKEN_AUTH after the refresh token's validity",
        ctx.refresh(&client, &refresh, &user.username).await,
        "NotAuthorizedException",
        &[],
    )
}

/// Wire facts §7.4: GlobalSignOut revokes every access and refresh token of the user.
pub async fn global_sign_out_revokes_tokens(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx).await?;
    let refresh = present(tokens.refresh.clone(), "RefreshToken")?;
    ctx.cognito()
        .global_sign_out()
        .access_token(&tokens.access)
        .send()
        .await
        .op("GlobalSignOut")?;
    expect_error_message(
        "GetUser after GlobalSignOut",
        get_user(&ctx, &tokens.access).await,
        "NotAuthorizedException",
        "Access Token has been revoked",
    )?;
    expect_error_message(
        "REFRESH_TOKEN_AUTH after GlobalSignOut",
        ctx.refresh(&client, &refresh, &user.username).await,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    )
}

/// RevokeToken revokes the refresh token and the access tokens issued with it (API reference; wire facts §7.4).
pub async fn revoke_token_revokes_the_sign_in(ctx: Ctx) -> Step {
    let (client, user, tokens) = signed_in(&ctx).await?;
    let refresh = present(tokens.refresh.clone(), "RefreshToken")?;
    ctx.cognito()
        .revoke_token()
        .client_id(&client.id)
        .set_client_secret(client.secret.clone())
        .token(&refresh)
        .send()
        .await
        .op("RevokeToken")?;
    expect_error_message(
        "REFRESH_TOKEN_AUTH with a revoked refresh token",
        ctx.refresh(&client, &refresh, &user.username).await,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    )?;
    expect_error_message(
        "GetUser with an access token of the revoked sign-in",
        get_user(&ctx, &tokens.access).await,
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
}

/// RevokeToken takes refresh tokens only (API reference: UnsupportedTokenTypeException).
pub async fn revoke_token_refuses_access_tokens(ctx: Ctx) -> Step {
    let (client, _, tokens) = signed_in(&ctx).await?;
    let result = ctx
        .cognito()
        .revoke_token()
        .client_id(&client.id)
        .set_client_secret(client.secret.clone())
        .token(&tokens.access)
        .send()
        .await;
    expect_error(
        "RevokeToken with an access token",
        result,
        "UnsupportedTokenTypeException",
        &[],
    )
}

/// RevokeToken ends one sign-in; another sign-in of the same user goes on.
pub async fn revocation_leaves_other_sign_ins_alone(ctx: Ctx) -> Step {
    let (client, user, first) = signed_in(&ctx).await?;
    let second = ctx.sign_in(&client, &user.username, &user.password).await?;
    ctx.cognito()
        .revoke_token()
        .client_id(&client.id)
        .set_client_secret(client.secret.clone())
        .token(present(first.refresh.clone(), "RefreshToken")?)
        .send()
        .await
        .op("RevokeToken")?;
    get_user(&ctx, &second.access)
        .await
        .op("GetUser with the other sign-in's access token")?;
    let output = ctx
        .refresh(
            &client,
            &present(second.refresh, "RefreshToken")?,
            &user.username,
        )
        .await
        .op("REFRESH_TOKEN_AUTH with the other sign-in's refresh token")?;
    crate::ctx::tokens(output.authentication_result)?;
    Ok(())
}
