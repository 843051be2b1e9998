//! `--data-dir` at scale: fills a data directory with N users (AdminCreateUser with a temporary
//! password and `MessageAction: SUPPRESS`, through `ops::dispatch`, so every user is a real
//! record with credentials), reports the bytes on disk per user, then starts the emulator
//! binary on it several times and reports the time from `exec` to its first HTTP answer and
//! its resident memory then. Prints figures, asserts nothing (README "Keeping state").
//!
//! `cargo run --release -p emulator --example bench_data_dir -- target/release/cognito-emulator 100000`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use emulator::ops::{dispatch, Caller};
use emulator::{AppState, Config, SystemClock};
use serde_json::json;

const STARTS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(binary), Some(users)) = (args.get(1), args.get(2).and_then(|n| n.parse().ok()))
    else {
        eprintln!("usage: bench_data_dir <cognito-emulator binary> <users> [data dir]");
        std::process::exit(2);
    };
    let users: usize = users;
    // A directory given is kept afterwards (for profiling a start); the default one is not.
    let keep = args.get(3).is_some();
    let dir = args.get(3).map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("cognito-bench-data-dir-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");

    if std::env::var_os("BENCH_MEMORY_ONLY").is_some() {
        // The same users in memory only, in this process: what persistence adds to memory.
        runtime.block_on(fill(None, users));
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let rss = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .unwrap_or("");
        println!("in memory only, {users} users: {rss}");
        return;
    }
    let filled = Instant::now();
    let pool_id = runtime.block_on(fill(Some(&dir), users));
    let fill_secs = filled.elapsed().as_secs_f64();
    let bytes = disk_bytes(&dir);
    println!(
        "filled {users} users in {fill_secs:.1} s ({:.0} users/s, in process, group-committed)",
        users as f64 / fill_secs
    );
    println!(
        "on disk: {:.1} MiB, {:.0} bytes a user (emulator.db and its WAL)",
        bytes as f64 / (1 << 20) as f64,
        bytes as f64 / users.max(1) as f64
    );
    for start in 1..=STARTS {
        let (elapsed, rss, peak, banner) = restart(Path::new(binary), &dir, &pool_id);
        println!(
            "start {start}: first answer after {:.0} ms; resident {:.0} MiB (peak {:.0} MiB); banner: {banner}",
            elapsed.as_secs_f64() * 1000.0,
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

async fn fill(dir: Option<&Path>, users: usize) -> String {
    let config = Config {
        data_dir: dir.map(Path::to_owned),
        ..Config::for_tests()
    };
    let (state, _) = AppState::open(config, Arc::new(SystemClock)).expect("opens");
    let pool = dispatch(
        &state,
        "CreateUserPool",
        json!({"PoolName": "bench"}),
        Caller::Seed,
    )
    .expect("pool");
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    for i in 0..users {
        let username = format!("user-{i:07}");
        dispatch(
            &state,
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": username, "TemporaryPassword": "Temp-pass-1",
                   "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}]}),
            Caller::Seed,
        )
        .expect("user");
        if i % 10_000 == 9_999 {
            state.durable().await.expect("committed");
        }
    }
    state.durable().await.expect("committed");
    pool_id
}

fn disk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("emulator.db"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Starts the binary on `dir`; returns the time to its first answer (the pool's JWKS), its
/// resident and peak memory in KiB, and the banner's `state:` line.
fn restart(binary: &Path, dir: &Path, pool_id: &str) -> (Duration, u64, u64, String) {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("bound").port()
    };
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["--port", &port.to_string(), "--log", "warn", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the emulator starts");
    let request = format!(
        "GET /{pool_id}/.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let elapsed = loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
            let mut answer = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                break started.elapsed();
            }
        }
        if started.elapsed() > Duration::from_secs(120) {
            panic!("no answer in two minutes");
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let (rss, peak) = (field("VmRSS:"), field("VmHWM:"));
    let mut banner = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("state:") {
                banner = line;
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    (elapsed, rss, peak, banner)
}
