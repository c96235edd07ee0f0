//! Where the OpenSearch index lives and how to sign in to it, from the environment.

use std::fmt;

use lakecat_core::{Error, Result};

/// The alias searches and writes go through when no prefix is configured.
pub const DEFAULT_INDEX_PREFIX: &str = "lakecat";

#[derive(Clone, PartialEq, Eq)]
pub struct OpenSearchConfig {
    /// The cluster's or collection's endpoint (`https://search-….es.amazonaws.com`).
    pub url: String,
    pub auth: OpenSearchAuth,
    /// The alias; versioned indices are named `<prefix>-v<schema>-<unix-ms>` behind it.
    pub index_prefix: String,
}

/// How requests are authenticated.
#[derive(Clone, PartialEq, Eq)]
pub enum OpenSearchAuth {
    None,
    Basic {
        user: String,
        password: String,
    },
    /// AWS SigV4 with the default credential chain (the Lambda's or task's role).
    SigV4 {
        service: SigV4Service,
        region: String,
    },
}

/// The service name requests are signed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigV4Service {
    /// A managed OpenSearch Service domain.
    Es,
    /// An OpenSearch Serverless collection.
    Aoss,
}

impl SigV4Service {
    pub fn as_str(self) -> &'static str {
        match self {
            SigV4Service::Es => "es",
            SigV4Service::Aoss => "aoss",
        }
    }
}

// The password never reaches a log line.
impl fmt::Debug for OpenSearchAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenSearchAuth::None => f.write_str("None"),
            OpenSearchAuth::Basic { user, .. } => f
                .debug_struct("Basic")
                .field("user", user)
                .field("password", &"<redacted>")
                .finish(),
            OpenSearchAuth::SigV4 { service, region } => f
                .debug_struct("SigV4")
                .field("service", service)
                .field("region", region)
                .finish(),
        }
    }
}

impl fmt::Debug for OpenSearchConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenSearchConfig")
            .field("url", &self.url)
            .field("auth", &self.auth)
            .field("index_prefix", &self.index_prefix)
            .finish()
    }
}

impl OpenSearchConfig {
    /// An unauthenticated endpoint with the default prefix (local clusters, tests).
    pub fn new(url: impl Into<String>) -> OpenSearchConfig {
        OpenSearchConfig {
            url: url.into(),
            auth: OpenSearchAuth::None,
            index_prefix: DEFAULT_INDEX_PREFIX.to_owned(),
        }
    }

    /// From `OPENSEARCH_URL`, `OPENSEARCH_AUTH` (`none`, `basic`, `sigv4`; default `none`),
    /// `OPENSEARCH_USER` and `OPENSEARCH_PASSWORD` (basic), `OPENSEARCH_SERVICE` (`es` or
    /// `aoss`; default `es`) and `AWS_REGION` (sigv4), `OPENSEARCH_INDEX_PREFIX` (default
    /// `lakecat`). None when `OPENSEARCH_URL` is unset or empty. A bad setting is one line
    /// that names its variable, for start-up messages.
    pub fn from_env() -> std::result::Result<Option<OpenSearchConfig>, String> {
        Self::from_lookup(|name| std::env::var(name).ok()).map_err(|e| {
            format!(
                "{}: {}",
                e.field.as_deref().unwrap_or("OpenSearch"),
                e.message
            )
        })
    }

    /// [`OpenSearchConfig::from_env`] over any source of variables.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Option<OpenSearchConfig>> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(url) = get("OPENSEARCH_URL") else {
            return Ok(None);
        };
        let required = |name: &str, why: &str| {
            get(name).ok_or_else(|| Error::bad_input(name, format!("required {why}")))
        };
        let auth = match get("OPENSEARCH_AUTH").as_deref() {
            None | Some("none") => OpenSearchAuth::None,
            Some("basic") => OpenSearchAuth::Basic {
                user: required("OPENSEARCH_USER", "with OPENSEARCH_AUTH=basic")?,
                password: var("OPENSEARCH_PASSWORD")
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| {
                        Error::bad_input(
                            "OPENSEARCH_PASSWORD",
                            "required with OPENSEARCH_AUTH=basic",
                        )
                    })?,
            },
            Some("sigv4") => OpenSearchAuth::SigV4 {
                service: match get("OPENSEARCH_SERVICE").as_deref() {
                    None | Some("es") => SigV4Service::Es,
                    Some("aoss") => SigV4Service::Aoss,
                    Some(_) => {
                        return Err(Error::bad_input(
                            "OPENSEARCH_SERVICE",
                            "expected es (a managed domain) or aoss (serverless)",
                        ));
                    }
                },
                region: required("AWS_REGION", "with OPENSEARCH_AUTH=sigv4")?,
            },
            Some(_) => {
                return Err(Error::bad_input(
                    "OPENSEARCH_AUTH",
                    "expected none, basic or sigv4",
                ));
            }
        };
        let config = OpenSearchConfig {
            url,
            auth,
            index_prefix: get("OPENSEARCH_INDEX_PREFIX")
                .unwrap_or_else(|| DEFAULT_INDEX_PREFIX.to_owned()),
        };
        check_url(&config.url).map_err(|m| Error::bad_input("OPENSEARCH_URL", m))?;
        check_prefix(&config.index_prefix)
            .map_err(|m| Error::bad_input("OPENSEARCH_INDEX_PREFIX", m))?;
        Ok(Some(config))
    }
}

