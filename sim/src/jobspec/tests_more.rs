use super::*;
use serde_json::json;

fn parse(src: &str) -> Value {
    match parse_job(src, "") {
        Ok(v) => v,
        Err(e) => panic!("parse failed:\n{e}"),
    }
}

const SEC: i64 = 1_000_000_000;

#[test]
fn runtime_interpolations_left_literal() {
    // jobspec2's TestParse_UndefinedVariables cases come out unchanged.
    for case in [
        "plain",
        "foo-${BAR}",
        "foo-${attr.network.dev-us-east1-relay-vpc.external-ip.0}",
        "${env[\"BLAH\"]}",
        "${mixed-indexing.0[3][\"FOO\"].5}",
        "with spaces ${   root.  field[  \"FOO\"].5  }",
    ] {
        // Quotes inside `${...}` are expression syntax, not escaped.
        let src = format!("job \"example\" {{\n  region = \"{case}\"\n}}\n");
        let job = parse(&src);
        assert_eq!(job["Region"], case, "case {case}");
    }
    let job = parse("job \"example\" {\n  region = meta.mytest\n}\n");
    assert_eq!(job["Region"], "${meta.mytest}");

    let job = parse(
        r#"
job "x" {
  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }
  group "g" {
    task "t" {
      driver = "docker"
      env {
        ALLOC     = "${NOMAD_ALLOC_ID}"
        CLASS     = "${node.class}-${meta.rack}"
        ADDR      = "${NOMAD_IP_http}:${NOMAD_PORT_http}"
        ESCAPED   = "$${NOMAD_ALLOC_ID}"
        DIRECTIVE = "%%{ not a directive }"
      }
      template {
        data = <<EOT
alloc=${NOMAD_ALLOC_ID} dc=${node.datacenter}
{{ range service "db" }}{{ .Address }}{{ end }}
EOT
        destination = "local/env"
      }
    }
  }
}
"#,
    );
    assert_eq!(
        job["Constraints"][0],
        json!({"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="})
    );
    let t = &job["TaskGroups"][0]["Tasks"][0];
    assert_eq!(
        t["Env"],
        json!({
            "ALLOC": "${NOMAD_ALLOC_ID}",
            "CLASS": "${node.class}-${meta.rack}",
            "ADDR": "${NOMAD_IP_http}:${NOMAD_PORT_http}",
            "ESCAPED": "${NOMAD_ALLOC_ID}",
            "DIRECTIVE": "%{ not a directive }",
        })
    );
    assert_eq!(
        t["Templates"][0]["EmbeddedTmpl"],
        "alloc=${NOMAD_ALLOC_ID} dc=${node.datacenter}\n{{ range service \"db\" }}{{ .Address }}{{ end }}\n"
    );
}

#[test]
fn durations_become_nanoseconds() {
    let job = parse(
        r#"
job "d" {
  group "g" {
    shutdown_delay = "1h30m"
    max_client_disconnect = "2.5s"
    restart {
      delay    = "500ms"
      interval = 1000
    }
    task "t" {
      driver       = "docker"
      kill_timeout = "1m0.5s"
      service {
        check {
          type     = "http"
          path     = "/health"
          interval = "250us"
          timeout  = "3s"
          header {
            Authorization = ["Basic xyz"]
          }
          check_restart {
            limit = 3
            grace = "90s"
          }
        }
      }
    }
  }
}
"#,
    );
    let g = &job["TaskGroups"][0];
    assert_eq!(g["ShutdownDelay"], 5400 * SEC);
    assert_eq!(g["MaxClientDisconnect"], 2_500_000_000_i64);
    assert_eq!(g["RestartPolicy"]["Delay"], 500_000_000);
    // A bare number is taken as nanoseconds.
    assert_eq!(g["RestartPolicy"]["Interval"], 1000);
    let t = &g["Tasks"][0];
    assert_eq!(t["KillTimeout"], 60 * SEC + 500_000_000);
    let check = &t["Services"][0]["Checks"][0];
    assert_eq!(check["Interval"], 250_000);
    assert_eq!(check["Timeout"], 3 * SEC);
    assert_eq!(check["Header"], json!({"Authorization": ["Basic xyz"]}));
    assert_eq!(
        check["CheckRestart"],
        json!({"Limit": 3, "Grace": 90 * SEC, "IgnoreWarnings": false})
    );
}

