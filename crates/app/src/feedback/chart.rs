//! A series drawn on the server as SVG (no JavaScript): the expected band and line, the
//! cut-off, the subject's own scores as a line and each collateral rater's as dots.

use super::api::SeriesJson;
use super::views::Chart;

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
