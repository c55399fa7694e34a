//! Bulk actions on the big lists: a selection (click, shift-click for a
//! range, or every row the filter keeps), one confirmation that lists
//! every target, the requests sent a few at a time, and each target's
//! own result, so a refusal on one (a namespace the token may not write)
//! is reported there without stopping the rest.

use crate::api::ApiError;
use crate::components::Confirm;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Requests in flight at once.
const AT_ONCE: usize = 4;

#[derive(Clone, Copy)]
pub struct Selection {
    picked: RwSignal<HashSet<String>>,
    anchor: StoredValue<Option<String>>,
    /// every row the filter keeps, in the list's order
    order: Signal<Vec<String>>,
}

pub fn use_selection(order: Signal<Vec<String>>) -> Selection {
    Selection {
        picked: RwSignal::new(HashSet::new()),
        anchor: StoredValue::new(None),
        order,
    }
}

impl Selection {
    pub fn is_picked(self, key: &str) -> bool {
        self.picked.with(|p| p.contains(key))
    }
    pub fn count(self) -> usize {
        self.picked.with(HashSet::len)
    }
    /// A click on a row's box; with Shift, every row from the last click
    /// to this one takes this one's new state.
    pub fn click(self, key: &str, shift: bool) {
        let on = !self.is_picked(key);
        let range = shift
            .then(|| self.anchor.get_value())
            .flatten()
            .and_then(|a| {
                self.order.with_untracked(|o| {
                    let (i, j) = (
                        o.iter().position(|k| *k == a)?,
                        o.iter().position(|k| k == key)?,
                    );
                    Some(o[i.min(j)..=i.max(j)].to_vec())
                })
            })
            .unwrap_or_else(|| vec![key.to_string()]);
        self.picked.update(|p| {
            for k in range {
                if on {
                    p.insert(k);
                } else {
                    p.remove(&k);
                }
            }
        });
        self.anchor.set_value(Some(key.to_string()));
    }
    pub fn pick_all(self) {
        let all = self.order.get_untracked();
        self.picked.set(all.into_iter().collect());
    }
    pub fn clear(self) {
        self.picked.set(HashSet::new());
        self.anchor.set_value(None);
    }
    /// The picked rows the filter still keeps, in the list's order.
    fn targets(self) -> Vec<String> {
        let picked = self.picked.get_untracked();
        self.order
            .with_untracked(|o| o.iter().filter(|k| picked.contains(*k)).cloned().collect())
    }
}

/// A row's box.
#[component]
pub fn PickBox(sel: Selection, key: String) -> impl IntoView {
    let k = key.clone();
    view! {
        <td class="pick">
            <input type="checkbox" aria-label="Select" data-testid="pick" prop:checked=move || sel.is_picked(&k)
                on:click=move |ev| sel.click(&key, ev.shift_key())/>
        </td>
    }
}

/// The header's box: every row the filter keeps, or none.
#[component]
pub fn PickAllBox(sel: Selection) -> impl IntoView {
    let all = move || {
        let n = sel.count();
        n > 0 && n == sel.order.with(Vec::len)
    };
    view! {
        <th class="pick">
            <input type="checkbox" aria-label="Select every row the filter keeps" data-testid="pick-all" prop:checked=all
                on:click=move |_| if all() { sel.clear() } else { sel.pick_all() }/>
        </th>
    }
}

/// One target's request: what it answered, or why it failed.
pub type Run =
    Rc<dyn Fn(&'static str, String) -> Pin<Box<dyn Future<Output = Result<String, ApiError>>>>>;

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Waiting,
    Sending,
    Done(String),
    Failed(String),
}

