//! Signatures and credentials (admin facts §5, §6): what AWS refuses before any Cognito logic
//! runs (a wrong secret, an unknown key, a stale signature, a foreign region, a forged session
//! token), and the tutorial's admin path through STS: GetSessionToken, then admin calls signed
//! with the session credentials.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::Region;
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_async::time::TimeSource;

use crate::check::{expect_error, expect_error_message, fail, present, Call, Step, Stop};
use crate::ctx::Ctx;
use crate::{ensure, ensure_eq};

/// Admin facts §5.1, recorded on AdminInitiateAuth, AdminCreateUser and AdminGetUser.
const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
/// Admin facts §5.1, recorded on AdminInitiateAuth and ListUsers.
const INVALID_TOKEN: &str = "The security token included in the request is invalid.";
/// Admin facts §5.1 (JSON services' wording).
const EXPIRED_TOKEN: &str = "The security token included in the request is expired";
/// Admin facts §6.3.
const SESSION_CALLS_GET_SESSION_TOKEN: &str =
    "Cannot call GetSessionToken with session credentials";

/// The credentials the target's client signs with.
async fn base_credentials(ctx: &Ctx) -> Step<Credentials> {
    let provider = present(
        ctx.target().sdk_config().credentials_provider(),
        "the target's credentials provider",
    )?;
    provider
        .provide_credentials()
        .await
        .map_err(|e| Stop::Fail(format!("resolving the target's credentials: {e}")))
}

/// Long-term credentials, or SKIP: GetSessionToken refuses temporary ones.
async fn long_term_credentials(ctx: &Ctx) -> Step<Credentials> {
    let credentials = base_credentials(ctx).await?;
    if credentials.session_token().is_some() {
        return Err(Stop::Skip(
            "the configured credentials are temporary; GetSessionToken needs long-term keys"
                .to_owned(),
        ));
    }
    Ok(credentials)
}

