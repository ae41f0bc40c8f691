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
            hash = Some(urbis_app::auth::hash_password(DEMO_PASSWORD.into()).await?);
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
    let added = sample_services(store).await?;
    if added > 0 {
        tracing::info!(added, "sample services added (one per participating city, with indicators)");
    }
    let added = sample_events(store).await?;
    if added > 0 {
        tracing::info!(added, "sample events added (a full cohort meeting with a waiting list, a webinar)");
    }
    if sample_grants(store).await? > 0 {
        tracing::info!("sample grants call added (open, with Helsinki's submitted application)");
    }
    tracing::warn!(
        password = DEMO_PASSWORD,
        accounts = "admin@, manager@, lead.riga@, member.riga@, lead.helsinki@ demo.urbis.example",
        "demo mode: sample accounts are present (sample data, not for production)"
    );
    Ok(())
}

/// A labelled sample grants call, open for two months from now, with Helsinki's submitted
/// application; added once. Returns how many calls were added.
pub async fn sample_grants(store: &Store) -> Result<usize> {
    use urbis_domain::grants::{BudgetLine, CallInput, CallState, Money, RawCall, RawCriterion, Section};
    use urbis_store::grants::Drafts;
    let existing = store.calls_page(&Drafts::All, urbis_store::Page::new(1, 100)).await?;
    if existing.items.iter().any(|c| c.is_sample) {
        return Ok(0);
    }
    let (Some(admin), Some(lead)) = (
        store.person_by_email("admin@demo.urbis.example").await?,
        store.person_by_email("lead.helsinki@demo.urbis.example").await?,
    ) else {
        return Ok(0);
    };
    let programme = store.programme("digital-innovation-initiative").await?;
    let fmt = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).format("%Y-%m-%dT17:00").to_string();
    let criterion = |key: &str, title: &str, weight: &str| RawCriterion {
        key: key.into(),
        title: title.into(),
        description: String::new(),
        weight: weight.into(),
        threshold: "3".into(),
    };
    let raw = RawCall {
        title: "Innovation grants 2026 (sample data)".into(),
        description: "Grants of up to 60,000 EUR for the participating cities' resident-facing services.".into(),
        eligibility: "participating-cities".into(),
        opens_at: fmt(-30),
        closes_at: fmt(60),
        timezone: "Europe/Brussels".into(),
        total_budget: "250,000 EUR".into(),
        max_award: "60,000 EUR".into(),
        cost_categories: vec!["Staff".into(), "Design and research".into(), "Technology".into()],
        sections: vec![
            Section { key: "summary".into(), title: "Summary".into(), required: true, word_limit: 200 },
            Section { key: "residents".into(), title: "Who benefits".into(), required: true, word_limit: 300 },
            Section { key: "team".into(), title: "Team and partners".into(), required: false, word_limit: 300 },
        ],
        criteria: vec![
            criterion("excellence", "Excellence", "1"),
            criterion("impact", "Impact", "1.5"),
            criterion("implementation", "Quality of implementation", "1"),
        ],
        overall_threshold: "10".into(),
        stages: 1,
    };
    let input = CallInput::parse(&raw).map_err(|e| anyhow::anyhow!("sample call: {e}"))?;
    let call = store.create_call(Some(admin.id), programme.id, &input, true).await?;
    store.set_call_state(admin.id, call.id, call.version, CallState::Open).await?;
    let helsinki = store.organisation("helsinki").await?;
    let a = store
        .create_application(lead.id, call.id, helsinki.id, "Helsinki's service for new residents (sample)")
        .await?;
    let a = store
        .save_section(
            lead.id,
            a.id,
            a.version,
            &a.title,
            "summary",
            "One place online for everything a new resident needs.",
        )
        .await?;
    let a = store
        .save_section(
            lead.id,
            a.id,
            a.version,
            &a.title,
            "residents",
            "People moving to Helsinki, about 40,000 a year.",
        )
        .await?;
    let eur = |t: &str| Money::parse("amount", t, false).map_err(|e| anyhow::anyhow!("sample amount: {e}"));
    let lines = vec![
        BudgetLine {
            category: "Staff".into(),
            description: "Service designer, 6 months".into(),
            amount: eur("30,000 EUR")?,
        },
        BudgetLine {
            category: "Technology".into(),
            description: "Hosting and integration".into(),
            amount: eur("12,500 EUR")?,
        },
    ];
    let a = store.save_budget(lead.id, a.id, a.version, &lines, 4_250_000, &[]).await?;
    store.submit_application(lead.id, a.id, a.version, &["summary".into(), "residents".into()]).await?;
    Ok(1)
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

