//! Pages of pulse surveys: the staff's campaigns ([`campaigns`]: create, recipients, open and close,
//! reminders, response rates), the report with filters ([`report`]), and the respondent's
//! questionnaire by link ([`respond`]: one topic per page, check your answers, submit, thank you).
//! Everything works without JavaScript.

pub mod campaigns;
pub mod report;
pub mod respond;

use crate::AppState;
use crate::pages::Ctx;
use axum::Router;
use axum::routing::{get, post};
use urbis_domain::diagnostic::pulse::CampaignStatus;

/// The staff's campaign pages, the report, and the respondents' questionnaire by link.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pulse", get(campaigns::list))
        .route("/pulse/new", get(campaigns::new).post(campaigns::new_post))
        .route("/pulse/{id}", get(campaigns::campaign))
        .route("/pulse/{id}/recipients", post(campaigns::recipients_post))
        .route("/pulse/{id}/status", post(campaigns::status_post))
        .route("/pulse/{id}/reminders", post(campaigns::reminders_post))
        .route("/pulse/{id}/report", get(report::report))
        .route("/pulse/{id}/responses.csv", get(report::responses_csv))
        .route("/surveys/{token}", get(respond::survey))
        .route("/surveys/{token}/sections/{section}", get(respond::section).post(respond::section_post))
        .route("/surveys/{token}/check", get(respond::check).post(respond::check_post))
}

fn status_label(ctx: &Ctx, s: CampaignStatus) -> String {
    ctx.t.get(&format!("pulse-status-{}", s.as_str()))
}

fn region_label(ctx: &Ctx, slug: &str) -> String {
    ctx.t.get(&format!("region-{slug}"))
}

fn country_label(ctx: &Ctx, code: &str) -> String {
    let id = format!("country-{code}");
    if ctx.t.has(&id) { ctx.t.get(&id) } else { code.to_string() }
}

fn percent(p: Option<f64>) -> String {
    p.map(|x| format!("{x:.0} %")).unwrap_or_else(|| "–".into())
}

#[cfg(test)]
mod tests {
    use crate::i18n::{LANGUAGES, Tr};
    use urbis_domain::diagnostic::pulse::CampaignStatus;
    use urbis_domain::network::Region;

    /// Message ids these pages build at run time exist in every language.
    #[test]
    fn dynamic_message_ids_exist() {
        let mut ids: Vec<String> = CampaignStatus::ALL.iter().map(|s| format!("pulse-status-{}", s.as_str())).collect();
        ids.extend(["submitted", "invited", "not-invited"].iter().map(|s| format!("pulse-respondent-{s}")));
        ids.extend(Region::ALL.iter().map(|r| format!("region-{}", r.slug())));
        for (code, _) in LANGUAGES {
            let t = Tr::new(code);
            let missing: Vec<&String> = ids.iter().filter(|id| !t.has(id)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
        }
    }
}
