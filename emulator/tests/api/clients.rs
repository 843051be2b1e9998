//! App clients: create, describe, update, delete, list.

use serde_json::{json, Value};

use crate::support::Harness;

#[tokio::test]
async fn create_client_has_aws_shaped_ids_and_defaults() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let out = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "web", "GenerateSecret": true}),
        )
        .await
        .ok();
    let c = &out["UserPoolClient"];
    let id = c["ClientId"].as_str().unwrap();
    // Wire facts §10.5: 26 lowercase alphanumerics.
    assert_eq!(id.len(), 26);
    assert!(id
        .chars()
        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit()));
    // ClientSecretType: 24–64 characters of [\w+] (model).
    let secret = c["ClientSecret"].as_str().unwrap();
    assert!((24..=64).contains(&secret.len()));
    assert!(secret
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '+'));
    assert_eq!(c["UserPoolId"], pool);
    assert_eq!(c["ClientName"], "web");
    // API reference: refresh tokens default to 30 days; EnableTokenRevocation defaults to true;
    // AuthSessionValidity defaults to 3 minutes; omitted flows mean the documented default set.
    assert_eq!(c["RefreshTokenValidity"], 30);
    assert_eq!(c["EnableTokenRevocation"], true);
    assert_eq!(c["AuthSessionValidity"], 3);
    assert_eq!(
        c["ExplicitAuthFlows"],
        json!([
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH"
        ])
    );
    assert_eq!(c["PreventUserExistenceErrors"], "LEGACY");
    assert_eq!(c["AllowedOAuthFlowsUserPoolClient"], false);
    assert!(c["CreationDate"].is_number());
}

#[tokio::test]
async fn client_without_secret_has_none() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let (_, secret) = h.create_client(&pool, json!({})).await;
    assert!(secret.is_none());
}

#[tokio::test]
async fn legacy_and_allow_flows_cannot_be_mixed() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    h.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await
    .err("InvalidParameterException");
    h.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_BOGUS"]}),
    )
    .await
    .err("InvalidParameterException");
}

#[tokio::test]
async fn token_validity_bounds_and_units() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    // Access tokens: 5 minutes to 1 day (API reference); the real message is
    // "Invalid range for token validity." (recorded by several public projects).
    for bad in [
        json!({"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}}),
        json!({"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}}),
        json!({"IdTokenValidity": 25}),
        json!({"RefreshTokenValidity": 3651}),
        json!({"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}}),
    ] {
        let mut body = json!({"UserPoolId": pool, "ClientName": "c"});
        crate::support::merge(&mut body, bad.clone());
        h.call("CreateUserPoolClient", body)
            .await
            .err("InvalidParameterException")
            .msg("Invalid range for token validity.");
    }
    let out = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "AccessTokenValidity": 15, "IdTokenValidity": 2,
                   "RefreshTokenValidity": 7,
                   "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"}}),
        )
        .await
        .ok();
    let c = &out["UserPoolClient"];
    assert_eq!(c["AccessTokenValidity"], 15);
    assert_eq!(c["IdTokenValidity"], 2);
    assert_eq!(c["RefreshTokenValidity"], 7);
    assert_eq!(
        c["TokenValidityUnits"],
        json!({"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"})
    );
}

#[tokio::test]
async fn read_and_write_attributes_must_exist() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let ok = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c", "ReadAttributes": ["email", "email_verified"], "WriteAttributes": ["email"]}),
        )
        .await
        .ok();
    assert_eq!(
        ok["UserPoolClient"]["ReadAttributes"],
        json!(["email", "email_verified"])
    );
    h.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "ReadAttributes": ["custom:nope"]}),
    )
    .await
    .err("InvalidParameterException")
    .msg("Invalid read attributes specified while creating a client");
    h.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "WriteAttributes": ["sub"]}),
    )
    .await
    .err("InvalidParameterException")
    .msg("Invalid write attributes specified while creating a client");
}

#[tokio::test]
async fn describe_update_delete_client() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let (client, secret) = h
        .create_client(
            &pool,
            json!({"GenerateSecret": true, "CallbackURLs": ["https://example.com/cb"]}),
        )
        .await;
    let out = h
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client}),
        )
        .await
        .ok();
    assert_eq!(
        out["UserPoolClient"]["ClientSecret"].as_str(),
        secret.as_deref()
    );
    assert_eq!(
        out["UserPoolClient"]["CallbackURLs"],
        json!(["https://example.com/cb"])
    );

    let out = h
        .call(
            "UpdateUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": client, "ClientName": "renamed",
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                   "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": false}),
        )
        .await
        .ok();
    let c = &out["UserPoolClient"];
    assert_eq!(c["ClientName"], "renamed");
    assert_eq!(
        c["ClientSecret"].as_str(),
        secret.as_deref(),
        "update keeps the secret"
    );
    assert_eq!(
        c["ExplicitAuthFlows"],
        json!(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );
    assert_eq!(c["PreventUserExistenceErrors"], "ENABLED");
    assert_eq!(c["EnableTokenRevocation"], false);
    // Omitted on update: back to no callback URLs.
    assert!(c.get("CallbackURLs").is_none());

    h.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await
    .ok();
    h.call(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await
    .err("ResourceNotFoundException")
    .msg(&format!("User pool client {client} does not exist."));
    h.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await
    .err("ResourceNotFoundException");
    h.call(
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await
    .err("ResourceNotFoundException");
}

#[tokio::test]
async fn client_operations_on_a_missing_pool() {
    let h = Harness::new();
    h.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": "us-east-1_missing12", "ClientName": "c"}),
    )
    .await
    .err("ResourceNotFoundException")
    .msg("User pool us-east-1_missing12 does not exist.");
    h.call(
        "ListUserPoolClients",
        json!({"UserPoolId": "us-east-1_missing12"}),
    )
    .await
    .err("ResourceNotFoundException");
}

#[tokio::test]
async fn list_clients_paginates() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(h.create_client(&pool, json!({})).await.0);
    }
    created.sort();
    let first = h
        .call(
            "ListUserPoolClients",
            json!({"UserPoolId": pool, "MaxResults": 2}),
        )
        .await
        .ok();
    let token = first["NextToken"].as_str().unwrap().to_owned();
    let second = h
        .call(
            "ListUserPoolClients",
            json!({"UserPoolId": pool, "MaxResults": 2, "NextToken": token}),
        )
        .await
        .ok();
    assert!(second.get("NextToken").is_none());
    let ids: Vec<String> = first["UserPoolClients"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["UserPoolClients"].as_array().unwrap())
        .map(|c: &Value| {
            assert_eq!(c["UserPoolId"], pool);
            assert_eq!(c["ClientName"], "test-client");
            c["ClientId"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids, created);
}
