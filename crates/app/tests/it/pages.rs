//! The pages as users meet them: who may open what (the role × route matrix), error pages,
//! the audit log, exports, assets and headers — on both backends.

use axum::http::StatusCode;
use uuid::Uuid;

use app::organisation::store;
use app::platform::accounts;
use app::platform::db::Db;

use crate::db_test;
use crate::support::{TestApp, demo_app};

/// Units the matrix needs: the top, the demo leader's school, a sibling school, a team in
/// the leader's school.
async fn landmarks(app: &TestApp, db: &Db) -> (Uuid, Uuid, Uuid, Uuid) {
    let m = app.state.municipality;
    let top = store::units_at_depth(db, m, 1).await.expect("top")[0].id;
    let (account, _) = accounts::account_for_login(db, "leder").await.expect("q").expect("leder exists");
    let led = store::led_subtrees(db, m, account.person_id.expect("linked person")).await.expect("led");
    let school = store::unit_at(db, m, led[0].0).await.expect("q").expect("school");
    let siblings = store::children(db, m, school.parent_id.expect("area")).await.expect("siblings");
    let sibling = siblings.iter().find(|u| u.id != school.id).expect("another school").id;
    let team = store::children(db, m, school.id).await.expect("teams")[0].id;
    (top, school.id, sibling, team)
}

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

db_test!(role_by_route_matrix, |db| {
    let app = demo_app(&db, 1000).await;
    let (top, school, sibling, team) = landmarks(&app, &db).await;
    let unit = |id: Uuid| format!("/organisation/enhed/{id}");
    let routes: Vec<String> = vec![
        "/".into(),
        "/organisation".into(),
        "/organisation/personer?q=an".into(),
        "/organisation/ledelsesspaend".into(),
        "/organisation/ledelsesspaend.csv".into(),
        "/organisation/ledelsesspaend.xlsx".into(),
        "/admin/log".into(),
        "/konto/adgangskode".into(),
        unit(top),
        unit(school),
        unit(sibling),
        unit(team),
    ];
    const OK: u16 = 200;
    const NO: u16 = 403;
    let expected: [(&str, [u16; 12]); 5] = [
        ("admin", [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        ("direktion", [OK, OK, OK, OK, OK, OK, NO, OK, OK, OK, OK, OK]),
        ("leder", [OK, OK, OK, OK, OK, OK, NO, OK, NO, OK, NO, OK]),
        ("facilitator", [OK, OK, OK, NO, NO, NO, NO, OK, OK, OK, OK, OK]),
        ("medarbejder", [OK, OK, OK, NO, NO, NO, NO, OK, OK, OK, OK, OK]),
    ];
    for (user, row) in expected {
        let mut c = app.login(user).await;
        for (route, want) in routes.iter().zip(row) {
            let r = c.get(route).await;
            assert_eq!(r.status.as_u16(), want, "{user} GET {route}");
        }
        assert_eq!(c.get("/menu").await.status, StatusCode::OK, "{user} GET /menu");
    }
    let mut anonymous = app.client();
    for route in &routes[1..] {
        let r = anonymous.get(route).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "anonymous GET {route}");
        assert!(r.location().starts_with("/log-ind?next="));
    }
    assert_eq!(anonymous.get("/").await.status, StatusCode::OK);
    assert_eq!(anonymous.get("/menu").await.status, StatusCode::OK);

    // Data minimisation: every employee sees the phone book; pay types only those who
    // manage the unit, HR and the executive board. Per unit page: top, school, sibling, team
    // (None: the page itself is refused).
    let pay_column = "<th scope=\"col\">Løn</th>";
    let shows_pay: [(&str, [Option<bool>; 4]); 5] = [
        ("admin", [Some(true), Some(true), Some(true), Some(true)]),
        ("direktion", [Some(true), Some(true), Some(true), Some(true)]),
        ("leder", [None, Some(true), None, Some(true)]),
        ("facilitator", [Some(false), Some(false), Some(false), Some(false)]),
        ("medarbejder", [Some(false), Some(false), Some(false), Some(false)]),
    ];
    let (mut shown, mut hidden) = (0, 0);
    for (user, row) in shows_pay {
        let mut c = app.login(user).await;
        for (id, want) in [top, school, sibling, team].into_iter().zip(row) {
            let r = c.get(&unit(id)).await;
            let Some(want) = want else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {id}");
                continue;
            };
            assert_eq!(r.status, StatusCode::OK, "{user} {id}");
            let staffed = r.body.contains("org-staff-table");
            assert_eq!(staffed && r.body.contains(pay_column), want && staffed, "{user}: pay column on {id}");
            assert_eq!(
                r.body.contains("Timelønnet") || r.body.contains("Månedslønnet"),
                want && staffed,
                "{user}: pay types on {id}"
            );
            match (staffed, want) {
                (true, true) => shown += 1,
                (true, false) => hidden += 1,
                _ => {}
            }
        }
    }
    assert!(shown >= 5 && hidden >= 4, "staffed pages checked: {shown} with pay, {hidden} without");
});

