//! A survey's results along the organisation (a question's distribution, the trend over
//! rounds and the funnel plot) and an outcome scale's effect, for leaders, the board and HR:
//! the API's tables cut to the reader's part.

use analysis::measures::Scale;
use axum::extract::{Query, State};
use axum::response::Response;

use super::super::aggregates::{self, Figure};
use super::super::model::{Instrument, Purpose, Round};
use super::super::views::{Comments, ResultRow, ResultsTemplate, Segment};
use super::super::{SeeResults, store};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::render;
use crate::platform::web::{AppError, Permit, Result};

#[derive(serde::Deserialize, Default)]
pub(super) struct ResultsQuery {
    redskab: Option<String>,
    runde: Option<String>,
    /// A question's key; none for the score.
    spoergsmaal: Option<String>,
    /// An outcome scale's series label (a team, an offer); none for all.
    etiket: Option<String>,
}

/// A survey's results in the reader's part of the organisation: each unit's own people and
/// its whole subtree, hidden where the table hides them (the API's table, the same for all).
pub(super) async fn results(
    State(state): State<AppState>,
    permit: Permit<SeeResults>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let surveys: Vec<Instrument> = {
        super::super::api::ensure_library(&state).await?;
        store::instruments(&state.db, state.municipality)
            .await?
            .into_iter()
            .filter(|i| matches!(i.purpose, Purpose::Survey | Purpose::Outcome))
            .collect()
    };
    let chosen = q.redskab.clone().filter(|k| surveys.iter().any(|i| &i.key == k)).unwrap_or_else(|| "who5".into());
    let instrument = surveys.iter().find(|i| i.key == chosen).or(surveys.first()).ok_or(AppError::NotFound)?;
    if instrument.purpose == Purpose::Outcome {
        let label = q.etiket.as_deref().map(str::trim).filter(|l| !l.is_empty());
        return effect_page(&state, &permit, &surveys, instrument, label).await;
    }
    let closed: Vec<Round> = store::rounds(&state.db, instrument.id)
        .await?
        .into_iter()
        .filter(|r| r.is_closed(crate::platform::i18n::today()))
        .collect();
    let round = q.runde.as_deref().and_then(|r| closed.iter().find(|c| c.id.to_string() == r)).or(closed.first());
    // A question with a scale, or the score; or a free-text question's comments.
    let asked = q.spoergsmaal.as_deref().and_then(|key| instrument.definition.items.iter().find(|i| i.key == key));
    let text_question = asked.filter(|i| i.scale.bounds().is_none());
    let question = asked.filter(|i| i.scale.bounds().is_some());
    let item = question.map(|i| i.key.clone()).unwrap_or_default();
    let mut comments = None;
    let mut rows = Vec::new();
    let mut note = None;
    let mut trend = Vec::new();
    let mut trend_unit = String::new();
    let mut funnel = None;
    match round {
        None => note = Some(tr.t("feedback-error-no-closed-round")),
        Some(round) if text_question.is_some() => {
            let item = text_question.map(|i| i.key.as_str()).unwrap_or_default();
            let k = instrument.min_text_answers;
            let texts = aggregates::texts(&state, round, item, i64::from(k)).await?;
            let org = crate::organisation::org_cache(&state).get(&state.db).await?;
            let reach = permit.reach();
            let top = org.all_units().find(|u| reach.covers(u.tree_left, u.depth));
            comments = Some(match top.and_then(|u| Some((u, texts.of(&org, u, true)?))) {
                Some((unit, answers)) if !answers.is_empty() => Comments {
                    lead: tr.ta(
                        "feedback-comments-lead",
                        &[("unit", &unit.name), ("count", &tr.num(answers.len() as i64))],
                    ),
                    answers,
                },
                Some((unit, _)) => {
                    Comments { lead: tr.t1("feedback-comments-none", "unit", &unit.name), answers: Vec::new() }
                }
                None => Comments { lead: tr.t1("feedback-comments-hidden", "k", k), answers: Vec::new() },
            });
        }
        Some(round) => {
            let table = aggregates::table(&state, round, &item, i64::from(instrument.min_answers)).await?;
            let org = crate::organisation::org_cache(&state).get(&state.db).await?;
            let reach = permit.reach();
            let visible: Vec<&crate::organisation::model::Unit> =
                org.all_units().filter(|u| reach.covers(u.tree_left, u.depth)).collect();
            let top = visible.iter().map(|u| u.depth).min().unwrap_or(0);
            let (low, high) = match question {
                Some(q) => q.scale.bounds().unwrap_or((0.0, 1.0)),
                None => scale_of(&instrument.definition),
            };
            let labels = question.map(|q| choice_labels(&tr, &q.scale)).unwrap_or_default();
            let shown = |f: &Figure| match f {
                Figure::Shown { n, mean, .. } if *n > 0 => Some((*n, tr.decimal(*mean, 1))),
                _ => None,
            };
            // The top of the reader's part over every closed round.
            if let Some(first) = visible.first() {
                trend_unit = first.name.clone();
                for wave in aggregates::trend(&state, instrument, first.id, true, &item).await? {
                    trend.push((wave.title, tr.date(&wave.closes), shown(&wave.figure)));
                }
            }
            for u in visible {
                let Some(figures) = table.units.get(&u.id) else { continue };
                let bar = match &figures.subtree {
                    Figure::Shown { n, mean, .. } if *n > 0 && high > low => {
                        (((mean - low) / (high - low)).clamp(0.0, 1.0) * 100.0).round() as u32
                    }
                    _ => 0,
                };
                rows.push(ResultRow {
                    name: u.name.clone(),
                    level: u.depth - top,
                    own: shown(&figures.own),
                    subtree: shown(&figures.subtree),
                    bar,
                    distribution: distribution_of(&figures.subtree, &labels),
                });
            }
            let plot = aggregates::funnel(&table, &org, |u| reach.covers(u.tree_left, u.depth));
            funnel = super::super::chart::funnel(&tr, &plot, (low, high));
        }
    }
    Ok(render(&ResultsTemplate {
        page: permit.ctx.page(&state, tr.t1("feedback-results-title", "instrument", &instrument.name), "feedback"),
        instruments: surveys.iter().map(|i| (i.key.clone(), i.name.clone(), i.key == instrument.key)).collect(),
        rounds: closed.iter().map(|r| (r.id.to_string(), r.title.clone(), Some(r.id) == round.map(|x| x.id))).collect(),
        rows,
        k: instrument.min_answers,
        note,
        trend: if trend.len() > 1 { trend } else { Vec::new() },
        trend_unit,
        questions: instrument
            .definition
            .items
            .iter()
            .map(|i| {
                let chosen = asked.is_some_and(|a| a.key == i.key);
                match i.scale.bounds() {
                    Some(_) => (i.key.clone(), i.text.clone(), chosen),
                    None => (i.key.clone(), tr.t1("feedback-comments-option", "text", &i.text), chosen),
                }
            })
            .collect(),
        question: asked.map(|q| q.text.clone()),
        funnel,
        effect: false,
        labels: Vec::new(),
        comments,
    }))
}

