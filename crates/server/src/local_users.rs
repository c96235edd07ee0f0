//! Local mode's users: `users.json` (argon2 password hashes and teams) and an ES256 signing
//! key (`jwt-signing-key.pem`), both in the data directory. On first start an admin user is
//! created with a random password, printed once by the CLI.
//!
//! Each user carries a session stamp that changes with its password and its teams; local
//! tokens carry it, so a token dies with its user and with the password and teams it was
//! issued for.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::JwkSet;
use lakecat_core::users::UserSummary;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalUser {
    pub username: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub teams: Vec<String>,
    /// Random, new with every password set; local tokens carry it. Empty in files written
    /// before it existed, until the user's password is next set.
    #[serde(default)]
    pub session: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct UsersFile {
    users: Vec<LocalUser>,
}

pub struct LocalUsers {
    path: PathBuf,
    key: EncodingKey,
    kid: String,
    jwks: JwkSet,
    /// The first admin's password when this start created it (shown once).
    pub created_admin: Option<(String, String)>,
    /// `users.json` as last read, with the identity of the file read: token checks read it
    /// on every request.
    cache: Mutex<Option<(FileStamp, Arc<UsersFile>)>>,
    /// Serializes this process's read-modify-write cycles of `users.json`.
    writing: Mutex<()>,
}

/// What tells one version of `users.json` from another without reading it. Every write
/// renames a new file into place, so the inode changes too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: SystemTime,
    #[cfg(unix)]
    inode: u64,
}

/// A file changed this recently may change again within its timestamp's granularity, with
/// the same length (and a reused inode): such a read is not cached (git's "racy" rule).
const SETTLED_AFTER: Duration = Duration::from_secs(2);

impl FileStamp {
    fn of(meta: &std::fs::Metadata) -> Option<FileStamp> {
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok()?,
            #[cfg(unix)]
            inode: std::os::unix::fs::MetadataExt::ino(meta),
        })
    }

    fn settled(&self) -> bool {
        SystemTime::now()
            .duration_since(self.modified)
            .is_ok_and(|age| age >= SETTLED_AFTER)
    }
}

fn summary(user: &LocalUser) -> UserSummary {
    UserSummary {
        username: user.username.clone(),
        email: user.email.clone(),
        teams: user.teams.clone(),
    }
}

/// A fresh session stamp (128 random bits).
fn new_session() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Writes `bytes` to `path` so that no one else can ever read them and no reader ever sees a
/// partial file: a new file beside it, private (0600) from its creation, synced, renamed over
/// `path`, and the directory synced so the rename survives a crash.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = temp_path(path);
    let written = write_new_private(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        // Best effort: a leftover temp file holds nothing the target does not.
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    sync_dir(dir).map_err(|e| format!("cannot sync {}: {e}", dir.display()))
}

/// A fresh name beside `path`, hidden, unique per write.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", ulid::Ulid::new()))
}

fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

fn random_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

