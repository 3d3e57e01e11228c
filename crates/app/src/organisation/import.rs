//! Reading an organisation from the formats municipalities have: the Kolding leader CSV,
//! OS2mo GraphQL JSON pages, and Samskab's own `units.csv` + `people.csv`. Every reader
//! returns an [`OrgSnapshot`] or every problem it found, each naming file, line and column;
//! nothing is written until a snapshot is complete and valid.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::model::*;

/// The import formats `samskab import org --format` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    KoldingCsv,
    Os2moJson,
    SamskabCsv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "kolding-csv" => Some(Format::KoldingCsv),
            "os2mo-json" => Some(Format::Os2moJson),
            "samskab-csv" => Some(Format::SamskabCsv),
            _ => None,
        }
    }
}

/// One problem in an input file. `da` and `en` are the same message in each language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub da: String,
    pub en: String,
}

impl ImportError {
    fn new(file: &str, line: Option<u64>, column: Option<u64>, da: String, en: String) -> Self {
        ImportError { file: file.to_string(), line, column, da, en }
    }

    /// The message in `lang` ("da" or "en"), prefixed with file, line and column.
    pub fn render(&self, lang: &str) -> String {
        let (l, c, msg) = if lang == "en" { ("line", "column", &self.en) } else { ("linje", "kolonne", &self.da) };
        let mut s = self.file.clone();
        if let Some(line) = self.line {
            s.push_str(&format!(", {l} {line}"));
        }
        if let Some(col) = self.column {
            s.push_str(&format!(", {c} {col}"));
        }
        format!("{s}: {msg}")
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("en"))
    }
}

/// Every problem found; reading stops collecting after this many.
const MAX_ERRORS: usize = 50;

/// Reads `path` in `format` into a validated snapshot.
pub fn read(format: Format, path: &Path) -> Result<OrgSnapshot, Vec<ImportError>> {
    let snapshot = match format {
        Format::KoldingCsv => read_kolding_csv(path)?,
        Format::SamskabCsv => read_samskab_csv(path)?,
        Format::Os2moJson => read_os2mo_json(path)?,
    };
    validate(&snapshot)?;
    Ok(snapshot)
}

fn display_name(path: &Path) -> String {
    path.display().to_string()
}

fn io_error(path: &Path, e: &std::io::Error) -> ImportError {
    ImportError::new(&display_name(path), None, None, format!("kan ikke læses: {e}"), format!("cannot be read: {e}"))
}

fn csv_error(file: &str, e: &csv::Error, line: Option<u64>) -> ImportError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => ImportError::new(
            file,
            line,
            Some(len.min(expected_len) + 1),
            format!("rækken har {len} felter, men overskriften har {expected_len}"),
            format!("the row has {len} fields but the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { err, .. } => ImportError::new(
            file,
            line,
            Some(err.field() as u64 + 1),
            "teksten er ikke gyldig UTF-8".to_string(),
            "the text is not valid UTF-8".to_string(),
        ),
        _ => ImportError::new(file, line, None, format!("ugyldig CSV: {e}"), format!("invalid CSV: {e}")),
    }
}

/// Line numbers from byte offsets. The csv crate's own line count drifts on files that mix
/// CRLF and LF endings, so lines are counted here from the bytes.
struct Lines(Vec<usize>);

impl Lines {
    fn new(bytes: &[u8]) -> Lines {
        Lines(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect())
    }

    /// The 1-based line of a record. After a CRLF, csv reports a record as starting on
    /// the LF, so a newline at the start byte belongs to the previous line.
    fn of(&self, record: &csv::StringRecord) -> u64 {
        record.position().map(|p| self.0.partition_point(|nl| (*nl as u64) <= p.byte()) as u64 + 1).unwrap_or(0)
    }

    fn of_error(&self, e: &csv::Error) -> Option<u64> {
        e.position().map(|p| self.0.partition_point(|nl| (*nl as u64) <= p.byte()) as u64 + 1)
    }
}

