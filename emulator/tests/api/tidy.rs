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
