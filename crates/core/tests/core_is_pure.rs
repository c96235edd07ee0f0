//! The domain core must not depend on I/O crates: ports in core, adapters outside.

use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "sea-orm",
    "sqlx",
    "tokio-postgres",
    "async-graphql",
    "axum",
    "hyper",
    "reqwest",
    "tokio",
    "lambda_http",
    "lambda_runtime",
    "tantivy",
    "opensearch",
];

#[test]
fn core_has_no_io_dependencies() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "lakecat-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let found: Vec<&&str> = FORBIDDEN
        .iter()
        .filter(|f| names.iter().any(|n| n == *f || n.starts_with("aws-sdk-")))
        .collect();
    assert!(
        found.is_empty(),
        "lakecat-core depends on I/O crates: {found:?}\n{tree}"
    );
    assert!(
        names.contains(&"lakecat-core"),
        "cargo tree printed the crate: {tree}"
    );
}
