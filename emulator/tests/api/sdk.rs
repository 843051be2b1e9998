//! The official AWS SDK for Rust against `serve` on port 0: it must not be able to tell us from Cognito.

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{DeletionProtectionType, ExplicitAuthFlowsType};
use aws_sdk_cognitoidentityprovider::Client;
use emulator::{Config, Running, SystemClock};

async fn sdk_client(endpoint: &str) -> Client {
    let creds = aws_credential_types::Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
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
