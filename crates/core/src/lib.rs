//! The domain core of lakecat: typed ids, validated names, the entities of the catalog,
//! permissions and their bundles, and the port traits that adapters implement.
//!
//! This crate must not depend on any I/O crate (no sea-orm, sqlx, aws-sdk, async-graphql,
//! axum, reqwest): `tests/core_is_pure.rs` checks that with `cargo tree`.

pub mod audit;
pub mod caller;
pub mod catalog;
pub mod error;
pub mod glossary;
pub mod ids;
pub mod lake;
pub mod names;
pub mod page;
pub mod permissions;
pub mod ports;
pub mod search;
pub mod shares;
pub mod stacks;
pub mod tasks;
mod text_enum;
pub mod users;

pub use error::{Error, ErrorCode, Reason, Result};
