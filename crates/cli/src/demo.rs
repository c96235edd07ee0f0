//! Catalog content for a first look (`--demo`) and for load tests (`--scale N`). Written
//! through the store port, with the same grants and audit events the API would write.

use anyhow::{Result, anyhow};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::*;
use lakecat_core::glossary::{GlossaryNode, TermLink};
use lakecat_core::ids::*;
use lakecat_core::names::*;
use lakecat_core::page::PageRequest;
use lakecat_core::permissions::{Bundle, Permission, TenantPermission};
use lakecat_core::ports::DatasetStore;
use lakecat_core::ports::GlossaryStore;
use lakecat_core::ports::OrganizationStore;
use lakecat_core::ports::SocialStore;
use lakecat_core::ports::TeamStore;
use lakecat_core::ports::{CatalogStore, CountQuery, EnvironmentFilter};
use lakecat_server::local_users::LocalUsers;
use lakecat_store::SeaStore;

/// Who the demo and seed act as (audit trail, `createdBy`).
const SEED_ACTOR: &str = "lakecat-seed";

pub const DEMO_PASSWORD: &str = "lakecat-demo";
pub const DEMO_USERS: &[(&str, &str)] = &[
    ("ana", "sales-analytics"),
    ("ben", "finance"),
    ("carla", "data-stewards"),
    ("dev", "platform"),
];

fn meta() -> MutationMeta {
    MutationMeta {
        actor: SEED_ACTOR.into(),
        action: "seed".into(),
        request_id: format!("seed-{}", ulid::Ulid::new()),
    }
}

fn e(err: lakecat_core::Error) -> anyhow::Error {
    anyhow!("{}: {}", err.code, err.message)
}

fn team(name: &str) -> Result<TeamName> {
    TeamName::parse("team", name).map_err(e)
}

pub async fn create_org(
    store: &SeaStore,
    label: &str,
    description: &str,
    admin: &str,
) -> Result<Organization> {
    let (org, grants) = NewOrganization {
        label: Label::parse("label", label).map_err(e)?,
        description: Description::parse("description", description).map_err(e)?,
        tags: vec![],
        admin_team: team(admin)?,
    }
    .build(SEED_ACTOR, Utc::now());
    store
        .create_organization(&meta(), &org, &grants)
        .await
        .map_err(e)?;
    Ok(org)
}

pub async fn create_env(
    store: &SeaStore,
    org: &Organization,
    label: &str,
    account: &str,
    region: &str,
    owner: &str,
) -> Result<Environment> {
    let (env, grants) = NewEnvironment {
        organization_id: org.id.clone(),
        label: Label::parse("label", label).map_err(e)?,
        description: Description::parse("description", "").map_err(e)?,
        tags: vec![],
        account_id: AwsAccountId::parse("account", account).map_err(e)?,
        region: AwsRegion::parse("region", region).map_err(e)?,
        owner_team: team(owner)?,
        env_type: EnvironmentType::Data,
        resource_prefix: Slug::parse("prefix", "lakecat").map_err(e)?,
        pivot_role_name: DEFAULT_PIVOT_ROLE.into(),
    }
    .build(SEED_ACTOR, Utc::now());
    store
        .create_environment(&meta(), &env, &grants)
        .await
        .map_err(e)?;
    Ok(env)
}

#[allow(
    clippy::too_many_arguments,
    reason = "a plain record of the demo's columns"
)]
pub async fn create_dataset(
    store: &SeaStore,
    env: &Environment,
    slug: &str,
    label: &str,
    description: &str,
    owner: &str,
    stewards: Option<&str>,
    topics: &[Topic],
    tags: &[&str],
) -> Result<Dataset> {
    let new = NewDataset {
        environment_id: env.id.clone(),
        label: Label::parse("label", label).map_err(e)?,
        slug: Slug::parse("slug", slug).map_err(e)?,
        description: Description::parse("description", description).map_err(e)?,
        owner_team: team(owner)?,
        stewards_team: stewards.map(team).transpose()?,
        confidentiality: if tags.contains(&"pii") {
            Confidentiality::Official
        } else {
            Confidentiality::Unclassified
        },
        topics: topics.to_vec(),
        tags: tags
            .iter()
            .map(|t| Tag::parse("tag", t))
            .collect::<Result<_, _>>()
            .map_err(e)?,
        auto_approval: false,
        visibility: Visibility::Everyone,
        imported: None,
    };
    let (ds, grants) = new.build(env, SEED_ACTOR, Utc::now()).map_err(e)?;
    store
        .create_dataset(&meta(), &ds, &grants)
        .await
        .map_err(e)?;
    Ok(ds)
}

