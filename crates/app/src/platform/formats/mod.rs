//! Reading files people bring: Pol.is exports and delimited tables ([`polis`], with the
//! fast line reader [`lines`]), and the one error every reader and importer answers with,
//! [`FileError`]: file, line and column, in Danish and English.

pub mod lines;
pub mod polis;

use std::path::Path;

/// A problem in an input file, in both languages, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub da: String,
    pub en: String,
}

impl FileError {
    /// A problem in the file at `path`.
    pub fn new(
        path: &Path,
        line: Option<u64>,
        column: Option<usize>,
        da: impl Into<String>,
        en: impl Into<String>,
    ) -> FileError {
        FileError::at(&path.display().to_string(), line, column.map(|c| c as u64), da.into(), en.into())
    }

    /// A problem in the file named `file` (as the user gave it).
    pub fn at(file: &str, line: Option<u64>, column: Option<u64>, da: String, en: String) -> FileError {
        FileError { file: file.to_string(), line, column, da, en }
    }

    /// The message in `lang` ("da" or "en") as editors and terminals link it: file, line
    /// and column first, then the same place in words —
    /// `fil.csv:3:2: … (linje 3, kolonne 2)`.
    pub fn render(&self, lang: &str) -> String {
        let (line_word, col_word, msg) =
            if lang == "en" { ("line", "column", &self.en) } else { ("linje", "kolonne", &self.da) };
        let mut at = self.file.clone();
        if let Some(l) = self.line {
            at.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                at.push_str(&format!(":{c}"));
            }
        }
        let place = match (self.line, self.column) {
            (Some(l), Some(c)) => format!(" ({line_word} {l}, {col_word} {c})"),
            (Some(l), None) => format!(" ({line_word} {l})"),
            _ => String::new(),
        };
        format!("{at}: {msg}{place}")
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render("en"))
    }
}

impl std::error::Error for FileError {}
