//! The HTTP client: the only code that talks to the agent. Adds
//! `X-Nomad-Token`, `region` and `namespace`, reads `X-Nomad-Index`, and maps
//! failures to [`ApiError`].

use super::error::ApiError;
use crate::interop;
use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

const TOKEN_KEY: &str = "yurt.token";
const REGION_KEY: &str = "yurt.region";
const NAMESPACE_KEY: &str = "yurt.namespace";

/// Connection settings shared by every request: token, region, namespace.
#[derive(Clone, Copy)]
pub struct Api {
    pub token: RwSignal<Option<String>>,
    /// The token is kept for this tab only (`sessionStorage`), not for
    /// the browser (`localStorage`).
    pub tab_only: RwSignal<bool>,
    pub region: RwSignal<Option<String>>,
    /// The namespace lists show: a name, or `*` for all.
    pub namespace: RwSignal<String>,
    origin: StoredValue<String>,
}

impl Api {
    /// Settings restored from this tab's storage or the browser's.
    pub fn from_storage() -> Self {
        let tab_token = interop::tab_storage_get(TOKEN_KEY);
        let api = Api {
            token: RwSignal::new(
                tab_token
                    .clone()
                    .or_else(|| interop::storage_get(TOKEN_KEY))
                    .filter(|t| !t.is_empty()),
            ),
            tab_only: RwSignal::new(tab_token.is_some()),
            region: RwSignal::new(interop::storage_get(REGION_KEY).filter(|t| !t.is_empty())),
            namespace: RwSignal::new(
                interop::storage_get(NAMESPACE_KEY).unwrap_or_else(|| "*".into()),
            ),
            origin: StoredValue::new(interop::api_origin()),
        };
        // the token lives in one of the two stores, never both; signing
        // out empties both
        Effect::new(move |_| {
            let token = api.token.get();
            let tab_only = api.tab_only.get();
            let (tab, browser) = if tab_only {
                (token.as_deref(), None)
            } else {
                (None, token.as_deref())
            };
            interop::tab_storage_set(TOKEN_KEY, tab);
            interop::storage_set(TOKEN_KEY, browser);
        });
        Effect::new(move |_| interop::storage_set(REGION_KEY, api.region.get().as_deref()));
        Effect::new(move |_| interop::storage_set(NAMESPACE_KEY, Some(&api.namespace.get())));
        api
    }

    /// Settings for tests: no storage, a given origin.
    pub fn with_origin(origin: &str) -> Self {
        Api {
            token: RwSignal::new(None),
            tab_only: RwSignal::new(false),
            region: RwSignal::new(None),
            namespace: RwSignal::new("*".into()),
            origin: StoredValue::new(origin.trim_end_matches('/').to_string()),
        }
    }

    /// Full URL of `path` with `query` and the selected region.
    pub fn url(&self, path: &str, query: &[(&str, String)]) -> String {
        let mut url = format!("{}{}", self.origin.get_value(), path);
        let mut sep = if path.contains('?') { '&' } else { '?' };
        let region = self.region.get_untracked();
        let extra = region.iter().map(|r| ("region", r.clone()));
        for (k, v) in query.iter().map(|(k, v)| (*k, v.clone())).chain(extra) {
            url.push(sep);
            url.push_str(k);
            url.push('=');
            url.push_str(&interop::encode_uri_component(&v));
            sep = '&';
        }
        url
    }

    fn with_token(&self, rb: RequestBuilder) -> RequestBuilder {
        match self.token.get_untracked() {
            Some(t) => rb.header("X-Nomad-Token", &t),
            None => rb,
        }
    }

    async fn check(resp: Response, path: &str) -> Result<Response, ApiError> {
        if resp.ok() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        Err(ApiError::from_status(status, &body, path))
    }

    fn net_err(e: gloo_net::Error, path: &str) -> ApiError {
        let msg = e.to_string();
        if interop::is_abort(&msg) {
            ApiError::aborted(path)
        } else {
            ApiError::network(msg, path)
        }
    }

    /// GET returning the raw body and what the agent's headers say of it.
    pub async fn get_raw(
        &self,
        path: &str,
        query: &[(&str, String)],
        abort: Option<&interop::AbortSignal>,
    ) -> Result<Raw, ApiError> {
        let url = self.url(path, query);
        let rb = self.with_token(Request::get(&url)).abort_signal(abort);
        let resp = rb.send().await.map_err(|e| Self::net_err(e, path))?;
        let resp = Self::check(resp, path).await?;
        let headers = resp.headers();
        let index = headers
            .get("x-nomad-index")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let next_token = headers.get("x-nomad-nexttoken").unwrap_or_default();
        let body = resp.binary().await.map_err(|e| Self::net_err(e, path))?;
        Ok(Raw {
            body,
            index,
            next_token,
        })
    }

