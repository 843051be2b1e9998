//! `cognito-bench`: a load driver for any Cognito user-pool endpoint (this emulator, moto, cognito-local, fakecloud, ...).
//!
//! Code map:
//! - `main.rs`: the command line and the four modes: `run` (workloads), `startup`, `rss`, `report`.
//! - `client.rs`: one keep-alive HTTP/1.1 connection per worker over hyper, JSON 1.1 framing, SigV4 for admin calls.
//! - `cognito.rs`: request bodies, SECRET_HASH, and set-up (pool, client with secret, seeded users with tokens or created by an admin).
//! - `workload.rs`: the timed loop and the workload mix.
//! - `stats.rs`: exact percentiles, CPU time and resident memory from `/proc`.
//! - `server.rs`: spawning and killing a server for `startup` and `rss`.
//! - `report.rs`: JSON lines, human lines, and the Markdown comparison of many runs.
//!
//! Invariants: every load loop stops by itself (a deadline always applies); an error never counts as throughput;
//! any error makes the exit status non-zero unless `--allow-errors`.
//! The driver runs on the cores of the server it measures, so it reports its own CPU time beside the server's.

mod client;
mod cognito;
mod report;
mod server;
mod stats;
mod workload;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};

use crate::client::Caller;
use crate::cognito::{Seeded, Seeding, Target};
use crate::report::{LoadRecord, OperationRecord, Record, RssRecord, StartupRecord};
use crate::workload::{Fixture, Plan, Workload};

#[derive(Parser, Debug)]
#[command(
    name = "cognito-bench",
    version,
    about = "Load driver for Cognito user-pool endpoints"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Drive workloads against a running server and report ops/s, latency percentiles and errors.
    Run(RunArgs),
    /// Start a server command repeatedly and time each start until its first successful answer.
    Startup(StartupArgs),
    /// Report a server's resident memory idle and after signing up many users.
    Rss(RssArgs),
    /// Fold JSON lines from many runs into Markdown tables of medians and ratios to an anchor server.
    Report(report::ReportArgs),
}

#[derive(Args, Debug)]
struct EndpointArgs {
    /// The server, as http://host:port.
    #[arg(
        long,
        env = "COGNITO_BENCH_URL",
        default_value = "http://127.0.0.1:9229"
    )]
    url: String,
    /// Region used in SigV4 signatures.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// A request with no answer after this long is an error.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// A name for the server in the output (default: the URL).
    #[arg(long)]
    label: Option<String>,
    /// Print one JSON line per result on stdout (human lines go to stderr).
    #[arg(long)]
    json: bool,
}

impl EndpointArgs {
    fn label(&self) -> String {
        self.label.clone().unwrap_or_else(|| self.url.clone())
    }
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// Workloads to run one after the other, comma-separated.
    #[arg(
        long,
        short,
        value_enum,
        value_delimiter = ',',
        default_value = "signup,login,refresh,getuser,mixed"
    )]
    workload: Vec<Workload>,
    /// Requests in flight at once (one connection each).
    #[arg(long, short, default_value_t = 16)]
    concurrency: usize,
    /// How long each workload runs (default 10s, or up to 10m when --count is given).
    #[arg(long, short, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Stop each workload after this many operations (the duration still bounds it).
    #[arg(long, short = 'n')]
    count: Option<u64>,
    /// Untimed load before each workload, e.g. for a JIT or caches to warm up.
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    warmup: Duration,
    /// Users put in the pool before the timed phase, each with its own e-mail address. Signed in when a workload needs tokens
    /// (login, refresh, getuser and mixed draw from them), else created with AdminCreateUser, which is quicker
    /// (admin-create, admin-get, list-users and list-users-all run against them).
    #[arg(long, default_value_t = 200)]
    users: usize,
    /// Use this existing pool instead of creating one (needs --client-id; users are still created in it).
    #[arg(long, requires = "client_id")]
    pool_id: Option<String>,
    /// The existing app client to use with --pool-id.
    #[arg(long, requires = "pool_id")]
    client_id: Option<String>,
    /// The existing client's secret, if it has one.
    #[arg(long, requires = "client_id")]
    client_secret: Option<String>,
    /// Do not delete the pool the driver created.
    #[arg(long)]
    keep_pool: bool,
    /// The server's process id, to report its CPU time (with its children's) beside the driver's.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Exit 0 even when some operations failed (they are still reported, and never count as throughput).
    #[arg(long)]
    allow_errors: bool,
    /// Driver threads. One keeps the driver's share of a small machine low; raise it if the driver shows near 100% of one core.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Interval of the progress line on stderr; 0s turns it off. Shown only for runs longer than the interval.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    progress: Duration,
}

