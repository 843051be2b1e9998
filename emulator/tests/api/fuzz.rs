//! A bounded, deterministic fuzz run over every operation of the API model (the hardening issue):
//! malformed members, sizes, unicode and garbage bodies, signed and unsigned, asserting that every
//! answer is below 500, that every error carries `__type` (body and `x-amzn-ErrorType`), and that
//! the server still serves a fresh sign-up and sign-in afterwards.
//!
//! The generator reads `fixtures/cognito-idp-service-2.json` itself (not the emulator's schema
//! module), builds a shape-valid request for each operation with real ids (pool, client, user,
//! tokens, group) so implemented operations run past validation into their logic, then mutates it.
//! It is a seeded hand-written generator rather than `proptest` strategies: the shapes come from a
//! model read at run time, the server is stateful (shrinking against it would replay history), and
//! one async loop keeps the run in a single runtime. `COGNITO_FUZZ_SEED` and `COGNITO_FUZZ_CASES`
//! widen a local run (`COGNITO_FUZZ_VERBOSE` prints valid requests the emulator rejected); CI
//! uses the fixed defaults below. `--nocapture` prints the tally.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use crate::support::{Harness, Reply, Signing};

/// The fixed seed of the CI run.
const SEED: u64 = 0x00c0_961d_f022;
/// Requests per operation in the CI run (the first is always the unmutated valid request).
const CASES_PER_OPERATION: usize = 100;
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// The password of every fixture user: meets the default policy (upper, lower, digit, symbol).
const FUZZ_PASSWORD: &str = "Fuzz-passw0rd!";
const NEW_PASSWORD: &str = "Fuzz-passw0rd!2";

// ---- the model, as the generator needs it ----

struct Operation {
    name: String,
    input: Option<String>,
    /// `"authtype": "none"`: callable without SigV4.
    unsigned: bool,
}

struct Model {
    operations: Vec<Operation>,
    shapes: Map<String, Value>,
    /// For each string shape with a pattern: a value that matches it within the shape's length
    /// bounds, when one of [`PATTERN_CANDIDATES`] does.
    pattern_samples: HashMap<String, Option<String>>,
}

/// Strings tried, in order, against each model pattern.
const PATTERN_CANDIDATES: &[&str] = &[
    "abc123",
    "123456",
    "us-east-1_Abc123",
    "us-east-1_0123abcd",
    "user@example.com",
    "https://example.com/callback",
    "arn:aws:iam::123456789012:role/fuzz",
    "arn:aws:s3:::fuzz-bucket",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret/fuzz",
    "Level1",
    "cognito:default",
    "terms-of-use",
    "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d",
    "tknabcdefghijklmnopqrstuvwxy",
    "import-abc123",
    "Your code is {####}",
    "Click {##here##} to verify",
    "deadbeef",
    "fuzz-bucket",
    "ab",
];

impl Model {
    fn load() -> Model {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/cognito-idp-service-2.json"
        ))
        .expect("the vendored API model");
        let raw: Value = serde_json::from_str(&text).expect("the model is JSON");
        let shapes = raw["shapes"].as_object().expect("shapes").clone();
        let mut operations: Vec<Operation> = raw["operations"]
            .as_object()
            .expect("operations")
            .iter()
            .map(|(name, o)| Operation {
                name: name.clone(),
                input: o["input"]["shape"].as_str().map(str::to_owned),
                unsigned: o["authtype"] == "none",
            })
            .collect();
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        let mut pattern_samples = HashMap::new();
        for (name, shape) in &shapes {
            if let Some(pattern) = shape["pattern"].as_str() {
                let sample = pattern_sample(pattern, bound(shape, "min"), bound(shape, "max"));
                pattern_samples.insert(name.clone(), sample);
            }
        }
        Model {
            operations,
            shapes,
            pattern_samples,
        }
    }

    fn shape(&self, name: &str) -> &Value {
        &self.shapes[name]
    }
}

fn bound(shape: &Value, which: &str) -> Option<i64> {
    shape[which].as_i64()
}

/// A candidate (padded or cut to the length bounds) that matches `pattern` as Java would.
fn pattern_sample(pattern: &str, min: Option<i64>, max: Option<i64>) -> Option<String> {
    let java = emulator::protocol::schema::translate_java_regex(pattern);
    let regex = fancy_regex::Regex::new(&format!("^(?:{java})$")).expect("model pattern");
    let min = min.unwrap_or(0).max(0) as usize;
    let max = max.map_or(usize::MAX, |m| m as usize);
    for candidate in PATTERN_CANDIDATES {
        let len = candidate.chars().count();
        let mut variants = vec![(*candidate).to_owned()];
        if len < min {
            variants.push(format!("{candidate}{}", "a".repeat(min - len)));
            variants.push(format!("{}{candidate}", "a".repeat(min - len)));
        }
        if len > max {
            variants.push(candidate.chars().take(max).collect());
        }
        for v in variants {
            let n = v.chars().count();
            if n >= min && n <= max && regex.is_match(&v).unwrap_or(false) {
                return Some(v);
            }
        }
    }
    None
}

// ---- the fixture the valid requests name ----

/// Real identifiers for the members the model names `UserPoolId`, `ClientId`, `Username` ...
#[derive(Clone)]
struct Ids {
    pool_id: String,
    client_id: String,
    username: String,
    access_token: String,
    refresh_token: String,
    group: String,
    /// A second user, in FORCE_CHANGE_PASSWORD, and the session of its NEW_PASSWORD_REQUIRED
    /// challenge.
    challenged: String,
    session: String,
}

struct Fixture {
    pool_id: String,
    client_id: String,
    rebuilds: usize,
}

