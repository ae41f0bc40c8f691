//! Every API route and every page route, against every role and the anonymous visitor: the
//! response must match what the policy allows. In particular no city role writes to another city.
//! The API route list must equal the OpenAPI document's, so a new route cannot skip this test.

mod common;

use common::TestApp;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use urbis_domain::policy::Role;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Admin,
    Manager,
    LeadRiga,
    MemberRiga,
    LeadHelsinki,
    Expert,
    Reviewer,
}

const EVERYONE: [Who; 8] = [
    Who::Anonymous,
    Who::Admin,
    Who::Manager,
    Who::LeadRiga,
    Who::MemberRiga,
    Who::LeadHelsinki,
    Who::Expert,
    Who::Reviewer,
];

/// Who may do what, as the policy promises (targets are Riga and the reference programme).
#[derive(Clone, Copy, Debug)]
enum Rule {
    Public,
    SignedIn,
    /// Change Riga: admin, programme manager, Riga's lead.
    WriteRiga,
    /// See Riga's whole team: those plus Riga's members.
    ReadRigaTeam,
    /// Programme staff: admin and programme manager.
    Staff,
    /// Read Riga's unpublished assessment: Riga's team, staff, the programme's experts and reviewers.
    ReadRigaAssessment,
    /// Validate an assessment: staff and the programme's experts.
    Validate,
    /// Write, or read unpublished, Riga's service: Riga's whole team and programme staff.
    RigaService,
    /// People's accounts (deactivate, reactivate): admins only.
    Admin,
    /// One's own registration or offer: here the admin's (anyone else is refused).
    OwnAdmin,
    /// Grants: apply for Riga (Riga's lead and members only; staff do not apply).
    RigaApplicant,
    /// Grants: read Riga's application: its team, staff, and the expert assigned to it.
    ReadApplication,
    /// Grants: score Riga's application: the expert assigned to it only.
    AssignedExpert,
    /// Grants: read the reviews: staff, and the assigned expert once their own review is in.
    ReadReviews,
}

fn allowed(rule: Rule, who: Who) -> bool {
    use Who::*;
    match rule {
        Rule::Public => true,
        Rule::SignedIn => who != Anonymous,
        Rule::WriteRiga => matches!(who, Admin | Manager | LeadRiga),
        Rule::ReadRigaTeam => matches!(who, Admin | Manager | LeadRiga | MemberRiga),
        Rule::Staff => matches!(who, Admin | Manager),
        Rule::ReadRigaAssessment => matches!(who, Admin | Manager | LeadRiga | MemberRiga | Expert | Reviewer),
        Rule::Validate => matches!(who, Admin | Manager | Expert),
        Rule::RigaService => matches!(who, Admin | Manager | LeadRiga | MemberRiga),
        Rule::Admin => who == Admin,
        Rule::OwnAdmin => who == Admin,
        Rule::RigaApplicant => matches!(who, LeadRiga | MemberRiga),
        Rule::ReadApplication => matches!(who, Admin | Manager | LeadRiga | MemberRiga | Expert),
        Rule::AssignedExpert => matches!(who, Expert),
        Rule::ReadReviews => matches!(who, Admin | Manager | Expert),
    }
}

struct Fixture {
    app: TestApp,
    tokens: Vec<(Who, Option<String>)>,
    invitation_token: String,
    invitation_id: String,
    assessment_id: String,
    plan_item_id: String,
    service_id: String,
    milestone_id: String,
    indicator_id: String,
    campaign_id: String,
    survey_token: String,
    /// A person who holds no role in the matrix (deactivated and reactivated by it).
    person_id: String,
    event_id: String,
    registration_id: String,
    offer_token: String,
    call_id: String,
    application_id: String,
}

