//! Reading the analysts' files: Pol.is exports (votes, comments, the wide
//! participants-votes matrix), group files and plain delimited tables. Every problem names
//! file, line and column ([`FileError`]).

use std::collections::HashMap;
use std::path::Path;

use analysis::opinions::{NotUtf8, Options, Votes};

pub use super::FileError as InputError;
use super::lines;

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
        let cannot = |e: std::io::Error| cannot_read(path, &e);
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
        let tsv = is_tsv(path);
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
/// for quote-free vote exports, [`super::lines::Lines`].
pub trait Rows {
    fn path(&self) -> &Path;
    fn headers(&self) -> &[String];

    /// Moves to the next data row and returns its line number; blank rows are skipped, a
    /// row with another number of fields than the header is an error.
    fn next_row(&mut self) -> Result<Option<u64>>;

    /// The file line of the current row.
    fn line(&self) -> u64;

    /// Field `i` of the current row as bytes, without surrounding ASCII spaces.
    fn bytes(&self, i: usize) -> &[u8];

    /// Field `i` of the current row, without surrounding spaces.
    fn field(&self, i: usize) -> Result<&str> {
        std::str::from_utf8(self.bytes(i)).map_err(|_| utf8_error(self.path(), self.line(), i))
    }

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

    fn line(&self) -> u64 {
        self.line
    }

    fn bytes(&self, i: usize) -> &[u8] {
        self.record[i].trim_ascii()
    }
}

/// TSV (tab-separated, unquoted) by the `.tsv` extension, CSV otherwise.
fn is_tsv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
}

/// The file cannot be read (any more).
pub fn cannot_read(path: &Path, e: &std::io::Error) -> InputError {
    InputError::new(path, None, None, format!("kan ikke læses: {e}"), format!("cannot be read: {e}"))
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

fn parse_vote(path: &Path, line: u64, column: usize, raw: &[u8]) -> Result<i8> {
    match raw {
        b"1" | b"1.0" | b"+1" => Ok(1),
        b"-1" | b"-1.0" => Ok(-1),
        b"0" | b"0.0" | b"-0" => Ok(0),
        other => {
            let other = String::from_utf8_lossy(other);
            Err(InputError::new(
                path,
                Some(line),
                Some(column + 1),
                format!("«{other}» er ikke en stemme (1 = enig, -1 = uenig, 0 = spring over)"),
                format!("«{other}» is not a vote (1 = agree, -1 = disagree, 0 = pass)"),
            ))
        }
    }
}

fn non_empty<'a>(path: &Path, line: u64, column: usize, raw: &'a str, what_da: &str, what_en: &str) -> Result<&'a str> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(missing(path, line, column, what_da, what_en));
    }
    Ok(v)
}

fn missing(path: &Path, line: u64, column: usize, what_da: &str, what_en: &str) -> InputError {
    InputError::new(
        path,
        Some(line),
        Some(column + 1),
        format!("{what_da} mangler"),
        format!("the {what_en} is missing"),
    )
}

/// Field `column` of the current row as an id: without surrounding spaces (Unicode ones
/// too), not empty.
fn id_bytes<'a>(rows: &'a impl Rows, column: usize, what_da: &str, what_en: &str) -> Result<&'a [u8]> {
    let raw = rows.bytes(column);
    match (raw.first(), raw.last()) {
        (Some(first), Some(last)) if first.is_ascii() && last.is_ascii() => Ok(raw),
        (None, _) | (_, None) => Err(missing(rows.path(), rows.line(), column, what_da, what_en)),
        _ => Ok(non_empty(rows.path(), rows.line(), column, rows.field(column)?, what_da, what_en)?.as_bytes()),
    }
}

/// Files from this size are read and parsed by two threads: measured on this project's
/// 2-core machine, a 1.75 MB export was slower on two threads and a 3.2 MB one faster.
const PARALLEL_BYTES: u64 = 2 << 20;

/// Pol.is votes export: `timestamp,datetime,comment-id,voter-id,vote` (agree = +1). Text
/// without quotes (as Pol.is writes it) is split into lines and fields directly, in small
/// chunks, a large file in two halves by two threads; text with quotes goes through the
/// csv crate.
pub fn votes(path: &Path) -> Result<Votes> {
    votes_with(path, PARALLEL_BYTES)
}

