//! "Samby Kommune": a deterministic demo municipality with an executive board, the four
//! core-task departments and the staff functions, institutions with teams, realistic
//! Danish names and spans of control from about 5 to over 60. The same seed and size
//! always give the same organisation.

use std::collections::HashSet;

// The same seed gives the same municipality.
use analysis::rng::SplitMix64 as Rng;

use super::model::*;

mod catalogue;
use catalogue::*;

/// The default number of employees.
pub const DEFAULT_SIZE: usize = 4000;
pub const MAX_SIZE: usize = 60_000;
pub const MIN_SIZE: usize = 200;
pub const DEFAULT_SEED: u64 = 2026;

/// The people the demo logins belong to.
#[derive(Clone, Debug, Default)]
pub struct DemoPeople {
    pub administrator: String,
    pub executive: String,
    pub leader: String,
    pub employee: String,
    pub facilitator: String,
}

struct Builder {
    snapshot: OrgSnapshot,
    rng: Rng,
    used_emails: HashSet<String>,
    next_person: usize,
}

fn ascii_mail(s: &str) -> String {
    s.to_lowercase()
        .replace('æ', "ae")
        .replace('ø', "oe")
        .replace('å', "aa")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect()
}

impl Builder {
    fn unit(&mut self, key: &str, parent: Option<&str>, name: &str, unit_type: &str) {
        self.snapshot.units.push(UnitRecord {
            key: key.to_string(),
            parent_key: parent.map(str::to_string),
            name: name.to_string(),
            unit_type: unit_type.to_string(),
            valid_from: chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
            valid_to: None,
            origin: Origin::default(),
        });
    }

    fn person(&mut self) -> String {
        let first = self.rng.pick(FIRST_NAMES);
        let last = self.rng.pick(LAST_NAMES);
        let name = if self.rng.chance(30) {
            format!("{first} {} {last}", self.rng.pick(MIDDLE_NAMES))
        } else {
            format!("{first} {last}")
        };
        let base = format!("{}.{}", ascii_mail(first), ascii_mail(last));
        let mut email = format!("{base}@samby.dk");
        let mut n = 2;
        while !self.used_emails.insert(email.clone()) {
            email = format!("{base}{n}@samby.dk");
            n += 1;
        }
        self.next_person += 1;
        let key = format!("P{:06}", self.next_person);
        let phone = format!("{}", 20_000_000 + self.rng.below(79_999_999));
        self.snapshot.people.push(PersonRecord { key: key.clone(), name, email, phone, origin: Origin::default() });
        key
    }

    fn engage(&mut self, person: &str, unit: &str, title: &str, hourly_percent: usize) {
        let pay_type = if self.rng.chance(hourly_percent) { PayType::Hourly } else { PayType::Salaried };
        self.snapshot.engagements.push(EngagementRecord {
            key: format!("E-{person}"),
            person_key: person.to_string(),
            unit_key: unit.to_string(),
            job_title: title.to_string(),
            pay_type,
            is_primary: true,
            valid_from: None,
            valid_to: None,
            origin: Origin::default(),
        });
    }

    /// A manager post in `unit`, filled by a new person engaged there, or vacant.
    fn leader(&mut self, unit: &str, title: &str, vacant: bool) -> Option<String> {
        let person = (!vacant).then(|| {
            let p = self.person();
            self.engage(&p, unit, title, 0);
            p
        });
        self.snapshot.managers.push(ManagerRecord {
            key: format!("M-{unit}"),
            unit_key: unit.to_string(),
            person_key: person.clone(),
            title: title.to_string(),
            valid_from: None,
            valid_to: None,
            origin: Origin::default(),
        });
        person
    }

    fn staff(&mut self, unit: &str, n: usize, titles: &[&str], hourly_percent: usize) -> Vec<String> {
        (0..n)
            .map(|_| {
                let p = self.person();
                let title = titles[self.rng.below(titles.len())];
                self.engage(&p, unit, title, hourly_percent);
                p
            })
            .collect()
    }
}

