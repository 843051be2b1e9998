//! `signIn` through the proxy against the same InitiateAuth sent straight to its emulator, one
//! after the other in one run, at one concurrency: ops/s, p50 and p99. Prints figures and
//! asserts nothing (README "The tutorial's backend", targets).
//!
//! `cargo run --release -p proxy --example bench_sign_in -- [concurrency=16] [seconds=5]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Run {
    ops: usize,
    elapsed: Duration,
    p50_ms: f64,
    p99_ms: f64,
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);

    let started = proxy::start(&proxy::Config::for_tests())
        .await
        .expect("start");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}/", listener.local_addr().unwrap());
    let backend = started.backend.clone();
    tokio::spawn(async move {
        let _ = proxy::serve(listener, backend, std::future::pending()).await;
    });
    let emulator_url = started.cognito_endpoint.clone().unwrap();
    let cognito = &started.backend.cognito;
    let emulator = started.emulator.as_ref().unwrap();

    // One confirmed user per worker and path, made through the proxy as the tutorial makes
    // them. Separate users for each path: a user's sign-ins slow its next ones today (the
    // emulator sweeps them; issue "Hardening"), which would handicap whichever path runs second.
    let http = reqwest::Client::new();
    let mut users = Vec::new();
    for i in 0..2 * concurrency {
        let user = format!("bench-{i}@example.com");
        let post = |body: Value| http.post(&proxy_url).json(&body).send();
        let created = post(json!({"env": "createAccount", "user": user, "pass": "correct-horse"}))
            .await
            .unwrap();
        assert!(
            created.status().is_success(),
            "{}",
            created.text().await.unwrap()
        );
        let code = emulator
            .state
            .outbox
            .list(
                Some(&cognito.user_pool_id),
                Some(&user),
                emulator.state.clock.now(),
            )
            .last()
            .unwrap()
            .code
            .clone();
        let confirmed = post(json!({"env": "confirmAccount", "user": user, "pass": "correct-horse", "conf_code": code})).await.unwrap();
        assert!(confirmed.status().is_success());
        users.push(user);
    }

    // The same sign-in, as the proxy sends it and as a client would send it directly.
    let (direct_users, proxy_users) = users.split_at(concurrency);
    let direct: Vec<(String, String)> = direct_users
        .iter()
        .map(|user| {
            let body = json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": cognito.client_id,
                "AuthParameters": {"USERNAME": user, "PASSWORD": "correct-horse", "SECRET_HASH": cognito.secret_hash(user)},
            });
            (emulator_url.clone(), body.to_string())
        })
        .collect();
    let through: Vec<(String, String)> = proxy_users
        .iter()
        .map(|user| {
            let body = json!({"env": "signIn", "user": user, "pass": "correct-horse"});
            (proxy_url.clone(), body.to_string())
        })
        .collect();

    let duration = Duration::from_secs(seconds);
    let straight = load(direct, true, duration).await;
    let proxied = load(through, false, duration).await;
    let report = |name: &str, run: &Run| {
        println!(
            "{name:<28} {:>8.0} ops/s   p50 {:.3} ms   p99 {:.3} ms   ({} sign-ins in {:.1} s, concurrency {concurrency})",
            run.ops as f64 / run.elapsed.as_secs_f64(),
            run.p50_ms,
            run.p99_ms,
            run.ops,
            run.elapsed.as_secs_f64()
        );
    };
    report("InitiateAuth to the emulator", &straight);
    report("signIn through the proxy", &proxied);
    let rate = |run: &Run| run.ops as f64 / run.elapsed.as_secs_f64();
    println!(
        "through the proxy: p50 {:+.3} ms, throughput {:.0} % of direct",
        proxied.p50_ms - straight.p50_ms,
        100.0 * rate(&proxied) / rate(&straight)
    );
}

/// Each worker signs its user in again and again for `duration`; every answer must be a 200.
async fn load(targets: Vec<(String, String)>, amz_json: bool, duration: Duration) -> Run {
    let began = Instant::now();
    let deadline = began + duration;
    let workers: Vec<_> = targets
        .into_iter()
        .map(|(url, body)| {
            let body = Arc::new(body);
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let mut request = http.post(&url).body(body.as_str().to_owned());
                    request = if amz_json {
                        request
                            .header("content-type", "application/x-amz-json-1.1")
                            .header(
                                "x-amz-target",
                                "AWSCognitoIdentityProviderService.InitiateAuth",
                            )
                    } else {
                        request.header("content-type", "application/json")
                    };
                    let sent = Instant::now();
                    let response = request.send().await.expect("an answer");
                    let ok = response.status().is_success();
                    let _ = response.bytes().await;
                    assert!(ok, "a sign-in failed");
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let elapsed = began.elapsed();
    all.sort();
    let at =
        |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    Run {
        ops: all.len(),
        elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}
