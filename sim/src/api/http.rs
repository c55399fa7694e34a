//! What every handler shares: the query string read with Go's semantics
//! (`command/agent/http.go`), the caller's token and its capabilities, JSON
//! bodies decoded as Go's decoder would, blocking queries, and responses
//! carrying Nomad's headers.

use crate::acl::Caller;
use crate::error::{ApiError, ApiResult};
use crate::filter::Filter;
use crate::state::Table;
use crate::Sim;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

pub type R = ApiResult<Response>;

/// Shorthand for [`ApiError::new`].
pub fn err(code: u16, text: impl Into<String>) -> ApiError {
    ApiError::new(code, text)
}

/// Go's `strconv.ParseBool`: the only spellings it accepts.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The query string of a request.
#[derive(Clone, Debug, Default)]
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or("");
        // Go's url.ParseQuery keeps the first value of a repeated key for
        // `Query().Get`; the event stream reads repeated `topic`s itself.
        let mut m = HashMap::new();
        for (k, v) in form_urlencoded(raw) {
            m.entry(k).or_insert(v);
        }
        Ok(Params(m))
    }
}

/// Every `key=value` pair of a query string, decoded, in order.
pub fn form_urlencoded(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(v) => {
                    out.push(v);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Params {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
    pub fn str(&self, k: &str) -> &str {
        self.get(k).unwrap_or("")
    }
    /// A boolean parameter as `parseBool` reads it: absent or empty is
    /// false; what `strconv.ParseBool` rejects is an uncoded error, which
    /// the agent answers with 500 (`errCodeFromHandler`).
    pub fn bool(&self, k: &str) -> ApiResult<bool> {
        match self.get(k) {
            None | Some("") => Ok(false),
            Some(v) => parse_go_bool(v).ok_or_else(|| {
                ApiError::internal(format!(
                    "Failed to parse value of {k:?} ({v}) as a bool: strconv.ParseBool: parsing {v:?}: invalid syntax"
                ))
            }),
        }
    }
    /// `parseNamespace`: the namespace asked for, `default` when absent.
    pub fn namespace(&self) -> String {
        match self.get("namespace") {
            None | Some("") => "default".into(),
            Some(ns) => ns.into(),
        }
    }
    pub fn prefix(&self) -> &str {
        self.str("prefix")
    }
    /// The index a blocking query waits past (0 when absent or junk, as
    /// `parseWait` ignores a bad value only after answering 400; see `wait`).
    pub fn index(&self) -> ApiResult<u64> {
        match self.get("index") {
            None | Some("") => Ok(0),
            Some(v) => v
                .parse()
                .map_err(|_| ApiError::bad_request("Invalid index")),
        }
    }
    /// `wait` like Go's `time.ParseDuration`; default and cap 5 minutes
    /// (`DefaultBlockingRPCQueryTime`), plus up to 1/16 jitter.
    pub fn wait(&self) -> ApiResult<Duration> {
        let d = match self.get("wait") {
            None | Some("") => Duration::from_secs(300),
            Some(v) => {
                parse_go_duration(v).ok_or_else(|| ApiError::bad_request("Invalid wait time"))?
            }
        }
        .min(Duration::from_secs(300));
        let jitter_ms =
            (crate::clock::real_nanos() as u64 / 1000) % (d.as_millis() as u64 / 16 + 1);
        Ok(d + Duration::from_millis(jitter_ms))
    }
    /// `per_page` (Nomad 1.3+); 0 or absent means one page of everything.
    pub fn per_page(&self) -> ApiResult<Option<usize>> {
        match self.get("per_page") {
            None | Some("") => Ok(None),
            Some(v) => match v.parse::<i32>() {
                Ok(n) if n > 0 => Ok(Some(n as usize)),
                Ok(_) => Ok(None),
                Err(_) => Err(ApiError::bad_request(
                    "Expect a number for `per_page` query string parameter",
                )),
            },
        }
    }
    pub fn next_token(&self) -> Option<&str> {
        self.get("next_token").filter(|t| !t.is_empty())
    }
    /// `parseReverse` compares with `"true"` alone.
    pub fn reverse(&self) -> bool {
        self.get("reverse") == Some("true")
    }
    /// The `filter` expression, parsed; a bad one is Nomad's 400.
    pub fn filter(&self) -> ApiResult<Option<Filter>> {
        match self.get("filter") {
            None | Some("") => Ok(None),
            Some(f) => Filter::parse(f)
                .map(Some)
                .map_err(|e| ApiError::bad_request(e.to_string())),
        }
    }
}

/// Go's `time.ParseDuration` for the units Nomad's clients send.
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch.is_ascii_digit() || ch == '.' {
            num.push(ch);
            continue;
        }
        let mut unit = ch.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() || n == 'µ' {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        total += v * match unit.as_str() {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
    }
    if !num.is_empty() {
        return None;
    }
    Duration::try_from_secs_f64(total).ok()
}

/// The secret a request carries: `X-Nomad-Token`, else `Authorization:
/// Bearer` (`parseToken`).
pub fn token_of(parts: &Parts) -> Option<String> {
    let h = &parts.headers;
    if let Some(t) = h.get("x-nomad-token").and_then(|v| v.to_str().ok()) {
        let t = t.trim();
        if !t.is_empty() {
            return Some(t.to_string());
        }
    }
    let auth = h.get("authorization").and_then(|v| v.to_str().ok())?;
    let (scheme, value) = auth.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| value.split_whitespace().next().unwrap_or("").to_string())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<Sim> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, ApiError> {
        let secret = token_of(parts);
        let now = sim.clock.now();
        sim.store.read(|c| c.acl.resolve(secret.as_deref(), now))
    }
}

/// A JSON body decoded as Go's `encoding/json` decodes into a struct: an
/// explicit `null` leaves the field at its zero value, unknown fields are
/// ignored. An empty body is a 400 where the handler needs one.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> JsonBody<T> {
    pub fn decode(bytes: &[u8]) -> ApiResult<T> {
        if bytes.is_empty() {
            // `decodeBody` on `http.NoBody`.
            return Err(ApiError::bad_request("Request body is empty"));
        }
        let mut v: Value =
            serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(go_json_error(&e)))?;
        strip_nulls(&mut v);
        serde_json::from_value(v).map_err(|e| ApiError::bad_request(go_json_error(&e)))
    }
}

