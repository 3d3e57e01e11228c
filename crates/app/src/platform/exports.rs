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

/// One cell of an exported table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text from people or imports: neutralised in CSV, a string cell in XLSX.
    Text(String),
    Number(i64),
}

/// How a CSV is written: for Danish spreadsheets (semicolons, a byte-order mark so Excel
/// reads UTF-8) or for programs (commas, no mark).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvDialect {
    DanishSpreadsheet,
    Plain,
}

/// A table as CSV: the headings, then the rows, every text cell through [`csv_text`].
pub fn csv(headings: &[String], rows: &[Vec<Cell>], dialect: CsvDialect) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    if dialect == CsvDialect::DanishSpreadsheet {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let delimiter = if dialect == CsvDialect::DanishSpreadsheet { b';' } else { b',' };
    let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(out);
    w.write_record(headings.iter().map(|h| csv_text(h).into_owned()))?;
    for row in rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(t) => csv_text(t).into_owned(),
            Cell::Number(n) => n.to_string(),
        }))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// A table as an XLSX workbook with one sheet: bold headings, frozen, text as strings
/// (never formulas), numbers as numbers. `widths` sets the first columns' widths.
pub fn xlsx(sheet_name: &str, headings: &[String], rows: &[Vec<Cell>], widths: &[f64]) -> anyhow::Result<Vec<u8>> {
    xlsx_sheets(&[Sheet {
        name: sheet_name.to_string(),
        headings: headings.to_vec(),
        rows: rows.to_vec(),
        widths: widths.to_vec(),
    }])
}

/// One sheet of a workbook.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub widths: Vec<f64>,
}

/// Several tables as one XLSX workbook, a sheet each, written as [`xlsx`] writes one.
pub fn xlsx_sheets(sheets: &[Sheet]) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for s in sheets {
        let sheet = book.add_worksheet();
        // A sheet name may not hold []:*?/\ nor pass 31 characters.
        let name: String = s.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(name)?;
        for (c, h) in s.headings.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (i, row) in s.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) if t.len() > 60 => sheet.write_string_with_format(r, c as u16, t, &wrap)?,
                    Cell::Text(t) => sheet.write_string(r, c as u16, t)?,
                    Cell::Number(n) => sheet.write_number(r, c as u16, *n as f64)?,
                };
            }
        }
        for (c, w) in s.widths.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_exports_with_formulas_as_text() {
        let rows = vec![vec![Cell::Text("=cmd|' /C calc'!A0".into()), Cell::Number(7)]];
        let plain = String::from_utf8(csv(&["navn".into(), "antal".into()], &rows, CsvDialect::Plain).expect("csv"))
            .expect("utf8");
        assert_eq!(plain, "navn,antal\n'=cmd|' /C calc'!A0,7\n");
        let danish =
            csv(&["navn".into()], &[vec![Cell::Text("Ø".into())]], CsvDialect::DanishSpreadsheet).expect("csv");
        assert!(danish.starts_with("\u{feff}navn\nØ".as_bytes()));
        let book = xlsx("Ark", &["navn".into(), "antal".into()], &rows, &[30.0]).expect("xlsx");
        assert!(book.starts_with(b"PK"), "a zip file");
    }

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
