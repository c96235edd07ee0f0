//! Logical ids: the names of parameters, conditions, resources and outputs inside a template.
//! CloudFormation allows only ASCII letters and digits; we also require a leading upper-case
//! letter so every id reads as a PascalCase noun (`DatasetBucket`, `TeamRoleAnalysts`).

use std::fmt;

use serde::{Serialize, Serializer};

use crate::error::CfnError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogicalId(String);

/// CloudFormation's own limit on a logical id.
const MAX: usize = 255;

const fn is_valid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > MAX || !b[0].is_ascii_uppercase() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            return false;
        }
        i += 1;
    }
    true
}

impl LogicalId {
    pub fn parse(raw: &str) -> Result<Self, CfnError> {
        if is_valid(raw) {
            Ok(LogicalId(raw.to_owned()))
        } else {
            Err(CfnError::InvalidLogicalId(raw.chars().take(64).collect()))
        }
    }

    /// A literal id, checked when the program is compiled: use it through [`crate::id!`], whose
    /// `const` block turns an invalid literal into a build error rather than a runtime one.
    pub const fn checked(raw: &'static str) -> &'static str {
        if !is_valid(raw) {
            panic!("invalid CloudFormation logical id");
        }
        raw
    }

    pub fn from_static(raw: &'static str) -> Self {
        LogicalId(raw.to_owned())
    }

    /// `prefix` followed by the letters and digits of `words`, each word capitalised:
    /// (`TeamRole`, `data-analysts`) → `TeamRoleDataAnalysts`. Lossy, so callers that derive
    /// several ids this way must check them for collisions (see [`crate::Template::add`]).
    pub fn pascal(prefix: &'static str, words: &str) -> Result<Self, CfnError> {
        let mut out = String::from(prefix);
        let mut upper = true;
        for c in words.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(if upper { c.to_ascii_uppercase() } else { c });
                upper = false;
            } else {
                upper = true;
            }
        }
        LogicalId::parse(&out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A logical id from a string literal, validated at compile time.
#[macro_export]
macro_rules! id {
    ($s:literal) => {
        $crate::LogicalId::from_static(const { $crate::LogicalId::checked($s) })
    };
}

impl fmt::Display for LogicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for LogicalId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pascal_alphanumerics() {
        assert!(LogicalId::parse("DatasetBucket").is_ok());
        assert!(LogicalId::parse("Bucket2").is_ok());
        for bad in [
            "",
            "bucket",
            "2Bucket",
            "Data-Bucket",
            "Data_Bucket",
            "Bücket",
        ] {
            assert!(LogicalId::parse(bad).is_err(), "{bad}");
        }
        assert!(LogicalId::parse(&"A".repeat(256)).is_err());
    }

    #[test]
    fn pascal_from_words() {
        let id = LogicalId::pascal("TeamRole", "data-analysts_eu.2");
        assert_eq!(id.map(|i| i.0), Ok("TeamRoleDataAnalystsEu2".to_owned()));
        assert_eq!(crate::id!("PivotRole").as_str(), "PivotRole");
    }
}
