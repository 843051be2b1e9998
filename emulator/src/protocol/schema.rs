//! The botocore `cognito-idp` API model, loaded once, and request validation against it
//! the way AWS's Coral front end does it.
//!
//! Validation happens in one pass over the request body:
//!
//! * **Type errors** (a JSON value of the wrong kind for its shape) end validation at once
//!   with [`ValidationError::Serialization`] (AWS: `SerializationException`); they win over
//!   any constraint error found before them. Where Coral's own wording is known it is used
//!   verbatim — e.g. `Start of structure or map found where not expected.` (seen from real
//!   Cognito, amplify-js #5165) and the `... can not be converted to an Integer` family
//!   (Coral's JSON deserializer as recorded by the DynamoDB emulator dynalite). Where this
//!   module is stricter than Coral (non-integral or out-of-range integers, string booleans,
//!   a top-level body that is not an object) the message is our own and names the member.
//! * **Constraint errors** are all collected (at most [`MAX_REPORTED_ERRORS`], as Coral does)
//!   and reported as [`ValidationError::InvalidParameter`] with Coral's message:
//!   `"{N} validation error(s) detected: "` + errors joined by `"; "`, each error being
//!   `Value '{value}' at '{path}' failed to satisfy constraint: Member must {constraint}`.
//!
//! Rules, with the evidence behind them:
//!
//! * Members are visited in model order; an absent or JSON-`null` required member gives
//!   `Value null at '{path}' failed to satisfy constraint: Member must not be null`
//!   (`null` is printed even for sensitive members: real `Value null at 'password'`).
//!   Members the model does not know are ignored.
//! * Paths: member names with the first character lower-cased, joined by `.`; structure
//!   elements of a list are `{list}.{1-based index}.member` (real:
//!   `userAttributes.1.member.name`, `targets.1.member.inputTransformer...`).
//! * Order of the errors for one string: enum, pattern, min length, max length (real Cognito:
//!   pattern before min length for `userCode`, `clientId`, `username`, `confirmationCode`;
//!   Coral is not consistent about it everywhere). Integers: min value, max value.
//! * Lengths: strings in characters (Unicode scalar values), lists and maps in elements,
//!   blobs in decoded bytes.
//! * Values of `sensitive` shapes (or anything inside one) are left out: `Value at 'password'
//!   failed to ...` (real). Lists and maps whose content could include a sensitive value are
//!   left out too.
//! * Values are rendered like Java's `toString`: strings as-is, numbers, `true`/`false`,
//!   lists `[a, b]`, maps `{k=v, k2=v2}` (real: `Value '{iam.sourceIdentity=*}' at ...`),
//!   blobs `java.nio.HeapByteBuffer[pos=0 lim=N cap=N]` (dynalite), structures as compact JSON
//!   (Coral's real rendering of structures is unknown).
//! * Lists and maps of **scalars** are not reported per element. Coral gives one error for the
//!   whole collection that lists every constraint of the element shape:
//!   `Value '[ADMIN_USER_PASSWORD_AUTH]' at 'explicitAuthFlows' failed to satisfy constraint:
//!   Member must satisfy constraint: [Member must satisfy enum value set: [...]]` (real Cognito,
//!   2019), `... Map keys must satisfy constraint: [Member must have length less than or equal to
//!   128, Member must have length greater than or equal to 1, ...]` (real, several services) and
//!   `Map value must satisfy constraint: [...]` (dynalite). Inside the brackets the order is
//!   enum, max length, min length, pattern, max value, min value — the order seen in the real
//!   messages.
//! * **Unverified:** a map whose values are structures (only `AcrConfigurationType` here) is
//!   walked with paths `{map}.{key}.member.{field}`, following dynalite; no real Cognito
//!   message was found for it. A `null` element of a list (or value of a map) counts as a
//!   violation: `Value null at '{list}.{i}.member' ...` for structure elements, and as a
//!   failing element of the collection-wide error for scalar elements.
//! * Enum values are listed in model order. (A real 2019 message listed `ExplicitAuthFlowsType`
//!   in a different order than botocore does: Coral's internal order cannot be recovered.)
//! * Patterns are Java regexes matched against the whole value (see [`translate_java_regex`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

const MODEL_JSON: &str = include_str!("../../../fixtures/cognito-idp-service-2.json");

/// Coral stops collecting constraint errors after this many: the DynamoDB/Kinesis emulators
/// dynalite and kinesalite reproduce the cap, and a real Bedrock answer with more invalid list
/// elements than that reads `10 validation errors detected: ...`.
pub const MAX_REPORTED_ERRORS: usize = 10;

type ShapeId = usize;

/// The parsed API model. Built once by [`Schema::get`]; all regexes are compiled then.
pub struct Schema {
    operations: BTreeMap<String, OperationInfo>,
    shapes: Vec<Shape>,
    patterns: Vec<Pattern>,
}

/// One operation of the model.
#[derive(Debug, Clone)]
pub struct OperationInfo {
    pub name: String,
    /// `"authtype": "none"` in the model: callable without SigV4.
    pub unsigned: bool,
    /// The operation's modelled error shapes, in model order.
    pub documented_errors: Vec<String>,
    input: Option<ShapeId>,
}

/// Why a request body was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    /// JSON type mismatch (e.g. a number where a string is expected, a non-object body):
    /// AWS answers `SerializationException`.
    Serialization(String),
    /// Constraint violations: AWS answers `InvalidParameterException` with this message.
    InvalidParameter(String),
}

