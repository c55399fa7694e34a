//! Live utilisation: rolling windows of samples and their chart geometry,
//! plus the figures an operator reads from `/v1/client/stats` and
//! `/v1/client/allocation/:id/stats`.

use crate::client::{HostStats, ResourceUsage};
use std::collections::VecDeque;

/// A rolling window of `(time in ms, value)` samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    window_ms: f64,
    points: VecDeque<(f64, f64)>,
}

impl Series {
    pub fn new(window_ms: f64) -> Self {
        Series {
            window_ms,
            points: VecDeque::new(),
        }
    }

    /// Adds a sample and forgets those older than the window (keeping one
    /// just before it, so the line reaches the left edge). A sample older
    /// than the newest (a clock step) replaces the window.
    pub fn push(&mut self, t_ms: f64, v: f64) {
        if !v.is_finite() || !t_ms.is_finite() {
            return;
        }
        if self.points.back().is_some_and(|(t, _)| *t > t_ms) {
            self.points.clear();
        }
        if self.points.back().is_some_and(|(t, _)| *t == t_ms) {
            self.points.pop_back();
        }
        self.points.push_back((t_ms, v));
        let edge = t_ms - self.window_ms;
        while self.points.len() > 2 && self.points[1].0 <= edge {
            self.points.pop_front();
        }
    }

    pub fn last(&self) -> Option<f64> {
        self.points.back().map(|p| p.1)
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn max(&self) -> f64 {
        self.points.iter().map(|p| p.1).fold(0.0, f64::max)
    }

    /// SVG paths `(line, area)` of the window ending at `now_ms`, in a
    /// `w`×`h` box where `top` is the value drawn at the top edge.
    pub fn paths(&self, now_ms: f64, w: f64, h: f64, top: f64) -> (String, String) {
        if self.points.is_empty() || top <= 0.0 {
            return (String::new(), String::new());
        }
        let x = |t: f64| (w * (1.0 - (now_ms - t) / self.window_ms)).clamp(0.0, w);
        let y = |v: f64| h - (v / top).clamp(0.0, 1.0) * h;
        let mut line = String::with_capacity(self.points.len() * 16);
        for (i, (t, v)) in self.points.iter().enumerate() {
            let cmd = if i == 0 { 'M' } else { 'L' };
            line.push_str(&format!("{cmd}{:.1},{:.1}", x(*t), y(*v)));
        }
        let first = x(self.points[0].0);
        let last = x(self.points[self.points.len() - 1].0);
        let area = format!("{line}L{last:.1},{h:.1}L{first:.1},{h:.1}Z");
        (line, area)
    }
}

impl ResourceUsage {
    /// Memory in use, in bytes: RSS where measured (cgroups v1), else the
    /// cgroup's usage (cgroups v2 reports no RSS).
    pub fn memory_bytes(&self) -> u64 {
        self.memory_stats
            .as_ref()
            .map(|m| if m.rss > 0 { m.rss } else { m.usage })
            .unwrap_or(0)
    }
    /// CPU in use, in MHz (Nomad's "ticks" are MHz of the node's clock).
    pub fn cpu_mhz(&self) -> f64 {
        self.cpu_stats
            .as_ref()
            .map(|c| c.total_ticks)
            .unwrap_or(0.0)
    }
}

impl HostStats {
    /// `(used, total)` memory bytes.
    pub fn memory(&self) -> (u64, u64) {
        self.memory
            .as_ref()
            .map(|m| {
                let used = if m.used > 0 {
                    m.used
                } else {
                    m.total.saturating_sub(m.available)
                };
                (used, m.total)
            })
            .unwrap_or((0, 0))
    }
    /// `(used, size)` bytes of the disk holding allocations (or the first disk).
    pub fn disk(&self) -> (u64, u64) {
        self.alloc_dir_stats
            .as_ref()
            .filter(|d| d.size > 0)
            .or_else(|| self.disk_stats.first())
            .map(|d| (d.used, d.size))
            .unwrap_or((0, 0))
    }
}

/// A share in percent, 0 when the whole is unknown.
pub fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        part * 100.0 / whole
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{CpuStats, MemoryStats};

    #[test]
    fn window_forgets_old_samples_but_keeps_the_edge() {
        let mut s = Series::new(10_000.0);
        for i in 0..30 {
            s.push(i as f64 * 1000.0, i as f64);
        }
        // 20..=29 lie in the window; 19 is kept so the line starts at the edge
        assert_eq!(s.len(), 11);
        assert_eq!(s.last(), Some(29.0));
        assert_eq!(s.max(), 29.0);
        let (line, area) = s.paths(29_000.0, 100.0, 50.0, 58.0);
        assert!(line.starts_with("M0.0,"), "{line}");
        assert!(line.ends_with("L100.0,25.0"), "{line}");
        assert!(area.ends_with("L0.0,50.0Z"), "{area}");
        s.push(f64::NAN, 1.0);
        s.push(31_000.0, f64::INFINITY);
        assert_eq!(s.len(), 11);
        // the clock went back: start again rather than draw backwards
        s.push(5_000.0, 3.0);
        assert_eq!(s.len(), 1);
        assert_eq!(Series::new(1.0).paths(0.0, 1.0, 1.0, 1.0).0, "");
    }

    #[test]
    fn memory_prefers_rss_and_falls_back_to_usage() {
        let mut u = ResourceUsage {
            memory_stats: Some(MemoryStats {
                rss: 0,
                usage: 300,
                ..Default::default()
            }),
            cpu_stats: Some(CpuStats {
                total_ticks: 250.5,
                ..Default::default()
            }),
        };
        assert_eq!(u.memory_bytes(), 300);
        u.memory_stats.as_mut().unwrap().rss = 200;
        assert_eq!(u.memory_bytes(), 200);
        assert_eq!(u.cpu_mhz(), 250.5);
        assert_eq!(ResourceUsage::default().memory_bytes(), 0);
        assert_eq!(percent(1.0, 0.0), 0.0);
        assert_eq!(percent(1.0, 4.0), 25.0);
    }
}
