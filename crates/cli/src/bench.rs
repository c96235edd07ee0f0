pub async fn run(_a: BenchArgs) -> anyhow::Result<()> {
    Err(anyhow::anyhow!("bench: not built yet"))
}
#[derive(clap::Args)]
pub struct BenchArgs {}