/// Opens a CSV file, choosing ';' or ',' from the header line.
fn csv_reader(path: &Path) -> Result<(csv::Reader<std::io::Cursor<Vec<u8>>>, Lines), ImportError> {
    let mut bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let semicolons = first_line.iter().filter(|b| **b == b';').count();
    let commas = first_line.iter().filter(|b| **b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let lines = Lines::new(&bytes);
    Ok((
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(std::io::Cursor::new(bytes)),
        lines,
    ))
}

/// Finds the named columns in a header, or reports the missing ones.
fn columns(
    file: &str,
    header: &csv::StringRecord,
    wanted: &[&str],
    optional: &[&str],
) -> Result<HashMap<String, usize>, Vec<ImportError>> {
    let mut map = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        map.insert(h.trim().to_lowercase(), i);
    }
    let missing: Vec<ImportError> = wanted
        .iter()
        .filter(|w| !map.contains_key(**w))
        .map(|w| {
            ImportError::new(
                file,
                Some(1),
                None,
                format!("kolonnen '{w}' mangler i overskriften"),
                format!("the header lacks the column '{w}'"),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let _ = optional;
    Ok(map)
}

fn field<'r>(record: &'r csv::StringRecord, cols: &HashMap<String, usize>, name: &str) -> &'r str {
    cols.get(name).and_then(|i| record.get(*i)).unwrap_or("").trim()
}

fn parse_date(
    file: &str,
    line: u64,
    column: Option<usize>,
    value: &str,
    errors: &mut Vec<ImportError>,
) -> Option<NaiveDate> {
    if value.is_empty() {
        return None;
    }
    // OS2mo sends timestamps such as 2021-01-01T00:00:00+01:00; the date is the first part.
    let date_part = value.get(..10).unwrap_or(value);
    match NaiveDate::parse_from_str(date_part, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(ImportError::new(
                file,
                Some(line),
                column.map(|c| c as u64 + 1),
                format!("'{value}' er ikke en dato (ÅÅÅÅ-MM-DD)"),
                format!("'{value}' is not a date (YYYY-MM-DD)"),
            ));
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// Kolding leader CSV

/// The Kolding format: `root;org;sub org;2xsub org;3xsub org;Ansvar;Navn;Telefon;E-mail`.
/// Each row names a unit by its path of up to five names and, optionally, its manager.
pub fn read_kolding_csv(path: &Path) -> Result<OrgSnapshot, Vec<ImportError>> {
    const LEVELS: usize = 5;
    let file = display_name(path);
    let (mut reader, lines) = csv_reader(path).map_err(|e| vec![e])?;
    let header = reader.headers().map_err(|e| vec![csv_error(&file, &e, Some(1))])?.clone();
    if header.len() != LEVELS + 4 {
        return Err(vec![ImportError::new(
            &file,
            Some(1),
            None,
            format!(
                "forventede 9 kolonner (root;org;sub org;2xsub org;3xsub org;Ansvar;Navn;Telefon;E-mail), fandt {}",
                header.len()
            ),
            format!(
                "expected 9 columns (root;org;sub org;2xsub org;3xsub org;Ansvar;Navn;Telefon;E-mail), found {}",
                header.len()
            ),
        )]);
    }
    let mut snapshot = OrgSnapshot::default();
    let mut errors = Vec::new();
    let mut seen_units: HashSet<String> = HashSet::new();
    let mut seen_people: HashSet<String> = HashSet::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(&file, &e, lines.of_error(&e)));
                if errors.len() >= MAX_ERRORS {
                    break;
                }
                continue;
            }
        };
        let line = lines.of(&record);
        let origin = Origin { file: file.clone(), line };
        let mut names: Vec<&str> = Vec::new();
        let mut ended_at: Option<usize> = None;
        for level in 0..LEVELS {
            let name = record.get(level).unwrap_or("").trim();
            if name.is_empty() {
                ended_at.get_or_insert(level);
            } else if let Some(gap) = ended_at {
                errors.push(ImportError::new(
                    &file,
                    Some(line),
                    Some(level as u64 + 1),
                    format!("enheden '{name}' har intet overordnet niveau (kolonne {} er tom)", gap + 1),
                    format!("the unit '{name}' has no parent level (column {} is empty)", gap + 1),
                ));
                break;
            } else {
                names.push(name);
            }
        }
        if names.is_empty() {
            errors.push(ImportError::new(
                &file,
                Some(line),
                Some(1),
                "rækken har intet enhedsnavn".into(),
                "the row has no unit name".into(),
            ));
            continue;
        }
        for depth in 1..=names.len() {
            let key = names[..depth].join(" / ");
            if seen_units.insert(key.clone()) {
                snapshot.units.push(UnitRecord {
                    key,
                    parent_key: (depth > 1).then(|| names[..depth - 1].join(" / ")),
                    name: names[depth - 1].to_string(),
                    unit_type: String::new(),
                    valid_from: None,
                    valid_to: None,
                    origin: origin.clone(),
                });
            }
        }
        let unit_key = names.join(" / ");
        let responsibility = record.get(LEVELS).unwrap_or("").trim();
        let name = record.get(LEVELS + 1).unwrap_or("").trim();
        let phone = record.get(LEVELS + 2).unwrap_or("").trim();
        let email = record.get(LEVELS + 3).unwrap_or("").trim();
        if name.is_empty() {
            if !email.is_empty() || !phone.is_empty() {
                errors.push(ImportError::new(
                    &file,
                    Some(line),
                    Some(LEVELS as u64 + 2),
                    "lederen mangler et navn".into(),
                    "the manager has no name".into(),
                ));
            }
            continue;
        }
        let person_key = if email.is_empty() { format!("navn:{}", normalise(name)) } else { normalise(email) };
        if seen_people.insert(person_key.clone()) {
            snapshot.people.push(PersonRecord {
                key: person_key.clone(),
                name: name.to_string(),
                email: email.to_string(),
                phone: phone.to_string(),
                origin: origin.clone(),
            });
        }
        snapshot.managers.push(ManagerRecord {
            key: format!("leder:{unit_key}:{person_key}"),
            unit_key,
            person_key: Some(person_key),
            title: responsibility.to_string(),
            valid_from: None,
            valid_to: None,
            origin,
        });
    }
    if errors.is_empty() { Ok(snapshot) } else { Err(errors) }
}

