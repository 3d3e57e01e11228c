//! Feedback's page templates and the views they show.

use askama::Template;

use crate::platform::layout::{FormErrors, Page};

/// One question on the answering page.
pub struct QuestionView {
    pub key: String,
    pub text: String,
    /// The choices (value, label) for a scale answered by tapping; empty for free text.
    pub choices: Vec<(String, String)>,
    /// Whether the choices are a 0–10 line (shown in one row with its end labels).
    pub line: bool,
    pub required: bool,
    /// What was chosen or written (kept when the form comes back with errors).
    pub value: String,
}

#[derive(Template)]
#[template(path = "feedback/answer.html")]
pub struct AnswerTemplate {
    pub page: Page,
    pub token: String,
    pub questions: Vec<QuestionView>,
    pub errors: FormErrors,
    /// Shown instead of the questions: thanks, already answered, not open.
    pub message: Option<String>,
    pub licence: String,
    /// The fewest answers behind a figure shown.
    pub k: i32,
}

/// One unit's line in the results.
pub struct ResultRow {
    pub name: String,
    /// Indentation below the reader's top unit.
    pub level: i64,
    /// "n · mean" or empty when hidden.
    pub own: Option<(i64, String)>,
    pub subtree: Option<(i64, String)>,
    /// The subtree mean as a share of the scale, for the bar (0–100).
    pub bar: u32,
}

#[derive(Template)]
#[template(path = "feedback/results.html")]
pub struct ResultsTemplate {
    pub page: Page,
    /// (key, name, chosen) of each survey instrument.
    pub instruments: Vec<(String, String, bool)>,
    /// (id, title, chosen) of the instrument's closed rounds.
    pub rounds: Vec<(String, String, bool)>,
    pub rows: Vec<ResultRow>,
    pub k: i32,
    pub note: Option<String>,
}
