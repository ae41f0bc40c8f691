//! The `urbis` command: serve the platform and operate it (migrations, accounts, backups).

mod demo;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use urbis_domain::network::{Email, check_password, required_name};
use urbis_domain::policy::{Grant, Role, Scope, ScopeKind};
use urbis_store::Store;
use urbis_store::network::{NewPerson, OutboxKeys};

#[derive(Parser)]
#[command(name = "urbis", version, about = "Urbis: run city digital-innovation programmes")]
struct Cli {
    /// Database URL: sqlite://FILE (created on first start) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "URBIS_DATABASE_URL", default_value = "sqlite://urbis.db")]
    database_url: String,
    /// The outbox key file (secret links in queued e-mail are sealed with it). SQLite: default
    /// FILE.outbox-key beside the database, created on first start. PostgreSQL: required to serve,
    /// the same file on every instance (make one with `urbis outbox-key generate FILE`).
    #[arg(long, global = true, env = "URBIS_OUTBOX_KEY_FILE")]
    outbox_key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the API (the default command).
    Serve(ServeArgs),
    /// Apply database migrations and load reference data, then exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Deactivate or reactivate a person (as the operator on the server; audited).
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// Write a consistent, portable backup of the whole database to FILE (safe while serving).
    Backup { file: PathBuf },
    /// Restore a backup FILE into an empty database (SQLite or PostgreSQL).
    Restore { file: PathBuf },
    /// The key that seals secret links in the outbox (see docs/operations.md).
    OutboxKey {
        #[command(subcommand)]
        command: OutboxKeyCommand,
    },
    /// Purge the sealed links of undelivered e-mail whose link has expired (serve does it hourly).
    PurgeOutbox,
    /// Sample data for trying Urbis out and for load tests.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Subcommand)]
enum PersonCommand {
    /// Deactivate the person with this e-mail address: they cannot sign in, and every session and
    /// API token of theirs ends at once. Recorded in the audit log as done by the operator.
    Deactivate { email: String },
    /// Reactivate a deactivated person (they sign in afresh; old sessions and tokens stay ended).
    /// Also how an installation that lost its last admin gets one back.
    Reactivate { email: String },
}

#[derive(Subcommand)]
enum OutboxKeyCommand {
    /// Write a new key file (readable by its owner only); refuses to overwrite one.
    Generate { file: PathBuf },
    /// Put a new key first in a key file (it seals from now on); the older keys stay to open
    /// messages sealed before, until they are delivered or purged.
    Rotate { file: PathBuf },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Generate a synthetic cohort (a programme of N cities with W waves of submitted, published
    /// assessments, all labelled as sample data) for load and scale tests.
    Generate {
        /// Number of cities.
        #[arg(long, default_value_t = 1000)]
        cities: usize,
        /// Number of waves.
        #[arg(long, default_value_t = 3)]
        waves: usize,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "URBIS_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Add clearly labelled sample accounts (for trying Urbis out; never in production).
    #[arg(long, env = "URBIS_DEMO")]
    demo: bool,
    /// Urbis is reached over HTTPS (directly or through a proxy): secure cookies and HSTS.
    #[arg(long, env = "URBIS_BEHIND_TLS")]
    behind_tls: bool,
    /// Public base URL for links in e-mails, e.g. https://urbis.example.org (default: http://BIND).
    #[arg(long, env = "URBIS_BASE_URL")]
    base_url: Option<String>,
    /// Reverse proxies (addresses or networks such as 10.0.0.0/8, comma-separated) whose
    /// X-Forwarded-For is believed when counting failed sign-ins per client address.
    #[arg(long, env = "URBIS_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<urbis_web::auth::IpNet>,
    /// Seconds a client may take to send a request's line and headers; a kept-alive connection
    /// waiting longer for its next request is closed too (0.1 to 3600).
    #[arg(long, env = "URBIS_HEADER_TIMEOUT", value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    header_timeout: Duration,
    /// Seconds a client may take to send a request's body, from the end of its headers; a handler
    /// still waiting answers 408 (0.1 to 3600).
    #[arg(long, env = "URBIS_BODY_TIMEOUT", value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    body_timeout: Duration,
    /// Seconds a connection may stay open with no byte moving either way (0.1 to 3600).
    #[arg(long, env = "URBIS_IDLE_TIMEOUT", value_name = "SECONDS", default_value = "5", value_parser = seconds)]
    idle_timeout: Duration,
    /// Connections served at once; more wait in the accept queue (default: 1024, or fewer when the
    /// process may open fewer files).
    #[arg(long, env = "URBIS_MAX_CONNECTIONS", value_name = "N", value_parser = connections)]
    max_connections: Option<usize>,
}

/// A duration setting in seconds (decimals allowed), from 0.1 s to an hour.
fn seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if (0.1..=3600.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        _ => Err("must be a number of seconds from 0.1 to 3600".into()),
    }
}

/// The connection limit: a whole number from 1 to 100000.
fn connections(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err("must be a whole number from 1 to 100000".into()),
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with one role. The password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, programme-manager, city-lead, city-member, expert or reviewer.
        #[arg(long)]
        role: String,
        /// The city (organisation slug) for city-lead and city-member.
        #[arg(long)]
        organisation: Option<String>,
        /// The programme (slug) for programme-manager, expert and reviewer.
        #[arg(long, default_value = "digital-innovation-initiative")]
        programme: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long)]
        password_stdin: bool,
        /// List the person in the public directory.
        #[arg(long)]
        listed: bool,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve(ServeArgs::parse_default())) {
        Command::Serve(args) => serve(&cli.database_url, cli.outbox_key_file.as_deref(), args).await,
        Command::Migrate => {
            let store = open(&cli.database_url).await?;
            println!("database at schema version {}", store.current_schema_version().await?);
            Ok(())
        }
        Command::User { command } => user(&cli.database_url, command).await,
        Command::Person { command } => person(&cli.database_url, command).await,
        Command::Backup { file } => backup(&cli.database_url, &file).await,
        Command::Restore { file } => restore(&cli.database_url, &file).await,
        Command::OutboxKey { command } => outbox_key(command),
        Command::PurgeOutbox => {
            let store = with_outbox_keys(open(&cli.database_url).await?, cli.outbox_key_file.as_deref())?;
            let n = store.purge_expired_secrets(urbis_store::now()).await?;
            println!("purged {n} expired links from the outbox");
            Ok(())
        }
        Command::Demo { command: DemoCommand::Generate { cities, waves } } => {
            let store = open(&cli.database_url).await?;
            let started = std::time::Instant::now();
            let slug = demo::generate(&store, cities, waves).await?;
            println!("programme {slug}: {cities} cities × {waves} waves in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

impl ServeArgs {
    /// The serve arguments when no subcommand is given (environment variables still apply).
    fn parse_default() -> ServeArgs {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            args: ServeArgs,
        }
        Only::parse_from(["urbis"]).args
    }
}

/// Connect, migrate and load reference data.
async fn open(url: &str) -> Result<Store> {
    if let Some(path) = url.strip_prefix("sqlite://")
        && let Some(dir) = std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let store = Store::connect(url).await.with_context(|| format!("connecting to {}", redact(url)))?;
    let applied = store.migrate().await?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    let added = store.load_reference().await?;
    if added > 0 {
        tracing::info!(added, "reference data loaded");
    }
    Ok(store)
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            let user = cred.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// The store with the outbox keys of `file` when given (else those found when connecting).
fn with_outbox_keys(store: Store, file: Option<&std::path::Path>) -> Result<Store> {
    let store = match file {
        Some(path) => store.with_outbox_keys(OutboxKeys::load(path)?),
        None => store,
    };
    if store.outbox_keys().is_none() {
        bail!(
            "no outbox key: on PostgreSQL set URBIS_OUTBOX_KEY_FILE (or --outbox-key-file) to a key file made once \
             with `urbis outbox-key generate FILE` and given to every instance (see docs/operations.md)"
        );
    }
    Ok(store)
}

fn outbox_key(command: OutboxKeyCommand) -> Result<()> {
    match command {
        OutboxKeyCommand::Generate { file } => {
            urbis_store::network::outbox::write_key_file(&file, &format!("{}\n", OutboxKeys::new_key_line()))?;
            let id = OutboxKeys::load(&file)?.current_id().to_string();
            println!("outbox key {id} written to {}", file.display());
        }
        OutboxKeyCommand::Rotate { file } => {
            let old = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            OutboxKeys::parse(&old, &file.display().to_string())?;
            let text = format!(
                "{}\n# older keys: they only open messages sealed before; remove them once those are delivered or purged\n{old}",
                OutboxKeys::new_key_line()
            );
            let tmp = file.with_extension("rotating");
            let _ = std::fs::remove_file(&tmp);
            urbis_store::network::outbox::write_key_file(&tmp, &text)?;
            std::fs::rename(&tmp, &file)?;
            let id = OutboxKeys::load(&file)?.current_id().to_string();
            println!("outbox key {id} now seals new messages; older keys kept in {}", file.display());
        }
    }
    Ok(())
}

async fn serve(url: &str, outbox_key_file: Option<&std::path::Path>, args: ServeArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let store = with_outbox_keys(open(url).await?, outbox_key_file)?;
    // The retention purge of expired links, at start and hourly.
    let purger = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match purger.purge_expired_secrets(urbis_store::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "expired links purged from the outbox"),
                Err(e) => tracing::warn!(error = %e, "purging expired links from the outbox failed"),
            }
        }
    });
    if args.demo {
        demo::load(&store).await?;
    }
    let config = urbis_web::Config {
        behind_tls: args.behind_tls,
        base_url: args.base_url.unwrap_or_else(|| format!("http://{}", args.bind)),
        trusted_proxies: args.trusted_proxies,
    };
    let state = urbis_web::AppState::new(store.clone(), config).await?;
    // The sweep of expired offers of event places (convenings), every five minutes, so that the
    // next person waiting is e-mailed on time; reads settle them anyway.
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            match urbis_app::convenings::sweep(&sweeper).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(lapsed = n, "expired offers of event places lapsed and passed on"),
                Err(e) => tracing::warn!(error = %e, "sweeping expired offers failed"),
            }
        }
    });
    let app = urbis_web::app(state);
    let max_connections = args.max_connections.unwrap_or_else(urbis_web::server::default_max_connections);
    let listener = tokio::net::TcpListener::bind(args.bind).await.with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(
        address = %format!("http://{}", listener.local_addr()?),
        max_connections,
        database = store.backend().as_str(),
        ready_ms = started.elapsed().as_millis() as u64,
        "Urbis is ready"
    );
    let limits = urbis_web::server::Limits {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        idle_timeout: args.idle_timeout,
        max_connections,
    };
    urbis_web::server::serve(listener, app, limits, shutdown()).await?;
    store.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn user(url: &str, command: UserCommand) -> Result<()> {
    let UserCommand::Create { email, name, role, organisation, programme, password_stdin, listed } = command;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {}", e.message))?;
    let name = required_name("name", &name, 200).map_err(|e| anyhow::anyhow!("--name: {}", e.message))?;
    let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {}", e.message))?;
    if !password_stdin {
        bail!("--password-stdin is required: pipe the password in, e.g. `printf %s \"$PW\" | urbis user create …`");
    }
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    check_password(&password).map_err(|e| anyhow::anyhow!("password: {}", e.message))?;
    let store = open(url).await?;
    let scope = match role.scope_kind() {
        ScopeKind::Global => Scope::Global,
        ScopeKind::Programme => Scope::Programme(
            store
                .programme(&programme)
                .await
                .map_err(|_| anyhow::anyhow!("--programme: no programme {programme:?}"))?
                .id,
        ),
        ScopeKind::Organisation => {
            let slug =
                organisation.ok_or_else(|| anyhow::anyhow!("--organisation is required for {}", role.as_str()))?;
            Scope::Organisation(
                store
                    .organisation(&slug)
                    .await
                    .map_err(|_| anyhow::anyhow!("--organisation: no organisation {slug:?}"))?
                    .id,
            )
        }
    };
    let hash = urbis_app::auth::hash_password(password).await?;
    let person = store
        .create_person(
            None,
            NewPerson {
                email: email.as_str().into(),
                name,
                job_title: String::new(),
                password_hash: Some(hash),
                listed,
                locale: String::new(),
            },
            &[Grant { role, scope }],
        )
        .await?;
    println!("created {} ({}) as {}", person.email, person.id, role.as_str());
    Ok(())
}

