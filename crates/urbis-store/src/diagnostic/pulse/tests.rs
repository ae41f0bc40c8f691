//! Store tests of pulse surveys, each run on SQLite and on PostgreSQL.

use super::{NewRecipient, RecipientOrganisation};
use crate::diagnostic::NewAnswer;
use crate::network::NewOrganisation;
use crate::testing::TestDb;
use crate::tests::fixtures::{answer, draft_campaign as draft, mail, recipient};
use crate::{StoreError, both_backends, now, ts};
use chrono::Duration;
use urbis_domain::diagnostic::Answer;
use urbis_domain::diagnostic::pulse::CampaignStatus;
use urbis_domain::network::OrganisationKind;
use uuid::Uuid;

async fn outbox(db: &TestDb) -> Vec<(String, String)> {
    // Opened as the delivery job opens them (the links are sealed in the table).
    db.store.pending_mail(10_000).await.unwrap().into_iter().map(|m| (m.recipient, m.body)).collect()
}

fn token_of(body: &str) -> String {
    body.rsplit('/').next().unwrap().trim().to_string()
}

both_backends!(campaign_lifecycle_links_and_answers, true, |db: TestDb| async move {
    let s = &db.store;
    let c = draft(&db).await;
    assert_eq!((c.status, c.instrument_version, c.version), (CampaignStatus::Draft, 1, 1));
    let riga = s.organisation("riga").await.unwrap().id;
    let porto = NewOrganisation {
        name: "Porto".into(),
        kind: OrganisationKind::City,
        country_code: "PT".into(),
        timezone: "UTC".into(),
        description: String::new(),
    };
    let to = [
        recipient(riga, &["a@riga.example", "b@riga.example"]),
        NewRecipient { organisation: RecipientOrganisation::New(porto), emails: vec!["c@porto.example".into()] },
    ];
    let (c, added, _) = s.add_recipients(None, c.id, &to, &mail()).await.unwrap();
    assert_eq!(added.len(), 3);
    assert!(added.iter().all(|r| r.invited_at.is_none()), "a draft sends no links");
    assert!(outbox(&db).await.is_empty());
    assert_eq!(s.organisation("porto").await.unwrap().country_code, "PT", "added on the spot");
    assert_eq!(s.campaign_organisations(c.id).await.unwrap().len(), 2);
    // The same e-mail twice is refused and nothing of that request is written.
    let again = s.add_recipients(None, c.id, &[recipient(riga, &["d@riga.example", "a@riga.example"])], &mail()).await;
    assert!(matches!(again, Err(StoreError::Refused { code: "already-respondent", .. })));
    assert_eq!(s.respondents(c.id).await.unwrap().len(), 3);
    // Opening: stale version refused; then every respondent gets one link.
    assert!(matches!(
        s.set_campaign_status(None, c.id, c.version - 1, CampaignStatus::Open, &mail()).await,
        Err(StoreError::Conflict { .. })
    ));
    let (open, links) = s.set_campaign_status(None, c.id, c.version, CampaignStatus::Open, &mail()).await.unwrap();
    assert_eq!(open.status, CampaignStatus::Open);
    let sent = outbox(&db).await;
    assert_eq!(sent.len(), 3);
    let token = token_of(&sent.iter().find(|(to, _)| to == "a@riga.example").unwrap().1);
    assert!(links.iter().any(|l| l.email == "a@riga.example" && l.token == token), "the link is returned once");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_links WHERE token_hash = $1")
        .bind(&token)
        .fetch_one(&s.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "only the hash of a link is stored");
    let (r, rc) = s.respondent_by_token(&token).await.unwrap();
    assert_eq!((r.email.as_str(), rc.id), ("a@riga.example", c.id));
    assert!(matches!(s.respondent_by_token("nope").await, Err(StoreError::NotFound)));
    // Answers, incomplete submission, submission, then no more changes.
    let ans = answer("lead-mandate", 3, 50.0);
    s.put_survey_answers(r.id, std::slice::from_ref(&ans)).await.unwrap();
    // A value after a missing one on the same connection (PostgreSQL once refused this).
    let context = NewAnswer {
        question_id: "ctx-population".into(),
        answer: Answer::Number(650_000.0),
        normalised: None,
        evidence: String::new(),
        comment: String::new(),
    };
    s.put_survey_answers(r.id, &[context.clone(), ans.clone(), context, ans.clone()]).await.unwrap();
    let saved = s.survey_answers(r.id).await.unwrap();
    assert_eq!(saved.iter().map(|a| a.normalised).collect::<Vec<_>>(), [None, Some(50.0)]);
    let missing = s.submit_survey_response(r.id, &["lead-mandate".into(), "org-unit".into()]).await;
    assert!(matches!(missing, Err(StoreError::Incomplete(m)) if m == ["org-unit"]));
    let done = s.submit_survey_response(r.id, &["lead-mandate".into()]).await.unwrap();
    assert!(done.submitted_at.is_some());
    assert!(matches!(
        s.put_survey_answers(r.id, std::slice::from_ref(&ans)).await,
        Err(StoreError::Refused { code: "already-submitted", .. })
    ));
    let answers = s.submitted_survey_answers(c.id).await.unwrap();
    assert_eq!(answers.len(), 1);
    let mandate = answers[&r.id].iter().find(|a| a.question_id == "lead-mandate").unwrap();
    assert_eq!(mandate.answer, Answer::Level(3));
    // Reminders: one per respondent who has not submitted, never twice within 24 hours.
    let reminded: Vec<Uuid> =
        s.send_reminders(None, c.id, &mail()).await.unwrap().into_iter().map(|l| l.respondent_id).collect();
    assert_eq!(reminded.len(), 2);
    assert!(!reminded.contains(&r.id));
    assert_eq!(outbox(&db).await.len(), 5);
    assert!(s.send_reminders(None, c.id, &mail()).await.unwrap().is_empty(), "not again within 24 h");
    assert_eq!(outbox(&db).await.len(), 5);
    // A reminder's link and the first one both lead to the same respondent.
    let b = s.respondents(c.id).await.unwrap().into_iter().find(|x| x.email == "b@riga.example").unwrap();
    assert_eq!(b.reminders, 1);
    let links: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_links WHERE respondent_id = $1")
        .bind(b.id.to_string())
        .fetch_one(&s.pool)
        .await
        .unwrap();
    assert_eq!(links, 2);
    // An old reminder (over 24 h ago) lets a new one through.
    sqlx::query("UPDATE survey_respondents SET last_reminded_at = $1 WHERE id = $2")
        .bind(ts(now() - Duration::hours(25)))
        .bind(b.id.to_string())
        .execute(&s.pool)
        .await
        .unwrap();
    let again = s.send_reminders(None, c.id, &mail()).await.unwrap();
    assert_eq!(again.iter().map(|l| l.respondent_id).collect::<Vec<_>>(), vec![b.id]);
    // Closing: no more answers, no reminders, no way back.
    let open = s.campaign(c.id).await.unwrap();
    let (closed, _) = s.set_campaign_status(None, c.id, open.version, CampaignStatus::Closed, &mail()).await.unwrap();
    assert!(matches!(s.put_survey_answers(b.id, &[ans]).await, Err(StoreError::Refused { code: "survey-closed", .. })));
    assert!(matches!(s.send_reminders(None, c.id, &mail()).await, Err(StoreError::Refused { .. })));
    assert!(matches!(
        s.set_campaign_status(None, c.id, closed.version, CampaignStatus::Open, &mail()).await,
        Err(StoreError::Refused { code: "invalid-transition", .. })
    ));
    let audit = s.audit_for("survey-campaign", &c.id.to_string()).await.unwrap();
    for action in ["survey.create", "survey.open", "survey.close", "survey.remind", "survey.add-recipients"] {
        assert!(audit.iter().any(|e| e.action == action), "{action} audited");
    }
    let audit = s.audit_for("survey-respondent", &r.id.to_string()).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "survey-response.submit" && e.before.is_some() && e.after.is_some()));
});

