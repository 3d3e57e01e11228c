//! The organisation's pages: overview, unit, person, people search, and the
//! span-of-control report with its CSV and XLSX exports.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::cache::OrgView;
use super::model::{SpanRow, Unit};
use super::store::{self, SpanFilter};
use super::views::*;
use super::{Browse, ExportSpan, ViewSpan, actions, org_cache};
use crate::AppState;
use crate::platform::audit;
use crate::platform::exports::{self, Cell, CsvDialect};
use crate::platform::i18n::Tr;
use crate::platform::layout::{Crumb, FormErrors, render};
use crate::platform::module::{BoxFuture, Guard, Routes};
use crate::platform::permissions::{Grants, Reach, UnitRef, can};
use crate::platform::web::{AppError, Ctx, Permit, Policy, Result, page_number};

crate::policy!(
    /// Seeing units somewhere (each page checks its own unit).
    pub ViewUnits = actions::VIEW_UNIT
);

pub fn routes() -> Routes {
    let browse = Guard::Action(&actions::BROWSE);
    Routes::new()
        .get("/organisation", browse, overview)
        .get("/organisation/enhed/{id}", Guard::Action(&actions::VIEW_UNIT), unit_page)
        .get("/organisation/person/{id}", Guard::Action(&actions::VIEW_UNIT), person_page)
        .get("/organisation/personer", browse, people_search)
        .get("/organisation/ledelsesspaend", Guard::Action(&actions::VIEW_SPAN), span_page)
        .get("/organisation/ledelsesspaend.csv", Guard::Action(&actions::EXPORT_SPAN), span_csv)
        .get("/organisation/ledelsesspaend.xlsx", Guard::Action(&actions::EXPORT_SPAN), span_xlsx)
}

fn parse_id(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| AppError::NotFound)
}

fn unit_ref(unit: &Unit) -> UnitRef {
    UnitRef { left: unit.tree_left, depth: unit.depth }
}

fn may_view(grants: &Grants, unit: &Unit) -> bool {
    can(grants, actions::VIEW_UNIT.on_unit(unit_ref(unit)))
}

/// Whether the user may see pay types and engagement kinds in a unit (not only the phone book).
fn may_see_employment(grants: &Grants, left: i64, depth: i64) -> bool {
    can(grants, actions::VIEW_EMPLOYMENT.on_unit(UnitRef { left, depth }))
}

