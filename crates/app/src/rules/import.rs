//! Rules in and out as CSV (and out as XLSX). An import is checked whole before anything
//! is written: every error names the file, the line and the column.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{IMPORT_MAX_ROWS, NewRule, Rule};
use super::{RuleInput, check_rule};
use crate::AppState;
use crate::platform::exports::{Cell, CsvDialect, csv, xlsx};
use crate::platform::i18n::Tr;

/// The columns of a rules CSV: the English key and the Danish heading; either is accepted.
pub const COLUMNS: [(&str, &str); 9] = [
    ("title", "titel"),
    ("text", "tekst"),
    ("origin", "oprindelse"),
    ("reference", "hjemmel"),
    ("owner_unit", "ejer"),
    ("burdens_units", "belaster_enheder"),
    ("burdens_roles", "belaster_roller"),
    ("hours_per_year", "timer_pr_aar"),
    ("value_statement", "vaerdi"),
];

/// Reads and checks a whole rules CSV (semicolons or commas; a header row naming the
/// columns; units by name or id, several separated by `|`). Either every row as a rule, or
/// the errors, each "file, line n, column c: what is wrong".
pub async fn parse(state: &AppState, tr: &Tr, file: &str, bytes: &[u8]) -> Result<Vec<NewRule>, Vec<String>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}'),
        Err(_) => return Err(vec![tr.t1("rule-import-error-utf8", "file", file)]),
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() >= first.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let at = |line: u64, column: &str, message: String| {
        tr.ta("rule-import-error", &[("file", &file), ("line", &line), ("column", &column), ("message", &message)])
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![at(1, "-", e.to_string())]),
    };
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_lowercase();
        match COLUMNS.iter().find(|(en, da)| *en == h || *da == h) {
            Some((key, _)) => {
                index.insert(key, i);
            }
            // What an export adds is read back without complaint, and left out.
            None if ["number", "status", "hours_freed"].contains(&h.as_str()) => {}
            None => errors.push(at(1, &h, tr.t("rule-import-error-column"))),
        }
    }
    for required in ["title", "origin"] {
        if !index.contains_key(required) {
            errors.push(at(1, required, tr.t("rule-import-error-missing")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let org = match crate::organisation::org_cache(state).get(&state.db).await {
        Ok(o) => o,
        Err(e) => return Err(vec![e.to_string()]),
    };
    let find_unit = |s: &str| -> Option<Uuid> {
        let s = s.trim();
        Uuid::parse_str(s).ok().filter(|u| org.unit(*u).is_some()).or_else(|| {
            let lower = s.to_lowercase();
            org.all_units().find(|u| u.name.to_lowercase() == lower).map(|u| u.id)
        })
    };
    let mut rules = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        if n >= IMPORT_MAX_ROWS {
            errors.push(at(line, "-", tr.t1("rule-import-error-rows", "max", IMPORT_MAX_ROWS)));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(at(line, "-", e.to_string()));
                continue;
            }
        };
        let get = |key: &str| index.get(key).and_then(|i| record.get(*i)).unwrap_or("").trim().to_string();
        let mut input = RuleInput {
            title: get("title"),
            text: get("text"),
            origin: get("origin").to_lowercase(),
            reference: get("reference"),
            value_statement: get("value_statement"),
            burdens_roles: get("burdens_roles")
                .split(['|', ','])
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
            ..Default::default()
        };
        let owner = get("owner_unit");
        if !owner.is_empty() {
            match find_unit(&owner) {
                Some(u) => input.owner_unit = Some(u),
                None => errors.push(at(line, "owner_unit", tr.t1("rule-import-error-unit", "unit", &owner))),
            }
        }
        for name in get("burdens_units").split('|').map(str::trim).filter(|s| !s.is_empty()) {
            match find_unit(name) {
                Some(u) => input.burdens_units.push(u),
                None => errors.push(at(line, "burdens_units", tr.t1("rule-import-error-unit", "unit", name))),
            }
        }
        let hours = get("hours_per_year");
        if !hours.is_empty() {
            match hours.replace('.', "").parse::<i64>() {
                Ok(h) => input.hours_per_year = h,
                Err(_) => errors.push(at(line, "hours_per_year", tr.t("rule-import-error-number"))),
            }
        }
        match check_rule(state, tr, &input).await {
            Ok(rule) => rules.push(rule),
            Err(found) => {
                for e in found.all() {
                    errors.push(at(line, e.field, e.message.clone()));
                }
            }
        }
    }
    if rules.is_empty() && errors.is_empty() {
        errors.push(at(2, "-", tr.t("rule-import-error-empty")));
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
}

fn table(tr: &Tr, rules: &[Rule], unit_name: &dyn Fn(Uuid) -> String) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headings: Vec<String> = vec!["number".into()];
    headings.extend(COLUMNS.iter().map(|(en, _)| en.to_string()));
    headings.extend(["status".into(), "hours_freed".into()]);
    let rows = rules
        .iter()
        .map(|r| {
            vec![
                Cell::Number(i64::from(r.number)),
                Cell::Text(r.title.clone()),
                Cell::Text(r.text.clone()),
                Cell::Text(r.origin.key().into()),
                Cell::Text(r.reference.clone()),
                Cell::Text(r.owner_unit.map(unit_name).unwrap_or_default()),
                Cell::Text(r.burdens_units.iter().map(|u| unit_name(*u)).collect::<Vec<_>>().join("|")),
                Cell::Text(r.burdens_roles.join("|")),
                Cell::Number(r.hours_per_year),
                Cell::Text(r.value_statement.clone()),
                Cell::Text(tr.t(r.status.label_id())),
                Cell::Number(r.hours_freed),
            ]
        })
        .collect();
    (headings, rows)
}

/// The register as CSV (readable by the import) or XLSX.
pub async fn export(state: &AppState, tr: &Tr, xlsx_file: bool) -> crate::platform::web::Result<Vec<u8>> {
    let rules = super::store::list(&state.db, state.municipality, None).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let unit_name = |u: Uuid| org.unit(u).map(|u| u.name.clone()).unwrap_or_default();
    let (headings, rows) = table(tr, &rules, &unit_name);
    let out = if xlsx_file {
        xlsx(&tr.t("rules-title"), &headings, &rows, &[6.0, 40.0, 60.0, 10.0, 24.0, 24.0, 30.0, 20.0, 10.0, 40.0])
    } else {
        csv(&headings, &rows, CsvDialect::DanishSpreadsheet)
    };
    out.map_err(|e| crate::platform::web::AppError::Internal(e.to_string()))
}