/// An http(s) URL without credentials in it (they belong in `OPENSEARCH_USER`/`_PASSWORD`).
pub(crate) fn check_url(url: &str) -> std::result::Result<(), &'static str> {
    let parsed = url::Url::parse(url).map_err(|_| "not a URL")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("expected an http or https URL");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("credentials go in OPENSEARCH_USER and OPENSEARCH_PASSWORD, not the URL");
    }
    Ok(())
}

/// A valid index name that leaves room for the version suffix.
pub(crate) fn check_prefix(prefix: &str) -> std::result::Result<(), &'static str> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if prefix.is_empty() || prefix.len() > 100 {
        return Err("1 to 100 characters");
    }
    if !prefix.chars().all(ok_char) || prefix.starts_with(['-', '_']) {
        return Err("lower-case letters, digits, - and _, not starting with - or _");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Result<Option<OpenSearchConfig>> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        OpenSearchConfig::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    fn field(r: Result<Option<OpenSearchConfig>>) -> String {
        match r {
            Err(e) => e.field.unwrap_or_default(),
            Ok(c) => panic!("expected an error, got {c:?}"),
        }
    }

    #[test]
    fn reads_each_auth_mode() {
        assert_eq!(env(&[]), Ok(None));
        let c = env(&[("OPENSEARCH_URL", "http://localhost:9200")]);
        assert_eq!(c, Ok(Some(OpenSearchConfig::new("http://localhost:9200"))));
        let c = env(&[
            ("OPENSEARCH_URL", "https://search.example.com"),
            ("OPENSEARCH_AUTH", "basic"),
            ("OPENSEARCH_USER", "admin"),
            ("OPENSEARCH_PASSWORD", "s3cret"),
            ("OPENSEARCH_INDEX_PREFIX", "lakecat-dev"),
        ])
        .ok()
        .flatten();
        let c = c.unwrap_or_else(|| panic!("basic auth config"));
        assert_eq!(c.index_prefix, "lakecat-dev");
        assert!(!format!("{c:?}").contains("s3cret"), "{c:?}");
        let c = env(&[
            ("OPENSEARCH_URL", "https://abc.eu-west-1.aoss.amazonaws.com"),
            ("OPENSEARCH_AUTH", "sigv4"),
            ("OPENSEARCH_SERVICE", "aoss"),
            ("AWS_REGION", "eu-west-1"),
        ]);
        assert_eq!(
            c.ok().flatten().map(|c| c.auth),
            Some(OpenSearchAuth::SigV4 {
                service: SigV4Service::Aoss,
                region: "eu-west-1".into()
            })
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        let url = ("OPENSEARCH_URL", "https://search.example.com");
        assert_eq!(
            field(env(&[url, ("OPENSEARCH_AUTH", "token")])),
            "OPENSEARCH_AUTH"
        );
        assert_eq!(
            field(env(&[url, ("OPENSEARCH_AUTH", "basic")])),
            "OPENSEARCH_USER"
        );
        assert_eq!(
            field(env(&[
                url,
                ("OPENSEARCH_AUTH", "basic"),
                ("OPENSEARCH_USER", "a")
            ])),
            "OPENSEARCH_PASSWORD"
        );
        assert_eq!(
            field(env(&[url, ("OPENSEARCH_AUTH", "sigv4")])),
            "AWS_REGION"
        );
        assert_eq!(
            field(env(&[
                url,
                ("OPENSEARCH_AUTH", "sigv4"),
                ("OPENSEARCH_SERVICE", "lambda"),
                ("AWS_REGION", "eu-west-1")
            ])),
            "OPENSEARCH_SERVICE"
        );
        assert_eq!(
            field(env(&[("OPENSEARCH_URL", "search")])),
            "OPENSEARCH_URL"
        );
        assert_eq!(
            field(env(&[("OPENSEARCH_URL", "https://u:p@search.example.com")])),
            "OPENSEARCH_URL"
        );
        assert_eq!(
            field(env(&[url, ("OPENSEARCH_INDEX_PREFIX", "Lakecat")])),
            "OPENSEARCH_INDEX_PREFIX"
        );
    }
}