db_test!(a_leader_sees_only_their_part_of_the_report, |db| {
    let app = demo_app(&db, 1000).await;
    let mut leader = app.login("leder").await;
    let mut admin = app.login("admin").await;
    let mine = leader.get("/organisation/ledelsesspaend.csv").await.body;
    let all = admin.get("/organisation/ledelsesspaend.csv").await.body;
    let lines = |s: &str| s.lines().count();
    assert!(lines(&mine) >= 2 && lines(&mine) < lines(&all), "{} vs {}", lines(&mine), lines(&all));
    assert!(!mine.contains("Samby Kommune"), "the top leader is above the leader's scope");
    assert!(all.contains("Samby Kommune"));
    let page = leader.get("/organisation").await;
    assert!(page.body.contains("Skole"), "a leader's overview starts at their school");
});

db_test!(error_pages_speak_the_users_language_and_denials_are_logged, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.login("medarbejder").await;
    let r = c.get("/findes/ikke").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Siden findes ikke"));
    assert!(r.body.contains("<html lang=\"da\">"));
    let r = c.get("/organisation/enhed/ikke-et-id").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.get("/admin/log").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Du har ikke adgang til siden"));
    let r = c.post("/sprog", "/", &[("lang", "en"), ("next", "/admin/log")]).await;
    assert_eq!(r.location(), "/admin/log");
    let r = c.get("/admin/log").await;
    assert!(r.body.contains("You do not have access to this page"));
    assert!(r.body.contains("<html lang=\"en\">"));
    let r = c.post("/sprog", "/", &[("lang", "klingon")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let mut admin = app.login("admin").await;
    let log = admin.get("/admin/log?action=access.denied").await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(
        log.body.matches("Side:</span> <a href=\"/admin/log\">/admin/log</a></td>").count(),
        2,
        "both denied attempts are in the audit log, the page linked"
    );
    assert!(log.body.contains("<td>Adgang nægtet</td>"), "the action in words");
    let log = admin.get("/admin/log?q=medarbejder&action=login.succeeded").await;
    assert!(log.body.contains("<td>Logget ind</td>"));
    assert!(!log.body.contains(">login.succeeded<"), "no machine names on the page");
    let bad = admin.get("/admin/log?from=igår").await;
    assert!(bad.body.contains("Skriv datoen som åååå-mm-dd."));
});

db_test!(span_report_filters_chart_and_exports, |db| {
    let app = demo_app(&db, 1000).await;
    let mut c = app.login("direktion").await;
    let page = c.get("/organisation/ledelsesspaend").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg class=\"chart\""));
    assert!(page.body.contains("role=\"img\""));
    let all_rows = page.body.matches("/organisation/person/").count();
    let over = c.get("/organisation/ledelsesspaend?graense=30&kun_over=1").await;
    let over_rows = over.body.matches("/organisation/person/").count();
    assert!(over_rows >= 1 && over_rows < all_rows, "{over_rows} of {all_rows}");
    let bad = c.get("/organisation/ledelsesspaend?graense=mange&niveau=x").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Grænsen skal være et helt tal"));
    assert!(bad.body.contains("Niveauet skal være et tal"));
    let bad = c.get("/organisation/ledelsesspaend.csv?afdeling=nope").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let csv = c.get("/organisation/ledelsesspaend.csv?niveau=2").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.bytes.starts_with("\u{feff}Leder;E-mail;Enhed;Niveau;Direkte".as_bytes()));
    assert!(csv.body.lines().skip(1).all(|l| l.split(';').nth(3) == Some("2")));
    let xlsx = c.get("/organisation/ledelsesspaend.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX is a zip file");
    let log = app.login("admin").await.get("/admin/log?action=organisation.span_export").await;
    assert_eq!(log.body.matches("<td>Ledelsesspænd eksporteret</td>").count(), 2, "each download is logged");
    assert!(log.body.contains("<dt>Format</dt><dd>CSV</dd>") && log.body.contains("<dt>Format</dt><dd>XLSX</dd>"));
    assert!(log.body.contains("<dt>Rækker</dt>"), "details as a labelled list");
});

