//! `nomad-sim`: a simulated Nomad agent. It serves Nomad's `/v1/` HTTP API
//! over a seeded, living cluster, serves the Yurt bundle at `/ui/`, and can
//! instead proxy `/v1/` to a real agent.

pub mod acl;
pub mod agent_log;
pub mod api;
pub mod canon;
pub mod clock;
pub mod error;
pub mod events;
pub mod filter;
pub mod jobspec;
pub mod logs;
pub mod proxy;
pub mod scenario;
pub mod sched;
pub mod shell;
pub mod state;
pub mod ui;
pub mod validate;

pub use acl::{MANAGEMENT_SECRET, READONLY_SECRET};
use clap::Parser;
use clock::Clock;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use state::{Cluster, Store};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "nomad-sim",
    about = "A simulated Nomad agent with a seeded, living cluster (the Yurt demo and test backend)"
)]
pub struct Opts {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4646")]
    pub listen: String,
    /// Which cluster to simulate.
    #[arg(long, value_enum, default_value = "demo")]
    pub scenario: scenario::Scenario,
    /// Seed of the scenario (the same seed gives the same cluster).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Serve this directory (the built Yurt bundle) at /ui/.
    #[arg(long)]
    pub ui: Option<PathBuf>,
    /// Forward /v1/ to this real Nomad agent instead of simulating one.
    #[arg(long)]
    pub proxy: Option<String>,
    /// Accept invalid TLS certificates from the --proxy agent.
    #[arg(long)]
    pub proxy_insecure: bool,
    /// Enforce ACLs: anonymous requests are denied; the management and
    /// read-only token secrets are printed at start-up.
    #[arg(long)]
    pub acl: bool,
    /// Enforce ACLs with nothing bootstrapped yet: `POST /v1/acl/bootstrap`
    /// creates the first management token, once.
    #[arg(long)]
    pub acl_fresh: bool,
    /// Answer as an agent of this version where versions differ: before
    /// 1.11, `token/self` with ACLs off is 400 `ACL support disabled`; the
    /// version shows in `agent/self` and `agent/members`.
    #[arg(long, default_value = crate::api::operator::VERSION)]
    pub agent_version: String,
    /// Answer /v1/namespaces with 501 "Nomad Enterprise only endpoint", like OSS agents before 1.0.
    #[arg(long)]
    pub no_namespaces: bool,
    /// Fault: add this many milliseconds of latency to every /v1/ request.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fault: answer this fraction (0.0–1.0) of /v1/ requests with a 500 error.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Fault: cut every fs/logs, fs/stream and event stream response after
    /// this many bytes (an event stream after the batch that passes it, and
    /// never before its second batch).
    #[arg(long)]
    pub drop_stream_after: Option<u64>,
    /// Fault: truncate a task's log file once it grows past this many bytes
    /// (streams then carry a `file truncated` event).
    #[arg(long)]
    pub truncate_logs_at: Option<usize>,
    /// Start every task's stdout with this many lines when it is first read
    /// (for the log viewer benchmark; such logs are never truncated).
    #[arg(long)]
    pub log_backfill_lines: Option<u64>,
    /// Milliseconds between simulation ticks.
    #[arg(long, default_value_t = 1000)]
    pub tick_ms: u64,
    /// Milliseconds between the `{}` heartbeat lines of `/v1/event/stream`
    /// (Nomad sends one at the start and then every 30 s).
    #[arg(long, default_value_t = 30000)]
    pub event_heartbeat_ms: u64,
    /// Raft indexes (event batches) the event stream keeps for `index`
    /// resumption, as the server's `event_buffer_size`; an older index
    /// starts at the oldest batch held.
    #[arg(long, default_value_t = crate::events::DEFAULT_BUFFER_SIZE)]
    pub event_buffer_size: usize,
}

/// Shared server state.
#[derive(Clone)]
pub struct Sim {
    pub store: Store,
    pub clock: Clock,
    pub rng: Arc<Mutex<ChaCha8Rng>>,
    pub opts: Arc<Opts>,
    /// The `http: request complete` lines of the agent's log, for the
    /// monitors listening (none kept when nobody is).
    pub http_log: tokio::sync::broadcast::Sender<Arc<agent_log::Line>>,
}

impl Sim {
    pub fn new(opts: Opts) -> Self {
        Self::with_clock(opts, Clock::real())
    }

