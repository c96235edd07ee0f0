//! Validated newtypes: a value of these types has passed its rules, so code that holds one
//! never re-checks it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

macro_rules! string_newtype {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// Wraps a value read back from our own database, where it was validated on write.
            pub fn from_trusted(raw: String) -> Self {
                $name(raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(Label);
string_newtype!(Slug);
string_newtype!(AwsAccountId);
string_newtype!(AwsRegion);
string_newtype!(S3Prefix);
string_newtype!(Email);
string_newtype!(TeamName);
string_newtype!(Tag);
string_newtype!(Description);
string_newtype!(GlueName);

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control())
}

impl Label {
    pub const MAX: usize = 128;
    /// 1–128 characters after trimming, no control characters.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::bad_input(field, "must not be empty"));
        }
        if s.chars().count() > Self::MAX {
            return Err(Error::bad_input(
                field,
                format!("must be at most {} characters", Self::MAX),
            ));
        }
        if has_control(s) {
            return Err(Error::bad_input(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Label(s.to_owned()))
    }
}

impl Slug {
    pub const MIN: usize = 3;
    pub const MAX: usize = 40;
    /// Lower-case letters, digits and single hyphens, starting with a letter, ending with a
    /// letter or digit, 3–40 characters: valid in an S3 bucket name, and as a Glue name once
    /// hyphens become underscores (see [`Slug::glue_name`]).
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let s = raw;
        let n = s.len();
        if !(Self::MIN..=Self::MAX).contains(&n) {
            return Err(Error::bad_input(
                field,
                format!("must be {}–{} characters", Self::MIN, Self::MAX),
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(Error::bad_input(
                field,
                "may contain only lower-case letters, digits and hyphens",
            ));
        }
        if !s.as_bytes()[0].is_ascii_lowercase() {
            return Err(Error::bad_input(
                field,
                "must start with a lower-case letter",
            ));
        }
        if s.ends_with('-') || s.contains("--") {
            return Err(Error::bad_input(
                field,
                "must not end with a hyphen or contain two in a row",
            ));
        }
        Ok(Slug(s.to_owned()))
    }

    /// Derives a slug from a label: `Sales Orders (EU)` → `sales-orders-eu`.
    pub fn from_label(label: &Label) -> Result<Self> {
        let mut out = String::new();
        for c in label.as_str().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let trimmed: String = out.trim_end_matches('-').chars().take(Self::MAX).collect();
        let trimmed = trimmed.trim_end_matches('-').to_owned();
        let candidate = if trimmed.starts_with(|c: char| c.is_ascii_lowercase()) {
            trimmed
        } else {
            format!("d-{trimmed}")
                .chars()
                .take(Self::MAX)
                .collect::<String>()
                .trim_end_matches('-')
                .to_owned()
        };
        Slug::parse("slug", &candidate)
            .map_err(|_| Error::bad_input("slug", "cannot be derived from the label; give a slug"))
    }

    /// The Glue-compatible form: hyphens become underscores.
    pub fn glue_name(&self) -> GlueName {
        GlueName(self.0.replace('-', "_"))
    }
}

impl GlueName {
    /// A Glue database, table or column name: 1–255 characters, lower-case letters, digits and
    /// underscores (Glue lower-cases names; we refuse what it would change).
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        if raw.is_empty() || raw.len() > 255 {
            return Err(Error::bad_input(field, "must be 1–255 characters"));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::bad_input(
                field,
                "may contain only lower-case letters, digits and underscores",
            ));
        }
        Ok(GlueName(raw.to_owned()))
    }
}

impl AwsAccountId {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        if raw.len() == 12 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AwsAccountId(raw.to_owned()))
        } else {
            Err(Error::bad_input(field, "must be a 12-digit AWS account id"))
        }
    }
}

/// Regions lakecat can link environments in (commercial, GovCloud and China partitions).
pub const AWS_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

impl AwsRegion {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        if AWS_REGIONS.contains(&raw) {
            Ok(AwsRegion(raw.to_owned()))
        } else {
            Err(Error::bad_input(
                field,
                format!(
                    "'{}' is not a known AWS region",
                    raw.chars().take(32).collect::<String>()
                ),
            ))
        }
    }
}

impl S3Prefix {
    pub const MAX: usize = 1024;
    /// A key prefix inside a bucket: no leading slash, ends with `/`, no empty or dot
    /// segments, printable characters only. `raw/sales` is normalised to `raw/sales/`.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Error::bad_input(field, "must not be empty"));
        }
        if s.starts_with('/') {
            return Err(Error::bad_input(field, "must not start with '/'"));
        }
        let s = if s.ends_with('/') {
            s.to_owned()
        } else {
            format!("{s}/")
        };
        if s.len() > Self::MAX {
            return Err(Error::bad_input(
                field,
                format!("must be at most {} bytes", Self::MAX),
            ));
        }
        if has_control(&s) || s.contains('\\') {
            return Err(Error::bad_input(
                field,
                "must not contain control characters or '\\'",
            ));
        }
        for seg in s.trim_end_matches('/').split('/') {
            if seg.is_empty() || seg == "." || seg == ".." {
                return Err(Error::bad_input(
                    field,
                    "must not contain empty, '.' or '..' segments",
                ));
            }
        }
        Ok(S3Prefix(s))
    }
}

