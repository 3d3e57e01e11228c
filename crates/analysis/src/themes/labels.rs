//! Labels that say what sets a theme apart: its terms ranked by how much more often its
//! inputs use them than all inputs do, among words and two-word phrases, each shown as
//! people wrote it, no two from one stem or compound head.
//!
//! A term t of theme c scores p_c · ln(p_c / p), where p_c is the share of the theme's
//! inputs that use t and p the share of all inputs: frequent in the theme and rarer
//! elsewhere (a class-based TF-IDF on input counts, the theme's share of the term's
//! Kullback–Leibler divergence). A word every theme uses scores nothing; stop and filler
//! words of general Danish never compete (see [`super::text`]). A two-word phrase takes the
//! place of its words when they mostly go together in the theme.

use std::collections::{HashMap, HashSet};

use super::text::{Analyzer, SurfaceForms};

/// A term in an input: a stem, or two stems of adjacent content words ("plejehjem besøg").
type Key = String;

/// Terms with their inputs, and the surface forms people wrote for each.
pub struct Terms {
    /// The distinct terms of each input.
    docs: Vec<Vec<Key>>,
    /// What people wrote for each term.
    forms: SurfaceForms,
    /// The stems of each term (one or two).
    stems: HashMap<Key, Vec<String>>,
}

impl Terms {
    /// Reads the terms of `texts`: words within a clause (punctuation ends a clause), stop
    /// and filler words left out, so "rejse til udlandet" gives the phrase "rejse udlandet".
    pub fn read(texts: &[String], analyzer: &Analyzer) -> Terms {
        let mut stem_of: HashMap<String, String> = HashMap::new();
        let mut terms =
            Terms { docs: Vec::with_capacity(texts.len()), forms: SurfaceForms::default(), stems: HashMap::new() };
        for text in texts {
            let mut doc: HashSet<Key> = HashSet::new();
            for clause in text.split(['.', ',', ';', ':', '!', '?', '(', ')', '"', '\n', '–', '-']) {
                let mut previous: Option<(String, String)> = None;
                for word in analyzer.words(clause) {
                    let stem = stem_of.entry(word.clone()).or_insert_with(|| analyzer.stem(&word)).clone();
                    terms.note(&stem, &word, vec![stem.clone()]);
                    doc.insert(stem.clone());
                    if let Some((previous_stem, previous_word)) = previous.take()
                        && previous_stem != stem
                    {
                        let key = format!("{previous_stem} {stem}");
                        terms.note(&key, &format!("{previous_word} {word}"), vec![previous_stem, stem.clone()]);
                        doc.insert(key);
                    }
                    previous = Some((stem, word));
                }
            }
            let mut doc: Vec<Key> = doc.into_iter().collect();
            doc.sort_unstable();
            terms.docs.push(doc);
        }
        terms
    }

    fn note(&mut self, key: &str, surface: &str, stems: Vec<String>) {
        self.forms.add(key, surface, 1);
        self.stems.entry(key.to_string()).or_insert(stems);
    }

