//! CSV cells as every export writes them.

/// One CSV cell: quoted when it holds a separator, quote or line break, and never read as a
/// formula by a spreadsheet (a leading `=`, `+`, `-`, `@`, tab or carriage return gets an
/// apostrophe: CSV injection).
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(field("Riga"), "Riga");
        assert_eq!(field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("-1+2"), "'-1+2");
    }
}