pub fn table(
    name: &str,
    description: &str,
    bucket: &str,
    columns: &[(&str, &str, &str)],
) -> Result<DiscoveredTable> {
    Ok(DiscoveredTable {
        glue_name: GlueName::parse("table", name).map_err(e)?,
        location: format!("s3://{bucket}/{name}/"),
        format: "parquet".into(),
        properties: serde_json::json!({ "classification": "parquet", "compressionType": "snappy" }),
        description: Some(Description::parse("description", description).map_err(e)?),
        columns: columns
            .iter()
            .map(|(n, t, d)| DiscoveredColumn {
                name: (*n).to_owned(),
                data_type: (*t).to_owned(),
                is_partition: *n == "dt",
                description: Description::parse("description", d).ok(),
            })
            .collect(),
    })
}

type Cols = &'static [(&'static str, &'static str, &'static str)];

struct DemoDataset {
    slug: &'static str,
    label: &'static str,
    description: &'static str,
    owner: &'static str,
    topics: &'static [Topic],
    tags: &'static [&'static str],
    tables: &'static [(&'static str, &'static str, Cols)],
}

const ORDERS: Cols = &[
    ("order_id", "bigint", "Unique order number"),
    ("customer_id", "bigint", "Customer who placed the order"),
    ("store_id", "int", "Store or web shop that took the order"),
    ("order_ts", "timestamp", "When the order was placed (UTC)"),
    (
        "net_revenue",
        "decimal(12,2)",
        "Order value after discounts and returns, excluding VAT",
    ),
    ("currency", "string", "ISO 4217 currency code"),
    ("dt", "date", "Partition: order date"),
];
const ORDER_ITEMS: Cols = &[
    ("order_id", "bigint", "Order this line belongs to"),
    ("line_no", "int", "Line number within the order"),
    ("sku", "string", "Product stock-keeping unit"),
    ("quantity", "int", "Units ordered"),
    (
        "unit_price",
        "decimal(10,2)",
        "Price per unit before discounts",
    ),
    ("dt", "date", "Partition: order date"),
];
const CUSTOMERS: Cols = &[
    (
        "customer_id",
        "bigint",
        "Stable customer identifier across channels",
    ),
    ("email", "string", "Contact email (PII)"),
    ("first_name", "string", "Given name (PII)"),
    ("last_name", "string", "Family name (PII)"),
    ("country", "string", "ISO 3166 country of residence"),
    (
        "segment",
        "string",
        "Marketing segment: consumer, smb or enterprise",
    ),
    ("signup_date", "date", "First purchase or account creation"),
];
const EVENTS: Cols = &[
    ("event_id", "string", "Event UUID"),
    ("session_id", "string", "Browser session"),
    ("customer_id", "bigint", "Known customer, if signed in"),
    (
        "event_type",
        "string",
        "page_view, add_to_cart, checkout, search",
    ),
    ("url", "string", "Page URL without query string"),
    ("event_ts", "timestamp", "Event time (UTC)"),
    ("dt", "date", "Partition: event date"),
];
const INVOICES: Cols = &[
    ("invoice_id", "string", "Invoice number as printed"),
    ("customer_id", "bigint", "Billed customer"),
    ("issued_on", "date", "Issue date"),
    ("due_on", "date", "Payment due date"),
    ("gross_amount", "decimal(12,2)", "Amount including VAT"),
    ("vat_amount", "decimal(12,2)", "VAT charged"),
    ("status", "string", "open, paid, overdue or written_off"),
];
const PAYMENTS: Cols = &[
    ("payment_id", "string", "Payment reference from the PSP"),
    ("invoice_id", "string", "Invoice settled"),
    ("paid_ts", "timestamp", "Settlement time"),
    ("amount", "decimal(12,2)", "Amount received"),
    ("method", "string", "card, transfer or direct_debit"),
];
const INVENTORY: Cols = &[
    ("sku", "string", "Product stock-keeping unit"),
    ("warehouse_id", "int", "Warehouse"),
    ("on_hand", "int", "Units on hand at snapshot time"),
    ("reserved", "int", "Units reserved by open orders"),
    ("dt", "date", "Partition: snapshot date"),
];
const PRODUCTS: Cols = &[
    ("sku", "string", "Product stock-keeping unit"),
    ("product_name", "string", "Name shown to customers"),
    ("category", "string", "Merchandising category"),
    ("brand", "string", "Brand"),
    ("list_price", "decimal(10,2)", "Current list price"),
    ("gross_margin_pct", "double", "Gross margin at list price"),
];
const CAMPAIGNS: Cols = &[
    ("campaign_id", "string", "Campaign identifier"),
    ("channel", "string", "email, search, social or display"),
    ("start_date", "date", "First day live"),
    ("budget", "decimal(12,2)", "Planned spend"),
    ("spend", "decimal(12,2)", "Actual spend to date"),
    (
        "attributed_revenue",
        "decimal(12,2)",
        "Net revenue attributed (last touch)",
    ),
];
const HEADCOUNT: Cols = &[
    ("employee_id", "string", "Pseudonymous employee key"),
    ("department", "string", "Department"),
    ("location", "string", "Office"),
    ("fte", "double", "Full-time equivalent"),
    ("month", "date", "Reporting month"),
];
const CHURN: Cols = &[
    ("customer_id", "bigint", "Scored customer"),
    (
        "churn_score",
        "double",
        "Probability of churn in the next 90 days",
    ),
    ("model_version", "string", "Model that produced the score"),
    ("scored_on", "date", "Scoring date"),
];

