//! Store tests: each is written once and runs on SQLite and on PostgreSQL.

pub(crate) mod fixtures;
mod lost_updates;
mod outbox;
mod parsers;
mod state_races;

use crate::network::{Acceptor, AccountUpdate, NewInvitation, OrganisationPatch};
use crate::testing::TestDb;
use crate::{Page, StoreError, both_backends};
use fixtures::{admin, first_wave, riga_assessment};
use urbis_domain::network::{InvitationState, ParticipationStatus};
use urbis_domain::policy::{Grant, Role, Scope};
use uuid::Uuid;

both_backends!(reference_data_loads_once, true, |db: TestDb| async move {
    let s = &db.store;
    assert_eq!(s.load_reference().await.unwrap(), 0, "second load adds nothing");
    let programmes = s.programmes(Page::new(1, 10)).await.unwrap();
    assert_eq!(programmes.total, 1);
    let p = &programmes.items[0];
    assert_eq!(p.slug, "digital-innovation-initiative");
    let all = s.cohort(p.id, None, Page::all()).await.unwrap();
    assert_eq!(all.total, 29);
    let part = s.cohort(p.id, Some(ParticipationStatus::Participating), Page::all()).await.unwrap();
    assert_eq!(part.total, 21);
    let names: Vec<&str> = all.items.iter().map(|c| c.organisation.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "stable order by name");
    let page2 = s.cohort(p.id, None, Page::new(2, 10)).await.unwrap();
    assert_eq!(page2.items[0].organisation.slug, all.items[10].organisation.slug);
    assert_eq!(s.capabilities().await.unwrap().len(), 5);
    assert_eq!(s.focus_areas().await.unwrap(), ["housing", "mobility", "health", "education", "jobs"]);
    let riga = s.organisation("riga").await.unwrap();
    assert_eq!(riga.country_code, "LV");
    assert_eq!(riga.timezone, "Europe/Riga");
});

both_backends!(profile_updates_are_versioned_and_audited, true, |db: TestDb| async move {
    let s = &db.store;
    let actor = admin(&db).await;
    let riga = s.organisation("riga").await.unwrap();
    let patch = OrganisationPatch { description: Some("Capital of Latvia.".into()), website: None };
    let after = s.update_organisation(actor, riga.id, riga.version, patch.clone()).await.unwrap();
    assert_eq!(after.version, riga.version + 1);
    assert_eq!(s.organisation("riga").await.unwrap().description, "Capital of Latvia.");
    // A second writer still holding the old version loses nothing and changes nothing.
    let stale = OrganisationPatch { description: Some("Overwrite".into()), website: None };
    match s.update_organisation(actor, riga.id, riga.version, stale).await {
        Err(StoreError::Conflict { expected, actual }) => {
            assert_eq!((expected, actual), (riga.version, after.version))
        }
        other => panic!("expected conflict, got {other:?}"),
    }
    assert_eq!(s.organisation("riga").await.unwrap().description, "Capital of Latvia.");
    let log = s.audit_for("organisation", &riga.id.to_string()).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "organisation.update");
    assert_eq!(log[0].actor_id.as_deref(), Some(actor.to_string().as_str()));
    assert_eq!(log[0].before.as_ref().unwrap()["description"], "");
    assert_eq!(log[0].after.as_ref().unwrap()["description"], "Capital of Latvia.");
});

