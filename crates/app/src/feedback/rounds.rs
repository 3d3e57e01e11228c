//! Survey rounds: sent to units with a personal link each (by e-mail, and in the API's
//! answer for those without an address), a reminder with a new link the morning before the
//! last day to those who have not answered, and the list of rounds with their answer rate,
//! which stays hidden while a round is open (who is still missing is nobody's business).
//! A 360° round is sent the same way, with a link per leader and rater group (`rating360.rs`).

use std::collections::HashSet;

use chrono::{NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::api::{CodeCreated, NewCodeJson, NewRoundJson, RoundCreated, RoundLink, instrument_of};
use super::letters::{Asked, RoundLetter, letter};
use super::model::{NAME_MAX_CHARS, Purpose, ROUND_UNITS_MAX};
use super::rating360::{RATER_GROUPS, RaterLink, rater_links};
use super::{ManageFeedback, store};
use crate::AppState;
use crate::organisation::model::Unit;
use crate::platform::accounts::{hash_token, random_token};
use crate::platform::audit::AuditEntry;
use crate::platform::i18n::{Tr, today};
use crate::platform::jobs::model::NewJob;
use crate::platform::jobs::{JobContext, JobKind};
use crate::platform::module::BoxFuture;
use crate::platform::web::{AppError, Permit, Result};

/// The reminder of a round, the morning before its last day.
pub static ROUND_REMINDERS: JobKind = JobKind { kind: "feedback.round-reminder", run: run_reminder };

/// The hour (Copenhagen) the reminder goes.
const REMINDER_HOUR: u32 = 8;

fn day(tr: &Tr, raw: &str) -> std::result::Result<NaiveDate, String> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw.get(..10).unwrap_or(raw), "%Y-%m-%d")
        .map_err(|_| tr.t1("feedback-error-date", "date", raw))
}

/// Why a round was not sent: the field of the form it concerns and what to tell the user
/// (a 400 in the API).
#[derive(Debug)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        AppError::BadRequest(r.message)
    }
}

