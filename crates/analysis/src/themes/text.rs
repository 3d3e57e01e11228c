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

/// The Danish list of stopwords-iso (MIT; its licence is in the file), shipped with the
/// binary.
const SHIPPED_STOP_WORDS: &str = include_str!("stopwords-da.txt");

/// Words of general Danish that say nothing about a theme, whatever the theme: light
/// verbs, fillers and abbreviations that the stop lists leave in ("gøre", "få", "bare",
/// "egentlig", "nr"). Our own list.
const FILLER_WORDS: &[&str] = &[
    "gøre",
    "gør",
    "gjorde",
    "gjort",
    "fået",
    "passe",
    "passer",
    "egentlig",
    "egentligt",
    "samme",
    "kommet",
    "går",
    "gå",
    "gik",
    "gået",
    "give",
    "giver",
    "gav",
    "givet",
    "tager",
    "taget",
    "siger",
    "sagt",
    "synes",
    "tror",
    "finde",
    "finder",
    "findes",
    "ting",
    "tingene",
    "del",
    "dels",
    "måske",
    "altid",
    "rigtig",
    "rigtigt",
    "hele",
    "stadig",
    "faktisk",
    "virkelig",
    "ret",
    "lidt",
    "rigtige",
    "bl",
    "herunder",
    "vedr",
    "vedrørende",
    "pr",
    "nr",
    "jf",
    "ca",
    "evt",
    "eventuelt",
    "andet",
    "ifm",
    "iht",
    "mht",
    "dvs",
    "fx",
    "bla",
    "øvrigt",
    "øvrige",
    "sammen",
    "hinanden",
    "gerne",
    "nok",
    "vel",
    "fordi",
    "derfor",
    "dermed",
    "således",
    "blot",
    "især",
    "ofte",
    "tit",
    "nogensinde",
    "endnu",
    "længere",
    "kommende",
    "første",
    "anden",
    "andre",
    "bruge",
    "bruger",
    "brugt",
    "mener",
    "mente",
    "vide",
    "ved",
    "vidste",
    "både",
    "ellers",
    "ske",
    "sker",
    "skete",
    "hvilket",
    "hvilke",
    "siden",
    "sidste",
    "muligt",
    "mulig",
    "yderligere",
    "bestemt",
    "forskellige",
    "forskellig",
    "almindelige",
    "almindelig",
    "måde",
    "eksempel",
    "efterfølgende",
    "løbet",
    "tilbage",
    "hurtigt",
    "cirka",
    "mindst",
    "største",
    "bedste",
    "flest",
    "primært",
    "typisk",
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
    /// For labels: also the shipped stop list and the filler words. Similarity keeps
    /// them (a word like "stor" or "første" still tells two sentences apart); a label must
    /// not show them.
    pub fn for_labels() -> Analyzer {
        let shipped = SHIPPED_STOP_WORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
        let mut analyzer = Analyzer::default();
        analyzer.stop.extend(FILLER_WORDS.iter().copied().chain(shipped));
        analyzer
    }

    /// The content words of a text: lowercased, longer than one letter, not stop words.
    pub fn words<'a>(&'a self, text: &'a str) -> impl Iterator<Item = String> + 'a {
        words(text).filter(|w| w.chars().count() > 1 && !self.stop.contains(w.as_str()))
    }

    /// Whether `word` (lowercased) is a stop or filler word.
    pub fn is_stop(&self, word: &str) -> bool {
        self.stop.contains(word)
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
