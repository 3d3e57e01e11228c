//! Translations (Fluent), Danish first and English second, and Danish formatting of
//! numbers and dates. Every module keeps its messages in `locales/<lang>/<module>.ftl`.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::langid;

/// A language the interface speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_lowercase().get(..2) {
            Some("da") => Some(Lang::Da),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language in an `Accept-Language` header, else Danish.
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }
}

/// The platform's shared messages (the page layout, errors, roles); each module brings
/// its own file (see `Module::locales`).
const PLATFORM_DA: &str = include_str!("../../locales/da/platform.ftl");
const PLATFORM_EN: &str = include_str!("../../locales/en/platform.ftl");

/// Every Fluent file of a language: the platform's, then each module's.
pub fn sources(lang: Lang) -> Vec<&'static str> {
    let (platform, pick): (&str, fn(&(&'static str, &'static str)) -> &'static str) = match lang {
        Lang::Da => (PLATFORM_DA, |l| l.0),
        Lang::En => (PLATFORM_EN, |l| l.1),
    };
    std::iter::once(platform).chain(crate::MODULES.iter().map(|m| pick(&m.locales))).collect()
}

type Bundle = FluentBundle<FluentResource>;

fn build(lang: Lang, sources: &[&str]) -> Bundle {
    let id = match lang {
        Lang::Da => langid!("da"),
        Lang::En => langid!("en"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    for source in sources {
        // A broken .ftl file is a build defect; the unit tests below catch it, and at run
        // time the valid part of the file is still used.
        let resource = FluentResource::try_new((*source).to_string()).unwrap_or_else(|(partial, _)| partial);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

fn bundle(lang: Lang) -> &'static Bundle {
    static DA_BUNDLE: OnceLock<Bundle> = OnceLock::new();
    static EN_BUNDLE: OnceLock<Bundle> = OnceLock::new();
    match lang {
        Lang::Da => DA_BUNDLE.get_or_init(|| build(Lang::Da, &sources(Lang::Da))),
        Lang::En => EN_BUNDLE.get_or_init(|| build(Lang::En, &sources(Lang::En))),
    }
}

/// A translator bound to one language; templates call `tr.t("id")`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The message `id`, or the id itself if it is missing (tests check none is).
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
    }

    /// The message `id` with several arguments.
    pub fn ta(&self, id: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(name.to_string(), FluentValue::from(value.to_string()));
        }
        self.format(id, Some(&args))
    }

    /// The message `id` with a number argument (for plural selection).
    pub fn n(&self, id: &str, name: &str, value: impl Count) -> String {
        let value = value.count();
        let mut args = FluentArgs::new();
        args.set(name.to_string(), FluentValue::from(value));
        args.set("formatted".to_string(), FluentValue::from(format_number(self.lang, value)));
        self.format(id, Some(&args))
    }

    /// The message `id`, or `None` if no message has that id (for names built from data,
    /// such as audit actions, whose newer values may not be translated yet).
    pub fn find(&self, id: &str) -> Option<String> {
        bundle(self.lang).has_message(id).then(|| self.t(id))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let bundle = bundle(self.lang);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }

    /// A whole number in this language's format (Danish: 12.345).
    pub fn num(&self, value: impl Count) -> Number {
        Number { lang: self.lang, value: value.count() }
    }

    /// A decimal number with `places` decimals the reader's way: "3,4" in Danish.
    pub fn decimal(&self, value: f64, places: usize) -> String {
        let s = format!("{value:.places$}");
        if self.lang == Lang::Da { s.replace('.', ",") } else { s }
    }

    /// A date and time in Copenhagen time.
    pub fn datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&chrono_tz::Europe::Copenhagen);
        match self.lang {
            Lang::Da => format!("{} kl. {}", self.date(&local.date_naive()), local.format("%H.%M.%S")),
            Lang::En => format!("{} at {}", self.date(&local.date_naive()), local.format("%H:%M:%S")),
        }
    }

    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        const MONTHS: [&str; 12] = [
            "januar",
            "februar",
            "marts",
            "april",
            "maj",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "december",
        ];
        use chrono::Datelike;
        match self.lang {
            Lang::Da => format!("{}. {} {}", d.day(), MONTHS[d.month0() as usize], d.year()),
            Lang::En => d.format("%-d %B %Y").to_string(),
        }
    }
}

/// A whole number, or a reference to one (templates pass either).
pub trait Count {
    fn count(&self) -> i64;
}