impl Fixture {
    async fn new(h: &Harness) -> Fixture {
        let (pool_id, client_id) = Self::pool(h).await;
        Fixture {
            pool_id,
            client_id,
            rebuilds: 0,
        }
    }

    async fn pool(h: &Harness) -> (String, String) {
        let pool_id = h
            .create_pool(json!({"PoolName": "fuzz", "AutoVerifiedAttributes": ["email"]}))
            .await;
        let (client_id, _) = h
            .create_client(
                &pool_id,
                json!({"ExplicitAuthFlows": [
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]}),
            )
            .await;
        (pool_id, client_id)
    }

    /// A fresh user (signed in) and group for operation number `n`, so what one operation's
    /// requests did (sign out, delete, disable, change password) does not stop the next one.
    /// When the shared pool was broken (deleted, MFA required, flows turned off), a new one.
    async fn ids(&mut self, h: &Harness, n: usize) -> Ids {
        if let Some(ids) = self.try_ids(h, n).await {
            return ids;
        }
        (self.pool_id, self.client_id) = Self::pool(h).await;
        self.rebuilds += 1;
        self.try_ids(h, n)
            .await
            .expect("a new pool serves AdminCreateUser and AdminInitiateAuth")
    }

    async fn try_ids(&self, h: &Harness, n: usize) -> Option<Ids> {
        let username = format!("fuzz-user-{n}");
        let pool = &self.pool_id;
        let ok = |reply: Reply| (reply.status == StatusCode::OK).then_some(reply.body);
        ok(h.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS",
                   "TemporaryPassword": FUZZ_PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")},
                                      {"Name": "email_verified", "Value": "true"}]}),
        )
        .await)?;
        ok(h.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": username, "Password": FUZZ_PASSWORD, "Permanent": true}),
        )
        .await)?;
        let auth = ok(h
            .call(
                "AdminInitiateAuth",
                json!({"UserPoolId": pool, "ClientId": self.client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": username, "PASSWORD": FUZZ_PASSWORD}}),
            )
            .await)?;
        let group = format!("fuzz-group-{n}");
        ok(h.call(
            "CreateGroup",
            json!({"UserPoolId": pool, "GroupName": group}),
        )
        .await)?;
        let challenged = format!("fuzz-challenged-{n}");
        ok(h.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": challenged, "MessageAction": "SUPPRESS",
                   "TemporaryPassword": FUZZ_PASSWORD}),
        )
        .await)?;
        let challenge = ok(h
            .call(
                "AdminInitiateAuth",
                json!({"UserPoolId": pool, "ClientId": self.client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": challenged, "PASSWORD": FUZZ_PASSWORD}}),
            )
            .await)?;
        let result = &auth["AuthenticationResult"];
        Some(Ids {
            session: challenge["Session"].as_str()?.to_owned(),
            challenged,
            pool_id: pool.clone(),
            client_id: self.client_id.clone(),
            username,
            access_token: result["AccessToken"].as_str()?.to_owned(),
            refresh_token: result["RefreshToken"].as_str()?.to_owned(),
            group,
        })
    }
}

// ---- generation ----

/// One generated value: its JSON pointer in the body and its model shape.
struct Node {
    pointer: String,
    shape: String,
    /// A required member of its structure.
    required: bool,
}

struct Gen<'a> {
    model: &'a Model,
    rng: &'a mut ChaCha8Rng,
    ids: &'a Ids,
    nodes: Vec<Node>,
    /// Raw byte strings that replace `"@@RAW{i}@@"` in the serialized body.
    splices: Vec<Vec<u8>>,
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unescape_pointer(key: &str) -> String {
    key.replace("~1", "/").replace("~0", "~")
}

