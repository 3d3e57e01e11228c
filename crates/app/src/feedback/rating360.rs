//! 360° evaluations: who is asked about each leader (the leader, their own manager, fellow
//! leaders beside them and their staff), and the report per rater group, where a group is
//! shown only with its minimum of answers (the instrument's setting; the manager's and the
//! leader's own answers are named groups of one, exempt) and free text only with the
//! instrument's higher text minimum. Nothing is shown before the round has closed.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use analysis::measures::{Definition, Scale};

use super::model::Purpose;
use super::{ReadFeedback, actions, store};
use crate::AppState;
use crate::organisation::cache::OrgView;
use crate::organisation::model::Unit;
use crate::platform::i18n::today;
use crate::platform::permissions::can;
use crate::platform::web::{AppError, Permit, Result};

/// The rater groups a round can find in the organisation, in the order a leader's report
/// shows them.
pub const RATER_GROUPS: [&str; 4] = ["self", "manager", "peer", "staff"];

/// One person asked about one leader in one rater group; the unit is the leader's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaterLink {
    pub person: Uuid,
    pub unit: Uuid,
    pub subject: Uuid,
    pub rater: &'static str,
}

/// The links of a 360° round over the leaders of `chosen` and every unit below them, asking
/// only the `groups` the instrument has. For a leader of unit U: themselves (`self`); the
/// leaders of the nearest unit above U that has another leader (`manager`); U's other leaders
/// and the leaders of U's sibling units (`peer`); everyone engaged in U and the leaders of
/// the units directly below U (`staff`). A person is asked about a leader once, in the first
/// group that holds them.
pub fn rater_links(org: &OrgView, chosen: &[Unit], groups: &[String]) -> Vec<RaterLink> {
    let wanted = |g: &str| groups.iter().any(|x| x == g);
    let mut links = Vec::new();
    let mut asked = HashSet::new();
    let mut evaluated = HashSet::new();
    let within = |u: &Unit| chosen.iter().any(|c| (c.tree_left..=c.tree_right).contains(&u.tree_left));
    for unit in org.all_units().filter(|u| within(u)) {
        for leader in org.leaders(unit.id) {
            if !evaluated.insert(leader.id) {
                continue; // a leader of two units is evaluated once, at the first
            }
            let mut ask = |person: Uuid, rater: &'static str| {
                if wanted(rater) && asked.insert((person, leader.id)) {
                    links.push(RaterLink { person, unit: unit.id, subject: leader.id, rater });
                }
            };
            ask(leader.id, "self");
            for above in org.ancestors(unit).into_iter().rev() {
                let managers: Vec<Uuid> =
                    org.leaders(above.id).iter().map(|p| p.id).filter(|p| *p != leader.id).collect();
                if !managers.is_empty() {
                    managers.into_iter().for_each(|m| ask(m, "manager"));
                    break;
                }
            }
            for co in org.leaders(unit.id) {
                ask(co.id, "peer");
            }
            if let Some(parent) = unit.parent_id {
                for sibling in org.children(parent).filter(|s| s.id != unit.id) {
                    org.leaders(sibling.id).iter().for_each(|p| ask(p.id, "peer"));
                }
            }
            for member in org.staff(unit.id) {
                ask(member.person_id, "staff");
            }
            for child in org.children(unit.id) {
                org.leaders(child.id).iter().for_each(|p| ask(p.id, "staff"));
            }
        }
    }
    links
}

/// A rater group's figures in a leader's report, or `suppressed` with fewer answers than
/// the group's minimum (then neither its count nor anything else is given).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupReport {
    /// `self`, `manager`, `peer` or `staff` (the instrument's rater group key).
    pub rater: String,
    /// The fewest answers the group is shown with.
    pub min: u32,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// The mean of the group's scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Each rated item's mean in the group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ItemMean>,
    /// The free-text answers, when the group has the text minimum (sorted, so that their
    /// order does not tie them to the rated answers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<TextAnswers>,
    /// Why the texts are not shown though the figures are (`too_few_for_text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub texts_withheld: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ItemMean {
    pub item: String,
    pub mean: f64,
    pub n: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TextAnswers {
    pub item: String,
    pub answers: Vec<String>,
}

