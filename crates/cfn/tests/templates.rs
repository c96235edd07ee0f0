//! Every template, rendered with the example inputs: its snapshot (a drift fails), the
//! project's rules, and determinism.

use lakecat_cfn::{Template, examples, rules};

fn all() -> Vec<(String, Template)> {
    match examples() {
        Ok(t) => t,
        Err(e) => panic!("example inputs are invalid: {e}"),
    }
}

#[test]
fn snapshots() {
    for (name, template) in all() {
        insta::assert_snapshot!(name.clone(), template.to_json_pretty());
    }
}

#[test]
fn every_template_passes_the_project_rules() {
    let broken: Vec<String> = all()
        .iter()
        .flat_map(|(name, t)| {
            rules::check(t)
                .into_iter()
                .map(move |b| format!("{name}: {b}"))
        })
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn rules_catch_what_they_are_for() {
    let (_, dataset) = all().swap_remove(2);
    let json = dataset.to_json();
    // The rules read the rendered JSON; break it in four ways and check each is seen.
    let broken = [
        ("\"aws:kms\"", "\"AES256\"", "SSE-KMS"),
        (
            "\"DeletionPolicy\":\"Retain\"",
            "\"DeletionPolicy\":\"Delete\"",
            "retained",
        ),
        (
            "\"BlockPublicPolicy\":true",
            "\"BlockPublicPolicy\":false",
            "public access",
        ),
        (
            "\"aws:SecureTransport\":\"false\"",
            "\"aws:SecureTransport\":\"true\"",
            "TLS-only",
        ),
    ];
    for (from, to, rule) in broken {
        assert!(json.contains(from), "{from}");
        let value: serde_json::Value = match serde_json::from_str(&json.replacen(from, to, 1)) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        let found = rules::check_value(&value);
        assert!(found.iter().any(|b| b.contains(rule)), "{rule}: {found:?}");
    }
}

#[test]
fn rendering_is_deterministic() {
    let a: Vec<String> = all().iter().map(|(_, t)| t.to_json_pretty()).collect();
    let b: Vec<String> = all().iter().map(|(_, t)| t.to_json_pretty()).collect();
    assert_eq!(a, b);
}

#[test]
fn imported_datasets_never_create_data_resources() {
    for (name, t) in all().iter().filter(|(n, _)| n.starts_with("imported")) {
        let kinds: Vec<&str> = t.resources().map(|(_, r)| r.kind()).collect();
        for data in ["AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Glue::Database"] {
            assert!(!kinds.contains(&data), "{name} creates {data}");
        }
        assert!(kinds.contains(&"AWS::LakeFormation::Resource"), "{name}");
    }
}

#[test]
fn synth_writes_every_template() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let written = lakecat_cfn::synth(dir.path())?;
    assert_eq!(written.len(), all().len());
    for path in written {
        let text = std::fs::read_to_string(&path)?;
        let v: serde_json::Value = serde_json::from_str(&text)?;
        assert_eq!(v["AWSTemplateFormatVersion"], "2010-09-09");
    }
    Ok(())
}
