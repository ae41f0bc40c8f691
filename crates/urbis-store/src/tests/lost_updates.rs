//! Lost updates: a versioned write that passed its version check must still be refused when another
//! writer commits a new version of the record before the write's guarded `UPDATE` runs.
//!
//! Each test races one write against [`race`]'s other writer, on both databases:
//! - PostgreSQL (READ COMMITTED): the other writer bumps the version and holds its transaction open;
//!   the write reads the old, committed version, passes `check_version`, and blocks on the row lock
//!   in its `UPDATE … WHERE id = … AND version = …`. Only once the write is seen waiting for that
//!   lock does the other writer commit, so the `UPDATE` matches no row: the path under test.
//! - SQLite: writes begin IMMEDIATE, so the write cannot start before the other writer commits and
//!   its version check sees the new version. Same outcome, through the pre-check.
//!
//! Either way the write must fail with `Conflict { expected, actual: expected + 1 }`, leave no audit
//! entry, and change nothing but the other writer's version bump.

use super::fixtures::{
    admin, audit_len, draft_campaign_to_riga, first_wave, mail, programme_id, riga, riga_assessment, riga_service,
    service_input,
};
use crate::network::{Acceptor, AccountUpdate, NewInvitation, OrganisationPatch};
use crate::testing::TestDb;
use crate::{Backend, StoreError, both_backends};
use std::future::Future;
use urbis_domain::diagnostic::pulse::CampaignStatus;
use urbis_domain::diagnostic::{Answer, PlanItemInput, PlanStatus, WaveInput};
use urbis_domain::policy::Role;
use urbis_domain::services::{MilestoneInput, PhaseInput};
use uuid::Uuid;

/// Run `write` while another writer moves `table`'s row `id` to the next version (see the module
/// docs), and return what the write returned.
async fn race<T, F>(db: &TestDb, table: &str, id: Uuid, write: F) -> crate::Result<T>
where
    T: Send + 'static,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    race_with(db, table, id, "", write).await
}

/// [`race`], where the other writer also sets `set` (`column = value, ` pairs, trusted test text).
pub(super) async fn race_with<T, F>(db: &TestDb, table: &str, id: Uuid, set: &str, write: F) -> crate::Result<T>
where
    T: Send + 'static,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    race_doing(db, table, id, set, &[], write).await
}

/// [`race_with`], where the other writer also runs the statements `also` (trusted test text) in its
/// transaction, after its update and before the write starts.
pub(super) async fn race_doing<T, F>(
    db: &TestDb,
    table: &str,
    id: Uuid,
    set: &str,
    also: &[String],
    write: F,
) -> crate::Result<T>
where
    T: Send + 'static,
    F: Future<Output = crate::Result<T>> + Send + 'static,
{
    let mut other = db.store.begin_write().await.unwrap();
    let sql = format!("UPDATE {table} SET {set}version = version + 1 WHERE id = $1");
    let bumped =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).execute(&mut *other).await.unwrap().rows_affected();
    assert_eq!(bumped, 1, "the other writer bumps {table} {id}");
    for sql in also {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&mut *other).await.unwrap();
    }
    let blocker: Option<i32> = match db.store.backend() {
        Backend::Postgres => Some(sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *other).await.unwrap()),
        Backend::Sqlite => None,
    };
    let write = tokio::spawn(write);
    if let Some(pid) = blocker {
        // Wait (no clock involved) until the write is blocked by the other writer's row lock: it
        // has then read the old version and is inside its guarded UPDATE.
        let mut blocked = false;
        for _ in 0..100_000 {
            if write.is_finished() {
                break;
            }
            let waiting: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))")
                    .bind(pid)
                    .fetch_one(&db.store.pool)
                    .await
                    .unwrap();
            if waiting > 0 {
                blocked = true;
                break;
            }
        }
        assert!(blocked, "the write should wait for the other writer's row lock");
    }
    other.commit().await.unwrap();
    write.await.unwrap()
}

/// The write was refused as a conflict with the version the other writer committed.
fn assert_lost_race<T: std::fmt::Debug>(result: crate::Result<T>, expected: i64) {
    match result {
        Err(StoreError::Conflict { expected: e, actual }) => assert_eq!((e, actual), (expected, expected + 1)),
        other => panic!("expected a conflict at version {expected}, got {other:?}"),
    }
}

/// Riga's service, made by a new admin: (admin, service id).
async fn admin_and_service(db: &TestDb) -> (Uuid, Uuid) {
    let me = admin(db).await;
    (me, riga_service(db, me).await)
}

both_backends!(a_service_update_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let (me, id) = admin_and_service(&db).await;
    let audited = audit_len(&db, "service", id).await;
    let s = db.store.clone();
    let r = race(
        &db,
        "services",
        id,
        async move { s.update_service(me, id, 1, &service_input("Lost update"), true).await },
    )
    .await;
    assert_lost_race(r, 1);
    let now = db.store.service(id).await.unwrap();
    assert_eq!((now.title.as_str(), now.published, now.version), ("Rent support", false, 2), "nothing written");
    assert_eq!(audit_len(&db, "service", id).await, audited, "nothing audited");
});

