//! Involvement's template structs.

use askama::Template;

use super::api::NextStatement;
use super::model::{Input, Process, Statement, Step, Tally};
use crate::platform::layout::{FormErrors, Page};
use crate::platform::site::model::CoreTask;

/// A process in a list, with what the reader needs to choose it.
pub struct ProcessRow {
    pub process: Process,
    pub step_label: String,
    pub facilitator: bool,
}

/// The processes one is invited to or runs.
#[derive(Template)]
#[template(path = "involvement/list.html")]
pub struct ListTemplate {
    pub page: Page,
    pub rows: Vec<ProcessRow>,
    pub may_create: bool,
}

/// The form to make a process.
#[derive(Template)]
#[template(path = "involvement/form.html")]
pub struct FormTemplate {
    pub page: Page,
    pub title: String,
    pub description: String,
    pub template: String,
    pub scope: String,
    pub chosen_units: Vec<String>,
    pub units: Vec<(String, String)>,
    pub keep_unit_role: bool,
    pub errors: FormErrors,
}

/// A step on the timeline.
pub struct TimelineStep {
    pub label: String,
    pub dates: String,
    pub active: bool,
    pub done: bool,
}

/// What a participant sees and may do: shared by the process page and a personal link's.
pub struct Taking {
    /// Where the forms post: `/processer/{id}` or `/deltag/{token}`.
    pub base: String,
    pub may_give_input: bool,
    pub may_propose: bool,
    pub may_vote: bool,
    /// Why one may not give input now (translated), when the process is open at all.
    pub closed_note: Option<String>,
    pub next: NextStatement,
    pub own_inputs: Vec<Input>,
    pub core_tasks: Vec<CoreTask>,
    pub text: String,
    pub core_task: String,
    pub statement_text: String,
    /// A short confirmation after a write.
    pub notice: Option<String>,
    /// On the public link: optional name and e-mail, and the hidden field robots fill in.
    pub public: bool,
}

/// One process, for those taking part, with its facilitators' links.
#[derive(Template)]
#[template(path = "involvement/process.html")]
pub struct ProcessTemplate {
    pub page: Page,
    pub process: Process,
    pub timeline: Vec<TimelineStep>,
    pub taking: Taking,
    pub errors: FormErrors,
    pub facilitator: bool,
    /// Whether the reader may see the opinion groups and themes.
    pub results: bool,
}

/// What a personal link opens.
#[derive(Template)]
#[template(path = "involvement/participate.html")]
pub struct ParticipateTemplate {
    pub page: Page,
    pub process: Process,
    pub timeline: Vec<TimelineStep>,
    pub taking: Taking,
    pub errors: FormErrors,
    /// How the participant came, and what that means for their answer.
    pub note: String,
}

/// A statement with its votes, for facilitators.
pub struct StatementRow {
    pub statement: Statement,
    pub tally: Tally,
}

/// A process's facilitation: counts, statements to moderate, inputs, links.
#[derive(Template)]
#[template(path = "involvement/facilitate.html")]
pub struct FacilitateTemplate {
    pub page: Page,
    pub process: Process,
    pub participants: i64,
    pub input_count: i64,
    pub votes: i64,
    pub statements: Vec<StatementRow>,
    pub inputs: Vec<Input>,
    pub unit_names: std::collections::HashMap<uuid::Uuid, String>,
    pub statement_text: String,
    /// The input the statement is made from, if any.
    pub statement_input: String,
    pub errors: FormErrors,
    pub notice: Option<String>,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
    pub statement_page: i64,
    pub statement_pages: i64,
    pub statement_link: String,
    /// Whether a mail relay is set up (else links are handed out by hand).
    pub mail_ready: bool,
    pub mail_status: crate::platform::mail::store::BatchStatus,
    /// The units to invite, as (id, indented name).
    pub invite_units: Vec<(String, String)>,
}

impl FacilitateTemplate {
    pub fn unit_name(&self, input: &Input) -> String {
        input.unit_id.and_then(|u| self.unit_names.get(&u).cloned()).unwrap_or_default()
    }
}

/// A process's settings: the active step, title and description, and each step's dates
/// and permissions.
#[derive(Template)]
#[template(path = "involvement/settings.html")]
pub struct SettingsTemplate {
    pub page: Page,
    pub process: Process,
    pub steps: Vec<Step>,
    pub errors: FormErrors,
    /// Accounts facilitating by a grant on this process: (username, name).
    pub facilitators: Vec<(String, String)>,
    pub may_copy: bool,
}

