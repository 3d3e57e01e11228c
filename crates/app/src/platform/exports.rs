//! What every export the product writes shares. A spreadsheet opens a CSV cell that begins
//! with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so a name such as
//! `=HYPERLINK(…)` from an import would run when a leader opens the file (CSV injection,
//! OWASP). Text cells are therefore written through [`csv_text`]; numbers, which Samskab
//! writes itself, are not.

use std::borrow::Cow;

/// `value` as a CSV text cell a spreadsheet shows as text: a leading formula character is
/// preceded by an apostrophe, which spreadsheets hide and which keeps the text readable.
pub fn csv_text(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_become_text_and_others_stay() {
        for formula in ["=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(csv_text(formula), format!("'{formula}"), "{formula:?}");
        }
        for text in ["Anne Hansen", "anne@samby.dk", "Skoler", "", "a=b", "Ø-gade"] {
            assert_eq!(csv_text(text), text);
        }
    }
}
