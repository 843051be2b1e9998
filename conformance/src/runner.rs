//! Runs scenarios in isolation: each in its own task (a panic is a FAIL, not a crash), under a
//! timeout (a hung target is a FAIL, not a hung run), followed by the cleanup of its pools
//! whatever happened. A pool left behind turns a PASS into a FAIL: against AWS that matters.

use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::check::Stop;
use crate::{Ctx, Scenario, Target};

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

impl Outcome {
    /// `PASS name`, `FAIL name: reason` or `SKIP name: reason`, on one line.
    pub fn line(&self, name: &str) -> String {
        let flat = |reason: &str| reason.split_whitespace().collect::<Vec<_>>().join(" ");
        match self {
            Outcome::Pass => format!("PASS {name}"),
            Outcome::Fail(reason) => format!("FAIL {name}: {}", flat(reason)),
            Outcome::Skip(reason) => format!("SKIP {name}: {}", flat(reason)),
        }
    }
}

/// One scenario's result.
#[derive(Debug, Clone)]
pub struct Report {
    pub name: &'static str,
    pub outcome: Outcome,
    pub elapsed: Duration,
}

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Totals {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::Fail(_) => self.failed += 1,
            Outcome::Skip(_) => self.skipped += 1,
        }
    }

    /// `N passed, N failed, N skipped`.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Runs one scenario against `target` and cleans up after it.
pub async fn run_scenario(
    target: Arc<Target>,
    scenario: &'static Scenario,
    timeout: Duration,
) -> Report {
    let started = Instant::now();
    let ctx = Ctx::new(target, scenario.name);
    ctx.share_time().await;
    let task = tokio::spawn((scenario.run)(ctx.clone()));
    let abort = task.abort_handle();
    let mut outcome = match tokio::time::timeout(timeout, task).await {
        Ok(Ok(Ok(()))) => Outcome::Pass,
        Ok(Ok(Err(Stop::Fail(reason)))) => Outcome::Fail(reason),
        Ok(Ok(Err(Stop::Skip(reason)))) => Outcome::Skip(reason),
        Ok(Err(join)) if join.is_panic() => {
            Outcome::Fail(format!("panicked: {}", panic_text(join.into_panic())))
        }
        Ok(Err(join)) => Outcome::Fail(format!("task ended abnormally: {join}")),
        Err(_) => {
            abort.abort();
            Outcome::Fail(format!("timed out after {} s", timeout.as_secs()))
        }
    };
    ctx.leave_time();
    let cleanup = tokio::time::timeout(Duration::from_secs(120), ctx.cleanup()).await;
    let cleanup = cleanup.unwrap_or_else(|_| Err("cleanup timed out".to_owned()));
    if let Err(reason) = cleanup {
        outcome = match outcome {
            Outcome::Fail(first) => Outcome::Fail(format!("{first}; and cleanup: {reason}")),
            Outcome::Pass | Outcome::Skip(_) => Outcome::Fail(format!("cleanup: {reason}")),
        };
    }
    Report {
        name: scenario.name,
        outcome,
        elapsed: started.elapsed(),
    }
}

fn panic_text(payload: Box<dyn Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(not a string)".to_owned()
    }
}

/// Where the scenarios of a run execute.
pub enum Targets {
    /// One target shared by every scenario: an endpoint, or AWS.
    Shared(Arc<Target>),
    /// A fresh in-process emulator for each scenario: one scenario moving the clock
    /// (to expire a code) must not expire the tokens of another running beside it.
    FreshEmulators,
}

impl Targets {
    async fn for_scenario(&self) -> Result<Arc<Target>, String> {
        match self {
            Targets::Shared(target) => Ok(target.clone()),
            Targets::FreshEmulators => Target::in_process().await.map(Arc::new),
        }
    }
}

/// Runs `scenarios` with at most `jobs` at once and hands each report to `on_report` in the
/// order given, as soon as it and those before it are done.
pub async fn run_all(
    targets: Targets,
    scenarios: &[&'static Scenario],
    jobs: usize,
    timeout: Duration,
    mut on_report: impl FnMut(&Report),
) -> Totals {
    let targets = Arc::new(targets);
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let handles: Vec<_> = scenarios
        .iter()
        .map(|&scenario| {
            let targets = targets.clone();
            let permits = permits.clone();
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await.expect("never closed");
                match targets.for_scenario().await {
                    Ok(target) => run_scenario(target, scenario, timeout).await,
                    Err(reason) => Report {
                        name: scenario.name,
                        outcome: Outcome::Fail(reason),
                        elapsed: Duration::ZERO,
                    },
                }
            })
        })
        .collect();
    let mut totals = Totals::default();
    for (handle, scenario) in handles.into_iter().zip(scenarios) {
        let report = handle.await.unwrap_or_else(|join| Report {
            name: scenario.name,
            outcome: Outcome::Fail(format!("runner task failed: {join}")),
            elapsed: Duration::ZERO,
        });
        totals.add(&report.outcome);
        on_report(&report);
    }
    totals
}