/// A number from an answer kept as a number or as the text a form sent.
fn number(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

/// The report per rater group from the answers given about a leader: (group, answers as
/// JSON, score). Every group of the definition is listed; one with fewer answers than its
/// minimum is suppressed. Free text is shown for a group of one named rater (minimum 1: the
/// leader, the manager) or from `text_min` answers on.
pub fn report(definition: &Definition, text_min: u32, answers: &[(String, String, f64)]) -> Vec<GroupReport> {
    let mut groups = Vec::new();
    for group in &definition.raters {
        let given: Vec<(BTreeMap<String, serde_json::Value>, f64)> = answers
            .iter()
            .filter(|(rater, _, _)| *rater == group.key)
            .filter_map(|(_, raw, score)| Some((serde_json::from_str(raw).ok()?, *score)))
            .collect();
        let n = given.len();
        let mut report = GroupReport {
            rater: group.key.clone(),
            min: group.min,
            suppressed: n == 0 || n < group.min as usize,
            n: None,
            score: None,
            items: Vec::new(),
            texts: Vec::new(),
            texts_withheld: None,
        };
        if report.suppressed {
            groups.push(report);
            continue;
        }
        report.n = Some(n);
        report.score = Some(given.iter().map(|(_, s)| s).sum::<f64>() / n as f64);
        let texts_shown = group.min <= 1 || n >= text_min.max(group.min) as usize;
        for item in &definition.items {
            if matches!(item.scale, Scale::Text) {
                let mut said: Vec<String> = given
                    .iter()
                    .filter_map(|(a, _)| a.get(&item.key)?.as_str().map(|t| t.trim().to_string()))
                    .filter(|t| !t.is_empty())
                    .collect();
                if said.is_empty() {
                    continue;
                }
                if !texts_shown {
                    report.texts_withheld = Some("too_few_for_text".to_string());
                    continue;
                }
                said.sort();
                report.texts.push(TextAnswers { item: item.key.clone(), answers: said });
            } else {
                let values: Vec<f64> = given.iter().filter_map(|(a, _)| number(a.get(&item.key)?)).collect();
                if !values.is_empty() {
                    let mean = values.iter().sum::<f64>() / values.len() as f64;
                    report.items.push(ItemMean { item: item.key.clone(), mean, n: values.len() });
                }
            }
        }
        groups.push(report);
    }
    groups
}

/// Every rater but the leader, from the groups that are shown only (so that no hidden
/// group can be had by subtraction): the count, the mean score and each item's mean.
pub fn others(groups: &[GroupReport]) -> Option<GroupReport> {
    let shown: Vec<&GroupReport> = groups.iter().filter(|g| g.rater != "self" && !g.suppressed).collect();
    let n: usize = shown.iter().filter_map(|g| g.n).sum();
    if n == 0 {
        return None;
    }
    let score = shown.iter().filter_map(|g| Some(g.score? * g.n? as f64)).sum::<f64>() / n as f64;
    let mut items: Vec<ItemMean> = Vec::new();
    for g in &shown {
        for i in &g.items {
            match items.iter_mut().find(|x| x.item == i.item) {
                Some(x) => {
                    x.mean = (x.mean * x.n as f64 + i.mean * i.n as f64) / (x.n + i.n) as f64;
                    x.n += i.n;
                }
                None => items.push(i.clone()),
            }
        }
    }
    Some(GroupReport {
        rater: "others".to_string(),
        min: 0,
        suppressed: false,
        n: Some(n),
        score: Some(score),
        items,
        texts: Vec::new(),
        texts_withheld: None,
    })
}

/// A rated item of the report, in the instrument's order.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemText {
    pub key: String,
    pub text: String,
    /// A free-text question.
    pub text_answer: bool,
}

/// A leader's 360° report.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Evaluation {
    pub round: Uuid,
    pub title: String,
    pub instrument: String,
    pub subject: Uuid,
    pub name: String,
    pub closes: chrono::NaiveDate,
    /// Nothing is shown before the round has closed (counts while open would tell who is
    /// still to answer).
    pub closed: bool,
    pub items: Vec<ItemText>,
    /// Every rater group of the instrument, shown or suppressed (empty while open).
    pub groups: Vec<GroupReport>,
    /// Everyone but the leader, from the shown groups only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub others: Option<GroupReport>,
}

/// Whether the reader may see 360° reports about `subject`: HR (who send the rounds) and the
/// leader themselves.
pub fn may_read(permit: &Permit<ReadFeedback>, subject: Uuid) -> bool {
    permit.user.account.person_id == Some(subject) || can(&permit.user.grants, actions::MANAGE.anywhere())
}

