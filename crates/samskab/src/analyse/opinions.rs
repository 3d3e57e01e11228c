//! `samskab analyse opinions`: Pol.is opinion groups from exported votes.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::PathBuf;

use analysis::opinions::stats::Direction;
use analysis::opinions::{Analysis, Options, analyse};

use app::platform::formats::polis::{self as input, InputError};

pub struct Request {
    pub votes: Option<PathBuf>,
    pub matrix: Option<PathBuf>,
    pub comments: Option<PathBuf>,
    pub groups: Option<PathBuf>,
}

pub struct Outcome {
    pub analysis: Analysis,
    pub texts: HashMap<String, String>,
}

pub fn run(req: &Request) -> Result<Outcome, InputError> {
    let mut options = Options::default();
    let texts = match &req.comments {
        Some(path) => input::comments(path, &mut options)?.texts,
        None => HashMap::new(),
    };
    let votes = match (&req.votes, &req.matrix) {
        (Some(path), _) => input::votes(path)?,
        (None, Some(path)) => input::matrix(path)?,
        (None, None) => {
            return Err(InputError::new(
                std::path::Path::new("samskab analyse opinions"),
                None,
                None,
                "angiv --votes eller --matrix",
                "give --votes or --matrix",
            ));
        }
    };
    if let Some(path) = &req.groups {
        options.groups = Some(input::groups(path)?);
    }
    let (analysis, _) = analyse(&votes, &options, None);
    Ok(Outcome { analysis, texts })
}

fn percent(p: f64) -> String {
    format!("{:.0} %", p * 100.0)
}

/// A statement as a person reads it: its id and, when known, the start of its text.
fn statement(texts: &HashMap<String, String>, id: &str) -> String {
    match texts.get(id) {
        Some(t) if !t.trim().is_empty() => {
            let short: String = t.chars().take(90).collect();
            let ellipsis = if t.chars().count() > 90 { "…" } else { "" };
            format!("{id}: «{}{ellipsis}»", short.trim())
        }
        _ => id.to_string(),
    }
}

/// A summary for a person, in Danish or English.
pub fn summary(o: &Outcome, english: bool) -> String {
    let a = &o.analysis;
    let t = |da: &str, en: &str| if english { en.to_string() } else { da.to_string() };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        if english {
            format!(
                "Opinion groups: {} participants, {} statements, {} clustered.",
                a.participants,
                a.statements,
                a.in_conv.len()
            )
        } else {
            format!(
                "Meningsgrupper: {} deltagere, {} udsagn, {} med i grupperingen.",
                a.participants,
                a.statements,
                a.in_conv.len()
            )
        }
    );
    if let Some(c) = &a.clustering {
        let tried: Vec<String> = c.silhouette.iter().map(|(k, v)| format!("k={k}: {v:.2}")).collect();
        let _ = writeln!(
            s,
            "{}",
            if english {
                format!("{} groups from {} base clusters (silhouette {}).", c.k, c.base_clusters, tried.join(", "))
            } else {
                format!("{} grupper ud fra {} grundklynger (silhuet {}).", c.k, c.base_clusters, tried.join(", "))
            }
        );
    }
    for g in &a.groups {
        let name = g.name.clone().unwrap_or_else(|| (g.id + 1).to_string());
        let _ = writeln!(s);
        let _ =
            writeln!(s, "{} {name} ({} {}):", t("Gruppe", "Group"), g.members.len(), t("deltagere", "participants"));
        if g.repness.is_empty() {
            let _ = writeln!(s, "  {}", t("ingen udsagn skiller gruppen ud", "no statement sets the group apart"));
        }
        for r in &g.repness {
            let verb = match (r.stats.direction, english) {
                (Direction::Agree, false) => "enig",
                (Direction::Disagree, false) => "uenig",
                (Direction::Agree, true) => "agree",
                (Direction::Disagree, true) => "disagree",
            };
            let times = format!("{:.1}", r.stats.r);
            let line = if english {
                format!(
                    "  {verb} with {} ({} of the group; {times} times the share among the others)",
                    statement(&o.texts, &r.statement.0),
                    percent(r.stats.p)
                )
            } else {
                format!(
                    "  {verb} i {} ({} af gruppen; {} gange så stor en andel som blandt de andre)",
                    statement(&o.texts, &r.statement.0),
                    percent(r.stats.p),
                    times.replace('.', ",")
                )
            };
            let _ = writeln!(s, "{line}");
        }
    }
    for (list, da, en) in [
        (&a.consensus.agree, "Fælles enighed", "Agreed across groups"),
        (&a.consensus.disagree, "Fælles uenighed", "Disagreed across groups"),
    ] {
        if !list.is_empty() {
            let _ = writeln!(s);
            let _ = writeln!(s, "{}:", t(da, en));
            for id in list {
                let _ = writeln!(s, "  {}", statement(&o.texts, &id.0));
            }
        }
    }
    s
}
