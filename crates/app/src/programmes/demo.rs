//! The demo's running programme: Hedensted's year for leaders, begun ten weeks ago, with two
//! cohorts (each workshop held once per cohort), learning groups and buddy pairs formed by
//! the group engine, everyone on their cohort's activities with attendance at those held,
//! projects with trial actions and the buddy's feedback, and the learning groups' notes. The
//! demo login "leder" takes part, so "Mit forløb" has something to show.

use std::collections::HashMap;

use analysis::groups::{Person, Request, form};
use chrono::Duration;
use uuid::Uuid;

use super::model::{ActivityKind, GroupKind, Grouping, NewGroup, Stage, Via};
use super::notices::{Facts, Letters};
use super::store::projects::{ProjectText, TrialText};
use super::{store, templates};
use crate::organisation::cache::OrgView;
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;

/// How many take part: two cohorts of 22.
const PARTICIPANTS: usize = 44;

fn demo_entry(action: &str) -> AuditEntry {
    AuditEntry::system(action, "demo")
}

/// Forms groups of `size` inside each part, mixing units and roles, numbered on.
fn grouped(org: &OrgView, parts: &[(Option<Uuid>, Vec<Uuid>)], kind: GroupKind) -> Vec<NewGroup> {
    let mut out = Vec::new();
    for (parent, people) in parts {
        let (min_size, max_size) = kind.part_bounds(kind.default_size(), people.len());
        let request = Request {
            people: people
                .iter()
                .map(|p| {
                    let at = org.person(*p);
                    Person {
                        id: p.to_string(),
                        attributes: vec![
                            at.map(|a| a.unit.to_string()).unwrap_or_default(),
                            if at.is_some_and(|a| a.is_leader) { "leader".into() } else { String::new() },
                        ],
                        locked: None,
                    }
                })
                .collect(),
            min_size,
            max_size,
            mix: vec!["unit".into(), "role".into()],
            ..Default::default()
        };
        for g in form(&request).groups {
            let members = g.members.iter().filter_map(|m| Uuid::parse_str(m).ok()).map(|m| (m, false)).collect();
            out.push(NewGroup { parent: *parent, members });
        }
    }
    out
}

/// Adopts one level and answers each new group's id with its members.
async fn adopt(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    kind: GroupKind,
    groups: Vec<NewGroup>,
) -> anyhow::Result<Vec<(Option<Uuid>, Vec<Uuid>)>> {
    let (min, max) = kind.default_size();
    let grouping =
        Grouping { kind, min_size: min as i32, max_size: max as i32, mix: vec!["unit".into(), "role".into()] };
    let ids =
        store::groups::adopt(db, municipality, programme, &grouping, &groups, demo_entry("programme.groups_adopted"))
            .await?;
    Ok(ids.into_iter().zip(groups).map(|(id, g)| (Some(id), g.members.into_iter().map(|(p, _)| p).collect())).collect())
}

