//! The demo municipality "Samby Kommune": each module's demo data, installed in order.
//! This sits above the modules (like the module list) so no module installs another's.

use uuid::Uuid;

use crate::platform::db::Db;

pub use crate::organisation::demo::{DEFAULT_SEED, DEFAULT_SIZE, DEMO_LOGINS};

/// Fills an empty database with Samby Kommune: its organisation of about `employees`
/// people with the demo logins, its story bank, and the involvement process "Fremtidens
/// velfærd" with its inputs and votes (its analysis queued as a job), its proposals (some
/// decided and published, the rest for the board), the rule register, and a running
/// development programme with two cohorts, learning groups and buddies; WHO-5 rounds, four
/// waves of the well-being survey, a pulse and a family-support team's series. Returns false (and changes nothing)
/// when the database already holds an organisation or accounts.
pub async fn install(db: &Db, municipality: Uuid, employees: usize, seed: u64) -> anyhow::Result<bool> {
    install_with_answers(db, municipality, employees, seed, None).await
}

/// As [`install`], with a history of monthly pulse rounds until the survey rounds hold about
/// `answers` answers in all (for benchmarks at full size).
pub async fn install_with_answers(
    db: &Db,
    municipality: Uuid,
    employees: usize,
    seed: u64,
    answers: Option<usize>,
) -> anyhow::Result<bool> {
    if !crate::organisation::demo::install(db, municipality, employees, seed).await? {
        return Ok(false);
    }
    crate::stories::demo::install(db, municipality).await?;
    if let Some(process) = crate::involvement::demo::install(db, municipality, seed).await? {
        crate::decisions::demo::install(db, municipality, process).await?;
    }
    crate::rules::demo::install(db, municipality).await?;
    let mut take_part = Vec::new();
    for login in ["leder"] {
        if let Some((account, _)) = crate::platform::accounts::store::account_for_login(db, login).await? {
            take_part.extend(account.person_id);
        }
    }
    crate::programmes::demo::install(db, municipality, &take_part).await?;
    // The demo employee works in family support and follows families' series there.
    let mut professional = None;
    if let Some((account, _)) = crate::platform::accounts::store::account_for_login(db, "medarbejder").await? {
        let org = crate::organisation::cache::OrgView::read(db, municipality).await?;
        let unit = account.person_id.and_then(|p| org.person(p)).map(|p| p.unit);
        professional = unit.map(|u| (account.id, u));
    }
    // The demo leader's unit has had a 360° evaluation.
    let leader = match crate::platform::accounts::store::account_for_login(db, "leder").await? {
        Some((account, _)) => account.person_id,
        None => None,
    };
    crate::feedback::demo::install(db, municipality, seed, professional, leader, answers).await?;
    Ok(true)
}
