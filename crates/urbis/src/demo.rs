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

/// A sample person without a password (respondents of sample data), created once.
async fn sample_person(store: &Store, email: &str, name: &str) -> Result<uuid::Uuid> {
    if let Some(p) = store.person_by_email(email).await? {
        return Ok(p.id);
    }
    let new = NewPerson {
        email: email.into(),
        name: name.into(),
        job_title: "Sample data".into(),
        password_hash: None,
        listed: false,
        locale: String::new(),
    };
    Ok(store.create_person(None, new, &[]).await?.id)
}

/// A city's plausible sample answers in a wave, checked and normalised.
fn sample_answers(
    inst: &urbis_domain::diagnostic::Instrument,
    city: &str,
    wave_index: usize,
    wave: &str,
) -> Result<Vec<(String, urbis_domain::diagnostic::Answer, Option<f64>)>> {
    use urbis_domain::diagnostic::{normalise, sample};
    let m = sample::maturity(inst, city, wave_index);
    let mut rng = sample::Rng::from_text(&format!("{city}/{wave}"));
    sample::answers(inst, &m, &mut rng)
        .into_iter()
        .map(|(qid, a)| {
            let q = inst.question(&qid).expect("generated for this instrument");
            let v = normalise(q, &a).map_err(|e| anyhow::anyhow!("sample answer to {qid}: {e}"))?;
            Ok((qid, a, v))
        })
        .collect()
}

/// Sample diagnostic assessments for the participating cities in waves t0 and t1: submitted,
/// published, marked as sample data, each answered by a sample respondent of the city.
pub async fn sample_assessments(store: &Store) -> Result<usize> {
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
        let respondent = sample_person(store, &email, &format!("Sample respondent ({})", org.name)).await?;
        for (i, wave) in waves.iter().enumerate() {
            let answers = sample_answers(&inst, &org.slug, i, &wave.slug)?;
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

/// Countries that generated cities are placed in, round robin: (ISO code, IANA zone, latitude,
/// longitude of the capital).
const SYNTHETIC_COUNTRIES: &[(&str, &str, f64, f64)] = &[
    ("AT", "Europe/Vienna", 48.21, 16.37),
    ("BE", "Europe/Brussels", 50.85, 4.35),
    ("BG", "Europe/Sofia", 42.70, 23.32),
    ("CY", "Asia/Nicosia", 35.17, 33.36),
    ("CZ", "Europe/Prague", 50.08, 14.44),
    ("DE", "Europe/Berlin", 52.52, 13.40),
    ("DK", "Europe/Copenhagen", 55.68, 12.57),
    ("EE", "Europe/Tallinn", 59.44, 24.75),
    ("ES", "Europe/Madrid", 40.42, -3.70),
    ("FI", "Europe/Helsinki", 60.17, 24.94),
    ("FR", "Europe/Paris", 48.86, 2.35),
    ("GR", "Europe/Athens", 37.98, 23.73),
    ("HR", "Europe/Zagreb", 45.81, 15.98),
    ("HU", "Europe/Budapest", 47.50, 19.04),
    ("IE", "Europe/Dublin", 53.35, -6.26),
    ("IS", "Atlantic/Reykjavik", 64.15, -21.94),
    ("IT", "Europe/Rome", 41.90, 12.50),
    ("LT", "Europe/Vilnius", 54.69, 25.28),
    ("LU", "Europe/Luxembourg", 49.61, 6.13),
    ("LV", "Europe/Riga", 56.95, 24.11),
    ("MT", "Europe/Malta", 35.90, 14.51),
    ("NL", "Europe/Amsterdam", 52.37, 4.90),
    ("NO", "Europe/Oslo", 59.91, 10.75),
    ("PL", "Europe/Warsaw", 52.23, 21.01),
    ("PT", "Europe/Lisbon", 38.72, -9.14),
    ("RO", "Europe/Bucharest", 44.43, 26.10),
    ("SE", "Europe/Stockholm", 59.33, 18.07),
    ("SI", "Europe/Ljubljana", 46.06, 14.51),
    ("SK", "Europe/Bratislava", 48.15, 17.11),
    ("GB", "Europe/London", 51.51, -0.13),
];

/// `urbis demo generate`: a synthetic cohort of `cities` cities with `waves` waves, every city
/// with a submitted, published assessment in every wave, all labelled as sample data. For load and
/// scale tests. Deterministic for the same sizes; running it again adds nothing.
pub async fn generate(store: &Store, cities: usize, waves: usize) -> Result<String> {
    use indicatif::{ProgressBar, ProgressStyle};
    use urbis_domain::diagnostic::sample;
    use urbis_store::reference::{CityData, ProgrammeData, ReferenceFile, WaveData};
    anyhow::ensure!((1..=100_000).contains(&cities), "--cities must be from 1 to 100000");
    anyhow::ensure!((1..=20).contains(&waves), "--waves must be from 1 to 20");
    let slug = format!("synthetic-{cities}-cities-{waves}-waves");
    let mut rng = sample::Rng::from_text(&slug);
    let date = |y: i32, m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    let file = ReferenceFile {
        programme: ProgrammeData {
            slug: slug.clone(),
            name: format!("Synthetic cohort: {cities} cities, {waves} waves (sample data)"),
            description: "Generated by `urbis demo generate` for load and scale tests. Every city, answer and score \
                          here is synthetic sample data."
                .into(),
            starts_on: date(2020, 1, 1),
            ends_on: date(2020 + waves as i32, 12, 31),
            announced_on: None,
        },
        capabilities: vec![],
        focus_areas: vec![],
        cities: (0..cities)
            .map(|i| {
                let (country, tz, lat, lon) = SYNTHETIC_COUNTRIES[i % SYNTHETIC_COUNTRIES.len()];
                // Log-uniform between 50,000 and 4,000,000 residents.
                let population = (50_000f64 * 80f64.powf(rng.unit())).round() as u64;
                CityData {
                    slug: format!("synthetic-city-{i:05}"),
                    name: format!("Synthetic city {i:05}"),
                    country_code: country.into(),
                    population: Some(population),
                    latitude: lat + rng.range(-1.0, 1.0),
                    longitude: lon + rng.range(-1.0, 1.0),
                    timezone: tz.into(),
                    status: "participating".into(),
                    invited: true,
                    note: String::new(),
                }
            })
            .collect(),
        waves: (0..waves)
            .map(|w| WaveData {
                slug: format!("w{w}"),
                name: format!("Wave {w}"),
                opens_on: date(2020 + w as i32, 1, 1),
                closes_on: date(2020 + w as i32, 12, 31),
                baseline: w == 0,
            })
            .collect(),
    };
    store.load_programme(&file).await?;
    let programme = store.programme(&slug).await?;
    let stored_waves = store.waves(programme.id).await?;
    let inst = store.instrument("city-digital-maturity", None).await?.instrument;
    let respondent = sample_person(store, "respondent@synthetic.urbis.example", "Synthetic respondent").await?;
    let bar = ProgressBar::new((cities * waves) as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} assessments, {per_sec}, eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("generating");
    for city in &file.cities {
        let org = store.organisation(&city.slug).await?;
        for (i, wave) in stored_waves.iter().enumerate() {
            let answers = sample_answers(&inst, &city.slug, i, &wave.slug)?;
            store
                .import_assessment(org.id, wave.id, &inst.slug, inst.version, respondent, &answers, true, true)
                .await?;
            bar.inc(1);
        }
    }
    bar.finish_with_message("done");
    Ok(slug)
}
