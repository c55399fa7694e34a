//! Every API path Yurt requests, for watches, streams and one-shot calls
//! alike. IDs and path segments are percent-encoded here and nowhere else:
//! job IDs of dispatched and periodic children contain `/`.

use crate::interop::encode_uri_component as enc;

/// A query string's pairs.
pub type Query = Vec<(&'static str, String)>;

/// `?namespace=…`.
pub fn ns(namespace: &str) -> Query {
    vec![("namespace", namespace.to_string())]
}

pub const JOBS: &str = "/v1/jobs";
pub const JOBS_PARSE: &str = "/v1/jobs/parse";
pub const ALLOCATIONS: &str = "/v1/allocations";
pub const NODES: &str = "/v1/nodes";
pub const REGIONS: &str = "/v1/regions";
pub const NAMESPACES: &str = "/v1/namespaces";
pub const TOKEN_SELF: &str = "/v1/acl/token/self";
pub const CLIENT_STATS: &str = "/v1/client/stats";
pub const CLIENT_GC: &str = "/v1/client/gc";
pub const EVENT_STREAM: &str = "/v1/event/stream";
pub const EVALUATIONS: &str = "/v1/evaluations";
pub const AGENT_MEMBERS: &str = "/v1/agent/members";
pub const AGENT_MONITOR: &str = "/v1/agent/monitor";
pub const DEPLOYMENTS: &str = "/v1/deployments";
pub const NODE_POOLS: &str = "/v1/node/pools";
pub const SERVICES: &str = "/v1/services";
pub const SEARCH: &str = "/v1/search";
pub const SEARCH_FUZZY: &str = "/v1/search/fuzzy";
pub const STATUS_LEADER: &str = "/v1/status/leader";
pub const RAFT_CONFIGURATION: &str = "/v1/operator/raft/configuration";

/// A job endpoint: `rest` is `""`, `"/versions"`, `"/allocations"`, ...
pub fn job(id: &str, rest: &str) -> String {
    format!("/v1/job/{}{rest}", enc(id))
}

/// A version's tag: `PUT` names the version, `DELETE` removes the name.
pub fn job_version_tag(id: &str, name: &str) -> String {
    format!("/v1/job/{}/versions/{}/tag", enc(id), enc(name))
}

pub fn allocation(id: &str) -> String {
    format!("/v1/allocation/{}", enc(id))
}

/// An evaluation endpoint: `rest` is `""` or `"/allocations"`.
pub fn evaluation(id: &str, rest: &str) -> String {
    format!("/v1/evaluation/{}{rest}", enc(id))
}

/// A node pool endpoint: `rest` is `""`, `"/nodes"` or `"/jobs"`.
pub fn node_pool(name: &str, rest: &str) -> String {
    format!("/v1/node/pool/{}{rest}", enc(name))
}

pub fn service(name: &str) -> String {
    format!("/v1/service/{}", enc(name))
}

/// An exec session's websocket: `command` is the argv as JSON, the token
/// travels in the first frame (`ws_handshake`).
pub fn alloc_exec(id: &str, task: &str, command: &[String], tty: bool) -> (String, Query) {
    let argv = serde_json::to_string(command).unwrap_or_else(|_| "[]".into());
    (
        format!("/v1/client/allocation/{}/exec", enc(id)),
        vec![
            ("task", task.to_string()),
            ("tty", tty.to_string()),
            ("ws_handshake", "true".into()),
            ("command", argv),
        ],
    )
}

/// An allocation's check results (Nomad services, 1.4+).
pub fn alloc_checks(id: &str) -> String {
    format!("/v1/allocation/{}/checks", enc(id))
}

pub fn node(id: &str, rest: &str) -> String {
    format!("/v1/node/{}{rest}", enc(id))
}

/// `promote` or `fail`.
pub fn deployment_action(action: &str, id: &str) -> String {
    format!("/v1/deployment/{action}/{}", enc(id))
}

/// A client endpoint of an allocation: `stats`, `gc`, ...
pub fn client_allocation(id: &str, rest: &str) -> String {
    format!("/v1/client/allocation/{}/{rest}", enc(id))
}

/// An allocation file-system endpoint: `ls`, `stat`, `cat`, `readat`,
/// `stream` or `logs`.
pub fn fs(op: &str, alloc: &str) -> String {
    format!("/v1/client/fs/{op}/{}", enc(alloc))
}

/// Path of `fs/logs` for an allocation.
pub fn logs_path(alloc: &str) -> String {
    fs("logs", alloc)
}

/// Path of `fs/stream` for an allocation.
pub fn fs_stream_path(alloc: &str) -> String {
    fs("stream", alloc)
}

/// Path of an allocation's resource usage (polled by the stats charts).
pub fn alloc_stats_path(alloc: &str) -> String {
    client_allocation(alloc, "stats")
}

/// Query of `fs/logs` for one task's stream.
pub fn logs_query(task: &str, stdout: bool, follow: bool, origin_end: bool, offset: u64) -> Query {
    vec![
        ("task", task.to_string()),
        ("type", if stdout { "stdout" } else { "stderr" }.to_string()),
        ("follow", follow.to_string()),
        (
            "origin",
            if origin_end { "end" } else { "start" }.to_string(),
        ),
        ("offset", offset.to_string()),
    ]
}

/// A watched path read back, for the event subscription it needs.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// A job's ID and the rest (`""`, `"/summary"`, ...).
    Job(String, String),
    Allocation(String),
    /// A node's ID and the rest (`""`, `"/allocations"`).
    Node(String, String),
}

/// Reads back a path [`job`], [`allocation`] or [`node`] built: the ID
/// segment is encoded, so the first `/` after it starts the rest.
pub fn parse(path: &str) -> Option<Parsed> {
    let split = |tail: &str| -> Option<(String, String)> {
        let (id, rest) = match tail.find('/') {
            Some(i) => (&tail[..i], &tail[i..]),
            None => (tail, ""),
        };
        let id = crate::interop::decode_uri_component(id)?;
        (!id.is_empty()).then(|| (id, rest.to_string()))
    };
    if let Some(t) = path.strip_prefix("/v1/job/") {
        let (id, rest) = split(t)?;
        return Some(Parsed::Job(id, rest));
    }
    if let Some(t) = path.strip_prefix("/v1/allocation/") {
        let (id, rest) = split(t)?;
        return rest.is_empty().then_some(Parsed::Allocation(id));
    }
    if let Some(t) = path.strip_prefix("/v1/node/") {
        let (id, rest) = split(t)?;
        return Some(Parsed::Node(id, rest));
    }
    None
}
