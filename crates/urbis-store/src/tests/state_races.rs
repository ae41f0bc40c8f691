//! State races: a write allowed only in one state of a record (a draft assessment, a submitted one,
//! a survey response not yet submitted) must be refused when another writer changes that state
//! between the write's check and its `UPDATE`.
//!
//! Each test races one write against the other writer of [`super::lost_updates`]'s race helpers,
//! which here also changes the state (submits, reopens, submits the survey response):
//! - PostgreSQL (READ COMMITTED): the write reads the old, committed state, passes its check, and
//!   waits for the other writer's row lock in its `UPDATE`; once the other writer commits, the
//!   `UPDATE`'s state condition matches no row: the path under test.
//! - SQLite: writes begin IMMEDIATE, so the write starts after the other writer commits and its
//!   check sees the new state. Same refusal, through the check.
//!
//! Either way the write must be refused with the check's own refusal, leave no audit entry, and
//! change nothing but what the other writer changed.

use super::fixtures::{admin, answer, audit_len, draft_campaign_to_riga, first_wave, mail, person, riga_assessment};
use super::lost_updates::{race_doing, race_with};
use crate::diagnostic::Assessment;
use crate::diagnostic::pulse::Respondent;
use crate::testing::TestDb;
use crate::{StoreError, both_backends, now, ts};
use urbis_domain::diagnostic::Answer;
use urbis_domain::diagnostic::pulse::CampaignStatus;
use uuid::Uuid;

/// The write was refused with the state rule `code`.
fn assert_refused<T: std::fmt::Debug>(result: crate::Result<T>, code: &str) {
    match result {
        Err(StoreError::Refused { code: c, .. }) if c == code => {}
        other => panic!("expected the refusal {code}, got {other:?}"),
    }
}

/// A draft assessment of Riga in the programme's first wave, by a new admin, with the admin's
/// answer to `dv-strategy`: (admin, assessment).
async fn riga_draft(db: &TestDb) -> (Uuid, Assessment) {
    let me = admin(db).await;
    let s = &db.store;
    let a = riga_assessment(db, me, first_wave(db).await).await;
    s.put_answers(me, a.id, &[answer("dv-strategy", 3, 50.0)]).await.unwrap();
    (me, s.assessment(a.id).await.unwrap())
}

/// What the other writer sets to submit an assessment.
fn submitting(by: Uuid) -> String {
    format!("status = 'submitted', submitted_at = '{}', submitted_by = '{by}', ", ts(now()))
}

/// Respondent, question and level of every stored answer of an assessment.
async fn answers_of(db: &TestDb, id: Uuid) -> Vec<(Uuid, String, Answer)> {
    let answers = db.store.answers(id).await.unwrap();
    answers.into_iter().map(|a| (a.respondent_id, a.question_id, a.answer)).collect()
}

/// Live results rows of an assessment, and its wave's results version.
async fn results_of(db: &TestDb, a: &Assessment) -> (i64, i64) {
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assessment_results WHERE assessment_id = $1")
        .bind(a.id.to_string())
        .fetch_one(&db.store.pool)
        .await
        .unwrap();
    (rows, db.store.wave_by_id(a.wave_id).await.unwrap().results_version)
}

/// The assessment as the other writer left it: `status`, one version on, not touched since.
async fn assert_only_other_writer(db: &TestDb, before: &Assessment, status: &str) {
    let now = db.store.assessment(before.id).await.unwrap();
    assert_eq!(
        (now.status.as_str(), now.version, now.updated_at),
        (status, before.version + 1, before.updated_at),
        "only the other writer's change"
    );
}

both_backends!(answers_racing_a_submission_are_refused, true, |db: TestDb| async move {
    let (me, a) = riga_draft(&db).await;
    let answers = answers_of(&db, a.id).await;
    let audited = audit_len(&db, "assessment", a.id).await;
    let s = db.store.clone();
    let late = [answer("dv-strategy", 5, 100.0), answer("gov-x", 2, 25.0)];
    let r =
        race_with(&db, "assessments", a.id, &submitting(me), async move { s.put_answers(me, a.id, &late).await }).await;
    assert_refused(r, "not-draft");
    assert_only_other_writer(&db, &a, "submitted").await;
    assert_eq!(answers_of(&db, a.id).await, answers, "no answer written into the submitted assessment");
    assert_eq!(audit_len(&db, "assessment", a.id).await, audited, "nothing audited");
});

