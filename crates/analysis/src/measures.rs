//! Measurement instruments as data, and what a series of scores says: scoring, reliable and
//! clinically significant change (Jacobson & Truax 1991), validity flags, and an open
//! expected-response model fitted on a municipality's own series.
//!
//! Nothing here is licensed material: an instrument's wording, cut-off and reliable-change
//! index come from the definition the municipality keeps. The expected-response model is our
//! own and plain: the change from intake grows with the logarithm of the session number, at a
//! rate that depends linearly on the intake score,
//!
//! ```text
//! score(s) − intake = ln(s) · (a + b · (intake − centre)),   s = 1, 2, …
//! ```
//!
//! fitted by least squares; the band is the fitted value ± one residual standard deviation.

use serde::{Deserialize, Serialize};

/// How an item is answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scale {
    /// A line from `min` to `max` (a 10 cm line is 0–10), answered to one decimal.
    Line { min: f64, max: f64 },
    /// Whole numbers from `min` to `max`, each with an optional label.
    Likert {
        min: i64,
        max: i64,
        #[serde(default)]
        labels: Vec<String>,
    },
    /// 1 for yes, 0 for no.
    YesNo,
    /// Free text: not scored.
    Text,
}

impl Scale {
    /// The lowest and highest value, for scored scales.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        match self {
            Scale::Line { min, max } => Some((*min, *max)),
            Scale::Likert { min, max, .. } => Some((*min as f64, *max as f64)),
            Scale::YesNo => Some((0.0, 1.0)),
            Scale::Text => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub key: String,
    pub text: String,
    pub scale: Scale,
    /// Scored as max + min − value.
    #[serde(default)]
    pub reverse: bool,
    #[serde(default = "one")]
    pub weight: f64,
    /// The subscale the item counts towards, if any.
    #[serde(default)]
    pub subscale: Option<String>,
    /// Whether an answer must be given (free text never must).
    #[serde(default = "yes")]
    pub required: bool,
}

fn one() -> f64 {
    1.0
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Sum,
    Mean,
}

/// How item values become a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scoring {
    pub method: Method,
    /// The raw score times this (WHO-5: the sum × 4 gives 0–100).
    #[serde(default = "one")]
    pub multiplier: f64,
}

/// Cut-off and reliable-change index for an age band (ages inclusive); the instrument's own
/// apply where no band matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgeBand {
    pub min_age: u32,
    pub max_age: u32,
    pub cutoff: Option<f64>,
    pub rci: Option<f64>,
}

/// An instrument's definition: what the municipality's library holds, versioned by the app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub items: Vec<Item>,
    pub scoring: Scoring,
    /// The score that separates the clinical (or poor) range from the rest.
    #[serde(default)]
    pub cutoff: Option<f64>,
    /// The smallest change that is more than measurement error.
    #[serde(default)]
    pub rci: Option<f64>,
    /// Whether a higher score is better (well-being) or worse (symptoms).
    #[serde(default = "yes")]
    pub higher_is_better: bool,
    #[serde(default)]
    pub age_bands: Vec<AgeBand>,
    /// Who may rate (a 360° evaluation: self, manager, peers, staff), each with the fewest
    /// answers before their group is shown; empty for one rater, the subject or the person.
    #[serde(default)]
    pub raters: Vec<RaterGroup>,
}

/// A group of raters and the fewest answers it must have before it is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RaterGroup {
    pub key: String,
    pub min: u32,
}

/// Why an answer was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerError {
    UnknownItem(String),
    OutOfRange { item: String, min: f64, max: f64 },
    NotANumber(String),
    Missing(String),
}

/// A scored answer: the total and each subscale's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub score: f64,
    pub subscales: Vec<(String, f64)>,
}

/// One item's answer as given: a number, or text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Text(String),
}

