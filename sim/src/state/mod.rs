//! In-memory cluster state with a single raft-like index. Every write bumps
//! the index and stamps the tables it touched; blocking queries wait on a
//! watch channel until their table passes the index they hold.

mod allocs;
mod jobs;
mod nodes;

use crate::acl::AclState;
use crate::clock::Clock;
pub use jobs::StoredJob;
use nomad_model::*;
use parking_lot::RwLock;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Jobs,
    Allocs,
    Nodes,
    Evals,
    Deployments,
    Namespaces,
    Summaries,
    Acl,
    Vars,
    NodePools,
    Scaling,
}

/// One task's log files.
#[derive(Clone, Debug, Default)]
pub struct TaskLogs {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Bytes dropped from the front by truncation, per stream (for FileEvents).
    pub stdout_gen: u64,
    pub stderr_gen: u64,
    /// Lines in each buffer (the next line's number), kept so appending
    /// does not rescan a buffer that may hold a million lines.
    pub stdout_lines: u64,
    pub stderr_lines: u64,
}

#[derive(Default)]
pub struct Cluster {
    pub index: u64,
    pub table_index: HashMap<Table, u64>,
    pub jobs: BTreeMap<(String, String), StoredJob>,
    pub allocs: BTreeMap<String, Allocation>,
    pub nodes: BTreeMap<String, Node>,
    pub evals: BTreeMap<String, Evaluation>,
    pub deployments: BTreeMap<String, Deployment>,
    pub namespaces: BTreeMap<String, Namespace>,
    pub summaries: BTreeMap<(String, String), JobSummary>,
    pub logs: HashMap<(String, String), TaskLogs>,
    /// Secondary index: allocation IDs per (namespace, job).
    pub job_allocs: HashMap<(String, String), Vec<String>>,
    /// Secondary index: evaluation IDs per (namespace, job); without it
    /// the `huge` scenario's summaries took O(jobs × evaluations).
    pub job_evals: HashMap<(String, String), Vec<String>>,
    /// What the simulated clients look at each tick.
    pub awake: crate::sched::Awake,
    pub periodic: crate::sched::PeriodicJobs,
    pub region: String,
    /// Lines a task's log starts with when first read (`--log-backfill-lines`).
    pub log_backfill: Option<u64>,
    pub clock: Clock,
    pub acl: AclState,
    /// Variables by (namespace, path).
    pub vars: BTreeMap<(String, String), Value>,
    pub node_pools: BTreeMap<String, Value>,
    /// Job sources (`Submission`) by (namespace, job, version).
    pub submissions: HashMap<(String, String, u64), Value>,
    /// What writes removed since the event publisher last looked.
    pub removed: Vec<crate::events::Removed>,
}

impl Cluster {
    /// A copy for dry runs (plan), without the log buffers.
    pub fn dry_clone(&self) -> Cluster {
        Cluster {
            index: self.index,
            table_index: self.table_index.clone(),
            jobs: self.jobs.clone(),
            allocs: self.allocs.clone(),
            nodes: self.nodes.clone(),
            evals: self.evals.clone(),
            deployments: self.deployments.clone(),
            namespaces: self.namespaces.clone(),
            summaries: self.summaries.clone(),
            logs: HashMap::new(),
            job_allocs: self.job_allocs.clone(),
            job_evals: self.job_evals.clone(),
            awake: Default::default(),
            periodic: Default::default(),
            region: self.region.clone(),
            log_backfill: self.log_backfill,
            clock: self.clock.clone(),
            acl: self.acl.clone(),
            vars: BTreeMap::new(),
            node_pools: self.node_pools.clone(),
            submissions: HashMap::new(),
            removed: Vec::new(),
        }
    }

    /// Now, in Unix nanoseconds, on the simulator's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Every namespace name, for wildcard list requests.
    pub fn namespace_names(&self) -> Vec<String> {
        self.namespaces.keys().cloned().collect()
    }

