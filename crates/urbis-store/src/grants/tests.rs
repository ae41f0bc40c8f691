//! Grants store tests, on SQLite and PostgreSQL: a call's life, versioned and audited writes, the
//! rubric lock after the first review, and concurrent awards that cannot overspend the budget.

use super::*;
use crate::testing::TestDb;
use crate::tests::fixtures::{admin, audit_len, person, programme_id, riga};
use crate::{StoreError, both_backends};
use urbis_domain::grants::{RawCall, RawCriterion, Section};

pub(crate) fn call_input(total: &str, max: &str) -> CallInput {
    let raw = RawCall {
        title: "Innovation grants".into(),
        description: "For the cities' services.".into(),
        eligibility: "participating-cities".into(),
        opens_at: "2026-01-01T09:00".into(),
        closes_at: "2036-12-31T17:00".into(),
        timezone: "Europe/Brussels".into(),
        total_budget: total.into(),
        max_award: max.into(),
        cost_categories: vec!["Staff".into()],
        sections: vec![Section { key: "summary".into(), title: "Summary".into(), required: true, word_limit: 100 }],
        criteria: vec![RawCriterion {
            key: "excellence".into(),
            title: "Excellence".into(),
            description: String::new(),
            weight: "1".into(),
            threshold: "3".into(),
        }],
        overall_threshold: "3".into(),
        stages: 1,
    };
    CallInput::parse(&raw).unwrap()
}

fn refused<T: std::fmt::Debug>(r: crate::Result<T>, code: &str) {
    match r {
        Err(StoreError::Refused { code: c, .. }) if c == code => {}
        other => panic!("expected refusal {code}, got {other:?}"),
    }
}

both_backends!(a_call_is_versioned_and_its_rubric_locks_after_the_first_review, true, |db: TestDb| async move {
    let s = &db.store;
    let me = admin(&db).await;
    let input = call_input("100,000 EUR", "40,000 EUR");
    let c = s.create_call(Some(me), programme_id(&db).await, &input, false).await.unwrap();
    assert_eq!((c.state, c.version, c.total_budget_minor), (CallState::Draft, 1, 10_000_000));
    assert_eq!(s.call_criteria(c.id).await.unwrap().len(), 1);
    let c2 = s.set_call_state(me, c.id, 1, CallState::Open).await.unwrap();
    assert!(matches!(s.set_call_state(me, c.id, 1, CallState::Closed).await, Err(StoreError::Conflict { .. })));
    let riga = riga(&db).await;
    let a = s.create_application(me, c.id, riga.id, "Digital account").await.unwrap();
    refused(s.create_application(me, c.id, riga.id, "Again").await, "application-exists");
    let a = s.save_section(me, a.id, a.version, "Digital account", "summary", "We will build it.").await.unwrap();
    assert!(matches!(s.save_section(me, a.id, 1, "x", "summary", "lost").await, Err(StoreError::Conflict { .. })));
    let a = s.submit_application(me, a.id, a.version, &["summary".into()]).await.unwrap();
    assert_eq!(a.status, "submitted");
    refused(s.save_section(me, a.id, a.version, "x", "summary", "late").await, "application-submitted");
    let reviewer = person(&db, "rev@example.org", "Reviewer").await;
    let asg = s.assign_reviewer(me, a.id, reviewer).await.unwrap();
    refused(s.assign_reviewer(me, a.id, reviewer).await, "already-assigned");
    // Before any review the rubric may change; after one it may not.
    let c3 = s.update_call(me, c.id, c2.version, &input, true).await.unwrap();
    s.submit_review(reviewer, &asg, &[("excellence".into(), Some(8), "Good".into())], "yes", "").await.unwrap();
    refused(s.submit_review(reviewer, &asg, &[], "yes", "").await, "already-reviewed");
    refused(s.update_call(me, c.id, c3.version, &input, true).await, "rubric-locked");
    s.update_call(me, c.id, c3.version, &input, false).await.unwrap();
    assert_eq!(audit_len(&db, "grant-call", c.id).await, 4);
    refused(s.record_consensus(me, a.id, "{}", "x", 3).await, "too-few-reviews");
});

both_backends!(concurrent_awards_never_overspend_the_budget, true, |db: TestDb| async move {
    let s = &db.store;
    let me = admin(&db).await;
    let c = s
        .create_call(Some(me), programme_id(&db).await, &call_input("100,000 EUR", "60,000 EUR"), false)
        .await
        .unwrap();
    let mut apps = vec![];
    for slug in ["riga", "tallinn", "vilnius", "helsinki"] {
        let o = s.organisation(slug).await.unwrap();
        let a = s.create_application(me, c.id, o.id, slug).await.unwrap();
        let a = s.save_section(me, a.id, a.version, slug, "summary", "text").await.unwrap();
        apps.push(s.submit_application(me, a.id, a.version, &[]).await.unwrap());
    }
    let results = futures_join(s, me, &apps).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "one award of 60,000 fits in 100,000: {results:?}");
    for r in results.into_iter().filter(|r| r.is_err()) {
        refused(r, "budget-exhausted");
    }
    let c = s.call(c.id).await.unwrap();
    assert_eq!(c.awarded_minor, 6_000_000);
    let decided: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM grant_decisions").fetch_one(&s.pool).await.unwrap();
    assert_eq!(decided, 1, "a refused award leaves no decision");
    // The refused awards left their applications undecided: they can still be rejected; the
    // awarded one cannot be decided again.
    let mut again = vec![];
    for a in &apps {
        again.push(s.decide(me, a, None, "no").await.is_ok());
    }
    assert_eq!(again.iter().filter(|ok| !**ok).count(), 1);
});

async fn futures_join(s: &Store, me: Uuid, apps: &[Application]) -> Vec<crate::Result<Decision>> {
    let tasks: Vec<_> = apps
        .iter()
        .map(|a| {
            let (s, a) = (s.clone(), a.clone());
            tokio::spawn(async move { s.decide(me, &a, Some(6_000_000), "well done").await })
        })
        .collect();
    let mut out = vec![];
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