/// Generates the demo municipality with about `employees` people.
pub fn generate(employees: usize, seed: u64) -> (OrgSnapshot, DemoPeople) {
    let employees = employees.clamp(MIN_SIZE, MAX_SIZE);
    let scale = employees as f64 / DEFAULT_SIZE as f64;
    let mut b =
        Builder { snapshot: OrgSnapshot::default(), rng: Rng(seed), used_emails: HashSet::new(), next_person: 0 };
    let mut who = DemoPeople::default();

    // Place names for institutions, shuffled once.
    let mut places: Vec<String> =
        PLACE_STARTS.iter().flat_map(|s| PLACE_ENDS.iter().map(move |e| format!("{s}{e}"))).collect();
    for i in (1..places.len()).rev() {
        let j = b.rng.below(i + 1);
        places.swap(i, j);
    }
    let mut place_index = 0usize;

    b.unit("K", None, "Samby Kommune", "Kommune");
    who.executive = b.leader("K", "Kommunaldirektør", false).unwrap_or_default();
    b.unit("K/DIR", Some("K"), "Direktionssekretariatet", "Sekretariat");
    b.leader("K/DIR", "Sekretariatschef", false);
    b.staff("K/DIR", 6, &["Direktionskonsulent", "Chefkonsulent", "Sekretær"], 0);

    // Sizes: the total weight of all institutions, scaled to the requested size.
    let total_weight: f64 = KINDS
        .iter()
        .flat_map(|(_, kinds)| kinds.iter())
        .map(|k| (k.count as f64 * scale).round().max(1.0) * k.weight as f64)
        .sum();
    let per_weight = employees as f64 / total_weight;

    for (d, (department, kinds)) in KINDS.iter().enumerate() {
        let dkey = format!("K/{d}");
        b.unit(&dkey, Some("K"), department, if *department == "Staben" { "Stab" } else { "Forvaltning" });
        let director_title = if *department == "Staben" { "Stabschef" } else { "Direktør" };
        b.leader(&dkey, director_title, false);
        b.staff(&dkey, 3, &["Chefkonsulent", "Sekretær", "Udviklingskonsulent"], 0);
        for (a, kind) in kinds.iter().enumerate() {
            let akey = format!("{dkey}/{a}");
            let copies = (kind.count as f64 * scale).round().max(1.0) as usize;
            let area_is_unit = kind.suffix.is_empty();
            // A staff function is one unit however large the municipality: it grows instead.
            let (institutions, grown) = if area_is_unit { (1, copies) } else { (copies, 1) };
            if !area_is_unit {
                b.unit(&akey, Some(&dkey), kind.area, "Område");
                b.leader(&akey, "Områdechef", false);
                let office = b.rng.range(3, 5);
                b.staff(&akey, office, &["Konsulent", "Administrativ medarbejder"], 0);
            }
            for i in 0..institutions {
                let (ikey, iname, parent) = if area_is_unit {
                    (akey.clone(), kind.area.to_string(), dkey.clone())
                } else {
                    let place = places[place_index % places.len()].clone();
                    let round = place_index / places.len();
                    place_index += 1;
                    let name = if round == 0 {
                        format!("{place} {}", kind.suffix)
                    } else {
                        format!("{place} {} {}", kind.suffix, round + 1)
                    };
                    (format!("{akey}/{i}"), name, akey.clone())
                };
                b.unit(&ikey, Some(&parent), &iname, if area_is_unit { "Stabsfunktion" } else { "Institution" });
                let leader = b.leader(&ikey, kind.leader_title, false).unwrap_or_default();
                // Each institution's size varies ±40 % around its kind's weight.
                let size = ((kind.weight as f64 * per_weight * grown as f64)
                    * (0.6 + 0.8 * b.rng.below(1000) as f64 / 1000.0))
                    .round()
                    .max(4.0) as usize;
                if kind.teams.is_empty() {
                    let staff = b.staff(&ikey, size, kind.titles, kind.hourly_percent);
                    if kind.area == "HR og Udvikling" {
                        who.administrator = leader.clone();
                        who.facilitator = staff.first().cloned().unwrap_or_default();
                    }
                } else {
                    let per_team = size / (kind.teams.len() + 1);
                    b.staff(&ikey, size - per_team * kind.teams.len(), kind.titles, kind.hourly_percent);
                    for (t, team) in kind.teams.iter().enumerate() {
                        let tkey = format!("{ikey}/{t}");
                        b.unit(&tkey, Some(&ikey), &format!("{iname}, {team}"), "Team");
                        // Some team posts are vacant: their staff count for the institution's leader.
                        let vacant = b.rng.chance(12);
                        let team_leader = b.leader(&tkey, kind.team_leader, vacant);
                        let staff = b.staff(&tkey, per_team, kind.titles, kind.hourly_percent);
                        if kind.area == "Skoler" && i == 0 && t == 0 {
                            who.leader = leader.clone();
                            who.employee = staff.first().cloned().unwrap_or_default();
                            let _ = team_leader;
                        }
                    }
                }
            }
        }
    }
    (b.snapshot, who)
}

/// The demo logins, one per role, all with the password `demo`.
pub const DEMO_LOGINS: [(&str, &str); 5] = [
    ("admin", "administrator"),
    ("direktion", "executive"),
    ("leder", "leader"),
    ("medarbejder", "employee"),
    ("facilitator", "facilitator"),
];