#[test]
fn labels_become_ids_and_names() {
    let job = parse(
        r#"
job "label-id" {
  name = "Pretty Name"
  spread {
    attribute = "${node.datacenter}"
    weight    = 100
    target "dc1" {
      percent = 60
    }
    target "dc2" {
      percent = 40
    }
  }
  group "first" {
    volume "data" {
      type      = "host"
      source    = "data-vol"
      read_only = true
    }
    network {
      mode = "bridge"
      port "http" {
        static = 8080
        to     = 80
      }
      port "metrics" {}
    }
    task "a" {
      driver = "docker"
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
    }
    task "b" {
      driver = "docker"
    }
  }
  group "second" {}
}
"#,
    );
    assert_eq!(job["ID"], "label-id");
    assert_eq!(job["Name"], "Pretty Name");
    let sp = &job["Spreads"][0];
    assert_eq!(sp["Weight"], 100);
    assert_eq!(
        sp["SpreadTarget"],
        json!([{"Value": "dc1", "Percent": 60}, {"Value": "dc2", "Percent": 40}])
    );
    let names: Vec<&Value> = job["TaskGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["Name"])
        .collect();
    assert_eq!(names, [&json!("first"), &json!("second")]);
    let g = &job["TaskGroups"][0];
    assert_eq!(g["Tasks"][0]["Name"], "a");
    assert_eq!(g["Tasks"][1]["Name"], "b");
    assert_eq!(g["Volumes"]["data"]["Name"], "data");
    assert_eq!(g["Volumes"]["data"]["Source"], "data-vol");
    assert_eq!(g["Volumes"]["data"]["ReadOnly"], true);
    assert_eq!(g["Tasks"][0]["VolumeMounts"][0]["Destination"], "/data");
    let net = &g["Networks"][0];
    assert_eq!(net["Mode"], "bridge");
    assert_eq!(net["ReservedPorts"][0]["Label"], "http");
    assert_eq!(net["ReservedPorts"][0]["Value"], 8080);
    assert_eq!(net["ReservedPorts"][0]["To"], 80);
    assert_eq!(net["DynamicPorts"][0]["Label"], "metrics");
    assert_eq!(job["TaskGroups"][1]["Tasks"], Value::Null);
}

#[test]
fn constraints_affinities_shorthands() {
    let job = parse(
        r#"
job "c" {
  constraint {
    distinct_hosts = true
  }
  constraint {
    distinct_property = "${meta.rack}"
    value             = "2"
  }
  constraint {
    attribute = "${attr.os.version}"
    version   = ">= 22.04"
  }
  constraint {
    attribute = "${attr.cpu.arch}"
    operator  = "!="
    value     = "arm64"
  }
  affinity {
    attribute = "${node.class}"
    value     = "big"
    weight    = 50
  }
  affinity {
    attribute        = "${meta.tags}"
    set_contains_any = "a,b"
  }
}
"#,
    );
    assert_eq!(
        job["Constraints"],
        json!([
            {"LTarget": "", "RTarget": "true", "Operand": "distinct_hosts"},
            {"LTarget": "${meta.rack}", "RTarget": "2", "Operand": "distinct_property"},
            {"LTarget": "${attr.os.version}", "RTarget": ">= 22.04", "Operand": "version"},
            {"LTarget": "${attr.cpu.arch}", "RTarget": "arm64", "Operand": "!="},
        ])
    );
    assert_eq!(
        job["Affinities"],
        json!([
            {"LTarget": "${node.class}", "RTarget": "big", "Operand": "=", "Weight": 50},
            {"LTarget": "${meta.tags}", "RTarget": "a,b", "Operand": "set_contains_any", "Weight": null},
        ])
    );
}

#[test]
fn config_is_free_form_with_blocks_as_lists() {
    let job = parse(
        r#"
job "cfg" {
  group "g" {
    task "t" {
      driver = "docker"
      config {
        image      = "app:1"
        force_pull = false
        port_map   = { http = 8080 }
        CamelKey   = 1.5
        mount {
          type   = "bind"
          source = "local/a"
        }
        mount {
          type = "tmpfs"
        }
        logging "syslog" {
          tag = "app"
        }
      }
      meta = {
        "dotted.key" = "v"
      }
      env = {
        PORT = 8080
      }
    }
  }
}
"#,
    );
    let t = &job["TaskGroups"][0]["Tasks"][0];
    assert_eq!(
        t["Config"],
        json!({
            "image": "app:1",
            "force_pull": false,
            "port_map": [{"http": 8080}],
            "CamelKey": 1.5,
            "mount": [{"type": "bind", "source": "local/a"}, {"type": "tmpfs"}],
            "logging": [{"syslog": [{"tag": "app"}]}],
        })
    );
    assert_eq!(t["Meta"], json!({"dotted.key": "v"}));
    assert_eq!(t["Env"], json!({"PORT": "8080"}));
}

#[test]
fn dynamic_blocks_expand() {
    let job = parse(
        r#"
job "example" {
  dynamic "group" {
    for_each = [
      { name = "groupA", idx = 1 },
      { name = "groupB", idx = 2 },
    ]
    labels = [group.value.name]
    content {
      count = group.value.idx
      service {
        port = group.value.name
      }
      task "simple" {
        driver = "raw_exec"
        config {
          command = group.value.name
        }
        dynamic "template" {
          for_each = ["a", "b"]
          iterator = tpl
          content {
            data        = "${tpl.key}:${tpl.value}"
            destination = "local/${tpl.value}"
          }
        }
        env {
          ID = format("id:%s", group.value.idx)
        }
      }
    }
  }
}
"#,
    );
    let gs = job["TaskGroups"].as_array().unwrap();
    assert_eq!(gs.len(), 2);
    assert_eq!(gs[1]["Name"], "groupB");
    assert_eq!(gs[1]["Count"], 2);
    assert_eq!(gs[0]["Services"][0]["PortLabel"], "groupA");
    let t = &gs[1]["Tasks"][0];
    assert_eq!(t["Config"]["command"], "groupB");
    assert_eq!(t["Env"]["ID"], "id:2");
    assert_eq!(t["Templates"][1]["EmbeddedTmpl"], "1:b");
    assert_eq!(t["Templates"][1]["DestPath"], "local/b");
}

#[test]
fn job_level_task_gets_its_own_group_and_vault_defaults() {
    let job = parse(
        r#"
job "solo" {
  vault {
    policies = ["read"]
  }
  task "lonely" {
    driver = "exec"
  }
  group "g" {
    vault {
      role = "group-role"
    }
    task "t" {
      driver = "exec"
    }
  }
}
"#,
    );
    let gs = job["TaskGroups"].as_array().unwrap();
    assert_eq!(gs.len(), 2);
    assert_eq!(gs[0]["Name"], "lonely");
    assert_eq!(gs[0]["Tasks"][0]["Name"], "lonely");
    assert_eq!(gs[0]["Count"], Value::Null);
    let v = &gs[0]["Tasks"][0]["Vault"];
    assert_eq!(v["Policies"], json!(["read"]));
    assert_eq!(v["Env"], true);
    assert_eq!(v["DisableFile"], false);
    assert_eq!(v["ChangeMode"], "restart");
    let v = &gs[1]["Tasks"][0]["Vault"];
    assert_eq!(v["Role"], "group-role");
    assert_eq!(v["ChangeMode"], "restart");
}

#[test]
fn connect_sidecar_and_scaling() {
    let job = parse(
        r#"
job "countdash" {
  group "dashboard" {
    scaling {
      min = 1
      max = 5
      policy {
        cooldown = "1m"
      }
    }
    network {
      mode = "bridge"
    }
    service {
      name = "count-dashboard"
      port = "9002"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "count-api"
              local_bind_port  = 8080
            }
          }
        }
      }
    }
    task "dashboard" {
      driver = "docker"
      env {
        COUNTING_SERVICE_URL = "http://${NOMAD_UPSTREAM_ADDR_count_api}"
      }
      scaling "cpu" {
        max = 2000
      }
    }
  }
}
"#,
    );
    let g = &job["TaskGroups"][0];
    assert_eq!(g["Scaling"]["Min"], 1);
    assert_eq!(g["Scaling"]["Max"], 5);
    assert_eq!(g["Scaling"]["Type"], "horizontal");
    assert_eq!(g["Scaling"]["Policy"], json!({"cooldown": "1m"}));
    let up = &g["Services"][0]["Connect"]["SidecarService"]["Proxy"]["Upstreams"][0];
    assert_eq!(up["DestinationName"], "count-api");
    assert_eq!(up["LocalBindPort"], 8080);
    let t = &g["Tasks"][0];
    assert_eq!(
        t["Env"]["COUNTING_SERVICE_URL"],
        "http://${NOMAD_UPSTREAM_ADDR_count_api}"
    );
    assert_eq!(t["ScalingPolicies"][0]["Type"], "vertical_cpu");
    assert_eq!(t["ScalingPolicies"][0]["Max"], 2000);
}

