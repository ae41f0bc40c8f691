//! Pulse surveys: campaigns (an instrument version pinned at creation, sent to organisations and
//! their respondents), invitation links stored only as hashes, answers per respondent, submission,
//! reminders through the outbox. Every write is one transaction with an audit entry.

use super::{NewAnswer, date};
use crate::auth::{hash_token, new_token};
use crate::network::{NewOrganisation, enqueue_mail_in, insert_organisation, uuid};
use crate::{Result, Store, StoreError, WriteTx, audit, now, parse_ts, ts};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use urbis_domain::diagnostic::Answer;
use urbis_domain::diagnostic::pulse::{CampaignStatus, REMINDER_INTERVAL_HOURS};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: Uuid,
    pub title: String,
    pub instrument_slug: String,
    pub instrument_version: u32,
    pub programme_id: Option<Uuid>,
    pub programme_slug: Option<String>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub status: CampaignStatus,
    pub is_sample: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const CAMPAIGN_SELECT: &str = "SELECT c.id, c.title, c.instrument_slug, c.instrument_version, c.programme_id, \
     p.slug AS programme_slug, c.opens_on, c.closes_on, c.status, c.is_sample, c.version, c.created_at, c.updated_at \
     FROM survey_campaigns c LEFT JOIN programmes p ON p.id = c.programme_id";

