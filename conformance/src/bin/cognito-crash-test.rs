//! `cognito-crash-test`: nothing acknowledged is lost when the emulator is killed.
//!
//! Starts the emulator binary with `--data-dir`, runs 16 concurrent writers through the AWS SDK
//! for Rust (SignUp, AdminConfirmSignUp, AdminUpdateUserAttributes, AdminAddUserToGroup,
//! InitiateAuth, and GlobalSignOut for every third user), sends SIGKILL in the middle of the
//! load, starts the emulator again on the same directory and checks every acknowledged write:
//! the user exists with the status, attribute and group it was given; each token issued before
//! the kill is still accepted (GetUser, REFRESH_TOKEN_AUTH) unless its sign-in was revoked, and
//! each revoked one is still refused; the pool's JWKS is the same.
//!
//! Usage: `cognito-crash-test --emulator target/release/cognito-emulator [--seconds 4]`.
//! Prints the counts; exits non-zero on any loss or on an error before the kill.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType};
use aws_sdk_cognitoidentityprovider::Client;
use base64::Engine as _;
use clap::Parser;
use hmac::Mac;

const WRITERS: usize = 16;
const GROUP: &str = "crash-test";
const PASSWORD: &str = "crash-test-password";

#[derive(Parser, Debug)]
#[command(name = "cognito-crash-test")]
struct Cli {
    /// The emulator binary to start (the release build).
    #[arg(long)]
    emulator: PathBuf,
    /// How long the writers run before the kill.
    #[arg(long, default_value_t = 4.0)]
    seconds: f64,
    /// The data directory (a new temporary one by default; removed afterwards unless given).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// What the banner said.
struct Banner {
    endpoint: String,
    pool_id: String,
    client_id: String,
    client_secret: String,
}

fn start(binary: &Path, dir: &Path) -> Result<(Child, Banner), String> {
    let mut child = Command::new(binary)
        .args(["--port", "0", "--log", "warn", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let (mut endpoint, mut pool_id, mut client_id, mut client_secret) = (None, None, None, None);
    for line in lines.by_ref() {
        let line = line.map_err(|e| e.to_string())?;
        let after = |prefix: &str| line.strip_prefix(prefix).map(|v| v.trim().to_owned());
        if let Some(rest) = after("cognito-emulator listening on ") {
            endpoint = rest.split_whitespace().next().map(str::to_owned);
        }
        pool_id = pool_id.or_else(|| after("default user pool:"));
        client_id = client_id.or_else(|| after("app client id:"));
        client_secret = client_secret.or_else(|| after("app client secret:"));
        if line.starts_with("export ROOT_USER_CLIENT_ID=") {
            break;
        }
    }
    // Keep draining stdout so the emulator never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    match (endpoint, pool_id, client_id, client_secret) {
        (Some(endpoint), Some(pool_id), Some(client_id), Some(client_secret)) => Ok((
            child,
            Banner {
                endpoint,
                pool_id,
                client_id,
                client_secret,
            },
        )),
        _ => {
            let _ = child.kill();
            Err("the banner did not name the endpoint and the default pool".to_owned())
        }
    }
}

fn client(endpoint: &str) -> Client {
    let credentials = aws_credential_types::Credentials::new("test", "test", None, None, "crash");
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .endpoint_url(endpoint)
        // One attempt: an answer after the kill must not come from a retry.
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .build();
    Client::new(&config)
}

fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One user's acknowledged writes.
#[derive(Debug, Default)]
struct Acked {
    email: String,
    signed_up: bool,
    confirmed: bool,
    name: Option<String>,
    in_group: bool,
    tokens: Option<(String, String)>,
    /// GlobalSignOut was sent: without its answer, the sign-in may or may not be revoked.
    revoke_sent: bool,
    revoked: bool,
}

struct Pool {
    id: String,
    client_id: String,
    secret: String,
}

/// Writes users one after another until the emulator stops answering; returns what was
/// acknowledged, or an error that came before the kill.
async fn writer(
    n: usize,
    cognito: Client,
    pool: Arc<Pool>,
    killed: Arc<AtomicBool>,
) -> Result<Vec<Acked>, String> {
    let mut acked = Vec::new();
    for i in 0.. {
        let mut user = Acked {
            email: format!("writer{n}-user{i}@example.com"),
            ..Acked::default()
        };
        let outcome = write_user(&cognito, &pool, &mut user, i % 3 == 0).await;
        if user.signed_up {
            acked.push(user);
        }
        if let Err(e) = outcome {
            if killed.load(Ordering::SeqCst) {
                return Ok(acked);
            }
            return Err(format!("writer {n}, before the kill: {e}"));
        }
    }
    Ok(acked)
}

/// One user's writes, each marked in `user` once its answer arrives.
async fn write_user(
    cognito: &Client,
    pool: &Pool,
    user: &mut Acked,
    revoke: bool,
) -> Result<(), String> {
    let email = user.email.clone();
    let hash = secret_hash(&pool.secret, &email, &pool.client_id);
    cognito
        .sign_up()
        .client_id(&pool.client_id)
        .secret_hash(&hash)
        .username(&email)
        .password(PASSWORD)
        .send()
        .await
        .map_err(|e| format!("SignUp: {}", describe(&e)))?;
    user.signed_up = true;
    cognito
        .admin_confirm_sign_up()
        .user_pool_id(&pool.id)
        .username(&email)
        .send()
        .await
        .map_err(|e| format!("AdminConfirmSignUp: {}", describe(&e)))?;
    user.confirmed = true;
    let name = format!("name of {email}");
    let attribute = AttributeType::builder()
        .name("name")
        .value(&name)
        .build()
        .map_err(|e| e.to_string())?;
    cognito
        .admin_update_user_attributes()
        .user_pool_id(&pool.id)
        .username(&email)
        .user_attributes(attribute)
        .send()
        .await
        .map_err(|e| format!("AdminUpdateUserAttributes: {}", describe(&e)))?;
    user.name = Some(name);
    cognito
        .admin_add_user_to_group()
        .user_pool_id(&pool.id)
        .username(&email)
        .group_name(GROUP)
        .send()
        .await
        .map_err(|e| format!("AdminAddUserToGroup: {}", describe(&e)))?;
    user.in_group = true;
    let auth = cognito
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &email)
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters("SECRET_HASH", &hash)
        .send()
        .await
        .map_err(|e| format!("InitiateAuth: {}", describe(&e)))?;
    let result = auth.authentication_result().ok_or("no tokens")?;
    let access = result.access_token().unwrap_or_default().to_owned();
    let refresh = result.refresh_token().unwrap_or_default().to_owned();
    user.tokens = Some((access.clone(), refresh));
    if revoke {
        user.revoke_sent = true;
        cognito
            .global_sign_out()
            .access_token(&access)
            .send()
            .await
            .map_err(|e| format!("GlobalSignOut: {}", describe(&e)))?;
        user.revoked = true;
    }
    Ok(())
}

fn describe<E: ProvideErrorMetadata + std::fmt::Debug>(e: &E) -> String {
    match (e.code(), e.message()) {
        (Some(code), message) => format!("{code}: {}", message.unwrap_or_default()),
        _ => format!("{e:?}"),
    }
}

async fn jwks(endpoint: &str, pool_id: &str) -> Result<String, String> {
    let url = format!("{endpoint}/{pool_id}/.well-known/jwks.json");
    reqwest::get(&url)
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cognito-crash-test: FAILED: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let temporary = cli.data_dir.is_none();
    let dir = cli.data_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("cognito-crash-test-{}", std::process::id()))
    });
    let outcome = crash_and_check(&cli, &dir).await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    outcome
}

