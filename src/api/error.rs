//! Typed API errors carrying Nomad's own error text.

use nomad_model::errors::{classify, ErrorKind};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 403 `Permission denied`.
    Forbidden,
    /// 403 `ACL token not found`.
    TokenNotFound,
    /// The token expired or is invalid.
    TokenExpired,
    NotFound,
    /// 500 `No cluster leader`.
    NoLeader,
    AclDisabled,
    EnterpriseOnly,
    /// A check-and-set conflict (someone else changed the job).
    Conflict,
    BadRequest,
    Server,
    /// The agent could not be reached (network down, DNS, CORS, proxy).
    Network,
    /// The answer was not what Nomad sends.
    Decode,
    /// The request was cancelled (navigation, unmount).
    Aborted,
    /// The browser refused what the answer was for (saving a download).
    Browser,
}

/// An error from the Nomad API, with the agent's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    /// HTTP status, 0 when there was no answer.
    pub status: u16,
    /// Nomad's error text (or the transport's).
    pub message: String,
    /// The path that failed, for the error panel.
    pub path: String,
}

impl ApiError {
    pub fn from_status(status: u16, body: &str, path: &str) -> Self {
        let kind = match classify(status, body) {
            ErrorKind::PermissionDenied => ApiErrorKind::Forbidden,
            ErrorKind::TokenNotFound => ApiErrorKind::TokenNotFound,
            ErrorKind::TokenExpired => ApiErrorKind::TokenExpired,
            ErrorKind::NotFound => ApiErrorKind::NotFound,
            ErrorKind::NoLeader => ApiErrorKind::NoLeader,
            ErrorKind::AclDisabled => ApiErrorKind::AclDisabled,
            ErrorKind::EnterpriseOnly => ApiErrorKind::EnterpriseOnly,
            ErrorKind::InvalidMethod | ErrorKind::BadRequest => ApiErrorKind::BadRequest,
            ErrorKind::Conflict => ApiErrorKind::Conflict,
            ErrorKind::Server => ApiErrorKind::Server,
        };
        let text = body.trim();
        ApiError {
            kind,
            status,
            message: if text.is_empty() {
                format!("HTTP {status}")
            } else {
                text.to_string()
            },
            path: path.to_string(),
        }
    }

    pub fn network(msg: impl Into<String>, path: &str) -> Self {
        ApiError {
            kind: ApiErrorKind::Network,
            status: 0,
            message: msg.into(),
            path: path.into(),
        }
    }

    pub fn decode(msg: impl Into<String>, path: &str) -> Self {
        ApiError {
            kind: ApiErrorKind::Decode,
            status: 0,
            message: msg.into(),
            path: path.into(),
        }
    }

    /// The browser could not do what the answer was fetched for.
    pub fn browser(msg: impl Into<String>, path: &str) -> Self {
        ApiError {
            kind: ApiErrorKind::Browser,
            status: 0,
            message: msg.into(),
            path: path.into(),
        }
    }

    pub fn aborted(path: &str) -> Self {
        ApiError {
            kind: ApiErrorKind::Aborted,
            status: 0,
            message: "request cancelled".into(),
            path: path.into(),
        }
    }

    /// Short headline for the error panel.
    pub fn title(&self) -> &'static str {
        match self.kind {
            ApiErrorKind::Forbidden => "Not authorized",
            ApiErrorKind::TokenNotFound => "ACL token not found",
            ApiErrorKind::TokenExpired => "ACL token expired",
            ApiErrorKind::NotFound => "Not found",
            ApiErrorKind::NoLeader => "No cluster leader",
            ApiErrorKind::AclDisabled => "ACLs are disabled",
            ApiErrorKind::EnterpriseOnly => "Nomad Enterprise only",
            ApiErrorKind::Conflict => "Changed by someone else",
            ApiErrorKind::BadRequest => "Request refused",
            ApiErrorKind::Server => "Server error",
            ApiErrorKind::Network => "Cannot reach the Nomad agent",
            ApiErrorKind::Decode => "Unexpected answer",
            ApiErrorKind::Aborted => "Cancelled",
            ApiErrorKind::Browser => "The browser refused",
        }
    }

    /// What the operator can do about it.
    pub fn advice(&self) -> &'static str {
        match self.kind {
            ApiErrorKind::Forbidden => "Your ACL token does not allow this. Sign in with a token that has the needed policy.",
            ApiErrorKind::TokenNotFound => "The token you signed in with does not exist on this cluster. Sign in again.",
            ApiErrorKind::TokenExpired => "Your token has expired. Sign in with a fresh one.",
            ApiErrorKind::NotFound => "It may have been garbage collected, purged, or it lives in another namespace or region.",
            ApiErrorKind::NoLeader => "The servers have not elected a leader. Yurt keeps retrying; check the servers' health.",
            ApiErrorKind::AclDisabled => "This cluster does not use ACL tokens; no sign-in is needed.",
            ApiErrorKind::EnterpriseOnly => "This agent does not offer this feature.",
            ApiErrorKind::Conflict => "Reload to see the current state, then try again.",
            ApiErrorKind::BadRequest => "Nomad refused the request as given.",
            ApiErrorKind::Server => "The agent failed to answer. Yurt keeps retrying.",
            ApiErrorKind::Network => "The network or the agent is down. Yurt keeps retrying.",
            ApiErrorKind::Decode => "The agent answered with something Yurt could not read.",
            ApiErrorKind::Aborted => "",
            ApiErrorKind::Browser => "Check the browser's download settings and try again.",
        }
    }

    /// Errors that a new token could fix.
    pub fn is_auth(&self) -> bool {
        matches!(
            self.kind,
            ApiErrorKind::Forbidden | ApiErrorKind::TokenNotFound | ApiErrorKind::TokenExpired
        )
    }

    /// Errors worth retrying in a watcher.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ApiErrorKind::NoLeader | ApiErrorKind::Server | ApiErrorKind::Network
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.status > 0 {
            write!(f, "{} ({}): {}", self.title(), self.status, self.message)
        } else {
            write!(f, "{}: {}", self.title(), self.message)
        }
    }
}

impl std::error::Error for ApiError {}
