// The floor: Leptos CSR + router + one fetched, decoded and listed resource.
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

#[derive(Clone, serde::Deserialize, PartialEq)]
struct Row {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "Name")]
    name: String,
}

async fn rows() -> Result<Vec<Row>, String> {
    let r = gloo_net::http::Request::get("/v1/jobs")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let b = r.binary().await.map_err(|e| e.to_string())?;
    serde_json::from_slice(&b).map_err(|e| e.to_string())
}

#[component]
fn Jobs() -> impl IntoView {
    let data = LocalResource::new(rows);
    view! {
        <Transition fallback=|| "Loading">
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <table><For each=move || v.clone() key=|r| r.id.clone() children=|r| view! { <tr><td><a href=format!("/jobs/{}", r.id)>{r.name}</a></td></tr> }/></table> }.into_any(),
                    Err(e) => view! { <p>{e}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn main() {
    mount_to_body(
        || view! { <Router><Routes fallback=|| "Not found"><Route path=path!("/jobs") view=Jobs/></Routes></Router> },
    );
}