/// The reference programme's own waves, the only ones sample assessments go into.
const SAMPLE_WAVES: [&str; 2] = ["t0", "t1"];

/// Sample diagnostic assessments for the participating cities in the reference waves t0 and t1
/// (never in a wave that staff added): submitted, published, marked as sample data, each answered by
/// a sample respondent of the city. Each is added once: a restart adds none.
pub async fn sample_assessments(store: &Store) -> Result<usize> {
    use urbis_domain::network::ParticipationStatus;
    let programme = store.programme("digital-innovation-initiative").await?;
    let inst = store.instrument("city-digital-maturity", None).await?.instrument;
    let waves: Vec<_> =
        store.waves(programme.id).await?.into_iter().filter(|w| SAMPLE_WAVES.contains(&w.slug.as_str())).collect();
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

/// A sample indicator: name, unit, direction, baseline and target values, and the breakdown
/// dimension it may carry.
struct SampleIndicator {
    name: &'static str,
    unit: &'static str,
    direction: &'static str,
    baseline: f64,
    target: f64,
    source: &'static str,
}

/// A sample service per focus area, with its indicators.
struct SampleService {
    focus: &'static str,
    title: &'static str,
    description: &'static str,
    problem: &'static str,
    audience: &'static str,
    output: &'static str,
    channels: &'static [&'static str],
    builds_on: &'static [&'static str],
    indicators: [SampleIndicator; 3],
}

