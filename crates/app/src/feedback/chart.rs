//! Charts drawn on the server as SVG (no JavaScript): a series with the expected band and
//! line, the cut-off, the subject's own scores as a line and each collateral rater's as dots;
//! and a round's funnel plot.

use super::aggregates::{Funnel, Z95, Z998};
use super::api::SeriesJson;
use super::views::{Chart, FunnelChart};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 260;
/// Room for the axis labels on the left and at the bottom.
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 10.0;
const RIGHT: f64 = 16.0;

/// Draws a series on a scale from `low` to `high`.
pub fn draw(view: &SeriesJson, (low, high): (f64, f64)) -> Chart {
    let last =
        view.scores.iter().map(|r| r.session).chain(view.expected.iter().map(|b| b.session)).max().unwrap_or(1).max(2);
    let span = if high > low { high - low } else { 1.0 };
    let x = |session: i32| LEFT + (f64::from(session) - 1.0) / f64::from(last - 1) * (f64::from(WIDTH) - LEFT - RIGHT);
    let y = |score: f64| TOP + (1.0 - ((score - low) / span).clamp(0.0, 1.0)) * (f64::from(HEIGHT) - TOP - BOTTOM);
    let pair = |(a, b): (f64, f64)| format!("{a:.1},{b:.1}");
    let band: Vec<String> = view
        .expected
        .iter()
        .map(|b| pair((x(b.session), y(b.high))))
        .chain(view.expected.iter().rev().map(|b| pair((x(b.session), y(b.low)))))
        .collect();
    let expected: Vec<String> = view.expected.iter().map(|b| pair((x(b.session), y(b.expected)))).collect();
    let own: Vec<(f64, f64)> =
        view.scores.iter().filter(|r| r.rater == "self").map(|r| (x(r.session), y(r.score))).collect();
    let others: Vec<(f64, f64)> =
        view.scores.iter().filter(|r| r.rater != "self").map(|r| (x(r.session), y(r.score))).collect();
    let ticks = 4;
    Chart {
        width: WIDTH,
        height: HEIGHT,
        band: band.join(" "),
        expected: expected.join(" "),
        line: own.iter().map(|p| pair(*p)).collect::<Vec<_>>().join(" "),
        points: own,
        others,
        cutoff: view.cutoff.map(y),
        x_ticks: (1..=last).map(|s| (x(s), s.to_string())).collect(),
        y_ticks: (0..=ticks)
            .map(|i| {
                let v = low + span * f64::from(i) / f64::from(ticks);
                (y(v), format!("{v:.0}"))
            })
            .collect(),
    }
}

/// A round's funnel plot on a scale from `low` to `high`: each unit's mean against its
/// number of answers, the organisation's mean as the centre line and the 95 % and 99.8 %
/// limits narrowing as units grow. None when the organisation's figure is hidden or no
/// unit's is shown.
pub fn funnel(tr: &crate::platform::i18n::Tr, plot: &Funnel, (low, high): (f64, f64)) -> Option<FunnelChart> {
    let centre = plot.mean?;
    let most = plot.points.iter().map(|p| p.n).max()?.max(2) as f64;
    let span = if high > low { high - low } else { 1.0 };
    let x = |n: f64| LEFT + n / most * (f64::from(WIDTH) - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - ((v - low) / span).clamp(0.0, 1.0)) * (f64::from(HEIGHT) - TOP - BOTTOM);
    // Each curve from n = 2 (one answer is never shown) to the largest unit.
    let curve = |z: f64, upper: bool| -> String {
        (0..=48)
            .filter_map(|i| {
                let n = 2.0 + (most - 2.0) * f64::from(i) / 48.0;
                let (lo, hi) = plot.limits(n, z)?;
                Some(format!("{:.1},{:.1}", x(n), y(if upper { hi } else { lo })))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let outside: Vec<&str> = plot.points.iter().filter(|p| p.position != "within").map(|p| p.name.as_str()).collect();
    let summary = if outside.is_empty() {
        tr.t1("feedback-funnel-all-within", "count", plot.points.len())
    } else {
        let units = outside.join(", ");
        tr.ta("feedback-funnel-outside", &[("count", &outside.len()), ("units", &units)])
    };
    let ticks = 4;
    Some(FunnelChart {
        width: WIDTH,
        height: HEIGHT,
        centre: y(centre),
        limits95: (curve(Z95, false), curve(Z95, true)),
        limits998: (curve(Z998, false), curve(Z998, true)),
        points: plot.points.iter().map(|p| (x(p.n as f64), y(p.mean), p.position != "within")).collect(),
        x_ticks: (0..=ticks)
            .map(|i| {
                let n = most * f64::from(i) / f64::from(ticks);
                (x(n), format!("{n:.0}"))
            })
            .collect(),
        y_ticks: (0..=ticks)
            .map(|i| {
                let v = low + span * f64::from(i) / f64::from(ticks);
                (y(v), tr.decimal(v, 1))
            })
            .collect(),
        summary,
    })
}
