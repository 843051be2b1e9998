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
