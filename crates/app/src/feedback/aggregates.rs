//! A round's figures along the organisation: for every unit its own people and its whole
//! subtree — count, mean, standard deviation and, for a question, its distribution — with every figure of fewer than k answers
//! hidden (primary) and every figure hidden that would let one be worked out by subtraction
//! (secondary, `analysis::suppression`). The table is decided once for the whole organisation
//! and then cut to what the reader may see, so that two readers with different scopes can
//! never combine what they see into more than the table shows. Results exist only for a
//! closed round (counts during it would tell who is still to answer), so a closed round's
//! table is kept for as long as the organisation is the same.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use analysis::suppression::{Hidden, suppress, tree};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Round;
use super::store::{self, Totals};
use crate::AppState;
use crate::organisation::cache::OrgView;
use crate::platform::web::Result;

/// A figure as shown: its numbers, or that it is hidden.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Figure {
    Shown {
        n: i64,
        mean: f64,
        /// Standard deviation (0 for one answer, never shown alone).
        sd: f64,
        /// How many gave each value, lowest first: for a question (not the score), where the
        /// round kept its distribution. Shown with the figure and hidden with it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        distribution: Vec<Count>,
    },
    Suppressed {
        suppressed: bool,
        /// `threshold` (too few answers, or could be worked out from others), `open` (the
        /// round is still open).
        reason: String,
    },
}

/// How many answered a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Count {
    pub value: i64,
    pub n: i64,
}

impl Figure {
    fn hidden(reason: &str) -> Figure {
        Figure::Suppressed { suppressed: true, reason: reason.into() }
    }
}

/// One unit's figures.
#[derive(Clone, Debug)]
pub struct UnitFigures {
    pub unit: Uuid,
    pub own: Figure,
    pub subtree: Figure,
}

/// The whole organisation's table for one round and item.
pub struct Table {
    pub units: HashMap<Uuid, UnitFigures>,
}

/// Decides the table from each unit's own totals.
pub fn decide(org: &OrgView, own_totals: &HashMap<Uuid, Totals>, k: i64) -> Table {
    let units: Vec<&crate::organisation::model::Unit> = org.all_units().collect();
    let index: HashMap<Uuid, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let parents: Vec<Option<usize>> = units.iter().map(|u| u.parent_id.and_then(|p| index.get(&p).copied())).collect();
    let own: Vec<Totals> = units.iter().map(|u| own_totals.get(&u.id).cloned().unwrap_or_default()).collect();
    // Subtree totals, children before parents (deepest first).
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(units[i].depth));
    let mut sub = own.clone();
    for &i in &order {
        if let Some(p) = parents[i] {
            let below = sub[i].clone();
            let parent = &mut sub[p];
            parent.n += below.n;
            parent.sum += below.sum;
            parent.squares += below.squares;
            for (sum, count) in parent.spread.iter_mut().zip(below.spread) {
                *sum += count;
            }
        }
    }
    let counts: Vec<u64> = own.iter().map(|o| o.n.max(0) as u64).collect();
    let hidden = hidden_for(org.version, &parents, counts, k.max(1) as u64);
    let figure = |t: &Totals, hide: bool| -> Figure {
        let (n, sum, squares) = (t.n, t.sum, t.squares);
        if hide {
            return Figure::hidden("threshold");
        }
        if n == 0 {
            return Figure::Shown { n: 0, mean: 0.0, sd: 0.0, distribution: Vec::new() };
        }
        let mean = sum / n as f64;
        let variance = if n > 1 { ((squares - n as f64 * mean * mean) / (n as f64 - 1.0)).max(0.0) } else { 0.0 };
        // A distribution that does not add up to the count (the score, values outside 0–10,
        // answers from before it was kept) is not shown at all.
        let distribution = if t.spread.iter().sum::<i64>() == n {
            (0..).zip(t.spread).filter(|(_, n)| *n > 0).map(|(value, n)| Count { value, n }).collect()
        } else {
            Vec::new()
        };
        Figure::Shown { n, mean: round2(mean), sd: round2(variance.sqrt()), distribution }
    };
    let table = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let figures = UnitFigures {
                unit: u.id,
                own: figure(&own[i], hidden[2 * i].is_some()),
                subtree: figure(&sub[i], hidden[2 * i + 1].is_some()),
            };
            (u.id, figures)
        })
        .collect();
    Table { units: table }
}

