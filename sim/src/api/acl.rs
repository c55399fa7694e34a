//! ACL endpoints (`command/agent/acl_endpoint.go`, `nomad/acl_endpoint.go`):
//! bootstrap, tokens, policies and `token/self`. With ACLs off every one
//! but `token/self` answers 400 `ACL support disabled`.

use super::http::version_before;
use super::http::{err, json, json_index, token_of, JsonBody, Params, R};
use crate::acl::policy;
use crate::acl::{AclState, Caller, StoredPolicy, Token};
use crate::error::{ApiError, ApiResult};
use crate::state::{Cluster, Table};
use crate::Sim;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use nomad_model::{format::rfc3339_utc, UnixNanos};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/v1/acl/token/self", get(token_self))
        .route("/v1/acl/bootstrap", post(bootstrap).put(bootstrap))
        .route("/v1/acl/tokens", get(list_tokens))
        .route("/v1/acl/token", post(create_token).put(create_token))
        .route(
            "/v1/acl/token/{accessor}",
            get(read_token)
                .post(update_token)
                .put(update_token)
                .delete(delete_token),
        )
        .route("/v1/acl/policies", get(list_policies))
        .route("/v1/acl/auth-methods", get(empty_list))
        .route("/v1/acl/roles", get(empty_list))
        .route(
            "/v1/acl/policy/{name}",
            get(read_policy)
                .post(write_policy)
                .put(write_policy)
                .delete(delete_policy),
        )
}

fn disabled() -> ApiError {
    ApiError::bad_request("ACL support disabled")
}

/// `aclDisabled` first, as every ACL RPC checks it before anything else.
fn enabled(sim: &Sim) -> ApiResult<()> {
    if sim.store.read(|c| c.acl.enabled) {
        Ok(())
    } else {
        Err(disabled())
    }
}

/// `ACLToken.MarshalJSON`: `ExpirationTTL` as Go's `Duration.String`.
fn token_json(t: &Token) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    v["ExpirationTTL"] = json!(if t.expiration_ttl == 0 {
        String::new()
    } else {
        go_duration(t.expiration_ttl)
    });
    v
}