    /// Bumps the index and stamps the given tables.
    pub fn bump(&mut self, tables: &[Table]) -> u64 {
        self.index += 1;
        for t in tables {
            self.table_index.insert(*t, self.index);
        }
        self.index
    }
    pub fn table(&self, t: Table) -> u64 {
        self.table_index.get(&t).copied().unwrap_or(1).max(1)
    }
    pub fn job(&self, ns: &str, id: &str) -> Option<&StoredJob> {
        self.jobs.get(&(ns.to_string(), id.to_string()))
    }
    pub fn allocs_of_job<'a>(
        &'a self,
        ns: &'a str,
        id: &'a str,
    ) -> impl Iterator<Item = &'a Allocation> + 'a {
        self.job_allocs
            .get(&(ns.to_string(), id.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|aid| self.allocs.get(aid))
    }
    pub fn insert_alloc(&mut self, a: Allocation) {
        self.job_allocs
            .entry((a.namespace.clone(), a.job_id.clone()))
            .or_default()
            .push(a.id.clone());
        self.allocs.insert(a.id.clone(), a);
    }
    pub fn insert_eval(&mut self, e: Evaluation) {
        let ids = self
            .job_evals
            .entry((e.namespace.clone(), e.job_id.clone()))
            .or_default();
        if !ids.contains(&e.id) {
            ids.push(e.id.clone());
        }
        self.evals.insert(e.id.clone(), e);
    }
    /// A job's evaluations, in the order they were created.
    pub fn evals_of_job<'a>(&'a self, ns: &str, id: &str) -> impl Iterator<Item = &'a Evaluation> {
        self.job_evals
            .get(&(ns.to_string(), id.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|e| self.evals.get(e))
    }
    pub fn remove_alloc(&mut self, id: &str) -> Option<Allocation> {
        let a = self.allocs.remove(id)?;
        if let Some(v) = self
            .job_allocs
            .get_mut(&(a.namespace.clone(), a.job_id.clone()))
        {
            v.retain(|x| x != id);
        }
        Some(a)
    }

    /// Recomputes the summary of one job from its allocations.
    pub fn recompute_summary(&mut self, ns: &str, id: &str) {
        let Some(job) = self.job(ns, id) else {
            self.summaries.remove(&(ns.to_string(), id.to_string()));
            return;
        };
        let typed = job.typed();
        let mut s = self
            .summaries
            .get(&(ns.to_string(), id.to_string()))
            .cloned()
            .unwrap_or_else(|| JobSummary {
                job_id: id.to_string(),
                namespace: ns.to_string(),
                create_index: typed.create_index,
                ..Default::default()
            });
        s.summary.clear();
        for tg in &typed.task_groups {
            s.summary
                .insert(tg.name.clone(), TaskGroupSummary::default());
        }
        for a in self.allocs_of_job(ns, id) {
            let e = s.summary.entry(a.task_group.clone()).or_default();
            match a.client_status.as_str() {
                "pending" => e.starting += 1,
                "running" => e.running += 1,
                "complete" => e.complete += 1,
                "failed" => e.failed += 1,
                "lost" => e.lost += 1,
                "unknown" => e.unknown += 1,
                _ => {}
            }
        }
        // queued: blocked placements recorded on the latest eval
        if let Some(ev) = self.evals_of_job(ns, id).max_by_key(|e| e.create_index) {
            for (g, q) in &ev.queued_allocations {
                s.summary.entry(g.clone()).or_default().queued = *q;
            }
        }
        if typed.is_periodic() || typed.is_parameterized() {
            let mut c = JobChildrenSummary::default();
            for j in self
                .jobs
                .values()
                .filter(|j| j.get_str("ParentID") == id && j.namespace() == ns)
            {
                match j.get_str("Status") {
                    "pending" => c.pending += 1,
                    "running" => c.running += 1,
                    _ => c.dead += 1,
                }
            }
            s.children = Some(c);
        } else {
            s.children = Some(JobChildrenSummary::default());
        }
        s.modify_index = self.index;
        self.summaries.insert((ns.to_string(), id.to_string()), s);
    }

    /// Job status as Nomad derives it: dead when stopped or everything is
    /// terminal, running when something runs, pending otherwise.
    pub fn derive_job_status(&self, ns: &str, id: &str) -> &'static str {
        let Some(job) = self.job(ns, id) else {
            return "dead";
        };
        let typed = job.typed();
        if typed.is_periodic() || typed.is_parameterized() {
            return if typed.stop { "dead" } else { "running" };
        }
        let allocs: Vec<_> = self.allocs_of_job(ns, id).collect();
        if allocs.iter().any(|a| {
            a.client_status == "running"
                || (a.client_status == "pending" && a.desired_status == "run")
        }) {
            return "running";
        }
        if typed.stop {
            return "dead";
        }
        if allocs.is_empty() {
            return "pending";
        }
        if matches!(typed.job_type.as_str(), "batch" | "sysbatch")
            && allocs.iter().all(|a| a.is_terminal())
        {
            return "dead";
        }
        "pending"
    }
}

