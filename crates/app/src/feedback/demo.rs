//! The demo municipality's measurements: two WHO-5 rounds sent to every unit (closed; answer
//! rates that vary by unit, so that some units fall below the threshold), four yearly waves of
//! the well-being survey, a pulse round that is open now, and FIT-style series for the demo employee's team of family support, on the
//! template with its wording and thresholds marked as demo text.

use analysis::rng::SplitMix64;
use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::model::{Instrument, InstrumentInput, SubjectKind};
use super::{library, store};
use crate::organisation::cache::OrgView;
use crate::platform::accounts::{hash_token, random_token};
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;
use crate::platform::i18n::today;

fn entry(action: &str) -> AuditEntry {
    AuditEntry::system(action, "demo")
}

/// Families followed in the demo team.
const FAMILIES: u32 = 40;

/// The demo's free-text answers (invented, as every name in the demo).
const DEMO_COMMENTS: [&str; 8] = [
    "Vi mangler tid til at tale sammen om opgaverne.",
    "Godt med den nye mødestruktur.",
    "Mere ro på vagtplanen ville hjælpe.",
    "Jeg savner at høre, hvad der sker i resten af forvaltningen.",
    "Tak for opbakningen i en travl periode.",
    "Sygefraværet presser os.",
    "De nye kolleger er kommet godt i gang.",
    "Vi vil gerne være med til at planlægge næste år.",
];

/// Installs the measurements; `answers` asks for a history of monthly pulse rounds back in
/// time until the rounds hold about that many answers in all (for benchmarks; none by default).
pub async fn install(
    db: &Db,
    municipality: Uuid,
    seed: u64,
    professional: Option<(Uuid, Uuid)>,
    leader: Option<Uuid>,
    answers: Option<usize>,
) -> anyhow::Result<()> {
    library::ensure(db, municipality).await?;
    let org = OrgView::read(db, municipality).await?;
    let mut rng = SplitMix64(seed ^ 0x5EED_F00D);
    let instrument = |key: &'static str| async move {
        store::instrument_by(db, municipality, key).await?.ok_or_else(|| anyhow::anyhow!("{key}"))
    };
    let (who5, pulse, trivsel) = (instrument("who5").await?, instrument("pulse").await?, instrument("trivsel").await?);
    let now = today();
    // Everyone engaged somewhere, with the unit they answer for.
    let people: Vec<(Uuid, Uuid)> =
        org.all_units().flat_map(|u| org.staff(u.id).iter().map(|m| (m.person_id, u.id)).collect::<Vec<_>>()).collect();
    let mut rounds: Vec<(String, NaiveDate, NaiveDate, &Instrument, f64)> = vec![
        ("WHO-5 forår".into(), now - Duration::days(104), now - Duration::days(90), &who5, 0.0),
        ("WHO-5 efterår".into(), now - Duration::days(24), now - Duration::days(10), &who5, 0.3),
        ("Puls i denne måned".into(), now - Duration::days(3), now + Duration::days(11), &pulse, 0.0),
    ];
    // The yearly well-being survey, four waves, a little better each year.
    for wave in 0..4_i64 {
        let closes = now - Duration::days(40 + 365 * (3 - wave));
        let title = format!("Trivselsmåling {}", closes.format("%Y"));
        rounds.push((title, closes - Duration::days(21), closes, &trivsel, 0.1 * wave as f64));
    }
    let mut written = 0;
    for (title, opens, closes, instrument, wellbeing) in &rounds {
        written +=
            write_round(db, municipality, &mut rng, &people, title, *opens, *closes, instrument, *wellbeing).await?;
    }
    // Monthly pulses before this one, until the history holds the answers asked for.
    let mut month = 1;
    while written < answers.unwrap_or(0) {
        let closes = now - Duration::days(30 * month + 10);
        let title = format!("Puls {}", closes.format("%m.%Y"));
        let opens = closes - Duration::days(14);
        written += write_round(db, municipality, &mut rng, &people, &title, opens, closes, &pulse, 0.0).await?;
        month += 1;
    }
    if let Some((account, unit)) = professional {
        family_support(db, municipality, &mut rng, account, unit).await?;
    }
    if let Some(unit) = leader.and_then(|p| org.person(p)).and_then(|p| org.unit(p.unit)) {
        let rating = instrument("leadership360").await?;
        leadership_evaluation(db, municipality, &mut rng, &org, unit, &rating).await?;
    }
    Ok(())
}

