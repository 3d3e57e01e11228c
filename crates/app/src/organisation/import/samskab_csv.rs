//! Samskab's own `units.csv` + `people.csv`.

use std::collections::HashMap;
use std::path::Path;

use super::*;

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
    let (mut reader, lines) = csv_reader(&units_path)?;
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
        errors.extend(long_fields(&file, line, &record));
        let id = field(&record, &cols, "id");
        let name = field(&record, &cols, "name");
        if id.is_empty() {
            errors.push(ImportError::at(
                &file,
                Some(line),
                cols.get("id").map(|c| *c as u64 + 1),
                "id mangler".into(),
                "id is missing".into(),
            ));
        }
        if name.is_empty() {
            errors.push(ImportError::at(
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
    let (mut reader, lines) = csv_reader(&people_path)?;
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
        errors.extend(long_fields(&file, line, &record));
        let origin = Origin { file: file.clone(), line };
        let person = field(&record, &cols, "person_id");
        let name = field(&record, &cols, "name");
        let unit = field(&record, &cols, "unit_id");
        if person.is_empty() {
            errors.push(ImportError::at(
                &file,
                Some(line),
                col("person_id"),
                "person_id mangler".into(),
                "person_id is missing".into(),
            ));
            continue;
        }
        if unit.is_empty() {
            errors.push(ImportError::at(
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
            errors.push(ImportError::at(
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
                errors.push(ImportError::at(
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
                    errors.push(ImportError::at(
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
                errors.push(ImportError::at(
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
