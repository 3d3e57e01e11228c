//! The command line as an operator uses it: import, report, bad input, exit codes — on
//! SQLite, and on PostgreSQL with `--features postgres-tests`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use app::platform::db::Db;
use testkit::{FreshDatabase, kolding_csv, url_test};

fn samskab(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samskab"))
        .args(args)
        .env("SAMSKAB_DB", db)
        .env("LANG", "da_DK.UTF-8")
        .env("SAMSKAB_LOG", "warn")
        .output()
        .expect("run samskab")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

url_test!(import_and_report, |db| {
    let out = samskab(db, &["import", "org", "--format", "kolding-csv", kolding_csv().to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON summary");
    assert_eq!(summary["units_created"], 62);

    let again = samskab(db, &["import", "org", "--format", "kolding-csv", kolding_csv().to_str().expect("path")]);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&again)).expect("JSON summary");
    let counts =
        summary.as_object().expect("object").iter().filter(|(k, _)| k.as_str() != "completed_interrupted_import");
    assert!(counts.clone().all(|(_, v)| v == 0), "idempotent: {summary}");
    assert_eq!(summary["completed_interrupted_import"], false);

    let out = samskab(db, &["report", "span-of-control", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let rows = rows.as_array().expect("a list");
    assert_eq!(rows.len(), 54);
    let first = rows[0].as_object().expect("object");
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    let mut want = vec!["leader", "email", "unit", "level", "direct", "total", "leaders", "hourly", "salaried"];
    want.sort();
    let mut got = keys.clone();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(first["leader"], "Tracy Andersen");
    assert_eq!(first["email"], "tracya@kolding.dk");
    assert_eq!(
        (first["level"].as_i64(), first["direct"].as_i64(), first["total"].as_i64()),
        (Some(1), Some(8), Some(53))
    );

    let csv = samskab(db, &["report", "span-of-control", "--format", "csv"]);
    let text = stdout(&csv);
    assert!(text.starts_with("leader,email,unit,level,direct,total,leaders,hourly,salaried\n"));
    assert_eq!(text.lines().count(), 55);
});

url_test!(bad_file_writes_nothing, |db| {
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("bad.csv");
    let mut text = std::fs::read_to_string(kolding_csv()).expect("read");
    text.push_str("\"Kolding Kommune\";\"\";\"Forældreløs\";\"\";\"\";\"\";\"\";\"\";\"\"\n");
    std::fs::write(&bad, text).expect("write");
    let out = samskab(db, &["import", "org", "--format", "kolding-csv", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.csv:64:3") && err.contains("(linje 64, kolonne 3)"), "{err}");
    assert!(err.contains("Intet er indlæst."), "{err}");
    // A NUL byte (which PostgreSQL cannot store) is refused the same way on every backend.
    let nul = dir.path().join("nul.csv");
    let mut text = std::fs::read_to_string(kolding_csv()).expect("read");
    text.push_str("\"Kolding Kommune\";\"Nul\u{0}enhed\";\"\";\"\";\"\";\"\";\"\";\"\";\"\"\n");
    std::fs::write(&nul, text).expect("write");
    let out = samskab(db, &["import", "org", "--format", "kolding-csv", nul.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("nul.csv:64:23: teksten indeholder et styretegn"), "{}", stderr(&out));
    let out = samskab(db, &["report", "span-of-control", "--format", "json"]);
    assert_eq!(stdout(&out).trim(), "[]", "nothing was written");
});

// Names that a spreadsheet would run as formulas come out of the CSV report as text.
url_test!(formula_names_export_as_text, |db| {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("formler.csv");
    std::fs::write(
        &path,
        "\"root\";\"org\";\"sub org\";\"2xsub org\";\"3xsub org\";\"Ansvar\";\"Navn\";\"Telefon\";\"E-mail\"\n\
         \"Formel Kommune\";\"\";\"\";\"\";\"\";\"\";\"=HYPERLINK(\"\"http://evil.example\"\")\";\"\";\"a@k.dk\"\n\
         \"Formel Kommune\";\"@Teknik\";\"\";\"\";\"\";\"\";\"-Bo\";\"\";\"b@k.dk\"\n",
    )
    .expect("write");
    let out = samskab(db, &["import", "org", "--format", "kolding-csv", path.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&samskab(db, &["report", "span-of-control", "--format", "csv"]));
    assert!(csv.contains("'=HYPERLINK") && csv.contains("'@Teknik") && csv.contains("'-Bo"), "{csv}");
    for line in csv.lines().skip(1) {
        for cell in line.split(',') {
            assert!(!cell.trim_matches('"').starts_with(['=', '+', '-', '@']), "a live formula in {line}");
        }
    }
});

// A database made by `samskab demo` keeps its demo logins, so a server started without
// --demo refuses it, also after a real organisation has been imported into it.
url_test!(a_demo_database_is_not_served_outside_demo_mode, |db| {
    let out = samskab(db, &["demo", "--size", "200"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = samskab(db, &["import", "org", "--format", "kolding-csv", kolding_csv().to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = samskab(db, &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("demo-logins"), "{}", stderr(&out));
});

/// A `samskab-csv` organisation of `people` employees in 40 units under one top.
fn large_samskab_csv(people: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let mut units = String::from("id,parent_id,name\nu0,,Samby Kommune\n");
    for u in 1..=40 {
        units.push_str(&format!("u{u},u0,Enhed {u}\n"));
    }
    let mut staff = String::from("person_id,name,email,phone,unit_id,job_title,pay_type,primary,manager\n");
    for p in 0..people {
        staff.push_str(&format!("p{p},Person {p},p{p}@samby.dk,,u{},Medarbejder,salaried,ja,nej\n", 1 + p % 40));
    }
    std::fs::write(dir.path().join("units.csv"), units).expect("write");
    std::fs::write(dir.path().join("people.csv"), staff).expect("write");
    dir
}

// An import killed part-way (`kill -9`) leaves its claim behind; the next import takes it
// over at once (the process that held it is gone), completes the organisation and says so.
url_test!(a_killed_import_is_completed_by_the_next, |url| {
    use app::organisation::store;
    const PEOPLE: i64 = 30_000;
    let dir = large_samskab_csv(PEOPLE as usize);
    let path = dir.path().to_str().expect("path");
    let db = Db::open(url).await.expect("open");
    let m = app::platform::site::store::ensure(&db, "Kommune").await.expect("municipality").id;
    let mut child = Command::new(env!("CARGO_BIN_EXE_samskab"))
        .args(["import", "org", "--format", "samskab-csv", path])
        .env("SAMSKAB_DB", url)
        .env("SAMSKAB_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the import");
    while store::import_in_progress(&db, m).await.expect("read").is_none() {
        assert!(child.try_wait().expect("child").is_none(), "the import ended before it was seen running");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(child.try_wait().expect("child").is_none(), "the import finished before it could be killed");
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    assert!(store::import_in_progress(&db, m).await.expect("read").is_some(), "the dead import's claim remains");

    let out = samskab(url, &["import", "org", "--format", "samskab-csv", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON summary");
    assert_eq!(summary["completed_interrupted_import"], true, "{summary}");
    assert_eq!(store::totals(&db, m).await.expect("read").1, PEOPLE, "every employee is there");
    assert!(store::import_in_progress(&db, m).await.expect("read").is_none());
    let again = samskab(url, &["import", "org", "--format", "samskab-csv", path]);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&again)).expect("JSON summary");
    assert_eq!(summary["people_created"], 0, "{summary}");
    assert_eq!(summary["completed_interrupted_import"], false, "{summary}");
    db.close().await;
});

/// SQLite lets one writer in at a time. While another process writes (here: a transaction
/// held open, as a long import holds one), reading commands still open the database (no
/// migration write is needed), and an import says clearly that it could not get in.
/// PostgreSQL writers do not lock the whole database, so this is SQLite's case alone.
#[tokio::test]
async fn a_busy_database_still_reads_and_an_import_says_why_it_waits_on_sqlite() {
    use app::platform::db::WritePool;
    let fresh = FreshDatabase::sqlite();
    let out = samskab(&fresh.url, &["import", "org", "--format", "kolding-csv", kolding_csv().to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let db = Db::open(&fresh.url).await.expect("open");
    let Db::Sqlite(pool) = &db else { panic!("SQLite") };
    let writer = pool.begin_write().await.expect("hold the write lock");
    let report = samskab(&fresh.url, &["report", "span-of-control", "--format", "json"]);
    assert!(report.status.success(), "a report while another process writes: {}", stderr(&report));
    let import =
        samskab(&fresh.url, &["import", "org", "--format", "kolding-csv", kolding_csv().to_str().expect("path")]);
    assert_eq!(import.status.code(), Some(1), "{}", stderr(&import));
    assert!(stderr(&import).contains("Databasen er optaget af en anden skrivning"), "{}", stderr(&import));
    drop(writer);
    db.close().await;
    fresh.finish().await;
}

#[test]
fn bad_arguments_exit_with_2_and_a_message() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("x.db").display().to_string();
    let out = samskab(&db, &["import", "org", "--format", "excel", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("kolding-csv"), "{}", stderr(&out));
    let out = samskab(&db, &["serve", "--demo-size", "5"]);
    assert_eq!(out.status.code(), Some(2));
    let out = samskab(&db, &["serve", "--public-url", "samskab.kommune.dk"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("https://samskab.kommune.dk"), "{}", stderr(&out));
    let out = samskab(&db, &["serve", "--listen", "127.0.0.1:0", "--smtp-url", "ftp://relay"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("SMTP"), "a bad relay address is said at start: {}", stderr(&out));
    let out = samskab(&db, &["import", "org", "--format", "samskab-csv", "/no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("kan ikke læses"), "{}", stderr(&out));
    let out = samskab("mysql://x/y", &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unsupported database URL"), "{}", stderr(&out));
    let help = samskab(&db, &["--help"]);
    for cmd in ["serve", "migrate", "demo", "import", "report", "user"] {
        assert!(stdout(&help).contains(cmd), "--help lists {cmd}");
    }
}

#[test]
fn user_add_creates_an_account_that_can_log_in() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("u.db").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_samskab"))
        .args(["user", "add", "hr", "--role", "administrator"])
        .env("SAMSKAB_DB", &db)
        .env("SAMSKAB_PASSWORD", "kort")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "a short password is refused");
    let out = Command::new(env!("CARGO_BIN_EXE_samskab"))
        .args(["user", "add", "hr", "--role", "administrator", "--name", "HR"])
        .env("SAMSKAB_DB", &db)
        .env("SAMSKAB_PASSWORD", "en lang adgangskode")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = Command::new(env!("CARGO_BIN_EXE_samskab"))
        .args(["user", "add", "hr", "--role", "boss"])
        .env("SAMSKAB_DB", &db)
        .env("SAMSKAB_PASSWORD", "en lang adgangskode")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

// `token add` prints a token once; the API answers it; `token revoke` ends it.
url_test!(tokens_are_made_listed_and_revoked, |db| {
    let out = samskab(db, &["user", "add", "it", "--role", "administrator"]);
    assert_eq!(out.status.code(), Some(2), "no password given");
    let out = Command::new(env!("CARGO_BIN_EXE_samskab"))
        .args(["user", "add", "it", "--role", "administrator", "--name", "IT"])
        .env("SAMSKAB_DB", db)
        .env("SAMSKAB_PASSWORD", "en lang adgangskode")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = samskab(db, &["token", "add", "--user", "ingen"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("findes ikke"), "{}", stderr(&out));
    let out = samskab(db, &["token", "add", "--user", "IT", "--name", "Lønsystem"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = stdout(&out).trim().to_string();
    assert!(token.starts_with("samskab_") && token.len() > 60, "{token}");
    assert!(stderr(&out).contains("vises kun denne ene gang"));

    let listed = stdout(&samskab(db, &["token", "list"]));
    assert!(listed.contains("Lønsystem") && listed.contains("aktiv") && !listed.contains(&token), "{listed}");
    let id = listed.split('\t').next().expect("an id").to_string();

    // The token opens the API of a server on the same database.
    let database = Db::open(db).await.expect("open");
    let state = app::AppState::new(database.clone(), app::Config::default()).await.expect("state");
    let call = |token: String| {
        let router = app::router(state.clone());
        async move {
            use tower::ServiceExt;
            let req = axum::http::Request::builder()
                .uri("/api/v1/units")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .expect("request");
            router.oneshot(req).await.expect("answer").status().as_u16()
        }
    };
    assert_eq!(call(token.clone()).await, 200);

    assert_eq!(samskab(db, &["token", "revoke", "nonsense"]).status.code(), Some(2));
    let out = samskab(db, &["token", "revoke", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(samskab(db, &["token", "revoke", &id]).status.code(), Some(2), "already revoked");
    assert!(stdout(&samskab(db, &["token", "list"])).contains("tilbagekaldt"));
    tokio::time::sleep(app::platform::accounts::SESSION_RECHECK).await;
    assert_eq!(call(token).await, 401);
    database.close().await;
});

fn polis_file(conversation: &str, file: &str) -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/polis")
        .join(conversation)
        .join(file)
        .display()
        .to_string()
}

// A Pol.is export becomes a process whose opinion groups (the API's /opinions) are those of
// `samskab analyse opinions` on the same files; a bad file writes nothing.
url_test!(a_polis_export_becomes_a_process_with_the_same_groups, |db| {
    let votes = polis_file("15-per-hour-seattle", "votes.csv");
    let comments = polis_file("15-per-hour-seattle", "comments.csv");
    let out = samskab(db, &["import", "polis", "--votes", &votes, "--comments", &comments, "--title", "Seattle"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = uuid::Uuid::parse_str(stdout(&out).trim()).expect("the process id");

    let database = Db::open(db).await.expect("open");
    let app = testkit::TestApp::new(&database).await;
    let process =
        app::involvement::store::get(&database, app.state.municipality, id).await.expect("q").expect("process");
    let entry = app::platform::audit::AuditEntry::system("process.analysed", "test");
    let ours: serde_json::Value = serde_json::from_str(
        &app::involvement::analysis::opinions(&app.state, &process, entry).await.expect("opinions"),
    )
    .expect("JSON");
    let cli = samskab(db, &["analyse", "opinions", "--votes", &votes, "--comments", &comments, "--format", "json"]);
    assert!(cli.status.success(), "{}", stderr(&cli));
    let theirs: serde_json::Value = serde_json::from_str(&stdout(&cli)).expect("JSON");
    assert_eq!(ours["participants"], 339);
    for key in
        ["participants", "statements", "in_conv", "groups", "consensus", "group_informed_consensus", "projections"]
    {
        assert_eq!(ours[key], theirs[key], "{key} as `samskab analyse opinions`");
    }

    // A vote that is not a number: file, line, column; nothing written.
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("votes.csv");
    std::fs::write(&bad, "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,0,1,ja\n").expect("write");
    let before = app::involvement::store::all(&database, app.state.municipality).await.expect("all").len();
    let out = samskab(db, &["import", "polis", "--votes", bad.to_str().expect("path"), "--comments", &comments]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("votes.csv:3:5") && stderr(&out).contains("Intet er indlæst"), "{}", stderr(&out));
    assert_eq!(app::involvement::store::all(&database, app.state.municipality).await.expect("all").len(), before);
    database.close().await;
});
