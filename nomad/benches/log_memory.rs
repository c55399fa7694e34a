//! What the log store holds against what it says it holds:
//! `cargo bench -p nomad-model --bench log_memory`. A counting allocator
//! measures the live heap (and its high-water mark) while lines like the
//! simulator's are fed through the line assembler into a store, in
//! 64 KiB reads as a follower gets them.

use nomad_model::logs::{LineAssembler, LogStore, Stream};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(now, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// The simulator's mix: coloured levels, multi-byte text, and every 97th
/// line a 3 KB JSON dump.
fn line(n: u64) -> String {
    let r = n
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        >> 33;
    let ts = format!(
        "2026-12-02T01:{:02}:{:02}.{:03}Z",
        n / 6000 % 60,
        n / 100 % 60,
        n % 1000
    );
    if n % 97 == 42 {
        let mut s = format!("{ts} \x1b[36mDUMP\x1b[0m state={{");
        for i in 0..120 {
            s.push_str(&format!("\"key_{i}\":\"{:016x}\",", r.wrapping_mul(i + 1)));
        }
        return s + "\"end\":true}\n";
    }
    let lvl = [
        "\x1b[32mINFO\x1b[0m",
        "\x1b[33mWARN\x1b[0m",
        "\x1b[2mDEBUG\x1b[0m",
    ][(r % 3) as usize];
    let msg = [
        "GET /api/v1/orders 200 12ms",
        "Bestellung bestätigt für Kunde Müller — Größe: 3 Artikel",
        "ユーザー認証に成功しました",
        "connection pool: 18/32 in use",
    ][(r % 4) as usize];
    format!("{ts} {lvl} [web] {msg}\n")
}

fn mb(b: usize) -> String {
    format!("{:.1} MB", b as f64 / 1048576.0)
}

fn main() {
    let base = LIVE.load(Relaxed);
    let mut store = LogStore::new(256 << 20);
    let mut asm = LineAssembler::new();
    let mut out = Vec::new();
    let (mut n, mut pos) = (0u64, 0u64);
    println!("lines    held (store's count)   live heap   high-water   live beyond held, per line");
    for target in [6_611usize, 25_000, 51_330, 100_000] {
        while store.len() < target {
            let mut read = Vec::with_capacity(64 * 1024);
            while read.len() < 64 * 1024 - 4096 {
                read.extend_from_slice(line(n).as_bytes());
                n += 1;
            }
            asm.push(pos, &read, &mut out);
            pos += read.len() as u64;
            for l in out.drain(..) {
                store.append(
                    0,
                    Stream::Stdout,
                    "alloc/logs/web.stdout.0",
                    l.pos,
                    &l.text,
                    &l.spans,
                );
            }
        }
        let live = LIVE.load(Relaxed) - base;
        let beyond = live.saturating_sub(store.heap_bytes());
        println!(
            "{:>7}  {:>20}  {:>10}  {:>11}  {:>10}, {} B",
            store.len(),
            mb(store.heap_bytes()),
            mb(live),
            mb(PEAK.load(Relaxed) - base),
            mb(beyond),
            beyond / store.len()
        );
    }
}