both_backends!(invitations_lifecycle, true, |db: TestDb| async move {
    let s = &db.store;
    let actor = admin(&db).await;
    let prog = s.programme("digital-innovation-initiative").await.unwrap();
    let riga = s.organisation("riga").await.unwrap();
    let new = || NewInvitation {
        email: "lead@riga.example".into(),
        name: "Laura".into(),
        programme_id: prog.id,
        organisation_id: riga.id,
        role: Role::CityLead,
    };
    let (inv, token) = s.create_invitation(actor, new()).await.unwrap();
    assert_eq!(inv.state(crate::now()), InvitationState::Pending);
    assert!(matches!(s.create_invitation(actor, new()).await, Err(StoreError::Refused { field: "email", .. })));
    assert_eq!(s.invitation_by_token(&token).await.unwrap().id, inv.id);
    assert!(matches!(s.invitation_by_token("nope").await, Err(StoreError::NotFound)));

    let (accepted, person) = s
        .accept_invitation(&token, Acceptor::New { name: "Laura Lead".into(), password_hash: "h".into(), listed: true })
        .await
        .unwrap();
    assert_eq!(accepted.state(crate::now()), InvitationState::Accepted);
    assert_eq!(person.email, "lead@riga.example");
    let grants = s.grants(person.id).await.unwrap();
    assert_eq!(grants, vec![Grant { role: Role::CityLead, scope: Scope::Organisation(riga.id) }]);
    // Accepting twice is refused, and so is inviting someone to a role they hold.
    assert!(s.accept_invitation(&token, Acceptor::Existing(person.id)).await.is_err());
    assert!(matches!(s.create_invitation(actor, new()).await, Err(StoreError::Refused { .. })));
    let team = s.team(riga.id).await.unwrap();
    assert_eq!(team.len(), 1);
    assert_eq!(team[0].name, "Laura Lead");
    assert!(team[0].listed);
    let dir = s.directory(Page::new(1, 50)).await.unwrap();
    assert_eq!(dir.total, 1, "only listed people");
    assert_eq!(dir.items[0].memberships[0].scope_slug, "riga");

    // Revoke: only pending ones; a revoked link cannot be accepted.
    let (inv2, token2) = s
        .create_invitation(actor, NewInvitation { email: "m@riga.example".into(), role: Role::CityMember, ..new() })
        .await
        .unwrap();
    assert!(matches!(
        s.revoke_invitation(actor, inv2.id, Some(inv2.version + 5)).await,
        Err(StoreError::Conflict { .. })
    ));
    let revoked = s.revoke_invitation(actor, inv2.id, Some(inv2.version)).await.unwrap();
    assert_eq!(revoked.state(crate::now()), InvitationState::Revoked);
    assert!(s.revoke_invitation(actor, inv2.id, None).await.is_err());
    let r = s
        .accept_invitation(&token2, Acceptor::New { name: "M".into(), password_hash: "h".into(), listed: false })
        .await;
    assert!(matches!(r, Err(StoreError::Refused { .. })));
    assert!(s.person_by_email("m@riga.example").await.unwrap().is_none(), "nothing half-written");
    let listed = s.invitations(prog.id, None, Page::new(1, 10)).await.unwrap();
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items[0].id, inv2.id, "newest first");
    let riga_only = s.invitations(prog.id, Some(riga.id), Page::new(1, 10)).await.unwrap();
    assert_eq!(riga_only.total, 2);
    assert_eq!(s.audit_for("invitation", &inv.id.to_string()).await.unwrap().len(), 2);
});

both_backends!(accounts_sessions_tokens, true, |db: TestDb| async move {
    let s = &db.store;
    let id = admin(&db).await;
    let me = s.person(id).await.unwrap();
    let upd = AccountUpdate { name: "Ada L.".into(), job_title: "CDO".into(), listed: true, locale: "de".into() };
    let after = s.update_account(id, me.version, upd.clone()).await.unwrap();
    assert_eq!(after.locale, "de");
    assert!(matches!(s.update_account(id, me.version, upd).await, Err(StoreError::Conflict { .. })));
    let (session, _) = s.create_session(id).await.unwrap();
    assert_eq!(s.session_person(&session).await.unwrap(), Some(id));
    assert_eq!(s.session_person("forged").await.unwrap(), None);
    s.delete_session(&session).await.unwrap();
    assert_eq!(s.session_person(&session).await.unwrap(), None);
    let (token, _) = s.create_api_token(id).await.unwrap();
    assert_eq!(s.token_person(&token).await.unwrap(), Some(id));
    let (session2, _) = s.create_session(id).await.unwrap();
    s.set_password_hash(Some(id), id, "new").await.unwrap();
    assert_eq!(s.session_person(&session2).await.unwrap(), None, "password change ends sessions");
    assert_eq!(s.token_person(&token).await.unwrap(), None, "password change revokes API tokens");
    assert!(s.api_tokens(id, Page::all()).await.unwrap().items.is_empty());
    assert_eq!(s.credentials("admin@example.org").await.unwrap().unwrap().password_hash.as_deref(), Some("new"));
});

