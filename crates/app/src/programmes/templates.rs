//! The programmes a municipality can start from, in our own words after the seeds: Hedensted's
//! year of two modules with workshops, learning groups and leader-group meetings; Rødovre's
//! cascade (heads of department first: kick-off, five seminars, three coaching talks; then all
//! leaders; then all employees); Køge's monthly leadership programme with home assignments.
//! Activities are laid out from a first Monday, at 9–15 Copenhagen time unless said.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::model::{ActivityKind, Mode, NewActivity, NewProgramme};

/// The template keys, as the API takes them.
pub const KEYS: [&str; 3] = ["hedensted", "rodovre", "koege"];

struct Step {
    week: i64,
    kind: ActivityKind,
    title: &'static str,
    hours: (u32, u32),
    module: Option<usize>,
    phase: Option<usize>,
}

const fn step(week: i64, kind: ActivityKind, title: &'static str, module: Option<usize>, phase: Option<usize>) -> Step {
    Step { week, kind, title, hours: (9, 15), module, phase }
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    let local = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
    super::parse_time(&local.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_else(|| local.and_utc())
}

/// The programme of template `key`, its activities from the Monday on or after `from`.
pub fn programme(key: &str, from: NaiveDate) -> Option<NewProgramme> {
    use ActivityKind::*;
    let (title, description, phases, modules, steps): (&str, &str, Vec<(&str, &str)>, Vec<(&str, &str)>, Vec<Step>) =
        match key {
            "hedensted" => (
                "Ledelse tæt på kerneopgaven",
                "Et år for alle ledere: to moduler med workshops, læringsgrupper på 4–6 der følges hele året, \
                 sparringsmakkere der giver hinanden feedback på afprøvninger, og ledergruppemøder.",
                vec![("Alle ledere", "Alle ledere i kommunen, i hold på 20–24")],
                vec![
                    ("Modul 1: Kerneopgaven og borgeren", "Hvad er vi her for, og hvordan ved vi, at det virker?"),
                    ("Modul 2: Afprøvning og læring", "Små afprøvninger i egen praksis, med feedback fra makkeren."),
                ],
                vec![
                    step(0, KickOff, "Opstart for alle deltagere", None, Some(0)),
                    step(2, Workshop, "Workshop 1: Kerneopgaven", Some(0), Some(0)),
                    step(5, Workshop, "Workshop 2: Borgerens perspektiv", Some(0), Some(0)),
                    step(8, Workshop, "Workshop 3: Fra data til dialog", Some(0), Some(0)),
                    step(10, LeaderGroup, "Ledergruppemøde: status på afprøvninger", Some(0), Some(0)),
                    step(14, Workshop, "Workshop 4: Afprøvninger i praksis", Some(1), Some(0)),
                    step(18, Workshop, "Workshop 5: Feedback og læring", Some(1), Some(0)),
                    step(22, Workshop, "Workshop 6: Fra afprøvning til drift", Some(1), Some(0)),
                    step(24, LeaderGroup, "Ledergruppemøde: hvad tager vi med videre?", Some(1), Some(0)),
                    Step { hours: (15, 18), ..step(26, AfterWork, "Afslutning og fejring", None, Some(0)) },
                ],
            ),
            "rodovre" => (
                "Ledelse i hele organisationen",
                "Kaskaden: først direktion og afdelingsledere (opstart, fem seminarer, tre individuelle \
                 coachingsamtaler og aktionslæring), så alle ledere, så alle medarbejdere.",
                vec![
                    ("Afdelingsledere", "Direktion og afdelingsledere"),
                    ("Alle ledere", "Alle ledere med personaleansvar"),
                    ("Alle medarbejdere", "Alle medarbejdere, arbejdsplads for arbejdsplads"),
                ],
                vec![("Fælles fundament", "Det fælles sprog om ledelse og kerneopgaven.")],
                vec![
                    step(0, KickOff, "Opstart for afdelingsledere", Some(0), Some(0)),
                    step(2, Seminar, "Seminar 1: Den fælles opgave", Some(0), Some(0)),
                    Step { hours: (10, 11), ..step(3, Coaching, "Coachingsamtale 1", Some(0), Some(0)) },
                    step(5, Seminar, "Seminar 2: Aktionslæring", Some(0), Some(0)),
                    step(8, Seminar, "Seminar 3: Ledelse af ledere", Some(0), Some(0)),
                    Step { hours: (10, 11), ..step(9, Coaching, "Coachingsamtale 2", Some(0), Some(0)) },
                    step(11, Seminar, "Seminar 4: Samskabelse med borgerne", Some(0), Some(0)),
                    step(14, Seminar, "Seminar 5: Næste led i kaskaden", Some(0), Some(0)),
                    Step { hours: (10, 11), ..step(15, Coaching, "Coachingsamtale 3", Some(0), Some(0)) },
                    step(18, KickOff, "Opstart for alle ledere", Some(0), Some(1)),
                    step(22, Seminar, "Seminar for alle ledere", Some(0), Some(1)),
                    Step {
                        hours: (13, 16),
                        ..step(28, Workshop, "Arbejdspladsmøde for alle medarbejdere", Some(0), Some(2))
                    },
                ],
            ),
            "koege" => (
                "Månedligt lederforløb",
                "Et lederforløb med en samling hver måned og en hjemmeopgave mellem samlingerne.",
                vec![("Ledere", "Ledere med personaleansvar")],
                vec![("Lederforløbet", "Samlinger med hjemmeopgaver imellem.")],
                (0..6)
                    .flat_map(|m| {
                        let titles = [
                            "Samling 1: Min ledelse",
                            "Samling 2: Mening og retning",
                            "Samling 3: Netværk og samarbejde",
                            "Samling 4: Effekt for borgeren",
                            "Samling 5: Modstand og forandring",
                            "Samling 6: Vejen videre",
                        ];
                        let gathering =
                            Step { hours: (9, 13), ..step(m * 4, Course, titles[m as usize], Some(0), Some(0)) };
                        let homework = Step {
                            hours: (9, 10),
                            ..step(m * 4 + 2, HomeAssignment, "Hjemmeopgave", Some(0), Some(0))
                        };
                        if m < 5 { vec![gathering, homework] } else { vec![gathering] }
                    })
                    .collect(),
            ),
            _ => return None,
        };
    let monday = from + Duration::days((7 - i64::from(from.weekday().num_days_from_monday())) % 7);
    let activities = steps
        .into_iter()
        .map(|s| {
            // Workshops on Tuesdays, the rest on Mondays: a leader group's day is often fixed.
            let day = monday + Duration::weeks(s.week) + Duration::days(i64::from(s.kind == ActivityKind::Workshop));
            let a = NewActivity {
                module_id: None,
                phase_id: None,
                kind: s.kind,
                title: s.title.to_string(),
                starts_at: at(day, s.hours.0),
                ends_at: at(day, s.hours.1),
                mode: if s.kind == ActivityKind::HomeAssignment { Mode::Virtual } else { Mode::Physical },
                place: if s.kind == ActivityKind::HomeAssignment {
                    String::new()
                } else {
                    "Rådhuset, mødesal 1".into()
                },
                meeting_url: String::new(),
                capacity: match s.kind {
                    ActivityKind::Workshop | ActivityKind::Seminar => Some(24),
                    ActivityKind::Coaching => Some(1),
                    _ => None,
                },
                facilitator: String::new(),
                agenda: String::new(),
            };
            (s.module, s.phase, a)
        })
        .collect();
    let goals: Vec<(Option<usize>, &str, &str)> = match key {
        "hedensted" => vec![
            (Some(0), "meningsskaber", "Jeg kan forbinde kerneopgaven med mine medarbejderes hverdag."),
            (Some(0), "udforsker", "Jeg undersøger borgerens perspektiv, før vi vælger en løsning."),
            (Some(1), "initiativdyrker", "Jeg hjælper medarbejdernes idéer fra idé til afprøvning."),
            (Some(1), "effektjaeger", "Jeg følger op på, hvad afprøvningerne gør for borgeren."),
        ],
        "rodovre" => vec![
            (Some(0), "meningsskaber", "Jeg kan fortælle, hvad den fælles opgave betyder i min afdeling."),
            (Some(0), "netvaerkssmed", "Jeg samarbejder på tværs af afdelinger om borgerens forløb."),
        ],
        _ => vec![
            (Some(0), "udforsker", "Jeg reflekterer over min egen ledelse mellem samlingerne."),
            (Some(0), "netvaerkssmed", "Jeg bruger mine ledernetværk til at løse opgaver på tværs."),
        ],
    };
    Some(NewProgramme {
        goals: goals.into_iter().map(|(m, role, text)| (m, role.to_string(), text.to_string())).collect(),
        title: title.to_string(),
        description: description.to_string(),
        template: key.to_string(),
        phases: phases.into_iter().map(|(t, a)| (t.to_string(), a.to_string())).collect(),
        modules: modules.into_iter().map(|(t, d)| (t.to_string(), d.to_string())).collect(),
        activities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_starts_on_a_monday_on_or_after_the_day_and_keeps_activities_in_bounds() {
        let from = NaiveDate::from_ymd_opt(2027, 1, 6).unwrap(); // a Wednesday
        for key in KEYS {
            let p = programme(key, from).unwrap();
            assert!(!p.activities.is_empty(), "{key}");
            let first = p.activities.iter().map(|(_, _, a)| a.starts_at).min().unwrap();
            assert_eq!(super::super::local_input(&first), "2027-01-11T09:00", "{key}: the Monday after");
            for (module, phase, a) in &p.activities {
                assert!(a.ends_at > a.starts_at, "{key}: {}", a.title);
                assert!(module.is_none_or(|m| m < p.modules.len()), "{key}: {}", a.title);
                assert!(phase.is_none_or(|x| x < p.phases.len()), "{key}: {}", a.title);
            }
        }
        assert_eq!(programme("rodovre", from).unwrap().phases.len(), 3, "the cascade has three steps");
        assert!(programme("nowhere", from).is_none());
    }
}
