//! The programmes' template structs.

use askama::Template;

use crate::platform::layout::{FormErrors, Page};

/// A programme as the list shows it.
pub struct ProgrammeRowView {
    pub id: String,
    pub title: String,
    pub template: String,
    pub enrolled: i64,
}

#[derive(Template)]
#[template(path = "programmes/list.html")]
pub struct ListTemplate {
    pub page: Page,
    pub rows: Vec<ProgrammeRowView>,
    pub archived: bool,
    pub may_manage: bool,
}

#[derive(Template)]
#[template(path = "programmes/form.html")]
pub struct FormTemplate {
    pub page: Page,
    pub title: String,
    pub description: String,
    pub template: String,
    pub starts_on: String,
    /// Key and label of each template.
    pub templates: Vec<(String, String)>,
    pub errors: FormErrors,
}

/// An activity as a table row shows it.
pub struct ActivityRowView {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub when: String,
    pub place: String,
    /// "12 / 24", or "12" without a limit.
    pub places: String,
    pub waiting: i64,
    pub cancelled: bool,
    pub module: String,
    pub phase: String,
}

#[derive(Template)]
#[template(path = "programmes/programme.html")]
pub struct ProgrammeTemplate {
    pub page: Page,
    pub id: String,
    pub description: String,
    pub archived: bool,
    pub enrolled: i64,
    /// Title and audience.
    pub phases: Vec<(String, String)>,
    /// Title and description.
    pub modules: Vec<(String, String)>,
    pub activities: Vec<ActivityRowView>,
    pub may_manage: bool,
    pub notice: Option<String>,
    /// Each goal's text and the name of its role (or empty).
    pub goals: Vec<(String, String)>,
    /// Key and name of each active role, for the goal form.
    pub roles: Vec<(String, String)>,
    /// Id and title of each module, for the goal form.
    pub module_choices: Vec<(String, String)>,
    pub changes: Vec<RatingChangeView>,
    /// The signed-in person takes part (and may rate themselves).
    pub takes_part: bool,
    /// A leader's people not yet in the programme (id and name), to nominate.
    pub nominees: Vec<(String, String)>,
    /// Id and title of each phase.
    pub phase_choices: Vec<(String, String)>,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "programmes/activity_form.html")]
pub struct ActivityFormTemplate {
    pub page: Page,
    /// Where the form posts.
    pub action: String,
    pub title: String,
    pub kind: String,
    pub starts_at: String,
    pub ends_at: String,
    pub mode: String,
    pub place: String,
    pub meeting_url: String,
    pub capacity: String,
    pub facilitator: String,
    pub agenda: String,
    pub module: String,
    pub phase: String,
    pub kinds: Vec<(String, String)>,
    pub modes: Vec<(String, String)>,
    pub modules: Vec<(String, String)>,
    pub phases: Vec<(String, String)>,
    pub errors: FormErrors,
    pub submit: String,
}

#[derive(Template)]
#[template(path = "programmes/activity.html")]
pub struct ActivityTemplate {
    pub page: Page,
    pub id: String,
    pub programme_id: String,
    pub programme_title: String,
    pub kind: String,
    pub when: String,
    pub mode: String,
    pub place: String,
    pub meeting_url: String,
    pub places: String,
    pub waiting: i64,
    pub facilitator: String,
    pub agenda: String,
    pub cancelled: bool,
    /// The signed-in person's status label, when they are enrolled or waiting.
    pub my_status: Option<String>,
    /// Whether the signed-in user is a person of the organisation (can sign up).
    pub is_person: bool,
    pub may_manage: bool,
    /// Name, status label and person id of each enrolled and waiting person.
    pub enrolments: Vec<(String, String, String)>,
    /// People the user may put on the activity: id and name.
    pub people: Vec<(String, String)>,
    pub notice: Option<String>,
    pub errors: FormErrors,
    /// Id, name and size of each material.
    pub materials: Vec<(String, String, String)>,
    /// The page of the people shown, of how many, and the link up to "side=".
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
    /// Everyone on the activity (enrolled and waiting).
    pub on_it: i64,
    /// The signed-in participant may check in with the room's code now.
    pub check_in: bool,
    /// The signed-in participant is recorded present.
    pub present: bool,
}