both_backends!(an_override_racing_a_submission_is_refused, true, |db: TestDb| async move {
    let (me, a) = riga_draft(&db).await;
    let audited = audit_len(&db, "assessment", a.id).await;
    let s = db.store.clone();
    let r = race_with(&db, "assessments", a.id, &submitting(me), async move {
        s.set_override(me, a.id, "dv-strategy", Some((Some(90.0), "agreed".into()))).await
    })
    .await;
    assert_refused(r, "not-draft");
    assert_only_other_writer(&db, &a, "submitted").await;
    assert!(db.store.overrides(a.id).await.unwrap().is_empty(), "no override written");
    assert_eq!(audit_len(&db, "assessment", a.id).await, audited, "nothing audited");
});

both_backends!(a_submission_racing_another_submission_is_refused, true, |db: TestDb| async move {
    let (me, a) = riga_draft(&db).await;
    let results = results_of(&db, &a).await;
    let audited = audit_len(&db, "assessment", a.id).await;
    let s = db.store.clone();
    let r =
        race_with(&db, "assessments", a.id, &submitting(me), async move { s.submit_assessment(me, a.id, &[]).await })
            .await;
    assert_refused(r, "not-draft");
    assert_only_other_writer(&db, &a, "submitted").await;
    assert_eq!(results_of(&db, &a).await, results, "no results computed");
    assert_eq!(audit_len(&db, "assessment", a.id).await, audited, "nothing audited");
});

both_backends!(reopening_racing_another_reopening_is_refused, true, |db: TestDb| async move {
    let (me, a) = riga_draft(&db).await;
    let a = db.store.submit_assessment(me, a.id, &[]).await.unwrap();
    let results = results_of(&db, &a).await;
    assert_eq!(results.0, 1, "a submitted assessment has results");
    let audited = audit_len(&db, "assessment", a.id).await;
    let s = db.store.clone();
    let r = race_with(&db, "assessments", a.id, "status = 'draft', ", async move {
        s.reopen_assessment(me, a.id, "lost update").await
    })
    .await;
    assert_refused(r, "not-submitted");
    assert_only_other_writer(&db, &a, "draft").await;
    assert_eq!(results_of(&db, &a).await, results, "results untouched");
    assert_eq!(audit_len(&db, "assessment", a.id).await, audited, "nothing audited");
});

// Two respondents answer different questions of one draft at once: the second waits for the
// first (who has saved an answer and moved the draft to its next version, uncommitted) and then
// must succeed too: answers carry no version guard, only the draft state.
both_backends!(two_respondents_answering_one_draft_at_once_both_succeed, true, |db: TestDb| async move {
    let (me, a) = riga_draft(&db).await;
    let other = person(&db, "lead@riga.example", "Laura Lead").await;
    let json = serde_json::to_string(&Answer::Level(4)).unwrap();
    let also = [format!(
        "INSERT INTO answers (assessment_id, respondent_id, question_id, answer_json, normalised, evidence, comment, \
         updated_at) VALUES ('{}', '{other}', 'gov-x', '{json}', 75.0, '', '', '{}')",
        a.id,
        ts(now())
    )];
    let audited = audit_len(&db, "assessment", a.id).await;
    let s = db.store.clone();
    let saved = race_doing(&db, "assessments", a.id, "", &also, async move {
        s.put_answers(me, a.id, &[answer("dv-strategy", 5, 100.0)]).await
    })
    .await
    .unwrap();
    assert_eq!(saved.len(), 1);
    let mut expected =
        vec![(me, "dv-strategy".to_string(), Answer::Level(5)), (other, "gov-x".into(), Answer::Level(4))];
    expected.sort_by(|x, y| (&x.1, x.0).cmp(&(&y.1, y.0)));
    assert_eq!(answers_of(&db, a.id).await, expected, "both respondents' answers stored");
    let now = db.store.assessment(a.id).await.unwrap();
    assert_eq!((now.status.as_str(), now.version), ("draft", a.version + 2), "one version each");
    assert_eq!(audit_len(&db, "assessment", a.id).await, audited + 1, "the second respondent's answer audited");
    // And through the store for both, at the same time.
    let (s1, s2) = (db.store.clone(), db.store.clone());
    let (r1, r2) = tokio::join!(
        tokio::spawn(async move { s1.put_answers(me, a.id, &[answer("dv-other", 1, 0.0)]).await }),
        tokio::spawn(async move { s2.put_answers(other, a.id, &[answer("dv-other", 2, 25.0)]).await }),
    );
    r1.unwrap().unwrap();
    r2.unwrap().unwrap();
    let both = answers_of(&db, a.id).await;
    assert_eq!(both.iter().filter(|x| x.1 == "dv-other").count(), 2, "both stored: {both:?}");
    assert_eq!(db.store.assessment(a.id).await.unwrap().version, a.version + 4);
});