/// Which figures to hide depends only on the tree and each unit's count, not on the values:
/// every item of a round that everyone answers has the same counts, so the pattern is
/// decided once and reused (the elimination is the costly part).
type PatternKey = (i64, u64, Vec<u64>);

static PATTERNS: Mutex<Option<HashMap<PatternKey, Arc<Vec<Option<Hidden>>>>>> = Mutex::new(None);

/// The most patterns kept (a few rounds' worth of distinct item counts).
const PATTERNS_KEPT: usize = 256;

fn hidden_for(version: i64, parents: &[Option<usize>], counts: Vec<u64>, k: u64) -> Arc<Vec<Option<Hidden>>> {
    let key: PatternKey = (version, k, counts);
    if let Some(p) = PATTERNS.lock().ok().and_then(|m| m.as_ref().and_then(|m| m.get(&key).cloned())) {
        return p;
    }
    let (figures, parts) = tree(parents, &key.2, k);
    let pattern = Arc::new(suppress(&figures, &parts, k));
    if let Ok(mut guard) = PATTERNS.lock() {
        let map = guard.get_or_insert_with(HashMap::new);
        if map.len() >= PATTERNS_KEPT {
            map.clear();
        }
        map.insert(key, pattern.clone());
    }
    pattern
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

type Key = (Uuid, String, i64, i64);

/// Closed rounds' tables, by round, item, the organisation's version they were decided on and
/// the threshold (a new version of the instrument may raise it).
static TABLES: Mutex<Option<HashMap<Key, Arc<Table>>>> = Mutex::new(None);

/// The table of a closed round for an item ('' is the score), with threshold `k`.
pub async fn table(state: &AppState, round: &Round, item: &str, k: i64) -> Result<Arc<Table>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let key: Key = (round.id, item.to_string(), org.version, k);
    if let Some(t) = TABLES.lock().ok().and_then(|m| m.as_ref().and_then(|m| m.get(&key).cloned())) {
        return Ok(t);
    }
    let totals: HashMap<Uuid, Totals> = store::totals(&state.db, round.id, item).await?.into_iter().collect();
    let table = Arc::new(decide(&org, &totals, k));
    if let Ok(mut guard) = TABLES.lock() {
        let map = guard.get_or_insert_with(HashMap::new);
        // Tables of an organisation that has since changed are of no more use.
        map.retain(|(_, _, o, _), _| *o == key.2);
        map.insert(key, table.clone());
    }
    Ok(table)
}

/// A closed round's free-text answers to one question, decided like its figures but with the
/// instrument's higher text threshold on the number of comments: a unit's comments (its own
/// people's, or its subtree's) are shown only where that count's figure is shown, so that no
/// hidden unit's comments can be had by setting one shown list against another.
pub struct Texts {
    pub table: Table,
    /// Each unit's own people's comments, sorted (their order tells nothing).
    pub own: HashMap<Uuid, Vec<String>>,
}

impl Texts {
    /// The comments of a unit (with its subtree, or its own people's), or None when hidden.
    pub fn of(&self, org: &OrgView, unit: &crate::organisation::model::Unit, subtree: bool) -> Option<Vec<String>> {
        let figures = self.table.units.get(&unit.id)?;
        let figure = if subtree { &figures.subtree } else { &figures.own };
        if !matches!(figure, Figure::Shown { .. }) {
            return None;
        }
        let mut all: Vec<String> = if subtree {
            org.all_units()
                .filter(|u| (unit.tree_left..=unit.tree_right).contains(&u.tree_left))
                .filter_map(|u| self.own.get(&u.id))
                .flatten()
                .cloned()
                .collect()
        } else {
            self.own.get(&unit.id).cloned().unwrap_or_default()
        };
        all.sort();
        Some(all)
    }
}

