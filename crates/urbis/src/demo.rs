//! `--demo`: clearly labelled sample accounts for trying Urbis out. Idempotent.

use anyhow::Result;
use urbis_domain::policy::{Grant, Role, Scope};
use urbis_store::Store;
use urbis_store::network::NewPerson;

/// The password of every sample account. Printed at start; sample accounts must never be used in
/// production.
pub const DEMO_PASSWORD: &str = "urbis-demo-password";

pub async fn load(store: &Store) -> Result<()> {
    let programme = store.programme("digital-innovation-initiative").await?;
    let riga = store.organisation("riga").await?.id;
    let helsinki = store.organisation("helsinki").await?.id;
    let people: [(&str, &str, &str, Grant); 5] = [
        ("admin@demo.urbis.example", "Sample Administrator", "", Grant { role: Role::Admin, scope: Scope::Global }),
        (
            "manager@demo.urbis.example",
            "Sample Programme Manager",
            "Programme manager",
            Grant { role: Role::ProgrammeManager, scope: Scope::Programme(programme.id) },
        ),
        (
            "lead.riga@demo.urbis.example",
            "Sample Riga Lead",
            "Chief Digital Officer (sample)",
            Grant { role: Role::CityLead, scope: Scope::Organisation(riga) },
        ),
        (
            "member.riga@demo.urbis.example",
            "Sample Riga Member",
            "Service designer (sample)",
            Grant { role: Role::CityMember, scope: Scope::Organisation(riga) },
        ),
        (
            "lead.helsinki@demo.urbis.example",
            "Sample Helsinki Lead",
            "Chief Digital Officer (sample)",
            Grant { role: Role::CityLead, scope: Scope::Organisation(helsinki) },
        ),
    ];
    let mut hash = None;
    for (email, name, title, grant) in people {
        if store.person_by_email(email).await?.is_some() {
            continue;
        }
        if hash.is_none() {
            hash = Some(
                urbis_web::auth::hash_password(DEMO_PASSWORD.into()).await.map_err(|p| anyhow::anyhow!(p.detail))?,
            );
        }
        store
            .create_person(
                None,
                NewPerson {
                    email: email.into(),
                    name: name.into(),
                    job_title: title.into(),
                    password_hash: hash.clone(),
                    listed: true,
                    locale: String::new(),
                },
                &[grant],
            )
            .await?;
    }
    let added = sample_assessments(store).await?;
    if added > 0 {
        tracing::info!(added, "sample assessments added (t0 and t1 for the participating cities)");
    }
    let responses = sample_pulse(store).await?;
    if responses > 0 {
        tracing::info!(responses, "sample pulse survey added (65 organisations in 27 countries)");
    }
    tracing::warn!(
        password = DEMO_PASSWORD,
        accounts = "admin@, manager@, lead.riga@, member.riga@, lead.helsinki@ demo.urbis.example",
        "demo mode: sample accounts are present (sample data, not for production)"
    );
    Ok(())
}

/// Sample diagnostic assessments for the participating cities in waves t0 and t1: submitted,
/// published, marked as sample data, each answered by a sample respondent of the city.
pub async fn sample_assessments(store: &Store) -> Result<usize> {
    use urbis_domain::diagnostic::{normalise, sample};
    use urbis_domain::network::ParticipationStatus;
    let programme = store.programme("digital-innovation-initiative").await?;
    let inst = store.instrument("city-digital-maturity", None).await?.instrument;
    let waves = store.waves(programme.id).await?;
    let cities =
        store.cohort(programme.id, Some(ParticipationStatus::Participating), urbis_store::Page::all()).await?.items;
    let mut added = 0;
    for c in &cities {
        let org = &c.organisation;
        let email = format!("respondent.{}@demo.urbis.example", org.slug);
        let respondent = match store.person_by_email(&email).await? {
            Some(p) => p.id,
            None => {
                store
                    .create_person(
                        None,
                        NewPerson {
                            email,
                            name: format!("Sample respondent ({})", org.name),
                            job_title: "Sample data".into(),
                            password_hash: None,
                            listed: false,
                            locale: String::new(),
                        },
                        &[],
                    )
                    .await?
                    .id
            }
        };
        for (i, wave) in waves.iter().enumerate() {
            let m = sample::maturity(&inst, &org.slug, i);
            let mut rng = sample::Rng::from_text(&format!("{}/{}", org.slug, wave.slug));
            let answers = sample::answers(&inst, &m, &mut rng)
                .into_iter()
                .map(|(qid, a)| {
                    let q = inst.question(&qid).expect("generated for this instrument");
                    let v = normalise(q, &a).map_err(|e| anyhow::anyhow!("sample answer to {qid}: {e}"))?;
                    Ok((qid, a, v))
                })
                .collect::<Result<Vec<_>>>()?;
            if store
                .import_assessment(org.id, wave.id, &inst.slug, inst.version, respondent, &answers, true, true)
                .await?
            {
                added += 1;
            }
        }
    }
    Ok(added)
}