impl ValidationError {
    /// The AWS error code (`__type`) this error is answered with.
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::Serialization(_) => "SerializationException",
            ValidationError::InvalidParameter(_) => "InvalidParameterException",
        }
    }

    /// The error message.
    pub fn message(&self) -> &str {
        match self {
            ValidationError::Serialization(m) | ValidationError::InvalidParameter(m) => m,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for ValidationError {}

struct Pattern {
    /// As written in the model; quoted in error messages.
    source: String,
    /// Compiled on first use: compiling all 47 (several with large Unicode classes) at start-up
    /// cost milliseconds and megabytes that most runs never need. A test compiles every one.
    regex: std::sync::OnceLock<fancy_regex::Regex>,
}

impl Pattern {
    fn regex(&self) -> &fancy_regex::Regex {
        self.regex.get_or_init(|| compile_java_regex(&self.source))
    }
}

struct Shape {
    sensitive: bool,
    /// A rendering of a value of this shape could show a sensitive value (this shape or
    /// anything reachable from it is sensitive).
    hides_value: bool,
    kind: Kind,
}

struct Member {
    /// The JSON member name, as in the model.
    wire: String,
    /// The name used in error paths (first character lower-cased).
    path: String,
    shape: ShapeId,
    required: bool,
    sensitive: bool,
}

enum Kind {
    String {
        enum_values: Vec<String>,
        /// `[A, B, C]`, prebuilt for messages.
        enum_text: String,
        pattern: Option<usize>,
        min: Option<i64>,
        max: Option<i64>,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        long: bool,
    },
    Boolean,
    Blob {
        min: Option<i64>,
        max: Option<i64>,
    },
    Timestamp,
    /// A Smithy document: any JSON value.
    Document,
    List {
        member: ShapeId,
        min: Option<i64>,
        max: Option<i64>,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
        min: Option<i64>,
        max: Option<i64>,
    },
    Structure {
        members: Vec<Member>,
    },
}

impl Kind {
    fn is_scalar(&self) -> bool {
        matches!(
            self,
            Kind::String { .. }
                | Kind::Integer { .. }
                | Kind::Boolean
                | Kind::Blob { .. }
                | Kind::Timestamp
        )
    }
}

// Violation bits, in the order errors for one value are reported.
const V_ENUM: u8 = 1;
const V_PATTERN: u8 = 2;
const V_MIN_LEN: u8 = 4;
const V_MAX_LEN: u8 = 8;
const V_MIN_VAL: u8 = 16;
const V_MAX_VAL: u8 = 32;
const V_ORDER: [u8; 6] = [
    V_ENUM, V_PATTERN, V_MIN_LEN, V_MAX_LEN, V_MIN_VAL, V_MAX_VAL,
];

impl Schema {
    /// The schema of the bundled model, parsed on first use.
    pub fn get() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::parse(MODEL_JSON))
    }

    pub fn operation(&self, name: &str) -> Option<&OperationInfo> {
        self.operations.get(name)
    }

    /// All operation names, sorted.
    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(String::as_str)
    }

    /// Validate the JSON body of operation `op` (an object). Unknown members are ignored
    /// (AWS ignores them).
    pub fn validate(&self, op: &OperationInfo, body: &Value) -> Result<(), ValidationError> {
        let obj = match body {
            Value::Object(o) => o,
            Value::Array(_) => return Err(ser(LIST_NOT_EXPECTED)),
            _ => {
                return Err(ValidationError::Serialization(
                    "The request body must be a JSON object".to_owned(),
                ))
            }
        };
        let Some(input) = op.input else {
            return Ok(());
        };
        let mut v = Walker {
            schema: self,
            path: Vec::new(),
            errors: Vec::new(),
        };
        v.structure_members(input, obj, false)?;
        if v.errors.is_empty() {
            return Ok(());
        }
        let n = v.errors.len();
        let mut msg = format!(
            "{n} validation error{} detected: ",
            if n == 1 { "" } else { "s" }
        );
        for (i, e) in v.errors.iter().enumerate() {
            if i > 0 {
                msg.push_str("; ");
            }
            msg.push_str(e);
        }
        Err(ValidationError::InvalidParameter(msg))
    }

    /// Build the schema from a botocore JSON model. Panics on anything it cannot represent
    /// (a pattern that does not compile, an unknown shape type, a dangling shape reference):
    /// those are facts of the bundled model, checked by the tests, never of a request.
    fn parse(json: &str) -> Schema {
        let raw: RawModel = serde_json::from_str(json).expect("API model is valid JSON");
        let index: HashMap<&str, ShapeId> = raw
            .shapes
            .0
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i))
            .collect();
        let resolve = |name: &str| -> ShapeId {
            *index
                .get(name)
                .unwrap_or_else(|| panic!("API model refers to unknown shape {name}"))
        };

        let mut patterns: Vec<Pattern> = Vec::new();
        let mut pattern_ids: HashMap<String, usize> = HashMap::new();
        let mut shapes = Vec::with_capacity(raw.shapes.0.len());
        for (name, s) in &raw.shapes.0 {
            let kind = match s.ty.as_str() {
                "string" => {
                    let pattern = s.pattern.as_ref().map(|p| {
                        *pattern_ids.entry(p.clone()).or_insert_with(|| {
                            patterns.push(Pattern {
                                source: p.clone(),
                                regex: std::sync::OnceLock::new(),
                            });
                            patterns.len() - 1
                        })
                    });
                    Kind::String {
                        enum_text: format!("[{}]", s.enum_values.join(", ")),
                        enum_values: s.enum_values.clone(),
                        pattern,
                        min: s.min,
                        max: s.max,
                    }
                }
                "integer" | "long" => Kind::Integer {
                    min: s.min,
                    max: s.max,
                    long: s.ty == "long",
                },
                "boolean" => Kind::Boolean,
                "blob" => Kind::Blob {
                    min: s.min,
                    max: s.max,
                },
                "timestamp" => Kind::Timestamp,
                "list" => Kind::List {
                    member: resolve(&s.member.as_ref().expect("list has a member").shape),
                    min: s.min,
                    max: s.max,
                },
                "map" => Kind::Map {
                    key: resolve(&s.key.as_ref().expect("map has a key").shape),
                    value: resolve(&s.value.as_ref().expect("map has a value").shape),
                    min: s.min,
                    max: s.max,
                },
                "structure" if s.document => Kind::Document,
                "structure" => Kind::Structure {
                    members: s
                        .members
                        .0
                        .iter()
                        .map(|(wire, m)| Member {
                            wire: wire.clone(),
                            path: lower_first(wire),
                            shape: resolve(&m.shape),
                            required: s.required.iter().any(|r| r == wire),
                            sensitive: m.sensitive,
                        })
                        .collect(),
                },
                other => panic!("shape {name} has unsupported type {other}"),
            };
            shapes.push(Shape {
                sensitive: s.sensitive,
                hides_value: s.sensitive,
                kind,
            });
        }
        for s in &shapes {
            if let Kind::Map { key, .. } = s.kind {
                assert!(
                    matches!(shapes[key].kind, Kind::String { .. }),
                    "map keys must be strings"
                );
            }
        }

        // hides_value: sensitive anywhere below. Iterate to a fixed point (shapes can recurse).
        loop {
            let mut changed = false;
            for i in 0..shapes.len() {
                if shapes[i].hides_value {
                    continue;
                }
                let hides = match &shapes[i].kind {
                    Kind::List { member, .. } => shapes[*member].hides_value,
                    Kind::Map { key, value, .. } => {
                        shapes[*key].hides_value || shapes[*value].hides_value
                    }
                    Kind::Structure { members } => members
                        .iter()
                        .any(|m| m.sensitive || shapes[m.shape].hides_value),
                    _ => false,
                };
                if hides {
                    shapes[i].hides_value = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        let operations = raw
            .operations
            .0
            .iter()
            .map(|(key, o)| {
                let info = OperationInfo {
                    name: o.name.clone(),
                    unsigned: o.authtype.as_deref() == Some("none"),
                    documented_errors: o.errors.iter().map(|e| e.shape.clone()).collect(),
                    input: o.input.as_ref().map(|r| resolve(&r.shape)),
                };
                (key.clone(), info)
            })
            .collect();

        Schema {
            operations,
            shapes,
            patterns,
        }
    }

    /// Which constraints of scalar shape `id` the (type-correct) value `v` violates.
    fn violations(&self, id: ShapeId, v: &Value) -> u8 {
        match (&self.shapes[id].kind, v) {
            (Kind::String { .. }, Value::String(s)) => self.string_violations(id, s),
            (Kind::Integer { min, max, .. }, Value::Number(n)) => {
                let n = number_as_i64(n).unwrap_or(0);
                let mut bits = 0;
                if min.is_some_and(|m| n < m) {
                    bits |= V_MIN_VAL;
                }
                if max.is_some_and(|m| n > m) {
                    bits |= V_MAX_VAL;
                }
                bits
            }
            (Kind::Blob { min, max }, Value::String(s)) => {
                let len = base64_decoded_len(s).unwrap_or(0) as i64;
                length_bits(len, *min, *max)
            }
            _ => 0,
        }
    }

    fn string_violations(&self, id: ShapeId, s: &str) -> u8 {
        let Kind::String {
            enum_values,
            pattern,
            min,
            max,
            ..
        } = &self.shapes[id].kind
        else {
            return 0;
        };
        let mut bits = 0;
        if !enum_values.is_empty() && !enum_values.iter().any(|e| e == s) {
            bits |= V_ENUM;
        }
        if let Some(p) = pattern {
            // An error of the regex engine (backtrack limit) counts as a mismatch.
            if !self.patterns[*p].regex().is_match(s).unwrap_or(false) {
                bits |= V_PATTERN;
            }
        }
        if min.is_some() || max.is_some() {
            bits |= length_bits(s.chars().count() as i64, *min, *max);
        }
        bits
    }

    /// `Member must ...` for one violation bit of shape `id`.
    fn constraint_text(&self, id: ShapeId, bit: u8) -> String {
        let (min, max) = match &self.shapes[id].kind {
            Kind::String { min, max, .. }
            | Kind::Integer { min, max, .. }
            | Kind::Blob { min, max }
            | Kind::List { min, max, .. }
            | Kind::Map { min, max, .. } => (*min, *max),
            _ => (None, None),
        };
        let min = min.unwrap_or(0);
        let max = max.unwrap_or(0);
        match bit {
            V_ENUM => match &self.shapes[id].kind {
                Kind::String { enum_text, .. } => {
                    format!("Member must satisfy enum value set: {enum_text}")
                }
                _ => String::new(),
            },
            V_PATTERN => match &self.shapes[id].kind {
                Kind::String {
                    pattern: Some(p), ..
                } => format!(
                    "Member must satisfy regular expression pattern: {}",
                    self.patterns[*p].source
                ),
                _ => String::new(),
            },
            V_MIN_LEN => format!("Member must have length greater than or equal to {min}"),
            V_MAX_LEN => format!("Member must have length less than or equal to {max}"),
            V_MIN_VAL => format!("Member must have value greater than or equal to {min}"),
            V_MAX_VAL => format!("Member must have value less than or equal to {max}"),
            _ => String::new(),
        }
    }

    /// `[c1, c2, ...]`: every constraint of element shape `id`, in the order Coral lists them
    /// inside `Member must satisfy constraint: [...]` / `Map keys must satisfy constraint: [...]`.
    fn constraint_list(&self, id: ShapeId) -> String {
        let present: u8 = match &self.shapes[id].kind {
            Kind::String {
                enum_values,
                pattern,
                min,
                max,
                ..
            } => {
                (if enum_values.is_empty() { 0 } else { V_ENUM })
                    | (if pattern.is_some() { V_PATTERN } else { 0 })
                    | (if min.is_some() { V_MIN_LEN } else { 0 })
                    | (if max.is_some() { V_MAX_LEN } else { 0 })
            }
            Kind::Blob { min, max } => {
                (if min.is_some() { V_MIN_LEN } else { 0 })
                    | (if max.is_some() { V_MAX_LEN } else { 0 })
            }
            Kind::Integer { min, max, .. } => {
                (if min.is_some() { V_MIN_VAL } else { 0 })
                    | (if max.is_some() { V_MAX_VAL } else { 0 })
            }
            _ => 0,
        };
        let order = [
            V_ENUM, V_MAX_LEN, V_MIN_LEN, V_PATTERN, V_MAX_VAL, V_MIN_VAL,
        ];
        let mut out = String::from("[");
        for bit in order.into_iter().filter(|b| present & b != 0) {
            if out.len() > 1 {
                out.push_str(", ");
            }
            out.push_str(&self.constraint_text(id, bit));
        }
        out.push(']');
        out
    }

    /// Java-`toString`-like rendering of `v` as a value of shape `id`.
    fn render(&self, id: ShapeId, v: &Value, out: &mut String) {
        match (&self.shapes[id].kind, v) {
            (_, Value::Null) => out.push_str("null"),
            (Kind::String { .. }, Value::String(s)) => out.push_str(s),
            (Kind::Blob { .. }, Value::String(s)) => {
                let n = base64_decoded_len(s).unwrap_or(0);
                out.push_str(&format!("java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]"));
            }
            (Kind::Integer { .. }, Value::Number(n)) => match number_as_i64(n) {
                Some(i) => out.push_str(&i.to_string()),
                None => out.push_str(&n.to_string()),
            },
            (Kind::List { member, .. }, Value::Array(items)) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.render(*member, item, out);
                }
                out.push(']');
            }
            (Kind::Map { value, .. }, Value::Object(entries)) => {
                out.push('{');
                for (i, (k, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push('=');
                    self.render(*value, item, out);
                }
                out.push('}');
            }
            (_, Value::String(s)) => out.push_str(s),
            (_, other) => out.push_str(&other.to_string()),
        }
    }
}

