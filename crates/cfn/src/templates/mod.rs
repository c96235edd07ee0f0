//! lakecat's templates: functions from typed inputs to a [`crate::Template`].

mod bootstrap;
mod dataset;
mod environment;
mod imported;
mod lake;
mod storage;

pub use bootstrap::{EnvironmentBootstrap, environment_bootstrap};
pub use dataset::{DatasetStack, dataset_stack};
pub use environment::{EnvironmentStack, environment_stack};
pub use imported::{AdminRole, ImportedDatasetStack, RoleArn, imported_dataset_stack};
