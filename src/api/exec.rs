//! Exec sessions: one websocket per session, owned by one task that reads
//! the agent's frames and writes what the page queues (the handshake
//! first, then keystrokes and sizes). Dropping the [`Exec`] handle ends
//! the task, which closes the socket: leaving the page ends the session.

use super::{paths, Api, ApiError};
use futures_channel::mpsc;
use futures_util::future::{select, Either};
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use leptos::prelude::GetUntracked;
use nomad_model::exec::{self, Ended, Output};

const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// What a session reports to the page.
pub enum ExecEvent {
    /// Bytes for the terminal (stdout and stderr: with a tty the agent
    /// merges them anyway).
    Output(Vec<u8>),
    /// A frame that could not be read; the session goes on.
    Garbled(String),
    Ended(Ended),
}

/// An open session; drop it to end the session.
pub struct Exec {
    tx: mpsc::UnboundedSender<String>,
}

impl Exec {
    pub fn stdin(&self, bytes: &[u8]) {
        let _ = self.tx.unbounded_send(exec::stdin(bytes));
    }

    pub fn resize(&self, rows: u16, cols: u16) {
        let _ = self.tx.unbounded_send(exec::tty_size(rows, cols));
    }

    /// Sends end-of-file, as Ctrl-D at an empty prompt would.
    pub fn close_stdin(&self) {
        let _ = self.tx.unbounded_send(exec::stdin_close());
    }
}

/// Opens a session running `command` in `task` of allocation `alloc`.
pub fn open_exec(
    api: &Api,
    alloc: &str,
    task: &str,
    command: &[String],
    mut on_event: impl FnMut(ExecEvent) + 'static,
) -> Result<Exec, ApiError> {
    let (path, query) = paths::alloc_exec(alloc, task, command, true);
    let url = crate::interop::ws_url(&api.url(&path, &query))
        .ok_or_else(|| ApiError::browser("cannot form the websocket address", &path))?;
    let mut ws = WebSocket::open(&url).map_err(|e| ApiError::browser(e.to_string(), &path))?;
    let (tx, mut rx) = mpsc::unbounded::<String>();
    let token = api.token.get_untracked().unwrap_or_default();
    let _ = tx.unbounded_send(exec::handshake(&token));
    leptos::task::spawn_local(async move {
        let mut exited = None;
        // `{}` every 10 s, as Nomad's own client sends: proxies close a
        // websocket that stays quiet (an idle shell) after a minute or so
        let mut beat = Box::pin(crate::interop::sleep(HEARTBEAT_EVERY));
        let ended = loop {
            let next = match select(select(ws.next(), rx.next()), &mut beat).await {
                Either::Left((Either::Left((m, _)), _)) => Either::Left(m),
                Either::Left((Either::Right((out, _)), _)) => Either::Right(out),
                Either::Right(((), _)) => {
                    beat = Box::pin(crate::interop::sleep(HEARTBEAT_EVERY));
                    Either::Right(Some(exec::HEARTBEAT.to_string()))
                }
            };
            match next {
                Either::Right(Some(frame)) => {
                    if ws.send(Message::Text(frame)).await.is_err() {
                        break Ended::from_close(exited, 1006, "");
                    }
                }
                // the page let go of the session: dropping the socket closes it
                Either::Right(None) => return,
                Either::Left(Some(Ok(Message::Text(t)))) => match exec::decode(&t) {
                    Ok(Output::Stdout(b) | Output::Stderr(b)) => on_event(ExecEvent::Output(b)),
                    Ok(Output::Exited(code)) => exited = Some(code),
                    Ok(Output::Nothing) => {}
                    Err(e) => on_event(ExecEvent::Garbled(e)),
                },
                Either::Left(Some(Ok(Message::Bytes(_)))) => {}
                Either::Left(Some(Err(WebSocketError::ConnectionClose(c)))) => {
                    break Ended::from_close(exited, c.code, &c.reason);
                }
                // an `error` event comes before the `close` that says why
                Either::Left(Some(Err(_))) => {}
                Either::Left(None) => break Ended::from_close(exited, 1006, ""),
            }
        };
        on_event(ExecEvent::Ended(ended));
    });
    Ok(Exec { tx })
}
