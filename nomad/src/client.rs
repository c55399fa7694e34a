//! Client endpoints: host stats, allocation stats and the file system.

use crate::de::{float, int, nd};
use crate::time::{UnixNanos, WallTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET /v1/client/stats`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostStats {
    pub memory: Option<HostMemoryStats>,
    #[serde(rename = "CPU", deserialize_with = "nd")]
    pub cpu: Vec<HostCpuStats>,
    #[serde(deserialize_with = "nd")]
    pub disk_stats: Vec<HostDiskStats>,
    pub alloc_dir_stats: Option<HostDiskStats>,
    #[serde(deserialize_with = "int")]
    pub uptime: u64,
    pub timestamp: UnixNanos,
    #[serde(rename = "CPUTicksConsumed", deserialize_with = "float")]
    pub cpu_ticks_consumed: f64,
}

impl HostStats {
    /// Average CPU use across cores, in percent.
    pub fn cpu_percent(&self) -> f64 {
        if self.cpu.is_empty() {
            return 0.0;
        }
        self.cpu.iter().map(|c| c.total).sum::<f64>() / self.cpu.len() as f64
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostMemoryStats {
    #[serde(deserialize_with = "int")]
    pub total: u64,
    #[serde(deserialize_with = "int")]
    pub available: u64,
    #[serde(deserialize_with = "int")]
    pub used: u64,
    #[serde(deserialize_with = "int")]
    pub free: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostCpuStats {
    #[serde(rename = "CPU", deserialize_with = "nd")]
    pub cpu: String,
    #[serde(deserialize_with = "float")]
    pub user: f64,
    #[serde(deserialize_with = "float")]
    pub system: f64,
    #[serde(deserialize_with = "float")]
    pub idle: f64,
    #[serde(deserialize_with = "float")]
    pub total: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostDiskStats {
    #[serde(deserialize_with = "nd")]
    pub device: String,
    #[serde(deserialize_with = "nd")]
    pub mountpoint: String,
    #[serde(deserialize_with = "int")]
    pub size: u64,
    #[serde(deserialize_with = "int")]
    pub used: u64,
    #[serde(deserialize_with = "int")]
    pub available: u64,
    #[serde(deserialize_with = "float")]
    pub used_percent: f64,
    #[serde(deserialize_with = "float")]
    pub inodes_used_percent: f64,
}

/// `GET /v1/client/allocation/:id/stats`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocResourceUsage {
    pub resource_usage: Option<ResourceUsage>,
    #[serde(deserialize_with = "nd")]
    pub tasks: BTreeMap<String, TaskResourceUsage>,
    pub timestamp: UnixNanos,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TaskResourceUsage {
    pub resource_usage: Option<ResourceUsage>,
    pub timestamp: UnixNanos,
    #[serde(deserialize_with = "nd")]
    pub pids: BTreeMap<String, ResourceUsage>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ResourceUsage {
    pub memory_stats: Option<MemoryStats>,
    pub cpu_stats: Option<CpuStats>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MemoryStats {
    #[serde(rename = "RSS", deserialize_with = "int")]
    pub rss: u64,
    #[serde(deserialize_with = "int")]
    pub cache: u64,
    #[serde(deserialize_with = "int")]
    pub swap: u64,
    #[serde(deserialize_with = "int")]
    pub usage: u64,
    #[serde(deserialize_with = "int")]
    pub max_usage: u64,
    #[serde(deserialize_with = "int")]
    pub kernel_usage: u64,
    #[serde(deserialize_with = "int")]
    pub kernel_max_usage: u64,
    #[serde(deserialize_with = "nd")]
    pub measured: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CpuStats {
    #[serde(deserialize_with = "float")]
    pub system_mode: f64,
    #[serde(deserialize_with = "float")]
    pub user_mode: f64,
    #[serde(deserialize_with = "float")]
    pub total_ticks: f64,
    #[serde(deserialize_with = "int")]
    pub throttled_periods: u64,
    #[serde(deserialize_with = "int")]
    pub throttled_time: u64,
    #[serde(deserialize_with = "float")]
    pub percent: f64,
    #[serde(deserialize_with = "nd")]
    pub measured: Vec<String>,
}

/// `GET /v1/client/fs/ls/:alloc` entry and `GET /v1/client/fs/stat/:alloc`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AllocFileInfo {
    #[serde(deserialize_with = "nd")]
    pub name: String,
    #[serde(deserialize_with = "crate::de::boolish")]
    pub is_dir: bool,
    #[serde(deserialize_with = "int")]
    pub size: u64,
    #[serde(deserialize_with = "nd")]
    pub file_mode: String,
    pub mod_time: WallTime,
    #[serde(deserialize_with = "nd")]
    pub content_type: String,
}
