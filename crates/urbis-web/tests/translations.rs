//! Instrument translations end to end: the questionnaire, check-your-answers and city diagnostic
//! pages and the instrument API speak the viewer's language, falling back to English. On SQLite
//! and PostgreSQL.

mod common;

use common::TestApp;
use reqwest::header::ACCEPT_LANGUAGE;
use serde_json::Value;
use urbis_domain::policy::Role;

/// The German and French of a question the tests look for (from the translation files).
const DV_STRATEGY_DE: &str = "Hat die Stadt eine aktuelle Digitalstrategie, und wer ist für sie verantwortlich?";
const DV_STRATEGY_FR: &str =
    "La ville dispose-t-elle d’une stratégie numérique à jour, et qui en est responsable\u{a0}?";
const DV_STRATEGY_EN: &str = "Does the city have a current digital strategy, and who owns it?";

/// The HTML-escaped form askama writes.
fn html(s: &str) -> String {
    s.replace('&', "&amp;").replace('\'', "&#x27;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Riga's city lead (returned by e-mail) and a fresh draft assessment of Riga in the first wave.
async fn draft(app: &TestApp) -> (String, urbis_store::diagnostic::Assessment) {
    let email = app.person("lead@riga.example", Some(Role::CityLead), "riga").await;
    let lead = app.store.person_by_email(&email).await.unwrap().unwrap();
    let riga = app.store.organisation("riga").await.unwrap();
    let prog = app.store.programme("digital-innovation-initiative").await.unwrap();
    let wave = app.store.waves(prog.id).await.unwrap().remove(0);
    let a = app.store.create_assessment(Some(lead.id), riga.id, wave.id, "city-digital-maturity", false).await.unwrap();
    (email, a)
}

/// A page as a viewer whose browser asks for `lang`.
async fn page(app: &TestApp, b: &reqwest::Client, path: &str, lang: &str) -> String {
    let r = b.get(app.url(path)).header(ACCEPT_LANGUAGE, lang).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path} in {lang}");
    r.text().await.unwrap()
}

on_both!(questionnaire_speaks_the_viewers_language, |app: TestApp| async move {
    let (email, a) = draft(&app).await;
    let stored = app.store.instrument("city-digital-maturity", Some(1)).await.unwrap();
    let b = app.signed_in(&email).await;
    let get = |path: String, lang: &'static str| {
        let (app, b) = (&app, &b);
        async move { page(app, b, &path, lang).await }
    };
    let section = format!("/assessments/{}/sections/digital-vision", a.id);
    for (lang, text) in [("de", DV_STRATEGY_DE), ("fr", DV_STRATEGY_FR), ("en", DV_STRATEGY_EN)] {
        let page = get(section.clone(), lang).await;
        assert!(page.contains(&format!("<html lang=\"{lang}\"")), "{lang}: the page says its language");
        assert!(page.contains(&html(text)), "{lang}: question text in the viewer's language");
        let l = stored.instrument.localised(lang);
        let q = l.question("dv-strategy").unwrap();
        for t in q.levels.iter().chain([&q.help, &q.evidence, &l.capabilities[0].title, &l.capabilities[0].description])
        {
            assert!(page.contains(&html(t)), "{lang}: {t}");
        }
    }
    // A language the instrument lacks: English.
    assert!(get(section.clone(), "es").await.contains(DV_STRATEGY_EN));
    // Checklist items, context questions and the overview in German.
    let de = stored.localised("de").instrument;
    let list = de.questions.iter().find(|q| !q.items.is_empty()).unwrap();
    let page = get(format!("/assessments/{}/sections/{}", a.id, list.capability), "de").await;
    for it in &list.items {
        assert!(page.contains(&html(&it.text)), "item {}", it.id);
    }
    let page = get(format!("/assessments/{}/sections/context", a.id), "de").await;
    for c in &de.context {
        assert!(page.contains(&html(&c.text)), "context {}", c.id);
    }
    let page = get(format!("/assessments/{}", a.id), "de").await;
    assert!(page.contains("Digitale Vision") && !page.contains("Digital vision"), "section names in German");
    // Check your answers: question texts and a ticked item's label in German.
    let csrf = common::csrf_of(&get(section.clone(), "de").await);
    let field = format!("q-{}", list.id);
    let r = b
        .post(app.url(&format!("/assessments/{}/sections/{}", a.id, list.capability)))
        .header(ACCEPT_LANGUAGE, "de")
        .form(&[("csrf", csrf.as_str()), (field.as_str(), list.items[0].id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let check = get(format!("/assessments/{}/check", a.id), "de").await;
    assert!(check.contains(&html(DV_STRATEGY_DE)) && check.contains(&html(&list.items[0].text)));
    assert!(!check.contains(DV_STRATEGY_EN));
    // Submitting with answers missing names them in German.
    let r = b
        .post(app.url(&format!("/assessments/{}/check", a.id)))
        .header(ACCEPT_LANGUAGE, "de")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains(&html(DV_STRATEGY_DE)));
});

on_both!(city_diagnostic_shows_capabilities_and_actions_in_the_viewers_language, |app: TestApp| async move {
    // A draft without answers: every capability at level 1, with the actions that lead from it.
    let (email, _) = draft(&app).await;
    let stored = app.store.instrument("city-digital-maturity", None).await.unwrap();
    let inst = &stored.instrument;
    let b = app.signed_in(&email).await;
    for lang in ["de", "fr"] {
        let page = page(&app, &b, "/cities/riga/diagnostic", lang).await;
        let t = &inst.translations[lang];
        for c in &inst.capabilities {
            assert!(page.contains(&html(&t.capabilities[&c.slug].title)), "{lang}: {}", c.slug);
            let first = format!("{}-1-1", c.slug);
            assert!(page.contains(&html(&t.actions[&first].title)), "{lang}: action {first}");
        }
        let english = stored.actions.iter().filter(|a| page.contains(&html(&a.title))).count();
        assert_eq!(english, 0, "{lang}: no action left in English");
    }
});

on_both!(instrument_api_returns_the_language_asked_for, |app: TestApp| async move {
    let c = app.client();
    let get = |query: &'static str, accept: Option<&'static str>| {
        let mut r = c.get(app.url(&format!("/api/v1/instruments/city-digital-maturity{query}")));
        if let Some(a) = accept {
            r = r.header(ACCEPT_LANGUAGE, a);
        }
        async move { r.send().await.unwrap() }
    };
    let text = |v: &Value| {
        v["questions"].as_array().unwrap().iter().find(|q| q["id"] == "dv-strategy").unwrap()["text"].clone()
    };
    for (query, accept, lang, want) in [
        ("?lang=de", None, "de", DV_STRATEGY_DE),
        ("", Some("fr-CH, de;q=0.5"), "fr", DV_STRATEGY_FR),
        ("?lang=en", Some("de"), "en", DV_STRATEGY_EN),
        ("?version=1&lang=fr", None, "fr", DV_STRATEGY_FR),
        ("", Some("es"), "en", DV_STRATEGY_EN),
        ("", None, "en", DV_STRATEGY_EN),
    ] {
        let r = get(query, accept).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-language"], lang, "{query} {accept:?}");
        assert_eq!(r.headers()["vary"], "accept-language");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["language"], lang);
        assert_eq!(v["languages"], serde_json::json!(["en", "de", "fr"]));
        assert_eq!(text(&v), want, "{query} {accept:?}");
        assert!(v.get("translations").is_none(), "one language per response");
    }
    // Only texts change: ids, types, weights and levels are the version's.
    let en: Value = get("", None).await.json().await.unwrap();
    let de: Value = get("?lang=de", None).await.json().await.unwrap();
    let shape = |v: &Value| -> Vec<Value> {
        v["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| serde_json::json!([q["id"], q["type"], q["weight"], q["levels"].as_array().map(Vec::len)]))
            .collect()
    };
    assert_eq!(shape(&en), shape(&de));
    assert_eq!(en["recommended_actions"][0]["capability"], de["recommended_actions"][0]["capability"]);
    assert_ne!(en["recommended_actions"][0]["title"], de["recommended_actions"][0]["title"]);
    // An unknown language asked for by name is a clear error naming the parameter.
    let r = get("?lang=xx", None).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "lang");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("\"xx\" is not one of the languages"));
});