async fn crash_and_check(cli: &Cli, dir: &Path) -> Result<(), String> {
    let (mut child, banner) = start(&cli.emulator, dir)?;
    let cognito = client(&banner.endpoint);
    cognito
        .create_group()
        .user_pool_id(&banner.pool_id)
        .group_name(GROUP)
        .send()
        .await
        .map_err(|e| format!("CreateGroup: {}", describe(&e)))?;
    // Made on first use; asked for before the load so the kill cannot race their first save.
    let keys_before = jwks(&banner.endpoint, &banner.pool_id).await?;
    let pool = Arc::new(Pool {
        id: banner.pool_id.clone(),
        client_id: banner.client_id.clone(),
        secret: banner.client_secret.clone(),
    });
    let killed = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| tokio::spawn(writer(n, cognito.clone(), pool.clone(), killed.clone())))
        .collect();
    tokio::time::sleep(Duration::from_secs_f64(cli.seconds)).await;
    killed.store(true, Ordering::SeqCst);
    child.kill().map_err(|e| format!("kill -9: {e}"))?; // SIGKILL on Unix
    let _ = child.wait();
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.map_err(|e| e.to_string())??);
    }

    let started = Instant::now();
    let (mut child, again) = start(&cli.emulator, dir)?;
    let restart = started.elapsed();
    let result = check(&again, &pool, &acked, &keys_before).await;
    let _ = child.kill();
    let _ = child.wait();
    let counts = result?;
    println!(
        "cognito-crash-test: killed after {:.1} s of load by {WRITERS} writers; restarted in {:.0} ms",
        cli.seconds,
        restart.as_secs_f64() * 1000.0
    );
    println!("  acknowledged and found after the restart: {counts}");
    Ok(())
}