both_backends!(api_tokens_are_listed_and_revoked, true, |db: TestDb| async move {
    let s = &db.store;
    let id = admin(&db).await;
    let (first, _) = s.create_api_token(id).await.unwrap();
    let (second, _) = s.create_api_token(id).await.unwrap();
    let listed = s.api_tokens(id, Page::all()).await.unwrap().items;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|t| t.last_used_at.is_none() && t.id.len() >= 32));
    assert!(listed.iter().all(|t| t.id != first && t.id != second && t.id != crate::auth::hash_token(&first)));
    assert_eq!(s.token_person(&first).await.unwrap(), Some(id));
    let used = s.api_tokens(id, Page::all()).await.unwrap().items;
    let first_id = used.iter().find(|t| t.last_used_at.is_some()).expect("use is noted").id.clone();
    assert!(matches!(s.revoke_api_token(Uuid::now_v7(), &first_id).await, Err(StoreError::NotFound)));
    s.revoke_api_token(id, &first_id).await.unwrap();
    assert_eq!(s.token_person(&first).await.unwrap(), None, "a revoked token stops working at once");
    assert_eq!(s.token_person(&second).await.unwrap(), Some(id));
    assert_eq!(s.audit_for("api-token", &first_id).await.unwrap().len(), 1);
});

both_backends!(sign_in_failures_count_and_restart, true, |db: TestDb| async move {
    let s = &db.store;
    let t0 = crate::now();
    let long_ago = t0 - chrono::Duration::days(1);
    assert_eq!(s.sign_in_failures("k").await.unwrap(), None);
    for n in 1..=3 {
        let c = s.count_sign_in_failure("k", t0 + chrono::Duration::seconds(n), long_ago).await.unwrap();
        assert_eq!(c.failures, n);
        assert_eq!(c.first_at, t0 + chrono::Duration::seconds(1));
    }
    // A count that began before the window restarts.
    let later = t0 + chrono::Duration::hours(1);
    let c = s.count_sign_in_failure("k", later, t0 + chrono::Duration::minutes(30)).await.unwrap();
    assert_eq!((c.failures, c.first_at), (1, later));
    s.count_sign_in_failure("other", t0, long_ago).await.unwrap();
    s.clear_sign_in_failures(&["k"], long_ago).await.unwrap();
    assert_eq!(s.sign_in_failures("k").await.unwrap(), None);
    assert_eq!(s.sign_in_failures("other").await.unwrap().unwrap().failures, 1);
});

both_backends!(backup_round_trips_and_covers_every_column, true, |db: TestDb| async move {
    let s = &db.store;
    let actor = admin(&db).await;
    let riga = s.organisation("riga").await.unwrap();
    s.update_organisation(
        actor,
        riga.id,
        riga.version,
        OrganisationPatch { description: Some("Ünïcode ✓".into()), website: Some("https://www.riga.lv".into()) },
    )
    .await
    .unwrap();
    let archived = crate::backup::archived_columns();
    for t in s.live_tables().await.unwrap() {
        assert!(
            archived.iter().any(|(a, _)| *a == t) || crate::backup::NOT_ARCHIVED.contains(&t.as_str()),
            "table {t} is neither archived nor deliberately left out"
        );
    }
    for (table, cols) in archived {
        let mut live = s.live_columns(table).await.unwrap();
        live.retain(|c| !crate::backup::NOT_ARCHIVED_COLUMNS.contains(&(table, c.as_str())));
        if !live.is_empty() {
            assert_eq!(live, cols, "backup column list of {table} matches the schema");
        }
    }
    let archive = s.backup().await.unwrap();
    let text = serde_json::to_string(&archive).unwrap();
    // Restore into a fresh database of each kind.
    for backend in [crate::Backend::Sqlite, crate::Backend::Postgres] {
        let Some(target) = TestDb::new(backend, false).await else {
            continue;
        };
        let parsed: crate::backup::Archive = serde_json::from_str(&text).unwrap();
        let n = target.store.restore(&parsed).await.unwrap();
        assert!(n > 29);
        let r = target.store.organisation("riga").await.unwrap();
        assert_eq!(r.description, "Ünïcode ✓");
        assert_eq!(r.latitude, riga.latitude);
        assert_eq!(target.store.person_by_email("admin@example.org").await.unwrap().unwrap().id, actor);
        // A second restore into the same (now non-empty) database is refused whole.
        assert!(matches!(target.store.restore(&parsed).await, Err(StoreError::Archive(_))));
    }
});

