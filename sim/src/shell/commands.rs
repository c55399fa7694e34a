//! The shell's words and commands: quoting, `$VAR` and `$?`, `;`, and the
//! built-ins a debugging operator reaches for first.

use super::{Files, Out, Running, Shell, TICK_MS};
use crate::logs::FsEntry;

impl Shell {
    /// Runs one input line: `;`-separated commands, in order.
    pub(super) fn run_line(&mut self, line: &str, fs: &mut dyn Files, out: &mut Vec<Out>) {
        for cmd in split_commands(line) {
            if self.exited || self.running.is_some() {
                return;
            }
            let words = self.words(&cmd);
            if words.is_empty() {
                continue;
            }
            self.status = self.run(&words, fs, out);
        }
    }

    fn words(&self, cmd: &str) -> Vec<String> {
        let status = self.status.to_string();
        let lookup = |name: &str| -> String {
            if name == "?" {
                return status.clone();
            }
            if name == "PWD" {
                return self.cwd.clone();
            }
            self.var(name).unwrap_or_default()
        };
        split_words(cmd, &lookup)
    }

    fn var(&self, name: &str) -> Option<String> {
        self.ctx
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn run(&mut self, w: &[String], fs: &mut dyn Files, out: &mut Vec<Out>) -> i32 {
        let args = &w[1..];
        match w[0].as_str() {
            "exit" => {
                let code = args
                    .first()
                    .map_or(Some(self.status), |a| a.parse::<i32>().ok());
                match code {
                    Some(c) => self.exit(c & 0xff, out),
                    None => {
                        self.write_err(format!("sh: exit: Illegal number: {}\n", args[0]), out);
                        return 2;
                    }
                }
                self.status
            }
            "pwd" => {
                self.write(format!("{}\n", self.cwd), out);
                0
            }
            "cd" => self.cd(args.first().map_or("/", String::as_str), fs, out),
            "ls" => self.ls(args, fs, out),
            "cat" => self.cat(args, fs, out),
            "echo" => {
                let (nl, args) = match args.first().map(String::as_str) {
                    Some("-n") => ("", &args[1..]),
                    _ => ("\n", args),
                };
                self.write(format!("{}{nl}", args.join(" ")), out);
                0
            }
            "env" | "printenv" => self.env(args, out),
            "export" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        self.ctx.env.push((k.to_string(), v.to_string()));
                    }
                }
                0
            }
            "ps" => {
                let me = 40 + self.history.len() as u32;
                let text = format!(
                    "PID   USER     TIME  COMMAND\n    1 root      0:00 {}\n   {} root      0:00 /bin/sh\n   {} root      0:00 ps {}\n",
                    self.ctx.main,
                    me,
                    me + 1,
                    args.join(" ")
                );
                self.write(text.replace(" \n", "\n"), out);
                0
            }
            "ping" => self.ping(args, out),
            "sleep" => match args.first().and_then(|a| a.parse::<u64>().ok()) {
                Some(secs) => {
                    let ticks = secs.saturating_mul(1000).div_ceil(TICK_MS).clamp(1, u64::from(u32::MAX)) as u32;
                    self.running = Some(Running::Sleep { ticks });
                    0
                }
                None => {
                    self.write_err("sleep: invalid number\n", out);
                    1
                }
            },
            "stty" if args.first().is_some_and(|a| a == "size") => {
                self.write(format!("{} {}\n", self.rows, self.cols), out);
                0
            }
            "tput" => match args.first().map(String::as_str) {
                Some("cols") => self.say(self.cols.to_string(), out),
                Some("lines") => self.say(self.rows.to_string(), out),
                _ => 1,
            },
            "hostname" => self.say(self.ctx.hostname.clone(), out),
            "whoami" => self.say("root".into(), out),
            "id" => self.say("uid=0(root) gid=0(root) groups=0(root)".into(), out),
            "uname" => self.say(
                if args.iter().any(|a| a == "-a") {
                    format!("Linux {} 6.1.0-nomad-sim #1 SMP x86_64 GNU/Linux", self.ctx.hostname)
                } else {
                    "Linux".into()
                },
                out,
            ),
            "true" | ":" => 0,
            "false" => 1,
            "clear" => {
                out.push(Out::Stdout(b"\x1b[H\x1b[2J".to_vec()));
                0
            }
            "help" => self.say(
                "built-ins: cat cd clear echo env exit export false help hostname id ls ping ps pwd sleep stty size tput true uname whoami".into(),
                out,
            ),
            other => {
                self.write_err(format!("sh: 1: {other}: not found\n"), out);
                127
            }
        }
    }

    fn say(&self, line: String, out: &mut Vec<Out>) -> i32 {
        self.write(format!("{line}\n"), out);
        0
    }

    /// The chroot path `p` (absolute or relative to the working directory),
    /// normalised.
    fn resolve(&self, p: &str) -> String {
        let joined = if p.starts_with('/') {
            p.to_string()
        } else {
            format!("{}/{p}", self.cwd)
        };
        let mut parts: Vec<&str> = vec![];
        for seg in joined.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        format!("/{}", parts.join("/"))
    }

    /// What is at a chroot path: `/` and the four directories the task
    /// sees, mapped onto the allocation directory.
    fn entry(&self, path: &str, fs: &mut dyn Files) -> Option<FsEntry> {
        let rest = path.trim_start_matches('/');
        if rest.is_empty() {
            return Some(FsEntry::Dir(
                ["alloc", "local", "secrets", "tmp"]
                    .iter()
                    .map(|d| (d.to_string(), true, 4096))
                    .collect(),
            ));
        }
        let (top, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let base = match top {
            "alloc" => "alloc".to_string(),
            "local" | "secrets" | "tmp" => format!("{}/{top}", self.ctx.task),
            _ => return None,
        };
        let alloc_path = if tail.is_empty() {
            base
        } else {
            format!("{base}/{tail}")
        };
        fs.entry(&alloc_path)
    }

    fn cd(&mut self, to: &str, fs: &mut dyn Files, out: &mut Vec<Out>) -> i32 {
        let path = self.resolve(to);
        match self.entry(&path, fs) {
            Some(FsEntry::Dir(_)) => {
                self.cwd = path;
                self.ctx.env.push(("PWD".into(), self.cwd.clone()));
                0
            }
            _ => {
                self.write_err(format!("sh: 1: cd: can't cd to {to}\n"), out);
                2
            }
        }
    }

    fn ls(&mut self, args: &[String], fs: &mut dyn Files, out: &mut Vec<Out>) -> i32 {
        let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
        let mut paths: Vec<&str> = args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .map(String::as_str)
            .collect();
        if paths.is_empty() {
            paths.push(".");
        }
        let mut status = 0;
        for (i, p) in paths.iter().enumerate() {
            let path = self.resolve(p);
            let mut rows: Vec<(String, bool, u64)> = match self.entry(&path, fs) {
                Some(FsEntry::Dir(items)) => items,
                Some(FsEntry::File(b)) => vec![(p.to_string(), false, b.len() as u64)],
                None => {
                    self.write_err(format!("ls: {p}: No such file or directory\n"), out);
                    status = 1;
                    continue;
                }
            };
            rows.sort();
            if paths.len() > 1 {
                let sep = if i > 0 { "\n" } else { "" };
                self.write(format!("{sep}{p}:\n"), out);
            }
            let text = if long {
                rows.iter()
                    .map(|(n, dir, size)| {
                        let mode = if *dir { "drwxr-xr-x" } else { "-rw-r--r--" };
                        format!("{mode}    1 root     root     {size:>8} {n}\n")
                    })
                    .collect::<String>()
            } else if rows.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
                format!("{}\n", names.join("  "))
            };
            self.write(text, out);
        }
        status
    }

    fn cat(&mut self, args: &[String], fs: &mut dyn Files, out: &mut Vec<Out>) -> i32 {
        let mut status = 0;
        for p in args {
            match self.entry(&self.resolve(p), fs) {
                Some(FsEntry::File(b)) => {
                    self.write(String::from_utf8_lossy(&b), out);
                }
                Some(FsEntry::Dir(_)) => {
                    self.write_err("cat: read error: Is a directory\n", out);
                    status = 1;
                }
                None => {
                    self.write_err(
                        format!("cat: can't open '{p}': No such file or directory\n"),
                        out,
                    );
                    status = 1;
                }
            }
        }
        status
    }

    fn env(&mut self, args: &[String], out: &mut Vec<Out>) -> i32 {
        if let Some(name) = args.first() {
            return match self.var(name) {
                Some(v) => self.say(v, out),
                None => 1,
            };
        }
        let mut seen = std::collections::BTreeMap::new();
        for (k, v) in &self.ctx.env {
            seen.insert(k.clone(), v.clone());
        }
        let text: String = seen.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        self.write(text, out);
        0
    }

    fn ping(&mut self, args: &[String], out: &mut Vec<Out>) -> i32 {
        let mut count = None;
        let mut host = None;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a == "-c" {
                count = it
                    .next()
                    .and_then(|c| c.parse::<u32>().ok())
                    .filter(|c| *c > 0);
            } else {
                host = Some(a.clone());
            }
        }
        let Some(host) = host else {
            self.write_err("ping: usage: ping [-c COUNT] HOST\n", out);
            return 1;
        };
        let h = host
            .bytes()
            .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
        let ip = format!("10.{}.{}.{}", h % 250, (h >> 8) % 250, (h >> 16) % 250 + 1);
        self.write(format!("PING {host} ({ip}): 56 data bytes\n"), out);
        self.running = Some(Running::Ping {
            host,
            ip,
            seq: 0,
            count,
        });
        0
    }
}

