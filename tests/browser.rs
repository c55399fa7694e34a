//! Browser tests: run in headless Chromium by `wasm-bindgen-test-runner`
//! (`cargo test --target wasm32-unknown-unknown -p yurt`). They mount
//! components and assert on the DOM, and exercise the API layer against a
//! running `nomad-sim` whose address is baked in at compile time through
//! `YURT_TEST_SIM` (scripts/test.sh starts the sim and sets it).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use nomad_model::frames::StreamEvent;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yurt::api::stream::{read_stream, StreamControl};
use yurt::api::{Api, ApiError, ApiErrorKind};
use yurt::components::*;
use yurt::interop::sleep;

wasm_bindgen_test_configure!(run_in_browser);

fn sim() -> &'static str {
    option_env!("YURT_TEST_SIM").unwrap_or("http://127.0.0.1:4646")
}

/// Mounts a view into a fresh container and returns the container.
fn mount(f: impl FnOnce() -> AnyView + 'static) -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&el).unwrap();
    let handle = leptos::mount::mount_to(el.clone(), f);
    handle.forget();
    el
}

#[wasm_bindgen_test]
fn error_panel_explains_a_403_and_links_to_sign_in() {
    let err = ApiError::from_status(403, "Permission denied", "/v1/jobs");
    let el = mount(move || view! { <ErrorPanel error=err/> }.into_any());
    let text = el.text_content().unwrap();
    assert!(text.contains("Not authorized"), "{text}");
    assert!(text.contains("Permission denied"));
    assert!(text.contains("HTTP 403"));
    let link = el
        .query_selector("a.button")
        .unwrap()
        .expect("a sign-in link");
    assert!(link
        .get_attribute("href")
        .unwrap()
        .ends_with("/settings/tokens"));
}

#[wasm_bindgen_test]
fn error_panel_for_no_leader_and_network() {
    let e = ApiError::from_status(500, "rpc error: No cluster leader", "/v1/jobs");
    assert_eq!(e.kind, ApiErrorKind::NoLeader);
    let el = mount(move || view! { <ErrorPanel error=e/> }.into_any());
    assert!(el.text_content().unwrap().contains("No cluster leader"));
    assert!(
        el.query_selector("a.button").unwrap().is_none(),
        "no sign-in link for an outage"
    );
    let n = ApiError::network("Failed to fetch", "/v1/nodes");
    let el = mount(move || view! { <ErrorPanel error=n/> }.into_any());
    assert!(el
        .text_content()
        .unwrap()
        .contains("Cannot reach the Nomad agent"));
}

#[wasm_bindgen_test]
fn stacked_bar_draws_proportional_segments() {
    let s = nomad_model::TaskGroupSummary {
        running: 3,
        failed: 1,
        ..Default::default()
    };
    let segs = alloc_segments(&s);
    let el = mount(move || view! { <StackedBar segments=segs/> }.into_any());
    let running = el.query_selector(".seg.running").unwrap().unwrap();
    // set through the CSSOM (a strict CSP refuses style attributes), which
    // writes the attribute back in its own spelling
    assert_eq!(running.get_attribute("style").unwrap(), "width: 75%;");
    let failed = el.query_selector(".seg.failed").unwrap().unwrap();
    assert_eq!(failed.get_attribute("style").unwrap(), "width: 25%;");
    assert!(
        el.query_selector(".seg.queued").unwrap().is_none(),
        "empty segments are not drawn"
    );
    let bar = el.query_selector(".stacked-bar").unwrap().unwrap();
    assert_eq!(bar.get_attribute("title").unwrap(), "3 running, 1 failed");
}

#[wasm_bindgen_test]
async fn badge_follows_its_signal() {
    let status = RwSignal::new("pending".to_string());
    let el = mount(move || view! { <Badge status/> }.into_any());
    let b = el.query_selector(".badge").unwrap().unwrap();
    assert_eq!(b.class_name(), "badge badge-pending");
    status.set("running".into());
    sleep(Duration::from_millis(10)).await;
    assert_eq!(b.class_name(), "badge badge-running");
    assert_eq!(b.text_content().unwrap(), "running");
}

#[wasm_bindgen_test]
async fn typed_calls_and_nomad_errors_against_the_sim() {
    let api = Api::with_origin(sim());
    let jobs: Vec<nomad_model::JobListStub> = api
        .get("/v1/jobs", &[("namespace", "*".into())])
        .await
        .expect("jobs");
    assert!(jobs.iter().any(|j| j.id == "web-frontend"));
    let err = api
        .get::<nomad_model::Job>("/v1/job/nope", &[])
        .await
        .unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::NotFound);
    assert_eq!(err.message, "job not found");
    assert_eq!(err.status, 404);
    let down = Api::with_origin("http://127.0.0.1:9");
    let err = down
        .get::<Vec<String>>("/v1/regions", &[])
        .await
        .unwrap_err();
    assert_eq!(err.kind, ApiErrorKind::Network);
}

