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

const MODEL_JSON: &str = include_str!("../../../../fixtures/cognito-idp-service-2.json");

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
    matcher: std::sync::OnceLock<Matcher>,
}

impl Pattern {
    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| Matcher::compile(&self.source))
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

    /// Removes from `body` every member the model does not know, at any depth (structures
    /// inside lists and maps too; documents are left as sent), so that what an operation stores
    /// and echoes is only what AWS would: AWS ignores unknown members. Depth is bounded by the
    /// JSON parser's nesting limit.
    pub fn strip_unknown(&self, op: &OperationInfo, body: &mut Value) {
        if let Some(input) = op.input {
            self.strip_value(input, body);
        }
    }

    fn strip_value(&self, id: ShapeId, value: &mut Value) {
        match (&self.shapes[id].kind, value) {
            (Kind::Structure { members }, Value::Object(obj)) => {
                obj.retain(|name, _| members.iter().any(|m| m.wire == *name));
                for m in members {
                    if let Some(v) = obj.get_mut(&m.wire) {
                        self.strip_value(m.shape, v);
                    }
                }
            }
            (Kind::List { member, .. }, Value::Array(items)) => {
                for item in items {
                    self.strip_value(*member, item);
                }
            }
            (Kind::Map { value: shape, .. }, Value::Object(obj)) => {
                for v in obj.values_mut() {
                    self.strip_value(*shape, v);
                }
            }
            _ => {}
        }
    }

    /// Validate the JSON body of operation `op` (an object). Unknown members are ignored
    /// (AWS ignores them; `strip_unknown` drops them before the operation runs).
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
                                matcher: std::sync::OnceLock::new(),
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
            if !self.patterns[*p].matcher().is_match(s) {
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
    if !bytes.len().is_multiple_of(4) {
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

mod java_regex;
mod raw;
#[cfg(test)]
mod tests;
mod walk;

pub use java_regex::translate_java_regex;
use java_regex::Matcher;
use raw::*;
use walk::*;
