//! Task logs and the allocation file system.
//!
//! Every running task writes log lines continuously (ANSI colours,
//! multi-byte UTF-8, very long lines and bursts). Buffers are created on
//! first access, back-filled with a few hundred lines, and grown by the tick
//! while the task runs.

use crate::state::{Cluster, TaskLogs};
use nomad_model::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hash::{Hash, Hasher};

/// A task's log buffer is truncated (FileEvent) when it grows past this.
pub const MAX_LOG_BYTES: usize = 8 * 1024 * 1024;

fn seed_of(parts: &[&str], n: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    n.hash(&mut h);
    h.finish()
}

const LEVELS: [(&str, &str); 4] = [
    ("\x1b[32mINFO\x1b[0m", "info"),
    ("\x1b[33mWARN\x1b[0m", "warn"),
    ("\x1b[31mERROR\x1b[0m", "error"),
    ("\x1b[2mDEBUG\x1b[0m", "debug"),
];
const MESSAGES: [&str; 12] = [
    "GET /api/v1/orders 200 12ms",
    "POST /api/v1/checkout 201 48ms",
    "cache miss for key user:4821, fetching from origin",
    "connection pool: 18/32 in use",
    "retrying upstream request (attempt 2/5)",
    "health check passed",
    "reloaded configuration from local/app.conf",
    "processed batch of 500 records in 1.8s",
    "Bestellung bestätigt für Kunde Müller — Größe: 3 Artikel",
    "ユーザー認証に成功しました",
    "slow query detected: SELECT * FROM events WHERE ts > $1 (842ms)",
    "deploy marker 🚀 version rolled out",
];

/// One log line (with its newline).
pub fn log_line(alloc: &str, task: &str, stream: &str, n: u64, at_nanos: i64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed_of(&[alloc, task, stream], n));
    let ts = format::rfc3339_utc(UnixNanos(at_nanos));
    let ts = &ts[..ts.len().min(23)];
    if stream == "stderr" {
        let (lvl, _) = LEVELS[if rng.gen_bool(0.6) { 1 } else { 2 }];
        return format!(
            "{ts}Z {lvl} {} (req_id={:08x})\n",
            MESSAGES[rng.gen_range(0..MESSAGES.len())],
            rng.gen::<u32>()
        );
    }
    if n % 97 == 42 {
        // a very long line (a JSON blob on one line)
        let mut s = format!("{ts}Z \x1b[36mDUMP\x1b[0m state=");
        s.push('{');
        for i in 0..120 {
            s.push_str(&format!("\"key_{i}\":\"{:016x}\",", rng.gen::<u64>()));
        }
        s.push_str("\"end\":true}\n");
        return s;
    }
    let (lvl, _) = LEVELS[[0, 0, 0, 0, 0, 3, 1][rng.gen_range(0..7)]];
    format!(
        "{ts}Z {lvl} [{task}] {}\n",
        MESSAGES[rng.gen_range(0..MESSAGES.len())]
    )
}

/// What a task of a job with meta `sim.logs = "hostile"` has written to
/// stdout when first read: markup, invalid UTF-8, NUL bytes, terminal
/// control sequences, bidirectional overrides, zero-width characters and
/// a line of 1 MiB, for the hostile-input tests.
pub fn hostile_log() -> Vec<u8> {
    let mut b: Vec<u8> = vec![];
    b.extend_from_slice(
        b"<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=1\">\n",
    );
    b.extend_from_slice(b"bad utf-8: \xff\xfe\xc3( end\n");
    b.extend_from_slice(b"nul bytes:\x00\x00 end\n");
    b.extend_from_slice(
        b"\x1b[2J\x1b[H cleared? \x1b]8;;http://evil.example/\x07a link\x1b]8;;\x07 \x1b[31mred\x1b[0m \x1b[999Cfar\n",
    );
    b.extend_from_slice("rtl \u{202e}gnp.exe\u{202c} zero\u{200b}width\u{feff}\n".as_bytes());
    b.extend_from_slice(b"LONG-LINE-BEGIN ");
    b.extend(std::iter::repeat_n(b'x', 1 << 20));
    b.extend_from_slice(b" LONG-LINE-END\n");
    b.extend_from_slice(b"after the long line\n");
    b
}

fn append_lines(
    buf: &mut Vec<u8>,
    lines: &mut u64,
    alloc: &str,
    task: &str,
    stream: &str,
    count: u64,
    now: i64,
) {
    for i in 0..count {
        buf.extend_from_slice(log_line(alloc, task, stream, *lines + i, now).as_bytes());
    }
    *lines += count;
}