fn votes_with(path: &Path, parallel_bytes: u64) -> Result<Votes> {
    use std::io::{Read, Seek, SeekFrom};
    let cannot = |e: std::io::Error| cannot_read(path, &e);
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    let mut head = Vec::new();
    let header_end = loop {
        let before = head.len();
        let n = (&mut file).take(64 << 10).read_to_end(&mut head).map_err(cannot)?;
        if let Some(i) = memchr::memchr(b'\n', &head[before..]) {
            break before + i + 1;
        }
        if n == 0 {
            break head.len();
        }
    };
    if memchr::memchr2(b'"', b'\r', &head[..header_end]).is_some() {
        return through_csv(path);
    }
    let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
    let headers = Stream::from_reader(path, Box::new(&head[bom..header_end]))?.headers;
    let delimiter = if is_tsv(path) { b'\t' } else { b',' };
    let read = head.len() as u64;
    let rest = head.split_off(header_end);
    // Room for the votes from the length of the lines read so far (room not used costs
    // no memory, only address space).
    let lines = if rest.is_empty() {
        0
    } else {
        let average = rest.len() as f64 / (memchr::memchr_iter(b'\n', &rest).count() + 1) as f64;
        (size as f64 / average * 1.1) as usize
    };
    // Without a time column the row number orders the votes, which the halves would have
    // to carry over.
    let split = if size >= parallel_bytes && column(&headers, &["timestamp", "modified"]).is_some() {
        line_start_after(&file, size / 2).map_err(cannot)?.filter(|&at| at > read)
    } else {
        None
    };
    let Some(split) = split else {
        let mut rows =
            lines::Lines::new(path, &headers, delimiter, Box::new(std::io::Cursor::new(rest).chain(file)), 2);
        let votes = votes_from(&mut rows, lines)?;
        return if rows.needs_csv { through_csv(path) } else { Ok(votes) };
    };
    let mut other = std::fs::File::open(path).map_err(cannot)?;
    other.seek(SeekFrom::Start(split)).map_err(cannot)?;
    let first_source = std::io::Cursor::new(rest).chain(file.take(split - read));
    let (first, second) = std::thread::scope(|scope| {
        let later = scope.spawn(|| {
            // Lines are counted from 1 here and moved after the first half's lines below.
            let mut rows = lines::Lines::new(path, &headers, delimiter, Box::new(other), 1);
            (votes_from(&mut rows, lines / 2), rows.needs_csv)
        });
        let mut rows = lines::Lines::new(path, &headers, delimiter, Box::new(first_source), 2);
        let first = (votes_from(&mut rows, lines / 2), rows.needs_csv, rows.next_line());
        (first, later.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let ((first, first_needs_csv, lines_before), (second, second_needs_csv)) = (first, second);
    // A row the first half could not read came before any quote, so its error stands.
    let mut votes = first?;
    if first_needs_csv || second_needs_csv {
        return through_csv(path);
    }
    let second = second.map_err(|mut e| {
        e.line = e.line.map(|l| l + lines_before - 1);
        e
    })?;
    votes.append(&second);
    Ok(votes)
}

/// Where the first line starting after `offset` begins, if any.
fn line_start_after(file: &std::fs::File, offset: u64) -> std::io::Result<Option<u64>> {
    use std::os::unix::fs::FileExt;
    let mut window = vec![0u8; 4096];
    let mut at = offset;
    loop {
        let n = file.read_at(&mut window, at)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &window[..n]) {
            return Ok(Some(at + i as u64 + 1));
        }
        at += n as u64;
    }
}

/// The votes as the csv crate reads them (text with quotes or carriage returns).
fn through_csv(path: &Path) -> Result<Votes> {
    votes_from(&mut Stream::open(path)?, 0)
}

/// The votes of one stream of at most `lines` rows (0 if not known).
fn votes_from(rows: &mut impl Rows, lines: usize) -> Result<Votes> {
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
                let raw = rows.bytes(c);
                parse_timestamp(raw).ok_or_else(|| {
                    let raw = String::from_utf8_lossy(raw);
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
        let participant = id_bytes(rows, voter, "deltageren", "participant")?;
        let statement_id = id_bytes(rows, statement, "udsagnet", "statement")?;
        let value = parse_vote(&path, line, vote, rows.bytes(vote))?;
        out.push_bytes(participant, statement_id, value, ts)
            .map_err(|which| utf8_error(&path, line, if which == NotUtf8::Participant { voter } else { statement }))?;
        index += 1;
    }
    Ok(out)
}

/// Milliseconds since 1970 as Pol.is writes them; a sign or a fraction is tolerated.
fn parse_timestamp(raw: &[u8]) -> Option<i64> {
    // Whole numbers of up to 18 digits (all Pol.is writes), in one pass over the bytes.
    if !raw.is_empty() && raw.len() <= 18 {
        let mut n = 0i64;
        let mut digits = true;
        for &b in raw {
            let d = b.wrapping_sub(b'0');
            digits &= d < 10;
            n = n.wrapping_mul(10).wrapping_add(i64::from(d));
        }
        if digits {
            return Some(n);
        }
    }
    let raw = std::str::from_utf8(raw).ok()?;
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
            let raw = rows.bytes(c);
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

    /// The votes of `text` read in two halves, in one pass, and by the csv crate (the
    /// reference grammar).
    fn three_ways(text: &str) -> [Result<Votes>; 3] {
        three_ways_bytes(text.as_bytes())
    }

    #[test]
    fn halves_and_one_pass_read_the_votes_the_csv_crate_reads() {
        // More than one chunk of text, so lines are cut between reads.
        let [split, whole, reference] = three_ways(&export(5_000, None)).map(|v| v.expect("votes"));
        assert_eq!(reference.len(), 5_000);
        assert!(split == reference, "the halves must give the csv crate's votes, in the same order");
        assert!(whole == reference, "one pass must give the csv crate's votes, in the same order");
    }

    #[test]
    fn an_error_in_the_second_half_names_its_line_in_the_file() {
        let text = export(5_000, Some(4_000));
        let line = text.lines().position(|l| l.ends_with(",maybe")).expect("bad line") as u64 + 1;
        for e in three_ways(&text).map(|v| v.expect_err("bad vote")) {
            assert_eq!((e.line, e.column), (Some(line), Some(5)));
        }
    }

    #[test]
    fn a_short_row_is_named_by_its_line_in_every_reader() {
        let text = export(3_000, None).replacen("1100,,", "1100,", 1);
        let line =
            text.lines().position(|l| l.starts_with("1100,") && l.matches(',').count() == 3).expect("short") as u64 + 1;
        for e in three_ways(&text).map(|v| v.expect_err("short row")) {
            assert_eq!(e.line, Some(line));
        }
    }

    #[test]
    fn quoted_text_anywhere_is_read_by_the_csv_crate() {
        // A quoted field with a comma near the end: the quote-free reader must hand over.
        let mut text = export(5_000, None);
        let at = text.len() - 200;
        let at = at + text[at..].find(",,").expect("empty datetime");
        text.replace_range(at..at + 2, ",\"Wed, Jun 18\",");
        let [split, whole, reference] = three_ways(&text).map(|v| v.expect("votes"));
        assert_eq!(reference.len(), 5_000);
        assert!(split == reference && whole == reference);
    }

    #[test]
    fn a_last_line_without_a_line_break_is_read() {
        let text = export(10, None);
        let [split, whole, reference] = three_ways(text.trim_end()).map(|v| v.expect("votes"));
        assert_eq!(reference.len(), 10);
        assert!(split == reference && whole == reference);
    }

    /// `three_ways` for bytes that need not be UTF-8.
    fn three_ways_bytes(text: &[u8]) -> [Result<Votes>; 3] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("votes.csv");
        std::fs::write(&path, text).expect("write");
        [votes_with(&path, 0), votes_with(&path, u64::MAX), votes_from(&mut Stream::open(&path).expect("open"), 0)]
    }

    #[test]
    fn text_ids_and_unicode_spaces_read_as_the_csv_crate_reads_them() {
        let mut text = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
        for i in 0..3_000 {
            // Text ids, some padded with no-break spaces, which are not part of the id.
            let voter = if i % 7 == 0 { format!("\u{a0}anne-{}\u{a0}", i % 40) } else { format!("anne-{}", i % 40) };
            text.push_str(&format!("{},,s{}, {voter} ,{}\n", 10 * i, i % 23, ["1", "-1", "0"][i % 3]));
        }
        let [split, whole, reference] = three_ways(&text).map(|v| v.expect("votes"));
        assert_eq!(reference.len(), 3_000);
        assert!(split == reference && whole == reference);
    }

    #[test]
    fn an_id_that_is_not_utf8_is_named_by_line_and_column() {
        let mut text = export(3_000, None).into_bytes();
        let at = text.len() - 100;
        let at = at + text[at..].iter().position(|&b| b == b'\n').expect("line") + 1;
        // The next line's voter id becomes invalid UTF-8.
        let comma = at + text[at..].iter().enumerate().filter(|(_, b)| **b == b',').nth(2).expect("comma").0;
        text.insert(comma + 1, 0xff);
        let line = text[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        for e in three_ways_bytes(&text).map(|v| v.expect_err("not UTF-8")) {
            assert_eq!((e.line, e.column), (Some(line), Some(4)), "{}", e.render("en"));
        }
    }

    #[test]
    fn zero_bytes_marks_exactly_the_zero_bytes() {
        for word in [0u64, u64::MAX, 0x0100_0000_0000_0001, 0x8000_0000_0000_0080, 0x0101_0100_0001_0000] {
            let expected =
                (0..8).fold(0u64, |m, i| if (word >> (8 * i)) & 0xff == 0 { m | 0x80 << (8 * i) } else { m });
            assert_eq!(super::lines::zero_bytes(word), expected, "{word:#x}");
        }
    }

    #[test]
    fn timestamps_read_as_numbers_with_the_fast_path_and_without() {
        let cases: [(&str, Option<i64>); 9] = [
            ("1481275539794", Some(1_481_275_539_794)),
            ("999999999999999999", Some(999_999_999_999_999_999)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-5", Some(-5)),
            ("+7", Some(7)),
            ("1.5e3", Some(1500)),
            ("12a", None),
            ("ÿÿÿÿÿÿÿÿÿ", None),
            ("", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_timestamp(raw.as_bytes()), expected, "{raw}");
        }
    }
}
