//! Frame-decoder throughput: `cargo bench -p nomad-model --bench decode`.
//! Prints MB/s of decoded log data (and of wire bytes) for realistic frames
//! fed in network-sized chunks.

use nomad_model::frames::{encode_frame, FrameDecoder, StreamEvent, Utf8Decoder};
use std::time::Instant;

fn main() {
    // 64 MiB of log-like text in 64 KiB frames, as the agent sends a backlog
    let line = "2026-11-22T08:40:19.847Z \x1b[32mINFO\x1b[0m [web] GET /api/v1/orders 200 12ms — Größe 世界\n";
    let mut text = Vec::new();
    while text.len() < 64 * 1024 * 1024 {
        text.extend_from_slice(line.as_bytes());
    }
    let mut wire = Vec::new();
    let mut off = 0;
    for chunk in text.chunks(64 * 1024) {
        off += chunk.len() as u64;
        wire.extend_from_slice(encode_frame("alloc/logs/web.stdout.0", off, chunk).as_bytes());
    }
    for (label, chunk_size) in [
        ("16 KiB chunks", 16 * 1024),
        ("1 KiB chunks", 1024),
        ("1 MiB chunks", 1024 * 1024),
    ] {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let mut d = FrameDecoder::new();
            let mut u = Utf8Decoder::new();
            let mut s = String::with_capacity(64 * 1024);
            let mut ev = Vec::new();
            let mut n = 0usize;
            for c in wire.chunks(chunk_size) {
                d.push(c, &mut ev);
                for e in ev.drain(..) {
                    if let StreamEvent::Data { bytes, .. } = e {
                        s.clear();
                        u.push(&bytes, &mut s);
                        n += s.len();
                    }
                }
            }
            assert_eq!(n, text.len());
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "decode {label:>14}: {:7.1} MB/s of log text, {:7.1} MB/s on the wire ({} MiB text, best of 3)",
            text.len() as f64 / best / 1e6,
            wire.len() as f64 / best / 1e6,
            text.len() >> 20
        );
    }
}