/// Quotes a word so that [`split_words`] gives it back unchanged.
pub(super) fn quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// Splits a line at `;` outside quotes.
fn split_commands(line: &str) -> Vec<String> {
    let mut cmds = vec![String::new()];
    let (mut single, mut double) = (false, false);
    for c in line.chars() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            ';' if !single && !double => {
                cmds.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = cmds.last_mut() {
            last.push(c);
        }
    }
    cmds
}

/// Words of one command: whitespace splits outside quotes, `'...'` is
/// literal, `"..."` and bare words expand `$NAME`, `${NAME}` and `$?`.
fn split_words(cmd: &str, var: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut words = vec![];
    let mut cur = String::new();
    let mut any = false;
    let (mut single, mut double) = (false, false);
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => {
                single = !single;
                any = true;
            }
            '"' if !single => {
                double = !double;
                any = true;
            }
            '\\' if !single => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '$' if !single => {
                let mut name = String::new();
                if chars.peek() == Some(&'?') {
                    chars.next();
                    name.push('?');
                } else if chars.peek() == Some(&'{') {
                    chars.next();
                    for n in chars.by_ref() {
                        if n == '}' {
                            break;
                        }
                        name.push(n);
                    }
                } else {
                    while let Some(&n) = chars.peek() {
                        if !(n.is_ascii_alphanumeric() || n == '_') {
                            break;
                        }
                        name.push(n);
                        chars.next();
                    }
                }
                if name.is_empty() {
                    cur.push('$');
                } else {
                    cur.push_str(&var(&name));
                }
                // An unquoted empty expansion is no word at all.
                any |= double;
            }
            c if c.is_whitespace() && !single && !double => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}
