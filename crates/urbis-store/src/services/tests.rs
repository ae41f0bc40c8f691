//! Store tests of the `services` capability, each run on SQLite and on PostgreSQL.

use crate::testing::TestDb;
use crate::tests::fixtures::{person, programme_id, riga, service_input};
use crate::{StoreError, both_backends};
use urbis_domain::services::{
    BreakdownSpec, IndicatorInput, MeasurementInput, MilestoneInput, PhaseInput, RawIndicator, ResearchInput,
    parse_measurements_csv,
};

/// A global admin, the reference programme and Riga: (person, programme id, Riga's id).
async fn setup(db: &TestDb) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    (person(db, "lead@riga.example", "Laura Lead").await, programme_id(db).await, riga(db).await.id)
}

/// An indicator of the share of something, from 40 to 80 % in 2021, broken down by two age bands.
fn indicator_input(name: &str) -> IndicatorInput {
    let raw = RawIndicator {
        name: name.into(),
        unit: "%".into(),
        direction: "increase".into(),
        baseline_value: "40".into(),
        baseline_date: "2021-01-01".into(),
        target_value: "80".into(),
        target_date: "2021-04-11".into(),
        breakdowns: "age_band=16-24|65+".into(),
        ..Default::default()
    };
    IndicatorInput::parse(&raw).unwrap()
}

both_backends!(services_are_versioned_unique_and_audited, true, |db: TestDb| async move {
    let s = &db.store;
    let (me, programme, riga) = setup(&db).await;
    let created =
        s.create_service(Some(me), riga, programme, &service_input("Rent support"), false, false).await.unwrap();
    assert_eq!((created.version, created.published, created.organisation_slug.as_str()), (1, false, "riga"));
    assert_eq!(created.languages, ["lv", "en"]);
    assert_eq!(created.cost_minor, Some(0));
    let again = s.create_service(Some(me), riga, programme, &service_input("Second"), false, false).await.unwrap_err();
    assert!(matches!(again, StoreError::Refused { code: "service-exists", .. }), "{again:?}");

    let updated = s.update_service(me, created.id, 1, &service_input("Rent support online"), true).await.unwrap();
    assert_eq!((updated.version, updated.published, updated.title.as_str()), (2, true, "Rent support online"));
    let stale = s.update_service(me, created.id, 1, &service_input("Lost update"), false).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { expected: 1, actual: 2 }));
    assert_eq!(s.service(created.id).await.unwrap().title, "Rent support online", "nothing written on conflict");
    let log = s.audit_for("service", &created.id.to_string()).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["service.update", "service.create"]);
    assert_eq!(log[0].before.as_ref().unwrap()["title"], "Rent support");
    assert_eq!(s.programme_services(programme).await.unwrap().len(), 1);
    assert_eq!(s.organisation_services(riga).await.unwrap()[0].id, created.id);
});

both_backends!(plan_phases_milestones_research, true, |db: TestDb| async move {
    let s = &db.store;
    let (me, programme, riga) = setup(&db).await;
    let svc = s.create_service(Some(me), riga, programme, &service_input("Rent support"), false, false).await.unwrap();
    let alpha = PhaseInput::parse("alpha", "2021-03-01", "2021-05-31", "Try three ideas", "", "", &[]).unwrap();
    let disc =
        PhaseInput::parse("discovery", "2021-01-01", "2021-02-28", "Learn", "met", "Good", &["1".into()]).unwrap();
    let a = s.put_phase(Some(me), svc.id, &alpha, None).await.unwrap();
    s.put_phase(Some(me), svc.id, &disc, None).await.unwrap();
    let kinds: Vec<&str> = s.phases(svc.id).await.unwrap().iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["discovery", "alpha"], "in the order of the standard");
    let dup = s.put_phase(Some(me), svc.id, &alpha, None).await.unwrap_err();
    assert!(matches!(dup, StoreError::Refused { code: "phase-exists", .. }));
    let done = PhaseInput::parse(
        "alpha",
        "2021-03-01",
        "2021-05-31",
        "Try three ideas",
        "met",
        "Passed",
        &["1".into(), "2".into()],
    )
    .unwrap();
    let changed = s.put_phase(Some(me), svc.id, &done, Some(a.version)).await.unwrap();
    assert_eq!((changed.version, changed.exit_checklist.clone()), (2, vec![1, 2]));
    assert!(matches!(s.put_phase(Some(me), svc.id, &done, Some(1)).await, Err(StoreError::Conflict { .. })));

    let m = s.add_milestone(Some(me), svc.id, &MilestoneInput::parse("Beta", "2021-09-01", "").unwrap()).await.unwrap();
    let m2 =
        s.update_milestone(me, m.id, 1, &MilestoneInput::parse("Beta", "2021-09-01", "done").unwrap()).await.unwrap();
    assert_eq!((m2.version, m2.state.as_str()), (2, "done"));
    assert!(matches!(
        s.update_milestone(me, m.id, 1, &MilestoneInput::parse("x", "2021-09-01", "").unwrap()).await,
        Err(StoreError::Conflict { .. })
    ));
    let r = ResearchInput::parse(
        "2021-02-01",
        "Interviews",
        "8",
        "Forms are printed",
        "“I print it”",
        "forms",
        "Go paperless",
    )
    .unwrap();
    s.add_research(Some(me), svc.id, &r).await.unwrap();
    let log = s.research(svc.id).await.unwrap();
    assert_eq!(
        (log.len(), log[0].decision.as_str(), log[0].tags.clone()),
        (1, "Go paperless", vec!["forms".to_string()])
    );
    let actions: Vec<String> =
        s.audit_for("service", &svc.id.to_string()).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "service.phase").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "service.milestone").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "service.research").count(), 1);
});