async fn fixture(app: TestApp) -> Fixture {
    let mut tokens = vec![(Who::Anonymous, None)];
    for (who, email, role, city) in [
        (Who::Admin, "admin@example.org", Role::Admin, "riga"),
        (Who::Manager, "pm@example.org", Role::ProgrammeManager, "riga"),
        (Who::LeadRiga, "lead@riga.example", Role::CityLead, "riga"),
        (Who::MemberRiga, "member@riga.example", Role::CityMember, "riga"),
        (Who::LeadHelsinki, "lead@helsinki.example", Role::CityLead, "helsinki"),
        (Who::Expert, "expert@example.org", Role::Expert, "riga"),
        (Who::Reviewer, "reviewer@example.org", Role::Reviewer, "riga"),
    ] {
        app.person(email, Some(role), city).await;
        tokens.push((who, Some(app.token(email).await)));
    }
    let admin = tokens[1].1.clone().unwrap();
    let invitation = json!({"email": "invitee@riga.example", "city": "riga", "role": "city-member"});
    let created =
        app.created(&admin, "/api/v1/programmes/digital-innovation-initiative/invitations", &invitation).await;
    let assessment_id = app.start_assessment(&admin, "riga", "t1").await;
    let post = |path: String, body: Value| {
        let (app, admin) = (&app, &admin);
        async move { app.created(admin, &path, &body).await["id"].as_str().unwrap().to_string() }
    };
    let plan_item_id = post(
        "/api/v1/cities/riga/plan".into(),
        json!({"capability": "governance", "title": "A board", "owner": "CDO"}),
    )
    .await;
    let service_id = post(
        "/api/v1/cities/riga/services".into(),
        json!({"title": "Rent support", "description": "Apply once.", "focus_area": "housing"}),
    )
    .await;
    let milestone_id =
        post(format!("/api/v1/services/{service_id}/milestones"), json!({"title": "Beta", "due_on": "2021-09-01"}))
            .await;
    let indicator_id = post(
        format!("/api/v1/services/{service_id}/indicators"),
        json!({"name": "Online share", "unit": "%", "direction": "increase",
               "baseline": {"value": 40, "date": "2021-01-01"}, "target": {"value": 80, "date": "2022-01-01"}}),
    )
    .await;
    // A pulse survey of the reference programme sent to Riga, open, with one respondent's link.
    let campaign_id = app
        .open_survey(
            &admin,
            json!({"title": "Pulse", "instrument": "innovation-capacity-pulse", "programme": "digital-innovation-initiative",
                   "opens_on": "2026-01-01", "closes_on": "2026-02-01"}),
            json!([{"organisation": "riga", "emails": ["respondent@riga.example"]}]),
        )
        .await;
    let survey_token = app.survey_token("respondent@riga.example").await;
    app.person("target@example.org", Some(Role::CityMember), "riga").await;
    let person_id = app.store.person_by_email("target@example.org").await.unwrap().unwrap().id.to_string();
    // Convenings: an event the admin registered for, and a place offered to the admin on another.
    let event = |capacity: u32| {
        json!({"title": "Cohort meeting", "kind": "cohort-meeting", "attendance_mode": "mixed", "venue_name": "Town hall",
               "time_zone": "Europe/Lisbon", "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T17:00",
               "capacity": capacity, "join_url": "https://meet.example.org/x"})
    };
    let events = "/api/v1/programmes/digital-innovation-initiative/events".to_string();
    let event_id = post(events.clone(), event(2)).await;
    let registration_id = post(format!("/api/v1/events/{event_id}/registrations"), json!({})).await;
    let full = post(events, event(1)).await;
    let pm = tokens[2].1.clone().unwrap();
    let pm_place = app.created(&pm, &format!("/api/v1/events/{full}/registrations"), &json!({})).await;
    post(format!("/api/v1/events/{full}/registrations"), json!({})).await;
    let cancel = app.client().delete(app.url(&format!("/api/v1/registrations/{}", pm_place["id"].as_str().unwrap())));
    assert_eq!(cancel.bearer_auth(&pm).send().await.unwrap().status(), 200);
    let mail = app.store.queued_mail("admin@example.org").await.unwrap();
    let body = &mail.last().expect("the offer's e-mail").2;
    let offer_token: String =
        body[body.find("/offers/").unwrap() + 8..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    // Grants: an open call, Riga's submitted application, the programme's expert assigned to it.
    let call_id = post("/api/v1/programmes/digital-innovation-initiative/calls".into(), grants_call()).await;
    let r = app
        .api_if_match(
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/calls/{call_id}/state"),
            "\"1\"",
            &json!({"state": "open"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let lead = tokens[3].1.clone().unwrap();
    let application_id = app
        .created(
            &lead,
            &format!("/api/v1/calls/{call_id}/applications"),
            &json!({"organisation": "riga", "title": "Account"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = format!("/api/v1/applications/{application_id}");
    assert_eq!(
        app.put_if_match(&lead, &format!("{a}/sections/summary"), "\"1\"", &json!({"answer": "Text"})).await.status(),
        200
    );
    let lines = json!({"lines": [{"category": "Staff", "amount": {"amount_minor": 1000, "currency": "EUR"}}]});
    assert_eq!(app.put_if_match(&lead, &format!("{a}/budget"), "\"2\"", &lines).await.status(), 200);
    assert_eq!(
        app.api_if_match(&lead, reqwest::Method::POST, &format!("{a}/submit"), "\"3\"", &json!({})).await.status(),
        200
    );
    app.created(&admin, &format!("{a}/assignments"), &json!({"reviewer": "expert@example.org"})).await;
    Fixture {
        person_id,
        event_id,
        registration_id,
        offer_token,
        call_id,
        application_id,
        plan_item_id,
        service_id,
        milestone_id,
        indicator_id,
        campaign_id,
        survey_token,
        assessment_id,
        invitation_token: created["link"].as_str().unwrap().rsplit('/').next().unwrap().into(),
        invitation_id: created["id"].as_str().unwrap().into(),
        tokens,
        app,
    }
}

fn grants_call() -> Value {
    json!({"title": "Grants", "description": "For services.", "eligibility": "participating-cities",
           "opens_at": "2026-01-01T09:00", "closes_at": "2036-01-01T09:00", "timezone": "Europe/Riga",
           "total_budget": {"amount_minor": 1_000_000, "currency": "EUR"}, "max_award": {"amount_minor": 500_000, "currency": "EUR"},
           "cost_categories": ["Staff"], "sections": [{"key": "summary", "title": "Summary", "required": true, "word_limit": 100}],
           "criteria": [{"key": "excellence", "title": "Excellence", "weight": "1", "threshold": "3"}], "overall_threshold": "3"})
}

fn api_routes() -> Vec<(&'static str, &'static str, Rule)> {
    vec![
        ("POST", "/api/v1/auth/token", Rule::Public),
        ("GET", "/api/v1/me", Rule::SignedIn),
        ("GET", "/api/v1/auth/tokens", Rule::SignedIn),
        ("DELETE", "/api/v1/auth/tokens/{id}", Rule::SignedIn),
        ("GET", "/api/v1/programmes", Rule::Public),
        ("GET", "/api/v1/programmes/{slug}", Rule::Public),
        ("GET", "/api/v1/programmes/{slug}/cities", Rule::Public),
        ("GET", "/api/v1/cities/{slug}", Rule::Public),
        ("PATCH", "/api/v1/cities/{slug}", Rule::WriteRiga),
        ("GET", "/api/v1/cities/{slug}/team", Rule::Public),
        ("GET", "/api/v1/people", Rule::Public),
        ("GET", "/api/v1/programmes/{slug}/invitations", Rule::Staff),
        ("POST", "/api/v1/programmes/{slug}/invitations", Rule::WriteRiga),
        ("DELETE", "/api/v1/programmes/{slug}/invitations/{id}", Rule::WriteRiga),
        ("GET", "/api/v1/invitations/{token}", Rule::Public),
        ("POST", "/api/v1/invitations/{token}/accept", Rule::Public),
        ("GET", "/api/v1/instruments", Rule::Public),
        ("GET", "/api/v1/instruments/{slug}", Rule::Public),
        ("GET", "/api/v1/programmes/{slug}/waves", Rule::Public),
        ("POST", "/api/v1/cities/{slug}/assessments", Rule::WriteRiga),
        ("GET", "/api/v1/assessments/{id}", Rule::ReadRigaAssessment),
        ("PUT", "/api/v1/assessments/{id}/answers/{question_id}", Rule::ReadRigaTeam),
        ("POST", "/api/v1/assessments/{id}/submit", Rule::WriteRiga),
        ("PATCH", "/api/v1/assessments/{id}", Rule::WriteRiga),
        ("POST", "/api/v1/assessments/{id}/reopen", Rule::Staff),
        ("PUT", "/api/v1/assessments/{id}/validations/{capability}", Rule::Validate),
        ("PUT", "/api/v1/assessments/{id}/overrides/{question_id}", Rule::WriteRiga),
        ("DELETE", "/api/v1/assessments/{id}/overrides/{question_id}", Rule::WriteRiga),
        ("GET", "/api/v1/assessments/{id}/answers.csv", Rule::ReadRigaAssessment),
        ("GET", "/api/v1/programmes/{slug}/benchmark", Rule::Public),
        ("GET", "/api/v1/programmes/{slug}/benchmark.csv", Rule::Public),
        ("POST", "/api/v1/programmes/{slug}/waves", Rule::Staff),
        ("POST", "/api/v1/programmes/{slug}/waves/{wave}/close", Rule::Staff),
        ("GET", "/api/v1/cities/{slug}/plan", Rule::ReadRigaAssessment),
        ("GET", "/api/v1/cities/{slug}/plan.csv", Rule::ReadRigaAssessment),
        ("POST", "/api/v1/cities/{slug}/plan", Rule::ReadRigaTeam),
        ("PUT", "/api/v1/plan-items/{id}", Rule::ReadRigaTeam),
        ("POST", "/api/v1/cities/{slug}/services", Rule::RigaService),
        ("GET", "/api/v1/services/{id}", Rule::RigaService),
        ("PATCH", "/api/v1/services/{id}", Rule::RigaService),
        ("GET", "/api/v1/programmes/{slug}/services", Rule::Public),
        ("GET", "/api/v1/services/{id}/cpsv.ttl", Rule::RigaService),
        ("PUT", "/api/v1/services/{id}/phases/{kind}", Rule::RigaService),
        ("POST", "/api/v1/services/{id}/milestones", Rule::RigaService),
        ("GET", "/api/v1/milestones/{id}", Rule::RigaService),
        ("PATCH", "/api/v1/milestones/{id}", Rule::RigaService),
        ("POST", "/api/v1/services/{id}/research", Rule::RigaService),
        ("POST", "/api/v1/services/{id}/indicators", Rule::RigaService),
        ("GET", "/api/v1/indicators/{id}", Rule::RigaService),
        ("GET", "/api/v1/indicators/{id}/measurements", Rule::RigaService),
        ("GET", "/api/v1/indicators/{id}/sdm.json", Rule::RigaService),
        ("POST", "/api/v1/indicators/{id}/measurements", Rule::RigaService),
        ("POST", "/api/v1/indicators/{id}/measurements.csv", Rule::RigaService),
        ("GET", "/api/v1/pulse/campaigns", Rule::SignedIn),
        ("POST", "/api/v1/pulse/campaigns", Rule::Staff),
        ("GET", "/api/v1/pulse/campaigns/{id}", Rule::ReadRigaTeam),
        ("PATCH", "/api/v1/pulse/campaigns/{id}", Rule::Staff),
        ("POST", "/api/v1/pulse/campaigns/{id}/recipients", Rule::Staff),
        ("POST", "/api/v1/pulse/campaigns/{id}/reminders", Rule::Staff),
        ("GET", "/api/v1/pulse/campaigns/{id}/response-rates", Rule::Staff),
        ("GET", "/api/v1/pulse/campaigns/{id}/respondents", Rule::Staff),
        ("GET", "/api/v1/pulse/campaigns/{id}/report", Rule::ReadRigaTeam),
        ("GET", "/api/v1/pulse/campaigns/{id}/responses.csv", Rule::Staff),
        ("GET", "/api/v1/surveys/{token}", Rule::Public),
        ("PUT", "/api/v1/surveys/{token}/answers/{question_id}", Rule::Public),
        ("POST", "/api/v1/surveys/{token}/submit", Rule::Public),
        ("GET", "/api/v1/admin/people", Rule::Admin),
        ("GET", "/api/v1/people/{id}", Rule::Admin),
        ("POST", "/api/v1/people/{id}/deactivate", Rule::Admin),
        ("POST", "/api/v1/people/{id}/reactivate", Rule::Admin),
        ("GET", "/api/v1/programmes/{slug}/events", Rule::Public),
        ("POST", "/api/v1/programmes/{slug}/events", Rule::Staff),
        ("GET", "/api/v1/programmes/{slug}/events.csv", Rule::Public),
        ("GET", "/api/v1/programmes/{slug}/events.ics", Rule::Public),
        ("GET", "/api/v1/events/{id}", Rule::Public),
        ("PATCH", "/api/v1/events/{id}", Rule::Staff),
        ("GET", "/api/v1/events/{id}/calendar.ics", Rule::Public),
        ("GET", "/api/v1/events/{id}/sessions", Rule::Public),
        ("POST", "/api/v1/events/{id}/sessions", Rule::Staff),
        ("POST", "/api/v1/events/{id}/registrations", Rule::SignedIn),
        ("GET", "/api/v1/events/{id}/registrations", Rule::Staff),
        ("GET", "/api/v1/me/registrations", Rule::SignedIn),
        ("GET", "/api/v1/offers/{token}", Rule::OwnAdmin),
        ("POST", "/api/v1/offers/{token}/accept", Rule::OwnAdmin),
        ("DELETE", "/api/v1/registrations/{id}", Rule::OwnAdmin),
        ("POST", "/api/v1/events/{id}/status", Rule::Staff),
        // Grants (the expert's conflict declaration last: it withdraws them).
        ("GET", "/api/v1/calls", Rule::Public),
        ("GET", "/api/v1/calls.csv", Rule::Public),
        ("POST", "/api/v1/programmes/{slug}/calls", Rule::Staff),
        ("GET", "/api/v1/calls/{id}", Rule::Public),
        ("PATCH", "/api/v1/calls/{id}", Rule::Staff),
        ("POST", "/api/v1/calls/{id}/state", Rule::Staff),
        ("GET", "/api/v1/calls/{id}/applications", Rule::Staff),
        ("POST", "/api/v1/calls/{id}/applications", Rule::RigaApplicant),
        ("GET", "/api/v1/applications/{id}", Rule::ReadApplication),
        ("PUT", "/api/v1/applications/{id}/sections/{key}", Rule::RigaApplicant),
        ("PUT", "/api/v1/applications/{id}/budget", Rule::RigaApplicant),
        ("POST", "/api/v1/applications/{id}/submit", Rule::RigaApplicant),
        ("POST", "/api/v1/applications/{id}/assignments", Rule::Staff),
        ("POST", "/api/v1/applications/{id}/reviews", Rule::AssignedExpert),
        ("GET", "/api/v1/applications/{id}/reviews", Rule::ReadReviews),
        ("PUT", "/api/v1/applications/{id}/consensus", Rule::Staff),
        ("GET", "/api/v1/calls/{id}/ranking", Rule::Staff),
        ("POST", "/api/v1/applications/{id}/decision", Rule::Staff),
        ("GET", "/api/v1/grants", Rule::Public),
        ("GET", "/api/v1/grants.csv", Rule::Public),
        ("POST", "/api/v1/applications/{id}/conflict", Rule::AssignedExpert),
    ]
}

fn fill(path: &str, f: &Fixture) -> String {
    let slug = if path.contains("/cities/") {
        "riga"
    } else if path.contains("/instruments/") {
        "city-digital-maturity"
    } else {
        "digital-innovation-initiative"
    };
    let id = if path.contains("/events/") {
        &f.event_id
    } else if path.contains("/registrations/") {
        &f.registration_id
    } else if path.contains("/applications/{id}") {
        &f.application_id
    } else if path.contains("/calls/") {
        &f.call_id
    } else if path.contains("/assessments/") {
        &f.assessment_id
    } else if path.contains("/plan-items/") {
        &f.plan_item_id
    } else if path.contains("/services/") {
        &f.service_id
    } else if path.contains("/milestones/") {
        &f.milestone_id
    } else if path.contains("/indicators/") {
        &f.indicator_id
    } else if path.contains("/pulse/") {
        &f.campaign_id
    } else if path.contains("/people/") {
        &f.person_id
    } else {
        &f.invitation_id
    };
    let (token, section) = if path.contains("/surveys/") {
        (&f.survey_token, "leadership")
    } else if path.contains("/offers/") {
        (&f.offer_token, "{section}")
    } else {
        (&f.invitation_token, "{section}")
    };
    path.replace("{slug}", slug)
        .replace("{wave}", "t0")
        .replace("{kind}", "alpha")
        .replace("{token}", token)
        .replace("{section}", section)
        .replace("{id}", id)
        .replace("{question_id}", "dv-strategy")
        .replace("{capability}", "governance")
        .replace("{key}", "summary")
}

fn body(method: &str, path: &str, n: usize) -> Option<Value> {
    match (method, path) {
        ("POST", "/api/v1/programmes/{slug}/calls") => Some(grants_call()),
        ("POST", p) if p.ends_with("/state") => Some(json!({"state": "open"})),
        ("POST", "/api/v1/calls/{id}/applications") => Some(json!({"organisation": "riga", "title": "Another"})),
        ("PUT", p) if p.contains("/sections/") => Some(json!({"answer": format!("Text {n}")})),
        ("PUT", p) if p.ends_with("/budget") => Some(json!({"lines": []})),
        ("POST", p) if p.ends_with("/assignments") => Some(json!({"reviewer": "nobody@example.org"})),
        ("POST", p) if p.ends_with("/conflict") => Some(json!({"reason": "A former colleague."})),
        ("POST", p) if p.ends_with("/reviews") => Some(json!({"scores": {"excellence": "4"}, "recommendation": "yes"})),
        ("PUT", p) if p.ends_with("/consensus") => {
            Some(json!({"scores": {"excellence": "4"}, "justification": "Agreed."}))
        }
        ("POST", p) if p.ends_with("/decision") => {
            Some(json!({"outcome": "award", "amount": {"amount_minor": 100, "currency": "EUR"}, "feedback": "Yes."}))
        }
        ("POST", "/api/v1/auth/token") => Some(json!({"email": "admin@example.org", "password": common::PASSWORD})),
        ("POST", "/api/v1/programmes/{slug}/events") => {
            Some(json!({"title": format!("Webinar {n}"), "kind": "webinar",
            "attendance_mode": "online", "time_zone": "Europe/Berlin", "starts_at": "2030-03-30T10:00", "ends_at": "2030-03-30T11:00"}))
        }
        ("POST", p) if p.ends_with("/status") => Some(json!({"status": "postponed"})),
        ("POST", p) if p.ends_with("/sessions") => Some(
            json!({"title": format!("Session {n}"), "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T10:00"}),
        ),
        ("PATCH", p) if p.starts_with("/api/v1/assessments/") => Some(json!({"published": n.is_multiple_of(2)})),
        ("PATCH", p) if p.starts_with("/api/v1/services/") => Some(json!({"title": format!("Rent support {n}")})),
        ("PATCH", p) if p.starts_with("/api/v1/milestones/") => {
            Some(json!({"title": format!("Beta {n}"), "due_on": "2021-09-01", "state": "in_progress"}))
        }
        ("POST", p) if p.ends_with("/services") => {
            Some(json!({"title": "Another", "description": "A second service.", "focus_area": "jobs"}))
        }
        ("PUT", p) if p.contains("/phases/") => {
            Some(json!({"starts_on": "2021-03-01", "ends_on": "2021-05-31", "goal": "Test ideas"}))
        }
        ("POST", p) if p.ends_with("/milestones") => Some(json!({"title": format!("M{n}"), "due_on": "2021-10-01"})),
        ("POST", p) if p.ends_with("/research") => Some(
            json!({"held_on": "2021-02-01", "title": "Interviews", "participants": 5, "findings": "Forms are printed"}),
        ),
        ("POST", p) if p.ends_with("/indicators") => {
            Some(json!({"name": "Visits", "unit": "visits", "direction": "decrease",
            "baseline": {"value": 9, "date": "2021-01-01"}, "target": {"value": 3, "date": "2022-01-01"}}))
        }
        ("POST", p) if p.ends_with("/measurements") => Some(json!({"date": "2021-06-01", "value": n})),
        ("PATCH", p) if p.starts_with("/api/v1/pulse/") => Some(json!({"status": "closed"})),
        ("POST", "/api/v1/pulse/campaigns") => {
            Some(json!({"title": "Pulse", "instrument": "innovation-capacity-pulse",
            "programme": "digital-innovation-initiative", "opens_on": "2026-01-01", "closes_on": "2026-02-01"}))
        }
        ("POST", p) if p.ends_with("/recipients") => {
            Some(json!({"recipients": [{"organisation": "riga", "emails": [format!("p{n}@riga.example")]}]}))
        }
        ("PATCH", _) => Some(json!({"description": format!("edit {n}")})),
        ("POST", p) if p.ends_with("/reopen") => Some(json!({"reason": "a correction"})),
        ("POST", p) if p.ends_with("/invitations") => {
            Some(json!({"email": format!("p{n}@riga.example"), "city": "riga", "role": "city-member"}))
        }
        ("POST", p) if p.ends_with("/accept") => Some(json!({"name": "New Person", "password": common::PASSWORD})),
        ("POST", p) if p.ends_with("/assessments") => {
            Some(json!({"instrument": "city-digital-maturity", "wave": "t0"}))
        }
        ("PUT", p) if p.contains("/overrides/") => Some(json!({"value": 75.0, "reason": "agreed in the team meeting"})),
        ("PUT", p) if p.contains("/validations/") => {
            Some(json!({"score": 50.0, "confidence": "high", "comment": "seen"}))
        }
        ("POST", p) if p.ends_with("/waves") => Some(
            json!({"slug": format!("w{n}"), "name": "A wave", "opens_on": "2024-01-01", "closes_on": "2024-06-30"}),
        ),
        ("POST" | "PUT", p) if p.contains("/plan") => {
            Some(json!({"capability": "governance", "title": format!("Item {n}"), "owner": "CDO"}))
        }
        ("PUT", _) => Some(json!({"level": 3})),
        _ => None,
    }
}

#[test]
fn api_route_table_matches_the_openapi_document() {
    let doc = serde_json::to_value(urbis_web::api::openapi()).unwrap();
    let mut in_spec = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            in_spec.insert((method.to_uppercase(), format!("/api/v1{path}")));
        }
    }
    let in_table: BTreeSet<(String, String)> =
        api_routes().iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(in_spec, in_table, "every API route is in the permission table");
}

on_both!(every_api_route_against_every_role, |app: TestApp| async move {
    let f = fixture(app).await;
    let c = f.app.client();
    let mut n = 0;
    for (method, template, rule) in api_routes() {
        for (who, token) in &f.tokens {
            n += 1;
            let path = fill(template, &f);
            let mut req = c.request(method.parse().unwrap(), f.app.url(&path));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if method == "PATCH" {
                let admin = f.tokens[1].1.clone().unwrap();
                req = req.header("If-Match", f.app.etag(Some(&admin), &path).await);
            }
            if template.ends_with(".csv") && method == "POST" {
                req = req.header("content-type", "text/csv").body(format!("date,value\n2021-07-01,{n}\n"));
            } else if let Some(b) = body(method, template, n) {
                req = req.json(&b);
            }
            let status = req.send().await.unwrap().status().as_u16();
            let denied = status == 401 || status == 403;
            assert_eq!(!denied, allowed(rule, *who), "{method} {template} as {who:?} gave {status}");
            assert!(status < 500, "{method} {template} as {who:?} gave {status}");
            if denied {
                assert_eq!(
                    status == 401,
                    *who == Who::Anonymous,
                    "{method} {template} as {who:?}: 401 only without credentials"
                );
            }
        }
    }
});

fn page_routes() -> Vec<(&'static str, &'static str, Rule)> {
    vec![
        ("GET", "/", Rule::Public),
        ("GET", "/programmes", Rule::Public),
        ("GET", "/programmes/{slug}", Rule::Public),
        ("GET", "/programmes/{slug}/diagnostic", Rule::Public),
        ("GET", "/cities/{slug}/diagnostic", Rule::Public),
        ("POST", "/cities/{slug}/diagnostic/start", Rule::WriteRiga),
        ("GET", "/cities/{slug}/plan/new", Rule::ReadRigaTeam),
        ("POST", "/cities/{slug}/plan/new", Rule::ReadRigaTeam),
        ("GET", "/plan-items/{id}/edit", Rule::ReadRigaTeam),
        ("POST", "/plan-items/{id}/edit", Rule::ReadRigaTeam),
        ("GET", "/programmes/{slug}/waves", Rule::Staff),
        ("POST", "/programmes/{slug}/waves", Rule::Staff),
        ("POST", "/programmes/{slug}/waves/{wave}/close", Rule::Staff),
        ("POST", "/assessments/{id}/publish", Rule::WriteRiga),
        ("GET", "/assessments/{id}/reopen", Rule::Staff),
        ("POST", "/assessments/{id}/reopen", Rule::Staff),
        ("GET", "/assessments/{id}/consolidate", Rule::WriteRiga),
        ("POST", "/assessments/{id}/consolidate", Rule::WriteRiga),
        ("GET", "/assessments/{id}/validate", Rule::Validate),
        ("POST", "/assessments/{id}/validate", Rule::Validate),
        ("GET", "/assessments/{id}", Rule::ReadRigaAssessment),
        ("GET", "/assessments/{id}/sections/{section}", Rule::ReadRigaAssessment),
        ("POST", "/assessments/{id}/sections/{section}", Rule::ReadRigaTeam),
        ("GET", "/assessments/{id}/check", Rule::ReadRigaAssessment),
        ("POST", "/assessments/{id}/check", Rule::WriteRiga),
        ("GET", "/programmes/{slug}/invitations", Rule::Staff),
        ("POST", "/programmes/{slug}/invitations", Rule::Staff),
        ("POST", "/programmes/{slug}/invitations/{id}/revoke", Rule::WriteRiga),
        ("GET", "/cities/{slug}", Rule::Public),
        ("GET", "/cities/{slug}/edit", Rule::WriteRiga),
        ("POST", "/cities/{slug}/edit", Rule::WriteRiga),
        ("GET", "/cities/{slug}/team", Rule::ReadRigaTeam),
        ("POST", "/cities/{slug}/team", Rule::WriteRiga),
        ("POST", "/cities/{slug}/team/{membership}/remove", Rule::WriteRiga),
        ("GET", "/people", Rule::Public),
        ("GET", "/programmes/{slug}/services", Rule::Public),
        ("GET", "/programmes/{slug}/results", Rule::Public),
        ("GET", "/cities/{slug}/service", Rule::Public),
        ("GET", "/cities/{slug}/services/new", Rule::RigaService),
        ("POST", "/cities/{slug}/services/new", Rule::RigaService),
        ("GET", "/services/{id}", Rule::RigaService),
        ("GET", "/services/{id}/edit", Rule::RigaService),
        ("POST", "/services/{id}/edit", Rule::RigaService),
        ("GET", "/services/{id}/phases/{kind}", Rule::RigaService),
        ("POST", "/services/{id}/phases/{kind}", Rule::RigaService),
        ("GET", "/services/{id}/milestones/new", Rule::RigaService),
        ("POST", "/services/{id}/milestones/new", Rule::RigaService),
        ("GET", "/milestones/{id}/edit", Rule::RigaService),
        ("POST", "/milestones/{id}/edit", Rule::RigaService),
        ("GET", "/services/{id}/research/new", Rule::RigaService),
        ("POST", "/services/{id}/research/new", Rule::RigaService),
        ("GET", "/services/{id}/indicators/new", Rule::RigaService),
        ("POST", "/services/{id}/indicators/new", Rule::RigaService),
        ("GET", "/indicators/{id}/measurements/new", Rule::RigaService),
        ("POST", "/indicators/{id}/measurements/new", Rule::RigaService),
        ("GET", "/indicators/{id}/import", Rule::RigaService),
        ("POST", "/indicators/{id}/import", Rule::RigaService),
        ("GET", "/login", Rule::Public),
        ("POST", "/login", Rule::Public),
        ("POST", "/logout", Rule::Public),
        ("GET", "/account", Rule::SignedIn),
        ("POST", "/account", Rule::SignedIn),
        ("GET", "/account/password", Rule::SignedIn),
        ("POST", "/account/password", Rule::SignedIn),
        ("GET", "/account/sign-out-everywhere", Rule::SignedIn),
        ("POST", "/account/sign-out-everywhere", Rule::SignedIn),
        ("GET", "/invitations/{token}", Rule::Public),
        ("POST", "/invitations/{token}", Rule::Public),
        ("GET", "/pulse", Rule::SignedIn),
        ("GET", "/pulse/new", Rule::Staff),
        ("POST", "/pulse/new", Rule::Staff),
        ("GET", "/pulse/{id}", Rule::Staff),
        ("POST", "/pulse/{id}/recipients", Rule::Staff),
        ("POST", "/pulse/{id}/status", Rule::Staff),
        ("POST", "/pulse/{id}/reminders", Rule::Staff),
        ("GET", "/pulse/{id}/report", Rule::ReadRigaTeam),
        ("GET", "/pulse/{id}/responses.csv", Rule::Staff),
        ("GET", "/programmes/{slug}/events", Rule::Public),
        ("GET", "/programmes/{slug}/events/new", Rule::Staff),
        ("POST", "/programmes/{slug}/events/new", Rule::Staff),
        ("GET", "/events/{id}", Rule::Public),
        ("GET", "/events/{id}/edit", Rule::Staff),
        ("POST", "/events/{id}/edit", Rule::Staff),
        ("GET", "/events/{id}/status", Rule::Staff),
        ("POST", "/events/{id}/status", Rule::Staff),
        ("POST", "/events/{id}/register", Rule::SignedIn),
        ("POST", "/registrations/{id}/cancel", Rule::OwnAdmin),
        ("GET", "/offers/{token}", Rule::OwnAdmin),
        ("POST", "/offers/{token}", Rule::OwnAdmin),
        ("GET", "/surveys/{token}", Rule::Public),
        ("GET", "/surveys/{token}/sections/{section}", Rule::Public),
        ("POST", "/surveys/{token}/sections/{section}", Rule::Public),
        ("GET", "/surveys/{token}/check", Rule::Public),
        ("POST", "/surveys/{token}/check", Rule::Public),
        ("GET", "/language/{code}", Rule::Public),
        ("GET", "/static/urbis.css", Rule::Public),
        ("GET", "/static/favicon.svg", Rule::Public),
        ("GET", "/static/map/europe.svg", Rule::Public),
        ("GET", "/healthz", Rule::Public),
        ("GET", "/readyz", Rule::Public),
        ("GET", "/metrics", Rule::Public),
        ("GET", "/api/v1/openapi.json", Rule::Public),
        ("GET", "/indicators/{id}/measurements", Rule::RigaService),
        ("GET", "/admin/people", Rule::Admin),
        ("GET", "/admin/people/{id}/deactivate", Rule::Admin),
        ("POST", "/admin/people/{id}/deactivate", Rule::Admin),
        ("GET", "/admin/people/{id}/reactivate", Rule::Admin),
        ("POST", "/admin/people/{id}/reactivate", Rule::Admin),
        ("GET", "/grants", Rule::Public),
        ("GET", "/grants/calls/{id}", Rule::Public),
        ("POST", "/grants/calls/{id}", Rule::SignedIn),
        ("GET", "/grants/calls/{id}/ranking", Rule::Staff),
        ("GET", "/grants/applications/{id}", Rule::ReadApplication),
        ("GET", "/grants/applications/{id}/sections/{key}", Rule::RigaApplicant),
        ("POST", "/grants/applications/{id}/sections/{key}", Rule::RigaApplicant),
        ("GET", "/grants/applications/{id}/budget", Rule::RigaApplicant),
        ("POST", "/grants/applications/{id}/budget", Rule::RigaApplicant),
        ("GET", "/grants/applications/{id}/submit", Rule::RigaApplicant),
        ("POST", "/grants/applications/{id}/submit", Rule::RigaApplicant),
        ("GET", "/grants/applications/{id}/review", Rule::AssignedExpert),
        ("POST", "/grants/applications/{id}/review", Rule::AssignedExpert),
    ]
}

on_both!(every_page_route_against_every_role, |app: TestApp| async move {
    let f = fixture(app).await;
    let emails = [
        (Who::Admin, "admin@example.org"),
        (Who::Manager, "pm@example.org"),
        (Who::LeadRiga, "lead@riga.example"),
        (Who::MemberRiga, "member@riga.example"),
        (Who::LeadHelsinki, "lead@helsinki.example"),
        (Who::Expert, "expert@example.org"),
        (Who::Reviewer, "reviewer@example.org"),
    ];
    let mut n = 0;
    for who in EVERYONE {
        for (method, template, rule) in page_routes() {
            // A fresh session per request, as /logout ends it.
            let b = match emails.iter().find(|(w, _)| *w == who) {
                Some((_, email)) => f.app.signed_in(email).await,
                None => f.app.browser(),
            };
            n += 1;
            let path = fill(template, &f)
                .replace("{membership}", "00000000-0000-0000-0000-000000000000")
                .replace("{code}", "de")
                .replace("{section}", "governance");
            let status = if method == "GET" {
                b.get(f.app.url(&path)).send().await.unwrap().status().as_u16()
            } else {
                let csrf = f.app.csrf(&b, "/login").await;
                let email = format!("page{n}@riga.example");
                let form: Vec<(&str, &str)> = vec![
                    ("version", "1"),
                    ("description", "x"),
                    ("website", ""),
                    ("email", &email),
                    ("role", "city-member"),
                    ("city", "riga"),
                    ("programme", "digital-innovation-initiative"),
                    ("name", "Someone"),
                    ("password", "wrong password here"),
                    ("wave", "t0"),
                ];
                f.app.post_form(&b, &path, &csrf, &form).await.status().as_u16()
            };
            let denied = status == 403 || (who == Who::Anonymous && status == 303 && !matches!(rule, Rule::Public));
            assert_eq!(!denied, allowed(rule, who), "{method} {template} as {who:?} gave {status}");
            assert!(
                status < 500 && status != 404 || template.contains("{membership}"),
                "{method} {template} as {who:?} gave {status}"
            );
        }
    }
});

// Visibility is the policy's too: a draft service is its city's and staff's until published, then
// everyone's; a benchmark's cohort figures are shown below the minimum cohort size only to those
// who read every city's assessment (staff, experts, reviewers), and its list names unpublished
// cities only to those who may read them.
on_both!(visibility_of_drafts_and_small_cohorts_follows_the_policy, |app: TestApp| async move {
    let f = fixture(app).await;
    let get = |who: Who, path: String| {
        let token = f.tokens.iter().find(|(w, _)| *w == who).unwrap().1.clone();
        let req = f.app.client().get(f.app.url(&path));
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        async move { req.send().await.unwrap() }
    };
    let service = format!("/api/v1/services/{}", f.service_id);
    for who in EVERYONE {
        let status = get(who, service.clone()).await.status().as_u16();
        assert_eq!(status == 200, allowed(Rule::RigaService, who), "draft service as {who:?}: {status}");
    }
    let admin = f.tokens[1].1.clone().unwrap();
    assert_eq!(f.app.patch_with_etag(&admin, &service, &json!({"published": true})).await.status(), 200);
    for who in EVERYONE {
        assert_eq!(get(who, service.clone()).await.status(), 200, "published service as {who:?}");
    }
    // One city (below the minimum cohort), submitted but not published.
    f.app.import_assessment("helsinki", 1, "lead@helsinki.example", false).await;
    let bench = "/api/v1/programmes/digital-innovation-initiative/benchmark?wave=t1".to_string();
    for who in EVERYONE {
        let b: Value = get(who, bench.clone()).await.json().await.unwrap();
        let privileged = matches!(who, Who::Admin | Who::Manager | Who::Expert | Who::Reviewer);
        // Figures over unpublished scores are for those who may read every assessment; everyone
        // else's figures count only published cities (none here).
        let basis = if privileged { ("submitted", 1) } else { ("published", 0) };
        assert_eq!((b["basis"].as_str().unwrap(), b["n"].as_u64().unwrap()), basis, "basis as {who:?}");
        assert_eq!(!b["overall"].is_null(), privileged, "cohort figures of one city as {who:?}");
        let names: Vec<&str> = b["cities"].as_array().unwrap().iter().map(|c| c["city"].as_str().unwrap()).collect();
        let sees_helsinki = privileged || who == Who::LeadHelsinki;
        assert_eq!(names == ["helsinki"], sees_helsinki, "unpublished Helsinki listed for {who:?}: {names:?}");
    }
});

// Publication shows scores, not who answered what (docs/diagnostic.md, "What publication shows"):
// every read path of an assessment's answers (the JSON API, answers.csv, the questionnaire pages)
// gives them to Riga's team and the programme's staff, experts and reviewers only, published or not;
// everyone else reads a published assessment's scores without its answers, spread or the experts'
// comments.
on_both!(answers_stay_with_the_city_team_published_or_not, |app: TestApp| async move {
    let f = fixture(app).await;
    let token_of = |who: Who| f.tokens.iter().find(|(w, _)| *w == who).unwrap().1.clone();
    let lead = token_of(Who::LeadRiga).unwrap();
    // The draft (unpublished) assessment: Riga's lead answers with evidence and a comment.
    let draft = f.assessment_id.clone();
    let answer = json!({"level": 3, "evidence": "EVIDENCE-IN-DRAFT", "comment": "COMMENT-IN-DRAFT"});
    let r = f.app.put_json(&lead, &format!("/api/v1/assessments/{draft}/answers/dv-strategy"), &answer).await;
    assert_eq!(r.status(), 200);
    // A submitted, published assessment answered by Riga's lead (t0), validated by an expert.
    f.app.import_assessment("riga", 0, "lead@riga.example", true).await;
    let published = f.app.wave_assessment("t0", "riga").await.id.to_string();
    let expert = token_of(Who::Expert).unwrap();
    let note = json!({"score": 40.0, "confidence": "low", "comment": "EXPERT-NOTE-ON-RIGA"});
    let r =
        f.app.put_json(&expert, &format!("/api/v1/assessments/{published}/validations/digital-vision"), &note).await;
    assert_eq!(r.status(), 200);
    let lead_id = f.app.get_json_as(&lead, "/api/v1/me").await["id"].as_str().unwrap().to_string();
    let secrets = [lead_id.as_str(), "EVIDENCE-IN-DRAFT", "COMMENT-IN-DRAFT", "EXPERT-NOTE-ON-RIGA", "respondent"];
    let emails = [
        (Who::Admin, "admin@example.org"),
        (Who::Manager, "pm@example.org"),
        (Who::LeadRiga, "lead@riga.example"),
        (Who::MemberRiga, "member@riga.example"),
        (Who::LeadHelsinki, "lead@helsinki.example"),
        (Who::Expert, "expert@example.org"),
        (Who::Reviewer, "reviewer@example.org"),
    ];
    for who in EVERYONE {
        let reads_answers = allowed(Rule::ReadRigaAssessment, who);
        let browser = match emails.iter().find(|(w, _)| *w == who) {
            Some((_, email)) => f.app.signed_in(email).await,
            None => f.app.browser(),
        };
        for (id, is_published) in [(&draft, false), (&published, true)] {
            let what = format!("as {who:?}, published: {is_published}");
            let get = |path: String| {
                let req = f.app.client().get(f.app.url(&path));
                let req = match token_of(who) {
                    Some(t) => req.bearer_auth(t),
                    None => req,
                };
                async move {
                    let r = req.send().await.unwrap();
                    (r.status().as_u16(), r.text().await.unwrap())
                }
            };
            // The JSON API.
            let (status, body) = get(format!("/api/v1/assessments/{id}")).await;
            if reads_answers {
                assert_eq!(status, 200, "assessment {what}");
                let v: Value = serde_json::from_str(&body).unwrap();
                assert!(v["answers"].is_array(), "answers {what}");
            } else if is_published {
                assert_eq!(status, 200, "published assessment {what}");
                let v: Value = serde_json::from_str(&body).unwrap();
                assert!(v.get("answers").is_none(), "answers {what}: {body}");
                assert!(!v["scores"]["overall"].is_null(), "scores {what}");
                for c in v["scores"]["capabilities"].as_object().unwrap().values() {
                    assert!(c["spread"].is_null(), "spread {what}: {c}");
                }
                assert_eq!(v["validations"][0]["score"], 40.0, "validated score {what}");
                for s in secrets {
                    assert!(!body.contains(s), "{s:?} in the assessment {what}: {body}");
                }
            } else {
                assert!(matches!(status, 401 | 403), "unpublished assessment {what}: {status}");
            }
            // The CSV.
            let (status, body) = get(format!("/api/v1/assessments/{id}/answers.csv")).await;
            if reads_answers {
                assert_eq!(status, 200, "answers.csv {what}");
                assert!(body.contains(&lead_id), "answers.csv {what} names the respondent");
            } else {
                assert!(matches!(status, 401 | 403), "answers.csv {what}: {status}");
                for s in secrets {
                    assert!(!body.contains(s), "{s:?} in answers.csv {what}");
                }
            }
            // The questionnaire pages.
            for page in [
                format!("/assessments/{id}"),
                format!("/assessments/{id}/sections/governance"),
                format!("/assessments/{id}/check"),
            ] {
                let r = browser.get(f.app.url(&page)).send().await.unwrap();
                let status = r.status().as_u16();
                let body = r.text().await.unwrap();
                let denied = status == 403 || (who == Who::Anonymous && status == 303);
                assert_eq!(!denied, reads_answers, "{page} {what}: {status}");
                if denied {
                    for s in secrets {
                        assert!(!body.contains(s), "{s:?} on {page} {what}");
                    }
                }
            }
        }
    }
});
