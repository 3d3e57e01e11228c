//! The decision document for the executive board: the process, participation per unit, the
//! themes, the opinion groups with their map, the consensus and bridging statements, and
//! the proposals with their decisions — as a page, a PDF (typst, charts as SVG) and an XLSX.
//! The files are made by a job (or on a download when the data has changed) and kept with
//! a fingerprint of their data, so a download of an unchanged document costs nothing.

use std::fmt::Write as _;

use chrono::Utc;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::model::Proposal;
use super::store;
use crate::AppState;
use crate::involvement::model::Process;
use crate::involvement::routes::ResultSummary;
use crate::platform::audit::AuditEntry;
use crate::platform::exports::{Cell, Sheet, xlsx_sheets};
use crate::platform::i18n::{Lang, Tr};
use crate::platform::jobs::{JobContext, JobKind};
use crate::platform::module::BoxFuture;
use crate::platform::web::{AppError, Result};

/// A figure at the top of the document.
#[derive(Clone, Serialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
}

#[derive(Clone, Serialize)]
pub struct UnitLine {
    pub name: String,
    /// The count, or "< 5" where too few to show.
    pub participants: String,
}

#[derive(Clone, Serialize)]
pub struct ThemeLine {
    pub label: String,
    pub terms: String,
    pub size: usize,
}

#[derive(Clone, Serialize)]
pub struct GroupLine {
    pub label: String,
    pub size: usize,
}

#[derive(Clone, Serialize)]
pub struct StatementLine {
    pub text: String,
    pub agree: i64,
}

#[derive(Clone, Serialize)]
pub struct ProposalLine {
    pub number: i32,
    pub title: String,
    pub text: String,
    pub theme: String,
    pub inputs: usize,
    pub state: String,
    pub reason: String,
    pub unit: String,
    pub responsible: String,
    pub deadline: String,
}

/// Everything the document shows, in the reader's words; the same data makes the page,
/// the PDF and the XLSX.
#[derive(Clone, Serialize)]
pub struct DocumentData {
    pub title: String,
    pub description: String,
    pub municipality: String,
    pub lang: &'static str,
    pub generated: String,
    pub labels: serde_json::Map<String, serde_json::Value>,
    pub figures: Vec<Figure>,
    pub units: Vec<UnitLine>,
    pub units_chart: String,
    pub themes: Vec<ThemeLine>,
    pub groups: Vec<GroupLine>,
    pub map_chart: String,
    pub consensus: Vec<StatementLine>,
    pub bridging: Vec<StatementLine>,
    pub progress: String,
    pub proposals: Vec<ProposalLine>,
}

/// The labels the PDF template uses, by its key, with their message ids.
const LABELS: &[(&str, &str)] = &[
    ("document", "document-kind"),
    ("participation", "document-participation"),
    ("no_units", "document-no-units"),
    ("unit", "document-unit"),
    ("participants", "document-participants"),
    ("participants_lower", "document-participants-lower"),
    ("inputs", "document-inputs"),
    ("inputs_lower", "document-inputs-lower"),
    ("themes", "document-themes"),
    ("no_themes", "document-no-themes"),
    ("theme", "document-theme"),
    ("opinions", "document-opinions"),
    ("no_opinions", "document-no-opinions"),
    ("consensus", "document-consensus"),
    ("bridging", "document-bridging"),
    ("agree", "document-agree"),
    ("proposals", "proposals-heading"),
    ("number", "proposals-col-number"),
    ("proposal", "proposals-col-title"),
    ("state", "proposal-field-state"),
    ("reason", "proposal-field-reason"),
];

