//! Logging in and out, throttling, password change and CSRF, on both backends.

use axum::http::StatusCode;

use crate::db_test;
use crate::support::demo_app;

db_test!(login_logout_and_wrong_passwords, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.client();
    let r = c.get("/organisation").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/log-ind?next=/organisation");

    let r = c.login("admin", "forkert").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Brugernavn eller adgangskode er forkert."));
    assert!(r.body.contains("Der er problemer"), "error summary");
    assert!(!c.has_session());

    let r = c.login("ADMIN", "demo").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "usernames are case-insensitive");
    assert!(c.has_session());
    assert_eq!(c.get("/organisation").await.status, StatusCode::OK);

    let r = c.post("/log-ud", "/", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/organisation").await.status, StatusCode::SEE_OTHER, "logged out");
});

db_test!(empty_fields_are_named_in_the_error_summary, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.client();
    let r = c.post("/log-ind", "/log-ind", &[("username", ""), ("password", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#username\""));
    assert!(r.body.contains("Skriv din adgangskode."));
    c.lang = Some("en");
    let r = c.post("/log-ind", "/log-ind", &[("username", ""), ("password", "x")]).await;
    assert!(r.body.contains("Enter your username."), "English by Accept-Language");
});

db_test!(repeated_failures_make_the_pair_wait_without_locking_the_account, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.client();
    for _ in 0..app::platform::accounts::FREE_FAILURES_PER_PAIR {
        assert_eq!(c.login("leder", "gæt").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Case and spaces do not make a new name to guess under.
    for name in ["leder", "LEDER", " leder ", "Leder"] {
        let r = c.login(name, "demo").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{name:?}: even the right password waits");
        assert!(r.body.contains("For mange forkerte forsøg. Vent 15 sekunder"), "{}", r.body);
    }
    assert!(!c.has_session());
    // Other users are not affected.
    let mut other = app.client();
    assert_eq!(other.login("direktion", "demo").await.status, StatusCode::SEE_OTHER);
});

db_test!(nobody_locks_out_an_account_from_another_address, |db| {
    let config =
        app::Config { demo: true, trusted_proxies: vec!["127.0.0.1".parse().expect("ip")], ..Default::default() };
    let m = app::platform::site::store::ensure(&db, "Kommune").await.expect("municipality");
    assert!(app::organisation::demo::install(&db, m.id, 200, 7).await.expect("demo"));
    let app = crate::support::TestApp::with_config(&db, config).await;
    let mut attacker = app.client();
    attacker.forwarded_for = Some("203.0.113.9".into());
    for _ in 0..20 {
        let _ = attacker.login(" DIREKTION ", "gæt").await;
    }
    assert_eq!(attacker.login("direktion", "demo").await.status, StatusCode::TOO_MANY_REQUESTS);
    // The real user, behind the same proxy but from their own address, logs in at once.
    let mut user = app.client();
    user.forwarded_for = Some("198.51.100.20".into());
    assert_eq!(user.login("direktion", "demo").await.status, StatusCode::SEE_OTHER);
    // A client that forges the header itself gains nothing: the proxy appends the real address.
    let mut forger = app.client();
    forger.forwarded_for = Some("198.51.100.20, 203.0.113.9".into());
    assert_eq!(forger.login("direktion", "demo").await.status, StatusCode::TOO_MANY_REQUESTS);
});

db_test!(parallel_wrong_passwords_get_only_the_free_checks, |db| {
    let app = demo_app(&db, 200).await;
    let mut tries = tokio::task::JoinSet::new();
    for _ in 0..60 {
        let mut c = app.client();
        let token = c.get("/log-ind").await.csrf();
        tries.spawn(async move {
            c.post_raw("/log-ind", &[("csrf_token", &token), ("username", "admin"), ("password", "gæt"), ("next", "/")])
                .await
                .status
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tries.join_next().await {
        statuses.push(status.expect("a try"));
    }
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(checked + refused, 60, "{statuses:?}");
    assert!(
        (1..=app::platform::accounts::FREE_FAILURES_PER_PAIR as usize).contains(&checked),
        "{checked} passwords checked of 60 parallel tries"
    );
    let failed = app::platform::audit::search(
        &db,
        app.state.municipality,
        &app::platform::audit::AuditQuery { action: Some("login.failed".into()), limit: 100, ..Default::default() },
    )
    .await
    .expect("audit");
    assert_eq!(failed.len(), checked, "each real check is audited once");
});

db_test!(state_changes_need_the_csrf_token, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.client();
    let r = c.post_raw("/log-ind", &[("username", "admin"), ("password", "demo")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!c.has_session(), "nothing happened");
    let mut c = app.login("admin").await;
    let r = c.post_raw("/log-ud", &[("csrf_token", "0".repeat(64).as_str())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/organisation").await.status, StatusCode::OK, "still logged in");
    let r = c.post_raw("/sprog", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

db_test!(a_password_change_ends_other_sessions, |db| {
    let app = demo_app(&db, 200).await;
    let mut first = app.login("medarbejder").await;
    let mut second = app.login("medarbejder").await;
    let r = first
        .post("/konto/adgangskode", "/", &[("current", "demo"), ("new_password", "kort"), ("repeat", "kort")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("mindst 12 tegn"));
    let new = "en lang og god adgangskode";
    let r = first.post("/konto/adgangskode", "/", &[("current", "demo"), ("new_password", new), ("repeat", new)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(first.get("/konto/adgangskode").await.status, StatusCode::OK, "this browser stays logged in");
    assert_eq!(second.get("/konto/adgangskode").await.status, StatusCode::SEE_OTHER, "the other session ended");
    let mut third = app.client();
    assert_eq!(third.login("medarbejder", "demo").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(third.login("medarbejder", new).await.status, StatusCode::SEE_OTHER);
});

db_test!(oidc_accounts_link_to_a_person_only_by_a_verified_email, |db| {
    use app::platform::accounts::account_for_identity;
    use app::platform::accounts::oidc::Identity;
    use app::platform::permissions::Role;
    let app = demo_app(&db, 200).await;
    let m = app.state.municipality;
    let email: String = app::on_db!(&db, |p| {
        sqlx::query_scalar("SELECT email FROM person WHERE email <> '' ORDER BY email LIMIT 1")
            .fetch_one(p)
            .await
            .expect("a person with an e-mail")
    });
    let identity = |subject: &str, email_verified: bool| Identity {
        issuer: "https://idp.samby.dk".into(),
        subject: subject.into(),
        username: subject.into(),
        name: "Nogen".into(),
        email: email.clone(),
        email_verified,
        roles: vec![Role::Employee],
    };
    let (unverified, _) =
        account_for_identity(&db, app.state.directory().as_ref(), m, &identity("s-unverified", false))
            .await
            .expect("account");
    assert_eq!(unverified.person_id, None, "email_verified=false links to nobody");
    let (verified, _) = account_for_identity(&db, app.state.directory().as_ref(), m, &identity("s-verified", true))
        .await
        .expect("account");
    assert!(verified.person_id.is_some(), "a verified address links to its person");
});

db_test!(oidc_identities_become_accounts_with_roles_from_the_claim, |db| {
    use app::platform::accounts::account_for_identity;
    use app::platform::accounts::oidc::Identity;
    use app::platform::audit::actions::VIEW as VIEW_AUDIT_LOG;
    use app::platform::permissions::{Role, can};
    let app = demo_app(&db, 200).await;
    let m = app.state.municipality;
    let mut id = Identity {
        issuer: "https://idp.samby.dk".into(),
        subject: "s-1".into(),
        username: "admin".into(),
        name: "Ada Admin".into(),
        email: String::new(),
        email_verified: false,
        roles: vec![Role::Employee],
    };
    let (first, created) = account_for_identity(&db, app.state.directory().as_ref(), m, &id).await.expect("account");
    assert!(created);
    assert_ne!(first.username, "admin", "a local account's name is never taken over");
    assert!(first.username.starts_with("admin-"));
    let (_, actor) =
        app::platform::accounts::grants_for(&db, app.state.directory().as_ref(), &first).await.expect("actor");
    assert!(!can(&actor, VIEW_AUDIT_LOG.anywhere()));

    id.roles = vec![Role::Administrator];
    id.name = "Ada A. Admin".into();
    let (again, created) = account_for_identity(&db, app.state.directory().as_ref(), m, &id).await.expect("account");
    assert!(!created);
    assert_eq!(again.id, first.id, "the same issuer and subject is the same account");
    assert_eq!(again.display_name, "Ada A. Admin");
    let (roles, actor) =
        app::platform::accounts::grants_for(&db, app.state.directory().as_ref(), &again).await.expect("actor");
    assert_eq!(roles, vec![Role::Administrator], "roles follow the claim at every login");
    assert!(can(&actor, VIEW_AUDIT_LOG.anywhere()));

    let (local, hash) =
        app::platform::accounts::account_for_login(&db, "admin").await.expect("q").expect("local admin");
    assert_ne!(local.id, first.id);
    assert!(hash.is_some());
    let (_, no_password) =
        app::platform::accounts::account_for_login(&db, &first.username).await.expect("q").expect("oidc");
    assert!(no_password.is_none(), "an OIDC account has no password to guess");
    let mut c = app.client();
    assert_eq!(c.login(&first.username, "").await.status, StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(an_unused_session_ends_after_the_idle_time, |db| {
    use app::platform::accounts::{SESSION_IDLE_MINUTES, SESSION_RECHECK};
    let app = demo_app(&db, 200).await;
    let mut idle = app.login("medarbejder").await;
    let mut active = app.login("direktion").await;
    assert_eq!(idle.get("/organisation").await.status, StatusCode::OK);
    // The employee's session was last used longer ago than the idle time allows.
    let long_ago = chrono::Utc::now() - chrono::Duration::minutes(SESSION_IDLE_MINUTES + 1);
    app::on_db!(&db, |p| {
        sqlx::query(
            "UPDATE session SET last_seen_at = $1, created_at = $1
             WHERE account_id = (SELECT id FROM account WHERE username = 'medarbejder')",
        )
        .bind(long_ago)
        .execute(p)
        .await
        .expect("age the session");
    });
    tokio::time::sleep(SESSION_RECHECK + std::time::Duration::from_millis(100)).await;
    let r = idle.get("/organisation").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the idle session has ended");
    assert!(r.location().starts_with("/log-ind"));
    assert_eq!(active.get("/organisation").await.status, StatusCode::OK, "a session in use goes on");
});
