//! The `api.*` structs a jobspec decodes into, as tables: Go field name (the
//! JSON key), hcl tag name, and kind. Fields without an hcl tag are listed
//! with the JSON value api.Job marshalling gives them when unset.

/// How a field is decoded and what it marshals to when unset.
#[derive(Clone, Copy)]
pub(crate) enum K {
    Str,
    StrP,
    Int,
    IntP,
    Bool,
    BoolP,
    Dur,
    DurP,
    StrList,
    IntList,
    /// `map[string]string` set as an attribute (`hcl:"args,optional"`).
    StrMapAttr,
    /// `map[string]string` block (`meta`, `env`, ...).
    StrMap,
    /// `map[string][]string` block (check `header`).
    StrListMap,
    /// `map[string]any` block (`config`): free-form, keys as written.
    AnyMap,
    One(&'static S),
    /// Like `One`, but omitted from JSON when unset (`json:",omitempty"`).
    OneOmit(&'static S),
    Many(&'static S),
    /// `map[string]*T` of labelled blocks, keyed by label.
    ByLabel(&'static S),
    Label,
    LabelP,
    /// Not settable from HCL; marshals as null / false / 0 / "".
    Null,
    False,
    Zero,
    Empty,
}

impl K {
    pub fn is_block(self) -> bool {
        matches!(
            self,
            K::StrMap
                | K::StrListMap
                | K::AnyMap
                | K::One(_)
                | K::OneOmit(_)
                | K::Many(_)
                | K::ByLabel(_)
        )
    }

    pub fn is_attr(self) -> bool {
        !self.is_block()
            && !matches!(
                self,
                K::Label | K::LabelP | K::Null | K::False | K::Zero | K::Empty
            )
    }
}

/// Special decoding a struct gets in jobspec2 (`hcl_conversions.go`).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Sp {
    None,
    Job,
    Group,
    Task,
    Constraint,
    Affinity,
}

pub(crate) struct F {
    pub go: &'static str,
    pub hcl: &'static str,
    pub kind: K,
    pub req: bool,
}

pub(crate) struct S {
    pub fields: &'static [F],
    pub sp: Sp,
}

impl S {
    /// The block label names (gohcl's `hcl:"name,label"`).
    pub fn label(&self) -> Option<&'static str> {
        self.fields
            .iter()
            .find(|f| matches!(f.kind, K::Label | K::LabelP))
            .map(|f| f.hcl)
    }
}

// Table builders, shared with `schema_consul`: `a` an optional field, `rq`
// a required one, `x` a field with no HCL name, `s` a plain block.
pub(super) const fn a(go: &'static str, hcl: &'static str, kind: K) -> F {
    F {
        go,
        hcl,
        kind,
        req: false,
    }
}
pub(super) const fn rq(go: &'static str, hcl: &'static str, kind: K) -> F {
    F {
        go,
        hcl,
        kind,
        req: true,
    }
}
pub(super) const fn x(go: &'static str, kind: K) -> F {
    F {
        go,
        hcl: "",
        kind,
        req: false,
    }
}
pub(super) const fn s(fields: &'static [F]) -> S {
    S {
        fields,
        sp: Sp::None,
    }
}

use K::*;

pub(crate) static JOB: S = S {
    sp: Sp::Job,
    fields: &[
        a("Region", "region", StrP),
        a("Namespace", "namespace", StrP),
        a("ID", "id", StrP),
        a("Name", "name", StrP),
        a("Type", "type", StrP),
        a("Priority", "priority", IntP),
        a("AllAtOnce", "all_at_once", BoolP),
        a("Datacenters", "datacenters", StrList),
        a("NodePool", "node_pool", StrP),
        a("Constraints", "constraint", Many(&CONSTRAINT)),
        a("Affinities", "affinity", Many(&AFFINITY)),
        a("TaskGroups", "group", Many(&GROUP)),
        a("Update", "update", One(&UPDATE)),
        a("Multiregion", "multiregion", One(&MULTIREGION)),
        a("Spreads", "spread", Many(&SPREAD)),
        a("Periodic", "periodic", One(&PERIODIC)),
        a("ParameterizedJob", "parameterized", One(&PARAMETERIZED)),
        a("Reschedule", "reschedule", One(&RESCHEDULE)),
        a("Migrate", "migrate", One(&MIGRATE)),
        a("Meta", "meta", StrMap),
        a("UI", "ui", One(&JOB_UI)),
        x("Stop", Null),
        x("ParentID", Null),
        x("Dispatched", False),
        x("DispatchIdempotencyToken", Null),
        x("Payload", Null),
        x("ConsulNamespace", Null),
        x("VaultNamespace", Null),
        x("NomadTokenID", Null),
        x("Status", Null),
        x("StatusDescription", Null),
        x("Stable", Null),
        x("Version", Null),
        x("SubmitTime", Null),
        x("CreateIndex", Null),
        x("ModifyIndex", Null),
        x("JobModifyIndex", Null),
        x("VersionTag", Null),
    ],
};

static UPDATE: S = s(&[
    a("Stagger", "stagger", DurP),
    a("MaxParallel", "max_parallel", IntP),
    a("HealthCheck", "health_check", StrP),
    a("MinHealthyTime", "min_healthy_time", DurP),
    a("HealthyDeadline", "healthy_deadline", DurP),
    a("ProgressDeadline", "progress_deadline", DurP),
    a("Canary", "canary", IntP),
    a("AutoRevert", "auto_revert", BoolP),
    a("AutoPromote", "auto_promote", BoolP),
]);
static MULTIREGION: S = s(&[
    a("Strategy", "strategy", One(&MR_STRATEGY)),
    a("Regions", "region", Many(&MR_REGION)),
]);
static MR_STRATEGY: S = s(&[
    a("MaxParallel", "max_parallel", IntP),
    a("OnFailure", "on_failure", StrP),
]);
static MR_REGION: S = s(&[
    a("Name", "", Label),
    a("Count", "count", IntP),
    a("Datacenters", "datacenters", StrList),
    a("NodePool", "node_pool", Str),
    a("Meta", "meta", StrMap),
]);
static PERIODIC: S = s(&[
    a("Enabled", "enabled", BoolP),
    a("Spec", "cron", StrP),
    a("Specs", "crons", StrList),
    x("SpecType", Null),
    a("ProhibitOverlap", "prohibit_overlap", BoolP),
    a("TimeZone", "time_zone", StrP),
]);
static PARAMETERIZED: S = s(&[
    a("Payload", "payload", Str),
    a("MetaRequired", "meta_required", StrList),
    a("MetaOptional", "meta_optional", StrList),
]);
static JOB_UI: S = s(&[
    a("Description", "description", Str),
    a("Links", "link", Many(&JOB_UI_LINK)),
]);
static JOB_UI_LINK: S = s(&[a("Label", "label", Str), a("URL", "url", Str)]);

pub(crate) static CONSTRAINT: S = S {
    sp: Sp::Constraint,
    fields: &[
        x("LTarget", Empty),
        x("RTarget", Empty),
        x("Operand", Empty),
    ],
};
pub(crate) static AFFINITY: S = S {
    sp: Sp::Affinity,
    fields: &[
        x("LTarget", Empty),
        x("RTarget", Empty),
        x("Operand", Empty),
        x("Weight", Null),
    ],
};
static SPREAD: S = s(&[
    a("Attribute", "attribute", Str),
    a("Weight", "weight", IntP),
    a("SpreadTarget", "target", Many(&SPREAD_TARGET)),
]);
static SPREAD_TARGET: S = s(&[a("Value", "", Label), a("Percent", "percent", Int)]);
static RESTART: S = s(&[
    a("Interval", "interval", DurP),
    a("Attempts", "attempts", IntP),
    a("Delay", "delay", DurP),
    a("Mode", "mode", StrP),
    a("RenderTemplates", "render_templates", BoolP),
]);
static DISCONNECT: S = s(&[
    a("LostAfter", "lost_after", DurP),
    a("StopOnClientAfter", "stop_on_client_after", DurP),
    a("Replace", "replace", BoolP),
    a("Reconcile", "reconcile", StrP),
]);
static RESCHEDULE: S = s(&[
    a("Attempts", "attempts", IntP),
    a("Interval", "interval", DurP),
    a("Delay", "delay", DurP),
    a("DelayFunction", "delay_function", StrP),
    a("MaxDelay", "max_delay", DurP),
    a("Unlimited", "unlimited", BoolP),
]);
static EPHEMERAL_DISK: S = s(&[
    a("Sticky", "sticky", BoolP),
    a("Migrate", "migrate", BoolP),
    a("SizeMB", "size", IntP),
]);
static MIGRATE: S = s(&[
    a("MaxParallel", "max_parallel", IntP),
    a("HealthCheck", "health_check", StrP),
    a("MinHealthyTime", "min_healthy_time", DurP),
    a("HealthyDeadline", "healthy_deadline", DurP),
]);
static VOLUME_REQUEST: S = s(&[
    a("Name", "name", Label),
    a("Type", "type", Str),
    a("Source", "source", Str),
    a("ReadOnly", "read_only", Bool),
    a("Sticky", "sticky", Bool),
    a("AccessMode", "access_mode", Str),
    a("AttachmentMode", "attachment_mode", Str),
    a("MountOptions", "mount_options", One(&CSI_MOUNT_OPTIONS)),
    a("PerAlloc", "per_alloc", Bool),
]);
static CSI_MOUNT_OPTIONS: S = s(&[
    a("FSType", "fs_type", Str),
    a("MountFlags", "mount_flags", StrList),
]);
pub(crate) static VOLUME_MOUNT: S = s(&[
    a("Volume", "volume", StrP),
    a("Destination", "destination", StrP),
    a("ReadOnly", "read_only", BoolP),
    a("PropagationMode", "propagation_mode", StrP),
    a("SELinuxLabel", "selinux_label", StrP),
]);

pub(crate) static GROUP: S = S {
    sp: Sp::Group,
    fields: &[
        a("Name", "name", LabelP),
        a("Count", "count", IntP),
        a("Constraints", "constraint", Many(&CONSTRAINT)),
        a("Affinities", "affinity", Many(&AFFINITY)),
        a("Tasks", "task", Many(&TASK)),
        a("Spreads", "spread", Many(&SPREAD)),
        a("Volumes", "volume", ByLabel(&VOLUME_REQUEST)),
        a("RestartPolicy", "restart", One(&RESTART)),
        a("Disconnect", "disconnect", One(&DISCONNECT)),
        a("ReschedulePolicy", "reschedule", One(&RESCHEDULE)),
        a("EphemeralDisk", "ephemeral_disk", One(&EPHEMERAL_DISK)),
        a("Update", "update", One(&UPDATE)),
        a("Migrate", "migrate", One(&MIGRATE)),
        a("Networks", "network", Many(&NETWORK)),
        a("Meta", "meta", StrMap),
        a("Services", "service", Many(&SERVICE)),
        a("ShutdownDelay", "shutdown_delay", DurP),
        a("MaxRunDuration", "max_run_duration", DurP),
        a(
            "StopAfterClientDisconnect",
            "stop_after_client_disconnect",
            DurP,
        ),
        a("MaxClientDisconnect", "max_client_disconnect", DurP),
        a("Scaling", "scaling", One(&SCALING)),
        a("Consul", "consul", One(&CONSUL)),
        a(
            "PreventRescheduleOnLost",
            "prevent_reschedule_on_lost",
            BoolP,
        ),
    ],
};

pub(crate) static TASK: S = S {
    sp: Sp::Task,
    fields: &[
        a("Name", "name", Label),
        a("Driver", "driver", Str),
        a("User", "user", Str),
        a("Lifecycle", "lifecycle", One(&LIFECYCLE)),
        a("Config", "config", AnyMap),
        a("Constraints", "constraint", Many(&CONSTRAINT)),
        a("Affinities", "affinity", Many(&AFFINITY)),
        a("Env", "env", StrMap),
        a("Services", "service", Many(&SERVICE)),
        a("Resources", "resources", One(&RESOURCES)),
        a("RestartPolicy", "restart", One(&RESTART)),
        a("Meta", "meta", StrMap),
        a("KillTimeout", "kill_timeout", DurP),
        a("LogConfig", "logs", One(&LOG_CONFIG)),
        a("Artifacts", "artifact", Many(&ARTIFACT)),
        a("Vault", "vault", One(&VAULT)),
        a("Consul", "consul", One(&CONSUL)),
        a("Templates", "template", Many(&TEMPLATE)),
        a(
            "DispatchPayload",
            "dispatch_payload",
            One(&DISPATCH_PAYLOAD),
        ),
        a("VolumeMounts", "volume_mount", Many(&VOLUME_MOUNT)),
        a("CSIPluginConfig", "csi_plugin", OneOmit(&CSI_PLUGIN)),
        a("Leader", "leader", Bool),
        a("ShutdownDelay", "shutdown_delay", Dur),
        a("KillSignal", "kill_signal", Str),
        a("Kind", "kind", Str),
        // `scaling "cpu"|"mem"` blocks are handled by the task decoder.
        x("ScalingPolicies", Null),
        a("Secrets", "secret", Many(&SECRET)),
        x("Identity", Null),
        a("Identities", "identity", Many(&IDENTITY)),
        a("Actions", "action", Many(&ACTION)),
        a("Schedule", "schedule", One(&TASK_SCHEDULE)),
    ],
};

static LIFECYCLE: S = s(&[rq("Hook", "hook", Str), a("Sidecar", "sidecar", Bool)]);
pub(crate) static LOG_CONFIG: S = s(&[
    a("MaxFiles", "max_files", IntP),
    a("MaxFileSizeMB", "max_file_size", IntP),
    a("Enabled", "enabled", BoolP),
    a("Disabled", "disabled", BoolP),
]);
static DISPATCH_PAYLOAD: S = s(&[a("File", "file", Str)]);
static ARTIFACT: S = s(&[
    a("GetterSource", "source", StrP),
    a("GetterOptions", "options", StrMap),
    a("GetterHeaders", "headers", StrMap),
    a("GetterMode", "mode", StrP),
    a("GetterInsecure", "insecure", BoolP),
    a("RelativeDest", "destination", StrP),
    a("Chown", "chown", Bool),
]);
static WAIT_CONFIG: S = s(&[a("Min", "min", DurP), a("Max", "max", DurP)]);
static CHANGE_SCRIPT: S = s(&[
    a("Command", "command", StrP),
    a("Args", "args", StrList),
    a("Timeout", "timeout", DurP),
    a("FailOnError", "fail_on_error", BoolP),
    a("RunOnFirstRender", "run_on_first_render", BoolP),
]);
static TEMPLATE: S = s(&[
    a("SourcePath", "source", StrP),
    a("DestPath", "destination", StrP),
    a("EmbeddedTmpl", "data", StrP),
    a("ChangeMode", "change_mode", StrP),
    a("ChangeScript", "change_script", One(&CHANGE_SCRIPT)),
    a("ChangeSignal", "change_signal", StrP),
    a("Once", "once", BoolP),
    a("Splay", "splay", DurP),
    a("Perms", "perms", StrP),
    a("Uid", "uid", IntP),
    a("Gid", "gid", IntP),
    a("LeftDelim", "left_delimiter", StrP),
    a("RightDelim", "right_delimiter", StrP),
    a("Envvars", "env", BoolP),
    a("VaultGrace", "vault_grace", DurP),
    a("Wait", "wait", One(&WAIT_CONFIG)),
    a("ErrMissingKey", "error_on_missing_key", BoolP),
]);
pub(crate) static VAULT: S = s(&[
    a("Policies", "policies", StrList),
    a("Role", "role", Str),
    a("Namespace", "namespace", StrP),
    a("Cluster", "cluster", Str),
    a("Env", "env", BoolP),
    a("DisableFile", "disable_file", BoolP),
    a("ChangeMode", "change_mode", StrP),
    a("ChangeSignal", "change_signal", StrP),
    a("AllowTokenExpiration", "allow_token_expiration", BoolP),
]);
pub(crate) static SECRET: S = s(&[
    a("Name", "name", Label),
    a("Provider", "provider", Str),
    a("Path", "path", Str),
    a("Config", "config", AnyMap),
    a("Env", "env", StrMap),
]);
static CSI_PLUGIN: S = s(&[
    a("ID", "id", Str),
    a("Type", "type", Str),
    a("MountDir", "mount_dir", Str),
    a("StagePublishBaseDir", "stage_publish_base_dir", Str),
    a("HealthTimeout", "health_timeout", Dur),
]);
pub(crate) static IDENTITY: S = s(&[
    a("Name", "name", Str),
    a("Audience", "aud", StrList),
    a("ChangeMode", "change_mode", Str),
    a("ChangeSignal", "change_signal", Str),
    a("Env", "env", Bool),
    a("File", "file", Bool),
    a("Filepath", "filepath", Str),
    a("ServiceName", "service_name", Str),
    a("TTL", "ttl", Dur),
    a("ExtraClaims", "extra_claims", StrList),
]);
static ACTION: S = s(&[
    a("Name", "name", Label),
    rq("Command", "command", Str),
    a("Args", "args", StrList),
]);
static TASK_SCHEDULE: S = s(&[a("Cron", "cron", One(&TASK_SCHEDULE_CRON))]);
static TASK_SCHEDULE_CRON: S = s(&[
    a("Start", "start", Str),
    a("End", "end", Str),
    a("Timezone", "timezone", Str),
]);
static CONSUL: S = s(&[
    a("Namespace", "namespace", Str),
    a("Cluster", "cluster", Str),
    a("Partition", "partition", Str),
]);
pub(crate) static SCALING: S = s(&[
    a("Min", "min", IntP),
    a("Max", "max", IntP),
    a("Policy", "policy", AnyMap),
    a("Enabled", "enabled", BoolP),
    a("Type", "type", Str),
    x("ID", Empty),
    x("Namespace", Empty),
    x("Target", Null),
    x("CreateIndex", Zero),
    x("ModifyIndex", Zero),
]);

pub(crate) static RESOURCES: S = s(&[
    a("CPU", "cpu", IntP),
    a("Cores", "cores", IntP),
    a("MemoryMB", "memory", IntP),
    a("MemoryMaxMB", "memory_max", IntP),
    a("DiskMB", "disk", IntP),
    a("Networks", "network", Many(&NETWORK)),
    a("Devices", "device", Many(&DEVICE)),
    a("NUMA", "numa", One(&NUMA)),
    a("SecretsMB", "secrets", IntP),
    a("IOPS", "iops", IntP),
]);
static NUMA: S = s(&[
    a("Affinity", "affinity", Str),
    a("Devices", "devices", StrList),
]);
static DEVICE: S = s(&[
    a("Name", "", Label),
    a("Count", "count", IntP),
    a("Constraints", "constraint", Many(&CONSTRAINT)),
    a("Affinities", "affinity", Many(&AFFINITY)),
]);
static NETWORK: S = s(&[
    a("Mode", "mode", Str),
    a("Device", "device", Str),
    a("CIDR", "cidr", Str),
    a("IP", "ip", Str),
    a("DNS", "dns", One(&DNS)),
    a("ReservedPorts", "reserved_ports", Many(&PORT)),
    a("DynamicPorts", "port", Many(&PORT)),
    a("Hostname", "hostname", Str),
    a("MBits", "mbits", IntP),
    a("CNI", "cni", One(&CNI)),
]);
static PORT: S = s(&[
    a("Label", "", Label),
    a("Value", "static", Int),
    a("To", "to", Int),
    a("HostNetwork", "host_network", Str),
    a("IgnoreCollision", "ignore_collision", Bool),
]);
static DNS: S = s(&[
    a("Servers", "servers", StrList),
    a("Searches", "searches", StrList),
    a("Options", "options", StrList),
]);
static CNI: S = s(&[a("Args", "args", StrMapAttr)]);

static SERVICE: S = s(&[
    a("Name", "name", Str),
    a("Tags", "tags", StrList),
    a("CanaryTags", "canary_tags", StrList),
    a("EnableTagOverride", "enable_tag_override", Bool),
    a("PortLabel", "port", Str),
    a("AddressMode", "address_mode", Str),
    a("Address", "address", Str),
    a("Checks", "check", Many(&CHECK)),
    a("CheckRestart", "check_restart", One(&CHECK_RESTART)),
    a("Connect", "connect", One(&super::schema_consul::CONNECT)),
    a("Meta", "meta", StrMap),
    a("CanaryMeta", "canary_meta", StrMap),
    a("TaggedAddresses", "tagged_addresses", StrMap),
    a("TaskName", "task", Str),
    a("OnUpdate", "on_update", Str),
    a("Identity", "identity", One(&IDENTITY)),
    a("Weights", "weights", One(&SERVICE_WEIGHTS)),
    a("Provider", "provider", Str),
    a("Cluster", "cluster", Str),
    a("Kind", "kind", Str),
]);
static SERVICE_WEIGHTS: S = s(&[a("Passing", "passing", Int), a("Warning", "warning", Int)]);
static CHECK_RESTART: S = s(&[
    a("Limit", "limit", Int),
    a("Grace", "grace", DurP),
    a("IgnoreWarnings", "ignore_warnings", Bool),
]);
static CHECK: S = s(&[
    a("Name", "name", Str),
    a("Type", "type", Str),
    a("Command", "command", Str),
    a("Args", "args", StrList),
    a("Path", "path", Str),
    a("Protocol", "protocol", Str),
    a("PortLabel", "port", Str),
    a("Expose", "expose", Bool),
    a("AddressMode", "address_mode", Str),
    a("Advertise", "advertise", Str),
    a("Interval", "interval", Dur),
    a("Timeout", "timeout", Dur),
    a("InitialStatus", "initial_status", Str),
    a("Notes", "notes", Str),
    a("TLSServerName", "tls_server_name", Str),
    a("TLSSkipVerify", "tls_skip_verify", Bool),
    a("Header", "header", StrListMap),
    a("Method", "method", Str),
    a("CheckRestart", "check_restart", One(&CHECK_RESTART)),
    a("GRPCService", "grpc_service", Str),
    a("GRPCUseTLS", "grpc_use_tls", Bool),
    a("TaskName", "task", Str),
    a("SuccessBeforePassing", "success_before_passing", Int),
    a("FailuresBeforeCritical", "failures_before_critical", Int),
    a("FailuresBeforeWarning", "failures_before_warning", Int),
    a("Body", "body", Str),
    a("OnUpdate", "on_update", Str),
]);