/// A leader's report in a 360° round. 404 for a round that is not a 360° round of the
/// municipality, a leader it does not ask about, or a reader who may not see it (so as not to
/// tell whom a round evaluates). Reading someone else's report is audited (it is personal
/// data about the leader).
pub async fn evaluation(
    state: &AppState,
    permit: &Permit<ReadFeedback>,
    round: Uuid,
    subject: Uuid,
) -> Result<Evaluation> {
    if !may_read(permit, subject) {
        return Err(AppError::NotFound);
    }
    let (instrument, round) =
        store::round_as_asked(&state.db, state.municipality, round).await?.ok_or(AppError::NotFound)?;
    if instrument.purpose != Purpose::Rating360 || !store::round_subjects(&state.db, round.id).await?.contains(&subject)
    {
        return Err(AppError::NotFound);
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let name = org.person(subject).map(|p| p.name.clone()).unwrap_or_default();
    let closed = round.is_closed(today());
    let (groups, others) = if closed {
        let answers = store::answers_about(&state.db, round.id, subject).await?;
        let text_min = u32::try_from(instrument.min_text_answers).unwrap_or(u32::MAX);
        let groups = report(&instrument.definition, text_min, &answers);
        let others = others(&groups);
        (groups, others)
    } else {
        (Vec::new(), None)
    };
    if permit.user.account.person_id != Some(subject) {
        let entry = permit.ctx.audit("evaluation.read").subject(store::AUDIT_KIND_ROUND, round.id, &round.title);
        crate::platform::audit::record(&state.db, Some(state.municipality), &entry.detail(format!("leader {subject}")))
            .await?;
    }
    let items = instrument
        .definition
        .items
        .iter()
        .map(|i| ItemText { key: i.key.clone(), text: i.text.clone(), text_answer: matches!(i.scale, Scale::Text) })
        .collect();
    Ok(Evaluation {
        round: round.id,
        title: round.title,
        instrument: instrument.key,
        subject,
        name,
        closes: round.closes,
        closed,
        items,
        groups,
        others,
    })
}

/// A leader a 360° round evaluates, for HR's list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Evaluated {
    pub subject: Uuid,
    pub name: String,
    pub unit: Option<Uuid>,
    pub unit_name: String,
}

/// The leaders a 360° round evaluates, by name (404 for a round that is not a 360° round).
pub async fn evaluated(state: &AppState, round: Uuid) -> Result<(super::model::Round, Vec<Evaluated>)> {
    let (instrument, round) =
        store::round_as_asked(&state.db, state.municipality, round).await?.ok_or(AppError::NotFound)?;
    if instrument.purpose != Purpose::Rating360 {
        return Err(AppError::NotFound);
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut all: Vec<Evaluated> = store::round_subjects(&state.db, round.id)
        .await?
        .into_iter()
        .map(|subject| {
            let person = org.person(subject);
            let unit = person.map(|p| p.unit);
            Evaluated {
                subject,
                name: person.map(|p| p.name.clone()).unwrap_or_default(),
                unit,
                unit_name: unit.and_then(|u| org.unit(u)).map(|u| u.name.clone()).unwrap_or_default(),
            }
        })
        .collect();
    all.sort_by(|a, b| {
        crate::organisation::model::danish_sort_key(&a.name).cmp(&crate::organisation::model::danish_sort_key(&b.name))
    });
    Ok((round, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition() -> Definition {
        serde_json::from_str(include_str!("library/leadership360.json"))
            .map(|v: serde_json::Value| serde_json::from_value(v["definition"].clone()).unwrap())
            .unwrap()
    }

    fn answer(rater: &str, value: i32, text: &str) -> (String, String, f64) {
        let raw = serde_json::json!({"retning": value, "feedback": value.to_string(), "styrke": text});
        (rater.to_string(), raw.to_string(), f64::from(value))
    }

    #[test]
    fn a_group_under_its_minimum_shows_nothing_and_the_named_raters_are_exempt() {
        let answers = vec![
            answer("self", 4, "Jeg lytter"),
            answer("manager", 3, "God retning"),
            answer("peer", 5, "a"),
            answer("peer", 1, "b"),
            answer("staff", 2, "Mere ro"),
            answer("staff", 4, "Tydelig"),
            answer("staff", 3, ""),
        ];
        let groups = report(&definition(), 5, &answers);
        let by = |k: &str| groups.iter().find(|g| g.rater == k).unwrap();
        assert!(!by("self").suppressed && !by("manager").suppressed, "groups of one named rater are shown");
        assert_eq!(
            by("manager").texts,
            vec![TextAnswers { item: "styrke".into(), answers: vec!["God retning".into()] }]
        );
        let peer = by("peer");
        assert!(peer.suppressed && peer.n.is_none() && peer.score.is_none() && peer.items.is_empty());
        let staff = by("staff");
        assert_eq!((staff.n, staff.score), (Some(3), Some(3.0)));
        assert_eq!(
            staff.items.iter().map(|i| (i.item.as_str(), i.mean)).collect::<Vec<_>>(),
            [("retning", 3.0), ("feedback", 3.0)]
        );
        assert!(staff.texts.is_empty(), "three answers are under the text minimum of five");
        assert_eq!(staff.texts_withheld.as_deref(), Some("too_few_for_text"));
        // The others' figure holds the manager and the staff, never the hidden peers.
        let all = others(&groups).unwrap();
        assert_eq!((all.n, all.score), (Some(4), Some(3.0)));
    }

    #[test]
    fn texts_are_shown_sorted_from_the_text_minimum() {
        let answers: Vec<_> = ["Ø", "B", "A", "C", "D"].iter().map(|t| answer("staff", 4, t)).collect();
        let groups = report(&definition(), 5, &answers);
        let staff = groups.iter().find(|g| g.rater == "staff").unwrap();
        assert_eq!(staff.texts[0].answers, ["A", "B", "C", "D", "Ø"]);
        assert!(groups.iter().filter(|g| g.rater != "staff").all(|g| g.suppressed), "groups with no answers");
    }
}