/// The words of each value of a scale (a Likert's labels, yes and no, else the number).
fn choice_labels(tr: &Tr, scale: &Scale) -> Vec<(i64, String)> {
    match scale {
        Scale::Likert { min, max, labels } => (*min..=*max)
            .map(|v| (v, labels.get((v - min) as usize).cloned().unwrap_or_else(|| v.to_string())))
            .collect(),
        Scale::YesNo => vec![(0, tr.t("feedback-no")), (1, tr.t("feedback-yes"))],
        _ => Vec::new(),
    }
}

/// A shown figure's distribution as bar segments (label, n, start and width in per cent).
fn distribution_of(figure: &Figure, labels: &[(i64, String)]) -> Vec<Segment> {
    let Figure::Shown { n, distribution, .. } = figure else { return Vec::new() };
    if *n == 0 {
        return Vec::new();
    }
    let mut start = 0.0;
    distribution
        .iter()
        .map(|c| {
            let width = c.n as f64 * 100.0 / *n as f64;
            let label =
                labels.iter().find(|(v, _)| *v == c.value).map_or_else(|| c.value.to_string(), |(_, l)| l.clone());
            let step = labels.iter().position(|(v, _)| *v == c.value).unwrap_or(0);
            let segment = Segment { label, n: c.n, start, width, step: step.min(9) };
            start += width;
            segment
        })
        .collect()
}

