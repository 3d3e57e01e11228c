//! The results pages of a process: opinion groups, themes (with the facilitators' edits)
//! and themes across the organisation, the analysis job, and the exports.

use super::*;
use crate::involvement::api::with_results;

/// Statement texts by number, for the results.
pub(super) async fn statement_texts(state: &AppState, process: Uuid) -> Result<HashMap<String, String>> {
    Ok(store::statements(&state.db, process).await?.into_iter().map(|s| (s.number.to_string(), s.text)).collect())
}

/// Places points on a 600 × 400 map with a margin, keeping the aspect of the data.
pub(super) fn scale(points: &[[f64; 2]]) -> impl Fn([f64; 2]) -> (f64, f64) + use<> {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in points {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    let span = (x1 - x0).max((y1 - y0) * 1.5).max(1e-9);
    let unit = 560.0 / span;
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    move |p: [f64; 2]| {
        let x = 300.0 + (p[0] - cx) * unit;
        let y = 200.0 - (p[1] - cy) * unit;
        ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
    }
}

pub(super) fn id_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The most participants the opinion map draws.
const MAP_DOTS: usize = 2_000;

pub(super) async fn opinions_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = with_results(&state, &permit, &id).await?;
    let tr = permit.tr();
    let shown =
        crate::involvement::analysis::shown_opinions(&state, &process, permit.ctx.audit("process.analysed")).await?;
    let a = &shown.1;
    // A large process's parts are worked out once per kept result, not for every view.
    let key = (process.id, std::sync::Arc::as_ptr(&shown) as usize);
    let memo = OPINION_PAGES.lock().unwrap_or_else(|p| p.into_inner()).get(&key).map(|(_, parts)| parts.clone());
    let parts = match memo {
        Some(parts) => parts,
        None => {
            let texts = statement_texts(&state, process.id).await?;
            let parts = std::sync::Arc::new(opinion_parts(a, &texts));
            let mut memo = OPINION_PAGES.lock().unwrap_or_else(|p| p.into_inner());
            memo.retain(|(p, of), _| *p != process.id || *of == key.1);
            memo.insert(key, (shown.clone(), parts.clone()));
            parts
        }
    };
    let parts = (*parts).clone();
    Ok(render(&OpinionsTemplate {
        page: permit.ctx.page(&state, tr.t1("process-opinions-title", "title", &process.title), "processes"),
        facilitator: facilitates(&permit.user, process.id),
        participants: parts.participants,
        clustered: parts.clustered,
        consensus_agree: parts.consensus_agree,
        consensus_disagree: parts.consensus_disagree,
        groups: parts.groups,
        bridging: parts.bridging,
        dots: parts.dots,
        dots_of: parts.dots_of,
        marks: parts.marks,
        process,
    }))
}

/// What the opinion page shows of one analysis.
#[derive(Clone)]
struct OpinionParts {
    participants: usize,
    clustered: usize,
    consensus_agree: Vec<StatementRef>,
    consensus_disagree: Vec<StatementRef>,
    groups: Vec<GroupView>,
    bridging: Vec<(StatementRef, i64)>,
    dots: Vec<Dot>,
    dots_of: usize,
    marks: Vec<StatementMark>,
}

/// Parts by (process, the shared result's address); each entry holds its result, so the
/// address cannot be another result's while the entry lives.
type OpinionMemo = HashMap<(Uuid, usize), (std::sync::Arc<(String, serde_json::Value)>, std::sync::Arc<OpinionParts>)>;
static OPINION_PAGES: std::sync::LazyLock<std::sync::Mutex<OpinionMemo>> = std::sync::LazyLock::new(Default::default);