    /// GET and decode, with the index.
    pub async fn get_indexed<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        abort: Option<&interop::AbortSignal>,
    ) -> Result<(T, u64), ApiError> {
        let raw = self.get_raw(path, query, abort).await?;
        let v = nomad_model::decode_json(or_null(&raw.body))
            .map_err(|e| ApiError::decode(e.to_string(), path))?;
        Ok((v, raw.index))
    }

    /// GET and decode.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        self.get_indexed(path, query, None).await.map(|(v, _)| v)
    }

    /// GET a text body (`fs/cat`, `fs/readat`).
    pub async fn get_bytes(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<u8>, ApiError> {
        self.get_raw(path, query, None).await.map(|r| r.body)
    }

    /// POST/PUT/DELETE with an optional JSON body, decoding the answer
    /// (`null` or an empty body decode as `T::default()` where `T` allows).
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let url = self.url(path, query);
        let rb = match method {
            "POST" => Request::post(&url),
            "PUT" => Request::put(&url),
            "DELETE" => Request::delete(&url),
            _ => Request::get(&url),
        };
        let rb = self.with_token(rb);
        let req = match body {
            Some(b) => {
                let text =
                    serde_json::to_string(b).map_err(|e| ApiError::decode(e.to_string(), path))?;
                rb.header("Content-Type", "application/json").body(text)
            }
            None => rb.build(),
        }
        .map_err(|e| Self::net_err(e, path))?;
        let resp = req.send().await.map_err(|e| Self::net_err(e, path))?;
        let resp = Self::check(resp, path).await?;
        let bytes = resp.binary().await.map_err(|e| Self::net_err(e, path))?;
        nomad_model::decode_json(or_null(&bytes)).map_err(|e| ApiError::decode(e.to_string(), path))
    }

    /// Opens a streaming GET and returns a chunk reader over its body.
    pub async fn open_stream(
        &self,
        path: &str,
        query: &[(&str, String)],
        abort: Option<&interop::AbortSignal>,
    ) -> Result<interop::StreamReader, ApiError> {
        let url = self.url(path, query);
        let rb = self.with_token(Request::get(&url)).abort_signal(abort);
        let resp = rb.send().await.map_err(|e| Self::net_err(e, path))?;
        let resp = Self::check(resp, path).await?;
        let body = resp
            .body()
            .ok_or_else(|| ApiError::network("the response has no body", path))?;
        interop::StreamReader::new(&body)
            .ok_or_else(|| ApiError::network("cannot read the response stream", path))
    }
}

/// A GET's body with what the agent's headers said of it.
pub struct Raw {
    pub body: Vec<u8>,
    /// `X-Nomad-Index` (0 when absent).
    pub index: u64,
    /// `X-Nomad-NextToken`: a paged list goes on from this key (empty on
    /// the last page, and from agents before 1.3, which do not page).
    pub next_token: String,
}

/// An empty body (the agent answers some calls with none) reads as `null`.
fn or_null(body: &[u8]) -> &[u8] {
    if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    }
}

/// Provides the API settings to the app.
pub fn provide_api(api: Api) {
    provide_context(api);
}

/// The API settings (token, region, namespace) of the running app.
/// Without [`provide_api`] above it is a wiring mistake: loud in debug
/// builds (and so in the browser tests), same-origin defaults in release.
pub fn use_api() -> Api {
    use_context::<Api>().unwrap_or_else(|| {
        debug_assert!(false, "use_api: no Api in context (provide_api in App)");
        let api = Api::with_origin("");
        provide_context(api);
        api
    })
}

/// Who the current token is, as the agent sees it: `T` is the whole
/// [`nomad_model::AclToken`] or the part of it a view shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Identity<T = nomad_model::AclToken> {
    /// ACLs are off: 2.x answers `token/self` with the built-in
    /// `acls-disabled` token, older agents with 400 `ACL support disabled`.
    AclsDisabled,
    Token(T),
}

/// Reads `token/self` into an [`Identity`], folding both agents' "ACLs
/// are off" answers into one.
pub async fn identity<T>(api: Api) -> Result<Identity<T>, super::ApiError>
where
    T: nomad_model::TokenSelf + DeserializeOwned,
{
    match api.token_self::<T>().await {
        Ok(t) if t.is_acls_disabled() => Ok(Identity::AclsDisabled),
        Ok(t) => Ok(Identity::Token(t)),
        Err(e) if e.kind == super::ApiErrorKind::AclDisabled => Ok(Identity::AclsDisabled),
        Err(e) => Err(e),
    }
}

/// Who the current token is: `None` when browsing anonymously, else the
/// answer of `/v1/acl/token/self`. Re-read when the token changes.
pub fn use_token_identity() -> LocalResource<Option<Result<Identity, super::ApiError>>> {
    let api = use_api();
    LocalResource::new(move || {
        let t = api.token.get();
        async move {
            match t {
                None => None,
                Some(_) => Some(identity(api).await),
            }
        }
    })
}
