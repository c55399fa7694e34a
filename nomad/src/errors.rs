//! Classification of Nomad's plain-text error answers.
//!
//! Nomad writes the status code and the bare error text (no JSON). Errors
//! forwarded between agents may carry an `rpc error: ` prefix, so matching
//! is by suffix, as Nomad itself does.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 403 `Permission denied`: the token lacks a capability.
    PermissionDenied,
    /// 403 `ACL token not found`: the secret does not resolve.
    TokenNotFound,
    /// `ACL token expired` (500 on the agents we know) or `ACL token is invalid`.
    TokenExpired,
    /// 404 of any kind (`job not found`, an unknown path, ...).
    NotFound,
    /// 500 `No cluster leader`.
    NoLeader,
    /// `ACL support disabled` (400, or 500 before 0.10.2).
    AclDisabled,
    /// 501 `Nomad Enterprise only endpoint`.
    EnterpriseOnly,
    /// 405 `Invalid method`.
    InvalidMethod,
    /// A check-and-set conflict (`EnforceIndex`, `EnforcePriorVersion`).
    Conflict,
    /// Another 4xx: the request was refused as invalid.
    BadRequest,
    /// Another 5xx.
    Server,
}

pub fn classify(status: u16, body: &str) -> ErrorKind {
    let text = body.trim();
    let lower = text.to_ascii_lowercase();
    if text.ends_with("Permission denied") {
        return ErrorKind::PermissionDenied;
    }
    if text.ends_with("ACL token not found") {
        return ErrorKind::TokenNotFound;
    }
    if text.ends_with("ACL token expired") || text.ends_with("ACL token is invalid") {
        return ErrorKind::TokenExpired;
    }
    if text.ends_with("ACL support disabled") {
        return ErrorKind::AclDisabled;
    }
    if text.ends_with("No cluster leader") {
        return ErrorKind::NoLeader;
    }
    if status == 501 || text.ends_with("Enterprise only endpoint") {
        return ErrorKind::EnterpriseOnly;
    }
    if lower.contains("enforcing job modify index")
        || lower.contains("enforcing version")
        || status == 409
    {
        return ErrorKind::Conflict;
    }
    if status == 405 || (text == "Invalid method" && status != 404) {
        return ErrorKind::InvalidMethod;
    }
    match status {
        404 => ErrorKind::NotFound,
        403 => ErrorKind::PermissionDenied,
        400..=499 => ErrorKind::BadRequest,
        _ => ErrorKind::Server,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_matching() {
        assert_eq!(
            classify(403, "Permission denied"),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            classify(500, "rpc error: Permission denied"),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            classify(403, "ACL token not found"),
            ErrorKind::TokenNotFound
        );
        assert_eq!(
            classify(500, "rpc error: No cluster leader"),
            ErrorKind::NoLeader
        );
        assert_eq!(classify(404, "job not found"), ErrorKind::NotFound);
        assert_eq!(classify(404, ""), ErrorKind::NotFound);
        assert_eq!(
            classify(501, "Nomad Enterprise only endpoint"),
            ErrorKind::EnterpriseOnly
        );
        assert_eq!(
            classify(400, "ACL support disabled"),
            ErrorKind::AclDisabled
        );
        assert_eq!(
            classify(500, "ACL support disabled"),
            ErrorKind::AclDisabled
        );
        assert_eq!(classify(405, "Invalid method"), ErrorKind::InvalidMethod);
        assert_eq!(
            classify(
                500,
                "Enforcing job modify index 10: job exists with conflicting job modify index: 12"
            ),
            ErrorKind::Conflict
        );
        assert_eq!(
            classify(400, "1 error occurred: bad"),
            ErrorKind::BadRequest
        );
        assert_eq!(classify(502, "bad gateway"), ErrorKind::Server);
    }
}