db_test!(unit_and_person_pages_show_the_organisation, |db| {
    let app = demo_app(&db, 1000).await;
    let (top, school, _, team) = landmarks(&app, &db).await;
    let mut c = app.login("admin").await;
    let page = c.get(&format!("/organisation/enhed/{school}")).await;
    assert!(page.body.contains("breadcrumbs"));
    assert!(page.body.contains(&format!("/organisation/enhed/{top}")), "the trail leads to the top");
    assert!(page.body.contains(&format!("/organisation/enhed/{team}")), "sub-units are listed");
    assert!(page.body.contains("Skoleleder"));
    let people = c.get("/organisation/personer?q=a").await;
    assert!(people.body.contains("Skriv mindst to tegn."));
    let people = c.get("/organisation/personer?q=han").await;
    let link = people.body.split("/organisation/person/").nth(1).and_then(|s| s.split('"').next()).expect("a hit");
    let person = c.get(&format!("/organisation/person/{link}")).await;
    assert_eq!(person.status, StatusCode::OK);
    assert!(person.body.contains("@samby.dk"));
    assert_eq!(c.get(&format!("/organisation/person/{}", Uuid::nil())).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get(&format!("/organisation/enhed/{school}?side=0")).await.status, StatusCode::BAD_REQUEST);
});

db_test!(people_are_found_by_the_beginnings_of_their_names_and_by_job_title, |db| {
    let app = demo_app(&db, 1000).await;
    let mut c = app.login("admin").await;
    // A person's name as the demo made it, typed in part and in other letter case.
    let everyone = c.get("/organisation/personer?q=pædagog").await;
    let name = everyone
        .body
        .split("<tr><td><a href=\"/organisation/person/")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .expect("a pædagog")
        .to_string();
    let (first, last) = name.split_once(' ').expect("first and last name");
    let last = last.rsplit(' ').next().unwrap_or(last);
    let typed: String = first.chars().take(3).collect::<String>().to_uppercase() + "+" + &last.to_lowercase();
    let found = c.get(&format!("/organisation/personer?q={typed}")).await;
    assert!(found.body.contains(&name), "{typed:?} finds {name}");
    // The job title, in another form of the word: "pædagoger" finds a "Pædagog".
    let plural = c.get("/organisation/personer?q=pædagoger").await;
    assert!(plural.body.contains(&name), "pædagoger finds {name}");
    // Every word must match: a name with a title the person does not have finds nobody.
    let none = c.get(&format!("/organisation/personer?q={first}+pedel+skolesekretær")).await;
    assert!(none.body.contains("<p role=\"status\">0 "), "{}", none.body);
});