fn opinion_parts(a: &serde_json::Value, texts: &HashMap<String, String>) -> OpinionParts {
    let statement = |v: &serde_json::Value| {
        let number = id_text(v);
        StatementRef { text: texts.get(&number).cloned().unwrap_or_default(), number }
    };
    let list = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let groups: Vec<GroupView> = list(&a["groups"])
        .iter()
        .enumerate()
        .map(|(g, group)| {
            for m in list(&group["members"]) {
                group_of.insert(id_text(&m), g);
            }
            GroupView {
                number: g + 1,
                size: list(&group["members"]).len(),
                colour: group_colour(g),
                representative: list(&group["repness"])
                    .iter()
                    .take(5)
                    .map(|r| Representative {
                        statement: statement(&r["statement"]),
                        agree: r["direction"] == "agree",
                        percent: (r["p"].as_f64().unwrap_or(0.0) * 100.0).round() as i64,
                    })
                    .collect(),
            }
        })
        .collect();
    let projections: Vec<(String, [f64; 2])> = a["projections"]
        .as_object()
        .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), [v[0].as_f64()?, v[1].as_f64()?]))).collect())
        .unwrap_or_default();
    let statement_points: Vec<(String, [f64; 2])> = list(&a["pca"]["statements"])
        .iter()
        .zip(list(&a["pca"]["statement_projections"]))
        .filter_map(|(s, p)| Some((id_text(s), [p[0].as_f64()?, p[1].as_f64()?])))
        .collect();
    let all: Vec<[f64; 2]> = projections.iter().chain(statement_points.iter()).map(|(_, p)| *p).collect();
    let place = scale(&all);
    // Past a few thousand dots a map says no more and weighs megabytes: an even sample
    // (every n-th participant) keeps its shape.
    let placed: Vec<_> = projections.iter().filter(|(pid, _)| group_of.contains_key(pid)).collect();
    let step = placed.len().div_ceil(MAP_DOTS).max(1);
    let dots_of = placed.len();
    let dots = placed
        .iter()
        .step_by(step)
        .filter_map(|(pid, p)| {
            let g = group_of.get(pid)?;
            let (x, y) = place(*p);
            Some(Dot { x, y, colour: group_colour(*g) })
        })
        .collect();
    let marks = statement_points
        .iter()
        .map(|(number, p)| {
            let (x, y) = place(*p);
            StatementMark { x, y, number: number.clone() }
        })
        .collect();
    let mut bridging: Vec<(String, f64)> = a["group_informed_consensus"]
        .as_object()
        .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_f64()?))).collect())
        .unwrap_or_default();
    bridging.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let bridging = if groups.len() > 1 {
        bridging
            .into_iter()
            .take(5)
            .map(|(n, v)| (statement(&serde_json::Value::String(n)), (v * 100.0).round() as i64))
            .collect()
    } else {
        Vec::new()
    };
    OpinionParts {
        participants: a["participants"].as_u64().unwrap_or(0) as usize,
        clustered: list(&a["in_conv"]).len(),
        consensus_agree: list(&a["consensus"]["agree"]).iter().map(statement).collect(),
        consensus_disagree: list(&a["consensus"]["disagree"]).iter().map(statement).collect(),
        groups,
        bridging,
        dots,
        dots_of,
        marks,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct LevelQuery {
    niveau: Option<String>,
}

/// The organisation level a table is drawn at (`?niveau=` / `?level=`), or a 400.
pub fn level(tr: &Tr, raw: Option<&str>) -> Result<i64> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(*crate::involvement::across::LEVELS.start()),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|l| crate::involvement::across::LEVELS.contains(l))
            .ok_or_else(|| AppError::BadRequest(tr.t("process-error-level"))),
    }
}

/// Themes across the organisation for a process's current themes.
pub async fn across_for(
    state: &AppState,
    tr: &Tr,
    process: &Process,
    themes: &crate::involvement::analysis::ThemesResult,
    level: i64,
) -> Result<crate::involvement::across::Across> {
    let (inputs, _) = store::inputs(&state.db, process.id, InputsOf::All, i64::from(i32::MAX), 0).await?;
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    let names = |key: &str| tr.t(&format!("process-across-{key}"));
    Ok(crate::involvement::across::across(&view, themes, &inputs, level, &names))
}

type ThemesPageParts = (Vec<ThemeView>, crate::involvement::across::Across);