const SAMPLE_SERVICES: [SampleService; 5] = [
    SampleService {
        focus: "housing",
        title: "Rent support in one online application",
        description: "Residents apply for rent support once, online or with help at a service point, and follow their case.",
        problem: "Applying takes three visits and four paper forms; many eligible tenants give up.",
        audience: "Tenants on low incomes, and the social workers who help them",
        output: "A decision on rent support",
        channels: &["online", "in_person", "phone"],
        builds_on: &["user-centric-design", "technology-systems"],
        indicators: [
            SampleIndicator {
                name: "Applications completed online",
                unit: "%",
                direction: "increase",
                baseline: 18.0,
                target: 70.0,
                source: "Case management system",
            },
            SampleIndicator {
                name: "Days from application to decision",
                unit: "days",
                direction: "decrease",
                baseline: 46.0,
                target: 15.0,
                source: "Case management system",
            },
            SampleIndicator {
                name: "Applicants satisfied with the process",
                unit: "%",
                direction: "increase",
                baseline: 52.0,
                target: 80.0,
                source: "Exit survey",
            },
        ],
    },
    SampleService {
        focus: "mobility",
        title: "Step-free journey planner",
        description: "A journey planner that finds step-free routes and tells residents about broken lifts before they travel.",
        problem: "People using wheelchairs or buggies cannot tell in advance whether a route is step-free today.",
        audience: "Residents with reduced mobility, parents with buggies, older residents",
        output: "A step-free route with live lift status",
        channels: &["online", "mobile_app"],
        builds_on: &["data-infrastructure", "user-centric-design"],
        indicators: [
            SampleIndicator {
                name: "Monthly users of step-free routes",
                unit: "users",
                direction: "increase",
                baseline: 1200.0,
                target: 9000.0,
                source: "Planner analytics",
            },
            SampleIndicator {
                name: "Complaints about step-free access per month",
                unit: "complaints",
                direction: "decrease",
                baseline: 130.0,
                target: 40.0,
                source: "Transport authority complaints log",
            },
            SampleIndicator {
                name: "Lift status updates within 10 minutes",
                unit: "%",
                direction: "increase",
                baseline: 35.0,
                target: 95.0,
                source: "Lift monitoring feed",
            },
        ],
    },
    SampleService {
        focus: "health",
        title: "Home-care visits booked online",
        description: "Families book, move and cancel home-care visits online, and carers see changes at once.",
        problem: "All bookings go through a phone line that is busy at peak times; visits are missed.",
        audience: "Older residents receiving home care and their families",
        output: "A confirmed home-care visit",
        channels: &["online", "phone"],
        builds_on: &["governance", "technology-systems"],
        indicators: [
            SampleIndicator {
                name: "Bookings made without a phone call",
                unit: "%",
                direction: "increase",
                baseline: 8.0,
                target: 60.0,
                source: "Booking system",
            },
            SampleIndicator {
                name: "Missed home-care visits",
                unit: "%",
                direction: "decrease",
                baseline: 17.0,
                target: 6.0,
                source: "Care provider reports",
            },
            SampleIndicator {
                name: "Average wait on the phone line",
                unit: "minutes",
                direction: "decrease",
                baseline: 14.0,
                target: 4.0,
                source: "Telephony statistics",
            },
        ],
    },
    SampleService {
        focus: "education",
        title: "School enrolment in one step",
        description: "Parents enrol their child in a city school with one online form that reuses what the city already knows.",
        problem: "Parents fill in the same facts on several forms and bring documents the city already holds.",
        audience: "Parents of children starting school, including those new to the city",
        output: "A school place offer",
        channels: &["online", "in_person"],
        builds_on: &["data-infrastructure", "digital-vision"],
        indicators: [
            SampleIndicator {
                name: "Enrolments completed online",
                unit: "%",
                direction: "increase",
                baseline: 30.0,
                target: 85.0,
                source: "Enrolment system",
            },
            SampleIndicator {
                name: "Families needing help at the office",
                unit: "%",
                direction: "decrease",
                baseline: 40.0,
                target: 12.0,
                source: "Service point visit log",
            },
            SampleIndicator {
                name: "Documents asked of parents",
                unit: "documents",
                direction: "decrease",
                baseline: 5.0,
                target: 1.0,
                source: "Form review",
            },
        ],
    },
    SampleService {
        focus: "jobs",
        title: "Skills match for job seekers",
        description: "Job seekers see training and vacancies that match their skills, and book an adviser when they need one.",
        problem: "Job seekers wait weeks for a first meeting before anyone looks at their skills.",
        audience: "Unemployed residents, young people leaving school, advisers",
        output: "A personal plan with matched training and vacancies",
        channels: &["online", "in_person", "email"],
        builds_on: &["user-centric-design", "governance"],
        indicators: [
            SampleIndicator {
                name: "Job seekers matched to training within 30 days",
                unit: "%",
                direction: "increase",
                baseline: 22.0,
                target: 60.0,
                source: "Employment service records",
            },
            SampleIndicator {
                name: "Days to a first adviser meeting",
                unit: "days",
                direction: "decrease",
                baseline: 38.0,
                target: 10.0,
                source: "Appointment system",
            },
            SampleIndicator {
                name: "Job seekers in work after six months",
                unit: "%",
                direction: "increase",
                baseline: 41.0,
                target: 55.0,
                source: "Employment service records",
            },
        ],
    },
];