/// Returns the task's logs, creating and back-filling them on first use.
pub fn ensure_logs<'a>(c: &'a mut Cluster, alloc: &Allocation, task: &str) -> &'a mut TaskLogs {
    let key = (alloc.id.clone(), task.to_string());
    let backfill = c.log_backfill;
    let started = alloc
        .task_states
        .get(task)
        .is_some_and(|s| s.started_at.is_set() || s.state != "pending");
    let now = c.now();
    let job_meta = c
        .job(&alloc.namespace, &alloc.job_id)
        .and_then(|j| j.spec.get("Meta").cloned());
    c.logs.entry(key).or_insert_with(|| {
        let mut l = TaskLogs::default();
        let hostile = job_meta
            .as_ref()
            .and_then(|m| m.get("sim.logs"))
            .is_some_and(|v| v == "hostile");
        if started && hostile {
            l.stdout = hostile_log();
            l.stdout_lines = 7;
        } else if started {
            let age_secs = ((now - alloc.create_time.0) / 1_000_000_000).clamp(1, 3600) as u64;
            append_lines(
                &mut l.stdout,
                &mut l.stdout_lines,
                &alloc.id,
                task,
                "stdout",
                // as if the task had been logging for a while already
                backfill.unwrap_or((200 + age_secs * 3).min(3000)),
                now,
            );
            append_lines(
                &mut l.stderr,
                &mut l.stderr_lines,
                &alloc.id,
                task,
                "stderr",
                (20 + age_secs / 4).min(300),
                now,
            );
        }
        l
    })
}

/// Grows the logs of running tasks that someone has looked at.
pub fn tick_logs(c: &mut Cluster, rng: &mut ChaCha8Rng, max_bytes: usize) {
    let now = c.now();
    let keys: Vec<(String, String)> = c.logs.keys().cloned().collect();
    for (aid, task) in keys {
        let running = c
            .allocs
            .get(&aid)
            .and_then(|a| a.task_states.get(&task))
            .is_some_and(|s| s.state == "running");
        if !running {
            continue;
        }
        let burst = rng.gen_bool(0.05);
        let n_out = if burst {
            rng.gen_range(200..800)
        } else {
            rng.gen_range(1..6)
        };
        let n_err = u64::from(rng.gen_bool(0.25));
        let l = c
            .logs
            .get_mut(&(aid.clone(), task.clone()))
            .expect("present");
        append_lines(
            &mut l.stdout,
            &mut l.stdout_lines,
            &aid,
            &task,
            "stdout",
            n_out,
            now,
        );
        append_lines(
            &mut l.stderr,
            &mut l.stderr_lines,
            &aid,
            &task,
            "stderr",
            n_err,
            now,
        );
        for (buf, gen, lines) in [
            (&mut l.stdout, &mut l.stdout_gen, &mut l.stdout_lines),
            (&mut l.stderr, &mut l.stderr_gen, &mut l.stderr_lines),
        ] {
            if buf.len() > max_bytes {
                buf.clear();
                *gen += 1;
                *lines = 0;
            }
        }
    }
}

/// A node of the allocation directory.
pub enum FsEntry {
    Dir(Vec<(String, bool, u64)>),
    File(Vec<u8>),
}

/// The allocation directory as Nomad lays it out:
/// `alloc/{logs,data,tmp}`, and per task `local/`, `secrets/`, `tmp/`.
pub fn fs_lookup(c: &mut Cluster, alloc: &Allocation, path: &str) -> Option<FsEntry> {
    let path = path.trim_matches('/');
    let tasks = alloc.task_names();
    let parts: Vec<&str> = if path.is_empty() {
        vec![]
    } else {
        path.split('/').collect()
    };
    let dir = |v: Vec<(&str, bool, u64)>| {
        Some(FsEntry::Dir(
            v.into_iter()
                .map(|(n, d, s)| (n.to_string(), d, s))
                .collect(),
        ))
    };
    match parts.as_slice() {
        [] => {
            let mut v: Vec<(String, bool, u64)> = vec![("alloc".into(), true, 4096)];
            v.extend(tasks.iter().map(|t| (t.clone(), true, 4096)));
            Some(FsEntry::Dir(v))
        }
        ["alloc"] => dir(vec![
            ("data", true, 4096),
            ("logs", true, 4096),
            ("tmp", true, 4096),
        ]),
        ["alloc", "data"] | ["alloc", "tmp"] => dir(vec![]),
        ["alloc", "logs"] => {
            let mut v = vec![];
            for t in &tasks {
                let l = ensure_logs(c, alloc, t);
                v.push((format!("{t}.stderr.0"), false, l.stderr.len() as u64));
                v.push((format!("{t}.stdout.0"), false, l.stdout.len() as u64));
            }
            Some(FsEntry::Dir(v))
        }
        ["alloc", "logs", file] => {
            let (task, stream) = parse_log_name(file)?;
            if !tasks.contains(&task) {
                return None;
            }
            let l = ensure_logs(c, alloc, &task);
            Some(FsEntry::File(if stream == "stdout" {
                l.stdout.clone()
            } else {
                l.stderr.clone()
            }))
        }
        [t] if tasks.iter().any(|x| x == t) => dir(vec![
            ("local", true, 4096),
            ("secrets", true, 4096),
            ("tmp", true, 4096),
        ]),
        [t, "local"] if tasks.iter().any(|x| x == t) => {
            let files = local_files(alloc, t);
            Some(FsEntry::Dir(
                files
                    .into_iter()
                    .map(|(n, b)| (n.to_string(), false, b.len() as u64))
                    .collect(),
            ))
        }
        [t, "local", f] if tasks.iter().any(|x| x == t) => local_files(alloc, t)
            .into_iter()
            .find(|(n, _)| n == f)
            .map(|(_, b)| FsEntry::File(b)),
        [t, "secrets"] if tasks.iter().any(|x| x == t) => dir(vec![("env.vars", false, 64)]),
        [t, "secrets", "env.vars"] if tasks.iter().any(|x| x == t) => Some(FsEntry::File(
            b"DB_PASSWORD=simulated-secret\nAPI_KEY=sk_sim_0000\n".to_vec(),
        )),
        [t, "tmp"] if tasks.iter().any(|x| x == t) => dir(vec![]),
        _ => None,
    }
}