/// The title of the sample pulse survey (how `--demo` recognises it on later starts).
pub const SAMPLE_PULSE_TITLE: &str = "Innovation capacity pulse 2026 (sample data)";

/// Organisations outside the reference data that receive the sample pulse survey: name and
/// country. With the 21 participating cities and Lisbon, Paris, Rome and Vienna they make 65
/// organisations in 27 countries.
const SAMPLE_PULSE_CITIES: [(&str, &str); 40] = [
    ("Rotterdam", "NL"),
    ("Utrecht", "NL"),
    ("Eindhoven", "NL"),
    ("Hamburg", "DE"),
    ("Munich", "DE"),
    ("Cologne", "DE"),
    ("Leipzig", "DE"),
    ("Barcelona", "ES"),
    ("Valencia", "ES"),
    ("Lyon", "FR"),
    ("Bordeaux", "FR"),
    ("Nantes", "FR"),
    ("Milan", "IT"),
    ("Turin", "IT"),
    ("Bologna", "IT"),
    ("Porto", "PT"),
    ("Braga", "PT"),
    ("Graz", "AT"),
    ("Linz", "AT"),
    ("Oslo", "NO"),
    ("Bergen", "NO"),
    ("Trondheim", "NO"),
    ("Zurich", "CH"),
    ("Geneva", "CH"),
    ("Manchester", "GB"),
    ("Bristol", "GB"),
    ("Glasgow", "GB"),
    ("Gothenburg", "SE"),
    ("Malmö", "SE"),
    ("Espoo", "FI"),
    ("Tampere", "FI"),
    ("Aarhus", "DK"),
    ("Odense", "DK"),
    ("Ghent", "BE"),
    ("Antwerp", "BE"),
    ("Kraków", "PL"),
    ("Gdańsk", "PL"),
    ("Brno", "CZ"),
    ("Thessaloniki", "GR"),
    ("Cork", "IE"),
];

/// Barriers named by the sample respondents (after those the LSE Cities pulse survey reported).
const SAMPLE_BARRIERS: [&str; 4] = [
    "Funding that lasts one or two years, so pilots stop when the grant ends.",
    "Rigid HR rules: we cannot hire data and design specialists at the pay they need.",
    "No long-term strategy; priorities change with each election.",
    "Legacy IT systems that new services cannot connect to.",
];

