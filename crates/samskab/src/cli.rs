//! The command line: every subcommand, its arguments and their help (`samskab --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use app::demo;
use app::platform::permissions::Role;
use clap::{Parser, Subcommand, ValueEnum};

use crate::analyse;

/// Samskab: the platform Danish municipalities run their development work on.
#[derive(Parser)]
#[command(name = "samskab", version, about, long_about = None)]
pub struct Cli {
    /// The database: a SQLite file (default samskab.db) or a postgres:// URL.
    #[arg(long, global = true, env = "SAMSKAB_DB", default_value = "samskab.db")]
    pub db: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web application.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Fill an empty database with the demo municipality, without serving.
    Demo {
        /// About how many employees the demo municipality has (200 to 60000; the generator
        /// lands within a fifth of it and prints the real count).
        #[arg(long, default_value_t = demo::DEFAULT_SIZE as u32, value_parser = clap::value_parser!(u32).range(200..=60000))]
        size: u32,
        /// Seed of the generator; the same seed gives the same municipality.
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
        /// Survey answers in all: monthly pulse rounds back in time are added until the
        /// rounds hold about this many (up to 2000000; for benchmarks at full size).
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=2_000_000))]
        answers: Option<u32>,
    },
    /// Import data.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Print a report.
    Report {
        #[command(subcommand)]
        which: Report,
    },
    /// Manage local accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API tokens (bearer tokens for /api/v1/).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Run an analysis engine on exported files (no database needed).
    Analyse {
        #[command(subcommand)]
        what: analyse::Analyse,
    },
}

// The arguments of `samskab serve` (its help is the variant's).
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Fill an empty database with the demo municipality "Samby Kommune" and its demo logins.
    #[arg(long)]
    pub demo: bool,
    /// About how many employees the demo municipality has (200 to 60000; the generator
    /// lands within a fifth of it and prints the real count).
    #[arg(long, default_value_t = demo::DEFAULT_SIZE as u32, value_parser = clap::value_parser!(u32).range(200..=60000))]
    pub demo_size: u32,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "SAMSKAB_LISTEN")]
    pub listen: SocketAddr,
    /// Mark cookies Secure and send HSTS (use when served over HTTPS).
    #[arg(long, env = "SAMSKAB_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Seconds a client may take to send a request's headers; also how long an open
    /// connection may wait idle for its next request.
    #[arg(long, default_value_t = 20, env = "SAMSKAB_HEADER_TIMEOUT", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, default_value_t = 4096, env = "SAMSKAB_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// A reverse proxy (IP address) whose X-Forwarded-For names the client; repeat for
    /// several. Without one, the connection's address is the client's.
    #[arg(long = "trusted-proxy", env = "SAMSKAB_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Background job workers in this process (analyses, reports, housekeeping); 0
    /// leaves jobs to other instances.
    #[arg(long, default_value_t = 2, env = "SAMSKAB_WORKERS", value_parser = clap::value_parser!(u16).range(0..=64))]
    pub workers: u16,
    /// The site's address as people outside reach it (https://samskab.kommune.dk), for
    /// links in e-mails and QR codes; without it, the address each request came in on.
    #[arg(long, env = "SAMSKAB_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// A folder for uploaded files (an activity's materials); several instances must
    /// share it. Without it, files are kept in the database.
    #[arg(long, env = "SAMSKAB_FILES_DIR")]
    pub files_dir: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub mail: MailArgs,
    #[command(flatten)]
    pub oidc: OidcArgs,
}

/// E-mail through the municipality's mail relay (personal links, notices).
#[derive(clap::Args)]
pub struct MailArgs {
    /// The relay: smtp://host:port (add ?tls=required for STARTTLS) or smtps://host:port,
    /// with user:password@ before the host if it wants a login (prefer the environment
    /// variable then). Without it, nothing is sent by e-mail.
    #[arg(long, env = "SAMSKAB_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of Samskab's e-mail.
    #[arg(long, env = "SAMSKAB_MAIL_FROM", default_value = "Samskab <samskab@localhost>")]
    pub mail_from: String,
}

