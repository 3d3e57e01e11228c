//! Delimited text without quotes, read line by line. Without quotes a CSV field is exactly
//! the bytes between delimiters, so splitting lines and fields is the whole grammar; this
//! lets a large vote export be cut at a line break and read by two threads. Files with
//! quotes or carriage returns always go through the csv crate (`input::Stream`).

use std::path::Path;

use super::input::{Result, Rows, utf8_error, width_error};

pub struct Lines<'a> {
    path: &'a Path,
    headers: &'a [String],
    delimiter: u8,
    rest: &'a [u8],
    /// The file line number of the next line in `rest`.
    next_line: u64,
    line: u64,
    row: &'a [u8],
    fields: Vec<(usize, usize)>,
}

impl<'a> Lines<'a> {
    /// `text` holds whole lines (no header) starting at file line `first_line`.
    pub fn new(path: &'a Path, headers: &'a [String], delimiter: u8, text: &'a [u8], first_line: u64) -> Self {
        Lines { path, headers, delimiter, rest: text, next_line: first_line, line: 0, row: &[], fields: Vec::new() }
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
        while !self.rest.is_empty() {
            // One pass over the line finds its end and its delimiters (lines are short, so a
            // plain loop beats searching twice).
            self.fields.clear();
            let mut start = 0;
            let mut end = self.rest.len();
            for (at, &b) in self.rest.iter().enumerate() {
                if b == self.delimiter {
                    self.fields.push((start, at));
                    start = at + 1;
                } else if b == b'\n' {
                    end = at;
                    break;
                }
            }
            self.fields.push((start, end));
            self.row = &self.rest[..end];
            self.rest = &self.rest[(end + 1).min(self.rest.len())..];
            self.line = self.next_line;
            self.next_line += 1;
            let blank = self.fields.iter().all(|&(s, e)| self.row[s..e].trim_ascii().is_empty());
            let (fields, width) = (self.fields.len(), self.headers.len());
            if fields != width && !(fields == 1 && blank) {
                return Err(width_error(self.path, self.line, fields, width));
            }
            if !blank {
                return Ok(Some(self.line));
            }
        }
        Ok(None)
    }

    fn field(&self, i: usize) -> Result<&str> {
        let (s, e) = self.fields[i];
        std::str::from_utf8(self.row[s..e].trim_ascii()).map_err(|_| utf8_error(self.path, self.line, i))
    }
}
