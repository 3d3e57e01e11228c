//! The decision document template lays out real data, with people's text taken as text
//! (never as typst markup), into a PDF with the embedded fonts.

use reports::{Report, pdf};

fn data(title: &str, proposals: usize) -> String {
    let proposals: Vec<serde_json::Value> = (1..=proposals)
        .map(|n| {
            serde_json::json!({"number": n, "title": format!("Forslag {n}: {title}"), "text": "Én indgang for borgerne.",
                "theme": "Tid", "inputs": 3, "state": "Vedtaget", "reason": "Sparer tid.", "unit": "Skoler",
                "responsible": "", "deadline": "1. marts 2027"})
        })
        .collect();
    serde_json::json!({
        "title": title, "description": "", "municipality": "Samby Kommune", "lang": "da", "generated": "Dannet i dag",
        "labels": {"document": "Beslutningsdokument", "participation": "Deltagelse", "no_units": "Ingen", "unit": "Enhed",
            "participants": "Deltagere", "participants_lower": "deltagere", "inputs": "Input", "inputs_lower": "input",
            "themes": "Temaer", "no_themes": "Ingen", "theme": "Tema", "opinions": "Meningsgrupper", "no_opinions": "Ingen",
            "consensus": "Enighed", "bridging": "Bro", "agree": "enige", "proposals": "Forslag", "number": "Nr.",
            "proposal": "Forslag", "state": "Status", "reason": "Begrundelse"},
        "figures": [{"label": "Deltagere", "value": "1.234"}],
        "units": [{"name": "Skoler", "participants": "12"}, {"name": "Ældre", "participants": "< 5"}],
        "units_chart": "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"5\" height=\"5\"/></svg>",
        "themes": [{"label": "Tid", "terms": "tid, møder", "size": 4}],
        "groups": [{"label": "Gruppe 1", "size": 7}],
        "map_chart": "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"2\"/></svg>",
        "consensus": [{"text": "Mindre bureaukrati", "agree": 0}], "bridging": [{"text": "Mere tid", "agree": 80}],
        "progress": "1 af 1 forslag er besluttet",
        "proposals": proposals,
    })
    .to_string()
}

#[test]
fn a_decision_document_is_a_pdf_with_markup_in_text_kept_as_text() {
    // Typst markup and code in a title must be printed, not run.
    let out = pdf(Report::DecisionDocument, &data("#panic(\"x\") *fed* $x$ [link]", 30)).expect("a PDF");
    assert!(out.starts_with(b"%PDF-"), "a PDF file");
    assert!(out.len() > 10_000, "with its fonts and pages: {} bytes", out.len());
}

#[test]
fn broken_data_is_an_error_not_a_panic() {
    assert!(pdf(Report::DecisionDocument, "{}").is_err());
    assert!(pdf(Report::DecisionDocument, "not json").is_err());
}
