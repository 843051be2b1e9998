//! The official AWS SDK for Rust against `serve` on port 0: it must not be able to tell us from Cognito.

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{DeletionProtectionType, ExplicitAuthFlowsType};
use aws_sdk_cognitoidentityprovider::Client;
use emulator::{Config, Running, SystemClock};

async fn sdk_client(endpoint: &str) -> Client {
    let creds = aws_credential_types::Credentials::new("test", "test", None, None, "test");
    let conf = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
        .region(aws_sdk_cognitoidentityprovider::config::Region::new(
            "us-east-1",
        ))
        .credentials_provider(creds)
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(conf)
}

#[tokio::test]
async fn sdk_manages_pools_and_clients() {
    let running = Running::start(Config::for_tests(), Arc::new(SystemClock))
        .await
        .unwrap();
    let client = sdk_client(&running.endpoint()).await;

    let pool = client
        .create_user_pool()
        .pool_name("sdk-pool")
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let pool_id = pool.id.unwrap();
    assert!(
        pool.creation_date.is_some(),
        "the SDK parsed our epoch-second timestamp"
    );

    let described = client
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool.unwrap().name.as_deref(),
        Some("sdk-pool")
    );

    let listed = client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert!(listed
        .user_pools()
        .iter()
        .any(|p| p.id.as_deref() == Some(pool_id.as_str())));

    client
        .update_user_pool()
        .user_pool_id(&pool_id)
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();

    let app = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("sdk-client")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let client_id = app.client_id.unwrap();
    assert!(app.client_secret.is_some());

    let described = client
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(described.explicit_auth_flows().len(), 2);

    client
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .client_name("renamed")
        .send()
        .await
        .unwrap();
    let clients = client
        .list_user_pool_clients()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        clients.user_pool_clients()[0].client_name.as_deref(),
        Some("renamed")
    );

    // Deletion protection is on: the SDK sees a modeled InvalidParameterException.
    let err = client
        .delete_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_invalid_parameter_exception(),
        "{err:?}"
    );

    client
        .delete_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    client
        .update_user_pool()
        .user_pool_id(&pool_id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    client
        .delete_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn sdk_reads_our_errors_as_the_right_variants() {
    let running = Running::start(Config::for_tests(), Arc::new(SystemClock))
        .await
        .unwrap();
    let client = sdk_client(&running.endpoint()).await;

    let err = client
        .describe_user_pool()
        .user_pool_id("us-east-1_missing12")
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().unwrap();
    assert!(service.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        service.message(),
        Some("User pool us-east-1_missing12 does not exist.")
    );

    let err = client
        .describe_user_pool()
        .user_pool_id("not-a-pool-id")
        .send()
        .await
        .unwrap_err();
    let service = err.as_service_error().unwrap();
    assert!(service.is_invalid_parameter_exception(), "{err:?}");
    assert!(service
        .message()
        .unwrap()
        .starts_with("1 validation error detected: "));

    // An operation the emulator does not implement: a non-retryable error with its code, quickly.
    let err = client
        .describe_risk_configuration()
        .user_pool_id("us-east-1_missing12")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UnsupportedOperationException"), "{err:?}");
}

/// The tutorial's sequence through the AWS SDK for Rust: sign-up with SECRET_HASH, confirm with
/// the code from the outbox, sign in, change the password, sign in again, refresh, delete.
#[tokio::test]
async fn sdk_runs_the_tutorial_account_flow() {
    use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
    let running = Running::start(Config::for_tests(), Arc::new(SystemClock))
        .await
        .unwrap();
    let sdk = sdk_client(&running.endpoint()).await;
    let pool = sdk
        .create_user_pool()
        .pool_name("tutorial")
        .username_attributes(aws_sdk_cognitoidentityprovider::types::UsernameAttributeType::Email)
        .auto_verified_attributes(
            aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email,
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let app = sdk
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("tutorial")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let (client_id, secret) = (app.client_id.unwrap(), app.client_secret.unwrap());
    let email = "tutorial@example.com";
    let hash = |u: &str| crate::support::secret_hash(&secret, u, &client_id);

    let signed_up = sdk
        .sign_up()
        .client_id(&client_id)
        .secret_hash(hash(email))
        .username(email)
        .password("Passw0rd!")
        .send()
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed);

    // Wrong SECRET_HASH: the SDK sees NotAuthorizedException.
    let err = sdk
        .sign_up()
        .client_id(&client_id)
        .secret_hash(hash("someone@else.com"))
        .username(email)
        .password("Passw0rd!")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception(),
        "{err:?}"
    );

    let code = running
        .state
        .outbox
        .list(Some(&pool), Some(email), running.state.clock.now())
        .pop()
        .unwrap()
        .code;
    let err = sdk
        .confirm_sign_up()
        .client_id(&client_id)
        .secret_hash(hash(email))
        .username(email)
        .confirmation_code(if code == "000000" { "111111" } else { "000000" })
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error().unwrap().is_code_mismatch_exception(),
        "{err:?}"
    );
    sdk.confirm_sign_up()
        .client_id(&client_id)
        .secret_hash(hash(email))
        .username(email)
        .confirmation_code(code)
        .send()
        .await
        .unwrap();

    let sign_in = |password: &'static str| {
        sdk.initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&client_id)
            .auth_parameters("USERNAME", email)
            .auth_parameters("PASSWORD", password)
            .auth_parameters("SECRET_HASH", hash(email))
            .send()
    };
    let err = sign_in("WrongPass1!").await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_not_authorized_exception(),
        "{err:?}"
    );
    let tokens = sign_in("Passw0rd!")
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let access = tokens.access_token.unwrap();
    sdk.change_password()
        .access_token(&access)
        .previous_password("Passw0rd!")
        .proposed_password("N3wPassw0rd!")
        .send()
        .await
        .unwrap();
    let tokens = sign_in("N3wPassw0rd!")
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let user = sdk
        .get_user()
        .access_token(tokens.access_token.clone().unwrap())
        .send()
        .await
        .unwrap();
    let refreshed = sdk
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(&client_id)
        .auth_parameters("REFRESH_TOKEN", tokens.refresh_token.unwrap())
        .auth_parameters("SECRET_HASH", hash(&user.username))
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(refreshed.refresh_token.is_none());
    sdk.delete_user()
        .access_token(refreshed.access_token.unwrap())
        .send()
        .await
        .unwrap();
    let err = sign_in("N3wPassw0rd!").await.unwrap_err();
    assert!(
        err.as_service_error()
            .unwrap()
            .is_user_not_found_exception(),
        "{err:?}"
    );
}

