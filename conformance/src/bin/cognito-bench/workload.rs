//! The timed load loop: workers, each on its own connection, run operations until the deadline or the count, and record every latency.
//! Every loop is bounded in time, whatever else bounds it.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::ValueEnum;

use crate::client::{Action, CallError, Caller, Endpoint};
use crate::cognito::{self, PoolUser, SeedUser, StepError, Target};
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
    /// AdminCreateUser of a fresh username with an `email`, a temporary password and no invitation (MessageAction SUPPRESS).
    AdminCreate,
    /// AdminGetUser of a prefilled user drawn at random.
    AdminGet,
    /// ListUsers filtered on a random prefilled user's e-mail (`email = "..."`), which must find that user alone.
    ListUsers,
    /// One operation is a full pagination of the pool (ListUsers, Limit 60, following PaginationToken to the end), which must list every prefilled user once.
    ListUsersAll,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Signup => "signup",
            Workload::Login => "login",
            Workload::Refresh => "refresh",
            Workload::Getuser => "getuser",
            Workload::Mixed => "mixed",
            Workload::AdminCreate => "admin-create",
            Workload::AdminGet => "admin-get",
            Workload::ListUsers => "list-users",
            Workload::ListUsersAll => "list-users-all",
        }
    }

    /// Whether the workload needs seeded users signed in, with tokens.
    pub fn needs_sessions(self) -> bool {
        matches!(
            self,
            Workload::Login | Workload::Refresh | Workload::Getuser | Workload::Mixed
        )
    }

    /// Whether the workload runs against a pool filled beforehand (`--users`); the users need not be signed in.
    pub fn needs_prefill(self) -> bool {
        matches!(
            self,
            Workload::AdminCreate
                | Workload::AdminGet
                | Workload::ListUsers
                | Workload::ListUsersAll
        )
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
            Workload::AdminCreate => Operation::AdminCreate,
            Workload::AdminGet => Operation::AdminGet,
            Workload::ListUsers => Operation::ListUsers,
            Workload::ListUsersAll => Operation::ListUsersAll,
        }
    }
}

/// One timed operation; `signup` is two calls, `list-users-all` as many as the pool has pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Signup,
    Login,
    Refresh,
    Getuser,
    AdminCreate,
    AdminGet,
    ListUsers,
    ListUsersAll,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::Signup => "signup",
            Operation::Login => "login",
            Operation::Refresh => "refresh",
            Operation::Getuser => "getuser",
            Operation::AdminCreate => "admin-create",
            Operation::AdminGet => "admin-get",
            Operation::ListUsers => "list-users",
            Operation::ListUsersAll => "list-users-all",
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
    /// The signed-in seeded users (empty when the pool was filled by AdminCreateUser).
    pub users: Arc<Vec<SeedUser>>,
    /// Every seeded user, in seeding order.
    pub pool_users: Arc<Vec<PoolUser>>,
    /// The seeded users' usernames are this prefix and their index in `pool_users`.
    pub seed_prefix: String,
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
    // The admin workloads draw at random, so that a large pool is not walked in the order it was filled.
    let pool_user =
        || &fixture.pool_users[pick(worker, concurrency, sequence, fixture.pool_users.len())];
    match operation {
        Operation::Signup => {
            let username = format!("{}{worker}-{sequence}", fixture.username_prefix);
            cognito::sign_up_confirmed(caller, target, &username, None).await
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
        Operation::AdminCreate => {
            let username = format!("{}{worker}-{sequence}", fixture.username_prefix);
            let body = target.admin_create_user(&username, &cognito::email_of(&username));
            let answer = cognito::call(caller, Action::AdminCreateUser, body).await?;
            expect(Action::AdminCreateUser, &answer, b"\"User\"")
        }
        Operation::AdminGet => {
            let body = pool_user().admin_get_user.clone();
            let answer = cognito::call(caller, Action::AdminGetUser, body).await?;
            expect(Action::AdminGetUser, &answer, b"\"Username\"")
        }
        Operation::ListUsers => {
            let user = pool_user();
            let answer =
                cognito::call(caller, Action::ListUsers, user.list_by_email.clone()).await?;
            let page = cognito::users_page(&answer).map_err(|message| {
                wrong(Action::ListUsers, "answer is not a page of users", message)
            })?;
            match page.users.as_slice() {
                [only] if only.username == user.username => Ok(()),
                found => Err(wrong(
                    Action::ListUsers,
                    "the e-mail filter did not find its user alone",
                    format!(
                        "{} users for {}: {}",
                        found.len(),
                        user.username,
                        String::from_utf8_lossy(&answer[..answer.len().min(300)])
                    ),
                )),
            }
        }
        Operation::ListUsersAll => list_all(caller, fixture).await,
    }
}

/// A full pagination can never need this many pages (60 million users in full pages); a server that hands out tokens forever is stopped here.
const MAX_PAGES: usize = 1_000_000;

/// Pages through the whole pool; the operation fails unless every prefilled user was listed exactly once.
/// Users not prefilled (made by signup or admin-create earlier in the run, or already in a pool given with --pool-id) are listed but not checked.
async fn list_all(caller: &mut Caller, fixture: &Fixture) -> Result<(), StepError> {
    let mut census = Census::new(fixture.pool_users.len());
    let mut token: Option<String> = None;
    while census.pages < MAX_PAGES {
        let body = fixture.target.list_users_page(token.as_deref());
        let answer = cognito::call(caller, Action::ListUsers, body).await?;
        let page = cognito::users_page(&answer).map_err(|message| {
            wrong(Action::ListUsers, "answer is not a page of users", message)
        })?;
        census.pages += 1;
        for user in &page.users {
            census.see(&fixture.seed_prefix, &user.username);
        }
        // A repeat cannot be undone by later pages: stop at once.
        if census.repeated > 0 || page.pagination_token.is_none() {
            return census.verdict();
        }
        token = page.pagination_token;
    }
    Err(wrong(
        Action::ListUsers,
        "the pagination did not end",
        format!("still a PaginationToken after {MAX_PAGES} pages ({census})"),
    ))
}

