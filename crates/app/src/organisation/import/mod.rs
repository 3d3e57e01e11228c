//! Reading an organisation from the formats municipalities have: the Kolding leader CSV,
//! OS2mo GraphQL JSON pages, and Samskab's own `units.csv` + `people.csv`. Every reader
//! returns an [`OrgSnapshot`] or every problem it found, each naming file, line and column;
//! nothing is written until a snapshot is complete and valid.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

pub use super::model::*;

mod kolding;
mod os2mo;
mod samskab_csv;
mod validate;

pub use kolding::read_kolding_csv;
pub use os2mo::read_os2mo_json;
pub use samskab_csv::read_samskab_csv;
pub use validate::validate;

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

/// One problem in an input file (the platform's [`FileError`]).
pub use crate::platform::formats::FileError as ImportError;

/// Every problem found; reading stops collecting after this many.
const MAX_ERRORS: usize = 50;

/// Reads `path` in `format` into a validated snapshot.
pub fn read(format: Format, path: &Path) -> Result<OrgSnapshot, Vec<ImportError>> {
    let snapshot = match format {
        Format::KoldingCsv => read_kolding_csv(path)?,
        Format::SamskabCsv => read_samskab_csv(path)?,
        Format::Os2moJson => read_os2mo_json(path)?,
    };
    // A problem of the whole snapshot (no units at all) is named after the input read.
    validate(&snapshot).map_err(|mut errors| {
        for e in errors.iter_mut().filter(|e| e.file.is_empty()) {
            e.file = display_name(path);
        }
        errors
    })?;
    Ok(snapshot)
}

fn display_name(path: &Path) -> String {
    path.display().to_string()
}

fn io_error(path: &Path, e: &std::io::Error) -> ImportError {
    ImportError::at(&display_name(path), None, None, format!("kan ikke læses: {e}"), format!("cannot be read: {e}"))
}

