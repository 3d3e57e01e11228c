//! The `samskab` command: serve the web application, migrate, import the organisation,
//! generate the demo municipality, print reports, manage accounts and run the analysis
//! engines on exported files.

mod analyse;
mod server;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use app::demo;
use app::organisation::{import, routes as org_routes, store};
use app::platform::audit::AuditEntry;
use app::platform::db::{Db, redact_url};
use app::platform::{accounts, permissions::Role, site};
use app::{AppState, Config};
use clap::{Parser, Subcommand, ValueEnum};

/// Samskab: the platform Danish municipalities run their development work on.
#[derive(Parser)]
#[command(name = "samskab", version, about, long_about = None)]
struct Cli {
    /// The database: a SQLite file (default samskab.db) or a postgres:// URL.
    #[arg(long, global = true, env = "SAMSKAB_DB", default_value = "samskab.db")]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve {
        /// Fill an empty database with the demo municipality "Samby Kommune" and its demo logins.
        #[arg(long)]
        demo: bool,
        /// About how many employees the demo municipality has (200 to 60000; the generator
        /// lands within a fifth of it and prints the real count).
        #[arg(long, default_value_t = demo::DEFAULT_SIZE as u32, value_parser = clap::value_parser!(u32).range(200..=60000))]
        demo_size: u32,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "SAMSKAB_LISTEN")]
        listen: SocketAddr,
        /// Mark cookies Secure and send HSTS (use when served over HTTPS).
        #[arg(long, env = "SAMSKAB_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Seconds a client may take to send a request's headers; also how long an open
        /// connection may wait idle for its next request.
        #[arg(long, default_value_t = 20, env = "SAMSKAB_HEADER_TIMEOUT", value_parser = clap::value_parser!(u64).range(1..=3600))]
        header_timeout: u64,
        /// Connections served at once; more wait until one closes.
        #[arg(long, default_value_t = 4096, env = "SAMSKAB_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        max_connections: u64,
        /// A reverse proxy (IP address) whose X-Forwarded-For names the client; repeat for
        /// several. Without one, the connection's address is the client's.
        #[arg(long = "trusted-proxy", env = "SAMSKAB_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Background job workers in this process (analyses, reports, housekeeping); 0
        /// leaves jobs to other instances.
        #[arg(long, default_value_t = 2, env = "SAMSKAB_WORKERS", value_parser = clap::value_parser!(u16).range(0..=64))]
        workers: u16,
        /// The site's address as people outside reach it (https://samskab.kommune.dk), for
        /// links in e-mails and QR codes; without it, the address each request came in on.
        #[arg(long, env = "SAMSKAB_PUBLIC_URL", value_parser = parse_public_url)]
        public_url: Option<String>,
        /// A folder for uploaded files (an activity's materials); several instances must
        /// share it. Without it, files are kept in the database.
        #[arg(long, env = "SAMSKAB_FILES_DIR")]
        files_dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        oidc: OidcArgs,
    },
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

/// E-mail through the municipality's mail relay (personal links, notices).
#[derive(clap::Args)]
struct MailArgs {
    /// The relay: smtp://host:port (add ?tls=required for STARTTLS) or smtps://host:port,
    /// with user:password@ before the host if it wants a login (prefer the environment
    /// variable then). Without it, nothing is sent by e-mail.
    #[arg(long, env = "SAMSKAB_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of Samskab's e-mail.
    #[arg(long, env = "SAMSKAB_MAIL_FROM", default_value = "Samskab <samskab@localhost>")]
    mail_from: String,
}