const DEMO: &[DemoDataset] = &[
    DemoDataset {
        slug: "sales-orders",
        label: "Sales Orders",
        description: "Every order from stores and the web shop since 2019, with line items. Refreshed hourly from the order service.",
        owner: "sales-analytics",
        topics: &[Topic::Sales, Topic::Orders],
        tags: &["gold", "hourly"],
        tables: &[
            ("sales_orders", "One row per order", ORDERS),
            ("order_items", "One row per order line", ORDER_ITEMS),
        ],
    },
    DemoDataset {
        slug: "customer-360",
        label: "Customer 360",
        description: "Unified customer profile across web, stores and support, deduplicated by customer_id.",
        owner: "sales-analytics",
        topics: &[Topic::Customers],
        tags: &["pii", "gold"],
        tables: &[
            ("customers", "Current profile per customer", CUSTOMERS),
            ("customer_churn_scores", "Weekly churn model scores", CHURN),
        ],
    },
    DemoDataset {
        slug: "web-clickstream",
        label: "Web Clickstream",
        description: "Raw page views, searches and checkout events from the web shop, partitioned by day.",
        owner: "marketing",
        topics: &[Topic::Customers, Topic::Sales],
        tags: &["raw", "events"],
        tables: &[("web_events", "Browser events", EVENTS)],
    },
    DemoDataset {
        slug: "invoices-payments",
        label: "Invoices & Payments",
        description: "Accounts receivable: issued invoices and settled payments from the ERP, daily.",
        owner: "finance",
        topics: &[Topic::Finances],
        tags: &["gold", "sox"],
        tables: &[
            ("invoices", "Issued invoices", INVOICES),
            ("payments", "Payments received", PAYMENTS),
        ],
    },
    DemoDataset {
        slug: "inventory-snapshots",
        label: "Inventory Snapshots",
        description: "End-of-day stock per SKU and warehouse.",
        owner: "platform",
        topics: &[Topic::Operations, Topic::Products],
        tags: &["silver", "daily"],
        tables: &[(
            "inventory_daily",
            "Stock per SKU, warehouse and day",
            INVENTORY,
        )],
    },
    DemoDataset {
        slug: "product-catalog",
        label: "Product Catalog",
        description: "Products, categories, brands and list prices as published on the web shop.",
        owner: "platform",
        topics: &[Topic::Products],
        tags: &["gold", "reference"],
        tables: &[("products", "One row per SKU", PRODUCTS)],
    },
    DemoDataset {
        slug: "marketing-campaigns",
        label: "Marketing Campaigns",
        description: "Campaign plans, spend and attributed revenue by channel.",
        owner: "marketing",
        topics: &[Topic::Sales, Topic::Customers],
        tags: &["silver"],
        tables: &[("campaigns", "One row per campaign", CAMPAIGNS)],
    },
    DemoDataset {
        slug: "hr-headcount",
        label: "HR Headcount",
        description: "Monthly headcount by department and office, pseudonymised.",
        owner: "finance",
        topics: &[Topic::HumanResources],
        tags: &["restricted"],
        tables: &[("headcount_monthly", "Employees per month", HEADCOUNT)],
    },
];