fn parse_log_name(file: &str) -> Option<(String, String)> {
    let (rest, _n) = file.rsplit_once('.')?;
    let (task, stream) = rest.rsplit_once('.')?;
    matches!(stream, "stdout" | "stderr").then(|| (task.to_string(), stream.to_string()))
}

fn local_files(alloc: &Allocation, task: &str) -> Vec<(&'static str, Vec<u8>)> {
    let conf = format!(
        "# rendered by template for {task}\nlisten = \"0.0.0.0:8080\"\nalloc_id = \"{}\"\njob = \"{}\"\nlog_level = \"info\"\n",
        alloc.id, alloc.job_id
    );
    let json = serde_json::to_vec_pretty(&serde_json::json!({"alloc": alloc.id, "task": task, "group": alloc.task_group, "features": {"beta": true, "max_conns": 512}})).unwrap_or_default();
    // a small binary file (not text)
    let mut bin = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    bin.extend((0u8..=255).cycle().take(4096));
    // a 1x1 PNG
    let png: Vec<u8> = vec![
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x68, 0xf8, 0xff, 0x1f, 0x00, 0x03, 0x05, 0x01, 0x80,
        0x4f, 0x19, 0x4b, 0x2d, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    // a CSV large enough to be read page by page (~600 KB)
    let mut csv = String::from("timestamp,requests,errors,p50_ms,p99_ms\n");
    for i in 0..12_000u64 {
        csv.push_str(&format!(
            "{},{},{},{}.{},{}.{}\n",
            1_700_000_000 + i * 10,
            1000 + (i * 7919) % 500,
            (i * 31) % 7,
            10 + i % 13,
            i % 10,
            80 + (i * 17) % 90,
            i % 10
        ));
    }
    vec![
        ("app.conf", conf.into_bytes()),
        ("config.json", json),
        ("helper.bin", bin),
        ("logo.png", png),
        ("chart.bmp", bmp_gradient(96, 48)),
        ("metrics.csv", csv.into_bytes()),
    ]
}

/// An uncompressed 24-bit BMP: a teal-to-amber gradient with a stripe,
/// so the file browser has an image worth looking at.
fn bmp_gradient(w: u32, h: u32) -> Vec<u8> {
    let row = (w * 3).div_ceil(4) * 4;
    let size = 54 + row * h;
    let mut b = Vec::with_capacity(size as usize);
    b.extend_from_slice(b"BM");
    b.extend_from_slice(&size.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&54u32.to_le_bytes());
    b.extend_from_slice(&40u32.to_le_bytes());
    b.extend_from_slice(&w.to_le_bytes());
    b.extend_from_slice(&h.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    for y in 0..h {
        for x in 0..w {
            let t = x as f32 / (w - 1).max(1) as f32;
            let stripe = (y as i64 - h as i64 / 2).abs() < 3;
            let (r, g, bl) = if stripe {
                (250, 250, 250)
            } else {
                (
                    (31.0 + t * (224.0 - 31.0)) as u8,
                    (111.0 + t * (165.0 - 111.0)) as u8,
                    (92.0 + t * (38.0 - 92.0)) as u8,
                )
            };
            b.extend_from_slice(&[bl, g, r]);
        }
        b.extend(std::iter::repeat_n(0u8, (row - w * 3) as usize));
    }
    b
}
