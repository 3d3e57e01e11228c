//! Decisions' template structs.

use askama::Template;

use super::answers::{Answers, PublishedDecision};
use super::model::{Proposal, ProposalState};
use crate::involvement::model::Process;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, Page};

/// A proposal as a list row shows it.
pub struct ProposalRowView {
    pub proposal: Proposal,
    pub state_label: String,
    pub unit_name: String,
    pub deadline: String,
}

/// The proposals of a process with filters, progress and the bulk decision.
#[derive(Template)]
#[template(path = "decisions/list.html")]
pub struct ListTemplate {
    pub page: Page,
    pub process: Process,
    pub rows: Vec<ProposalRowView>,
    pub decided: i64,
    pub total: i64,
    pub matching: i64,
    /// Per state: key, label, count.
    pub per_state: Vec<(String, String, i64)>,
    pub themes: Vec<String>,
    pub responsibles: Vec<String>,
    pub units: Vec<(String, String)>,
    /// The filter as chosen.
    pub state: String,
    pub theme: String,
    pub unit: String,
    pub responsible: String,
    pub may_decide: bool,
    pub may_create: bool,
    pub published_at: Option<String>,
    pub notice: Option<String>,
    pub errors: FormErrors,
    pub bulk_state: String,
    pub bulk_reason: String,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
}

impl ListTemplate {
    pub fn percent(&self) -> i64 {
        if self.total == 0 { 0 } else { self.decided * 100 / self.total }
    }

    pub fn decision_states(&self) -> Vec<(String, String)> {
        ProposalState::decisions().map(|s| (s.key().to_string(), self.page.tr.t(s.label_id()))).collect()
    }

    /// "183 af 247 forslag er besluttet".
    pub fn progress_label(&self) -> String {
        let tr = &self.page.tr;
        tr.ta("proposals-progress", &[("decided", &tr.num(self.decided)), ("total", &tr.num(self.total))])
    }
}

/// One proposal with its inputs, history and the decide form.
#[derive(Template)]
#[template(path = "decisions/proposal.html")]
pub struct ProposalTemplate {
    pub page: Page,
    pub process: Process,
    pub proposal: Proposal,
    pub state_label: String,
    pub unit_name: String,
    pub inputs: Vec<String>,
    /// When, who, state label, reason, unit name.
    pub history: Vec<(String, String, String, String, String)>,
    pub may_decide: bool,
    pub units: Vec<(String, String)>,
    /// The form's values.
    pub form_state: String,
    pub form_reason: String,
    pub form_unit: String,
    pub form_responsible: String,
    pub form_deadline: String,
    pub errors: FormErrors,
    pub saved: bool,
    pub left: i64,
}

impl ProposalTemplate {
    pub fn decision_states(&self) -> Vec<(String, String)> {
        ProposalState::decisions().map(|s| (s.key().to_string(), self.page.tr.t(s.label_id()))).collect()
    }
}

/// The form for a new proposal.
#[derive(Template)]
#[template(path = "decisions/form.html")]
pub struct FormTemplate {
    pub page: Page,
    pub process: Process,
    pub title: String,
    pub text: String,
    pub theme: String,
    pub theme_label: String,
    pub statement: String,
    pub inputs: Vec<String>,
    pub errors: FormErrors,
}

/// A participant's inputs in one process and what became of them, ready to show.
pub struct AnswerView {
    pub answers: Answers,
    pub published_at: String,
    /// Per input: created, text, hidden reason, decisions (heading, state label, reason).
    pub inputs: Vec<(String, String, Option<String>, Vec<(String, String, String)>)>,
}

impl AnswerView {
    pub fn new(tr: &Tr, answers: Answers) -> AnswerView {
        let inputs = answers
            .answers
            .iter()
            .map(|a| {
                (
                    tr.datetime(&a.created_at),
                    a.text.clone(),
                    a.hidden_reason.clone(),
                    a.proposals
                        .iter()
                        .map(|d| {
                            let heading = tr.ta("answers-decision", &[("number", &d.number), ("title", &d.title)]);
                            (heading, tr.t(d.state.label_id()), d.reason.clone())
                        })
                        .collect(),
                )
            })
            .collect();
        AnswerView { published_at: answers.published_at.map(|t| tr.datetime(&t)).unwrap_or_default(), inputs, answers }
    }
}

/// What became of the inputs of a personal link or a receipt.
#[derive(Template)]
#[template(path = "decisions/answers.html")]
pub struct AnswersTemplate {
    pub page: Page,
    pub answers: AnswerView,
    pub back: String,
    /// The receipt's own address, to keep.
    pub receipt: Option<String>,
}

/// "Mine input": a signed-in person's inputs in every process.
#[derive(Template)]
#[template(path = "decisions/mine.html")]
pub struct MyInputsTemplate {
    pub page: Page,
    pub processes: Vec<AnswerView>,
}

/// The published decisions of a process.
#[derive(Template)]
#[template(path = "decisions/log.html")]
pub struct DecisionLogTemplate {
    pub page: Page,
    pub title: String,
    pub published_at: Option<String>,
    pub decisions: Vec<PublishedDecision>,
    pub back: String,
}

impl DecisionLogTemplate {
    pub fn label(&self, s: &ProposalState) -> String {
        self.page.tr.t(s.label_id())
    }
}

/// The decision document as a page.
#[derive(Template)]
#[template(path = "decisions/document.html")]
pub struct DocumentTemplate {
    pub page: Page,
    pub process: Process,
    pub data: super::document::DocumentData,
    pub units_image: String,
    pub map_image: String,
    pub made_at: Option<String>,
    /// Whether the kept files were made from the data shown.
    pub current: bool,
}