#[test]
fn expressions_and_templates() {
    let job = parse(
        r#"
locals {
  n     = 3
  names = { b = 2, a = 1 }
}
job "e" {
  meta {
    sum     = local.n * 2 + 1
    cond    = local.n > 2 ? "big" : "small"
    keys    = join(",", keys(local.names))
    loop    = "%{ for k, v in local.names ~}${k}=${v};%{ endfor ~}"
    check   = "%{ if local.n == 3 }three%{ else }other%{ endif }"
    splat   = join("-", [for o in [{x = "p"}, {x = "q"}] : o.x])
    try     = try(local.missing, "fallback")
    heredoc = trimspace(<<-EOT
      indented
      EOT
    )
    servers = <<EOT
%{ for s in ["a", "b"] ~}
server ${s}:${local.n}
%{ endfor ~}
EOT
  }
}
"#,
    );
    assert_eq!(
        job["Meta"],
        json!({
            "sum": "7",
            "cond": "big",
            "keys": "a,b",
            "loop": "a=1;b=2;",
            "check": "three",
            "splat": "p-q",
            "try": "fallback",
            "heredoc": "indented",
            "servers": "server a:3\nserver b:3\n",
        })
    );
}

#[test]
fn parse_request_wraps_like_nomad() {
    assert_eq!(
        parse_request("", ""),
        Err((400, "Job spec is empty".to_string()))
    );
    let ok = parse_request("job \"a\" {}\n", "").unwrap();
    assert_eq!(ok["ID"], "a");
    let (status, text) = parse_request("job \"a\" {\n  bogus = 1\n}\n", "").unwrap_err();
    assert_eq!(status, 400);
    assert_eq!(
        text,
        "Failed to parse job: input.hcl:2,3-8: Unsupported argument; An argument named \"bogus\" is not expected here."
    );
}
