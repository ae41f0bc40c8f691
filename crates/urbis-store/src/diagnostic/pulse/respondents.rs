//! Respondents of a campaign: the organisations and people it is sent to, their secret links
//! (stored only as hashes), invitations and reminders through the outbox.

use super::Campaign;
use super::campaigns::{campaign_in, finish_campaign, require_open};
use crate::audit::{self, commit_audited};
use crate::auth::{hash_token, new_token};
use crate::network::{NewOrganisation, enqueue_mail_in, insert_organisation};
use crate::query::{all, fixed_sql, one};
use crate::row::{RowExt, parse_uuid};
use crate::{Result, Store, StoreError, WriteTx, now, ts};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::diagnostic::pulse::{CampaignStatus, REMINDER_INTERVAL_HOURS};
use uuid::Uuid;

/// A respondent: one person, by e-mail, answering for one organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Respondent {
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_slug: String,
    pub organisation_name: String,
    pub country_code: String,
    pub email: String,
    pub invited_at: Option<DateTime<Utc>>,
    pub last_reminded_at: Option<DateTime<Utc>>,
    pub reminders: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

const RESPONDENT_SELECT: &str = "SELECT r.id, r.campaign_id, r.organisation_id, o.slug AS organisation_slug, \
     o.name AS organisation_name, o.country_code, r.email, r.invited_at, r.last_reminded_at, r.reminders, \
     r.submitted_at, r.version FROM survey_respondents r JOIN organisations o ON o.id = r.organisation_id";
const BY_ID: &str = "WHERE r.id = $1";
const OF_CAMPAIGN: &str = "WHERE r.campaign_id = $1 ORDER BY o.name, o.slug, r.email";

fn respondent(r: &AnyRow) -> Result<Respondent> {
    Ok(Respondent {
        id: r.uuid("id")?,
        campaign_id: r.uuid("campaign_id")?,
        organisation_id: r.uuid("organisation_id")?,
        organisation_slug: r.text("organisation_slug")?,
        organisation_name: r.text("organisation_name")?,
        country_code: r.text("country_code")?,
        email: r.text("email")?,
        invited_at: r.opt_ts("invited_at")?,
        last_reminded_at: r.opt_ts("last_reminded_at")?,
        reminders: r.int("reminders")?,
        submitted_at: r.opt_ts("submitted_at")?,
        version: r.int("version")?,
    })
}

/// Where a recipient organisation comes from.
#[derive(Debug, Clone)]
pub enum RecipientOrganisation {
    Existing(Uuid),
    /// Added on the spot (e.g. a city outside the cohort).
    New(NewOrganisation),
}

/// An organisation and its respondents' e-mail addresses (checked by the domain).
#[derive(Debug, Clone)]
pub struct NewRecipient {
    pub organisation: RecipientOrganisation,
    pub emails: Vec<String>,
}

/// The e-mail sent with a link: `{link}` in the body is replaced by the respondent's own link,
/// made of `link_prefix` and the secret token.
#[derive(Debug, Clone)]
pub struct LinkMail {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    pub link_prefix: String,
}

/// A link just issued to a respondent: the secret token is returned once (staff may hand links out
/// themselves when no mail transport is configured) and stored only as a hash.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    pub respondent_id: Uuid,
    pub email: String,
    pub token: String,
}

impl LinkMail {
    /// Issue a new link for a respondent (only its hash is stored) and queue the e-mail with it.
    async fn send(&self, tx: &mut WriteTx, respondent_id: Uuid, email: &str, at: DateTime<Utc>) -> Result<IssuedLink> {
        let token = new_token();
        sqlx::query("INSERT INTO survey_links (token_hash, respondent_id, created_at) VALUES ($1, $2, $3)")
            .bind(hash_token(&token))
            .bind(respondent_id.to_string())
            .bind(ts(at))
            .execute(&mut **tx)
            .await?;
        let body = self.body.replace("{link}", &format!("{}{token}", self.link_prefix));
        enqueue_mail_in(tx, self.kind, email, &self.subject, &body).await?;
        Ok(IssuedLink { respondent_id, email: email.to_string(), token })
    }
}

