//! The demo's rule register: local rules and national ones, with their cost in hours, a
//! flag, a simplification and a removal, so the register shows hours freed.

use uuid::Uuid;

use super::model::{NewRule, Origin, RuleDecisionKind};
use super::store;
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;

/// Title, origin, legal basis, hours a year, role burdened, value.
const RULES: [(&str, Origin, &str, i64, &str, &str); 8] = [
    ("Ugentlig trivselsindberetning fra alle teams", Origin::Local, "", 620, "leader", "Overblik over trivslen"),
    ("To underskrifter på indkøb over 5.000 kr.", Origin::Local, "", 340, "leader", "Styr på økonomien"),
    ("Skriftligt referat af alle teammøder", Origin::Local, "", 1_150, "employee", "Fælles hukommelse"),
    ("Månedlig opfølgning på kørselsregnskab", Origin::Local, "", 280, "employee", "Korrekt kørselsgodtgørelse"),
    ("Dobbelt registrering af medicin på plejecentre", Origin::Local, "", 900, "employee", "Patientsikkerhed"),
    (
        "Børneattest ved ansættelse",
        Origin::National,
        "Lov nr. 520 af 12. juni 2012 om indhentelse af børneattest",
        60,
        "leader",
        "Beskytter børn",
    ),
    (
        "Arbejdspladsvurdering hvert tredje år",
        Origin::National,
        "Arbejdsmiljøloven, bekendtgørelse nr. 2062 af 2021",
        410,
        "safety_rep",
        "Et sundt arbejdsmiljø",
    ),
    (
        "Logning af adgang til personoplysninger",
        Origin::National,
        "Databeskyttelsesforordningen (EU) 2016/679",
        150,
        "employee",
        "Borgernes tillid",
    ),
];

/// Installs the register once (nothing when the municipality has rules).
pub async fn install(db: &Db, municipality: Uuid) -> anyhow::Result<()> {
    if !store::list(db, municipality, None).await?.is_empty() {
        return Ok(());
    }
    let rules: Vec<NewRule> = RULES
        .iter()
        .map(|(title, origin, reference, hours, role, value)| NewRule {
            title: title.to_string(),
            origin: Some(*origin),
            reference: reference.to_string(),
            hours_per_year: *hours,
            burdens_roles: vec![role.to_string()],
            value_statement: value.to_string(),
            ..Default::default()
        })
        .collect();
    let ids = store::create_all(db, municipality, &rules, AuditEntry::system("rule.created", "demo")).await?;
    let get = |i: usize| store::get(db, municipality, ids[i]);
    if let Some(rule) = get(2).await? {
        let entry = AuditEntry::system("rule.flagged", "demo");
        store::flag(db, municipality, &rule, None, "Referaterne læses ikke, og de tager en halv time hver uge.", entry)
            .await?;
        let entry = AuditEntry::system("rule.decided", "demo");
        store::decide(
            db,
            municipality,
            &rule,
            RuleDecisionKind::Simplify,
            "Kun beslutninger skrives ned.",
            800,
            None,
            entry,
        )
        .await?;
    }
    if let Some(rule) = get(0).await? {
        let entry = AuditEntry::system("rule.decided", "demo");
        let reason = "Trivslen følges i den årlige måling og i MUS.";
        store::decide(db, municipality, &rule, RuleDecisionKind::Remove, reason, rule.hours_per_year, None, entry)
            .await?;
    }
    Ok(())
}
