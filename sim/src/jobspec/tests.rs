use super::*;
use serde_json::json;

fn parse(src: &str) -> Value {
    match parse_job(src, "") {
        Ok(v) => v,
        Err(e) => panic!("parse failed:\n{e}"),
    }
}

const SEC: i64 = 1_000_000_000;

/// `nomad job init` (command/asset/example.nomad.hcl, comments removed) plus
/// a check and a template.
const EXAMPLE: &str = r#"
job "example" {
  datacenters = ["*"]
  type = "service"

  update {
    max_parallel      = 1
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    auto_revert       = false
    canary            = 0
  }

  migrate {
    max_parallel     = 1
    health_check     = "checks"
    min_healthy_time = "10s"
    healthy_deadline = "5m"
  }

  ui {
    description = "Nomad **Example** Job"
    link {
      label = "Learn more about Nomad"
      url   = "https://developer.hashicorp.com/nomad"
    }
  }

  group "cache" {
    count = 1

    network {
      port "db" {
        to = 6379
      }
    }

    service {
      name     = "redis-cache"
      tags     = ["global", "cache"]
      port     = "db"
      provider = "nomad"

      check {
        name     = "alive"
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    restart {
      attempts = 2
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }

    ephemeral_disk {
      size = 300
    }

    task "redis" {
      driver = "docker"

      config {
        image          = "redis:7"
        ports          = ["db"]
        auth_soft_fail = true
      }

      shutdown_delay = "10s"

      identity {
        env  = true
        file = true
      }

      template {
        data        = "port={{ env \"NOMAD_PORT_db\" }}"
        destination = "local/redis.conf"
      }

      resources {
        cpu    = 500 # 500 MHz
        memory = 256 # 256MB
      }
    }
  }
}
"#;

#[test]
fn service_job_from_job_init() {
    let job = parse(EXAMPLE);
    assert_eq!(job["ID"], "example");
    assert_eq!(job["Name"], "example");
    assert_eq!(job["Type"], "service");
    assert_eq!(job["Datacenters"], json!(["*"]));
    assert_eq!(job["Priority"], Value::Null);
    assert_eq!(job["Dispatched"], false);

    let up = &job["Update"];
    assert_eq!(up["MaxParallel"], 1);
    assert_eq!(up["MinHealthyTime"], 10 * SEC);
    assert_eq!(up["HealthyDeadline"], 180 * SEC);
    assert_eq!(up["ProgressDeadline"], 600 * SEC);
    assert_eq!(up["AutoRevert"], false);
    assert_eq!(up["Canary"], 0);
    assert_eq!(up["Stagger"], Value::Null);
    assert_eq!(job["Migrate"]["HealthCheck"], "checks");
    assert_eq!(job["Migrate"]["HealthyDeadline"], 300 * SEC);
    assert_eq!(
        job["UI"]["Links"][0]["URL"],
        "https://developer.hashicorp.com/nomad"
    );

    let groups = job["TaskGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g["Name"], "cache");
    assert_eq!(g["Count"], 1);
    let net = &g["Networks"][0];
    assert_eq!(
        net["DynamicPorts"],
        json!([{"Label": "db", "Value": 0, "To": 6379, "HostNetwork": "", "IgnoreCollision": false}])
    );
    assert_eq!(net["ReservedPorts"], Value::Null);
    assert_eq!(net["Mode"], "");

    let svc = &g["Services"][0];
    assert_eq!(svc["Name"], "redis-cache");
    assert_eq!(svc["Tags"], json!(["global", "cache"]));
    assert_eq!(svc["PortLabel"], "db");
    assert_eq!(svc["Provider"], "nomad");
    let check = &svc["Checks"][0];
    assert_eq!(check["Name"], "alive");
    assert_eq!(check["Type"], "tcp");
    assert_eq!(check["Interval"], 10 * SEC);
    assert_eq!(check["Timeout"], 2 * SEC);
    assert_eq!(check["Header"], Value::Null);

    assert_eq!(
        g["RestartPolicy"],
        json!({"Attempts": 2, "Interval": 1800 * SEC, "Delay": 15 * SEC, "Mode": "fail", "RenderTemplates": null})
    );
    assert_eq!(
        g["EphemeralDisk"],
        json!({"SizeMB": 300, "Sticky": null, "Migrate": null})
    );

    let t = &g["Tasks"][0];
    assert_eq!(t["Name"], "redis");
    assert_eq!(t["Driver"], "docker");
    assert_eq!(
        t["Config"],
        json!({"image": "redis:7", "ports": ["db"], "auth_soft_fail": true})
    );
    assert_eq!(t["ShutdownDelay"], 10 * SEC);
    assert_eq!(t["KillTimeout"], Value::Null);
    assert_eq!(t["Resources"]["CPU"], 500);
    assert_eq!(t["Resources"]["MemoryMB"], 256);
    assert_eq!(t["Resources"]["MemoryMaxMB"], Value::Null);
    // The unnamed identity is the task's default identity (normalizeJob).
    assert_eq!(t["Identity"]["Env"], true);
    assert_eq!(t["Identity"]["File"], true);
    assert_eq!(t["Identities"], json!([]));
    let tpl = &t["Templates"][0];
    assert_eq!(tpl["EmbeddedTmpl"], "port={{ env \"NOMAD_PORT_db\" }}");
    assert_eq!(tpl["DestPath"], "local/redis.conf");
    assert_eq!(tpl["ChangeMode"], "restart");
    assert_eq!(tpl["Perms"], "0644");
    assert_eq!(tpl["Splay"], 5 * SEC);
    assert_eq!(tpl["ErrMissingKey"], false);
    assert_eq!(tpl["SourcePath"], Value::Null);
}

#[test]
fn job_json_has_every_api_job_field() {
    let job = parse("job \"x\" {}\n");
    let keys: Vec<&str> = job
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "Region",
        "Namespace",
        "ID",
        "Name",
        "Type",
        "Priority",
        "AllAtOnce",
        "Datacenters",
        "NodePool",
        "Constraints",
        "Affinities",
        "TaskGroups",
        "Update",
        "Multiregion",
        "Spreads",
        "Periodic",
        "ParameterizedJob",
        "Reschedule",
        "Migrate",
        "Meta",
        "UI",
        "Stop",
        "ParentID",
        "Dispatched",
        "DispatchIdempotencyToken",
        "Payload",
        "ConsulNamespace",
        "VaultNamespace",
        "NomadTokenID",
        "Status",
        "StatusDescription",
        "Stable",
        "Version",
        "SubmitTime",
        "CreateIndex",
        "ModifyIndex",
        "JobModifyIndex",
        "VersionTag",
    ] {
        assert!(keys.contains(&k), "missing {k}");
    }
    assert_eq!(keys.len(), 38);
    assert_eq!(job["TaskGroups"], Value::Null);
    assert_eq!(job["Datacenters"], Value::Null);
}

#[test]
fn batch_periodic_job() {
    let job = parse(
        r#"
job "backup" {
  type        = "batch"
  node_pool   = "storage"
  namespace   = "ops"
  region      = "eu"
  priority    = 70
  all_at_once = true

  periodic {
    crons            = ["0 3 * * *", "30 12 * * 1-5"]
    prohibit_overlap = true
    time_zone        = "Europe/Paris"
  }

  reschedule {
    attempts       = 0
    unlimited      = false
    delay          = "30s"
    delay_function = "exponential"
    max_delay      = "1h"
  }

  meta {
    owner = "ops"
    tier  = 2
  }

  group "run" {
    task "dump" {
      driver       = "raw_exec"
      user         = "backup"
      kill_timeout = "45s"

      lifecycle {
        hook    = "prestart"
        sidecar = false
      }

      artifact {
        source      = "https://example.com/dump.tar.gz"
        destination = "local/tools"
        options {
          checksum = "sha256:abcd"
        }
      }

      logs {
        max_files     = 3
        max_file_size = 10
      }

      config {
        command = "/usr/bin/dump"
        args    = ["--all", "--out", "${NOMAD_TASK_DIR}/dump.sql"]
      }

      resources {
        cpu        = 200
        memory     = 128
        memory_max = 512
        cores      = 2
      }
    }
  }
}
"#,
    );
    assert_eq!(job["Type"], "batch");
    assert_eq!(job["NodePool"], "storage");
    assert_eq!(job["Namespace"], "ops");
    assert_eq!(job["Region"], "eu");
    assert_eq!(job["Priority"], 70);
    assert_eq!(job["AllAtOnce"], true);
    let p = &job["Periodic"];
    assert_eq!(p["Specs"], json!(["0 3 * * *", "30 12 * * 1-5"]));
    assert_eq!(p["Spec"], Value::Null);
    assert_eq!(p["SpecType"], "cron");
    assert_eq!(p["ProhibitOverlap"], true);
    assert_eq!(p["TimeZone"], "Europe/Paris");
    assert_eq!(p["Enabled"], Value::Null);
    let r = &job["Reschedule"];
    assert_eq!(r["Attempts"], 0);
    assert_eq!(r["Delay"], 30 * SEC);
    assert_eq!(r["MaxDelay"], 3600 * SEC);
    assert_eq!(r["DelayFunction"], "exponential");
    // meta values convert to strings.
    assert_eq!(job["Meta"], json!({"owner": "ops", "tier": "2"}));

    let t = &job["TaskGroups"][0]["Tasks"][0];
    assert_eq!(t["User"], "backup");
    assert_eq!(t["KillTimeout"], 45 * SEC);
    assert_eq!(
        t["Lifecycle"],
        json!({"Hook": "prestart", "Sidecar": false})
    );
    assert_eq!(
        t["Artifacts"][0]["GetterSource"],
        "https://example.com/dump.tar.gz"
    );
    assert_eq!(t["Artifacts"][0]["RelativeDest"], "local/tools");
    assert_eq!(
        t["Artifacts"][0]["GetterOptions"],
        json!({"checksum": "sha256:abcd"})
    );
    assert_eq!(t["Artifacts"][0]["GetterMode"], Value::Null);
    assert_eq!(t["LogConfig"]["MaxFiles"], 3);
    assert_eq!(t["LogConfig"]["MaxFileSizeMB"], 10);
    assert_eq!(
        t["Config"]["args"],
        json!(["--all", "--out", "${NOMAD_TASK_DIR}/dump.sql"])
    );
    assert_eq!(t["Resources"]["MemoryMaxMB"], 512);
    assert_eq!(t["Resources"]["Cores"], 2);

    let single = parse("job \"p\" {\n  periodic {\n    cron = \"@daily\"\n  }\n}\n");
    assert_eq!(single["Periodic"]["Spec"], "@daily");
    assert_eq!(single["Periodic"]["SpecType"], "cron");
}

#[test]
fn parameterized_job() {
    let job = parse(
        r#"
job "dispatch-me" {
  type = "batch"
  parameterized {
    payload       = "required"
    meta_required = ["input"]
    meta_optional = ["retries", "verbose"]
  }
  group "g" {
    task "t" {
      driver = "exec"
      dispatch_payload {
        file = "input.json"
      }
      config {
        command = "process"
        args    = ["${NOMAD_META_input}"]
      }
    }
  }
}
"#,
    );
    assert_eq!(
        job["ParameterizedJob"],
        json!({"Payload": "required", "MetaRequired": ["input"], "MetaOptional": ["retries", "verbose"]})
    );
    let t = &job["TaskGroups"][0]["Tasks"][0];
    assert_eq!(t["DispatchPayload"], json!({"File": "input.json"}));
    assert_eq!(t["Config"]["args"], json!(["${NOMAD_META_input}"]));
    assert_eq!(job["Periodic"], Value::Null);
}

const WITH_VARS: &str = r#"
variable "image" {
  type    = string
  default = "nginx:1.25"
}

variable "replicas" {
  type    = number
  default = 2
}

variable "dcs" {
  type    = list(string)
  default = ["dc1"]
}

variables {
  region_var = "global"
}

locals {
  name = "web-${var.region_var}"
  tags = [for dc in var.dcs : upper(dc)]
}

job "web" {
  region      = var.region_var
  datacenters = var.dcs
  group "g" {
    count = var.replicas
    task "t" {
      driver = "docker"
      config {
        image = var.image
        args  = concat(local.tags, [format("%s-%d", local.name, var.replicas)])
      }
    }
  }
}
"#;

#[test]
fn variables_defaults() {
    let job = parse(WITH_VARS);
    assert_eq!(job["Region"], "global");
    assert_eq!(job["Datacenters"], json!(["dc1"]));
    let g = &job["TaskGroups"][0];
    assert_eq!(g["Count"], 2);
    assert_eq!(
        g["Tasks"][0]["Config"],
        json!({"image": "nginx:1.25", "args": ["DC1", "web-global-2"]})
    );
}

#[test]
fn variables_overridden_by_variables_content() {
    let overrides = "image = \"nginx:1.27\"\nreplicas = \"5\"\ndcs = [\"eu-1\", \"eu-2\"]\nregion_var = \"eu\"\nundeclared = 1\n";
    let job = parse_job(WITH_VARS, overrides).unwrap();
    assert_eq!(job["Region"], "eu");
    assert_eq!(job["Datacenters"], json!(["eu-1", "eu-2"]));
    let g = &job["TaskGroups"][0];
    // "5" converts to the declared number type.
    assert_eq!(g["Count"], 5);
    assert_eq!(g["Tasks"][0]["Config"]["image"], "nginx:1.27");
    assert_eq!(
        g["Tasks"][0]["Config"]["args"],
        json!(["EU-1", "EU-2", "web-eu-5"])
    );
}

#[test]
fn locals_in_any_order_and_lookup_functions() {
    let job = parse(
        r#"
variable "env" {
  default = "staging"
}
locals {
  env = lookup(local.environments, var.env, { count = 0, dcs = [] })
  environments = {
    prod    = { count = 20, dcs = ["prod-dc1", "prod-dc2"] },
    staging = { count = 3, dcs = ["dc1"] },
  }
}
job "job-webserver" {
  datacenters = local.env.dcs
  group "group-webserver" {
    count = local.env.count
  }
}
"#,
    );
    assert_eq!(job["Datacenters"], json!(["dc1"]));
    assert_eq!(job["TaskGroups"][0]["Count"], 3);
}