// ---------------------------------------------------------------------------------------
// Samskab CSV

const YES: [&str; 5] = ["ja", "yes", "1", "true", "x"];
const NO: [&str; 4] = ["nej", "no", "0", "false"];

fn parse_flag(value: &str) -> Option<bool> {
    let v = value.trim().to_lowercase();
    if v.is_empty() || NO.contains(&v.as_str()) {
        Some(false)
    } else if YES.contains(&v.as_str()) {
        Some(true)
    } else {
        None
    }
}

/// Samskab's own format: a directory with `units.csv` (`id,parent_id,name,type,valid_from,valid_to`)
/// and `people.csv` (`person_id,name,email,phone,unit_id,job_title,pay_type,primary,manager`),
/// one row per engagement. See docs/import.md.
pub fn read_samskab_csv(dir: &Path) -> Result<OrgSnapshot, Vec<ImportError>> {
    let mut snapshot = OrgSnapshot::default();
    let mut errors = Vec::new();

    let units_path = dir.join("units.csv");
    let file = display_name(&units_path);
    let (mut reader, lines) = csv_reader(&units_path).map_err(|e| vec![e])?;
    let header = reader.headers().map_err(|e| vec![csv_error(&file, &e, Some(1))])?.clone();
    let cols = columns(&file, &header, &["id", "parent_id", "name"], &["type", "valid_from", "valid_to"])?;
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(&file, &e, lines.of_error(&e)));
                continue;
            }
        };
        let line = lines.of(&record);
        let id = field(&record, &cols, "id");
        let name = field(&record, &cols, "name");
        if id.is_empty() {
            errors.push(ImportError::new(
                &file,
                Some(line),
                cols.get("id").map(|c| *c as u64 + 1),
                "id mangler".into(),
                "id is missing".into(),
            ));
        }
        if name.is_empty() {
            errors.push(ImportError::new(
                &file,
                Some(line),
                cols.get("name").map(|c| *c as u64 + 1),
                "navn mangler".into(),
                "name is missing".into(),
            ));
        }
        let parent = field(&record, &cols, "parent_id");
        let valid_from =
            parse_date(&file, line, cols.get("valid_from").copied(), field(&record, &cols, "valid_from"), &mut errors);
        let valid_to =
            parse_date(&file, line, cols.get("valid_to").copied(), field(&record, &cols, "valid_to"), &mut errors);
        snapshot.units.push(UnitRecord {
            key: id.to_string(),
            parent_key: (!parent.is_empty()).then(|| parent.to_string()),
            name: name.to_string(),
            unit_type: field(&record, &cols, "type").to_string(),
            valid_from,
            valid_to,
            origin: Origin { file: file.clone(), line },
        });
        if errors.len() >= MAX_ERRORS {
            return Err(errors);
        }
    }

    let people_path = dir.join("people.csv");
    let file = display_name(&people_path);
    let (mut reader, lines) = csv_reader(&people_path).map_err(|e| vec![e])?;
    let header = reader.headers().map_err(|e| vec![csv_error(&file, &e, Some(1))])?.clone();
    let cols = columns(
        &file,
        &header,
        &["person_id", "name", "unit_id", "pay_type"],
        &["email", "phone", "job_title", "primary", "manager"],
    )?;
    let col = |name: &str| cols.get(name).map(|c| *c as u64 + 1);
    let mut seen_people: HashMap<String, String> = HashMap::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(&file, &e, lines.of_error(&e)));
                continue;
            }
        };
        let line = lines.of(&record);
        let origin = Origin { file: file.clone(), line };
        let person = field(&record, &cols, "person_id");
        let name = field(&record, &cols, "name");
        let unit = field(&record, &cols, "unit_id");
        if person.is_empty() {
            errors.push(ImportError::new(
                &file,
                Some(line),
                col("person_id"),
                "person_id mangler".into(),
                "person_id is missing".into(),
            ));
            continue;
        }
        if unit.is_empty() {
            errors.push(ImportError::new(
                &file,
                Some(line),
                col("unit_id"),
                "unit_id mangler".into(),
                "unit_id is missing".into(),
            ));
            continue;
        }
        let pay_raw = field(&record, &cols, "pay_type");
        let Some(pay_type) = PayType::parse(pay_raw) else {
            errors.push(ImportError::new(
                &file,
                Some(line),
                col("pay_type"),
                format!("'{pay_raw}' er ikke en løntype (hourly eller salaried)"),
                format!("'{pay_raw}' is not a pay type (hourly or salaried)"),
            ));
            continue;
        };
        let flag = |name: &str, errors: &mut Vec<ImportError>| {
            let raw = field(&record, &cols, name);
            parse_flag(raw).unwrap_or_else(|| {
                errors.push(ImportError::new(
                    &file,
                    Some(line),
                    col(name),
                    format!("'{raw}' er hverken ja eller nej"),
                    format!("'{raw}' is neither yes nor no"),
                ));
                false
            })
        };
        let is_primary = if field(&record, &cols, "primary").is_empty() { true } else { flag("primary", &mut errors) };
        let is_manager = flag("manager", &mut errors);
        match seen_people.get(person) {
            None => {
                if name.is_empty() {
                    errors.push(ImportError::new(
                        &file,
                        Some(line),
                        col("name"),
                        "navn mangler".into(),
                        "name is missing".into(),
                    ));
                }
                seen_people.insert(person.to_string(), name.to_string());
                snapshot.people.push(PersonRecord {
                    key: person.to_string(),
                    name: name.to_string(),
                    email: field(&record, &cols, "email").to_string(),
                    phone: field(&record, &cols, "phone").to_string(),
                    origin: origin.clone(),
                });
            }
            Some(first) if !name.is_empty() && first != name => {
                errors.push(ImportError::new(
                    &file,
                    Some(line),
                    col("name"),
                    format!("person '{person}' hedder '{first}' i en tidligere række"),
                    format!("person '{person}' is called '{first}' on an earlier row"),
                ));
            }
            Some(_) => {}
        }
        snapshot.engagements.push(EngagementRecord {
            key: format!("{person}@{unit}"),
            person_key: person.to_string(),
            unit_key: unit.to_string(),
            job_title: field(&record, &cols, "job_title").to_string(),
            pay_type,
            is_primary,
            valid_from: None,
            valid_to: None,
            origin: origin.clone(),
        });
        if is_manager {
            snapshot.managers.push(ManagerRecord {
                key: format!("leder:{unit}:{person}"),
                unit_key: unit.to_string(),
                person_key: Some(person.to_string()),
                title: field(&record, &cols, "job_title").to_string(),
                valid_from: None,
                valid_to: None,
                origin,
            });
        }
        if errors.len() >= MAX_ERRORS {
            break;
        }
    }
    if errors.is_empty() { Ok(snapshot) } else { Err(errors) }
}

