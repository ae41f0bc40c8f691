//! Respondents of a campaign: the organisations and people it is sent to, their secret links
//! (stored only as hashes), invitations and reminders through the outbox.

use super::Campaign;
use super::campaigns::{finish_campaign, require_open};
use crate::audit::{self, commit_audited};
use crate::auth::{hash_token, new_token};
use crate::network::{NewOrganisation, Secret, enqueue_mail_in, insert_organisation};
use crate::query::{all, by_id, count, insert, insert_record, select};
use crate::row::{Record, parse_uuid, record};
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now, ts};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use urbis_domain::diagnostic::pulse::{CampaignStatus, REMINDER_INTERVAL_HOURS};
use uuid::Uuid;

record! {
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
}

impl Record for Respondent {
    const TABLE: &'static str = "survey_respondents";
    const COLUMNS: &'static str = "r.id, r.campaign_id, r.organisation_id, o.slug AS organisation_slug, \
         o.name AS organisation_name, o.country_code, r.email, r.invited_at, r.last_reminded_at, r.reminders, \
         r.submitted_at, r.version";
    const FROM: &'static str = "survey_respondents r JOIN organisations o ON o.id = r.organisation_id";
    const ID: &'static str = "r.id";
    const UPDATED_AT: bool = false;
}

const OF_CAMPAIGN: &str = "WHERE r.campaign_id = $1 ORDER BY o.name, o.slug, r.email";

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
/// made of `link_prefix` and the secret token. The link is sealed in the outbox (see
/// `network::outbox`) and purged once delivered or after `link_expires_at`.
#[derive(Debug, Clone)]
pub struct LinkMail {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
    pub link_prefix: String,
    pub link_expires_at: DateTime<Utc>,
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
    async fn send(
        &self,
        tx: &mut WriteTx,
        store: &Store,
        respondent_id: Uuid,
        email: &str,
        at: DateTime<Utc>,
    ) -> Result<IssuedLink> {
        let token = new_token();
        let link = Fields::new().set("token_hash", hash_token(&token)).set("respondent_id", respondent_id);
        insert(tx, "survey_links", link.set("created_at", at), "").await?;
        let link = format!("{}{token}", self.link_prefix);
        let body = self.body.replace("{link}", &link);
        let secret = Secret { link: &link, expires_at: self.link_expires_at };
        enqueue_mail_in(tx, store, self.kind, email, &self.subject, &body, Some(secret)).await?;
        Ok(IssuedLink { respondent_id, email: email.to_string(), token })
    }
}

/// A campaign's respondents read inside a write transaction, by organisation name then e-mail.
pub(super) async fn respondents_in(tx: &mut WriteTx, campaign_id: Uuid) -> Result<Vec<Respondent>> {
    all(&mut **tx, select::<Respondent>(OF_CAMPAIGN), campaign_id).await
}

/// Invite the respondents not invited yet: a link each, queued in the outbox.
pub(super) async fn invite_pending(
    tx: &mut WriteTx,
    store: &Store,
    respondents: &[Respondent],
    mail: &LinkMail,
    at: DateTime<Utc>,
) -> Result<Vec<IssuedLink>> {
    let mut links = vec![];
    for r in respondents.iter().filter(|r| r.invited_at.is_none()) {
        links.push(mail.send(tx, store, r.id, &r.email, at).await?);
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
            if count(&mut **tx, "organisations", Fields::new().set("id", *id)).await? == 0 {
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
    let key = Fields::new().set("campaign_id", campaign_id).set("email", email);
    let taken = count(&mut **tx, Respondent::TABLE, key.clone()).await?;
    if taken > 0 {
        return Err(StoreError::refused(
            "emails",
            "already-respondent",
            format!("{email} is already a respondent of this survey"),
        ));
    }
    let fields = key.set("organisation_id", organisation_id).set("reminders", 0_i64).set("version", 1_i64);
    insert_record(tx, fields.set("created_at", at)).await
}

impl Store {
    /// A campaign's respondents, by organisation name then e-mail.
    pub async fn respondents(&self, campaign_id: Uuid) -> Result<Vec<Respondent>> {
        all(&self.pool, select::<Respondent>(OF_CAMPAIGN), campaign_id).await
    }

    /// A page of a campaign's respondents, in the order of [`Store::respondents`].
    pub async fn respondents_page(&self, campaign_id: Uuid, page: crate::Page) -> Result<crate::Paged<Respondent>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_respondents WHERE campaign_id = $1")
            .bind(campaign_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        let sql = select::<Respondent>("WHERE r.campaign_id = $1 ORDER BY o.name, o.slug, r.email LIMIT $2 OFFSET $3");
        let items = all(&self.pool, sql, (campaign_id, page.limit(), page.offset())).await?;
        Ok(page.of(items, total))
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
        let (mut tx, before) = self.begin_on::<Campaign>(campaign_id).await?;
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
            links = invite_pending(&mut tx, self, &added, mail, at).await?;
            for r in added.iter_mut() {
                *r = by_id(&mut *tx, r.id).await?;
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
        let (mut tx, c) = self.begin_on::<Campaign>(campaign_id).await?;
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
            links.push(mail.send(&mut tx, self, r.id, &r.email, at).await?);
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
        let r: Respondent = by_id(&self.pool, id).await?;
        let c = self.campaign(r.campaign_id).await?;
        Ok((r, c))
    }
}
