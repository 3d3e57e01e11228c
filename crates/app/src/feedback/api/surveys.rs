//! Survey rounds and answering them through a personal link.

use super::*;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewRoundJson {
    /// The instrument's key or id (a survey: WHO-5, a pulse; or a 360° evaluation).
    pub instrument: String,
    /// The units sent to; everyone engaged in them and the units below gets a personal link
    /// (in a 360° round: every leader of them and below is evaluated, with a link per rater).
    #[serde(default)]
    pub units: Vec<Uuid>,
    /// Instead of units: a programme, whose enrolled participants each get a link (a survey).
    #[serde(default)]
    pub programme: Option<Uuid>,
    /// First and last day (YYYY-MM-DD, both included).
    pub opens: String,
    pub closes: String,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundLink {
    pub person: Uuid,
    pub unit: Uuid,
    /// In a 360° round: the leader the link asks about and the rater group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rater: Option<String>,
    /// The secret of the personal link `/api/v1/participate/{token}` (shown once).
    pub token: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundCreated {
    pub id: Uuid,
    /// How many personal links were made.
    pub links: usize,
    /// How many of them went out by e-mail (the rest have no usable address).
    pub mailed: usize,
    /// The personal links, to hand out (shown this once).
    pub tokens: Vec<RoundLink>,
}

/// Sends a survey round to units: a personal link per person engaged in them or below, by
/// e-mail to those with an address, and all of them in the answer (shown this once).
#[utoipa::path(post, path = "/api/v1/rounds", tag = "feedback", request_body = NewRoundJson,
    responses((status = 201, body = RoundCreated), (status = 400, body = Problem)))]
