//! Software-token (TOTP) MFA (wire facts §6): a user associates and verifies an authenticator,
//! turns it on, and signs in with its code. Codes come from `emulator::crypto::totp`, which
//! reproduces RFC 6238's vectors; pyotp does the same in the Python walkthrough.

use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};
use emulator::crypto::totp;

use crate::check::{expect_error_message, fail, present, Call, Step};
use crate::ctx::{tokens, AppClient, Ctx, RespondResult, User};
use crate::ensure_eq;

/// A pool allowing TOTP with MFA OPTIONAL, and a user who enrolled an authenticator and turned
/// it on. Returns the client, the user and the authenticator's secret.
async fn enrolled_user(ctx: &Ctx) -> Step<(AppClient, User, Vec<u8>)> {
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
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let access = ctx
        .sign_in(&client, &user.username, &user.password)
        .await?
        .access;
    let associated = ctx
        .cognito()
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .op("AssociateSoftwareToken")?;
    let code = present(associated.secret_code, "SecretCode")?;
    let Some(secret) = totp::secret_from_code(&code) else {
        return fail(format!("SecretCode {code:?} is not base32"));
    };
    let now = ctx.target().now_secs().max(0) as u64;
    let verified = ctx
        .cognito()
        .verify_software_token()
        .access_token(&access)
        .user_code(totp::code_at(&secret, now))
        .friendly_device_name("conformance")
        .send()
        .await
        .op("VerifySoftwareToken")?;
    ensure_eq!(
        verified.status.as_ref().map(|s| s.as_str()),
        Some("SUCCESS"),
        "VerifySoftwareToken Status"
    );
    ctx.cognito()
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .op("SetUserMFAPreference")?;
    Ok((client, user, secret))
}

/// Signs in with the password, expects SOFTWARE_TOKEN_MFA with a Session, and answers it with
/// `code(now)` (the target's time, in epoch seconds); the raw answer.
async fn sign_in_with_code(
    ctx: &Ctx,
    client: &AppClient,
    user: &User,
    code: impl FnOnce(u64) -> String,
) -> Step<RespondResult> {
    let started = ctx
        .password_auth(client, &user.username, &user.password)
        .await
        .op("InitiateAuth USER_PASSWORD_AUTH")?;
    ensure_eq!(
        started.challenge_name.as_ref().map(|c| c.as_str()),
        Some("SOFTWARE_TOKEN_MFA"),
        "ChallengeName"
    );
    let session = present(started.session, "Session")?;
    let now = ctx.target().now_secs().max(0) as u64;
    let mut answer = ctx
        .cognito()
        .respond_to_auth_challenge()
        .client_id(&client.id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", &user.username)
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code(now));
    if let Some(hash) = client.secret_hash(&user.username) {
        answer = answer.challenge_responses("SECRET_HASH", hash);
    }
    Ok(answer.send().await)
}

/// §6: after the password, SOFTWARE_TOKEN_MFA with a Session; the authenticator's code (of the
/// next 30-second window, which Cognito accepts) gives tokens.
pub async fn software_token_sign_in(ctx: Ctx) -> Step {
    let (client, user, secret) = enrolled_user(&ctx).await?;
    let answered = sign_in_with_code(&ctx, &client, &user, |now| totp::code_at(&secret, now + 30))
        .await?
        .op("RespondToAuthChallenge SOFTWARE_TOKEN_MFA")?;
    tokens(answered.authentication_result)?;
    Ok(())
}

/// §6 and §7.1: a wrong code is `CodeMismatchException: Invalid code or auth state for the user.`
pub async fn wrong_software_token_code_is_code_mismatch(ctx: Ctx) -> Step {
    let (client, user, secret) = enrolled_user(&ctx).await?;
    // A code of a window far from now (or, should it collide with a valid one, zeros).
    let wrong = |now: u64| {
        let valid: Vec<String> = (0..3)
            .map(|i| totp::code_at(&secret, now + 30 * i - 30))
            .collect();
        let far = totp::code_at(&secret, now + 30 * 1000);
        if valid.contains(&far) {
            "000000".to_owned()
        } else {
            far
        }
    };
    expect_error_message(
        "RespondToAuthChallenge SOFTWARE_TOKEN_MFA with a wrong code",
        sign_in_with_code(&ctx, &client, &user, wrong).await?,
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    )
}