impl Gen<'_> {
    /// A shape-valid request for `op`.
    fn input(&mut self, op: &Operation) -> Value {
        match &op.input {
            Some(shape) => self.value(shape, None, String::new(), false, 0),
            None => json!({}),
        }
    }

    /// Real ids and working credentials for the members that name them.
    fn known(&mut self, member: &str, ty: &str) -> Option<Value> {
        // Now and then a member keeps its generated value: unknown ids are logic too.
        if self.rng.random_bool(0.1) {
            return None;
        }
        let ids = self.ids;
        let value = match (member, ty) {
            ("UserPoolId", "string") => json!(ids.pool_id),
            ("ClientId", "string") => json!(ids.client_id),
            ("Username", "string") => json!(ids.username),
            ("AccessToken", "string") => json!(ids.access_token),
            ("RefreshToken" | "Token", "string") => json!(ids.refresh_token),
            ("GroupName", "string") => json!(ids.group),
            ("Password" | "PreviousPassword", "string") => json!(FUZZ_PASSWORD),
            ("ProposedPassword" | "TemporaryPassword", "string") => json!(NEW_PASSWORD),
            ("ConfirmationCode" | "UserCode", "string") => json!("123456"),
            ("Session", "string") => json!(ids.session),
            ("ChallengeName", "string") => json!("NEW_PASSWORD_REQUIRED"),
            ("AttributeName", "string") => json!("email"),
            ("Filter", "string") => json!(self.pick(&[
                "",
                "email = \"fuzz-user-1@example.com\"",
                "username ^= \"fuzz\"",
                "status = \"Enabled\"",
                "email ^= \"",
                "nope = \"x\"",
                "email=\"a\" AND b",
                "sub = \"\u{202e}\u{0}\"",
            ])),
            ("AuthParameters", "map") => json!({
                "USERNAME": ids.username, "PASSWORD": FUZZ_PASSWORD,
                "REFRESH_TOKEN": ids.refresh_token, "SRP_A": "0badc0de"}),
            ("ChallengeResponses", "map") => json!({
                "USERNAME": ids.challenged, "NEW_PASSWORD": NEW_PASSWORD,
                "SOFTWARE_TOKEN_MFA_CODE": "123456", "ANSWER": "42"}),
            ("UserAttributes", "list") => self.pick(&[
                json!([{"Name": "email", "Value": "fuzz@example.com"}]),
                json!([{"Name": "given_name", "Value": "Fuzz"}, {"Name": "custom:nope", "Value": "x"}]),
                json!([{"Name": "phone_number", "Value": "+15555550100"}]),
            ]),
            ("UserAttributeNames", "list") => json!(["given_name"]),
            _ => return None,
        };
        Some(value)
    }

    fn value(
        &mut self,
        shape_name: &str,
        member: Option<&str>,
        pointer: String,
        required: bool,
        depth: usize,
    ) -> Value {
        let model = self.model;
        let shape = model.shape(shape_name);
        let ty = shape["type"].as_str().unwrap_or_default();
        self.nodes.push(Node {
            pointer: pointer.clone(),
            shape: shape_name.to_owned(),
            required,
        });
        if let Some(v) = member.and_then(|m| self.known(m, ty)) {
            return v;
        }
        let (min, max) = (bound(shape, "min"), bound(shape, "max"));
        match ty {
            "string" => {
                if let Some(values) = shape["enum"].as_array() {
                    return values.choose(self.rng).cloned().unwrap_or(Value::Null);
                }
                if let Some(Some(sample)) = model.pattern_samples.get(shape_name) {
                    return json!(sample);
                }
                let lo = min.unwrap_or(1).max(0) as usize;
                let hi = max.map_or(lo + 12, |m| (m as usize).min(lo + 12)).max(lo);
                let n = self.rng.random_range(lo..=hi);
                json!(self.alnum(n))
            }
            "integer" | "long" => {
                // Near the minimum, anywhere in range, or at the maximum: valid extremes reach
                // the arithmetic an operation does with them (validity times its unit, say).
                let lo = min.unwrap_or(0);
                let hi = max.unwrap_or(lo + 10);
                match self.rng.random_range(0..10) {
                    0..4 => json!(self.rng.random_range(lo..=hi.min(lo + 100))),
                    4..7 => json!(self.rng.random_range(lo..=hi)),
                    _ => json!(hi),
                }
            }
            "boolean" => json!(self.rng.random_bool(0.5)),
            "timestamp" => json!(1_700_000_000),
            "blob" => json!("ZnV6eg=="),
            "list" => {
                let lo = min.unwrap_or(0).max(0) as usize;
                let hi = max.map_or(lo + 2, |m| (m as usize).min(lo + 2));
                let n = if depth > 4 {
                    lo
                } else {
                    self.rng.random_range(lo..=hi)
                };
                let element = shape["member"]["shape"].as_str().unwrap_or_default();
                Value::Array(
                    (0..n)
                        .map(|i| {
                            self.value(element, None, format!("{pointer}/{i}"), false, depth + 1)
                        })
                        .collect(),
                )
            }
            "map" => {
                let lo = min.unwrap_or(0).max(0) as usize;
                let n = if depth > 4 {
                    lo
                } else {
                    self.rng.random_range(lo..=lo + 2)
                };
                let key_shape = shape["key"]["shape"].as_str().unwrap_or_default();
                let value_shape = shape["value"]["shape"].as_str().unwrap_or_default();
                let mut out = Map::new();
                for _ in 0..n {
                    let key = match self.value(key_shape, None, String::new(), false, depth + 1) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    // The key's own node has no pointer of its own.
                    self.nodes.pop();
                    let at = format!("{pointer}/{}", escape_pointer(&key));
                    let v = self.value(value_shape, None, at, false, depth + 1);
                    out.insert(key, v);
                }
                Value::Object(out)
            }
            "structure" if shape["document"] == true => json!({"doc": [1, "two", null]}),
            "structure" => {
                let required: Vec<&str> = shape["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut out = Map::new();
                let members = shape["members"].as_object().cloned().unwrap_or_default();
                let optional_p = if depth == 0 {
                    0.6
                } else if depth < 4 {
                    0.3
                } else {
                    0.0
                };
                for (name, m) in &members {
                    let is_required = required.contains(&name.as_str());
                    if !is_required && !self.rng.random_bool(optional_p) {
                        continue;
                    }
                    let member_shape = m["shape"].as_str().unwrap_or_default();
                    let at = format!("{pointer}/{}", escape_pointer(name));
                    let v = self.value(member_shape, Some(name), at, is_required, depth + 1);
                    out.insert(name.clone(), v);
                }
                Value::Object(out)
            }
            _ => Value::Null,
        }
    }

    fn alnum(&mut self, n: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..n)
            .map(|_| char::from(CHARS[self.rng.random_range(0..CHARS.len())]))
            .collect()
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items.choose(self.rng).cloned().expect("a non-empty list")
    }

    /// Replaces the value at `pointer` with raw bytes spliced into the serialized body.
    fn splice(&mut self, body: &mut Value, pointer: &str, raw: Vec<u8>) -> bool {
        let marker = format!("@@RAW{}@@", self.splices.len());
        match body.pointer_mut(pointer) {
            Some(slot) => {
                *slot = Value::String(marker);
                self.splices.push(raw);
                true
            }
            None => false,
        }
    }

    /// A unicode string built from [`UNICODE`]: one to three pieces, sometimes after a valid
    /// prefix so the value still looks like an id.
    fn unicode(&mut self, prefix: &str) -> String {
        let mut s = if self.rng.random_bool(0.5) {
            prefix.to_owned()
        } else {
            String::new()
        };
        for _ in 0..self.rng.random_range(1..=3) {
            s.push_str(self.pick(UNICODE));
        }
        s
    }

    /// One mutation of `body`; returns what it did (for the tally and for failures).
    fn mutate(&mut self, body: &mut Value) -> String {
        // Drop a required member: a quarter of the time when there is one.
        let required: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].required)
            .collect();
        if !required.is_empty() && self.rng.random_bool(0.15) {
            let i = self.pick(&required);
            let pointer = self.nodes[i].pointer.clone();
            let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
            if let Some(Value::Object(o)) = body.pointer_mut(parent) {
                o.remove(&unescape_pointer(key));
            }
            return format!("missing-required {pointer}");
        }
        let i = self.rng.random_range(0..self.nodes.len().max(1));
        let Some(node) = self.nodes.get(i) else {
            // An input with no members: add one.
            return self.extra_member(body, "");
        };
        let pointer = node.pointer.clone();
        let model = self.model;
        let shape = model.shape(&node.shape);
        let ty = shape["type"].as_str().unwrap_or_default();
        let current = body.pointer(&pointer).cloned().unwrap_or(Value::Null);
        let is_enum = shape["enum"].is_array();
        let (min, max) = (bound(shape, "min"), bound(shape, "max"));
        let mut kinds: Vec<&str> = vec!["wrong-type", "raw-token", "deep-nesting"];
        if !pointer.is_empty() {
            kinds.push("null");
        }
        match ty {
            "string" => {
                kinds.extend([
                    "too-long",
                    "too-short",
                    "unicode",
                    "unicode",
                    "at-max-unicode",
                ]);
                kinds.extend(["random-string", "raw-unicode"]);
                if is_enum {
                    kinds.extend(["bad-enum", "bad-enum"]);
                }
            }
            "integer" | "long" | "timestamp" => kinds.extend(["number", "number", "number"]),
            "blob" => kinds.extend(["too-long", "too-short", "random-string"]),
            "list" | "map" => {
                kinds.extend(["too-long", "too-long", "too-short", "unicode-key", "at-max"]);
            }
            "structure" => kinds.extend(["extra-member", "extra-member", "unicode-key"]),
            _ => {}
        }
        let kind = self.pick(&kinds);
        let slot_value: Value = match kind {
            "wrong-type" => {
                let wrong: Vec<Value> = [
                    json!(1),
                    json!(-1.5),
                    json!(true),
                    json!("str"),
                    json!([]),
                    json!({}),
                    json!([1, "a", null]),
                    json!({"a": {"b": 1}}),
                ]
                .into_iter()
                .filter(|v| !same_json_type(v, &current))
                .collect();
                self.pick(&wrong)
            }
            "null" => Value::Null,
            "too-long" => match ty {
                "string" => {
                    let n = max.map_or(100_000, |m| m as usize + 1).min(300_000);
                    json!("a".repeat(n))
                }
                // Base64 of max+1 bytes.
                "blob" => {
                    let n = max.map_or(200_000, |m| m as usize + 1).min(600_000);
                    json!("A".repeat(n.div_ceil(3) * 4))
                }
                "list" => {
                    let n = max.map_or(2_000, |m| m as usize + 1);
                    let element = current
                        .as_array()
                        .and_then(|a| a.first().cloned())
                        .unwrap_or(json!("x"));
                    Value::Array(vec![element; n])
                }
                _ => {
                    let n = max.map_or(1_000, |m| m as usize + 1);
                    let element = current
                        .as_object()
                        .and_then(|o| o.values().next().cloned())
                        .unwrap_or(json!("v"));
                    Value::Object((0..n).map(|k| (format!("k{k}"), element.clone())).collect())
                }
            },
            "at-max" => {
                // Exactly as many elements as the model allows, copies of the first.
                let n = max.map_or(500, |m| m as usize).min(10_000);
                match &current {
                    Value::Array(a) => {
                        Value::Array(vec![a.first().cloned().unwrap_or(json!("x")); n])
                    }
                    Value::Object(o) => {
                        let element = o.values().next().cloned().unwrap_or(json!("v"));
                        Value::Object((0..n).map(|k| (format!("k{k}"), element.clone())).collect())
                    }
                    other => other.clone(),
                }
            }
            "too-short" => {
                let n = min.map_or(0, |m| (m - 1).max(0) as usize);
                match ty {
                    "string" => json!("a".repeat(n)),
                    "blob" => json!(""),
                    "list" => json!([]),
                    _ => json!({}),
                }
            }
            "at-max-unicode" => {
                // Exactly max characters that are 4 bytes (or a base letter and combining marks):
                // lengths are counted in characters, not bytes.
                let n = max.unwrap_or(64).clamp(1, 50_000) as usize;
                let piece = self.pick(&["a", "\u{1f600}", "\u{301}", "\u{10ffff}", "\u{202e}"]);
                json!(format!("a{}", piece.repeat(n - 1)))
            }
            "unicode" => {
                let prefix = current.as_str().unwrap_or_default().to_owned();
                json!(self.unicode(&prefix))
            }
            "random-string" => {
                let n = self.rng.random_range(0..48);
                let s: String = (0..n)
                    .map(|_| match self.rng.random_range(0..4) {
                        0 => char::from(self.rng.random_range(0x20u8..0x7f)),
                        1 => char::from_u32(self.rng.random_range(0..0x11_0000))
                            .unwrap_or('\u{fffd}'),
                        _ => char::from(self.rng.random_range(b'a'..=b'z')),
                    })
                    .collect();
                json!(s)
            }
            "bad-enum" => {
                let valid = current.as_str().unwrap_or("VALUE").to_owned();
                let bad = [
                    String::new(),
                    "NOT_A_VALUE".to_owned(),
                    valid.to_lowercase(),
                    format!("{valid} "),
                    format!("{valid}\u{0}"),
                    format!("\u{200b}{valid}"),
                ];
                json!(self.pick(&bad))
            }
            "number" => {
                let lo = min.unwrap_or(0);
                let hi = max.unwrap_or(i64::from(i32::MAX));
                let edges = [
                    json!(lo - 1),
                    json!(lo),
                    json!(hi),
                    json!(hi.saturating_add(1)),
                    json!(2_147_483_648i64),
                    json!(-2_147_483_649i64),
                    json!(i64::MAX),
                    json!(i64::MIN),
                    json!(u64::MAX),
                    json!(-1),
                    json!(0),
                    json!(1.5),
                    json!(-0.0),
                    json!(1e300),
                    json!(1e3),
                ];
                self.pick(&edges)
            }
            "raw-token" => {
                let raw = self.pick(RAW_TOKENS).to_vec();
                self.splice(body, &pointer, raw);
                return format!("raw-token {pointer}");
            }
            "raw-unicode" => {
                let raw = self.pick(RAW_STRINGS).to_vec();
                self.splice(body, &pointer, raw);
                return format!("raw-unicode {pointer}");
            }
            "deep-nesting" => {
                let depth = self.pick(&[16usize, 100, 126, 127, 128, 129, 1_000, 100_000]);
                let raw = if self.rng.random_bool(0.5) {
                    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
                } else {
                    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
                };
                self.splice(body, &pointer, raw.into_bytes());
                return format!("deep-nesting {pointer} ({depth})");
            }
            "extra-member" => return self.extra_member(body, &pointer),
            "unicode-key" => {
                let key = self.unicode("");
                if let Some(Value::Object(o)) = body.pointer_mut(&pointer) {
                    let value = o.values().next().cloned().unwrap_or(json!("v"));
                    o.insert(key, value);
                }
                return format!("unicode-key {pointer}");
            }
            _ => unreachable!("kind {kind}"),
        };
        if let Some(slot) = body.pointer_mut(&pointer) {
            *slot = slot_value;
        }
        format!("{kind} {pointer}")
    }

    fn extra_member(&mut self, body: &mut Value, pointer: &str) -> String {
        let existing: Vec<String> = body
            .pointer(pointer)
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let mut keys = vec![
            String::new(),
            "__type".to_owned(),
            "Extra".to_owned(),
            "__proto__".to_owned(),
            "a".repeat(10_000),
            self.unicode(""),
        ];
        if let Some(first) = existing.first() {
            // A known member in another case: ignored, as an unknown member is.
            keys.push(first.to_lowercase());
            keys.push(first.to_uppercase());
        }
        let key = self.pick(&keys);
        let value = self.pick(&[
            json!(null),
            json!(1),
            json!("x"),
            json!([{"a": [true]}]),
            json!({"UserPoolId": self.ids.pool_id}),
        ]);
        if let Some(Value::Object(o)) = body.pointer_mut(pointer) {
            o.insert(key, value);
        }
        format!("extra-member {pointer}")
    }
}

