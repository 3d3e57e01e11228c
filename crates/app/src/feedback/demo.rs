//! The demo municipality's measurements: two WHO-5 rounds sent to every unit (closed; answer
//! rates that vary by unit, so that some units fall below the threshold), a pulse round that
//! is open now, and FIT-style series for the demo employee's team of family support, on the
//! template with its wording and thresholds marked as demo text.

use analysis::rng::SplitMix64;
use chrono::Duration;
use uuid::Uuid;

use super::model::{InstrumentInput, SubjectKind};
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

pub async fn install(db: &Db, municipality: Uuid, seed: u64, professional: Option<(Uuid, Uuid)>) -> anyhow::Result<()> {
    library::ensure(db, municipality).await?;
    let org = OrgView::read(db, municipality).await?;
    let mut rng = SplitMix64(seed ^ 0x5EED_F00D);
    let who5 = store::instrument_by(db, municipality, "who5").await?.ok_or_else(|| anyhow::anyhow!("who5"))?;
    let pulse = store::instrument_by(db, municipality, "pulse").await?.ok_or_else(|| anyhow::anyhow!("pulse"))?;
    let now = today();
    // Everyone engaged somewhere, with the unit they answer for.
    let people: Vec<(Uuid, Uuid)> =
        org.all_units().flat_map(|u| org.staff(u.id).iter().map(|m| (m.person_id, u.id)).collect::<Vec<_>>()).collect();
    // Each unit's answer rate, 20–95 %, the same in every round (some units are always low).
    let rate = |unit: Uuid| 20 + (unit.as_bytes()[15] as usize * 75) / 255;
    for (title, opens, closes, instrument, wellbeing) in [
        ("WHO-5 forår", now - Duration::days(104), now - Duration::days(90), &who5, 0.0),
        ("WHO-5 efterår", now - Duration::days(24), now - Duration::days(10), &who5, 0.3),
        ("Puls i denne måned", now - Duration::days(3), now + Duration::days(11), &pulse, 0.0),
    ] {
        let links: Vec<(String, Uuid, Uuid)> =
            people.iter().map(|(p, u)| (hash_token(&random_token()), *u, *p)).collect();
        let new = store::NewRound {
            instrument: instrument.id,
            version: instrument.version,
            title,
            opens,
            closes,
            links: links.clone(),
            letters: Vec::new(),
        };
        let round_id = store::create_round(db, municipality, &new, entry("round.created")).await?;
        let round = store::round(db, municipality, round_id).await?.ok_or_else(|| anyhow::anyhow!("round"))?;
        // The open pulse has only a third of its answers so far.
        let share = if closes >= now { 3 } else { 1 };
        for (hash, unit, _) in &links {
            if !rng.chance(rate(*unit) / share) {
                continue;
            }
            let items: Vec<(String, f64)> = instrument
                .definition
                .items
                .iter()
                .filter_map(|item| {
                    let (min, max) = item.scale.bounds()?;
                    let mood = 0.45 + wellbeing * 0.2 + (rng.unit() - 0.5) * 0.7;
                    Some((item.key.clone(), (min + (max - min) * mood.clamp(0.0, 1.0)).round()))
                })
                .collect();
            let answers: Vec<(String, analysis::measures::Value)> =
                items.iter().map(|(k, v)| (k.clone(), analysis::measures::Value::Number(*v))).collect();
            let score = instrument.definition.score(&answers).map_err(|e| anyhow::anyhow!("{e:?}"))?.score;
            let raw = serde_json::to_string(
                &items.iter().map(|(k, v)| (k.as_str(), *v)).collect::<std::collections::BTreeMap<_, _>>(),
            )?;
            let response = store::NewResponse {
                instrument: instrument.id,
                version: instrument.version,
                session: None,
                rater: "self",
                answers: &raw,
                score,
                answered_on: closes.min(now),
            };
            store::answer_round(db, hash, &round, *unit, &response, &items).await?;
        }
    }
    if let Some((account, unit)) = professional {
        family_support(db, municipality, &mut rng, account, unit).await?;
    }
    Ok(())
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
