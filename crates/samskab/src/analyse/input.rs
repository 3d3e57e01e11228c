//! Reading the analysts' files: Pol.is exports (votes, comments, the wide
//! participants-votes matrix) and group files. Every problem names file, line and column.

use std::collections::HashMap;
use std::path::Path;

use analysis::opinions::{Options, Vote};

/// A problem in an input file, in both languages.
#[derive(Debug)]
pub struct InputError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<usize>,
    pub da: String,
    pub en: String,
}

impl InputError {
    pub fn new(
        file: &Path,
        line: Option<u64>,
        column: Option<usize>,
        da: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        InputError { file: file.display().to_string(), line, column, da: da.into(), en: en.into() }
    }

    pub fn render(&self, english: bool) -> String {
        let mut at = self.file.clone();
        if let Some(l) = self.line {
            at.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                at.push_str(&format!(":{c}"));
            }
        }
        let (line_word, col_word) = if english { ("line", "column") } else { ("linje", "kolonne") };
        let place = match (self.line, self.column) {
            (Some(l), Some(c)) => format!(" ({line_word} {l}, {col_word} {c})"),
            (Some(l), None) => format!(" ({line_word} {l})"),
            _ => String::new(),
        };
        format!("{at}: {}{place}", if english { &self.en } else { &self.da })
    }
}

pub type Result<T> = std::result::Result<T, InputError>;

/// A delimited file: CSV, or TSV (unquoted) by the `.tsv` extension; spaces after delimiters are
/// tolerated and a UTF-8 BOM is skipped.
pub struct Table {
    pub path: std::path::PathBuf,
    pub headers: Vec<String>,
    /// (line number, fields) per data row.
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    pub fn read(path: &Path) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|e| {
            InputError::new(path, None, None, format!("kan ikke læses: {e}"), format!("cannot be read: {e}"))
        })?;
        let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
        let tsv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(if tsv { b'\t' } else { b',' })
            // TSV has no quoting: a quote is part of the text.
            .quoting(!tsv)
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(bytes);
        let headers: Vec<String> =
            reader.headers().map_err(|e| csv_error(path, &e))?.iter().map(|h| h.trim().to_string()).collect();
        if headers.iter().all(String::is_empty) {
            return Err(InputError::new(path, Some(1), None, "filen er tom", "the file is empty"));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(path, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != headers.len() && !(record.len() == 1 && record[0].is_empty()) {
                return Err(InputError::new(
                    path,
                    Some(line),
                    Some(record.len().min(headers.len()) + 1),
                    format!("rækken har {} felter, overskriften {}", record.len(), headers.len()),
                    format!("the row has {} fields, the header {}", record.len(), headers.len()),
                ));
            }
            if record.iter().all(str::is_empty) {
                continue;
            }
            rows.push((line, record.iter().map(str::to_string).collect()));
        }
        Ok(Table { path: path.to_path_buf(), headers, rows })
    }

    /// The index of the first of `names` the header has.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    pub fn require(&self, names: &[&str]) -> Result<usize> {
        self.column(names).ok_or_else(|| {
            InputError::new(
                &self.path,
                Some(1),
                None,
                format!("kolonnen «{}» mangler i overskriften", names[0]),
                format!("the header has no «{}» column", names[0]),
            )
        })
    }

    pub fn error(&self, line: u64, column: usize, da: impl Into<String>, en: impl Into<String>) -> InputError {
        InputError::new(&self.path, Some(line), Some(column + 1), da, en)
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> InputError {
    let line = e.position().map(|p| p.line());
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => InputError::new(
            path,
            line,
            Some(err.field() + 1),
            "teksten er ikke gyldig UTF-8",
            "the text is not valid UTF-8",
        ),
        _ => InputError::new(path, line, None, format!("ugyldig CSV: {e}"), format!("invalid CSV: {e}")),
    }
}

fn parse_vote(t: &Table, line: u64, column: usize, raw: &str) -> Result<i8> {
    match raw.trim() {
        "1" | "1.0" | "+1" => Ok(1),
        "-1" | "-1.0" => Ok(-1),
        "0" | "0.0" | "-0" => Ok(0),
        other => Err(t.error(
            line,
            column,
            format!("«{other}» er ikke en stemme (1 = enig, -1 = uenig, 0 = spring over)"),
            format!("«{other}» is not a vote (1 = agree, -1 = disagree, 0 = pass)"),
        )),
    }
}

fn non_empty(t: &Table, line: u64, column: usize, raw: &str, what_da: &str, what_en: &str) -> Result<String> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(t.error(line, column, format!("{what_da} mangler"), format!("the {what_en} is missing")));
    }
    Ok(v.to_string())
}

