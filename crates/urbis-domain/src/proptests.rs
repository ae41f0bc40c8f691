//! Property tests of every parser of outside input in the domain: for arbitrary text (any unicode,
//! and arbitrary bytes read as a lossy string) a parser never panics, and its errors name a field
//! it knows and a reason; what is written back (a date, a number, an amount, a breakdown, a CSV
//! file) parses back to the same value. Case counts stay moderate so the test suite stays fast.

use crate::diagnostic::pulse::check_campaign;
use crate::diagnostic::{PeerGroup, PlanItemInput, WaveInput};
use crate::network::{
    AccountChange, CountryCode, Email, InvitationRequest, NewAccount, PopulationBand, Region, Slug, TimeZone, Website,
};
use crate::services::service::parse_money;
use crate::services::{
    Breakdown, BreakdownSpec, IndicatorInput, MeasurementInput, MilestoneInput, PhaseInput, Quality, RawIndicator,
    RawService, ResearchInput, ServiceInput, format_money, parse_date, parse_measurements_csv, parse_number,
};
use crate::{FieldError, Invalid};
use chrono::NaiveDate;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() }
}

/// Any text: arbitrary unicode, or arbitrary bytes read as UTF-8 with replacement, or text made of
/// the characters parsers split on (so that their branches are reached).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[-0-9a-z.,;:=|\"' \\t\\r\\n+eEé\u{202e}\u{0}]{0,40}",
        "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}",
    ]
}

/// An error names one of `fields` and says why.
fn names(e: &FieldError, fields: &[&str]) -> Result<(), TestCaseError> {
    prop_assert!(fields.contains(&e.field.as_str()), "unexpected field {:?} in {e:?}", e.field);
    prop_assert!(!e.code.is_empty() && !e.message.trim().is_empty(), "{e:?}");
    Ok(())
}

fn all_name(r: Result<(), Invalid>, fields: &[&str]) -> Result<(), TestCaseError> {
    if let Err(invalid) = r {
        prop_assert!(!invalid.0.is_empty(), "an Invalid with no error");
        for e in &invalid.0 {
            names(e, fields)?;
        }
    }
    Ok(())
}

fn spec() -> BreakdownSpec {
    BreakdownSpec::parse("age_band=16-24|25-64|65+; district=north|south").unwrap()
}

/// One CSV cell written as RFC 4180 says: quoted when it holds a separator, quote or line break.
fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