/// What the list can do to many: `(op, button label, what the
/// confirmation says it does)`; `label_of` names a target for people.
#[component]
pub fn BulkBar(
    sel: Selection,
    noun: &'static str,
    ops: Vec<(&'static str, &'static str, &'static str)>,
    #[prop(into)] label_of: Callback<String, String>,
    run: Run,
) -> impl IntoView {
    let asking = RwSignal::new(None::<(&'static str, &'static str, &'static str)>);
    let results = RwSignal::new(Vec::<(String, Outcome)>::new());
    let running = RwSignal::new(false);
    let run = StoredValue::new_local(run);
    let start = move |op: &'static str| {
        let keys = sel.targets();
        results.set(
            keys.iter()
                .map(|k| (label_of.run(k.clone()), Outcome::Waiting))
                .collect(),
        );
        asking.set(None);
        running.set(true);
        let queue = Rc::new(RefCell::new(
            keys.into_iter().enumerate().collect::<VecDeque<_>>(),
        ));
        let left = Rc::new(Cell::new(AT_ONCE));
        for _ in 0..AT_ONCE {
            let (queue, left) = (queue.clone(), left.clone());
            let Some(run) = run.try_get_value() else {
                return;
            };
            leptos::task::spawn_local(async move {
                loop {
                    let next = queue.borrow_mut().pop_front();
                    let Some((i, key)) = next else { break };
                    results.try_update(|r| r[i].1 = Outcome::Sending);
                    let out = match run(op, key).await {
                        Ok(m) => Outcome::Done(m),
                        Err(e) => Outcome::Failed(e.to_string()),
                    };
                    results.try_update(|r| r[i].1 = out);
                }
                left.set(left.get() - 1);
                if left.get() == 0 {
                    running.try_set(false);
                }
            });
        }
    };
    let summary = move || {
        results.with(|r| {
            let done = r
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Done(_)))
                .count();
            let failed = r
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Failed(_)))
                .count();
            format!(
                "{done} done, {failed} failed, {} to go",
                r.len() - done - failed
            )
        })
    };
    view! {
        {move || (sel.count() > 0 && results.with(Vec::is_empty)).then(|| {
            let ops = ops.clone();
            view! {
                <div class="bulk-bar" data-testid="bulk-bar">
                    <strong>{move || format!("{} {noun} selected", sel.count())}</strong>
                    {ops.into_iter().map(|(op, label, does)| view! {
                        <button class="button" data-bulk=op on:click=move |_| asking.set(Some((op, label, does)))>{format!("{label}…")}</button>
                    }).collect_view()}
                    <button class="button" on:click=move |_| sel.pick_all() data-testid="bulk-all">{move || format!("Select all {} matching", sel.order.with(Vec::len))}</button>
                    <button class="button" on:click=move |_| sel.clear()>"Clear"</button>
                </div>
            }
        })}
        {move || asking.get().map(|(op, label, does)| {
            let targets = sel.targets();
            view! {
                <Confirm testid=format!("confirm-bulk-{op}") action=format!("bulk-{op}") label=format!("{label} {} {noun}", targets.len())
                    on_confirm=move |_| start(op) on_cancel=move |_| asking.set(None)>
                    <p>{format!("{does} these {} {noun}:", targets.len())}</p>
                    <ul class="bulk-targets">{targets.into_iter().map(|k| view! { <li>{label_of.run(k)}</li> }).collect_view()}</ul>
                </Confirm>
            }
        })}
        {move || (!results.with(Vec::is_empty)).then(|| view! {
            <div class="bulk-results card" data-testid="bulk-results">
                <header>
                    <strong data-testid="bulk-summary">{summary}</strong>
                    <span class="spacer"></span>
                    <button class="button small" disabled=move || running.get() on:click=move |_| { results.set(vec![]); sel.clear(); }>"Done"</button>
                </header>
                <ul>
                    {move || results.get().into_iter().map(|(label, o)| {
                        let (class, text) = match o {
                            Outcome::Waiting => ("muted", "waiting".to_string()),
                            Outcome::Sending => ("muted", "sending…".to_string()),
                            Outcome::Done(m) => ("ok", m),
                            Outcome::Failed(e) => ("danger", e),
                        };
                        let name = label.clone();
                        view! { <li data-target=label data-outcome=class><span class="name">{name}</span><span class=class>{text}</span></li> }
                    }).collect_view()}
                </ul>
            </div>
        })}
    }
}