both_backends!(a_phase_change_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let (me, svc) = admin_and_service(&db).await;
    let alpha = PhaseInput::parse("alpha", "2021-03-01", "2021-05-31", "Try three ideas", "", "", &[]).unwrap();
    let phase = db.store.put_phase(Some(me), svc, &alpha, None).await.unwrap();
    let audited = audit_len(&db, "service", svc).await;
    let done = PhaseInput::parse("alpha", "2021-03-01", "2021-05-31", "Lost update", "met", "", &[]).unwrap();
    let s = db.store.clone();
    let r =
        race(&db, "service_phases", phase.id, async move { s.put_phase(Some(me), svc, &done, Some(1)).await }).await;
    assert_lost_race(r, 1);
    let now = db.store.phases(svc).await.unwrap();
    assert_eq!((now[0].goal.as_str(), now[0].version), ("Try three ideas", 2), "nothing written");
    assert_eq!(audit_len(&db, "service", svc).await, audited, "nothing audited");
});

both_backends!(a_milestone_update_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let (me, svc) = admin_and_service(&db).await;
    let m = db.store.add_milestone(Some(me), svc, &MilestoneInput::parse("Beta", "2021-09-01", "").unwrap()).await;
    let m = m.unwrap();
    let audited = audit_len(&db, "service", svc).await;
    let s = db.store.clone();
    let r = race(&db, "service_milestones", m.id, async move {
        s.update_milestone(me, m.id, 1, &MilestoneInput::parse("Lost update", "2021-09-01", "done").unwrap()).await
    })
    .await;
    assert_lost_race(r, 1);
    let now = db.store.milestone(m.id).await.unwrap();
    assert_eq!((now.title.as_str(), now.version), ("Beta", 2), "nothing written");
    assert_eq!(audit_len(&db, "service", svc).await, audited, "nothing audited");
});

both_backends!(a_plan_item_update_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let riga = riga(&db).await;
    let caps = ["governance"];
    let input = PlanItemInput::parse(&caps, "governance", "Set up a digital board", "", "CDO", "", "planned").unwrap();
    let item = db.store.create_plan_item(me, riga.id, None, &input).await.unwrap();
    let audited = audit_len(&db, "plan_item", item.id).await;
    let done = PlanItemInput { status: PlanStatus::Done, title: "Lost update".into(), ..input };
    let s = db.store.clone();
    let r = race(&db, "plan_items", item.id, async move { s.update_plan_item(me, item.id, 1, &done).await }).await;
    assert_lost_race(r, 1);
    let now = db.store.plan_item(item.id).await.unwrap();
    assert_eq!((now.title.as_str(), now.status, now.version), ("Set up a digital board", PlanStatus::Planned, 2));
    assert_eq!(audit_len(&db, "plan_item", item.id).await, audited, "nothing audited");
});

both_backends!(an_organisation_update_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let riga = riga(&db).await;
    let patch = OrganisationPatch { description: Some("Lost update".into()), website: None };
    let s = db.store.clone();
    let r =
        race(
            &db,
            "organisations",
            riga.id,
            async move { s.update_organisation(me, riga.id, riga.version, patch).await },
        )
        .await;
    assert_lost_race(r, riga.version);
    let now = db.store.organisation("riga").await.unwrap();
    assert_eq!((now.description, now.version), (riga.description, riga.version + 1), "nothing written");
    assert_eq!(audit_len(&db, "organisation", riga.id).await, 0, "nothing audited");
});

both_backends!(an_account_update_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let before = db.store.person(me).await.unwrap();
    let audited = audit_len(&db, "person", me).await;
    let u = AccountUpdate { name: "Lost update".into(), job_title: String::new(), listed: true, locale: String::new() };
    let s = db.store.clone();
    let r = race(&db, "people", me, async move { s.update_account(me, before.version, u).await }).await;
    assert_lost_race(r, before.version);
    let now = db.store.person(me).await.unwrap();
    assert_eq!((now.name.as_str(), now.listed, now.version), ("Ada Admin", false, before.version + 1));
    assert_eq!(audit_len(&db, "person", me).await, audited, "nothing audited");
});

/// An invitation to Riga for `email`, with its token.
async fn invitation(db: &TestDb, me: Uuid, email: &str) -> (crate::network::Invitation, String) {
    let new = NewInvitation {
        email: email.into(),
        name: "Laura".into(),
        programme_id: programme_id(db).await,
        organisation_id: riga(db).await.id,
        role: Role::CityLead,
    };
    db.store.create_invitation(me, new).await.unwrap()
}

both_backends!(revoking_an_invitation_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let (inv, _) = invitation(&db, me, "lead@riga.example").await;
    let audited = audit_len(&db, "invitation", inv.id).await;
    let s = db.store.clone();
    let r =
        race(&db, "invitations", inv.id, async move { s.revoke_invitation(me, inv.id, Some(inv.version)).await }).await;
    assert_lost_race(r, inv.version);
    let now = db.store.invitation(inv.id).await.unwrap();
    assert_eq!((now.revoked_at, now.version), (None, inv.version + 1), "nothing written");
    assert_eq!(audit_len(&db, "invitation", inv.id).await, audited, "nothing audited");
});