impl<T: DeserializeOwned> FromRequest<Sim> for JsonBody<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, sim: &Sim) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, sim)
            .await
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        Self::decode(&bytes).map(JsonBody)
    }
}

/// Removes object members whose value is `null`, at every depth, so that
/// `#[serde(default)]` fields take their zero value as Go's would.
pub fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// serde_json's messages end with ` at line L column C`; Go's name the
/// problem alone. Keep serde's words without the position.
fn go_json_error(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Headers of a blocking query's answer.
fn meta_headers(r: &mut Response, index: u64) {
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("x-nomad-index", HeaderValue::from(index));
    h.insert("x-nomad-knownleader", HeaderValue::from_static("true"));
    h.insert("x-nomad-lastcontact", HeaderValue::from_static("0"));
}

/// Already-serialised JSON with the query-meta headers.
pub fn raw_json(body: Vec<u8>, index: u64) -> Response {
    let mut r = Response::new(Body::from(body));
    meta_headers(&mut r, index);
    r
}

/// JSON with the query-meta headers (`setMeta`).
pub fn json_index<T: Serialize + ?Sized>(v: &T, index: u64) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => raw_json(b, index),
        Err(e) => ApiError::internal(e.to_string()).into_response(),
    }
}

/// JSON of a write, with the index it was written at (`setIndex`).
pub fn json_write<T: Serialize + ?Sized>(v: &T, index: u64) -> Response {
    let mut r = json(v);
    r.headers_mut()
        .insert("x-nomad-index", HeaderValue::from(index));
    r
}

/// JSON without any Nomad header (endpoints that set no meta).
pub fn json<T: Serialize + ?Sized>(v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(b) => {
            let mut r = Response::new(Body::from(b));
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            r
        }
        Err(e) => ApiError::internal(e.to_string()).into_response(),
    }
}