fn csv_error(file: &str, e: &csv::Error, line: Option<u64>) -> ImportError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => ImportError::at(
            file,
            line,
            Some(len.min(expected_len) + 1),
            format!("rækken har {len} felter, men overskriften har {expected_len}"),
            format!("the row has {len} fields but the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { err, .. } => ImportError::at(
            file,
            line,
            Some(err.field() as u64 + 1),
            "teksten er ikke gyldig UTF-8".to_string(),
            "the text is not valid UTF-8".to_string(),
        ),
        _ => ImportError::at(file, line, None, format!("ugyldig CSV: {e}"), format!("invalid CSV: {e}")),
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

/// The longest text one field may hold: far past any name or title, and far below what a
/// spreadsheet cell takes (32,767), so every export of the data stays valid.
pub const MAX_FIELD_CHARS: usize = 1000;

/// Reads an input file: without a UTF-8 byte-order mark, and refused with line and column
/// when it holds control characters (a NUL byte and the like), which no name has and which
/// the databases treat differently.
fn read_input(path: &Path) -> Result<Vec<u8>, Vec<ImportError>> {
    let mut bytes = std::fs::read(path).map_err(|e| vec![io_error(path, &e)])?;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    let file = display_name(path);
    let mut errors = Vec::new();
    let (mut line, mut column) = (1u64, 1u64);
    for &b in &bytes {
        match b {
            b'\n' => {
                line += 1;
                column = 1;
                continue;
            }
            b'\t' | b'\r' => {}
            0..=0x1f | 0x7f => {
                errors.push(ImportError::at(
                    &file,
                    Some(line),
                    Some(column),
                    format!("teksten indeholder et styretegn (byte 0x{b:02X})"),
                    format!("the text holds a control character (byte 0x{b:02X})"),
                ));
                if errors.len() >= MAX_ERRORS {
                    break;
                }
            }
            _ => {}
        }
        // Columns count characters: continuation bytes of UTF-8 do not start one.
        if b & 0xC0 != 0x80 {
            column += 1;
        }
    }
    if errors.is_empty() { Ok(bytes) } else { Err(errors) }
}

/// An error for a field longer than [`MAX_FIELD_CHARS`], if `value` is.
fn field_too_long(file: &str, line: Option<u64>, column: Option<u64>, value: &str) -> Option<ImportError> {
    let length = value.chars().count();
    (length > MAX_FIELD_CHARS).then(|| {
        ImportError::at(
            file,
            line,
            column,
            format!("feltet har {length} tegn; højst {MAX_FIELD_CHARS} er tilladt"),
            format!("the field has {length} characters; at most {MAX_FIELD_CHARS} are allowed"),
        )
    })
}

/// Every field of a CSV record longer than [`MAX_FIELD_CHARS`], with its column.
fn long_fields(file: &str, line: u64, record: &csv::StringRecord) -> Vec<ImportError> {
    record.iter().enumerate().filter_map(|(i, v)| field_too_long(file, Some(line), Some(i as u64 + 1), v)).collect()
}

/// Opens a CSV file, choosing ';' or ',' from the header line.
fn csv_reader(path: &Path) -> Result<(csv::Reader<std::io::Cursor<Vec<u8>>>, Lines), Vec<ImportError>> {
    let bytes = read_input(path)?;
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
            ImportError::at(
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
    // OS2mo sends timestamps such as 2021-01-01T00:00:00+01:00; the date is the first part,
    // and what follows it must be a time, not "garbage".
    let date_part = value.get(..10).unwrap_or(value);
    let rest = value.get(10..).unwrap_or("");
    let time_ok = rest.is_empty()
        || (rest.starts_with('T')
            && (chrono::DateTime::parse_from_rfc3339(value).is_ok()
                || chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").is_ok()));
    match NaiveDate::parse_from_str(date_part, "%Y-%m-%d") {
        Ok(d) if time_ok => Some(d),
        _ => {
            errors.push(ImportError::at(
                file,
                (line > 0).then_some(line),
                column.map(|c| c as u64 + 1),
                format!("'{value}' er ikke en dato (ÅÅÅÅ-MM-DD)"),
                format!("'{value}' is not a date (YYYY-MM-DD)"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kolding() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/os2mo-kolding/alle_ledere.csv")
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

    /// A Kolding file with one unit row whose leader's name is `name`.
    fn kolding_with_name(dir: &Path, name: &str) -> std::path::PathBuf {
        let path = dir.join("k.csv");
        let header =
            "\"root\";\"org\";\"sub org\";\"2xsub org\";\"3xsub org\";\"Ansvar\";\"Navn\";\"Telefon\";\"E-mail\"\n";
        std::fs::write(&path, format!("{header}\"K\";\"\";\"\";\"\";\"\";\"\";\"{name}\";\"\";\"a@k.dk\"\n"))
            .expect("write");
        path
    }

    #[test]
    fn a_file_with_only_a_header_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tom.csv");
        std::fs::write(
            &path,
            "\"root\";\"org\";\"sub org\";\"2xsub org\";\"3xsub org\";\"Ansvar\";\"Navn\";\"Telefon\";\"E-mail\"\n",
        )
        .expect("write");
        let errors = read(Format::KoldingCsv, &path).expect_err("nothing to import");
        assert!(
            errors[0].render("da").starts_with(&format!("{}: der er ingen enheder", path.display())),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn control_characters_and_long_fields_are_refused_with_line_and_column() {
        let dir = tempfile::tempdir().expect("tempdir");
        let errors = read(Format::KoldingCsv, &kolding_with_name(dir.path(), "Anne\u{0}Hansen")).expect_err("NUL");
        assert_eq!((errors[0].line, errors[0].column), (Some(2), Some(25)), "{}", errors[0]);
        assert!(errors[0].render("da").contains("styretegn"));
        let long = "å".repeat(MAX_FIELD_CHARS + 1);
        let errors = read(Format::KoldingCsv, &kolding_with_name(dir.path(), &long)).expect_err("too long");
        assert_eq!((errors[0].line, errors[0].column), (Some(2), Some(7)), "{}", errors[0]);
        assert!(errors[0].render("en").contains("at most 1000"));
        let fits = "å".repeat(MAX_FIELD_CHARS);
        assert!(read(Format::KoldingCsv, &kolding_with_name(dir.path(), &fits)).is_ok());
    }

    /// An OS2mo directory with these employees (uuid, page text of one object) and one unit.
    fn os2mo_dir(employees: &str, unit_from: &str, bom: bool) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let page = |name: &str, objects: &str| format!("{{\"data\":{{\"{name}\":{{\"objects\":[{objects}]}}}}}}");
        let write = |file: &str, text: String| {
            let mut bytes = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
            bytes.extend(text.into_bytes());
            std::fs::write(dir.path().join(file), bytes).expect("write");
        };
        write("managers-1.json", page("managers", ""));
        write("engagements-1.json", page("engagements", ""));
        write("employees-1.json", page("employees", employees));
        write(
            "org_units-1.json",
            page(
                "org_units",
                &format!(
                    "{{\"uuid\":\"u1\",\"current\":{{\"name\":\"Kommune\",\"parent_response\":null,\"validity\":{{\"from\":\"{unit_from}\"}}}}}}"
                ),
            ),
        );
        dir
    }

    #[test]
    fn os2mo_checks_dates_duplicates_and_takes_a_byte_order_mark() {
        let anne = "{\"uuid\":\"p1\",\"current\":{\"given_name\":\"Anne\",\"surname\":\"Hansen\"}}";
        let dir = os2mo_dir(anne, "2021-01-01T00:00:00+01:00", true);
        let s = read(Format::Os2moJson, dir.path()).expect("a file with a BOM is read");
        assert_eq!(s.units[0].valid_from, NaiveDate::from_ymd_opt(2021, 1, 1));
        let dir = os2mo_dir(anne, "2021-01-01garbage", false);
        let errors = read(Format::Os2moJson, dir.path()).expect_err("not a date");
        assert!(errors.iter().any(|e| e.en.contains("'2021-01-01garbage' is not a date") && e.line == Some(1)));
        let dir = os2mo_dir(&format!("{anne},{anne}"), "2021-01-01", false);
        let errors = read(Format::Os2moJson, dir.path()).expect_err("the same person twice");
        assert!(
            errors.iter().any(|e| e.en.contains("the person 'p1' occurs twice") && e.line == Some(1)),
            "checking errors name the line: {errors:?}"
        );
    }

    #[test]
    fn an_unreadable_page_file_fails_the_import() {
        let anne = "{\"uuid\":\"p1\",\"current\":{\"given_name\":\"Anne\",\"surname\":\"Hansen\"}}";
        let dir = os2mo_dir(anne, "2021-01-01", false);
        assert!(read(Format::Os2moJson, dir.path()).is_ok());
        // A second page of units that cannot be read (here: a directory by that name) must
        // not be read as "these units are gone".
        std::fs::create_dir(dir.path().join("org_units-2.json")).expect("dir");
        let errors = read(Format::Os2moJson, dir.path()).expect_err("an unreadable page");
        assert!(errors.iter().any(|e| e.file.contains("org_units-2.json")), "{errors:?}");
    }
}
