//! `agentgraph serve`'s options.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser};

use super::Pooler;

/// Options of `agentgraph serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "AGENTGRAPH_LISTEN", default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,

    /// Serve `/metrics` on this address instead of the main one.
    #[arg(long, env = "AGENTGRAPH_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// File of API keys, one `name:role:sha256-of-key[:tenant[:agent-id]]`
    /// per line; reread when it changes.
    #[arg(long, env = "AGENTGRAPH_API_KEYS_FILE")]
    pub api_keys_file: Option<PathBuf>,

    /// API keys as `name:role:sha256[:tenant[:agent-id]]` entries separated
    /// by commas (fixed for the life of the process).
    #[arg(long, env = "AGENTGRAPH_API_KEYS", hide_env_values = true)]
    pub api_keys: Option<String>,

    /// HS256 bearer tokens: a file holding the shared secret's bytes
    /// (surrounding whitespace trimmed; at least 32 bytes). Reread when it
    /// changes.
    #[arg(long, env = "AGENTGRAPH_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,

    /// RS256, ES256 and EdDSA bearer tokens: a JWKS document with the
    /// public keys (a token's `kid` names one). Reread when it changes.
    #[arg(long, env = "AGENTGRAPH_JWKS_FILE")]
    pub jwks_file: Option<PathBuf>,

    /// The `iss` every token must carry.
    #[arg(long, env = "AGENTGRAPH_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// The `aud` every token must carry (one of its values, if a list).
    #[arg(long, env = "AGENTGRAPH_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// Read `sub`, `role`, `tenant` and `agent_id` from this object claim
    /// instead of the top level.
    #[arg(long, env = "AGENTGRAPH_JWT_CLAIMS_NAMESPACE")]
    pub jwt_claims_namespace: Option<String>,

    /// Serve without credentials on a non-loopback address (not recommended).
    #[arg(long, env = "AGENTGRAPH_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,

    /// Turn schema introspection off (GraphiQL and codegen need it on).
    #[arg(long, env = "AGENTGRAPH_NO_INTROSPECTION")]
    pub no_introspection: bool,

    /// Serve the schema as an Apollo Federation v2 subgraph: `_service`,
    /// `_entities`, and `@key(fields: "id")` on Agent, Goal, Plan and Task.
    #[arg(long, env = "AGENTGRAPH_FEDERATION")]
    pub federation: bool,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "AGENTGRAPH_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,

    /// Highest complexity (fields selected, weighted by page sizes) a query may have.
    #[arg(long, env = "AGENTGRAPH_MAX_COMPLEXITY", default_value_t = 1_000_000)]
    pub max_complexity: usize,

    /// Most fields (aliases included) one document may select.
    #[arg(long, env = "AGENTGRAPH_MAX_FIELDS", default_value_t = 500)]
    pub max_fields: usize,

    /// Most top-level fields one operation may select.
    #[arg(long, env = "AGENTGRAPH_MAX_ROOT_FIELDS", default_value_t = 50)]
    pub max_root_fields: usize,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "AGENTGRAPH_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Most GraphQL operations executing at once; more wait their turn (within
    /// the request timeout). Bounds memory under any number of connections: a
    /// large nested read holds a few MiB while it runs, and on a few cores
    /// more operations at once add no throughput.
    #[arg(long, env = "AGENTGRAPH_MAX_CONCURRENT_OPERATIONS", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_operations: u32,

    /// Creates of one resource written at once, each group in a statement
    /// and a commit of its own (PostgreSQL; SQLite has one writer). Creates
    /// that arrive while every group is being written are written together
    /// in the next one. Fewer make larger groups, which PostgreSQL writes
    /// for less per row: with connections kept between statements, 1 wrote
    /// 10-15% more creates than 2 at a quarter less of PostgreSQL's CPU
    /// (issue 13). A second keeps creates moving while a group waits on a
    /// row lock of another transaction (a tree claiming the same key, a
    /// parent being deleted); those waits last as long as that transaction,
    /// milliseconds, so one is the default.
    #[arg(long, env = "AGENTGRAPH_WRITE_CONCURRENCY", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub write_concurrency: u32,

    /// Longest a request may run, in seconds.
    #[arg(long, env = "AGENTGRAPH_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// On SIGTERM/SIGINT, how long requests in flight get to finish, in seconds.
    #[arg(long, env = "AGENTGRAPH_DRAIN_TIMEOUT_SECS", default_value_t = 30)]
    pub drain_timeout_secs: u64,

    /// How long an idempotency key is remembered (`24h`, `90m`); older keys
    /// are forgotten in the background, and a create repeated after that
    /// makes a new object.
    #[arg(long, env = "AGENTGRAPH_IDEMPOTENCY_RETENTION", default_value = "24h", value_parser = humantime::parse_duration)]
    pub idempotency_retention: Duration,

    /// How long changes are kept for subscriptions that resume with `after`
    /// (`24h`, `30m`); older ones are pruned in the background, and a cursor
    /// older than this is refused.
    #[arg(long, env = "AGENTGRAPH_CHANGE_RETENTION", default_value = "24h", value_parser = humantime::parse_duration)]
    pub change_retention: Duration,

    /// How often expired task leases are requeued (or failed once their
    /// attempts are used up), on every instance (`1s`, `500ms`).
    #[arg(long, env = "AGENTGRAPH_LEASE_SWEEP_INTERVAL", default_value = "1s", value_parser = positive_duration)]
    pub lease_sweep_interval: Duration,

    /// A failed task's wait before its next attempt, doubled after each
    /// further failure (`1s`, `250ms`), with ±10 % jitter.
    #[arg(long, env = "AGENTGRAPH_RETRY_BACKOFF", default_value = "1s", value_parser = positive_duration)]
    pub retry_backoff: Duration,

    /// The longest wait between attempts of a failed task (`10m`).
    #[arg(long, env = "AGENTGRAPH_RETRY_BACKOFF_MAX", default_value = "10m", value_parser = positive_duration)]
    pub retry_backoff_max: Duration,

    /// Most operations (subscriptions, queries, mutations) running at once on
    /// one WebSocket.
    #[arg(long, env = "AGENTGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_subscriptions_per_connection: u32,

    /// How long a new WebSocket may take to send `connection_init` before it
    /// is closed (4408).
    #[arg(long, env = "AGENTGRAPH_CONNECTION_INIT_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub connection_init_timeout: Duration,

    /// Trusted documents: a JSON object from SHA-256 hash to document text
    /// (graphql-codegen's persisted-documents manifest, made with
    /// `hashAlgorithm: 'sha256'`). Requests may then send only the hash.
    #[arg(long, env = "AGENTGRAPH_PERSISTED_DOCUMENTS")]
    pub persisted_documents: Option<PathBuf>,

    /// Run only the documents of `--persisted-documents`: any other text is
    /// FORBIDDEN and clients cannot register documents.
    #[arg(
        long,
        env = "AGENTGRAPH_ONLY_PERSISTED_DOCUMENTS",
        requires = "persisted_documents"
    )]
    pub only_persisted_documents: bool,

    /// Most documents clients may register by sending hash and text
    /// together (automatic persisted queries), least recently used
    /// forgotten first; 0 turns registration off.
    #[arg(
        long,
        env = "AGENTGRAPH_MAX_REGISTERED_DOCUMENTS",
        default_value_t = 10_000
    )]
    pub max_registered_documents: usize,

    /// SQLite's page cache per connection, in KiB (1 writer and 4 readers
    /// each keep one, filled as the database is read). More saves reads
    /// of a database larger than the OS keeps in its own file cache.
    #[arg(long, env = "AGENTGRAPH_SQLITE_CACHE_KIB", default_value_t = crate::db::DEFAULT_SQLITE_CACHE_KIB)]
    pub sqlite_cache_kib: u32,

    /// Prepared statements kept per database connection (both backends),
    /// least recently used dropped first; one not kept is prepared again
    /// each time it runs.
    #[arg(long, env = "AGENTGRAPH_STATEMENT_CACHE", default_value_t = crate::db::DEFAULT_STATEMENT_CACHE)]
    pub statement_cache: usize,

    /// How long a statement waits for a database connection before it
    /// fails with SERVICE_UNAVAILABLE (`5s`); 30 s on SQLite and 10 s on
    /// PostgreSQL by default. The log then names what holds them.
    #[arg(long, env = "AGENTGRAPH_DATABASE_ACQUIRE_TIMEOUT", value_parser = humantime::parse_duration)]
    pub database_acquire_timeout: Option<Duration>,

    /// What sits between the server and PostgreSQL: `none`, or
    /// `transaction` for a transaction-mode pooler (PgBouncer) at
    /// `--database-url`. It turns off what cannot cross one: named
    /// prepared statements (each statement is prepared unnamed, inside a
    /// transaction of its own), startup parameters, session settings.
    /// Needs `--listen-database-url`.
    #[arg(long, env = "AGENTGRAPH_POOLER", value_enum, default_value_t = Pooler::None)]
    pub pooler: Pooler,

    /// PostgreSQL reached directly (not through a pooler), for what is
    /// bound to a session: LISTEN for other instances' changes, and the
    /// migrations under their advisory lock. `--database-url` by default.
    #[arg(long, env = "AGENTGRAPH_LISTEN_DATABASE_URL")]
    pub listen_database_url: Option<String>,

    /// A PostgreSQL streaming replica queries may read from; repeat the
    /// flag for more (the variable takes them comma-separated). Mutations,
    /// subscriptions, history and the work queue stay on the primary.
    #[arg(
        long = "replica-url",
        env = "AGENTGRAPH_REPLICA_URLS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub replica_urls: Vec<String>,

    /// How far behind the primary a replica may be and still serve a read
    /// that carries no consistency token (`1s`, `250ms`).
    #[arg(long, env = "AGENTGRAPH_REPLICA_MAX_LAG", default_value = "1s", value_parser = positive_duration)]
    pub replica_max_lag: Duration,

    /// Export traces over OTLP/HTTP (protobuf) to this collector, e.g.
    /// `http://127.0.0.1:4318` (`/v1/traces` is appended); off when unset.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// The `service.name` of exported traces.
    #[arg(long, env = "OTEL_SERVICE_NAME", default_value = "agentgraph")]
    pub otel_service_name: String,

    /// Origins allowed to call the API from a browser (CORS), comma-separated; none by default.
    #[arg(long, env = "AGENTGRAPH_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
}

