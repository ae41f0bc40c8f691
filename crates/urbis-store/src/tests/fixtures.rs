//! Test setup shared by the store tests: people, the reference programme's city of Riga, a service,
//! an assessment, a pulse survey. Every test database here has the reference data loaded.

use crate::diagnostic::pulse::{Campaign, LinkMail, NewCampaign, NewRecipient, RecipientOrganisation};
use crate::diagnostic::{Assessment, NewAnswer};
use crate::network::{NewPerson, Organisation};
use crate::testing::TestDb;
use chrono::NaiveDate;
use urbis_domain::diagnostic::Answer;
use urbis_domain::policy::{Grant, Role, Scope};
use urbis_domain::services::{RawService, ServiceInput};
use uuid::Uuid;

/// The reference programme's slug.
pub(crate) const PROGRAMME: &str = "digital-innovation-initiative";

/// A new global admin with this e-mail address and name.
pub(crate) async fn person(db: &TestDb, email: &str, name: &str) -> Uuid {
    let new = NewPerson {
        email: email.into(),
        name: name.into(),
        job_title: String::new(),
        password_hash: Some("x".into()),
        listed: false,
        locale: String::new(),
    };
    db.store.create_person(None, new, &[Grant { role: Role::Admin, scope: Scope::Global }]).await.unwrap().id
}

/// The admin most tests act as: Ada Admin, admin@example.org.
pub(crate) async fn admin(db: &TestDb) -> Uuid {
    person(db, "admin@example.org", "Ada Admin").await
}

/// The reference programme's id.
pub(crate) async fn programme_id(db: &TestDb) -> Uuid {
    db.store.programme(PROGRAMME).await.unwrap().id
}

/// Riga, from the reference data.
pub(crate) async fn riga(db: &TestDb) -> Organisation {
    db.store.organisation("riga").await.unwrap()
}

/// The number of audit entries about one record.
pub(crate) async fn audit_len(db: &TestDb, kind: &str, id: Uuid) -> usize {
    db.store.audit_for(kind, &id.to_string()).await.unwrap().len()
}

/// A described service (online and by phone, in Latvian and English, free of charge).
pub(crate) fn service_input(title: &str) -> ServiceInput {
    let raw = RawService {
        title: title.into(),
        description: "Apply for rent support online.".into(),
        focus_area: "housing".into(),
        channels: vec!["online".into(), "phone".into()],
        languages: vec!["lv".into(), "en".into()],
        cost: "0".into(),
        currency: "EUR".into(),
        builds_on: vec!["governance".into()],
        ..Default::default()
    };
    ServiceInput::parse(&raw, &["governance".to_string()]).unwrap()
}

/// Riga's unpublished service "Rent support" in the reference programme, made by `me`: its id.
pub(crate) async fn riga_service(db: &TestDb, me: Uuid) -> Uuid {
    let (programme, riga) = (programme_id(db).await, riga(db).await.id);
    let svc = db.store.create_service(Some(me), riga, programme, &service_input("Rent support"), false, false).await;
    svc.unwrap().id
}

/// The reference programme's first wave (its baseline).
pub(crate) async fn first_wave(db: &TestDb) -> Uuid {
    db.store.waves(programme_id(db).await).await.unwrap()[0].id
}

/// A draft assessment of Riga with the city diagnostic in `wave`, started by `me`.
pub(crate) async fn riga_assessment(db: &TestDb, me: Uuid, wave: Uuid) -> Assessment {
    let riga = riga(db).await.id;
    db.store.create_assessment(Some(me), riga, wave, "city-digital-maturity", false).await.unwrap()
}

/// A scored answer at `level`.
pub(crate) fn answer(question_id: &str, level: u8, normalised: f64) -> NewAnswer {
    NewAnswer {
        question_id: question_id.into(),
        answer: Answer::Level(level),
        normalised: Some(normalised),
        evidence: String::new(),
        comment: String::new(),
    }
}

/// The e-mail that carries a survey link.
pub(crate) fn mail() -> LinkMail {
    LinkMail {
        kind: "survey-invitation",
        subject: "Pulse".into(),
        body: "Answer here: {link}".into(),
        link_prefix: "https://urbis.example/surveys/".into(),
        link_expires_at: crate::now() + chrono::Duration::days(30),
    }
}

/// A new draft pulse survey, "Pulse 2026", open through March 2026.
pub(crate) async fn draft_campaign(db: &TestDb) -> Campaign {
    let new = NewCampaign {
        title: "Pulse 2026".into(),
        instrument_slug: "innovation-capacity-pulse".into(),
        instrument_version: None,
        programme_id: None,
        opens_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        closes_on: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
        is_sample: false,
    };
    db.store.create_campaign(None, new).await.unwrap()
}

/// The recipients: `organisation` and its respondents' addresses.
pub(crate) fn recipient(organisation: Uuid, emails: &[&str]) -> NewRecipient {
    NewRecipient {
        organisation: RecipientOrganisation::Existing(organisation),
        emails: emails.iter().map(|e| e.to_string()).collect(),
    }
}

/// A draft pulse survey sent to one respondent in Riga, a@riga.example (not invited yet).
pub(crate) async fn draft_campaign_to_riga(db: &TestDb) -> Campaign {
    let c = draft_campaign(db).await;
    let to = [recipient(riga(db).await.id, &["a@riga.example"])];
    db.store.add_recipients(None, c.id, &to, &mail()).await.unwrap().0
}
