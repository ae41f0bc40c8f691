//! Import of measurements from CSV: columns `date,value,quality,breakdown,note` (a header row
//! first; `quality`, `breakdown` and `note` may be left out). Every row is checked before anything
//! is kept, and a wrong file is refused whole with one error per row and column.

use super::indicator::{BreakdownSpec, MeasurementInput};
use chrono::NaiveDate;
use std::collections::HashSet;

/// One problem in one row and column of a CSV file. Row 1 is the header, so row 2 is the first
/// data row (as a spreadsheet numbers them).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// The columns a measurements file may have.
pub const COLUMNS: [&str; 5] = ["date", "value", "quality", "breakdown", "note"];

/// At most this many data rows per file.
pub const MAX_ROWS: usize = 10_000;

/// Split CSV text into records (RFC 4180: fields may be quoted, `""` is a quote inside quotes,
/// records end with LF or CRLF). An unterminated quote is reported with its record number.
pub fn records(text: &str) -> Result<Vec<Vec<String>>, usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out: Vec<Vec<String>> = vec![];
    let mut rec: Vec<String> = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => rec.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                rec.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut rec));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(out.len() + 1);
    }
    if any {
        rec.push(field);
        out.push(rec);
    }
    // Blank lines carry no data.
    Ok(out.into_iter().filter(|r| !(r.len() == 1 && r[0].trim().is_empty())).collect())
}

/// Check a whole file of measurements for an indicator. Either every row is good, and the rows
/// come back checked, or the errors of every bad row and column come back and nothing else.
pub fn parse_measurements_csv(
    text: &str,
    spec: &BreakdownSpec,
    baseline_date: NaiveDate,
) -> Result<Vec<MeasurementInput>, Vec<RowError>> {
    let err = |row: usize, field: &str, code: &'static str, message: &str| RowError {
        row,
        field: field.to_string(),
        code,
        message: message.to_string(),
    };
    let recs =
        records(text).map_err(|row| vec![err(row, "file", "unterminated-quote", "a quoted value is not closed")])?;
    let Some((header, rows)) = recs.split_first() else {
        return Err(vec![err(1, "file", "empty-file", "the file is empty; the first row must name the columns")]);
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let mut errors = vec![];
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            // Named by position: a column without a name (often a trailing comma) has no name to show.
            errors.push(err(
                1,
                &format!("column-{}", i + 1),
                "unnamed-column",
                "the header has a column without a name",
            ));
        } else if !COLUMNS.contains(&h.as_str()) {
            errors.push(err(
                1,
                h,
                "unknown-column",
                "is not a column of a measurements file (date, value, quality, breakdown, note)",
            ));
        } else if header.iter().filter(|x| *x == h).count() > 1 {
            errors.push(err(1, h, "repeated-column", "appears more than once in the header"));
        }
    }
    for required in ["date", "value"] {
        if !header.iter().any(|h| h == required) {
            errors.push(err(1, required, "missing-column", "the header must name this column"));
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(err(2, "file", "empty-file", "the file has a header but no rows"));
    }
    if rows.len() > MAX_ROWS {
        errors.push(err(MAX_ROWS + 2, "file", "too-many-rows", "a file may hold at most 10,000 rows"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |rec: &[String], name: &str| -> String {
        header.iter().position(|h| h == name).and_then(|i| rec.get(i)).cloned().unwrap_or_default()
    };
    let mut seen: HashSet<(NaiveDate, String)> = HashSet::new();
    let mut good = Vec::with_capacity(rows.len());
    for (i, rec) in rows.iter().enumerate() {
        let row = i + 2;
        if rec.len() != header.len() {
            errors.push(err(
                row,
                "row",
                "wrong-column-count",
                &format!("has {} values but the header names {} columns", rec.len(), header.len()),
            ));
            continue;
        }
        match MeasurementInput::parse(
            &col(rec, "date"),
            &col(rec, "value"),
            &col(rec, "quality"),
            &col(rec, "breakdown"),
            &col(rec, "note"),
            spec,
            baseline_date,
        ) {
            Ok(m) => {
                if !seen.insert((m.date, m.breakdown.key())) {
                    errors.push(err(row, "date", "duplicate-row", "another row has the same date and breakdown"));
                } else {
                    good.push(m);
                }
            }
            Err(invalid) => errors.extend(invalid.0.into_iter().map(|e| RowError {
                row,
                field: e.field,
                code: e.code,
                message: e.message,
            })),
        }
    }
    if errors.is_empty() { Ok(good) } else { Err(errors) }
}
