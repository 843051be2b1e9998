//! Java regular expressions (the model's patterns) given Java's meaning in Rust's engines.

#[allow(unused_imports)]
use super::*;

/// Compile a model pattern with Java `Matcher.matches()` semantics. Panics if it does not
/// compile: a check must never silently disappear.
pub(super) fn compile_java_regex(java: &str) -> fancy_regex::Regex {
    let translated = format!("^(?:{})$", translate_java_regex(java));
    fancy_regex::Regex::new(&translated).unwrap_or_else(|e| {
        panic!("model pattern {java:?} (as {translated:?}) does not compile: {e}")
    })
}

/// A model pattern ready to match, with Java `Matcher.matches()` semantics.
///
/// Most model patterns are one character class repeated (`[\w+=,.@-]+`, the tokens'
/// `[A-Za-z0-9-_=.]+`); those are checked with a 128-bit table, byte by byte, which costs a
/// fraction of a regex search over a kilobyte-long token. Every other pattern goes to the regex
/// engine. A test checks each table against the engine on every ASCII character.
pub(super) enum Matcher {
    Class(CharClass),
    Regex(fancy_regex::Regex),
}

impl Matcher {
    /// Panics if a pattern that needs the engine does not compile (see [`compile_java_regex`]).
    pub(super) fn compile(java: &str) -> Matcher {
        match CharClass::parse(java) {
            Some(class) => Matcher::Class(class),
            None => Matcher::Regex(compile_java_regex(java)),
        }
    }

    pub(super) fn is_match(&self, s: &str) -> bool {
        match self {
            Matcher::Class(class) => class.matches(s),
            // An error of the regex engine (backtrack limit) counts as a mismatch.
            Matcher::Regex(regex) => regex.is_match(s).unwrap_or(false),
        }
    }
}

/// `[...]+` or `[...]*` (optionally between `^` and `$`) over ASCII items.
pub(super) struct CharClass {
    /// By byte: whether it is in the class. Bytes from 0x80 stand for the non-ASCII character
    /// they belong to (every byte of a multi-byte UTF-8 character is >= 0x80), and are all in
    /// the class or all out of it (in for `\S`, `\W`, `\D` and `[^...]`).
    table: [bool; 256],
    /// `+` rather than `*`.
    at_least_one: bool,
}

impl CharClass {
    fn matches(&self, s: &str) -> bool {
        if self.at_least_one && s.is_empty() {
            return false;
        }
        s.bytes().all(|b| self.table[usize::from(b)])
    }

    /// `None` for anything beyond the simple form: an empty class, nested classes, an unescaped
    /// `]` inside (Java reads `[a]b]+` as `[a]` then `b]+`), intersections, Unicode properties,
    /// non-ASCII literals, or other escapes. Java's rules for `-`:
    /// a range needs a character on both sides; otherwise `-` is literal (`[0-9-_]`, `[@-]`).
    pub(super) fn parse(java: &str) -> Option<CharClass> {
        let body = java.strip_prefix('^').unwrap_or(java);
        let body = body.strip_suffix('$').unwrap_or(body);
        let (inner, at_least_one) = if let Some(inner) = body.strip_suffix("]+") {
            (inner, true)
        } else {
            (body.strip_suffix("]*")?, false)
        };
        let inner = inner.strip_prefix('[')?;
        let (inner, negated) = match inner.strip_prefix('^') {
            Some(rest) => (rest, true),
            None => (inner, false),
        };
        if inner.is_empty() || !inner.is_ascii() || inner.contains("&&") {
            return None;
        }
        let (mut ascii, mut non_ascii) = (0u128, false);
        let bytes = inner.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' {
                let set = match bytes.get(i + 1)? {
                    b'w' => Some((WORD, false)),
                    b's' => Some((SPACE, false)),
                    b'd' => Some((DIGIT, false)),
                    b'W' => Some((!WORD, true)),
                    b'S' => Some((!SPACE, true)),
                    b'D' => Some((!DIGIT, true)),
                    _ => None,
                };
                if let Some((bits, others)) = set {
                    ascii |= bits;
                    non_ascii |= others;
                    i += 2;
                    continue;
                }
            }
            let (start, next) = single(bytes, i)?;
            i = next;
            let mut end = start;
            if bytes.get(i) == Some(&b'-') && i + 1 < bytes.len() {
                (end, i) = single(bytes, i + 1)?;
                if end < start {
                    return None;
                }
            }
            for c in start..=end {
                ascii |= 1u128 << c;
            }
        }
        if negated {
            ascii = !ascii;
            non_ascii = !non_ascii;
        }
        let mut table = [non_ascii; 256];
        for (b, slot) in table.iter_mut().enumerate().take(0x80) {
            *slot = ascii >> b & 1 == 1;
        }
        Some(CharClass {
            table,
            at_least_one,
        })
    }
}

/// One character of a class at `i`: a literal, `\xHH` below 0x80, or an escaped punctuation
/// mark. Returns it and the index after it.
fn single(bytes: &[u8], i: usize) -> Option<(u8, usize)> {
    match *bytes.get(i)? {
        // Nested or closing brackets inside the body: not the simple form.
        b'[' | b']' => None,
        b'\\' => match *bytes.get(i + 1)? {
            b'x' => {
                let hex = std::str::from_utf8(bytes.get(i + 2..i + 4)?).ok()?;
                let c = u8::from_str_radix(hex, 16).ok().filter(|c| *c < 0x80)?;
                Some((c, i + 4))
            }
            e if e.is_ascii_punctuation() => Some((e, i + 2)),
            _ => None,
        },
        c => Some((c, i + 1)),
    }
}

/// Java's ASCII `\w`, `\s` (`[ \t\n\x0B\f\r]`) and `\d` as 128-bit sets.
const WORD: u128 = range(b'a', b'z') | range(b'A', b'Z') | range(b'0', b'9') | 1 << b'_';
const SPACE: u128 = 1 << b' ' | range(b'\t', b'\r');
const DIGIT: u128 = range(b'0', b'9');

const fn range(start: u8, end: u8) -> u128 {
    (u128::MAX >> (127 - end)) & (u128::MAX << start)
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
