//! IAM policy documents and the permissions-boundary option every role of every template has.

use serde_json::{Value, json};

use crate::error::CfnError;
use crate::intrinsic::{equals, if_, no_value, not, ref_, sub};
use crate::{LogicalId, Parameter, Template, id};

/// `{"Version": "2012-10-17", "Statement": [...]}`.
pub fn document(statements: Vec<Value>) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// An `Allow` statement. `actions` are always named (a service prefix at least): a template
/// never grants `*`, which [`crate::rules`] checks on every template.
pub fn allow(sid: &str, actions: &[&str], resources: Vec<Value>) -> Value {
    json!({ "Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources })
}

/// The same statement with a `Condition` block.
pub fn when(mut statement: Value, condition: Value) -> Value {
    statement["Condition"] = condition;
    statement
}

/// A trust policy letting the given principals assume the role.
pub fn trust(principal: Value) -> Value {
    document(vec![json!({
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    })])
}

/// `arn:${AWS::Partition}:<rest>`, with CloudFormation's pseudo parameters usable in `rest`.
pub fn arn(rest: &str) -> Value {
    sub(&format!("arn:${{AWS::Partition}}:{rest}"))
}

pub const BOUNDARY_PARAMETER: &str = "PermissionsBoundaryArn";
pub const HAS_BOUNDARY: &str = "HasPermissionsBoundary";

/// Adds the `PermissionsBoundaryArn` parameter (empty by default) and the condition that it is
/// set; returns their ids. Accounts whose policy demands a boundary on every role pass one.
pub fn boundary_option(t: &mut Template) -> Result<(LogicalId, LogicalId), CfnError> {
    let param = id!("PermissionsBoundaryArn");
    let has = id!("HasPermissionsBoundary");
    t.parameter(
        &param,
        Parameter::string(
            "ARN of a managed policy set as the permissions boundary of every role this stack creates; empty for none.",
        )
        .default("")
        .allowed_pattern(
            "^$|^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/.+$",
            "an IAM managed policy ARN, or empty",
        ),
    )?;
    t.condition(&has, not(equals(ref_(&param), json!(""))))?;
    Ok((param, has))
}

/// The `PermissionsBoundary` value: the parameter where set, else `otherwise`.
pub fn boundary_value(ids: &(LogicalId, LogicalId), otherwise: Option<Value>) -> Value {
    let (param, has) = ids;
    if_(has, ref_(param), otherwise.unwrap_or_else(no_value))
}
