//! The indicator formulas and the CSV import against `data/test-vectors/indicators.toml`, and the
//! parse constructors of the service plan.

use super::*;
use chrono::NaiveDate;
use toml::Value;

fn vectors() -> toml::Table {
    include_str!("../../../../data/test-vectors/indicators.toml").parse().expect("vectors parse")
}

fn f(v: &Value) -> f64 {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).expect("number")
}

fn d(v: &Value) -> NaiveDate {
    let t = v.as_datetime().expect("date").to_string();
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").expect("plain date")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn goal(case: &Value) -> Goal {
    Goal {
        direction: Direction::parse(case["direction"].as_str().unwrap()).unwrap(),
        baseline_value: f(&case["baseline"]["value"]),
        baseline_date: d(&case["baseline"]["date"]),
        target_value: f(&case["target"]["value"]),
        target_date: d(&case["target"]["date"]),
    }
}

#[test]
fn indicator_vectors() {
    let v = vectors();
    let cases = v["indicator"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let g = goal(case);
        let points: Vec<Point> = case["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| Point {
                date: d(&m["date"]),
                value: f(&m["value"]),
                quality: Quality::parse(m["quality"].as_str().unwrap()).unwrap(),
            })
            .collect();
        let e = evaluate(&g, &points);
        assert_eq!(e.status.as_str(), case["status"].as_str().unwrap(), "{name}: status");
        match case.get("progress") {
            Some(p) => {
                assert!(close(e.progress.unwrap(), f(p)), "{name}: progress {:?}", e.progress);
                assert!(close(e.expected.unwrap(), f(&case["expected"])), "{name}: expected {:?}", e.expected);
            }
            None => assert!(e.progress.is_none() && e.expected.is_none() && e.latest.is_none(), "{name}"),
        }
    }
}

#[test]
fn expected_vectors() {
    let v = vectors();
    let g = goal(&v["indicator"].as_array().unwrap()[0]);
    for case in v["expected"].as_array().unwrap() {
        assert!(close(expected(&g, d(&case["date"])), f(&case["expected"])), "{case:?}");
    }
}

#[test]
fn csv_vectors() {
    let spec = BreakdownSpec::parse("age_band=16-24|25-64|65+").unwrap();
    let baseline = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    for case in vectors()["csv"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let expected_errors: Vec<(usize, String, String)> = case["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_integer().unwrap() as usize,
                    e["field"].as_str().unwrap().to_string(),
                    e["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        match parse_measurements_csv(case["text"].as_str().unwrap(), &spec, baseline) {
            Ok(rows) => {
                assert!(expected_errors.is_empty(), "{name}: expected errors");
                assert_eq!(rows.len() as i64, case["rows"].as_integer().unwrap(), "{name}");
            }
            Err(errors) => {
                let got: Vec<(usize, String, String)> =
                    errors.iter().map(|e| (e.row, e.field.clone(), e.code.to_string())).collect();
                assert_eq!(got, expected_errors, "{name}");
            }
        }
    }
}

#[test]
fn csv_quoting_and_line_endings() {
    let spec = BreakdownSpec::parse("district=centre|north").unwrap();
    let baseline = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let text = "\u{feff}date,value,note,breakdown\r\n2021-02-01,\"12.5\",\"said \"\"faster\"\", with commas\",district=north\r\n\r\n";
    let rows = parse_measurements_csv(text, &spec, baseline).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].note, "said \"faster\", with commas");
    assert_eq!(rows[0].breakdown.key(), "district=north");
    assert_eq!(rows[0].quality, Quality::Final);
    let e = parse_measurements_csv("date,value\n2021-02-01,\"5\n", &spec, baseline).unwrap_err();
    assert_eq!(e[0].code, "unterminated-quote");
    let e = parse_measurements_csv("date,value\n2021-02-01\n", &spec, baseline).unwrap_err();
    assert_eq!((e[0].row, e[0].code), (2, "wrong-column-count"));
    assert_eq!(parse_measurements_csv("", &spec, baseline).unwrap_err()[0].code, "empty-file");
    assert_eq!(parse_measurements_csv("date,value\n", &spec, baseline).unwrap_err()[0].code, "empty-file");
}

/// Found by `proptests::measurements_csv_never_panics_and_names_row_and_column`: a header with a
/// column without a name (a trailing comma, as spreadsheets write) was refused naming the field `""`.
#[test]
fn a_column_without_a_name_is_named_by_its_position() {
    let spec = BreakdownSpec::parse("district=centre|north").unwrap();
    let baseline = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let e = parse_measurements_csv(
        "date,value,
2021-02-01,5,
",
        &spec,
        baseline,
    )
    .unwrap_err();
    let got: Vec<(usize, &str, &str)> = e.iter().map(|e| (e.row, e.field.as_str(), e.code)).collect();
    assert_eq!(got, [(1, "column-3", "unnamed-column")]);
    let e = parse_measurements_csv(",", &spec, baseline).unwrap_err();
    assert!(e.iter().all(|e| !e.field.is_empty()), "{e:?}");
}

#[test]
fn breakdowns() {
    let spec = BreakdownSpec::parse("district = centre|north ; age_band=16-24|65+").unwrap();
    assert_eq!(spec.to_text(), "age_band=16-24|65+; district=centre|north");
    assert_eq!(BreakdownSpec::parse(&spec.to_text()).unwrap(), spec);
    let b = Breakdown::parse("district=north;age_band=65+", &spec).unwrap();
    assert_eq!(b.key(), "age_band=65+;district=north");
    assert_eq!(Breakdown::from_key(&b.key()), b);
    assert!(Breakdown::parse("", &spec).unwrap().is_total());
    assert_eq!(Breakdown::parse("district=south", &spec).unwrap_err().code, "unknown-breakdown");
    assert_eq!(Breakdown::parse("colour=red", &spec).unwrap_err().code, "unknown-breakdown");
    assert_eq!(Breakdown::parse("north", &spec).unwrap_err().code, "invalid-breakdown");
    assert_eq!(Breakdown::parse("district=north;district=centre", &spec).unwrap_err().code, "invalid-breakdown");
    for bad in ["district", "Dist=a", "d=a|", "d=a;d=b", "d=a,b"] {
        assert!(BreakdownSpec::parse(bad).is_err(), "{bad}");
    }
}

