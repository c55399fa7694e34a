//! The simulated agent's own log, as `/v1/agent/monitor` streams it: lines
//! in hclog's format (`2026-06-01T00:00:00.000Z [INFO]  module: message:
//! key=value`), or its JSON, made from what happens in the cluster (the
//! event broker's events) and from the HTTP requests the agent answers.
//! A server's log has the scheduler workers, heartbeats and requests; a
//! client's (`node_id`) has its allocations' task events.

use nomad_model::{format::rfc3339_utc, UnixNanos};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Off,
}

impl Level {
    /// `hclog.LevelFromString`: case-insensitive; `None` is `NoLevel`.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "trace" => Level::Trace,
            "debug" => Level::Debug,
            "info" => Level::Info,
            "warn" => Level::Warn,
            "error" => Level::Error,
            "off" => Level::Off,
            _ => return None,
        })
    }

    fn tag(self) -> &'static str {
        match self {
            Level::Trace => "[TRACE]",
            Level::Debug => "[DEBUG]",
            Level::Info => "[INFO] ",
            Level::Warn => "[WARN] ",
            Level::Error => "[ERROR]",
            Level::Off => "[OFF]  ",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }
}

/// One log line before formatting.
#[derive(Clone, Debug)]
pub struct Line {
    pub at: i64,
    pub level: Level,
    pub module: &'static str,
    pub msg: String,
    pub kv: Vec<(&'static str, String)>,
}

impl Line {
    pub fn new(at: i64, level: Level, module: &'static str, msg: impl Into<String>) -> Line {
        Line {
            at,
            level,
            module,
            msg: msg.into(),
            kv: vec![],
        }
    }

    pub fn kv(mut self, k: &'static str, v: impl Into<String>) -> Line {
        self.kv.push((k, v.into()));
        self
    }

    /// hclog's text format, or its JSON (`log_json`), with a newline.
    pub fn render(&self, json: bool) -> String {
        let ts = rfc3339_millis(self.at);
        if json {
            let mut m = serde_json::Map::new();
            m.insert("@level".into(), self.level.word().into());
            m.insert("@message".into(), self.msg.clone().into());
            m.insert("@module".into(), self.module.into());
            m.insert("@timestamp".into(), ts.into());
            for (k, v) in &self.kv {
                m.insert((*k).into(), v.clone().into());
            }
            return format!("{}\n", Value::Object(m));
        }
        let mut s = format!("{ts} {} {}: {}", self.level.tag(), self.module, self.msg);
        if !self.kv.is_empty() {
            s.push(':');
            for (k, v) in &self.kv {
                s.push(' ');
                s.push_str(k);
                s.push('=');
                s.push_str(&quote(v));
            }
        }
        s.push('\n');
        s
    }
}

/// hclog quotes a value holding spaces, quotes or unprintable characters,
/// and an empty one (`needsQuoting`).
fn quote(v: &str) -> String {
    if v.is_empty()
        || v.chars()
            .any(|c| c.is_whitespace() || c == '"' || c.is_control())
    {
        format!("{v:?}")
    } else {
        v.to_string()
    }
}

fn rfc3339_millis(nanos: i64) -> String {
    // `rfc3339_utc` gives seconds (or more); hclog writes milliseconds.
    let secs = rfc3339_utc(UnixNanos(nanos - nanos.rem_euclid(1_000_000_000)));
    let ms = nanos.rem_euclid(1_000_000_000) / 1_000_000;
    match secs.strip_suffix('Z') {
        Some(base) => format!("{}.{ms:03}Z", base.split('.').next().unwrap_or(base)),
        None => secs,
    }
}

/// Whose log a monitor reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Server,
    Client(String),
}

/// What one monitor session remembers: when it started and the last task
/// event it wrote per (allocation, task), so each event is written once.
pub struct Session {
    pub target: Target,
    started: i64,
    worker: String,
    seen: HashMap<(String, String), i64>,
}

impl Session {
    pub fn new(target: Target, now: i64, worker: String) -> Session {
        Session {
            target,
            started: now,
            worker,
            seen: HashMap::new(),
        }
    }

    /// The lines one broker event causes in this agent's log.
    pub fn lines(&mut self, event: &[u8], now: i64) -> Vec<Line> {
        let Ok(v) = serde_json::from_slice::<Value>(event) else {
            return vec![];
        };
        let s = |v: &Value, k: &str| v[k].as_str().unwrap_or("").to_string();
        match (&self.target, v["Topic"].as_str().unwrap_or("")) {
            (Target::Server, "Evaluation") => self.eval_lines(&v["Payload"]["Evaluation"], now),
            (Target::Server, "Node")
                if v["Type"] == "NodeEvent" || v["Type"] == "NodeRegistration" =>
            {
                let n = &v["Payload"]["Node"];
                match n["Status"].as_str() {
                    Some("down") => {
                        vec![
                            Line::new(now, Level::Warn, "nomad.heartbeat", "node TTL expired")
                                .kv("node_id", s(n, "ID")),
                        ]
                    }
                    Some(st) => {
                        vec![
                            Line::new(now, Level::Debug, "nomad.client", "node status updated")
                                .kv("node_id", s(n, "ID"))
                                .kv("status", st),
                        ]
                    }
                    None => vec![],
                }
            }
            (Target::Client(node), "Allocation") => {
                let a = &v["Payload"]["Allocation"];
                if a["NodeID"].as_str() != Some(node.as_str()) {
                    return vec![];
                }
                self.task_lines(a, now)
            }
            _ => vec![],
        }
    }