#[test]
fn shipped_instruments_meet_the_design() {
    use urbis_domain::diagnostic::{InstrumentKind, QuestionKind};
    for (name, def, acts) in crate::diagnostic::INSTRUMENT_FILES {
        let (inst, actions) = crate::diagnostic::parse_instrument(name, def, acts).unwrap();
        for q in &inst.questions {
            assert!(!q.evidence.trim().is_empty(), "{name}: {} has an evidence prompt", q.id);
            assert!(!q.text.trim().is_empty() && !q.help.trim().is_empty(), "{name}: {}", q.id);
            if q.kind == QuestionKind::Level {
                assert!(q.levels.iter().all(|l| l.len() > 40), "{name}: {} level descriptors are written out", q.id);
            }
        }
        for c in &inst.capabilities {
            let n = inst.questions.iter().filter(|q| q.capability == c.slug).count();
            assert!(n >= 4, "{name}: {} has {n} questions", c.slug);
            for level in 1..=4u8 {
                assert!(
                    actions.iter().any(|a| a.capability == c.slug && a.from_level == level),
                    "{name}: an action moves {} from level {level}",
                    c.slug
                );
            }
        }
        if inst.kind == InstrumentKind::Diagnostic {
            let caps: Vec<&str> = inst.capabilities.iter().map(|c| c.slug.as_str()).collect();
            assert_eq!(
                caps,
                ["digital-vision", "governance", "technology-systems", "user-centric-design", "data-infrastructure"]
            );
            assert!(
                inst.capabilities
                    .iter()
                    .all(|c| { inst.questions.iter().filter(|q| q.capability == c.slug).count() >= 5 })
            );
            for ctx in ["ctx-population", "ctx-staff"] {
                assert!(inst.context.iter().any(|c| c.id.starts_with(ctx)), "{name} asks {ctx}");
            }
            assert!(inst.context.iter().any(|c| c.id.contains("budget")), "{name} asks the digital budget share");
        } else {
            let caps: Vec<&str> = inst.capabilities.iter().map(|c| c.slug.as_str()).collect();
            assert_eq!(caps, ["leadership", "organisational", "analytical", "partnership"]);
        }
    }
}

/// Loading the shipped instruments again is refused: the stored version differs from the files.
async fn refuses_to_reload_instruments(s: &crate::Store) {
    match s.load_instruments().await {
        Err(StoreError::Corrupt(m)) => assert!(m.contains("publish the change as v2"), "{m}"),
        other => panic!("expected refusal, got {other:?}"),
    }
}

both_backends!(published_instruments_never_change, true, |db: TestDb| async move {
    let s = &db.store;
    let list = s.instruments().await.unwrap();
    assert!(list.iter().any(|i| i.slug == "city-digital-maturity" && i.version == 1));
    let stored = s.instrument("city-digital-maturity", None).await.unwrap();
    assert_eq!(stored.instrument.capabilities.len(), 5);
    assert!(stored.actions.len() >= 20);
    assert!(matches!(s.instrument("nope", None).await, Err(StoreError::NotFound)));
    // Tamper with the stored content: the next start refuses instead of silently changing history.
    sqlx::query("UPDATE instruments SET digest = 'x' WHERE slug = 'city-digital-maturity'")
        .execute(&s.pool)
        .await
        .unwrap();
    refuses_to_reload_instruments(s).await;
});

