//! Editing IAM policy documents (bucket, access point and key policies) by statement id. Pure
//! functions over `serde_json::Value`, so the read-modify-write around them stays small and
//! the edits are tested without AWS. Statements without a `Sid` belong to someone else and are
//! kept as they are.

use serde_json::{Map, Value, json};

/// A policy document: its statements, and whatever else it holds (`Version`, `Id`), kept.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Policy {
    rest: Map<String, Value>,
    statements: Vec<Value>,
}

impl Policy {
    /// Parses a policy as AWS returns it; no policy at all (or an empty string) is an empty
    /// one. A single statement object is normalised to a one-element list.
    pub(crate) fn parse(text: Option<&str>) -> Result<Policy, String> {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Ok(Policy::empty());
        }
        let Value::Object(mut rest) =
            serde_json::from_str(text).map_err(|e| format!("invalid policy JSON: {e}"))?
        else {
            return Err("policy is not a JSON object".into());
        };
        let statements = match rest.remove("Statement") {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(list)) => list,
            Some(single @ Value::Object(_)) => vec![single],
            Some(other) => return Err(format!("policy Statement is not a list: {other}")),
        };
        rest.entry("Version").or_insert_with(|| json!("2012-10-17"));
        Ok(Policy { rest, statements })
    }

    pub(crate) fn empty() -> Policy {
        let mut rest = Map::new();
        rest.insert("Version".into(), json!("2012-10-17"));
        Policy {
            rest,
            statements: vec![],
        }
    }

    /// The document to send back to AWS.
    pub(crate) fn to_json(&self) -> String {
        let mut doc = self.rest.clone();
        doc.insert("Statement".into(), Value::Array(self.statements.clone()));
        Value::Object(doc).to_string()
    }

    /// Inserts `statement` (which carries its `Sid`), replacing one with the same `Sid`.
    /// Returns whether the document changed, so an unchanged policy is not written back.
    pub(crate) fn upsert(&mut self, statement: Value) -> bool {
        let sid = sid_of(&statement).map(str::to_owned);
        let same = |s: &&mut Value| sid.is_some() && sid_of(s) == sid.as_deref();
        match self.statements.iter_mut().find(same) {
            Some(existing) if *existing == statement => false,
            Some(existing) => {
                *existing = statement;
                true
            }
            None => {
                self.statements.push(statement);
                true
            }
        }
    }

    /// Removes the statements with any of these `Sid`s; returns whether the document changed.
    pub(crate) fn remove(&mut self, sids: &[&str]) -> bool {
        let before = self.statements.len();
        self.statements
            .retain(|s| !sid_of(s).is_some_and(|sid| sids.contains(&sid)));
        self.statements.len() != before
    }

    /// Whether no statement is left (AWS rejects a bucket policy without statements, so it is
    /// deleted instead).
    pub(crate) fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

fn sid_of(statement: &Value) -> Option<&str> {
    statement.get("Sid").and_then(Value::as_str)
}

/// A statement id from an arbitrary id: IAM accepts only ASCII letters and digits in a `Sid`.
pub(crate) fn sid(prefix: &str, id: &str) -> String {
    let mut s = String::from(prefix);
    s.extend(id.chars().filter(char::is_ascii_alphanumeric));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(p: &Policy) -> Value {
        serde_json::from_str(&p.to_json()).unwrap()
    }

    #[test]
    fn missing_or_empty_policy_is_an_empty_document() {
        let empty = json!({"Version": "2012-10-17", "Statement": []});
        assert_eq!(doc(&Policy::parse(None).unwrap()), empty);
        assert_eq!(doc(&Policy::parse(Some("  ")).unwrap()), empty);
        assert_eq!(doc(&Policy::parse(Some("{}")).unwrap()), empty);
        assert!(Policy::parse(None).unwrap().is_empty());
    }

    #[test]
    fn single_statement_object_becomes_a_list_and_other_fields_are_kept() {
        let p = Policy::parse(Some(
            r#"{"Version":"2008-10-17","Id":"x","Statement":{"Sid":"A"}}"#,
        ));
        assert_eq!(
            doc(&p.unwrap()),
            json!({"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"A"}]})
        );
    }

    #[test]
    fn malformed_policies_are_errors() {
        assert!(Policy::parse(Some("not json")).is_err());
        assert!(Policy::parse(Some("[1]")).is_err());
        assert!(Policy::parse(Some(r#"{"Statement":"x"}"#)).is_err());
    }

    #[test]
    fn upsert_inserts_replaces_and_reports_no_change() {
        let mut p = Policy::parse(Some(r#"{"Statement":[{"Effect":"Deny"}]}"#)).unwrap();
        assert!(p.upsert(json!({"Sid":"A","Action":"s3:GetObject"})));
        assert!(!p.upsert(json!({"Sid":"A","Action":"s3:GetObject"})));
        assert!(p.upsert(json!({"Sid":"A","Action":"s3:PutObject"})));
        assert!(p.upsert(json!({"Sid":"B"})));
        assert_eq!(
            doc(&p)["Statement"],
            json!([{"Effect":"Deny"},{"Sid":"A","Action":"s3:PutObject"},{"Sid":"B"}])
        );
    }

    #[test]
    fn statements_without_sid_are_never_replaced() {
        let mut p = Policy::parse(Some(r#"{"Statement":[{"Effect":"Deny"}]}"#)).unwrap();
        assert!(p.upsert(json!({"Effect":"Deny"})));
        assert_eq!(
            doc(&p)["Statement"],
            json!([{"Effect":"Deny"},{"Effect":"Deny"}])
        );
    }

    #[test]
    fn remove_touches_only_the_named_sids() {
        let text = r#"{"Statement":[{"Sid":"A"},{"Effect":"Allow"},{"Sid":"B"},{"Sid":"C"}]}"#;
        let mut p = Policy::parse(Some(text)).unwrap();
        assert!(p.remove(&["A", "C"]));
        assert!(!p.remove(&["A", "Z"]));
        assert_eq!(
            doc(&p)["Statement"],
            json!([{"Effect":"Allow"},{"Sid":"B"}])
        );
        assert!(p.remove(&["B"]));
        assert!(!p.is_empty(), "a statement without Sid is someone else's");
        let mut gone = Policy::parse(Some(r#"{"Statement":[{"Sid":"A"}]}"#)).unwrap();
        gone.remove(&["A"]);
        assert!(gone.is_empty());
    }

    #[test]
    fn sids_keep_only_ascii_alphanumerics() {
        assert_eq!(sid("LakecatShare", "01HX-9z_é/ab"), "LakecatShare01HX9zab");
    }
}
