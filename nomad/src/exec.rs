//! Exec sessions (`/v1/client/allocation/:id/exec`): the JSON frames of
//! Nomad's websocket protocol (`plugins/drivers/execstreaming.go`; bytes
//! are base64), the command line an operator types, and what the end of a
//! session means in words.

use base64::Engine;
use serde::Deserialize;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The first frame when `ws_handshake=true` (Nomad 1.4+; older agents read
/// it as a heartbeat, so it is always safe to send).
pub fn handshake(token: &str) -> String {
    serde_json::json!({ "version": 1, "auth_token": token }).to_string()
}

pub fn stdin(bytes: &[u8]) -> String {
    format!(r#"{{"stdin":{{"data":"{}"}}}}"#, B64.encode(bytes))
}

pub fn stdin_close() -> String {
    r#"{"stdin":{"close":true}}"#.to_string()
}

pub fn tty_size(rows: u16, cols: u16) -> String {
    format!(r#"{{"tty_size":{{"height":{rows},"width":{cols}}}}}"#)
}

/// An empty message, which the agent reads as a heartbeat.
pub const HEARTBEAT: &str = "{}";

/// One output frame, decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Output {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The command ended with this exit code.
    Exited(i64),
    /// A stream closed, or a frame with nothing for the operator.
    Nothing,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Frame {
    stdout: Option<Io>,
    stderr: Option<Io>,
    exited: bool,
    result: Option<ExitResult>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Io {
    data: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExitResult {
    exit_code: i64,
}

/// Decodes an output frame; a frame that is not JSON or carries invalid
/// base64 is an error the session shows without ending.
pub fn decode(text: &str) -> Result<Output, String> {
    let f: Frame =
        serde_json::from_str(text).map_err(|e| format!("unreadable exec frame ({e})"))?;
    let data = |io: Io| -> Result<Vec<u8>, String> {
        io.data.map_or(Ok(vec![]), |d| {
            B64.decode(d.as_bytes())
                .map_err(|e| format!("exec frame with invalid base64 ({e})"))
        })
    };
    if f.exited {
        return Ok(Output::Exited(f.result.unwrap_or_default().exit_code));
    }
    match (f.stdout, f.stderr) {
        (Some(io), _) if io.data.is_some() => data(io).map(Output::Stdout),
        (_, Some(io)) if io.data.is_some() => data(io).map(Output::Stderr),
        _ => Ok(Output::Nothing),
    }
}

/// The command an operator typed, as the argv Nomad wants (`command` is a
/// JSON array). Quotes group words as a shell would.
pub fn argv(line: &str) -> Result<Vec<String>, String> {
    let words =
        shlex::split(line).ok_or_else(|| "the command has an unclosed quote".to_string())?;
    if words.is_empty() {
        return Err("type a command to run, such as /bin/sh".into());
    }
    Ok(words)
}

/// How a session ended, for the banner under the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    Exited(i64),
    /// The agent refused or ended it with a close frame.
    Refused {
        code: u16,
        reason: String,
    },
    /// The connection went away without a word.
    Dropped {
        code: u16,
    },
}

impl Ended {
    /// What a close means: after `exited` the agent closes without a close
    /// frame, which is no error.
    pub fn from_close(exited: Option<i64>, code: u16, reason: &str) -> Ended {
        match exited {
            Some(c) => Ended::Exited(c),
            None if !reason.is_empty() => Ended::Refused {
                code,
                reason: reason.to_string(),
            },
            None => Ended::Dropped { code },
        }
    }

    pub fn is_error(&self) -> bool {
        !matches!(self, Ended::Exited(0))
    }

    /// In words, naming the capability a refused token lacks.
    pub fn describe(&self, namespace: &str) -> String {
        match self {
            Ended::Exited(0) => "The command exited with code 0.".into(),
            Ended::Exited(c) => format!("The command exited with code {c}."),
            Ended::Refused { reason, .. } if reason.contains("Permission denied") => format!(
                "The agent refused the session: Permission denied. Exec needs a token with alloc-exec in namespace {namespace} (and alloc-node-exec for tasks without filesystem isolation, such as raw_exec)."
            ),
            Ended::Refused { code, reason } => {
                format!("The agent ended the session: {reason} (close code {code}).")
            }
            Ended::Dropped { code } => format!(
                "The connection dropped (close code {code}) before the command exited. A proxy in front of the agent must pass websocket upgrades."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_in_are_what_the_agent_reads() {
        assert_eq!(stdin(b"ls\r"), r#"{"stdin":{"data":"bHMN"}}"#);
        assert_eq!(tty_size(24, 80), r#"{"tty_size":{"height":24,"width":80}}"#);
        assert_eq!(stdin_close(), r#"{"stdin":{"close":true}}"#);
        let h: serde_json::Value = serde_json::from_str(&handshake("s\"ecret")).unwrap();
        assert_eq!(h["version"], 1);
        assert_eq!(h["auth_token"], "s\"ecret");
    }

    #[test]
    fn frames_out_decode_with_omitted_fields() {
        assert_eq!(
            decode(r#"{"stdout":{"data":"aGk="}}"#),
            Ok(Output::Stdout(b"hi".to_vec()))
        );
        assert_eq!(
            decode(r#"{"stderr":{"data":"eA=="}}"#),
            Ok(Output::Stderr(b"x".to_vec()))
        );
        assert_eq!(decode(r#"{"stdout":{"close":true}}"#), Ok(Output::Nothing));
        assert_eq!(
            decode(r#"{"exited":true,"result":{}}"#),
            Ok(Output::Exited(0))
        );
        assert_eq!(
            decode(r#"{"exited":true,"result":{"exit_code":130}}"#),
            Ok(Output::Exited(130))
        );
        assert_eq!(decode(r#"{"unknown":1}"#), Ok(Output::Nothing));
        assert!(decode(r#"{"stdout":{"data":"@@"}}"#)
            .unwrap_err()
            .contains("base64"));
        assert!(decode("not json").is_err());
    }

    #[test]
    fn a_typed_command_becomes_an_argv() {
        assert_eq!(argv("/bin/sh").unwrap(), vec!["/bin/sh"]);
        assert_eq!(
            argv("sh -c 'echo a  b'").unwrap(),
            vec!["sh", "-c", "echo a  b"]
        );
        assert!(argv("   ").is_err());
        assert!(argv("echo 'open").is_err());
    }

    #[test]
    fn how_a_session_ended_reads() {
        assert_eq!(Ended::from_close(Some(3), 1006, ""), Ended::Exited(3));
        let refused = Ended::from_close(None, 1011, "Permission denied");
        assert!(refused
            .describe("web")
            .contains("alloc-exec in namespace web"));
        assert!(Ended::from_close(None, 1006, "")
            .describe("default")
            .contains("dropped (close code 1006)"));
        assert!(!Ended::Exited(0).is_error());
        assert!(Ended::Exited(1).is_error());
    }
}
