//! Development programmes as the rest of the product sees them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Defines a closed set of keys kept in the database and the API, with a locale label each.
macro_rules! keyed {
    ($(#[$meta:meta])* $name:ident, $label_prefix:literal, { $($variant:ident = $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() { $($key => Some($name::$variant),)+ _ => None }
            }
            /// The locale id of its Danish/English label.
            pub fn label_id(self) -> String {
                format!("{}-{}", $label_prefix, self.key().replace('_', "-"))
            }
        }
    };
}

keyed!(
    /// What kind of activity it is (stable keys: the API and exports use them).
    ActivityKind, "activity-kind", {
        Workshop = "workshop",
        Seminar = "seminar",
        Coaching = "coaching",
        LeaderGroup = "leader_group",
        Residential = "residential",
        KickOff = "kick_off",
        AfterWork = "after_work",
        Course = "course",
        ELearning = "e_learning",
        HomeAssignment = "home_assignment",
    }
);

keyed!(
    /// Where an activity happens.
    Mode, "activity-mode", {
        Physical = "physical",
        Virtual = "virtual",
        Hybrid = "hybrid",
    }
);

keyed!(
    /// Where a person stands on an activity.
    EnrolmentStatus, "enrolment-status", {
        Enrolled = "enrolled",
        Waiting = "waiting",
        Cancelled = "cancelled",
    }
);

keyed!(
    /// How a person came into a programme.
    Via, "enrolment-via", {
        Nomination = "nomination",
        SelfSignUp = "self",
        Selection = "selection",
    }
);

/// The longest title and text.
pub const TITLE_MAX_CHARS: usize = 200;
pub const TEXT_MAX_CHARS: usize = 5_000;
pub const URL_MAX_CHARS: usize = 500;
/// The largest capacity of one activity.
pub const CAPACITY_MAX: i32 = 10_000;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Phase {
    pub id: Uuid,
    pub position: i32,
    pub title: String,
    /// Who takes part, in words.
    pub audience: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeModule {
    pub id: Uuid,
    pub position: i32,
    pub title: String,
    pub description: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Programme {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    /// The template it was made from: hedensted, rodovre, koege, or empty.
    pub template: String,
    pub archived: bool,
    pub phases: Vec<Phase>,
    pub modules: Vec<ProgrammeModule>,
    /// People enrolled in the programme.
    pub enrolled: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub module_id: Option<Uuid>,
    pub phase_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub mode: Mode,
    pub place: String,
    pub meeting_url: String,
    /// No limit when absent.
    pub capacity: Option<i32>,
    pub enrolled: i32,
    pub waiting: i64,
    pub facilitator: String,
    pub agenda: String,
    pub cancelled: bool,
    /// RFC 5545 SEQUENCE: raised on every change a calendar must show.
    pub sequence: i32,
}

/// An activity as checked, ready to store.
#[derive(Clone, Debug)]
pub struct NewActivity {
    pub module_id: Option<Uuid>,
    pub phase_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub mode: Mode,
    pub place: String,
    pub meeting_url: String,
    pub capacity: Option<i32>,
    pub facilitator: String,
    pub agenda: String,
}

/// A programme as checked (from a form, JSON or a template).
#[derive(Clone, Debug, Default)]
pub struct NewProgramme {
    pub title: String,
    pub description: String,
    pub template: String,
    /// Title and audience of each phase.
    pub phases: Vec<(String, String)>,
    /// Title and description of each module.
    pub modules: Vec<(String, String)>,
    /// Activities with the position of their module and phase.
    pub activities: Vec<(Option<usize>, Option<usize>, NewActivity)>,
    /// Competence goals: the position of their module, the key of their role, the text.
    pub goals: Vec<(Option<usize>, String, String)>,
}

/// A person's place on an activity.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Enrolment {
    pub person: Uuid,
    pub name: String,
    pub status: EnrolmentStatus,
    pub since: DateTime<Utc>,
}

/// One of a person's activities, for their calendar and "Mit forløb".
#[derive(Clone, Debug)]
pub struct PersonActivity {
    pub activity: Activity,
    pub programme_title: String,
    pub status: EnrolmentStatus,
}

keyed!(
    /// A level of groups: cohorts (hold) of 20–24, learning groups of 4–6 inside a cohort,
    /// buddy pairs inside a learning group.
    GroupKind, "group-kind", {
        Cohort = "cohort",
        Learning = "learning",
        Buddy = "buddy",
    }
);

impl GroupKind {
    /// The level a group of this kind lies inside.
    pub fn parent(self) -> Option<GroupKind> {
        match self {
            GroupKind::Cohort => None,
            GroupKind::Learning => Some(GroupKind::Cohort),
            GroupKind::Buddy => Some(GroupKind::Learning),
        }
    }

    /// This level and those inside it: forming it anew dissolves them all.
    pub fn and_below(self) -> &'static [GroupKind] {
        match self {
            GroupKind::Cohort => &[GroupKind::Cohort, GroupKind::Learning, GroupKind::Buddy],
            GroupKind::Learning => &[GroupKind::Learning, GroupKind::Buddy],
            GroupKind::Buddy => &[GroupKind::Buddy],
        }
    }

    /// The bounds for one part of `n` people: a pair level with an odd number takes one trio
    /// rather than leave someone alone.
    pub fn part_bounds(self, (min, max): (usize, usize), n: usize) -> (usize, usize) {
        if self == GroupKind::Buddy && (min, max) == (2, 2) && n % 2 == 1 && n > 1 { (2, 3) } else { (min, max) }
    }

    /// The sizes of the seeds (Hedensted): cohorts 20–24, learning groups 4–6, pairs.
    pub fn default_size(self) -> (usize, usize) {
        match self {
            GroupKind::Cohort => (20, 24),
            GroupKind::Learning => (4, 6),
            GroupKind::Buddy => (2, 2),
        }
    }
}

