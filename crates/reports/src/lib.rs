//! PDF reports. A report is a typst template embedded in the binary; its data arrives as
//! one JSON document (`sys.inputs.data`, parsed in the template with `json(bytes(..))`), and
//! charts as SVG strings inside it. Fonts are IBM Plex Sans from the vendored Det Fælles
//! Designsystem (OFL-1.1), so a PDF looks like the pages; nothing is read from the system
//! or downloaded.

use typst::foundations::{Dict, IntoValue};
use typst_as_lib::TypstEngine;

static REGULAR: &[u8] =
    include_bytes!("../../../assets/vendor/dkfds-11.2.0/fonts/IBMPlexSans/complete/ttf/IBMPlexSans-Regular.ttf");
static BOLD: &[u8] =
    include_bytes!("../../../assets/vendor/dkfds-11.2.0/fonts/IBMPlexSans/complete/ttf/IBMPlexSans-SemiBold.ttf");

/// The reports there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// The decision document of a process, for the executive board.
    DecisionDocument,
}

impl Report {
    fn source(self) -> &'static str {
        match self {
            Report::DecisionDocument => include_str!("../templates/decision_document.typ"),
        }
    }
}

/// Why a report could not be made (a template error is ours, never the user's).
#[derive(Debug)]
pub struct ReportError(pub String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

/// Lays out `report` with `data` (a JSON document) and writes it as PDF.
pub fn pdf(report: Report, data: &str) -> Result<Vec<u8>, ReportError> {
    let engine = TypstEngine::builder().main_file(report.source()).fonts([REGULAR, BOLD]).build();
    let mut inputs = Dict::new();
    inputs.insert("data".into(), data.into_value());
    let doc = engine.compile_with_input(inputs).output.map_err(|e| ReportError(format!("typst: {e:?}")))?;
    typst_pdf::pdf(&doc, &Default::default()).map_err(|e| ReportError(format!("pdf: {e:?}")))
}
