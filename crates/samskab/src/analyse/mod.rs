//! `samskab analyse …`: the analysis engines on exported files, for analysts. Output is
//! JSON (`--format json`, a fixed contract) or a summary for a person in the operator's
//! language. A bad file is reported with file, line and column and exit code 2.

mod groups;
mod opinions;
mod themes;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};

#[derive(Subcommand)]
pub enum Analyse {
    /// Opinion groups the Pol.is way: PCA of the votes, groups, representative statements,
    /// consensus. Votes in Pol.is' export format (agree = 1, disagree = -1, pass = 0).
    Opinions {
        /// votes.csv: timestamp,datetime,comment-id,voter-id,vote (a later vote replaces an earlier one).
        #[arg(long, conflicts_with = "matrix", required_unless_present = "matrix")]
        votes: Option<PathBuf>,
        /// participants-votes.csv instead of --votes: one row per participant, one column per statement.
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// comments.csv: statement texts; moderated = -1 (and is-meta) leaves a statement out.
        #[arg(long)]
        comments: Option<PathBuf>,
        /// Groups to describe instead of finding them: a CSV with columns participant,group.
        #[arg(long)]
        groups: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Themes in free text: each input's nearest neighbours by character n-grams, themes
    /// on the neighbour graph, a label per theme from the terms that set it apart, in the
    /// words people used; examples and near-duplicates.
    Themes {
        /// A CSV file (or TSV by the .tsv extension) with a header.
        #[arg(long)]
        input: PathBuf,
        /// The column holding the text.
        #[arg(long)]
        text_column: String,
        /// The number of themes (default: chosen by modularity on the neighbour graph, 2 to √(n/2), at most 30).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=500))]
        k: Option<u32>,
        /// Pinned themes: a CSV with row,theme (0-based data rows); rows with the same theme
        /// name stay together in a theme of that name.
        #[arg(long)]
        pins: Option<PathBuf>,
        /// The JSON an earlier run printed (--format json) for the same inputs, new ones
        /// added at the end: the rerun starts from its themes, keeps their number (unless
        /// --k) and their ids.
        #[arg(long)]
        previous: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Form cohorts (--size 20-24), learning groups (--size 4-6) or buddy pairs (--size 2)
    /// from a CSV of people with an `id` column, mixing units and roles. A `group` column
    /// locks a person into that group (0-based, as in the output).
    Groups {
        /// people.csv: id plus the columns named by --mix (e.g. unit, role).
        #[arg(long)]
        people: PathBuf,
        /// Group size, MIN-MAX (e.g. 4-6) or one number.
        #[arg(long)]
        size: String,
        /// A column whose values should differ within a group (repeatable; the first weighs
        /// most). Default: the `unit` column, if there is one.
        #[arg(long)]
        mix: Vec<String>,
        /// Two ids that must be in the same group: A,B (repeatable).
        #[arg(long)]
        together: Vec<String>,
        /// Two ids that must be in different groups: A,B (repeatable).
        #[arg(long)]
        apart: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary for a person.
    Text,
    /// The JSON contract in docs/analysis.md.
    Json,
}

pub fn run(what: Analyse, english: bool) -> anyhow::Result<ExitCode> {
    match what {
        Analyse::Opinions { votes, matrix, comments, groups, format } => finish(
            opinions::run(&opinions::Request { votes, matrix, comments, groups }),
            format,
            english,
            |o| &o.analysis,
            |o| opinions::summary(o, english),
        ),
        Analyse::Themes { input, text_column, k, pins, previous, format } => finish(
            themes::run(&themes::Args { input, text_column, k: k.map(|k| k as usize), pins, previous }),
            format,
            english,
            |(_, outcome)| outcome,
            |(texts, outcome)| themes::summary(texts, outcome, english),
        ),
        Analyse::Groups { people, size, mix, together, apart, format } => finish(
            groups::run(&groups::Args { people, size, mix, together, apart }),
            format,
            english,
            |(_, outcome)| outcome,
            |(req, outcome)| groups::summary(req, outcome, english),
        ),
    }
}

/// Prints a result as JSON or as a summary; a bad input becomes its message and exit code 2.
fn finish<T, J: serde::Serialize>(
    result: Result<T, app::platform::formats::FileError>,
    format: Format,
    english: bool,
    json: impl Fn(&T) -> &J,
    text: impl Fn(&T) -> String,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(outcome) => {
            match format {
                Format::Json => println!("{}", serde_json::to_string(json(&outcome))?),
                Format::Text => print!("{}", text(&outcome)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}", e.render(if english { "en" } else { "da" }));
            Ok(ExitCode::from(2))
        }
    }
}