/// Login through the municipality's OpenID Connect provider (authorization code + PKCE).
#[derive(clap::Args)]
struct OidcArgs {
    /// The provider's issuer URL; turns OIDC login on.
    #[arg(long, env = "SAMSKAB_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// The client id registered with the provider.
    #[arg(long, env = "SAMSKAB_OIDC_CLIENT_ID", default_value = "samskab")]
    oidc_client_id: String,
    /// The client secret (prefer the environment variable).
    #[arg(long, env = "SAMSKAB_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// The callback URL registered with the provider (default: http://LISTEN/log-ind/oidc/tilbage).
    #[arg(long, env = "SAMSKAB_OIDC_REDIRECT_URL")]
    oidc_redirect_url: Option<String>,
    /// The claim that carries role names (a string is one name, a list several).
    #[arg(long, env = "SAMSKAB_OIDC_ROLE_CLAIM", default_value = "roles")]
    oidc_role_claim: String,
    /// VALUE=ROLE: a claim value that gives a role (administrator, executive, leader,
    /// facilitator, employee), matched exactly; repeat for several. Without any, the exact
    /// names administrator, executive, leader, facilitator, employee and the Danish
    /// "hr og udvikling", direktion, leder, konsulent, medarbejder are used.
    #[arg(long = "oidc-role-map", env = "SAMSKAB_OIDC_ROLE_MAP", value_delimiter = ';', value_parser = parse_role_mapping)]
    oidc_role_map: Vec<(String, Role)>,
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
enum ImportWhat {
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
enum OrgFormat {
    /// The semicolon CSV of OS2mo's Kolding test organisation (alle_ledere.csv).
    KoldingCsv,
    /// Saved OS2mo GraphQL answers: org_units*.json, managers*.json, engagements*.json, employees*.json.
    Os2moJson,
    /// Samskab's own units.csv and people.csv.
    SamskabCsv,
}

#[derive(Subcommand)]
enum TokenAction {
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
enum Report {
    /// Span of control per leader, in hierarchy order.
    SpanOfControl {
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum UserAction {
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

/// Messages in the operator's language: English if LANG says so, else Danish.
fn english() -> bool {
    std::env::var("LANG").map(|l| l.starts_with("en")).unwrap_or(false)
}

fn say(da: &str, en: &str) -> String {
    if english() { en.to_string() } else { da.to_string() }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The analyses are plain computations on files: no runtime, no log, so a small export
    // is answered in the time it takes to read it.
    let result = match cli.command {
        Command::Analyse { what } => analyse::run(what, english()),
        command => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("SAMSKAB_LOG").unwrap_or_else(|_| "info".into()),
                )
                .with_writer(std::io::stderr)
                .init();
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| runtime.block_on(run(Cli { command, ..cli })))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", say("fejl", "error"));
            ExitCode::FAILURE
        }
    }
}

async fn open(url: &str) -> anyhow::Result<Db> {
    Db::open(url).await.map_err(|e| anyhow::anyhow!("{} ({})", e, redact_url(url)))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            demo: with_demo,
            demo_size,
            listen,
            secure_cookies,
            header_timeout,
            max_connections,
            trusted_proxies,
            workers,
            public_url,
            files_dir,
            mail,
            oidc,
        } => {
            let oidc = oidc.oidc_issuer.map(|issuer| app::platform::accounts::oidc::OidcConfig {
                issuer,
                client_id: oidc.oidc_client_id,
                client_secret: oidc.oidc_client_secret,
                redirect_url: oidc.oidc_redirect_url.unwrap_or_else(|| format!("http://{listen}/log-ind/oidc/tilbage")),
                role_claim: oidc.oidc_role_claim,
                role_map: oidc.oidc_role_map,
            });
            let mail = mail.smtp_url.map(|smtp_url| app::platform::mail::MailConfig { smtp_url, from: mail.mail_from });
            let config = Config { secure_cookies, demo: with_demo, oidc, trusted_proxies, mail, public_url, files_dir };
            let limits = server::Limits {
                header_timeout: std::time::Duration::from_secs(header_timeout),
                max_connections: max_connections as usize,
            };
            serve(&cli.db, demo_size as usize, listen, limits, config, workers as usize).await
        }
        Command::Analyse { what } => analyse::run(what, english()),
        Command::Migrate => {
            open(&cli.db).await?;
            println!("{}", say("Databasen er opdateret.", "The database is up to date."));
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { size, seed, answers } => {
            let db = open(&cli.db).await?;
            let m = site::store::ensure(&db, "Kommune").await?;
            if demo::install_with_answers(&db, m.id, size as usize, seed, answers.map(|a| a as usize)).await? {
                println!("{}", say("Samby Kommune er oprettet.", "Samby Kommune has been created."));
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "{}",
                    say(
                        "Databasen er ikke tom; demokommunen blev ikke oprettet.",
                        "The database is not empty; the demo was not created."
                    )
                );
                Ok(ExitCode::from(2))
            }
        }
        Command::Import { what: ImportWhat::Org { format, path } } => {
            let format = match format {
                OrgFormat::KoldingCsv => import::Format::KoldingCsv,
                OrgFormat::Os2moJson => import::Format::Os2moJson,
                OrgFormat::SamskabCsv => import::Format::SamskabCsv,
            };
            // Read and validate everything before touching the database.
            let snapshot = match import::read(format, &path) {
                Ok(s) => s,
                Err(errors) => {
                    let lang = if english() { "en" } else { "da" };
                    for e in &errors {
                        eprintln!("{}", e.render(lang));
                    }
                    eprintln!("{}", say("Intet er indlæst.", "Nothing was imported."));
                    return Ok(ExitCode::from(2));
                }
            };
            let db = open(&cli.db).await?;
            let m = site::store::ensure(&db, "Kommune").await?;
            let entry = AuditEntry::system("organisation.import", "samskab import").subject("file", path.display(), "");
            let summary = match store::apply_snapshot(&db, m.id, &snapshot, entry).await {
                Ok(summary) => summary,
                Err(store::ApplyError::Running { since }) => {
                    let since = since.format("%Y-%m-%d %H:%M:%S UTC");
                    eprintln!(
                        "{}",
                        say(
                            &format!(
                                "En anden import af organisationen er i gang (startet {since}). Intet er indlæst; \
                                 prøv igen, når den er færdig."
                            ),
                            &format!(
                                "Another import of the organisation is running (started {since}). Nothing was \
                                 imported; try again when it has finished."
                            )
                        )
                    );
                    return Ok(ExitCode::from(1));
                }
                Err(store::ApplyError::Db(e)) if app::platform::db::is_busy(&e) => {
                    eprintln!(
                        "{}",
                        say(
                            "Databasen er optaget af en anden skrivning (fx en anden import) og svarede ikke inden for \
                             10 sekunder. Intet er indlæst; prøv igen, når den er færdig.",
                            "The database is busy with another write (such as another import) and did not answer \
                             within 10 seconds. Nothing was imported; try again when it has finished."
                        )
                    );
                    return Ok(ExitCode::from(1));
                }
                Err(store::ApplyError::Interrupted(e)) => {
                    eprintln!(
                        "{}",
                        say(
                            &format!(
                                "Importen stoppede undervejs, og en del af organisationen kan være skrevet ({e}). \
                                 Kør importen igen: den gør organisationen færdig."
                            ),
                            &format!(
                                "The import stopped part-way and part of the organisation may be written ({e}). \
                                 Run the import again: it completes the organisation."
                            )
                        )
                    );
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e.into()),
            };
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { what: ImportWhat::Polis { votes, comments, title } } => {
            let title = title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
            let title = title.unwrap_or_else(|| "Pol.is-samtale".to_string());
            if title.chars().count() > app::involvement::model::TITLE_MAX_CHARS {
                eprintln!(
                    "{}",
                    say("Titlen er for lang (højst 200 tegn).", "The title is too long (at most 200 characters).")
                );
                return Ok(ExitCode::from(2));
            }
            let export = match app::involvement::import::read_polis(&votes, &comments, &title) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("{}", e.render(if english() { "en" } else { "da" }));
                    eprintln!("{}", say("Intet er indlæst.", "Nothing was imported."));
                    return Ok(ExitCode::from(2));
                }
            };
            let db = open(&cli.db).await?;
            let m = site::store::ensure(&db, "Kommune").await?;
            let entry = AuditEntry::system("process.imported", "samskab import");
            let id = app::involvement::store::write_bulk(&db, m.id, &export, entry).await?;
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { which: Report::SpanOfControl { format } } => {
            let db = open(&cli.db).await?;
            let m = site::store::ensure(&db, "Kommune").await?;
            let rows = store::span_rows(
                &db,
                m.id,
                &store::SpanFilter::within(app::platform::permissions::Reach::Municipality),
            )
            .await?;
            match format {
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                ReportFormat::Csv => {
                    use std::io::Write;
                    std::io::stdout().write_all(&org_routes::span_csv_bytes(&rows, None)?)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { action } => token(&cli.db, action).await,
        Command::User { action: UserAction::Add { username, role, name, person_email } } => {
            let Some(role) = Role::parse(&role) else {
                eprintln!(
                    "{}",
                    say(
                        "Ukendt rolle; brug administrator, executive, leader, facilitator eller employee.",
                        "Unknown role; use administrator, executive, leader, facilitator or employee."
                    )
                );
                return Ok(ExitCode::from(2));
            };
            let password = std::env::var("SAMSKAB_PASSWORD").unwrap_or_default();
            if password.chars().count() < accounts::MIN_PASSWORD_LEN {
                eprintln!(
                    "{}",
                    say(
                        &format!(
                            "Sæt SAMSKAB_PASSWORD til en adgangskode på mindst {} tegn.",
                            accounts::MIN_PASSWORD_LEN
                        ),
                        &format!(
                            "Set SAMSKAB_PASSWORD to a password of at least {} characters.",
                            accounts::MIN_PASSWORD_LEN
                        ),
                    )
                );
                return Ok(ExitCode::from(2));
            }
            let db = open(&cli.db).await?;
            let m = site::store::ensure(&db, "Kommune").await?;
            let person = match &person_email {
                Some(email) => match store::person_by_email(&db, m.id, email).await? {
                    Some(p) => Some(p),
                    None => {
                        eprintln!(
                            "{}",
                            say(
                                &format!("Ingen person har e-mailen {email}."),
                                &format!("No person has the e-mail {email}.")
                            )
                        );
                        return Ok(ExitCode::from(2));
                    }
                },
                None => None,
            };
            if accounts::account_for_login(&db, &username).await?.is_some() {
                eprintln!(
                    "{}",
                    say(
                        &format!("Brugernavnet {username} findes allerede."),
                        &format!("The username {username} already exists.")
                    )
                );
                return Ok(ExitCode::from(2));
            }
            let display = name.or_else(|| person.as_ref().map(|p| p.name.clone())).unwrap_or_else(|| username.clone());
            accounts::create_account(&db, m.id, &username, &display, &password, person.map(|p| p.id), &[role]).await?;
            app::platform::audit::record(
                &db,
                Some(m.id),
                &AuditEntry::system("account.created", "samskab user add").subject("account", &username, &username),
            )
            .await?;
            println!(
                "{}",
                say(&format!("Kontoen {username} er oprettet."), &format!("The account {username} has been created."))
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn token(url: &str, action: TokenAction) -> anyhow::Result<ExitCode> {
    use app::platform::tokens::store as tokens;
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    match action {
        TokenAction::Add { user, name } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                eprintln!("{}", say("Navnet skal være på 1 til 200 tegn.", "The name must be 1 to 200 characters."));
                return Ok(ExitCode::from(2));
            }
            let Some((account, _)) =
                accounts::account_for_login(&db, &user).await?.filter(|(a, _)| a.municipality_id == m.id)
            else {
                eprintln!("{}", say(&format!("Brugeren {user} findes ikke."), &format!("There is no user {user}.")));
                return Ok(ExitCode::from(2));
            };
            let issued = tokens::issue(&db, m.id, &account, name, AuditEntry::system("token.created", "cli")).await?;
            println!("{}", issued.token);
            eprintln!(
                "{}",
                say(
                    &format!("API-nøgle {} for {} (vises kun denne ene gang).", issued.id, account.username),
                    &format!("API token {} for {} (shown this once only).", issued.id, account.username)
                )
            );
        }
        TokenAction::List => {
            for t in tokens::list(&db, m.id).await? {
                let state = match t.revoked_at {
                    Some(at) => format!("{} {}", say("tilbagekaldt", "revoked"), at.to_rfc3339()),
                    None => say("aktiv", "active").to_string(),
                };
                let used = t.last_used_at.map(|at| at.to_rfc3339()).unwrap_or_else(|| "-".into());
                println!("{}\t{}\t{}\t{}\t{}\t{}", t.id, t.username, t.name, t.created_at.to_rfc3339(), used, state);
            }
        }
        TokenAction::Revoke { id } => {
            let Ok(id) = uuid::Uuid::parse_str(id.trim()) else {
                eprintln!(
                    "{}",
                    say("Skriv nøglens id fra `samskab token list`.", "Give the token's id from `samskab token list`.")
                );
                return Ok(ExitCode::from(2));
            };
            if !tokens::revoke(&db, m.id, id, AuditEntry::system("token.revoked", "cli")).await? {
                eprintln!("{}", say("Der er ingen aktiv nøgle med det id.", "There is no active token with that id."));
                return Ok(ExitCode::from(2));
            }
            println!("{}", say("Nøglen er tilbagekaldt.", "The token is revoked."));
        }
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn serve(
    url: &str,
    demo_size: usize,
    listen: SocketAddr,
    limits: server::Limits,
    config: Config,
    workers: usize,
) -> anyhow::Result<ExitCode> {
    let with_demo = config.demo;
    let started = Instant::now();
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    let created = if with_demo { demo::install(&db, m.id, demo_size, demo::DEFAULT_SEED).await? } else { false };
    let is_demo = site::store::is_demo(&db, m.id).await?;
    if !with_demo && is_demo {
        eprintln!(
            "{}",
            say(
                "Databasen indeholder demokommunen og dens demo-logins (adgangskode \"demo\"). Start den med --demo, \
                 eller brug en ny database til en rigtig installation.",
                "This database holds the demo municipality and its demo logins (password \"demo\"). Serve it with \
                 --demo, or use a new database for a real installation."
            )
        );
        return Ok(ExitCode::from(2));
    }
    let oidc_issuer = config.oidc.as_ref().map(|o| o.issuer.clone());
    let state = AppState::new(db.clone(), config).await?;
    let app = app::router(state.clone());
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;

    println!("Samskab: http://{addr}/  ({})", redact_url(url));
    if with_demo {
        if created {
            // The generator aims at the size; the front page shows what it made.
            let (units, people, _) = app::organisation::store::totals(&db, m.id).await?;
            println!(
                "{}",
                say(
                    &format!("Demokommunen Samby Kommune er oprettet ({people} medarbejdere i {units} enheder)."),
                    &format!(
                        "The demo municipality Samby Kommune has been created ({people} employees in {units} units)."
                    ),
                )
            );
        }
        if is_demo {
            println!("{}", say("Demo-logins (adgangskode: demo):", "Demo logins (password: demo):"));
            for (user, role) in demo::DEMO_LOGINS {
                println!("  {user:<12} {role}");
            }
        } else {
            println!(
                "{}",
                say(
                    "Databasen er ikke tom og ikke en demo; demokommunen blev ikke oprettet.",
                    "The database is not empty and not a demo; the demo was not created."
                )
            );
        }
    }
    if let Some(issuer) = oidc_issuer {
        println!("OIDC: {issuer}");
    }
    println!("{} {:.1} s", say("Klar efter", "Ready after"), started.elapsed().as_secs_f64());

    // Jobs, and the hourly housekeeping (expired sessions, old login attempts, old jobs);
    // the mail sender where a relay is set up.
    let job_workers = if workers > 0 {
        let mut handles = Vec::new();
        if state.mailer.is_some() {
            handles.push(app::platform::mail::spawn(state.clone(), std::time::Duration::from_secs(10)));
        }
        handles.extend(app::platform::jobs::worker::spawn(
            state,
            app::platform::jobs::kinds(),
            workers,
            Default::default(),
        ));
        handles
    } else {
        Vec::new()
    };
    server::run(listener, app, limits, shutdown()).await;
    for worker in job_workers {
        worker.abort();
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
