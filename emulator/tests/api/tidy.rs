//! Tidy checks: documentation that must stay equal to the code.

use emulator::protocol::schema::Schema;

#[test]
fn readme_operations_table_equals_the_registry() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme
        .find("<!-- operations:start -->")
        .expect("start marker");
    let end = readme.find("<!-- operations:end -->").expect("end marker");
    let rows: Vec<(String, String)> = readme[start..end]
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            (cells.len() == 2 && cells[0] != "operation" && !cells[0].starts_with("---"))
                .then(|| (cells[0].to_owned(), cells[1].to_owned()))
        })
        .collect();
    let schema = Schema::get();
    let expected: Vec<(String, String)> = emulator::ops::REGISTRY
        .iter()
        .map(|e| {
            let unsigned = schema.operation(e.name).unwrap().unsigned;
            (
                e.name.to_owned(),
                if unsigned { "unsigned" } else { "SigV4" }.to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "README's supported-operations table differs from ops::REGISTRY"
    );
}

/// Every Cognito message is written once: a message needed in two places is a named
/// constructor in `error.rs` (the review found "User is disabled." five times, and one wording
/// contradicting another).
#[test]
fn no_error_message_is_written_twice() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut files,
    );
    let markers = [
        "not_authorized(",
        "invalid_parameter(",
        "ServiceError::new(",
    ];
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut twice = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests quote messages to compare them; only the code counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for marker in markers {
            for (at, _) in code.match_indices(marker) {
                let mut rest = code[at + marker.len()..].trim_start();
                if let Some(after_kind) = rest.strip_prefix("ErrorKind::") {
                    let Some(comma) = after_kind.find(',') else {
                        continue;
                    };
                    rest = after_kind[comma + 1..].trim_start();
                }
                if let Some(after) = rest.strip_prefix("format!(") {
                    rest = after.trim_start();
                }
                let Some(literal) = rest.strip_prefix('"') else {
                    continue;
                };
                let Some(end) = literal.find('"') else {
                    continue;
                };
                let message = literal[..end].to_owned();
                let place = file.display().to_string();
                if let Some(first) = seen.insert(message.clone(), place.clone()) {
                    twice.push(format!("{message:?} in {first} and {place}"));
                }
            }
        }
    }
    assert!(twice.is_empty(), "messages written twice: {twice:#?}");
    assert!(
        seen.len() > 50,
        "the scan found only {} messages",
        seen.len()
    );
}
