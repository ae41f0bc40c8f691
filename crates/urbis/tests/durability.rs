//! Durability: the real server under a write load is killed with SIGKILL (`kill -9`) at different
//! moments, restarted on the same database, and then every write it acknowledged (a 2xx) must be
//! there with the acknowledged value, with its audit entry; nothing may be half-written (an audit
//! entry without its change, a change without its audit entry, a version that does not match the
//! number of audited changes); and the database's own integrity checks must be clean. On SQLite and
//! on PostgreSQL (its own fresh database).
//!
//! What is asserted is deterministic: only acknowledged writes must be present; a write that was in
//! flight when the server died may or may not be, but if it is, it must be whole.
//!
//! The check itself is tested: `the_check_catches_a_dropped_write` deletes acknowledged rows and
//! audit entries behind the server's back and expects the check to name each one.

use serde_json::{Value, json};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::{Server, serve};

const PASSWORD: &str = "a long enough password";
/// Two writers add measurements (one indicator each), one edits a service's title under `If-Match`,
/// one adds plan items.
const MEASUREMENT_WRITERS: usize = 2;

/// Run `urbis ARGS` on `db`; it must succeed.
fn urbis(db: &str, args: &[&str], stdin: Option<&str>) {
    let (ok, out) = common::urbis(db, args, stdin);
    assert!(ok, "urbis {args:?}: {out}");
}

/// What the server acknowledged, per writer.
#[derive(Default, Debug)]
struct Acked {
    /// Indicator id → (date → value) of every acknowledged measurement.
    measurements: HashMap<String, HashMap<String, f64>>,
    /// The service's title and version of the last acknowledged edit, and the titles of edits
    /// that were in flight after it when the server died (each may or may not have been committed).
    service: Option<(String, i64)>,
    service_in_flight: Vec<String>,
    /// Plan item id → title.
    plan_items: HashMap<String, String>,
}