/// A sample pulse survey of the reference programme: the innovation-capacity pulse sent to 65
/// organisations in 27 countries, one sample respondent each, about three in four of whom have
/// submitted deterministic answers. Open, so reminders can be tried. Added once.
pub async fn sample_pulse(store: &Store) -> Result<usize> {
    use urbis_domain::diagnostic::pulse::CampaignStatus;
    use urbis_domain::diagnostic::{Answer, normalise, sample};
    use urbis_domain::network::{OrganisationKind, ParticipationStatus};
    use urbis_store::diagnostic::NewAnswer;
    use urbis_store::diagnostic::pulse::{LinkMail, NewCampaign, NewRecipient, RecipientOrganisation};
    use urbis_store::network::NewOrganisation;
    if store.campaigns().await?.iter().any(|c| c.is_sample && c.title == SAMPLE_PULSE_TITLE) {
        return Ok(0);
    }
    let programme = store.programme("digital-innovation-initiative").await?;
    let inst = store.instrument("innovation-capacity-pulse", Some(1)).await?.instrument;
    let mut recipients = vec![];
    let email = |name: &str| {
        let local: String =
            name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        format!("cio.{local}@sample.urbis.example")
    };
    let cohort =
        store.cohort(programme.id, Some(ParticipationStatus::Participating), urbis_store::Page::all()).await?.items;
    for c in &cohort {
        recipients.push(NewRecipient {
            organisation: RecipientOrganisation::Existing(c.organisation.id),
            emails: vec![email(&c.organisation.slug)],
        });
    }
    for slug in ["lisbon", "paris", "rome", "vienna"] {
        let o = store.organisation(slug).await?;
        recipients
            .push(NewRecipient { organisation: RecipientOrganisation::Existing(o.id), emails: vec![email(slug)] });
    }
    for (name, country) in SAMPLE_PULSE_CITIES {
        recipients.push(NewRecipient {
            organisation: RecipientOrganisation::New(NewOrganisation {
                name: format!("City of {name}"),
                kind: OrganisationKind::City,
                country_code: country.into(),
                timezone: "UTC".into(),
                description: format!("{name} (sample data: added for the sample pulse survey)"),
            }),
            emails: vec![email(name)],
        });
    }
    let fields = urbis_domain::diagnostic::pulse::check_campaign(SAMPLE_PULSE_TITLE, "2026-10-01", "2026-12-15")?;
    let campaign = store
        .create_campaign(
            None,
            NewCampaign {
                title: fields.title,
                instrument_slug: inst.slug.clone(),
                instrument_version: Some(inst.version),
                programme_id: Some(programme.id),
                opens_on: fields.opens_on,
                closes_on: fields.closes_on,
                is_sample: true,
            },
        )
        .await?;
    let mail = LinkMail {
        kind: "survey-invitation",
        subject: format!("Survey: {SAMPLE_PULSE_TITLE}"),
        body: "Sample data: this message is never sent. The respondent's link is {link}".into(),
        link_prefix: "/surveys/".into(),
    };
    let (campaign, respondents, _) = store.add_recipients(None, campaign.id, &recipients, &mail).await?;
    store.set_campaign_status(None, campaign.id, campaign.version, CampaignStatus::Open, &mail).await?;
    let required: Vec<String> = urbis_domain::diagnostic::required_questions(&inst);
    // Three in four respond: those with the lowest draws of a generator seeded by their organisation.
    let draw = |slug: &str| sample::Rng::from_text(&format!("pulse-2026/{slug}")).unit();
    let mut order: Vec<(f64, usize)> =
        respondents.iter().enumerate().map(|(i, r)| (draw(&r.organisation_slug), i)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let responding = respondents.len().div_ceil(4) * 3;
    let mut submitted = 0;
    for &(_, i) in order.iter().take(responding) {
        let r = &respondents[i];
        let mut rng = sample::Rng::from_text(&format!("pulse-2026/{}/answers", r.organisation_slug));
        let m = sample::maturity(&inst, &r.organisation_slug, 0);
        let mut answers = vec![];
        for (qid, a) in sample::answers(&inst, &m, &mut rng) {
            let q = inst.question(&qid).ok_or_else(|| anyhow::anyhow!("sample answer to unknown {qid}"))?;
            let normalised = normalise(q, &a).map_err(|e| anyhow::anyhow!("sample answer to {qid}: {e}"))?;
            answers.push(NewAnswer {
                question_id: qid,
                answer: a,
                normalised,
                evidence: String::new(),
                comment: String::new(),
            });
        }
        let context = [
            ("ctx-population", Answer::Number((rng.range(150_000.0, 2_500_000.0) / 1000.0).round() * 1000.0)),
            ("ctx-unit-staff", Answer::Number(rng.range(0.0, 40.0).round())),
            ("ctx-biggest-barrier", Answer::Text(SAMPLE_BARRIERS[(rng.next_u64() % 4) as usize].into())),
        ];
        for (qid, a) in context {
            answers.push(NewAnswer {
                question_id: qid.into(),
                answer: a,
                normalised: None,
                evidence: String::new(),
                comment: String::new(),
            });
        }
        store.put_survey_answers(r.id, &answers).await?;
        store.submit_survey_response(r.id, &required).await?;
        submitted += 1;
    }
    Ok(submitted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use urbis_store::testing::TestDb;

    async fn check(db: TestDb) {
        let s = &db.store;
        let submitted = sample_pulse(s).await.unwrap();
        assert_eq!(sample_pulse(s).await.unwrap(), 0, "added once");
        let campaigns = s.campaigns().await.unwrap();
        assert_eq!(campaigns.len(), 1);
        let c = &campaigns[0];
        assert!(c.is_sample && c.title.contains("sample data"));
        let respondents = s.respondents(c.id).await.unwrap();
        let organisations: BTreeSet<&str> = respondents.iter().map(|r| r.organisation_slug.as_str()).collect();
        let countries: BTreeSet<&str> = respondents.iter().map(|r| r.country_code.as_str()).collect();
        assert_eq!((organisations.len(), countries.len()), (65, 27));
        let rate = 100.0 * submitted as f64 / respondents.len() as f64;
        assert!((70.0..=80.0).contains(&rate), "response rate {rate:.1} %");
        assert_eq!(respondents.iter().filter(|r| r.submitted_at.is_some()).count(), submitted);
        assert_eq!(s.submitted_survey_answers(c.id).await.unwrap().len(), submitted);
    }

    #[tokio::test]
    async fn sample_pulse_reaches_65_organisations_in_27_countries_sqlite() {
        check(TestDb::new(urbis_store::Backend::Sqlite, true).await.unwrap()).await;
    }

    #[tokio::test]
    async fn sample_pulse_reaches_65_organisations_in_27_countries_postgres() {
        if let Some(db) = TestDb::new(urbis_store::Backend::Postgres, true).await {
            check(db).await;
        }
    }
}
