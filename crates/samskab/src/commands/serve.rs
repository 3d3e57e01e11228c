//! `samskab serve`: the web application, its job workers and the mail sender, until Ctrl-C
//! or SIGTERM.

use std::process::ExitCode;
use std::time::Instant;

use app::demo;
use app::platform::db::redact_url;
use app::platform::site;
use app::{AppState, Config};

use crate::cli::ServeArgs;
use crate::{open, say, server};

pub async fn run(url: &str, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let ServeArgs {
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
    } = args;
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
    let (demo_size, workers) = (demo_size as usize, workers as usize);

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
