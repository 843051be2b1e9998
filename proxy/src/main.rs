//! `cognito-proxy`: parse the configuration, connect to Cognito, serve until Ctrl-C or SIGTERM.

use clap::Parser;
use proxy::Config;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .init();
    let started = match proxy::start(&config).await {
        Ok(started) => started,
        Err(e) => {
            eprintln!("cognito-proxy: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind((config.host, config.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "cognito-proxy: cannot bind {}:{}: {e}",
                config.host, config.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("cognito-proxy: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    print!("{}", proxy::banner(&started, addr));
    let shutdown = async {
        emulator::shutdown_signal().await;
        eprintln!("cognito-proxy: shutting down");
    };
    if let Err(e) = proxy::serve(listener, started.backend.clone(), shutdown).await {
        eprintln!("cognito-proxy: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
