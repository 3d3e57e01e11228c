//! 360° evaluations: the leaders a round evaluates (HR), a leader's report per rater group
//! (HR and the leader), and the reader's own evaluations.

use super::*;
use crate::feedback::rating360::{self, Evaluated, Evaluation};

fn id_of(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct EvaluatedList {
    pub round: Uuid,
    pub title: String,
    pub items: Vec<Evaluated>,
}

/// The leaders a 360° round evaluates, by name.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/evaluations", tag = "feedback",
    responses((status = 200, body = EvaluatedList), (status = 404, body = Problem)))]
pub async fn list_evaluated(
    State(state): State<AppState>,
    _permit: Permit<ManageFeedback>,
    Path(id): Path<String>,
) -> Result<Response> {
    let (round, items) = rating360::evaluated(&state, id_of(&id)?).await?;
    Ok(json(&EvaluatedList { round: round.id, title: round.title, items }))
}

/// A leader's 360° report: each rater group's count, mean score and item means, or
/// `{"suppressed": true}` under the group's minimum (the leader's own and the manager's answer
/// are exempt), free text only from the instrument's text minimum; nothing before the round
/// has closed. For HR and the leader; anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/evaluations/{subject}", tag = "feedback",
    responses((status = 200, body = Evaluation), (status = 404, body = Problem)))]
pub async fn get_evaluation(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path((id, subject)): Path<(String, String)>,
) -> Result<Response> {
    Ok(json(&rating360::evaluation(&state, &permit, id_of(&id)?, id_of(&subject)?).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct OwnEvaluation {
    pub round: Uuid,
    pub title: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub closed: bool,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct OwnEvaluations {
    pub items: Vec<OwnEvaluation>,
}

/// The 360° rounds that evaluate the reader, the latest first.
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "feedback", responses((status = 200, body = OwnEvaluations)))]
pub async fn own_evaluations(State(state): State<AppState>, permit: Permit<ReadFeedback>) -> Result<Response> {
    Ok(json(&OwnEvaluations { items: own_rounds(&state, &permit).await? }))
}

/// The 360° rounds about the reader (none for an account without a person).
pub async fn own_rounds(state: &AppState, permit: &Permit<ReadFeedback>) -> Result<Vec<OwnEvaluation>> {
    let Some(person) = permit.user.account.person_id else { return Ok(Vec::new()) };
    let now = today();
    Ok(store::rounds_about(&state.db, state.municipality, person)
        .await?
        .into_iter()
        .map(|r| OwnEvaluation {
            round: r.id,
            closed: r.is_closed(now),
            title: r.title,
            opens: r.opens,
            closes: r.closes,
        })
        .collect())
}
