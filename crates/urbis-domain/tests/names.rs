//! Every name and title a person can type (people, organisations, services, campaigns, waves,
//! plan items, milestones, research sessions, indicators) refuses the bidirectional control
//! characters, with an error naming the field (issue 9, item 11).

use urbis_domain::Invalid;
use urbis_domain::diagnostic::pulse::check_campaign;
use urbis_domain::diagnostic::{PlanItemInput, WaveInput};
use urbis_domain::network::{
    AccountChange, BIDI_CONTROLS, InvitationRequest, NewAccount, optional_name, required_name,
};
use urbis_domain::services::indicator::{IndicatorInput, RawIndicator};
use urbis_domain::services::service::{MilestoneInput, RawService, ResearchInput, ServiceInput};

type Check = fn(&str) -> Result<(), Invalid>;

/// Each input type with a name or title: the field, and a parse of a valid input whose name or
/// title is the given text.
fn inputs() -> Vec<(&'static str, &'static str, Check)> {
    fn ok<T>(r: Result<T, Invalid>) -> Result<(), Invalid> {
        r.map(|_| ())
    }
    vec![
        ("new account", "name", |s| ok(NewAccount::parse(s, "correct horse battery", None, false))),
        ("account", "name", |s| ok(AccountChange::parse(s, "", false, "", &[]))),
        ("account", "job_title", |s| ok(AccountChange::parse("Ana", s, false, "", &[]))),
        ("invitation", "name", |s| ok(InvitationRequest::parse("ana@example.org", s, "city-lead"))),
        ("campaign", "title", |s| ok(check_campaign(s, "2026-03-01", "2026-04-01"))),
        ("wave", "name", |s| ok(WaveInput::parse("t2", s, "2026-03-01", "2026-04-01"))),
        ("plan item", "title", |s| ok(PlanItemInput::parse(&["data"], "data", s, "", "Ana", "", "planned"))),
        ("plan item", "owner", |s| ok(PlanItemInput::parse(&["data"], "data", "Open data", "", s, "", "planned"))),
        ("service", "title", |s| {
            let raw = RawService {
                title: s.into(),
                description: "Permits online".into(),
                focus_area: "housing".into(),
                ..Default::default()
            };
            ok(ServiceInput::parse(&raw, &[]))
        }),
        ("milestone", "title", |s| ok(MilestoneInput::parse(s, "2026-03-01", ""))),
        ("research", "title", |s| ok(ResearchInput::parse("2026-03-01", s, "5", "They wait", "", "", ""))),
        ("indicator", "name", |s| {
            let raw = RawIndicator {
                name: s.into(),
                unit: "%".into(),
                direction: "increase".into(),
                baseline_value: "10".into(),
                baseline_date: "2026-01-01".into(),
                target_value: "20".into(),
                target_date: "2027-01-01".into(),
                ..Default::default()
            };
            ok(IndicatorInput::parse(&raw))
        }),
        // Organisation and city names of pulse recipients and the CLI's `user create --name`
        // call these directly.
        ("required name", "name", |s| required_name("name", s, 200).map(|_| ()).map_err(|e| Invalid(vec![e]))),
        ("optional name", "name", |s| optional_name("name", s, 200).map(|_| ()).map_err(|e| Invalid(vec![e]))),
    ]
}

#[test]
fn names_and_titles_refuse_bidi_controls() {
    for (what, field, check) in inputs() {
        for good in ["Rīga", "Open data for Łódź", "مدينة الرياض", "תל אביב-יפו", "Zoë's 1st \"pilot\""]
        {
            check(good).unwrap_or_else(|e| panic!("{what}: {good:?} refused: {e}"));
        }
        for c in BIDI_CONTROLS {
            for text in [format!("{c}Riga"), format!("Ri{c}ga"), format!("Riga{c}"), format!("txt.{c}exe")] {
                let errors = check(&text).expect_err(&format!("{what}: U+{:04X} accepted", c as u32)).0;
                let e = errors.iter().find(|e| e.field == field).unwrap_or_else(|| panic!("{what}: {errors:?}"));
                assert_eq!(e.code, "bidi-control", "{what} {field}");
                assert!(e.message.contains(&format!("U+{:04X}", c as u32)), "{what}: {}", e.message);
            }
        }
    }
}

#[test]
fn the_refused_set_is_the_documented_one() {
    let mut expected: Vec<u32> = (0x202A..=0x202E).chain(0x2066..=0x2069).collect();
    expected.extend([0x200E, 0x200F, 0x061C]);
    let mut got: Vec<u32> = BIDI_CONTROLS.iter().map(|c| *c as u32).collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
}
