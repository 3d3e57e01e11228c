//! `samskab analyse groups`: cohorts, learning groups or buddy pairs from a people list.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use analysis::groups::{Outcome, Person, Request, ViolationKind, form};

use app::platform::formats::polis::{InputError, Table};

pub struct Args {
    pub people: PathBuf,
    pub size: String,
    pub mix: Vec<String>,
    pub together: Vec<String>,
    pub apart: Vec<String>,
}

fn arg_error(da: String, en: String) -> InputError {
    InputError::new(Path::new("samskab analyse groups"), None, None, da, en)
}

/// "4-6" (or "2") into bounds.
fn parse_size(raw: &str) -> Result<(usize, usize), InputError> {
    analysis::groups::parse_size(raw).ok_or_else(|| {
        arg_error(
            format!("--size «{raw}» skal være MIN-MAKS, fx 4-6"),
            format!("--size «{raw}» must be MIN-MAX, e.g. 4-6"),
        )
    })
}

fn parse_pairs(flag: &str, raw: &[String]) -> Result<Vec<(String, String)>, InputError> {
    raw.iter()
        .map(|p| match p.split_once(',') {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
                Ok((a.trim().to_string(), b.trim().to_string()))
            }
            _ => Err(arg_error(
                format!("{flag} «{p}» skal være to id'er adskilt af komma"),
                format!("{flag} «{p}» must be two ids separated by a comma"),
            )),
        })
        .collect()
}

pub fn run(args: &Args) -> Result<(Request, Outcome), InputError> {
    let (min_size, max_size) = parse_size(&args.size)?;
    let t = Table::read(&args.people)?;
    let id = t.require(&["id"])?;
    let mut mix = args.mix.clone();
    if mix.is_empty() && t.column(&["unit", "enhed"]).is_some() {
        mix.push(t.headers[t.column(&["unit", "enhed"]).unwrap_or(0)].clone());
    }
    let mix_columns: Vec<usize> = mix.iter().map(|m| t.require(&[m.as_str()])).collect::<Result<_, _>>()?;
    let lock = t.column(&["group", "gruppe", "lock"]);
    let mut people = Vec::with_capacity(t.rows.len());
    let mut seen = std::collections::HashSet::new();
    for (line, row) in &t.rows {
        let pid = row[id].trim().to_string();
        if pid.is_empty() {
            return Err(t.error(*line, id, "id mangler", "the id is missing"));
        }
        if !seen.insert(pid.clone()) {
            return Err(t.error(*line, id, format!("id «{pid}» står to gange"), format!("id «{pid}» appears twice")));
        }
        let locked = match lock.map(|c| (c, row[c].trim())) {
            None | Some((_, "")) => None,
            Some((c, v)) => Some(v.parse::<usize>().map_err(|_| {
                t.error(*line, c, format!("«{v}» er ikke et gruppenummer"), format!("«{v}» is not a group number"))
            })?),
        };
        people.push(Person { id: pid, attributes: mix_columns.iter().map(|&c| row[c].clone()).collect(), locked });
    }
    let req = Request {
        people,
        min_size,
        max_size,
        mix,
        together: parse_pairs("--together", &args.together)?,
        apart: parse_pairs("--apart", &args.apart)?,
    };
    let outcome = form(&req);
    Ok((req, outcome))
}

/// A summary for a person.
pub fn summary(req: &Request, o: &Outcome, english: bool) -> String {
    let mut s = String::new();
    let sizes: Vec<usize> = o.groups.iter().map(|g| g.members.len()).collect();
    let (lo, hi) = (sizes.iter().min().copied().unwrap_or(0), sizes.iter().max().copied().unwrap_or(0));
    let _ = if english {
        writeln!(
            s,
            "{} people in {} groups of {lo}–{hi}. Score {:.1} (0 is perfect).",
            req.people.len(),
            o.groups.len(),
            o.score
        )
    } else {
        writeln!(
            s,
            "{} personer i {} grupper à {lo}–{hi}. Score {:.1} (0 er perfekt).",
            req.people.len(),
            o.groups.len(),
            o.score
        )
        .map(|_| ())
    };
    if let Some(first) = req.mix.first() {
        let share = format!("{:.0} %", o.mixed_share * 100.0);
        let _ = if english {
            writeln!(s, "{share} of the groups have no two people with the same {first}.")
        } else {
            writeln!(s, "{share} af grupperne har ingen to med samme {first}.")
        };
    }
    for g in &o.groups {
        let _ = writeln!(s, "{} {}: {}", if english { "Group" } else { "Gruppe" }, g.id, g.members.join(", "));
    }
    for v in &o.violations {
        let why = match (v.avoidable, english) {
            (false, false) => "kan ikke undgås med disse personer og størrelser",
            (false, true) => "cannot be avoided with these people and sizes",
            (true, false) => "kunne måske undgås; prøv at køre igen med låste medlemmer",
            (true, true) => "might be avoidable; try again with members locked",
        };
        let what = match (v.kind, english) {
            (ViolationKind::Size, false) => format!("{} personer kan ikke deles i grupper på {}", v.count, v.subject),
            (ViolationKind::Size, true) => format!("{} people cannot be split into groups of {}", v.count, v.subject),
            (ViolationKind::SameValue, false) => {
                format!("{} par med samme {} i {} grupper", v.count, v.subject, v.groups.len())
            }
            (ViolationKind::SameValue, true) => {
                format!("{} pairs with the same {} in {} groups", v.count, v.subject, v.groups.len())
            }
            (ViolationKind::Together, false) => format!("{} skulle have været sammen", v.subject),
            (ViolationKind::Together, true) => format!("{} should have been together", v.subject),
            (ViolationKind::Apart, false) => format!("{} skulle have været adskilt", v.subject),
            (ViolationKind::Apart, true) => format!("{} should have been apart", v.subject),
        };
        let _ = writeln!(s, "! {what}: {why}.");
    }
    s
}