/// One of "my" activities.
pub struct MyActivityView {
    pub id: String,
    pub title: String,
    pub programme: String,
    pub when: String,
    pub place: String,
    pub status: String,
    pub clash: bool,
}

#[derive(Template)]
#[template(path = "programmes/mine.html")]
pub struct MineTemplate {
    pub page: Page,
    pub activities: Vec<MyActivityView>,
    pub is_person: bool,
    pub has_feed: bool,
    /// The new feed address, shown once after it was made.
    pub new_feed: Option<String>,
    pub groups: Vec<MyGroupView>,
    /// Id and title of the person's own projects.
    pub projects: Vec<(String, String)>,
}

/// One of the person's groups: "Læringsgruppe 3 · Ledelse 2027" and the others in it.
pub struct MyGroupView {
    pub heading: String,
    /// The group's own page (a learning group's, with its notes).
    pub link: Option<String>,
    /// Name and e-mail of each of the others.
    pub members: Vec<(String, String)>,
}

/// An adopted group on the groups page.
pub struct AdoptedGroupView {
    pub name: String,
    /// The group of the level above, or empty.
    pub parent: String,
    /// "Name (unit)" of each member.
    pub members: Vec<String>,
}

#[derive(Template)]
#[template(path = "programmes/groups.html")]
pub struct GroupsTemplate {
    pub page: Page,
    pub id: String,
    pub enrolled: i64,
    /// Each adopted level: its heading and groups.
    pub levels: Vec<(String, Vec<AdoptedGroupView>)>,
    /// Key and label of each kind.
    pub kinds: Vec<(String, String)>,
    pub kind: String,
    pub size: String,
    pub mix_unit: bool,
    pub mix_role: bool,
    /// Must-together and must-apart pairs as typed.
    pub together: String,
    pub apart: String,
    pub errors: FormErrors,
    pub notice: Option<String>,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
}

pub struct PreviewMemberView {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub leader: bool,
    pub locked: bool,
}

pub struct PreviewGroupView {
    pub name: String,
    pub parent: String,
    /// 1-based, as the number fields show it.
    pub number: usize,
    pub members: Vec<PreviewMemberView>,
}

#[derive(Template)]
#[template(path = "programmes/preview.html")]
pub struct PreviewTemplate {
    pub page: Page,
    pub id: String,
    pub kind: String,
    pub size: String,
    pub mix: Vec<String>,
    pub summary: String,
    pub mixed: String,
    /// Each in words, with whether it could have been avoided.
    pub violations: Vec<String>,
    pub groups: Vec<PreviewGroupView>,
    pub count: usize,
    /// The pairs as typed, kept through re-runs.
    pub together: String,
    pub apart: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "programmes/selection.html")]
pub struct SelectionTemplate {
    pub page: Page,
    pub id: String,
    pub programme: String,
    /// Id and title of each phase.
    pub phases: Vec<(String, String)>,
    /// Id and indented name of each unit, in tree order.
    pub units: Vec<(String, String)>,
    pub phase: String,
    pub unit: String,
    pub leaders: bool,
    pub employees: bool,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

/// One enrolled person on the attendance list.
pub struct AttendanceRowView {
    pub id: String,
    pub name: String,
    pub present: bool,
}

#[derive(Template)]
#[template(path = "programmes/attendance.html")]
pub struct AttendanceTemplate {
    pub page: Page,
    pub id: String,
    pub when: String,
    pub open: bool,
    pub code: Option<String>,
    pub people: Vec<AttendanceRowView>,
    pub notice: Option<String>,
    pub errors: FormErrors,
}

pub struct ProgressRowView {
    pub name: String,
    pub unit: String,
    pub activities: usize,
    pub present: usize,
    pub absent: usize,
    pub unrecorded: usize,
}

#[derive(Template)]
#[template(path = "programmes/progress.html")]
pub struct ProgressTemplate {
    pub page: Page,
    pub id: String,
    pub rows: Vec<ProgressRowView>,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
}

pub struct RoleRowView {
    pub id: String,
    pub name: String,
    pub audience: String,
    pub description: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "programmes/roles.html")]
