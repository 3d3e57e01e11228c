//! The organisation's pages: overview, unit, person, people search, and the
//! span-of-control report with its CSV and XLSX exports.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Person, PersonPost, SpanRow, StaffMember, Unit};
use super::store::{self, SpanFilter, Visible};
use super::view::OrgView;
use crate::AppState;
use crate::platform::audit;
use crate::platform::auth::CurrentUser;
use crate::platform::exports::csv_text;
use crate::platform::i18n::Tr;
use crate::platform::layout::{Crumb, FormErrors, Page, render};
use crate::platform::permissions::{Action, UnitRef, can, sees_everything, visible_subtrees};
use crate::platform::web::{AppError, Result, User, page_number};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisation", get(overview))
        .route("/organisation/enhed/{id}", get(unit_page))
        .route("/organisation/person/{id}", get(person_page))
        .route("/organisation/personer", get(people_search))
        .route("/organisation/ledelsesspaend", get(span_page))
        .route("/organisation/ledelsesspaend.csv", get(span_csv))
        .route("/organisation/ledelsesspaend.xlsx", get(span_xlsx))
}

fn parse_id(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| AppError::NotFound)
}

fn may_view(user: &CurrentUser, unit: &Unit) -> bool {
    can(&user.actor, Action::ViewUnit(UnitRef { left: unit.tree_left, depth: unit.depth }))
}

/// Whether the user may see pay types and engagement kinds in `unit` (not only the phone book).
fn may_see_employment(user: &CurrentUser, left: i64, depth: i64) -> bool {
    can(&user.actor, Action::ViewEmploymentDetails(UnitRef { left, depth }))
}

/// A unit in a list, with its leaders and head count.
pub struct UnitLine {
    pub unit: Unit,
    pub leaders: Vec<Person>,
    pub vacant: bool,
    pub headcount: i64,
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

#[derive(Template)]
#[template(path = "organisation/overview.html")]
struct OverviewTemplate {
    page: Page,
    tops: Vec<(UnitLine, Vec<UnitLine>)>,
    may_span: bool,
}

async fn overview(State(state): State<AppState>, User(user, ctx): User) -> Result<Response> {
    if !can(&user.actor, Action::BrowseOrganisation) {
        return Err(AppError::Forbidden);
    }
    let view = state.org.get(&state.db).await?;
    // Those who see everything start at the top; a leader starts at the units they lead.
    let any_unit = Action::ViewUnit(UnitRef { left: 0, depth: 0 });
    let tops: Vec<&Unit> = if sees_everything(&user.actor, any_unit) {
        view.units_at_depth(1).collect()
    } else {
        visible_subtrees(&user.actor, any_unit).iter().filter_map(|t| view.unit_at(t.left)).collect()
    };
    let lines = tops
        .into_iter()
        .filter(|u| may_view(&user, u))
        .map(|top| {
            let kids = unit_lines(&view, view.children(top.id).filter(|c| may_view(&user, c)));
            (unit_lines(&view, [top]).remove(0), kids)
        })
        .collect();
    let title = ctx.tr().t("org-title");
    Ok(render(&OverviewTemplate {
        page: ctx.page(&state, title, "organisation"),
        tops: lines,
        may_span: can(&user.actor, Action::ViewSpanReport),
    }))
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "organisation/unit.html")]
struct UnitTemplate {
    page: Page,
    line: UnitLine,
    /// The breadcrumb trail: the organisation, then the units above this one.
    crumbs: Vec<Crumb>,
    current: String,
    children: Vec<UnitLine>,
    staff: Vec<StaffMember>,
    staff_total: i64,
    page_number: i64,
    pages: i64,
    page_link: String,
    /// Pay types are shown only to those who may see employment details here.
    show_pay: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    side: Option<String>,
}

const STAFF_PAGE: i64 = 100;

