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
    tracing::warn!(
        password = DEMO_PASSWORD,
        accounts = "admin@, manager@, lead.riga@, member.riga@, lead.helsinki@ demo.urbis.example",
        "demo mode: sample accounts are present (sample data, not for production)"
    );
    Ok(())
}