struct Fixture {
    base: String,
    token: String,
    service_id: String,
    indicators: Vec<String>,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

/// A database with a city lead of Riga, one service and one indicator per measurement writer.
async fn set_up(db: &str) -> (Server, Fixture) {
    urbis(db, &["migrate"], None);
    urbis(
        db,
        &[
            "user",
            "create",
            "--email",
            "lead@riga.example",
            "--name",
            "Laura",
            "--role",
            "city-lead",
            "--organisation",
            "riga",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    let (server, base) = serve(db).await;
    let c = client();
    let t: Value = c
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": "lead@riga.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = t["token"].as_str().unwrap().to_string();
    let post = |path: String, body: Value| {
        let r = c.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send();
        async move {
            let r = r.await.unwrap();
            assert_eq!(r.status(), 201, "{path}");
            r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
        }
    };
    let service_id = post(
        "/api/v1/cities/riga/services".into(),
        json!({"title": "Rent support online", "description": "Apply once.", "focus_area": "housing"}),
    )
    .await;
    let mut indicators = vec![];
    for i in 0..MEASUREMENT_WRITERS {
        let def = json!({"name": format!("Applications {i}"), "unit": "applications", "direction": "increase",
                         "baseline": {"value": 1, "date": "2021-01-01"}, "target": {"value": 100000, "date": "2030-01-01"}});
        indicators.push(post(format!("/api/v1/services/{service_id}/indicators"), def).await);
    }
    (server, Fixture { base, token, service_id, indicators })
}

/// The date of a writer's n-th measurement: one day after the baseline per write.
fn date_of(n: u64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2021, 1, 2).unwrap() + chrono::Days::new(n)).to_string()
}

/// Run the writers until the server has acknowledged at least `kill_after` writes in this round,
/// then kill it with SIGKILL while they are still writing, and wait for every writer to notice.
/// `next` is each writer's next sequence number, carried over rounds so no value is written twice.
async fn load_and_kill(f: &Fixture, server: Server, kill_after: usize, next: &mut [u64], acked: &mut Acked) {
    let acks = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = vec![];
    // Measurement writers.
    for (w, indicator) in f.indicators.iter().enumerate() {
        let (c, base, token, indicator) = (client(), f.base.clone(), f.token.clone(), indicator.clone());
        let (acks, stop, start) = (acks.clone(), stop.clone(), next[w]);
        tasks.push(tokio::spawn(async move {
            let mut done = vec![];
            let mut n = start;
            while !stop.load(Ordering::Relaxed) {
                let (date, value) = (date_of(n), n as f64 + 0.25);
                n += 1;
                let r = c
                    .post(format!("{base}/api/v1/indicators/{indicator}/measurements"))
                    .bearer_auth(&token)
                    .json(&json!({"date": date, "value": value}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        if r.bytes().await.is_err() {
                            break;
                        }
                        done.push((date, value));
                        acks.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            (n, Writes::Measurements(indicator, done))
        }));
    }
    // The service editor: a versioned update under If-Match, one after another.
    {
        let (c, base, token, id) = (client(), f.base.clone(), f.token.clone(), f.service_id.clone());
        let (acks, stop, start) = (acks.clone(), stop.clone(), next[MEASUREMENT_WRITERS]);
        // Its starting version is read before the load starts: a kill after a few acknowledgements
        // must not find this read still in flight.
        let url = format!("{base}/api/v1/services/{id}");
        let r = c.get(&url).bearer_auth(&token).send().await.unwrap();
        let mut etag = r.headers()["etag"].to_str().unwrap().to_string();
        tasks.push(tokio::spawn(async move {
            let (mut last, mut in_flight) = (None, None);
            let mut n = start;
            while !stop.load(Ordering::Relaxed) {
                let title = format!("Rent support, edit {n}");
                n += 1;
                in_flight = Some(title.clone());
                let r = c
                    .patch(&url)
                    .bearer_auth(&token)
                    .header("if-match", &etag)
                    .json(&json!({"title": title}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        etag = r.headers()["etag"].to_str().unwrap().to_string();
                        if r.bytes().await.is_err() {
                            break;
                        }
                        let version = etag.trim_matches('"').parse::<i64>().unwrap();
                        last = Some((title, version));
                        in_flight = None;
                        acks.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(r) => panic!("the only editor of the service was refused: {}", r.status()),
                    Err(_) => break,
                }
            }
            (n, Writes::Service(last, in_flight))
        }));
    }
    // Plan items.
    {
        let (c, base, token) = (client(), f.base.clone(), f.token.clone());
        let (acks, stop, start) = (acks.clone(), stop.clone(), next[MEASUREMENT_WRITERS + 1]);
        tasks.push(tokio::spawn(async move {
            let mut done = vec![];
            let mut n = start;
            while !stop.load(Ordering::Relaxed) {
                let title = format!("Plan item {n}");
                n += 1;
                let r = c
                    .post(format!("{base}/api/v1/cities/riga/plan"))
                    .bearer_auth(&token)
                    .json(&json!({"capability": "governance", "title": title, "owner": "CDO"}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                        Ok(v) => {
                            done.push((v["id"].as_str().unwrap().to_string(), title));
                            acks.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(_) => break,
                    },
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            (n, Writes::PlanItems(done))
        }));
    }

    let started = Instant::now();
    while acks.load(Ordering::SeqCst) < kill_after {
        assert!(started.elapsed() < Duration::from_secs(30), "the load made no progress");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // SIGKILL while the writers have requests in flight.
    drop(server);
    stop.store(true, Ordering::Relaxed);
    for (w, t) in tasks.into_iter().enumerate() {
        let (n, writes) = t.await.unwrap();
        next[w] = n;
        match writes {
            Writes::Measurements(indicator, done) => acked.measurements.entry(indicator).or_default().extend(done),
            Writes::Service(last, in_flight) => {
                if last.is_some() {
                    acked.service = last;
                    acked.service_in_flight.clear();
                }
                acked.service_in_flight.extend(in_flight);
            }
            Writes::PlanItems(done) => acked.plan_items.extend(done),
        }
    }
}

enum Writes {
    Measurements(String, Vec<(String, f64)>),
    Service(Option<(String, i64)>, Option<String>),
    PlanItems(Vec<(String, String)>),
}

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(pool).await.unwrap().get::<i64, _>(0)
}

async fn texts(pool: &AnyPool, sql: &str) -> Vec<Vec<String>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(pool).await.unwrap();
    rows.iter().map(|r| (0..r.len()).map(|i| r.try_get::<String, _>(i).unwrap_or_default()).collect()).collect()
}

/// Every problem found in the database against what was acknowledged: an empty list when every
/// acknowledged write is whole and the database is consistent.
async fn problems(pool: &AnyPool, postgres: bool, f: &Fixture, acked: &Acked) -> Vec<String> {
    let mut out = vec![];
    // Every acknowledged measurement is there with its value, and has its audit entry.
    for (indicator, done) in &acked.measurements {
        let sql = format!("SELECT measured_on, value FROM measurements WHERE indicator_id = '{indicator}'");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await.unwrap();
        let stored: HashMap<String, f64> = rows.iter().map(|r| (r.get::<String, _>(0), r.get::<f64, _>(1))).collect();
        let sql = format!(
            "SELECT after_json FROM audit_log WHERE entity_kind = 'indicator' AND entity_id = '{indicator}' \
             AND action = 'indicator.measurement'"
        );
        let audited: HashMap<String, f64> = texts(pool, &sql)
            .await
            .iter()
            .map(|r| {
                let v: Value = serde_json::from_str(&r[0]).unwrap();
                (v["date"].as_str().unwrap().to_string(), v["value"].as_f64().unwrap())
            })
            .collect();
        for (date, value) in done {
            match stored.get(date) {
                Some(v) if v == value => {}
                Some(v) => out.push(format!("measurement {indicator} {date}: {v} stored, {value} acknowledged")),
                None => out.push(format!("measurement {indicator} {date} = {value} acknowledged but missing")),
            }
            if audited.get(date) != Some(value) {
                out.push(format!("measurement {indicator} {date} = {value} acknowledged but not audited"));
            }
        }
        // Nothing half-written: each stored measurement has its audit entry and each audit entry its
        // measurement, and the indicator's version counts the audited changes.
        for (date, value) in &stored {
            if audited.get(date) != Some(value) {
                out.push(format!("measurement {indicator} {date} stored without its audit entry"));
            }
        }
        for date in audited.keys() {
            if !stored.contains_key(date) {
                out.push(format!("audit entry for measurement {indicator} {date} without the measurement"));
            }
        }
        let version = count(pool, &format!("SELECT version FROM indicators WHERE id = '{indicator}'")).await;
        if version != 1 + audited.len() as i64 {
            out.push(format!("indicator {indicator} at version {version} after {} audited changes", audited.len()));
        }
    }
    // The service's title is the last acknowledged edit (or the one in flight after it), and its
    // version counts its audited updates.
    if let Some((title, version)) = &acked.service {
        let id = &f.service_id;
        let row = texts(pool, &format!("SELECT title FROM services WHERE id = '{id}'")).await;
        let stored = count(pool, &format!("SELECT version FROM services WHERE id = '{id}'")).await;
        let updates = count(
            pool,
            &format!(
                "SELECT count(*) FROM audit_log WHERE entity_kind = 'service' AND entity_id = '{id}' \
                 AND action = 'service.update'"
            ),
        )
        .await;
        if row[0][0] != *title && !acked.service_in_flight.contains(&row[0][0]) {
            out.push(format!("service title {:?}, acknowledged {title:?}", row[0][0]));
        }
        if stored < *version {
            out.push(format!("service at version {stored}, version {version} acknowledged"));
        }
        if stored != 1 + updates {
            out.push(format!("service at version {stored} after {updates} audited updates"));
        }
        let audited = texts(
            pool,
            &format!(
                "SELECT after_json FROM audit_log WHERE entity_kind = 'service' AND entity_id = '{id}' \
                 AND action = 'service.update'"
            ),
        )
        .await;
        if !audited.iter().any(|r| r[0].contains(&format!("\"title\":{}", json!(title)))) {
            out.push(format!("service edit {title:?} acknowledged but not audited"));
        }
    }
    // Every acknowledged plan item is there with its title and its audit entry; every plan item has
    // an audit entry and every plan item audit entry its plan item.
    let stored: HashMap<String, String> = texts(pool, "SELECT id, title FROM plan_items")
        .await
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let audited: Vec<String> = texts(pool, "SELECT DISTINCT entity_id FROM audit_log WHERE entity_kind = 'plan_item'")
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    for (id, title) in &acked.plan_items {
        match stored.get(id) {
            Some(t) if t == title => {}
            Some(t) => out.push(format!("plan item {id}: {t:?} stored, {title:?} acknowledged")),
            None => out.push(format!("plan item {id} {title:?} acknowledged but missing")),
        }
    }
    for id in stored.keys() {
        if !audited.contains(id) {
            out.push(format!("plan item {id} stored without its audit entry"));
        }
    }
    for id in &audited {
        if !stored.contains_key(id) {
            out.push(format!("audit entry for plan item {id} without the plan item"));
        }
    }
    out.extend(integrity(pool, postgres).await);
    out
}

/// The database's own integrity checks.
async fn integrity(pool: &AnyPool, postgres: bool) -> Vec<String> {
    let mut out = vec![];
    if !postgres {
        let ok = texts(pool, "SELECT integrity_check FROM pragma_integrity_check").await;
        if ok != [["ok"]] {
            out.push(format!("integrity_check: {ok:?}"));
        }
        let bad = count(pool, "SELECT count(*) FROM pragma_foreign_key_check").await;
        if bad > 0 {
            out.push(format!("foreign_key_check: {bad} rows refer to missing rows"));
        }
        return out;
    }
    // Every foreign key is validated and no row refers to a missing row.
    let keys = texts(
        pool,
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, \
                (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), \
                (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n) \
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum), \
                CASE WHEN c.convalidated THEN 'yes' ELSE 'no' END \
         FROM pg_constraint c WHERE c.contype = 'f'",
    )
    .await;
    assert!(keys.len() > 10, "the schema's foreign keys are found: {keys:?}");
    for k in &keys {
        let (child, parent) = (&k[0], &k[1]);
        let pairs: Vec<(&str, &str)> = k[2].split(',').zip(k[3].split(',')).collect();
        let matched = pairs.iter().map(|(c, p)| format!("p.{p} = c.{c}")).collect::<Vec<_>>().join(" AND ");
        let present = pairs.iter().map(|(c, _)| format!("c.{c} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
        let sql = format!(
            "SELECT count(*) FROM {child} c WHERE {present} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matched})"
        );
        let orphans = count(pool, &sql).await;
        if orphans > 0 || k[4] != "yes" {
            out.push(format!("{child} → {parent}: {orphans} rows refer to missing rows (validated: {})", k[4]));
        }
    }
    // Every table reads whole, and every B-tree index agrees with its table (amcheck, from contrib).
    for t in texts(pool, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'").await {
        count(pool, &format!("SELECT count(*) FROM {}", t[0])).await;
    }
    if sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck").execute(pool).await.is_ok() {
        let sql = "SELECT count(*) FROM (SELECT bt_index_check(i.indexrelid, true) FROM pg_index i \
                   JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam \
                   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE am.amname = 'btree' AND n.nspname = 'public') x";
        if let Err(e) = sqlx::query(sql).fetch_one(pool).await {
            out.push(format!("amcheck: {e}"));
        }
    } else {
        eprintln!("amcheck is not installed: indexes were not checked");
    }
    out
}

/// A fresh database URL: a SQLite file in `dir`, or a new PostgreSQL database.
async fn fresh_database(postgres: bool, dir: &std::path::Path) -> Option<String> {
    if !postgres {
        return Some(format!("sqlite://{}/urbis.db", dir.display()));
    }
    let server = urbis_store::testing::postgres_server()?;
    let name = format!("urbis_durability_{}", uuid::Uuid::now_v7().simple());
    let admin = urbis_store::Store::connect(&server).await.unwrap();
    admin.create_database(&name).await.unwrap();
    admin.close().await;
    Some(format!("{}/{name}", server.rsplit_once('/').unwrap().0))
}

async fn pool_of(db: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new().max_connections(2).connect(db).await.unwrap()
}

async fn kill_9_under_load(postgres: bool) {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = fresh_database(postgres, dir.path()).await else { return };
    let started = Instant::now();
    let (mut server, mut f) = set_up(&db).await;
    let pool = pool_of(&db).await;
    let mut next = vec![0; MEASUREMENT_WRITERS + 2];
    let mut acked = Acked::default();
    // Kill early in the load, later, and almost at once: at different moments each round.
    for (round, kill_after) in [30, 300, 3, 120].into_iter().enumerate() {
        load_and_kill(&f, server, kill_after, &mut next, &mut acked).await;
        let (s, base) = serve(&db).await;
        (server, f.base) = (s, base);
        let found = problems(&pool, postgres, &f, &acked).await;
        assert!(found.is_empty(), "after kill -9 number {}: {found:#?}", round + 1);
    }
    let total: usize = acked.measurements.values().map(|m| m.len()).sum::<usize>() + acked.plan_items.len();
    assert!(total > 100, "the load wrote: {total}");
    // Whatever the API reads back agrees.
    let r: Value = client()
        .get(format!("{}/api/v1/services/{}", f.base, f.service_id))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let title = r["title"].as_str().unwrap();
    let (last, _) = acked.service.as_ref().unwrap();
    assert!(title == last || acked.service_in_flight.iter().any(|t| t == title), "{title}");
    eprintln!(
        "{} acknowledged writes, 4 kills, {:.1} s",
        total + acked.service.as_ref().map_or(0, |s| s.1 as usize - 1),
        started.elapsed().as_secs_f64()
    );
    drop(server);
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_write_load_loses_no_acknowledged_write_on_sqlite() {
    kill_9_under_load(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_write_load_loses_no_acknowledged_write_on_postgres() {
    kill_9_under_load(true).await;
}

/// The check can fail: a load without a kill is clean; then one acknowledged measurement, one
/// acknowledged plan item's audit entry and one audit entry of a measurement are removed behind
/// the server's back (as a lost commit would), and the check names each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_catches_a_dropped_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database(false, dir.path()).await.unwrap();
    let (mut server, mut f) = set_up(&db).await;
    let pool = pool_of(&db).await;
    let mut next = vec![0; MEASUREMENT_WRITERS + 2];
    let mut acked = Acked::default();
    // Rounds of load until there is an acknowledged plan item and a series of two measurements to
    // remove (on a busy machine one writer may get every acknowledgement of a round).
    for round in 0.. {
        load_and_kill(&f, server, 20, &mut next, &mut acked).await;
        if !acked.plan_items.is_empty() && acked.measurements.values().any(|d| d.len() >= 2) {
            break;
        }
        assert!(round < 20, "the load acknowledged no plan item or no two measurements of a series");
        (server, f.base) = serve(&db).await;
    }
    assert_eq!(problems(&pool, false, &f, &acked).await, Vec::<String>::new());

    let (indicator, done) = acked.measurements.iter().find(|(_, d)| d.len() >= 2).unwrap();
    let mut dates: Vec<&String> = done.keys().collect();
    dates.sort();
    let (lost, unaudited) = (dates[0], dates[1]);
    let (plan_item, _) = acked.plan_items.iter().next().unwrap();
    for sql in [
        format!("DELETE FROM measurements WHERE indicator_id = '{indicator}' AND measured_on = '{lost}'"),
        format!(
            "DELETE FROM audit_log WHERE entity_id = '{indicator}' AND after_json LIKE '%\"date\":\"{unaudited}\"%'"
        ),
        format!("DELETE FROM audit_log WHERE entity_id = '{plan_item}'"),
    ] {
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&pool).await.unwrap();
        assert_eq!(done.rows_affected(), 1, "{sql}");
    }
    let found = problems(&pool, false, &f, &acked).await;
    let has = |s: &str| found.iter().any(|p| p.contains(s));
    assert!(has(&format!("measurement {indicator} {lost} = ")) && has("acknowledged but missing"), "{found:#?}");
    assert!(has(&format!("audit entry for measurement {indicator} {lost} without the measurement")), "{found:#?}");
    assert!(has(&format!("measurement {indicator} {unaudited} stored without its audit entry")), "{found:#?}");
    assert!(has(&format!("plan item {plan_item} stored without its audit entry")), "{found:#?}");
    assert!(has(&format!("indicator {indicator} at version")), "{found:#?}");

    // A row that refers to nothing is caught by the integrity check.
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE measurements SET indicator_id = 'gone' WHERE indicator_id = '{indicator}' AND measured_on = '{unaudited}'"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let found = integrity(&pool, false).await;
    assert!(found.iter().any(|p| p.contains("foreign_key_check: 1 rows")), "{found:#?}");
    pool.close().await;
}
