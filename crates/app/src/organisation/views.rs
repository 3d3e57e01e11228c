//! The organisation's template structs: what each page shows.

use askama::Template;

use super::model::{Person, PersonHit, PersonPost, SpanRow, StaffMember, Unit};
use super::routes::SpanParams;
use crate::platform::layout::{Crumb, FormErrors, Page};

#[derive(Template)]
#[template(path = "organisation/overview.html")]
pub struct OverviewTemplate {
    pub page: Page,
    pub tops: Vec<(UnitLine, Vec<UnitLine>)>,
    pub may_span: bool,
}

#[derive(Template)]
#[template(path = "organisation/unit.html")]
pub struct UnitTemplate {
    pub page: Page,
    pub line: UnitLine,
    /// The breadcrumb trail: the organisation, then the units above this one.
    pub crumbs: Vec<Crumb>,
    pub current: String,
    pub children: Vec<UnitLine>,
    pub staff: Vec<StaffMember>,
    pub staff_total: i64,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
    /// Pay types are shown only to those who may see employment details here.
    pub show_pay: bool,
}

#[derive(Template)]
#[template(path = "organisation/person.html")]
pub struct PersonTemplate {
    pub page: Page,
    pub person: Person,
    /// Each post the user may see, and whether they may see its employment details.
    pub posts: Vec<(PersonPost, bool)>,
}

#[derive(Template)]
#[template(path = "organisation/people.html")]
pub struct PeopleTemplate {
    pub page: Page,
    pub q: String,
    pub results: Vec<PersonHit>,
    /// All matches the user may see, on every page.
    pub total: i64,
    pub page_number: i64,
    pub pages: i64,
    pub searched: bool,
    pub errors: FormErrors,
    pub page_link: String,
}

#[derive(Template)]
#[template(path = "organisation/span.html")]
pub struct SpanTemplate<'a> {
    pub page: Page,
    pub rows: Vec<&'a SpanRow>,
    pub bars: Vec<Bar>,
    pub departments: Vec<Unit>,
    pub levels: Vec<i64>,
    pub params: SpanParams,
    pub limit: i64,
    pub over_count: usize,
    pub errors: FormErrors,
    pub export_query: String,
    pub page_link: String,
    pub chart_width: usize,
    pub total: i64,
    pub range: String,
    pub page_number: i64,
    pub pages: i64,
}

/// A unit in a list, with its leaders and head count.
pub struct UnitLine {
    pub unit: Unit,
    pub leaders: Vec<Person>,
    pub vacant: bool,
    pub headcount: i64,
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

/// The organisation's panel on the front page.
#[derive(Template)]
#[template(path = "organisation/home_panel.html")]
pub struct HomePanelTemplate {
    pub tr: crate::platform::i18n::Tr,
    pub units: i64,
    pub people: i64,
    pub leaders: i64,
    /// The figures are of the user's own part only.
    pub own_part: bool,
    pub may_span: bool,
}
