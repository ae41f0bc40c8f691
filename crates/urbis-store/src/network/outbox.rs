//! The outbox: e-mail queued in the transaction of the change that sends it.
//!
//! Messages with a secret (an invitation or a survey link) never hold it in clear: `body` keeps
//! the message with the link withheld, and `sealed_body` the whole message encrypted with
//! XChaCha20-Poly1305 (an AEAD) under the installation's outbox key, which lives outside the
//! database (see [`OutboxKeys`] and "The outbox key" in `docs/operations.md`). The message's id is
//! the associated data, so a sealed body cannot be moved to another row. Delivery opens it;
//! [`Store::mark_delivered`] and the retention purge [`Store::purge_expired_secrets`] drop it.
//! Backups leave `sealed_body` out (see `backup.rs`).

use crate::audit::commit_audited;
use crate::{Result, Store, StoreError, WriteTx, now, parse_ts, ts};
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// What replaces a secret link in the stored (clear) body.
pub const WITHHELD: &str = "[link withheld: sealed until delivery]";

/// The outbox keys: the first seals new messages, the others (older keys, during a rotation) only
/// open messages sealed before. A key is 32 random bytes, written as 64 hex digits, one per line
/// in the key file (`#` starts a comment).
#[derive(Clone)]
pub struct OutboxKeys(Arc<Vec<(String, XChaCha20Poly1305)>>);

impl std::fmt::Debug for OutboxKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.0.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "OutboxKeys({ids:?})")
    }
}

fn key_error(message: impl Into<String>) -> StoreError {
    StoreError::OutboxKey(message.into())
}

impl OutboxKeys {
    /// A new random key as a key file line (64 hex digits).
    pub fn new_key_line() -> String {
        hex::encode(Key::generate().as_slice())
    }

    /// One new random key (for a database that lives only as long as the process, and for tests).
    pub fn generate() -> OutboxKeys {
        OutboxKeys::parse(&OutboxKeys::new_key_line(), "a generated key").unwrap_or_else(|_| unreachable!())
    }

    /// Keys from the text of a key file; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<OutboxKeys> {
        let mut keys = vec![];
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bytes = hex::decode(line).ok().filter(|b| b.len() == 32).ok_or_else(|| {
                key_error(format!("{source}, line {}: an outbox key is 64 hex digits (32 bytes)", i + 1))
            })?;
            let id = hex::encode(&Sha256::digest(&bytes)[..4]);
            let key = Key::try_from(bytes.as_slice()).map_err(|_| key_error("an outbox key is 32 bytes"))?;
            keys.push((id, XChaCha20Poly1305::new(&key)));
        }
        if keys.is_empty() {
            return Err(key_error(format!("{source} holds no outbox key")));
        }
        Ok(OutboxKeys(Arc::new(keys)))
    }

    /// The keys in a key file, which must exist.
    pub fn load(path: &Path) -> Result<OutboxKeys> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_error(format!("cannot read the outbox key file {}: {e}", path.display())))?;
        OutboxKeys::parse(&text, &path.display().to_string())
    }

    /// The keys in a key file, created (readable by its owner only) with a new key if missing.
    pub fn load_or_create(path: &Path) -> Result<OutboxKeys> {
        if !path.exists() {
            write_key_file(path, &format!("{}\n", OutboxKeys::new_key_line()))?;
            tracing::info!(path = %path.display(), "outbox key file created");
        }
        OutboxKeys::load(path)
    }

    /// The id of the sealing key (the first 8 hex digits of its SHA-256), shown in errors.
    pub fn current_id(&self) -> &str {
        &self.0[0].0
    }

    /// Seal `plain` for the message `id`: `v1.<key id>.<nonce>.<ciphertext>` (hex).
    fn seal(&self, id: &str, plain: &str) -> Result<String> {
        let (kid, cipher) = &self.0[0];
        let nonce = XNonce::generate();
        let ct = cipher
            .encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: id.as_bytes() })
            .map_err(|_| key_error("sealing an outbox message failed"))?;
        Ok(format!("v1.{kid}.{}.{}", hex::encode(nonce.as_slice()), hex::encode(ct)))
    }

    /// Open a sealed body of the message `id`.
    fn open(&self, id: &str, sealed: &str) -> Result<String> {
        let parts: Vec<&str> = sealed.split('.').collect();
        let ["v1", kid, nonce, ct] = parts[..] else {
            return Err(key_error(format!("outbox message {id}: its sealed body is not in a known format")));
        };
        let Some((_, cipher)) = self.0.iter().find(|(k, _)| k == kid) else {
            return Err(key_error(format!(
                "outbox message {id} was sealed with outbox key {kid}, which is not in the key file \
                 (its keys: {}); give Urbis the key file it was sealed with",
                self.0.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
            )));
        };
        let corrupt = || key_error(format!("outbox message {id}: its sealed body does not open with key {kid}"));
        let nonce = hex::decode(nonce).ok().and_then(|n| XNonce::try_from(n.as_slice()).ok()).ok_or_else(corrupt)?;
        let ct = hex::decode(ct).map_err(|_| corrupt())?;
        let plain = cipher.decrypt(&nonce, Payload { msg: &ct, aad: id.as_bytes() }).map_err(|_| corrupt())?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }
}