// ---------------------------------------------------------------------------------------
// OS2mo GraphQL JSON

#[derive(Deserialize)]
struct GraphQlPage<T> {
    data: HashMap<String, Paged<T>>,
}

#[derive(Deserialize)]
struct Paged<T> {
    objects: Vec<Object<T>>,
}

#[derive(Deserialize)]
struct Object<T> {
    uuid: String,
    current: Option<T>,
}

#[derive(Deserialize)]
struct Ref {
    uuid: String,
}

#[derive(Deserialize, Default)]
struct ClassResponse {
    current: Option<Class>,
}

#[derive(Deserialize, Default)]
struct Class {
    #[serde(default)]
    user_key: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct Validity {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

#[derive(Deserialize)]
struct Os2moUnit {
    name: String,
    parent_response: Option<Ref>,
    #[serde(default)]
    unit_type_response: Option<ClassResponse>,
    #[serde(default)]
    validity: Option<Validity>,
}

#[derive(Deserialize)]
struct Os2moManager {
    org_unit_response: Ref,
    person_response: Option<Ref>,
    #[serde(default)]
    manager_type_response: Option<ClassResponse>,
    #[serde(default)]
    validity: Option<Validity>,
}

#[derive(Deserialize)]
struct Os2moEngagement {
    #[serde(default)]
    is_primary: Option<bool>,
    person_response: Ref,
    org_unit_response: Ref,
    #[serde(default)]
    job_function_response: Option<ClassResponse>,
    #[serde(default)]
    engagement_type_response: Option<ClassResponse>,
    #[serde(default)]
    validity: Option<Validity>,
}

#[derive(Deserialize)]
struct Os2moEmployee {
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    surname: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    nickname_given_name: Option<String>,
    #[serde(default)]
    nickname_surname: Option<String>,
    #[serde(default)]
    addresses_response: Option<AddressPage>,
}

#[derive(Deserialize)]
struct AddressPage {
    objects: Vec<AddressObject>,
}

#[derive(Deserialize)]
struct AddressObject {
    current: Option<Address>,
}

#[derive(Deserialize)]
struct Address {
    value: String,
}

fn class_name(c: &Option<ClassResponse>) -> (String, String) {
    let class = c.as_ref().and_then(|c| c.current.as_ref());
    (class.and_then(|c| c.user_key.clone()).unwrap_or_default(), class.and_then(|c| c.name.clone()).unwrap_or_default())
}

/// Reads every `<collection>*.json` page in `dir` for one GraphQL collection.
fn read_pages<T: for<'de> Deserialize<'de>>(
    dir: &Path,
    collection: &str,
    errors: &mut Vec<ImportError>,
) -> Vec<(String, String, T)> {
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(collection))
            })
            .collect(),
        Err(e) => {
            errors.push(io_error(dir, &e));
            return Vec::new();
        }
    };
    files.sort();
    if files.is_empty() {
        errors.push(ImportError::new(
            &display_name(dir),
            None,
            None,
            format!("ingen filer {collection}*.json i mappen"),
            format!("no {collection}*.json files in the directory"),
        ));
    }
    let mut out = Vec::new();
    for path in files {
        let file = display_name(&path);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(io_error(&path, &e));
                continue;
            }
        };
        match serde_json::from_str::<GraphQlPage<T>>(&text) {
            Ok(page) => match page.data.into_iter().find(|(k, _)| k == collection) {
                Some((_, paged)) => {
                    for obj in paged.objects {
                        if let Some(current) = obj.current {
                            out.push((file.clone(), obj.uuid, current));
                        }
                    }
                }
                None => errors.push(ImportError::new(
                    &file,
                    Some(1),
                    Some(1),
                    format!("svaret har ingen data.{collection}"),
                    format!("the answer has no data.{collection}"),
                )),
            },
            Err(e) => errors.push(ImportError::new(
                &file,
                Some(e.line() as u64),
                Some(e.column() as u64),
                format!("ugyldig JSON for {collection}: {e}"),
                format!("invalid JSON for {collection}: {e}"),
            )),
        }
    }
    out
}