fn same_json_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Text that is hard on validation and on whatever stores or renders it.
const UNICODE: &[&str] = &[
    "e\u{301}\u{301}\u{301}",                            // combining marks
    "\u{202e}gnp.exe",                                   // right-to-left override
    "\u{200b}\u{200d}\u{feff}",                          // zero-width space, joiner, BOM
    "a\u{0}b",                                           // NUL
    "\u{1f600}\u{1f44d}\u{1f3fd}",                       // 4-byte characters, a skin-tone modifier
    "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",       // a ZWJ sequence
    "\u{1d518}\u{1d52b}",                                // mathematical letters (4 bytes)
    "\u{10ffff}\u{fffe}\u{ffff}",                        // noncharacters
    "\u{df}\u{130}\u{212a}\u{fb03}",                     // case mapping changes length: ß İ K ﬃ
    "\u{627}\u{644}\u{639}\u{631}\u{628}\u{64a}\u{629}", // Arabic
    "\u{65e5}\u{672c}\u{8a9e}",                          // Japanese
    "\u{7f}\u{1b}[31m",                                  // DEL, an ANSI escape
    "\r\n\t",
    " ",
    "\u{2028}\u{2029}\u{85}", // line separators Java's `.` excludes
    "%00%ff../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "${jndi:ldap://x}",
    "\\u0000\\ud800", // escapes as literal text
];

/// Raw JSON text for a string member: escapes and bytes a JSON encoder cannot produce.
const RAW_STRINGS: &[&[u8]] = &[
    br#""\ud800""#, // lone high surrogate
    br#""\udc00""#, // lone low surrogate
    br#""a\ud800b""#,
    br#""\ud800\ud800""#,
    br#""\uDBFF\uDFFF""#, // U+10FFFF, valid
    br#""\u0000""#,
    b"\"a\xffb\"",           // invalid UTF-8
    b"\"\xc3\x28\"",         // a bad continuation byte
    b"\"\xc0\xaf\"",         // overlong
    b"\"\xed\xa0\x80\"",     // an encoded surrogate (CESU-8)
    b"\"\xf4\x90\x80\x80\"", // above U+10FFFF
    b"\"\xf0\x9f\x98\"",     // a truncated 4-byte sequence
    b"\"a\x00b\"",           // a raw NUL
    b"\"tab\there\"",        // a raw control character
    br#""\x41""#,            // not a JSON escape
    br#""\u12""#,            // a short escape
];

/// Raw JSON (or not quite JSON) for any member.
const RAW_TOKENS: &[&[u8]] = &[
    b"1e400",
    b"-1e400",
    b"NaN",
    b"Infinity",
    b"-0",
    b"01",
    b"1.",
    b".5",
    b"0x10",
    b"123456789012345678901234567890",
    b"1E+2",
    b"undefined",
    b"'single'",
    b"[1,]",
    b"{\"a\":1,}",
    b"{\"a\"}",
    b"\"unterminated",
    b"tru",
];

/// Whole bodies that are not a request.
fn garbage(rng: &mut ChaCha8Rng, valid: &[u8]) -> (Vec<u8>, String) {
    let fixed: &[(&[u8], &str)] = &[
        (b"", "empty"),
        (b"   \n", "whitespace"),
        (b"{", "open brace"),
        (b"}", "close brace"),
        (b"null", "null"),
        (b"[]", "array"),
        (b"[{}]", "array of object"),
        (b"0", "number"),
        (b"\"x\"", "string"),
        (b"true", "true"),
        (b"{}{}", "two objects"),
        (b"{} x", "trailing garbage"),
        (b"\xef\xbb\xbf{}", "BOM"),
        (b"{\x00}\x00", "UTF-16LE"),
        (b"\x00", "NUL"),
        (b"{\"UserPoolId\":", "cut short"),
        (b"{\"a\":1,\"a\":2}", "duplicate keys"),
    ];
    match rng.random_range(0..6) {
        0 | 1 => {
            let (bytes, what) = fixed[rng.random_range(0..fixed.len())];
            (bytes.to_vec(), format!("garbage {what}"))
        }
        2 => {
            let mut bytes = vec![0u8; rng.random_range(1..512)];
            rng.fill_bytes(&mut bytes);
            (bytes, "garbage random bytes".to_owned())
        }
        3 => {
            let at = rng.random_range(0..valid.len().max(1));
            (valid[..at].to_vec(), format!("garbage truncated at {at}"))
        }
        4 => {
            let mut bytes = valid.to_vec();
            for _ in 0..rng.random_range(1..4) {
                if !bytes.is_empty() {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] ^= 1 << rng.random_range(0..8);
                }
            }
            (bytes, "garbage bit flips".to_owned())
        }
        _ => {
            // Over the 1 MiB body limit, or just under it.
            let n = if rng.random_bool(0.5) {
                (1 << 20) + 10
            } else {
                (1 << 20) - 10
            };
            let mut bytes = b"{\"Pad\":\"".to_vec();
            bytes.resize(n - 2, b'a');
            bytes.extend_from_slice(b"\"}");
            (bytes, format!("garbage {n}-byte body"))
        }
    }
}