db_test!(assets_headers_and_accessibility_statement, |db| {
    let app = TestApp::new(&db).await;
    let mut c = app.client();
    let css = c.get("/static/vendor/dkfds-11.2.0/css/dkfds.min.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["cache-control"], "public, max-age=31536000, immutable");
    assert!(css.headers["content-type"].to_str().unwrap_or("").starts_with("text/css"));
    let etag = css.headers["etag"].to_str().expect("etag").to_string();
    assert!(!etag.is_empty());
    let font = c.get("/static/vendor/dkfds-11.2.0/fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2").await;
    assert_eq!(font.status, StatusCode::OK, "fonts the stylesheet needs are there");
    assert_eq!(c.get("/static/nope.js").await.status, StatusCode::NOT_FOUND);
    let home = c.get("/").await;
    for h in ["content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"] {
        assert!(home.headers.contains_key(h), "{h}");
    }
    assert!(home.body.contains("href=\"/tilgaengelighed\""), "footer links the accessibility statement");
    let was = c.get("/tilgaengelighed").await;
    assert!(was.body.contains("Tilgængelighedserklæring"));
    assert_eq!(c.get("/was").await.location(), "/tilgaengelighed");
});

db_test!(the_report_table_is_paged_but_chart_and_exports_cover_everyone, |db| {
    let app = demo_app(&db, 4000).await;
    let mut c = app.login("direktion").await;
    let first = c.get("/organisation/ledelsesspaend").await;
    let rows = |body: &str| body.matches("<td><a href=\"/organisation/person/").count();
    assert_eq!(rows(&first.body), 100);
    assert!(first.body.contains("Viser 1–100."), "the status line says which rows are shown");
    assert!(first.body.contains("side=2"), "a link to the next page");
    let csv = c.get("/organisation/ledelsesspaend.csv").await;
    let leaders = csv.body.lines().count() - 1;
    assert!(leaders > 100, "{leaders} leaders");
    assert!(
        first.body.contains(&format!("{leaders} ledere."))
            || first.body.contains(&format!(
                "{} ledere.",
                app::platform::i18n::format_number(app::platform::i18n::Lang::Da, leaders as i64)
            ))
    );
    let last_page = leaders.div_ceil(100);
    let last = c.get(&format!("/organisation/ledelsesspaend?side={last_page}")).await;
    assert_eq!(rows(&last.body), leaders - (last_page - 1) * 100);
    // The chart counts every leader, not just the shown page.
    let counted: usize = first
        .body
        .split("<desc id=\"chart-desc\">")
        .nth(1)
        .and_then(|d| d.split("</desc>").next())
        .map(|d| d.split(": ").skip(1).filter_map(|p| p.split('.').next()?.trim().parse::<usize>().ok()).sum())
        .unwrap_or(0);
    assert_eq!(counted, leaders);
});

db_test!(another_instances_change_shows_within_the_recheck_time, |db| {
    // A change written by another process (here: straight into the tables, with the version
    // bump an import makes) is invisible to this process's in-process signal, so only the
    // version check can bring it in.
    let app = demo_app(&db, 300).await;
    let m = app.state.municipality;
    let top = store::units_at_depth(&db, m, 1).await.expect("top")[0].id;
    let mut c = app.login("admin").await;
    let before = c.get(&format!("/organisation/enhed/{top}")).await;
    assert!(!before.body.contains("Omdøbt Kommune"));
    app::on_db!(&db, |p| {
        sqlx::query("UPDATE org_unit SET name = 'Omdøbt Kommune' WHERE id = $1")
            .bind(top)
            .execute(p)
            .await
            .expect("rename");
        sqlx::query("UPDATE org_state SET version = version + 1 WHERE municipality_id = $1")
            .bind(m)
            .execute(p)
            .await
            .expect("bump");
    });
    tokio::time::sleep(app::organisation::cache::RECHECK + std::time::Duration::from_millis(100)).await;
    let after = c.get(&format!("/organisation/enhed/{top}")).await;
    assert!(after.body.contains("Omdøbt Kommune"), "the renamed unit shows after the recheck time");
});

db_test!(the_shell_is_dkfds_with_a_menu_that_works_without_javascript, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.login("medarbejder").await;
    let home = c.get("/").await;
    assert!(home.body.contains("<title>Forside – Samskab</title>"), "a page title, not 'Samskab – Samskab'");
    assert!(home.body.contains("rel=\"icon\""), "a favicon");
    assert!(home.body.contains("<ul class=\"mainmenu\">"), "DKFDS main menu");
    assert!(home.body.contains("class=\"active current\""), "the current section is marked");
    // The menu button opens DKFDS's drawer; without JavaScript it is a link to the menu page.
    assert!(home.body.contains("href=\"/menu?next=/\" class=\"function-link button-menu-open js-menu-open"));
    let drawer = home.body.split("class=\"mobile-drawer\"").nth(1).expect("a mobile drawer");
    assert!(drawer.contains("navigation-menu-mobile") && drawer.contains("action=\"/log-ud\""), "menu and log out");
    let menu = c.get("/menu?next=/organisation").await;
    assert_eq!(menu.status, StatusCode::OK);
    let main = menu.body.split("<main").nth(1).expect("main");
    for what in
        ["href=\"/organisation\"", "action=\"/log-ud\"", "Log ud", "href=\"/organisation\" class=\"function-link\""]
    {
        assert!(main.contains(what), "the menu page has {what}");
    }
    assert!(c.get("/menu?next=//evil.example").await.body.contains("href=\"/\" class=\"function-link\""));
    let icon = c.get("/favicon.ico").await;
    assert_eq!(icon.location(), "/static/app/favicon.svg");
    assert_eq!(c.get("/static/app/favicon.svg").await.status, StatusCode::OK);
});