/// The attributes groups can be mixed on.
pub const MIX_KEYS: &[&str] = &["unit", "role"];
/// The largest group the engine is asked for.
pub const GROUP_MAX_SIZE: usize = 500;

/// How a level of groups was formed: kept so a late enrolment is placed by the same rule.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Grouping {
    pub kind: GroupKind,
    pub min_size: i32,
    pub max_size: i32,
    pub mix: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupMember {
    pub person: Uuid,
    pub name: String,
    pub unit: Option<Uuid>,
    /// Kept in this group when the groups are formed again.
    pub locked: bool,
}

/// An adopted group.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeGroup {
    pub id: Uuid,
    pub kind: GroupKind,
    /// The cohort of a learning group, the learning group of a buddy pair.
    pub parent: Option<Uuid>,
    /// 1, 2, … within the programme and kind.
    pub number: i32,
    pub members: Vec<GroupMember>,
}

/// A group to adopt, as checked.
#[derive(Clone, Debug)]
pub struct NewGroup {
    pub parent: Option<Uuid>,
    /// Each member and whether they are locked.
    pub members: Vec<(Uuid, bool)>,
}

/// One of a person's groups, with the other members.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonGroup {
    pub programme_id: Uuid,
    pub programme_title: String,
    pub group: Uuid,
    pub kind: GroupKind,
    pub number: i32,
    /// The members (the person included).
    pub members: Vec<Uuid>,
}

keyed!(
    /// Who a role is for.
    Audience, "role-audience", {
        Employee = "employee",
        Leader = "leader",
    }
);

keyed!(
    /// When a participant rates themselves: as the programme begins, and as it ends.
    Moment, "rating-moment", {
        Start = "start",
        End = "end",
    }
);

/// A self-rating runs from 1 (in a small degree) to 5 (in a very high degree).
pub const RATING_MIN: i32 = 1;
pub const RATING_MAX: i32 = 5;
/// No mean of self-ratings is shown for fewer people than this.
pub const RATING_MIN_GROUP: usize = 5;

/// A role of the municipality's role model.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeRole {
    pub id: Uuid,
    /// A stable key (ressourcedetektor, meningsskaber, …).
    pub key: String,
    pub name: String,
    pub description: String,
    pub audience: Audience,
    pub active: bool,
}

/// A competence goal of a programme, pointing to a role (and a module).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CompetenceGoal {
    pub id: Uuid,
    pub module_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub text: String,
}

keyed!(
    /// Where a trial action's cycle has come to: plan → act → observe → reflect.
    Stage, "trial-stage", {
        Plan = "plan",
        Act = "act",
        Observe = "observe",
        Reflect = "reflect",
    }
);

/// A development project: the challenge, the core task and the change for the citizen, the goal.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Project {
    pub id: Uuid,
    pub programme_id: Uuid,
    /// A participant's own project…
    pub owner: Option<Uuid>,
    /// …or a learning group's.
    pub group: Option<Uuid>,
    pub title: String,
    pub challenge: String,
    pub core_task: String,
    pub citizen_change: String,
    pub goal: String,
    pub finished: bool,
    pub shared_with_leader: bool,
    /// The draft story made from it.
    pub story: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// A trial action: one cycle of plan, act, observe and reflect.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Trial {
    pub id: Uuid,
    pub project_id: Uuid,
    pub number: i32,
    pub title: String,
    pub plan: String,
    pub act: String,
    pub observe: String,
    pub reflect: String,
    /// Who took part besides the owner.
    pub involved: String,
    pub stage: Stage,
    pub planned_on: Option<chrono::NaiveDate>,
    pub done_on: Option<chrono::NaiveDate>,
}

/// The buddy's feedback on a trial action.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Feedback {
    pub id: Uuid,
    pub trial_id: Uuid,
    pub author: String,
    /// What worked.
    pub worked: String,
    /// What to try next.
    pub next_try: String,
    pub created_at: DateTime<Utc>,
}

/// A note in a learning group.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupNote {
    pub id: Uuid,
    pub author: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A file of an activity (without its bytes).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Material {
    pub id: Uuid,
    pub activity_id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i32,
    pub created_at: DateTime<Utc>,
}