/// `urbis person deactivate|reactivate EMAIL`: the operator acts on the store directly, as a system
/// actor (the audit entry has no person as its actor), at the person's current version.
async fn person(url: &str, command: PersonCommand) -> Result<()> {
    let (email, deactivate) = match &command {
        PersonCommand::Deactivate { email } => (email, true),
        PersonCommand::Reactivate { email } => (email, false),
    };
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("EMAIL: {}", e.message))?;
    let store = open(url).await?;
    let Some(person) = store.person_by_email(email.as_str()).await? else {
        bail!("no person with the e-mail address {}", email.as_str());
    };
    let done = if deactivate {
        store.deactivate_person(None, person.id, person.version).await
    } else {
        store.reactivate_person(None, person.id, person.version).await
    };
    match done {
        Ok(p) if deactivate => println!("deactivated {} ({}): every session and API token ended", p.email, p.id),
        Ok(p) => println!("reactivated {} ({}): they can sign in again", p.email, p.id),
        Err(urbis_store::StoreError::Refused { message, .. }) => bail!("{}: {message}", email.as_str()),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

async fn backup(url: &str, file: &std::path::Path) -> Result<()> {
    let store = open(url).await?;
    let archive = store.backup().await?;
    let tmp = file.with_extension("partial");
    {
        let f = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut w = std::io::BufWriter::new(f);
        serde_json::to_writer(&mut w, &archive)?;
        use std::io::Write;
        w.flush()?;
        w.get_ref().sync_all()?;
    }
    std::fs::rename(&tmp, file)?;
    let rows: usize = archive.tables.values().map(|t| t.rows.len()).sum();
    println!("backup written to {} ({rows} rows, schema version {})", file.display(), archive.schema_version);
    Ok(())
}

async fn restore(url: &str, file: &std::path::Path) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let archive: urbis_store::backup::Archive = serde_json::from_str(&text).context("not a valid Urbis backup")?;
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let n = store.restore(&archive).await?;
    store.load_reference().await?;
    println!("restored {n} rows from {} (taken {} on {})", file.display(), archive.created_at, archive.source_backend);
    Ok(())
}