/// Every person in `query`'s results, page by page, as `c` sees them; and the total shown.
async fn all_search_results(c: &mut crate::support::Client, query: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut total = None;
    for side in 1.. {
        let page = c.get(&format!("/organisation/personer?q={query}&side={side}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let status = page.body.split("<p role=\"status\">").nth(1).and_then(|s| s.split(' ').next()).expect("count");
        total.get_or_insert(status.replace('.', "").parse::<usize>().expect("a count"));
        let before = ids.len();
        ids.extend(
            page.body
                .split("<tr><td><a href=\"/organisation/person/")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .map(String::from),
        );
        if ids.len() == before || !page.body.contains(&format!("side={}", side + 1)) {
            break;
        }
    }
    (ids, total.unwrap_or(0))
}

db_test!(people_search_pages_through_every_match_in_scope, |db| {
    let app = demo_app(&db, 2000).await;
    let mut admin = app.login("admin").await;
    let (all, total) = all_search_results(&mut admin, "pædagog").await;
    assert!(total > 100, "the demo has more than one page of 'pædagog': {total}");
    assert_eq!(all.len(), total, "the pages together hold every match");
    let unique: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), total, "no one twice across pages");
    let first = admin.get("/organisation/personer?q=pædagog").await;
    assert!(first.body.contains("Side 1 af") && first.body.contains("side=2"));
    assert_eq!(admin.get("/organisation/personer?q=en&side=0").await.status, StatusCode::BAD_REQUEST);
    let long = admin.get(&format!("/organisation/personer?q={}", "a".repeat(60_000))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "an overlong search is refused with a message");
    assert!(long.body.contains("højst være på 200 tegn"));

    // A leader finds exactly the matches in their own part, however far down the name
    // order they come.
    let mut leader = app.login("leder").await;
    let (mine, my_total) = all_search_results(&mut leader, "pædagog").await;
    assert_eq!(mine.len(), my_total);
    let mut visible = 0;
    for id in &all {
        if leader.get(&format!("/organisation/person/{id}")).await.status == StatusCode::OK {
            visible += 1;
        }
    }
    assert!(my_total > 0 && my_total < total, "{my_total} of {total}");
    assert_eq!(my_total, visible, "every match the leader may open, and no other");
});

db_test!(a_leaders_front_page_shows_their_own_part, |db| {
    let app = demo_app(&db, 1000).await;
    let figures = |body: &str| -> Vec<i64> {
        body.split("<span class=\"figure-value\">")
            .skip(1)
            .filter_map(|s| s.split('<').next()?.replace('.', "").parse().ok())
            .collect()
    };
    let all = app.login("direktion").await.get("/").await.body;
    let mine = app.login("leder").await.get("/").await.body;
    assert!(all.contains("Organisationen i tal") && mine.contains("Dit område i tal"));
    let (all, mine) = (figures(&all), figures(&mine));
    assert_eq!((all.len(), mine.len()), (3, 3));
    assert!(mine.iter().zip(&all).all(|(m, a)| m > &0 && m < a), "{mine:?} within {all:?}");
    // The leader's people are those on the pages they may open: one leader row at least.
    assert!(mine[2] >= 1);
});
