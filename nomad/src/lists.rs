//! Client-side filtering and sorting of large lists (jobs, allocations,
//! nodes). Work is split so a keystroke only filters: the sort order and
//! the lower-cased search keys are computed once per list update, and a
//! filter walks the sorted order keeping matches (so results stay sorted).

use crate::JobListStub;
use std::cmp::Ordering;

/// What the URL asks the jobs list to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobQuery {
    pub text: String,
    pub status: String,
    pub job_type: String,
    pub namespace: String,
    pub datacenter: String,
}

/// Lower-cased IDs and names, one per job, for the text filter.
pub fn job_search_keys(jobs: &[JobListStub]) -> Vec<String> {
    jobs.iter()
        .map(|j| {
            if j.name == j.id {
                j.id.to_lowercase()
            } else {
                format!("{} {}", j.id, j.name).to_lowercase()
            }
        })
        .collect()
}

/// Indices of `jobs` sorted by the column `sort` names (`name` when empty
/// or unknown), ties broken by ID then namespace so the order is total.
pub fn job_order(jobs: &[JobListStub], sort: &str, desc: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..jobs.len()).collect();
    let tie = |a: &JobListStub, b: &JobListStub| {
        a.id.cmp(&b.id).then_with(|| a.namespace.cmp(&b.namespace))
    };
    let key: fn(&JobListStub, &JobListStub) -> Ordering = match sort {
        "type" => |a, b| a.job_type.cmp(&b.job_type),
        "priority" => |a, b| a.priority.cmp(&b.priority),
        "status" => |a, b| a.status.cmp(&b.status),
        "namespace" => |a, b| a.namespace.cmp(&b.namespace),
        "submitted" => |a, b| a.submit_time.cmp(&b.submit_time),
        _ => |_, _| Ordering::Equal,
    };
    idx.sort_unstable_by(|&a, &b| {
        let (a, b) = (&jobs[a], &jobs[b]);
        key(a, b).then_with(|| tie(a, b))
    });
    if desc {
        idx.reverse();
    }
    idx
}

/// The jobs of `order` the query keeps (child jobs of periodic and
/// parameterized parents are listed under their parent, not here).
pub fn select_jobs(
    jobs: &[JobListStub],
    keys: &[String],
    order: &[usize],
    q: &JobQuery,
) -> Vec<usize> {
    let text = q.text.trim().to_lowercase();
    order
        .iter()
        .copied()
        .filter(|&i| {
            let j = &jobs[i];
            j.parent_id.is_empty()
                && (text.is_empty() || keys.get(i).is_some_and(|k| k.contains(&text)))
                && (q.status.is_empty() || j.status == q.status)
                && (q.job_type.is_empty() || j.job_type == q.job_type)
                && (q.namespace.is_empty() || ns_of(&j.namespace) == q.namespace)
                && (q.datacenter.is_empty()
                    || j.datacenters.iter().any(|d| *d == q.datacenter || d == "*"))
        })
        .collect()
}

/// A namespace as shown: agents before namespaces send none.
pub fn ns_of(ns: &str) -> &str {
    if ns.is_empty() {
        "default"
    } else {
        ns
    }
}

/// Distinct values, sorted, for a facet menu.
pub fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<&str> = values.collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, ns: &str, status: &str, ty: &str, prio: i64) -> JobListStub {
        JobListStub {
            id: id.into(),
            name: id.into(),
            namespace: ns.into(),
            status: status.into(),
            job_type: ty.into(),
            priority: prio,
            datacenters: vec!["dc1".into()],
            ..Default::default()
        }
    }

    fn ids(jobs: &[JobListStub], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| jobs[i].id.clone()).collect()
    }

    #[test]
    fn filters_keep_sorted_order_and_combine() {
        let mut jobs = vec![
            job("web", "default", "running", "service", 50),
            job("api", "prod", "running", "service", 70),
            job("cron", "default", "dead", "batch", 20),
            job("api-worker", "default", "pending", "service", 50),
        ];
        jobs.push(JobListStub {
            parent_id: "cron".into(),
            ..job("cron/periodic-1", "default", "dead", "batch", 20)
        });
        let keys = job_search_keys(&jobs);
        let order = job_order(&jobs, "", false);
        let all = select_jobs(&jobs, &keys, &order, &JobQuery::default());
        assert_eq!(ids(&jobs, &all), ["api", "api-worker", "cron", "web"]);
        let q = JobQuery {
            text: " API".into(),
            ..Default::default()
        };
        assert_eq!(
            ids(&jobs, &select_jobs(&jobs, &keys, &order, &q)),
            ["api", "api-worker"]
        );
        let q = JobQuery {
            text: "api".into(),
            namespace: "default".into(),
            ..Default::default()
        };
        assert_eq!(
            ids(&jobs, &select_jobs(&jobs, &keys, &order, &q)),
            ["api-worker"]
        );
        let q = JobQuery {
            status: "dead".into(),
            job_type: "batch".into(),
            ..Default::default()
        };
        assert_eq!(ids(&jobs, &select_jobs(&jobs, &keys, &order, &q)), ["cron"]);
        let by_prio = job_order(&jobs, "priority", true);
        let all = select_jobs(&jobs, &keys, &by_prio, &JobQuery::default());
        assert_eq!(ids(&jobs, &all), ["api", "web", "api-worker", "cron"]);
    }

    #[test]
    fn name_is_searched_as_well_as_id() {
        let jobs = vec![JobListStub {
            name: "Billing Gateway".into(),
            ..job("bg-1", "", "running", "service", 50)
        }];
        let keys = job_search_keys(&jobs);
        let order = job_order(&jobs, "name", false);
        let q = JobQuery {
            text: "gateway".into(),
            namespace: "default".into(),
            ..Default::default()
        };
        assert_eq!(select_jobs(&jobs, &keys, &order, &q), [0]);
        assert_eq!(distinct(["b", "a", "b"].into_iter()), ["a", "b"]);
    }
}
