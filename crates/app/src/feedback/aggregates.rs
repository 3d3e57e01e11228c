//! A round's figures along the organisation: for every unit its own people and its whole
//! subtree — count, mean, standard deviation — with every figure of fewer than k answers
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
use super::store;
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
    },
    Suppressed {
        suppressed: bool,
        /// `threshold` (too few answers, or could be worked out from others), `open` (the
        /// round is still open).
        reason: String,
    },
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

/// Decides the table from each unit's own (n, sum, sum of squares).
pub fn decide(org: &OrgView, own_totals: &HashMap<Uuid, (i64, f64, f64)>, k: i64) -> Table {
    let units: Vec<&crate::organisation::model::Unit> = org.all_units().collect();
    let index: HashMap<Uuid, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let parents: Vec<Option<usize>> = units.iter().map(|u| u.parent_id.and_then(|p| index.get(&p).copied())).collect();
    let own: Vec<(i64, f64, f64)> =
        units.iter().map(|u| own_totals.get(&u.id).copied().unwrap_or((0, 0.0, 0.0))).collect();
    // Subtree totals, children before parents (deepest first).
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(units[i].depth));
    let mut sub = own.clone();
    for &i in &order {
        if let Some(p) = parents[i] {
            let (n, s, q) = sub[i];
            sub[p].0 += n;
            sub[p].1 += s;
            sub[p].2 += q;
        }
    }
    let counts: Vec<u64> = own.iter().map(|o| o.0.max(0) as u64).collect();
    let hidden = hidden_for(org.version, &parents, counts, k.max(1) as u64);
    let figure = |t: (i64, f64, f64), hide: bool| -> Figure {
        let (n, sum, squares) = t;
        if hide {
            return Figure::hidden("threshold");
        }
        if n == 0 {
            return Figure::Shown { n: 0, mean: 0.0, sd: 0.0 };
        }
        let mean = sum / n as f64;
        let variance = if n > 1 { ((squares - n as f64 * mean * mean) / (n as f64 - 1.0)).max(0.0) } else { 0.0 };
        Figure::Shown { n, mean: round2(mean), sd: round2(variance.sqrt()) }
    };
    let table = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let figures = UnitFigures {
                unit: u.id,
                own: figure(own[i], hidden[2 * i].is_some()),
                subtree: figure(sub[i], hidden[2 * i + 1].is_some()),
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

type Key = (Uuid, String, i64);

/// Closed rounds' tables, by round, item and the organisation's version they were decided on.
static TABLES: Mutex<Option<HashMap<Key, Arc<Table>>>> = Mutex::new(None);

/// The table of a closed round for an item ('' is the score), with threshold `k`.
pub async fn table(state: &AppState, round: &Round, item: &str, k: i64) -> Result<Arc<Table>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let key: Key = (round.id, item.to_string(), org.version);
    if let Some(t) = TABLES.lock().ok().and_then(|m| m.as_ref().and_then(|m| m.get(&key).cloned())) {
        return Ok(t);
    }
    let totals: HashMap<Uuid, (i64, f64, f64)> =
        store::totals(&state.db, round.id, item).await?.into_iter().map(|(u, n, s, q)| (u, (n, s, q))).collect();
    let table = Arc::new(decide(&org, &totals, k));
    if let Ok(mut guard) = TABLES.lock() {
        let map = guard.get_or_insert_with(HashMap::new);
        // Tables of an organisation that has since changed are of no more use.
        map.retain(|(_, _, o), _| *o == key.2);
        map.insert(key, table.clone());
    }
    Ok(table)
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
