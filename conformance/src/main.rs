//! `cognito-conformance`: runs every scenario against one target and prints one line per scenario
//! (`PASS`, `FAIL <reason>`, `SKIP <reason>`) and `N passed, N failed, N skipped`.
//! Exit status: 0 all passed or skipped, 1 a scenario failed, 2 the target could not be reached or the flags are wrong.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use conformance::{runner, Target, TargetKind, SCENARIOS};

/// Runs the conformance scenarios against the in-process emulator, any Cognito endpoint, or real AWS.
#[derive(Debug, Parser)]
#[command(name = "cognito-conformance", version, about)]
struct Args {
    /// A running endpoint to test, e.g. http://127.0.0.1:9229 (also CONFORMANCE_ENDPOINT).
    #[arg(long, conflicts_with = "target")]
    endpoint: Option<String>,

    /// `aws` for real Cognito with the default credential and region chain, or `emulator` for one
    /// started in this process (also CONFORMANCE_TARGET). Default: the emulator, unless an endpoint is given.
    #[arg(long, value_parser = ["aws", "emulator"])]
    target: Option<String>,

    /// Run only scenarios whose name contains this text (repeatable).
    #[arg(long = "only", value_name = "TEXT")]
    only: Vec<String>,

    /// Scenarios run at once (default 4; 1 against AWS, whose control-plane calls are rate-limited).
    #[arg(long)]
    jobs: Option<usize>,

    /// Seconds one scenario may take before it fails (default 120; 18 minutes with CONFORMANCE_SLOW=1).
    #[arg(long)]
    timeout: Option<u64>,

    /// List the scenarios and exit.
    #[arg(long)]
    list: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.list {
        for scenario in SCENARIOS {
            println!("{}", scenario.name);
        }
        return ExitCode::SUCCESS;
    }
    let kind = match (&args.endpoint, args.target.as_deref()) {
        (Some(url), _) => Ok(TargetKind::Endpoint(url.clone())),
        (None, Some("aws")) => Ok(TargetKind::Aws),
        (None, Some(_)) => Ok(TargetKind::Emulator),
        (None, None) => TargetKind::from_env(),
    };
    let kind = match kind {
        Ok(kind) => kind,
        Err(reason) => {
            eprintln!("cognito-conformance: {reason}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cognito-conformance: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(run(args, kind))
}

async fn run(args: Args, kind: TargetKind) -> ExitCode {
    let target = match Target::connect(kind).await {
        Ok(target) => Arc::new(target),
        Err(reason) => {
            eprintln!("cognito-conformance: {reason}");
            return ExitCode::from(2);
        }
    };
    let scenarios: Vec<_> = SCENARIOS
        .iter()
        .filter(|s| args.only.is_empty() || args.only.iter().any(|o| s.name.contains(o.as_str())))
        .collect();
    let jobs = args.jobs.unwrap_or(match target.kind() {
        TargetKind::Aws => 1,
        _ => 4,
    });
    let timeout = args
        .timeout
        .map_or_else(|| target.scenario_timeout(), Duration::from_secs);
    let fresh = if *target.kind() == TargetKind::Emulator {
        " (a fresh one for each scenario)"
    } else {
        ""
    };
    eprintln!(
        "cognito-conformance: {} scenarios against {}{fresh}",
        scenarios.len(),
        target.describe()
    );
    let targets = match target.kind() {
        // The target above only described itself; each scenario gets its own emulator.
        TargetKind::Emulator => runner::Targets::FreshEmulators,
        _ => runner::Targets::Shared(target),
    };
    let totals = runner::run_all(targets, &scenarios, jobs, timeout, |report| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", report.outcome.line(report.name));
        let _ = out.flush();
    })
    .await;
    println!("{}", totals.line());
    if totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
