//! The outbox keeps secret links sealed: delivery opens them, delivering or expiring purges them,
//! and a missing or wrong key is a clear error.

use crate::network::{OutboxKeys, Secret};
use crate::testing::TestDb;
use crate::{StoreError, both_backends, now};
use chrono::Duration;

const LINK: &str = "https://urbis.example/invitations/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

async fn raw(db: &TestDb) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT body, sealed_body, sent_at, purged_at FROM outbox ORDER BY id")
        .fetch_all(&db.store.pool)
        .await
        .unwrap()
}

both_backends!(purge_removes_the_secret, false, |db: TestDb| async move {
    let s = &db.store;
    let body = format!("Join us: {LINK}");
    let soon = Secret { link: LINK, expires_at: now() + Duration::days(14) };
    let past = Secret { link: LINK, expires_at: now() - Duration::minutes(1) };
    s.enqueue_mail("invitation", "a@riga.example", "Join", &body, Some(soon)).await.unwrap();
    s.enqueue_mail("invitation", "b@riga.example", "Join", &body, Some(past)).await.unwrap();
    s.enqueue_mail("note", "c@riga.example", "Hello", "No secret here.", None).await.unwrap();
    // Stored: the link nowhere in clear, the body with the link withheld, the whole sealed.
    for (clear, sealed, _, _) in raw(&db).await {
        assert!(!clear.contains("0123456789abcdef"), "{clear}");
        assert!(!sealed.unwrap_or_default().contains("0123456789abcdef"));
    }
    // Delivery opens them.
    let pending = s.pending_mail(10).await.unwrap();
    assert_eq!(pending.len(), 3);
    assert_eq!(pending[0].body, body);
    assert_eq!(pending[2].body, "No secret here.");
    // The retention purge drops the expired secret only.
    assert_eq!(s.purge_expired_secrets(now()).await.unwrap(), 1);
    assert_eq!(s.purge_expired_secrets(now()).await.unwrap(), 0);
    let rows = raw(&db).await;
    assert!(rows[0].1.is_some() && rows[1].1.is_none() && rows[1].3.is_some(), "{rows:?}");
    let pending = s.pending_mail(10).await.unwrap();
    assert!(pending[1].secret_lost && !pending[1].body.contains(LINK), "an expired message cannot be sent as written");
    // Delivered: marked sent and its secret purged; delivering again changes nothing.
    assert!(s.mark_delivered(pending[0].id).await.unwrap());
    assert!(!s.mark_delivered(pending[0].id).await.unwrap());
    let rows = raw(&db).await;
    assert!(rows[0].1.is_none() && rows[0].2.is_some() && rows[0].3.is_some(), "{rows:?}");
    assert_eq!(s.pending_mail(10).await.unwrap().len(), 2);
    let all: String = raw(&db).await.iter().map(|r| format!("{r:?}")).collect();
    assert!(!all.contains("0123456789abcdef"), "no link left in the outbox: {all}");
});

both_backends!(a_wrong_or_missing_outbox_key_is_a_clear_error, false, |db: TestDb| async move {
    let s = &db.store;
    let secret = Secret { link: LINK, expires_at: now() + Duration::days(14) };
    s.enqueue_mail("invitation", "a@riga.example", "Join", &format!("Join us: {LINK}"), Some(secret)).await.unwrap();
    let sealed_with = s.outbox_keys().unwrap().current_id().to_string();
    // Another key: no panic, an error naming the key the message was sealed with.
    let other = s.clone().with_outbox_keys(OutboxKeys::generate());
    let Err(StoreError::OutboxKey(m)) = other.pending_mail(10).await else { panic!("opened with another key") };
    assert!(m.contains(&sealed_with), "{m}");
    // No key at all: sealing is refused with what to configure, and nothing is queued.
    let mut none = s.clone();
    none.outbox_keys = None;
    let Err(StoreError::OutboxKey(m)) =
        none.enqueue_mail("invitation", "b@riga.example", "Join", &format!("Join us: {LINK}"), Some(secret)).await
    else {
        panic!("queued a secret without a key")
    };
    assert!(m.contains("URBIS_OUTBOX_KEY_FILE"), "{m}");
    assert!(matches!(none.pending_mail(10).await, Err(StoreError::OutboxKey(_))));
    assert_eq!(raw(&db).await.len(), 1);
    // Messages without a secret need no key.
    none.enqueue_mail("note", "c@riga.example", "Hello", "No secret.", None).await.unwrap();
});
