//! Tracing setup: JSON logs (Lambda, Fargate) or human-readable text (a laptop).

use tracing_subscriber::EnvFilter;

pub fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_env("LAKECAT_LOG")
        .unwrap_or_else(|_| EnvFilter::new(lakecat_config::DEFAULT_LOG_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::EnvFilter;

    #[test]
    fn the_default_filter_parses_and_quiets_the_libraries() {
        let filter = lakecat_config::DEFAULT_LOG_FILTER;
        assert!(EnvFilter::try_new(filter).is_ok(), "{filter}");
        let directives: Vec<&str> = filter.split(',').collect();
        assert_eq!(directives.first(), Some(&"info"));
        for noisy in [
            "tantivy",
            "sqlx",
            "sea_orm",
            "sea_orm_migration",
            "aws_config",
        ] {
            assert!(
                directives.contains(&format!("{noisy}=warn").as_str()),
                "{noisy}"
            );
        }
    }
}