pub async fn install(db: &Db, municipality: Uuid, take_part: &[Uuid]) -> anyhow::Result<Uuid> {
    let org = OrgView::read(db, municipality).await?;
    // Leaders first (it is a leadership programme), then others, the demo logins always.
    let mut people: Vec<Uuid> = take_part.to_vec();
    let mut everyone: Vec<(bool, Uuid)> =
        org.all_units().flat_map(|u| org.leaders(u.id).iter().map(|p| (false, p.id)).collect::<Vec<_>>()).collect();
    everyone
        .extend(org.all_units().flat_map(|u| org.staff(u.id).iter().map(|m| (true, m.person_id)).collect::<Vec<_>>()));
    for (_, p) in everyone {
        if people.len() >= PARTICIPANTS {
            break;
        }
        if !people.contains(&p) {
            people.push(p);
        }
    }

    // The template begun ten weeks ago; each workshop once for each cohort (Tuesday and Thursday).
    let mut new = templates::programme("hedensted", crate::platform::i18n::today() - Duration::weeks(10))
        .ok_or_else(|| anyhow::anyhow!("the Hedensted template"))?;
    new.title = "Ledelse tæt på kerneopgaven 2027".into();
    let mut activities = Vec::new();
    for (module, phase, a) in new.activities {
        if a.kind == ActivityKind::Workshop {
            for (cohort, days) in [(1, 0), (2, 2)] {
                let mut copy = a.clone();
                copy.title = format!("{} (hold {cohort})", a.title);
                copy.starts_at += Duration::days(days);
                copy.ends_at += Duration::days(days);
                activities.push((module, phase, copy));
            }
        } else {
            activities.push((module, phase, a));
        }
    }
    new.activities = activities;
    store::roles::ensure_defaults(db, municipality).await?;
    let programme = store::create(db, municipality, &new, demo_entry("programme.created")).await?;
    let added = store::enrol_people(
        db,
        municipality,
        programme,
        &people,
        Via::Nomination,
        None,
        demo_entry("programme.enrolled"),
    )
    .await?;

    let cohorts =
        adopt(db, municipality, programme, GroupKind::Cohort, grouped(&org, &[(None, added)], GroupKind::Cohort))
            .await?;
    let learning =
        adopt(db, municipality, programme, GroupKind::Learning, grouped(&org, &cohorts, GroupKind::Learning)).await?;
    adopt(db, municipality, programme, GroupKind::Buddy, grouped(&org, &learning, GroupKind::Buddy)).await?;

    // Everyone on the activities of their own cohort, and on those for all.
    let cohort_of: HashMap<Uuid, usize> =
        cohorts.iter().enumerate().flat_map(|(i, (_, members))| members.iter().map(move |p| (*p, i + 1))).collect();
    for activity in store::activities(db, programme).await? {
        let only = (1..=2).find(|n| activity.title.ends_with(&format!("(hold {n})")));
        let letters = Letters::none(Facts::of(&activity, &new.title));
        for (person, cohort) in &cohort_of {
            if only.is_none_or(|n| n == *cohort) {
                store::enrol(db, municipality, activity.id, *person, &letters, demo_entry("activity.enrolled")).await?;
            }
        }
    }
    // Attendance at what has happened: most came, a few did not (the same ones every run).
    let now = chrono::Utc::now();
    for activity in store::activities(db, programme).await? {
        if activity.starts_at > now {
            continue;
        }
        let enrolled = store::enrolled_people(db, activity.id).await?;
        let present: Vec<Uuid> =
            enrolled.iter().copied().filter(|p| (p.as_u128() ^ activity.id.as_u128()) % 9 != 0).collect();
        let entry = demo_entry("activity.attendance");
        store::attendance::record_list(db, municipality, activity.id, &enrolled, &present, entry).await?;
    }

    // Projects with trial actions, the buddy's feedback, and the learning groups' notes.
    let buddies = store::groups::groups(db, programme).await?;
    let buddy_of = |person: Uuid| -> Option<Uuid> {
        let pair =
            buddies.iter().find(|g| g.kind == GroupKind::Buddy && g.members.iter().any(|(p, _)| *p == person))?;
        pair.members.iter().map(|(p, _)| *p).find(|p| *p != person)
    };
    for (g, (group, members)) in learning.iter().enumerate() {
        if let Some(group) = group {
            let author = members.first().and_then(|p| org.person(*p)).map(|p| p.name.clone()).unwrap_or_default();
            let (_, note) = NOTES[g % NOTES.len()];
            let entry = demo_entry("programme.group_note");
            store::projects::add_note(
                db,
                municipality,
                programme,
                *group,
                (members.first().copied(), &author),
                note,
                entry,
            )
            .await?;
        }
        // Three in each group have a project, and the demo logins always.
        let mut owners: Vec<Uuid> = members.iter().take(3).copied().collect();
        owners.extend(
            members.iter().filter(|p| take_part.contains(p) && !owners.contains(p)).copied().collect::<Vec<_>>(),
        );
        for (i, person) in owners.iter().enumerate() {
            let (title, challenge, citizen_change, goal, trials) = PROJECTS[(g * 3 + i) % PROJECTS.len()];
            let text = ProjectText {
                title: title.into(),
                challenge: challenge.into(),
                core_task: "Borgerens hverdag".into(),
                citizen_change: citizen_change.into(),
                goal: goal.into(),
            };
            let project = store::projects::create(
                db,
                municipality,
                programme,
                Some(*person),
                None,
                &text,
                demo_entry("project.created"),
            )
            .await?;
            for (n, (trial, plan, reflect)) in trials.iter().enumerate().take(1 + (g + i) % 2) {
                let reflected = !(n == 1 && i == 2);
                let text = TrialText {
                    title: (*trial).into(),
                    plan: (*plan).into(),
                    act: if reflected { "Gennemført som planlagt.".into() } else { String::new() },
                    observe: if reflected { "Borgerne og kollegerne tog godt imod det.".into() } else { String::new() },
                    reflect: if reflected { (*reflect).into() } else { String::new() },
                    involved: "Kolleger i teamet".into(),
                    stage: if reflected { Stage::Reflect } else { Stage::Plan },
                    planned_on: None,
                    done_on: None,
                };
                let trial =
                    store::projects::add_trial(db, municipality, project, &text, demo_entry("project.trial_added"))
                        .await?;
                if let (true, Some(buddy)) = (reflected, buddy_of(*person)) {
                    let name = org.person(buddy).map(|p| p.name.clone()).unwrap_or_default();
                    let entry = demo_entry("project.feedback");
                    let (worked, next) = ("Tydeligt, hvad du ville prøve.", "Spørg borgerne selv, hvad de mærkede.");
                    store::projects::add_feedback(
                        db,
                        municipality,
                        project,
                        trial,
                        (Some(buddy), &name),
                        worked,
                        next,
                        entry,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(programme)
}

/// Titles, challenges, changes for the citizen, goals and trial actions of the demo's projects.
type DemoProject =
    (&'static str, &'static str, &'static str, &'static str, [(&'static str, &'static str, &'static str); 2]);
const PROJECTS: [DemoProject; 4] = [
    (
        "Faste ruter i hjemmeplejen",
        "Borgerne møder mange forskellige medarbejdere.",
        "Færre nye ansigter i borgerens hjem.",
        "Højst tre faste medarbejdere pr. borger.",
        [
            (
                "To faste ruter i fire uger",
                "Rute 3 og 7 køres af de samme to medarbejdere.",
                "Faste ruter giver ro; udvid til flere ruter.",
            ),
            ("Borgerne spørges", "Fem borgere fortæller, hvad de mærker.", "Borgerne nævner tryghed først."),
        ],
    ),
    (
        "Møder med en fast dagsorden",
        "Personalemøderne løber over tid og ender uden beslutninger.",
        "Mere tid hos borgerne.",
        "Møder på højst en time med beslutninger skrevet ned.",
        [
            (
                "Dagsorden dagen før",
                "Dagsorden og bilag sendes ud dagen før.",
                "Møderne blev kortere, men beslutningerne manglede.",
            ),
            (
                "Beslutningsreferat",
                "Referatet er kun beslutninger og hvem der gør hvad.",
                "Alle ved nu, hvad der er besluttet.",
            ),
        ],
    ),
    (
        "Introduktion med en makker",
        "Nye kolleger føler sig alene de første uger.",
        "Borgerne møder medarbejdere, der ved, hvad de gør.",
        "Alle nye kolleger har en makker de første seks uger.",
        [
            (
                "Makker fra første dag",
                "Den næste nye kollega får en makker.",
                "Makkeren skal have tid sat af i planen.",
            ),
            (
                "Opfølgning efter to uger",
                "En samtale med makker og leder efter to uger.",
                "Samtalen fangede tvivl tidligt.",
            ),
        ],
    ),
    (
        "Borgerens egne mål",
        "Planerne skrives af os, ikke sammen med borgeren.",
        "Borgeren kan genkende sine egne mål i planen.",
        "Alle nye planer har et mål med borgerens egne ord.",
        [
            (
                "Et spørgsmål mere",
                "Vi spørger: hvad er vigtigt for dig i dag?",
                "Svarene overraskede os; de skal med i planen.",
            ),
            (
                "Borgerens ord i planen",
                "Målet skrives med borgerens egne ord.",
                "Planerne blev kortere og mere konkrete.",
            ),
        ],
    ),
];

/// The demo's learning-group notes.
const NOTES: [(&str, &str); 3] = [
    ("Aftaler", "Vi mødes igen før workshop 4 og tager hver en afprøvning med."),
    ("Læring", "Det virker, når vi spørger borgerne selv. Husk at skrive ned, hvad de siger."),
    ("Næste gang", "Hver af os fortæller om én ting, der ikke gik som planlagt."),
];
