//! `lakecat`: thin binary over `lakecat_cli`.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = lakecat_cli::Cli::parse();
    match lakecat_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lakecat: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