impl LocalUsers {
    pub fn open(dir: &Path, admin_group: &str) -> Result<LocalUsers, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let key_path = dir.join("jwt-signing-key.pem");
        let secret = if key_path.exists() {
            let pem = std::fs::read_to_string(&key_path)
                .map_err(|e| format!("cannot read {}: {e}", key_path.display()))?;
            p256::SecretKey::from_pkcs8_pem(&pem)
                .map_err(|e| format!("{}: not a P-256 PKCS#8 key: {e}", key_path.display()))?
        } else {
            let secret = p256::SecretKey::random(&mut OsRng);
            let pem = secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| format!("cannot encode key: {e}"))?;
            write_private(&key_path, pem.as_bytes())?;
            secret
        };
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| format!("cannot encode key: {e}"))?;
        let key = EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| format!("cannot load signing key: {e}"))?;
        let jwk: serde_json::Value = serde_json::from_str(&secret.public_key().to_jwk_string())
            .map_err(|e| format!("cannot encode public key: {e}"))?;
        // The key id is derived from the public key, so it changes when the key does.
        let x = jwk.get("x").and_then(|v| v.as_str()).unwrap_or_default();
        let kid = format!("local-{}", &x[..x.len().min(16)]);
        let mut jwk = jwk;
        jwk["kid"] = kid.clone().into();
        jwk["alg"] = "ES256".into();
        jwk["use"] = "sig".into();
        let jwks: JwkSet = serde_json::from_value(serde_json::json!({ "keys": [jwk] }))
            .map_err(|e| format!("bad JWK: {e}"))?;

        let path = dir.join("users.json");
        let mut created_admin = None;
        if !path.exists() {
            let password = random_password();
            let users = UsersFile {
                users: vec![LocalUser {
                    username: "admin".into(),
                    email: None,
                    password_hash: hash_password(&password)?,
                    teams: vec![admin_group.to_owned()],
                    session: new_session(),
                }],
            };
            write_private(
                &path,
                &serde_json::to_vec_pretty(&users).map_err(|e| e.to_string())?,
            )?;
            created_admin = Some(("admin".to_owned(), password));
        }
        Ok(LocalUsers {
            path,
            key,
            kid,
            jwks,
            created_admin,
            cache: Mutex::new(None),
            writing: Mutex::new(()),
        })
    }

    pub fn jwks(&self) -> JwkSet {
        self.jwks.clone()
    }

    fn read(&self) -> Result<UsersFile, String> {
        let bytes = std::fs::read(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// The users, parsed again only when the file changed (another process, such as the
    /// CLI, may change it while the server runs).
    fn users(&self) -> Result<Arc<UsersFile>, String> {
        let meta = std::fs::metadata(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        let stamp = FileStamp::of(&meta);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let (Some((cached, users)), Some(now)) = (cache.as_ref(), stamp)
            && *cached == now
        {
            return Ok(users.clone());
        }
        let users = Arc::new(self.read()?);
        *cache = stamp
            .filter(FileStamp::settled)
            .map(|stamp| (stamp, users.clone()));
        Ok(users)
    }

    /// Reads `users.json`, applies `edit` and writes the result (when `edit` says it changed
    /// something), one change at a time in this process.
    fn change<R>(&self, edit: impl FnOnce(&mut UsersFile) -> (bool, R)) -> Result<R, String> {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let mut file = self.read()?;
        let (changed, result) = edit(&mut file);
        if changed {
            write_private(
                &self.path,
                &serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?,
            )?;
            *self.cache.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        Ok(result)
    }

    /// Adds or replaces a user (used by `lakecat seed` for demo users). Tokens issued to an
    /// earlier user of that name stop working.
    pub fn upsert(
        &self,
        username: &str,
        password: &str,
        email: Option<&str>,
        teams: &[&str],
    ) -> Result<(), String> {
        let user = LocalUser {
            username: username.to_owned(),
            email: email.map(str::to_owned),
            password_hash: hash_password(password)?,
            teams: teams.iter().map(|t| (*t).to_owned()).collect(),
            session: new_session(),
        };
        self.change(|file| {
            file.users.retain(|u| u.username != username);
            file.users.push(user);
            (true, ())
        })
    }

    /// Removes a user; its tokens stop working. False when there was no such user.
    pub fn remove(&self, username: &str) -> Result<bool, String> {
        self.change(|file| {
            let before = file.users.len();
            file.users.retain(|u| u.username != username);
            let removed = file.users.len() != before;
            (removed, removed)
        })
    }

    /// Sets a user's password; tokens issued before stop working. False when there is no
    /// such user.
    pub fn set_password(&self, username: &str, password: &str) -> Result<bool, String> {
        let hash = hash_password(password)?;
        self.change(
            |file| match file.users.iter_mut().find(|u| u.username == username) {
                Some(user) => {
                    user.password_hash = hash;
                    user.session = new_session();
                    (true, true)
                }
                None => (false, false),
            },
        )
    }

    /// Every user, by name, without password hashes.
    pub fn list(&self) -> Result<Vec<UserSummary>, String> {
        let mut users: Vec<UserSummary> = self.users()?.users.iter().map(summary).collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(users)
    }

    /// Adds a user. False, and nothing written, when one of that name exists.
    pub fn create(
        &self,
        username: &str,
        password: &str,
        email: Option<&str>,
        teams: &[String],
    ) -> Result<bool, String> {
        let user = LocalUser {
            username: username.to_owned(),
            email: email.map(str::to_owned),
            password_hash: hash_password(password)?,
            teams: teams.to_vec(),
            session: new_session(),
        };
        self.change(|file| {
            if file.users.iter().any(|u| u.username == username) {
                return (false, false);
            }
            file.users.push(user);
            (true, true)
        })
    }

    /// Replaces a user's teams. Tokens issued before stop working: they carry the old teams.
    /// None when there is no such user.
    pub fn set_teams(
        &self,
        username: &str,
        teams: &[String],
    ) -> Result<Option<UserSummary>, String> {
        self.change(
            |file| match file.users.iter_mut().find(|u| u.username == username) {
                Some(user) => {
                    user.teams = teams.to_vec();
                    user.session = new_session();
                    (true, Some(summary(user)))
                }
                None => (false, None),
            },
        )
    }

    /// Whether `username` still exists with this session stamp (the one its token carries).
    pub fn session_is_current(&self, username: &str, session: &str) -> Result<bool, String> {
        Ok(self
            .users()?
            .users
            .iter()
            .any(|u| u.username == username && u.session == session))
    }

    /// Checks a password and returns a signed token. The same answer for an unknown user and
    /// a wrong password, and the same work (a hash check) for both.
    pub fn login(&self, username: &str, password: &str) -> Result<Option<String>, String> {
        let file = self.users()?;
        let user = file.users.iter().find(|u| u.username == username);
        let hash = user.map(|u| u.password_hash.clone()).unwrap_or_else(|| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7GQ5Xo9tYdC0Zz2z0fT1cZ8yJw3rNk1xqGmXQ3Xh5sU".to_owned()
        });
        let parsed = PasswordHash::new(&hash).map_err(|e| format!("stored hash invalid: {e}"))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        match (user, ok) {
            (Some(u), true) => {
                let token = crate::auth::sign_local_token(
                    &self.key,
                    &self.kid,
                    &format!("local:{}", u.username),
                    &u.username,
                    &u.teams,
                    Some(&u.session),
                )?;
                Ok(Some(token))
            }
            _ => Ok(None),
        }
    }

    /// Signs arbitrary claims with the local key (tests craft expired or foreign tokens).
    pub fn sign_claims(&self, claims: &serde_json::Value) -> Result<String, String> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| format!("cannot sign token: {e}"))
    }

    /// A token for a local user without a password check (tests, seeding, benchmarks). It
    /// carries the user's session when `users.json` has the user, so it dies with it like a
    /// token from [`LocalUsers::login`]; a name not in `users.json` gets a token tied to no
    /// user, valid until it expires.
    pub fn token_for(&self, username: &str, teams: &[String]) -> Result<String, String> {
        let users = self.users()?;
        let session = users
            .users
            .iter()
            .find(|u| u.username == username)
            .map(|u| u.session.as_str());
        crate::auth::sign_local_token(
            &self.key,
            &self.kid,
            &format!("local:{username}"),
            username,
            teams,
            session,
        )
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;

    #[expect(clippy::unwrap_used, reason = "a test helper fails loudly")]
    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[expect(clippy::unwrap_used, reason = "a test helper fails loudly")]
    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn key_and_users_are_private_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let users = LocalUsers::open(dir.path(), "admins").unwrap();
        let (key, list) = (
            dir.path().join("jwt-signing-key.pem"),
            dir.path().join("users.json"),
        );
        assert_eq!((mode(&key), mode(&list)), (0o600, 0o600));

        let before = std::fs::metadata(&list).unwrap().ino();
        users.upsert("ana", "pw", None, &["analysts"]).unwrap();
        // A new file renamed over the old one: readers see the old or the new, never a mix.
        assert_ne!(std::fs::metadata(&list).unwrap().ino(), before);
        assert_eq!(mode(&list), 0o600);
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
        assert!(users.login("ana", "pw").unwrap().is_some());
    }

    #[test]
    fn users_written_before_sessions_existed_still_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = serde_json::json!({ "users": [{
            "username": "old", "email": null, "teams": ["t"],
            "password_hash": hash_password("pw").unwrap(),
        }]});
        std::fs::write(dir.path().join("users.json"), legacy.to_string()).unwrap();
        let users = LocalUsers::open(dir.path(), "admins").unwrap();
        assert!(users.created_admin.is_none());
        assert!(users.login("old", "pw").unwrap().is_some());
        assert!(users.session_is_current("old", "").unwrap());
        assert!(users.set_password("old", "new").unwrap());
        assert!(!users.session_is_current("old", "").unwrap());
    }

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("users.json");
        write_private(&target, b"old").unwrap();
        // A directory in the way makes the rename fail after the temp file was written.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("inside")).unwrap();
        assert!(write_private(&blocked, b"new").is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
    }
}
