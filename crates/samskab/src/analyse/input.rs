//! Reading the analysts' files: Pol.is exports (votes, comments, the wide
//! participants-votes matrix) and group files. Every problem names file, line and column.

use std::collections::HashMap;
use std::path::Path;

use analysis::opinions::{Options, Votes};

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

const BOM: &[u8] = "\u{feff}".as_bytes();

/// A delimited file: CSV, or TSV (unquoted) by the `.tsv` extension; spaces after delimiters are
/// tolerated and a UTF-8 BOM is skipped.
pub struct Table {
    pub path: std::path::PathBuf,
    pub headers: Vec<String>,
    /// (line number, fields) per data row.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// The same file read row by row, for exports too large to hold as strings (a vote
/// export can have millions of rows).
pub struct Stream<'a> {
    pub path: std::path::PathBuf,
    pub headers: Vec<String>,
    reader: csv::Reader<Box<dyn std::io::Read + 'a>>,
    record: csv::ByteRecord,
    line: u64,
}

impl<'a> Stream<'a> {
    pub fn open(path: &Path) -> Result<Stream<'static>> {
        use std::io::Read;
        let cannot = |e: std::io::Error| {
            InputError::new(path, None, None, format!("kan ikke læses: {e}"), format!("cannot be read: {e}"))
        };
        let mut file = std::fs::File::open(path).map_err(cannot)?;
        let mut start = Vec::with_capacity(3);
        (&mut file).take(3).read_to_end(&mut start).map_err(cannot)?;
        if start == BOM {
            start.clear();
        }
        Stream::from_reader(path, Box::new(std::io::Cursor::new(start).chain(file)))
    }

    /// Reads `source` (header line first) as if it were the file at `path`.
    fn from_reader(path: &Path, source: Box<dyn std::io::Read + 'a>) -> Result<Stream<'a>> {
        let tsv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(if tsv { b'\t' } else { b',' })
            // TSV has no quoting: a quote is part of the text.
            .quoting(!tsv)
            .trim(csv::Trim::Headers)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(source);
        let headers: Vec<String> =
            reader.headers().map_err(|e| csv_error(path, &e))?.iter().map(|h| h.trim().to_string()).collect();
        if headers.iter().all(String::is_empty) {
            return Err(InputError::new(path, Some(1), None, "filen er tom", "the file is empty"));
        }
        Ok(Stream { path: path.to_path_buf(), headers, reader, record: csv::ByteRecord::new(), line: 1 })
    }

    pub fn width(&self) -> usize {
        self.record.len()
    }
}

/// Rows of a delimited file, read one at a time: the csv crate's reader ([`Stream`]) or,
/// for large quote-free files read in parts, [`super::lines::Lines`].
pub trait Rows {
    fn path(&self) -> &Path;
    fn headers(&self) -> &[String];

    /// Moves to the next data row and returns its line number; blank rows are skipped, a
    /// row with another number of fields than the header is an error.
    fn next_row(&mut self) -> Result<Option<u64>>;

    /// Field `i` of the current row, without surrounding spaces.
    fn field(&self, i: usize) -> Result<&str>;

    /// The index of the first of `names` the header has.
    fn column(&self, names: &[&str]) -> Option<usize> {
        column(self.headers(), names)
    }

    fn require(&self, names: &[&str]) -> Result<usize> {
        require(self.path(), self.headers(), names)
    }
}

impl Rows for Stream<'_> {
    fn path(&self) -> &Path {
        &self.path
    }

    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_row(&mut self) -> Result<Option<u64>> {
        loop {
            if !self.reader.read_byte_record(&mut self.record).map_err(|e| csv_error(&self.path, &e))? {
                return Ok(None);
            }
            self.line = self.record.position().map_or(0, |p| p.line());
            let fields = self.record.len();
            let width = self.headers.len();
            let blank = self.record.iter().all(|f| f.trim_ascii().is_empty());
            if fields != width && !(fields == 1 && blank) {
                return Err(width_error(&self.path, self.line, fields, width));
            }
            if !blank {
                return Ok(Some(self.line));
            }
        }
    }

    fn field(&self, i: usize) -> Result<&str> {
        std::str::from_utf8(self.record[i].trim_ascii()).map_err(|_| utf8_error(&self.path, self.line, i))
    }
}

/// A row whose number of fields differs from the header's.
pub fn width_error(path: &Path, line: u64, fields: usize, width: usize) -> InputError {
    InputError::new(
        path,
        Some(line),
        Some(fields.min(width) + 1),
        format!("rækken har {fields} felter, overskriften {width}"),
        format!("the row has {fields} fields, the header {width}"),
    )
}

/// Field `i` (0-based) of a row is not UTF-8.
pub fn utf8_error(path: &Path, line: u64, i: usize) -> InputError {
    InputError::new(path, Some(line), Some(i + 1), "teksten er ikke gyldig UTF-8", "the text is not valid UTF-8")
}

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
}

