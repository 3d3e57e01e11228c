//! `samskab analyse themes`: themes in a column of free text.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use analysis::themes::{Outcome, Pin, Request, themes};

use app::platform::formats::polis::{InputError, Table};

pub struct Args {
    pub input: PathBuf,
    pub text_column: String,
    pub k: Option<usize>,
    pub pins: Option<PathBuf>,
    pub previous: Option<PathBuf>,
}

/// The `assignments` of an earlier run's JSON output; new inputs come after its rows.
fn read_previous(path: &Path, rows: usize) -> Result<Vec<i64>, InputError> {
    #[derive(serde::Deserialize)]
    struct Earlier {
        assignments: Vec<i64>,
    }
    let bytes = std::fs::read(path).map_err(|e| app::platform::formats::polis::cannot_read(path, &e))?;
    let earlier: Earlier = serde_json::from_slice(&bytes).map_err(|e| {
        InputError::new(
            path,
            Some(e.line() as u64),
            Some(e.column()),
            format!("er ikke JSON fra en tidligere kørsel med --format json: {e}"),
            format!("is not the JSON of an earlier run with --format json: {e}"),
        )
    })?;
    if earlier.assignments.len() > rows {
        return Err(InputError::new(
            path,
            None,
            None,
            format!(
                "den tidligere kørsel havde {} input, denne har {rows}; nye input skal stå efter de tidligere",
                earlier.assignments.len()
            ),
            format!(
                "the earlier run had {} inputs, this one {rows}; new inputs must come after the earlier ones",
                earlier.assignments.len()
            ),
        ));
    }
    Ok(earlier.assignments)
}

/// `row,theme`: rows (0-based data rows) with the same theme name form one pinned theme.
fn read_pins(path: &Path, rows: usize) -> Result<Vec<Pin>, InputError> {
    let t = Table::read(path)?;
    let row = t.require(&["row", "række"])?;
    let theme = t.require(&["theme", "tema"])?;
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (line, r) in &t.rows {
        let n = r[row].trim().parse::<usize>().ok().filter(|n| *n < rows).ok_or_else(|| {
            t.error(
                *line,
                row,
                format!("«{}» er ikke et rækkenummer mellem 0 og {}", r[row], rows.saturating_sub(1)),
                format!("«{}» is not a row number between 0 and {}", r[row], rows.saturating_sub(1)),
            )
        })?;
        let name = r[theme].trim();
        if name.is_empty() {
            return Err(t.error(*line, theme, "temaets navn mangler", "the theme's name is missing"));
        }
        by_name.entry(name.to_string()).or_default().push(n);
    }
    Ok(by_name.into_iter().map(|(name, rows)| Pin { rows, name: Some(name) }).collect())
}

pub fn run(args: &Args) -> Result<(Vec<String>, Outcome), InputError> {
    let t = Table::read(&args.input)?;
    let column = t.require(&[args.text_column.as_str()])?;
    let texts: Vec<String> = t.rows.iter().map(|(_, r)| r[column].clone()).collect();
    let pins = match &args.pins {
        Some(p) => read_pins(p, texts.len())?,
        None => Vec::new(),
    };
    let previous = match &args.previous {
        Some(p) => read_previous(p, texts.len())?,
        None => Vec::new(),
    };
    let outcome = themes(&Request { texts: texts.clone(), k: args.k, pins, previous });
    Ok((texts, outcome))
}

pub fn summary(texts: &[String], o: &Outcome, english: bool) -> String {
    let mut s = String::new();
    let unassigned = o.assignments.iter().filter(|a| **a < 0).count();
    let _ = if english {
        writeln!(s, "{} themes in {} inputs ({unassigned} without content words).", o.themes.len(), texts.len())
    } else {
        writeln!(s, "{} temaer i {} input ({unassigned} uden indholdsord).", o.themes.len(), texts.len())
    };
    for t in &o.themes {
        let _ = writeln!(s);
        let _ = writeln!(s, "{}. {} ({} {})", t.id + 1, t.label, t.size, if english { "inputs" } else { "input" });
        let _ = writeln!(s, "   {}: {}", if english { "terms" } else { "ord" }, t.terms.join(", "));
        for &e in &t.examples {
            let text: String = texts[e].chars().take(100).collect();
            let _ = writeln!(s, "   – {}", text.trim());
        }
        if !t.duplicates.is_empty() {
            let n: usize = t.duplicates.iter().map(Vec::len).sum();
            let _ = if english {
                writeln!(s, "   {n} inputs in {} groups of near-duplicates", t.duplicates.len())
            } else {
                writeln!(s, "   {n} input i {} grupper af næsten ens svar", t.duplicates.len())
            };
        }
    }
    s
}
