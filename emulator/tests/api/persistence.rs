//! `--data-dir`: what AWS keeps is still there after a restart (pools, clients, users and
//! their passwords, groups, signing keys, refresh tokens and revocations, open codes, the
//! outbox, STS credentials), a directory is used by one emulator at a time, and a database
//! this build cannot read is refused, never rewritten. The expected answers are those AWS
//! documents for an unchanged pool: the same before and after (a restart is invisible).

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::support::{sts_request, Harness, Reply, Signing, TempDir, Tutorial, PASSWORD};

async fn get(h: &Harness, uri: &str) -> Value {
    h.raw(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .body
}

/// Every answer about a pool that a restart must not change.
async fn observe(h: &Harness, pool_id: &str) -> Value {
    let pool = h
        .call("DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await;
    let clients = h
        .call(
            "ListUserPoolClients",
            json!({"UserPoolId": pool_id, "MaxResults": 60}),
        )
        .await
        .body;
    let mut described_clients = Vec::new();
    for client in clients["UserPoolClients"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        described_clients.push(
            h.call(
                "DescribeUserPoolClient",
                json!({"UserPoolId": pool_id, "ClientId": client["ClientId"]}),
            )
            .await
            .body,
        );
    }
    let users = h
        .call("ListUsers", json!({"UserPoolId": pool_id}))
        .await
        .body;
    let mut admin_users = Vec::new();
    let mut user_groups = Vec::new();
    for user in users["Users"].as_array().cloned().unwrap_or_default() {
        let username = user["Username"].clone();
        admin_users.push(
            h.call(
                "AdminGetUser",
                json!({"UserPoolId": pool_id, "Username": username}),
            )
            .await
            .body,
        );
        user_groups.push(
            h.call(
                "AdminListGroupsForUser",
                json!({"UserPoolId": pool_id, "Username": username}),
            )
            .await
            .body,
        );
    }
    let groups = h
        .call("ListGroups", json!({"UserPoolId": pool_id}))
        .await
        .body;
    let mut members = Vec::new();
    for group in groups["Groups"].as_array().cloned().unwrap_or_default() {
        members.push(
            h.call(
                "ListUsersInGroup",
                json!({"UserPoolId": pool_id, "GroupName": group["GroupName"]}),
            )
            .await
            .body,
        );
    }
    json!({
        "pool": [pool.status.as_u16(), pool.body],
        "mfa": h.call("GetUserPoolMfaConfig", json!({"UserPoolId": pool_id})).await.body,
        "clients": described_clients,
        "users": users,
        "admin_users": admin_users,
        "user_groups": user_groups,
        "groups": groups,
        "members": members,
        "jwks": get(h, &format!("/{pool_id}/.well-known/jwks.json")).await,
        "outbox": get(h, &format!("/_emulator/outbox?pool={pool_id}")).await,
    })
}

/// The text of the first `<tag>` of an XML answer.
fn xml(reply: &Reply, tag: &str) -> String {
    let body = reply.body.as_str().unwrap_or_default();
    let open = format!("<{tag}>");
    let start = body.find(&open).map(|i| i + open.len()).unwrap_or(0);
    let end = body[start..].find(&format!("</{tag}>")).unwrap_or(0) + start;
    body[start..end].to_owned()
}

#[tokio::test]
async fn what_aws_keeps_survives_a_restart() {
    let dir = TempDir::new("restart");
    let h = Harness::persistent(&dir.0);
    let t = h.tutorial(json!({})).await;
    let pool = t.pool_id.clone();

    h.confirmed_user(&t, "ann@example.com").await;
    let ann = h.tokens(&t, "ann@example.com").await;
    h.confirmed_user(&t, "bob@example.com").await;
    let bob = h.tokens(&t, "bob@example.com").await;
    h.call_unsigned("GlobalSignOut", json!({"AccessToken": bob["AccessToken"]}))
        .await
        .ok();
    h.call(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "admins", "Precedence": 1, "Description": "the admins"}),
    )
    .await
    .ok();
    h.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "ann@example.com", "GroupName": "admins"}),
    )
    .await
    .ok();
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "cat@example.com", "TemporaryPassword": "Temp-pass-1",
               "UserAttributes": [{"Name": "email", "Value": "cat@example.com"}]}),
    )
    .await
    .ok();
    h.sign_up(&t, "dan@example.com", PASSWORD).await.ok();
    let dan_code = h.last_code(&pool, "dan@example.com").await;
    // Two wrong passwords: the lockout count is part of the user.
    for _ in 0..2 {
        h.sign_in(&t, "ann@example.com", "wrong-password")
            .await
            .err("NotAuthorizedException");
    }
    let sts = h
        .raw(sts_request(
            &[("Action", "GetSessionToken"), ("Version", "2011-06-15")],
            &Signing::default(),
        ))
        .await;
    assert_eq!(sts.status.as_u16(), 200, "{}", sts.body);
    let session = Signing::session(
        &xml(&sts, "AccessKeyId"),
        &xml(&sts, "SecretAccessKey"),
        &xml(&sts, "SessionToken"),
    );
    // Answered before the restart as it must be after it.
    let bob_username = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "bob@example.com"}),
        )
        .await
        .ok()["Username"]
        .as_str()
        .unwrap()
        .to_owned();
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
               "AuthParameters": {"REFRESH_TOKEN": bob["RefreshToken"], "SECRET_HASH": t.hash(&bob_username)}}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Refresh Token has been revoked");
    let before = observe(&h, &pool).await;
    assert_eq!(before["users"]["Users"].as_array().unwrap().len(), 4);

    let h = h.restart();
    assert_eq!(observe(&h, &pool).await, before);

    // Tokens issued before still verify, and the revoked sign-in stays revoked.
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": ann["AccessToken"]}))
        .await
        .ok();
    assert_eq!(
        me["UserAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["Name"] == "email")
            .unwrap()["Value"],
        "ann@example.com"
    );
    h.call_unsigned("GetUser", json!({"AccessToken": bob["AccessToken"]}))
        .await
        .err("NotAuthorizedException")
        .msg("Access Token has been revoked");
    let refreshed = h
        .call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
                   "AuthParameters": {"REFRESH_TOKEN": ann["RefreshToken"], "SECRET_HASH": t.hash(me["Username"].as_str().unwrap())}}),
        )
        .await
        .ok();
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
               "AuthParameters": {"REFRESH_TOKEN": bob["RefreshToken"], "SECRET_HASH": t.hash(&bob_username)}}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Refresh Token has been revoked");
    // Passwords, open codes and temporary passwords still work; the lockout count continues.
    h.sign_in(&t, "ann@example.com", PASSWORD).await.ok();
    h.call_unsigned(
        "ConfirmSignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash("dan@example.com"),
               "Username": "dan@example.com", "ConfirmationCode": dan_code}),
    )
    .await
    .ok();
    let challenge = h.sign_in(&t, "cat@example.com", "Temp-pass-1").await.ok();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    // STS's temporary credentials still sign admin calls.
    let listed = h
        .raw(crate::support::signed_request(
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": "ann@example.com"}),
            &session,
        ))
        .await
        .ok();
    assert_eq!(listed["UserStatus"], "CONFIRMED");
}