#[derive(Args, Debug)]
struct StartupArgs {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// How many starts to time.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Give up on a start after this long.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    max_wait: Duration,
    /// The server command; it must listen at --url.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

#[derive(Args, Debug)]
struct RssArgs {
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// A running server's process id (or give the command to start after --).
    #[arg(long, conflicts_with = "command")]
    pid: Option<u32>,
    /// Users to sign up (SignUp + AdminConfirmSignUp) between the two readings.
    #[arg(long, default_value_t = 10_000)]
    users: u64,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Pause before each reading, so start-up or load work can settle.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    settle: Duration,
    /// Bound on the sign-up phase.
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    max_time: Duration,
    /// Wait this long at most for a started server's first answer.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    max_wait: Duration,
    /// The server command to start (it must listen at --url).
    #[arg(last = true)]
    command: Vec<String>,
}

/// `250ms`, `10s`, `2m`, or plain seconds (`1.5`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(number) = text.strip_suffix("ms") {
        (number, 0.001)
    } else if let Some(number) = text.strip_suffix('s') {
        (number, 1.0)
    } else if let Some(number) = text.strip_suffix('m') {
        (number, 60.0)
    } else if let Some(number) = text.strip_suffix('h') {
        (number, 3600.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("not a duration: {text} (try 500ms, 10s, 2m)"))?;
    if !(value.is_finite() && value >= 0.0) {
        return Err(format!("not a duration: {text}"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

fn unix_time() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// A short random id that keeps pool names and usernames of concurrent or repeated runs apart.
fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// Connections that fill a pool by AdminCreateUser at least: each is one cheap request, so many in flight keep the server busy.
const PREFILL_CONCURRENCY: usize = 32;

/// Prints how far seeding has got at every `every` until aborted, like the load phases' progress line.
async fn seeding_progress(counter: Arc<AtomicU64>, label: String, total: usize, every: Duration) {
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let (start, end) = if std::io::stderr().is_terminal() {
        ("\r", "")
    } else {
        ("", "\n")
    };
    loop {
        ticker.tick().await;
        eprint!(
            "{start}{label}: seeding, {} of {total} users{end}",
            counter.load(Ordering::Relaxed)
        );
    }
}

/// Human text goes to stdout, or to stderr when stdout carries JSON lines.
fn human(json: bool, text: &str) {
    if json {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let threads = match &cli.command {
        Command::Run(args) => args.threads.max(1),
        _ => 1,
    };
    // One thread by default: the driver shares the machine with the server, and one event loop keeps its share visible and small.
    let runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cognito-bench: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(args).await,
            Command::Startup(args) => startup(args).await,
            Command::Rss(args) => rss(args).await,
            Command::Report(args) => report::report(&args).map(|()| ExitCode::SUCCESS),
        }
    });
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("cognito-bench: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: RunArgs) -> Result<ExitCode, String> {
    if args.concurrency == 0 {
        return Err("--concurrency must be at least 1".to_owned());
    }
    let endpoint = client::endpoint(
        &args.endpoint.url,
        &args.endpoint.region,
        args.endpoint.request_timeout,
    )
    .await?;
    let run_id = run_id();
    let mut admin = Caller::new(Arc::clone(&endpoint));
    let (target, created) = match (&args.pool_id, &args.client_id) {
        (Some(pool_id), Some(client_id)) => (
            Target {
                pool_id: pool_id.clone(),
                client_id: client_id.clone(),
                client_secret: args.client_secret.clone(),
            },
            false,
        ),
        _ => (
            cognito::create_target(&mut admin, &run_id)
                .await
                .map_err(|error| format!("set-up failed: {error}"))?,
            true,
        ),
    };
    let target = Arc::new(target);
    let result = run_workloads(&args, &endpoint, &target, &run_id).await;
    if created && !args.keep_pool {
        // Frees the server's memory between rounds; a failure here is reported but is not a load error.
        if let Err(error) = cognito::delete_pool(&mut admin, &target.pool_id).await {
            eprintln!("warning: could not delete pool {}: {error}", target.pool_id);
        }
    }
    result
}

async fn run_workloads(
    args: &RunArgs,
    endpoint: &Arc<client::Endpoint>,
    target: &Arc<Target>,
    run_id: &str,
) -> Result<ExitCode, String> {
    let label = args.endpoint.label();
    let sessions = args
        .workload
        .iter()
        .any(|workload| workload.needs_sessions());
    let prefill = args
        .workload
        .iter()
        .any(|workload| workload.needs_prefill());
    let seeded = if sessions || prefill {
        let (seeding, concurrency, done) = if sessions {
            (Seeding::SignedIn, args.concurrency, "seeded")
        } else {
            (
                Seeding::AdminCreated,
                args.concurrency.max(PREFILL_CONCURRENCY),
                "prefilled (AdminCreateUser)",
            )
        };
        let count = args.users.max(1);
        let began = Instant::now();
        let counter = Arc::new(AtomicU64::new(0));
        let progress = (!args.progress.is_zero()).then(|| {
            tokio::spawn(seeding_progress(
                Arc::clone(&counter),
                label.clone(),
                count,
                args.progress,
            ))
        });
        let seeded = cognito::seed_users(
            endpoint,
            target,
            run_id,
            count,
            concurrency,
            seeding,
            &counter,
        )
        .await;
        if let Some(progress) = progress {
            progress.abort();
            if std::io::stderr().is_terminal() && began.elapsed() > args.progress {
                eprintln!();
            }
        }
        let seeded = seeded.map_err(|error| format!("set-up failed: {error}"))?;
        eprintln!(
            "{label}: {done} {} users in {:.2} s",
            seeded.pool_users.len(),
            began.elapsed().as_secs_f64()
        );
        seeded
    } else {
        Seeded::default()
    };
    let seeded_users = seeded.pool_users.len();
    let users = Arc::new(seeded.sessions);
    let pool_users = Arc::new(seeded.pool_users);
    let duration = args.duration.unwrap_or(if args.count.is_some() {
        Duration::from_secs(600)
    } else {
        Duration::from_secs(10)
    });
    let mut any_errors = false;
    for (index, &workload) in args.workload.iter().enumerate() {
        let fixture = |phase: &str| {
            Arc::new(Fixture {
                endpoint: Arc::clone(endpoint),
                target: Arc::clone(target),
                users: Arc::clone(&users),
                pool_users: Arc::clone(&pool_users),
                seed_prefix: cognito::seed_prefix(run_id),
                username_prefix: format!("{run_id}-{index}{phase}-"),
            })
        };
        if !args.warmup.is_zero() {
            let warmup = Plan {
                workload,
                concurrency: args.concurrency,
                duration: args.warmup,
                count: None,
                progress: None,
                label: format!("{label} {} warm-up", workload.name()),
            };
            let outcome = workload::drive(&warmup, fixture("w")).await;
            if outcome.errors.total() > 0 {
                eprintln!(
                    "{label}: {} errors during the {} warm-up (not counted)",
                    outcome.errors.total(),
                    workload.name()
                );
            }
        }
        let plan = Plan {
            workload,
            concurrency: args.concurrency,
            duration,
            count: args.count,
            progress: (!args.progress.is_zero() && duration > args.progress)
                .then_some(args.progress),
            label: format!("{label} {}", workload.name()),
        };
        let driver_before = stats::own_cpu_seconds();
        let server_before = args.server_pid.and_then(stats::tree_cpu_seconds);
        let outcome = workload::drive(&plan, fixture("m")).await;
        let driver_cpu_s = stats::own_cpu_seconds() - driver_before;
        let server_cpu_s = match (
            server_before,
            args.server_pid.and_then(stats::tree_cpu_seconds),
        ) {
            (Some(before), Some(after)) => Some(after - before),
            _ => None,
        };
        let ok = outcome.ok();
        let wall_s = outcome.wall.as_secs_f64();
        let summary = outcome.all.clone().summary();
        let record = LoadRecord {
            label: label.clone(),
            url: args.endpoint.url.clone(),
            workload: workload.name().to_owned(),
            concurrency: args.concurrency,
            driver_threads: args.threads.max(1),
            seeded_users,
            unix_time: unix_time(),
            wall_s,
            ok,
            errors: outcome.errors.total(),
            error_kinds: outcome.errors.sorted(),
            ops_per_s: ok as f64 / wall_s.max(1e-9),
            p50_ms: summary.p50_ms,
            p90_ms: summary.p90_ms,
            p99_ms: summary.p99_ms,
            max_ms: summary.max_ms,
            mean_ms: summary.mean_ms,
            driver_cpu_s,
            server_cpu_s,
            operations: outcome
                .per_operation
                .into_iter()
                .map(|(operation, latencies)| {
                    (
                        operation.name().to_owned(),
                        OperationRecord::from(latencies.summary()),
                    )
                })
                .collect(),
        };
        let examples: BTreeMap<String, String> = outcome.errors.examples.into_iter().collect();
        human(
            args.endpoint.json,
            &report::describe_load(&record, &examples),
        );
        if args.endpoint.json {
            report::print_json(&Record::Load(record.clone()));
        }
        if driver_cpu_s > 0.9 * wall_s * args.threads.max(1) as f64 {
            eprintln!(
                "warning: the driver was CPU-bound ({:.0}% of its threads); the figure may measure the driver",
                100.0 * driver_cpu_s / wall_s
            );
        }
        any_errors |= record.errors > 0;
    }
    Ok(if any_errors && !args.allow_errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn startup(args: StartupArgs) -> Result<ExitCode, String> {
    let endpoint = client::endpoint(
        &args.endpoint.url,
        &args.endpoint.region,
        args.endpoint.request_timeout,
    )
    .await?;
    if server::port_answers(&endpoint).await {
        return Err(format!(
            "something already listens at {}; pick a free port",
            args.endpoint.url
        ));
    }
    let mut runs_ms = Vec::with_capacity(args.repeat);
    for attempt in 1..=args.repeat.max(1) {
        let began = Instant::now();
        let mut spawned = server::spawn(&args.command)?;
        let waited = spawned
            .wait_until_answering(&endpoint, began, args.max_wait)
            .await;
        spawned.stop(&endpoint).await;
        let elapsed = waited?;
        let ms = elapsed.as_secs_f64() * 1000.0;
        eprintln!(
            "{}: start {attempt}: first answer after {ms:.1} ms",
            args.endpoint.label()
        );
        runs_ms.push(ms);
    }
    let mut sorted = runs_ms.clone();
    let record = StartupRecord {
        label: args.endpoint.label(),
        url: args.endpoint.url.clone(),
        command: args.command.clone(),
        unix_time: unix_time(),
        median_ms: stats::median(&mut sorted).unwrap_or(0.0),
        min_ms: sorted.first().copied().unwrap_or(0.0),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        runs_ms,
    };
    human(
        args.endpoint.json,
        &format!(
            "startup @ {}: median {:.1} ms (min {:.1}, max {:.1}) over {} starts\n",
            record.label,
            record.median_ms,
            record.min_ms,
            record.max_ms,
            record.runs_ms.len()
        ),
    );
    if args.endpoint.json {
        report::print_json(&Record::Startup(record));
    }
    Ok(ExitCode::SUCCESS)
}

async fn rss(args: RssArgs) -> Result<ExitCode, String> {
    let endpoint = client::endpoint(
        &args.endpoint.url,
        &args.endpoint.region,
        args.endpoint.request_timeout,
    )
    .await?;
    let (pid, spawned) = match (args.pid, args.command.is_empty()) {
        (Some(pid), _) => (pid, None),
        (None, false) => {
            if server::port_answers(&endpoint).await {
                return Err(format!(
                    "something already listens at {}; pick a free port",
                    args.endpoint.url
                ));
            }
            let mut spawned = server::spawn(&args.command)?;
            if let Err(error) = spawned
                .wait_until_answering(&endpoint, Instant::now(), args.max_wait)
                .await
            {
                spawned.stop(&endpoint).await;
                return Err(error);
            }
            (spawned.pid, Some(spawned))
        }
        (None, true) => return Err("give --pid or the server command after --".to_owned()),
    };
    let result = measure_rss(&args, &endpoint, pid).await;
    if let Some(spawned) = spawned {
        spawned.stop(&endpoint).await;
    }
    let record = result?;
    human(
        args.endpoint.json,
        &format!(
            "rss @ {}: idle {:.1} MiB, after {} sign-ups {:.1} MiB ({:.1} s, {:.0} sign-ups/s, {} errors)\n",
            record.label,
            record.idle_mib,
            record.users,
            record.loaded_mib,
            record.signup_s,
            record.signup_ops_per_s,
            record.errors
        ),
    );
    let errors = record.errors;
    if args.endpoint.json {
        report::print_json(&Record::Rss(record));
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn measure_rss(
    args: &RssArgs,
    endpoint: &Arc<client::Endpoint>,
    pid: u32,
) -> Result<RssRecord, String> {
    tokio::time::sleep(args.settle).await;
    let idle_mib = stats::tree_rss_mib(pid).ok_or_else(|| format!("no process {pid}"))?;
    let run_id = run_id();
    let mut admin = Caller::new(Arc::clone(endpoint));
    let target = Arc::new(
        cognito::create_target(&mut admin, &run_id)
            .await
            .map_err(|error| format!("set-up failed: {error}"))?,
    );
    let plan = Plan {
        workload: Workload::Signup,
        concurrency: args.concurrency.max(1),
        duration: args.max_time,
        count: Some(args.users),
        progress: Some(Duration::from_secs(10)),
        label: format!("{} rss sign-ups", args.endpoint.label()),
    };
    let fixture = Arc::new(Fixture {
        endpoint: Arc::clone(endpoint),
        target,
        users: Arc::new(Vec::new()),
        pool_users: Arc::new(Vec::new()),
        seed_prefix: cognito::seed_prefix(&run_id),
        username_prefix: format!("{run_id}-rss-"),
    });
    let outcome = workload::drive(&plan, fixture).await;
    for (kind, count) in outcome.errors.sorted() {
        eprintln!("  error × {count}: {kind}");
    }
    tokio::time::sleep(args.settle).await;
    let loaded_mib = stats::tree_rss_mib(pid).ok_or_else(|| format!("process {pid} is gone"))?;
    let signup_s = outcome.wall.as_secs_f64();
    Ok(RssRecord {
        label: args.endpoint.label(),
        url: args.endpoint.url.clone(),
        pid,
        unix_time: unix_time(),
        idle_mib,
        loaded_mib,
        users: outcome.ok(),
        signup_s,
        signup_ops_per_s: outcome.ok() as f64 / signup_s.max(1e-9),
        errors: outcome.errors.total(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