impl Definition {
    /// Checks the definition itself: keys unique and present, scales sensible, at least one
    /// scored item. Returns what is wrong, in plain words (English; the app translates keys).
    pub fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for item in &self.items {
            if item.key.trim().is_empty() || !seen.insert(item.key.as_str()) {
                return Err(format!("item key «{}» is empty or used twice", item.key));
            }
            if let Some((min, max)) = item.scale.bounds()
                && !(min.is_finite() && max.is_finite() && min < max)
            {
                return Err(format!("item «{}» has a scale whose minimum is not below its maximum", item.key));
            }
            if !item.weight.is_finite() {
                return Err(format!("item «{}» has a weight that is not a number", item.key));
            }
        }
        if !self.items.iter().any(|i| i.scale.bounds().is_some()) {
            return Err("an instrument needs at least one scored item".into());
        }
        if !self.scoring.multiplier.is_finite() || self.scoring.multiplier == 0.0 {
            return Err("the multiplier must be a number other than 0".into());
        }
        Ok(())
    }

    /// Cut-off and RCI for a person of `age` (the instrument's own without an age).
    pub fn thresholds(&self, age: Option<u32>) -> (Option<f64>, Option<f64>) {
        let band = age.and_then(|a| self.age_bands.iter().find(|b| (b.min_age..=b.max_age).contains(&a)));
        match band {
            Some(b) => (b.cutoff.or(self.cutoff), b.rci.or(self.rci)),
            None => (self.cutoff, self.rci),
        }
    }

    /// Scores an answer, refusing unknown items, values out of range and missing required ones.
    pub fn score(&self, answers: &[(String, Value)]) -> Result<Score, AnswerError> {
        for (key, _) in answers {
            if !self.items.iter().any(|i| &i.key == key) {
                return Err(AnswerError::UnknownItem(key.clone()));
            }
        }
        let mut total: Vec<f64> = Vec::new();
        let mut subs: Vec<(String, Vec<f64>)> = Vec::new();
        for item in &self.items {
            let given = answers.iter().find(|(k, _)| *k == item.key).map(|(_, v)| v);
            let Some((min, max)) = item.scale.bounds() else { continue };
            let value = match given {
                None => {
                    if item.required {
                        return Err(AnswerError::Missing(item.key.clone()));
                    }
                    continue;
                }
                Some(Value::Number(x)) => *x,
                Some(Value::Text(t)) => {
                    t.trim().replace(',', ".").parse::<f64>().map_err(|_| AnswerError::NotANumber(item.key.clone()))?
                }
            };
            let whole = matches!(item.scale, Scale::Likert { .. } | Scale::YesNo);
            if !value.is_finite() || value < min || value > max || (whole && value.fract() != 0.0) {
                return Err(AnswerError::OutOfRange { item: item.key.clone(), min, max });
            }
            let scored = item.weight * if item.reverse { max + min - value } else { value };
            total.push(scored);
            if let Some(name) = &item.subscale {
                match subs.iter_mut().find(|(n, _)| n == name) {
                    Some((_, values)) => values.push(scored),
                    None => subs.push((name.clone(), vec![scored])),
                }
            }
        }
        let combine = |values: &[f64]| -> f64 {
            let raw = match self.scoring.method {
                Method::Sum => values.iter().sum::<f64>(),
                Method::Mean if values.is_empty() => 0.0,
                Method::Mean => values.iter().sum::<f64>() / values.len() as f64,
            };
            raw * self.scoring.multiplier
        };
        Ok(Score { score: combine(&total), subscales: subs.iter().map(|(n, v)| (n.clone(), combine(v))).collect() })
    }
}

/// What the change from intake to now means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Fewer than two scores, or no RCI in the definition.
    Unknown,
    /// Improved by at least the RCI and crossed the cut-off out of the clinical range.
    Recovered,
    /// Improved by at least the RCI.
    Improved,
    NoReliableChange,
    /// Worsened by at least the RCI.
    Deteriorated,
}

/// Jacobson & Truax: reliable change against the RCI, clinical significance against the
/// cut-off (a score on the better side of the cut-off is outside the clinical range).
pub fn change(intake: f64, now: f64, cutoff: Option<f64>, rci: Option<f64>, higher_is_better: bool) -> Change {
    let Some(rci) = rci else { return Change::Unknown };
    let better = if higher_is_better { now - intake } else { intake - now };
    if better <= -rci {
        return Change::Deteriorated;
    }
    if better < rci {
        return Change::NoReliableChange;
    }
    let outside_clinical = |x: f64| cutoff.map(|c| if higher_is_better { x >= c } else { x <= c });
    match (outside_clinical(intake), outside_clinical(now)) {
        (Some(false), Some(true)) => Change::Recovered,
        _ => Change::Improved,
    }
}