fn raw_indicator() -> RawIndicator {
    RawIndicator {
        name: "Applications completed online".into(),
        unit: "%".into(),
        direction: "increase".into(),
        baseline_value: "40".into(),
        baseline_date: "2021-01-01".into(),
        target_value: "80".into(),
        target_date: "2022-01-01".into(),
        ..Default::default()
    }
}

#[test]
fn indicator_definitions_are_checked() {
    let i = IndicatorInput::parse(&raw_indicator()).unwrap();
    assert_eq!(i.goal.target_value, 80.0);
    let e = IndicatorInput::parse(&RawIndicator { target_value: "30".into(), ..raw_indicator() }).unwrap_err();
    assert_eq!((e.0[0].field.as_str(), e.0[0].code), ("target.value", "target-direction"));
    let e = IndicatorInput::parse(&RawIndicator { target_date: "2020-06-01".into(), ..raw_indicator() }).unwrap_err();
    assert_eq!((e.0[0].field.as_str(), e.0[0].code), ("target.date", "target-before-baseline"));
    let e = IndicatorInput::parse(&RawIndicator {
        name: " ".into(),
        direction: "up".into(),
        baseline_value: "forty".into(),
        baseline_date: "1/1/2021".into(),
        ..raw_indicator()
    })
    .unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(fields, ["name", "direction", "baseline.value", "baseline.date"]);
    for bad in ["NaN", "inf", "1e3", "", "1,5"] {
        assert!(parse_number("value", bad).is_err(), "{bad}");
    }
    assert_eq!(parse_number("value", "-12.5").unwrap(), -12.5);
}

#[test]
fn measurements_are_checked() {
    let spec = BreakdownSpec::parse("district=north").unwrap();
    let base = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let m = MeasurementInput::parse("2021-01-01", "3", "", "", "", &spec, base).unwrap();
    assert_eq!(m.quality, Quality::Final);
    let e = MeasurementInput::parse("2020-12-31", "x", "best", "district=south", "", &spec, base).unwrap_err();
    let codes: Vec<(&str, &str)> = e.0.iter().map(|x| (x.field.as_str(), x.code)).collect();
    assert_eq!(
        codes,
        [
            ("date", "before-baseline"),
            ("value", "not-a-number"),
            ("quality", "invalid-choice"),
            ("breakdown", "unknown-breakdown")
        ]
    );
}

#[test]
fn services_and_plan_inputs() {
    let caps = vec!["digital-vision".to_string(), "governance".to_string()];
    let raw = RawService {
        title: "Housing benefit online".into(),
        description: "Apply for housing support in one go.".into(),
        focus_area: "housing".into(),
        channels: vec!["online".into(), "phone".into(), "online".into()],
        languages: vec!["LV".into(), "en".into()],
        cost: "12.5".into(),
        currency: "eur".into(),
        builds_on: vec!["governance".into()],
        ..Default::default()
    };
    let s = ServiceInput::parse(&raw, &caps).unwrap();
    assert_eq!(s.phase, PhaseKind::Discovery);
    assert_eq!(s.channels, [Channel::Online, Channel::Phone]);
    assert_eq!(s.languages, ["lv", "en"]);
    assert_eq!((s.cost_minor, s.currency.as_str()), (Some(1250), "EUR"));
    assert_eq!(format_money(1250), "12.50");
    let e = ServiceInput::parse(
        &RawService {
            title: "".into(),
            focus_area: "parks".into(),
            languages: vec!["xx".into()],
            cost: "1.234".into(),
            builds_on: vec!["magic".into()],
            ..raw.clone()
        },
        &caps,
    )
    .unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(fields, ["title", "focus_area", "languages", "cost", "builds_on"]);

    let p = PhaseInput::parse(
        "alpha",
        "2021-01-01",
        "2021-03-31",
        "Test the riskiest ideas",
        "met",
        "",
        &["3".into(), "1".into()],
    )
    .unwrap();
    assert_eq!(p.exit_checklist, [1, 3]);
    let e = PhaseInput::parse("gamma", "2021-04-01", "2021-03-31", "", "maybe", "", &["15".into()]).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(fields, ["kind", "ends_on", "goal", "exit_result", "exit_checklist"]);
    let e = PhaseInput::parse("beta", "2021-04-01", "2021-03-31", "g", "", "", &[]).unwrap_err();
    assert_eq!(e.0[0].code, "before-start");

    assert_eq!(MilestoneInput::parse("Private beta", "2021-06-01", "").unwrap().state, MilestoneState::Planned);
    assert_eq!(MilestoneInput::parse("", "soon", "late").unwrap_err().0.len(), 3);

    let r =
        ResearchInput::parse("2021-02-03", "Interviews", "8", "People print the form", "", "Forms, print, forms", "")
            .unwrap();
    assert_eq!(r.tags, ["forms", "print"]);
    let e = ResearchInput::parse("", "", "-1", "", "", "", "").unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
    assert_eq!(fields, ["held_on", "title", "participants", "findings"]);
    for k in FocusArea::ALL {
        assert_eq!(FocusArea::parse(k.as_str()).unwrap(), *k);
    }
    assert_eq!(SERVICE_STANDARD.len(), 14);
}