#[wasm_bindgen_test]
async fn two_watchers_on_one_url_make_one_request() {
    let api = Api::with_origin(sim());
    let before = yurt::api::watch::requests_started();
    let opts = yurt::api::WatchOpts::default();
    let dec: yurt::api::watch::Decoder<Vec<nomad_model::NodeListStub>> =
        |b| serde_json::from_slice(b).map_err(|e| e.to_string());
    let a = yurt::api::watch::subscribe(api, "/v1/nodes".into(), vec![], opts, dec, |_, _| None);
    let b = yurt::api::watch::subscribe(api, "/v1/nodes".into(), vec![], opts, dec, |_, _| None);
    a.first().await;
    b.first().await;
    assert_eq!(
        yurt::api::watch::requests_started() - before,
        1,
        "one request serves both watchers"
    );
    let nodes = a.state().with_untracked(|s| s.data.clone()).expect("data");
    assert_eq!(nodes.len(), 5);
    assert!(
        b.state().with_untracked(|s| s.index) > 0,
        "X-Nomad-Index read"
    );
    // another URL is another request
    let c = yurt::api::watch::subscribe(
        api,
        "/v1/nodes".into(),
        vec![("prefix", "0".into())],
        opts,
        dec,
        |_, _| None,
    );
    c.first().await;
    assert_eq!(yurt::api::watch::requests_started() - before, 2);
    drop(a);
    assert_eq!(yurt::api::watch::active_watches(), 2, "still watched by b");
    drop(b);
    drop(c);
    assert_eq!(
        yurt::api::watch::active_watches(),
        0,
        "the last watcher going away stops the poll"
    );
}

#[wasm_bindgen_test]
async fn streaming_reader_decodes_a_chunked_log_stream() {
    let api = Api::with_origin(sim());
    let allocs: Vec<nomad_model::Allocation> = api
        .get("/v1/job/redis-cache/allocations", &[])
        .await
        .expect("allocs");
    let mut alloc = allocs.into_iter().find(|a| a.client_status == "running");
    for _ in 0..40 {
        if alloc.is_some() {
            break;
        }
        sleep(Duration::from_millis(250)).await;
        let allocs: Vec<nomad_model::Allocation> = api
            .get("/v1/job/redis-cache/allocations", &[])
            .await
            .expect("allocs");
        alloc = allocs.into_iter().find(|a| a.client_status == "running");
    }
    let alloc = alloc.expect("a running allocation");
    let path = format!("/v1/client/fs/logs/{}", alloc.id);
    let q = [
        ("task", "redis".to_string()),
        ("type", "stdout".to_string()),
        ("origin", "start".to_string()),
        ("offset", "0".to_string()),
    ];
    let ctl = StreamControl::new();
    let mut resume = None;
    let mut data = vec![];
    let mut frames = 0;
    let end = read_stream(&api, &path, &q, &ctl, &mut resume, |evs| {
        for e in evs.drain(..) {
            match e {
                StreamEvent::Data { start, bytes, .. } => {
                    assert_eq!(start as usize, data.len(), "contiguous");
                    data.extend(bytes);
                    frames += 1;
                }
                StreamEvent::Error(e) => panic!("decoder error {e}"),
                _ => {}
            }
        }
    })
    .await
    .expect("stream");
    assert!(
        frames >= 1 && data.len() > 1000,
        "{frames} frames, {} bytes",
        data.len()
    );
    assert_eq!(
        end.offset,
        Some(data.len() as u64),
        "the resume offset is the end of the data"
    );
    assert_eq!(resume, end.offset);
    let cat = api
        .get_bytes(
            &format!("/v1/client/fs/cat/{}", alloc.id),
            &[("path", "alloc/logs/redis.stdout.0".into())],
        )
        .await
        .expect("cat");
    assert_eq!(
        &cat[..data.len()],
        &data[..],
        "decoded stream equals the file"
    );
    let text = String::from_utf8(data).expect("utf-8");
    assert!(text.contains("\u{1b}[32mINFO"), "ANSI colours pass through");
}

