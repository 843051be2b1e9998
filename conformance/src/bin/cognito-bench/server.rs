//! Servers the driver starts itself, for the `startup` and `rss` modes: spawn a command in its own process group, poll until it answers, kill the whole group.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

use crate::client::{Action, Caller, Endpoint};
use crate::cognito;

/// A spawned server; killed (with its children) on `stop`, or on drop as a last resort.
pub struct Spawned {
    child: Child,
    pub pid: u32,
    /// The last 16 KiB of what it wrote to stdout and stderr, to show when it fails to start.
    output: Arc<Mutex<Vec<u8>>>,
}

const KEPT_OUTPUT: usize = 16 * 1024;

pub fn spawn(command: &[String]) -> Result<Spawned, String> {
    let (program, arguments) = command
        .split_first()
        .ok_or("no server command given after --")?;
    let mut child = Command::new(program)
        .args(arguments)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so that a wrapper's children (npx → node) die with it.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("cannot start {program}: {error}"))?;
    let pid = child.id().ok_or("the server exited at once")?;
    let output = Arc::new(Mutex::new(Vec::new()));
    if let Some(stdout) = child.stdout.take() {
        tokio::spawn(keep_tail(stdout, Arc::clone(&output)));
    }
    if let Some(stderr) = child.stderr.take() {
        tokio::spawn(keep_tail(stderr, Arc::clone(&output)));
    }
    Ok(Spawned { child, pid, output })
}

/// Drains a pipe (a server blocks once a full pipe is left unread) and keeps its tail.
async fn keep_tail(mut pipe: impl tokio::io::AsyncRead + Unpin, output: Arc<Mutex<Vec<u8>>>) {
    let mut buffer = [0u8; 4096];
    while let Ok(read) = pipe.read(&mut buffer).await {
        if read == 0 {
            break;
        }
        let mut kept = output.lock().expect("output lock is never poisoned");
        kept.extend_from_slice(&buffer[..read]);
        if kept.len() > KEPT_OUTPUT {
            let excess = kept.len() - KEPT_OUTPUT;
            kept.drain(..excess);
        }
    }
}

impl Spawned {
    pub fn output_tail(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("output lock is never poisoned"))
            .into_owned()
    }

    /// Polls with a signed `ListUserPools` every millisecond until HTTP 200; returns the time since `since`.
    pub async fn wait_until_answering(
        &mut self,
        endpoint: &Arc<Endpoint>,
        since: Instant,
        max_wait: Duration,
    ) -> Result<Duration, String> {
        let mut caller = Caller::new(Arc::clone(endpoint));
        let body = cognito::list_user_pools();
        let mut last_error = String::from("no attempt");
        while since.elapsed() < max_wait {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the server exited with {status} before answering:\n{}",
                    self.output_tail()
                ));
            }
            match caller.call(Action::ListUserPools, body.clone()).await {
                Ok(_) => return Ok(since.elapsed()),
                Err(error) => last_error = error.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Err(format!(
            "no answer within {max_wait:?} (last: {last_error}); server output:\n{}",
            self.output_tail()
        ))
    }

    /// Kills the process group, reaps the child, then waits (bounded) until the port refuses connections, so the next start finds it free.
    pub async fn stop(mut self, endpoint: &Arc<Endpoint>) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.pid)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill().await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && port_answers(endpoint).await {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Whether anything still accepts connections at the endpoint.
pub async fn port_answers(endpoint: &Endpoint) -> bool {
    tokio::net::TcpStream::connect(endpoint.addr())
        .await
        .is_ok()
}
