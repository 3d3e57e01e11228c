//! 360° pages: the leaders a round evaluates (HR) and a leader's report (HR and the leader),
//! a table of item means per rater group with the hidden groups shown as hidden, and the free
//! text of the groups large enough for it.

use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::super::rating360::{self, GroupReport};
use super::super::views::{EvaluationTemplate, EvaluationsTemplate, GroupColumn, ReportRow, TextBlock};
use super::super::{ManageFeedback, ReadFeedback};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::render;
use crate::platform::web::{AppError, Permit, Result};

fn id_of(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)
}

/// The address of a leader's report.
pub fn report_href(round: Uuid, subject: Uuid) -> String {
    format!("/maaling/evalueringer/{round}/{subject}")
}

pub async fn list(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    Path(id): Path<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let (round, leaders) = rating360::evaluated(&state, id_of(&id)?).await?;
    let leaders = leaders.into_iter().map(|l| (report_href(round.id, l.subject), l.name, l.unit_name)).collect();
    Ok(render(&EvaluationsTemplate {
        page: permit.ctx.page(&state, tr.t1("feedback-evaluations-title", "title", &round.title), "feedback"),
        lead: tr.t1("feedback-evaluations-lead", "closes", tr.date(&round.closes)),
        leaders,
    }))
}

fn group_label(tr: &Tr, key: &str) -> String {
    tr.find(&format!("feedback-rater360-group-{key}")).unwrap_or_else(|| key.to_string())
}

pub async fn report(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path((round, subject)): Path<(String, String)>,
) -> Result<Response> {
    let tr = permit.tr();
    let e = rating360::evaluation(&state, &permit, id_of(&round)?, id_of(&subject)?).await?;
    let title = tr.t1("feedback-evaluation-title", "name", &e.name);
    let lead = tr.t1("feedback-evaluation-lead", "title", &e.title);
    let mut template = EvaluationTemplate {
        page: permit.ctx.page(&state, title, "feedback"),
        lead,
        pending: None,
        columns: Vec::new(),
        rows: Vec::new(),
        texts: Vec::new(),
        withheld: Vec::new(),
    };
    if !e.closed {
        template.pending = Some(tr.t1("feedback-evaluation-pending", "closes", tr.date(&e.closes)));
        return Ok(render(&template));
    }
    let columns: Vec<&GroupReport> = e.groups.iter().chain(e.others.as_ref()).collect();
    template.columns = columns
        .iter()
        .map(|g| GroupColumn {
            label: group_label(&tr, &g.rater),
            count: match g.n {
                Some(n) => tr.t1("feedback-evaluation-answers", "count", n),
                None => tr.t1("feedback-evaluation-too-few", "min", g.min),
            },
        })
        .collect();
    let hidden = "–".to_string();
    let score_cells = columns.iter().map(|g| g.score.map_or(hidden.clone(), |s| tr.decimal(s, 1))).collect();
    template.rows.push(ReportRow { text: tr.t("feedback-evaluation-score"), cells: score_cells });
    for item in e.items.iter().filter(|i| !i.text_answer) {
        let cells = columns
            .iter()
            .map(|g| g.items.iter().find(|m| m.item == item.key).map_or(hidden.clone(), |m| tr.decimal(m.mean, 1)))
            .collect();
        template.rows.push(ReportRow { text: item.text.clone(), cells });
    }
    for item in e.items.iter().filter(|i| i.text_answer) {
        let groups: Vec<(String, Vec<String>)> = e
            .groups
            .iter()
            .filter_map(|g| {
                let said = g.texts.iter().find(|t| t.item == item.key)?;
                Some((group_label(&tr, &g.rater), said.answers.clone()))
            })
            .collect();
        if !groups.is_empty() {
            template.texts.push(TextBlock { question: item.text.clone(), groups });
        }
    }
    template.withheld = e
        .groups
        .iter()
        .filter(|g| g.texts_withheld.is_some())
        .map(|g| tr.t1("feedback-evaluation-texts-withheld", "group", group_label(&tr, &g.rater)))
        .collect();
    Ok(render(&template))
}