// Accepting carries no version from the caller: the other writer here revokes the invitation. On
// SQLite the acceptance then reads a revoked invitation and is refused as such; on PostgreSQL it read
// the pending one and its guarded UPDATE must refuse it as a conflict.
both_backends!(accepting_an_invitation_racing_its_revocation_is_refused, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let (inv, token) = invitation(&db, me, "lead@riga.example").await;
    let audited = audit_len(&db, "invitation", inv.id).await;
    let s = db.store.clone();
    let acceptor = Acceptor::New { name: "Laura Lead".into(), password_hash: "h".into(), listed: true };
    let revoke = format!("revoked_at = '{}', revoked_by = '{me}', ", crate::ts(crate::now()));
    let r = race_with(&db, "invitations", inv.id, &revoke, async move { s.accept_invitation(&token, acceptor).await })
        .await;
    match db.store.backend() {
        Backend::Postgres => assert_lost_race(r, inv.version),
        Backend::Sqlite => assert!(matches!(r, Err(StoreError::Refused { code: "not-pending", .. })), "{r:?}"),
    }
    let now = db.store.invitation(inv.id).await.unwrap();
    assert!(now.revoked_at.is_some(), "the revocation stands");
    assert_eq!((now.accepted_at, now.version), (None, inv.version + 1), "nothing written");
    assert!(db.store.person_by_email("lead@riga.example").await.unwrap().is_none(), "no account made");
    assert!(db.store.team(inv.organisation_id).await.unwrap().is_empty(), "no role granted");
    assert_eq!(audit_len(&db, "invitation", inv.id).await, audited, "nothing audited");
});

both_backends!(publishing_an_assessment_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let s = &db.store;
    let wave = first_wave(&db).await;
    let a = riga_assessment(&db, me, wave).await;
    s.put_answer(me, a.id, "dv-strategy", &Answer::Level(3), Some(50.0), "", "").await.unwrap();
    let a = s.submit_assessment(me, a.id, &[]).await.unwrap();
    let audited = audit_len(&db, "assessment", a.id).await;
    let results_version = s.wave_by_id(wave).await.unwrap().results_version;
    let s2 = s.clone();
    let r = race(&db, "assessments", a.id, async move { s2.set_published(me, a.id, a.version, true).await }).await;
    assert_lost_race(r, a.version);
    let now = s.assessment(a.id).await.unwrap();
    assert_eq!((now.published, now.version), (false, a.version + 1), "nothing written");
    assert_eq!(s.wave_by_id(wave).await.unwrap().results_version, results_version, "results untouched");
    assert_eq!(audit_len(&db, "assessment", a.id).await, audited, "nothing audited");
});

both_backends!(closing_a_wave_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let me = admin(&db).await;
    let s = &db.store;
    let input = WaveInput::parse("t2", "Second follow-up", "2024-01-01", "2024-12-31").unwrap();
    let wave = s.create_wave(me, programme_id(&db).await, &input).await.unwrap();
    let a = riga_assessment(&db, me, wave.id).await;
    s.submit_assessment(me, a.id, &[]).await.unwrap();
    let audited = audit_len(&db, "wave", wave.id).await;
    let s2 = s.clone();
    let r = race(&db, "waves", wave.id, async move { s2.close_wave(me, wave.id, wave.version).await }).await;
    assert_lost_race(r, wave.version);
    let now = s.wave_by_id(wave.id).await.unwrap();
    assert_eq!((now.closed_at, now.version), (None, wave.version + 1), "nothing written");
    let frozen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assessment_results WHERE frozen = 1")
        .fetch_one(&s.pool)
        .await
        .unwrap();
    assert_eq!(frozen, 0, "no results frozen");
    assert_eq!(audit_len(&db, "wave", wave.id).await, audited, "nothing audited");
});

both_backends!(opening_a_survey_racing_another_writer_is_refused, true, |db: TestDb| async move {
    let s = &db.store;
    let c = draft_campaign_to_riga(&db).await;
    let audited = audit_len(&db, "survey-campaign", c.id).await;
    let s2 = s.clone();
    let r = race(&db, "survey_campaigns", c.id, async move {
        s2.set_campaign_status(None, c.id, c.version, CampaignStatus::Open, &mail()).await
    })
    .await;
    assert_lost_race(r, c.version);
    let now = s.campaign(c.id).await.unwrap();
    assert_eq!((now.status, now.version), (CampaignStatus::Draft, c.version + 1), "nothing written");
    assert!(s.respondents(c.id).await.unwrap().iter().all(|r| r.invited_at.is_none()), "nobody invited");
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(&s.pool).await.unwrap();
    assert_eq!(sent, 0, "no link sent");
    assert_eq!(audit_len(&db, "survey-campaign", c.id).await, audited, "nothing audited");
});
