//! Every template passes `cfn-lint` with no error and no warning. cfn-lint comes from
//! `CFN_LINT`, else the workspace's `.venv/bin/cfn-lint` (`.ci/setup-python` installs it);
//! without either the test fails: a lint that silently did not run would prove nothing.

use std::path::PathBuf;
use std::process::Command;

fn cfn_lint() -> PathBuf {
    if let Some(path) = std::env::var_os("CFN_LINT") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/cfn-lint");
    if venv.exists() {
        return venv;
    }
    panic!(
        "cfn-lint not found: set CFN_LINT to its path, or run `bash .ci/setup-python` \
         to install it into .venv"
    );
}

#[test]
fn every_template_passes_cfn_lint() -> std::io::Result<()> {
    let lint = cfn_lint();
    let dir = tempfile::tempdir()?;
    let files = lakecat_cfn::synth(dir.path())?;
    assert!(!files.is_empty());
    // No `--ignore-checks`: warnings fail too (cfn-lint exits 4 on a warning, 2 on an error).
    let out = Command::new(&lint)
        .arg("--format")
        .arg("parseable")
        .args(&files)
        .output()
        .map_err(|e| std::io::Error::new(e.kind(), format!("running {}: {e}", lint.display())))?;
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cfn-lint failed ({}):\n{report}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
