//! Seed files: a JSON list of API calls replayed at start-up through `ops::dispatch`,
//! so a seed passes the same validation as an HTTP request and cannot reach state any other way.
//!
//! Each call is `{"operation": "CreateUserPool", "request": {...}, "save": {"NAME": "UserPool.Id"}}`;
//! `save` keeps values from the response (a dotted path) and later requests use them as `${NAME}`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::credentials::{BUILT_IN_ACCESS_KEY_ID, BUILT_IN_SECRET_ACCESS_KEY};
use crate::ops::{dispatch, Caller};
use crate::AppState;

/// The default pool and client, mirroring the tutorial's console setup.
pub const DEFAULT_SEED: &str = include_str!("../../fixtures/default-seed.json");

/// What a replay produced: the saved variables, in name order. With `--data-dir` it is saved
/// too, so that a restart shows the same banner without seeding again.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    pub saved: BTreeMap<String, String>,
    pub calls: usize,
    pub default_seed: bool,
    /// State read back from `--data-dir`: (pools, users). Not saved.
    #[serde(skip)]
    pub restored: Option<(usize, usize)>,
}

/// Replays the configured seed file, the default seed, or nothing (`--empty`), unless
/// `opened` says state was read back from `--data-dir`: seeds run only on an empty directory.
pub fn load_at_startup(state: &AppState, opened: &crate::Opened) -> Result<Outcome, String> {
    if !opened.fresh {
        let mut outcome: Outcome = opened
            .seed
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        let pool_gone = outcome
            .saved
            .get("POOL_ID")
            .is_some_and(|id| state.store.pool(id).is_err());
        if pool_gone {
            outcome.default_seed = false;
        }
        outcome.restored = Some((opened.pools, opened.users));
        return Ok(outcome);
    }
    let outcome = replay_configured(state)?;
    if let Some(journal) = &state.journal {
        journal.record([crate::persist::Change::PutMeta {
            key: "seed",
            value: crate::persist::to_json(&outcome),
        }]);
    }
    Ok(outcome)
}

fn replay_configured(state: &AppState) -> Result<Outcome, String> {
    if let Some(path) = &state.config.seed_file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return replay(state, &text).map_err(|e| format!("{}: {e}", path.display()));
    }
    if state.config.empty {
        return Ok(Outcome::default());
    }
    let mut outcome = replay(state, DEFAULT_SEED)?;
    outcome.default_seed = true;
    Ok(outcome)
}

/// Replays a seed document. Stops at the first failing call and names it.
pub fn replay(state: &AppState, text: &str) -> Result<Outcome, String> {
    let calls: Vec<Value> =
        serde_json::from_str(text).map_err(|e| format!("not a JSON list of calls: {e}"))?;
    let mut outcome = Outcome::default();
    for (index, call) in calls.iter().enumerate() {
        let position = index + 1;
        let operation = call
            .get("operation")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("call {position}: missing \"operation\""))?;
        let mut request = call
            .get("request")
            .cloned()
            .unwrap_or(Value::Object(Default::default()));
        substitute(&mut request, &outcome.saved)
            .map_err(|e| format!("call {position} ({operation}): {e}"))?;
        let response = dispatch(state, operation, request, Caller::Seed).map_err(|f| {
            format!(
                "call {position} ({operation}) failed: {}: {}",
                f.type_name(),
                f.message()
            )
        })?;
        if let Some(save) = call.get("save").and_then(Value::as_object) {
            for (name, path) in save {
                let path = path.as_str().unwrap_or_default();
                let value = lookup(&response, path).ok_or_else(|| {
                    format!("call {position} ({operation}): response has no {path}")
                })?;
                outcome.saved.insert(name.clone(), value);
            }
        }
        outcome.calls += 1;
    }
    Ok(outcome)
}