static PARTS_LOADING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Parts by (process, level, English?, the shared result's address); each entry holds its
/// result, so the address cannot be another result's while the entry lives.
type ThemesMemo = HashMap<
    (Uuid, i64, bool, usize),
    (std::sync::Arc<crate::involvement::analysis::ThemesResult>, std::sync::Arc<ThemesPageParts>),
>;
static THEMES_PAGES: std::sync::LazyLock<std::sync::Mutex<ThemesMemo>> = std::sync::LazyLock::new(Default::default);

async fn themes_page_parts(
    state: &AppState,
    tr: &Tr,
    process: &Process,
    result: &crate::involvement::analysis::ThemesResult,
    level: i64,
) -> Result<ThemesPageParts> {
    let across = across_for(state, tr, process, result, level).await?;
    let texts: HashMap<Uuid, String> = store::visible_texts(&state.db, process.id).await?.into_iter().collect();
    let text_of = |row: usize| result.inputs.get(row).and_then(|id| texts.get(id)).cloned().unwrap_or_default();
    let themes = result
        .themes
        .iter()
        .map(|t| ThemeView {
            number: t.id + 1,
            label: t.label.clone(),
            terms: t.terms.join(", "),
            size: t.size,
            examples: t.examples.iter().map(|&r| text_of(r)).collect(),
            duplicates: t.duplicates.iter().map(Vec::len).sum(),
            id: t.id,
            pinned: result.pins.iter().any(|p| p.theme == t.id as i64),
        })
        .collect();
    Ok((themes, across))
}

pub(super) async fn themes_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<LevelQuery>,
) -> Result<Response> {
    let process = with_results(&state, &permit, &id).await?;
    let tr = permit.tr();
    let level = level(&tr, q.niveau.as_deref())?;
    let result =
        crate::involvement::analysis::shown_themes(&state, &process, permit.ctx.audit("process.analysed")).await?;
    // A large process's page parts are worked out once per kept result (the same shared
    // result comes back until it changes), not for every view.
    let key = (process.id, level, tr.lang == crate::platform::i18n::Lang::En, std::sync::Arc::as_ptr(&result) as usize);
    let memo = THEMES_PAGES.lock().unwrap_or_else(|p| p.into_inner()).get(&key).map(|(_, parts)| parts.clone());
    // One view works the parts out while the others wait for them.
    let _one = match memo {
        Some(_) => None,
        None => Some(PARTS_LOADING.lock().await),
    };
    let memo = memo
        .or_else(|| THEMES_PAGES.lock().unwrap_or_else(|p| p.into_inner()).get(&key).map(|(_, parts)| parts.clone()));
    let parts = match memo {
        Some(parts) => parts,
        None => {
            let parts = std::sync::Arc::new(themes_page_parts(&state, &tr, &process, &result, level).await?);
            let mut memo = THEMES_PAGES.lock().unwrap_or_else(|p| p.into_inner());
            // Only the current result's parts of a process are kept.
            memo.retain(|(p, _, _, of), _| *p != process.id || *of == key.3);
            memo.insert(key, (result.clone(), parts.clone()));
            parts
        }
    };
    let (themes, across) = (parts.0.clone(), parts.1.clone());
    Ok(render(&ThemesTemplate {
        page: permit.ctx.page(&state, tr.t1("process-themes-title", "title", &process.title), "processes"),
        facilitator: facilitates(&permit.user, process.id),
        inputs: result.inputs.len(),
        unthemed: result.assignments.iter().filter(|a| **a < 0).count(),
        themes,
        across,
        process,
    }))
}

pub(super) async fn analyse(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let job = crate::involvement::api::start_analysis(&state, &permit, &process).await?;
    Ok(Redirect::to(&format!("/jobber/{job}")).into_response())
}

pub(super) async fn export(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    crate::involvement::export::download(&state, &permit.ctx, &process, &file).await
}

/// The current themes and the theme numbered `theme` in them (a 404 for another number).
pub(super) async fn theme_of(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    theme: &str,
) -> Result<(crate::involvement::analysis::ThemesResult, usize)> {
    let result = (*crate::involvement::analysis::shown_themes(state, process, permit.ctx.audit("process.analysed"))
        .await?)
        .clone();
    let theme: usize = theme.trim().parse().map_err(|_| AppError::NotFound)?;
    if !result.themes.iter().any(|t| t.id == theme) {
        return Err(AppError::NotFound);
    }
    Ok((result, theme))
}

/// The inputs of a theme, and its pin if it has one.
pub(super) fn members(result: &crate::involvement::analysis::ThemesResult, theme: usize) -> (Vec<Uuid>, Option<Uuid>) {
    let inputs =
        result.assignments.iter().zip(&result.inputs).filter(|(a, _)| **a == theme as i64).map(|(_, id)| *id).collect();
    (inputs, result.pins.iter().find(|p| p.theme == theme as i64).map(|p| p.pin))
}

pub(super) async fn theme_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let (inputs, pin) = members(&result, theme);
    let texts: HashMap<Uuid, String> = store::visible_texts(&state.db, process.id).await?.into_iter().collect();
    let label = result.themes.iter().find(|t| t.id == theme).map(|t| t.label.clone()).unwrap_or_default();
    Ok(render(&ThemeTemplate {
        page: permit.ctx.page(&state, tr.t1("process-theme-title", "label", &label), "processes"),
        number: theme,
        label,
        pinned: pin.is_some(),
        inputs: inputs.iter().map(|i| (*i, texts.get(i).cloned().unwrap_or_default())).collect(),
        others: result.themes.iter().filter(|t| t.id != theme).map(|t| (t.id, t.label.clone())).collect(),
        process,
    }))
}

#[derive(Deserialize, Default)]
pub(super) struct NameForm {
    #[serde(default)]
    name: String,
}

pub(super) fn back_to_themes(process: &Process) -> Response {
    Redirect::to(&format!("/processer/{}/temaer?gemt=temaer", process.id)).into_response()
}

pub(super) async fn rename_theme(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let (inputs, pin) = members(&result, theme);
    if form.name.trim().is_empty() {
        return Err(AppError::BadRequest(permit.tr().t("process-error-theme-name")));
    }
    crate::involvement::api::pin_checked(&state, &permit, &process, pin, Some(&form.name), &inputs).await?;
    Ok(back_to_themes(&process))
}

