//! The Kolding leader CSV (OS2mo's test organisation).

use std::collections::HashSet;
use std::path::Path;

use super::*;

/// The Kolding format: `root;org;sub org;2xsub org;3xsub org;Ansvar;Navn;Telefon;E-mail`.
/// Each row names a unit by its path of up to five names and, optionally, its manager.
pub fn read_kolding_csv(path: &Path) -> Result<OrgSnapshot, Vec<ImportError>> {
    const LEVELS: usize = 5;
    let file = display_name(path);
    let (mut reader, lines) = csv_reader(path)?;
    let header = reader.headers().map_err(|e| vec![csv_error(&file, &e, Some(1))])?.clone();
    if header.len() != LEVELS + 4 {
        return Err(vec![ImportError::at(
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
        errors.extend(long_fields(&file, line, &record));
        let origin = Origin { file: file.clone(), line };
        let mut names: Vec<&str> = Vec::new();
        let mut ended_at: Option<usize> = None;
        for level in 0..LEVELS {
            let name = record.get(level).unwrap_or("").trim();
            if name.is_empty() {
                ended_at.get_or_insert(level);
            } else if let Some(gap) = ended_at {
                errors.push(ImportError::at(
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
            errors.push(ImportError::at(
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
                errors.push(ImportError::at(
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
