//! Connection handling of `emulator::serve` over real sockets (`emulator::server`): the
//! header-read and idle timeouts, the connection limit, and shutdown. Each test configures short
//! limits; the expected times are those configured values, with slack for a loaded machine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use emulator::{AppState, Config, Running, SystemClock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request every emulator answers with 200 and keeps the connection open after.
const GET: &[u8] = b"GET /_emulator/clock HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// The head of a POST / whose body (20 bytes) is then sent separately. Reading the body is the
/// first thing the JSON front door does for a known operation.
const POST_HEAD: &[u8] = b"POST / HTTP/1.1\r\nHost: localhost\r\n\
    X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n\
    Content-Type: application/x-amz-json-1.1\r\nContent-Length: 20\r\n\r\n";
const POST_BODY: &[u8] = b"{\"MaxResults\": 10  }";

/// Timers may fire late on a busy machine, never early: how much later a test tolerates.
const SLACK: Duration = Duration::from_millis(1500);

fn config(header: u64, idle: u64) -> Config {
    Config {
        header_read_timeout: Duration::from_millis(header),
        idle_timeout: Duration::from_millis(idle),
        ..Config::for_tests()
    }
}

async fn start(config: Config) -> Running {
    Running::start(config, Arc::new(SystemClock)).await.unwrap()
}

/// Reads one response: its head, and as many body bytes as its `Content-Length` says.
async fn response(stream: &mut TcpStream) -> String {
    let read = async {
        let mut got = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let text = String::from_utf8_lossy(&got).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(str::to_owned)
                    })
                    .and_then(|n| n.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() >= length {
                    return text;
                }
            }
            let n = stream.read(&mut chunk).await.expect("read a response");
            assert!(n > 0, "closed before a whole response: {text:?}");
            got.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("a response within 5 s")
}

/// Waits up to `limit` for the server to close the connection (EOF or reset); how long after
/// `since` it closed, or `None` if it is still open.
async fn closed_within(
    stream: &mut TcpStream,
    since: Instant,
    limit: Duration,
) -> Option<Duration> {
    let mut sink = [0u8; 1024];
    let wait = async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return since.elapsed(),
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, wait).await.ok()
}

fn status(response: &str) -> &str {
    response.lines().next().unwrap_or_default()
}

#[tokio::test]
async fn a_request_head_sent_a_byte_at_a_time_is_cut_off_at_the_header_read_timeout() {
    let running = start(config(500, 10_000)).await;
    let mut stream = TcpStream::connect(running.addr).await.unwrap();
    let began = Instant::now();
    stream
        .write_all(b"GET /_emulator/clock HTTP/1.1\r\nX-Slow: ")
        .await
        .unwrap();
    // A byte every 50 ms, for as long as the server lets it (a slowloris client).
    let closed = loop {
        if stream.write_all(b"a").await.is_err() {
            break began.elapsed();
        }
        if let Some(at) = closed_within(&mut stream, began, Duration::from_millis(50)).await {
            break at;
        }
        assert!(
            began.elapsed() < Duration::from_millis(500) + SLACK,
            "still open after {:?}",
            began.elapsed()
        );
    };
    assert!(
        closed >= Duration::from_millis(450),
        "closed after {closed:?}, before the 500 ms timeout"
    );
}