/// One sample service for each participating city: published, marked as sample data, in one of the
/// five focus areas in turn, with phases, milestones, research entries and one to three indicators
/// whose measurements give a spread of statuses. Deterministic (seeded by the city's slug).
pub async fn sample_services(store: &Store) -> Result<usize> {
    use urbis_domain::diagnostic::sample::Rng;
    use urbis_domain::network::ParticipationStatus;
    use urbis_domain::services::*;
    let programme = store.programme("digital-innovation-initiative").await?;
    let capabilities = store.capabilities().await?;
    let cities =
        store.cohort(programme.id, Some(ParticipationStatus::Participating), urbis_store::Page::all()).await?.items;
    let existing = store.programme_services(programme.id).await?;
    let date = |y: i32, m: u32, d: u32| parse_date("date", &format!("{y:04}-{m:02}-{d:02}")).expect("a sample date");
    let invalid = |e: urbis_domain::Invalid| anyhow::anyhow!("sample data: {e}");
    let mut added = 0;
    for (n, c) in cities.iter().enumerate() {
        let org = &c.organisation;
        if existing.iter().any(|s| s.organisation_id == org.id) {
            continue;
        }
        let sample = &SAMPLE_SERVICES[n % SAMPLE_SERVICES.len()];
        let mut rng = Rng::from_text(&format!("{}/service", org.slug));
        let phase = ["alpha", "beta", "beta", "live"][(rng.next_u64() % 4) as usize];
        let raw = RawService {
            title: format!("{} (sample)", sample.title),
            description: sample.description.into(),
            focus_area: sample.focus.into(),
            phase: phase.into(),
            problem: sample.problem.into(),
            audience: sample.audience.into(),
            team: format!("Sample team of {}: a product manager, a service designer, two developers", org.name),
            channels: sample.channels.iter().map(|c| c.to_string()).collect(),
            languages: vec![org_language(&org.country_code).into(), "en".into()],
            output: sample.output.into(),
            cost: "0".into(),
            currency: "EUR".into(),
            builds_on: sample
                .builds_on
                .iter()
                .filter(|b| capabilities.iter().any(|c| c == *b))
                .map(|b| b.to_string())
                .collect(),
        };
        let service = store
            .create_service(
                None,
                org.id,
                programme.id,
                &ServiceInput::parse(&raw, &capabilities).map_err(invalid)?,
                true,
                true,
            )
            .await?;
        let plan = [
            (
                "discovery",
                date(2020, 2, 1),
                date(2020, 5, 31),
                "Understand how residents use the service today and where it fails them",
            ),
            ("alpha", date(2020, 6, 1), date(2020, 10, 31), "Try out the riskiest ideas with prototypes"),
            ("beta", date(2020, 11, 1), date(2021, 9, 30), "Run the new service with real users and improve it"),
            ("live", date(2021, 10, 1), date(2022, 3, 31), "Run the service for everyone and keep improving it"),
        ];
        let current = plan.iter().position(|p| p.0 == phase).unwrap_or(0);
        for (k, (kind, starts, ends, goal)) in plan.iter().enumerate().take(current + 1) {
            let (result, checklist): (&str, Vec<String>) = if k < current {
                ("met", (1..=14).filter(|p| (p + k + n) % 4 != 0).map(|p| p.to_string()).collect())
            } else {
                ("pending", vec![])
            };
            let notes = if k < current { "Sample assessment with the programme's service design experts." } else { "" };
            let p = PhaseInput::parse(kind, &starts.to_string(), &ends.to_string(), goal, result, notes, &checklist)
                .map_err(invalid)?;
            store.put_phase(None, service.id, &p, None).await?;
        }
        for (title, due, state) in [
            ("Discovery findings shared with the cohort", date(2020, 6, 15), "done"),
            ("Private beta opens", date(2020, 12, 1), if current >= 2 { "done" } else { "in_progress" }),
            ("Public launch", date(2021, 10, 1), if current >= 3 { "done" } else { "planned" }),
        ] {
            store
                .add_milestone(
                    None,
                    service.id,
                    &MilestoneInput::parse(title, &due.to_string(), state).map_err(invalid)?,
                )
                .await?;
        }
        let people = 6 + rng.next_u64() % 9;
        let (interviewed, tested) = (people.to_string(), (people / 2 + 3).to_string());
        for (held, title, participants, findings, quote, tags, decision) in [
            (
                date(2020, 3, 10),
                "Interviews with residents who use the service",
                &interviewed,
                "Most people start online, get stuck and finish on paper at a service point.",
                "“I gave up halfway and went to the office.”",
                "drop-out, paper",
                "Design the online journey for the step where most people stop.",
            ),
            (
                date(2020, 9, 15),
                "Usability test of the prototype",
                &tested,
                "People understood the new form but missed the upload step on phones.",
                "“Where do I put the photo?”",
                "mobile, upload",
                "Move the upload into its own step with a clear heading.",
            ),
        ] {
            let r = ResearchInput::parse(&held.to_string(), title, participants, findings, quote, tags, decision)
                .map_err(invalid)?;
            store.add_research(None, service.id, &r).await?;
        }
        // One to three indicators; how well each does is drawn per city (deterministically), so the
        // cohort shows every status.
        let count = 1 + (rng.next_u64() % 3) as usize;
        for (k, si) in sample.indicators.iter().take(count).enumerate() {
            let with_breakdown = k == 0 && n % 2 == 0;
            let raw = RawIndicator {
                name: si.name.into(),
                description: format!("Sample indicator of {}.", org.name),
                unit: si.unit.into(),
                direction: si.direction.into(),
                baseline_value: si.baseline.to_string(),
                baseline_date: "2020-03-01".into(),
                target_value: si.target.to_string(),
                target_date: "2022-03-01".into(),
                data_source: si.source.into(),
                method: "Counted monthly from the source; the quarter's last month is recorded.".into(),
                breakdowns: if with_breakdown { "age_band=16-34|35-64|65+".into() } else { String::new() },
            };
            let def = IndicatorInput::parse(&raw).map_err(invalid)?;
            let ind = store.create_indicator(None, service.id, &def).await?;
            let pace = [1.25, 1.0, 0.95, 0.65, 0.3][(rng.next_u64() % 5) as usize];
            let g = &def.goal;
            let span = (g.target_date - g.baseline_date).num_days() as f64;
            let quarters = [(2020, 6), (2020, 9), (2020, 12), (2021, 3), (2021, 6), (2021, 9), (2021, 12)];
            let mut rows = vec![];
            for (q, (y, m)) in quarters.iter().enumerate() {
                let d = date(*y, *m, 1);
                let share = (d - g.baseline_date).num_days() as f64 / span;
                let noise = rng.range(-0.03, 0.03) * (g.target_value - g.baseline_value);
                let value = g.baseline_value + (g.target_value - g.baseline_value) * share * pace + noise;
                let value = (value * 10.0).round() / 10.0;
                let quality = if q == quarters.len() - 1 { "provisional" } else { "final" };
                let total = MeasurementInput::parse(
                    &d.to_string(),
                    &value.to_string(),
                    quality,
                    "",
                    "",
                    &def.breakdowns,
                    g.baseline_date,
                )
                .map_err(invalid)?;
                rows.push(total);
                if with_breakdown && q >= quarters.len() - 3 {
                    for (band, shift) in [("16-34", 1.15), ("35-64", 1.0), ("65+", 0.8)] {
                        let v = ((g.baseline_value + (value - g.baseline_value) * shift) * 10.0).round() / 10.0;
                        rows.push(
                            MeasurementInput::parse(
                                &d.to_string(),
                                &v.to_string(),
                                quality,
                                &format!("age_band={band}"),
                                "",
                                &def.breakdowns,
                                g.baseline_date,
                            )
                            .map_err(invalid)?,
                        );
                    }
                }
            }
            // A forecast for the quarter after: shown, never counted for progress.
            let forecast = g.baseline_value + (g.target_value - g.baseline_value) * 1.0 * pace.max(0.9);
            rows.push(
                MeasurementInput::parse(
                    "2022-03-01",
                    &((forecast * 10.0).round() / 10.0).to_string(),
                    "estimated",
                    "",
                    "Forecast",
                    &def.breakdowns,
                    g.baseline_date,
                )
                .map_err(invalid)?,
            );
            store.put_measurements(None, ind.id, &rows).await?;
        }
        added += 1;
    }
    Ok(added)
}