/// Which prefilled users a pagination listed, to tell a complete pagination from one that skipped or repeated users.
struct Census {
    /// By seeding index.
    seen: Vec<bool>,
    distinct: usize,
    repeated: usize,
    /// Users that are not prefilled ones.
    others: usize,
    pages: usize,
}

impl Census {
    fn new(prefilled: usize) -> Self {
        Census {
            seen: vec![false; prefilled],
            distinct: 0,
            repeated: 0,
            others: 0,
            pages: 0,
        }
    }

    fn see(&mut self, seed_prefix: &str, username: &str) {
        let index = username
            .strip_prefix(seed_prefix)
            .and_then(|index| index.parse::<usize>().ok())
            .filter(|&index| index < self.seen.len());
        match index {
            Some(index) if self.seen[index] => self.repeated += 1,
            Some(index) => {
                self.seen[index] = true;
                self.distinct += 1;
            }
            None => self.others += 1,
        }
    }

    fn verdict(&self) -> Result<(), StepError> {
        if self.repeated == 0 && self.distinct == self.seen.len() {
            Ok(())
        } else {
            Err(wrong(
                Action::ListUsers,
                "a full pagination missed or repeated prefilled users",
                self.to_string(),
            ))
        }
    }
}

impl std::fmt::Display for Census {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} prefilled users listed, {} listed again, {} other users, {} pages",
            self.distinct,
            self.seen.len(),
            self.repeated,
            self.others,
            self.pages
        )
    }
}

/// A well-spread index in `0..len` for step `sequence` of `worker`: SplitMix64 of the step's number in the run,
/// cheap, and the same draws on every run and every server.
fn pick(worker: usize, concurrency: usize, sequence: u64, len: usize) -> usize {
    let mut z = sequence
        .wrapping_mul(concurrency as u64)
        .wrapping_add(worker as u64)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % len as u64) as usize
}

/// A 200 that lacks what the operation must return (a challenge instead of tokens, say) is an error too, never throughput.
fn expect(action: Action, answer: &[u8], needle: &[u8]) -> Result<(), StepError> {
    if answer.windows(needle.len()).any(|window| window == needle) {
        Ok(())
    } else {
        Err(wrong(
            action,
            &format!("answer without {}", String::from_utf8_lossy(needle)),
            String::from_utf8_lossy(&answer[..answer.len().min(300)]).into_owned(),
        ))
    }
}

/// A 200 whose content is wrong; `kind` names the fault in the error tally, so it must not carry figures that vary.
fn wrong(action: Action, kind: &str, message: String) -> StepError {
    StepError {
        action,
        error: CallError::Service {
            status: 200,
            kind: kind.to_owned(),
            message,
        },
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

    /// The names in records and reports are the ones the command line takes.
    #[test]
    fn workload_names_round_trip_through_the_command_line() {
        for workload in Workload::value_variants() {
            let value = workload.to_possible_value().expect("no workload is hidden");
            assert_eq!(value.get_name(), workload.name());
            assert_eq!(Workload::from_str(workload.name(), false), Ok(*workload));
        }
    }

    #[test]
    fn single_operation_workloads_name_their_operation_alike() {
        for workload in Workload::value_variants() {
            if *workload != Workload::Mixed {
                assert_eq!(workload.operation(3, 7).name(), workload.name());
            }
        }
    }

    #[test]
    fn every_workload_but_signup_runs_against_seeded_users() {
        for workload in Workload::value_variants() {
            let reads = !matches!(workload, Workload::Signup);
            assert_eq!(
                workload.needs_sessions() || workload.needs_prefill(),
                reads,
                "{workload:?}"
            );
            assert!(!(workload.needs_sessions() && workload.needs_prefill()));
        }
    }

    #[test]
    fn picks_stay_in_range_and_reach_every_user() {
        let mut hits = vec![0u32; 100];
        for sequence in 0..1000 {
            for worker in 0..16 {
                let index = pick(worker, 16, sequence, hits.len());
                hits[index] += 1;
            }
        }
        // 160 a user on average; a fair draw stays well inside half to twice that.
        assert!(
            hits.iter().all(|&count| (80..320).contains(&count)),
            "{hits:?}"
        );
        assert_eq!(pick(0, 1, 0, 1), 0);
    }

    #[test]
    fn a_census_passes_only_every_prefilled_user_once() {
        let mut census = Census::new(3);
        for username in [
            "r-seed-2", "r-seed-0", "r-0m-5", "r-seed-1", "r-seed-9", "other",
        ] {
            census.see("r-seed-", username);
        }
        assert!(census.verdict().is_ok(), "{census}");
        assert_eq!(census.others, 3);

        let mut missing = Census::new(3);
        missing.see("r-seed-", "r-seed-0");
        missing.see("r-seed-", "r-seed-1");
        assert!(missing.verdict().is_err());

        let mut repeated = Census::new(2);
        for username in ["r-seed-0", "r-seed-1", "r-seed-1"] {
            repeated.see("r-seed-", username);
        }
        assert_eq!(repeated.repeated, 1);
        assert!(repeated.verdict().is_err());
    }
}
