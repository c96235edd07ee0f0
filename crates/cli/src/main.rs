//! `lakecat`: thin binary over `lakecat_cli`.

use clap::Parser;

/// mimalloc instead of glibc's malloc: an index build and a GraphQL search allocate and free
/// many small strings and values, and glibc spent a fifth of their CPU on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
