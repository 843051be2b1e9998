//! Tests of the schema and the validator; expected messages come from real AWS responses
//! (see the module docs of `schema` for each source).

use super::*;
use serde_json::json;

fn check(op: &str, body: Value) -> Result<(), ValidationError> {
    let s = Schema::get();
    let info = s
        .operation(op)
        .unwrap_or_else(|| panic!("no operation {op}"));
    s.validate(info, &body)
}

fn invalid(op: &str, body: Value) -> String {
    match check(op, body) {
        Err(ValidationError::InvalidParameter(m)) => m,
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

fn serialization(op: &str, body: Value) -> String {
    match check(op, body) {
        Err(ValidationError::Serialization(m)) => m,
        other => panic!("expected Serialization, got {other:?}"),
    }
}

const CLIENT: &str = "26lowercasealnumchars00000";

#[test]
fn operation_counts_and_auth() {
    let s = Schema::get();
    assert_eq!(s.operation_names().count(), 153);
    let names: Vec<&str> = s.operation_names().collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let unsigned: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| s.operation(n).unwrap().unsigned)
        .collect();
    assert_eq!(unsigned.len(), 34);
    assert!(s.operation("SignUp").unwrap().unsigned);
    assert!(!s.operation("CreateUserPool").unwrap().unsigned);
    let init = s.operation("InitiateAuth").unwrap();
    assert_eq!(init.name, "InitiateAuth");
    assert!(init
        .documented_errors
        .iter()
        .any(|e| e == "NotAuthorizedException"));
    assert!(s.operation("NoSuchOperation").is_none());
}

#[test]
fn all_patterns_compile_and_are_full_match() {
    let s = Schema::get();
    assert_eq!(s.patterns.len(), 47);
    // Every pattern compiles (they compile lazily at run time, so this is where a bad one shows).
    for p in &s.patterns {
        p.matcher();
    }
    // Full-match semantics: a pattern without anchors must not match a substring.
    let pool = s
        .patterns
        .iter()
        .find(|p| p.source == r"[\w-]+_[0-9a-zA-Z]+")
        .unwrap();
    assert!(pool.matcher().is_match("us-east-1_AbC123"));
    assert!(!pool.matcher().is_match("us-east-1_AbC123!"));
    assert!(!pool.matcher().is_match("string"));
    // Java's \w is ASCII-only.
    assert!(!pool.matcher().is_match("us-east-1_Äb"));
    assert!(!pool.matcher().is_match("é_1"));
    // The look-behind pattern.
    let lb = s
        .patterns
        .iter()
        .find(|p| p.source.contains("(?<!"))
        .unwrap();
    assert!(lb.matcher().is_match("abc.def"));
    assert!(!lb.matcher().is_match("abc."));
    // [\S]+ : Java \s is ASCII, so a non-breaking space is a non-space.
    let nonspace = s.patterns.iter().find(|p| p.source == r"[\S]+").unwrap();
    assert!(nonspace.matcher().is_match("a\u{a0}b"));
    assert!(!nonspace.matcher().is_match("a b"));
    assert!(!nonspace.matcher().is_match(""));
    // Java's `.` does not match \r.
    let braces = s
        .patterns
        .iter()
        .find(|p| p.source == r".*\{####\}.*")
        .unwrap();
    assert!(braces.matcher().is_match("code {####} here"));
    assert!(!braces.matcher().is_match("code\r{####}"));
    let dotall = s.patterns.iter().find(|p| p.source == "(?s).*").unwrap();
    assert!(dotall.matcher().is_match("a\r\nb"));
}

/// The 128-bit tables must agree with the regex engine (the reference: the translated Java
/// pattern) on every ASCII character, on non-ASCII characters and on the empty string.
#[test]
fn class_tables_agree_with_the_regex_engine() {
    let s = Schema::get();
    let mut samples: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
    for other in [
        "", "é", "\u{85}", "\u{a0}", "\u{2028}", "日本", "😀", "aé", "é_", "ab", "a b", "A-_=.",
    ] {
        samples.push(other.to_owned());
    }
    let mut tables = Vec::new();
    for p in &s.patterns {
        let Matcher::Class(_) = p.matcher() else {
            continue;
        };
        tables.push(p.source.as_str());
        let regex = java_regex::compile_java_regex(&p.source);
        for sample in &samples {
            assert_eq!(
                p.matcher().is_match(sample),
                regex.is_match(sample).unwrap(),
                "{:?} on {sample:?}",
                p.source
            );
        }
    }
    // The access and refresh tokens' pattern, checked on every token-bearing call, is a table.
    assert!(tables.contains(&"[A-Za-z0-9-_=.]+"), "{tables:?}");
    assert!(tables.contains(&r"[\x21\x23-\x5B\x5D-\x7E]+"), "{tables:?}");
    assert!(tables.contains(&r"[\S]+"), "{tables:?}");
    // Unicode properties and anything beyond one class go to the engine.
    assert!(!tables.iter().any(|t| t.contains(r"\p{")), "{tables:?}");
    assert_eq!(tables.len(), 17, "{tables:?}");
    // Forms Java reads otherwise, or refuses, never become tables.
    for other in [
        "[a]b]+",
        "[]+",
        "[^]+",
        "[]*",
        "[a-z]+b",
        "[[a]]+",
        "[\\p{L}]+",
        "[a&&b]+",
    ] {
        assert!(java_regex::CharClass::parse(other).is_none(), "{other}");
    }
}

#[test]
fn java_regex_translation() {
    assert_eq!(translate_java_regex(r"[\w-]+"), "[A-Za-z0-9_-]+");
    assert_eq!(translate_java_regex(r"\w+"), "[A-Za-z0-9_]+");
    assert_eq!(translate_java_regex(r"[\S]+"), r"[[^\t\n\x0B\x0C\r ]]+");
    assert_eq!(translate_java_regex(r"^[^\s]+$"), r"^[^\t\n\x0B\x0C\r ]+$");
    assert_eq!(translate_java_regex(r"\p{L}\d"), r"\p{L}[0-9]");
    assert_eq!(translate_java_regex("(?s).*"), "(?s).*");
    assert_eq!(translate_java_regex(r"[.]\."), r"[.]\.");
}

#[test]
fn missing_required_member() {
    assert_eq!(
        invalid("ListUserPools", json!({})),
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
    );
    // JSON null counts as absent.
    assert_eq!(
        invalid("ListUserPools", json!({"MaxResults": null})),
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
    );
    assert!(check("ListUserPools", json!({"MaxResults": 10})).is_ok());
}

#[test]
fn user_pool_id_pattern_real_message() {
    assert_eq!(
        invalid("DescribeUserPool", json!({"UserPoolId": "string"})),
        r"1 validation error detected: Value 'string' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    );
    assert!(check(
        "DescribeUserPool",
        json!({"UserPoolId": "us-east-1_AbC123"})
    )
    .is_ok());
}

#[test]
fn sensitive_value_is_omitted() {
    let long = "a".repeat(257);
    assert_eq!(
        invalid("SignUp", json!({"ClientId": CLIENT, "Username": "bob", "Password": long})),
        "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"
    );
    // `null` is still printed for a sensitive member.
    assert_eq!(
        invalid(
            "ConfirmForgotPassword",
            json!({"ClientId": CLIENT, "Username": "bob", "ConfirmationCode": "123456"})
        ),
        "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null"
    );
}

/// Real Cognito answers to ConfirmForgotPassword with one blank member (a public Gherkin
/// suite run against a real pool): sensitive ClientId/Username hide the value, the
/// non-sensitive ConfirmationCode shows `''`; pattern before min length.
#[test]
fn real_confirm_forgot_password_blank_members() {
    let base = json!({"ClientId": CLIENT, "Username": "testuser@gmail.com",
                      "ConfirmationCode": "12345", "Password": "Password@1234"});
    let with = |k: &str| {
        let mut b = base.clone();
        b[k] = json!("");
        invalid("ConfirmForgotPassword", b)
    };
    assert_eq!(
        with("ClientId"),
        r"2 validation errors detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+; Value at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        with("Username"),
        r"2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+; Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        with("ConfirmationCode"),
        r"2 validation errors detected: Value '' at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+; Value '' at 'confirmationCode' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert!(check("ConfirmForgotPassword", base).is_ok());
}

/// The real message was `Value 'Aaaa' at 'userCode' ...`; the model now marks
/// SoftwareTokenMFAUserCodeType sensitive, so the value is left out. Same two errors,
/// same order, plural, `; ` join.
#[test]
fn two_errors_plural_and_joined() {
    assert_eq!(
        invalid("VerifySoftwareToken", json!({"UserCode": "Aaaa"})),
        "2 validation errors detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+; Value at 'userCode' failed to satisfy constraint: Member must have length greater than or equal to 6"
    );
    assert!(check("VerifySoftwareToken", json!({"UserCode": "123456"})).is_ok());
}

#[test]
fn enum_values_in_model_order() {
    assert_eq!(
        invalid("InitiateAuth", json!({"AuthFlow": "FOO", "ClientId": CLIENT})),
        "1 validation error detected: Value 'FOO' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
    );
    assert!(check(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT})
    )
    .is_ok());
}

#[test]
fn integer_range() {
    assert_eq!(
        invalid("ListUserPools", json!({"MaxResults": 0})),
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert_eq!(
        invalid("ListUserPools", json!({"MaxResults": 61})),
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"
    );
    assert!(check("ListUserPools", json!({"MaxResults": 60})).is_ok());
    assert!(check("ListUserPools", json!({"MaxResults": 1})).is_ok());
}

#[test]
fn nested_list_path() {
    let name = "n".repeat(33);
    assert_eq!(
        invalid(
            "SignUp",
            json!({"ClientId": CLIENT, "Username": "bob",
                   "UserAttributes": [{"Name": "email", "Value": "a@b.c"}, {"Name": name, "Value": "x"}]})
        ),
        format!("1 validation error detected: Value '{name}' at 'userAttributes.2.member.name' failed to satisfy constraint: Member must have length less than or equal to 32")
    );
    assert_eq!(
        invalid(
            "SignUp",
            json!({"ClientId": CLIENT, "Username": "bob", "UserAttributes": [{"Name": name}]})
        ),
        format!("1 validation error detected: Value '{name}' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32")
    );
    // A missing required member inside a list element.
    assert_eq!(
        invalid("SignUp", json!({"ClientId": CLIENT, "Username": "bob", "UserAttributes": [{"Value": "x"}]})),
        "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn member_order_across_the_body() {
    // Policies comes after PoolName in the model, so its error follows.
    let msg = invalid(
        "CreateUserPool",
        json!({"Policies": {"PasswordPolicy": {"MinimumLength": 5}}, "PoolName": "p!"}),
    );
    assert_eq!(
        msg,
        "2 validation errors detected: Value 'p!' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+; Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"
    );
}

#[test]
fn scalar_list_elements_are_reported_as_one_error() {
    let msg = invalid(
        "CreateUserPoolClient",
        json!({"UserPoolId": "us-east-1_abc", "ClientName": "c",
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"]}),
    );
    assert_eq!(
        msg,
        "1 validation error detected: Value '[ALLOW_USER_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH, ALLOW_TOKEN_EXCHANGE_DELEGATION, ALLOW_TOKEN_EXCHANGE_IMPERSONATION]]"
    );
    let msg = invalid(
        "CreateUserPoolClient",
        json!({"UserPoolId": "us-east-1_abc", "ClientName": "c", "CallbackURLs": ["https://ok", "has space"]}),
    );
    assert_eq!(
        msg,
        "1 validation error detected: Value '[https://ok, has space]' at 'callbackURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+]"
    );
}

#[test]
fn map_keys_and_values() {
    let long_key = "k".repeat(129);
    let msg = invalid(
        "TagResource",
        json!({"ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
               "Tags": {long_key.clone(): "v"}}),
    );
    assert_eq!(
        msg,
        format!("1 validation error detected: Value '{{{long_key}=v}}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
    );
    let long_val = "v".repeat(257);
    let msg = invalid(
        "TagResource",
        json!({"ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
               "Tags": {"k": long_val}}),
    );
    assert_eq!(
        msg,
        format!("1 validation error detected: Value '{{k={long_val}}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")
    );
    // A map value of the wrong JSON type.
    assert_eq!(
        serialization(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": {"USERNAME": 5}})
        ),
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
    );
}

#[test]
fn unknown_members_ignored() {
    assert!(check(
        "ListUserPools",
        json!({"MaxResults": 5, "Bogus": {"x": [1, 2]}, "maxResults": "not checked"})
    )
    .is_ok());
}

#[test]
fn wrong_json_types_are_serialization_errors() {
    assert_eq!(
        serialization("ListUserPools", json!({"MaxResults": "10"})),
        "class java.lang.String can not be converted to an Integer"
    );
    // Real Cognito (amplify-js #5165): an object where a string is expected.
    assert_eq!(
        serialization(
            "ConfirmForgotPassword",
            json!({"ClientId": CLIENT, "Username": "u", "ConfirmationCode": {"verificationCode": "1"}, "Password": "p"})
        ),
        "Start of structure or map found where not expected."
    );
    assert_eq!(
        serialization("DescribeUserPool", json!({"UserPoolId": 12})),
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
    );
    assert_eq!(
        serialization(
            "SignUp",
            json!({"ClientId": CLIENT, "Username": "u", "UserAttributes": {"Name": "x"}})
        ),
        "Start of structure or map found where not expected."
    );
    assert_eq!(
        serialization(
            "SignUp",
            json!({"ClientId": CLIENT, "Username": "u", "UserAttributes": "x"})
        ),
        "Expected list or null"
    );
    assert_eq!(
        serialization("ListUserPools", json!({"MaxResults": 1.5})),
        "1.5 at 'maxResults' can not be converted to an Integer"
    );
    assert!(check("ListUserPools", json!({"MaxResults": 5.0})).is_ok());
    assert!(matches!(
        check("ListUserPools", json!([1])),
        Err(ValidationError::Serialization(_))
    ));
    assert!(matches!(
        check("ListUserPools", json!("x")),
        Err(ValidationError::Serialization(_))
    ));
    assert!(matches!(
        check("ListUserPools", Value::Null),
        Err(ValidationError::Serialization(_))
    ));
    // A type error wins over constraint errors found before it.
    assert!(matches!(
        check("SignUp", json!({"ClientId": "", "Username": true})),
        Err(ValidationError::Serialization(_))
    ));
    assert_eq!(
        serialization(
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": "us-east-1_a", "Username": "u", "UserAttributes": [{"Name": "email", "Value": true}]})
        ),
        "class java.lang.Boolean can not be converted to an String"
    );
}

#[test]
fn booleans_and_blobs() {
    let base = json!({"UserPoolId": "us-east-1_abc", "ClientName": "c"});
    let mut b = base.clone();
    b["GenerateSecret"] = json!("true");
    assert!(matches!(
        check("CreateUserPoolClient", b),
        Err(ValidationError::Serialization(_))
    ));
    let mut b = base;
    b["GenerateSecret"] = json!(true);
    assert!(check("CreateUserPoolClient", b).is_ok());

    let ui = |img: Value| {
        check(
            "SetUICustomization",
            json!({"UserPoolId": "us-east-1_abc", "ImageFile": img}),
        )
    };
    assert!(ui(json!("aGVsbG8=")).is_ok());
    assert!(ui(json!("")).is_ok());
    assert_eq!(
        ui(json!("abc")).unwrap_err().message(),
        "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"
    );
    assert_eq!(
        ui(json!("ab!d")).unwrap_err().message(),
        "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"
    );
    assert_eq!(
        ui(json!("aGVsbG9=")).unwrap_err().message(),
        "'aGVsbG9=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
    );
    assert_eq!(base64_decoded_len("aGVsbG8="), Ok(5));
    assert_eq!(base64_decoded_len("aGVsbA=="), Ok(4));
}

#[test]
fn document_members_accept_any_json() {
    assert!(check(
        "CompleteWebAuthnRegistration",
        json!({"AccessToken": "abc.def.ghi", "Credential": [1, "x", {"a": null}]})
    )
    .is_ok());
}

#[test]
fn recursive_shapes_and_error_cap() {
    // More than MAX_REPORTED_ERRORS errors: only the first ten are reported.
    let attrs: Vec<Value> = (0..12).map(|_| json!({"Value": "x"})).collect();
    let msg = invalid(
        "SignUp",
        json!({"ClientId": CLIENT, "Username": "u", "UserAttributes": attrs}),
    );
    assert!(msg.starts_with("10 validation errors detected: "), "{msg}");
    assert_eq!(msg.matches("; ").count(), 9);
    // Every input shape of every operation validates an empty body without panicking.
    let s = Schema::get();
    for name in s.operation_names() {
        let _ = s.validate(s.operation(name).unwrap(), &json!({}));
    }
}