/// A campaign's respondents read inside a write transaction, by organisation name then e-mail.
pub(super) async fn respondents_in(tx: &mut WriteTx, campaign_id: Uuid) -> Result<Vec<Respondent>> {
    all(&mut **tx, fixed_sql(&[RESPONDENT_SELECT, OF_CAMPAIGN]), campaign_id, respondent).await
}

/// A respondent read inside a write transaction; `NotFound` when there is none.
pub(super) async fn respondent_in(tx: &mut WriteTx, id: Uuid) -> Result<Respondent> {
    one(&mut **tx, fixed_sql(&[RESPONDENT_SELECT, BY_ID]), id, respondent).await
}

/// Invite the respondents not invited yet: a link each, queued in the outbox.
pub(super) async fn invite_pending(
    tx: &mut WriteTx,
    respondents: &[Respondent],
    mail: &LinkMail,
    at: DateTime<Utc>,
) -> Result<Vec<IssuedLink>> {
    let mut links = vec![];
    for r in respondents.iter().filter(|r| r.invited_at.is_none()) {
        links.push(mail.send(tx, r.id, &r.email, at).await?);
        sqlx::query("UPDATE survey_respondents SET invited_at = $1, version = version + 1 WHERE id = $2")
            .bind(ts(at))
            .bind(r.id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(links)
}

/// The organisation of the `i`-th recipient: an existing one (refused when unknown), or one added now.
async fn recipient_organisation(
    tx: &mut WriteTx,
    actor: Option<Uuid>,
    i: usize,
    organisation: &RecipientOrganisation,
) -> Result<Uuid> {
    match organisation {
        RecipientOrganisation::Existing(id) => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&mut **tx)
                .await?;
            if n == 0 {
                return Err(StoreError::refused(
                    "organisation",
                    "unknown-organisation",
                    format!("recipient {}: no such organisation", i + 1),
                ));
            }
            Ok(*id)
        }
        RecipientOrganisation::New(new) => Ok(insert_organisation(tx, actor, new).await?.id),
    }
}

/// Add one respondent to a campaign; refused when the e-mail address already answers it.
async fn add_respondent(
    tx: &mut WriteTx,
    campaign_id: Uuid,
    organisation_id: Uuid,
    email: &str,
    at: DateTime<Utc>,
) -> Result<Respondent> {
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM survey_respondents WHERE campaign_id = $1 AND email = $2")
            .bind(campaign_id.to_string())
            .bind(email)
            .fetch_one(&mut **tx)
            .await?;
    if taken > 0 {
        return Err(StoreError::refused(
            "emails",
            "already-respondent",
            format!("{email} is already a respondent of this survey"),
        ));
    }
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO survey_respondents (id, campaign_id, organisation_id, email, reminders, version, created_at) \
         VALUES ($1, $2, $3, $4, 0, 1, $5)",
    )
    .bind(id.to_string())
    .bind(campaign_id.to_string())
    .bind(organisation_id.to_string())
    .bind(email)
    .bind(ts(at))
    .execute(&mut **tx)
    .await?;
    respondent_in(tx, id).await
}

impl Store {
    /// A campaign's respondents, by organisation name then e-mail.
    pub async fn respondents(&self, campaign_id: Uuid) -> Result<Vec<Respondent>> {
        all(&self.pool, fixed_sql(&[RESPONDENT_SELECT, OF_CAMPAIGN]), campaign_id, respondent).await
    }