/// Shared state handle.
#[derive(Clone)]
pub struct Store {
    pub inner: Arc<RwLock<Cluster>>,
    pub tx: Arc<watch::Sender<u64>>,
    /// The event stream's broker, fed after every write.
    pub events: Arc<crate::events::Broker>,
}

impl Store {
    pub fn new(c: Cluster) -> Self {
        let idx = c.index;
        let (tx, _) = watch::channel(idx);
        let events = Arc::new(crate::events::Broker::new(&c));
        Store {
            inner: Arc::new(RwLock::new(c)),
            tx: Arc::new(tx),
            events,
        }
    }

    pub fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        // Readers never queue behind a waiting writer (the simulation tick):
        // a small request is not held up while a large list is serialised,
        // as Nomad's MVCC state store would not hold it up either.
        let g = self.inner.read_recursive();
        f(&g)
    }

    /// [`Store::read`] on tokio's blocking pool, for reads that serialise a
    /// large list: they would otherwise stall a runtime worker (and the
    /// connections queued on it) for the whole of their run.
    pub async fn read_off<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Cluster) -> R + Send + 'static,
    ) -> R {
        let store = self.clone();
        match tokio::task::spawn_blocking(move || store.read(f)).await {
            Ok(r) => r,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// Runs a write and wakes blocking queries.
    pub fn write<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        let (r, idx) = {
            let mut g = self.inner.write();
            let r = f(&mut g);
            self.events.publish(&mut g);
            (r, g.index)
        };
        self.tx.send_replace(idx);
        r
    }

    /// Blocks until any of `tables` has an index above `min_index`, or
    /// `wait` passes. Returns the index to report.
    pub async fn block(&self, tables: &[Table], min_index: u64, wait: Duration) -> u64 {
        self.block_on(
            |c| tables.iter().map(|t| c.table(*t)).max().unwrap_or(1),
            min_index,
            wait,
        )
        .await
    }

    /// `blockingRPC`: re-runs `index_of` after every write until the index
    /// the answer will report passes `min_index`, or `wait` passes. A
    /// query must wait on the index it reports, or a client that sends it
    /// back would be answered at once, forever.
    pub async fn block_on(
        &self,
        index_of: impl Fn(&Cluster) -> u64,
        min_index: u64,
        wait: Duration,
    ) -> u64 {
        let current = |s: &Store| s.read(&index_of);
        let idx = current(self);
        if min_index == 0 || idx > min_index {
            return idx;
        }
        let mut rx = self.tx.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {
                    let idx = current(self);
                    if idx > min_index {
                        return idx;
                    }
                }
                _ => return current(self),
            }
        }
    }
}