/// Sends a round: checks (a refusal names its field), a link per person engaged in the
/// chosen units or below, their invitations queued with the round, and the reminder
/// scheduled. `site` is the address the letters link to.
pub async fn start(
    state: &AppState,
    permit: &Permit<ManageFeedback>,
    body: NewRoundJson,
    site: &str,
) -> Result<std::result::Result<RoundCreated, Refusal>> {
    let tr = permit.tr();
    let refuse = |field: &'static str, message: String| Ok(Err(Refusal { field, message }));
    let instrument = match instrument_of(state, &tr, &body.instrument).await {
        Ok(i) => i,
        Err(AppError::BadRequest(message)) => return refuse("instrument", message),
        Err(e) => return Err(e),
    };
    let rating = instrument.purpose == Purpose::Rating360;
    if instrument.purpose != Purpose::Survey && !rating {
        return refuse("instrument", tr.t("feedback-error-round-purpose"));
    }
    // A 360° round finds its rater groups in the organisation; a group it cannot find
    // would never be asked.
    let groups: Vec<String> = instrument.definition.raters.iter().map(|g| g.key.clone()).collect();
    if rating && (groups.is_empty() || groups.iter().any(|g| !RATER_GROUPS.contains(&g.as_str()))) {
        return refuse("instrument", tr.t1("feedback-error-round-raters", "groups", RATER_GROUPS.join(", ")));
    }
    let (opens, closes) = match (day(&tr, &body.opens), day(&tr, &body.closes)) {
        (Ok(o), Ok(c)) => (o, c),
        (Err(message), _) | (_, Err(message)) => return refuse("opens", message),
    };
    if closes < opens || closes < today() {
        return refuse("opens", tr.t("feedback-error-round-dates"));
    }
    // A programme's participants instead of units (a survey only: a 360° finds its raters in
    // the organisation's units).
    let cohort = match body.programme {
        Some(_) if !body.units.is_empty() => return refuse("units", tr.t("feedback-error-round-units-or-programme")),
        Some(_) if rating => return refuse("programme", tr.t("feedback-error-round-programme-360")),
        Some(id) => {
            let found = match state.cohorts() {
                Some(cohorts) => cohorts.members(&state.db, state.municipality, id).await?,
                None => None,
            };
            let Some(found) = found else { return refuse("programme", tr.t("feedback-error-programme")) };
            Some(found)
        }
        None => None,
    };
    if cohort.is_none() && (body.units.is_empty() || body.units.len() > ROUND_UNITS_MAX) {
        return refuse("units", tr.t1("feedback-error-round-units", "max", ROUND_UNITS_MAX));
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut chosen = Vec::new();
    for id in &body.units {
        let Some(unit) = org.unit(*id) else { return refuse("units", tr.t("feedback-error-unit")) };
        chosen.push(unit.clone());
    }
    let title = body.title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).unwrap_or_else(|| {
        tr.ta("feedback-round-title", &[("instrument", &instrument.name), ("opens", &opens.format("%d.%m.%Y"))])
    });
    if title.chars().count() > NAME_MAX_CHARS {
        return refuse("title", tr.t("feedback-error-name"));
    }
    let links: Vec<(String, RaterLink)> = if rating {
        rater_links(&org, &chosen, &groups).into_iter().map(|l| (random_token(), l)).collect()
    } else if let Some((_, people)) = &cohort {
        // Each participant once, counted in the unit they belong to (left out if they have
        // left the organisation).
        let mut seen = HashSet::new();
        people
            .iter()
            .filter(|p| seen.insert(**p))
            .filter_map(|p| org.person(*p))
            .map(|p| (random_token(), RaterLink { person: p.id, unit: p.unit, subject: Uuid::nil(), rater: "" }))
            .collect()
    } else {
        // Everyone engaged in a chosen unit or below, once, in the unit they are engaged in.
        let mut seen = HashSet::new();
        let mut links = Vec::new();
        let within = |u: &&Unit| chosen.iter().any(|c| (c.tree_left..=c.tree_right).contains(&u.tree_left));
        for unit in org.all_units().filter(within) {
            for member in org.staff(unit.id).iter().filter(|m| seen.insert(m.person_id)) {
                let link = RaterLink { person: member.person_id, unit: unit.id, subject: Uuid::nil(), rater: "" };
                links.push((random_token(), link));
            }
        }
        links
    };
    if rating && links.is_empty() {
        return refuse("units", tr.t("feedback-error-round-no-leader"));
    }
    if cohort.is_some() && links.is_empty() {
        return refuse("programme", tr.t("feedback-error-programme-empty"));
    }
    let asked = |l: &RaterLink| Asked { subject: rating.then_some(l.subject), rater: l.rater };
    let letters = links
        .iter()
        .filter_map(|(token, l)| letter(&org, l.person, RoundLetter::Invitation, &title, closes, site, token, asked(l)))
        .collect::<Vec<_>>();
    let mailed = letters.len();
    let new = store::NewRound {
        instrument: instrument.id,
        version: instrument.version,
        title: &title,
        opens,
        closes,
        links: links
            .iter()
            .map(|(t, l)| store::NewLink {
                token_hash: hash_token(t),
                unit: l.unit,
                person: l.person,
                subject: rating.then_some(l.subject),
                rater: l.rater.to_string(),
            })
            .collect(),
        cohort: cohort.map(|(c, _)| c),
        letters,
    };
    let id = store::create_round(&state.db, state.municipality, &new, permit.ctx.audit("round.created")).await?;
    crate::platform::mail::wake(state);
    schedule_reminder(state, id, opens, closes, site).await?;
    let tokens: Vec<RoundLink> = links
        .into_iter()
        .map(|(token, l)| RoundLink {
            person: l.person,
            unit: l.unit,
            subject: rating.then_some(l.subject),
            rater: rating.then(|| l.rater.to_string()),
            token,
        })
        .collect();
    Ok(Ok(RoundCreated { id, links: tokens.len(), mailed, tokens }))
}