/// Gathers the document's data from the process's results and proposals.
pub async fn collect(state: &AppState, tr: &Tr, process: &Process) -> Result<DocumentData> {
    let entry = AuditEntry::system("process.analysed", "decision document");
    let summary: ResultSummary = crate::involvement::routes::result_summary(state, tr, process, entry).await?;
    let proposals = store::all_with_inputs(&state.db, process.id).await?;
    let progress = store::progress(&state.db, process.id).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let unit_name = |u: Option<Uuid>| u.and_then(|u| org.unit(u)).map(|u| u.name.clone()).unwrap_or_default();
    let shown = |n: Option<i64>| n.map_or_else(|| "< 5".to_string(), |n| tr.num(n).to_string());
    let labels = LABELS.iter().map(|(k, id)| (k.to_string(), serde_json::Value::String(tr.t(id)))).collect();
    Ok(DocumentData {
        title: process.title.clone(),
        description: process.description.clone(),
        municipality: state.municipality_name.clone(),
        lang: if tr.lang == Lang::En { "en" } else { "da" },
        generated: tr.t1("document-generated", "at", tr.datetime(&Utc::now())),
        labels,
        figures: vec![
            Figure { label: tr.t("document-participants"), value: tr.num(summary.participants).to_string() },
            Figure { label: tr.t("document-inputs"), value: tr.num(summary.inputs).to_string() },
            Figure { label: tr.t("document-votes"), value: tr.num(summary.votes).to_string() },
            Figure { label: tr.t("proposals-heading"), value: tr.num(progress.total).to_string() },
        ],
        units_chart: units_chart(&summary.units),
        units: summary.units.iter().map(|(name, n)| UnitLine { name: name.clone(), participants: shown(*n) }).collect(),
        themes: summary
            .themes
            .iter()
            .map(|(label, terms, size)| ThemeLine { label: label.clone(), terms: terms.clone(), size: *size })
            .collect(),
        groups: summary
            .groups
            .iter()
            .map(|(number, size, _)| GroupLine { label: tr.t1("document-group", "number", number), size: *size })
            .collect(),
        map_chart: map_chart(&summary),
        consensus: summary.consensus.iter().map(|t| StatementLine { text: t.clone(), agree: 0 }).take(10).collect(),
        bridging: summary.bridging.iter().map(|(t, v)| StatementLine { text: t.clone(), agree: *v }).collect(),
        progress: tr
            .ta("proposals-progress", &[("decided", &tr.num(progress.decided)), ("total", &tr.num(progress.total))]),
        proposals: proposals.iter().map(|p| line(tr, p, &unit_name)).collect(),
    })
}