/// A duration above zero (a sweep every 0 s would never rest; a retry at
/// once leaves no time to answer a repeated `failTask`).
fn positive_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        Ok(_) => Err("must be above zero".to_owned()),
        Err(err) => Err(err.to_string()),
    }
}

impl ServeArgs {
    /// The defaults, listening on `listen`.
    pub fn with_listen(listen: SocketAddr) -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            args: ServeArgs,
        }
        let mut args = Defaults::parse_from(["agentgraph"]).args;
        args.listen = listen;
        args
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn drain_timeout(&self) -> Duration {
        Duration::from_secs(self.drain_timeout_secs)
    }

    /// What the server takes as credentials.
    pub fn auth_options(&self) -> crate::auth::AuthOptions<'_> {
        crate::auth::AuthOptions {
            api_keys_file: self.api_keys_file.as_deref(),
            api_keys: self.api_keys.as_deref(),
            jwt: crate::auth::jwt::JwtOptions {
                secret_file: self.jwt_secret_file.as_deref(),
                jwks_file: self.jwks_file.as_deref(),
                issuer: self.jwt_issuer.as_deref(),
                audience: self.jwt_audience.as_deref(),
                namespace: self.jwt_claims_namespace.as_deref(),
            },
        }
    }

    pub fn pool_settings(&self) -> crate::db::PoolSettings {
        crate::db::PoolSettings {
            sqlite_cache_kib: self.sqlite_cache_kib,
            statement_cache: self.statement_cache,
            acquire_timeout: self.database_acquire_timeout,
            pooler: self.pooler,
        }
    }
}
