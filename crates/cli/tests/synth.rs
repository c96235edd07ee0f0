//! `lakecat synth` writes every template lakecat deploys, as valid CloudFormation JSON.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

#[test]
fn synth_writes_every_template_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("templates");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_lakecat"))
        .args(["synth", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let listed: Vec<String> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let expected = lakecat_cfn::examples().unwrap();
    assert_eq!(listed.len(), expected.len(), "{listed:?}");
    for (name, _) in &expected {
        let path = out.join(format!("{name}.json"));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(json["AWSTemplateFormatVersion"], "2010-09-09", "{name}");
        assert!(
            json["Resources"].as_object().is_some_and(|r| !r.is_empty()),
            "{name}"
        );
    }
}