/// Login through the municipality's OpenID Connect provider (authorization code + PKCE).
#[derive(clap::Args)]
pub struct OidcArgs {
    /// The provider's issuer URL; turns OIDC login on.
    #[arg(long, env = "SAMSKAB_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The client id registered with the provider.
    #[arg(long, env = "SAMSKAB_OIDC_CLIENT_ID", default_value = "samskab")]
    pub oidc_client_id: String,
    /// The client secret (prefer the environment variable).
    #[arg(long, env = "SAMSKAB_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The callback URL registered with the provider (default: http://LISTEN/log-ind/oidc/tilbage).
    #[arg(long, env = "SAMSKAB_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
    /// The claim that carries role names (a string is one name, a list several).
    #[arg(long, env = "SAMSKAB_OIDC_ROLE_CLAIM", default_value = "roles")]
    pub oidc_role_claim: String,
    /// VALUE=ROLE: a claim value that gives a role (administrator, executive, leader,
    /// facilitator, employee), matched exactly; repeat for several. Without any, the exact
    /// names administrator, executive, leader, facilitator, employee and the Danish
    /// "hr og udvikling", direktion, leder, konsulent, medarbejder are used.
    #[arg(long = "oidc-role-map", env = "SAMSKAB_OIDC_ROLE_MAP", value_delimiter = ';', value_parser = parse_role_mapping)]
    pub oidc_role_map: Vec<(String, Role)>,
}

/// --public-url: an http(s) address with a host and nothing after it.
fn parse_public_url(s: &str) -> Result<String, String> {
    let url = s.trim().trim_end_matches('/');
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match host {
        Some(h) if !h.is_empty() && !h.contains(['/', '?', '#', ' ']) => Ok(url.to_string()),
        _ => Err(format!("'{s}' is not a site address like https://samskab.kommune.dk")),
    }
}

/// `VALUE=ROLE` of --oidc-role-map.
fn parse_role_mapping(s: &str) -> Result<(String, Role), String> {
    let (value, role) = s.rsplit_once('=').ok_or_else(|| format!("'{s}' is not VALUE=ROLE"))?;
    let role = Role::parse(role.trim())
        .ok_or_else(|| format!("'{role}' is not a role (administrator, executive, leader, facilitator, employee)"))?;
    if value.is_empty() {
        return Err(format!("'{s}' has no claim value before ="));
    }
    Ok((value.to_string(), role))
}

#[derive(Subcommand)]
pub enum ImportWhat {
    /// Import the organisation (units, people, engagements, manager posts) in one
    /// transaction. Importing the same input twice changes nothing; units that are gone
    /// are closed, not deleted. A bad file is reported with file, line and column, exit
    /// code 2, and nothing is written.
    Org {
        /// Input format.
        #[arg(long, value_enum)]
        format: OrgFormat,
        /// The file (kolding-csv) or directory (os2mo-json, samskab-csv). See docs/import.md.
        path: PathBuf,
    },
    /// Import a Pol.is conversation export as a new involvement process and print its id.
    /// Participant and statement ids are kept, so the process's opinion groups equal
    /// `samskab analyse opinions` on the same files. A bad file is reported with file,
    /// line and column, exit code 2, and nothing is written.
    Polis {
        /// votes.csv of the export.
        #[arg(long)]
        votes: PathBuf,
        /// comments.csv of the export (statement texts and moderation).
        #[arg(long)]
        comments: PathBuf,
        /// The process's title (default: "Pol.is-samtale").
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OrgFormat {
    /// The semicolon CSV of OS2mo's Kolding test organisation (alle_ledere.csv).
    KoldingCsv,
    /// Saved OS2mo GraphQL answers: org_units*.json, managers*.json, engagements*.json, employees*.json.
    Os2moJson,
    /// Samskab's own units.csv and people.csv.
    SamskabCsv,
}

#[derive(Subcommand)]
pub enum TokenAction {
    /// Make a token that acts as USERNAME; it is printed once and stored hashed.
    Add {
        /// The account the token acts as (same permissions).
        #[arg(long)]
        user: String,
        /// What the token is for (shown in lists).
        #[arg(long, default_value = "API")]
        name: String,
    },
    /// List tokens (never their values).
    List,
    /// Revoke a token by its id (from `token list`).
    Revoke { id: String },
}

#[derive(Subcommand)]
pub enum Report {
    /// Span of control per leader, in hierarchy order.
    SpanOfControl {
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
pub enum UserAction {
    /// Create a local account. The password is read from SAMSKAB_PASSWORD.
    Add {
        username: String,
        /// Role: administrator, executive, leader, facilitator or employee.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the linked person's name, else the username).
        #[arg(long)]
        name: Option<String>,
        /// Link the account to the person with this e-mail (a leader sees the units they lead).
        #[arg(long)]
        person_email: Option<String>,
    },
}
