//! lakecat's CloudFormation templates, built as typed values and rendered natively to JSON
//! (no CDK, no Node). The environment bootstrap, environment, dataset and imported-dataset
//! templates are functions from typed inputs to a [`Template`]; [`subject_template`] picks a
//! catalog entity's; [`rules::check`] holds the project's own rules every template must pass.
//!
//! Pure: no AWS SDK, no async, no network. The one I/O is [`synth`], which writes the example
//! templates to a directory for `lakecat synth` and `cfn-lint`.

mod error;
mod examples;
mod iam;
mod inputs;
pub mod intrinsic;
mod logical_id;
pub mod rules;
mod subject;
pub mod tags;
mod template;
mod templates;

pub use error::CfnError;
pub use examples::{examples, render_datasets, synth};
pub use inputs::{BucketName, DatasetRef, EnvironmentRef, KmsAlias, ResourcePrefix, RoleName};
pub use logical_id::LogicalId;
pub use subject::{execution_role_name, subject_template};
pub use tags::UserTags;
pub use template::{Output, Parameter, ParameterType, Policy, Resource, Template};
pub use templates::*;
