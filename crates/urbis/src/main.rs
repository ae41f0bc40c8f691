//! The `urbis` command: serve the platform and operate it (migrations, accounts, backups).

mod demo;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use urbis_domain::network::{Email, check_password, required_name};
use urbis_domain::policy::{Grant, Role, Scope, ScopeKind};
use urbis_store::Store;
use urbis_store::network::NewPerson;

#[derive(Parser)]
#[command(name = "urbis", version, about = "Urbis: run city digital-innovation programmes")]
struct Cli {
    /// Database URL: sqlite://FILE (created on first start) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "URBIS_DATABASE_URL", default_value = "sqlite://urbis.db")]
    database_url: String,
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
    /// Write a consistent, portable backup of the whole database to FILE (safe while serving).
    Backup { file: PathBuf },
    /// Restore a backup FILE into an empty database (SQLite or PostgreSQL).
    Restore { file: PathBuf },
    /// Sample data for trying Urbis out and for load tests.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
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
        Command::Serve(args) => serve(&cli.database_url, args).await,
        Command::Migrate => {
            let store = open(&cli.database_url).await?;
            println!("database at schema version {}", store.current_schema_version().await?);
            Ok(())
        }
        Command::User { command } => user(&cli.database_url, command).await,
        Command::Backup { file } => backup(&cli.database_url, &file).await,
        Command::Restore { file } => restore(&cli.database_url, &file).await,
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

async fn serve(url: &str, args: ServeArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let store = open(url).await?;
    if args.demo {
        demo::load(&store).await?;
    }
    let config = urbis_web::Config {
        behind_tls: args.behind_tls,
        base_url: args.base_url.unwrap_or_else(|| format!("http://{}", args.bind)),
        trusted_proxies: args.trusted_proxies,
    };
    let state = urbis_web::AppState::new(store.clone(), config).await?;
    let app = urbis_web::app(state);
    let listener = tokio::net::TcpListener::bind(args.bind).await.with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(
        address = %format!("http://{}", listener.local_addr()?),
        database = store.backend().as_str(),
        ready_ms = started.elapsed().as_millis() as u64,
        "Urbis is ready"
    );
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
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
