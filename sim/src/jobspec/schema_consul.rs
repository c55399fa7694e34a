//! Consul Connect tables (`api/consul.go`): `service { connect { ... } }`.

use super::schema::{a, s, x, IDENTITY, K::*, LOG_CONFIG, RESOURCES, S, VOLUME_MOUNT};

pub(crate) static CONNECT: S = s(&[
    a("Native", "native", Bool),
    a("Gateway", "gateway", One(&GATEWAY)),
    a("SidecarService", "sidecar_service", One(&SIDECAR_SERVICE)),
    a("SidecarTask", "sidecar_task", One(&SIDECAR_TASK)),
]);
static SIDECAR_SERVICE: S = s(&[
    a("Tags", "tags", StrList),
    a("Port", "port", Str),
    a("Proxy", "proxy", One(&PROXY)),
    a("DisableDefaultTCPCheck", "disable_default_tcp_check", Bool),
    a("Meta", "meta", StrMap),
]);
static SIDECAR_TASK: S = s(&[
    a("Name", "name", Str),
    a("Driver", "driver", Str),
    a("User", "user", Str),
    a("Config", "config", AnyMap),
    a("Env", "env", StrMap),
    a("Resources", "resources", One(&RESOURCES)),
    a("Meta", "meta", StrMap),
    a("KillTimeout", "kill_timeout", DurP),
    a("LogConfig", "logs", One(&LOG_CONFIG)),
    a("ShutdownDelay", "shutdown_delay", DurP),
    a("KillSignal", "kill_signal", Str),
    a("VolumeMounts", "volume_mount", Many(&VOLUME_MOUNT)),
    a("Identities", "identity", Many(&IDENTITY)),
]);
static PROXY: S = s(&[
    a("LocalServiceAddress", "local_service_address", Str),
    a("LocalServicePort", "local_service_port", Int),
    a("Expose", "expose", One(&EXPOSE)),
    x("ExposeConfig", Null),
    a("Upstreams", "upstreams", Many(&UPSTREAM)),
    a(
        "TransparentProxy",
        "transparent_proxy",
        One(&TRANSPARENT_PROXY),
    ),
    a("Config", "config", AnyMap),
]);
static MESH_GATEWAY: S = s(&[a("Mode", "mode", Str)]);
static UPSTREAM: S = s(&[
    a("DestinationName", "destination_name", Str),
    a("DestinationNamespace", "destination_namespace", Str),
    a("DestinationPeer", "destination_peer", Str),
    a("DestinationPartition", "destination_partition", Str),
    a("DestinationType", "destination_type", Str),
    a("LocalBindPort", "local_bind_port", Int),
    a("Datacenter", "datacenter", Str),
    a("LocalBindAddress", "local_bind_address", Str),
    a("LocalBindSocketPath", "local_bind_socket_path", Str),
    a("LocalBindSocketMode", "local_bind_socket_mode", Str),
    a("MeshGateway", "mesh_gateway", One(&MESH_GATEWAY)),
    a("Config", "config", AnyMap),
]);
static TRANSPARENT_PROXY: S = s(&[
    a("UID", "uid", Str),
    a("OutboundPort", "outbound_port", Int),
    a("ExcludeInboundPorts", "exclude_inbound_ports", StrList),
    a("ExcludeOutboundPorts", "exclude_outbound_ports", IntList),
    a("ExcludeOutboundCIDRs", "exclude_outbound_cidrs", StrList),
    a("ExcludeUIDs", "exclude_uids", StrList),
    a("NoDNS", "no_dns", Bool),
]);
static EXPOSE: S = s(&[a("Paths", "path", Many(&EXPOSE_PATH)), x("Path", Null)]);
static EXPOSE_PATH: S = s(&[
    a("Path", "path", Str),
    a("Protocol", "protocol", Str),
    a("LocalPathPort", "local_path_port", Int),
    a("ListenerPort", "listener_port", Str),
]);
static GATEWAY: S = s(&[
    a("Proxy", "proxy", One(&GATEWAY_PROXY)),
    a("Ingress", "ingress", One(&INGRESS)),
    a("Terminating", "terminating", One(&TERMINATING)),
    a("Mesh", "mesh", One(&MESH)),
]);
static GATEWAY_BIND_ADDRESS: S = s(&[
    a("Name", "", Label),
    a("Address", "address", Str),
    a("Port", "port", Int),
]);
static GATEWAY_PROXY: S = s(&[
    a("ConnectTimeout", "connect_timeout", DurP),
    a(
        "EnvoyGatewayBindTaggedAddresses",
        "envoy_gateway_bind_tagged_addresses",
        Bool,
    ),
    a(
        "EnvoyGatewayBindAddresses",
        "envoy_gateway_bind_addresses",
        ByLabel(&GATEWAY_BIND_ADDRESS),
    ),
    a(
        "EnvoyGatewayNoDefaultBind",
        "envoy_gateway_no_default_bind",
        Bool,
    ),
    a("EnvoyDNSDiscoveryType", "envoy_dns_discovery_type", Str),
    a("Config", "config", AnyMap),
]);
static TLS_SDS: S = s(&[
    a("ClusterName", "cluster_name", Str),
    a("CertResource", "cert_resource", Str),
]);
static GATEWAY_TLS: S = s(&[
    a("Enabled", "enabled", Bool),
    a("TLSMinVersion", "tls_min_version", Str),
    a("TLSMaxVersion", "tls_max_version", Str),
    a("CipherSuites", "cipher_suites", StrList),
    a("SDS", "sds", One(&TLS_SDS)),
]);
static HEADER_MODIFIERS: S = s(&[
    a("Add", "add", StrMap),
    a("Set", "set", StrMap),
    a("Remove", "remove", StrList),
]);
static INGRESS_SERVICE: S = s(&[
    a("Name", "name", Str),
    a("Hosts", "hosts", StrList),
    a("TLS", "tls", One(&GATEWAY_TLS)),
    a("RequestHeaders", "request_headers", One(&HEADER_MODIFIERS)),
    a(
        "ResponseHeaders",
        "response_headers",
        One(&HEADER_MODIFIERS),
    ),
    a("MaxConnections", "max_connections", IntP),
    a("MaxPendingRequests", "max_pending_requests", IntP),
    a("MaxConcurrentRequests", "max_concurrent_requests", IntP),
]);
static INGRESS_LISTENER: S = s(&[
    a("Port", "port", Int),
    a("Protocol", "protocol", Str),
    a("Services", "service", Many(&INGRESS_SERVICE)),
]);
static INGRESS: S = s(&[
    a("TLS", "tls", One(&GATEWAY_TLS)),
    a("Listeners", "listener", Many(&INGRESS_LISTENER)),
]);
static LINKED_SERVICE: S = s(&[
    a("Name", "name", Str),
    a("CAFile", "ca_file", Str),
    a("CertFile", "cert_file", Str),
    a("KeyFile", "key_file", Str),
    a("SNI", "sni", Str),
]);
static TERMINATING: S = s(&[a("Services", "service", Many(&LINKED_SERVICE))]);
static MESH: S = s(&[]);
