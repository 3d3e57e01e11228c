//! Development programmes: a programme with its cascade of phases (who takes part in each),
//! modules and activities (workshops, seminars, coaching talks, leader-group meetings, …);
//! people enrolled in the programme and on its activities, with a waiting list that moves up
//! by itself; calendar feeds (RFC 5545) per programme and per person, whose stable UIDs and
//! SEQUENCE let a moved activity update in Outlook. Templates for the Hedensted, Rødovre and
//! Køge programmes (seeds 000–003).
//!
//! Files: `model.rs`, `store.rs` (all SQL), `templates.rs` (the three programmes),
//! `calendar.rs` (iCalendar and clashes), `api.rs` (`/api/v1/programmes`,
//! `/api/v1/activities`), `routes.rs` and `views.rs` (the pages).

pub mod api;
pub mod cache;
pub mod calendar;
pub mod demo;
pub mod materials;
pub mod model;
pub mod notices;
pub mod roles;
pub mod routes;
pub mod store;
pub mod templates;
pub mod views;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Copenhagen;
use uuid::Uuid;

use crate::AppState;
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;
use crate::platform::i18n::Tr;
use crate::platform::jobs::{JobContext, JobKind};
use crate::platform::layout::FormErrors;
use crate::platform::module::{AuditLink, BoxFuture, Cohort, Cohorts, Module, NavEntry};
use crate::platform::permissions::{ActionDef, EVERYONE, ObjectKind, ObjectRef, Role};
use model::{ActivityKind, CAPACITY_MAX, Mode, NewActivity, Programme, TEXT_MAX_CHARS, TITLE_MAX_CHARS, URL_MAX_CHARS};

pub mod actions {
    use super::*;

    /// See the programmes and sign up oneself.
    pub static READ: ActionDef = ActionDef { key: "programmes.read", roles: EVERYONE };
    /// Set up programmes and activities, enrol and move people.
    pub static MANAGE: ActionDef =
        ActionDef { key: "programmes.manage", roles: &[Role::Administrator, Role::Facilitator] };
    /// Read and write a learning group's notes: its members (a grant on the group) and those
    /// who run programmes.
    pub static GROUP_MEMBER: ActionDef =
        ActionDef { key: "programmes.group", roles: &[Role::Administrator, Role::Facilitator, Role::Employee] };
    /// Nominate people of one's own part of the organisation.
    pub static NOMINATE: ActionDef =
        ActionDef { key: "programmes.nominate", roles: &[Role::Administrator, Role::Leader, Role::Facilitator] };
}

/// A learning group as the object of its members' grants (they read and write its notes).
pub const GROUP_OBJECT: ObjectKind = ObjectKind("learning_group");

pub fn group_object(id: Uuid) -> ObjectRef {
    ObjectRef { kind: GROUP_OBJECT, id }
}

crate::policy!(pub ReadProgrammes = actions::READ);
crate::policy!(pub ManageProgrammes = actions::MANAGE);
crate::policy!(pub NominateProgrammes = actions::NOMINATE);

pub static MODULE: Module = Module {
    name: "programmes",
    routes: || routes::routes().merge(api::routes()),
    nav: &[
        NavEntry { href: "/programmer", label: "nav-programmes", section: "programmes", action: &actions::READ },
        NavEntry { href: "/mit-forloeb", label: "nav-my-programme", section: "my-programme", action: &actions::READ },
    ],
    locales: (include_str!("../../locales/da/programmes.ftl"), include_str!("../../locales/en/programmes.ftl")),
    actions: &[&actions::READ, &actions::MANAGE, &actions::NOMINATE, &actions::GROUP_MEMBER],
    start,
    home: None,
    code_door: None,
    audit_links: &[
        AuditLink { kind: store::AUDIT_KIND, prefix: "/programmer/" },
        AuditLink { kind: store::AUDIT_KIND_ACTIVITY, prefix: "/aktiviteter/" },
    ],
    jobs: &[&REMINDERS],
    openapi: Some(<api::Api as utoipa::OpenApi>::openapi),
};

pub use crate::platform::i18n::today;

/// The reminder of one activity, two days before it (scheduled when it is made or moved).
pub static REMINDERS: JobKind = JobKind { kind: "programmes.reminder", run: run_reminder };