both_backends!(assessments_answers_submission, true, |db: TestDb| async move {
    use urbis_domain::diagnostic::{Answer, Choice};
    let s = &db.store;
    let a1 = admin(&db).await;
    let prog = s.programme("digital-innovation-initiative").await.unwrap();
    let waves = s.waves(prog.id).await.unwrap();
    assert_eq!(waves.iter().map(|w| w.slug.as_str()).collect::<Vec<_>>(), ["t0", "t1"]);
    assert!(waves[0].is_baseline);
    let riga = s.organisation("riga").await.unwrap();
    let a = s.create_assessment(Some(a1), riga.id, waves[0].id, "city-digital-maturity", false).await.unwrap();
    assert_eq!(a.status.as_str(), "draft");
    assert_eq!(a.instrument_version, 1);
    assert!(matches!(
        s.create_assessment(Some(a1), riga.id, waves[0].id, "city-digital-maturity", false).await,
        Err(StoreError::Refused { code: "assessment-exists", .. })
    ));
    s.put_answer(a1, a.id, "dv-strategy", &Answer::Level(3), Some(50.0), "https://riga.lv/strategy", "").await.unwrap();
    // Replacing an answer keeps one row per respondent and question.
    s.put_answer(a1, a.id, "dv-strategy", &Answer::Level(4), Some(75.0), "", "revised").await.unwrap();
    s.put_answer(a1, a.id, "gov-procurement", &Answer::NotApplicable, None, "", "").await.unwrap();
    s.put_answer(a1, a.id, "gov-x", &Answer::Choice(Choice::Yes), Some(100.0), "", "").await.unwrap();
    let answers = s.answers(a.id).await.unwrap();
    assert_eq!(answers.len(), 3);
    let dv = answers.iter().find(|x| x.question_id == "dv-strategy").unwrap();
    assert_eq!((dv.answer.clone(), dv.normalised, dv.comment.as_str()), (Answer::Level(4), Some(75.0), "revised"));
    assert_eq!(answers.iter().find(|x| x.question_id == "gov-procurement").unwrap().normalised, None);

    let required = vec!["dv-strategy".to_string(), "dv-other".to_string(), "gov-x".to_string()];
    match s.submit_assessment(a1, a.id, &required).await {
        Err(StoreError::Incomplete(missing)) => assert_eq!(missing, ["dv-other"]),
        other => panic!("expected incomplete, got {other:?}"),
    }
    let done = s.submit_assessment(a1, a.id, &required[..1]).await.unwrap();
    assert_eq!(done.status.as_str(), "submitted");
    assert!(done.submitted_at.is_some());
    assert!(matches!(
        s.put_answer(a1, a.id, "dv-strategy", &Answer::Level(5), Some(100.0), "", "").await,
        Err(StoreError::Refused { code: "not-draft", .. })
    ));
    let reopened = s.reopen_assessment(a1, a.id, "evidence link was wrong").await.unwrap();
    assert_eq!(reopened.status.as_str(), "draft");
    let log = s.audit_for("assessment", &a.id.to_string()).await.unwrap();
    assert!(log.iter().any(|e| { e.action.starts_with("assessment.reopen: evidence link was wrong") }));
    assert_eq!(s.wave_assessments(waves[0].id, "city-digital-maturity").await.unwrap().len(), 1);
    assert_eq!(s.wave_answers(waves[0].id, "city-digital-maturity").await.unwrap()[&a.id].len(), 3);
});

