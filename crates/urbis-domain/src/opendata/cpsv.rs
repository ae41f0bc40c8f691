//! A public service as CPSV-AP 3.2 Turtle (Core Public Service Vocabulary Application Profile).
//!
//! Mandatory for `cpsv:PublicService`: `dct:identifier`, `dct:title`, `dct:description` and
//! `cv:hasCompetentAuthority`; the competent authority is a `cv:PublicOrganisation` with
//! `skos:prefLabel` and `dct:spatial`. Every code-list IRI used is typed (`skos:Concept`,
//! `dct:Location`, `dct:LinguisticSystem`) so that the SHACL shapes can check its class.

use crate::services::service::{Channel, language_authority_code};
use std::fmt::Write;

/// The facts of one service needed for its CPSV-AP description.
#[derive(Debug, Clone)]
pub struct PublicService<'a> {
    /// The service's IRI, e.g. `https://urbis.example/services/<id>`.
    pub iri: &'a str,
    pub identifier: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// The language the texts are written in (BCP 47), e.g. `en`.
    pub text_language: &'a str,
    /// The city: its IRI, name and ISO 3166-1 alpha-2 country code.
    pub authority_iri: &'a str,
    pub authority_name: &'a str,
    pub country_code: &'a str,
    /// The focus area and phase, as concepts of Urbis' own schemes under `vocabulary`.
    pub vocabulary: &'a str,
    pub focus_area: &'a str,
    pub channels: &'a [Channel],
    /// ISO 639-1 codes.
    pub languages: &'a [String],
    pub audience: &'a str,
    pub output: &'a str,
    /// The cost in minor units with its ISO 4217 currency.
    pub cost: Option<(i64, &'a str)>,
    /// The service's public page.
    pub page: &'a str,
}

