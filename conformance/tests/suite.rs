//! Every scenario as its own test, each against a fresh in-process emulator (with a clock the
//! expiry scenarios move and an outbox for codes), so `cargo test` counts and names them.
//! In process every capability exists: a SKIP here is a failure too.
//! Other targets (an endpoint, AWS) are for the `cognito-conformance` binary, never for `cargo test`.

use std::sync::Arc;

use conformance::{runner, Outcome, Target};

async fn run(name: &str) {
    let scenario = conformance::scenario(name).expect("listed scenario");
    let target = Arc::new(Target::in_process().await.expect("in-process emulator"));
    let timeout = target.scenario_timeout();
    let report = runner::run_scenario(target, scenario, timeout).await;
    assert_eq!(
        report.outcome,
        Outcome::Pass,
        "{}",
        report.outcome.line(name)
    );
}

macro_rules! scenario_tests {
    ($($area:ident: [$($scenario:ident),* $(,)?]),* $(,)?) => {
        $(
            mod $area {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $scenario() {
                        super::run(concat!(stringify!($area), "::", stringify!($scenario))).await;
                    }
                )*
            }
        )*
    };
}

conformance::for_each_scenario!(scenario_tests);

/// The registry and this file are generated from one list; names must be unique.
#[test]
fn scenario_names_are_unique() {
    let mut names: Vec<&str> = conformance::SCENARIOS.iter().map(|s| s.name).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count);
}

/// The runner's promises, checked with scenarios made for the purpose.
mod runner_isolation {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use conformance::{runner, Ctx, Outcome, Scenario, Step, Stop, Target};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn pool_then_panic(ctx: Ctx) -> Step {
        ctx.plain_pool().await?;
        panic!("boom");
    }

    async fn pool_then_hang(ctx: Ctx) -> Step {
        ctx.plain_pool().await?;
        std::future::pending::<()>().await;
        Ok(())
    }

    async fn skips(_: Ctx) -> Step {
        Err(Stop::Skip("needs something".to_owned()))
    }

    static PANICS: Scenario = Scenario {
        name: "selftest::panics",
        run: |ctx| Box::pin(pool_then_panic(ctx)),
    };
    static HANGS: Scenario = Scenario {
        name: "selftest::hangs",
        run: |ctx| Box::pin(pool_then_hang(ctx)),
    };
    static SKIPS: Scenario = Scenario {
        name: "selftest::skips",
        run: |ctx| Box::pin(skips(ctx)),
    };