impl SettingsTemplate {
    /// The form field of a step's date.
    pub fn field(&self, key: &str, what: &str) -> &'static str {
        super::model::step_field(key, what)
    }
}

/// Personal links just made, to hand out or print.
#[derive(Template)]
#[template(path = "involvement/links.html")]
pub struct LinksTemplate {
    pub page: Page,
    pub process: Process,
    pub links: Vec<String>,
}

/// Colours of the opinion groups on the map (distinguishable in colour vision deficiency,
/// from the Okabe–Ito palette, each with at least 3:1 contrast to white).
const GROUP_COLOURS: [&str; 6] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#56524E"];

pub fn group_colour(group: usize) -> &'static str {
    GROUP_COLOURS[group % GROUP_COLOURS.len()]
}

/// A statement as the results show it.
#[derive(Clone)]
pub struct StatementRef {
    pub number: String,
    pub text: String,
}

/// A group's representative statement.
#[derive(Clone)]
pub struct Representative {
    pub statement: StatementRef,
    pub agree: bool,
    /// Share of the group voting that way, in whole per cent.
    pub percent: i64,
}

/// An opinion group.
#[derive(Clone)]
pub struct GroupView {
    /// Counted from 1, as people read it.
    pub number: usize,
    pub size: usize,
    pub colour: &'static str,
    pub representative: Vec<Representative>,
}

/// A dot on the map.
#[derive(Clone)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub colour: &'static str,
}

/// A statement's place on the map.
#[derive(Clone)]
pub struct StatementMark {
    pub x: f64,
    pub y: f64,
    pub number: String,
}

/// The opinion groups of a process.
#[derive(Template)]
#[template(path = "involvement/opinions.html")]
pub struct OpinionsTemplate {
    pub page: Page,
    pub process: Process,
    pub facilitator: bool,
    pub participants: usize,
    pub clustered: usize,
    pub groups: Vec<GroupView>,
    pub consensus_agree: Vec<StatementRef>,
    pub consensus_disagree: Vec<StatementRef>,
    /// Statements groups agree on across their differences (group-informed consensus).
    pub bridging: Vec<(StatementRef, i64)>,
    pub dots: Vec<Dot>,
    /// How many participants the map could show; `dots` is an even sample when fewer.
    pub dots_of: usize,
    pub marks: Vec<StatementMark>,
}

/// A theme with its example inputs' texts.
#[derive(Clone)]
pub struct ThemeView {
    /// The theme's id in the result (from 0).
    pub id: usize,
    /// Whether a facilitator's pin holds it.
    pub pinned: bool,
    pub number: usize,
    pub label: String,
    pub terms: String,
    pub size: usize,
    pub examples: Vec<String>,
    pub duplicates: usize,
}

/// The themes of a process's inputs.
#[derive(Template)]
#[template(path = "involvement/themes.html")]
pub struct ThemesTemplate {
    pub page: Page,
    pub process: Process,
    pub facilitator: bool,
    pub inputs: usize,
    pub unthemed: usize,
    pub themes: Vec<ThemeView>,
    pub across: super::across::Across,
}

/// A workshop code for the wall, with its QR code.
#[derive(Template)]
#[template(path = "involvement/code.html")]
pub struct CodeTemplate {
    pub page: Page,
    pub process: Process,
    pub code: String,
    /// The code as it is read aloud: two groups of three.
    pub spaced: String,
    pub url: String,
    /// The QR code as an SVG element.
    pub qr: String,
    pub expires: String,
}

impl ThemesTemplate {
    /// The tables across the organisation, each with its caption's message id.
    pub fn tables(&self) -> [(&'static str, &super::across::Table); 2] {
        [("process-across-units", &self.across.by_unit), ("process-across-roles", &self.across.by_role)]
    }
}

/// One theme with all its inputs, where a facilitator moves some of them elsewhere.
#[derive(Template)]
#[template(path = "involvement/theme.html")]
pub struct ThemeTemplate {
    pub page: Page,
    pub process: Process,
    pub number: usize,
    pub label: String,
    pub pinned: bool,
    pub inputs: Vec<(uuid::Uuid, String)>,
    /// The other themes: (id, label).
    pub others: Vec<(usize, String)>,
}