    /// Up to `count` terms for each theme (`labels[i]` is input i's theme, `None` for
    /// none), best first, in surface forms.
    pub fn rank(&self, labels: &[Option<usize>], themes: usize, count: usize) -> Vec<Vec<String>> {
        let total = labels.iter().flatten().count().max(1) as f64;
        let mut size = vec![0usize; themes];
        let mut in_theme: Vec<HashMap<&str, usize>> = vec![HashMap::new(); themes];
        let mut everywhere: HashMap<&str, usize> = HashMap::new();
        for (doc, label) in self.docs.iter().zip(labels) {
            let Some(c) = *label else { continue };
            size[c] += 1;
            for key in doc {
                *in_theme[c].entry(key.as_str()).or_default() += 1;
                *everywhere.entry(key.as_str()).or_default() += 1;
            }
        }
        (0..themes)
            .map(|c| {
                // A term must be used by two of the theme's inputs (one, in a theme of one).
                let least = size[c].min(2);
                let mut scored: Vec<(f64, &str)> = in_theme[c]
                    .iter()
                    .filter(|&(_, &used)| used >= least.max(1))
                    .map(|(&key, &used)| {
                        let p_c = used as f64 / size[c].max(1) as f64;
                        let p = everywhere[key] as f64 / total;
                        (p_c * (p_c / p).ln(), key)
                    })
                    .filter(|(score, _)| *score > 0.0)
                    .collect();
                // A phrase takes the place of its words when they mostly go together: when
                // at least half of the theme's inputs with its rarer word use the phrase.
                let score_of: HashMap<&str, f64> = scored.iter().map(|&(s, k)| (k, s)).collect();
                for (score, key) in &mut scored {
                    let stems = &self.stems[*key];
                    if stems.len() == 2 {
                        let used = |k: &str| in_theme[c].get(k).copied().unwrap_or(0);
                        let rarer = used(&stems[0]).min(used(&stems[1]));
                        if 2 * used(key) >= rarer {
                            // It ranks as its weaker word would, a hair above it.
                            let weaker = stems
                                .iter()
                                .map(|s| score_of.get(s.as_str()).copied().unwrap_or(0.0))
                                .fold(f64::INFINITY, f64::min);
                            *score = score.max(weaker * (1.0 + 1e-9));
                        }
                    }
                }
                scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
                let mut chosen: Vec<&str> = Vec::new();
                for (_, key) in scored {
                    if chosen.len() == count {
                        break;
                    }
                    let stems = &self.stems[key];
                    let clashes = chosen
                        .iter()
                        .any(|other| self.stems[*other].iter().any(|a| stems.iter().any(|b| one_word(a, b))));
                    if !clashes {
                        chosen.push(key);
                    }
                }
                chosen.into_iter().map(|key| self.forms.best(key)).collect()
            })
            .collect()
    }
}

/// Whether two stems name one thing for a label: the same stem, or one is the other's
/// compound head ("plejehjem" ends in "hjem", "ældrepleje" in "pleje").
fn one_word(a: &str, b: &str) -> bool {
    let head = |long: &str, short: &str| short.chars().count() >= 3 && long.ends_with(short);
    a == b || head(a, b) || head(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn labels_name_what_sets_a_theme_apart_in_words_and_phrases_people_wrote() {
        let analyzer = Analyzer::for_labels();
        let t = texts(&[
            "Flere besøg på plejehjemmet, og bare gøre det nemmere",
            "Besøg på plejehjem om aftenen skal være nemmere",
            "Plejehjem: besøg af frivillige er godt for beboerne",
            "Man skal kunne rejse til udlandet uden at vente",
            "Rejse til udlandet kræver pas i god tid",
            "Hvor lang tid tager det at rejse til udlandet?",
        ]);
        let terms = Terms::read(&t, &analyzer);
        let labels = [Some(0), Some(0), Some(0), Some(1), Some(1), Some(1)];
        let ranked = terms.rank(&labels, 2, 3);
        assert_eq!(ranked[0][0], "besøg plejehjem", "{ranked:?}");
        assert_eq!(ranked[1][0], "rejse udlandet", "{ranked:?}");
        for theme in &ranked {
            for term in theme {
                for word in term.split(' ') {
                    assert!(!analyzer.is_stop(word), "no stop or filler word: {term} in {ranked:?}");
                }
            }
            // No two terms from one stem: "besøg" is in the phrase, so not again alone.
            let stems: Vec<String> = theme.iter().flat_map(|t| t.split(' ').map(|w| analyzer.stem(w))).collect();
            let distinct: HashSet<&String> = stems.iter().collect();
            assert_eq!(distinct.len(), stems.len(), "{theme:?}");
        }
    }

    #[test]
    fn a_compound_head_and_its_compound_are_one_word() {
        assert!(one_word("plejehjem", "hjem"));
        assert!(one_word("ældrepleje", "pleje"));
        assert!(!one_word("skole", "skolebestyr"), "a first part is not a head");
        assert!(!one_word("is", "pris"), "two letters are no head");
    }
}