#[derive(Deserialize, Default)]
pub(super) struct MergeForm {
    #[serde(default)]
    into: String,
}

pub(super) async fn merge_theme(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let into: usize = form
        .into
        .trim()
        .parse()
        .ok()
        .filter(|t| *t != theme && result.themes.iter().any(|x| x.id == *t))
        .ok_or_else(|| AppError::BadRequest(permit.tr().t("process-error-theme-target")))?;
    let (mut inputs, _) = members(&result, theme);
    let (target, pin) = members(&result, into);
    inputs.extend(target);
    crate::involvement::api::pin_checked(&state, &permit, &process, pin, None, &inputs).await?;
    Ok(back_to_themes(&process))
}

pub(super) async fn move_inputs(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let (own, _) = members(&result, theme);
    let chosen: Vec<Uuid> = fields
        .iter()
        .filter(|(k, _)| k == "input")
        .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok())
        .filter(|i| own.contains(i))
        .collect();
    if chosen.is_empty() {
        return Err(AppError::BadRequest(tr.t("process-error-pin-empty")));
    }
    let to = fields.iter().find(|(k, _)| k == "to").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let name = fields.iter().find(|(k, _)| k == "name").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    if to == "ny" {
        if name.is_empty() {
            return Err(AppError::BadRequest(tr.t("process-error-theme-name")));
        }
        crate::involvement::api::pin_checked(&state, &permit, &process, None, Some(&name), &chosen).await?;
    } else {
        let target: usize = to
            .parse()
            .ok()
            .filter(|t| *t != theme && result.themes.iter().any(|x| x.id == *t))
            .ok_or_else(|| AppError::BadRequest(tr.t("process-error-theme-target")))?;
        let (mut inputs, pin) = members(&result, target);
        inputs.extend(chosen);
        crate::involvement::api::pin_checked(&state, &permit, &process, pin, None, &inputs).await?;
    }
    Ok(back_to_themes(&process))
}

pub(super) async fn release_theme(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    if let (_, Some(pin)) = members(&result, theme) {
        store::unpin(&state.db, state.municipality, &process, pin, permit.ctx.audit("process.themes_unpinned")).await?;
    }
    Ok(back_to_themes(&process))
}

/// What other modules may show of a process's results (the decision document): counts,
/// participation per unit (hidden below the anonymity threshold), themes, opinion groups
/// with their map, consensus and bridging statements.
#[derive(Clone, Default)]
pub struct ResultSummary {
    pub participants: i64,
    pub inputs: i64,
    pub votes: i64,
    /// Unit name and participants with a themed input (none when too few to show).
    pub units: Vec<(String, Option<i64>)>,
    /// Label, top terms, inputs.
    pub themes: Vec<(String, String, usize)>,
    /// Group number, members, colour.
    pub groups: Vec<(usize, usize, &'static str)>,
    /// Statements most agree with across groups, with the share of agreement where known.
    pub consensus: Vec<String>,
    /// Statements that bridge the groups, with their score in per cent.
    pub bridging: Vec<(String, i64)>,
    /// The map's dots on a 600 × 400 canvas.
    pub dots: Vec<crate::involvement::views::Dot>,
}

/// The summary of a process's results as they stand (the analyses run if needed).
pub async fn result_summary(
    state: &AppState,
    tr: &Tr,
    process: &Process,
    entry: crate::platform::audit::AuditEntry,
) -> Result<ResultSummary> {
    let (participants, inputs, votes) = store::counts(&state.db, process.id).await?;
    let mut summary = ResultSummary { participants, inputs, votes, ..Default::default() };
    if inputs > 0 {
        let themes = crate::involvement::analysis::shown_themes(state, process, entry.clone()).await?;
        summary.themes = themes.themes.iter().map(|t| (t.label.clone(), t.terms.join(", "), t.size)).collect();
        let level = *crate::involvement::across::LEVELS.start();
        let across = across_for(state, tr, process, &themes, level).await?;
        summary.units = across.by_unit.columns.iter().map(|c| (c.name.clone(), c.participants)).collect();
    }
    if votes > 0 {
        let shown = crate::involvement::analysis::shown_opinions(state, process, entry).await?;
        let texts = statement_texts(state, process.id).await?;
        let parts = opinion_parts(&shown.1, &texts);
        summary.groups = parts.groups.iter().map(|g| (g.number, g.size, g.colour)).collect();
        summary.consensus = parts.consensus_agree.iter().map(|s| s.text.clone()).collect();
        summary.bridging = parts.bridging.iter().map(|(s, v)| (s.text.clone(), *v)).collect();
        summary.dots = parts.dots;
    }
    Ok(summary)
}