/// Loads the demo catalog: an organization with two environments, teams with explicit
/// tenant permissions, eight datasets with documented tables, a glossary with linked terms,
/// upvotes and comments. With local users, also creates the demo users.
pub async fn seed_demo(store: &SeaStore, users: Option<&LocalUsers>) -> Result<()> {
    seed_demo_with_lake(store, users, None).await
}

/// [`seed_demo`], and when `lake` is the local lake's folder, each demo table's sample
/// Parquet files written there ([`crate::demo_lake`]) with the table's location pointing at
/// them, so previews work at once.
pub async fn seed_demo_with_lake(
    store: &SeaStore,
    users: Option<&LocalUsers>,
    lake: Option<&std::path::Path>,
) -> Result<()> {
    if let Some(users) = users {
        for (user, t) in DEMO_USERS {
            users
                .upsert(
                    user,
                    DEMO_PASSWORD,
                    Some(&format!("{user}@example.com")),
                    &[t],
                )
                .map_err(|err| anyhow!(err))?;
        }
    }
    let m = meta();
    use TenantPermission as T;
    let tenant: &[(&str, &[TenantPermission])] = &[
        (
            "platform",
            &[
                T::ManageOrganizations,
                T::ManageEnvironments,
                T::ManageDatasets,
                T::ManageShares,
                T::ManageGlossaries,
            ],
        ),
        ("sales-analytics", &[T::ManageDatasets, T::ManageShares]),
        ("finance", &[T::ManageDatasets, T::ManageShares]),
        ("marketing", &[T::ManageDatasets, T::ManageShares]),
        ("data-stewards", &[T::ManageGlossaries, T::ManageShares]),
    ];
    for (t, perms) in tenant {
        store
            .set_tenant_permissions(&m, &team(t)?, perms)
            .await
            .map_err(e)?;
    }
    let org = create_org(
        store,
        "Acme Retail",
        "Retail group: stores in 12 countries and a web shop.",
        "platform",
    )
    .await?;
    let eu = create_env(
        store,
        &org,
        "Production EU",
        "123456789012",
        "eu-west-1",
        "platform",
    )
    .await?;
    let us = create_env(
        store,
        &org,
        "Analytics US",
        "210987654321",
        "us-east-1",
        "platform",
    )
    .await?;
    for t in ["sales-analytics", "finance", "marketing", "data-stewards"] {
        store
            .invite_team(
                &m,
                org.id.as_str(),
                &team(t)?,
                Bundle::OrganizationInvited.permissions(),
                None,
            )
            .await
            .map_err(e)?;
        for env in [&eu, &us] {
            store
                .invite_team(
                    &m,
                    env.id.as_str(),
                    &team(t)?,
                    &[Permission::GetEnvironment, Permission::CreateDataset],
                    None,
                )
                .await
                .map_err(e)?;
        }
    }
    let mut datasets = Vec::new();
    for (i, d) in DEMO.iter().enumerate() {
        let env = if i % 3 == 2 { &us } else { &eu };
        let ds = create_dataset(
            store,
            env,
            d.slug,
            d.label,
            d.description,
            d.owner,
            Some("data-stewards"),
            d.topics,
            d.tags,
        )
        .await?;
        let mut tables = d
            .tables
            .iter()
            .map(|(n, desc, cols)| table(n, desc, &ds.aws.bucket, cols))
            .collect::<Result<Vec<_>>>()?;
        if let Some(lake) = lake {
            for (j, ((n, _, cols), t)) in d.tables.iter().zip(tables.iter_mut()).enumerate() {
                let dir = lake.join(env.id.as_str()).join(ds.slug.as_str()).join(n);
                crate::demo_lake::write_table(&dir, (i * 16 + j) as u64 + 1, cols)?;
                let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
                t.location = format!("file://{}", dir.display());
            }
        }
        store
            .record_discovered_tables(&m, &ds.id, &tables)
            .await
            .map_err(e)?;
        let folder = NewFolder {
            dataset_id: ds.id.clone(),
            label: Label::parse("label", "Raw landing zone").map_err(e)?,
            prefix: S3Prefix::parse("prefix", "raw/").map_err(e)?,
            description: Description::parse(
                "d",
                "Files as delivered by the source system, before validation.",
            )
            .map_err(e)?,
            tags: vec![],
        }
        .build(SEED_ACTOR, Utc::now());
        store.create_folder(&m, &folder).await.map_err(e)?;
        datasets.push(ds);
    }
    seed_glossary(store, &datasets).await?;
    for (i, ds) in datasets.iter().enumerate() {
        for user in DEMO_USERS
            .iter()
            .take(i % 4 + 1)
            .map(|(u, _)| format!("local:{u}"))
        {
            store
                .set_upvote(&m, &ResourceId::from(&ds.id), &user, true)
                .await
                .map_err(e)?;
        }
    }
    let comments = [
        (
            0,
            "ana",
            "Net revenue now excludes returns processed within 30 days — see the glossary term.",
        ),
        (
            0,
            "ben",
            "Finance reconciles this against invoices monthly; differences under 0.1%.",
        ),
        (
            1,
            "carla",
            "Email and names are PII: request access with a purpose.",
        ),
        (
            3,
            "ben",
            "Payments arrive T+1 from the PSP; yesterday's are complete by 06:00 UTC.",
        ),
    ];
    for (i, author, body) in comments {
        let msg = FeedMessage {
            id: FeedMessageId::generate(),
            target_id: datasets[i].id.to_string(),
            author: author.into(),
            body: body.into(),
            created_at: Utc::now(),
        };
        store.post_feed_message(&m, &msg, None).await.map_err(e)?;
    }
    println!(
        "demo catalog loaded: 1 organization, 2 environments, {} datasets, a business glossary",
        datasets.len()
    );
    Ok(())
}