/// A cognito-idp client like the target's, signing with `credentials`, without retries (so a
/// refusal is seen as it is, not after the SDK's clock-skew retry).
fn cognito_as(ctx: &Ctx, credentials: Credentials) -> Client {
    let config = aws_sdk_cognitoidentityprovider::config::Builder::from(ctx.target().sdk_config())
        .credentials_provider(credentials)
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

fn sts_as(ctx: &Ctx, credentials: Credentials) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::config::Builder::from(ctx.target().sdk_config())
        .credentials_provider(credentials)
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

fn with_secret(base: &Credentials, secret: &str) -> Credentials {
    Credentials::new(
        base.access_key_id(),
        secret,
        base.session_token().map(str::to_owned),
        None,
        "conformance",
    )
}

/// Session credentials from GetSessionToken with the target's long-term keys.
async fn session_credentials(ctx: &Ctx, seconds: i32) -> Step<Credentials> {
    let base = long_term_credentials(ctx).await?;
    let output = sts_as(ctx, base)
        .get_session_token()
        .duration_seconds(seconds)
        .send()
        .await
        .op("GetSessionToken")?;
    let issued = present(output.credentials, "GetSessionToken Credentials")?;
    Ok(Credentials::new(
        issued.access_key_id(),
        issued.secret_access_key(),
        Some(issued.session_token().to_owned()),
        None,
        "conformance-session",
    ))
}

/// A cheap signed call.
async fn list_pools(
    client: &Client,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::list_user_pools::ListUserPoolsOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::list_user_pools::ListUserPoolsError,
        aws_sdk_cognitoidentityprovider::config::http::HttpResponse,
    >,
> {
    client.list_user_pools().max_results(1).send().await
}

pub async fn wrong_secret_is_invalid_signature(ctx: Ctx) -> Step {
    let base = base_credentials(&ctx).await?;
    let client = cognito_as(
        &ctx,
        with_secret(&base, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    );
    expect_error_message(
        "ListUserPools",
        list_pools(&client).await,
        "InvalidSignatureException",
        SIGNATURE_MISMATCH,
    )
}

pub async fn unknown_access_key_is_unrecognized_client(ctx: Ctx) -> Step {
    // The documentation's example pair: well-formed, and nobody's key.
    let unknown = Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "conformance",
    );
    expect_error_message(
        "ListUserPools",
        list_pools(&cognito_as(&ctx, unknown)).await,
        "UnrecognizedClientException",
        INVALID_TOKEN,
    )
}

/// A clock `behind` the real one.
#[derive(Debug)]
struct Behind(Duration);

impl TimeSource for Behind {
    fn now(&self) -> SystemTime {
        SystemTime::now() - self.0
    }
}

/// Admin facts §5.1: `Signature expired: {X-Amz-Date} is now earlier than {now − 5 min} ({now} - 5 min.)`.
pub async fn stale_signature_is_refused(ctx: Ctx) -> Step {
    let config = aws_sdk_cognitoidentityprovider::config::Builder::from(ctx.target().sdk_config())
        .time_source(Behind(Duration::from_secs(600)))
        .retry_config(RetryConfig::disabled())
        .build();
    let client = Client::from_conf(config);
    let err = match list_pools(&client).await {
        Ok(_) => return fail("ListUserPools signed ten minutes ago succeeded"),
        Err(err) => err,
    };
    use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
    ensure_eq!(err.code(), Some("InvalidSignatureException"), "error code");
    let message = err.message().unwrap_or_default();
    ensure!(
        message.starts_with("Signature expired: ") && message.ends_with(" - 5 min.)"),
        "message {message:?} should read \"Signature expired: … is now earlier than … (… - 5 min.)\""
    );
    Ok(())
}

/// Admin facts §0.1: on a skew error the Rust SDK re-signs with the time of the answer's `Date`
/// header, so a client whose clock is ten minutes slow still gets through, provided the server
/// sends real time in `Date` (even when its own clock was moved forward).
pub async fn slow_client_clock_is_corrected_from_the_date_header(ctx: Ctx) -> Step {
    let config = aws_sdk_cognitoidentityprovider::config::Builder::from(ctx.target().sdk_config())
        .time_source(Behind(Duration::from_secs(600)))
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .build();
    list_pools(&Client::from_conf(config))
        .await
        .op("ListUserPools from a client ten minutes slow")?;
    Ok(())
}

pub async fn foreign_region_in_the_scope_is_refused(ctx: Ctx) -> Step {
    let target = ctx.target();
    let other = if target.region() == "eu-west-3" {
        "eu-west-2"
    } else {
        "eu-west-3"
    };
    let endpoint = target
        .endpoint_url()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("https://cognito-idp.{}.amazonaws.com", target.region()));
    let config = aws_sdk_cognitoidentityprovider::config::Builder::from(target.sdk_config())
        .region(Region::new(other))
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::disabled())
        .build();
    expect_error_message(
        "ListUserPools",
        list_pools(&Client::from_conf(config)).await,
        "InvalidSignatureException",
        &format!("Credential should be scoped to a valid region, not '{other}'. "),
    )
}

pub async fn session_credentials_sign_admin_calls(ctx: Ctx) -> Step {
    let before = ctx.target().now_secs();
    let base = long_term_credentials(&ctx).await?;
    let output = sts_as(&ctx, base)
        .get_session_token()
        .duration_seconds(900)
        .send()
        .await
        .op("GetSessionToken")?;
    let issued = present(output.credentials, "GetSessionToken Credentials")?;
    // Admin facts §6.3: temporary keys start with ASIA.
    ensure!(
        issued.access_key_id().starts_with("ASIA"),
        "AccessKeyId {:?} should start with ASIA",
        issued.access_key_id()
    );
    let expires = issued.expiration().secs();
    ensure!(
        (before + 900 - 60..=ctx.target().now_secs() + 900 + 60).contains(&expires),
        "Expiration {expires} should be 900 s after {before}"
    );
    let session = Credentials::new(
        issued.access_key_id(),
        issued.secret_access_key(),
        Some(issued.session_token().to_owned()),
        None,
        "conformance-session",
    );
    list_pools(&cognito_as(&ctx, session))
        .await
        .op("ListUserPools with session credentials")?;
    Ok(())
}