/// The most answers one workshop code takes.
pub const CODE_USES_MAX: i32 = 1_000;

/// A round's workshop code: eight letters and digits that cannot be mistaken for each other
/// (31^8 ≈ 850 billion, so that guessing one on the public answering page is hopeless while
/// the round is open), shown as two groups of four.
fn round_code() -> String {
    let (a, b) = (crate::platform::participants::short_code(), crate::platform::participants::short_code());
    format!("{}{}", &a[..4], &b[..4])
}

/// Makes a workshop code for a round that has not closed (a refusal names its field: `round`,
/// `unit` or `uses`); 404 for a round that is not the municipality's.
pub async fn make_code(
    state: &AppState,
    permit: &Permit<ManageFeedback>,
    round: Uuid,
    body: NewCodeJson,
    site: &str,
) -> Result<std::result::Result<CodeCreated, Refusal>> {
    let tr = permit.tr();
    let refuse = |field: &'static str, message: String| Ok(Err(Refusal { field, message }));
    let round = store::round(&state.db, state.municipality, round).await?.ok_or(AppError::NotFound)?;
    if round.is_closed(today()) {
        return refuse("round", tr.t("feedback-error-round-closed"));
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    if org.unit(body.unit).is_none() {
        return refuse("unit", tr.t("feedback-error-unit"));
    }
    if !(1..=CODE_USES_MAX).contains(&body.uses) {
        return refuse("uses", tr.t1("feedback-error-code-uses", "max", CODE_USES_MAX));
    }
    // A fresh code unlike any in use (a clash is as unlikely as it is harmless to retry).
    let mut code = round_code();
    while store::link(&state.db, state.municipality, &hash_token(&code)).await?.is_some() {
        code = round_code();
    }
    let entry = permit.ctx.audit("round.code");
    store::create_code(&state.db, state.municipality, &round, &hash_token(&code), body.unit, body.uses, entry).await?;
    let shown = format!("{}-{}", &code[..code.len() / 2], &code[code.len() / 2..]);
    Ok(Ok(CodeCreated { code: shown, unit: body.unit, uses: body.uses, url: format!("{site}/svar/{code}") }))
}

/// When the reminder goes: 08:00 Copenhagen time on the day before the last, if that is
/// still to come and after the first day (a one- or two-day round gets none).
pub fn reminder_at(opens: NaiveDate, closes: NaiveDate) -> Option<chrono::DateTime<Utc>> {
    let day = closes.pred_opt()?;
    if day <= opens {
        return None;
    }
    let local = chrono_tz::Europe::Copenhagen.from_local_datetime(&day.and_hms_opt(REMINDER_HOUR, 0, 0)?).earliest()?;
    Some(local.with_timezone(&Utc))
}

async fn schedule_reminder(
    state: &AppState,
    round: Uuid,
    opens: NaiveDate,
    closes: NaiveDate,
    site: &str,
) -> Result<()> {
    let Some(at) = reminder_at(opens, closes).filter(|at| *at > Utc::now()) else { return Ok(()) };
    let mut job = NewJob::new(ROUND_REMINDERS.kind, serde_json::json!({ "round": round, "site": site }));
    job.run_after = Some(at);
    job.dedupe_key = Some(format!("round-reminder:{round}"));
    crate::platform::jobs::store::enqueue(&state.db, state.municipality, &job).await?;
    Ok(())
}

fn run_reminder(ctx: JobContext) -> BoxFuture<'static, std::result::Result<serde_json::Value, String>> {
    Box::pin(async move {
        let payload = &ctx.job.payload;
        let Some(round) = payload["round"].as_str().and_then(|s| Uuid::parse_str(s).ok()) else {
            return Err("the job names no round".to_string());
        };
        let site = payload["site"].as_str().unwrap_or_default();
        let sent = remind(&ctx.state, ctx.job.municipality_id, round, site).await.map_err(|e| e.to_string())?;
        Ok(serde_json::json!({ "reminders": sent }))
    })
}

