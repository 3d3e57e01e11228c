//! Danish text into terms: Unicode words, lowercased, stop words out, Snowball stems, and
//! for each stem the surface form people wrote most often (for labels).

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// Danish stop words (the Snowball list) and a few words that carry no theme in
/// municipal answers.
const STOP_WORDS: &[&str] = &[
    "ad", "af", "alle", "alt", "anden", "at", "blev", "blive", "bliver", "da", "de", "dem", "den", "denne", "der",
    "deres", "det", "dette", "dig", "din", "disse", "dog", "du", "efter", "eller", "en", "end", "er", "et", "for",
    "fra", "ham", "han", "hans", "har", "havde", "have", "hende", "hendes", "her", "hos", "hun", "hvad", "hvis",
    "hvor", "i", "ikke", "ind", "jeg", "jer", "jo", "kunne", "man", "mange", "med", "meget", "men", "mig", "min",
    "mine", "mit", "mod", "ned", "noget", "nogle", "nu", "når", "og", "også", "om", "op", "os", "over", "på", "selv",
    "sig", "sin", "sine", "sit", "skal", "skulle", "som", "sådan", "thi", "til", "ud", "under", "var", "vi", "vil",
    "ville", "vor", "være", "været", "kan", "så", "blevet", "bør", "får", "fik", "kun", "mere", "mest", "nogen",
    "ingen", "hvordan", "hvorfor", "hvilke", "hvilken", "hvornår", "både", "samt", "eks", "fx", "mv", "osv", "ja",
    "nej", "ved", "uden", "mellem", "gennem", "igen", "allerede", "dag", "sådanne", "vores", "jeres",
];

pub struct Analyzer {
    stemmer: Stemmer,
    stop: std::collections::HashSet<&'static str>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer { stemmer: Stemmer::create(Algorithm::Danish), stop: STOP_WORDS.iter().copied().collect() }
    }
}

/// Lowercased Unicode words (letters and digits; a word needs at least one letter).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().any(char::is_alphabetic)).map(str::to_lowercase)
}

impl Analyzer {
    /// The content words of a text: lowercased, longer than one letter, not stop words.
    pub fn words<'a>(&'a self, text: &'a str) -> impl Iterator<Item = String> + 'a {
        words(text).filter(|w| w.chars().count() > 1 && !self.stop.contains(w.as_str()))
    }

    pub fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }
}

/// The most frequent surface form of each stem (ties: the shorter, then the first in
/// alphabetical order), so labels show words people wrote.
#[derive(Default)]
pub struct SurfaceForms {
    counts: HashMap<String, HashMap<String, usize>>,
}

impl SurfaceForms {
    /// `surface` was written `count` times for `stem`.
    pub fn add(&mut self, stem: &str, surface: &str, count: usize) {
        *self.counts.entry(stem.to_string()).or_default().entry(surface.to_string()).or_default() += count;
    }

    pub fn best(&self, stem: &str) -> String {
        self.counts
            .get(stem)
            .and_then(|forms| {
                forms
                    .iter()
                    .max_by(|a, b| {
                        a.1.cmp(b.1)
                            .then_with(|| b.0.chars().count().cmp(&a.0.chars().count()))
                            .then_with(|| b.0.cmp(a.0))
                    })
                    .map(|(f, _)| f.clone())
            })
            .unwrap_or_else(|| stem.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_words_are_stemmed_and_stop_words_dropped() {
        let a = Analyzer::default();
        let terms: Vec<String> =
            a.words("Medarbejderne ønsker flere møder, og møderne skal være kortere!").map(|w| a.stem(&w)).collect();
        assert!(!terms.iter().any(|t| t == "og" || t == "skal" || t == "være"));
        let moed: Vec<&String> = terms.iter().filter(|t| t.starts_with("mød")).collect();
        assert_eq!(moed.len(), 2);
        assert_eq!(moed[0], moed[1], "møder and møderne share a stem");
    }

    #[test]
    fn the_most_frequent_surface_form_labels_a_stem() {
        let mut f = SurfaceForms::default();
        for w in ["møder", "møderne", "møder"] {
            f.add("mød", w, 1);
        }
        assert_eq!(f.best("mød"), "møder");
        assert_eq!(words("Æbler, 2024 og å").collect::<Vec<_>>(), ["æbler", "og", "å"]);
    }
}
