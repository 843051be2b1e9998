//! App clients: create, describe, update, delete, list; ids and secrets; token settings.

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, TimeUnitsType, TokenValidityUnitsType,
};

use super::unknown_client_id;
use crate::check::{expect_error_message, present, Call, Step};
use crate::ctx::{password_flows, Ctx};
use crate::jwt::TokenUse;
use crate::{ensure, ensure_eq};

pub async fn create_describe_update_delete(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let described = ctx
        .cognito()
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .send()
        .await
        .op("DescribeUserPoolClient")?;
    let described = present(described.user_pool_client, "UserPoolClient")?;
    ensure_eq!(
        described.client_id.as_deref(),
        Some(client.id.as_str()),
        "ClientId"
    );
    ensure_eq!(
        described.user_pool_id.as_deref(),
        Some(pool.as_str()),
        "UserPoolId"
    );
    let flows: BTreeSet<&str> = described
        .explicit_auth_flows()
        .iter()
        .map(|f| f.as_str())
        .collect();
    ensure_eq!(
        flows,
        BTreeSet::from(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]),
        "ExplicitAuthFlows"
    );
    ctx.cognito()
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .client_name("renamed")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .op("UpdateUserPoolClient")?;
    let listed = ctx
        .cognito()
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .send()
        .await
        .op("ListUserPoolClients")?;
    let names: Vec<Option<&str>> = listed
        .user_pool_clients()
        .iter()
        .map(|c| c.client_name.as_deref())
        .collect();
    ensure_eq!(
        names,
        vec![Some("renamed")],
        "client names listed after the rename"
    );
    ctx.cognito()
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .send()
        .await
        .op("DeleteUserPoolClient")?;
    Ok(())
}

/// Wire facts §10.5: client ids are 26 lowercase alphanumerics; secrets fit the model's `[\w+]+`, 24–64.
pub async fn generated_secret_and_id_look_like_aws(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let with_secret = ctx.password_client(&pool).await?;
    ensure!(
        with_secret.id.len() == 26
            && with_secret
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "client id {:?} is not 26 lowercase alphanumerics",
        with_secret.id
    );
    let secret = present(
        with_secret.secret.clone(),
        "ClientSecret of a client created with GenerateSecret",
    )?;
    ensure!(
        (24..=64).contains(&secret.len())
            && secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+'),
        "client secret {secret:?} does not fit [\\w+]+ of 24 to 64 characters"
    );
    let described = ctx
        .cognito()
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&with_secret.id)
        .send()
        .await
        .op("DescribeUserPoolClient")?;
    ensure_eq!(
        described.user_pool_client.and_then(|c| c.client_secret),
        Some(secret),
        "ClientSecret from DescribeUserPoolClient"
    );
    let without = ctx.create_client(&pool, |b| b).await?;
    ensure_eq!(
        without.secret,
        None,
        "ClientSecret of a client created without GenerateSecret"
    );
    Ok(())
}

/// Wire facts §7.4.
pub async fn unknown_client_is_resource_not_found(ctx: Ctx) -> Step {
    let id = unknown_client_id();
    let result = ctx
        .cognito()
        .initiate_auth()
        .client_id(&id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("PASSWORD", crate::ctx::PASSWORD)
        .send()
        .await;
    expect_error_message(
        "InitiateAuth with an unknown client",
        result,
        "ResourceNotFoundException",
        &format!("User pool client {id} does not exist."),
    )
}

pub async fn deleted_client_is_resource_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.create_client(&pool, |b| b).await?;
    ctx.cognito()
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .send()
        .await
        .op("DeleteUserPoolClient")?;
    let result = ctx
        .cognito()
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .send()
        .await;
    expect_error_message(
        "DescribeUserPoolClient after DeleteUserPoolClient",
        result,
        "ResourceNotFoundException",
        &format!("User pool client {} does not exist.", client.id),
    )
}

/// ListUserPoolClients pages with NextToken/MaxResults (wire facts §1.4).
pub async fn list_user_pool_clients_paginates(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let mut mine = BTreeSet::new();
    for _ in 0..3 {
        mine.insert(ctx.create_client(&pool, |b| b).await?.id);
    }
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    for page in 0.. {
        ensure!(page < 10, "ListUserPoolClients never stopped paginating");
        let output = ctx
            .cognito()
            .list_user_pool_clients()
            .user_pool_id(&pool)
            .max_results(1)
            .set_next_token(next.take())
            .send()
            .await
            .op("ListUserPoolClients")?;
        let clients = output.user_pool_clients();
        ensure!(
            clients.len() <= 1,
            "ListUserPoolClients MaxResults=1 returned {} clients",
            clients.len()
        );
        seen.extend(clients.iter().filter_map(|c| c.client_id.clone()));
        match output.next_token {
            Some(token) if !token.is_empty() => next = Some(token),
            _ => break,
        }
    }
    let seen_set: BTreeSet<String> = seen.iter().cloned().collect();
    ensure_eq!(
        seen.len(),
        seen_set.len(),
        "clients listed (duplicates across pages)"
    );
    ensure_eq!(seen_set, mine, "clients listed across the pages");
    Ok(())
}

/// Wire facts §1.5: EnableTokenRevocation defaults to true for new clients.
pub async fn token_revocation_is_on_by_default(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.create_client(&pool, |b| b).await?;
    let described = ctx
        .cognito()
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client.id)
        .send()
        .await
        .op("DescribeUserPoolClient")?;
    ensure_eq!(
        described
            .user_pool_client
            .and_then(|c| c.enable_token_revocation),
        Some(true),
        "EnableTokenRevocation of a new client"
    );
    Ok(())
}

/// Wire facts §3.1/§3.3: `ExpiresIn` and `exp - iat` follow the client's validity and units.
pub async fn token_validity_follows_the_client(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx
        .create_client(&pool, |b| {
            password_flows(b)
                .access_token_validity(5)
                .id_token_validity(10)
                .token_validity_units(
                    TokenValidityUnitsType::builder()
                        .access_token(TimeUnitsType::Minutes)
                        .id_token(TimeUnitsType::Minutes)
                        .build(),
                )
        })
        .await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    ensure_eq!(
        tokens.expires_in,
        300,
        "AuthenticationResult.ExpiresIn for a 5-minute access token"
    );
    for (token, token_use, seconds) in [
        (&tokens.access, TokenUse::Access, 300),
        (&tokens.id, TokenUse::Id, 600),
    ] {
        let claims = ctx.verify_token(&client, token, token_use).await?;
        let span =
            claims["exp"].as_i64().unwrap_or_default() - claims["iat"].as_i64().unwrap_or_default();
        ensure_eq!(
            span,
            seconds,
            format!("exp - iat of the {token_use:?} token")
        );
    }
    Ok(())
}
