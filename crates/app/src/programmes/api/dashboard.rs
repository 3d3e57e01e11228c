//! The programme's dashboard: enrolment, attendance, projects and trial actions per cohort
//! and per department (the unit at the top level below the municipality).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::programme_of;
use crate::AppState;
use crate::platform::api::{Problem, json};
use crate::platform::web::{Permit, Result};
use crate::programmes::model::{GroupKind, Programme};
use crate::programmes::{ManageProgrammes, store};

/// The figures of one cohort or department.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub enrolled: usize,
    /// Places on activities that have begun, recorded present and recorded at all.
    pub present: usize,
    pub recorded: usize,
    /// present / recorded, or null before anything is recorded.
    pub attendance_rate: Option<f64>,
    pub projects: usize,
    pub finished_projects: usize,
    pub trials: i64,
    pub reflected: i64,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct CohortFigures {
    /// The cohort's number; null for those in no cohort.
    pub cohort: Option<i32>,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct UnitFigures {
    pub unit: Option<Uuid>,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct Dashboard {
    pub total: Figures,
    pub cohorts: Vec<CohortFigures>,
    pub units: Vec<UnitFigures>,
}

/// The dashboard's figures (a second's copy).
pub async fn dashboard(state: &AppState, programme: &Programme) -> Result<Arc<Dashboard>> {
    let copies = &crate::programmes::cache::DASHBOARDS;
    if let Some(kept) = copies.get(programme.id) {
        return Ok(kept);
    }
    let generation = copies.generation();
    let figures = Arc::new(figures(state, programme).await?);
    copies.keep(programme.id, generation, figures.clone());
    Ok(figures)
}

/// The dashboard's figures, read now.
async fn figures(state: &AppState, programme: &Programme) -> Result<Dashboard> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let people: Vec<Uuid> =
        store::programme_enrolments(&state.db, programme.id).await?.into_iter().map(|(p, _, _)| p).collect();
    let groups = store::groups::groups(&state.db, programme.id).await?;
    let cohort_of: HashMap<Uuid, i32> = groups
        .iter()
        .filter(|g| g.kind == GroupKind::Cohort)
        .flat_map(|g| g.members.iter().map(move |(p, _)| (*p, g.number)))
        .collect();
    let learning_cohort: HashMap<Uuid, Option<i32>> = groups
        .iter()
        .filter(|g| g.kind == GroupKind::Learning)
        .map(|g| (g.id, g.members.first().and_then(|(p, _)| cohort_of.get(p).copied())))
        .collect();
    // A person's department: the unit at depth 1 above (or at) their unit.
    let department = |person: Uuid| -> Option<Uuid> {
        let unit = org.unit(org.person(person)?.unit)?;
        if unit.depth <= 1 {
            return Some(unit.id);
        }
        org.ancestors(unit).into_iter().find(|u| u.depth == 1).map(|u| u.id)
    };
    let mut total = Figures::default();
    let mut by_cohort: BTreeMap<Option<i32>, Figures> = BTreeMap::new();
    let mut by_unit: HashMap<Option<Uuid>, Figures> = HashMap::new();
    let mut each = |person: Option<Uuid>, cohort: Option<i32>, f: &dyn Fn(&mut Figures)| {
        f(&mut total);
        f(by_cohort.entry(cohort).or_default());
        if let Some(p) = person {
            f(by_unit.entry(department(p)).or_default());
        }
    };
    for p in &people {
        each(Some(*p), cohort_of.get(p).copied(), &|f| f.enrolled += 1);
    }
    for row in store::attendance::programme_attendance(&state.db, programme.id, Utc::now()).await? {
        let Some(present) = row.present else { continue };
        each(Some(row.person), cohort_of.get(&row.person).copied(), &|f| {
            f.recorded += 1;
            f.present += usize::from(present);
        });
    }
    let counts: HashMap<Uuid, (i64, i64)> = store::projects::trial_counts(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|(p, n, r)| (p, (n, r)))
        .collect();
    for project in store::projects::of_programme(&state.db, programme.id).await? {
        let cohort = match (project.owner, project.group) {
            (Some(o), _) => cohort_of.get(&o).copied(),
            (None, Some(g)) => learning_cohort.get(&g).copied().flatten(),
            _ => None,
        };
        let (trials, reflected) = counts.get(&project.id).copied().unwrap_or_default();
        each(project.owner, cohort, &|f| {
            f.projects += 1;
            f.finished_projects += usize::from(project.finished);
            f.trials += trials;
            f.reflected += reflected;
        });
    }
    let rate = |f: &mut Figures| f.attendance_rate = (f.recorded > 0).then(|| f.present as f64 / f.recorded as f64);
    rate(&mut total);
    let cohorts = by_cohort
        .into_iter()
        .map(|(cohort, mut figures)| {
            rate(&mut figures);
            CohortFigures { cohort, figures }
        })
        .collect();
    let mut units: Vec<UnitFigures> = by_unit
        .into_iter()
        .map(|(unit, mut figures)| {
            rate(&mut figures);
            let name = unit.and_then(|u| org.unit(u)).map(|u| u.name.clone()).unwrap_or_default();
            UnitFigures { unit, name, figures }
        })
        .collect();
    units.sort_by(|a, b| b.figures.enrolled.cmp(&a.figures.enrolled).then(a.name.cmp(&b.name)));
    Ok(Dashboard { total, cohorts, units })
}

/// Enrolment, attendance, projects and trial actions per cohort and department.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/dashboard", tag = "programmes",
    responses((status = 200, body = Dashboard), (status = 404, body = Problem)))]
pub async fn get_dashboard(
    State(state): State<AppState>,
    _permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(json(&*dashboard(&state, &programme).await?))
}