impl Email {
    /// A pragmatic check: one `@`, a non-empty local part, a dotted domain, ≤ 254 characters.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let s = raw.trim();
        let ok = s.len() <= 254
            && !has_control(s)
            && !s.contains(char::is_whitespace)
            && matches!(s.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if ok {
            Ok(Email(s.to_owned()))
        } else {
            Err(Error::bad_input(field, "must be an email address"))
        }
    }
}

impl TeamName {
    pub const MAX: usize = 128;
    /// An identity-provider group name: 1–128 characters, no whitespace or control characters.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        if raw.is_empty() || raw.chars().count() > Self::MAX {
            return Err(Error::bad_input(
                field,
                format!("must be 1–{} characters", Self::MAX),
            ));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::bad_input(field, "must not contain whitespace"));
        }
        Ok(TeamName(raw.to_owned()))
    }
}

impl Tag {
    pub const MAX: usize = 64;
    pub const MAX_PER_RESOURCE: usize = 50;
    /// 1–64 characters of letters, digits, `_ - . : /` and spaces; stored lower-case so
    /// `PII` and `pii` are one tag.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let s = raw.trim();
        if s.is_empty() || s.chars().count() > Self::MAX {
            return Err(Error::bad_input(
                field,
                format!("a tag must be 1–{} characters", Self::MAX),
            ));
        }
        if !s
            .chars()
            .all(|c| c.is_alphanumeric() || "_-.:/ ".contains(c))
        {
            return Err(Error::bad_input(
                field,
                "a tag may contain letters, digits, spaces and _ - . : /",
            ));
        }
        Ok(Tag(s.to_lowercase()))
    }

    /// Parses a list, dropping duplicates and keeping the first order.
    pub fn parse_list(field: &str, raw: &[String]) -> Result<Vec<Tag>> {
        if raw.len() > Self::MAX_PER_RESOURCE {
            return Err(Error::bad_input(
                field,
                format!("at most {} tags", Self::MAX_PER_RESOURCE),
            ));
        }
        let mut out: Vec<Tag> = Vec::with_capacity(raw.len());
        for (i, r) in raw.iter().enumerate() {
            let t = Tag::parse(&format!("{field}[{i}]"), r)?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        Ok(out)
    }
}

impl Description {
    pub const MAX: usize = 20_000;
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        if raw.chars().count() > Self::MAX {
            return Err(Error::bad_input(
                field,
                format!("must be at most {} characters", Self::MAX),
            ));
        }
        if raw
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(Error::bad_input(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Description(raw.trim().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            Label::parse("l", "  Sales  ").map(|l| l.0),
            Ok("Sales".into())
        );
        assert!(Label::parse("l", "   ").is_err());
        assert!(Label::parse("l", &"x".repeat(129)).is_err());
        assert!(Label::parse("l", "a\u{0}b").is_err());
    }

    #[test]
    fn slugs_are_s3_and_glue_safe() {
        let s = Slug::parse("slug", "sales-orders-2024").ok();
        assert_eq!(s.map(|s| s.glue_name().0), Some("sales_orders_2024".into()));
        for bad in [
            "ab",
            "Sales",
            "1sales",
            "sales-",
            "sa--les",
            "sales_orders",
            &"a".repeat(41),
        ] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad}");
        }
        let l = Label::parse("l", "Sales Orders (EU) 2024!").ok();
        assert_eq!(
            l.and_then(|l| Slug::from_label(&l).ok()).map(|s| s.0),
            Some("sales-orders-eu-2024".into())
        );
        let digits = Label::parse("l", "2024 numbers").ok();
        assert_eq!(
            digits.and_then(|l| Slug::from_label(&l).ok()).map(|s| s.0),
            Some("d-2024-numbers".into())
        );
    }

    #[test]
    fn accounts_regions_prefixes_emails() {
        assert!(AwsAccountId::parse("a", "123456789012").is_ok());
        for bad in ["12345678901", "1234567890123", "12345678901a"] {
            assert!(AwsAccountId::parse("a", bad).is_err());
        }
        assert!(AwsRegion::parse("r", "eu-west-1").is_ok());
        assert!(AwsRegion::parse("r", "mars-north-1").is_err());
        assert_eq!(
            S3Prefix::parse("p", "raw/sales").map(|p| p.0),
            Ok("raw/sales/".into())
        );
        for bad in ["/raw", "raw//x", "raw/../x", ""] {
            assert!(S3Prefix::parse("p", bad).is_err(), "{bad}");
        }
        assert!(Email::parse("e", "ana@example.com").is_ok());
        for bad in ["ana", "ana@", "@x.com", "a b@x.com", "a@x"] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        let tags = Tag::parse_list("tags", &["PII".into(), "pii".into(), "gdpr".into()]);
        assert_eq!(
            tags.map(|t| t.into_iter().map(|t| t.0).collect::<Vec<_>>()),
            Ok(vec!["pii".into(), "gdpr".into()])
        );
        assert!(Tag::parse("t", "a;drop").is_err());
    }
}
