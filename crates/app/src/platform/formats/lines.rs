//! Delimited text without quotes, read line by line from a stream. Without quotes a CSV
//! field is exactly the bytes between delimiters, so splitting lines and fields is the whole
//! grammar; this lets a vote export be read in small chunks (every fresh page of memory
//! costs a page fault) and a large one be cut at a line break and read by two threads.
//! Text with quotes or carriage returns is left to the csv crate (`input::Stream`): the
//! reader stops at the first chunk that has one and says so in [`Lines::needs_csv`].

use std::io::Read;
use std::path::Path;

use super::polis::{Result, Rows, cannot_read, width_error};

/// Bytes read at a time; a line longer than this grows the buffer.
const CHUNK: usize = 64 << 10;

pub struct Lines<'a> {
    path: &'a Path,
    headers: &'a [String],
    delimiter: u8,
    source: Box<dyn Read + Send + 'a>,
    buf: Vec<u8>,
    /// The next unread byte of `buf`.
    start: usize,
    /// The end of the last whole line in `buf` (at the end of the input: of the text).
    complete: usize,
    filled: usize,
    exhausted: bool,
    /// The text has quotes or carriage returns: the rows read so far came from the text
    /// before them, and the rest needs the full CSV grammar.
    pub needs_csv: bool,
    /// The file line number of the next line.
    next_line: u64,
    line: u64,
    /// Field bounds of the current row, as positions in `buf`.
    fields: Vec<(usize, usize)>,
}

impl<'a> Lines<'a> {
    /// `source` gives whole lines (no header) starting at file line `first_line`.
    pub fn new(
        path: &'a Path,
        headers: &'a [String],
        delimiter: u8,
        source: Box<dyn Read + Send + 'a>,
        first_line: u64,
    ) -> Self {
        Lines {
            path,
            headers,
            delimiter,
            source,
            buf: vec![0; CHUNK],
            start: 0,
            complete: 0,
            filled: 0,
            exhausted: false,
            needs_csv: false,
            next_line: first_line,
            line: 0,
            fields: Vec::new(),
        }
    }

    /// The file line number the next line would have: after the last row, one past the
    /// last line.
    pub fn next_line(&self) -> u64 {
        self.next_line
    }

    /// Finds the fields of the line starting at `buf[from]` (into `fields`) and returns its
    /// length. Eight bytes are tested at a time for a delimiter or a line break: rows of a
    /// vote export are short, so this beats both a byte loop and a vectorised search.
    fn split_line(&mut self, from: usize) -> usize {
        let text = &self.buf[from..self.complete];
        let delimiters = u64::from_ne_bytes([self.delimiter; 8]);
        let breaks = u64::from_ne_bytes([b'\n'; 8]);
        let mut field = from;
        let mut words = text.chunks_exact(8);
        for (n, word) in words.by_ref().enumerate() {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            let w = u64::from_le_bytes(bytes);
            let mut hits = zero_bytes(w ^ delimiters) | zero_bytes(w ^ breaks);
            while hits != 0 {
                let at = n * 8 + (hits.trailing_zeros() / 8) as usize;
                if text[at] == b'\n' {
                    self.fields.push((field, from + at));
                    return at;
                }
                self.fields.push((field, from + at));
                field = from + at + 1;
                hits &= hits - 1;
            }
        }
        let tail = text.len() - words.remainder().len();
        for (i, &b) in words.remainder().iter().enumerate() {
            if b == b'\n' {
                self.fields.push((field, from + tail + i));
                return tail + i;
            }
            if b == self.delimiter {
                self.fields.push((field, from + tail + i));
                field = from + tail + i + 1;
            }
        }
        self.fields.push((field, self.complete));
        text.len()
    }

    /// Reads on until `buf` holds at least one whole line; false at the end of the input
    /// or when the text needs the csv crate.
    fn refill(&mut self) -> Result<bool> {
        if self.exhausted || self.needs_csv {
            return Ok(false);
        }
        // Keep the start of a line cut by the last read.
        self.buf.copy_within(self.start..self.filled, 0);
        self.filled -= self.start;
        self.start = 0;
        self.complete = 0;
        loop {
            if self.filled == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = match self.source.read(&mut self.buf[self.filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(cannot_read(self.path, &e)),
            };
            let new = self.filled..self.filled + n;
            if memchr::memchr2(b'"', b'\r', &self.buf[new.clone()]).is_some() {
                self.needs_csv = true;
                return Ok(false);
            }
            self.filled += n;
            if n == 0 {
                self.exhausted = true;
                self.complete = self.filled;
                return Ok(self.filled > 0);
            }
            if let Some(i) = memchr::memrchr(b'\n', &self.buf[new.clone()]) {
                self.complete = new.start + i + 1;
                return Ok(true);
            }
        }
    }
}

impl Rows for Lines<'_> {
    fn path(&self) -> &Path {
        self.path
    }

    fn headers(&self) -> &[String] {
        self.headers
    }

    fn next_row(&mut self) -> Result<Option<u64>> {
        loop {
            if self.start == self.complete {
                if !self.refill()? {
                    return Ok(None);
                }
                continue;
            }
            self.fields.clear();
            let end = self.start + self.split_line(self.start);
            self.start = (end + 1).min(self.complete);
            self.line = self.next_line;
            self.next_line += 1;
            let blank = self.fields.iter().all(|&(s, e)| self.buf[s..e].trim_ascii().is_empty());
            let (fields, width) = (self.fields.len(), self.headers.len());
            if fields != width && !(fields == 1 && blank) {
                return Err(width_error(self.path, self.line, fields, width));
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
        let (s, e) = self.fields[i];
        self.buf[s..e].trim_ascii()
    }
}

/// 0x80 in each byte of `x` that is zero, 0 elsewhere (exact, unlike the shorter
/// `(x - 0x01…) & !x & 0x80…`, which can mark a byte after a zero one).
pub(super) fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}