/// Replaces each `"@@RAW{i}@@"` (quoted, as serialized) with its raw bytes.
fn assemble(body: &Value, splices: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(body).expect("a Value serializes");
    for (i, raw) in splices.iter().enumerate() {
        let marker = format!("\"@@RAW{i}@@\"");
        if let Some(at) = find(&bytes, marker.as_bytes()) {
            bytes.splice(at..at + marker.len(), raw.iter().copied());
        }
    }
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---- requests ----

#[derive(Clone, Copy, Debug)]
enum Auth {
    Signed,
    Unsigned,
    /// Signed with the built-in key id and a wrong secret.
    BadSignature,
}

#[derive(Clone, Debug)]
struct Headers {
    content_type: Option<&'static str>,
    target: Option<String>,
}

fn build(operation: &str, body: &[u8], auth: Auth, headers: &Headers) -> Request<Body> {
    let mut builder = Request::post("/").header("host", "localhost");
    if let Some(content_type) = headers.content_type {
        builder = builder.header("content-type", content_type);
    }
    let target = headers
        .target
        .clone()
        .unwrap_or_else(|| format!("{TARGET_PREFIX}{operation}"));
    if !target.is_empty() {
        builder = builder.header(
            "x-amz-target",
            HeaderValue::from_bytes(target.as_bytes()).expect("a header value"),
        );
    }
    let mut request = builder.body(Body::from(body.to_vec())).unwrap();
    match auth {
        Auth::Signed => Signing::default().sign(&mut request, body),
        Auth::BadSignature => Signing::key("test", "not-the-secret").sign(&mut request, body),
        Auth::Unsigned => {}
    }
    request
}

// ---- checking and counting ----

/// Errors answered before an operation's own logic ran: the front door, signature checks and
/// model validation.
fn rejected_before_logic(reply: &Reply) -> bool {
    match reply.error_type() {
        "SerializationException"
        | "UnknownOperationException"
        | "MissingAuthenticationTokenException"
        | "IncompleteSignatureException"
        | "InvalidSignatureException"
        | "UnrecognizedClientException"
        | "UnsupportedOperationException" => true,
        "InvalidParameterException" => reply.message().contains(" detected: "),
        _ => false,
    }
}

/// Why `reply` breaks the contract, if it does.
fn violation(reply: &Reply) -> Option<String> {
    let status = reply.status.as_u16();
    if status >= 500 {
        return Some(format!("status {status}"));
    }
    if reply.status.is_success() {
        return (!reply.body.is_object())
            .then(|| "a 2xx body that is not a JSON object".to_owned());
    }
    if !(400..500).contains(&status) {
        return Some(format!("status {status}"));
    }
    let type_name = reply.error_type();
    if type_name.is_empty() || !reply.body.is_object() {
        return Some("an error without __type".to_owned());
    }
    let header = reply
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok());
    match header {
        Some(h) if h.split(':').next() == Some(type_name) => None,
        other => Some(format!("x-amzn-ErrorType {other:?} for __type {type_name}")),
    }
}

