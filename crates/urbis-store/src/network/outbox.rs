//! The outbox: e-mail queued in the transaction of the change that sends it.

use crate::{Result, Store, WriteTx, now, ts};
use uuid::Uuid;

impl Store {
    /// Queue an outgoing e-mail (delivered by the outbox job when a transport is configured).
    pub async fn enqueue_mail(&self, kind: &str, recipient: &str, subject: &str, body: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        enqueue_mail_in(&mut tx, kind, recipient, subject, body).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Queue an outgoing e-mail inside the caller's transaction, so it is sent only if the change commits.
pub(crate) async fn enqueue_mail_in(
    tx: &mut WriteTx,
    kind: &str,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO outbox (id, kind, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::now_v7().to_string())
        .bind(kind)
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(ts(now()))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