/// The comments of a closed round to a free-text question, with their table.
pub async fn texts(state: &AppState, round: &Round, item: &str, k: i64) -> Result<Texts> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut own: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (unit, text) in store::text_answers(&state.db, round.id, item).await? {
        own.entry(unit).or_default().push(text);
    }
    let counts: HashMap<Uuid, Totals> =
        own.iter().map(|(u, t)| (*u, Totals { n: t.len() as i64, ..Totals::default() })).collect();
    Ok(Texts { table: decide(&org, &counts, k), own })
}

/// A closed round's figures for everyone it was sent to (the organisation's top with its
/// subtree in each item's table, so nothing beyond what the tables show): the score first
/// (''), then each rated question in the instrument's order.
pub async fn whole_round(
    state: &AppState,
    instrument: &super::model::Instrument,
    round: &Round,
) -> Result<Vec<(String, Figure)>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let Some(top) = org.all_units().find(|u| u.parent_id.is_none()).map(|u| u.id) else { return Ok(Vec::new()) };
    let rated = instrument.definition.items.iter().filter(|i| i.scale.bounds().is_some()).map(|i| i.key.as_str());
    let mut out = Vec::new();
    for item in std::iter::once("").chain(rated) {
        let table = table(state, round, item, i64::from(instrument.min_answers)).await?;
        let figure = table.units.get(&top).map_or_else(|| Figure::hidden("threshold"), |f| f.subtree.clone());
        out.push((item.to_string(), figure));
    }
    Ok(out)
}

/// One closed round's figure in a trend.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Wave {
    pub round: Uuid,
    pub title: String,
    pub closes: chrono::NaiveDate,
    pub figure: Figure,
}

/// A unit's figure in every closed round of an instrument, oldest first: each from that
/// round's own table, so a wave shows nothing its table hides (no figure spans two waves).
pub async fn trend(
    state: &AppState,
    instrument: &super::model::Instrument,
    unit: Uuid,
    subtree: bool,
    item: &str,
) -> Result<Vec<Wave>> {
    let today = crate::platform::i18n::today();
    let mut waves = Vec::new();
    let mut rounds: Vec<Round> =
        store::rounds(&state.db, instrument.id).await?.into_iter().filter(|r| r.is_closed(today)).collect();
    rounds.reverse();
    for round in rounds {
        let table = table(state, &round, item, i64::from(instrument.min_answers)).await?;
        let Some(figures) = table.units.get(&unit) else { continue };
        let figure = if subtree { figures.subtree.clone() } else { figures.own.clone() };
        waves.push(Wave { round: round.id, title: round.title.clone(), closes: round.closes, figure });
    }
    Ok(waves)
}

/// A unit's own figure in a funnel plot: where its mean lies against the organisation's for
/// a unit of its size (a small unit's mean strays further by chance alone), instead of a
/// league table that ranks units by noise.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FunnelPoint {
    pub unit: Uuid,
    pub name: String,
    pub n: i64,
    pub mean: f64,
    /// `above` or `below` the 99.8 % control limits for its size, or `within`.
    pub position: String,
    /// Outside the 95 % limits: worth a look, not yet a signal.
    pub outside_95: bool,
}

/// A funnel plot of a round: the centre line and its spread, and the reader's units.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Funnel {
    /// The whole organisation's mean and standard deviation; absent (and no points) when the
    /// organisation's figure is hidden or the round is open.
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    /// Each unit whose own people's figure is shown, in the organisation's order.
    pub points: Vec<FunnelPoint>,
}

/// The normal quantiles of the two pairs of control limits (two-sided 95 % and 99.8 %).
pub const Z95: f64 = 1.96;
pub const Z998: f64 = 3.09;

