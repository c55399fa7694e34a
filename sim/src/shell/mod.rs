//! The simulated task shell behind `/v1/client/allocation/:id/exec`: a
//! small busybox-like `sh` over the allocation's file tree, seen as the
//! task sees it inside its chroot (`/alloc`, `/local`, `/secrets`, `/tmp`).
//!
//! It is synchronous and knows nothing of websockets: the endpoint feeds it
//! stdin bytes, resizes and ticks, and sends on what it writes. With a tty
//! it does what the kernel's line discipline would (echo, erase, `^C`,
//! `\n` to `\r\n`) and merges stderr into stdout, as a pty does.

mod commands;

use crate::logs::FsEntry;

/// What the shell writes: output, or its exit status (after which the
/// endpoint sends `exited` and closes).
#[derive(Debug, PartialEq, Eq)]
pub enum Out {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Exit(i32),
}

/// The allocation's file tree, by paths relative to the allocation
/// directory (`alloc/logs`, `<task>/local/app.conf`).
pub trait Files {
    fn entry(&mut self, alloc_path: &str) -> Option<FsEntry>;
}

/// Who the shell runs as: the task and its environment.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub task: String,
    pub hostname: String,
    /// The task's own command line, PID 1 in `ps`.
    pub main: String,
    pub env: Vec<(String, String)>,
}

/// A command that keeps running across ticks until it ends or `^C`.
#[derive(Debug)]
enum Running {
    Ping {
        host: String,
        ip: String,
        seq: u32,
        count: Option<u32>,
    },
    Sleep {
        ticks: u32,
    },
}

/// How often the endpoint calls [`Shell::tick`], in milliseconds.
pub const TICK_MS: u64 = 250;

pub struct Shell {
    ctx: Context,
    tty: bool,
    interactive: bool,
    cwd: String,
    status: i32,
    rows: u16,
    cols: u16,
    line: Vec<u8>,
    history: Vec<String>,
    back: usize,
    escape: Option<Vec<u8>>,
    running: Option<Running>,
    exited: bool,
}

const SHELLS: [&str; 6] = ["/bin/sh", "sh", "/bin/bash", "bash", "/bin/ash", "ash"];

impl Shell {
    /// Starts `argv`: an interactive shell (`/bin/sh`, `bash`, ...), a shell
    /// running `-c "..."`, or any other command run once.
    pub fn start(ctx: Context, argv: &[String], tty: bool, fs: &mut dyn Files) -> (Self, Vec<Out>) {
        let mut sh = Shell {
            ctx,
            tty,
            interactive: false,
            cwd: "/".into(),
            status: 0,
            rows: 24,
            cols: 80,
            line: vec![],
            history: vec![],
            back: 0,
            escape: None,
            running: None,
            exited: false,
        };
        let mut out = vec![];
        match argv {
            [sh_, c, script, ..] if SHELLS.contains(&sh_.as_str()) && c == "-c" => {
                sh.run_line(script, fs, &mut out);
                sh.finish_once(&mut out);
            }
            [sh_] if SHELLS.contains(&sh_.as_str()) => {
                sh.interactive = true;
                sh.prompt(&mut out);
            }
            _ => {
                let line = argv
                    .iter()
                    .map(|a| commands::quote(a))
                    .collect::<Vec<_>>()
                    .join(" ");
                sh.run_line(&line, fs, &mut out);
                sh.finish_once(&mut out);
            }
        }
        (sh, out)
    }

    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    pub fn resize(&mut self, rows: u16, cols: u16) {
        if rows > 0 && cols > 0 {
            self.rows = rows;
            self.cols = cols;
        }
    }

    /// Stdin closed (`{"stdin":{"close":true}}`): the shell reads EOF.
    pub fn close_stdin(&mut self) -> Vec<Out> {
        let mut out = vec![];
        if self.running.is_none() && !self.exited {
            self.exit(self.status, &mut out);
        }
        out
    }

    pub fn input(&mut self, bytes: &[u8], fs: &mut dyn Files) -> Vec<Out> {
        let mut out = vec![];
        for &b in bytes {
            if self.exited {
                break;
            }
            if self.tty {
                self.tty_byte(b, fs, &mut out);
            } else if b == b'\n' {
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                self.run_line(&line, fs, &mut out);
            } else {
                self.line.push(b);
            }
        }
        out
    }

    /// Advances a running command by one tick.
    pub fn tick(&mut self) -> Vec<Out> {
        let mut out = vec![];
        match self.running.take() {
            Some(Running::Ping {
                host,
                ip,
                seq,
                count,
            }) => {
                let ms = 0.04 + f64::from(seq % 7) * 0.013;
                self.write(
                    format!("64 bytes from {ip}: seq={seq} ttl=64 time={ms:.3} ms\n"),
                    &mut out,
                );
                let next = seq + 1;
                if count.is_some_and(|c| next >= c) {
                    self.ping_summary(&host, next, &mut out);
                    self.status = 0;
                    self.done(&mut out);
                } else {
                    self.running = Some(Running::Ping {
                        host,
                        ip,
                        seq: next,
                        count,
                    });
                }
            }
            Some(Running::Sleep { ticks }) if ticks > 1 => {
                self.running = Some(Running::Sleep { ticks: ticks - 1 });
            }
            Some(Running::Sleep { .. }) => {
                self.status = 0;
                self.done(&mut out);
            }
            None => {}
        }
        out
    }

