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
    /// Where the answers go: the personal link's page or the signed-in one.
    pub action: String,
    pub questions: Vec<QuestionView>,
    pub errors: FormErrors,
    /// Shown instead of the questions: thanks, already answered, not open.
    pub message: Option<String>,
    /// With the thanks of a workshop code that has uses left: a way on for the next person
    /// at the same screen.
    pub next: bool,
    pub licence: String,
    /// What happens to the answer: who sees it and with how many others.
    pub lead: String,
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
    /// The subtree's distribution (a question's), empty when hidden or for the score.
    pub distribution: Vec<Segment>,
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
    /// (round, last day, (n, mean) or hidden) of the top of the reader's part, oldest first;
    /// empty with fewer than two closed rounds.
    pub trend: Vec<(String, String, Option<(i64, String)>)>,
    pub trend_unit: String,
    /// (key, text, chosen) of the questions with a scale.
    pub questions: Vec<(String, String, bool)>,
    /// The question shown, or none for the score.
    pub question: Option<String>,
    pub funnel: Option<FunnelChart>,
    /// An outcome instrument's effect (shares of series reliably improved) instead of a
    /// round's results.
    pub effect: bool,
    /// (label, chosen) of an outcome scale's series labels, to narrow its effect.
    pub labels: Vec<(String, bool)>,
    /// A free-text question's comments from the top of the reader's part, instead of the table.
    pub comments: Option<Comments>,
}

/// The comments shown for a free-text question: what they are and the comments, or (with
/// none) why they are hidden.
pub struct Comments {
    pub lead: String,
    pub answers: Vec<String>,
}

/// One value's part of a distribution bar.
pub struct Segment {
    pub label: String,
    pub n: i64,
    /// Where it starts and how wide it is, in per cent of the bar.
    pub start: f64,
    pub width: f64,
    /// Its place on the scale (for its shade), 0 the lowest.
    pub step: usize,
}

/// A funnel plot drawn on the server.
pub struct FunnelChart {
    pub width: u32,
    pub height: u32,
    /// The centre line's y, and the four limit curves as polyline points.
    pub centre: f64,
    pub limits95: (String, String),
    pub limits998: (String, String),
    /// (x, y, outside the 99.8 % limits) per unit.
    pub points: Vec<(f64, f64, bool)>,
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
    /// The sentence that says in words what the plot shows.
    pub summary: String,
}

/// A series in the professional's list.
pub struct SeriesRowView {
    pub id: String,
    pub subject: String,
    pub label: String,
    pub instrument: String,
    pub sessions: usize,
    pub latest: String,
    pub status: String,
    pub alert: bool,
}

#[derive(Template)]
#[template(path = "feedback/series_list.html")]
pub struct SeriesListTemplate {
    pub page: Page,
    pub rows: Vec<SeriesRowView>,
    pub alerts: usize,
    /// (key, name) of the instruments a series can use.
    pub instruments: Vec<(String, String)>,
    pub errors: FormErrors,
    pub reference: String,
    pub label: String,
}

/// One answer in a series' table.
pub struct ScoreView {
    pub session: i32,
    pub rater: String,
    pub score: String,
    pub day: String,
}

#[derive(Template)]
#[template(path = "feedback/series.html")]
pub struct SeriesTemplate {
    pub page: Page,
    pub id: String,
    /// For the link to the model's page.
    pub instrument_key: String,
    /// The chart, as SVG elements' data: see `chart`.
    pub chart: Chart,
    pub scores: Vec<ScoreView>,
    pub facts: Vec<(String, String)>,
    pub alert: Option<String>,
    pub questions: Vec<QuestionView>,
    /// The raters to choose from: (key, label).
    pub raters: Vec<(String, String)>,
    pub errors: FormErrors,
}

/// A series drawn server-side: points already in SVG coordinates.
#[derive(Default)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// The expected band as a polygon's points, and the expected line's.
    pub band: String,
    pub expected: String,
    /// The subject's own scores: the line's points, and each point.
    pub line: String,
    pub points: Vec<(f64, f64)>,
    /// Collateral raters' points.
    pub others: Vec<(f64, f64)>,
    /// The cut-off's height, when there is one.
    pub cutoff: Option<f64>,
    /// Axis labels: (x, label) along the bottom, (y, label) up the side.
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
}

/// A survey round in the HR consultant's list.
pub struct RoundRowView {
    pub title: String,
    pub instrument: String,
    pub period: String,
    pub state: String,
    pub links: String,
    /// "312 (64 %)" once closed, "vises efter runden" while open.
    pub answered: String,
    /// Where the round's title leads: a 360° round's evaluated leaders, a survey round's
    /// results for everyone it was sent to.
    pub href: String,
    /// The programme it was sent to.
    pub programme: Option<String>,
}