pub struct RolesTemplate {
    pub page: Page,
    pub rows: Vec<RoleRowView>,
    pub may_manage: bool,
    pub key: String,
    pub name: String,
    pub description: String,
    pub audience: String,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "programmes/role_form.html")]
pub struct RoleFormTemplate {
    pub page: Page,
    pub id: String,
    pub name: String,
    pub description: String,
    pub active: bool,
    pub errors: FormErrors,
}

/// One role on the self-rating form.
pub struct RatingRoleView {
    pub key: String,
    pub name: String,
    pub description: String,
    /// The score to show checked.
    pub chosen: i32,
    pub start: Option<i32>,
    pub end: Option<i32>,
}

#[derive(Template)]
#[template(path = "programmes/self_rating.html")]
pub struct RatingTemplate {
    pub page: Page,
    pub id: String,
    pub moment: String,
    pub roles: Vec<RatingRoleView>,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

/// A row of the change per cohort and role.
pub struct RatingChangeView {
    pub cohort: String,
    pub role: String,
    pub n: String,
    pub start: String,
    pub end: String,
    pub change: String,
}

pub struct ProjectRowView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub status: String,
    pub progress: String,
}

#[derive(Template)]
#[template(path = "programmes/projects.html")]
pub struct ProjectsTemplate {
    pub page: Page,
    pub id: String,
    pub rows: Vec<ProjectRowView>,
    /// The signed-in person takes part and may start a project.
    pub may_start: bool,
    /// Id and name of the learning groups the person is in.
    pub groups: Vec<(String, String)>,
    /// Field name and label id of the project's texts.
    pub fields: Vec<(String, String)>,
    pub errors: FormErrors,
}

/// A trial action on the project page.
pub struct TrialView {
    pub id: String,
    pub number: i32,
    pub title: String,
    pub plan: String,
    pub act: String,
    pub observe: String,
    pub reflect: String,
    pub involved: String,
    pub stage: String,
    pub stage_label: String,
    pub planned_on: String,
    pub done_on: String,
    /// Field name, label id and text of plan, act, observe, reflect and who took part.
    pub fields: Vec<(String, String, String)>,
    /// Author, what worked, what to try next.
    pub feedback: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "programmes/project.html")]
pub struct ProjectTemplate {
    pub page: Page,
    pub id: String,
    pub programme_id: String,
    pub owner: String,
    pub status: String,
    pub progress: String,
    /// Only the status may be shown.
    pub status_only: bool,
    pub is_owner: bool,
    pub may_give_feedback: bool,
    /// Field name, label id and text of the challenge, core task, change and goal.
    pub project_fields: Vec<(String, String, String)>,
    pub shared_with_leader: bool,
    pub finished: bool,
    pub story: Option<String>,
    pub trials: Vec<TrialView>,
    /// Key and label of each stage.
    pub stages: Vec<(String, String)>,
    pub notice: Option<String>,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "programmes/group.html")]
pub struct GroupTemplate {
    pub page: Page,
    pub id: String,
    pub programme_id: String,
    pub members: Vec<String>,
    /// Author, when, text.
    pub notes: Vec<(String, String, String)>,
    pub notice: Option<String>,
    pub errors: FormErrors,
}

/// One row of the dashboard: a cohort or a department.
pub struct DashboardRowView {
    pub name: String,
    pub enrolled: usize,
    /// "83 %", or "–" before anything is recorded.
    pub attendance: String,
    /// The bar's width in percent (0–100).
    pub attendance_bar: u32,
    pub projects: String,
    pub trials: String,
    /// Trial actions per participant, as a bar (0–100 of the largest row).
    pub trials_bar: u32,
}

#[derive(Template)]
#[template(path = "programmes/dashboard.html")]
pub struct DashboardTemplate {
    pub page: Page,
    pub id: String,
    pub total: DashboardRowView,
    pub cohorts: Vec<DashboardRowView>,
    pub units: Vec<DashboardRowView>,
}