pub async fn create_round(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewRoundJson>,
) -> Result<Response> {
    let site = site_url(&state, &headers);
    Ok(created(&crate::feedback::rounds::start(&state, &permit, body, &site).await??))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundList {
    pub items: Vec<crate::feedback::rounds::RoundSummary>,
}

/// The survey rounds, the latest first; how many answered only once a round has closed.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "feedback", responses((status = 200, body = RoundList)))]
pub async fn list_rounds(State(state): State<AppState>, _permit: Permit<ManageFeedback>) -> Result<Response> {
    Ok(json(&RoundList { items: crate::feedback::rounds::summaries(&state).await? }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ParticipateJson {
    pub round: String,
    pub instrument: String,
    pub licence: String,
    #[schema(value_type = Object)]
    pub definition: Definition,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub answered: bool,
    /// In a 360° round: the leader the link asks about and the rater group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<AboutJson>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AboutJson {
    pub subject: Uuid,
    pub name: String,
    /// `self`, `manager`, `peer` or `staff`.
    pub rater: String,
}

/// What a personal link's holder is asked (no sign-in; the link is the pass).
#[utoipa::path(get, path = "/api/v1/participate/{token}/survey", tag = "feedback",
    responses((status = 200, body = ParticipateJson), (status = 404, body = Problem)))]
pub async fn participate_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let hash = crate::platform::accounts::hash_token(token.trim());
    let link = store::link(&state.db, state.municipality, &hash).await?.ok_or(AppError::NotFound)?;
    let about = match link.subject {
        Some(subject) => {
            let org = crate::organisation::org_cache(&state).get(&state.db).await?;
            let name = org.person(subject).map(|p| p.name.clone()).unwrap_or_default();
            Some(AboutJson { subject, name, rater: link.rater.clone() })
        }
        None => None,
    };
    Ok(json(&ParticipateJson {
        about,
        round: link.round.title,
        instrument: link.name,
        licence: link.licence,
        definition: (*link.definition).clone(),
        opens: link.round.opens,
        closes: link.round.closes,
        answered: link.answered,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AnswerJson {
    /// Item key → value.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Answered {
    pub score: f64,
}

/// Answers a round through a personal link (once) or a workshop code (once per use), while
/// the round is open. The answer is kept with the unit and the day, never with the person.
#[utoipa::path(post, path = "/api/v1/participate/{token}/responses", tag = "feedback", request_body = AnswerJson,
    responses((status = 201, body = Answered), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn participate(
    State(state): State<AppState>,
    ctx: crate::platform::web::Ctx,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<AnswerJson>,
) -> Result<Response> {
    let tr = ctx.tr();
    let link = link_of(&state, &ctx, &token).await?;
    let answers = answers_of(&tr, &link.definition, &body.answers)?;
    let score = answer_by_link(&state, &tr, &link, &answers).await?;
    Ok(created(&Answered { score }))
}

/// A personal link or workshop code to a round that may still answer: its round, unit and
/// definition.
pub struct OpenLink {
    pub door: store::Door,
    pub hash: String,
    pub round: Round,
    pub unit: Uuid,
    /// In a 360° round: the leader asked about and the rater group.
    pub subject: Option<Uuid>,
    pub rater: String,
    pub definition: std::sync::Arc<Definition>,
    /// The instrument's licence note and anonymity threshold, for the page.
    pub licence: String,
    pub k: i32,
}

/// The personal link or workshop code behind a token: 404 unknown; 409 already answered,
/// used up, or the round not open. A code may be typed in any case, with spaces or dashes.
/// A short code can be guessed where a personal link cannot: an address's misses count
/// against the same tries as `/kode`, and past them no code is looked up (429).
pub async fn link_of(state: &AppState, ctx: &Ctx, token: &str) -> Result<OpenLink> {
    let tr = ctx.tr();
    let token = token.trim();
    let short = token.len() <= 2 * CODE_LENGTH;
    if short {
        participants::check_code_tries(state, ctx).await?;
    }
    match link_by_hash(state, &tr, crate::platform::accounts::hash_token(token)).await {
        Err(AppError::NotFound) if short => {
            let code = participants::normalise_code(token);
            let found = link_by_hash(state, &tr, crate::platform::accounts::hash_token(&code)).await;
            if matches!(found, Err(AppError::NotFound)) {
                participants::count_code_try(state, ctx).await?;
            }
            found
        }
        other => other,
    }
}

/// The link behind a token's hash (the signed-in door finds it by the person).
pub async fn link_by_hash(state: &AppState, tr: &Tr, hash: String) -> Result<OpenLink> {
    let link = store::link(&state.db, state.municipality, &hash).await?.ok_or(AppError::NotFound)?;
    if link.answered {
        return Err(AppError::Conflict(tr.t(used_up(link.door))));
    }
    if !link.round.is_open(today()) {
        return Err(AppError::Conflict(tr.t("feedback-error-round-closed")));
    }
    let store::LinkRow { door, round, unit, subject, rater, definition, licence, min_answers, .. } = link;
    Ok(OpenLink { door, hash, round, unit, subject, rater, definition, licence, k: min_answers })
}

/// Why a door no longer answers: a personal link has answered, a code is used up.
fn used_up(door: store::Door) -> &'static str {
    match door {
        store::Door::Link => "feedback-error-answered",
        store::Door::Code => "feedback-error-code-used",
    }
}

/// Scores and keeps an answer given through a link (the API's and the page's way). Returns
/// the score; a 400 naming the item for a bad answer, a 409 when the link has answered.
pub async fn answer_by_link(state: &AppState, tr: &Tr, link: &OpenLink, answers: &[(String, Value)]) -> Result<f64> {
    let definition = &link.definition;
    let scored = definition.score(answers).map_err(|e| AppError::BadRequest(answer_error(tr, &e)))?;
    let items: Vec<(String, f64)> = answers
        .iter()
        .filter_map(|(k, v)| {
            let x = match v {
                Value::Number(x) => *x,
                Value::Text(t) => t.trim().replace(',', ".").parse().ok()?,
            };
            definition.items.iter().any(|i| &i.key == k && i.scale.bounds().is_some()).then(|| (k.clone(), x))
        })
        .collect();
    let raw = answers_json(answers);
    let new = store::NewResponse {
        instrument: link.round.instrument_id,
        version: link.round.version,
        session: None,
        rater: if link.subject.is_some() { &link.rater } else { "self" },
        answers: &raw,
        score: scored.score,
        answered_on: today(),
    };
    let place = (link.unit, link.subject);
    if !store::answer_round(&state.db, (link.door, &link.hash), &link.round, place, &new, &items).await? {
        return Err(AppError::Conflict(tr.t(used_up(link.door))));
    }
    Ok(scored.score)
}

#[derive(Deserialize, ToSchema)]
pub struct NewCodeJson {
    /// The unit the answers count for (the workshop's people's unit).
    pub unit: Uuid,
    /// How many may answer with the code (the number of participants), 1 to 1,000.
    pub uses: i32,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CodeCreated {
    /// The code as shown on the wall; it is kept only as a hash and shown this once.
    pub code: String,
    pub unit: Uuid,
    pub uses: i32,
    /// The answering page with the code in it.
    pub url: String,
}

/// Makes a workshop or kiosk code for an open or planned round: everyone present answers
/// with it at `/svar/{code}` (or `POST /api/v1/participate/{code}/responses`), up to `uses`
/// answers, counted for `unit`.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/codes", tag = "feedback", request_body = NewCodeJson,
    responses((status = 201, body = CodeCreated), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn create_code(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewCodeJson>,
) -> Result<Response> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let site = site_url(&state, &headers);
    Ok(created(&crate::feedback::rounds::make_code(&state, &permit, id, body, &site).await??))
}