pub async fn get_session_token_refuses_session_credentials(ctx: Ctx) -> Step {
    let session = session_credentials(&ctx, 900).await?;
    expect_error_message(
        "GetSessionToken",
        sts_as(&ctx, session).get_session_token().send().await,
        "AccessDenied",
        SESSION_CALLS_GET_SESSION_TOKEN,
    )
}

pub async fn forged_session_token_is_unrecognized(ctx: Ctx) -> Step {
    let session = session_credentials(&ctx, 900).await?;
    let token = present(session.session_token(), "session token")?;
    let middle = token.len() / 2;
    let replacement = if &token[middle..middle + 4] == "AAAA" {
        "BBBB"
    } else {
        "AAAA"
    };
    let forged = format!("{}{replacement}{}", &token[..middle], &token[middle + 4..]);
    let credentials = Credentials::new(
        session.access_key_id(),
        session.secret_access_key(),
        Some(forged),
        None,
        "conformance-forged",
    );
    expect_error_message(
        "ListUserPools",
        list_pools(&cognito_as(&ctx, credentials)).await,
        "UnrecognizedClientException",
        INVALID_TOKEN,
    )
}

/// Admin facts §6.3: boto3 refuses 600 itself, the Rust SDK sends it and STS answers this.
pub async fn session_shorter_than_900_seconds_is_validation_error(ctx: Ctx) -> Step {
    let base = long_term_credentials(&ctx).await?;
    expect_error_message(
        "GetSessionToken",
        sts_as(&ctx, base).get_session_token().duration_seconds(600).send().await,
        "ValidationError",
        "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    )
}

pub async fn caller_identity_is_kept_by_session_credentials(ctx: Ctx) -> Step {
    let base = long_term_credentials(&ctx).await?;
    let identity = sts_as(&ctx, base)
        .get_caller_identity()
        .send()
        .await
        .op("GetCallerIdentity")?;
    let account = present(identity.account(), "Account")?.to_owned();
    let arn = present(identity.arn(), "Arn")?.to_owned();
    ensure!(
        account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
        "Account {account:?} should be 12 digits"
    );
    ensure!(
        arn == format!("arn:aws:iam::{account}:root")
            || arn.starts_with(&format!("arn:aws:iam::{account}:user/")),
        "Arn {arn:?} of long-term keys should be the account's root or an IAM user"
    );
    let session = session_credentials(&ctx, 900).await?;
    let again = sts_as(&ctx, session)
        .get_caller_identity()
        .send()
        .await
        .op("GetCallerIdentity with session credentials")?;
    ensure_eq!(
        again.arn(),
        Some(arn.as_str()),
        "Arn with GetSessionToken's credentials"
    );
    ensure_eq!(
        again.user_id(),
        identity.user_id(),
        "UserId with GetSessionToken's credentials"
    );
    Ok(())
}

pub async fn sts_wrong_secret_is_signature_does_not_match(ctx: Ctx) -> Step {
    let base = base_credentials(&ctx).await?;
    let sts = sts_as(
        &ctx,
        with_secret(&base, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    );
    expect_error(
        "GetCallerIdentity",
        sts.get_caller_identity().send().await,
        "SignatureDoesNotMatch",
        &[SIGNATURE_MISMATCH],
    )
}

pub async fn expired_session_credentials_are_refused(ctx: Ctx) -> Step {
    ctx.require_time(Duration::from_secs(901))?;
    let session = session_credentials(&ctx, 900).await?;
    ctx.advance(Duration::from_secs(901)).await?;
    expect_error_message(
        "ListUserPools",
        list_pools(&cognito_as(&ctx, session)).await,
        "ExpiredTokenException",
        EXPIRED_TOKEN,
    )
}