    fn tty_byte(&mut self, b: u8, fs: &mut dyn Files, out: &mut Vec<Out>) {
        if let Some(seq) = &mut self.escape {
            seq.push(b);
            // `ESC [` (CSI) ends with a byte in 0x40..=0x7e, `ESC O` (SS3)
            // with the next byte; a bare Esc or Alt+key is over at once
            let done = match seq.as_slice() {
                [b'['] | [b'O'] => false,
                [b'[', .., last] => (0x40..=0x7e).contains(last),
                _ => true,
            };
            if done {
                let seq = self.escape.take().unwrap_or_default();
                self.escape_seq(&seq, out);
            }
            return;
        }
        if b == 0x03 {
            self.interrupt(out);
            return;
        }
        if self.running.is_some() {
            return;
        }
        match b {
            b'\r' | b'\n' => {
                out_push(out, b"\r\n");
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                if !line.trim().is_empty() {
                    self.history.push(line.clone());
                }
                self.back = 0;
                self.run_line(&line, fs, out);
                if self.running.is_none() && !self.exited {
                    self.prompt(out);
                }
            }
            0x7f | 0x08 => {
                if self.line.is_empty() {
                    return;
                }
                while let Some(c) = self.line.pop() {
                    if c & 0xc0 != 0x80 {
                        break;
                    }
                }
                out_push(out, b"\x08 \x08");
            }
            0x04 if self.line.is_empty() => {
                out_push(out, b"exit\r\n");
                self.exit(self.status, out);
            }
            0x15 => self.replace_line(String::new(), out),
            0x0c => {
                out_push(out, b"\x1b[H\x1b[2J");
                self.prompt(out);
                let l = self.line.clone();
                out_push(out, &l);
            }
            0x1b => self.escape = Some(vec![]),
            b if (b >= 0x20 && b != 0x7f) || b == b'\t' => {
                self.line.push(b);
                out_push(out, &[b]);
            }
            _ => {}
        }
    }

    /// Up and down walk the history; other sequences are swallowed.
    fn escape_seq(&mut self, seq: &[u8], out: &mut Vec<Out>) {
        if self.running.is_some() || self.history.is_empty() {
            return;
        }
        let back = match seq {
            b"[A" => (self.back + 1).min(self.history.len()),
            b"[B" => self.back.saturating_sub(1),
            _ => return,
        };
        self.back = back;
        let line = if back == 0 {
            String::new()
        } else {
            self.history[self.history.len() - back].clone()
        };
        self.replace_line(line, out);
    }

    fn replace_line(&mut self, line: String, out: &mut Vec<Out>) {
        let erase = "\x08 \x08".repeat(String::from_utf8_lossy(&self.line).chars().count());
        out_push(out, erase.as_bytes());
        out_push(out, line.as_bytes());
        self.line = line.into_bytes();
    }

    fn interrupt(&mut self, out: &mut Vec<Out>) {
        if !self.tty {
            return;
        }
        out_push(out, b"^C\r\n");
        self.status = 130;
        match self.running.take() {
            Some(Running::Ping { host, seq, .. }) => self.ping_summary(&host, seq, out),
            Some(Running::Sleep { .. }) | None => {}
        }
        self.line.clear();
        self.done(out);
    }

    fn ping_summary(&mut self, host: &str, sent: u32, out: &mut Vec<Out>) {
        self.write(
            format!(
                "\n--- {host} ping statistics ---\n{sent} packets transmitted, {sent} packets received, 0% packet loss\n"
            ),
            out,
        );
    }

    /// A foreground command ended: prompt again, or exit when the session
    /// ran a single command.
    fn done(&mut self, out: &mut Vec<Out>) {
        if self.interactive {
            self.prompt(out);
        } else {
            self.exit(self.status, out);
        }
    }

    fn finish_once(&mut self, out: &mut Vec<Out>) {
        if self.running.is_none() && !self.exited {
            self.exit(self.status, out);
        }
    }

    fn prompt(&mut self, out: &mut Vec<Out>) {
        if self.tty {
            let p = format!("{} # ", self.cwd);
            out_push(out, p.as_bytes());
        }
    }

    fn exit(&mut self, code: i32, out: &mut Vec<Out>) {
        self.exited = true;
        self.running = None;
        out.push(Out::Exit(code));
    }

    /// Writes to stdout; with a tty `\n` becomes `\r\n` (`onlcr`).
    fn write(&self, s: impl AsRef<str>, out: &mut Vec<Out>) {
        out_push(out, self.cooked(s.as_ref()).as_bytes());
    }

    fn write_err(&self, s: impl AsRef<str>, out: &mut Vec<Out>) {
        let text = self.cooked(s.as_ref());
        if self.tty {
            out_push(out, text.as_bytes());
        } else {
            out.push(Out::Stderr(text.into_bytes()));
        }
    }

    fn cooked(&self, s: &str) -> String {
        if self.tty {
            s.replace('\n', "\r\n")
        } else {
            s.to_string()
        }
    }
}

/// Appends to the last stdout chunk, so one input byte's echo and the
/// prompt after a command travel as one frame.
fn out_push(out: &mut Vec<Out>, bytes: &[u8]) {
    if let Some(Out::Stdout(v)) = out.last_mut() {
        v.extend_from_slice(bytes);
    } else {
        out.push(Out::Stdout(bytes.to_vec()));
    }
}

#[cfg(test)]
mod tests;