/// Pol.is votes export: `timestamp,datetime,comment-id,voter-id,vote` (agree = +1).
pub fn votes(path: &Path) -> Result<Vec<Vote>> {
    let t = Table::read(path)?;
    let statement = t.require(&["comment-id", "statement-id", "tid"])?;
    let voter = t.require(&["voter-id", "participant", "pid"])?;
    let vote = t.require(&["vote"])?;
    let timestamp = t.column(&["timestamp", "modified"]);
    let mut out = Vec::with_capacity(t.rows.len());
    for (i, (line, row)) in t.rows.iter().enumerate() {
        let ts = match timestamp {
            Some(c) => row[c].trim().parse::<f64>().map(|f| f as i64).map_err(|_| {
                t.error(
                    *line,
                    c,
                    format!("«{}» er ikke et tidsstempel", row[c]),
                    format!("«{}» is not a timestamp", row[c]),
                )
            })?,
            None => i as i64,
        };
        out.push(Vote {
            participant: non_empty(&t, *line, voter, &row[voter], "deltageren", "participant")?,
            statement: non_empty(&t, *line, statement, &row[statement], "udsagnet", "statement")?,
            value: parse_vote(&t, *line, vote, &row[vote])?,
            timestamp: ts,
        });
    }
    Ok(out)
}

/// The wide `participants-votes.csv`: one row per participant, one column per statement,
/// empty = not voted. Rows keep the file's order.
pub fn matrix(path: &Path) -> Result<Vec<Vote>> {
    const NOT_STATEMENTS: [&str; 7] =
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", "xid"];
    let t = Table::read(path)?;
    let participant = t.require(&["participant", "voter-id"])?;
    let statements: Vec<usize> = (0..t.headers.len())
        .filter(|&c| !NOT_STATEMENTS.iter().any(|n| t.headers[c].eq_ignore_ascii_case(n)))
        .collect();
    let mut out = Vec::new();
    for (i, (line, row)) in t.rows.iter().enumerate() {
        let p = non_empty(&t, *line, participant, &row[participant], "deltageren", "participant")?;
        for &c in &statements {
            if row[c].trim().is_empty() {
                continue;
            }
            out.push(Vote {
                participant: p.clone(),
                statement: t.headers[c].clone(),
                value: parse_vote(&t, *line, c, &row[c])?,
                timestamp: i as i64,
            });
        }
    }
    Ok(out)
}

/// Statement texts and moderation from a Pol.is comments export.
pub struct Comments {
    pub texts: HashMap<String, String>,
}

pub fn comments(path: &Path, options: &mut Options) -> Result<Comments> {
    let t = Table::read(path)?;
    let id = t.require(&["comment-id", "statement-id", "tid"])?;
    let moderated = t.column(&["moderated", "mod"]);
    let meta = t.column(&["is-meta", "is_meta"]);
    let body = t.column(&["comment-body", "txt", "text"]);
    let mut texts = HashMap::new();
    for (line, row) in &t.rows {
        let tid = non_empty(&t, *line, id, &row[id], "udsagnets id", "statement id")?;
        if let Some(c) = moderated {
            match row[c].trim() {
                "-1" => {
                    options.moderated_out.insert(tid.clone());
                }
                "0" | "1" | "" => {}
                other => {
                    return Err(t.error(
                        *line,
                        c,
                        format!("«{other}» er ikke -1, 0 eller 1"),
                        format!("«{other}» is not -1, 0 or 1"),
                    ));
                }
            }
        }
        if let Some(c) = meta
            && matches!(row[c].trim().to_lowercase().as_str(), "true" | "1" | "t")
        {
            options.meta.insert(tid.clone());
        }
        if let Some(c) = body {
            texts.insert(tid, row[c].clone());
        }
    }
    Ok(Comments { texts })
}

/// `participant,group` pairs (Pol.is' `participants-votes.csv` works too, by `group-id`).
pub fn groups(path: &Path) -> Result<Vec<(String, String)>> {
    let t = Table::read(path)?;
    let participant = t.require(&["participant", "voter-id", "pid"])?;
    let group = t.require(&["group", "group-id"])?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        // An empty group means the participant is in none (as in Pol.is' exports).
        if row[group].trim().is_empty() {
            continue;
        }
        out.push((
            non_empty(&t, *line, participant, &row[participant], "deltageren", "participant")?,
            row[group].trim().to_string(),
        ));
    }
    if out.is_empty() {
        return Err(InputError::new(path, None, None, "filen har ingen grupper", "the file has no groups"));
    }
    Ok(out)
}
