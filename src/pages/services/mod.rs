//! Nomad's own services (`provider = "nomad"`): every service by namespace
//! with its tags, and one service's registrations (address, allocation,
//! client, job, tags) with each instance's check results. Live through
//! blocking queries; the checks are read again every 5 s.

use crate::api::{paths, use_watch, WatchOpts};
use crate::components::*;
use crate::routes::{alloc_href, decode_param, href, job_href, node_href, service_href};
use leptos::prelude::*;
use leptos::Params;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use nomad_model::format;
use nomad_model::services::{CheckResults, ServiceNamespace, ServiceRegistration};
use std::time::Duration;

#[component]
pub fn ServicesPage() -> impl IntoView {
    let list = use_watch::<Vec<ServiceNamespace>>(
        || Some((paths::SERVICES.into(), vec![("namespace", "*".to_string())])),
        WatchOpts::default(),
    );
    view! {
        <div class="page-head"><h1>"Services"</h1></div>
        <p class="muted">"Services registered in Nomad's own catalog (provider \"nomad\"); Consul services are in Consul."</p>
        <Live watch=list label="Loading services…" children=move |l| {
            let rows = move || l.with(|l| l.iter().flat_map(|ns| ns.services.iter().map(|s| (ns.namespace.clone(), s.clone()))).collect::<Vec<_>>());
            view! {
                <table class="table" data-testid="services-table">
                    <thead><tr><th>"Name"</th><th>"Namespace"</th><th>"Tags"</th></tr></thead>
                    <tbody>
                        <For each=rows key=|(ns, s)| (ns.clone(), s.service_name.clone(), s.tags.join(",")) children=|(ns, s)| view! {
                            <tr data-service=s.service_name.clone()>
                                <td class="name"><a href=service_href(&ns, &s.service_name)>{s.service_name.clone()}</a></td>
                                <td>{ns.clone()}</td>
                                <td>{s.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</td>
                            </tr>
                        }/>
                    </tbody>
                </table>
                {move || l.with(|l| l.iter().all(|n| n.services.is_empty())).then(|| view! { <p class="empty">"No services in Nomad's catalog."</p> })}
            }
        }/>
    }
}

#[derive(Params, PartialEq, Clone, Debug)]
struct ServiceParams {
    namespace: Option<String>,
    name: Option<String>,
}

#[component]
pub fn ServicePage() -> impl IntoView {
    let params = use_params::<ServiceParams>();
    let key = Memo::new(move |_| {
        params.with(|p| {
            let p = p.as_ref().ok()?;
            Some((
                decode_param(p.namespace.as_deref()?),
                decode_param(p.name.as_deref()?),
            ))
        })
    });
    let regs = use_watch::<Vec<ServiceRegistration>>(
        move || {
            key.get()
                .map(|(ns, name)| (paths::service(&name), vec![("namespace", ns)]))
        },
        WatchOpts::default(),
    );
    view! {
        <nav class="crumbs"><a href=href("/services")>"Services"</a>" / "{move || key.get().map(|k| k.1)}</nav>
        <div class="page-head"><h1 data-testid="service-title">{move || key.get().map(|k| k.1)}</h1></div>
        <Live watch=regs label="Loading registrations…" children=move |list| view! { <Registrations list/> }/>
    }
}

/// Where a service runs: one row per registration, with its checks (the
/// service page; a job's page lists its services the same way).
#[component]
pub fn Registrations(
    list: Signal<std::sync::Arc<Vec<ServiceRegistration>>>,
    #[prop(optional)] show_name: bool,
) -> impl IntoView {
    view! {
        <table class="table" data-testid="registrations-table">
            <thead><tr>{show_name.then(|| view! { <th>"Service"</th> })}<th>"Address"</th><th>"Allocation"</th><th>"Job"</th><th>"Client"</th><th>"Datacenter"</th><th>"Tags"</th><th>"Checks"</th></tr></thead>
            <tbody>
                <For each=move || list.with(|l| l.to_vec()) key=|r: &ServiceRegistration| (r.id.clone(), r.modify_index) children=move |r: ServiceRegistration| view! {
                    <tr data-registration=r.id.clone() data-alloc=r.alloc_id.clone()>
                        {show_name.then(|| view! { <td class="name"><a href=service_href(&r.namespace, &r.service_name)>{r.service_name.clone()}</a></td> })}
                        <td class="mono">{r.endpoint()}</td>
                        <td><a href=alloc_href(&r.alloc_id) class="mono">{format::short_id(&r.alloc_id).to_string()}</a></td>
                        <td><a href=job_href(&r.namespace, &r.job_id)>{r.job_id.clone()}</a></td>
                        <td><a href=node_href(&r.node_id) class="mono">{format::short_id(&r.node_id).to_string()}</a></td>
                        <td>{r.datacenter.clone()}</td>
                        <td>{r.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</td>
                        <td><Checks alloc=r.alloc_id.clone() service=r.service_name.clone()/></td>
                    </tr>
                }/>
            </tbody>
        </table>
        {move || list.with(|l| l.is_empty()).then(|| view! { <p class="empty">"No instance of this service is registered."</p> })}
    }
}

/// The results of one allocation's checks of `service`.
#[component]
fn Checks(alloc: String, service: String) -> impl IntoView {
    let checks = use_watch::<CheckResults>(
        move || Some((paths::alloc_checks(&alloc), vec![])),
        WatchOpts::polled(Duration::from_secs(5)),
    );
    move || {
        let Some(c) = checks.data() else {
            return ().into_any();
        };
        let mine: Vec<_> = c
            .values()
            .filter(|r| r.service == service)
            .cloned()
            .collect();
        if mine.is_empty() {
            return view! { <span class="muted">"none"</span> }.into_any();
        }
        mine.into_iter()
            .map(|r| view! {
                <span class="check" data-check=r.check.clone() data-status=r.status.clone() title=r.output.clone()>
                    <Badge status=r.status.clone()/>" "{r.check.clone()}
                </span>
            })
            .collect_view()
            .into_any()
    }
}