both_backends!(measurements_import_is_idempotent, true, |db: TestDb| async move {
    let s = &db.store;
    let (me, programme, riga) = setup(&db).await;
    let svc = s.create_service(Some(me), riga, programme, &service_input("Rent support"), false, false).await.unwrap();
    let ind = s.create_indicator(Some(me), svc.id, &indicator_input("Applications online")).await.unwrap();
    assert_eq!(ind.breakdowns, BreakdownSpec::parse("age_band=16-24|65+").unwrap());
    let csv = "date,value,quality,breakdown,note\n2021-02-20,58,final,,\n2021-02-20,70,final,age_band=16-24,\n2021-03-22,79,estimated,,guess\n";
    let rows = parse_measurements_csv(csv, &ind.breakdowns, ind.goal.baseline_date).unwrap();
    let first = s.put_measurements(Some(me), ind.id, &rows).await.unwrap();
    assert_eq!((first.added, first.changed, first.unchanged), (3, 0, 0));
    let audit_len = s.audit_for("indicator", &ind.id.to_string()).await.unwrap().len();
    let second = s.put_measurements(Some(me), ind.id, &rows).await.unwrap();
    assert_eq!((second.added, second.changed, second.unchanged), (0, 0, 3));
    assert_eq!(s.audit_for("indicator", &ind.id.to_string()).await.unwrap().len(), audit_len, "no audit noise");
    assert_eq!(s.indicator(ind.id).await.unwrap().version, 2, "version moves only on a change");
    let fix = vec![
        MeasurementInput::parse("2021-02-20", "60", "final", "", "revised", &ind.breakdowns, ind.goal.baseline_date)
            .unwrap(),
    ];
    let third = s.put_measurements(Some(me), ind.id, &fix).await.unwrap();
    assert_eq!((third.added, third.changed), (0, 1));
    let all = s.measurements(ind.id).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!((all[0].value, all[0].note.as_str(), all[0].breakdown.is_total()), (60.0, "revised", true));
    assert_eq!(all[1].breakdown.key(), "age_band=16-24");
    let totals = s.programme_totals(programme).await.unwrap();
    assert_eq!(totals[&ind.id].len(), 2, "the total series only");
    assert_eq!(s.programme_indicators(programme).await.unwrap().len(), 1);
    let last = s.audit_for("indicator", &ind.id.to_string()).await.unwrap();
    assert_eq!(last[0].before.as_ref().unwrap()["value"], 58.0);
    assert_eq!(last[0].after.as_ref().unwrap()["value"], 60.0);
});

both_backends!(measurements_of_many_indicators_equal_each_indicators_own, true, |db: TestDb| async move {
    let s = &db.store;
    let (me, programme, riga) = setup(&db).await;
    let svc = s.create_service(Some(me), riga, programme, &service_input("Rent support"), false, false).await.unwrap();
    let mut ids = vec![];
    for name in ["Applications online", "Calls answered", "Nothing measured yet"] {
        ids.push(s.create_indicator(Some(me), svc.id, &indicator_input(name)).await.unwrap());
    }
    // Rows written out of order, with breakdowns, so that the order of the series is tested too.
    let csvs = [
        "date,value,quality,breakdown,note\n2021-03-22,79,estimated,,\n2021-02-20,70,final,age_band=65+,\n\
         2021-02-20,58,final,,\n2021-02-20,61,final,age_band=16-24,\n",
        "date,value,quality,breakdown,note\n2021-04-01,12,final,,\n2021-01-15,9,final,,first\n",
    ];
    for (ind, csv) in ids.iter().zip(csvs) {
        let rows = parse_measurements_csv(csv, &ind.breakdowns, ind.goal.baseline_date).unwrap();
        s.put_measurements(Some(me), ind.id, &rows).await.unwrap();
    }
    let wanted: Vec<uuid::Uuid> = ids.iter().map(|i| i.id).collect();
    let batched = s.measurements_of(&wanted).await.unwrap();
    assert_eq!(batched.len(), 3, "every requested indicator is in the map");
    for id in &wanted {
        assert_eq!(batched[id], s.measurements(*id).await.unwrap(), "the same series as measurements()");
    }
    assert_eq!(batched[&wanted[0]].len(), 4);
    assert!(batched[&wanted[2]].is_empty(), "an indicator without measurements has an empty series");
    assert!(s.measurements_of(&[]).await.unwrap().is_empty());
    // More ids than one statement binds: the unknown ones come back empty, the known ones whole.
    let mut many: Vec<uuid::Uuid> = (0..600).map(|_| uuid::Uuid::now_v7()).collect();
    many.insert(550, wanted[1]);
    let batched = s.measurements_of(&many).await.unwrap();
    assert_eq!(batched.len(), 601);
    assert_eq!(batched[&wanted[1]], s.measurements(wanted[1]).await.unwrap());
    assert_eq!(batched.values().filter(|v| !v.is_empty()).count(), 1);
});