/// OS2mo's paged GraphQL answers, saved as files in `dir`: `org_units*.json`,
/// `managers*.json`, `engagements*.json` and `employees*.json` (queries in docs/import.md).
pub fn read_os2mo_json(dir: &Path) -> Result<OrgSnapshot, Vec<ImportError>> {
    let mut errors = Vec::new();
    let units: Vec<(String, String, Os2moUnit)> = read_pages(dir, "org_units", &mut errors);
    let managers: Vec<(String, String, Os2moManager)> = read_pages(dir, "managers", &mut errors);
    let engagements: Vec<(String, String, Os2moEngagement)> = read_pages(dir, "engagements", &mut errors);
    let employees: Vec<(String, String, Os2moEmployee)> = read_pages(dir, "employees", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut snapshot = OrgSnapshot::default();
    let date = |file: &str, v: &Option<Validity>, from: bool, errors: &mut Vec<ImportError>| {
        let raw = v.as_ref().and_then(|v| if from { v.from.clone() } else { v.to.clone() }).unwrap_or_default();
        parse_date(file, 0, None, &raw, errors)
    };
    for (file, uuid, u) in units {
        let (_, type_name) = class_name(&u.unit_type_response);
        snapshot.units.push(UnitRecord {
            key: uuid,
            parent_key: u.parent_response.map(|r| r.uuid),
            name: u.name,
            unit_type: type_name,
            valid_from: date(&file, &u.validity, true, &mut errors),
            valid_to: date(&file, &u.validity, false, &mut errors),
            origin: Origin { file, line: 0 },
        });
    }
    for (file, uuid, e) in employees {
        let given = e.nickname_given_name.filter(|s| !s.is_empty()).or(e.given_name).unwrap_or_default();
        let surname = e.nickname_surname.filter(|s| !s.is_empty()).or(e.surname).unwrap_or_default();
        let full = format!("{given} {surname}").trim().to_string();
        let name = if full.is_empty() { e.name.unwrap_or_default() } else { full };
        let email = e
            .addresses_response
            .and_then(|a| a.objects.into_iter().find_map(|o| o.current.map(|c| c.value)))
            .unwrap_or_default();
        snapshot.people.push(PersonRecord {
            key: uuid,
            name,
            email,
            phone: String::new(),
            origin: Origin { file, line: 0 },
        });
    }
    for (file, uuid, e) in engagements {
        let (type_key, type_name) = class_name(&e.engagement_type_response);
        let kind = format!("{type_key} {type_name}").to_lowercase();
        let pay_type =
            if kind.contains("time") || kind.contains("hourly") { PayType::Hourly } else { PayType::Salaried };
        snapshot.engagements.push(EngagementRecord {
            key: uuid,
            person_key: e.person_response.uuid,
            unit_key: e.org_unit_response.uuid,
            job_title: class_name(&e.job_function_response).1,
            pay_type,
            is_primary: e.is_primary.unwrap_or(true),
            valid_from: date(&file, &e.validity, true, &mut errors),
            valid_to: date(&file, &e.validity, false, &mut errors),
            origin: Origin { file, line: 0 },
        });
    }
    for (file, uuid, m) in managers {
        snapshot.managers.push(ManagerRecord {
            key: uuid,
            unit_key: m.org_unit_response.uuid,
            person_key: m.person_response.map(|r| r.uuid),
            title: class_name(&m.manager_type_response).1,
            valid_from: date(&file, &m.validity, true, &mut errors),
            valid_to: date(&file, &m.validity, false, &mut errors),
            origin: Origin { file, line: 0 },
        });
    }
    if errors.is_empty() { Ok(snapshot) } else { Err(errors) }
}

// ---------------------------------------------------------------------------------------
// Validation common to all formats

fn at(origin: &Origin) -> (String, Option<u64>) {
    (origin.file.clone(), (origin.line > 0).then_some(origin.line))
}

/// Checks keys are unique, references resolve and the unit tree has no cycles.
pub fn validate(s: &OrgSnapshot) -> Result<(), Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut units: HashMap<&str, &UnitRecord> = HashMap::new();
    for u in &s.units {
        if units.insert(u.key.as_str(), u).is_some() {
            let (f, l) = at(&u.origin);
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("enheden '{}' findes to gange", u.key),
                format!("the unit '{}' occurs twice", u.key),
            ));
        }
    }
    for u in &s.units {
        if let Some(p) = &u.parent_key
            && !units.contains_key(p.as_str())
        {
            let (f, l) = at(&u.origin);
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("den overordnede enhed '{p}' findes ikke"),
                format!("the parent unit '{p}' does not exist"),
            ));
        }
    }
    // Cycle check: walk up from each unit; a walk longer than the unit count is a cycle.
    for u in &s.units {
        let mut current = u.parent_key.as_deref();
        let mut steps = 0;
        while let Some(p) = current {
            steps += 1;
            if p == u.key || steps > units.len() {
                let (f, l) = at(&u.origin);
                errors.push(ImportError::new(
                    &f,
                    l,
                    None,
                    format!("enheden '{}' ligger under sig selv", u.key),
                    format!("the unit '{}' lies beneath itself", u.key),
                ));
                break;
            }
            current = units.get(p).and_then(|x| x.parent_key.as_deref());
        }
        if errors.len() >= MAX_ERRORS {
            return Err(errors);
        }
    }
    let people: HashSet<&str> = s.people.iter().map(|p| p.key.as_str()).collect();
    let mut keys = HashSet::new();
    for e in &s.engagements {
        let (f, l) = at(&e.origin);
        if !keys.insert(e.key.as_str()) {
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("ansættelsen '{}' findes to gange", e.key),
                format!("the engagement '{}' occurs twice", e.key),
            ));
        }
        if !people.contains(e.person_key.as_str()) {
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("personen '{}' findes ikke", e.person_key),
                format!("the person '{}' does not exist", e.person_key),
            ));
        }
        if !units.contains_key(e.unit_key.as_str()) {
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("enheden '{}' findes ikke", e.unit_key),
                format!("the unit '{}' does not exist", e.unit_key),
            ));
        }
        if errors.len() >= MAX_ERRORS {
            return Err(errors);
        }
    }
    let mut keys = HashSet::new();
    for m in &s.managers {
        let (f, l) = at(&m.origin);
        if !keys.insert(m.key.as_str()) {
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("lederposten '{}' findes to gange", m.key),
                format!("the manager post '{}' occurs twice", m.key),
            ));
        }
        if !units.contains_key(m.unit_key.as_str()) {
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("enheden '{}' findes ikke", m.unit_key),
                format!("the unit '{}' does not exist", m.unit_key),
            ));
        }
        if let Some(p) = &m.person_key
            && !people.contains(p.as_str())
        {
            errors.push(ImportError::new(
                &f,
                l,
                None,
                format!("personen '{p}' findes ikke"),
                format!("the person '{p}' does not exist"),
            ));
        }
        if errors.len() >= MAX_ERRORS {
            return Err(errors);
        }
    }
    if s.units.is_empty() {
        errors.push(ImportError::new(
            "",
            None,
            None,
            "der er ingen enheder at indlæse".into(),
            "there are no units to import".into(),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kolding() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/os2mo-kolding/alle_ledere.csv")
    }

    #[test]
    fn reads_the_kolding_chart() {
        let s = read(Format::KoldingCsv, &kolding()).expect("the shipped file is valid");
        assert_eq!(s.units.iter().filter(|u| u.parent_key.is_none()).count(), 1);
        assert!(s.units.iter().any(|u| u.key == "Kolding Kommune / Teknik og Miljø / Kloakering / Kantine"));
        // 62 data rows; rows without a name are units without a manager.
        assert_eq!(s.units.len(), 62);
        assert_eq!(s.managers.len(), 54);
        assert!(s.managers.iter().all(|m| m.person_key.is_some()));
    }

    #[test]
    fn kolding_errors_name_line_and_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bad.csv");
        std::fs::write(
            &path,
            "\"root\";\"org\";\"sub org\";\"2xsub org\";\"3xsub org\";\"Ansvar\";\"Navn\";\"Telefon\";\"E-mail\"\n\
             \"K\";\"\";\"\";\"\";\"\";\"\";\"A\";\"\";\"a@k.dk\"\n\
             \"K\";\"\";\"Orphan\";\"\";\"\";\"\";\"\";\"\";\"\"\n\
             \"K\";\"X\";\"\";\"\"\n",
        )
        .expect("write");
        let errors = read(Format::KoldingCsv, &path).expect_err("invalid");
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].line, errors[0].column), (Some(3), Some(3)));
        assert!(errors[0].render("da").contains("linje 3, kolonne 3"));
        assert_eq!(errors[1].line, Some(4));
    }

    #[test]
    fn samskab_csv_reports_bad_values() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("units.csv"), "id,parent_id,name\nK,,Kommune\nA,K,Afdeling\nB,Z,Forkert\n")
            .expect("write");
        std::fs::write(
            dir.path().join("people.csv"),
            "person_id,name,email,unit_id,job_title,pay_type,manager\n\
             p1,Anne,anne@k.dk,K,Direktør,salaried,ja\n\
             p2,Bo,bo@k.dk,A,Pædagog,weekly,nej\n",
        )
        .expect("write");
        let errors = read(Format::SamskabCsv, dir.path()).expect_err("invalid");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].line, errors[0].column), (Some(3), Some(6)));
        std::fs::write(
            dir.path().join("people.csv"),
            "person_id;name;email;unit_id;job_title;pay_type;manager\np1;Anne;anne@k.dk;K;Direktør;salaried;ja\n",
        )
        .expect("write");
        let errors = read(Format::SamskabCsv, dir.path()).expect_err("unknown parent");
        assert!(errors[0].en.contains("parent unit 'Z'"), "{errors:?}");
        assert_eq!(errors[0].line, Some(4));
    }

    #[test]
    fn os2mo_json_errors_carry_positions() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["managers", "engagements", "employees"] {
            std::fs::write(
                dir.path().join(format!("{name}-1.json")),
                format!("{{\"data\":{{\"{name}\":{{\"objects\":[]}}}}}}"),
            )
            .expect("write");
        }
        std::fs::write(
            dir.path().join("org_units-1.json"),
            "{\"data\":{\"org_units\":{\"objects\":[\n{\"uuid\":\"a\",\"current\":{\"nam\":\"x\"}}\n]}}}",
        )
        .expect("write");
        let errors = read(Format::Os2moJson, dir.path()).expect_err("missing name");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(2));
        assert!(errors[0].column.is_some());
    }
}
