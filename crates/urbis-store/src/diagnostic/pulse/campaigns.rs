//! Survey campaigns: created as drafts, opened (sending every respondent a link) and closed.

use super::respondents::{invite_pending, respondents_in};
use super::{IssuedLink, LinkMail};
use crate::audit::{commit_change, commit_created};
use crate::query::{all, by_id, grouped_by_ids, insert_versioned, select, update_versioned};
use crate::row::{Record, record};
use crate::value::{Fields, ToFields, stored_fields};
use crate::{Result, Store, StoreError, WriteTx, now, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use urbis_domain::diagnostic::pulse::CampaignStatus;
use uuid::Uuid;

record! {
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
}

impl Record for Campaign {
    const TABLE: &'static str = "survey_campaigns";
    const COLUMNS: &'static str = "c.id, c.title, c.instrument_slug, c.instrument_version, c.programme_id, \
         p.slug AS programme_slug, c.opens_on, c.closes_on, c.status, c.is_sample, c.version, c.created_at, \
         c.updated_at";
    const FROM: &'static str = "survey_campaigns c LEFT JOIN programmes p ON p.id = c.programme_id";
    const ID: &'static str = "c.id";
}

record! {
    /// An organisation a campaign was sent to.
    struct Recipient {
        organisation_id: Uuid,
    }
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

stored_fields!(NewCampaign { title, instrument_slug, programme_id, opens_on, closes_on, is_sample });

/// Refuse answers unless the campaign is open.
pub(super) fn require_open(c: &Campaign) -> Result<()> {
    match c.status {
        CampaignStatus::Open => Ok(()),
        CampaignStatus::Draft => Err(StoreError::refused("campaign", "survey-not-open", "this survey is not open yet")),
        CampaignStatus::Closed => {
            Err(StoreError::refused("campaign", "survey-closed", "this survey is closed and takes no more answers"))
        }
    }
}

/// Bump the campaign's version, read it back, audit the change and commit.
pub(super) async fn finish_campaign(
    mut tx: WriteTx,
    actor: Option<Uuid>,
    action: &str,
    before: &Campaign,
) -> Result<Campaign> {
    sqlx::query("UPDATE survey_campaigns SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(ts(now()))
        .bind(before.id.to_string())
        .execute(&mut *tx)
        .await?;
    let after = by_id(&mut *tx, before.id).await?;
    commit_change(tx, actor, action, "survey-campaign", before.id, before, after).await
}

/// The instrument version a new campaign pins: the one asked for, or the newest.
async fn pinned_version(tx: &mut WriteTx, new: &NewCampaign) -> Result<i64> {
    let version: Option<i64> = match new.instrument_version {
        Some(v) => {
            sqlx::query_scalar("SELECT version FROM instruments WHERE slug = $1 AND version = $2")
                .bind(&new.instrument_slug)
                .bind(i64::from(v))
                .fetch_optional(&mut **tx)
                .await?
        }
        None => {
            sqlx::query_scalar("SELECT MAX(version) FROM instruments WHERE slug = $1")
                .bind(&new.instrument_slug)
                .fetch_one(&mut **tx)
                .await?
        }
    };
    version.ok_or_else(|| StoreError::refused("instrument", "unknown-instrument", "no such instrument"))
}

impl Store {
    /// Create a draft campaign; the instrument version is pinned now.
    pub async fn create_campaign(&self, actor: Option<Uuid>, new: NewCampaign) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        let version = pinned_version(&mut tx, &new).await?;
        let fields = new
            .fields()
            .set("instrument_version", version)
            .set("status", CampaignStatus::Draft)
            .set("created_by", actor);
        let c: Campaign = insert_versioned(&mut tx, fields).await?;
        commit_created(tx, actor, "survey.create", "survey-campaign", c.id, c).await
    }

    /// Every campaign, newest first.
    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        all(&self.pool, select::<Campaign>("ORDER BY c.id DESC"), ()).await
    }

    pub async fn campaign(&self, id: Uuid) -> Result<Campaign> {
        by_id(&self.pool, id).await
    }

    /// The organisations a campaign was sent to.
    pub async fn campaign_organisations(&self, campaign_id: Uuid) -> Result<Vec<Uuid>> {
        let sql =
            "SELECT DISTINCT organisation_id FROM survey_respondents WHERE campaign_id = $1 ORDER BY organisation_id";
        let sent: Vec<Recipient> = all(&self.pool, sql, campaign_id).await?;
        Ok(sent.into_iter().map(|r| r.organisation_id).collect())
    }

    /// The organisations each of many campaigns was sent to (one query per 500 campaigns), each list
    /// in the order of [`Store::campaign_organisations`]: campaign id → organisation ids. Every
    /// requested id is in the map, with an empty list when the campaign has no recipients.
    pub async fn campaigns_organisations(&self, campaign_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Uuid>>> {
        let head = "SELECT DISTINCT campaign_id, organisation_id FROM survey_respondents WHERE campaign_id";
        let tail = "ORDER BY campaign_id, organisation_id";
        let sent: HashMap<Uuid, Vec<Recipient>> =
            grouped_by_ids(&self.pool, head, tail, campaign_ids, "campaign_id").await?;
        Ok(sent.into_iter().map(|(c, rs)| (c, rs.into_iter().map(|r| r.organisation_id).collect())).collect())
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
        let (mut tx, before) = self.begin_change::<Campaign>(campaign_id, expected_version).await?;
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
            links = invite_pending(&mut tx, self, &respondents, mail, now()).await?;
        }
        let after = update_versioned(&mut tx, campaign_id, expected_version, Fields::new().set("status", next)).await?;
        let action = match next {
            CampaignStatus::Open => "survey.open",
            _ => "survey.close",
        };
        Ok((commit_change(tx, actor, action, "survey-campaign", campaign_id, &before, after).await?, links))
    }
}
