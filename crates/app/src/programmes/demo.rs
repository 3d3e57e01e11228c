//! The demo's running programme: Hedensted's year for leaders, begun ten weeks ago, with two
//! cohorts (each workshop held once per cohort), learning groups and buddy pairs formed by
//! the group engine, and everyone on their cohort's activities. The demo login "leder" takes
//! part, so "Mit forløb" has something to show.

use std::collections::HashMap;

use analysis::groups::{Person, Request, form};
use chrono::Duration;
use uuid::Uuid;

use super::model::{ActivityKind, GroupKind, Grouping, NewGroup, Via};
use super::notices::{Facts, Letters};
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
    Ok(programme)
}