async fn seed_glossary(store: &SeaStore, datasets: &[Dataset]) -> Result<()> {
    let m = meta();
    let now = Utc::now();
    let text = |label: &str, description: &str| -> Result<(Label, Description)> {
        Ok((
            Label::parse("label", label).map_err(e)?,
            Description::parse("description", description).map_err(e)?,
        ))
    };
    let child = |kind, parent: &GlossaryNode, label: &str, description: &str| {
        let (label, description) = text(label, description)?;
        GlossaryNode::new_child(parent, kind, label, description, SEED_ACTOR, now).map_err(e)
    };
    let (label, description) = text(
        "Business Glossary",
        "Definitions the whole company agrees on.",
    )?;
    let (g, grants) =
        GlossaryNode::new_glossary(label, description, team("data-stewards")?, SEED_ACTOR, now);
    store
        .create_glossary_node(&m, &g, &grants)
        .await
        .map_err(e)?;
    let mut terms = Vec::new();
    for (cat, cat_desc, ts) in [
        (
            "Customer",
            "Who buys from us",
            vec![
                (
                    "Customer ID",
                    "Stable identifier of a customer across channels.",
                ),
                ("Churn", "A customer with no purchase in 180 days."),
            ],
        ),
        (
            "Finance",
            "Money in and out",
            vec![
                (
                    "Net Revenue",
                    "Sales after discounts and returns, excluding VAT.",
                ),
                (
                    "Gross Margin",
                    "Net revenue minus cost of goods sold, as a share of net revenue.",
                ),
            ],
        ),
        (
            "Sales",
            "Orders and what is in them",
            vec![
                (
                    "Order",
                    "A confirmed purchase of one or more items by one customer.",
                ),
                ("SKU", "Stock-keeping unit: one sellable product variant."),
            ],
        ),
    ] {
        let c = child(ResourceKind::GlossaryCategory, &g, cat, cat_desc)?;
        store.create_glossary_node(&m, &c, &[]).await.map_err(e)?;
        for (t, d) in ts {
            let term = child(ResourceKind::GlossaryTerm, &c, t, d)?;
            store
                .create_glossary_node(&m, &term, &[])
                .await
                .map_err(e)?;
            terms.push(term);
        }
    }
    // Link terms to datasets (approved) and one to a column (pending a steward's approval).
    let links = [
        (2, 0, true),
        (4, 0, true),
        (0, 1, true),
        (1, 1, true),
        (2, 3, true),
        (3, 5, true),
        (5, 4, true),
    ];
    for (term_i, ds_i, approved) in links {
        let l = TermLink {
            id: TermLinkId::generate(),
            term_id: terms[term_i].id.clone(),
            target_id: datasets[ds_i].id.to_string(),
            target_kind: ResourceKind::Dataset,
            approved,
            created_by: "lakecat-seed".into(),
            created_at: now,
        };
        store.link_term(&m, &l).await.map_err(e)?;
    }
    let orders = store
        .list_tables(&datasets[0].id, &lakecat_core::page::PageRequest::first(10))
        .await
        .map_err(e)?;
    if let Some((_, t)) = orders
        .items
        .iter()
        .find(|(_, t)| t.glue_name == "sales_orders")
    {
        let cols = store
            .list_columns(&t.id, &lakecat_core::page::PageRequest::first(10))
            .await
            .map_err(e)?;
        if let Some((_, c)) = cols.items.iter().find(|(_, c)| c.name == "net_revenue") {
            let l = TermLink {
                id: TermLinkId::generate(),
                term_id: terms[2].id.clone(),
                target_id: c.id.to_string(),
                target_kind: ResourceKind::Column,
                approved: false,
                created_by: "local:ana".into(),
                created_at: now,
            };
            store.link_term(&m, &l).await.map_err(e)?;
        }
    }
    Ok(())
}