    fn eval_lines(&self, e: &Value, now: i64) -> Vec<Line> {
        let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
        let with = |l: Line| {
            l.kv("worker_id", self.worker.clone())
                .kv("eval_id", s("ID"))
                .kv("type", s("Type"))
                .kv("namespace", s("Namespace"))
                .kv("job_id", s("JobID"))
                .kv("node_id", s("NodeID"))
                .kv("triggered_by", s("TriggeredBy"))
        };
        match e["Status"].as_str() {
            Some("pending") => vec![with(Line::new(
                now,
                Level::Debug,
                "worker",
                "dequeued evaluation",
            ))],
            Some("complete") => vec![
                Line::new(
                    now,
                    Level::Debug,
                    "worker.service_sched",
                    "reconciled current state with desired state",
                )
                .kv("eval_id", s("ID"))
                .kv("job_id", s("JobID"))
                .kv("namespace", s("Namespace")),
                with(Line::new(now, Level::Debug, "worker", "ack evaluation")),
            ],
            Some("blocked") => vec![
                Line::new(now, Level::Debug, "worker", "created blocked eval")
                    .kv("eval_id", s("ID"))
                    .kv("job_id", s("JobID")),
            ],
            Some("failed") => vec![with(Line::new(
                now,
                Level::Error,
                "worker",
                "failed to process evaluation",
            ))],
            _ => vec![],
        }
    }

    fn task_lines(&mut self, a: &Value, now: i64) -> Vec<Line> {
        let id = a["ID"].as_str().unwrap_or("").to_string();
        let mut out = vec![];
        let Some(states) = a["TaskStates"].as_object() else {
            return out;
        };
        for (task, st) in states {
            let key = (id.clone(), task.clone());
            let last = *self.seen.get(&key).unwrap_or(&self.started);
            let mut newest = last;
            for ev in st["Events"].as_array().into_iter().flatten() {
                let t = ev["Time"].as_i64().unwrap_or(0);
                if t <= last {
                    continue;
                }
                newest = newest.max(t);
                let fails = ev["FailsTask"].as_bool().unwrap_or(false);
                let exit = ev["ExitCode"].as_i64().unwrap_or(0);
                let level = if fails {
                    Level::Error
                } else if exit != 0 {
                    Level::Warn
                } else {
                    Level::Info
                };
                let msg = ev["DisplayMessage"].as_str().unwrap_or("").to_string();
                out.push(
                    Line::new(
                        t.clamp(self.started, now.max(self.started)),
                        level,
                        "client.alloc_runner.task_runner",
                        "Task event",
                    )
                    .kv("alloc_id", id.clone())
                    .kv("task", task.clone())
                    .kv("type", ev["Type"].as_str().unwrap_or("").to_string())
                    .kv("msg", msg)
                    .kv("failed", fails.to_string()),
                );
            }
            self.seen.insert(key, newest);
        }
        if a["ClientStatus"]
            .as_str()
            .is_some_and(|s| matches!(s, "complete" | "failed" | "lost"))
            && !out.is_empty()
        {
            out.push(
                Line::new(now, Level::Info, "client.gc", "marking allocation for GC")
                    .kv("alloc_id", id),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_780_272_000_123_000_000;

    #[test]
    fn lines_read_as_hclog_writes_them() {
        let l = Line::new(
            T,
            Level::Info,
            "client.alloc_runner.task_runner",
            "Task event",
        )
        .kv("task", "web")
        .kv("msg", "Task started by client")
        .kv("node_id", "");
        assert_eq!(
            l.render(false),
            "2026-06-01T00:00:00.123Z [INFO]  client.alloc_runner.task_runner: Task event: task=web msg=\"Task started by client\" node_id=\"\"\n"
        );
        let j: Value = serde_json::from_str(&l.render(true)).unwrap();
        assert_eq!(j["@level"], "info");
        assert_eq!(j["@module"], "client.alloc_runner.task_runner");
        assert_eq!(j["task"], "web");
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("loud"), None);
    }

    #[test]
    fn a_client_writes_each_task_event_of_its_allocations_once() {
        let mut s = Session::new(Target::Client("n1".into()), T, "w".into());
        let ev = |node: &str, events: &str| {
            format!(
                r#"{{"Topic":"Allocation","Payload":{{"Allocation":{{"ID":"a1","NodeID":"{node}","ClientStatus":"running","TaskStates":{{"web":{{"Events":[{events}]}}}}}}}}}}"#
            )
        };
        let old = format!(r#"{{"Type":"Received","Time":{}}}"#, T - 10);
        let started = format!(
            r#"{{"Type":"Started","Time":{},"DisplayMessage":"Task started by client"}}"#,
            T + 5
        );
        assert!(
            s.lines(ev("n1", &old).as_bytes(), T).is_empty(),
            "events before the session are not news"
        );
        let lines = s.lines(ev("n1", &format!("{old},{started}")).as_bytes(), T + 6);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].render(false).contains("type=Started"));
        assert!(s
            .lines(ev("n1", &format!("{old},{started}")).as_bytes(), T + 7)
            .is_empty());
        assert!(
            s.lines(ev("n2", &started).as_bytes(), T + 7).is_empty(),
            "another node's allocation"
        );
    }

    #[test]
    fn a_server_writes_what_its_workers_do() {
        let mut s = Session::new(Target::Server, T, "w1".into());
        let e = r#"{"Topic":"Evaluation","Payload":{"Evaluation":{"ID":"e1","Status":"pending","Type":"service","JobID":"web","Namespace":"default","TriggeredBy":"job-register"}}}"#;
        let lines = s.lines(e.as_bytes(), T);
        assert_eq!(lines[0].level, Level::Debug);
        assert!(lines[0]
            .render(false)
            .contains("worker: dequeued evaluation: worker_id=w1 eval_id=e1"));
    }
}