#[tokio::test]
async fn deleted_pools_and_users_stay_deleted_and_ids_are_not_handed_out_again() {
    let dir = TempDir::new("deletes");
    let h = Harness::persistent(&dir.0);
    let kept = h.tutorial(json!({})).await;
    let gone = h.tutorial(json!({})).await;
    h.confirmed_user(&kept, "ann@example.com").await;
    h.confirmed_user(&kept, "bob@example.com").await;
    h.call(
        "AdminDeleteUser",
        json!({"UserPoolId": kept.pool_id, "Username": "bob@example.com"}),
    )
    .await
    .ok();
    h.call("DeleteUserPool", json!({"UserPoolId": gone.pool_id}))
        .await
        .ok();
    let h = h.restart();
    h.call("DescribeUserPool", json!({"UserPoolId": gone.pool_id}))
        .await
        .err("ResourceNotFoundException");
    h.call(
        "AdminGetUser",
        json!({"UserPoolId": kept.pool_id, "Username": "bob@example.com"}),
    )
    .await
    .err("UserNotFoundException");
    // The seeded id generator is moved on at each start: a new pool gets a new id.
    let third = h.create_pool(json!({})).await;
    assert_ne!(third, kept.pool_id);
    assert_ne!(third, gone.pool_id);
    let listed = h
        .call("ListUserPools", json!({"MaxResults": 60}))
        .await
        .ok();
    assert_eq!(listed["UserPools"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_clock_offset_survives_a_restart() {
    use emulator::Clock as _;
    let dir = TempDir::new("clock");
    let config = emulator::Config {
        data_dir: Some(dir.0.clone()),
        ..emulator::Config::for_tests()
    };
    let clock = std::sync::Arc::new(emulator::OffsetClock::default());
    let (state, _) = emulator::AppState::open(config.clone(), clock.clone()).unwrap();
    let response = tower::ServiceExt::oneshot(
        emulator::app(state.clone()),
        Request::post("/_emulator/clock")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"advance_seconds": 86400}"#))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    drop(state);
    let fresh = std::sync::Arc::new(emulator::OffsetClock::default());
    let (state, _) = emulator::AppState::open(config, fresh.clone()).unwrap();
    let ahead = fresh.now().millis() - emulator::SystemClock.now().millis();
    assert!((86_390_000..86_410_000).contains(&ahead), "{ahead}");
    drop(state);
}

#[test]
fn a_directory_is_used_by_one_emulator_at_a_time() {
    let dir = TempDir::new("lock");
    let first = Harness::persistent(&dir.0);
    let config = emulator::Config {
        data_dir: Some(dir.0.clone()),
        ..emulator::Config::for_tests()
    };
    let clock = std::sync::Arc::new(emulator::SystemClock);
    let error = emulator::AppState::open(config.clone(), clock.clone())
        .err()
        .expect("refused");
    assert!(error.contains("in use by another emulator"), "{error}");
    drop(first);
    assert!(emulator::AppState::open(config, clock).is_ok());
}

#[test]
fn seeds_run_only_on_an_empty_directory() {
    let dir = TempDir::new("seed");
    let config = emulator::Config {
        data_dir: Some(dir.0.clone()),
        empty: false,
        ..emulator::Config::for_tests()
    };
    let clock = std::sync::Arc::new(emulator::SystemClock);
    let (state, opened) = emulator::AppState::open(config.clone(), clock.clone()).unwrap();
    assert!(opened.fresh);
    let first = emulator::seed::load_at_startup(&state, &opened).unwrap();
    assert!(first.default_seed && first.calls > 0);
    drop(state);
    let (state, opened) = emulator::AppState::open(config, clock).unwrap();
    assert!(!opened.fresh);
    assert_eq!(opened.pools, 1);
    let second = emulator::seed::load_at_startup(&state, &opened).unwrap();
    assert_eq!(second.saved, first.saved, "the banner shows the same pool");
    let (pools, _) = state.store.pools_page(None, 10);
    assert_eq!(pools.len(), 1, "not seeded twice");
}

#[test]
fn unreadable_or_newer_databases_are_refused_and_left_as_they_are() {
    let clock = std::sync::Arc::new(emulator::SystemClock);
    let open = |dir: &std::path::Path| {
        let config = emulator::Config {
            data_dir: Some(dir.to_owned()),
            ..emulator::Config::for_tests()
        };
        emulator::AppState::open(config, clock.clone()).map(|_| ())
    };
    // Not a database at all.
    let dir = TempDir::new("corrupt");
    std::fs::create_dir_all(&dir.0).unwrap();
    let file = dir.0.join(emulator::persist::DATABASE_FILE);
    let garbage = b"this is not an SQLite database, and it is somebody's file".repeat(100);
    std::fs::write(&file, &garbage).unwrap();
    let error = open(&dir.0).unwrap_err();
    assert!(error.contains("not a database"), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), garbage);

    // A schema from a newer emulator.
    let dir = TempDir::new("newer");
    {
        let h = Harness::persistent(&dir.0);
        drop(h);
    }
    let file = dir.0.join(emulator::persist::DATABASE_FILE);
    let newer = emulator::persist::schema::VERSION + 1;
    rusqlite::Connection::open(&file)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let error = open(&dir.0).unwrap_err();
    assert!(error.contains("newer emulator"), "{error}");
    let version: i64 = rusqlite::Connection::open(&file)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, newer);

    // A row this build cannot read names itself.
    let dir = TempDir::new("bad-row");
    {
        let h = Harness::persistent(&dir.0);
        drop(h);
    }
    let file = dir.0.join(emulator::persist::DATABASE_FILE);
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute(
            "INSERT INTO pools (id, record) VALUES ('us-east-1_Broken123', '{\"id\": 5}')",
            [],
        )
        .unwrap();
    let error = open(&dir.0).unwrap_err();
    assert!(error.contains("pool us-east-1_Broken123"), "{error}");

    // Many unreadable users: the start stops with the first error (it does not wait forever).
    let dir = TempDir::new("bad-users");
    let pool_id = {
        let h = Harness::persistent(&dir.0);
        let id = futures_pool(&h);
        drop(h);
        id
    };
    let file = dir.0.join(emulator::persist::DATABASE_FILE);
    let mut conn = rusqlite::Connection::open(&file).unwrap();
    let tx = conn.transaction().unwrap();
    for i in 0..40_000 {
        tx.execute(
            "INSERT INTO users (pool, key, record) VALUES (?1, ?2, '{\"username\": 5}')",
            rusqlite::params![pool_id, format!("user-{i}")],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    drop(conn);
    let error = open(&dir.0).unwrap_err();
    assert!(error.contains("unreadable record"), "{error}");
}

/// A pool made through the router of `h`, from a test that is not async.
fn futures_pool(h: &Harness) -> String {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(h.create_pool(json!({})))
}

// ---------------------------------------------------------------------------------------
// The property: any sequence of operations, then a restart, changes no answer.

#[derive(Debug, Clone)]
enum Op {
    SignUp(usize),
    Confirm(usize),
    SignIn(usize),
    WrongPassword(usize),
    AdminCreate(usize),
    AdminDelete(usize),
    Disable(usize),
    SetAttribute(usize, u8),
    CreateGroup(usize),
    DeleteGroup(usize),
    Join(usize, usize),
    Leave(usize, usize),
    GlobalSignOut(usize),
    ForgotPassword(usize),
    UpdatePool(u8),
    AdvanceClock(u16),
}

const NAMES: [&str; 4] = [
    "ann@example.com",
    "bob@example.com",
    "cat@example.com",
    "dan@example.com",
];
const GROUPS: [&str; 2] = ["admins", "readers"];

fn op() -> impl Strategy<Value = Op> {
    let user = 0..NAMES.len();
    let group = 0..GROUPS.len();
    prop_oneof![
        user.clone().prop_map(Op::SignUp),
        user.clone().prop_map(Op::Confirm),
        user.clone().prop_map(Op::SignIn),
        user.clone().prop_map(Op::WrongPassword),
        user.clone().prop_map(Op::AdminCreate),
        user.clone().prop_map(Op::AdminDelete),
        user.clone().prop_map(Op::Disable),
        (user.clone(), any::<u8>()).prop_map(|(u, v)| Op::SetAttribute(u, v)),
        group.clone().prop_map(Op::CreateGroup),
        group.clone().prop_map(Op::DeleteGroup),
        (user.clone(), group.clone()).prop_map(|(u, g)| Op::Join(u, g)),
        (user.clone(), group).prop_map(|(u, g)| Op::Leave(u, g)),
        user.clone().prop_map(Op::GlobalSignOut),
        user.prop_map(Op::ForgotPassword),
        any::<u8>().prop_map(Op::UpdatePool),
        (1u16..4000).prop_map(Op::AdvanceClock),
    ]
}

/// Runs `op`; refusals are fine (they are part of the sequence). Access tokens issued are
/// kept, to ask GetUser with each after the restart.
async fn run(h: &Harness, t: &Tutorial, op: &Op, tokens: &mut Vec<String>) {
    let pool = &t.pool_id;
    match op {
        Op::SignUp(u) => {
            h.sign_up(t, NAMES[*u], PASSWORD).await;
        }
        Op::Confirm(u) => {
            h.call(
                "AdminConfirmSignUp",
                json!({"UserPoolId": pool, "Username": NAMES[*u]}),
            )
            .await;
        }
        Op::SignIn(u) => {
            let reply = h.sign_in(t, NAMES[*u], PASSWORD).await;
            if let Some(token) = reply.body["AuthenticationResult"]["AccessToken"].as_str() {
                tokens.push(token.to_owned());
            }
        }
        Op::WrongPassword(u) => {
            h.sign_in(t, NAMES[*u], "not-the-password").await;
        }
        Op::AdminCreate(u) => {
            h.call(
                "AdminCreateUser",
                json!({"UserPoolId": pool, "Username": NAMES[*u], "TemporaryPassword": "Temp-pass-1",
                       "UserAttributes": [{"Name": "email", "Value": NAMES[*u]}, {"Name": "email_verified", "Value": "true"}]}),
            )
            .await;
        }
        Op::AdminDelete(u) => {
            h.call(
                "AdminDeleteUser",
                json!({"UserPoolId": pool, "Username": NAMES[*u]}),
            )
            .await;
        }
        Op::Disable(u) => {
            h.call(
                "AdminDisableUser",
                json!({"UserPoolId": pool, "Username": NAMES[*u]}),
            )
            .await;
        }
        Op::SetAttribute(u, v) => {
            h.call(
                "AdminUpdateUserAttributes",
                json!({"UserPoolId": pool, "Username": NAMES[*u],
                       "UserAttributes": [{"Name": "name", "Value": format!("name {v}")}]}),
            )
            .await;
        }
        Op::CreateGroup(g) => {
            h.call(
                "CreateGroup",
                json!({"UserPoolId": pool, "GroupName": GROUPS[*g], "Precedence": *g}),
            )
            .await;
        }
        Op::DeleteGroup(g) => {
            h.call(
                "DeleteGroup",
                json!({"UserPoolId": pool, "GroupName": GROUPS[*g]}),
            )
            .await;
        }
        Op::Join(u, g) => {
            h.call(
                "AdminAddUserToGroup",
                json!({"UserPoolId": pool, "Username": NAMES[*u], "GroupName": GROUPS[*g]}),
            )
            .await;
        }
        Op::Leave(u, g) => {
            h.call(
                "AdminRemoveUserFromGroup",
                json!({"UserPoolId": pool, "Username": NAMES[*u], "GroupName": GROUPS[*g]}),
            )
            .await;
        }
        Op::GlobalSignOut(u) => {
            h.call(
                "AdminUserGlobalSignOut",
                json!({"UserPoolId": pool, "Username": NAMES[*u]}),
            )
            .await;
        }
        Op::ForgotPassword(u) => {
            h.call_unsigned(
                "ForgotPassword",
                json!({"ClientId": t.client_id, "SecretHash": t.hash(NAMES[*u]), "Username": NAMES[*u]}),
            )
            .await;
        }
        Op::UpdatePool(v) => {
            h.call(
                "UpdateUserPool",
                json!({"UserPoolId": pool, "AutoVerifiedAttributes": ["email"],
                       "Policies": {"PasswordPolicy": {"MinimumLength": 8 + (*v % 8)}}}),
            )
            .await;
        }
        Op::AdvanceClock(minutes) => {
            h.clock
                .advance(std::time::Duration::from_secs(u64::from(*minutes) * 60));
        }
    }
}

async fn answers(h: &Harness, t: &Tutorial, tokens: &[String]) -> Value {
    let mut get_user = Vec::new();
    for token in tokens {
        let reply = h
            .call_unsigned("GetUser", json!({"AccessToken": token}))
            .await;
        get_user.push(json!([reply.status.as_u16(), reply.body]));
    }
    json!({"pool": observe(h, &t.pool_id).await, "get_user": get_user})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_restart_changes_no_answer(ops in proptest::collection::vec(op(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let dir = TempDir::new("property");
            let h = Harness::persistent(&dir.0);
            let t = h.tutorial(json!({})).await;
            let mut tokens = Vec::new();
            for op in &ops {
                run(&h, &t, op, &mut tokens).await;
            }
            let before = answers(&h, &t, &tokens).await;
            let h = h.restart();
            let after = answers(&h, &t, &tokens).await;
            prop_assert_eq!(after, before);
            Ok::<(), TestCaseError>(())
        })?;
    }
}
