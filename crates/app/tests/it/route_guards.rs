//! Every route any module registers, against its guard: each GET route asked by every role
//! and by a visitor (pages with a session, the API with a token), each write refused to a
//! visitor and to a role the guard does not name. The samples are made here, one per path.

use axum::http::StatusCode;
use uuid::Uuid;

use app::organisation::store;
use app::platform::accounts;

use crate::db_test;
use crate::pages::landmarks;
use crate::support::demo_app;

// Every GET route any module registers, asked by every role and by an anonymous visitor:
// the answer follows the guard the route was registered with. A new route without a
// sample here fails the test, so no route is left out of the matrix.
db_test!(every_registered_route_follows_its_guard, |db| {
    use app::platform::module::Guard;
    use app::platform::permissions::Role;
    let app = demo_app(&db, 1000).await;
    let (_, school, _, _) = landmarks(&app, &db).await;
    let m = app.state.municipality;
    let (leader, _) = accounts::account_for_login(&db, "leder").await.expect("q").expect("leder");
    let person = leader.person_id.expect("the leader is a person");
    let _ = store::person(&db, m, person).await.expect("q").expect("person");
    // Each login has started a job of its own.
    let mut jobs = std::collections::HashMap::new();
    for login in ["admin", "direktion", "leder", "facilitator", "medarbejder"] {
        let (account, _) = accounts::account_for_login(&db, login).await.expect("q").expect("login");
        let mut job = app::platform::jobs::NewJob::new("platform.sweep", serde_json::json!({}));
        job.created_by = Some(account.id);
        jobs.insert(login, app::platform::jobs::store::enqueue(&db, m, &job).await.expect("job"));
    }
    // A published story, and a draft of each login's own.
    let story = app::stories::store::list(&db, m, app::stories::model::Readers::Public, &Default::default(), 1, 0)
        .await
        .expect("stories")
        .0[0]
        .id;
    let mut drafts = std::collections::HashMap::new();
    for login in ["admin", "direktion", "leder", "facilitator", "medarbejder"] {
        let (account, _) = accounts::account_for_login(&db, login).await.expect("q").expect("login");
        let input = app::stories::model::StoryInput {
            title: format!("Kladde af {login}"),
            body: "Tekst".into(),
            core_tasks: vec!["laering".into()],
            ..Default::default()
        };
        let entry = app::platform::audit::AuditEntry::system("story.created", "test");
        let draft = app::stories::store::create(
            &db,
            m,
            &input,
            (Some(account.id), login),
            app::stories::model::StoryState::Draft,
            entry,
        )
        .await
        .expect("draft");
        drafts.insert(login, draft);
    }
    // A process each login facilitates (the maker of a process facilitates it), and a
    // personal link to the admin's.
    let mut processes = std::collections::HashMap::new();
    let mut proposals = std::collections::HashMap::new();
    for login in ["admin", "direktion", "leder", "facilitator", "medarbejder"] {
        let (account, _) = accounts::account_for_login(&db, login).await.expect("q").expect("login");
        let new = app::involvement::model::NewProcess {
            title: format!("Proces af {login}"),
            description: String::new(),
            template: app::involvement::model::Template::Clarification,
            scope: app::involvement::model::Scope::Organisation,
            units: Vec::new(),
            keep_unit_role: false,
        };
        let entry = app::platform::audit::AuditEntry::system("process.created", "test");
        let id = app::involvement::store::create(&db, m, &new, account.id, entry).await.expect("process");
        // Three inputs, so the process has a theme to open.
        let process = app::involvement::store::get(&db, m, id).await.expect("q").expect("process");
        let taker = app::involvement::model::Taker::Account { account: account.id, unit: None, role: None };
        for text in ["Kortere møder", "Bedre kaffe i kantinen", "Flere parkeringspladser"] {
            let draft = app::involvement::store::InputDraft { text: text.into(), ..Default::default() };
            let entry = app::platform::audit::AuditEntry::system("process.input_added", "test");
            app::involvement::store::add_input(&db, m, &process, &taker, &draft, None, entry)
                .await
                .expect("input")
                .expect("no quota");
        }
        processes.insert(login, id);
        let new = app::decisions::model::NewProposal {
            title: "Kortere møder".into(),
            text: String::new(),
            inputs: Vec::new(),
            theme: String::new(),
            statement_number: None,
        };
        let entry = app::platform::audit::AuditEntry::system("proposal.created", "test");
        let made = app::decisions::store::create(&db, m, id, &new, entry).await.expect("proposal");
        proposals.insert(login, made.id);
    }
    // A rule and a review of it.
    let rule_new = app::rules::model::NewRule {
        title: "Mødereferat".into(),
        origin: Some(app::rules::model::Origin::Local),
        ..Default::default()
    };
    let rule = app::rules::store::create_all(
        &db,
        m,
        &[rule_new],
        app::platform::audit::AuditEntry::system("rule.created", "test"),
    )
    .await
    .expect("rule")[0];
    let review = app::rules::store::create_review(
        &db,
        m,
        "Forklar eller fjern",
        app::rules::today().succ_opt().expect("date"),
        &[rule],
        app::platform::audit::AuditEntry::system("rule.review_opened", "test"),
    )
    .await
    .expect("review");
    let programme_new =
        app::programmes::templates::programme("koege", app::programmes::today() + chrono::Duration::days(30))
            .expect("template");
    let programme = app::programmes::store::create(
        &db,
        m,
        &programme_new,
        app::platform::audit::AuditEntry::system("programme.created", "test"),
    )
    .await
    .expect("programme");
    let activity = app::programmes::store::activities(&db, programme).await.expect("activities")[0].id;
    // A learning group of the five logins, with a project of its own and a trial action.
    let mut logins_people = Vec::new();
    for login in ["admin", "direktion", "leder", "medarbejder", "facilitator"] {
        let (account, _) = app::platform::accounts::store::account_for_login(&db, login).await.expect("q").expect("a");
        logins_people.push((account.person_id.expect("a person"), false));
    }
    let learning = app::programmes::model::Grouping {
        kind: app::programmes::model::GroupKind::Learning,
        min_size: 4,
        max_size: 6,
        mix: Vec::new(),
    };
    let group = app::programmes::store::groups::adopt(
        &db,
        m,
        programme,
        &learning,
        &[app::programmes::model::NewGroup { parent: None, members: logins_people }],
        app::platform::audit::AuditEntry::system("programme.groups_adopted", "test"),
    )
    .await
    .expect("group")[0];
    let text = app::programmes::store::projects::ProjectText { title: "Fælles projekt".into(), ..Default::default() };
    let entry = || app::platform::audit::AuditEntry::system("project.created", "test");
    let project = app::programmes::store::projects::create(&db, m, programme, None, Some(group), &text, entry())
        .await
        .expect("project");
    let trial_text = app::programmes::store::projects::TrialText {
        title: "Afprøvning".into(),
        plan: String::new(),
        act: String::new(),
        observe: String::new(),
        reflect: String::new(),
        involved: String::new(),
        stage: app::programmes::model::Stage::Plan,
        planned_on: None,
        done_on: None,
    };
    let trial =
        app::programmes::store::projects::add_trial(&db, m, project, &trial_text, entry()).await.expect("trial");
    let material = app::programmes::store::materials::new_material_id();
    let file = app::programmes::store::materials::NewMaterial {
        id: material,
        activity,
        name: "Dagsorden.txt",
        content_type: "text/plain",
        bytes: b"Dagsorden",
        in_folder: false,
    };
    assert!(app::programmes::store::materials::add(&db, m, &file, 20, entry()).await.expect("material"), "room");
    app::programmes::store::roles::ensure_defaults(&db, m).await.expect("roles");
    let role = app::programmes::store::roles::roles(&db, m).await.expect("roles")[0].id;
    let token = app::platform::participants::issue_link(&db, m, app::involvement::object(processes["admin"]), None)
        .await
        .expect("link");
    let mut codes = std::collections::HashMap::new();
    for (login, process) in &processes {
        let object = app::involvement::object(*process);
        codes.insert(*login, app::platform::participants::issue_code(&db, m, object, None).await.expect("code"));
    }
    // Feedback: a closed WHO-5 round, and a series of each login's own.
    app::feedback::library::ensure(&db, m).await.expect("library");
    let instrument = |key: &'static str| app::feedback::store::instrument_by(&db, m, key);
    let who5 = instrument("who5").await.expect("q").expect("who5");
    let past = app::platform::i18n::today() - chrono::Duration::days(30);
    let round = app::feedback::store::NewRound {
        instrument: who5.id,
        version: who5.version,
        title: "Trivsel",
        opens: past,
        closes: past,
        links: Vec::new(),
        cohort: None,
        letters: Vec::new(),
    };
    let round_entry = app::platform::audit::AuditEntry::system("round.created", "test");
    let who5_round = app::feedback::store::create_round(&db, m, &round, round_entry).await.expect("round");
    // A closed pulse round (its comments).
    let pulse = instrument("pulse").await.expect("q").expect("pulse");
    let round = app::feedback::store::NewRound {
        instrument: pulse.id,
        version: pulse.version,
        title: "Puls",
        opens: past,
        closes: past,
        links: Vec::new(),
        cohort: None,
        letters: Vec::new(),
    };
    let round_entry = app::platform::audit::AuditEntry::system("round.created", "test");
    app::feedback::store::create_round(&db, m, &round, round_entry).await.expect("round");
    // A closed 360° round that evaluates each login with a person (HR reads the leader's).
    let mut people = std::collections::HashMap::new();
    for login in ["admin", "direktion", "leder", "medarbejder", "facilitator"] {
        let (account, _) = app::platform::accounts::store::account_for_login(&db, login).await.expect("q").expect("a");
        people.extend(account.person_id.map(|p| (login, p)));
    }
    let rating = instrument("leadership360").await.expect("q").expect("360");
    let round = app::feedback::store::NewRound {
        instrument: rating.id,
        version: rating.version,
        title: "360",
        opens: past,
        closes: past,
        links: people
            .values()
            .map(|p| app::feedback::store::NewLink {
                token_hash: format!("matrix-{p}"),
                unit: school,
                person: *p,
                subject: Some(*p),
                rater: "self".into(),
            })
            .collect(),
        cohort: None,
        letters: Vec::new(),
    };
    let round_entry = app::platform::audit::AuditEntry::system("round.created", "test");
    let rating_round = app::feedback::store::create_round(&db, m, &round, round_entry).await.expect("round");
    let evaluated = |login: &str| people.get(login).or(people.get("leder")).copied().unwrap_or_default();
    let fit = instrument("fit-outcome").await.expect("q").expect("fit");
    let mut series = std::collections::HashMap::new();
    for login in ["admin", "direktion", "leder", "medarbejder", "facilitator"] {
        let (account, _) = app::platform::accounts::store::account_for_login(&db, login).await.expect("q").expect("a");
        let new = app::feedback::store::NewSeries {
            instrument: fit.id,
            subject_kind: app::feedback::model::SubjectKind::Family,
            subject: "FAM-1",
            unit: None,
            owner: Some(account.id),
            age: None,
            label: "",
        };
        let entry = app::platform::audit::AuditEntry::system("series.created", "test");
        series.insert(login, app::feedback::store::create_series(&db, m, &new, entry).await.expect("series"));
    }
    // A concrete URL for each registered path, for one login (ids inside the demo leader's
    // own part; the login's own job).
    let sample = |path: &str, login: &str| -> Option<String> {
        let job = jobs.get(login).copied().unwrap_or_default();
        let draft = drafts.get(login).copied().unwrap_or_default();
        let process = processes.get(login).copied().unwrap_or_default();
        if let Some(rest) = path.strip_prefix("/processer/{id}") {
            let code = codes.get(login).cloned().unwrap_or_default();
            let url = format!("/processer/{process}{rest}");
            return Some(url.replace("{file}", "votes.csv").replace("{code}", &code).replace("{theme}", "0"));
        }
        if let Some(rest) = path.strip_prefix("/api/v1/processes/{id}") {
            return Some(format!("/api/v1/processes/{process}{rest}").replace("{file}", "votes.csv"));
        }
        // Every page and API path under one programme or activity.
        for (prefix, id) in [
            ("/materialer/{id}", material),
            ("/api/v1/materials/{id}", material),
            ("/projekter/{id}", project),
            ("/api/v1/projects/{id}", project),
            ("/grupper/{id}", group),
            ("/api/v1/groups/{id}", group),
            ("/programmer/roller/{id}", role),
            ("/programmer/{id}", programme),
            ("/api/v1/programmes/{id}", programme),
            ("/programmes/{id}", programme),
            ("/aktiviteter/{id}", activity),
            ("/api/v1/activities/{id}", activity),
        ] {
            if let Some(rest) = path.strip_prefix(prefix) {
                return Some(format!("{}{rest}", prefix.replace("{id}", &id.to_string())));
            }
        }
        Some(match path {
            "/deltag/{token}" => format!("/deltag/{token}"),
            "/deltag/{token}/svar" => format!("/deltag/{token}/svar"),
            "/kvittering/{token}" => format!("/kvittering/{token}"),
            "/api/v1/receipts/{token}/answers" => format!("/api/v1/receipts/{token}/answers"),
            "/api/v1/participate/{token}/answers" => format!("/api/v1/participate/{token}/answers"),
            "/p/{id}/beslutninger" => format!("/p/{process}/beslutninger"),
            "/forslag/{id}" => format!("/forslag/{}", proposals.get(login).copied().unwrap_or_default()),
            "/api/v1/proposals/{id}" => {
                format!("/api/v1/proposals/{}", proposals.get(login).copied().unwrap_or_default())
            }
            "/p/{id}" => format!("/p/{process}"),
            "/api/v1/participate/{token}" => format!("/api/v1/participate/{token}"),
            "/api/v1/participate/{token}/survey" => "/api/v1/participate/ukendt/survey".into(),
            "/api/v1/instruments/{key}" => "/api/v1/instruments/who5".into(),
            "/api/v1/instruments/{key}/model" => "/api/v1/instruments/fit-outcome/model".into(),
            "/maaling/model/{key}" => "/maaling/model/fit-outcome".into(),
            "/maaling/svar/{round}" => format!("/maaling/svar/{who5_round}"),
            "/maaling/svar/{round}/{subject}" => format!("/maaling/svar/{rating_round}/{}", evaluated(login)),
            "/maaling/evalueringer/{round}/{subject}" => {
                format!("/maaling/evalueringer/{rating_round}/{}", evaluated(login))
            }
            "/maaling/runder/{id}/evalueringer" => format!("/maaling/runder/{rating_round}/evalueringer"),
            "/maaling/runder/{id}/resultat" => format!("/maaling/runder/{who5_round}/resultat"),
            "/api/v1/rounds/{id}/results" => format!("/api/v1/rounds/{who5_round}/results"),
            "/api/v1/rounds/{id}/evaluations" => format!("/api/v1/rounds/{rating_round}/evaluations"),
            "/api/v1/rounds/{id}/evaluations/{subject}" => {
                format!("/api/v1/rounds/{rating_round}/evaluations/{}", evaluated(login))
            }
            "/svar/{token}" => "/svar/ukendt".into(),
            "/api/v1/series/{id}" => format!("/api/v1/series/{}", series.get(login).copied().unwrap_or_default()),
            "/maaling/forloeb/{id}" => format!("/maaling/forloeb/{}", series.get(login).copied().unwrap_or_default()),
            "/api/v1/aggregates" => format!("/api/v1/aggregates?instrument=who5&unit={school}"),
            "/api/v1/aggregates/tree" => "/api/v1/aggregates/tree?instrument=who5".into(),
            "/api/v1/aggregates/trend" => format!("/api/v1/aggregates/trend?instrument=who5&unit={school}"),
            "/api/v1/aggregates/funnel" => "/api/v1/aggregates/funnel?instrument=who5".into(),
            "/api/v1/aggregates/texts" => format!("/api/v1/aggregates/texts?instrument=pulse&unit={school}"),
            "/api/v1/aggregates/effect" => "/api/v1/aggregates/effect?instrument=fit-outcome".into(),
            "/organisation/enhed/{id}" => format!("/organisation/enhed/{school}"),
            "/organisation/person/{id}" => format!("/organisation/person/{person}"),
            "/organisation/personer" => "/organisation/personer?q=an".into(),
            "/api/v1/units/{id}" => format!("/api/v1/units/{school}"),
            "/historier/{id}" => format!("/historier/{story}"),
            "/regler/{id}" => format!("/regler/{rule}"),
            "/mit-forloeb/kalender/{file}" => "/mit-forloeb/kalender/ukendt.ics".into(),
            "/regler/gennemgange/{id}" => format!("/regler/gennemgange/{review}"),
            "/api/v1/rules/{id}" => format!("/api/v1/rules/{rule}"),
            "/api/v1/rule-reviews/{id}" => format!("/api/v1/rule-reviews/{review}"),
            "/historier/{id}/rediger" => format!("/historier/{draft}/rediger"),
            "/api/v1/stories/{id}" => format!("/api/v1/stories/{story}"),
            "/jobber/{id}" => format!("/jobber/{job}"),
            "/jobber/{id}/status" => format!("/jobber/{job}/status"),
            "/api/v1/jobs/{id}" => format!("/api/v1/jobs/{job}"),
            p if !p.contains('{') => p.to_string(),
            _ => return None,
        })
    };
    let logins = [
        ("admin", Role::Administrator),
        ("direktion", Role::Executive),
        ("leder", Role::Leader),
        ("facilitator", Role::Facilitator),
        ("medarbejder", Role::Employee),
    ];
    let specs: Vec<_> = app::route_specs().into_iter().filter(|s| s.method == "GET").collect();
    assert!(specs.len() >= 15, "routes registered: {}", specs.len());
    let mut anonymous = app.client();
    for spec in &specs {
        let url =
            sample(spec.path, "admin").unwrap_or_else(|| panic!("no sample URL for {} in the route matrix", spec.path));
        let r = anonymous.get(&url).await;
        let to_login = if spec.path.starts_with("/api/v1/") {
            r.status == StatusCode::UNAUTHORIZED
        } else {
            r.status == StatusCode::SEE_OTHER && r.location().starts_with("/log-ind?next=")
        };
        match spec.guard {
            Guard::Public => {
                assert!(!to_login && r.status != StatusCode::FORBIDDEN, "anonymous GET {url}: {}", r.status)
            }
            _ => assert!(to_login, "anonymous GET {url} must go to the login page, got {}", r.status),
        }
    }
    for (login, role) in logins {
        // Pages with the browser session, the API with a token of the same account.
        let mut c = app.login(login).await;
        let mut api = app.api_client(login).await;
        for spec in &specs {
            let url = sample(spec.path, login).unwrap_or_default();
            let client = if spec.path.starts_with("/api/v1/") { &mut api } else { &mut c };
            let status = client.get(&url).await.status;
            match spec.guard {
                Guard::Public => assert!(
                    ![401, 403].contains(&status.as_u16()) && !status.is_server_error(),
                    "{login} GET {url}: {status}"
                ),
                Guard::SignedIn => assert_eq!(status, StatusCode::OK, "{login} GET {url}"),
                Guard::Action(def) => {
                    let want = if def.roles.contains(&role) { StatusCode::OK } else { StatusCode::FORBIDDEN };
                    assert_eq!(status, want, "{login} GET {url} ({})", def.key);
                }
            }
        }
    }

    // Every route that changes something: a visitor is sent to log in (the API: 401), and a
    // role the guard does not name is refused with a valid CSRF token (or token) in hand.
    let writes: Vec<_> = app::route_specs().into_iter().filter(|s| s.method != "GET").collect();
    assert!(writes.len() >= 10, "write routes registered: {}", writes.len());
    let token_id = app::platform::tokens::store::list(&db, m).await.expect("tokens")[0].id;
    let write_url = |path: &str| -> String {
        path.replace("/historier/{id}", &format!("/historier/{story}"))
            .replace("/processer/{id}", &format!("/processer/{}", processes["admin"]))
            .replace("/api/v1/processes/{id}", &format!("/api/v1/processes/{}", processes["admin"]))
            .replace("/regler/gennemgange/{id}", &format!("/regler/gennemgange/{review}"))
            .replace("/regler/{id}", &format!("/regler/{rule}"))
            .replace("/programmer/roller/{id}", &format!("/programmer/roller/{role}"))
            .replace("/materialer/{id}", &format!("/materialer/{material}"))
            .replace("/api/v1/materials/{id}", &format!("/api/v1/materials/{material}"))
            .replace("/projekter/{id}", &format!("/projekter/{project}"))
            .replace("/api/v1/projects/{id}", &format!("/api/v1/projects/{project}"))
            .replace("/grupper/{id}", &format!("/grupper/{group}"))
            .replace("/api/v1/groups/{id}", &format!("/api/v1/groups/{group}"))
            .replace("/afproevninger/{id}", &format!("/afproevninger/{trial}"))
            .replace("/api/v1/trials/{id}", &format!("/api/v1/trials/{trial}"))
            .replace("/programmer/{id}", &format!("/programmer/{programme}"))
            .replace("/api/v1/programmes/{id}", &format!("/api/v1/programmes/{programme}"))
            .replace("/aktiviteter/{id}", &format!("/aktiviteter/{activity}"))
            .replace("/api/v1/activities/{id}", &format!("/api/v1/activities/{activity}"))
            .replace("/api/v1/programme-roles/{id}", &format!("/api/v1/programme-roles/{role}"))
            .replace("{person}", &Uuid::nil().to_string())
            .replace("/api/v1/rules/{id}", &format!("/api/v1/rules/{rule}"))
            .replace("/api/v1/rule-reviews/{id}", &format!("/api/v1/rule-reviews/{review}"))
            .replace("{number}", "0")
            .replace("{theme}", "0")
            .replace("{pin}", &Uuid::nil().to_string())
            .replace("{input}", &Uuid::nil().to_string())
            .replace("{username}", "ingen")
            .replace("/api/v1/proposals/{id}", &format!("/api/v1/proposals/{}", proposals["admin"]))
            .replace("/forslag/{id}", &format!("/forslag/{}", proposals["admin"]))
            .replace("{token}", &token)
            .replace("/p/{id}", &format!("/p/{}", processes["admin"]))
            .replace("/api/v1/stories/{id}", &format!("/api/v1/stories/{story}"))
            .replace("/admin/api-noegler/{id}", &format!("/admin/api-noegler/{token_id}"))
            .replace("/api/v1/series/{id}", &format!("/api/v1/series/{}", series["admin"]))
            .replace("/maaling/forloeb/{id}", &format!("/maaling/forloeb/{}", series["admin"]))
            .replace("{round}", &who5_round.to_string())
            .replace("{subject}", &Uuid::nil().to_string())
            .replace("/api/v1/rounds/{id}", &format!("/api/v1/rounds/{who5_round}"))
    };
    for spec in &writes {
        let url = write_url(spec.path);
        assert!(!url.contains('{'), "no sample URL for {} {} in the route matrix", spec.method, spec.path);
        if spec.guard == Guard::Public {
            continue;
        }
        let r = if spec.path.starts_with("/api/v1/") {
            anonymous.send_json(spec.method, &url, &serde_json::json!({})).await
        } else {
            anonymous.post(&url, "/log-ind", &[]).await
        };
        let to_login = if spec.path.starts_with("/api/v1/") {
            r.status == StatusCode::UNAUTHORIZED
        } else {
            r.status == StatusCode::SEE_OTHER && r.location().starts_with("/log-ind?next=")
        };
        assert!(to_login, "anonymous {} {url}: {}", spec.method, r.status);
    }
    // A role the guard names gets past it: an empty form or body is then the handler's
    // to refuse (a 4xx other than 401/403, or the form again with its errors), never a
    // refusal by the guard and never a server error. Edits go to the login's own draft.
    let own_write_url = |path: &str, login: &str| -> String {
        let draft = drafts.get(login).copied().unwrap_or_default();
        let process = processes.get(login).copied().unwrap_or_default();
        write_url(
            &path
                .replace("/processer/{id}", &format!("/processer/{process}"))
                .replace("/api/v1/processes/{id}", &format!("/api/v1/processes/{process}"))
                .replace("/forslag/{id}", &format!("/forslag/{}", proposals[login]))
                .replace("/api/v1/proposals/{id}", &format!("/api/v1/proposals/{}", proposals[login]))
                .replace("/historier/{id}/rediger", &format!("/historier/{draft}/rediger"))
                .replace("/api/v1/stories/{id}", &format!("/api/v1/stories/{draft}"))
                .replace("/api/v1/series/{id}", &format!("/api/v1/series/{}", series[login]))
                .replace("/maaling/forloeb/{id}", &format!("/maaling/forloeb/{}", series[login])),
        )
    };
    for (login, role) in logins {
        let mut c = app.login(login).await;
        let mut api = app.api_client(login).await;
        for spec in &writes {
            let allowed = match spec.guard {
                Guard::Public => continue,
                Guard::SignedIn => true,
                Guard::Action(def) => def.roles.contains(&role),
            };
            let url = if allowed { own_write_url(spec.path, login) } else { write_url(spec.path) };
            let status = if spec.path.starts_with("/api/v1/") {
                api.send_json(spec.method, &url, &serde_json::json!({})).await.status
            } else {
                c.post(&url, "/konto/adgangskode", &[]).await.status
            };
            if allowed {
                assert!(
                    ![401, 403].contains(&status.as_u16()) && !status.is_server_error(),
                    "{login} {} {url} is let through its guard: {status}",
                    spec.method
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{login} {} {url} ({:?})", spec.method, spec.guard);
            }
        }
    }
});
