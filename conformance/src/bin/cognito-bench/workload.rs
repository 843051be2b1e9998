//! The timed load loop: workers, each on its own connection, run operations until the deadline or the count, and record every latency.
//! Every loop is bounded in time, whatever else bounds it.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::ValueEnum;

use crate::client::{Action, CallError, Caller, Endpoint};
use crate::cognito::{self, SeedUser, StepError, Target};
use crate::stats::{ErrorTally, Latencies};

/// What the workers do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Workload {
    /// SignUp with SECRET_HASH then AdminConfirmSignUp, a fresh username each time.
    Signup,
    /// InitiateAuth USER_PASSWORD_AUTH over the seeded users.
    Login,
    /// InitiateAuth REFRESH_TOKEN_AUTH with the seeded users' refresh tokens.
    Refresh,
    /// GetUser with the seeded users' access tokens.
    Getuser,
    /// 10% signup, 40% login, 40% getuser, 10% refresh, interleaved.
    Mixed,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Signup => "signup",
            Workload::Login => "login",
            Workload::Refresh => "refresh",
            Workload::Getuser => "getuser",
            Workload::Mixed => "mixed",
        }
    }

    /// Whether the workload needs seeded users with tokens.
    pub fn needs_users(self) -> bool {
        self != Workload::Signup
    }

    /// The operation a worker runs at step `sequence`. The mixed cycle of ten is rotated per worker, so workers do not all sign up at once.
    fn operation(self, worker: usize, sequence: u64) -> Operation {
        const MIXED: [Operation; 10] = [
            Operation::Signup,
            Operation::Login,
            Operation::Getuser,
            Operation::Login,
            Operation::Getuser,
            Operation::Refresh,
            Operation::Login,
            Operation::Getuser,
            Operation::Login,
            Operation::Getuser,
        ];
        match self {
            Workload::Signup => Operation::Signup,
            Workload::Login => Operation::Login,
            Workload::Refresh => Operation::Refresh,
            Workload::Getuser => Operation::Getuser,
            Workload::Mixed => MIXED[((sequence + worker as u64) % 10) as usize],
        }
    }
}

/// One timed operation; `signup` is two calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Signup,
    Login,
    Refresh,
    Getuser,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Signup => "signup",
            Operation::Login => "login",
            Operation::Refresh => "refresh",
            Operation::Getuser => "getuser",
        }
    }
}

/// How long and how hard to drive.
#[derive(Clone, Debug)]
pub struct Plan {
    pub workload: Workload,
    pub concurrency: usize,
    /// The run stops at this time even when `count` is not reached.
    pub duration: Duration,
    /// Stop after this many operations have started.
    pub count: Option<u64>,
    /// Print a progress line at this interval (None: never).
    pub progress: Option<Duration>,
    /// Prefix for the progress line.
    pub label: String,
}

/// What the workers share: the target, the seeded users' bodies, and a prefix that keeps sign-up usernames unique.
pub struct Fixture {
    pub endpoint: Arc<Endpoint>,
    pub target: Arc<Target>,
    pub users: Arc<Vec<SeedUser>>,
    /// Unique per run and phase, e.g. `k3f9a-m`.
    pub username_prefix: String,
}

/// The result of one timed phase.
pub struct Outcome {
    pub wall: Duration,
    pub all: Latencies,
    pub per_operation: BTreeMap<Operation, Latencies>,
    pub errors: ErrorTally,
}

impl Outcome {
    pub fn ok(&self) -> u64 {
        self.all.len() as u64
    }
}

struct Control {
    deadline: Instant,
    limit: Option<u64>,
    started: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
    done: AtomicBool,
}

struct WorkerResult {
    per_operation: BTreeMap<Operation, Latencies>,
    errors: ErrorTally,
}

/// Runs one phase and gathers every worker's samples.
pub async fn drive(plan: &Plan, fixture: Arc<Fixture>) -> Outcome {
    let started = Instant::now();
    let control = Arc::new(Control {
        deadline: started + plan.duration,
        limit: plan.count,
        started: AtomicU64::new(0),
        succeeded: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        done: AtomicBool::new(false),
    });
    let progress = plan.progress.map(|every| {
        tokio::spawn(progress_lines(
            Arc::clone(&control),
            plan.label.clone(),
            every,
            started,
        ))
    });
    let mut handles = Vec::with_capacity(plan.concurrency);
    for worker in 0..plan.concurrency {
        handles.push(tokio::spawn(run_worker(
            worker,
            plan.workload,
            plan.concurrency,
            Arc::clone(&fixture),
            Arc::clone(&control),
        )));
    }
    let mut per_operation: BTreeMap<Operation, Latencies> = BTreeMap::new();
    let mut errors = ErrorTally::default();
    for handle in handles {
        match handle.await {
            Ok(result) => {
                for (operation, latencies) in result.per_operation {
                    per_operation.entry(operation).or_default().merge(latencies);
                }
                errors.merge(result.errors);
            }
            Err(error) => errors.record("driver: worker task failed".to_owned(), || {
                error.to_string()
            }),
        }
    }
    let wall = started.elapsed();
    control.done.store(true, Ordering::Relaxed);
    if let Some(progress) = progress {
        progress.abort();
        if std::io::stderr().is_terminal() && wall > plan.progress.unwrap_or_default() {
            eprintln!();
        }
    }
    let mut all = Latencies::default();
    for latencies in per_operation.values() {
        all.merge(latencies.clone());
    }
    Outcome {
        wall,
        all,
        per_operation,
        errors,
    }
}