impl Count for i64 {
    fn count(&self) -> i64 {
        *self
    }
}

impl Count for usize {
    fn count(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl<T: Count + ?Sized> Count for &T {
    fn count(&self) -> i64 {
        (**self).count()
    }
}

/// 1234567 → "1.234.567" (Danish) or "1,234,567" (English).
pub fn format_number(lang: Lang, value: i64) -> String {
    Number { lang, value }.to_string()
}

/// A number written in a language's format without allocating (tables print hundreds).
#[derive(Clone, Copy, Debug)]
pub struct Number {
    lang: Lang,
    value: i64,
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        let sep = if self.lang == Lang::Da { '.' } else { ',' };
        let mut buf = [0u8; 20];
        let mut n = self.value.unsigned_abs();
        let mut len = 0;
        loop {
            buf[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if self.value < 0 {
            f.write_char('-')?;
        }
        for i in (0..len).rev() {
            f.write_char(buf[i] as char)?;
            if i > 0 && i % 3 == 0 {
                f.write_char(sep)?;
            }
        }
        Ok(())
    }
}

/// Today in Europe/Copenhagen, the municipalities' time zone (deadlines and dates in the
/// product are Danish days).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(sources: &[&str]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for s in sources {
            let resource = FluentResource::try_new((*s).to_string()).expect("every .ftl file parses");
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    out.insert(m.id.name.to_string());
                }
            }
        }
        out
    }

    #[test]
    fn both_languages_define_the_same_messages() {
        let da = ids(&sources(Lang::Da));
        let en = ids(&sources(Lang::En));
        let only_da: Vec<_> = da.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&da).collect();
        assert!(only_da.is_empty() && only_en.is_empty(), "only da: {only_da:?}; only en: {only_en:?}");
    }

    /// Every message id of a language, with how often it is defined.
    fn definitions(sources: &[&str]) -> std::collections::BTreeMap<String, usize> {
        let mut out = std::collections::BTreeMap::new();
        for s in sources {
            let resource = FluentResource::try_new((*s).to_string()).expect("every .ftl file parses");
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    *out.entry(m.id.name.to_string()).or_insert(0) += 1;
                }
            }
        }
        out
    }

    #[test]
    fn no_message_is_defined_twice() {
        for lang in [Lang::Da, Lang::En] {
            let twice: Vec<_> = definitions(&sources(lang)).into_iter().filter(|(_, n)| *n > 1).collect();
            assert!(twice.is_empty(), "{lang:?}: defined more than once: {twice:?}");
        }
    }

    /// The literal message ids the code and templates use: `.t("id"`, `.t1("id"`, `.n("id"`
    /// and navigation labels `label: "id"`.
    fn used_ids() -> BTreeSet<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("src"), &mut files);
        walk(&root.join("templates"), &mut files);
        let mut used = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for marker in [".t(\"", ".t1(\"", ".n(\"", "label: \""] {
                for (at, _) in text.match_indices(marker) {
                    let rest = &text[at + marker.len()..];
                    let id: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
                    if !id.is_empty() && rest[id.len()..].starts_with('"') && id.contains('-') {
                        used.insert(id);
                    }
                }
            }
        }
        used
    }

    #[test]
    fn every_message_the_code_uses_exists_in_both_languages() {
        let used = used_ids();
        assert!(used.len() > 100, "found {} message ids in use", used.len());
        for lang in [Lang::Da, Lang::En] {
            let defined = definitions(&sources(lang));
            let missing: Vec<_> = used.iter().filter(|id| !defined.contains_key(*id)).collect();
            assert!(missing.is_empty(), "{lang:?}: used but not defined: {missing:?}");
        }
    }

    #[test]
    fn danish_numbers_and_dates() {
        assert_eq!(format_number(Lang::Da, 1234567), "1.234.567");
        assert_eq!(format_number(Lang::En, -1234), "-1,234");
        assert_eq!(format_number(Lang::Da, 0), "0");
        assert_eq!(format_number(Lang::Da, 999), "999");
        assert_eq!(format_number(Lang::Da, 1000), "1.000");
        assert_eq!(format_number(Lang::Da, -100000), "-100.000");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        assert_eq!(Tr::new(Lang::Da).date(&d), "22. november 2026");
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("de,da;q=0.5"), Lang::Da);
        assert_eq!(Lang::from_accept_language("fr"), Lang::Da);
    }
}