    /// A simulator on a given clock (tests freeze and move time).
    pub fn with_clock(opts: Opts, clock: Clock) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut cluster = scenario::build(opts.scenario, &mut rng, clock.clone());
        cluster.log_backfill = opts.log_backfill_lines;
        if opts.acl_fresh {
            cluster.acl = acl::AclState::fresh();
        } else if opts.acl {
            cluster.acl = acl::AclState::seeded("2026-01-15T09:30:00Z");
        }
        let store = Store::new(cluster);
        store.events.set_max(opts.event_buffer_size);
        Sim {
            store,
            clock,
            rng: Arc::new(Mutex::new(rng)),
            opts: Arc::new(opts),
            http_log: tokio::sync::broadcast::channel(256).0,
        }
    }

    /// A write that also needs the simulation's random source.
    pub fn with_rng<T>(&self, f: impl FnOnce(&mut Cluster, &mut ChaCha8Rng) -> T) -> T {
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        self.store.write(|c| f(c, &mut rng))
    }

    pub fn opts_regions(&self) -> Vec<String> {
        vec!["global".into()]
    }

    /// Runs the cluster forward forever.
    pub async fn run_ticks(self) {
        let mut iv = tokio::time::interval(Duration::from_millis(self.opts.tick_ms.max(10)));
        let mut periodic_next = std::collections::HashMap::new();
        loop {
            iv.tick().await;
            self.tick(&mut periodic_next);
        }
    }

    /// One step of the simulation (tasks start, finish and log; drains and
    /// periodic launches progress). Tests call it to move the cluster.
    pub fn tick(&self, periodic_next: &mut std::collections::HashMap<(String, String), i64>) {
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        let changed = {
            let mut c = self.store.inner.write();
            let limit = match (self.opts.truncate_logs_at, self.opts.log_backfill_lines) {
                (Some(n), _) => n,
                (None, Some(_)) => usize::MAX,
                (None, None) => logs::MAX_LOG_BYTES,
            };
            logs::tick_logs(&mut c, &mut rng, limit);
            let a = sched::tick_cluster(&mut c, &mut rng, periodic_next);
            let changed = sched::tick(&mut c, &mut rng) || a;
            self.store.events.publish(&mut c);
            changed
        };
        if changed {
            let idx = self.store.read(|c| c.index);
            self.store.tx.send_replace(idx);
        }
    }
}

/// Builds the whole HTTP app.
pub fn app(sim: Sim) -> axum::Router {
    let api = if let Some(target) = sim.opts.proxy.clone() {
        proxy::routes(target, sim.opts.proxy_insecure)
    } else {
        api::routes()
            .fallback(api::not_found)
            .with_state(sim.clone())
            .layer(axum::middleware::from_fn_with_state(sim.clone(), faults))
            .layer(axum::middleware::from_fn_with_state(
                sim.clone(),
                request_log,
            ))
    };
    api.merge(ui::routes(sim.opts.ui.clone()))
        .layer(axum::middleware::from_fn(cors))
}

/// CORS as an agent configured with `http_api_response_headers` answers, so
/// a UI served from another origin (the browser tests) can call the API.
async fn cors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, Method, StatusCode};
    use axum::response::IntoResponse;
    let preflight = req.method() == Method::OPTIONS;
    let mut resp = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("x-nomad-token, content-type"),
    );
    h.insert(
        "access-control-expose-headers",
        HeaderValue::from_static(
            "x-nomad-index, x-nomad-knownleader, x-nomad-lastcontact, x-nomad-nexttoken",
        ),
    );
    resp
}

async fn faults(
    axum::extract::State(sim): axum::extract::State<Sim>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if sim.opts.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(sim.opts.latency_ms)).await;
    }
    if sim.opts.error_rate > 0.0 {
        let fail = sim
            .rng
            .lock()
            .map(|mut r| r.gen_bool(sim.opts.error_rate.clamp(0.0, 1.0)))
            .unwrap_or(false);
        if fail {
            return error::ApiError::internal("rpc error: simulated fault (--error-rate)")
                .into_response();
        }
    }
    next.run(req).await
}

/// `http: request complete`, as the agent logs every request at DEBUG, for
/// the monitors listening (no work while none does).
async fn request_log(
    axum::extract::State(sim): axum::extract::State<Sim>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let logged = (sim.http_log.receiver_count() > 0).then(|| {
        let pq = req.uri().path_and_query().map(|p| p.as_str().to_string());
        (
            req.method().to_string(),
            pq.unwrap_or_default(),
            std::time::Instant::now(),
        )
    });
    let resp = next.run(req).await;
    if let Some((method, path, t0)) = logged {
        let took = format!("{:.3}ms", t0.elapsed().as_secs_f64() * 1000.0);
        let line = agent_log::Line::new(
            sim.clock.now(),
            agent_log::Level::Debug,
            "http",
            "request complete",
        )
        .kv("method", method)
        .kv("path", path)
        .kv("duration", took);
        let _ = sim.http_log.send(Arc::new(line));
    }
    resp
}

/// Binds, prints the address, and serves until the process ends.
pub async fn serve(opts: Opts) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(&opts.listen).await?;
    let addr = listener.local_addr()?;
    let sim = Sim::new(opts.clone());
    if opts.proxy.is_none() {
        tokio::spawn(sim.clone().run_ticks());
    }
    // A closed stdout (a test that read the banner and left) must not kill the agent.
    let say = |s: String| {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{s}");
        let _ = out.flush();
    };
    say(format!("nomad-sim listening on http://{addr}"));
    if let Some(p) = &opts.proxy {
        say(format!("  proxying /v1/ to {p}"));
    } else {
        say(format!(
            "  scenario {:?}, seed {}",
            opts.scenario, opts.seed
        ));
    }
    if opts.ui.is_some() {
        say(format!("  Yurt UI at http://{addr}/ui/"));
    }
    if opts.acl_fresh {
        say("  ACLs on, not bootstrapped: POST /v1/acl/bootstrap".to_string());
    } else if opts.acl {
        say(format!("  ACLs on. management token: {MANAGEMENT_SECRET}"));
        say(format!("           read-only token:  {READONLY_SECRET}"));
    }
    axum::serve(listener, app(sim)).await
}
