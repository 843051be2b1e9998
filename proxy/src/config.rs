//! Start-up configuration: the tutorial's environment variables, where Cognito is, and the
//! front end's origin. Every field is a flag with an environment fallback; the doc comments
//! are `--help`.

use std::net::IpAddr;

use clap::Parser;

/// The tutorial's account backend (port 3006, `POST /` with `{"env": ...}`), on an embedded
/// Cognito emulator by default.
#[derive(Clone, Parser)]
#[command(name = "cognito-proxy", version, about, long_about = None)]
pub struct Config {
    /// Address to bind.
    #[arg(long, env = "PROXY_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// Port to bind (the tutorial's is 3006; 0 picks a free port).
    #[arg(long, env = "PROXY_PORT", default_value_t = 3006)]
    pub port: u16,

    /// Port of the embedded emulator (loopback only; 0 picks a free port).
    #[arg(long, env = "PROXY_EMULATOR_PORT", default_value_t = 9229)]
    pub emulator_port: u16,

    /// Keep the embedded emulator's state in this directory, so accounts survive restarts
    /// (the emulator's `--data-dir`).
    #[arg(long, env = "PROXY_DATA_DIR", conflicts_with_all = ["cognito_endpoint", "aws"])]
    pub data_dir: Option<std::path::PathBuf>,

    /// Talk to a Cognito emulator already running at this URL instead of embedding one.
    #[arg(long, env = "PROXY_COGNITO_ENDPOINT", conflicts_with = "aws")]
    pub cognito_endpoint: Option<String>,

    /// Talk to real Amazon Cognito: region, pool, client and secret from the tutorial's
    /// variables; admin credentials from ROOT_USER_CLIENT_ID/SECRET or the default chain.
    #[arg(long)]
    pub aws: bool,

    /// The front end's origin, allowed by CORS (the tutorial's is http://localhost:4521).
    #[arg(
        long,
        env = "PROXY_FRONT_END_ORIGIN",
        default_value = "http://localhost:4521"
    )]
    pub front_end_origin: String,

    /// The issuer shown by authenticator apps for the TOTP secret of QR_init.
    #[arg(long, env = "PROXY_TOTP_ISSUER", default_value = "CognitoTutorial")]
    pub totp_issuer: String,

    /// Log filter (tracing's EnvFilter syntax). The embedded emulator logs only warnings by
    /// default: its info lines carry the codes it "sends".
    #[arg(long, env = "PROXY_LOG", default_value = "info,emulator=warn")]
    pub log: String,

    /// The pool's region (the tutorial's COGNITO_REGION_NAME); embedded mode fills it in.
    #[arg(long, env = "COGNITO_REGION_NAME")]
    pub region: Option<String>,

    /// The user pool (COGNITO_USER_POOL_ID); embedded mode fills it in.
    #[arg(long, env = "COGNITO_USER_POOL_ID")]
    pub user_pool_id: Option<String>,

    /// The app client (COGNITO_USER_CLIENT_ID); embedded mode fills it in.
    #[arg(long, env = "COGNITO_USER_CLIENT_ID")]
    pub client_id: Option<String>,

    /// The app client's secret (COGNITO_CLIENT_SECRET); embedded mode fills it in.
    #[arg(long, env = "COGNITO_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
}

/// The admin keys the tutorial exchanges for session credentials: `ROOT_USER_CLIENT_ID` /
/// `ROOT_USER_CLIENT_SECRET`, or the `ROOT_CLIENT_ID` / `ROOT_CLIENT_SECRET` its
/// `set_backend_env.sh` exports. Read from the environment only, so they never sit in a
/// command line.
pub fn root_keys() -> Option<(String, String)> {
    let var = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    };
    Some((
        var(["ROOT_USER_CLIENT_ID", "ROOT_CLIENT_ID"])?,
        var(["ROOT_USER_CLIENT_SECRET", "ROOT_CLIENT_SECRET"])?,
    ))
}

impl Config {
    /// `--front-end-origin` must be one origin (`scheme://host[:port]`): browsers refuse `*`
    /// with credentials, and a path or trailing slash never equals an `Origin` header.
    pub fn check_front_end_origin(&self) -> Result<(), String> {
        let origin = &self.front_end_origin;
        let valid = origin.split_once("://").is_some_and(|(scheme, authority)| {
            (scheme == "http" || scheme == "https")
                && !authority.is_empty()
                && !authority.contains(['/', '*', ' ', '?', '#'])
        });
        if valid {
            Ok(())
        } else {
            Err(format!(
                "--front-end-origin must be one origin such as http://localhost:4521, not {origin:?}"
            ))
        }
    }

    /// Ports 0, embedded emulator: what in-process tests want.
    pub fn for_tests() -> Self {
        Config {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            emulator_port: 0,
            cognito_endpoint: None,
            data_dir: None,
            aws: false,
            front_end_origin: "http://localhost:4521".to_owned(),
            totp_issuer: "CognitoTutorial".to_owned(),
            log: "warn".to_owned(),
            region: None,
            user_pool_id: None,
            client_id: None,
            client_secret: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Config;

    #[test]
    fn the_front_end_origin_must_be_one_origin() {
        let with = |origin: &str| Config {
            front_end_origin: origin.to_owned(),
            ..Config::for_tests()
        };
        for good in [
            "http://localhost:4521",
            "https://app.example.com",
            "http://127.0.0.1:8080",
        ] {
            assert!(with(good).check_front_end_origin().is_ok(), "{good}");
        }
        for bad in [
            "*",
            "localhost:4521",
            "http://localhost:4521/",
            "http://a/b",
            "ftp://x",
            "http://",
        ] {
            assert!(with(bad).check_front_end_origin().is_err(), "{bad}");
        }
    }
}