both_backends!(results_are_materialised_and_frozen_when_a_wave_closes, true, |db: TestDb| async move {
    use urbis_domain::diagnostic::{Answer, WaveInput};
    let s = &db.store;
    let a1 = admin(&db).await;
    let prog = s.programme("digital-innovation-initiative").await.unwrap();
    let wave = s
        .create_wave(a1, prog.id, &WaveInput::parse("t2", "Second follow-up", "2024-01-01", "2024-12-31").unwrap())
        .await
        .unwrap();
    assert!(matches!(
        s.create_wave(a1, prog.id, &WaveInput::parse("t2", "Again", "2024-01-01", "2024-12-31").unwrap()).await,
        Err(StoreError::Refused { code: "wave-exists", .. })
    ));
    let riga = s.organisation("riga").await.unwrap();
    assert_eq!(riga.slug, "riga");
    let a = s.create_assessment(Some(a1), riga.id, wave.id, "city-digital-maturity", false).await.unwrap();
    // Riga's population comes with the reference data, for peer groups.
    assert_eq!((a.organisation_country.as_str(), a.organisation_population), ("LV", Some(606_000)));
    s.put_answer(a1, a.id, "dv-strategy", &Answer::Level(3), Some(50.0), "", "").await.unwrap();
    assert_eq!(s.assessment_results(&a).await.unwrap(), None, "a draft has no results");
    assert!(s.wave_results(&wave, "city-digital-maturity").await.unwrap().is_empty());
    s.submit_assessment(a1, a.id, &[]).await.unwrap();
    let live = s.wave_results(&wave, "city-digital-maturity").await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].results.capabilities["digital-vision"].score, Some(50.0));
    // One applicable answer at 50 meets the gates of levels 2 and 3 (≥ 25 and ≥ 50), not level 4.
    assert_eq!(live[0].results.capabilities["digital-vision"].level, 3);
    assert_eq!(live[0].results.capabilities["governance"].score, None);

    let closed = s.close_wave(a1, wave.id, wave.version).await.unwrap();
    assert!(closed.closed_at.is_some());
    assert!(matches!(s.close_wave(a1, wave.id, wave.version).await, Err(StoreError::Conflict { .. })));
    assert!(matches!(
        s.close_wave(a1, wave.id, closed.version).await,
        Err(StoreError::Refused { code: "wave-closed", .. })
    ));
    let oslo_like = s.organisation("tallinn").await.unwrap();
    assert!(matches!(
        s.create_assessment(Some(a1), oslo_like.id, wave.id, "city-digital-maturity", false).await,
        Err(StoreError::Refused { code: "wave-closed", .. })
    ));
    // A correction after closing changes the live figures, not the wave's frozen baseline.
    s.reopen_assessment(a1, a.id, "correction").await.unwrap();
    s.put_answer(a1, a.id, "dv-strategy", &Answer::Level(5), Some(100.0), "", "").await.unwrap();
    let resubmitted = s.submit_assessment(a1, a.id, &[]).await.unwrap();
    assert_eq!(
        s.assessment_results(&resubmitted).await.unwrap().unwrap().capabilities["digital-vision"].score,
        Some(100.0)
    );
    let frozen = s.wave_results(&closed, "city-digital-maturity").await.unwrap();
    assert_eq!(frozen[0].results.capabilities["digital-vision"].score, Some(50.0));
    let log = s.audit_for("wave", &wave.id.to_string()).await.unwrap();
    assert!(log.iter().any(|e| e.action == "wave.close: 1 results frozen"));
});