/// Signs that a series may not measure what it should.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The first score is already outside the clinical range: little room to improve, and
    /// a reason to talk about how the scale was filled in.
    IntakeAboveCutoff,
    /// Three or more changes in a row that each reverse the last and are each at least half
    /// the RCI: scores jumping up and down.
    SawTooth,
}

/// The validity flags of a series of scores in session order.
pub fn flags(scores: &[f64], cutoff: Option<f64>, rci: Option<f64>, higher_is_better: bool) -> Vec<Flag> {
    let mut out = Vec::new();
    if let (Some(&first), Some(c)) = (scores.first(), cutoff)
        && (if higher_is_better { first >= c } else { first <= c })
    {
        out.push(Flag::IntakeAboveCutoff);
    }
    if let Some(rci) = rci {
        let steps: Vec<f64> = scores.windows(2).map(|w| w[1] - w[0]).collect();
        let mut run = 0;
        let mut longest = 0;
        for (i, step) in steps.iter().enumerate() {
            let big = step.abs() >= rci / 2.0;
            let reverses = i > 0 && step.signum() != steps[i - 1].signum() && steps[i - 1].abs() >= rci / 2.0;
            run = if big && reverses {
                run + 1
            } else if big {
                1
            } else {
                0
            };
            longest = longest.max(run);
        }
        if longest >= 3 {
            out.push(Flag::SawTooth);
        }
    }
    out
}

/// One series for the model: its scores by session number (1 is the intake).
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPoints {
    pub points: Vec<(u32, f64)>,
}

/// The fitted expected-response model, shown on a page as it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Change per unit of ln(session) at the centre intake.
    pub a: f64,
    /// How that rate changes per point of intake above the centre (usually negative: those
    /// who start low have most room to improve).
    pub b: f64,
    /// The mean intake score.
    pub centre: f64,
    /// Residual standard deviation: the band's half width.
    pub sigma: f64,
    /// Share of the variance of change explained.
    pub r_squared: f64,
    pub series: usize,
    pub points: usize,
}

/// The least own data the model is fitted on: series with an intake and a later score, and
/// later scores in all. Below it the page says so instead of drawing a band.
pub const MODEL_MIN_SERIES: usize = 30;
pub const MODEL_MIN_POINTS: usize = 60;

/// (intake, ln s, change) for every later session of every series with an intake, and how
/// many series gave such rows.
fn model_rows(series: &[SeriesPoints]) -> (Vec<(f64, f64, f64)>, usize) {
    let mut rows: Vec<(f64, f64, f64)> = Vec::new();
    let mut used = 0;
    for s in series {
        let Some(&(_, intake)) = s.points.iter().find(|(n, _)| *n == 1) else { continue };
        let later: Vec<(f64, f64, f64)> = s
            .points
            .iter()
            .filter(|(n, y)| *n > 1 && y.is_finite())
            .map(|&(n, y)| (intake, f64::from(n).ln(), y - intake))
            .collect();
        if !later.is_empty() {
            used += 1;
            rows.extend(later);
        }
    }
    (rows, used)
}

/// What the model could be fitted on: (series with an intake and a later score, later
/// scores in all); compare with [`MODEL_MIN_SERIES`] and [`MODEL_MIN_POINTS`].
pub fn usable(series: &[SeriesPoints]) -> (usize, usize) {
    let (rows, used) = model_rows(series);
    (used, rows.len())
}