/// The 360° evaluation of the leaders of the demo leader's unit and below, closed a month
/// ago: the leaders themselves and their managers answered, the others at four in five.
async fn leadership_evaluation(
    db: &Db,
    municipality: Uuid,
    rng: &mut SplitMix64,
    org: &OrgView,
    unit: &crate::organisation::model::Unit,
    rating: &Instrument,
) -> anyhow::Result<()> {
    let now = today();
    let groups: Vec<String> = rating.definition.raters.iter().map(|g| g.key.clone()).collect();
    let asked = super::rating360::rater_links(org, std::slice::from_ref(unit), &groups);
    let mut answered = Vec::with_capacity(asked.len());
    let mut answers = Vec::new();
    for link in &asked {
        let answers_now = matches!(link.rater, "self" | "manager") || rng.chance(80);
        answered.push(answers_now);
        if !answers_now {
            continue;
        }
        let mut raw = serde_json::Map::new();
        let mut values = Vec::new();
        for item in &rating.definition.items {
            match item.scale.bounds() {
                Some((min, max)) => {
                    let v = (min + (max - min) * (0.55 + (rng.unit() - 0.5) * 0.8)).round().clamp(min, max);
                    raw.insert(item.key.clone(), serde_json::json!(v));
                    values.push((item.key.clone(), analysis::measures::Value::Number(v)));
                }
                None if rng.chance(60) => {
                    raw.insert(item.key.clone(), serde_json::json!(rng.pick(&DEMO_LEADERSHIP_COMMENTS)));
                }
                None => {}
            }
        }
        let score = rating.definition.score(&values).map_err(|e| anyhow::anyhow!("{e:?}"))?.score;
        let about = Some((link.subject, link.rater.to_string()));
        answers.push(store::BulkAnswer {
            unit: link.unit,
            answers: serde_json::to_string(&raw)?,
            score,
            items: Vec::new(),
            about,
        });
    }
    let links = asked
        .iter()
        .map(|l| store::NewLink {
            token_hash: hash_token(&random_token()),
            unit: l.unit,
            person: l.person,
            subject: Some(l.subject),
            rater: l.rater.to_string(),
        })
        .collect();
    let closes = now - Duration::days(30);
    let new = store::NewRound {
        instrument: rating.id,
        version: rating.version,
        title: &format!("Ledelsesevaluering {}", closes.format("%Y")),
        opens: closes - Duration::days(14),
        closes,
        links,
        cohort: None,
        letters: Vec::new(),
    };
    store::write_round_with_answers(db, municipality, &new, &answered, &answers, closes, entry("round.created"))
        .await?;
    Ok(())
}

/// The demo's comments on a leader (invented).
const DEMO_LEADERSHIP_COMMENTS: [&str; 6] = [
    "Bliv ved med at tage dig tid til den enkelte.",
    "Tydelige prioriteringer, når det brænder på.",
    "Følg lidt mere op på det, vi aftaler på møderne.",
    "Del gerne mere om, hvad der sker i forvaltningen.",
    "God til at give plads til nye idéer.",
    "Inddrag os tidligere, når der skal ændres i planerne.",
];

/// Each unit's answer rate in per cent, 20–95, the same in every round (some units are
/// always low, so that their figures are hidden).
fn rate(unit: Uuid) -> usize {
    20 + (unit.as_bytes()[15] as usize * 75) / 255
}

