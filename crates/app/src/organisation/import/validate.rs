//! Checks common to all formats: unique keys, references that resolve, no cycles.

use std::collections::{HashMap, HashSet};

use super::*;

fn at(origin: &Origin) -> (String, Option<u64>) {
    (origin.file.clone(), (origin.line > 0).then_some(origin.line))
}

/// "The {kind} '{key}' occurs twice", at the record's place; `kind` is (Danish, English).
fn twice(origin: &Origin, kind: (&str, &str), key: &str) -> ImportError {
    let (f, l) = at(origin);
    ImportError::at(
        &f,
        l,
        None,
        format!("{} '{key}' findes to gange", kind.0),
        format!("the {} '{key}' occurs twice", kind.1),
    )
}

/// Every text of every record longer than [`MAX_FIELD_CHARS`] (the CSV readers name the
/// column too; this catches every format, JSON included).
fn long_texts(s: &OrgSnapshot) -> Vec<ImportError> {
    let u = s.units.iter().map(|u| (&u.origin, vec![&u.key, &u.name, &u.unit_type]));
    let p = s.people.iter().map(|p| (&p.origin, vec![&p.key, &p.name, &p.email, &p.phone]));
    let e = s.engagements.iter().map(|e| (&e.origin, vec![&e.key, &e.person_key, &e.unit_key, &e.job_title]));
    let m = s.managers.iter().map(|m| (&m.origin, vec![&m.key, &m.unit_key, &m.title]));
    u.chain(p)
        .chain(e)
        .chain(m)
        .flat_map(|(origin, texts)| {
            let (f, l) = at(origin);
            texts.into_iter().filter_map(move |t| field_too_long(&f, l, None, t))
        })
        .take(MAX_ERRORS)
        .collect()
}

/// Checks texts fit, keys are unique, references resolve and the unit tree has no cycles.
pub fn validate(s: &OrgSnapshot) -> Result<(), Vec<ImportError>> {
    let mut errors = long_texts(s);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut person_keys = HashSet::new();
    for p in &s.people {
        if !person_keys.insert(p.key.as_str()) {
            errors.push(twice(&p.origin, ("personen", "person"), &p.key));
        }
    }
    let mut units: HashMap<&str, &UnitRecord> = HashMap::new();
    for u in &s.units {
        if units.insert(u.key.as_str(), u).is_some() {
            errors.push(twice(&u.origin, ("enheden", "unit"), &u.key));
        }
    }
    for u in &s.units {
        if let Some(p) = &u.parent_key
            && !units.contains_key(p.as_str())
        {
            let (f, l) = at(&u.origin);
            errors.push(ImportError::at(
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
                errors.push(ImportError::at(
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
            errors.push(twice(&e.origin, ("ansættelsen", "engagement"), &e.key));
        }
        if !people.contains(e.person_key.as_str()) {
            errors.push(ImportError::at(
                &f,
                l,
                None,
                format!("personen '{}' findes ikke", e.person_key),
                format!("the person '{}' does not exist", e.person_key),
            ));
        }
        if !units.contains_key(e.unit_key.as_str()) {
            errors.push(ImportError::at(
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
            errors.push(twice(&m.origin, ("lederposten", "manager post"), &m.key));
        }
        if !units.contains_key(m.unit_key.as_str()) {
            errors.push(ImportError::at(
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
            errors.push(ImportError::at(
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
        errors.push(ImportError::at(
            "",
            None,
            None,
            "der er ingen enheder at indlæse".into(),
            "there are no units to import".into(),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}
