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