pub const WORDS_A: &[&str] = &[
    "sales",
    "customer",
    "web",
    "store",
    "supplier",
    "product",
    "finance",
    "marketing",
    "logistics",
    "hr",
    "support",
    "pricing",
    "loyalty",
    "returns",
    "fraud",
    "payments",
];
pub const WORDS_B: &[&str] = &[
    "orders",
    "events",
    "snapshots",
    "ledger",
    "profiles",
    "shipments",
    "tickets",
    "scores",
    "invoices",
    "campaigns",
    "forecasts",
    "contracts",
    "sessions",
    "metrics",
];
const SCALE_COLUMNS: &[(&str, &str, &str)] = &[
    ("id", "bigint", "Primary key"),
    ("customer_id", "bigint", "Customer"),
    ("amount", "decimal(12,2)", "Amount"),
    ("currency", "string", "ISO 4217 currency"),
    ("status", "string", "Lifecycle status"),
    ("created_ts", "timestamp", "Creation time"),
    ("updated_ts", "timestamp", "Last change"),
    ("country", "string", "ISO 3166 country"),
    ("channel", "string", "Sales channel"),
    ("dt", "date", "Partition date"),
];

/// Name of the wide table `seed_scale` creates (10,000 columns), for the benchmark.
pub const WIDE_TABLE: &str = "wide_feature_store";

/// Account and region of the generated scale environment (how a rerun finds it again).
const SCALE_ACCOUNT: &str = "999999999999";
const SCALE_REGION: &str = "eu-central-1";

/// What `seed_scale` left in the store, for the benchmark.
pub struct ScaleCatalog {
    pub environment: Environment,
    pub wide_dataset: Dataset,
}

/// Generates `n` datasets with one 10-column table each, plus one dataset holding a
/// 10,000-column table; `n = 100_000` gives 1,000,000+ columns. Resumable: a rerun finds the
/// scale environment again and only adds the datasets (and the wide table) still missing.
/// Messages go to stderr so that `bench --json` keeps stdout to its JSON lines.
pub async fn seed_scale(store: &SeaStore, n: u64, progress: bool) -> Result<ScaleCatalog> {
    let m = meta();
    for t in ["bench-team", "platform"] {
        store
            .set_tenant_permissions(
                &m,
                &team(t)?,
                &[
                    TenantPermission::ManageDatasets,
                    TenantPermission::ManageEnvironments,
                    TenantPermission::ManageOrganizations,
                ],
            )
            .await
            .map_err(e)?;
    }
    let env = match find_scale_environment(store).await? {
        Some(env) => env,
        None => {
            let org =
                create_org(store, "Scale Test", "Generated for load tests.", "platform").await?;
            let env = create_env(
                store,
                &org,
                "Scale",
                SCALE_ACCOUNT,
                SCALE_REGION,
                "platform",
            )
            .await?;
            store
                .invite_team(
                    &m,
                    env.id.as_str(),
                    &team("bench-team")?,
                    &[Permission::GetEnvironment, Permission::CreateDataset],
                    None,
                )
                .await
                .map_err(e)?;
            env
        }
    };
    let wide_filter = DatasetFilter {
        environment_id: Some(env.id.clone()),
        tag: Some(Tag::parse("tag", "wide").map_err(e)?),
        ..Default::default()
    };
    let wide = store
        .list_datasets(&wide_filter, &PageRequest::first(1))
        .await
        .map_err(e)?
        .items
        .into_iter()
        .next()
        .map(|(_, d)| d);
    let in_env = store
        .count(&CountQuery::Datasets(DatasetFilter {
            environment_id: Some(env.id.clone()),
            ..Default::default()
        }))
        .await
        .map_err(e)? as u64;
    let have = in_env - u64::from(wide.is_some());
    if have < n {
        eprintln!("seeding {} datasets ({have} already there)", n - have);
        seed_scale_datasets(store, &env, have, n, progress).await?;
    }
    let wide_dataset = match wide {
        Some(d) => d,
        None => seed_wide_dataset(store, &env).await?,
    };
    eprintln!(
        "scale catalog ready: {} datasets + 1 with a 10,000-column table",
        have.max(n)
    );
    Ok(ScaleCatalog {
        environment: env,
        wide_dataset,
    })
}