/// Write a new key file readable and writable by its owner only (0600), refusing to overwrite.
pub fn write_key_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| key_error(format!("cannot create the outbox key file {}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| key_error(format!("cannot write the outbox key file {}: {e}", path.display())))
}

/// An outgoing message, opened for delivery.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// The message as it is to be sent (with its link), or, when its secret was purged (expired,
    /// or left out of the backup it was restored from), with the link withheld.
    pub body: String,
    /// Has the secret been purged (the message can no longer be delivered as written)?
    pub secret_lost: bool,
    pub created_at: DateTime<Utc>,
}

/// An e-mail queued with a change: its kind, subject, body and the secret link inside the body.
#[derive(Debug, Clone)]
pub struct Mail {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    pub link: String,
}

/// A message's secret: the link inside `body` and when it stops working.
#[derive(Debug, Clone, Copy)]
pub struct Secret<'a> {
    pub link: &'a str,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Use these outbox keys (replacing those found when connecting).
    pub fn with_outbox_keys(mut self, keys: OutboxKeys) -> Store {
        self.outbox_keys = Some(keys);
        self
    }

    /// The outbox keys, if any were given or found.
    pub fn outbox_keys(&self) -> Option<&OutboxKeys> {
        self.outbox_keys.as_ref()
    }

    fn keys(&self) -> Result<&OutboxKeys> {
        self.outbox_keys.as_ref().ok_or_else(|| {
            key_error(
                "no outbox key is configured: set URBIS_OUTBOX_KEY_FILE (--outbox-key-file) to a key file \
                 made with `urbis outbox-key generate`",
            )
        })
    }

    /// Queue an outgoing e-mail (delivered by the outbox job when a transport is configured),
    /// sealing its secret link if it has one.
    pub async fn enqueue_mail(
        &self,
        kind: &str,
        recipient: &str,
        subject: &str,
        body: &str,
        secret: Option<Secret<'_>>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        enqueue_mail_in(&mut tx, self, kind, recipient, subject, body, secret).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Messages not delivered yet, oldest first (at most `limit`), opened for delivery.
    pub async fn pending_mail(&self, limit: i64) -> Result<Vec<OutgoingMail>> {
        let rows: Vec<MailRow> = sqlx::query_as(
            "SELECT id, kind, recipient, subject, body, sealed_body, purged_at, created_at FROM outbox \
             WHERE sent_at IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| self.opened(r)).collect()
    }

    fn opened(&self, r: MailRow) -> Result<OutgoingMail> {
        let (id, kind, recipient, subject, body, sealed, purged_at, created_at) = r;
        let body = match &sealed {
            Some(s) => self.keys()?.open(&id, s)?,
            None => body,
        };
        Ok(OutgoingMail {
            id: crate::row::parse_uuid(&id)?,
            kind,
            recipient,
            subject,
            body,
            secret_lost: sealed.is_none() && purged_at.is_some(),
            created_at: parse_ts(&created_at)?,
        })
    }

    /// Mark a message delivered and purge its secret (the delivery job calls this once the
    /// transport accepted it). Delivering twice is harmless: the second call changes nothing.
    pub async fn mark_delivered(&self, id: Uuid) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let at = ts(now());
        let done = sqlx::query(
            "UPDATE outbox SET sent_at = $1, sealed_body = NULL, purged_at = $1 WHERE id = $2 AND sent_at IS NULL",
        )
        .bind(&at)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if done {
            commit_audited::<(), _>(tx, None, "outbox.delivered", "outbox", &id.to_string(), None, Some(&at)).await?;
        } else {
            tx.rollback().await?;
        }
        Ok(done)
    }

    /// Purge the secrets of undelivered messages whose link has expired (they could not be used
    /// any more anyway); returns how many were purged.
    pub async fn purge_expired_secrets(&self, at: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE outbox SET sealed_body = NULL, purged_at = $1 \
             WHERE sealed_body IS NOT NULL AND secret_expires_at IS NOT NULL AND secret_expires_at <= $1",
        )
        .bind(ts(at))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            let after = serde_json::json!({ "purged": n });
            commit_audited::<(), _>(tx, None, "outbox.purge-expired", "outbox", "", None, Some(&after)).await?;
        } else {
            tx.rollback().await?;
        }
        Ok(n)
    }

    /// The messages queued for one recipient, oldest first: (kind, subject, body), opened with the
    /// outbox key. Test support.
    #[cfg(any(test, feature = "testing"))]
    pub async fn queued_mail(&self, recipient: &str) -> Result<Vec<(String, String, String)>> {
        let rows: Vec<MailRow> = sqlx::query_as(
            "SELECT id, kind, recipient, subject, body, sealed_body, purged_at, created_at FROM outbox \
             WHERE recipient = $1 ORDER BY id",
        )
        .bind(recipient)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| self.opened(r).map(|m| (m.kind, m.subject, m.body))).collect()
    }
}