async fn check(
    banner: &Banner,
    pool: &Pool,
    acked: &[Acked],
    keys_before: &str,
) -> Result<String, String> {
    if banner.pool_id != pool.id || banner.client_secret != pool.secret {
        return Err("the restarted emulator shows another default pool".to_owned());
    }
    let cognito = client(&banner.endpoint);
    if jwks(&banner.endpoint, &pool.id).await? != keys_before {
        return Err("the pool's JWKS changed across the restart".to_owned());
    }
    let mut missing = Vec::new();
    let (mut users, mut confirmed, mut names, mut groups, mut live, mut revoked) =
        (0, 0, 0, 0, 0, 0);
    let mut undecided = 0;
    for user in acked {
        let got = match cognito
            .admin_get_user()
            .user_pool_id(&pool.id)
            .username(&user.email)
            .send()
            .await
        {
            Ok(got) => got,
            Err(e) => {
                missing.push(format!("{}: AdminGetUser: {}", user.email, describe(&e)));
                continue;
            }
        };
        users += 1;
        if user.confirmed {
            confirmed += 1;
            if got.user_status().map(|s| s.as_str()) != Some("CONFIRMED") {
                missing.push(format!("{}: not CONFIRMED", user.email));
            }
        }
        if let Some(name) = &user.name {
            names += 1;
            let found = got
                .user_attributes()
                .iter()
                .find(|a| a.name() == "name")
                .and_then(|a| a.value());
            if found != Some(name.as_str()) {
                missing.push(format!("{}: name is {found:?}, not {name:?}", user.email));
            }
        }
        if user.in_group {
            groups += 1;
            let listed = cognito
                .admin_list_groups_for_user()
                .user_pool_id(&pool.id)
                .username(&user.email)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            if !listed
                .groups()
                .iter()
                .any(|g| g.group_name() == Some(GROUP))
            {
                missing.push(format!("{}: not in {GROUP}", user.email));
            }
        }
        let Some((access, refresh)) = &user.tokens else {
            continue;
        };
        // REFRESH_TOKEN_AUTH's SECRET_HASH is over the internal username (the `sub` here).
        let hash = secret_hash(&pool.secret, got.username(), &pool.client_id);
        let got_user = cognito.get_user().access_token(access).send().await;
        let refreshed = cognito
            .initiate_auth()
            .client_id(&pool.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh)
            .auth_parameters("SECRET_HASH", &hash)
            .send()
            .await;
        if user.revoked {
            revoked += 1;
            // Cognito's answers for a revoked sign-in (wire facts §7.4).
            let access = got_user.as_ref().map(|_| ()).map_err(describe);
            if access.as_ref().err().map(String::as_str)
                != Some("NotAuthorizedException: Access Token has been revoked")
            {
                missing.push(format!(
                    "{}: a revoked access token answered {access:?}",
                    user.email
                ));
            }
            let refresh = refreshed.as_ref().map(|_| ()).map_err(describe);
            if refresh.as_ref().err().map(String::as_str)
                != Some("NotAuthorizedException: Refresh Token has been revoked")
            {
                missing.push(format!(
                    "{}: a revoked refresh token answered {refresh:?}",
                    user.email
                ));
            }
        } else if user.revoke_sent {
            // Killed with GlobalSignOut in flight: either answer is right.
            undecided += 1;
        } else {
            live += 1;
            if let Err(e) = &got_user {
                missing.push(format!("{}: GetUser: {}", user.email, describe(e)));
            }
            if let Err(e) = &refreshed {
                missing.push(format!(
                    "{}: REFRESH_TOKEN_AUTH: {}",
                    user.email,
                    describe(e)
                ));
            }
        }
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(20).map(String::as_str).collect();
        return Err(format!(
            "{} acknowledged writes lost or wrong:\n  {}",
            missing.len(),
            shown.join("\n  ")
        ));
    }
    if users == 0 || live == 0 || revoked == 0 {
        return Err(format!(
            "too little was acknowledged to judge ({users} users, {live} live tokens, {revoked} revoked)"
        ));
    }
    Ok(format!(
        "{users} sign-ups, {confirmed} confirmations, {names} attribute updates, {groups} group joins, \
         {live} live sign-ins (GetUser and refresh accepted), {revoked} revoked sign-ins (still refused), \
         {undecided} killed during GlobalSignOut; 0 lost"
    ))
}
