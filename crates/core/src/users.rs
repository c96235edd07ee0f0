//! Local users of the embedded default: who may sign in with a password, and in which teams.
//! In the AWS modes the identity provider (Cognito, OIDC) holds users, and lakecat none.

use std::fmt;

use crate::error::{Error, Result};
use crate::names::{Email, TeamName};

/// A local user's name: 1–64 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
/// Lower case only, so `Ana` and `ana` cannot be two users.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    pub const MAX: usize = 64;

    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        if raw.is_empty() || raw.len() > Self::MAX {
            return Err(Error::bad_input(
                field,
                format!("a username must be 1–{} characters", Self::MAX),
            ));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if !raw.chars().all(allowed) {
            return Err(Error::bad_input(
                field,
                "a username may contain only a-z, 0-9, '.', '_' and '-'",
            ));
        }
        if !raw.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(Error::bad_input(
                field,
                "a username must start with a letter or a digit",
            ));
        }
        Ok(Username(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password: at least [`Password::MIN`] characters, at most [`Password::MAX_BYTES`]
/// bytes (what sign-in accepts), no control characters (a stray `\r` from a pasted line
/// would otherwise become part of it unseen). Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 12;
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        if raw.chars().count() < Self::MIN {
            return Err(Error::bad_input(
                field,
                format!("a password must be at least {} characters", Self::MIN),
            ));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(Error::bad_input(
                field,
                format!("a password must be at most {} bytes", Self::MAX_BYTES),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(Error::bad_input(
                field,
                "a password must not contain control characters",
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    /// The password itself, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// The most teams one user may be in.
pub const MAX_TEAMS: usize = 100;

/// Parses a user's teams (`field[i]` names a bad one), dropping duplicates, in first order.
pub fn parse_teams(field: &str, raw: &[String]) -> Result<Vec<TeamName>> {
    if raw.len() > MAX_TEAMS {
        return Err(Error::bad_input(
            field,
            format!("a user may be in at most {MAX_TEAMS} teams"),
        ));
    }
    let mut teams: Vec<TeamName> = Vec::with_capacity(raw.len());
    for (i, t) in raw.iter().enumerate() {
        let team = TeamName::parse(&format!("{field}[{i}]"), t)?;
        if !teams.contains(&team) {
            teams.push(team);
        }
    }
    Ok(teams)
}

/// A user as listed: never its password hash. Names are as stored (a file edited by hand
/// may hold names [`Username::parse`] would refuse; they are listed all the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub username: String,
    pub email: Option<String>,
    pub teams: Vec<String>,
}

/// What creating a user needs, parsed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub password: Password,
    pub email: Option<Email>,
    pub teams: Vec<TeamName>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn usernames() {
        for ok in ["ana", "a", "0day", "ana.b_c-d", &"x".repeat(64)] {
            assert!(Username::parse("username", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Ana",
            ".ana",
            "-ana",
            "_ana",
            "an a",
            "ana@x",
            "é",
            &"x".repeat(65),
        ] {
            let e = Username::parse("username", bad).err();
            assert_eq!(
                e.as_ref().map(|e| (e.code, e.field.as_deref())),
                Some((ErrorCode::BadUserInput, Some("username"))),
                "{bad}"
            );
        }
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("password", "twelve chars").is_ok());
        let short = Password::parse("password", "elevenchars").err();
        assert_eq!(
            short.map(|e| (e.field, e.message)),
            Some((
                Some("password".to_owned()),
                "a password must be at least 12 characters".to_owned()
            ))
        );
        assert!(Password::parse("password", "twelve chars\r").is_err());
        assert!(Password::parse("password", &"x".repeat(1025)).is_err());
        let p = Password::parse("password", "correct horse battery").ok();
        assert_eq!(format!("{p:?}"), "Some(Password(..))");
    }

    #[test]
    fn teams_are_parsed_and_deduplicated() {
        let raw = ["a".to_owned(), "b".to_owned(), "a".to_owned()];
        let teams = parse_teams("teams", &raw).ok().unwrap_or_default();
        assert_eq!(teams.len(), 2);
        let bad = parse_teams("teams", &["ok".to_owned(), "no way".to_owned()]).err();
        assert_eq!(bad.and_then(|e| e.field), Some("teams[1]".to_owned()));
    }
}
