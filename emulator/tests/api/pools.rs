//! User pools: create, describe, update, delete, list, custom attributes, MFA config.

use serde_json::{json, Value};

use crate::support::Harness;

fn attr<'a>(pool: &'a Value, name: &str) -> &'a Value {
    pool["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
}

#[tokio::test]
async fn create_user_pool_returns_aws_shaped_pool_with_defaults() {
    let h = Harness::new();
    let out = h
        .call("CreateUserPool", json!({"PoolName": "p"}))
        .await
        .ok();
    let pool = &out["UserPool"];
    let id = pool["Id"].as_str().unwrap();
    // Wire facts §1.4/§10.5: `{region}_{9 alphanumerics}`, the shape aws-jwt-verify requires.
    let (region, rest) = id.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(rest.len(), 9);
    assert!(rest.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(pool["Name"], "p");
    assert_eq!(
        pool["Arn"],
        format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{id}")
    );
    // AWS's default password policy: 8 characters, every class, 7-day temporary passwords.
    assert_eq!(
        pool["Policies"]["PasswordPolicy"],
        json!({"MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true,
               "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7})
    );
    assert_eq!(pool["MfaConfiguration"], "OFF");
    assert_eq!(pool["DeletionProtection"], "INACTIVE");
    assert_eq!(pool["EstimatedNumberOfUsers"], 0);
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        false
    );
    assert!(
        pool["CreationDate"].is_number(),
        "timestamps are epoch-second numbers (wire facts §2.2)"
    );
    assert_eq!(pool["CreationDate"], 1_700_000_000.0);
    // The standard schema (Cognito developer guide, "Standard attributes").
    assert_eq!(pool["SchemaAttributes"].as_array().unwrap().len(), 20);
    let sub = attr(pool, "sub");
    assert_eq!(sub["Mutable"], false);
    assert_eq!(sub["Required"], true);
    assert_eq!(
        sub["StringAttributeConstraints"],
        json!({"MinLength": "1", "MaxLength": "2048"})
    );
    assert_eq!(attr(pool, "email_verified")["AttributeDataType"], "Boolean");
    assert_eq!(attr(pool, "updated_at")["AttributeDataType"], "Number");
    assert!(pool.get("UsernameAttributes").is_none());
}

#[tokio::test]
async fn describe_returns_what_create_stored() {
    let h = Harness::new();
    let id = h
        .create_pool(json!({
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": false},
            "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireNumbers": true}},
            "Schema": [
                {"Name": "email", "AttributeDataType": "String", "Required": true},
                {"Name": "tenant", "AttributeDataType": "String", "Mutable": true,
                 "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}}
            ],
            "DeletionProtection": "ACTIVE",
            "EmailVerificationSubject": "Your code",
            "UserPoolTags": {"team": "auth"},
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]}
        }))
        .await;
    let out = h
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await
        .ok();
    let pool = &out["UserPool"];
    assert_eq!(pool["UsernameAttributes"], json!(["email"]));
    assert_eq!(pool["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(
        pool["UsernameConfiguration"],
        json!({"CaseSensitive": false})
    );
    let policy = &pool["Policies"]["PasswordPolicy"];
    assert_eq!(policy["MinimumLength"], 12);
    assert_eq!(policy["RequireNumbers"], true);
    assert_eq!(policy["RequireSymbols"], false);
    assert_eq!(attr(pool, "email")["Required"], true);
    // AWS prefixes custom attributes with `custom:`.
    let tenant = attr(pool, "custom:tenant");
    assert_eq!(tenant["StringAttributeConstraints"]["MaxLength"], "64");
    assert_eq!(pool["DeletionProtection"], "ACTIVE");
    assert_eq!(pool["EmailVerificationSubject"], "Your code");
    assert_eq!(pool["UserPoolTags"], json!({"team": "auth"}));
    assert_eq!(
        pool["AccountRecoverySetting"]["RecoveryMechanisms"][0]["Name"],
        "verified_email"
    );
}

#[tokio::test]
async fn username_and_alias_attributes_cannot_both_be_set() {
    let h = Harness::new();
    h.call(
        "CreateUserPool",
        json!({"PoolName": "p", "UsernameAttributes": ["email"], "AliasAttributes": ["email"]}),
    )
    .await
    .err("InvalidParameterException");
}

#[tokio::test]
async fn password_minimum_length_is_bounded_by_the_model() {
    let h = Harness::new();
    let reply = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}}),
        )
        .await;
    reply
        .err("InvalidParameterException")
        .msg("1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6");
}

#[tokio::test]
async fn required_custom_attributes_are_refused() {
    let h = Harness::new();
    h.call(
        "CreateUserPool",
        json!({"PoolName": "p", "Schema": [{"Name": "x", "AttributeDataType": "String", "Required": true}]}),
    )
    .await
    .err("InvalidParameterException");
}

#[tokio::test]
async fn update_user_pool_replaces_settings_and_resets_omitted_ones() {
    let h = Harness::new();
    let id = h
        .create_pool(
            json!({"EmailVerificationSubject": "old", "AutoVerifiedAttributes": ["email"]}),
        )
        .await;
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": id, "Policies": {"PasswordPolicy": {"MinimumLength": 10}}, "DeletionProtection": "ACTIVE"}),
    )
    .await
    .ok();
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await
        .ok()["UserPool"]
        .clone();
    assert_eq!(pool["Policies"]["PasswordPolicy"]["MinimumLength"], 10);
    assert_eq!(pool["DeletionProtection"], "ACTIVE");
    // AWS: omitted settings return to their defaults on update.
    assert!(pool.get("EmailVerificationSubject").is_none());
    assert!(pool.get("AutoVerifiedAttributes").is_none());
    assert_eq!(pool["Name"], "test-pool");
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": "us-east-1_missing12"}),
    )
    .await
    .err("ResourceNotFoundException");
}