fn require(path: &Path, headers: &[String], names: &[&str]) -> Result<usize> {
    column(headers, names).ok_or_else(|| {
        InputError::new(
            path,
            Some(1),
            None,
            format!("kolonnen «{}» mangler i overskriften", names[0]),
            format!("the header has no «{}» column", names[0]),
        )
    })
}

impl Table {
    pub fn read(path: &Path) -> Result<Table> {
        let mut stream = Stream::open(path)?;
        let mut rows = Vec::new();
        while let Some(line) = stream.next_row()? {
            let fields = (0..stream.width()).map(|i| stream.field(i).map(str::to_string)).collect::<Result<_>>()?;
            rows.push((line, fields));
        }
        Ok(Table { path: stream.path, headers: stream.headers, rows })
    }

    /// The index of the first of `names` the header has.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        column(&self.headers, names)
    }

    pub fn require(&self, names: &[&str]) -> Result<usize> {
        require(&self.path, &self.headers, names)
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

fn parse_vote(path: &Path, line: u64, column: usize, raw: &str) -> Result<i8> {
    match raw {
        "1" | "1.0" | "+1" => Ok(1),
        "-1" | "-1.0" => Ok(-1),
        "0" | "0.0" | "-0" => Ok(0),
        other => Err(InputError::new(
            path,
            Some(line),
            Some(column + 1),
            format!("«{other}» er ikke en stemme (1 = enig, -1 = uenig, 0 = spring over)"),
            format!("«{other}» is not a vote (1 = agree, -1 = disagree, 0 = pass)"),
        )),
    }
}

fn non_empty<'a>(path: &Path, line: u64, column: usize, raw: &'a str, what_da: &str, what_en: &str) -> Result<&'a str> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(InputError::new(
            path,
            Some(line),
            Some(column + 1),
            format!("{what_da} mangler"),
            format!("the {what_en} is missing"),
        ));
    }
    Ok(v)
}

/// Files from this size are read by two threads when they can be split safely.
const PARALLEL_BYTES: usize = 8 << 20;

/// Pol.is votes export: `timestamp,datetime,comment-id,voter-id,vote` (agree = +1). A large
/// file without quotes (as Pol.is writes it) is split at the line break nearest its middle
/// and the halves are read by two threads; otherwise it is read row by row.
pub fn votes(path: &Path) -> Result<Votes> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size < PARALLEL_BYTES as u64 {
        return votes_from(Stream::open(path)?, 0);
    }
    let bytes = read_in_two(path, size).map_err(|e| {
        InputError::new(path, None, None, format!("kan ikke læses: {e}"), format!("cannot be read: {e}"))
    })?;
    votes_in(path, bytes.strip_prefix(BOM).unwrap_or(&bytes), true)
}

/// The whole file, its two halves read by two threads (copying a large file out of the
/// page cache takes as long as parsing a third of it).
fn read_in_two(path: &Path, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let size = usize::try_from(size).map_err(std::io::Error::other)?;
    let mut bytes = vec![0u8; size];
    let (first, second) = bytes.split_at_mut(size / 2);
    let mut file = std::fs::File::open(path)?;
    let mut other = file.try_clone()?;
    let offset = first.len() as u64;
    std::thread::scope(|scope| {
        let later = scope.spawn(move || {
            other.seek(SeekFrom::Start(offset))?;
            other.read_exact(second)
        });
        file.read_exact(first)?;
        later.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    })?;
    // A file that changed size while being read: read it again in one piece.
    if file.metadata()?.len() != size as u64 {
        return std::fs::read(path);
    }
    Ok(bytes)
}

