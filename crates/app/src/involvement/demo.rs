//! The demo's clarification process "Fremtidens velfærd" in its processing step: inputs
//! from employees of many units, written from varied templates in our own words so that
//! themes and differences between areas show, and statements voted on by participants who
//! fall into four opinion groups. Deterministic for a seed; analysed at start as a job.

use std::collections::HashMap;

use analysis::rng::SplitMix64 as Rng;
use chrono::{Duration, Utc};
use uuid::Uuid;

use super::import::{Bulk, BulkInput, BulkParticipant, ImportedStatement};
use super::model::{Channel, StatementState};
use super::store;
use crate::platform::audit::AuditEntry;
use crate::platform::db::Db;

pub const TITLE: &str = "Fremtidens velfærd";

/// A theme people write about: what they say, why, and which areas say it most.
struct Topic {
    core_task: &'static str,
    claims: &'static [&'static str],
    reasons: &'static [&'static str],
    /// Areas (words in the unit's name or its parents') where the theme is common.
    areas: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        core_task: "social-omsorg",
        claims: &[
            "vi skal have mere tid til den enkelte borger",
            "der er for lidt tid til samtalen med borgerne",
            "kørselstiden mellem borgerne æder tiden til omsorg",
            "vi løber fra borger til borger uden at nå det vigtige",
            "borgerne mærker, at vi har travlt",
        ],
        reasons: &[
            "fordi omsorg tager tid og ikke kan gøres i minutter",
            "så borgerne føler sig set og hørt",
            "for ellers mister vi det, der gør arbejdet meningsfuldt",
            "da det er i de små samtaler, vi opdager, når noget er galt",
        ],
        areas: &["Hjemmeplejen", "Plejecentre", "Handicap"],
    },
    Topic {
        core_task: "social-omsorg",
        claims: &[
            "vi bruger for mange vikarer",
            "de mange vikarer skaber utryghed hos beboerne",
            "sygefraværet presser de faste kolleger",
            "det er svært at rekruttere uddannet personale",
            "nye kolleger skal have en ordentlig introduktion",
        ],
        reasons: &[
            "fordi kontinuitet er afgørende for kvaliteten",
            "så vi ikke skal forklare det samme hver dag",
            "da de faste medarbejdere bliver slidt ned",
            "for borgerne har brug for kendte ansigter",
        ],
        areas: &["Plejecentre", "Hjemmeplejen", "Dagtilbud"],
    },
    Topic {
        core_task: "laering",
        claims: &[
            "inklusionen kræver flere hænder i klasserne",
            "lærerne mangler tid til forberedelse",
            "vi skal samarbejde mere med forældrene",
            "børn med særlige behov får ikke den støtte, de har brug for",
            "teamsamarbejdet mellem lærere og pædagoger skal styrkes",
        ],
        reasons: &[
            "fordi alle børn skal have et godt skoleliv",
            "så undervisningen bliver bedre forberedt",
            "da konflikterne i klasserne ellers tager overhånd",
            "for trivsel er en forudsætning for læring",
        ],
        areas: &["Skoler", "Ungdomsskolen", "Dagtilbud"],
    },
    Topic {
        core_task: "laering",
        claims: &[
            "vi skal have bedre muligheder for kompetenceudvikling",
            "efteruddannelse bliver nedprioriteret, når der er travlt",
            "vi lærer mest af hinanden, når vi deler erfaringer på tværs",
            "lederne skal give plads til at prøve nye ting",
            "der skal være tid til faglig sparring i hverdagen",
        ],
        reasons: &[
            "fordi opgaverne bliver mere komplekse",
            "så vi kan holde os fagligt opdaterede",
            "da læring ikke sker af sig selv",
            "for det giver både kvalitet og arbejdsglæde",
        ],
        areas: &["HR og Udvikling", "Skoler", "Jobcenter", "Biblioteker"],
    },
    Topic {
        core_task: "beskaeftigelse",
        claims: &[
            "dokumentationskravene tager tid fra kerneopgaven",
            "vi registrerer de samme oplysninger i flere systemer",
            "der er for mange regler, som ingen kan forklare formålet med",
            "vi skal afskaffe de kontrolskemaer, ingen læser",
            "bureaukratiet står i vejen for den gode løsning",
        ],
        reasons: &[
            "fordi tiden bør gå til borgerne og ikke til skemaer",
            "så vi kan bruge vores faglighed i stedet for at tjekke bokse",
            "da meget af det aldrig bliver brugt til noget",
            "for tilliden til medarbejderne skal være større",
        ],
        areas: &["Jobcenter", "Borgerservice", "Handicap", "Hjemmeplejen"],
    },
    Topic {
        core_task: "beskaeftigelse",
        claims: &[
            "de digitale systemer skal hænge bedre sammen",
            "vi mangler oplæring i de nye it-systemer",
            "it-udstyret er forældet og langsomt",
            "digitale løsninger kan frigøre tid, hvis de virker",
            "borgerne skal kunne klare mere selv digitalt",
        ],
        reasons: &[
            "fordi vi spilder tid på at logge ind flere steder",
            "så teknologien hjælper i stedet for at drille",
            "da mange kolleger føler sig usikre på systemerne",
            "for det giver mere tid til dem, der har brug for hjælp",
        ],
        areas: &["IT og Digitalisering", "Borgerservice", "Økonomi", "Jobcenter"],
    },
    Topic {
        core_task: "fritid-faellesskab",
        claims: &[
            "vi skal samarbejde mere med foreninger og frivillige",
            "civilsamfundet kan løfte mere, hvis vi inviterer det ind",
            "de frivillige skal have en fast kontaktperson i kommunen",
            "fællesskaber i lokalområdet forebygger ensomhed",
            "biblioteket og kulturhuset kan være mødested for alle",
        ],
        reasons: &[
            "fordi kommunen ikke kan løse alt alene",
            "så flere borgere bliver en del af et fællesskab",
            "da mange gode kræfter venter på at blive spurgt",
            "for fællesskab giver livskvalitet",
        ],
        areas: &["Kultur og Idræt", "Biblioteker", "Ungdomsskolen", "Plejecentre"],
    },
    Topic {
        core_task: "laering",
        claims: &[
            "møderne er for mange og for lange",
            "vi skal holde kortere møder med en klar dagsorden",
            "informationen fra ledelsen når ikke ud til medarbejderne",
            "beslutninger bliver truffet uden at spørge dem, der kender opgaven",
            "vi hører for sent om forandringerne",
        ],
        reasons: &[
            "fordi tiden er bedre brugt på opgaven",
            "så alle ved, hvad der er besluttet og hvorfor",
            "da det skaber frustration og rygter",
            "for medarbejderne har viden, ledelsen har brug for",
        ],
        areas: &["Økonomi", "HR og Udvikling", "Staben", "Direktionssekretariatet"],
    },
];