/// Sends the reminder of an open round to those who have not answered, each with a new
/// link; the number of letters.
pub async fn remind(state: &AppState, municipality: Uuid, round: Uuid, site: &str) -> sqlx::Result<usize> {
    let Some(r) = store::round(&state.db, municipality, round).await? else { return Ok(0) };
    if !r.is_open(today()) {
        return Ok(0);
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let renewed: Vec<store::RenewedLink> = store::unanswered(&state.db, round)
        .await?
        .into_iter()
        .filter_map(|link| {
            let token = random_token();
            let asked = Asked { subject: link.subject, rater: &link.rater };
            let letter = letter(&org, link.person, RoundLetter::Reminder, &r.title, r.closes, site, &token, asked)?;
            Some(store::RenewedLink { old_hash: link.token_hash, token_hash: hash_token(&token), letter: Some(letter) })
        })
        .collect();
    let entry = AuditEntry::system("round.reminded", "reminder");
    let sent = store::renew_links(&state.db, municipality, round, &renewed, entry).await?;
    crate::platform::mail::wake(state);
    Ok(sent)
}

/// A round in the list.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundSummary {
    pub id: Uuid,
    pub instrument: String,
    /// A 360° round: a report per leader instead of aggregates.
    pub rating360: bool,
    /// The programme it was sent to, if it was sent to one instead of units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    pub title: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    /// `planned`, `open` or `closed`.
    pub state: String,
    /// How many personal links were sent.
    pub links: i64,
    /// How many answered: only once the round has closed.
    pub answered: Option<i64>,
}

/// Every round of the municipality's surveys, the latest first.
pub async fn summaries(state: &AppState) -> Result<Vec<RoundSummary>> {
    super::api::ensure_library(state).await?;
    let now = today();
    let mut all = Vec::new();
    let cohorts = store::cohort_names(&state.db, state.municipality).await?;
    for instrument in store::instruments(&state.db, state.municipality).await? {
        if !matches!(instrument.purpose, Purpose::Survey | Purpose::Rating360) {
            continue;
        }
        for r in store::rounds(&state.db, instrument.id).await? {
            let (links, answered) = store::round_counts(&state.db, r.id).await?;
            let programme = cohorts.get(&r.id).cloned();
            let state = if r.is_closed(now) {
                "closed"
            } else if r.is_open(now) {
                "open"
            } else {
                "planned"
            };
            all.push(RoundSummary {
                id: r.id,
                instrument: instrument.key.clone(),
                rating360: instrument.purpose == Purpose::Rating360,
                programme,
                title: r.title,
                opens: r.opens,
                closes: r.closes,
                answered: (state == "closed").then_some(answered),
                state: state.to_string(),
                links,
            });
        }
    }
    all.sort_by(|a, b| b.opens.cmp(&a.opens).then(a.title.cmp(&b.title)));
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_goes_the_morning_before_the_last_day_in_copenhagen_time() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Winter time: 08:00 in Copenhagen is 07:00 UTC; summer time 06:00 UTC.
        assert_eq!(reminder_at(d("2026-12-01"), d("2026-12-14")).unwrap().to_rfc3339(), "2026-12-13T07:00:00+00:00");
        assert_eq!(reminder_at(d("2026-06-01"), d("2026-06-14")).unwrap().to_rfc3339(), "2026-06-13T06:00:00+00:00");
        assert_eq!(reminder_at(d("2026-12-01"), d("2026-12-02")), None, "a two-day round gets none");
        assert_eq!(reminder_at(d("2026-12-01"), d("2026-12-03")).unwrap().to_rfc3339(), "2026-12-02T07:00:00+00:00");
    }
}