#[tokio::test]
async fn delete_user_pool_respects_deletion_protection() {
    let h = Harness::new();
    let id = h.create_pool(json!({"DeletionProtection": "ACTIVE"})).await;
    h.call("DeleteUserPool", json!({"UserPoolId": id}))
        .await
        .err("InvalidParameterException");
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": id, "DeletionProtection": "INACTIVE"}),
    )
    .await
    .ok();
    h.call("DeleteUserPool", json!({"UserPoolId": id}))
        .await
        .ok();
    h.call("DescribeUserPool", json!({"UserPoolId": id}))
        .await
        .err("ResourceNotFoundException")
        .msg(&format!("User pool {id} does not exist."));
    h.call("DeleteUserPool", json!({"UserPoolId": id}))
        .await
        .err("ResourceNotFoundException");
}

#[tokio::test]
async fn deleting_a_pool_deletes_its_clients() {
    let h = Harness::new();
    let id = h.create_pool(json!({})).await;
    let (client, _) = h.create_client(&id, json!({})).await;
    h.call("DeleteUserPool", json!({"UserPoolId": id}))
        .await
        .ok();
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": client, "Username": "u", "Password": "Passw0rd!"}),
    )
    .await
    .err("ResourceNotFoundException");
}

#[tokio::test]
async fn list_user_pools_paginates_with_next_token() {
    let h = Harness::new();
    let mut created = Vec::new();
    for _ in 0..5 {
        created.push(h.create_pool(json!({})).await);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({"MaxResults": 2});
        if let Some(t) = &token {
            body["NextToken"] = json!(t);
        }
        let out = h.call("ListUserPools", body).await.ok();
        pages += 1;
        let page = out["UserPools"].as_array().unwrap();
        assert!(page.len() <= 2);
        for p in page {
            assert!(p["CreationDate"].is_number());
            assert!(p["LambdaConfig"].is_object());
            seen.push(p["Id"].as_str().unwrap().to_owned());
        }
        match out.get("NextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    created.sort();
    assert_eq!(seen, created);
    h.call("ListUserPools", json!({"MaxResults": 61}))
        .await
        .err("InvalidParameterException");
    h.call(
        "ListUserPools",
        json!({"MaxResults": 2, "NextToken": "!!!"}),
    )
    .await
    .err("InvalidParameterException");
}

#[tokio::test]
async fn add_custom_attributes_prefixes_and_refuses_duplicates() {
    let h = Harness::new();
    let id = h.create_pool(json!({})).await;
    h.call(
        "AddCustomAttributes",
        json!({"UserPoolId": id, "CustomAttributes": [{"Name": "plan", "AttributeDataType": "String"}]}),
    )
    .await
    .ok();
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await
        .ok()["UserPool"]
        .clone();
    assert_eq!(attr(&pool, "custom:plan")["AttributeDataType"], "String");
    h.call(
        "AddCustomAttributes",
        json!({"UserPoolId": id, "CustomAttributes": [{"Name": "plan", "AttributeDataType": "String"}]}),
    )
    .await
    .err("InvalidParameterException");
    h.call(
        "AddCustomAttributes",
        json!({"UserPoolId": "us-east-1_missing12", "CustomAttributes": [{"Name": "x"}]}),
    )
    .await
    .err("ResourceNotFoundException");
}

#[tokio::test]
async fn mfa_config_round_trips() {
    let h = Harness::new();
    let id = h.create_pool(json!({})).await;
    let out = h
        .call("GetUserPoolMfaConfig", json!({"UserPoolId": id}))
        .await
        .ok();
    assert_eq!(out["MfaConfiguration"], "OFF");
    // MFA on with no factor is refused.
    h.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": id, "MfaConfiguration": "ON"}),
    )
    .await
    .err("InvalidParameterException");
    let out = h
        .call(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": id, "SoftwareTokenMfaConfiguration": {"Enabled": true}, "MfaConfiguration": "OPTIONAL"}),
        )
        .await
        .ok();
    assert_eq!(out["SoftwareTokenMfaConfiguration"]["Enabled"], true);
    assert_eq!(out["MfaConfiguration"], "OPTIONAL");
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": id}))
        .await
        .ok();
    assert_eq!(pool["UserPool"]["MfaConfiguration"], "OPTIONAL");
}

#[tokio::test]
async fn jwks_is_served_for_existing_pools_only() {
    use axum::body::Body;
    use axum::http::Request;
    let h = Harness::new();
    let id = h.create_pool(json!({})).await;
    let reply = h
        .raw(
            Request::get(format!("/{id}/.well-known/jwks.json"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let keys = reply.body["keys"].as_array().unwrap();
    // Wire facts §3.2: two RSA keys per pool, RS256, use sig.
    assert_eq!(keys.len(), 2);
    for k in keys {
        assert_eq!(k["kty"], "RSA");
        assert_eq!(k["alg"], "RS256");
        assert_eq!(k["use"], "sig");
        assert_eq!(k["e"], "AQAB");
    }
    assert_ne!(keys[0]["kid"], keys[1]["kid"]);
    let missing = h
        .raw(
            Request::get("/us-east-1_missing12/.well-known/jwks.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(missing.status.as_u16(), 404);
    assert_eq!(missing.body["__type"], "ResourceNotFoundException");
}