fn line(tr: &Tr, p: &Proposal, unit_name: &dyn Fn(Option<Uuid>) -> String) -> ProposalLine {
    ProposalLine {
        number: p.number,
        title: p.title.clone(),
        text: p.text.clone(),
        theme: p.theme.clone(),
        inputs: p.inputs.len(),
        state: tr.t(p.state.label_id()),
        reason: p.reason.clone(),
        unit: unit_name(p.responsible_unit),
        responsible: p.responsible.clone(),
        deadline: p.deadline.map(|d| tr.date(&d)).unwrap_or_default(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Participation per unit as horizontal bars (units too small to show get no bar).
pub fn units_chart(units: &[(String, Option<i64>)]) -> String {
    let max = units.iter().filter_map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let row = 22.0;
    let height = (units.len() as f64 * row + 10.0).max(30.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600 {height}\" width=\"600\" height=\"{height}\" font-family=\"IBM Plex Sans\" font-size=\"11\">"
    );
    for (i, (name, n)) in units.iter().enumerate() {
        let y = 5.0 + i as f64 * row;
        let short: String = name.chars().take(32).collect();
        let _ = write!(svg, "<text x=\"0\" y=\"{}\">{}</text>", y + 14.0, escape(&short));
        match n {
            Some(n) => {
                let w = (*n as f64 / max * 330.0).max(1.0);
                let _ = write!(
                    svg,
                    "<rect x=\"220\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"#0059b3\"/><text x=\"{:.1}\" y=\"{}\">{n}</text>",
                    226.0 + w,
                    y + 13.0
                );
            }
            None => {
                let _ = write!(svg, "<text x=\"220\" y=\"{}\" fill=\"#666\">&lt; 5</text>", y + 13.0);
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The opinion map: each participant a dot in their group's colour.
pub fn map_chart(summary: &ResultSummary) -> String {
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600 400\" width=\"600\" height=\"400\"><rect width=\"600\" height=\"400\" fill=\"#f5f5f5\"/>",
    );
    for d in &summary.dots {
        let _ =
            write!(svg, "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.7\"/>", d.x, d.y, d.colour);
    }
    svg.push_str("</svg>");
    svg
}

/// The data's fingerprint, without the moment it was gathered.
pub fn basis(data: &DocumentData) -> String {
    let mut d = data.clone();
    d.generated = String::new();
    let json = serde_json::to_vec(&d).unwrap_or_default();
    Sha256::digest(&json).iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The document as PDF.
pub fn pdf(data: &DocumentData) -> std::result::Result<Vec<u8>, String> {
    let json = serde_json::to_string(data).map_err(|e| e.to_string())?;
    reports::pdf(reports::Report::DecisionDocument, &json).map_err(|e| e.to_string())
}

/// The document as a workbook: proposals, participation and themes, a sheet each.
pub fn xlsx(tr: &Tr, data: &DocumentData) -> anyhow::Result<Vec<u8>> {
    let text = |s: &str| Cell::Text(s.to_string());
    let proposals = Sheet {
        name: tr.t("proposals-heading"),
        headings: [
            "proposals-col-number",
            "proposals-col-title",
            "proposal-field-text",
            "proposals-filter-theme",
            "document-inputs",
            "proposal-field-state",
            "proposal-field-reason",
            "proposal-field-unit",
            "proposal-field-responsible",
            "proposal-field-deadline",
        ]
        .iter()
        .map(|id| tr.t(id))
        .collect(),
        rows: data
            .proposals
            .iter()
            .map(|p| {
                vec![
                    Cell::Number(i64::from(p.number)),
                    text(&p.title),
                    text(&p.text),
                    text(&p.theme),
                    Cell::Number(p.inputs as i64),
                    text(&p.state),
                    text(&p.reason),
                    text(&p.unit),
                    text(&p.responsible),
                    text(&p.deadline),
                ]
            })
            .collect(),
        widths: vec![6.0, 40.0, 50.0, 20.0, 8.0, 16.0, 50.0, 24.0, 20.0, 12.0],
    };
    let units = Sheet {
        name: tr.t("document-participation"),
        headings: vec![tr.t("document-unit"), tr.t("document-participants")],
        rows: data.units.iter().map(|u| vec![text(&u.name), text(&u.participants)]).collect(),
        widths: vec![40.0, 12.0],
    };
    let themes = Sheet {
        name: tr.t("document-themes"),
        headings: vec![tr.t("document-theme"), tr.t("document-terms"), tr.t("document-inputs")],
        rows: data.themes.iter().map(|t| vec![text(&t.label), text(&t.terms), Cell::Number(t.size as i64)]).collect(),
        widths: vec![30.0, 50.0, 10.0],
    };
    xlsx_sheets(&[proposals, units, themes])
}

/// The document's files, made now or kept from an earlier making of the same data.
pub async fn files(state: &AppState, tr: &Tr, process: &Process) -> Result<(Vec<u8>, Vec<u8>)> {
    let data = collect(state, tr, process).await?;
    let basis = basis(&data);
    if let Some(kept) = store::document(&state.db, process.id, &basis).await? {
        return Ok(kept);
    }
    let tr2 = *tr;
    let (pdf, xlsx) = tokio::task::spawn_blocking(move || {
        let pdf = pdf(&data)?;
        let xlsx = xlsx(&tr2, &data).map_err(|e| e.to_string())?;
        Ok::<_, String>((pdf, xlsx))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::Internal)?;
    store::keep_document(&state.db, state.municipality, process.id, &basis, &pdf, &xlsx).await?;
    Ok((pdf, xlsx))
}

/// The job that makes a process's decision document.
pub static MAKE_DOCUMENT: JobKind = JobKind { kind: "decisions.document", run: run_document };

fn run_document(ctx: JobContext) -> BoxFuture<'static, std::result::Result<serde_json::Value, String>> {
    Box::pin(async move {
        let state = &ctx.state;
        let id = ctx
            .job
            .payload
            .get("process")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or("the job names no process")?;
        let lang = if ctx.job.payload.get("lang").and_then(|v| v.as_str()) == Some("en") { Lang::En } else { Lang::Da };
        let process = crate::involvement::store::get(&state.db, ctx.job.municipality_id, id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the process no longer exists")?;
        ctx.progress(0.2, "data");
        let (pdf, _) = files(state, &Tr::new(lang), &process).await.map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::json!({ "href": format!("/processer/{id}/beslutningsdokument"), "pdf_bytes": pdf.len() }))
    })
}
