//! Renders 1,000 dataset templates to JSON strings and prints the elapsed time; the figure in
//! docs/templates.md comes from `cargo run --release -p lakecat-cfn --example render_1000`.

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let start = Instant::now();
    match lakecat_cfn::render_datasets(1_000) {
        Ok(rendered) => {
            let elapsed = start.elapsed();
            let bytes: usize = rendered.iter().map(String::len).sum();
            println!(
                "rendered {} dataset templates ({} bytes of JSON) in {:.1} ms",
                rendered.len(),
                bytes,
                elapsed.as_secs_f64() * 1e3
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("render failed: {e}");
            ExitCode::FAILURE
        }
    }
}
