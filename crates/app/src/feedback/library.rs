//! The instruments Samskab ships, as data (`library/*.json`): WHO-5 (free to use, Danish
//! wording), our own monthly pulse, yearly well-being survey (20 questions), 360° leadership
//! evaluation and role self-assessment, and empty FIT-style templates whose wording, cut-off
//! and RCI a licensed municipality enters. No licensed wording and no commercial expected-response coefficients are shipped.

use uuid::Uuid;

use super::model::InstrumentInput;
use super::store;
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;

const SHIPPED: [&str; 7] = [
    include_str!("library/who5.json"),
    include_str!("library/pulse.json"),
    include_str!("library/trivsel.json"),
    include_str!("library/leadership360.json"),
    include_str!("library/roles-self.json"),
    include_str!("library/fit-outcome.json"),
    include_str!("library/fit-session.json"),
];

/// The shipped instruments.
pub fn shipped() -> Vec<InstrumentInput> {
    SHIPPED.iter().filter_map(|raw| serde_json::from_str(raw).ok()).collect()
}

/// Adds the shipped instruments the municipality's library does not have yet (by key);
/// those it has, changed or not, are left as they are.
pub async fn ensure(db: &Db, municipality: Uuid) -> sqlx::Result<()> {
    let have: Vec<String> = store::instruments(db, municipality).await?.into_iter().map(|i| i.key).collect();
    for input in shipped().into_iter().filter(|i| !have.contains(&i.key)) {
        let entry = AuditEntry::system("instrument.shipped", "Samskab");
        store::save_instrument(db, municipality, &input, entry).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_instrument_reads_and_checks() {
        let all = shipped();
        assert_eq!(all.len(), SHIPPED.len(), "each file parses");
        for i in &all {
            assert!(i.definition.check().is_ok(), "{}", i.key);
        }
        let who5 = all.iter().find(|i| i.key == "who5").unwrap();
        let full: Vec<(String, analysis::measures::Value)> = who5
            .definition
            .items
            .iter()
            .map(|item| (item.key.clone(), analysis::measures::Value::Number(5.0)))
            .collect();
        assert_eq!(who5.definition.score(&full).unwrap().score, 100.0, "raw sum × 4");
    }
}