struct Finding {
    operation: String,
    what: String,
    auth: Auth,
    headers: Headers,
    body: Vec<u8>,
    status: StatusCode,
    reply: String,
    problem: String,
}

fn shorten(bytes: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() <= limit {
        text.into_owned()
    } else {
        let cut: String = text.chars().take(limit).collect();
        format!("{cut}... ({} bytes)", bytes.len())
    }
}

#[derive(Default)]
struct PerOperation {
    requests: usize,
    /// 2xx, or an error from the operation's own logic.
    reached_logic: usize,
    /// Passed validation: reached logic, or answered UnsupportedOperationException.
    passed_validation: usize,
}

#[derive(Default)]
struct Tally {
    by_type: BTreeMap<String, usize>,
    by_mutation: BTreeMap<String, usize>,
    by_operation: BTreeMap<String, PerOperation>,
    findings: Vec<Finding>,
    requests: usize,
}

fn settings() -> (u64, usize) {
    let seed = std::env::var("COGNITO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let cases = std::env::var("COGNITO_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CASES_PER_OPERATION);
    (seed, cases)
}

/// Runs the fuzz cases for every operation of the model against `h`.
async fn run(h: &Harness, model: &Model, seed: u64, cases: usize) -> (Tally, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fixture = Fixture::new(h).await;
    let mut tally = Tally::default();
    for (n, op) in model.operations.iter().enumerate() {
        let ids = fixture.ids(h, n).await;
        for case in 0..cases {
            let mut g = Gen {
                model,
                rng: &mut rng,
                ids: &ids,
                nodes: Vec::new(),
                splices: Vec::new(),
            };
            let mut body = g.input(op);
            let mut headers = Headers {
                content_type: Some("application/x-amz-json-1.1"),
                target: None,
            };
            let roll = if case == 0 {
                0
            } else {
                g.rng.random_range(0..100)
            };
            let (bytes, what) = match roll {
                0..20 => (assemble(&body, &[]), "valid".to_owned()),
                20..84 => {
                    let mut what = Vec::new();
                    let count = if g.rng.random_bool(0.7) {
                        1
                    } else {
                        g.rng.random_range(2..=3)
                    };
                    for _ in 0..count {
                        what.push(g.mutate(&mut body));
                    }
                    (assemble(&body, &g.splices), what.join(" + "))
                }
                84..96 => {
                    let valid = assemble(&body, &[]);
                    garbage(g.rng, &valid)
                }
                _ => {
                    let variant = g.rng.random_range(0..6);
                    match variant {
                        0 => headers.content_type = None,
                        1 => headers.content_type = Some("application/json"),
                        2 => headers.content_type = Some("text/plain"),
                        3 => {
                            headers.content_type = Some("application/x-amz-json-1.1; charset=utf-8")
                        }
                        4 => {
                            headers.target =
                                Some(format!("{TARGET_PREFIX}{}", op.name.to_lowercase()))
                        }
                        _ => headers.target = Some(String::new()),
                    }
                    (assemble(&body, &[]), format!("headers {headers:?}"))
                }
            };
            let auth = match (op.unsigned, g.rng.random_range(0..100)) {
                (true, 0..50) | (false, 0..85) => Auth::Signed,
                (false, 85..95) | (true, _) => Auth::Unsigned,
                (false, _) => Auth::BadSignature,
            };
            let reply = h.raw(build(&op.name, &bytes, auth, &headers)).await;
            tally.requests += 1;
            let kind = what.split([' ', ':']).next().unwrap_or_default().to_owned();
            *tally.by_mutation.entry(kind).or_default() += 1;
            let key = if reply.status.is_success() {
                "(200 OK)".to_owned()
            } else if reply.error_type() == "InvalidParameterException"
                && rejected_before_logic(&reply)
            {
                "InvalidParameterException (model validation)".to_owned()
            } else {
                reply.error_type().to_owned()
            };
            *tally.by_type.entry(key).or_default() += 1;
            let per = tally.by_operation.entry(op.name.clone()).or_default();
            per.requests += 1;
            if reply.status.is_success() || !rejected_before_logic(&reply) {
                per.reached_logic += 1;
                per.passed_validation += 1;
            } else if reply.error_type() == "UnsupportedOperationException" {
                per.passed_validation += 1;
            } else if what == "valid" && std::env::var_os("COGNITO_FUZZ_VERBOSE").is_some() {
                // Why a generated valid request did not pass: a generator gap to close.
                println!(
                    "valid request rejected: {} {auth:?}: {} {}",
                    op.name,
                    reply.error_type(),
                    shorten(reply.message().as_bytes(), 200)
                );
            }
            if let Some(problem) = violation(&reply) {
                tally.findings.push(Finding {
                    operation: op.name.clone(),
                    what,
                    auth,
                    headers,
                    body: bytes,
                    status: reply.status,
                    reply: shorten(reply.body.to_string().as_bytes(), 300),
                    problem,
                });
            }
        }
    }
    (tally, fixture.rebuilds)
}