/// The votes in a file's text; `split` allows reading it in two halves.
fn votes_in(path: &Path, text: &[u8], split: bool) -> Result<Votes> {
    let header_end = memchr::memchr(b'\n', text).map_or(text.len(), |i| i + 1);
    let header = Stream::from_reader(path, Box::new(&text[..header_end]))?;
    // Quotes or carriage returns need the full CSV grammar; without a time column the row
    // number orders the votes, which the halves would have to carry over.
    if !split || memchr::memchr2(b'"', b'\r', text).is_some() || header.column(&["timestamp", "modified"]).is_none() {
        return votes_from(Stream::from_reader(path, Box::new(text))?, 0);
    }
    let delimiter = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv")) { b'\t' } else { b',' };
    let body = &text[header_end..];
    let middle = body.len() / 2;
    let (first, second) = body.split_at(memchr::memchr(b'\n', &body[middle..]).map_or(body.len(), |i| middle + i + 1));
    let headers = &header.headers;
    let (first, second) = std::thread::scope(|scope| {
        let later = scope.spawn(|| {
            let lines_before = memchr::memchr_iter(b'\n', first).count() as u64;
            let lines = memchr::memchr_iter(b'\n', second).count() + 1;
            votes_from(super::lines::Lines::new(path, headers, delimiter, second, 2 + lines_before), lines)
        });
        let lines = memchr::memchr_iter(b'\n', first).count() + 1;
        let first = votes_from(super::lines::Lines::new(path, headers, delimiter, first, 2), lines);
        (first, later.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let mut votes = first?;
    votes.append(&second?);
    Ok(votes)
}

/// The votes of one stream of at most `lines` rows (0 if not known).
fn votes_from(mut rows: impl Rows, lines: usize) -> Result<Votes> {
    let statement = rows.require(&["comment-id", "statement-id", "tid"])?;
    let voter = rows.require(&["voter-id", "participant", "pid"])?;
    let vote = rows.require(&["vote"])?;
    let timestamp = rows.column(&["timestamp", "modified"]);
    let path = rows.path().to_path_buf();
    let mut out = Votes::with_capacity(lines);
    let mut index = 0i64;
    while let Some(line) = rows.next_row()? {
        let ts = match timestamp {
            Some(c) => {
                let raw = rows.field(c)?;
                parse_timestamp(raw).ok_or_else(|| {
                    InputError::new(
                        &path,
                        Some(line),
                        Some(c + 1),
                        format!("«{raw}» er ikke et tidsstempel"),
                        format!("«{raw}» is not a timestamp"),
                    )
                })?
            }
            None => index,
        };
        out.push(
            non_empty(&path, line, voter, rows.field(voter)?, "deltageren", "participant")?,
            non_empty(&path, line, statement, rows.field(statement)?, "udsagnet", "statement")?,
            parse_vote(&path, line, vote, rows.field(vote)?)?,
            ts,
        );
        index += 1;
    }
    Ok(out)
}

/// Milliseconds since 1970 as Pol.is writes them; a fraction is tolerated.
fn parse_timestamp(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().or_else(|| raw.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64))
}

/// The wide `participants-votes.csv`: one row per participant, one column per statement,
/// empty = not voted. Rows keep the file's order.
pub fn matrix(path: &Path) -> Result<Votes> {
    const NOT_STATEMENTS: [&str; 7] =
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", "xid"];
    let mut rows = Stream::open(path)?;
    let participant = rows.require(&["participant", "voter-id"])?;
    let headers = rows.headers.clone();
    let statements: Vec<usize> =
        (0..headers.len()).filter(|&c| !NOT_STATEMENTS.iter().any(|n| headers[c].eq_ignore_ascii_case(n))).collect();
    let path = rows.path.clone();
    let mut out = Votes::new();
    let mut index = 0i64;
    while let Some(line) = rows.next_row()? {
        let p = non_empty(&path, line, participant, rows.field(participant)?, "deltageren", "participant")?;
        for &c in &statements {
            let raw = rows.field(c)?;
            if raw.is_empty() {
                continue;
            }
            out.push(p, &headers[c], parse_vote(&path, line, c, raw)?, index);
        }
        index += 1;
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
        let tid = non_empty(&t.path, *line, id, &row[id], "udsagnets id", "statement id")?.to_string();
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
            non_empty(&t.path, *line, participant, &row[participant], "deltageren", "participant")?.to_string(),
            row[group].trim().to_string(),
        ));
    }
    if out.is_empty() {
        return Err(InputError::new(path, None, None, "filen har ingen grupper", "the file has no groups"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(rows: usize, bad_at: Option<usize>) -> String {
        let mut text = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
        for i in 0..rows {
            let vote = if Some(i) == bad_at { "maybe" } else { ["1", "-1", "0"][i % 3] };
            // Repeated (voter, statement) pairs, so the latest vote must win across halves.
            text.push_str(&format!("{},,{},{},{vote}\n", 1000 + i / 2, i % 17, i % 101));
            if i % 250 == 0 {
                text.push('\n');
            }
        }
        text
    }

    #[test]
    fn halves_read_the_same_votes_as_one_pass() {
        let path = Path::new("votes.csv");
        let text = export(5_000, None);
        let split = votes_in(path, text.as_bytes(), true).expect("split");
        let whole = votes_in(path, text.as_bytes(), false).expect("whole");
        assert_eq!(split.len(), 5_000);
        assert!(split == whole, "the halves must give the votes of one pass, in the same order");
    }

    #[test]
    fn an_error_in_the_second_half_names_its_line_in_the_file() {
        let path = Path::new("votes.csv");
        let text = export(5_000, Some(4_000));
        let split = votes_in(path, text.as_bytes(), true).expect_err("bad vote");
        let whole = votes_in(path, text.as_bytes(), false).expect_err("bad vote");
        assert_eq!((split.line, split.column), (whole.line, whole.column));
        let line = text.lines().position(|l| l.ends_with(",maybe")).expect("bad line") as u64 + 1;
        assert_eq!((split.line, split.column), (Some(line), Some(5)));
    }

    #[test]
    fn quoted_files_are_read_whole() {
        let path = Path::new("votes.csv");
        let text = export(3_000, None).replacen(",,", ",\"Wed, Jun 18\",", 1);
        let votes = votes_in(path, text.as_bytes(), true).expect("quoted");
        assert_eq!(votes.len(), 3_000);
    }
}