/// An outcome instrument's effect in the reader's part: per unit the share of its series
/// reliably improved, hidden where the table hides it (the API's `/aggregates/effect`).
async fn effect_page(
    state: &AppState,
    permit: &Permit<SeeResults>,
    instruments: &[Instrument],
    instrument: &Instrument,
    label: Option<&str>,
) -> Result<Response> {
    let tr = permit.tr();
    let labels = store::series_labels(&state.db, state.municipality, instrument.id).await?;
    let label = label.filter(|l| labels.iter().any(|x| x == l));
    let table = aggregates::effect(state, instrument, label).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let reach = permit.reach();
    let visible: Vec<&crate::organisation::model::Unit> =
        org.all_units().filter(|u| reach.covers(u.tree_left, u.depth)).collect();
    let top = visible.iter().map(|u| u.depth).min().unwrap_or(0);
    let share = |f: &Figure| match f {
        Figure::Shown { n, mean, .. } if *n > 0 => Some((*n, format!("{} %", tr.decimal(mean * 100.0, 0)))),
        _ => None,
    };
    let rows = visible
        .iter()
        .filter_map(|u| {
            let f = table.units.get(&u.id)?;
            let bar = match &f.subtree {
                Figure::Shown { n, mean, .. } if *n > 0 => (mean * 100.0).round().clamp(0.0, 100.0) as u32,
                _ => 0,
            };
            Some(ResultRow {
                name: u.name.clone(),
                level: u.depth - top,
                own: share(&f.own),
                subtree: share(&f.subtree),
                bar,
                distribution: Vec::new(),
            })
        })
        .collect();
    Ok(render(&ResultsTemplate {
        page: permit.ctx.page(state, tr.t1("feedback-effect-title", "instrument", &instrument.name), "feedback"),
        instruments: instruments.iter().map(|i| (i.key.clone(), i.name.clone(), i.key == instrument.key)).collect(),
        rounds: Vec::new(),
        rows,
        k: instrument.min_answers,
        note: None,
        trend: Vec::new(),
        trend_unit: String::new(),
        questions: Vec::new(),
        question: None,
        funnel: None,
        effect: true,
        labels: labels.iter().map(|l| (l.clone(), Some(l.as_str()) == label)).collect(),
        comments: None,
    }))
}

/// The lowest and highest score an instrument can give (for the bars).
pub(super) fn scale_of(d: &analysis::measures::Definition) -> (f64, f64) {
    let scored: Vec<(f64, f64)> = d
        .items
        .iter()
        .filter_map(|i| i.scale.bounds().map(|b| (b, i.weight)))
        .map(|((lo, hi), w)| (lo * w, hi * w))
        .collect();
    let m = d.scoring.multiplier;
    match d.scoring.method {
        analysis::measures::Method::Sum => {
            (scored.iter().map(|s| s.0).sum::<f64>() * m, scored.iter().map(|s| s.1).sum::<f64>() * m)
        }
        analysis::measures::Method::Mean => {
            let n = scored.len().max(1) as f64;
            (scored.iter().map(|s| s.0).sum::<f64>() / n * m, scored.iter().map(|s| s.1).sum::<f64>() / n * m)
        }
    }
}