/// After the run: a new pool, sign-up, confirmation, sign-in and GetUser all work, and the
/// fuzzed pool still lists.
async fn assert_alive(h: &Harness) {
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, "alive@example.com").await;
    let tokens = h.tokens(&t, "alive@example.com").await;
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": tokens["AccessToken"]}))
        .await
        .ok();
    let email = me["UserAttributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["Name"] == "email"))
        .map(|x| x["Value"].clone());
    assert_eq!(email, Some(json!("alive@example.com")), "{me}");
    h.call("ListUserPools", json!({"MaxResults": 60}))
        .await
        .ok();
}

#[tokio::test]
async fn every_model_operation_survives_fuzzed_requests() {
    let model = Model::load();
    assert!(
        model.operations.len() > 100,
        "the model lists every Cognito operation"
    );
    let (seed, cases) = settings();
    let h = Harness::new();
    let started = std::time::Instant::now();
    let (tally, rebuilds) = run(&h, &model, seed, cases).await;
    let elapsed = started.elapsed();
    assert_alive(&h).await;

    let mut report = String::new();
    let _ = writeln!(
        report,
        "fuzz: {} requests over {} operations in {:.1} s (seed {seed:#x}, {cases} per operation, \
         fixture pool rebuilt {rebuilds} times)",
        tally.requests,
        model.operations.len(),
        elapsed.as_secs_f64()
    );
    let _ = writeln!(report, "answers by __type:");
    for (type_name, n) in &tally.by_type {
        let _ = writeln!(report, "  {n:>6}  {type_name}");
    }
    let _ = writeln!(report, "requests by kind:");
    for (kind, n) in &tally.by_mutation {
        let _ = writeln!(report, "  {n:>6}  {kind}");
    }
    let implemented: Vec<&str> = emulator::ops::REGISTRY.iter().map(|e| e.name).collect();
    let (mut logic, mut on_implemented) = (0, 0);
    for name in &implemented {
        let per = &tally.by_operation[*name];
        logic += per.reached_logic;
        on_implemented += per.requests;
    }
    let _ = writeln!(
        report,
        "implemented operations: {logic} of {on_implemented} requests reached the operation's logic"
    );
    let mut fewest: Vec<(usize, &str)> = implemented
        .iter()
        .map(|name| (tally.by_operation[*name].reached_logic, *name))
        .collect();
    fewest.sort_unstable();
    let _ = writeln!(report, "  fewest: {:?}", &fewest[..5.min(fewest.len())]);
    println!("{report}");

    for f in &tally.findings {
        println!(
            "FINDING {}: {} ({:?}, {:?}) {} -> {} {}\n  body: {}",
            f.operation,
            f.problem,
            f.auth,
            f.headers,
            f.what,
            f.status,
            f.reply,
            shorten(&f.body, 400)
        );
    }
    assert!(
        tally.findings.is_empty(),
        "{} answers broke the contract (status < 500, __type on every error); first: {} {} {}",
        tally.findings.len(),
        tally.findings[0].operation,
        tally.findings[0].problem,
        tally.findings[0].reply
    );

    // The run must not degrade into a test of the JSON parser.
    let never_valid: Vec<&str> = tally
        .by_operation
        .iter()
        .filter(|(_, per)| per.passed_validation == 0)
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(
        never_valid.is_empty(),
        "no generated request passed validation for {never_valid:?}"
    );
    let never_ran: Vec<&str> = implemented
        .iter()
        .copied()
        .filter(|name| tally.by_operation[*name].reached_logic < 3)
        .collect();
    assert!(
        never_ran.is_empty(),
        "fewer than 3 requests reached the logic of {never_ran:?}"
    );
    assert!(
        logic * 100 >= on_implemented * 20,
        "only {logic} of {on_implemented} requests to implemented operations got past validation"
    );
}

