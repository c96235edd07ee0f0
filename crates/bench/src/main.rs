//! `lakecat-bench`: thin binary over `lakecat_bench`. Started as `lakecat-bench serve …` it is
//! the `lakecat serve` under load (see [`lakecat_bench::SERVE`]).

use clap::Parser;

/// The allocator of the `lakecat` binary, so the server under load is the one users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs the benchmark harness of lakecat against a private PostgreSQL and `lakecat serve`.
#[derive(Parser)]
#[command(name = "lakecat-bench", version)]
struct Cli {
    #[command(flatten)]
    args: lakecat_bench::BenchArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let serve = std::env::args().nth(1).as_deref() == Some(lakecat_bench::SERVE);
    let result = if serve {
        let cli = lakecat_cli::Cli::parse_from(
            std::iter::once("lakecat".to_owned()).chain(std::env::args().skip(1)),
        );
        lakecat_cli::run(cli).await
    } else {
        lakecat_bench::run(Cli::parse().args).await
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lakecat-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
