//! Danish search shared by every module. A module indexes an object's text with
//! [`index_in`] (in the transaction that writes the object) and finds objects with
//! [`push_match`], which adds the match and its rank to the module's own query.
//!
//! Words are lowercased and reduced to their Danish Snowball stems in Rust, on the way in
//! and on the way out, so "borgerne" finds "borger" and "kommunens" finds "kommune". The
//! stems are matched by FTS5 on SQLite and a `tsvector` on PostgreSQL; a page of results
//! asked for again before anything of its kind changed comes from memory
//! ([`remember`]). A query is only
//! ever words: quotes, operators and other punctuation separate words and mean nothing,
//! so no input can be a syntax error. Snippets are cut and highlighted in Rust, escaped.

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

pub mod cache;
pub mod store;

pub use cache::remember;
pub use store::{index_all_in, index_in, push_match, sync, touch_in};

/// The most words a query is searched with; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 12;

fn stemmer() -> &'static Stemmer {
    static STEMMER: std::sync::OnceLock<Stemmer> = std::sync::OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::Danish))
}

/// The words of a text: runs of letters and digits, lowercased.
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

/// The Danish stem of one word.
pub fn stem(word: &str) -> String {
    stemmer().stem(&word.to_lowercase()).into_owned()
}

/// A text as the stems the index keeps, separated by spaces.
pub fn stems(text: &str) -> String {
    words(text).map(|(_, w)| stem(w)).collect::<Vec<_>>().join(" ")
}

/// The distinct stems of a query, in order, at most [`MAX_QUERY_WORDS`].
pub fn query_stems(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    words(query).map(|(_, w)| stem(w)).filter(|s| seen.insert(s.clone())).take(MAX_QUERY_WORDS).collect()
}

/// Which backend a query is built for (the search syntax differs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The dialect of `db`'s backend.
    pub fn of(db: &crate::platform::db::Db) -> Dialect {
        match db {
            crate::platform::db::Db::Sqlite(_) => Dialect::Sqlite,
            crate::platform::db::Db::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// How a query's words meet the indexed words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matching {
    /// Each word's stem must occur (text: "borgerne" finds "borger").
    Words,
    /// Each word's stem must begin an indexed word (names, as they are typed: "Mett"
    /// finds "Mette", "pædagog" finds "pædagogmedhjælper").
    WordBeginnings,
}

/// The match expression for the stems: every stem must occur (or begin a word).
pub(super) fn match_expression(dialect: Dialect, stems: &[String], matching: Matching) -> String {
    // Stems are letters and digits only (see `words`), so quoting them is all it takes.
    let prefix = matching == Matching::WordBeginnings;
    match dialect {
        Dialect::Sqlite => {
            let star = if prefix { "*" } else { "" };
            stems.iter().map(|s| format!("\"{s}\"{star}")).collect::<Vec<_>>().join(" ")
        }
        Dialect::Postgres => {
            let star = if prefix { ":*" } else { "" };
            stems.iter().map(|s| format!("'{s}'{star}")).collect::<Vec<_>>().join(" & ")
        }
    }
}

/// HTML-escapes text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A snippet of `text` around the first words that match `query`, at most `max_words`
/// long, escaped, with the matching words in `<mark>`. Safe to show as HTML.
pub fn snippet(text: &str, query: &str, max_words: usize) -> String {
    let wanted: HashSet<String> = query_stems(query).into_iter().collect();
    let all: Vec<(usize, &str)> = words(text).collect();
    if all.is_empty() {
        return String::new();
    }
    // A Danish stem is always a prefix of the lowercased word, so only words that some
    // wanted stem begins need the stemmer.
    let matches = |w: &str| {
        let lower = w.to_lowercase();
        wanted.iter().any(|s| lower.starts_with(s.as_str())) && wanted.contains(&stem(w))
    };
    let first = all.iter().position(|(_, w)| matches(w)).unwrap_or(0);
    let from = first.saturating_sub(max_words / 3);
    let to = (from + max_words).min(all.len());
    let start = all[from].0;
    let end = if to < all.len() { all[to].0 } else { text.len() };
    let mut out = String::new();
    if from > 0 {
        out.push_str("… ");
    }
    let mut at = start;
    for (i, w) in &all[from..to] {
        out.push_str(&escape(&text[at..*i]));
        if matches(w) {
            out.push_str("<mark>");
            out.push_str(&escape(w));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(w));
        }
        at = i + w.len();
    }
    out.push_str(&escape(text[at..end].trim_end()));
    if to < all.len() {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_forms_meet_in_one_stem() {
        assert_eq!(stem("borgerne"), stem("borger"));
        assert_eq!(stem("kommunens"), stem("kommune"));
        assert_eq!(stem("Plejehjemmet"), stem("plejehjem"));
        assert_ne!(stem("skole"), stem("sko"));
    }

    #[test]
    fn a_query_is_only_words() {
        assert_eq!(
            query_stems("\"borgerne\" AND NOT (kommunens*)"),
            vec![stem("borgerne"), stem("and"), stem("not"), stem("kommunens")]
        );
        assert!(query_stems("\" * ( ) : - ^").is_empty());
        let expr = match_expression(Dialect::Sqlite, &query_stems("a\"b OR c"), Matching::Words);
        assert_eq!(expr, "\"a\" \"b\" \"or\" \"c\"");
        let pg = match_expression(Dialect::Postgres, &query_stems("læring & trivsel"), Matching::Words);
        assert_eq!(pg, format!("'{}' & '{}'", stem("læring"), stem("trivsel")));
        let typed = match_expression(Dialect::Sqlite, &query_stems("Mett"), Matching::WordBeginnings);
        assert_eq!(typed, format!("\"{}\"*", stem("Mett")));
        let typed = match_expression(Dialect::Postgres, &query_stems("Mett"), Matching::WordBeginnings);
        assert_eq!(typed, format!("'{}':*", stem("Mett")));
    }

    #[test]
    fn a_stem_begins_its_word() {
        // The snippet relies on it to skip the stemmer for words no query stem begins.
        let text = "Borgerne kommunens plejehjemmet medarbejdernes sygeplejersker udviklingsforløbene \
                    læringsgrupperne trivslen ledelsesspændet højeste vigtigst endelig løst";
        for (_, w) in words(text) {
            assert!(w.to_lowercase().starts_with(&stem(w)), "{w} → {}", stem(w));
        }
    }

    #[test]
    fn snippets_mark_matches_and_escape_the_rest() {
        let s = snippet("Vi spurgte <b>borgerne</b> om & deres hverdag i kommunen.", "borger kommunens", 40);
        assert_eq!(
            s,
            "Vi spurgte &lt;b&gt;<mark>borgerne</mark>&lt;/b&gt; om &amp; deres hverdag i <mark>kommunen</mark>."
        );
        let long = (0..100).map(|i| format!("ord{i}")).collect::<Vec<_>>().join(" ") + " borger";
        let s = snippet(&long, "borger", 10);
        assert!(s.starts_with("… ") && s.contains("<mark>borger</mark>"), "{s}");
    }
}
