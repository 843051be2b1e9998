//! InitiateAuth USER_SRP_AUTH and RespondToAuthChallenge PASSWORD_VERIFIER (wire facts §5):
//! the client proves it knows the password without sending it. The client side is
//! `emulator::crypto::srp::client`, which reproduces pycognito's known-answer signatures.

use super::{is_uuid, INCORRECT_CREDENTIALS};
use crate::check::{expect_error_message, Call, Step};
use crate::ctx::{new_srp_client, srp_flows, tokens, Ctx};
use crate::jwt::TokenUse;
use crate::{ensure, ensure_eq};

/// §5.2: PASSWORD_VERIFIER with SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP and USERNAME;
/// in a pool where users sign in with their e-mail address, USER_ID_FOR_SRP is the internal
/// username (the sub), not the address; a correct proof gives tokens that verify.
pub async fn user_srp_auth_signs_in(ctx: Ctx) -> Step {
    let pool = ctx.email_pool().await?;
    let client = ctx.create_client(&pool, srp_flows).await?;
    let user = ctx.confirmed_user(&client, true).await?;
    let srp = new_srp_client();
    let started = ctx
        .srp_auth(&client, &user.username, &srp)
        .await
        .op("InitiateAuth USER_SRP_AUTH")?;
    ensure_eq!(
        started.challenge_name.as_ref().map(|c| c.as_str()),
        Some("PASSWORD_VERIFIER"),
        "ChallengeName"
    );
    let challenge = started.challenge_parameters.unwrap_or_default();
    let mut keys: Vec<&str> = challenge.keys().map(String::as_str).collect();
    keys.sort_unstable();
    ensure_eq!(
        keys,
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ],
        "ChallengeParameters"
    );
    let user_id = &challenge["USER_ID_FOR_SRP"];
    ensure!(
        is_uuid(user_id),
        "USER_ID_FOR_SRP should be the internal username (a sub), got {user_id:?}"
    );
    ensure_eq!(&challenge["USERNAME"], user_id, "USERNAME");

    let answered = ctx
        .srp_answer(&client, &user.username, &srp, &challenge, &user.password)
        .await?
        .op("RespondToAuthChallenge PASSWORD_VERIFIER")?;
    ensure_eq!(
        answered.challenge_name,
        None,
        "ChallengeName after the proof"
    );
    let tokens = tokens(answered.authentication_result)?;
    let claims = ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await?;
    ensure_eq!(
        claims.get("username").and_then(|v| v.as_str()),
        Some(user_id.as_str()),
        "access token username"
    );
    Ok(())
}

/// §5.2 step 5: a proof made with another password fails like a wrong password (§7.1).
pub async fn wrong_password_proof_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.create_client(&pool, srp_flows).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let srp = new_srp_client();
    let started = ctx
        .srp_auth(&client, &user.username, &srp)
        .await
        .op("InitiateAuth USER_SRP_AUTH")?;
    let challenge = started.challenge_parameters.unwrap_or_default();
    let answered = ctx
        .srp_answer(&client, &user.username, &srp, &challenge, "Wr0ng-Password!")
        .await?;
    expect_error_message(
        "RespondToAuthChallenge with a proof of a wrong password",
        answered,
        "NotAuthorizedException",
        INCORRECT_CREDENTIALS,
    )
}