/// Fills an empty database with Samby Kommune and the demo logins. Returns false (and
/// changes nothing) if the database already holds an organisation or accounts.
pub async fn install(
    db: &crate::platform::db::Db,
    municipality: uuid::Uuid,
    employees: usize,
    seed: u64,
) -> anyhow::Result<bool> {
    use crate::platform::audit::AuditEntry;
    use crate::platform::{accounts, permissions::Role, site};
    let (units, _, _) = super::store::totals(db, municipality).await?;
    if units > 0 || accounts::account_count(db).await? > 0 {
        return Ok(false);
    }
    let (snapshot, who) = generate(employees, seed);
    // Marked first, so even a half-made demo is never served as a real installation.
    site::store::mark_demo(db, municipality).await?;
    site::store::rename(db, municipality, "Samby Kommune").await?;
    super::store::apply_snapshot(db, municipality, &snapshot, AuditEntry::system("organisation.demo", "demo")).await?;
    let logins = [
        ("admin", &who.administrator, Role::Administrator),
        ("direktion", &who.executive, Role::Executive),
        ("leder", &who.leader, Role::Leader),
        ("medarbejder", &who.employee, Role::Employee),
        ("facilitator", &who.facilitator, Role::Facilitator),
    ];
    // Hash the five passwords in parallel: Argon2 is deliberately slow.
    let mut tasks = Vec::new();
    for (username, person_key, role) in logins {
        let person = super::store::person_by_key(db, municipality, person_key).await?;
        let name = person.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| username.to_string());
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            accounts::create_account(&db, municipality, username, &name, "demo", person.map(|p| p.id), &[role]).await
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organisation::import::validate;
    use crate::organisation::span::{Leadership, Membership, TreeUnit, span_of_control, tree_positions};

    fn spans(s: &OrgSnapshot) -> Vec<i64> {
        let units: Vec<TreeUnit> = s
            .units
            .iter()
            .map(|u| TreeUnit {
                id: uuid_of(&u.key),
                parent_id: u.parent_key.as_deref().map(uuid_of),
                name: u.name.clone(),
            })
            .collect();
        let members: Vec<Membership> = s
            .engagements
            .iter()
            .map(|e| Membership {
                person_id: uuid_of(&e.person_key),
                unit_id: uuid_of(&e.unit_key),
                pay_type: e.pay_type,
                is_primary: true,
            })
            .collect();
        let leaders: Vec<Leadership> = s
            .managers
            .iter()
            .filter_map(|m| {
                m.person_key.as_deref().map(|p| Leadership { person_id: uuid_of(p), unit_id: uuid_of(&m.unit_key) })
            })
            .collect();
        span_of_control(&units, &tree_positions(&units), &members, &leaders).iter().map(|r| r.direct).collect()
    }

    fn uuid_of(key: &str) -> uuid::Uuid {
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes())
    }

    #[test]
    fn the_demo_is_valid_deterministic_and_about_the_requested_size() {
        let (a, who) = generate(DEFAULT_SIZE, DEFAULT_SEED);
        let (b, _) = generate(DEFAULT_SIZE, DEFAULT_SEED);
        assert!(validate(&a).is_ok());
        assert_eq!(a.people, b.people);
        let n = a.people.len();
        assert!((3600..=4600).contains(&n), "{n} people");
        for p in [&who.administrator, &who.executive, &who.leader, &who.employee, &who.facilitator] {
            assert!(a.people.iter().any(|x| &x.key == p), "demo login person {p} exists");
        }
        let emails: HashSet<&str> = a.people.iter().map(|p| p.email.as_str()).collect();
        assert_eq!(emails.len(), n, "e-mail addresses are unique");
    }

    #[test]
    fn the_demo_is_valid_at_the_benchmarks_size() {
        // Every key once (PostgreSQL refuses a batch that writes one row twice).
        let (a, _) = generate(25_000, DEFAULT_SEED);
        assert!(validate(&a).is_ok(), "{:?}", validate(&a).err().map(|e| e.into_iter().take(3).collect::<Vec<_>>()));
    }

    #[test]
    fn spans_range_from_small_to_over_sixty() {
        let (s, _) = generate(DEFAULT_SIZE, DEFAULT_SEED);
        let spans = spans(&s);
        let min = spans.iter().copied().filter(|d| *d > 0).min().unwrap_or(0);
        let max = spans.iter().copied().max().unwrap_or(0);
        assert!(min <= 6, "smallest span {min}");
        assert!(max > 60, "largest span {max}");
    }

    #[test]
    fn sizes_scale() {
        for size in [1_000, 25_000] {
            let (s, _) = generate(size, 1);
            let n = s.people.len() as f64;
            assert!((n / size as f64 - 1.0).abs() < 0.2, "{size}: {n}");
        }
    }
}