/// The tutorial's admin path through the official SDKs: STS GetSessionToken with the built-in
/// pair, then cognito-idp admin calls signed with the session credentials (admin facts §6.4).
/// The Rust STS client parses our XML, and the emulator verifies its signatures (strict mode).
#[tokio::test]
async fn sdk_session_credentials_from_sts_sign_admin_calls() {
    use aws_sdk_sts::error::ProvideErrorMetadata as _;
    let config = Config {
        strict_credentials: true,
        ..Config::for_tests()
    };
    let running = Running::start(config, Arc::new(SystemClock)).await.unwrap();
    let sts_config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .endpoint_url(running.endpoint())
        .build();
    let sts = aws_sdk_sts::Client::from_conf(sts_config);

    let identity = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(identity.arn(), Some("arn:aws:iam::123456789012:root"));
    assert_eq!(identity.account(), Some("123456789012"));

    let issued = sts
        .get_session_token()
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    assert!(issued.access_key_id().starts_with("ASIA"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Root: one hour (admin facts §6.3).
    assert!((issued.expiration().secs() - (now + 3600)).abs() <= 5);

    let session = aws_credential_types::Credentials::new(
        issued.access_key_id(),
        issued.secret_access_key(),
        Some(issued.session_token().to_owned()),
        None,
        "sts",
    );
    let conf = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
        .region(aws_sdk_cognitoidentityprovider::config::Region::new(
            "us-east-1",
        ))
        .credentials_provider(session)
        .endpoint_url(running.endpoint())
        .build();
    let admin = Client::from_conf(conf);
    admin
        .create_user_pool()
        .pool_name("via-sts")
        .send()
        .await
        .unwrap();

    // The Rust SDK sends what boto3 refuses client-side; the server answers (admin facts §6.3).
    let err = sts
        .get_session_token()
        .duration_seconds(600)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));
}

/// Admin facts §0.1: the Rust SDK corrects its clock from the `Date` header, so `Date` must be
/// real time even after the emulator's clock moved.
#[tokio::test]
async fn date_header_is_real_time_after_the_clock_moves() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let clock = Arc::new(emulator::OffsetClock::default());
    let running = Running::start(Config::for_tests(), clock.clone())
        .await
        .unwrap();
    emulator::Clock::advance(clock.as_ref(), std::time::Duration::from_secs(86_400));
    let mut stream = tokio::net::TcpStream::connect(running.addr).await.unwrap();
    stream
        .write_all(b"GET /_emulator/clock HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let date = response
        .lines()
        .find_map(|l| l.strip_prefix("date: "))
        .unwrap_or_else(|| panic!("no Date header: {response}"));
    // IMF-fixdate (RFC 9110 §5.6.7): `Wed, 02 Dec 2026 03:40:00 GMT`.
    let fields: Vec<&str> = date.split([' ', ':']).collect();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == fields[2])
    .unwrap() as u32
        + 1;
    let when = emulator::Timestamp::from_utc(emulator::clock::UtcDateTime {
        year: fields[3].parse().unwrap(),
        month,
        day: fields[1].parse().unwrap(),
        hour: fields[4].parse().unwrap(),
        minute: fields[5].parse().unwrap(),
        second: fields[6].parse().unwrap(),
    })
    .unwrap();
    let wall = emulator::Clock::now(&SystemClock);
    assert!(
        (when.secs() - wall.secs()).abs() <= 5,
        "Date {date} should be the wall clock, not the emulator's (a day ahead)"
    );
}
