//! Against a real `nomad-sim` process: log framing and resume over a
//! socket, the dropped-stream fault, serving the UI and proxy mode.

mod common;
use common::process::{running_alloc, start};
use nomad_model::frames::{FrameDecoder, StreamEvent};
use std::time::{Duration, Instant};

fn decode(bytes: &[u8]) -> Vec<StreamEvent> {
    let mut d = FrameDecoder::new();
    let mut out = vec![];
    d.push(bytes, &mut out);
    d.finish(&mut out);
    out
}

#[tokio::test]
async fn log_framing_offsets_and_resume() {
    let sim = start(&[]);
    let a = running_alloc(&sim).await;
    let logs = format!("/v1/client/fs/logs/{}?task=redis&type=stdout", a.id);
    // the whole file, framed
    let framed = sim
        .get(&format!("{logs}&origin=start&offset=0"))
        .await
        .bytes()
        .await
        .unwrap();
    let cat = sim
        .get(&format!(
            "/v1/client/fs/cat/{}?path=alloc/logs/redis.stdout.0",
            a.id
        ))
        .await
        .bytes()
        .await
        .unwrap();
    let events = decode(&framed);
    let mut joined = vec![];
    let mut pos = 0;
    for e in &events {
        match e {
            StreamEvent::Data {
                file,
                start,
                end,
                bytes,
            } => {
                assert_eq!(file, "alloc/logs/redis.stdout.0");
                assert!(bytes.len() <= 64 * 1024, "frame of {} bytes", bytes.len());
                assert_eq!(*start, pos, "frames are contiguous");
                assert_eq!(
                    *end,
                    start + bytes.len() as u64,
                    "Offset is the position after the data"
                );
                pos = *end;
                joined.extend_from_slice(bytes);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(joined.len() > 1000);
    assert_eq!(
        &cat[..joined.len()],
        &joined[..],
        "decoded frames equal the file"
    );
    // resume from an offset
    let n = joined.len() / 2;
    let rest = decode(
        &sim.get(&format!("{logs}&origin=start&offset={n}"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    let mut tail = vec![];
    for e in rest {
        if let StreamEvent::Data { start, bytes, .. } = e {
            if tail.is_empty() {
                assert_eq!(start, n as u64);
            }
            tail.extend(bytes);
        }
    }
    assert_eq!(&tail[..joined.len() - n], &joined[n..]);
    // origin=end
    let last = decode(
        &sim.get(&format!("{logs}&origin=end&offset=100"))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    let total: usize = last
        .iter()
        .map(|e| {
            if let StreamEvent::Data { bytes, .. } = e {
                bytes.len()
            } else {
                0
            }
        })
        .sum();
    assert!(
        total >= 100,
        "origin=end gives the last bytes (and what was written since)"
    );
    // plain=true is the raw text
    let plain = sim
        .get(&format!("{logs}&origin=start&offset=0&plain=true"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(&plain[..joined.len()], &joined[..]);
    // follow on a file that does not grow: heartbeats
    let mut r = sim
        .get(&format!(
            "/v1/client/fs/stream/{}?path=redis/local/app.conf&follow=true&offset=0",
            a.id
        ))
        .await;
    let mut got = vec![];
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(4) {
        match tokio::time::timeout(Duration::from_secs(3), r.chunk()).await {
            Ok(Ok(Some(c))) => {
                got.extend_from_slice(&c);
                if decode(&got).contains(&StreamEvent::Heartbeat) {
                    break;
                }
            }
            _ => break,
        }
    }
    let ev = decode(&got);
    assert!(matches!(ev[0], StreamEvent::Data { .. }));
    assert!(ev.contains(&StreamEvent::Heartbeat), "{ev:?}");
    // bad parameters
    assert_eq!(
        sim.get(&format!("/v1/client/fs/logs/{}?type=stdout", a.id))
            .await
            .status(),
        400
    );
    let r = sim
        .get("/v1/client/fs/logs/5fc98185-17ff-26bc-a802-0c74fa471c99?task=x&type=stdout")
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.text().await.unwrap(),
        "Unknown allocation \"5fc98185-17ff-26bc-a802-0c74fa471c99\""
    );
}

#[tokio::test]
async fn dropped_streams_fault() {
    let sim = start(&["--drop-stream-after", "5000"]);
    let a = running_alloc(&sim).await;
    let mut r = sim
        .get(&format!(
            "/v1/client/fs/logs/{}?task=redis&type=stdout&origin=start&offset=0",
            a.id
        ))
        .await;
    let mut got = vec![];
    let ended = loop {
        match r.chunk().await {
            Ok(Some(c)) => got.extend_from_slice(&c),
            Ok(None) => break "closed",
            Err(_) => break "reset",
        }
    };
    assert_eq!(
        (got.len(), ended),
        (5000, "reset"),
        "the stream is cut mid-frame at the configured byte, then reset"
    );
    // frames are small enough under the fault that complete ones got through
    let mut dec = FrameDecoder::new();
    let mut ev = vec![];
    dec.push(&got, &mut ev);
    assert!(ev.iter().any(|e| matches!(e, StreamEvent::Data { .. })));
    assert!(dec.offset().unwrap_or(0) > 0);
}

#[tokio::test]
async fn serves_the_ui_with_deep_links() {
    let dir = std::env::temp_dir().join(format!("yurt-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>yurt</html>").unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    let sim = start(&["--ui", dir.to_str().unwrap()]);
    let r = sim.http.get(format!("{}/", sim.base)).send().await.unwrap();
    assert_eq!(r.url().path(), "/ui/", "/ redirects to the UI");
    assert_eq!(
        sim.get("/ui/jobs/default/web").await.text().await.unwrap(),
        "<html>yurt</html>"
    );
    let js = sim.get("/ui/app.js").await;
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    // a missing chunk of the bundle is not answered with the app's page
    assert_eq!(sim.get("/ui/app-0123/split_job.wasm").await.status(), 404);
    let pre = sim
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/v1/jobs", sim.base))
        .send()
        .await
        .unwrap();
    assert_eq!(pre.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn proxy_mode_forwards_and_streams_unbuffered() {
    let agent = start(&[]);
    let proxy = start(&["--proxy", &agent.base]);
    let a = running_alloc(&agent).await;
    // plain reads, status codes and headers pass through
    let r = proxy.get("/v1/job/nope").await;
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (404, "job not found".to_string())
    );
    let r = proxy.get("/v1/jobs").await;
    assert!(r.headers().contains_key("x-nomad-index"));
    // a follow stream delivers its first frame while the stream is still open
    let t = Instant::now();
    let mut r = proxy
        .get(&format!(
            "/v1/client/fs/logs/{}?task=redis&type=stdout&follow=true&origin=end&offset=50",
            a.id
        ))
        .await;
    let first = tokio::time::timeout(Duration::from_secs(5), r.chunk())
        .await
        .expect("a chunk before the stream ends")
        .unwrap()
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(matches!(decode(&first)[0], StreamEvent::Data { .. }));
}