async fn run_worker(
    worker: usize,
    workload: Workload,
    concurrency: usize,
    fixture: Arc<Fixture>,
    control: Arc<Control>,
) -> WorkerResult {
    let mut caller = Caller::new(Arc::clone(&fixture.endpoint));
    let mut per_operation: BTreeMap<Operation, Latencies> = BTreeMap::new();
    let mut errors = ErrorTally::default();
    let mut sequence: u64 = 0;
    loop {
        if Instant::now() >= control.deadline {
            break;
        }
        if let Some(limit) = control.limit {
            if control.started.fetch_add(1, Ordering::Relaxed) >= limit {
                break;
            }
        }
        let operation = workload.operation(worker, sequence);
        let began = Instant::now();
        let result = run_operation(
            operation,
            &mut caller,
            &fixture,
            worker,
            concurrency,
            sequence,
        )
        .await;
        let micros = u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX);
        match result {
            Ok(()) => {
                per_operation.entry(operation).or_default().record(micros);
                control.succeeded.fetch_add(1, Ordering::Relaxed);
            }
            Err(StepError { action, error }) => {
                errors.record(format!("{}: {}", action.name(), error.kind()), || {
                    error.to_string()
                });
                control.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        sequence += 1;
    }
    WorkerResult {
        per_operation,
        errors,
    }
}

async fn run_operation(
    operation: Operation,
    caller: &mut Caller,
    fixture: &Fixture,
    worker: usize,
    concurrency: usize,
    sequence: u64,
) -> Result<(), StepError> {
    let target = &fixture.target;
    // Workers stride through the seeded users so that concurrent requests rarely share a user.
    let user = || {
        let index = (worker as u64 + sequence * concurrency as u64) % fixture.users.len() as u64;
        &fixture.users[index as usize]
    };
    match operation {
        Operation::Signup => {
            let username = format!("{}{worker}-{sequence}", fixture.username_prefix);
            cognito::sign_up_confirmed(caller, target, &username).await
        }
        Operation::Login => {
            let answer = cognito::call(caller, Action::InitiateAuth, user().login.clone()).await?;
            expect(Action::InitiateAuth, &answer, b"\"AccessToken\"")
        }
        Operation::Refresh => {
            let answer =
                cognito::call(caller, Action::InitiateAuth, user().refresh.clone()).await?;
            expect(Action::InitiateAuth, &answer, b"\"AccessToken\"")
        }
        Operation::Getuser => {
            let answer = cognito::call(caller, Action::GetUser, user().get_user.clone()).await?;
            expect(Action::GetUser, &answer, b"\"Username\"")
        }
    }
}

/// A 200 that lacks what the operation must return (a challenge instead of tokens, say) is an error too, never throughput.
fn expect(action: Action, answer: &[u8], needle: &[u8]) -> Result<(), StepError> {
    if answer.windows(needle.len()).any(|window| window == needle) {
        Ok(())
    } else {
        Err(StepError {
            action,
            error: CallError::Service {
                status: 200,
                kind: format!("answer without {}", String::from_utf8_lossy(needle)),
                message: String::from_utf8_lossy(&answer[..answer.len().min(300)]).into_owned(),
            },
        })
    }
}

async fn progress_lines(control: Arc<Control>, label: String, every: Duration, started: Instant) {
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut previous = 0;
    // On a terminal the line is redrawn in place; in a log each tick is its own line.
    let (start, end) = if std::io::stderr().is_terminal() {
        ("\r", "")
    } else {
        ("", "\n")
    };
    loop {
        ticker.tick().await;
        if control.done.load(Ordering::Relaxed) {
            return;
        }
        let succeeded = control.succeeded.load(Ordering::Relaxed);
        let failed = control.failed.load(Ordering::Relaxed);
        let rate = (succeeded - previous) as f64 / every.as_secs_f64();
        previous = succeeded;
        eprint!(
            "{start}{label}: {:>5.1}s  ok {succeeded}  errors {failed}  {rate:.0} ops/s now{end}",
            started.elapsed().as_secs_f64()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_is_ten_forty_forty_ten_for_every_worker() {
        for worker in 0..4 {
            let mut counts = BTreeMap::new();
            for sequence in 0..1000 {
                *counts
                    .entry(Workload::Mixed.operation(worker, sequence))
                    .or_insert(0) += 1;
            }
            assert_eq!(counts[&Operation::Signup], 100);
            assert_eq!(counts[&Operation::Login], 400);
            assert_eq!(counts[&Operation::Getuser], 400);
            assert_eq!(counts[&Operation::Refresh], 100);
        }
    }
}