fn campaign(r: &AnyRow) -> Result<Campaign> {
    Ok(Campaign {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        title: r.try_get("title")?,
        instrument_slug: r.try_get("instrument_slug")?,
        instrument_version: r.try_get::<i64, _>("instrument_version")? as u32,
        programme_id: r.try_get::<Option<String>, _>("programme_id")?.as_deref().map(uuid).transpose()?,
        programme_slug: r.try_get("programme_slug")?,
        opens_on: date(&r.try_get::<String, _>("opens_on")?)?,
        closes_on: date(&r.try_get::<String, _>("closes_on")?)?,
        status: CampaignStatus::parse(&r.try_get::<String, _>("status")?)
            .map_err(|e| StoreError::Corrupt(e.message))?,
        is_sample: r.try_get::<i64, _>("is_sample")? != 0,
        version: r.try_get("version")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

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

fn opt_ts(r: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>> {
    r.try_get::<Option<String>, _>(col)?.as_deref().map(parse_ts).transpose()
}

fn respondent(r: &AnyRow) -> Result<Respondent> {
    Ok(Respondent {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        campaign_id: uuid(&r.try_get::<String, _>("campaign_id")?)?,
        organisation_id: uuid(&r.try_get::<String, _>("organisation_id")?)?,
        organisation_slug: r.try_get("organisation_slug")?,
        organisation_name: r.try_get("organisation_name")?,
        country_code: r.try_get("country_code")?,
        email: r.try_get("email")?,
        invited_at: opt_ts(r, "invited_at")?,
        last_reminded_at: opt_ts(r, "last_reminded_at")?,
        reminders: r.try_get("reminders")?,
        submitted_at: opt_ts(r, "submitted_at")?,
        version: r.try_get("version")?,
    })
}

/// One stored answer of a respondent.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyAnswer {
    pub respondent_id: Uuid,
    pub question_id: String,
    pub answer: Answer,
    pub normalised: Option<f64>,
    pub updated_at: DateTime<Utc>,
}

impl SurveyAnswer {
    /// The answer in the shape of an assessment's (no evidence or comment), so that the questionnaire
    /// views and the API's answer type serve both.
    pub fn as_stored(&self) -> super::StoredAnswer {
        super::StoredAnswer {
            respondent_id: self.respondent_id,
            question_id: self.question_id.clone(),
            answer: self.answer.clone(),
            normalised: self.normalised,
            evidence: String::new(),
            comment: String::new(),
            updated_at: self.updated_at,
        }
    }
}

fn survey_answer(r: &AnyRow) -> Result<SurveyAnswer> {
    let json: String = r.try_get("answer_json")?;
    Ok(SurveyAnswer {
        respondent_id: uuid(&r.try_get::<String, _>("respondent_id")?)?,
        question_id: r.try_get("question_id")?,
        answer: serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        normalised: r.try_get("normalised")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

/// A new campaign (fields checked by the domain).
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub title: String,
    pub instrument_slug: String,
    /// `None`: the newest version, pinned now.
    pub instrument_version: Option<u32>,
    pub programme_id: Option<Uuid>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub is_sample: bool,
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

async fn campaign_in(tx: &mut WriteTx, id: Uuid) -> Result<Campaign> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{CAMPAIGN_SELECT} WHERE c.id = $1")))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    campaign(&row)
}

async fn respondents_in(tx: &mut WriteTx, campaign_id: Uuid) -> Result<Vec<Respondent>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{RESPONDENT_SELECT} WHERE r.campaign_id = $1 ORDER BY o.name, o.slug, r.email"
    )))
    .bind(campaign_id.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(respondent).collect()
}

async fn respondent_in(tx: &mut WriteTx, id: Uuid) -> Result<Respondent> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{RESPONDENT_SELECT} WHERE r.id = $1")))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    respondent(&row)
}

/// Refuse answers unless the campaign is open.
fn require_open(c: &Campaign) -> Result<()> {
    match c.status {
        CampaignStatus::Open => Ok(()),
        CampaignStatus::Draft => Err(StoreError::refused("campaign", "survey-not-open", "this survey is not open yet")),
        CampaignStatus::Closed => {
            Err(StoreError::refused("campaign", "survey-closed", "this survey is closed and takes no more answers"))
        }
    }
}

/// Invite the respondents not invited yet: a link each, queued in the outbox.
async fn invite_pending(
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

/// Bump the campaign's version, read it back, audit the change and commit.
async fn finish_campaign(mut tx: WriteTx, actor: Option<Uuid>, action: &str, before: &Campaign) -> Result<Campaign> {
    sqlx::query("UPDATE survey_campaigns SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(ts(now()))
        .bind(before.id.to_string())
        .execute(&mut *tx)
        .await?;
    let after = campaign_in(&mut tx, before.id).await?;
    audit::record(&mut tx, actor, action, "survey-campaign", &before.id.to_string(), Some(before), Some(&after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

impl Store {
    /// Create a draft campaign; the instrument version is pinned now.
    pub async fn create_campaign(&self, actor: Option<Uuid>, new: NewCampaign) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        let version: Option<i64> = match new.instrument_version {
            Some(v) => {
                sqlx::query_scalar("SELECT version FROM instruments WHERE slug = $1 AND version = $2")
                    .bind(&new.instrument_slug)
                    .bind(i64::from(v))
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query_scalar("SELECT MAX(version) FROM instruments WHERE slug = $1")
                    .bind(&new.instrument_slug)
                    .fetch_one(&mut *tx)
                    .await?
            }
        };
        let version =
            version.ok_or_else(|| StoreError::refused("instrument", "unknown-instrument", "no such instrument"))?;
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO survey_campaigns (id, title, instrument_slug, instrument_version, programme_id, opens_on, closes_on, \
             status, is_sample, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, 1, $10, $10)",
        )
        .bind(id.to_string())
        .bind(&new.title)
        .bind(&new.instrument_slug)
        .bind(version)
        .bind(new.programme_id.map(|p| p.to_string()))
        .bind(new.opens_on.to_string())
        .bind(new.closes_on.to_string())
        .bind(i64::from(new.is_sample))
        .bind(actor.map(|a| a.to_string()))
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let c = campaign_in(&mut tx, id).await?;
        audit::record::<(), _>(&mut tx, actor, "survey.create", "survey-campaign", &id.to_string(), None, Some(&c))
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{CAMPAIGN_SELECT} ORDER BY c.id DESC")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(campaign).collect()
    }

    pub async fn campaign(&self, id: Uuid) -> Result<Campaign> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{CAMPAIGN_SELECT} WHERE c.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        campaign(&row)
    }

    /// A campaign's respondents, by organisation name then e-mail.
    pub async fn respondents(&self, campaign_id: Uuid) -> Result<Vec<Respondent>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{RESPONDENT_SELECT} WHERE r.campaign_id = $1 ORDER BY o.name, o.slug, r.email"
        )))
        .bind(campaign_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(respondent).collect()
    }

    /// The organisations a campaign was sent to.
    pub async fn campaign_organisations(&self, campaign_id: Uuid) -> Result<Vec<Uuid>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT organisation_id FROM survey_respondents WHERE campaign_id = $1 ORDER BY organisation_id",
        )
        .bind(campaign_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        ids.iter().map(|s| uuid(s)).collect()
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
            let org_id = match &rec.organisation {
                RecipientOrganisation::Existing(id) => {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE id = $1")
                        .bind(id.to_string())
                        .fetch_one(&mut *tx)
                        .await?;
                    if n == 0 {
                        return Err(StoreError::refused(
                            "organisation",
                            "unknown-organisation",
                            format!("recipient {}: no such organisation", i + 1),
                        ));
                    }
                    *id
                }
                RecipientOrganisation::New(new) => insert_organisation(&mut tx, actor, new).await?.id,
            };
            for email in &rec.emails {
                let taken: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM survey_respondents WHERE campaign_id = $1 AND email = $2")
                        .bind(campaign_id.to_string())
                        .bind(email)
                        .fetch_one(&mut *tx)
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
                .bind(org_id.to_string())
                .bind(email)
                .bind(ts(at))
                .execute(&mut *tx)
                .await?;
                added.push(respondent_in(&mut tx, id).await?);
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

    /// Move a campaign to its next state if it is still at `expected_version`. Opening sends every
    /// respondent their link through the outbox.
    pub async fn set_campaign_status(
        &self,
        actor: Option<Uuid>,
        campaign_id: Uuid,
        expected_version: i64,
        next: CampaignStatus,
        mail: &LinkMail,
    ) -> Result<(Campaign, Vec<IssuedLink>)> {
        let mut tx = self.begin_write().await?;
        let before = campaign_in(&mut tx, campaign_id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
        before.status.check_transition(next).map_err(|e| StoreError::refused("status", e.code, e.message))?;
        let mut links = vec![];
        if next == CampaignStatus::Open {
            let respondents = respondents_in(&mut tx, campaign_id).await?;
            if respondents.is_empty() {
                return Err(StoreError::refused(
                    "status",
                    "no-recipients",
                    "add at least one organisation and respondent before opening the survey",
                ));
            }
            links = invite_pending(&mut tx, &respondents, mail, now()).await?;
        }
        sqlx::query("UPDATE survey_campaigns SET status = $1 WHERE id = $2 AND version = $3")
            .bind(next.as_str())
            .bind(campaign_id.to_string())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        let action = match next {
            CampaignStatus::Open => "survey.open",
            _ => "survey.close",
        };
        Ok((finish_campaign(tx, actor, action, &before).await?, links))
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
        audit::record::<(), _>(
            &mut tx,
            actor,
            "survey.remind",
            "survey-campaign",
            &campaign_id.to_string(),
            None,
            Some(&ids),
        )
        .await?;
        tx.commit().await?;
        Ok(links)
    }

    /// The respondent and campaign behind a link.
    pub async fn respondent_by_token(&self, token: &str) -> Result<(Respondent, Campaign)> {
        let id: Option<String> = sqlx::query_scalar("SELECT respondent_id FROM survey_links WHERE token_hash = $1")
            .bind(hash_token(token))
            .fetch_optional(&self.pool)
            .await?;
        let id = uuid(&id.ok_or(StoreError::NotFound)?)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{RESPONDENT_SELECT} WHERE r.id = $1")))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let r = respondent(&row)?;
        let c = self.campaign(r.campaign_id).await?;
        Ok((r, c))
    }

    /// A respondent's answers, by question.
    pub async fn survey_answers(&self, respondent_id: Uuid) -> Result<Vec<SurveyAnswer>> {
        let rows = sqlx::query(
            "SELECT respondent_id, question_id, answer_json, normalised, updated_at FROM survey_answers \
             WHERE respondent_id = $1 ORDER BY question_id",
        )
        .bind(respondent_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(survey_answer).collect()
    }

    /// The answers of every submitted response of a campaign: respondent id → answers.
    pub async fn submitted_survey_answers(&self, campaign_id: Uuid) -> Result<HashMap<Uuid, Vec<SurveyAnswer>>> {
        let rows = sqlx::query(
            "SELECT a.respondent_id, a.question_id, a.answer_json, a.normalised, a.updated_at FROM survey_answers a \
             JOIN survey_respondents r ON r.id = a.respondent_id \
             WHERE r.campaign_id = $1 AND r.submitted_at IS NOT NULL",
        )
        .bind(campaign_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<Uuid, Vec<SurveyAnswer>> = HashMap::new();
        for r in &rows {
            let a = survey_answer(r)?;
            out.entry(a.respondent_id).or_default().push(a);
        }
        Ok(out)
    }

    /// Save a respondent's checked answers (a questionnaire page at once), all or none. Refused once
    /// submitted or unless the campaign is open. Each is audited with the answer it replaced.
    pub async fn put_survey_answers(&self, respondent_id: Uuid, answers: &[NewAnswer]) -> Result<Respondent> {
        let mut tx = self.begin_write().await?;
        let r = respondent_in(&mut tx, respondent_id).await?;
        require_open(&campaign_in(&mut tx, r.campaign_id).await?)?;
        if r.submitted_at.is_some() {
            return Err(StoreError::refused(
                "respondent",
                "already-submitted",
                "these answers are submitted and can no longer be changed",
            ));
        }
        let at = now();
        for n in answers {
            let before = sqlx::query(
                "SELECT respondent_id, question_id, answer_json, normalised, updated_at FROM survey_answers \
                 WHERE respondent_id = $1 AND question_id = $2",
            )
            .bind(respondent_id.to_string())
            .bind(&n.question_id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(survey_answer)
            .transpose()?;
            sqlx::query("DELETE FROM survey_answers WHERE respondent_id = $1 AND question_id = $2")
                .bind(respondent_id.to_string())
                .bind(&n.question_id)
                .execute(&mut *tx)
                .await?;
            let json = serde_json::to_string(&n.answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            // sqlx 0.9's Any driver sends a NULL double as a float4 parameter, and PostgreSQL keeps
            // that type in the connection's cached statement, so a later value would be refused
            // ("incorrect binary data format"). A missing value is therefore written as a literal.
            let sql = if n.normalised.is_some() {
                "INSERT INTO survey_answers (respondent_id, question_id, answer_json, normalised, updated_at) \
                 VALUES ($1, $2, $3, $5, $4)"
            } else {
                "INSERT INTO survey_answers (respondent_id, question_id, answer_json, normalised, updated_at) \
                 VALUES ($1, $2, $3, NULL, $4)"
            };
            let q = sqlx::query(sql).bind(respondent_id.to_string()).bind(&n.question_id).bind(&json).bind(ts(at));
            let q = match n.normalised {
                Some(v) => q.bind(v),
                None => q,
            };
            q.execute(&mut *tx).await?;
            let after = SurveyAnswer {
                respondent_id,
                question_id: n.question_id.clone(),
                answer: n.answer.clone(),
                normalised: n.normalised,
                updated_at: at,
            };
            audit::record(
                &mut tx,
                None,
                "survey-answer.put",
                "survey-respondent",
                &respondent_id.to_string(),
                before.as_ref(),
                Some(&after),
            )
            .await?;
        }
        sqlx::query("UPDATE survey_respondents SET version = version + 1 WHERE id = $1")
            .bind(respondent_id.to_string())
            .execute(&mut *tx)
            .await?;
        let after = respondent_in(&mut tx, respondent_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Submit a respondent's answers: refused with the required questions left unanswered, once
    /// submitted, or unless the campaign is open.
    pub async fn submit_survey_response(&self, respondent_id: Uuid, required: &[String]) -> Result<Respondent> {
        let mut tx = self.begin_write().await?;
        let before = respondent_in(&mut tx, respondent_id).await?;
        require_open(&campaign_in(&mut tx, before.campaign_id).await?)?;
        if before.submitted_at.is_some() {
            return Err(StoreError::refused("respondent", "already-submitted", "these answers are already submitted"));
        }
        let answered: Vec<String> =
            sqlx::query_scalar("SELECT question_id FROM survey_answers WHERE respondent_id = $1")
                .bind(respondent_id.to_string())
                .fetch_all(&mut *tx)
                .await?;
        let missing: Vec<String> = required.iter().filter(|q| !answered.contains(q)).cloned().collect();
        if !missing.is_empty() {
            return Err(StoreError::Incomplete(missing));
        }
        sqlx::query("UPDATE survey_respondents SET submitted_at = $1, version = version + 1 WHERE id = $2")
            .bind(ts(now()))
            .bind(respondent_id.to_string())
            .execute(&mut *tx)
            .await?;
        let after = respondent_in(&mut tx, respondent_id).await?;
        audit::record(
            &mut tx,
            None,
            "survey-response.submit",
            "survey-respondent",
            &respondent_id.to_string(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

impl Store {
    /// The messages queued for one recipient, oldest first: (kind, subject, body). Test support.
    #[cfg(any(test, feature = "testing"))]
    pub async fn queued_mail(&self, recipient: &str) -> Result<Vec<(String, String, String)>> {
        Ok(sqlx::query_as("SELECT kind, subject, body FROM outbox WHERE recipient = $1 ORDER BY id")
            .bind(recipient)
            .fetch_all(&self.pool)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::both_backends;
    use crate::testing::TestDb;
    use urbis_domain::network::OrganisationKind;

    fn mail() -> LinkMail {
        LinkMail {
            kind: "survey-invitation",
            subject: "Pulse".into(),
            body: "Answer here: {link}".into(),
            link_prefix: "https://urbis.example/surveys/".into(),
        }
    }

    async fn outbox(db: &TestDb) -> Vec<(String, String)> {
        sqlx::query_as("SELECT recipient, body FROM outbox ORDER BY id").fetch_all(&db.store.pool).await.unwrap()
    }

    fn token_of(body: &str) -> String {
        body.rsplit('/').next().unwrap().trim().to_string()
    }

    async fn draft(db: &TestDb) -> Campaign {
        db.store
            .create_campaign(
                None,
                NewCampaign {
                    title: "Pulse 2026".into(),
                    instrument_slug: "innovation-capacity-pulse".into(),
                    instrument_version: None,
                    programme_id: None,
                    opens_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                    closes_on: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
                    is_sample: false,
                },
            )
            .await
            .unwrap()
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
        let (c, added, _) = s
            .add_recipients(
                None,
                c.id,
                &[
                    NewRecipient {
                        organisation: RecipientOrganisation::Existing(riga),
                        emails: vec!["a@riga.example".into(), "b@riga.example".into()],
                    },
                    NewRecipient {
                        organisation: RecipientOrganisation::New(porto),
                        emails: vec!["c@porto.example".into()],
                    },
                ],
                &mail(),
            )
            .await
            .unwrap();
        assert_eq!(added.len(), 3);
        assert!(added.iter().all(|r| r.invited_at.is_none()), "a draft sends no links");
        assert!(outbox(&db).await.is_empty());
        assert_eq!(s.organisation("porto").await.unwrap().country_code, "PT", "added on the spot");
        assert_eq!(s.campaign_organisations(c.id).await.unwrap().len(), 2);
        // The same e-mail twice is refused and nothing of that request is written.
        let again = s
            .add_recipients(
                None,
                c.id,
                &[NewRecipient {
                    organisation: RecipientOrganisation::Existing(riga),
                    emails: vec!["d@riga.example".into(), "a@riga.example".into()],
                }],
                &mail(),
            )
            .await;
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
        let ans = NewAnswer {
            question_id: "lead-mandate".into(),
            answer: Answer::Level(3),
            normalised: Some(50.0),
            evidence: String::new(),
            comment: String::new(),
        };
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
        let (closed, _) =
            s.set_campaign_status(None, c.id, open.version, CampaignStatus::Closed, &mail()).await.unwrap();
        assert!(matches!(
            s.put_survey_answers(b.id, &[ans]).await,
            Err(StoreError::Refused { code: "survey-closed", .. })
        ));
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

    both_backends!(
        an_empty_campaign_cannot_open_and_adding_to_an_open_one_sends_links,
        true,
        |db: TestDb| async move {
            let s = &db.store;
            let c = draft(&db).await;
            assert!(matches!(
                s.set_campaign_status(None, c.id, c.version, CampaignStatus::Open, &mail()).await,
                Err(StoreError::Refused { code: "no-recipients", .. })
            ));
            let helsinki = s.organisation("helsinki").await.unwrap().id;
            let rec = |e: &str| NewRecipient {
                organisation: RecipientOrganisation::Existing(helsinki),
                emails: vec![e.to_string()],
            };
            let (c, _, _) = s.add_recipients(None, c.id, &[rec("a@hel.example")], &mail()).await.unwrap();
            let (c, _) = s.set_campaign_status(None, c.id, c.version, CampaignStatus::Open, &mail()).await.unwrap();
            let (_, added, links) = s.add_recipients(None, c.id, &[rec("b@hel.example")], &mail()).await.unwrap();
            assert_eq!(links.len(), 1);
            assert!(added[0].invited_at.is_some(), "an open campaign sends the link at once");
            assert_eq!(outbox(&db).await.len(), 2);
            let bad = s
                .add_recipients(
                    None,
                    c.id,
                    &[NewRecipient { organisation: RecipientOrganisation::Existing(Uuid::now_v7()), emails: vec![] }],
                    &mail(),
                )
                .await;
            assert!(matches!(bad, Err(StoreError::Refused { code: "unknown-organisation", .. })));
        }
    );
}