fn run_reminder(ctx: JobContext) -> BoxFuture<'static, Result<serde_json::Value, String>> {
    Box::pin(async move {
        let payload = &ctx.job.payload;
        let activity = payload["activity"].as_str().and_then(|s| Uuid::parse_str(s).ok());
        let starts_at = payload["starts_at"].as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
        let (Some(activity), Some(starts_at)) = (activity, starts_at) else {
            return Err("the job names no activity and start".to_string());
        };
        let site = payload["site"].as_str().unwrap_or_default();
        let sent = send_reminders(&ctx.state, ctx.job.municipality_id, activity, starts_at.with_timezone(&Utc), site)
            .await
            .map_err(|e| e.to_string())?;
        Ok(serde_json::json!({ "reminders": sent }))
    })
}

/// Queues the reminders of an activity that still starts at `starts_at` and is not
/// cancelled (a moved activity has a reminder of its own); the number of letters.
pub async fn send_reminders(
    state: &AppState,
    municipality: Uuid,
    activity: Uuid,
    starts_at: DateTime<Utc>,
    site: &str,
) -> sqlx::Result<usize> {
    let Some(a) = store::activity_of(&state.db, municipality, activity).await? else { return Ok(0) };
    if a.cancelled || a.starts_at != starts_at {
        return Ok(0);
    }
    let Some(programme) = store::get(&state.db, municipality, a.programme_id).await? else { return Ok(0) };
    if programme.archived {
        return Ok(0);
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let letters = notices::Letters::new(notices::Facts::of(&a, &programme.title), org, site.to_string());
    let entry = AuditEntry::system("activity.reminded", "reminder");
    let sent = store::remind(&state.db, municipality, a.id, &letters, entry).await?;
    crate::platform::mail::wake(state);
    Ok(sent)
}

/// A time as typed: RFC 3339 with its offset, or a local time in Europe/Copenhagen
/// ("2027-03-04T09:00", as a datetime-local field sends it).
pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .ok()?;
    // In the autumn hour that comes twice the first is meant; a spring hour that does not
    // exist is refused.
    Copenhagen.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc))
}

/// A time as a datetime-local field shows it, in Europe/Copenhagen.
pub fn local_input(t: &DateTime<Utc>) -> String {
    t.with_timezone(&Copenhagen).format("%Y-%m-%dT%H:%M").to_string()
}

/// When an activity is, for a reader: "4. mar. 2027 09:00–12:00", or both ends in full
/// when it runs over several days.
pub fn when(tr: &Tr, starts_at: &DateTime<Utc>, ends_at: &DateTime<Utc>) -> String {
    let end = local_input(ends_at);
    if local_input(starts_at)[..10] == end[..10] {
        format!("{}–{}", tr.datetime(starts_at), &end[11..])
    } else {
        format!("{} – {}", tr.datetime(starts_at), tr.datetime(ends_at))
    }
}

/// An activity as typed (a form or JSON), before it is checked.
#[derive(Clone, Debug, Default)]
pub struct ActivityInput {
    pub title: String,
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub mode: String,
    pub place: String,
    pub meeting_url: String,
    pub capacity: Option<i64>,
    pub facilitator: String,
    pub agenda: String,
    pub module: Option<Uuid>,
    pub phase: Option<Uuid>,
}