/// Go's `time.Duration.String` for whole seconds and more (`1h0m0s`).
fn go_duration(nanos: i64) -> String {
    let secs = nanos / 1_000_000_000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// Auth methods and roles: none configured (`ACL.ListAuthMethods` needs no
/// token; Nomad's own sign-in page loads them).
async fn empty_list(State(sim): State<Sim>) -> R {
    enabled(&sim)?;
    let idx = sim.store.read(|c| c.table(Table::Acl));
    Ok(json_index(&Vec::<Value>::new(), idx))
}

fn builtin(accessor: &str, name: &str, policies: Option<Vec<String>>) -> Token {
    Token {
        accessor_id: accessor.into(),
        name: name.into(),
        token_type: "client".into(),
        policies,
        create_time: "0001-01-01T00:00:00Z".into(),
        ..Default::default()
    }
}

/// `ACL.WhoAmI` (2.x answers it with ACLs off too: the built-in
/// `ACLsDisabledToken`; without a token, the anonymous token).
async fn token_self(State(sim): State<Sim>, parts: Parts) -> R {
    let secret = token_of(&parts);
    let now = sim.clock.now();
    let (acl, token): (AclState, Option<Token>) = sim.store.read(|c| {
        let t = secret.as_deref().and_then(|s| c.acl.by_secret(s)).cloned();
        (c.acl.clone(), t)
    });
    if !acl.enabled {
        // `ACL.WhoAmI` answers `token/self` from 1.11.0; before, the
        // handler went through `ACL.GetToken`, which refuses with ACLs off.
        if version_before(&sim.opts.agent_version, (1, 11)) {
            return Err(disabled());
        }
        let t = builtin("acls-disabled", "ACLs disabled token", None);
        return Ok(json_index(&token_json(&t), 0));
    }
    let t = match (secret, token) {
        (None, _) => builtin(
            "anonymous",
            "Anonymous Token",
            Some(vec!["anonymous".into()]),
        ),
        (Some(_), None) => return Err(ApiError::permission_denied()),
        (Some(_), Some(t)) if AclState::expired(&t, now) => {
            return Err(ApiError::internal("ACL token expired"))
        }
        (Some(_), Some(t)) => t,
    };
    let idx = t.modify_index;
    Ok(json_index(&token_json(&t), idx))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct BootstrapRequest {
    bootstrap_secret: String,
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

async fn bootstrap(State(sim): State<Sim>, body: axum::body::Bytes) -> R {
    enabled(&sim)?;
    let req: BootstrapRequest = if body.is_empty() {
        BootstrapRequest::default()
    } else {
        JsonBody::decode(&body)
            .map_err(|e| err(400, format!("failed to decode request body: {}", e.text)))?
    };
    if !req.bootstrap_secret.is_empty() && !is_uuid(&req.bootstrap_secret) {
        return Err(err(400, "invalid acl token"));
    }
    let t = sim.with_rng(|c, rng| {
        if let Some(i) = c.acl.bootstrap_index {
            return Err(err(
                400,
                format!("ACL bootstrap already done (reset index: {i})"),
            ));
        }
        let secret = if req.bootstrap_secret.is_empty() {
            crate::sched::uuid(rng)
        } else {
            req.bootstrap_secret.clone()
        };
        let idx = c.bump(&[Table::Acl]);
        let mut t = Token {
            accessor_id: crate::sched::uuid(rng),
            secret_id: secret,
            name: "Bootstrap Token".into(),
            token_type: "management".into(),
            global: true,
            create_time: rfc3339_utc(UnixNanos(c.now())),
            create_index: idx,
            modify_index: idx,
            ..Default::default()
        };
        t.set_hash();
        c.acl.bootstrap_index = Some(idx);
        c.acl.tokens.insert(t.accessor_id.clone(), t.clone());
        Ok(t)
    })?;
    let mut r = json(&token_json(&t));
    r.headers_mut()
        .insert("x-nomad-index", t.create_index.into());
    Ok(r)
}

async fn list_tokens(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    enabled(&sim)?;
    who.management()?;
    let prefix = q.prefix().to_string();
    let (v, idx) = sim.store.read(|c| {
        let mut v: Vec<&Token> = c
            .acl
            .tokens
            .values()
            .filter(|t| t.accessor_id.starts_with(&prefix))
            .collect();
        v.sort_by_key(|t| (t.create_index, t.accessor_id.clone()));
        (
            v.into_iter().map(Token::stub).collect::<Vec<_>>(),
            c.table(Table::Acl),
        )
    });
    Ok(json_index(&v, idx))
}

/// A token as a request carries it (`ExpirationTTL` may be a duration
/// string or nanoseconds).
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TokenRequest {
    #[serde(rename = "AccessorID")]
    accessor_id: String,
    name: String,
    #[serde(rename = "Type")]
    token_type: String,
    policies: Vec<String>,
    global: bool,
    #[serde(rename = "ExpirationTTL")]
    expiration_ttl: Option<Value>,
}

fn ttl_nanos(v: &Option<Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => super::http::parse_go_duration(s)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0),
        _ => 0,
    }
}

/// `ACLToken.Validate`, in a go-multierror.
fn validate_token(t: &TokenRequest) -> ApiResult<()> {
    let mut errs = vec![];
    if t.name.len() > 256 {
        errs.push("token name too long".to_string());
    }
    match t.token_type.as_str() {
        "client" if t.policies.is_empty() => {
            errs.push("client token missing policies or roles".into())
        }
        "management" if !t.policies.is_empty() => {
            errs.push("management token cannot be associated with policies or roles".into())
        }
        "client" | "management" => {}
        _ => errs.push("token type must be client or management".into()),
    }
    if ttl_nanos(&t.expiration_ttl) < 0 {
        errs.push("token expiration TTL should not be negative".into());
    }
    match crate::validate::multierror(&errs) {
        None => Ok(()),
        Some(m) => Err(err(400, format!("token 0 invalid: {m}"))),
    }
}

async fn create_token(
    State(sim): State<Sim>,
    who: Caller,
    JsonBody(req): JsonBody<TokenRequest>,
) -> R {
    enabled(&sim)?;
    who.management()?;
    upsert_token(&sim, None, req)
}

async fn update_token(
    State(sim): State<Sim>,
    who: Caller,
    Path(accessor): Path<String>,
    JsonBody(req): JsonBody<TokenRequest>,
) -> R {
    enabled(&sim)?;
    who.management()?;
    if req.accessor_id != accessor {
        return Err(err(400, "ACL token accessor does not match request path"));
    }
    upsert_token(&sim, Some(accessor), req)
}

fn upsert_token(sim: &Sim, accessor: Option<String>, req: TokenRequest) -> R {
    validate_token(&req)?;
    let t = sim.with_rng(|c: &mut Cluster, rng| {
        let prev = match &accessor {
            Some(a) => Some(
                c.acl
                    .tokens
                    .get(a)
                    .cloned()
                    .ok_or_else(|| err(400, format!("cannot find token {a}")))?,
            ),
            None => None,
        };
        if prev.as_ref().is_some_and(|p| p.global != req.global) {
            return Err(err(
                400,
                "token 0 invalid: 1 error occurred:\n\t* cannot toggle global mode\n\n",
            ));
        }
        let now = c.now();
        let idx = c.bump(&[Table::Acl]);
        let ttl = ttl_nanos(&req.expiration_ttl);
        let mut t = prev.unwrap_or_else(|| Token {
            accessor_id: crate::sched::uuid(rng),
            secret_id: crate::sched::uuid(rng),
            create_time: rfc3339_utc(UnixNanos(now)),
            create_index: idx,
            expiration_ttl: ttl,
            expiration_time: (ttl > 0).then(|| rfc3339_utc(UnixNanos(now + ttl))),
            ..Default::default()
        });
        t.name = req.name.clone();
        t.token_type = req.token_type.clone();
        t.policies = (!req.policies.is_empty()).then(|| req.policies.clone());
        t.global = req.global;
        t.modify_index = idx;
        t.set_hash();
        c.acl.tokens.insert(t.accessor_id.clone(), t.clone());
        Ok(t)
    })?;
    let mut r = json(&token_json(&t));
    r.headers_mut()
        .insert("x-nomad-index", t.modify_index.into());
    Ok(r)
}

/// `ACL.GetToken`: management, or the token itself.
async fn read_token(State(sim): State<Sim>, who: Caller, Path(accessor): Path<String>) -> R {
    enabled(&sim)?;
    let (t, idx) = sim
        .store
        .read(|c| (c.acl.tokens.get(&accessor).cloned(), c.table(Table::Acl)));
    let own = who
        .token
        .as_ref()
        .is_some_and(|me| me.accessor_id == accessor);
    if !who.is_management() && !own {
        return Err(ApiError::permission_denied());
    }
    let t = t.ok_or_else(|| err(404, "ACL token not found"))?;
    Ok(json_index(&token_json(&t), idx.max(t.modify_index)))
}

async fn delete_token(State(sim): State<Sim>, who: Caller, Path(accessor): Path<String>) -> R {
    enabled(&sim)?;
    who.management()?;
    let idx = sim.store.write(|c| {
        if !c.acl.tokens.contains_key(&accessor) {
            return Err(err(
                400,
                format!("Cannot delete nonexistent tokens: {accessor}"),
            ));
        }
        let idx = c.bump(&[Table::Acl]);
        c.acl.tokens.remove(&accessor);
        Ok(idx)
    })?;
    Ok(empty_with_index(idx))
}

/// 200 with no body, as `wrap` answers a handler that returns `nil`.
fn empty_with_index(idx: u64) -> Response {
    let mut r = axum::http::StatusCode::OK.into_response();
    r.headers_mut().insert("x-nomad-index", idx.into());
    r
}

/// The policies a caller may see: all for management, else the ones its
/// token links to (`ACL.ListPolicies` filters, it does not refuse).
fn visible(who: &Caller, p: &StoredPolicy) -> bool {
    who.is_management()
        || who
            .token
            .as_ref()
            .and_then(|t| t.policies.as_ref())
            .is_some_and(|ps| ps.contains(&p.name))
        || (who.token.is_none() && p.name == "anonymous")
}

async fn list_policies(State(sim): State<Sim>, who: Caller, q: Params) -> R {
    enabled(&sim)?;
    let prefix = q.prefix().to_string();
    let (v, idx) = sim.store.read(|c| {
        let v: Vec<Value> = c
            .acl
            .policies
            .values()
            .filter(|p| p.name.starts_with(&prefix) && visible(&who, p))
            .map(StoredPolicy::stub)
            .collect();
        (v, c.table(Table::Acl))
    });
    Ok(json_index(&v, idx))
}

async fn read_policy(State(sim): State<Sim>, who: Caller, Path(name): Path<String>) -> R {
    enabled(&sim)?;
    let p = sim.store.read(|c| c.acl.policies.get(&name).cloned());
    let allowed =
        name == "anonymous" || who.is_management() || p.as_ref().is_some_and(|p| visible(&who, p));
    if !allowed {
        return Err(ApiError::permission_denied());
    }
    let p = p.ok_or_else(|| err(404, "ACL policy not found"))?;
    Ok(json_index(&p.to_json(), p.modify_index))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PolicyRequest {
    name: String,
    description: String,
    rules: String,
}

async fn write_policy(
    State(sim): State<Sim>,
    who: Caller,
    Path(name): Path<String>,
    JsonBody(req): JsonBody<PolicyRequest>,
) -> R {
    enabled(&sim)?;
    who.management()?;
    if req.name != name {
        return Err(err(400, "ACL policy name does not match request path"));
    }
    policy::validate_acl_policy(&req.name, &req.description, &req.rules)
        .map_err(|e| err(400, format!("policy 0 invalid: {e}")))?;
    let parsed = policy::parse_lenient(&req.rules)
        .map_err(|e| err(400, format!("policy 0 invalid: {e}")))?;
    let idx = sim.store.write(|c| {
        let idx = c.bump(&[Table::Acl]);
        let create_index = c.acl.policies.get(&name).map_or(idx, |p| p.create_index);
        c.acl.policies.insert(
            name.clone(),
            StoredPolicy {
                name: req.name,
                description: req.description,
                rules: req.rules,
                parsed,
                create_index,
                modify_index: idx,
            },
        );
        idx
    });
    Ok(empty_with_index(idx))
}

async fn delete_policy(State(sim): State<Sim>, who: Caller, Path(name): Path<String>) -> R {
    enabled(&sim)?;
    who.management()?;
    let idx = sim.store.write(|c| {
        let idx = c.bump(&[Table::Acl]);
        c.acl.policies.remove(&name);
        idx
    });
    Ok(empty_with_index(idx))
}