/// ISO 3166-1 alpha-2 → alpha-3 for the countries of European programmes (EU authority table).
const COUNTRIES: &[(&str, &str)] = &[
    ("AT", "AUT"),
    ("BE", "BEL"),
    ("BG", "BGR"),
    ("CH", "CHE"),
    ("CY", "CYP"),
    ("CZ", "CZE"),
    ("DE", "DEU"),
    ("DK", "DNK"),
    ("EE", "EST"),
    ("ES", "ESP"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("GB", "GBR"),
    ("GR", "GRC"),
    ("HR", "HRV"),
    ("HU", "HUN"),
    ("IE", "IRL"),
    ("IS", "ISL"),
    ("IT", "ITA"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("LV", "LVA"),
    ("MT", "MLT"),
    ("NL", "NLD"),
    ("NO", "NOR"),
    ("PL", "POL"),
    ("PT", "PRT"),
    ("RO", "ROU"),
    ("SE", "SWE"),
    ("SI", "SVN"),
    ("SK", "SVK"),
];

/// A Turtle string literal: quoted, with `\`, `"` and line breaks escaped.
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An IRI in angle brackets; characters Turtle does not allow in IRIs are percent-encoded.
pub fn iri(s: &str) -> String {
    let mut out = String::from("<");
    for c in s.chars() {
        if c.is_control() || matches!(c, ' ' | '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out.push('>');
    out
}

/// The CPSV-AP 3.2 Turtle document of one public service.
pub fn turtle(s: &PublicService) -> String {
    let lang = s.text_language;
    let text = |t: &str| format!("{}@{lang}", literal(t));
    let mut out = String::new();
    out.push_str(
        "@prefix cpsv: <http://purl.org/vocab/cpsv#> .\n\
         @prefix cv: <http://data.europa.eu/m8g/> .\n\
         @prefix dct: <http://purl.org/dc/terms/> .\n\
         @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
         @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n",
    );
    let service = iri(s.iri);
    let authority = iri(s.authority_iri);
    let focus = iri(&format!("{}/focus-area/{}", s.vocabulary, s.focus_area));
    let _ = writeln!(out, "{service} a cpsv:PublicService ;");
    let _ = writeln!(out, "  dct:identifier {} ;", literal(s.identifier));
    let _ = writeln!(out, "  dct:title {} ;", text(s.title));
    let _ = writeln!(out, "  dct:description {} ;", text(s.description));
    let _ = writeln!(out, "  cv:hasCompetentAuthority {authority} ;");
    let _ = writeln!(out, "  cv:thematicArea {focus} ;");
    let _ = writeln!(out, "  foaf:homepage {} ;", iri(s.page));
    for language in language_iris(s) {
        let _ = writeln!(out, "  dct:language {language} ;");
    }
    for c in s.channels {
        let _ = writeln!(out, "  cv:hasChannel {} ;", part(s, &format!("channel-{}", c.as_str())));
    }
    if !s.output.is_empty() {
        let _ = writeln!(out, "  cv:produces {} ;", part(s, "output"));
    }
    if s.cost.is_some() {
        let _ = writeln!(out, "  cv:hasCost {} ;", part(s, "cost"));
    }
    if !s.audience.is_empty() {
        let _ = writeln!(out, "  cv:isClassifiedBy {} ;", part(s, "audience"));
    }
    out.push_str("  .\n\n");
    described_nodes(&mut out, s, &authority, &focus);
    out
}

/// The IRI of a node described inside the service's document: `<{service}#{name}>`.
fn part(s: &PublicService, name: &str) -> String {
    iri(&format!("{}#{name}", s.iri))
}

/// The EU authority IRIs of the service's languages (those the authority table names).
fn language_iris<'a>(s: &'a PublicService) -> impl Iterator<Item = String> + 'a {
    s.languages
        .iter()
        .filter_map(|l| language_authority_code(l))
        .map(|code| format!("<http://publications.europa.eu/resource/authority/language/{code}>"))
}

/// The nodes the service refers to: its authority and place, focus area, languages, channels,
/// output, cost and audience.
fn described_nodes(out: &mut String, s: &PublicService, authority: &str, focus: &str) {
    let lang = s.text_language;
    let text = |t: &str| format!("{}@{lang}", literal(t));
    let place = match COUNTRIES.iter().find(|(a2, _)| *a2 == s.country_code) {
        Some((_, a3)) => format!("<http://publications.europa.eu/resource/authority/country/{a3}>"),
        None => iri(&format!("{}#place", s.authority_iri)),
    };
    let _ = writeln!(out, "{authority} a cv:PublicOrganisation ;");
    let _ = writeln!(out, "  skos:prefLabel {} ;", text(s.authority_name));
    let _ = writeln!(out, "  dct:spatial {place} .\n");
    let _ = writeln!(out, "{place} a dct:Location .\n");
    let _ = writeln!(out, "{focus} a skos:Concept ;\n  skos:prefLabel {}@en .\n", literal(s.focus_area));
    for language in language_iris(s) {
        let _ = writeln!(out, "{language} a dct:LinguisticSystem .\n");
    }
    for c in s.channels {
        let ch = part(s, &format!("channel-{}", c.as_str()));
        let kind = iri(&format!("{}/channel/{}", s.vocabulary, c.as_str()));
        let _ = writeln!(out, "{ch} a cv:Channel ;\n  dct:identifier {} ;\n  dct:type {kind} .\n", literal(c.as_str()));
        let _ = writeln!(out, "{kind} a skos:Concept ;\n  skos:prefLabel {}@en .\n", literal(c.as_str()));
    }
    if !s.output.is_empty() {
        let _ = writeln!(
            out,
            "{} a cv:Output ;\n  dct:identifier {} ;\n  dct:title {} .\n",
            part(s, "output"),
            literal(&format!("{}#output", s.identifier)),
            text(s.output)
        );
    }
    if let Some((minor, currency)) = s.cost {
        let cur = format!("<http://publications.europa.eu/resource/authority/currency/{currency}>");
        let _ = writeln!(
            out,
            "{} a cv:Cost ;\n  dct:identifier {} ;\n  cv:value \"{}.{:02}\"^^xsd:double ;\n  cv:currency {cur} .\n",
            part(s, "cost"),
            literal(&format!("{}#cost", s.identifier)),
            minor / 100,
            minor % 100
        );
        let _ = writeln!(out, "{cur} a skos:Concept .\n");
    }
    if !s.audience.is_empty() {
        let _ = writeln!(out, "{} a skos:Concept ;\n  skos:prefLabel {} .", part(s, "audience"), text(s.audience));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turtle_has_the_mandatory_properties_and_escapes_text() {
        let langs = vec!["lv".to_string(), "en".to_string()];
        let ttl = turtle(&PublicService {
            iri: "https://u.example/services/1",
            identifier: "urn:urbis:service:1",
            title: "Rent \"help\"\nonline",
            description: "Apply once.",
            text_language: "en",
            authority_iri: "https://u.example/cities/riga",
            authority_name: "Riga",
            country_code: "LV",
            vocabulary: "https://u.example/vocabulary",
            focus_area: "housing",
            channels: &[Channel::Online],
            languages: &langs,
            audience: "Tenants",
            output: "A decision",
            cost: Some((1250, "EUR")),
            page: "https://u.example/services/1",
        });
        for needle in [
            "<https://u.example/services/1> a cpsv:PublicService ;",
            "dct:identifier \"urn:urbis:service:1\" ;",
            "dct:title \"Rent \\\"help\\\"\\nonline\"@en ;",
            "cv:hasCompetentAuthority <https://u.example/cities/riga> ;",
            "<https://u.example/cities/riga> a cv:PublicOrganisation ;",
            "dct:spatial <http://publications.europa.eu/resource/authority/country/LVA> .",
            "<http://publications.europa.eu/resource/authority/language/LAV> a dct:LinguisticSystem .",
            "cv:value \"12.50\"^^xsd:double ;",
            "a cv:Channel ;",
        ] {
            assert!(ttl.contains(needle), "missing {needle:?} in\n{ttl}");
        }
        assert_eq!(iri("https://x.example/a b"), "<https://x.example/a%20b>");
    }
}