// ---- regressions the fuzz run found ----

// Found by seed 9 (250 cases per operation): ops/pool_settings.rs and ops/client_settings.rs
// store structure members as sent, so members the model does not know were kept and echoed,
// however deep. Fixed in one place for every operation: `ops::dispatch` drops unknown members
// against the model (`Schema::strip_unknown`) before an operation runs.

/// Seed 9 (250 cases): CreateUserPool with `"AccountRecoverySetting": {"a": {"a": ... }}` 126
/// deep answered 200 with the nesting echoed inside `UserPool`, which serde_json (recursion limit
/// 128) cannot read back. AWS ignores members its model does not know (schema module docs).
#[tokio::test]
async fn create_user_pool_does_not_echo_members_the_model_does_not_know() {
    let h = Harness::new();
    let reply = h
        .call(
            "CreateUserPool",
            json!({"PoolName": "p", "AccountRecoverySetting": {
                "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}],
                "Extra": {"a": {"b": 1}}}}),
        )
        .await;
    let pool = reply.ok();
    let setting = &pool["UserPool"]["AccountRecoverySetting"];
    assert_eq!(
        setting,
        &json!({"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}),
        "{pool}"
    );
}

/// The same through a 126-deep unknown member: the answer must stay readable JSON.
#[tokio::test]
async fn create_user_pool_answer_stays_parseable_after_deeply_nested_unknown_member() {
    let h = Harness::new();
    let depth = 126;
    let body = format!(
        "{{\"PoolName\":\"p\",\"AccountRecoverySetting\":{}1{}}}",
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    );
    let reply = h
        .raw(build(
            "CreateUserPool",
            body.as_bytes(),
            Auth::Signed,
            &Headers {
                content_type: Some("application/x-amz-json-1.1"),
                target: None,
            },
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.is_object(),
        "not JSON: {}",
        shorten(reply.body.to_string().as_bytes(), 200)
    );
}

#[tokio::test]
async fn create_user_pool_client_does_not_echo_members_the_model_does_not_know() {
    let h = Harness::new();
    let pool_id = h.create_pool(json!({})).await;
    let reply = h
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "c",
                   "RefreshTokenRotation": {"Feature": "DISABLED", "Extra": [1, 2, 3]}}),
        )
        .await;
    let client = reply.ok();
    let rotation = &client["UserPoolClient"]["RefreshTokenRotation"];
    assert!(rotation.get("Extra").is_none(), "{client}");
}