both_backends!(plan_items_are_versioned_and_audited, true, |db: TestDb| async move {
    use urbis_domain::diagnostic::PlanItemInput;
    let s = &db.store;
    let a1 = admin(&db).await;
    let riga = s.organisation("riga").await.unwrap();
    let caps = ["governance", "digital-vision"];
    let input = PlanItemInput::parse(&caps, "governance", "Set up a digital board", "", "CDO", "2027-03-31", "planned")
        .unwrap();
    let item = s.create_plan_item(a1, riga.id, None, &input).await.unwrap();
    let later =
        PlanItemInput::parse(&caps, "digital-vision", "Publish the strategy", "", "Mayor's office", "", "planned")
            .unwrap();
    s.create_plan_item(a1, riga.id, None, &later).await.unwrap();
    let done = PlanItemInput { status: urbis_domain::diagnostic::PlanStatus::Done, ..input.clone() };
    let updated = s.update_plan_item(a1, item.id, item.version, &done).await.unwrap();
    assert_eq!((updated.status.as_str(), updated.version), ("done", item.version + 1));
    assert!(matches!(s.update_plan_item(a1, item.id, item.version, &input).await, Err(StoreError::Conflict { .. })));
    let plan = s.plan_items(riga.id).await.unwrap();
    assert_eq!(plan.iter().map(|p| p.capability.as_str()).collect::<Vec<_>>(), ["digital-vision", "governance"]);
    assert_eq!(plan[1].status.as_str(), "done", "the conflicting write changed nothing");
    let log = s.audit_for("plan_item", &item.id.to_string()).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["plan.update", "plan.create"],
        "newest first"
    );
});

/// A translation must cover exactly the ids of its version, change nothing but text, and live in
/// its own file; loading fails with a message naming the file and the id.
#[test]
fn instrument_translations_are_checked_on_loading() {
    use crate::diagnostic::{INSTRUMENT_FILES, INSTRUMENT_TRANSLATIONS, parse_instrument_with};
    let (name, def, acts) = INSTRUMENT_FILES[0];
    let de = INSTRUMENT_TRANSLATIONS.iter().find(|(n, l, _)| *n == name && *l == "de").unwrap().2;
    let refused = |translations: &[(&str, &str)]| match parse_instrument_with(name, def, acts, translations) {
        Err(StoreError::Corrupt(m)) => m,
        other => panic!("expected refusal, got {other:?}"),
    };
    let (inst, _) = parse_instrument_with(name, def, acts, &[("de", de)]).unwrap();
    assert_eq!(inst.languages(), ["en", "de"]);

    // A question left out: refused, naming the file and the question.
    let start = de.find("[questions.dv-leadership]").unwrap();
    let end = start + de[start..].find("\n[questions.").unwrap() + 1;
    let missing = format!("{}{}", &de[..start], &de[end..]);
    let m = refused(&[("de", &missing)]);
    assert!(m.starts_with("city-digital-maturity/v1.de.toml: "), "{m}");
    assert!(m.contains("de.questions.dv-leadership: question \"dv-leadership\" has no translation"), "{m}");

    // An id the version does not have.
    let extra = format!("{de}\n[questions.dv-moonshot]\ntext = \"Fliegt die Stadt zum Mond?\"\n");
    let m = refused(&[("fr", &extra)]);
    assert!(
        m.contains("fr.questions.dv-moonshot: \"dv-moonshot\" is not a question of city-digital-maturity v1"),
        "{m}"
    );
    let extra = format!("{de}\n[actions.governance-9-1]\ntitle = \"x\"\ndescription = \"y\"\n");
    assert!(refused(&[("de", &extra)]).contains("\"governance-9-1\" is not an action of"));

    // Anything but text (here a weight) is not part of a translation.
    let weight = de.replacen("[questions.dv-leadership]\n", "[questions.dv-leadership]\nweight = 2.0\n", 1);
    assert!(refused(&[("de", &weight)]).contains("unknown field `weight`"));

    // English is the source, not a translation; the definition file holds no translations.
    assert!(refused(&[("en", de)]).contains("\"en\" is not a language code for a translation"));
    let inline = format!("{def}\n[translations.de]\ntitle = \"x\"\ndescription = \"y\"\n");
    match parse_instrument_with(name, &inline, acts, &[]) {
        Err(StoreError::Corrupt(m)) => assert!(m.contains("translations belong in their own files"), "{m}"),
        other => panic!("expected refusal, got {other:?}"),
    }
}