/// A list answer, with `X-Nomad-NextToken` when a page follows.
pub fn paged(body: serde_json::Result<Vec<u8>>, idx: u64, next: Option<String>) -> R {
    let body = body.map_err(|e| ApiError::internal(e.to_string()))?;
    let mut resp = raw_json(body, idx);
    if let Some(v) = next.and_then(|n| HeaderValue::from_str(&n).ok()) {
        resp.headers_mut().insert("x-nomad-nexttoken", v);
    }
    Ok(resp)
}

/// Waits as a blocking query on `tables` and returns the index to report.
pub async fn block(sim: &Sim, tables: &[Table], q: &Params) -> ApiResult<u64> {
    let (index, wait) = (q.index()?, q.wait()?);
    Ok(sim.store.block(tables, index, wait).await)
}

/// Waits as a blocking query until `index_of` (the index the answer will
/// report) passes the asked `index`.
pub async fn block_on(
    sim: &Sim,
    q: &Params,
    index_of: impl Fn(&crate::state::Cluster) -> u64,
) -> ApiResult<u64> {
    let (index, wait) = (q.index()?, q.wait()?);
    Ok(sim.store.block_on(index_of, index, wait).await)
}

/// A `filter` applied over a list: the first object it cannot be
/// evaluated against fails the request, as Nomad's paginator does
/// (`failed to read result page: ...`).
pub struct FilterPass {
    filter: Option<Filter>,
    code: u16,
    // A mutex rather than a cell: handlers hold the pass across awaits.
    error: std::sync::Mutex<Option<ApiError>>,
}

impl FilterPass {
    /// `code`: what the endpoint answers for an evaluation error (400 on
    /// most lists, 500 where the RPC does not code it).
    pub fn new(filter: Option<Filter>, code: u16) -> Self {
        FilterPass {
            filter,
            code,
            error: Default::default(),
        }
    }
    pub fn is_some(&self) -> bool {
        self.filter.is_some()
    }
    pub fn keep(&self, v: &Value) -> bool {
        let Some(f) = &self.filter else { return true };
        match f.matches(v) {
            Ok(b) => b,
            Err(e) => {
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert_with(|| ApiError::new(self.code, e.to_string()));
                }
                false
            }
        }
    }
    /// Builds the object only when there is a filter.
    pub fn keep_with(&self, v: impl FnOnce() -> Value) -> bool {
        self.filter.is_none() || self.keep(&v())
    }
    pub fn finish(self) -> ApiResult<()> {
        match self.error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// One page of a list already in its order (`paginator.Paginator`): the
/// entries from the one whose key is `start` on (ascending, or descending
/// with `reverse`) that `keep` accepts, at most `per_page` of them, and the
/// token naming the first entry of the next page. As in Nomad, `keep` (the
/// `filter`) runs from the token on and stops once the page is full, so a
/// page of a huge table costs its own rows.
pub fn page<T, K: Ord>(
    items: Vec<T>,
    per_page: Option<usize>,
    start: Option<K>,
    key: impl Fn(&T) -> K,
    token: impl Fn(&T) -> String,
    reverse: bool,
    keep: impl Fn(&T) -> bool,
) -> (Vec<T>, Option<String>) {
    let want = per_page.map_or(usize::MAX, |n| n.saturating_add(1));
    let mut items: Vec<T> = items
        .into_iter()
        .filter(|x| match &start {
            Some(s) if reverse => key(x) <= *s,
            Some(s) => key(x) >= *s,
            None => true,
        })
        .filter(|x| keep(x))
        .take(want)
        .collect();
    let mut next = None;
    if let Some(n) = per_page {
        if items.len() > n {
            next = Some(token(&items[n]));
            items.truncate(n);
        }
    }
    (items, next)
}

/// Whether a `major.minor[.patch]` version (`--agent-version`) is older
/// than `(major, minor)`.
pub fn version_before(v: &str, than: (u64, u64)) -> bool {
    let mut it = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (major, minor) < than
}
