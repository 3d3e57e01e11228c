//! The demo's proposals: the demo process "Fremtidens velfærd" gets proposals made from
//! its inputs (each linked to the inputs that carry its words), a third of them decided
//! and published, the rest waiting for the executive board.

use uuid::Uuid;

use super::model::{Decision, NewProposal, ProposalState};
use super::store;
use crate::involvement::store::{InputsOf, inputs};
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;

/// Title, what it proposes, words its inputs carry.
const PROPOSALS: [(&str, &str, &[&str]); 12] = [
    (
        "Faste ruter i hjemmeplejen",
        "Samme medarbejdere hos de samme borgere, så kørsel og vikarer fylder mindre.",
        &["kørselstiden", "vikarer"],
    ),
    ("Halvér dokumentationen", "Registrér én gang, og fjern de felter ingen bruger.", &["dokumentation", "registrer"]),
    (
        "Tid til samtalen med borgeren",
        "Afsæt tid i planlægningen til samtalen, ikke kun til opgaven.",
        &["samtalen", "tid til den enkelte"],
    ),
    (
        "En ordentlig introduktion for nye kolleger",
        "Fast introduktionsforløb med en makker de første uger.",
        &["introduktion", "nye kolleger"],
    ),
    (
        "Færre vikarer på plejecentrene",
        "Flere faste stillinger og en intern vikarpulje.",
        &["vikarer", "faste kolleger"],
    ),
    (
        "Velfærdsteknologi hvor den frigør tid",
        "Afprøv teknologi i to teams og mål den tid, den frigør.",
        &["teknologi", "digital"],
    ),
    (
        "Mere samarbejde med foreningerne",
        "Fælles aktiviteter og lokaler, der står tomme om eftermiddagen.",
        &["forening", "frivillig"],
    ),
    ("Kortere møder med fast dagsorden", "Højst en time og en dagsorden, der sendes ud dagen før.", &["møde"]),
    (
        "Fleksibel arbejdstid hvor opgaven tillader det",
        "Retningslinjer for hjemmearbejde og skæve timer.",
        &["hjemmearbejde", "fleksib"],
    ),
    ("Børnene først i skolens budget", "Flere voksne i klasserne i indskolingen.", &["skole", "klasse"]),
    (
        "Borgerservice uden ventetid",
        "Tidsbestilling og flere selvbetjeningsløsninger, der virker.",
        &["borgerservice", "ventetid"],
    ),
    (
        "Rekruttering af uddannet personale",
        "Samarbejde med uddannelserne om praktik og første job.",
        &["rekruttere", "uddannet"],
    ),
];

/// Installs the proposals on `process` (nothing when it has proposals already).
pub async fn install(db: &Db, municipality: Uuid, process: Uuid) -> anyhow::Result<()> {
    if store::progress(db, process).await?.total > 0 {
        return Ok(());
    }
    let (all, _) = inputs(db, process, InputsOf::All, i64::from(i32::MAX), 0).await?;
    for (n, (title, text, words)) in PROPOSALS.iter().enumerate() {
        let linked: Vec<Uuid> = all
            .iter()
            .filter(|i| {
                let lower = i.text.to_lowercase();
                words.iter().any(|w| lower.contains(w))
            })
            .take(40)
            .map(|i| i.id)
            .collect();
        let new = NewProposal {
            title: title.to_string(),
            text: text.to_string(),
            inputs: linked,
            theme: String::new(),
            statement_number: None,
        };
        let made =
            store::create(db, municipality, process, &new, AuditEntry::system("proposal.created", "demo")).await?;
        if n % 3 == 0 {
            let state = [ProposalState::Accepted, ProposalState::PartlyAccepted, ProposalState::Rejected][n / 3 % 3];
            let decision = Decision {
                state,
                reason: "Besluttet af direktionen på mødet om Fremtidens velfærd.".into(),
                responsible_unit: None,
                responsible: String::new(),
                deadline: None,
            };
            store::decide(db, municipality, &made, &decision, AuditEntry::system("proposal.decided", "demo")).await?;
        }
    }
    store::publish(db, municipality, process, &[], AuditEntry::system("decisions.published", "demo")).await?;
    Ok(())
}