#[tokio::test]
async fn a_new_connection_that_sends_nothing_is_closed_at_the_header_read_timeout() {
    let running = start(config(400, 10_000)).await;
    let mut stream = TcpStream::connect(running.addr).await.unwrap();
    let began = Instant::now();
    let closed = closed_within(&mut stream, began, Duration::from_millis(400) + SLACK)
        .await
        .expect("closed after the header-read timeout");
    assert!(
        closed >= Duration::from_millis(350),
        "closed after {closed:?}, before the 400 ms timeout"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_at_the_idle_timeout_not_the_header_timeout() {
    let running = start(config(300, 1_200)).await;
    let mut stream = TcpStream::connect(running.addr).await.unwrap();
    stream.write_all(GET).await.unwrap();
    let answer = response(&mut stream).await;
    assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
    let answered = Instant::now();
    // Past the header-read timeout, the connection is still open: it is idle, not slow.
    assert_eq!(
        closed_within(&mut stream, answered, Duration::from_millis(800)).await,
        None,
        "an idle connection was closed before the 1.2 s idle timeout"
    );
    let closed = closed_within(&mut stream, answered, Duration::from_millis(1_200) + SLACK)
        .await
        .expect("closed after the idle timeout");
    assert!(
        closed >= Duration::from_millis(1_150),
        "closed after {closed:?}"
    );
}

#[tokio::test]
async fn a_kept_alive_connection_is_answered_again_after_a_pause() {
    let running = start(config(300, 5_000)).await;
    let mut stream = TcpStream::connect(running.addr).await.unwrap();
    for _ in 0..2 {
        stream.write_all(GET).await.unwrap();
        let answer = response(&mut stream).await;
        assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("connection: close"),
            "{answer}"
        );
        // Longer than the header-read timeout, shorter than the idle timeout.
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
}

#[tokio::test]
async fn past_the_connection_limit_a_new_connection_is_refused_at_once() {
    let running = start(Config {
        max_connections: Some(3),
        ..config(10_000, 10_000)
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(running.addr).await.unwrap();
        stream.write_all(GET).await.unwrap();
        assert_eq!(status(&response(&mut stream).await), "HTTP/1.1 200 OK");
        held.push(stream);
    }

    // The fourth is answered without sending anything, and closed.
    let began = Instant::now();
    let mut fourth = TcpStream::connect(running.addr).await.unwrap();
    let refusal = response(&mut fourth).await;
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "refused after {:?}",
        began.elapsed()
    );
    assert_eq!(
        status(&refusal),
        "HTTP/1.1 503 Service Unavailable",
        "{refusal}"
    );
    let lower = refusal.to_ascii_lowercase();
    assert!(lower.contains("\r\nconnection: close\r\n"), "{refusal}");
    let body: serde_json::Value =
        serde_json::from_str(refusal.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["__type"], "TooManyRequestsException");
    assert!(closed_within(&mut fourth, began, Duration::from_secs(2))
        .await
        .is_some());

    // A client that sends its request first gets the same answer.
    let mut fifth = TcpStream::connect(running.addr).await.unwrap();
    fifth.write_all(GET).await.unwrap();
    assert_eq!(
        status(&response(&mut fifth).await),
        "HTTP/1.1 503 Service Unavailable"
    );

    // The held connections are still served.
    held[0].write_all(GET).await.unwrap();
    assert_eq!(status(&response(&mut held[0]).await), "HTTP/1.1 200 OK");

    // Once one closes, a new connection is served again.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let mut stream = TcpStream::connect(running.addr).await.unwrap();
        stream.write_all(GET).await.unwrap();
        let answer = response(&mut stream).await;
        if status(&answer) == "HTTP/1.1 200 OK" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused 3 s after a connection closed: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_flood_past_the_connection_limit_is_answered_not_reset() {
    let running = start(Config {
        max_connections: Some(1),
        ..config(10_000, 10_000)
    })
    .await;
    let mut held = TcpStream::connect(running.addr).await.unwrap();
    held.write_all(GET).await.unwrap();
    assert_eq!(status(&response(&mut held).await), "HTTP/1.1 200 OK");
    // More refused clients, all holding their sockets, than the server lingers over at once:
    // each still reads the refusal.
    let mut refused = Vec::new();
    for _ in 0..100 {
        let mut stream = TcpStream::connect(running.addr).await.unwrap();
        stream.write_all(GET).await.unwrap();
        refused.push(stream);
    }
    for stream in &mut refused {
        assert_eq!(
            status(&response(stream).await),
            "HTTP/1.1 503 Service Unavailable"
        );
    }
}

/// `emulator::serve` on a free port, stopped by the returned sender; the handle ends when
/// `serve` returns.
async fn serve(
    config: Config,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(config, Arc::new(SystemClock));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        emulator::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (addr, stop, server)
}

#[tokio::test]
async fn shutdown_closes_idle_connections_and_half_sent_heads_at_once() {
    let grace = Duration::from_secs(3);
    let (addr, stop, server) = serve(Config {
        shutdown_grace: grace,
        ..config(10_000, 10_000)
    })
    .await;
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(GET).await.unwrap();
    assert_eq!(status(&response(&mut idle).await), "HTTP/1.1 200 OK");
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let began = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(grace, server)
        .await
        .expect("serve returned within the grace period")
        .unwrap();
    // Nothing was in flight, so nothing was waited for.
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "returned after {:?}",
        began.elapsed()
    );
    assert!(closed_within(&mut idle, began, Duration::from_secs(1))
        .await
        .is_some());
    assert!(closed_within(&mut half, began, Duration::from_secs(1))
        .await
        .is_some());
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let (addr, stop, server) = serve(Config {
        shutdown_grace: Duration::from_secs(3),
        ..config(10_000, 10_000)
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(POST_HEAD).await.unwrap();
    stream.write_all(&POST_BODY[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !server.is_finished(),
        "serve returned with a request in flight"
    );

    stream.write_all(&POST_BODY[10..]).await.unwrap();
    let answer = response(&mut stream).await;
    // Unsigned, so Cognito's refusal: but answered.
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.contains("MissingAuthenticationTokenException"),
        "{answer}"
    );
    let began = Instant::now();
    tokio::time::timeout(Duration::from_secs(1), server)
        .await
        .expect("serve returned once the request was answered")
        .unwrap();
    assert!(closed_within(&mut stream, began, Duration::from_secs(1))
        .await
        .is_some());
}

#[tokio::test]
async fn shutdown_gives_up_on_a_stuck_request_after_the_grace_period() {
    let grace = Duration::from_millis(800);
    let (addr, stop, server) = serve(Config {
        shutdown_grace: grace,
        ..config(10_000, 10_000)
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(POST_HEAD).await.unwrap();
    stream.write_all(&POST_BODY[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let began = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(grace + SLACK, server)
        .await
        .expect("serve returned after the grace period")
        .unwrap();
    let took = began.elapsed();
    assert!(
        took >= grace - Duration::from_millis(50),
        "gave up after {took:?}, before the grace"
    );
    assert!(closed_within(&mut stream, began, Duration::from_secs(1))
        .await
        .is_some());
}