    /// Add organisations (existing or new) and their respondents to a draft or open campaign, all or
    /// nothing. In an open campaign the new respondents get their link at once. Refused for a closed
    /// campaign, and for an e-mail address that already answers this campaign.
    pub async fn add_recipients(
        &self,
        actor: Option<Uuid>,
        campaign_id: Uuid,
        recipients: &[NewRecipient],
        mail: &LinkMail,
    ) -> Result<(Campaign, Vec<Respondent>, Vec<IssuedLink>)> {
        let mut tx = self.begin_write().await?;
        let before = campaign_in(&mut tx, campaign_id).await?;
        if before.status == CampaignStatus::Closed {
            return Err(StoreError::refused(
                "campaign",
                "survey-closed",
                "this survey is closed; add no more recipients",
            ));
        }
        let at = now();
        let mut added = vec![];
        for (i, rec) in recipients.iter().enumerate() {
            let org_id = recipient_organisation(&mut tx, actor, i, &rec.organisation).await?;
            for email in &rec.emails {
                added.push(add_respondent(&mut tx, campaign_id, org_id, email, at).await?);
            }
        }
        let mut links = vec![];
        if before.status == CampaignStatus::Open {
            links = invite_pending(&mut tx, &added, mail, at).await?;
            for r in added.iter_mut() {
                *r = respondent_in(&mut tx, r.id).await?;
            }
        }
        audit::record::<(), _>(
            &mut tx,
            actor,
            "survey.add-recipients",
            "survey-campaign",
            &campaign_id.to_string(),
            None,
            Some(&added),
        )
        .await?;
        let after = finish_campaign(tx, actor, "survey.update", &before).await?;
        Ok((after, added, links))
    }

    /// Queue one reminder (with a fresh link; earlier links keep working) for each invited
    /// respondent who has not submitted and was not reminded in the last 24 hours. Only while the
    /// campaign is open. Returns the respondents reminded.
    pub async fn send_reminders(
        &self,
        actor: Option<Uuid>,
        campaign_id: Uuid,
        mail: &LinkMail,
    ) -> Result<Vec<IssuedLink>> {
        let mut tx = self.begin_write().await?;
        let c = campaign_in(&mut tx, campaign_id).await?;
        require_open(&c)?;
        let at = now();
        let cutoff = at - Duration::hours(REMINDER_INTERVAL_HOURS);
        let due: Vec<Respondent> = respondents_in(&mut tx, campaign_id)
            .await?
            .into_iter()
            .filter(|r| r.invited_at.is_some() && r.submitted_at.is_none())
            .filter(|r| r.last_reminded_at.is_none_or(|t| t <= cutoff))
            .collect();
        let mut links = vec![];
        for r in &due {
            links.push(mail.send(&mut tx, r.id, &r.email, at).await?);
            sqlx::query(
                "UPDATE survey_respondents SET last_reminded_at = $1, reminders = reminders + 1, version = version + 1 WHERE id = $2",
            )
            .bind(ts(at))
            .bind(r.id.to_string())
            .execute(&mut *tx)
            .await?;
        }
        let ids: Vec<Uuid> = due.iter().map(|r| r.id).collect();
        commit_audited::<(), _>(tx, actor, "survey.remind", "survey-campaign", campaign_id, None, Some(&ids)).await?;
        Ok(links)
    }

    /// The respondent and campaign behind a link.
    pub async fn respondent_by_token(&self, token: &str) -> Result<(Respondent, Campaign)> {
        let id: Option<String> = sqlx::query_scalar("SELECT respondent_id FROM survey_links WHERE token_hash = $1")
            .bind(hash_token(token))
            .fetch_optional(&self.pool)
            .await?;
        let id = parse_uuid(&id.ok_or(StoreError::NotFound)?)?;
        let r = one(&self.pool, fixed_sql(&[RESPONDENT_SELECT, BY_ID]), id, respondent).await?;
        let c = self.campaign(r.campaign_id).await?;
        Ok((r, c))
    }

    /// The messages queued for one recipient, oldest first: (kind, subject, body). Test support.
    #[cfg(any(test, feature = "testing"))]
    pub async fn queued_mail(&self, recipient: &str) -> Result<Vec<(String, String, String)>> {
        Ok(sqlx::query_as("SELECT kind, subject, body FROM outbox WHERE recipient = $1 ORDER BY id")
            .bind(recipient)
            .fetch_all(&self.pool)
            .await?)
    }
}