fn lookup(value: &Value, path: &str) -> Option<String> {
    let found = path.split('.').try_fold(value, |v, key| v.get(key))?;
    match found {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn substitute(value: &mut Value, saved: &BTreeMap<String, String>) -> Result<(), String> {
    match value {
        Value::String(s) => {
            while let Some(start) = s.find("${") {
                let end = s[start..]
                    .find('}')
                    .ok_or_else(|| format!("unterminated ${{ in {s:?}"))?
                    + start;
                let name = &s[start + 2..end];
                let replacement = saved
                    .get(name)
                    .ok_or_else(|| format!("${{{name}}} was not saved by an earlier call"))?;
                s.replace_range(start..=end, replacement);
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| substitute(v, saved)),
        Value::Object(map) => map.values_mut().try_for_each(|v| substitute(v, saved)),
        _ => Ok(()),
    }
}

/// The start-up banner: where to point clients, and the lines a boto3 user pastes.
pub fn banner(state: &AppState, endpoint: &str, outcome: &Outcome) -> String {
    let region = &state.config.region;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "cognito-emulator listening on {endpoint} (region {region})"
    );
    let extra = state.config.credentials.len();
    let _ = writeln!(
        out,
        "credentials: {BUILT_IN_ACCESS_KEY_ID}/{BUILT_IN_SECRET_ACCESS_KEY} (root of account {}){}; {}",
        state.config.account_id,
        if extra > 0 { format!(" and {extra} from --credentials") } else { String::new() },
        if state.config.strict_credentials {
            "other keys are refused (--strict-credentials)"
        } else {
            "other keys are accepted unchecked (--strict-credentials refuses them)"
        }
    );
    match (&state.journal, outcome.restored) {
        (Some(journal), Some((pools, users))) => {
            let _ = writeln!(
                out,
                "state: {} (read back {pools} pools and {users} users; seeds run only on an empty directory)",
                journal.dir().display()
            );
        }
        (Some(journal), None) => {
            let _ = writeln!(out, "state: {} (new)", journal.dir().display());
        }
        (None, _) => {
            let _ = writeln!(out, "state: in memory only (--data-dir DIR keeps it)");
        }
    }
    if outcome.default_seed {
        let get = |k: &str| outcome.saved.get(k).map(String::as_str).unwrap_or("");
        let _ = writeln!(out, "default user pool: {}", get("POOL_ID"));
        let _ = writeln!(out, "app client id:     {}", get("CLIENT_ID"));
        let _ = writeln!(out, "app client secret: {}", get("CLIENT_SECRET"));
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "# for boto3, the AWS CLI and the AWS SDKs: cognito-idp and STS both answer here"
        );
        let _ = writeln!(out, "export AWS_ENDPOINT_URL={endpoint}");
        let _ = writeln!(
            out,
            "# (AWS_ENDPOINT_URL moves every AWS service; to move only these two:"
        );
        let _ = writeln!(
            out,
            "#  export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER={endpoint} AWS_ENDPOINT_URL_STS={endpoint})"
        );
        let _ = writeln!(out, "export AWS_DEFAULT_REGION={region}");
        let _ = writeln!(
            out,
            "export AWS_ACCESS_KEY_ID={BUILT_IN_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY={BUILT_IN_SECRET_ACCESS_KEY}"
        );
        let _ = writeln!(out, "# for the tutorial's backend:");
        let _ = writeln!(out, "export COGNITO_REGION_NAME={region}");
        let _ = writeln!(out, "export COGNITO_USER_POOL_ID={}", get("POOL_ID"));
        let _ = writeln!(out, "export COGNITO_USER_CLIENT_ID={}", get("CLIENT_ID"));
        let _ = writeln!(out, "export COGNITO_CLIENT_SECRET={}", get("CLIENT_SECRET"));
        let _ = writeln!(
            out,
            "export ROOT_USER_CLIENT_ID={BUILT_IN_ACCESS_KEY_ID} ROOT_USER_CLIENT_SECRET={BUILT_IN_SECRET_ACCESS_KEY}"
        );
    } else if outcome.calls > 0 {
        let when = if outcome.restored.is_some() {
            " at the directory's first start"
        } else {
            ""
        };
        let _ = writeln!(out, "seeded {} calls{when}", outcome.calls);
        for (k, v) in &outcome.saved {
            let _ = writeln!(out, "{k}={v}");
        }
    } else if outcome.restored.is_some() {
        let _ = writeln!(
            out,
            "no pools seeded (the directory's first start was --empty)"
        );
    } else {
        let _ = writeln!(out, "no pools (started with --empty)");
    }
    out
}