/// The list lines for `units`, with their leaders from the view.
fn unit_lines<'a>(view: &OrgView, units: impl IntoIterator<Item = &'a Unit>) -> Vec<UnitLine> {
    units
        .into_iter()
        .map(|unit| UnitLine {
            leaders: view.leaders(unit.id).to_vec(),
            vacant: view.is_vacant(unit.id),
            headcount: unit.headcount,
            unit: unit.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------

async fn overview(State(state): State<AppState>, permit: Permit<Browse>) -> Result<Response> {
    let view = org_cache(&state).get(&state.db).await?;
    let grants = &permit.user.grants;
    // Those who see everything start at the top; a leader starts at the units they lead.
    let tops: Vec<&Unit> = match crate::platform::permissions::reach(grants, &actions::VIEW_UNIT) {
        Reach::Municipality => view.units_at_depth(1).collect(),
        Reach::Subtrees(trees) => trees.iter().filter_map(|t| view.unit_at(t.left)).collect(),
    };
    let lines = tops
        .into_iter()
        .filter(|u| may_view(grants, u))
        .map(|top| {
            let kids = unit_lines(&view, view.children(top.id).filter(|c| may_view(grants, c)));
            (unit_lines(&view, [top]).remove(0), kids)
        })
        .collect();
    let title = permit.tr().t("org-title");
    Ok(render(&OverviewTemplate {
        page: permit.ctx.page(&state, title, "organisation"),
        tops: lines,
        may_span: permit.may(actions::VIEW_SPAN.anywhere()),
    }))
}

// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct PageQuery {
    pub side: Option<String>,
}

const STAFF_PAGE: i64 = 100;

async fn unit_page(
    State(state): State<AppState>,
    permit: Permit<ViewUnits>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let view = org_cache(&state).get(&state.db).await?;
    let unit = view.unit(id).ok_or(AppError::NotFound)?;
    permit.require(actions::VIEW_UNIT.on_unit(unit_ref(unit)))?;
    let grants = &permit.user.grants;
    let ctx = &permit.ctx;
    let tr = ctx.tr();
    let page_number = page_number(&tr, q.side.as_deref())?;
    let crumbs = std::iter::once(Crumb { href: "/organisation".into(), label: tr.t("org-title") })
        .chain(
            view.ancestors(unit)
                .into_iter()
                .filter(|u| may_view(grants, u))
                .map(|u| Crumb { href: format!("/organisation/enhed/{}", u.id), label: u.name.clone() }),
        )
        .collect();
    let children = unit_lines(&view, view.children(unit.id).filter(|c| may_view(grants, c)));
    let all_staff = view.staff(unit.id);
    let staff_total = all_staff.len() as i64;
    let staff =
        all_staff.iter().skip(((page_number - 1) * STAFF_PAGE) as usize).take(STAFF_PAGE as usize).cloned().collect();
    let pages = (staff_total + STAFF_PAGE - 1) / STAFF_PAGE;
    let title = unit.name.clone();
    Ok(render(&UnitTemplate {
        page: ctx.page(&state, title, "organisation"),
        line: unit_lines(&view, [unit]).remove(0),
        crumbs,
        current: unit.name.clone(),
        children,
        staff,
        staff_total,
        page_number,
        pages: pages.max(1),
        page_link: format!("/organisation/enhed/{}?side=", unit.id),
        show_pay: may_see_employment(grants, unit.tree_left, unit.depth),
    }))
}

// ---------------------------------------------------------------------------------------

async fn person_page(
    State(state): State<AppState>,
    permit: Permit<ViewUnits>,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let person = store::person(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let posts = store::person_posts(&state.db, state.municipality, id).await?;
    let grants = &permit.user.grants;
    let ctx = &permit.ctx;
    // A person is visible if one of their posts is in a unit the user may see.
    let visible: Vec<_> = posts
        .into_iter()
        .filter(|(_, left, depth)| can(grants, actions::VIEW_UNIT.on_unit(UnitRef { left: *left, depth: *depth })))
        .map(|(p, left, depth)| (p, may_see_employment(grants, left, depth)))
        .collect();
    if visible.is_empty() {
        return Err(AppError::Forbidden);
    }
    let title = person.name.clone();
    Ok(render(&PersonTemplate { page: ctx.page(&state, title, "organisation"), person, posts: visible }))
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    side: Option<String>,
}

const SEARCH_PAGE: i64 = 100;
/// Longer than any name; a longer query is refused rather than searched.
pub const SEARCH_MAX_CHARS: usize = 200;

async fn people_search(
    State(state): State<AppState>,
    permit: Permit<Browse>,
    Query(q): Query<SearchQuery>,
) -> Result<Response> {
    let ctx = &permit.ctx;
    let tr = ctx.tr();
    let page_number = page_number(&tr, q.side.as_deref())?;
    let query = q.q.trim().to_string();
    let mut errors = FormErrors::default();
    let searched = !query.is_empty();
    let length = query.chars().count();
    if searched && length < 2 {
        errors.push("q", tr.t("people-error-short"));
    } else if length > SEARCH_MAX_CHARS {
        errors.push("q", tr.t1("people-error-long", "max", SEARCH_MAX_CHARS));
    }
    let (results, total) = if searched && errors.is_empty() {
        let found = store::search_people(
            &state.db,
            state.municipality,
            &query,
            // Whose people the user may find: the units they may see (a leader's own part).
            &crate::platform::permissions::reach(&permit.user.grants, &actions::VIEW_UNIT),
            SEARCH_PAGE,
            (page_number - 1) * SEARCH_PAGE,
        )
        .await?;
        (found.people, found.total)
    } else {
        (Vec::new(), 0)
    };
    let status = if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::BAD_REQUEST };
    let mut response = render(&PeopleTemplate {
        page: ctx.page(&state, tr.t("people-title"), "organisation"),
        page_link: format!(
            "/organisation/personer?{}&side=",
            serde_urlencoded::to_string([("q", &query)]).unwrap_or_default()
        ),
        q: if length > SEARCH_MAX_CHARS { String::new() } else { query },
        results,
        total,
        page_number,
        pages: ((total + SEARCH_PAGE - 1) / SEARCH_PAGE).max(1),
        searched,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

// ---------------------------------------------------------------------------------------
// Span of control

/// The report's filters as they arrive from the form (strings, so bad input can be shown
/// back with a message instead of a bare 400).
#[derive(Deserialize, Default, Clone)]
pub struct SpanParams {
    #[serde(default)]
    pub afdeling: String,
    #[serde(default)]
    pub niveau: String,
    #[serde(default)]
    pub graense: String,
    #[serde(default)]
    pub kun_over: Option<String>,
    #[serde(default)]
    side: Option<String>,
}

/// The default limit above which a span counts as large.
pub const DEFAULT_LIMIT: i64 = 30;

struct SpanRequest {
    filter: SpanFilter,
    limit: i64,
    errors: FormErrors,
}

fn parse_span<P: Policy>(tr: &Tr, permit: &Permit<P>, p: &SpanParams) -> SpanRequest {
    let mut errors = FormErrors::default();
    let department = match p.afdeling.trim() {
        "" => None,
        s => match Uuid::parse_str(s) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push("afdeling", tr.t("span-error-department"));
                None
            }
        },
    };
    let level = match p.niveau.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (1..=20).contains(&n) => Some(n),
            _ => {
                errors.push("niveau", tr.t("span-error-level"));
                None
            }
        },
    };
    let limit = match p.graense.trim() {
        "" => DEFAULT_LIMIT,
        s => match s.parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => n,
            _ => {
                errors.push("graense", tr.t("span-error-limit"));
                DEFAULT_LIMIT
            }
        },
    };
    let over = p.kun_over.as_ref().map(|_| limit);
    SpanRequest { filter: SpanFilter { reach: permit.reach(), department, level, over }, limit, errors }
}