prop_compose! {
    fn measurement()(
        day in 0u64..20_000,
        value in prop_oneof![any::<f64>().prop_filter("finite", |v| v.is_finite()), -1e6f64..1e6, Just(0.0), Just(-0.0)],
        quality in prop::sample::select(Quality::ALL.to_vec()),
        age in prop::option::of(prop::sample::select(vec!["16-24", "25-64", "65+"])),
        district in prop::option::of(prop::sample::select(vec!["north", "south"])),
        note in "[a-zA-Z0-9 ,;=\"'|é\n-]{0,30}",
    ) -> MeasurementInput {
        let mut breakdown = Breakdown::default();
        if let Some(a) = age { breakdown.0.insert("age_band".into(), a.into()); }
        if let Some(d) = district { breakdown.0.insert("district".into(), d.into()); }
        MeasurementInput {
            date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(day),
            breakdown,
            value,
            quality,
            note: note.trim().to_string(),
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn measurements_csv_never_panics_and_names_row_and_column(body in text(), header in prop::sample::select(vec![
        "date,value,quality,breakdown,note\n", "date,value\n", "value,date,note\r\n", "", "date,value,extra\n",
    ])) {
        let base = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        if let Err(errors) = parse_measurements_csv(&format!("{header}{body}"), &spec(), base) {
            prop_assert!(!errors.is_empty());
            for e in &errors {
                prop_assert!(e.row >= 1, "{e:?}");
                prop_assert!(!e.field.is_empty() && !e.code.is_empty() && !e.message.is_empty(), "{e:?}");
            }
        }
    }

    /// A file written with RFC 4180 quoting (LF or CRLF, a BOM or not, any column order) imports
    /// back to exactly the measurements written.
    #[test]
    fn measurements_csv_round_trips(
        rows in proptest::collection::vec(measurement(), 1..20),
        crlf in any::<bool>(),
        bom in any::<bool>(),
        order in Just(["date", "value", "quality", "breakdown", "note"]).prop_shuffle(),
    ) {
        let mut rows = rows;
        rows.sort_by_key(|m| (m.date, m.breakdown.key()));
        rows.dedup_by_key(|m| (m.date, m.breakdown.key()));
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut csv = String::from(if bom { "\u{feff}" } else { "" });
        csv += &order.join(",");
        for m in &rows {
            csv += nl;
            let cells: Vec<String> = order.iter().map(|c| match *c {
                "date" => m.date.to_string(),
                "value" => m.value.to_string(),
                "quality" => m.quality.to_string(),
                "breakdown" => m.breakdown.key(),
                _ => m.note.clone(),
            }).collect();
            csv += &cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
        }
        let base = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let back = parse_measurements_csv(&csv, &spec(), base);
        prop_assert_eq!(back, Ok(rows), "{}", csv);
    }

    /// One wrong value in an otherwise good file is reported at its row and column, and only it.
    #[test]
    fn a_wrong_cell_is_named_by_row_and_column(
        rows in proptest::collection::vec(measurement(), 2..10),
        pick in any::<prop::sample::Index>(),
        column in prop::sample::select(vec![("date", "31.12.2021"), ("value", "12,5"), ("quality", "guessed"),
                                            ("breakdown", "age_band=99+"), ("note", "\u{7}")]),
    ) {
        let mut rows = rows;
        rows.sort_by_key(|m| (m.date, m.breakdown.key()));
        rows.dedup_by_key(|m| (m.date, m.breakdown.key()));
        let bad = pick.index(rows.len());
        let mut csv = String::from("date,value,quality,breakdown,note");
        for (i, m) in rows.iter().enumerate() {
            let mut cells = [m.date.to_string(), m.value.to_string(), m.quality.to_string(), m.breakdown.key(), m.note.clone()];
            if i == bad {
                let at = ["date", "value", "quality", "breakdown", "note"].iter().position(|c| *c == column.0).unwrap();
                cells[at] = column.1.to_string();
            }
            csv += "\n";
            csv += &cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
        }
        let base = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let errors = parse_measurements_csv(&csv, &spec(), base).unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        let want: Vec<(usize, &str)> = vec![(bad + 2, column.0)];
        prop_assert_eq!(got, want);
    }

    #[test]
    fn dates_parse_back_and_errors_name_the_field(s in text(), days in -1_000_000i64..1_000_000) {
        if let Err(e) = parse_date("due_on", &s) {
            names(&e, &["due_on"])?;
        }
        let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
        // What Urbis writes (the ISO form) it reads back, for every date it accepts.
        if let Ok(d) = parse_date("d", &date.to_string()) {
            prop_assert_eq!(d, date);
        }
        if let Ok(d) = parse_date("d", &s) {
            prop_assert_eq!(parse_date("d", &d.to_string()), Ok(d), "a date accepted is written so it reads back");
        }
    }

    #[test]
    fn numbers_parse_back_and_are_finite(s in text(), v in any::<f64>()) {
        match parse_number("value", &s) {
            Ok(n) => prop_assert!(n.is_finite()),
            Err(e) => names(&e, &["value"])?,
        }
        if v.is_finite() {
            prop_assert_eq!(parse_number("value", &v.to_string()), Ok(v));
        }
    }

    #[test]
    fn money_parses_back(s in text(), minor in 0i64..100_000_000_000_000) {
        match parse_money("cost", &s) {
            Ok(m) => {
                prop_assert!(m >= 0);
                prop_assert_eq!(parse_money("cost", &format_money(m)), Ok(m));
            }
            Err(e) => names(&e, &["cost"])?,
        }
        prop_assert_eq!(parse_money("cost", &format_money(minor)), Ok(minor));
    }

    #[test]
    fn breakdowns_parse_back(s in text(), b in "[a-z_]{1,8}=[a-z0-9+-]{1,6}(\\|[a-z0-9+-]{1,6}){0,3}(; [a-z_]{1,8}=[a-z0-9+-]{1,6}){0,3}") {
        match BreakdownSpec::parse(&s) {
            Ok(spec) => prop_assert_eq!(BreakdownSpec::parse(&spec.to_text()), Ok(spec.clone())),
            Err(e) => names(&e, &["breakdowns"])?,
        }
        if let Ok(spec) = BreakdownSpec::parse(&b) {
            prop_assert_eq!(BreakdownSpec::parse(&spec.to_text()), Ok(spec.clone()));
            // Every breakdown the spec allows is written as a key that parses back to it.
            let one: Breakdown = Breakdown(spec.0.iter().map(|(d, v)| (d.clone(), v[0].clone())).collect());
            prop_assert_eq!(Breakdown::parse(&one.key(), &spec), Ok(one.clone()));
            prop_assert_eq!(Breakdown::from_key(&one.key()), one);
        }
        if let Err(e) = Breakdown::parse(&s, &spec()) {
            names(&e, &["breakdown"])?;
        }
    }

    #[test]
    fn measurement_and_indicator_fields_never_panic(f in proptest::array::uniform11(text())) {
        let base = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        all_name(MeasurementInput::parse(&f[0], &f[1], &f[2], &f[3], &f[4], &spec(), base).map(|_| ()),
                 &["date", "value", "quality", "breakdown", "note"])?;
        let raw = RawIndicator {
            name: f[0].clone(), description: f[1].clone(), unit: f[2].clone(), direction: f[3].clone(),
            baseline_value: f[4].clone(), baseline_date: f[5].clone(), target_value: f[6].clone(),
            target_date: f[7].clone(), data_source: f[8].clone(), method: f[9].clone(), breakdowns: f[10].clone(),
        };
        all_name(IndicatorInput::parse(&raw).map(|_| ()), &["name", "description", "unit", "direction",
            "baseline.value", "baseline.date", "target.value", "target.date", "data_source", "method", "breakdowns"])?;
    }

    #[test]
    fn service_fields_never_panic(f in proptest::array::uniform12(text()), lists in proptest::collection::vec(text(), 0..4)) {
        let raw = RawService {
            title: f[0].clone(), description: f[1].clone(), focus_area: f[2].clone(), phase: f[3].clone(),
            problem: f[4].clone(), audience: f[5].clone(), team: f[6].clone(), channels: lists.clone(),
            languages: lists.clone(), output: f[7].clone(), cost: f[8].clone(), currency: f[9].clone(),
            builds_on: lists.clone(),
        };
        all_name(ServiceInput::parse(&raw, &["governance".to_string()]).map(|_| ()), &["title", "description",
            "focus_area", "phase", "problem", "audience", "team", "channels", "languages", "output", "cost",
            "currency", "builds_on"])?;
        all_name(PhaseInput::parse(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &lists).map(|_| ()),
                 &["kind", "starts_on", "ends_on", "goal", "exit_result", "exit_notes", "exit_checklist"])?;
        all_name(MilestoneInput::parse(&f[0], &f[1], &f[2]).map(|_| ()), &["title", "due_on", "state"])?;
        all_name(ResearchInput::parse(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6]).map(|_| ()),
                 &["held_on", "title", "participants", "findings", "quotes", "tags", "decision"])?;
    }

    #[test]
    fn diagnostic_fields_never_panic(f in proptest::array::uniform6(text())) {
        all_name(PlanItemInput::parse(&["governance", "data"], &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]).map(|_| ()),
                 &["capability", "title", "description", "owner", "due_on", "status"])?;
        all_name(WaveInput::parse(&f[0], &f[1], &f[2], &f[3]).map(|_| ()), &["slug", "name", "opens_on", "closes_on"])?;
        all_name(check_campaign(&f[0], &f[1], &f[2]).map(|_| ()), &["title", "opens_on", "closes_on"])?;
        all_name(PeerGroup::parse(Some(&f[0]), Some(&f[1])).map(|_| ()), &["region", "population_band"])?;
    }

    #[test]
    fn network_fields_never_panic(f in proptest::array::uniform4(text()), lat in any::<f64>(), lon in any::<f64>(), listed in any::<bool>()) {
        for (r, field) in [
            (Slug::parse(&f[0]).map(|_| ()), "slug"),
            (Email::parse(&f[0]).map(|_| ()), "email"),
            (CountryCode::parse(&f[0]).map(|_| ()), "country"),
            (Region::parse(&f[0]).map(|_| ()), "region"),
            (PopulationBand::parse(&f[0]).map(|_| ()), "population_band"),
            (TimeZone::parse(&f[0]).map(|_| ()), "timezone"),
            (Website::parse(&f[0]).map(|_| ()), "website"),
            (crate::network::Coordinates::parse(lat, lon).map(|_| ()), "coordinates"),
        ] {
            if let Err(e) = r {
                prop_assert!(!e.field.is_empty() && !e.message.is_empty(), "{field}: {e:?}");
            }
        }
        if let Ok(slug) = Slug::parse(&f[0]) {
            prop_assert_eq!(Slug::parse(slug.as_str()).map(|s| s.as_str().to_string()), Ok(slug.as_str().to_string()));
        }
        all_name(InvitationRequest::parse(&f[0], &f[1], &f[2]).map(|_| ()), &["email", "name", "role"])?;
        all_name(NewAccount::parse(&f[0], &f[1], Some(&f[2]), listed).map(|_| ()), &["name", "password", "password_confirm"])?;
        all_name(AccountChange::parse(&f[0], &f[1], listed, &f[3], &["en", "de", "fr"]).map(|_| ()),
                 &["name", "job_title", "locale", "listed"])?;
    }
}
