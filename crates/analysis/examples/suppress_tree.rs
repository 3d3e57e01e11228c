//! Times suppression for a synthetic municipality tree: `cargo run --release -p analysis
//! --example suppress_tree -- UNITS` (the feedback benchmark runs the same on real shapes).

use analysis::rng::SplitMix64;
use analysis::suppression::{suppress, tree};

fn main() {
    let units: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1700);
    let mut rng = SplitMix64(5);
    // A municipality-like tree: a few levels, wide at the bottom.
    let parents: Vec<Option<usize>> =
        (0..units).map(|u| if u == 0 { None } else { Some(rng.below(u.min(1 + u / 8)).min(u - 1)) }).collect();
    let own: Vec<u64> = (0..units).map(|_| [0, 1, 2, 3, 4, 6, 8, 10, 14, 20][rng.below(10)]).collect();
    let start = std::time::Instant::now();
    let (figures, parts) = tree(&parents, &own, 5);
    let out = suppress(&figures, &parts, 5);
    let hidden = out.iter().filter(|h| h.is_some()).count();
    println!(
        "{units} units, {} figures, {} parts: {hidden} hidden, {:.1} ms",
        figures.len(),
        parts.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
}