type MailRow = (String, String, String, String, String, Option<String>, Option<String>, String);

/// Queue an outgoing e-mail inside the caller's transaction, so it is sent only if the change
/// commits. With a secret, the link is withheld from `body` and the whole message sealed.
pub(crate) async fn enqueue_mail_in(
    tx: &mut WriteTx,
    store: &Store,
    kind: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    secret: Option<Secret<'_>>,
) -> Result<()> {
    let id = Uuid::now_v7().to_string();
    let (clear, sealed, expires) = match secret {
        Some(s) if !s.link.is_empty() => {
            (body.replace(s.link, WITHHELD), Some(store.keys()?.seal(&id, body)?), Some(ts(s.expires_at)))
        }
        _ => (body.to_string(), None, None),
    };
    sqlx::query(
        "INSERT INTO outbox (id, kind, recipient, subject, body, created_at, sealed_body, secret_expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(kind)
    .bind(recipient)
    .bind(subject)
    .bind(clear)
    .bind(ts(now()))
    .bind(sealed)
    .bind(expires)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bodies_open_only_with_their_key_and_row() {
        let old = OutboxKeys::new_key_line();
        let keys = OutboxKeys::parse(&old, "t").unwrap();
        let sealed = keys.seal("row-1", "hello https://x/surveys/abc").unwrap();
        assert!(!sealed.contains("surveys") && !sealed.contains("abc"));
        assert_eq!(keys.open("row-1", &sealed).unwrap(), "hello https://x/surveys/abc");
        // Another row's id (associated data) does not open it.
        assert!(matches!(keys.open("row-2", &sealed), Err(StoreError::OutboxKey(_))));
        // Another key gives a clear error naming the key the message was sealed with.
        let other = OutboxKeys::generate();
        let Err(StoreError::OutboxKey(m)) = other.open("row-1", &sealed) else { panic!("opened with a wrong key") };
        assert!(m.contains(keys.current_id()), "{m}");
        // A rotation: the new key first, the old one kept to open older messages.
        let rotated = OutboxKeys::parse(&format!("{}\n# old\n{old}\n", OutboxKeys::new_key_line()), "t").unwrap();
        assert_eq!(rotated.open("row-1", &sealed).unwrap(), "hello https://x/surveys/abc");
        assert_ne!(rotated.current_id(), keys.current_id());
    }

    #[test]
    fn bad_key_files_are_clear_errors() {
        for (text, expect) in
            [("", "holds no outbox key"), ("abcd", "64 hex digits"), (&"zz".repeat(32), "64 hex digits")]
        {
            let Err(StoreError::OutboxKey(m)) = OutboxKeys::parse(text, "k.key") else { panic!("{text:?} accepted") };
            assert!(m.contains(expect) && m.contains("k.key"), "{m}");
        }
        let dir = tempfile::tempdir().unwrap();
        let Err(StoreError::OutboxKey(m)) = OutboxKeys::load(&dir.path().join("missing.key")) else { panic!() };
        assert!(m.contains("missing.key"), "{m}");
        let path = dir.path().join("new.key");
        let a = OutboxKeys::load_or_create(&path).unwrap();
        assert_eq!(OutboxKeys::load_or_create(&path).unwrap().current_id(), a.current_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