/// Checks an activity of `programme`; the errors name the field, in the reader's language.
/// A new activity may not start in the past (`now`); a changed one keeps its past time.
pub fn check_activity(
    tr: &Tr,
    programme: &Programme,
    input: &ActivityInput,
    now: DateTime<Utc>,
    existing: Option<&model::Activity>,
) -> Result<NewActivity, FormErrors> {
    let mut errors = FormErrors::default();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        errors.push("title", tr.t1("activity-error-title", "max", TITLE_MAX_CHARS));
    }
    let kind = ActivityKind::parse(&input.kind);
    if kind.is_none() {
        errors.push("kind", tr.t("activity-error-kind"));
    }
    let mode = if input.mode.trim().is_empty() { Some(Mode::Physical) } else { Mode::parse(&input.mode) };
    if mode.is_none() {
        errors.push("mode", tr.t("activity-error-mode"));
    }
    let starts_at = parse_time(&input.starts_at);
    let ends_at = parse_time(&input.ends_at);
    match (starts_at, ends_at) {
        (None, _) => errors.push("starts_at", tr.t("activity-error-time")),
        (_, None) => errors.push("ends_at", tr.t("activity-error-time")),
        (Some(s), Some(e)) => {
            if e <= s {
                errors.push("ends_at", tr.t("activity-error-order"));
            } else if e - s > chrono::Duration::days(14) {
                errors.push("ends_at", tr.t("activity-error-long"));
            }
            let moved = existing.is_none_or(|a| a.starts_at != s);
            if moved && s < now {
                errors.push("starts_at", tr.t("activity-error-past"));
            }
        }
    }
    let meeting_url = input.meeting_url.trim();
    if !meeting_url.is_empty()
        && (!(meeting_url.starts_with("https://") || meeting_url.starts_with("http://"))
            || meeting_url.chars().count() > URL_MAX_CHARS
            || meeting_url.contains(char::is_whitespace))
    {
        errors.push("meeting_url", tr.t("activity-error-url"));
    }
    if matches!(mode, Some(Mode::Virtual | Mode::Hybrid)) && meeting_url.is_empty() {
        errors.push("meeting_url", tr.t("activity-error-url-needed"));
    }
    if matches!(mode, Some(Mode::Physical | Mode::Hybrid)) && input.place.trim().is_empty() {
        errors.push("place", tr.t("activity-error-place"));
    }
    for (field, text) in [("place", &input.place), ("facilitator", &input.facilitator)] {
        if text.trim().chars().count() > TITLE_MAX_CHARS {
            errors.push(field, tr.t1("activity-error-title", "max", TITLE_MAX_CHARS));
        }
    }
    if input.agenda.trim().chars().count() > TEXT_MAX_CHARS {
        errors.push("agenda", tr.t1("activity-error-agenda", "max", TEXT_MAX_CHARS));
    }
    let capacity = match input.capacity {
        None => None,
        Some(c) if (1..=i64::from(CAPACITY_MAX)).contains(&c) => Some(c as i32),
        Some(_) => {
            errors.push("capacity", tr.t1("activity-error-capacity", "max", CAPACITY_MAX));
            None
        }
    };
    if input.module.is_some_and(|m| !programme.modules.iter().any(|x| x.id == m)) {
        errors.push("module", tr.t("activity-error-module"));
    }
    if input.phase.is_some_and(|p| !programme.phases.iter().any(|x| x.id == p)) {
        errors.push("phase", tr.t("activity-error-phase"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewActivity {
        module_id: input.module,
        phase_id: input.phase,
        kind: kind.unwrap_or(ActivityKind::Workshop),
        title: title.to_string(),
        starts_at: starts_at.unwrap_or(now),
        ends_at: ends_at.unwrap_or(now),
        mode: mode.unwrap_or(Mode::Physical),
        place: input.place.trim().to_string(),
        meeting_url: meeting_url.to_string(),
        capacity,
        facilitator: input.facilitator.trim().to_string(),
        agenda: input.agenda.trim().to_string(),
    })
}

/// Checks a programme's title and description.
pub fn check_programme(tr: &Tr, title: &str, description: &str) -> Result<(String, String), FormErrors> {
    let mut errors = FormErrors::default();
    let title = title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        errors.push("title", tr.t1("programme-error-title", "max", TITLE_MAX_CHARS));
    }
    if description.trim().chars().count() > TEXT_MAX_CHARS {
        errors.push("description", tr.t1("programme-error-description", "max", TEXT_MAX_CHARS));
    }
    if errors.is_empty() { Ok((title.to_string(), description.trim().to_string())) } else { Err(errors) }
}

fn start(services: &mut crate::platform::module::Services, _: Uuid) {
    services.insert::<std::sync::Arc<dyn Cohorts>>(std::sync::Arc::new(ProgrammeCohorts));
}

/// A programme's participants as a cohort others can send to (a feedback round).
struct ProgrammeCohorts;

impl Cohorts for ProgrammeCohorts {
    fn list<'a>(&'a self, db: &'a Db, municipality: Uuid) -> BoxFuture<'a, sqlx::Result<Vec<Cohort>>> {
        Box::pin(async move {
            let active = store::list(db, municipality, false).await?;
            Ok(active.into_iter().map(|p| Cohort { id: p.id, name: p.title }).collect())
        })
    }

    fn members<'a>(
        &'a self,
        db: &'a Db,
        municipality: Uuid,
        cohort: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<Option<(Cohort, Vec<Uuid>)>>> {
        Box::pin(async move {
            let Some(programme) = store::get(db, municipality, cohort).await? else { return Ok(None) };
            let people = store::programme_enrolments(db, programme.id).await?.into_iter().map(|(p, _, _)| p).collect();
            Ok(Some((Cohort { id: programme.id, name: programme.title }, people)))
        })
    }
}