/// A round sent to everyone, answered at each unit's rate (an open round so far by a third
/// of that), written at once. The number of answers.
#[allow(clippy::too_many_arguments)]
async fn write_round(
    db: &Db,
    municipality: Uuid,
    rng: &mut SplitMix64,
    people: &[(Uuid, Uuid)],
    title: &str,
    opens: NaiveDate,
    closes: NaiveDate,
    instrument: &Instrument,
    wellbeing: f64,
) -> anyhow::Result<usize> {
    let now = today();
    let links: Vec<store::NewLink> =
        people.iter().map(|(p, u)| store::NewLink::survey(hash_token(&random_token()), *u, *p)).collect();
    let share = if closes >= now { 3 } else { 1 };
    let mut answered = Vec::with_capacity(links.len());
    let mut answers = Vec::new();
    for store::NewLink { unit, .. } in &links {
        let answers_now = rng.chance(rate(*unit) / share);
        answered.push(answers_now);
        if !answers_now {
            continue;
        }
        let items: Vec<(String, f64)> = instrument
            .definition
            .items
            .iter()
            .filter_map(|item| {
                let (min, max) = item.scale.bounds()?;
                let mood = 0.45 + wellbeing * 0.2 + (rng.unit() - 0.5) * 1.1;
                Some((item.key.clone(), (min + (max - min) * mood.clamp(0.0, 1.0)).round()))
            })
            .collect();
        let values: Vec<(String, analysis::measures::Value)> =
            items.iter().map(|(k, v)| (k.clone(), analysis::measures::Value::Number(*v))).collect();
        let score = instrument.definition.score(&values).map_err(|e| anyhow::anyhow!("{e:?}"))?.score;
        let mut raw: serde_json::Map<String, serde_json::Value> =
            items.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect();
        // One in five writes a comment to each free-text question.
        for item in instrument.definition.items.iter().filter(|i| i.scale.bounds().is_none()) {
            if rng.chance(20) {
                raw.insert(item.key.clone(), serde_json::json!(rng.pick(&DEMO_COMMENTS)));
            }
        }
        let raw = serde_json::to_string(&raw)?;
        answers.push(store::BulkAnswer { unit: *unit, answers: raw, score, items, about: None });
    }
    let new = store::NewRound {
        instrument: instrument.id,
        version: instrument.version,
        title,
        opens,
        closes,
        links,
        cohort: None,
        letters: Vec::new(),
    };
    let on = closes.min(now);
    store::write_round_with_answers(db, municipality, &new, &answered, &answers, on, entry("round.created")).await?;
    Ok(answers.len())
}

/// The FIT-style template with demo wording and thresholds, and the team's series.
async fn family_support(
    db: &Db,
    municipality: Uuid,
    rng: &mut SplitMix64,
    account: Uuid,
    unit: Uuid,
) -> anyhow::Result<()> {
    let mut template: InstrumentInput =
        library::shipped().into_iter().find(|i| i.key == "fit-outcome").ok_or_else(|| anyhow::anyhow!("template"))?;
    let areas = ["personligt", "i familien", "i skole og arbejde", "alt i alt"];
    for (item, area) in template.definition.items.iter_mut().zip(areas) {
        item.text = format!("Demotekst: hvordan det går {area} (ikke en licenseret ordlyd)");
    }
    template.definition.cutoff = Some(25.0);
    template.definition.rci = Some(5.0);
    template.licence = "Demo: ordlyd, cut-off (25) og RCI (5) er opdigtede eksempler, ikke fra en licens.".into();
    store::save_instrument(db, municipality, &template, entry("instrument.saved")).await?;
    let fit = store::instrument_by(db, municipality, "fit-outcome").await?.ok_or_else(|| anyhow::anyhow!("fit"))?;
    for n in 0..FAMILIES {
        let reference = format!("FAM-{:04}", 2100 + n);
        let new = store::NewSeries {
            instrument: fit.id,
            subject_kind: SubjectKind::Family,
            subject: &reference,
            unit: Some(unit),
            owner: Some(account),
            age: None,
            label: "Familiestøtte",
        };
        let series_id = store::create_series(db, municipality, &new, entry("series.created")).await?;
        let series = store::series(db, municipality, series_id).await?.ok_or_else(|| anyhow::anyhow!("series"))?;
        let intake = 8.0 + 18.0 * rng.unit();
        // Most improve with the logarithm of the session, faster from a low start; one in
        // six does not move (they are the ones the alerts are for).
        let stuck = n % 6 == 5;
        let sessions = 3 + rng.below(6) as u32;
        for session in 1..=sessions {
            let growth = if stuck { 0.0 } else { f64::from(session).ln() * (6.5 - 0.2 * (intake - 17.0)) };
            let noise = if session == 1 { 0.0 } else { (rng.unit() - 0.5) * 4.0 };
            let score = (intake + growth + noise).clamp(0.0, 40.0);
            let each = (score / 4.0 * 10.0).round() / 10.0;
            let items: std::collections::BTreeMap<&str, f64> =
                fit.definition.items.iter().map(|i| (i.key.as_str(), each)).collect();
            let raw = serde_json::to_string(&items)?;
            let response = store::NewResponse {
                instrument: fit.id,
                version: fit.version,
                session: Some(session as i32),
                rater: "self",
                answers: &raw,
                score: each * 4.0,
                answered_on: today() - Duration::days(i64::from(7 * (sessions - session))),
            };
            store::add_series_response(db, municipality, &series, &response, entry("series.answered")).await?;
        }
    }
    Ok(())
}