async fn unit_page(
    State(state): State<AppState>,
    User(user, ctx): User,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let view = state.org.get(&state.db).await?;
    let unit = view.unit(id).ok_or(AppError::NotFound)?;
    if !may_view(&user, unit) {
        return Err(AppError::Forbidden);
    }
    let tr = ctx.tr();
    let page_number = page_number(&tr, q.side.as_deref())?;
    let crumbs = std::iter::once(Crumb { href: "/organisation".into(), label: tr.t("org-title") })
        .chain(
            view.ancestors(unit)
                .into_iter()
                .filter(|u| may_view(&user, u))
                .map(|u| Crumb { href: format!("/organisation/enhed/{}", u.id), label: u.name.clone() }),
        )
        .collect();
    let children = unit_lines(&view, view.children(unit.id).filter(|c| may_view(&user, c)));
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
        show_pay: may_see_employment(&user, unit.tree_left, unit.depth),
    }))
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "organisation/person.html")]
struct PersonTemplate {
    page: Page,
    person: Person,
    /// Each post the user may see, and whether they may see its employment details.
    posts: Vec<(PersonPost, bool)>,
}

async fn person_page(State(state): State<AppState>, User(user, ctx): User, Path(id): Path<String>) -> Result<Response> {
    let id = parse_id(&id)?;
    let person = store::person(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let posts = store::person_posts(&state.db, id).await?;
    // A person is visible if one of their posts is in a unit the user may see.
    let visible: Vec<(PersonPost, bool)> = posts
        .into_iter()
        .filter(|(_, left, depth)| can(&user.actor, Action::ViewUnit(UnitRef { left: *left, depth: *depth })))
        .map(|(p, left, depth)| (p, may_see_employment(&user, left, depth)))
        .collect();
    if visible.is_empty() {
        return Err(AppError::Forbidden);
    }
    let title = person.name.clone();
    Ok(render(&PersonTemplate { page: ctx.page(&state, title, "organisation"), person, posts: visible }))
}

#[derive(Template)]
#[template(path = "organisation/people.html")]
struct PeopleTemplate {
    page: Page,
    q: String,
    results: Vec<(Person, String)>,
    /// All matches the user may see, on every page.
    total: i64,
    page_number: i64,
    pages: i64,
    searched: bool,
    errors: FormErrors,
    page_link: String,
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

/// The part of the organisation whose people `user` may find: everything, or the subtrees
/// they may see units in (a leader's own part).
fn people_scope(user: &CurrentUser) -> Visible {
    let any_unit = Action::ViewUnit(UnitRef { left: 0, depth: 0 });
    if sees_everything(&user.actor, any_unit) {
        Visible::Everything
    } else {
        Visible::Within(visible_subtrees(&user.actor, any_unit).into_iter().map(|t| t.bounds()).collect())
    }
}

async fn people_search(
    State(state): State<AppState>,
    User(user, ctx): User,
    Query(q): Query<SearchQuery>,
) -> Result<Response> {
    if !can(&user.actor, Action::BrowseOrganisation) {
        return Err(AppError::Forbidden);
    }
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
            &people_scope(&user),
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
    afdeling: String,
    #[serde(default)]
    niveau: String,
    #[serde(default)]
    graense: String,
    #[serde(default)]
    kun_over: Option<String>,
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

fn parse_span(tr: &Tr, user: &CurrentUser, p: &SpanParams) -> SpanRequest {
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
    let within = if sees_everything(&user.actor, Action::ViewSpanReport) {
        None
    } else {
        Some(visible_subtrees(&user.actor, Action::ViewSpanReport).into_iter().map(|t| t.bounds()).collect())
    };
    SpanRequest { filter: SpanFilter { department, level, over, within }, limit, errors }
}

/// One bar of the distribution chart, laid out in SVG units.
pub struct Bar {
    pub label: String,
    pub count: usize,
    pub x: usize,
    pub y: usize,
    pub height: usize,
    pub over: bool,
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

#[derive(Template)]
#[template(path = "organisation/span.html")]
struct SpanTemplate<'a> {
    page: Page,
    rows: Vec<&'a SpanRow>,
    bars: Vec<Bar>,
    departments: Vec<Unit>,
    levels: Vec<i64>,
    params: SpanParams,
    limit: i64,
    over_count: usize,
    errors: FormErrors,
    export_query: String,
    page_link: String,
    chart_width: usize,
    total: i64,
    range: String,
    page_number: i64,
    pages: i64,
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
    User(user, ctx): User,
    Query(p): Query<SpanParams>,
) -> Result<Response> {
    if !can(&user.actor, Action::ViewSpanReport) {
        return Err(AppError::Forbidden);
    }
    let tr = ctx.tr();
    let req = parse_span(&tr, &user, &p);
    let page_number = page_number(&tr, p.side.as_deref())?;
    let view = state.org.get(&state.db).await?;
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
        .filter(|d| {
            may_view(&user, d)
                || req.filter.within.as_ref().is_some_and(|w| {
                    w.iter()
                        .any(|(l, r, _)| (*l..=*r).contains(&d.tree_left) || (d.tree_left..=d.tree_right).contains(l))
                })
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

async fn span_export_rows(state: &AppState, user: &CurrentUser, tr: &Tr, p: &SpanParams) -> Result<Vec<SpanRow>> {
    if !can(&user.actor, Action::ExportSpanReport) {
        return Err(AppError::Forbidden);
    }
    let req = parse_span(tr, user, p);
    if let Some(e) = req.errors.all().first() {
        return Err(AppError::BadRequest(e.message.clone()));
    }
    Ok(state.org.get(&state.db).await?.span(&req.filter).cloned().collect())
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

/// CSV of the report; `danish` gives Excel-friendly semicolons, a BOM and translated
/// headings, otherwise commas and the JSON keys.
pub fn span_csv_bytes(rows: &[SpanRow], headings: Option<[String; 9]>) -> anyhow::Result<Vec<u8>> {
    let danish = headings.is_some();
    let mut out = Vec::new();
    if danish {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::WriterBuilder::new().delimiter(if danish { b';' } else { b',' }).from_writer(out);
    match headings {
        Some(h) => w.write_record(&h)?,
        None => {
            w.write_record(["leader", "email", "unit", "level", "direct", "total", "leaders", "hourly", "salaried"])?
        }
    }
    for r in rows {
        w.write_record([
            csv_text(&r.leader_name).into_owned(),
            csv_text(&r.email).into_owned(),
            csv_text(&r.unit_name).into_owned(),
            r.level.to_string(),
            r.direct_reports.to_string(),
            r.total_reports.to_string(),
            r.leader_reports.to_string(),
            r.hourly.to_string(),
            r.salaried.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

async fn span_csv(
    State(state): State<AppState>,
    User(user, ctx): User,
    Query(p): Query<SpanParams>,
) -> Result<Response> {
    let tr = ctx.tr();
    let rows = span_export_rows(&state, &user, &tr, &p).await?;
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
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &r.leader_name)?;
        sheet.write_string(row, 1, &r.email)?;
        sheet.write_string(row, 2, &r.unit_name)?;
        for (c, v) in
            [r.level, r.direct_reports, r.total_reports, r.leader_reports, r.hourly, r.salaried].iter().enumerate()
        {
            sheet.write_number(row, c as u16 + 3, *v as f64)?;
        }
    }
    sheet.set_column_width(0, 30)?;
    sheet.set_column_width(1, 30)?;
    sheet.set_column_width(2, 36)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}

async fn span_xlsx(
    State(state): State<AppState>,
    User(user, ctx): User,
    Query(p): Query<SpanParams>,
) -> Result<Response> {
    let tr = ctx.tr();
    let rows = span_export_rows(&state, &user, &tr, &p).await?;
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