async fn find_scale_environment(store: &SeaStore) -> Result<Option<Environment>> {
    let mut page = PageRequest::first(100);
    loop {
        let envs = store
            .list_environments(&EnvironmentFilter::default(), &page)
            .await
            .map_err(e)?;
        if let Some((_, env)) = envs.items.iter().find(|(_, env)| {
            env.account_id.as_str() == SCALE_ACCOUNT && env.region.as_str() == SCALE_REGION
        }) {
            return Ok(Some(env.clone()));
        }
        match envs.items.last() {
            Some((key, _)) if envs.has_next => page.after = Some(key.clone()),
            _ => return Ok(None),
        }
    }
}

/// Datasets `from..to`, eight writers at a time.
async fn seed_scale_datasets(
    store: &SeaStore,
    env: &Environment,
    from: u64,
    to: u64,
    progress: bool,
) -> Result<()> {
    let bar = if progress {
        ProgressBar::new(to - from)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} datasets {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let concurrency = 8u64;
    let mut handles = Vec::new();
    for worker in 0..concurrency {
        let store = store.clone();
        let env = env.clone();
        let bar = bar.clone();
        handles.push(tokio::spawn(async move {
            let m = meta();
            let mut i = from + worker;
            while i < to {
                let a = WORDS_A[(i as usize) % WORDS_A.len()];
                let b = WORDS_B[(i as usize / WORDS_A.len()) % WORDS_B.len()];
                let slug = format!("{a}-{b}-{i}");
                let label = format!("{} {} {i}", capital(a), capital(b));
                let ds = create_dataset(
                    &store,
                    &env,
                    &slug,
                    &label,
                    &format!("Generated {a} {b} data, partition set {i}."),
                    "bench-team",
                    None,
                    &[Topic::Misc],
                    &[a],
                )
                .await?;
                let t = table(
                    &format!("{a}_{b}_{i}"),
                    "Generated table",
                    &ds.aws.bucket,
                    SCALE_COLUMNS,
                )?;
                store
                    .record_discovered_tables(&m, &ds.id, &[t])
                    .await
                    .map_err(e)?;
                bar.inc(1);
                i += concurrency;
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for h in handles {
        h.await
            .map_err(|err| anyhow!("seed worker failed: {err}"))??;
    }
    bar.finish();
    Ok(())
}

async fn seed_wide_dataset(store: &SeaStore, env: &Environment) -> Result<Dataset> {
    let wide = create_dataset(
        store,
        env,
        "wide-features",
        "Wide Feature Store",
        "10,000 model features per customer.",
        "bench-team",
        None,
        &[Topic::Research],
        &["wide"],
    )
    .await?;
    let names: Vec<String> = (0..10_000).map(|i| format!("feature_{i:05}")).collect();
    let cols: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "double", "Model feature"))
        .collect();
    let t = table(
        WIDE_TABLE,
        "One row per customer, one column per feature",
        &wide.aws.bucket,
        &cols,
    )?;
    store
        .record_discovered_tables(&meta(), &wide.id, &[t])
        .await
        .map_err(e)?;
    Ok(wide)
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