    async fn pools_left(target: &Target) -> usize {
        target
            .cognito()
            .list_user_pools()
            .max_results(60)
            .send()
            .await
            .unwrap()
            .user_pools()
            .len()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_is_a_fail_and_its_pool_is_deleted() {
        let target = Arc::new(Target::in_process().await.unwrap());
        let report = runner::run_scenario(target.clone(), &PANICS, Duration::from_secs(30)).await;
        assert!(
            matches!(&report.outcome, Outcome::Fail(reason) if reason.contains("panicked: boom")),
            "{:?}",
            report.outcome
        );
        assert_eq!(pools_left(&target).await, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hang_is_a_fail_and_its_pool_is_deleted() {
        let target = Arc::new(Target::in_process().await.unwrap());
        let report = runner::run_scenario(target.clone(), &HANGS, Duration::from_secs(2)).await;
        assert!(
            matches!(&report.outcome, Outcome::Fail(reason) if reason.contains("timed out")),
            "{:?}",
            report.outcome
        );
        assert_eq!(pools_left(&target).await, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_skip_is_reported_with_its_reason_and_counted_apart() {
        let target = Arc::new(Target::in_process().await.unwrap());
        let mut lines = Vec::new();
        let totals = runner::run_all(
            runner::Targets::Shared(target),
            &[&SKIPS, &PANICS],
            2,
            Duration::from_secs(30),
            |report| lines.push(report.outcome.line(report.name)),
        )
        .await;
        assert_eq!(totals.line(), "0 passed, 1 failed, 1 skipped");
        assert_eq!(lines[0], "SKIP selftest::skips: needs something");
        assert!(lines[1].starts_with("FAIL selftest::panics: panicked: boom"));
    }

    /// A loopback server answering every request with `response` and closing the connection.
    async fn bad_server(response: &'static [u8]) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut buffer = [0u8; 16384];
                    let _ = socket.read(&mut buffer).await;
                    let _ = socket.write_all(response).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        url
    }

    /// Runs every scenario against a server that answers `response`: each must end (FAIL or SKIP,
    /// never PASS) and the whole run must finish.
    async fn survives(response: &'static [u8]) {
        let url = bad_server(response).await;
        let target = Arc::new(Target::endpoint(&url).await.unwrap());
        assert!(!target.reads_codes());
        let scenarios: Vec<&Scenario> = conformance::SCENARIOS.iter().collect();
        let started = Instant::now();
        let totals = runner::run_all(
            runner::Targets::Shared(target),
            &scenarios,
            8,
            Duration::from_secs(60),
            |_| {},
        )
        .await;
        assert_eq!(totals.passed, 0, "{}", totals.line());
        assert_eq!(totals.failed + totals.skipped, scenarios.len());
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_target_answering_500_fails_every_scenario_and_the_run_ends() {
        survives(b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: 9\r\nconnection: close\r\n\r\n<h1>x</h1").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_target_answering_garbage_fails_every_scenario_and_the_run_ends() {
        survives(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: 12\r\nconnection: close\r\n\r\n{not json!!!").await;
    }

    /// The emulator's time, read over HTTP.
    async fn server_now(target: &Target) -> f64 {
        let url = format!("{}/_emulator/clock", target.endpoint_url().unwrap());
        let body: serde_json::Value = target
            .http()
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["now"].as_f64().unwrap()
    }

    /// Reads the time, lets a scenario that moves the clock ask to run, and reads it again.
    async fn time_holds_still(ctx: Ctx) -> Step {
        let before = server_now(ctx.target()).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let after = server_now(ctx.target()).await;
        if after - before > 60.0 {
            return Err(Stop::Fail(format!(
                "time jumped {} s mid-scenario",
                after - before
            )));
        }
        Ok(())
    }

    async fn moves_two_hours(ctx: Ctx) -> Step {
        // Let the others start first.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let before = server_now(ctx.target()).await;
        ctx.advance(Duration::from_secs(2 * 3600)).await?;
        let moved = server_now(ctx.target()).await - before;
        if !(7200.0..7260.0).contains(&moved) {
            return Err(Stop::Fail(format!("the clock moved {moved} s, not 7200")));
        }
        Ok(())
    }

    static HOLDS: Scenario = Scenario {
        name: "selftest::time_holds_still",
        run: |ctx| Box::pin(time_holds_still(ctx)),
    };
    static MOVES: Scenario = Scenario {
        name: "selftest::moves_two_hours",
        run: |ctx| Box::pin(moves_two_hours(ctx)),
    };

    /// Against a running emulator (not in process), `POST /_emulator/clock` moves the time: the
    /// expiry scenarios run instead of skipping, and a move waits until no other scenario on the
    /// shared target is halfway through.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_shared_endpoint_moves_its_clock_between_scenarios_only() {
        // Strict, as AWS is: the credentials scenarios expect unknown keys refused.
        let config = emulator::Config {
            strict_credentials: true,
            ..emulator::Config::for_tests()
        };
        let running = emulator::Running::start(config, Arc::new(emulator::OffsetClock::default()))
            .await
            .unwrap();
        let target = Arc::new(Target::endpoint(&running.endpoint()).await.unwrap());
        assert!(target.moves_clock(), "{}", target.describe());
        assert!(
            target.describe().contains("/_emulator/clock"),
            "{}",
            target.describe()
        );

        let mut lines = Vec::new();
        let totals = runner::run_all(
            runner::Targets::Shared(target.clone()),
            &[&HOLDS, &MOVES, &HOLDS, &HOLDS],
            4,
            Duration::from_secs(30),
            |report| lines.push(report.outcome.line(report.name)),
        )
        .await;
        assert_eq!(totals.line(), "4 passed, 0 failed, 0 skipped", "{lines:#?}");

        let scenarios: Vec<&Scenario> = conformance::SCENARIOS.iter().collect();
        let mut failures = Vec::new();
        let totals = runner::run_all(
            runner::Targets::Shared(target),
            &scenarios,
            8,
            Duration::from_secs(60),
            |report| {
                if report.outcome != Outcome::Pass {
                    failures.push(report.outcome.line(report.name));
                }
            },
        )
        .await;
        assert_eq!(totals.passed, scenarios.len(), "{failures:#?}");
    }
}
