//! `cognito-emulator`: parse the configuration, seed, bind, serve until Ctrl-C.

use std::sync::Arc;

use clap::Parser;
use emulator::{seed, AppState, Config, OffsetClock};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .init();

    if let Err(e) = config.credentials.check() {
        // Names the entry and its key id, never the secret.
        eprintln!("cognito-emulator: --credentials: {e}");
        return std::process::ExitCode::from(2);
    }
    let listener = match emulator::server::bind(std::net::SocketAddr::new(config.host, config.port))
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "cognito-emulator: cannot bind {}:{}: {e}",
                config.host, config.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cognito-emulator: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (state, opened) = match AppState::open(config.clone(), Arc::new(OffsetClock::default())) {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("cognito-emulator: --data-dir: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    state.set_bound_address(addr);
    let endpoint = format!("http://{addr}");
    let outcome = match seed::load_at_startup(&state, &opened) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("cognito-emulator: seeding failed: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The banner promises a pool that is there: the seed is committed before it is printed.
    if let Err(e) = state.durable().await {
        eprintln!("cognito-emulator: --data-dir: {e}");
        return std::process::ExitCode::FAILURE;
    }
    print!("{}", seed::banner(&state, &endpoint, &outcome));
    let shutdown = async {
        emulator::shutdown_signal().await;
        eprintln!("cognito-emulator: shutting down");
    };
    if let Err(e) = emulator::serve(listener, state, shutdown).await {
        eprintln!("cognito-emulator: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
