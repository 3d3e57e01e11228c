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