const CHART_HEIGHT: usize = 160;
const BAR_WIDTH: usize = 40;
const BUCKET: i64 = 5;
const BUCKETS: i64 = 13;

/// Buckets of five direct reports (1–5, 6–10, …, 56–60, over 60); bars past the limit
/// are drawn in the warning colour.
fn distribution(direct: &[i64], limit: i64) -> Vec<Bar> {
    let mut counts = vec![0usize; BUCKETS as usize];
    for d in direct {
        let b = if *d <= 0 { 0 } else { ((d - 1) / BUCKET).min(BUCKETS - 1) };
        counts[b as usize] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let low = i as i64 * BUCKET + 1;
            let label =
                if i as i64 == BUCKETS - 1 { format!("{}+", low) } else { format!("{}–{}", low, low + BUCKET - 1) };
            let height = count * CHART_HEIGHT / max;
            Bar { label, count, x: 40 + i * (BAR_WIDTH + 8), y: 20 + CHART_HEIGHT - height, height, over: low > limit }
        })
        .collect()
}

/// Leaders per page of the report table; the chart and the exports cover all of them.
const SPAN_PAGE: i64 = 100;

fn export_query(p: &SpanParams) -> String {
    let mut pairs =
        vec![("afdeling", p.afdeling.as_str()), ("niveau", p.niveau.as_str()), ("graense", p.graense.as_str())];
    if p.kun_over.is_some() {
        pairs.push(("kun_over", "1"));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

async fn span_page(
    State(state): State<AppState>,
    permit: Permit<ViewSpan>,
    Query(p): Query<SpanParams>,
) -> Result<Response> {
    let ctx = &permit.ctx;
    let tr = ctx.tr();
    let req = parse_span(&tr, &permit, &p);
    let page_number = page_number(&tr, p.side.as_deref())?;
    let view = org_cache(&state).get(&state.db).await?;
    let (rows, direct): (Vec<&SpanRow>, Vec<i64>) = if req.errors.is_empty() {
        let window = ((page_number - 1) * SPAN_PAGE) as usize..(page_number * SPAN_PAGE) as usize;
        let mut rows = Vec::new();
        let mut direct = Vec::new();
        for (i, r) in view.span(&req.filter).enumerate() {
            if window.contains(&i) {
                rows.push(r);
            }
            direct.push(r.direct_reports);
        }
        (rows, direct)
    } else {
        (Vec::new(), Vec::new())
    };
    let total = direct.len() as i64;
    let pages = ((total + SPAN_PAGE - 1) / SPAN_PAGE).max(1);
    let first = ((page_number - 1) * SPAN_PAGE + 1).min(total);
    let last = (page_number * SPAN_PAGE).min(total);
    let range = format!("{}–{}", tr.num(first), tr.num(last));
    let over_count = direct.iter().filter(|d| **d > req.limit).count();
    let departments = view
        .units_at_depth(2)
        .filter(|d| match &req.filter.reach {
            Reach::Municipality => true,
            Reach::Subtrees(trees) => trees
                .iter()
                .any(|t| (t.left..=t.right).contains(&d.tree_left) || (d.tree_left..=d.tree_right).contains(&t.left)),
        })
        .cloned()
        .collect();
    let bars = distribution(&direct, req.limit);
    let chart_width = 40 + bars.len() * (BAR_WIDTH + 8) + 20;
    let bad = !req.errors.is_empty();
    let mut r = render(&SpanTemplate {
        page: ctx.page(&state, tr.t("span-title"), "span"),
        bars,
        rows,
        departments,
        levels: (1..=6).collect(),
        page_link: format!("/organisation/ledelsesspaend?{}&side=", export_query(&p)),
        export_query: export_query(&p),
        params: p,
        limit: req.limit,
        over_count,
        errors: req.errors,
        chart_width,
        total,
        range,
        page_number,
        pages,
    });
    if bad {
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn span_export_rows(state: &AppState, permit: &Permit<ExportSpan>, p: &SpanParams) -> Result<Vec<SpanRow>> {
    let req = parse_span(&permit.tr(), permit, p);
    if let Some(e) = req.errors.all().first() {
        return Err(AppError::BadRequest(e.message.clone()));
    }
    Ok(org_cache(state).get(&state.db).await?.span(&req.filter).cloned().collect())
}

/// The report's column headings in the user's language.
fn headings(tr: &Tr) -> [String; 9] {
    [
        "span-col-leader",
        "span-col-email",
        "span-col-unit",
        "span-col-level",
        "span-col-direct",
        "span-col-total",
        "span-col-leaders",
        "span-col-hourly",
        "span-col-salaried",
    ]
    .map(|k| tr.t(k))
}

/// The report's rows as export cells.
fn span_cells(rows: &[SpanRow]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            vec![
                Cell::Text(r.leader_name.clone()),
                Cell::Text(r.email.clone()),
                Cell::Text(r.unit_name.clone()),
                Cell::Number(r.level),
                Cell::Number(r.direct_reports),
                Cell::Number(r.total_reports),
                Cell::Number(r.leader_reports),
                Cell::Number(r.hourly),
                Cell::Number(r.salaried),
            ]
        })
        .collect()
}

/// CSV of the report; `headings` in the user's language give a Danish spreadsheet's CSV
/// (semicolons, a byte-order mark), otherwise commas and the JSON keys.
pub fn span_csv_bytes(rows: &[SpanRow], headings: Option<[String; 9]>) -> anyhow::Result<Vec<u8>> {
    match headings {
        Some(h) => exports::csv(&h, &span_cells(rows), CsvDialect::DanishSpreadsheet),
        None => {
            let keys = ["leader", "email", "unit", "level", "direct", "total", "leaders", "hourly", "salaried"];
            exports::csv(&keys.map(String::from), &span_cells(rows), CsvDialect::Plain)
        }
    }
}

async fn span_csv(
    State(state): State<AppState>,
    permit: Permit<ExportSpan>,
    Query(p): Query<SpanParams>,
) -> Result<Response> {
    let ctx = &permit.ctx;
    let tr = ctx.tr();
    let rows = span_export_rows(&state, &permit, &p).await?;
    let bytes = span_csv_bytes(&rows, Some(headings(&tr)))?;
    audit::record(
        &state.db,
        Some(state.municipality),
        &ctx.audit("organisation.span_export").fields([("format", "CSV".into()), ("rows", rows.len().into())]),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ledelsesspaend.csv\"".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The report as an XLSX workbook with one sheet.
pub fn span_xlsx_bytes(rows: &[SpanRow], headings: &[String; 9], sheet_name: &str) -> anyhow::Result<Vec<u8>> {
    exports::xlsx(sheet_name, headings, &span_cells(rows), &[30.0, 30.0, 36.0])
}

async fn span_xlsx(
    State(state): State<AppState>,
    permit: Permit<ExportSpan>,
    Query(p): Query<SpanParams>,
) -> Result<Response> {
    let ctx = &permit.ctx;
    let tr = ctx.tr();
    let rows = span_export_rows(&state, &permit, &p).await?;
    let bytes = span_xlsx_bytes(&rows, &headings(&tr), &tr.t("span-sheet"))?;
    audit::record(
        &state.db,
        Some(state.municipality),
        &ctx.audit("organisation.span_export").fields([("format", "XLSX".into()), ("rows", rows.len().into())]),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ledelsesspaend.xlsx\"".to_string()),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// The front page's organisation panel

/// The organisation's figures on the front page: a leader sees the figures of the part
/// whose report they see; those who see the whole report, and employees, the
/// municipality's.
pub fn home_panel(state: AppState, ctx: Ctx) -> BoxFuture<'static, Result<Option<String>>> {
    Box::pin(async move {
        let Some(user) = &ctx.user else { return Ok(None) };
        let grants = &user.grants;
        if !can(grants, actions::BROWSE.anywhere()) {
            return Ok(None);
        }
        let may_span = can(grants, actions::VIEW_SPAN.anywhere());
        let span_reach = crate::platform::permissions::reach(grants, &actions::VIEW_SPAN);
        let (figures, own_part) = if may_span && !span_reach.is_everything() {
            (org_cache(&state).get(&state.db).await?.totals_within(&span_reach), true)
        } else {
            (store::totals(&state.db, state.municipality).await?, false)
        };
        let (units, people, leaders) = figures;
        let panel = HomePanelTemplate { tr: ctx.tr(), units, people, leaders, own_part, may_span };
        Ok(Some(panel.render()?))
    })
}