/// How people open an input, so no two read alike.
const OPENINGS: &[&str] = &[
    "Jeg synes, at",
    "Efter min mening",
    "Hos os oplever vi, at",
    "Det er mit indtryk, at",
    "Vi mærker, at",
    "Helt ærligt:",
];
/// How some close it.
const CLOSINGS: &[&str] = &[
    "",
    "",
    " Det håber jeg, ledelsen vil tage alvorligt.",
    " Tak for at spørge.",
    " Det gælder både for os og for borgerne.",
    " Vi har talt om det i MED-udvalget.",
];

/// Statements for voting, each with how likely each of the four opinion groups agrees: the
/// first eight are common ground, the rest divide the groups in different ways.
fn statements() -> Vec<(String, [u8; 4])> {
    let mut out: Vec<(String, [u8; 4])> = vec![
        ("Medarbejderne skal inddrages, før der træffes beslutninger om deres arbejde".into(), [90, 88, 85, 92]),
        ("Borgerne skal mærke, at vi har tid til dem".into(), [92, 90, 86, 88]),
        ("Nye kolleger skal have en ordentlig introduktion".into(), [85, 88, 90, 84]),
        ("Vi skal dele gode erfaringer på tværs af afdelinger".into(), [84, 80, 86, 82]),
        ("Ledelsen skal forklare, hvorfor beslutninger træffes".into(), [88, 84, 80, 90]),
        ("Arbejdsmiljøet skal have høj prioritet".into(), [90, 86, 84, 88]),
        ("Det skal være let for borgerne at komme i kontakt med kommunen".into(), [86, 84, 88, 82]),
        ("Vi skal fjerne regler, ingen kan forklare formålet med".into(), [88, 84, 82, 86]),
    ];
    // Divisive statements: the group that agrees most, the one that disagrees most.
    let divisive: &[(&str, usize, usize)] = &[
        ("Flere opgaver bør løses digitalt", 2, 0),
        ("Vi skal bruge færre vikarer, også hvis det koster mere", 0, 2),
        ("Frivillige bør løse flere opgaver i velfærden", 3, 0),
        ("Dokumentationen skal halveres", 1, 2),
        ("Skolerne skal have mere af budgettet", 1, 3),
        ("Velfærdsteknologi frigør tid til omsorg", 2, 0),
        ("Kommunen skal samarbejde mere med private virksomheder", 2, 3),
        ("Faste teams er vigtigere end fleksibel planlægning", 0, 2),
        ("Hjemmearbejde skal være muligt for flere", 2, 0),
        ("Foreningerne skal have flere lokaler gratis", 3, 2),
        ("Inklusion af alle børn i almenskolen er den rigtige vej", 1, 0),
        ("Borgerne skal selv tage mere ansvar", 2, 3),
    ];
    let framings = ["", "Jeg mener, at ", "Det er vigtigt, at ", "På sigt bør ", "I vores område gælder det, at "];
    let mut k = 0;
    while out.len() < 300 {
        let (text, high, low) = divisive[k % divisive.len()];
        let round = k / divisive.len();
        let text = if round == 0 {
            text.to_string()
        } else {
            let frame = framings[round % framings.len()];
            let lower = if frame.is_empty() { text.to_string() } else { lowercase_first(text) };
            format!("{frame}{lower} ({round})")
        };
        let mut p = [45u8; 4];
        p[high] = 85;
        p[low] = 12;
        out.push((text, p));
        k += 1;
    }
    out
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Builds the demo process for the organisation's staff: about 60 % of the employees take
/// part (at most 2,500), most of them write one to three inputs (about 3,000 at the
/// demo's default size), and each votes on 30–90 statements.
pub async fn bulk(db: &Db, municipality: Uuid, seed: u64) -> anyhow::Result<Option<Bulk>> {
    let units = crate::organisation::store::all_units(db, municipality).await?;
    let staff = crate::organisation::store::all_staff(db, municipality).await?;
    let (leaders, _) = crate::organisation::store::all_leadership(db, municipality).await?;
    if staff.is_empty() {
        return Ok(None);
    }
    // Each unit's area: the names of the unit and its parents, to weigh the topics.
    let by_id: HashMap<Uuid, &crate::organisation::model::Unit> = units.iter().map(|u| (u.id, u)).collect();
    let lineage = |mut id: Uuid| {
        let mut names = String::new();
        while let Some(u) = by_id.get(&id) {
            names.push_str(&u.name);
            names.push(' ');
            match u.parent_id {
                Some(p) => id = p,
                None => break,
            }
        }
        names
    };
    let mut people: Vec<(Uuid, &'static str)> = Vec::new();
    let mut unit_ids: Vec<&Uuid> = staff.keys().collect();
    unit_ids.sort();
    for unit in unit_ids {
        let n = staff[unit].len();
        people.extend(std::iter::repeat_n((*unit, "employee"), n));
        if leaders.get(unit).is_some_and(|l| !l.is_empty()) {
            people.push((*unit, "leader"));
        }
    }
    let mut rng = Rng(seed ^ 0x5EED_F00D);
    let count = (people.len() * 3 / 5).clamp(1, 2_500);
    // A deterministic sample of the people, without repeats.
    for i in 0..count {
        let j = i + rng.below(people.len() - i);
        people.swap(i, j);
    }
    people.truncate(count);
    let started = Utc::now() - Duration::days(20);
    let mut bulk = Bulk {
        title: TITLE.to_string(),
        description: "Afklaringsfasen for den nye strategi: Hvad skal vi gøre mere af, mindre af og anderledes for at \
                      sikre fremtidens velfærd? Alle medarbejdere, ledere og MED-udvalg er inviteret."
            .to_string(),
        channel: Channel::Link,
        participants: Vec::new(),
        statements: Vec::new(),
        inputs: Vec::new(),
        votes: Vec::new(),
    };
    let statements = statements();
    for (n, (text, _)) in statements.iter().enumerate() {
        bulk.statements.push(ImportedStatement {
            number: n as i32,
            text: text.clone(),
            state: StatementState::Accepted,
            created_at: started,
        });
    }
    for (number, (unit, role)) in people.iter().enumerate() {
        let number = number as i32;
        bulk.participants.push(BulkParticipant { number, unit: Some(*unit), role: Some(role.to_string()) });
        let area = lineage(*unit);
        // Topics common in the person's area weigh four times as much as the others.
        let weights: Vec<usize> =
            TOPICS.iter().map(|t| if t.areas.iter().any(|a| area.contains(a)) { 4 } else { 1 }).collect();
        let total: usize = weights.iter().sum();
        let inputs = match rng.below(100) {
            0..=14 => 0,
            15..=64 => 1,
            65..=89 => 2,
            _ => 3,
        };
        for _ in 0..inputs {
            let mut pick = rng.below(total);
            let mut topic = &TOPICS[0];
            for (t, w) in TOPICS.iter().zip(&weights) {
                if pick < *w {
                    topic = t;
                    break;
                }
                pick -= w;
            }
            let opening = OPENINGS[rng.below(OPENINGS.len())];
            let claim = topic.claims[rng.below(topic.claims.len())];
            let reason = topic.reasons[rng.below(topic.reasons.len())];
            let closing = CLOSINGS[rng.below(CLOSINGS.len())];
            let text = if opening.ends_with(':') {
                format!("{opening} {}, {reason}.{closing}", capitalise(claim))
            } else if opening == "Efter min mening" {
                // Inversion after an adverbial: "Efter min mening bør vi …" reads oddly
                // for every claim, so it opens its own sentence.
                format!("{opening} gælder det, at {claim}, {reason}.{closing}")
            } else {
                format!("{opening} {claim}, {reason}.{closing}")
            };
            let at = started + Duration::minutes(rng.below(14 * 24 * 60) as i64);
            bulk.inputs.push(BulkInput {
                participant: number,
                text,
                core_task: rng.chance(60).then(|| topic.core_task.to_string()),
                created_at: at,
            });
        }
        // The person's opinion group follows their area a little, so groups and units differ.
        let group = (rng.below(4) + if area.contains("Skoler") { 1 } else { 0 }) % 4;
        let seen = rng.range(30, 90).min(statements.len());
        for _ in 0..seen {
            let s = rng.below(statements.len());
            let agree = statements[s].1[group] as usize;
            let roll = rng.below(100);
            let vote = if roll < 8 {
                0
            } else if rng.below(100) < agree {
                1
            } else {
                -1
            };
            let at = started + Duration::minutes(rng.below(14 * 24 * 60) as i64);
            bulk.votes.push((number, s as i32, vote, at));
        }
    }
    bulk.inputs.sort_by_key(|i| i.created_at);
    bulk.votes.sort_by_key(|v| v.3);
    Ok(Some(bulk))
}

/// Installs the demo process once (nothing when the municipality has processes already)
/// and queues its analysis.
pub async fn install(db: &Db, municipality: Uuid, seed: u64) -> anyhow::Result<Option<Uuid>> {
    if !store::all(db, municipality).await?.is_empty() {
        return Ok(None);
    }
    let Some(bulk) = bulk(db, municipality, seed).await? else { return Ok(None) };
    let id = store::write_bulk(db, municipality, &bulk, AuditEntry::system("process.created", "demo")).await?;
    let mut job = crate::platform::jobs::NewJob::new(
        super::analysis::ANALYSE.kind,
        serde_json::json!({ "process": id.to_string() }),
    );
    job.dedupe_key = Some(format!("involvement.analyse:{id}"));
    crate::platform::jobs::store::enqueue(db, municipality, &job).await?;
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::involvement::model::STATEMENT_MAX_CHARS;

    #[test]
    fn the_demo_statements_meet_the_rules() {
        let s = statements();
        assert_eq!(s.len(), 300);
        let mut texts: Vec<&str> = s.iter().map(|(t, _)| t.as_str()).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), 300, "no two alike");
        assert!(s.iter().all(|(t, _)| !t.is_empty() && t.chars().count() <= STATEMENT_MAX_CHARS));
    }
}