/// A survey round's results for everyone it was sent to.
#[derive(Template)]
#[template(path = "feedback/round_results.html")]
pub struct RoundResultsTemplate {
    pub page: Page,
    pub lead: String,
    /// Shown instead of the figures while the round is open.
    pub pending: Option<String>,
    /// (question, n, mean) or (question, hidden) as "–".
    pub rows: Vec<(String, String, String)>,
}

/// A unit the round form offers.
pub struct UnitChoice {
    pub id: String,
    pub name: String,
    /// 1 = the top, for the indent.
    pub depth: i64,
    pub people: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "feedback/rounds.html")]
pub struct RoundsTemplate {
    pub page: Page,
    pub notice: Option<String>,
    pub rows: Vec<RoundRowView>,
    /// (key, name, chosen) of each survey instrument.
    pub instruments: Vec<(String, String, bool)>,
    pub units: Vec<UnitChoice>,
    /// (id, name, chosen) of the programmes whose participants a round can go to.
    pub programmes: Vec<(String, String, bool)>,
    pub title: String,
    pub opens: String,
    pub closes: String,
    pub errors: FormErrors,
}

/// The front page's part for a professional who follows series.
#[derive(Template)]
#[template(path = "feedback/home_panel.html")]
pub struct HomePanelTemplate {
    pub tr: crate::platform::i18n::Tr,
    /// (address, title, last day) of the open rounds the person has yet to answer.
    pub surveys: Vec<(String, String, String)>,
    /// How many series they follow.
    pub series: usize,
    /// (id, subject) of each series not on track.
    pub alerts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "feedback/model.html")]
pub struct ModelTemplate {
    pub page: Page,
    pub fitted: bool,
    /// (name, value) of each coefficient and the fit.
    pub figures: Vec<(String, String)>,
    /// What it was fitted on, against the least it needs.
    pub data: String,
    pub fitted_at: String,
    pub key: String,
}

#[derive(Template)]
#[template(path = "feedback/hub.html")]
pub struct HubTemplate {
    pub page: Page,
    /// (address, title, last day) of the open surveys the reader has yet to answer.
    pub surveys: Vec<(String, String, String)>,
    /// (address, name, what it is for) of the pages the reader's roles open.
    pub pages: Vec<(String, String, String)>,
    /// (address, instrument) of each outcome instrument's model page.
    pub models: Vec<(String, String)>,
    /// (address, round, when the report is shown) of the 360° rounds about the reader.
    pub evaluations: Vec<(String, String, String)>,
}

/// The leaders a 360° round evaluates (HR).
#[derive(Template)]
#[template(path = "feedback/evaluations.html")]
pub struct EvaluationsTemplate {
    pub page: Page,
    pub lead: String,
    /// (report address, leader, unit).
    pub leaders: Vec<(String, String, String)>,
}

/// A column of a 360° report: a rater group (or everyone but the leader).
pub struct GroupColumn {
    pub label: String,
    /// "3 svar" or "for få svar (mindst 3)".
    pub count: String,
}

/// A row of a 360° report: an item (or the score) with a cell per group ("–" if hidden).
pub struct ReportRow {
    pub text: String,
    pub cells: Vec<String>,
}

/// A free-text question's answers per group shown.
pub struct TextBlock {
    pub question: String,
    /// (group, answers).
    pub groups: Vec<(String, Vec<String>)>,
}

/// A leader's 360° report.
#[derive(Template)]
#[template(path = "feedback/evaluation.html")]
pub struct EvaluationTemplate {
    pub page: Page,
    pub lead: String,
    /// Shown instead of the report before the round has closed.
    pub pending: Option<String>,
    pub columns: Vec<GroupColumn>,
    pub rows: Vec<ReportRow>,
    pub texts: Vec<TextBlock>,
    /// Groups whose texts are held back (too few for free text).
    pub withheld: Vec<String>,
}

#[derive(Template)]
#[template(path = "feedback/round_code.html")]
pub struct RoundCodeTemplate {
    pub page: Page,
    /// (id, title, chosen) of the rounds that have not closed.
    pub rounds: Vec<(String, String, bool)>,
    /// (id, name with its place in the tree, chosen) of every unit.
    pub units: Vec<(String, String, bool)>,
    pub uses: String,
    /// (code, answering address, the code page's address, uses) of the code just made.
    pub made: Option<(String, String, String, i32)>,
    pub errors: FormErrors,
}