/// An open pulse survey with one respondent, who has answered `lead-mandate`.
async fn open_survey_respondent(db: &TestDb) -> Respondent {
    let s = &db.store;
    let c = draft_campaign_to_riga(db).await;
    let (c, _) = s.set_campaign_status(None, c.id, c.version, CampaignStatus::Open, &mail()).await.unwrap();
    let r = s.respondents(c.id).await.unwrap().remove(0);
    s.put_survey_answers(r.id, &[answer("lead-mandate", 3, 50.0)]).await.unwrap()
}

async fn survey_answers_of(db: &TestDb, id: Uuid) -> Vec<(String, Answer)> {
    let answers = db.store.survey_answers(id).await.unwrap();
    answers.into_iter().map(|a| (a.question_id, a.answer)).collect()
}

/// The respondent as the other writer left it: submitted at `at`, one version on.
async fn assert_only_other_submission(db: &TestDb, before: &Respondent, at: &str) {
    let now = db.store.respondents(before.campaign_id).await.unwrap().remove(0);
    assert_eq!(now.submitted_at.map(ts).as_deref(), Some(at), "the other writer's submission stands");
    assert_eq!(now.version, before.version + 1, "only the other writer's change");
}

both_backends!(survey_answers_racing_the_submission_are_refused, true, |db: TestDb| async move {
    let r = open_survey_respondent(&db).await;
    let answers = survey_answers_of(&db, r.id).await;
    let audited = audit_len(&db, "survey-respondent", r.id).await;
    let at = ts(now());
    let s = db.store.clone();
    let late = [answer("lead-mandate", 5, 100.0), answer("org-unit", 2, 25.0)];
    let res = race_with(&db, "survey_respondents", r.id, &format!("submitted_at = '{at}', "), async move {
        s.put_survey_answers(r.id, &late).await
    })
    .await;
    assert_refused(res, "already-submitted");
    assert_only_other_submission(&db, &r, &at).await;
    assert_eq!(survey_answers_of(&db, r.id).await, answers, "no answer written into the submitted response");
    assert_eq!(audit_len(&db, "survey-respondent", r.id).await, audited, "nothing audited");
});

both_backends!(a_survey_submission_racing_another_is_refused, true, |db: TestDb| async move {
    let r = open_survey_respondent(&db).await;
    let audited = audit_len(&db, "survey-respondent", r.id).await;
    let at = ts(now());
    let s = db.store.clone();
    let res = race_with(&db, "survey_respondents", r.id, &format!("submitted_at = '{at}', "), async move {
        s.submit_survey_response(r.id, &["lead-mandate".into()]).await
    })
    .await;
    assert_refused(res, "already-submitted");
    assert_only_other_submission(&db, &r, &at).await;
    assert_eq!(audit_len(&db, "survey-respondent", r.id).await, audited, "nothing audited");
});
