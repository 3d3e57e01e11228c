//! Saved OS2mo GraphQL answers.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::*;

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
) -> Vec<(Origin, String, T)> {
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
        errors.push(ImportError::at(
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
        let text = match read_input(&path).and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                vec![ImportError::at(
                    &file,
                    None,
                    None,
                    "teksten er ikke gyldig UTF-8".into(),
                    "the text is not valid UTF-8".into(),
                )]
            })
        }) {
            Ok(t) => t,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        match serde_json::from_str::<GraphQlPage<T>>(&text) {
            Ok(page) => match page.data.into_iter().find(|(k, _)| k == collection) {
                Some((_, paged)) => {
                    // Each object's line: where its uuid first appears after the previous
                    // object (objects are in file order), so checking errors can name it.
                    let mut cursor = 0;
                    for obj in paged.objects {
                        let quoted = format!("\"{}\"", obj.uuid);
                        let line = match text.get(cursor..).and_then(|rest| rest.find(&quoted)) {
                            Some(at) => {
                                cursor += at + quoted.len();
                                text.as_bytes()[..cursor].iter().filter(|b| **b == b'\n').count() as u64 + 1
                            }
                            None => 0,
                        };
                        if let Some(current) = obj.current {
                            out.push((Origin { file: file.clone(), line }, obj.uuid, current));
                        }
                    }
                }
                None => errors.push(ImportError::at(
                    &file,
                    Some(1),
                    Some(1),
                    format!("svaret har ingen data.{collection}"),
                    format!("the answer has no data.{collection}"),
                )),
            },
            Err(e) => errors.push(ImportError::at(
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
    let units: Vec<(Origin, String, Os2moUnit)> = read_pages(dir, "org_units", &mut errors);
    let managers: Vec<(Origin, String, Os2moManager)> = read_pages(dir, "managers", &mut errors);
    let engagements: Vec<(Origin, String, Os2moEngagement)> = read_pages(dir, "engagements", &mut errors);
    let employees: Vec<(Origin, String, Os2moEmployee)> = read_pages(dir, "employees", &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut snapshot = OrgSnapshot::default();
    let date = |origin: &Origin, v: &Option<Validity>, from: bool, errors: &mut Vec<ImportError>| {
        let raw = v.as_ref().and_then(|v| if from { v.from.clone() } else { v.to.clone() }).unwrap_or_default();
        parse_date(&origin.file, origin.line, None, &raw, errors)
    };
    for (origin, uuid, u) in units {
        let (_, type_name) = class_name(&u.unit_type_response);
        snapshot.units.push(UnitRecord {
            key: uuid,
            parent_key: u.parent_response.map(|r| r.uuid),
            name: u.name,
            unit_type: type_name,
            valid_from: date(&origin, &u.validity, true, &mut errors),
            valid_to: date(&origin, &u.validity, false, &mut errors),
            origin,
        });
    }
    for (origin, uuid, e) in employees {
        let given = e.nickname_given_name.filter(|s| !s.is_empty()).or(e.given_name).unwrap_or_default();
        let surname = e.nickname_surname.filter(|s| !s.is_empty()).or(e.surname).unwrap_or_default();
        let full = format!("{given} {surname}").trim().to_string();
        let name = if full.is_empty() { e.name.unwrap_or_default() } else { full };
        let email = e
            .addresses_response
            .and_then(|a| a.objects.into_iter().find_map(|o| o.current.map(|c| c.value)))
            .unwrap_or_default();
        snapshot.people.push(PersonRecord { key: uuid, name, email, phone: String::new(), origin });
    }
    for (origin, uuid, e) in engagements {
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
            valid_from: date(&origin, &e.validity, true, &mut errors),
            valid_to: date(&origin, &e.validity, false, &mut errors),
            origin,
        });
    }
    for (origin, uuid, m) in managers {
        snapshot.managers.push(ManagerRecord {
            key: uuid,
            unit_key: m.org_unit_response.uuid,
            person_key: m.person_response.map(|r| r.uuid),
            title: class_name(&m.manager_type_response).1,
            valid_from: date(&origin, &m.validity, true, &mut errors),
            valid_to: date(&origin, &m.validity, false, &mut errors),
            origin,
        });
    }
    if errors.is_empty() { Ok(snapshot) } else { Err(errors) }
}