const LIST_NOT_EXPECTED: &str = "Start of list found where not expected";
const MAP_NOT_EXPECTED: &str = "Start of structure or map found where not expected.";
const CORAL_NUMBER: &str = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";

fn ser(msg: &str) -> ValidationError {
    ValidationError::Serialization(msg.to_owned())
}

fn length_bits(len: i64, min: Option<i64>, max: Option<i64>) -> u8 {
    let mut bits = 0;
    if min.is_some_and(|m| len < m) {
        bits |= V_MIN_LEN;
    }
    if max.is_some_and(|m| len > m) {
        bits |= V_MAX_LEN;
    }
    bits
}

/// An integral JSON number as `i64` (`5.0` counts as 5).
fn number_as_i64(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
        Some(f as i64)
    } else {
        None
    }
}

/// Decoded length of a padded standard-alphabet base64 string, or Coral's complaint.
fn base64_decoded_len(s: &str) -> Result<usize, String> {
    let bytes = s.as_bytes();
    if bytes.len() % 4 != 0 {
        return Err(format!(
            "'{s}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            s.chars().count()
        ));
    }
    let is_b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    for (i, &c) in bytes.iter().enumerate() {
        let bad = if c == b'=' {
            bytes.get(i + 1).is_some_and(|&n| n != b'=')
        } else {
            !is_b64(c)
        };
        if bad {
            let ch = s[i..].chars().next().unwrap_or('?');
            return Err(format!(
                "'{s}' can not be converted to a Blob: Invalid Base64 character: '{ch}'"
            ));
        }
    }
    let pad = bytes.iter().rev().take_while(|&&c| c == b'=').count();
    let last_bits_clean = match pad {
        0 => true,
        1 | 2 => {
            let last = bytes[bytes.len() - pad - 1];
            let v = match last {
                b'A'..=b'Z' => last - b'A',
                b'a'..=b'z' => last - b'a' + 26,
                b'0'..=b'9' => last - b'0' + 52,
                b'+' => 62,
                _ => 63,
            };
            let mask = if pad == 1 { 0b11 } else { 0b1111 };
            v & mask == 0
        }
        _ => false,
    };
    if !last_bits_clean {
        return Err(format!(
            "'{s}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
        ));
    }
    Ok(bytes.len() / 4 * 3 - pad)
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Compile a model pattern with Java `Matcher.matches()` semantics. Panics if it does not
/// compile: a check must never silently disappear.
fn compile_java_regex(java: &str) -> fancy_regex::Regex {
    let translated = format!("^(?:{})$", translate_java_regex(java));
    fancy_regex::Regex::new(&translated).unwrap_or_else(|e| {
        panic!("model pattern {java:?} (as {translated:?}) does not compile: {e}")
    })
}

/// Rewrite a Java regex so that the Rust engines give it Java's meaning:
///
/// * `\w \d \s` are ASCII-only in Java (without `UNICODE_CHARACTER_CLASS`) but Unicode in
///   Rust: they become explicit ASCII sets, inside and outside character classes
///   (`\s` = `[ \t\n\x0B\f\r]`); `\W \D \S` become the negated sets (nested inside classes).
/// * Java's `.` excludes every line terminator (`\n \r \u0085 \u2028 \u2029`), Rust's only
///   `\n`: outside classes, unless `(?s)` was seen, `.` becomes the explicit negated set.
/// * `\p{..}`, `\x..`, other escapes and look-behind pass through unchanged. (`\b` is left as
///   Rust's Unicode word boundary; in the one model pattern that uses it, it sits between hex
///   digits and `-`, where both agree.)
pub fn translate_java_regex(java: &str) -> String {
    const W: &str = "A-Za-z0-9_";
    const D: &str = "0-9";
    const S: &str = r"\t\n\x0B\x0C\r ";
    let mut out = String::with_capacity(java.len() + 16);
    let mut class_depth = 0usize;
    let mut dotall = false;
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let set = match e {
                    'w' | 'W' => Some(W),
                    'd' | 'D' => Some(D),
                    's' | 'S' => Some(S),
                    _ => None,
                };
                match set {
                    Some(set) if e.is_ascii_lowercase() && class_depth > 0 => out.push_str(set),
                    Some(set) if e.is_ascii_lowercase() => {
                        out.push('[');
                        out.push_str(set);
                        out.push(']');
                    }
                    Some(set) => {
                        out.push_str("[^");
                        out.push_str(set);
                        out.push(']');
                    }
                    None => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                // A `]` right after `[` or `[^` is literal in Java; keep it out of the count.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str(r"\]");
                    chars.next();
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '.' if class_depth == 0 && !dotall => out.push_str(r"[^\n\r\x{85}\x{2028}\x{2029}]"),
            '(' if class_depth == 0 => {
                out.push('(');
                if chars.peek() == Some(&'?') {
                    // Inline flags such as `(?s)` / `(?is:`: note DOTALL.
                    let rest: String = chars
                        .clone()
                        .skip(1)
                        .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
                        .collect();
                    let on = rest.split('-').next().unwrap_or("");
                    if on.contains('s') {
                        dotall = true;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// One step of the error path.
#[derive(Clone, Copy)]
enum Seg<'s, 'v> {
    Field(&'s str),
    Index(usize),
    Key(&'v str),
    Member,
}

/// What to print between `Value` and `at`.
#[derive(Clone, Copy)]
enum Shown<'v> {
    Null,
    Hidden,
    Value(ShapeId, &'v Value),
}

struct Walker<'s, 'v> {
    schema: &'s Schema,
    path: Vec<Seg<'s, 'v>>,
    errors: Vec<String>,
}

impl<'s, 'v> Walker<'s, 'v> {
    fn path_string(&self) -> String {
        let mut p = String::new();
        for (i, seg) in self.path.iter().enumerate() {
            if i > 0 {
                p.push('.');
            }
            match seg {
                Seg::Field(f) => p.push_str(f),
                Seg::Index(n) => p.push_str(&n.to_string()),
                Seg::Key(k) => p.push_str(k),
                Seg::Member => p.push_str("member"),
            }
        }
        p
    }

    /// Record `Value ... at '{path}' failed to satisfy constraint: {constraint}`.
    fn error(&mut self, shown: Shown<'v>, constraint: impl FnOnce(&Schema) -> String) {
        if self.errors.len() >= MAX_REPORTED_ERRORS {
            return;
        }
        let mut msg = String::from("Value ");
        match shown {
            Shown::Null => msg.push_str("null "),
            Shown::Hidden => {}
            Shown::Value(id, v) => {
                msg.push('\'');
                self.schema.render(id, v, &mut msg);
                msg.push_str("' ");
            }
        }
        msg.push_str("at '");
        msg.push_str(&self.path_string());
        msg.push_str("' failed to satisfy constraint: ");
        msg.push_str(&constraint(self.schema));
        self.errors.push(msg);
    }

    fn not_null(&mut self) {
        self.error(Shown::Null, |_| "Member must not be null".to_owned());
    }

    /// The members of structure `id` found in `obj`.
    fn structure_members(
        &mut self,
        id: ShapeId,
        obj: &'v serde_json::Map<String, Value>,
        hide: bool,
    ) -> Result<(), ValidationError> {
        let schema = self.schema;
        let Kind::Structure { members } = &schema.shapes[id].kind else {
            return Ok(());
        };
        for m in members {
            self.path.push(Seg::Field(&m.path));
            match obj.get(&m.wire) {
                None | Some(Value::Null) => {
                    if m.required {
                        self.not_null();
                    }
                }
                Some(v) => self.value(m.shape, v, hide || m.sensitive)?,
            }
            self.path.pop();
        }
        Ok(())
    }

    /// Validate non-null `v` as a value of shape `id` at the current path. `hide`: an
    /// enclosing member or shape is sensitive.
    fn value(&mut self, id: ShapeId, v: &'v Value, hide: bool) -> Result<(), ValidationError> {
        let schema = self.schema;
        let shape = &schema.shapes[id];
        let shown = if hide || shape.hides_value {
            Shown::Hidden
        } else {
            Shown::Value(id, v)
        };
        let inner_hide = hide || shape.sensitive;
        match &shape.kind {
            Kind::Document => Ok(()),
            k if k.is_scalar() => {
                self.type_check_scalar(id, v)?;
                let bits = schema.violations(id, v);
                for bit in V_ORDER.into_iter().filter(|b| bits & b != 0) {
                    self.error(shown, |s| s.constraint_text(id, bit));
                }
                Ok(())
            }
            Kind::List { member, min, max } => {
                let items = match v {
                    Value::Array(items) => items,
                    Value::Object(_) => return Err(ser(MAP_NOT_EXPECTED)),
                    _ => return Err(ser("Expected list or null")),
                };
                self.length_errors(id, shown, items.len(), *min, *max);
                let member = *member;
                if schema.shapes[member].kind.is_scalar() {
                    let mut bad = false;
                    for item in items {
                        if item.is_null() {
                            bad = true;
                            continue;
                        }
                        self.type_check_scalar(member, item)?;
                        bad |= schema.violations(member, item) != 0;
                    }
                    if bad {
                        self.error(shown, |s| {
                            format!(
                                "Member must satisfy constraint: {}",
                                s.constraint_list(member)
                            )
                        });
                    }
                } else {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i + 1));
                        self.path.push(Seg::Member);
                        if item.is_null() {
                            self.not_null();
                        } else {
                            self.value(member, item, inner_hide)?;
                        }
                        self.path.truncate(self.path.len() - 2);
                    }
                }
                Ok(())
            }
            Kind::Map {
                key,
                value,
                min,
                max,
            } => {
                let entries = match v {
                    Value::Object(entries) => entries,
                    Value::Array(_) => return Err(ser(LIST_NOT_EXPECTED)),
                    _ => return Err(ser("Expected map or null")),
                };
                self.length_errors(id, shown, entries.len(), *min, *max);
                let (key, value) = (*key, *value);
                if entries
                    .keys()
                    .any(|k| schema.string_violations(key, k) != 0)
                {
                    self.error(shown, |s| {
                        format!(
                            "Map keys must satisfy constraint: {}",
                            s.constraint_list(key)
                        )
                    });
                }
                if schema.shapes[value].kind.is_scalar() {
                    let mut bad = false;
                    for item in entries.values() {
                        if item.is_null() {
                            bad = true;
                            continue;
                        }
                        self.type_check_scalar(value, item)?;
                        bad |= schema.violations(value, item) != 0;
                    }
                    if bad {
                        self.error(shown, |s| {
                            format!(
                                "Map value must satisfy constraint: {}",
                                s.constraint_list(value)
                            )
                        });
                    }
                } else {
                    for (k, item) in entries {
                        self.path.push(Seg::Key(k));
                        self.path.push(Seg::Member);
                        if item.is_null() {
                            self.not_null();
                        } else {
                            self.value(value, item, inner_hide)?;
                        }
                        self.path.truncate(self.path.len() - 2);
                    }
                }
                Ok(())
            }
            Kind::Structure { .. } => match v {
                Value::Object(obj) => self.structure_members(id, obj, inner_hide),
                Value::Array(_) => Err(ser(LIST_NOT_EXPECTED)),
                _ => Err(ser("Expected null")),
            },
            _ => Ok(()),
        }
    }

    fn length_errors(
        &mut self,
        id: ShapeId,
        shown: Shown<'v>,
        len: usize,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let bits = length_bits(len as i64, min, max);
        for bit in [V_MIN_LEN, V_MAX_LEN].into_iter().filter(|b| bits & b != 0) {
            self.error(shown, |s| s.constraint_text(id, bit));
        }
    }

    /// The JSON type check of a non-null value of scalar shape `id`, with Coral's messages.
    fn type_check_scalar(&self, id: ShapeId, v: &Value) -> Result<(), ValidationError> {
        let structural = |v: &Value| match v {
            Value::Array(_) => Some(ser(LIST_NOT_EXPECTED)),
            Value::Object(_) => Some(ser(MAP_NOT_EXPECTED)),
            _ => None,
        };
        if let Some(e) = structural(v) {
            return Err(e);
        }
        match (&self.schema.shapes[id].kind, v) {
            (Kind::String { .. }, Value::String(_))
            | (Kind::Boolean, Value::Bool(_))
            | (Kind::Timestamp, Value::Number(_)) => Ok(()),
            (Kind::String { .. }, Value::Number(_)) => Err(ValidationError::Serialization(
                format!("{CORAL_NUMBER} can not be converted to an String"),
            )),
            (Kind::String { .. }, _) => Err(ser(
                "class java.lang.Boolean can not be converted to an String",
            )),
            (Kind::Boolean, Value::Number(_)) => Err(ValidationError::Serialization(format!(
                "{CORAL_NUMBER} can not be converted to an Boolean"
            ))),
            (Kind::Boolean, Value::String(s)) => Err(ValidationError::Serialization(format!(
                "'{}' can not be converted to an Boolean",
                s.to_uppercase()
            ))),
            (Kind::Integer { long, .. }, _) => {
                let ty = if *long { "Long" } else { "Integer" };
                match v {
                    Value::Number(n) => {
                        let fits =
                            number_as_i64(n).is_some_and(|i| *long || i32::try_from(i).is_ok());
                        if fits {
                            Ok(())
                        } else {
                            Err(ValidationError::Serialization(format!(
                                "{n} at '{}' can not be converted to an {ty}",
                                self.path_string()
                            )))
                        }
                    }
                    Value::String(_) => Err(ValidationError::Serialization(format!(
                        "class java.lang.String can not be converted to an {ty}"
                    ))),
                    _ => Err(ValidationError::Serialization(format!(
                        "class java.lang.Boolean can not be converted to an {ty}"
                    ))),
                }
            }
            (Kind::Timestamp, Value::String(_)) => Err(ser(
                "class java.lang.String can not be converted to milliseconds since epoch",
            )),
            (Kind::Timestamp, _) => Err(ser(
                "class java.lang.Boolean can not be converted to milliseconds since epoch",
            )),
            (Kind::Blob { .. }, Value::String(s)) => base64_decoded_len(s)
                .map(|_| ())
                .map_err(ValidationError::Serialization),
            (Kind::Blob { .. }, Value::Number(_)) => Err(ValidationError::Serialization(format!(
                "{CORAL_NUMBER} can not be converted to a Blob"
            ))),
            (Kind::Blob { .. }, _) => Err(ser(
                "class java.lang.Boolean can not be converted to a Blob",
            )),
            (_, Value::Null) => Ok(()),
            _ => Err(ValidationError::Serialization(format!(
                "Unexpected value for member '{}'",
                self.path_string()
            ))),
        }
    }
}

// ---- the botocore JSON model, as far as validation needs it ----

/// A JSON object read in document order (serde_json's own map sorts its keys).
struct Ordered<T>(Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[derive(serde::Deserialize)]
struct RawModel {
    operations: Ordered<RawOperation>,
    shapes: Ordered<RawShape>,
}

#[derive(serde::Deserialize)]
struct RawOperation {
    name: String,
    input: Option<RawRef>,
    #[serde(default)]
    errors: Vec<RawRef>,
    authtype: Option<String>,
}

#[derive(serde::Deserialize)]
struct RawRef {
    shape: String,
    #[serde(default)]
    sensitive: bool,
}

#[derive(serde::Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    members: Ordered<RawRef>,
    #[serde(default)]
    required: Vec<String>,
    member: Option<RawRef>,
    key: Option<RawRef>,
    value: Option<RawRef>,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    #[serde(default, rename = "enum")]
    enum_values: Vec<String>,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    document: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(op: &str, body: Value) -> Result<(), ValidationError> {
        let s = Schema::get();
        let info = s
            .operation(op)
            .unwrap_or_else(|| panic!("no operation {op}"));
        s.validate(info, &body)
    }

    fn invalid(op: &str, body: Value) -> String {
        match check(op, body) {
            Err(ValidationError::InvalidParameter(m)) => m,
            other => panic!("expected InvalidParameter, got {other:?}"),
        }
    }

    fn serialization(op: &str, body: Value) -> String {
        match check(op, body) {
            Err(ValidationError::Serialization(m)) => m,
            other => panic!("expected Serialization, got {other:?}"),
        }
    }

    const CLIENT: &str = "26lowercasealnumchars00000";

    #[test]
    fn operation_counts_and_auth() {
        let s = Schema::get();
        assert_eq!(s.operation_names().count(), 153);
        let names: Vec<&str> = s.operation_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        let unsigned: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| s.operation(n).unwrap().unsigned)
            .collect();
        assert_eq!(unsigned.len(), 34);
        assert!(s.operation("SignUp").unwrap().unsigned);
        assert!(!s.operation("CreateUserPool").unwrap().unsigned);
        let init = s.operation("InitiateAuth").unwrap();
        assert_eq!(init.name, "InitiateAuth");
        assert!(init
            .documented_errors
            .iter()
            .any(|e| e == "NotAuthorizedException"));
        assert!(s.operation("NoSuchOperation").is_none());
    }

    #[test]
    fn all_patterns_compile_and_are_full_match() {
        let s = Schema::get();
        assert_eq!(s.patterns.len(), 47);
        // Every pattern compiles (they compile lazily at run time, so this is where a bad one shows).
        for p in &s.patterns {
            p.regex();
        }
        // Full-match semantics: a pattern without anchors must not match a substring.
        let pool = s
            .patterns
            .iter()
            .find(|p| p.source == r"[\w-]+_[0-9a-zA-Z]+")
            .unwrap();
        assert!(pool.regex().is_match("us-east-1_AbC123").unwrap());
        assert!(!pool.regex().is_match("us-east-1_AbC123!").unwrap());
        assert!(!pool.regex().is_match("string").unwrap());
        // Java's \w is ASCII-only.
        assert!(!pool.regex().is_match("us-east-1_Äb").unwrap());
        assert!(!pool.regex().is_match("é_1").unwrap());
        // The look-behind pattern.
        let lb = s
            .patterns
            .iter()
            .find(|p| p.source.contains("(?<!"))
            .unwrap();
        assert!(lb.regex().is_match("abc.def").unwrap());
        assert!(!lb.regex().is_match("abc.").unwrap());
        // [\S]+ : Java \s is ASCII, so a non-breaking space is a non-space.
        let nonspace = s.patterns.iter().find(|p| p.source == r"[\S]+").unwrap();
        assert!(nonspace.regex().is_match("a\u{a0}b").unwrap());
        assert!(!nonspace.regex().is_match("a b").unwrap());
        assert!(!nonspace.regex().is_match("").unwrap());
        // Java's `.` does not match \r.
        let braces = s
            .patterns
            .iter()
            .find(|p| p.source == r".*\{####\}.*")
            .unwrap();
        assert!(braces.regex().is_match("code {####} here").unwrap());
        assert!(!braces.regex().is_match("code\r{####}").unwrap());
        let dotall = s.patterns.iter().find(|p| p.source == "(?s).*").unwrap();
        assert!(dotall.regex().is_match("a\r\nb").unwrap());
    }

    #[test]
    fn java_regex_translation() {
        assert_eq!(translate_java_regex(r"[\w-]+"), "[A-Za-z0-9_-]+");
        assert_eq!(translate_java_regex(r"\w+"), "[A-Za-z0-9_]+");
        assert_eq!(translate_java_regex(r"[\S]+"), r"[[^\t\n\x0B\x0C\r ]]+");
        assert_eq!(translate_java_regex(r"^[^\s]+$"), r"^[^\t\n\x0B\x0C\r ]+$");
        assert_eq!(translate_java_regex(r"\p{L}\d"), r"\p{L}[0-9]");
        assert_eq!(translate_java_regex("(?s).*"), "(?s).*");
        assert_eq!(translate_java_regex(r"[.]\."), r"[.]\.");
    }

    #[test]
    fn missing_required_member() {
        assert_eq!(
            invalid("ListUserPools", json!({})),
            "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
        );
        // JSON null counts as absent.
        assert_eq!(
            invalid("ListUserPools", json!({"MaxResults": null})),
            "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
        );
        assert!(check("ListUserPools", json!({"MaxResults": 10})).is_ok());
    }

    #[test]
    fn user_pool_id_pattern_real_message() {
        assert_eq!(
            invalid("DescribeUserPool", json!({"UserPoolId": "string"})),
            r"1 validation error detected: Value 'string' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
        );
        assert!(check(
            "DescribeUserPool",
            json!({"UserPoolId": "us-east-1_AbC123"})
        )
        .is_ok());
    }

    #[test]
    fn sensitive_value_is_omitted() {
        let long = "a".repeat(257);
        assert_eq!(
            invalid("SignUp", json!({"ClientId": CLIENT, "Username": "bob", "Password": long})),
            "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"
        );
        // `null` is still printed for a sensitive member.
        assert_eq!(
            invalid(
                "ConfirmForgotPassword",
                json!({"ClientId": CLIENT, "Username": "bob", "ConfirmationCode": "123456"})
            ),
            "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null"
        );
    }

    /// Real Cognito answers to ConfirmForgotPassword with one blank member (a public Gherkin
    /// suite run against a real pool): sensitive ClientId/Username hide the value, the
    /// non-sensitive ConfirmationCode shows `''`; pattern before min length.
    #[test]
    fn real_confirm_forgot_password_blank_members() {
        let base = json!({"ClientId": CLIENT, "Username": "testuser@gmail.com",
                          "ConfirmationCode": "12345", "Password": "Password@1234"});
        let with = |k: &str| {
            let mut b = base.clone();
            b[k] = json!("");
            invalid("ConfirmForgotPassword", b)
        };
        assert_eq!(
            with("ClientId"),
            r"2 validation errors detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+; Value at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert_eq!(
            with("Username"),
            r"2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+; Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert_eq!(
            with("ConfirmationCode"),
            r"2 validation errors detected: Value '' at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+; Value '' at 'confirmationCode' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert!(check("ConfirmForgotPassword", base).is_ok());
    }

    /// The real message was `Value 'Aaaa' at 'userCode' ...`; the model now marks
    /// SoftwareTokenMFAUserCodeType sensitive, so the value is left out. Same two errors,
    /// same order, plural, `; ` join.
    #[test]
    fn two_errors_plural_and_joined() {
        assert_eq!(
            invalid("VerifySoftwareToken", json!({"UserCode": "Aaaa"})),
            "2 validation errors detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+; Value at 'userCode' failed to satisfy constraint: Member must have length greater than or equal to 6"
        );
        assert!(check("VerifySoftwareToken", json!({"UserCode": "123456"})).is_ok());
    }

    #[test]
    fn enum_values_in_model_order() {
        assert_eq!(
            invalid("InitiateAuth", json!({"AuthFlow": "FOO", "ClientId": CLIENT})),
            "1 validation error detected: Value 'FOO' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"
        );
        assert!(check(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT})
        )
        .is_ok());
    }

    #[test]
    fn integer_range() {
        assert_eq!(
            invalid("ListUserPools", json!({"MaxResults": 0})),
            "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        assert_eq!(
            invalid("ListUserPools", json!({"MaxResults": 61})),
            "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"
        );
        assert!(check("ListUserPools", json!({"MaxResults": 60})).is_ok());
        assert!(check("ListUserPools", json!({"MaxResults": 1})).is_ok());
    }

    #[test]
    fn nested_list_path() {
        let name = "n".repeat(33);
        assert_eq!(
            invalid(
                "SignUp",
                json!({"ClientId": CLIENT, "Username": "bob",
                       "UserAttributes": [{"Name": "email", "Value": "a@b.c"}, {"Name": name, "Value": "x"}]})
            ),
            format!("1 validation error detected: Value '{name}' at 'userAttributes.2.member.name' failed to satisfy constraint: Member must have length less than or equal to 32")
        );
        assert_eq!(
            invalid(
                "SignUp",
                json!({"ClientId": CLIENT, "Username": "bob", "UserAttributes": [{"Name": name}]})
            ),
            format!("1 validation error detected: Value '{name}' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32")
        );
        // A missing required member inside a list element.
        assert_eq!(
            invalid("SignUp", json!({"ClientId": CLIENT, "Username": "bob", "UserAttributes": [{"Value": "x"}]})),
            "1 validation error detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn member_order_across_the_body() {
        // Policies comes after PoolName in the model, so its error follows.
        let msg = invalid(
            "CreateUserPool",
            json!({"Policies": {"PasswordPolicy": {"MinimumLength": 5}}, "PoolName": "p!"}),
        );
        assert_eq!(
            msg,
            "2 validation errors detected: Value 'p!' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+; Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"
        );
    }

    #[test]
    fn scalar_list_elements_are_reported_as_one_error() {
        let msg = invalid(
            "CreateUserPoolClient",
            json!({"UserPoolId": "us-east-1_abc", "ClientName": "c",
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"]}),
        );
        assert_eq!(
            msg,
            "1 validation error detected: Value '[ALLOW_USER_SRP_AUTH, ADMIN_USER_PASSWORD_AUTH]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH, ALLOW_TOKEN_EXCHANGE_DELEGATION, ALLOW_TOKEN_EXCHANGE_IMPERSONATION]]"
        );
        let msg = invalid(
            "CreateUserPoolClient",
            json!({"UserPoolId": "us-east-1_abc", "ClientName": "c", "CallbackURLs": ["https://ok", "has space"]}),
        );
        assert_eq!(
            msg,
            "1 validation error detected: Value '[https://ok, has space]' at 'callbackURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+]"
        );
    }

    #[test]
    fn map_keys_and_values() {
        let long_key = "k".repeat(129);
        let msg = invalid(
            "TagResource",
            json!({"ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
                   "Tags": {long_key.clone(): "v"}}),
        );
        assert_eq!(
            msg,
            format!("1 validation error detected: Value '{{{long_key}=v}}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")
        );
        let long_val = "v".repeat(257);
        let msg = invalid(
            "TagResource",
            json!({"ResourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
                   "Tags": {"k": long_val}}),
        );
        assert_eq!(
            msg,
            format!("1 validation error detected: Value '{{k={long_val}}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")
        );
        // A map value of the wrong JSON type.
        assert_eq!(
            serialization(
                "InitiateAuth",
                json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": {"USERNAME": 5}})
            ),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
        );
    }

    #[test]
    fn unknown_members_ignored() {
        assert!(check(
            "ListUserPools",
            json!({"MaxResults": 5, "Bogus": {"x": [1, 2]}, "maxResults": "not checked"})
        )
        .is_ok());
    }

    #[test]
    fn wrong_json_types_are_serialization_errors() {
        assert_eq!(
            serialization("ListUserPools", json!({"MaxResults": "10"})),
            "class java.lang.String can not be converted to an Integer"
        );
        // Real Cognito (amplify-js #5165): an object where a string is expected.
        assert_eq!(
            serialization(
                "ConfirmForgotPassword",
                json!({"ClientId": CLIENT, "Username": "u", "ConfirmationCode": {"verificationCode": "1"}, "Password": "p"})
            ),
            "Start of structure or map found where not expected."
        );
        assert_eq!(
            serialization("DescribeUserPool", json!({"UserPoolId": 12})),
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"
        );
        assert_eq!(
            serialization(
                "SignUp",
                json!({"ClientId": CLIENT, "Username": "u", "UserAttributes": {"Name": "x"}})
            ),
            "Start of structure or map found where not expected."
        );
        assert_eq!(
            serialization(
                "SignUp",
                json!({"ClientId": CLIENT, "Username": "u", "UserAttributes": "x"})
            ),
            "Expected list or null"
        );
        assert_eq!(
            serialization("ListUserPools", json!({"MaxResults": 1.5})),
            "1.5 at 'maxResults' can not be converted to an Integer"
        );
        assert!(check("ListUserPools", json!({"MaxResults": 5.0})).is_ok());
        assert!(matches!(
            check("ListUserPools", json!([1])),
            Err(ValidationError::Serialization(_))
        ));
        assert!(matches!(
            check("ListUserPools", json!("x")),
            Err(ValidationError::Serialization(_))
        ));
        assert!(matches!(
            check("ListUserPools", Value::Null),
            Err(ValidationError::Serialization(_))
        ));
        // A type error wins over constraint errors found before it.
        assert!(matches!(
            check("SignUp", json!({"ClientId": "", "Username": true})),
            Err(ValidationError::Serialization(_))
        ));
        assert_eq!(
            serialization(
                "AdminUpdateUserAttributes",
                json!({"UserPoolId": "us-east-1_a", "Username": "u", "UserAttributes": [{"Name": "email", "Value": true}]})
            ),
            "class java.lang.Boolean can not be converted to an String"
        );
    }

    #[test]
    fn booleans_and_blobs() {
        let base = json!({"UserPoolId": "us-east-1_abc", "ClientName": "c"});
        let mut b = base.clone();
        b["GenerateSecret"] = json!("true");
        assert!(matches!(
            check("CreateUserPoolClient", b),
            Err(ValidationError::Serialization(_))
        ));
        let mut b = base;
        b["GenerateSecret"] = json!(true);
        assert!(check("CreateUserPoolClient", b).is_ok());

        let ui = |img: Value| {
            check(
                "SetUICustomization",
                json!({"UserPoolId": "us-east-1_abc", "ImageFile": img}),
            )
        };
        assert!(ui(json!("aGVsbG8=")).is_ok());
        assert!(ui(json!("")).is_ok());
        assert_eq!(
            ui(json!("abc")).unwrap_err().message(),
            "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"
        );
        assert_eq!(
            ui(json!("ab!d")).unwrap_err().message(),
            "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"
        );
        assert_eq!(
            ui(json!("aGVsbG9=")).unwrap_err().message(),
            "'aGVsbG9=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
        );
        assert_eq!(base64_decoded_len("aGVsbG8="), Ok(5));
        assert_eq!(base64_decoded_len("aGVsbA=="), Ok(4));
    }

    #[test]
    fn document_members_accept_any_json() {
        assert!(check(
            "CompleteWebAuthnRegistration",
            json!({"AccessToken": "abc.def.ghi", "Credential": [1, "x", {"a": null}]})
        )
        .is_ok());
    }

    #[test]
    fn recursive_shapes_and_error_cap() {
        // More than MAX_REPORTED_ERRORS errors: only the first ten are reported.
        let attrs: Vec<Value> = (0..12).map(|_| json!({"Value": "x"})).collect();
        let msg = invalid(
            "SignUp",
            json!({"ClientId": CLIENT, "Username": "u", "UserAttributes": attrs}),
        );
        assert!(msg.starts_with("10 validation errors detected: "), "{msg}");
        assert_eq!(msg.matches("; ").count(), 9);
        // Every input shape of every operation validates an empty body without panicking.
        let s = Schema::get();
        for name in s.operation_names() {
            let _ = s.validate(s.operation(name).unwrap(), &json!({}));
        }
    }
}
