//! `lakecat users`: local mode's users and their teams (`users.json` in the data directory),
//! through the same [`UserDirectory`] as the admin mutations. Passwords are never taken as
//! arguments (they would show in `ps` and shell history): they are asked for twice on the
//! terminal without echo, or read as one line from standard input with `--password-stdin`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Result, anyhow};
use clap::{ArgGroup, Args, Subcommand};
use lakecat_core::caller::MutationMeta;
use lakecat_core::names::Email;
use lakecat_core::ports::UserDirectory;
use lakecat_core::users::{NewUser, Password, Username, parse_teams};
use lakecat_server::local_users::LocalUsers;
use lakecat_server::throttle::{LoginLimits, LoginThrottle};
use lakecat_server::user_directory::LocalUserDirectory;

#[derive(Args)]
pub struct UsersArgs {
    /// State directory of the embedded default (holds users.json).
    #[arg(
        long,
        env = "LAKECAT_DATA_DIR",
        default_value = "./lakecat-data",
        global = true
    )]
    pub data_dir: PathBuf,
    #[command(subcommand)]
    pub command: UsersCommand,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Adds a local user in one or more teams; asks for its password.
    Add {
        /// The user's name: 1–64 characters of a-z 0-9 . _ -, starting with a letter or digit.
        username: String,
        /// A team the user is in (repeat for more).
        #[arg(long = "team", required = true)]
        teams: Vec<String>,
        /// The user's email address.
        #[arg(long)]
        email: Option<String>,
        /// Read the password as one line from standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Sets a user's password; the tokens issued to it stop working.
    Passwd {
        /// The user's name.
        username: String,
        /// Read the password as one line from standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Removes a user; the tokens issued to it stop working.
    Remove {
        /// The user's name.
        username: String,
    },
    /// Replaces a user's teams; the tokens issued to it stop working.
    #[command(group(ArgGroup::new("new_teams").required(true).args(["set", "team"])))]
    Teams {
        /// The user's name.
        username: String,
        /// The complete new set, comma-separated (`--set ''` leaves the user in no team).
        #[arg(long, value_delimiter = ',', conflicts_with = "team")]
        set: Vec<String>,
        /// A team of the new set (repeat for more).
        #[arg(long)]
        team: Vec<String>,
    },
    /// Lists users with their teams and email (never passwords or hashes).
    List,
}

pub async fn run(args: UsersArgs) -> Result<()> {
    let users = Arc::new(
        LocalUsers::open(
            &args.data_dir,
            &lakecat_server::config::admin_group_from_env(),
        )
        .map_err(|e| anyhow!(e))?,
    );
    if let Some((user, password)) = users.created_admin.clone() {
        println!("first start: created the admin user (shown once, keep it)");
        println!("  username: {user}");
        println!("  password: {password}");
    }
    // One hash at a time is all a command needs; the throttle is the server's own machinery.
    let hashing = Arc::new(LoginThrottle::new(LoginLimits {
        hashing_permits: 1,
        ..LoginLimits::default()
    }));
    let directory = LocalUserDirectory::new(users, hashing);
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    execute(&directory, args.command, &mut stdin.lock(), &mut out).await
}

/// Runs one command against `directory`, reading `--password-stdin` passwords from `input`.
pub async fn execute(
    directory: &dyn UserDirectory,
    command: UsersCommand,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<()> {
    let meta = |action: &str| MutationMeta {
        actor: "lakecat-cli".into(),
        action: format!("users {action}"),
        request_id: ulid::Ulid::new().to_string(),
    };
    match command {
        UsersCommand::Add {
            username,
            teams,
            email,
            password_stdin,
        } => {
            let username = Username::parse("username", &username).map_err(shown)?;
            let teams = parse_teams("--team", &teams).map_err(shown)?;
            let email = email
                .as_deref()
                .map(|e| Email::parse("--email", e))
                .transpose()
                .map_err(shown)?;
            let password = read_password(password_stdin, input)?;
            let user = NewUser {
                username,
                password,
                email,
                teams,
            };
            let created = directory
                .create_user(&meta("add"), user)
                .await
                .map_err(shown)?;
            writeln!(
                out,
                "added {} (teams: {})",
                created.username,
                created.teams.join(", ")
            )?;
        }
        UsersCommand::Passwd {
            username,
            password_stdin,
        } => {
            let username = Username::parse("username", &username).map_err(shown)?;
            let password = read_password(password_stdin, input)?;
            directory
                .set_password(&meta("passwd"), &username, password)
                .await
                .map_err(shown)?;
            writeln!(
                out,
                "password of {username} set; its earlier tokens no longer work"
            )?;
        }
        UsersCommand::Remove { username } => {
            let username = Username::parse("username", &username).map_err(shown)?;
            directory
                .remove_user(&meta("remove"), &username)
                .await
                .map_err(shown)?;
            writeln!(out, "removed {username}; its tokens no longer work")?;
        }
        UsersCommand::Teams {
            username,
            set,
            team,
        } => {
            let username = Username::parse("username", &username).map_err(shown)?;
            let (field, raw) = if team.is_empty() {
                ("--set", set)
            } else {
                ("--team", team)
            };
            let raw: Vec<String> = raw.into_iter().filter(|t| !t.is_empty()).collect();
            let teams = parse_teams(field, &raw).map_err(shown)?;
            let changed = directory
                .set_teams(&meta("teams"), &username, &teams)
                .await
                .map_err(shown)?;
            writeln!(
                out,
                "teams of {} set to: {}; its earlier tokens no longer work",
                changed.username,
                changed.teams.join(", ")
            )?;
        }
        UsersCommand::List => {
            let users = directory.list_users().await.map_err(shown)?;
            let rows: Vec<[String; 3]> = users
                .into_iter()
                .map(|u| {
                    let email = u.email.unwrap_or_else(|| "-".into());
                    [u.username, u.teams.join(","), email]
                })
                .collect();
            let width = |i: usize, title: &str| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .fold(title.len(), usize::max)
            };
            let (w0, w1) = (width(0, "USERNAME"), width(1, "TEAMS"));
            writeln!(out, "{:<w0$}  {:<w1$}  EMAIL", "USERNAME", "TEAMS")?;
            for [name, teams, email] in rows {
                writeln!(out, "{name:<w0$}  {teams:<w1$}  {email}")?;
            }
        }
    }
    Ok(())
}

/// A core error as a command-line message: the field (argument or flag) and what is wrong.
fn shown(e: lakecat_core::Error) -> anyhow::Error {
    match e.field {
        Some(field) => anyhow!("{field}: {}", e.message),
        None => anyhow!(e.message),
    }
}

/// The new password: one line of `input` with `--password-stdin`, else asked twice on the
/// terminal without echo.
fn read_password(from_stdin: bool, input: &mut dyn BufRead) -> Result<Password> {
    if from_stdin {
        let mut line = String::new();
        input.read_line(&mut line)?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        return Password::parse("password", line).map_err(shown);
    }
    if !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal() {
        return Err(anyhow!(
            "no terminal to ask for the password on; pipe it in with --password-stdin"
        ));
    }
    let first = rpassword::prompt_password("new password: ").map_err(|e| {
        anyhow!("cannot read the password from the terminal ({e}); use --password-stdin")
    })?;
    let password = Password::parse("password", &first).map_err(shown)?;
    let again = rpassword::prompt_password("again: ")
        .map_err(|e| anyhow!("cannot read the password from the terminal ({e})"))?;
    if again != first {
        return Err(anyhow!("the two passwords differ; nothing changed"));
    }
    Ok(password)
}