/// The main language of a country, for the sample services' languages.
fn org_language(country: &str) -> &'static str {
    match country {
        "NL" | "BE" => "nl",
        "GR" | "CY" => "el",
        "DE" => "de",
        "SK" => "sk",
        "HU" => "hu",
        "DK" => "da",
        "IE" | "GB" => "en",
        "FI" => "fi",
        "SI" => "sl",
        "ES" => "es",
        "CZ" => "cs",
        "LV" => "lv",
        "IS" => "is",
        "BG" => "bg",
        "SE" => "sv",
        "EE" => "et",
        "LT" => "lt",
        "PL" => "pl",
        _ => "en",
    }
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
        link_expires_at: (campaign.closes_on + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN).and_utc(),
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

/// Sample events of the reference programme (labelled sample): a cohort meeting in Lisbon a month
/// ahead with two places, both taken, and a person waiting; an online webinar two months ahead; a
/// workshop held last month. Added once. Returns how many events were added.
pub async fn sample_events(store: &Store) -> Result<usize> {
    use urbis_domain::convenings::{EventInput, EventStatus, RawEvent, RawSession, SessionInput};
    use urbis_store::convenings::{EventFilter, no_notices};
    let programme = store.programme("digital-innovation-initiative").await?;
    let existing = store.programme_events(programme.id, &EventFilter::default(), urbis_store::Page::new(1, 1)).await?;
    if existing.total > 0 {
        return Ok(0);
    }
    let day = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
    let raw = |title: &str, kind: &str, mode: &str, zone: &str, d: String, capacity: &str| RawEvent {
        title: format!("{title} (sample)"),
        description: "Sample event for trying Urbis out.".into(),
        kind: kind.into(),
        attendance_mode: mode.into(),
        venue_name: if mode == "online" { String::new() } else { "Sample venue".into() },
        venue_address: if mode == "online" { String::new() } else { "Praça do Município, Lisboa".into() },
        latitude: if mode == "online" { String::new() } else { "38.7077".into() },
        longitude: if mode == "online" { String::new() } else { "-9.1365".into() },
        join_url: if mode == "in-person" { String::new() } else { "https://meet.example.org/sample".into() },
        time_zone: zone.into(),
        starts_at: format!("{d}T09:30"),
        ends_at: format!("{d}T17:00"),
        capacity: capacity.into(),
        organisation_quota: String::new(),
        registration_opens_at: String::new(),
        registration_closes_at: String::new(),
        offer_hours: String::new(),
    };
    let meeting =
        EventInput::parse(&raw("Cohort meeting in Lisbon", "cohort-meeting", "mixed", "Europe/Lisbon", day(30), "2"))
            .map_err(|e| anyhow::anyhow!("sample event: {e}"))?;
    let webinar =
        EventInput::parse(&raw("Webinar: leveraging data", "webinar", "online", "Europe/Brussels", day(60), ""))
            .map_err(|e| anyhow::anyhow!("sample event: {e}"))?;
    let workshop =
        EventInput::parse(&raw("Workshop: experimenting", "workshop", "in-person", "Europe/Lisbon", day(-30), "30"))
            .map_err(|e| anyhow::anyhow!("sample event: {e}"))?;
    let m = store.create_event(None, programme.id, &meeting, true).await?;
    for (title, from, to, room) in [
        ("Welcome and tour de table", "09:30", "10:30", "Plenary"),
        ("Peer clinics", "11:00", "12:30", "Rooms A and B"),
    ] {
        let s = RawSession {
            title: title.into(),
            starts_at: format!("{}T{from}", day(30)),
            ends_at: format!("{}T{to}", day(30)),
            room: room.into(),
            ..RawSession::default()
        };
        let input = SessionInput::parse(&s, &m.time_zone, m.starts_at, m.ends_at)
            .map_err(|e| anyhow::anyhow!("sample session: {e}"))?;
        if let Some(admin) = store.person_by_email("admin@demo.urbis.example").await? {
            store.add_session(admin.id, m.id, &input).await?;
        }
    }
    for (email, city) in [
        ("lead.riga@demo.urbis.example", "riga"),
        ("lead.helsinki@demo.urbis.example", "helsinki"),
        ("member.riga@demo.urbis.example", "riga"),
    ] {
        if let Some(p) = store.person_by_email(email).await? {
            let org = store.organisation(city).await?.id;
            store.register(p.id, Some(org), m.id, urbis_store::now(), &no_notices).await?;
        }
    }
    store.create_event(None, programme.id, &webinar, true).await?;
    let w = store.create_event(None, programme.id, &workshop, true).await?;
    if let Some(admin) = store.person_by_email("admin@demo.urbis.example").await? {
        store.set_event_status(admin.id, w.id, w.version, EventStatus::Held, &no_notices).await?;
    }
    Ok(3)
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

    async fn check_assessments(db: TestDb) {
        let s = &db.store;
        let added = sample_assessments(s).await.unwrap();
        assert!(added > 0);
        let programme = s.programme("digital-innovation-initiative").await.unwrap();
        // Staff add a wave; a restart with --demo must leave it alone and add nothing twice.
        let input =
            urbis_domain::diagnostic::WaveInput::parse("t2", "Second follow-up", "2024-01-01", "2024-12-31").unwrap();
        let admin = sample_person(s, "staff@demo.urbis.example", "Staff").await.unwrap();
        let t2 = s.create_wave(admin, programme.id, &input).await.unwrap();
        assert_eq!(sample_assessments(s).await.unwrap(), 0, "added once");
        assert!(s.wave_assessments(t2.id, "city-digital-maturity").await.unwrap().is_empty(), "staff's wave untouched");
    }

    #[tokio::test]
    async fn sample_assessments_fill_only_their_own_waves_once_sqlite() {
        check_assessments(TestDb::new(urbis_store::Backend::Sqlite, true).await.unwrap()).await;
    }

    #[tokio::test]
    async fn sample_assessments_fill_only_their_own_waves_once_postgres() {
        if let Some(db) = TestDb::new(urbis_store::Backend::Postgres, true).await {
            check_assessments(db).await;
        }
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