/// Store `inst` and `actions` as if they had been published as v1 of the city diagnostic.
async fn publish_as_v1(
    s: &crate::Store,
    inst: &urbis_domain::diagnostic::Instrument,
    actions: &[crate::diagnostic::RecommendedAction],
) {
    let (def, _, digest) = crate::diagnostic::digest(inst, actions).unwrap();
    sqlx::query("UPDATE instruments SET definition_json = $1, digest = $2 WHERE slug = $3 AND version = 1")
        .bind(&def)
        .bind(&digest)
        .bind("city-digital-maturity")
        .execute(&s.pool)
        .await
        .unwrap();
}

both_backends!(instrument_translations_belong_to_the_published_version, true, |db: TestDb| async move {
    let s = &db.store;
    let stored = s.instrument("city-digital-maturity", Some(1)).await.unwrap();
    assert_eq!(stored.instrument.languages(), ["en", "de", "fr"]);
    let de = stored.localised("de");
    let want = &stored.instrument.translations["de"];
    assert_eq!(de.instrument.title, want.title);
    assert_eq!(de.instrument.question("dv-strategy").unwrap().text, want.questions["dv-strategy"].text);
    assert_eq!(de.actions[0].title, want.actions["digital-vision-1-1"].title);
    assert_eq!(stored.localised("es").instrument.title, stored.instrument.title, "English when not translated");
    // As if v1 had been published with other German text: the shipped files differ from the
    // published version, so loading refuses, as for a change to the English text.
    let mut old = stored.instrument.clone();
    old.translations.get_mut("de").unwrap().questions.get_mut("dv-strategy").unwrap().text = "Tippfehler".into();
    publish_as_v1(s, &old, &stored.actions).await;
    refuses_to_reload_instruments(s).await;
    // What was published stays what is served.
    let served = s.instrument("city-digital-maturity", Some(1)).await.unwrap();
    assert_eq!(served.localised("de").instrument.question("dv-strategy").unwrap().text, "Tippfehler");
});

both_backends!(a_version_published_without_translations_gains_them_in_place, true, |db: TestDb| async move {
    let s = &db.store;
    let shipped = s.instrument("city-digital-maturity", Some(1)).await.unwrap();
    // As installed before translations shipped: v1 in English only.
    let mut english = shipped.instrument.clone();
    english.translations.clear();
    publish_as_v1(s, &english, &shipped.actions).await;
    assert_eq!(s.instrument("city-digital-maturity", Some(1)).await.unwrap().instrument.languages(), ["en"]);
    s.load_instruments().await.unwrap();
    let now = s.instrument("city-digital-maturity", Some(1)).await.unwrap();
    assert_eq!(now.instrument, shipped.instrument, "the languages are added; nothing else changes");
    let log = s.audit_for("instrument", "city-digital-maturity@1").await.unwrap();
    assert_eq!(log[0].action, "instrument.translate");
    // Loading again is a no-op.
    assert_eq!(s.load_instruments().await.unwrap(), 0);
});

both_backends!(missing_numbers_and_numbers_share_statements, true, |db: TestDb| async move {
    // A "not applicable" answer (no normalised value) first, then scored ones, through the same
    // statements: PostgreSQL must not fix the parameter's type from the first, missing value.
    use urbis_domain::diagnostic::Answer;
    let s = &db.store;
    let a1 = admin(&db).await;
    let a = riga_assessment(&db, a1, first_wave(&db).await).await;
    for round in 0..6 {
        s.put_answer(a1, a.id, "gov-procurement", &Answer::NotApplicable, None, "", "").await.unwrap();
        s.put_answer(a1, a.id, "dv-strategy", &Answer::Level(3), Some(50.0 + f64::from(round)), "", "").await.unwrap();
        s.set_override(a1, a.id, "gov-procurement", Some((None, "not ours".into()))).await.unwrap();
        s.set_override(a1, a.id, "dv-strategy", Some((Some(60.0), "agreed".into()))).await.unwrap();
    }
    let submitted = s.submit_assessment(a1, a.id, &[]).await.unwrap();
    let results = s.assessment_results(&submitted).await.unwrap().unwrap();
    assert_eq!(results.capabilities["digital-vision"].score, Some(60.0));
    assert_eq!(results.capabilities["governance"].score, None, "nothing applicable: no score");
});