#[wasm_bindgen_test]
async fn metric_chart_draws_the_window_against_its_limit() {
    use nomad_model::stats::Series;
    let series = RwSignal::new(Series::new(10_000.0));
    let now = RwSignal::new(0.0);
    let el = mount(move || {
        view! { <MetricChart label="Memory" series limit=200.0 fmt=|v| format!("{v:.0} MB") now/> }
            .into_any()
    });
    let value = || {
        el.query_selector("[data-testid=metric-value]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert_eq!(value(), "—");
    series.update(|s| {
        s.push(1_000.0, 100.0);
        s.push(2_000.0, 190.0);
    });
    now.set(2_000.0);
    sleep(Duration::from_millis(20)).await;
    assert_eq!(value(), "190 MB / 200 MB");
    let fig = el.query_selector("figure").unwrap().unwrap();
    // 95 % of the limit: the warning colour
    assert_eq!(fig.class_name(), "metric warn");
    let d = el
        .query_selector(".spark-line")
        .unwrap()
        .unwrap()
        .get_attribute("d")
        .unwrap();
    // the newest sample at the right edge, 95 % of the way up a 48 px box
    assert!(d.ends_with("L240.0,2.4"), "{d}");
}

#[wasm_bindgen_test]
fn ansi_text_draws_colours_as_classes_never_as_html() {
    let el = mount(|| {
        view! { <AnsiText text="\u{1b}[31mred <b>not bold</b>\u{1b}[0m plain\nnext".to_string()/> }
            .into_any()
    });
    assert_eq!(
        el.text_content().unwrap(),
        "red <b>not bold</b> plain\nnext\n"
    );
    assert!(el.query_selector("b").unwrap().is_none());
    let red = el.query_selector("span.fg1").unwrap().unwrap();
    assert_eq!(red.text_content().unwrap(), "red <b>not bold</b>");
}

// A watched path is read back into the event subscription it needs; the
// ID segment is percent-encoded, so a dispatched child's `/` stays in it.
#[wasm_bindgen_test]
fn watched_paths_map_to_the_events_that_change_them() {
    use yurt::api::live::object_subscription;
    use yurt::api::paths;
    let ns = vec![("namespace", "prod".to_string())];
    let child = paths::job("batch/dispatch-1", "/summary");
    assert_eq!(
        paths::parse(&child),
        Some(paths::Parsed::Job(
            "batch/dispatch-1".into(),
            "/summary".into()
        ))
    );
    let sub = object_subscription(&child, &ns).expect("a job summary follows events");
    assert_eq!(sub.namespace, "prod");
    let topics: Vec<_> = sub.topics.iter().map(|(t, k)| format!("{t}:{k}")).collect();
    assert_eq!(
        topics,
        [
            "Job:batch/dispatch-1",
            "Allocation:batch/dispatch-1",
            "Evaluation:batch/dispatch-1"
        ]
    );
    // versions change without events (stability of older versions): polled
    assert!(object_subscription(&paths::job("web", "/versions"), &ns).is_none());
    let node =
        object_subscription(&paths::node("n1", "/allocations"), &[]).expect("node allocations");
    assert_eq!(node.topics, [("Allocation".to_string(), "*".to_string())]);
    assert_eq!(
        object_subscription(&paths::allocation("a1"), &ns).map(|s| s.topics),
        Some(vec![("Allocation".to_string(), "a1".to_string())])
    );
    assert!(object_subscription("/v1/jobs", &ns).is_none());
}

/// A list that slides for as long as a page is open (a followed log, a
/// live list) keeps showing exactly its items, and the rows that went
/// away do not pile up in memory.
#[wasm_bindgen_test]
async fn rows_keep_showing_the_items_and_free_the_rows_that_went_away() {
    let start = RwSignal::new(0u32);
    let el = mount(move || {
        view! {
            <ul>
                <Rows each=move || { let s = start.get(); s..s + 20 } key=|i: &u32| *i children=|i: u32| view! { <li>{i}</li> }/>
            </ul>
        }
        .into_any()
    });
    let shown = || {
        let items = el.query_selector_all("li").unwrap();
        (0..items.length())
            .map(|i| items.item(i).unwrap().text_content().unwrap())
            .collect::<Vec<_>>()
    };
    let mut live_at_100 = 0;
    for step in 1..=1200u32 {
        start.set(step * 8);
        sleep(Duration::ZERO).await;
        let want: Vec<String> = (step * 8..step * 8 + 20).map(|i| i.to_string()).collect();
        assert_eq!(shown(), want, "at step {step}");
        if step == 100 {
            live_at_100 = yurt::interop::wasm_live_bytes();
        }
    }
    // 8,800 rows came and went since step 100: kept, they would hold ~700 KB
    let grown = yurt::interop::wasm_live_bytes() as i64 - live_at_100 as i64;
    assert!(grown < 200_000, "the heap grew by {grown} bytes");
}
