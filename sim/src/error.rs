//! The one error type of the simulator: an HTTP status and the bare text a
//! Nomad agent answers with (`command/agent/http.go` writes a `CodedError`'s
//! message as `text/plain`, without JSON or a trailing newline).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub text: String,
}

impl ApiError {
    pub fn new(code: u16, text: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            text: text.into(),
        }
    }
    pub fn bad_request(text: impl Into<String>) -> Self {
        Self::new(400, text)
    }
    pub fn not_found(text: impl Into<String>) -> Self {
        Self::new(404, text)
    }
    pub fn internal(text: impl Into<String>) -> Self {
        Self::new(500, text)
    }
    /// `structs.ErrPermissionDenied`, which the agent maps to 403.
    pub fn permission_denied() -> Self {
        Self::new(403, "Permission denied")
    }
    /// `Invalid method`, answered with 405 by every handler's method switch.
    pub fn invalid_method() -> Self {
        Self::new(405, "Invalid method")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.text)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, self.text).into_response();
        r.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