both_backends!(an_empty_campaign_cannot_open_and_adding_to_an_open_one_sends_links, true, |db: TestDb| async move {
    let s = &db.store;
    let c = draft(&db).await;
    assert!(matches!(
        s.set_campaign_status(None, c.id, c.version, CampaignStatus::Open, &mail()).await,
        Err(StoreError::Refused { code: "no-recipients", .. })
    ));
    let helsinki = s.organisation("helsinki").await.unwrap().id;
    let rec = |e: &str| recipient(helsinki, &[e]);
    let (c, _, _) = s.add_recipients(None, c.id, &[rec("a@hel.example")], &mail()).await.unwrap();
    let (c, _) = s.set_campaign_status(None, c.id, c.version, CampaignStatus::Open, &mail()).await.unwrap();
    let (_, added, links) = s.add_recipients(None, c.id, &[rec("b@hel.example")], &mail()).await.unwrap();
    assert_eq!(links.len(), 1);
    assert!(added[0].invited_at.is_some(), "an open campaign sends the link at once");
    assert_eq!(outbox(&db).await.len(), 2);
    let bad = s.add_recipients(None, c.id, &[recipient(Uuid::now_v7(), &[])], &mail()).await;
    assert!(matches!(bad, Err(StoreError::Refused { code: "unknown-organisation", .. })));
});

both_backends!(organisations_of_many_campaigns_equal_each_campaigns_own, true, |db: TestDb| async move {
    let s = &db.store;
    let riga = s.organisation("riga").await.unwrap().id;
    let helsinki = s.organisation("helsinki").await.unwrap().id;
    let to = recipient;
    let (one, two, empty) = (draft(&db).await, draft(&db).await, draft(&db).await);
    s.add_recipients(
        None,
        one.id,
        &[to(riga, &["a@riga.example", "b@riga.example"]), to(helsinki, &["c@hel.example"])],
        &mail(),
    )
    .await
    .unwrap();
    s.add_recipients(None, two.id, &[to(helsinki, &["d@hel.example"])], &mail()).await.unwrap();
    let ids = [one.id, two.id, empty.id];
    let batched = s.campaigns_organisations(&ids).await.unwrap();
    assert_eq!(batched.len(), 3, "every requested campaign is in the map");
    for id in &ids {
        assert_eq!(batched[id], s.campaign_organisations(*id).await.unwrap(), "the same as campaign_organisations()");
    }
    assert_eq!(batched[&one.id].len(), 2, "each organisation once, however many respondents it has");
    assert!(batched[&empty.id].is_empty(), "a campaign without recipients has an empty list");
    assert!(s.campaigns_organisations(&[]).await.unwrap().is_empty());
    let mut many: Vec<Uuid> = (0..520).map(|_| Uuid::now_v7()).collect();
    many.push(one.id);
    let batched = s.campaigns_organisations(&many).await.unwrap();
    assert_eq!((batched.len(), batched[&one.id].len()), (521, 2));
});