impl Funnel {
    pub fn empty() -> Funnel {
        Funnel { mean: None, sd: None, points: Vec::new() }
    }

    /// The control limits for a unit of `n` answers at quantile `z`: (lower, upper).
    pub fn limits(&self, n: f64, z: f64) -> Option<(f64, f64)> {
        let (mean, sd) = (self.mean?, self.sd?);
        let half = z * sd / n.max(1.0).sqrt();
        Some((mean - half, mean + half))
    }
}

/// The funnel of a decided table: the organisation's subtree figure as the centre, and every
/// unit the reader may see whose own people's figure is shown (only shown figures are used,
/// so the plot tells nothing the table hides).
pub fn funnel(table: &Table, org: &OrgView, visible: impl Fn(&crate::organisation::model::Unit) -> bool) -> Funnel {
    let centre = org.all_units().find(|u| u.parent_id.is_none()).and_then(|root| table.units.get(&root.id)).and_then(
        |f| match &f.subtree {
            Figure::Shown { n, mean, sd, .. } if *n > 1 => Some((*mean, *sd)),
            _ => None,
        },
    );
    let Some((mean, sd)) = centre else { return Funnel::empty() };
    let mut out = Funnel { mean: Some(mean), sd: Some(sd), points: Vec::new() };
    for unit in org.all_units().filter(|u| visible(u)) {
        let Some(Figure::Shown { n, mean: m, .. }) = table.units.get(&unit.id).map(|f| &f.own) else { continue };
        if *n == 0 {
            continue;
        }
        let (n, m) = (*n, *m);
        let outside = |z: f64| out.limits(n as f64, z).map_or((false, false), |(lo, hi)| (m < lo, m > hi));
        let position = match outside(Z998) {
            (true, _) => "below",
            (_, true) => "above",
            _ => "within",
        };
        let (below95, above95) = outside(Z95);
        out.points.push(FunnelPoint {
            unit: unit.id,
            name: unit.name.clone(),
            n,
            mean: m,
            position: position.into(),
            outside_95: below95 || above95,
        });
    }
    out
}

/// The effect of an outcome instrument along the organisation: per unit, its series with a
/// first and a later answer of the subject's own, and the share of them reliably improved
/// (improved or recovered, Jacobson & Truax with the instrument's thresholds) as the figure's
/// mean, 0 or 1 per series. Decided like a round's table, so that no unit's figure from fewer
/// than k series can be seen or worked out; `label` keeps only the series with that label.
pub async fn effect(state: &AppState, instrument: &super::model::Instrument, label: Option<&str>) -> Result<Table> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let series = store::series_of_instrument(&state.db, state.municipality, instrument.id).await?;
    let mut scores: HashMap<Uuid, Vec<f64>> = HashMap::new();
    for (id, _, score) in store::instrument_points(&state.db, instrument.id).await? {
        scores.entry(id).or_default().push(score);
    }
    let d = &instrument.definition;
    let mut totals: HashMap<Uuid, Totals> = HashMap::new();
    for s in series.iter().filter(|s| label.is_none_or(|l| s.label == l)) {
        let (Some(unit), Some(own)) = (s.unit_id, scores.get(&s.id)) else { continue };
        let (Some(first), Some(last)) = (own.first(), own.last()) else { continue };
        if own.len() < 2 {
            continue;
        }
        let (cutoff, rci) = d.thresholds(s.age.and_then(|a| u32::try_from(a).ok()));
        let change = analysis::measures::change(*first, *last, cutoff, rci, d.higher_is_better);
        let improved = matches!(change, analysis::measures::Change::Improved | analysis::measures::Change::Recovered);
        let t = totals.entry(unit).or_default();
        t.n += 1;
        if improved {
            t.sum += 1.0;
            t.squares += 1.0;
            t.spread[1] += 1;
        } else {
            t.spread[0] += 1;
        }
    }
    Ok(decide(&org, &totals, i64::from(instrument.min_answers)))
}