/// Fits the model, or None with too little data (or none that varies).
pub fn fit(series: &[SeriesPoints]) -> Option<Model> {
    let (rows, used) = model_rows(series);
    if used < MODEL_MIN_SERIES || rows.len() < MODEL_MIN_POINTS {
        return None;
    }
    let centre = rows.iter().map(|r| r.0).sum::<f64>() / rows.len() as f64;
    // Least squares without intercept on x1 = ln s, x2 = ln s · (intake − centre).
    let (mut s11, mut s12, mut s22, mut s1y, mut s2y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(intake, l, y) in &rows {
        let (x1, x2) = (l, l * (intake - centre));
        s11 += x1 * x1;
        s12 += x1 * x2;
        s22 += x2 * x2;
        s1y += x1 * y;
        s2y += x2 * y;
    }
    let det = s11 * s22 - s12 * s12;
    if det.abs() < 1e-12 * (s11 * s22).max(1.0) {
        return None;
    }
    let a = (s1y * s22 - s2y * s12) / det;
    let b = (s2y * s11 - s1y * s12) / det;
    let residuals: Vec<f64> = rows.iter().map(|&(intake, l, y)| y - l * (a + b * (intake - centre))).collect();
    let sse: f64 = residuals.iter().map(|r| r * r).sum();
    let mean_y = rows.iter().map(|r| r.2).sum::<f64>() / rows.len() as f64;
    let sst: f64 = rows.iter().map(|r| (r.2 - mean_y).powi(2)).sum();
    let sigma = (sse / (rows.len() as f64 - 2.0).max(1.0)).sqrt();
    let r_squared = if sst > 0.0 { 1.0 - sse / sst } else { 0.0 };
    Some(Model { a, b, centre, sigma, r_squared, series: used, points: rows.len() })
}

impl Model {
    /// The expected score at a session for an intake, with the band (low, high).
    pub fn expected(&self, intake: f64, session: u32) -> (f64, f64, f64) {
        let l = f64::from(session.max(1)).ln();
        let mid = intake + l * (self.a + self.b * (intake - self.centre));
        let half = if session <= 1 { 0.0 } else { self.sigma };
        (mid, mid - half, mid + half)
    }

    /// Whether a score is on the bad side of the band at its session.
    pub fn off_track(&self, intake: f64, session: u32, score: f64, higher_is_better: bool) -> bool {
        let (_, low, high) = self.expected(intake, session);
        session > 1 && if higher_is_better { score < low } else { score > high }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn who5() -> Definition {
        Definition {
            items: (1..=5)
                .map(|i| Item {
                    key: format!("q{i}"),
                    text: format!("Spørgsmål {i}"),
                    scale: Scale::Likert { min: 0, max: 5, labels: Vec::new() },
                    reverse: false,
                    weight: 1.0,
                    subscale: None,
                    required: true,
                })
                .collect(),
            scoring: Scoring { method: Method::Sum, multiplier: 4.0 },
            cutoff: Some(50.0),
            rci: Some(10.0),
            higher_is_better: true,
            age_bands: Vec::new(),
            raters: Vec::new(),
        }
    }

    fn answers(values: &[f64]) -> Vec<(String, Value)> {
        values.iter().enumerate().map(|(i, v)| (format!("q{}", i + 1), Value::Number(*v))).collect()
    }

    #[test]
    fn who5_is_the_raw_sum_times_four() {
        let d = who5();
        assert!(d.check().is_ok());
        assert_eq!(d.score(&answers(&[5.0, 5.0, 5.0, 5.0, 5.0])).unwrap().score, 100.0);
        assert_eq!(d.score(&answers(&[3.0, 2.0, 4.0, 1.0, 0.0])).unwrap().score, 40.0);
    }

    #[test]
    fn bad_answers_are_refused_by_name() {
        let d = who5();
        assert_eq!(
            d.score(&answers(&[5.0, 5.0, 5.0, 5.0, 6.0])),
            Err(AnswerError::OutOfRange { item: "q5".into(), min: 0.0, max: 5.0 })
        );
        assert_eq!(
            d.score(&answers(&[5.0, 5.0, 5.0, 5.0, 2.5])).unwrap_err(),
            AnswerError::OutOfRange { item: "q5".into(), min: 0.0, max: 5.0 }
        );
        assert_eq!(d.score(&answers(&[5.0, 5.0])), Err(AnswerError::Missing("q3".into())));
        let mut extra = answers(&[1.0; 5]);
        extra.push(("q9".into(), Value::Number(1.0)));
        assert_eq!(d.score(&extra), Err(AnswerError::UnknownItem("q9".into())));
        let text = vec![("q1".into(), Value::Text("meget".into()))];
        assert_eq!(d.score(&text), Err(AnswerError::NotANumber("q1".into())));
    }

    #[test]
    fn reverse_items_weights_means_and_subscales() {
        let d = Definition {
            items: vec![
                Item {
                    key: "a".into(),
                    text: "A".into(),
                    scale: Scale::Line { min: 0.0, max: 10.0 },
                    reverse: false,
                    weight: 1.0,
                    subscale: Some("x".into()),
                    required: true,
                },
                Item {
                    key: "b".into(),
                    text: "B".into(),
                    scale: Scale::Line { min: 0.0, max: 10.0 },
                    reverse: true,
                    weight: 2.0,
                    subscale: Some("x".into()),
                    required: true,
                },
                Item {
                    key: "c".into(),
                    text: "Hvad mere?".into(),
                    scale: Scale::Text,
                    reverse: false,
                    weight: 1.0,
                    subscale: None,
                    required: false,
                },
            ],
            scoring: Scoring { method: Method::Mean, multiplier: 1.0 },
            cutoff: None,
            rci: None,
            higher_is_better: true,
            age_bands: Vec::new(),
            raters: Vec::new(),
        };
        let s = d
            .score(&[
                ("a".into(), Value::Text("7,5".into())),
                ("b".into(), Value::Number(2.0)),
                ("c".into(), Value::Text("fint".into())),
            ])
            .unwrap();
        // a = 7.5; b reversed = 8, weighted 16; mean 11.75.
        assert_eq!(s.score, 11.75);
        assert_eq!(s.subscales, vec![("x".to_string(), 11.75)]);
    }

    #[test]
    fn change_follows_jacobson_and_truax() {
        assert_eq!(change(40.0, 60.0, Some(50.0), Some(10.0), true), Change::Recovered);
        assert_eq!(change(20.0, 35.0, Some(50.0), Some(10.0), true), Change::Improved);
        assert_eq!(change(40.0, 45.0, Some(50.0), Some(10.0), true), Change::NoReliableChange);
        assert_eq!(change(40.0, 30.0, Some(50.0), Some(10.0), true), Change::Deteriorated);
        assert_eq!(change(40.0, 60.0, None, None, true), Change::Unknown);
        // Symptoms: lower is better.
        assert_eq!(change(30.0, 12.0, Some(20.0), Some(6.0), false), Change::Recovered);
    }

    #[test]
    fn flags_saw_teeth_and_a_high_intake() {
        assert_eq!(flags(&[60.0, 62.0], Some(50.0), Some(10.0), true), vec![Flag::IntakeAboveCutoff]);
        assert_eq!(flags(&[20.0, 40.0, 20.0, 40.0, 20.0], Some(50.0), Some(10.0), true), vec![Flag::SawTooth]);
        assert!(flags(&[20.0, 25.0, 30.0, 36.0, 44.0], Some(50.0), Some(10.0), true).is_empty());
    }

    #[test]
    fn the_model_finds_the_growth_it_was_given_and_says_when_data_is_too_few() {
        // Change = ln(s) · (6 − 0.3 · (intake − 20)) plus noise.
        let mut rng = SplitMix64(3);
        let series: Vec<SeriesPoints> = (0..200)
            .map(|_| {
                let intake = 10.0 + 20.0 * rng.unit();
                let points = (1..=6)
                    .map(|s| {
                        let l = f64::from(s).ln();
                        let noise = if s == 1 { 0.0 } else { (rng.unit() - 0.5) * 2.0 };
                        (s, intake + l * (6.0 - 0.3 * (intake - 20.0)) + noise)
                    })
                    .collect();
                SeriesPoints { points }
            })
            .collect();
        let m = fit(&series).expect("enough data");
        assert!((m.a - 6.0).abs() < 0.3, "{m:?}");
        assert!((m.b + 0.3).abs() < 0.05, "{m:?}");
        assert!(m.sigma > 0.4 && m.sigma < 0.8, "uniform ±1 noise has sd 0.58: {m:?}");
        assert_eq!(m.series, 200);
        let (mid, low, high) = m.expected(20.0, 4);
        assert!((mid - (20.0 + 4f64.ln() * (m.a + m.b * (20.0 - m.centre)))).abs() < 1e-9 && low < mid && mid < high);
        assert!(m.off_track(20.0, 4, low - 0.1, true) && !m.off_track(20.0, 4, mid, true));
        assert!(fit(&series[..MODEL_MIN_SERIES - 1]).is_none(), "too few series");
    }
}
