use super::*;

struct Tree;

impl Files for Tree {
    fn entry(&mut self, p: &str) -> Option<FsEntry> {
        let dir = |v: &[&str]| {
            Some(FsEntry::Dir(
                v.iter().map(|n| (n.to_string(), true, 4096)).collect(),
            ))
        };
        match p {
            "alloc" => dir(&["data", "logs", "tmp"]),
            "alloc/logs" => Some(FsEntry::Dir(vec![("web.stdout.0".into(), false, 6)])),
            "alloc/logs/web.stdout.0" => Some(FsEntry::File(b"hello\n".to_vec())),
            "web/local" => Some(FsEntry::Dir(vec![("app.conf".into(), false, 9)])),
            "web/local/app.conf" => Some(FsEntry::File(b"port = 1\n".to_vec())),
            "web/secrets" | "web/tmp" | "alloc/data" | "alloc/tmp" => dir(&[]),
            _ => None,
        }
    }
}

fn ctx() -> Context {
    Context {
        task: "web".into(),
        hostname: "a1b2c3d4".into(),
        main: "/usr/bin/web --port 8080".into(),
        env: vec![("NOMAD_TASK_NAME".into(), "web".into())],
    }
}

fn text(out: &[Out]) -> String {
    out.iter()
        .map(|o| match o {
            Out::Stdout(b) | Out::Stderr(b) => String::from_utf8_lossy(b).into_owned(),
            Out::Exit(c) => format!("<exit {c}>"),
        })
        .collect()
}

fn sh(argv: &[&str], tty: bool) -> (Shell, String) {
    let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let (s, out) = Shell::start(ctx(), &argv, tty, &mut Tree);
    (s, text(&out))
}

fn typed(s: &mut Shell, keys: &str) -> String {
    text(&s.input(keys.as_bytes(), &mut Tree))
}

#[test]
fn an_interactive_tty_shell_echoes_runs_and_prompts() {
    let (mut s, first) = sh(&["/bin/sh"], true);
    assert_eq!(first, "/ # ");
    assert_eq!(typed(&mut s, "ls"), "ls");
    assert_eq!(
        typed(&mut s, "\r"),
        "\r\nalloc  local  secrets  tmp\r\n/ # "
    );
    assert_eq!(typed(&mut s, "cd /local\r"), "cd /local\r\n/local # ");
    assert_eq!(
        typed(&mut s, "cat app.conf\r"),
        "cat app.conf\r\nport = 1\r\n/local # "
    );
    assert_eq!(typed(&mut s, "pwd\r"), "pwd\r\n/local\r\n/local # ");
}

#[test]
fn unknown_commands_fail_with_127_and_exit_takes_a_code() {
    let (mut s, _) = sh(&["/bin/sh"], true);
    assert!(typed(&mut s, "frobnicate\r").contains("sh: 1: frobnicate: not found"));
    assert!(typed(&mut s, "echo $?\r").contains("\r\n127\r\n"));
    assert!(typed(&mut s, "exit 3\r").ends_with("<exit 3>"));
    assert_eq!(typed(&mut s, "ls\r"), "", "nothing runs after exit");
}

#[test]
fn erase_history_and_ctrl_d() {
    let (mut s, _) = sh(&["/bin/sh"], true);
    assert_eq!(typed(&mut s, "pwx\x7f"), "pwx\x08 \x08");
    assert!(typed(&mut s, "d\r").contains("\r\n/\r\n"));
    assert_eq!(typed(&mut s, "\x1b[A"), "pwd", "up recalls the last line");
    assert_eq!(typed(&mut s, "\x15"), "\x08 \x08".repeat(3));
    assert_eq!(typed(&mut s, "\x04"), "exit\r\n<exit 0>");
}

#[test]
fn a_streaming_command_runs_until_ctrl_c() {
    let (mut s, _) = sh(&["/bin/sh"], true);
    assert!(typed(&mut s, "ping db\r").contains("PING db (10."));
    assert!(s.busy());
    assert!(text(&s.tick()).contains("seq=0"));
    assert!(text(&s.tick()).contains("seq=1"));
    let stop = typed(&mut s, "\x03");
    assert!(stop.starts_with("^C\r\n"));
    assert!(stop.contains("2 packets transmitted"));
    assert!(stop.ends_with("/ # "));
    assert!(!s.busy());
    assert!(typed(&mut s, "echo $?\r").contains("130"));
}

#[test]
fn a_single_command_runs_once_and_exits_with_its_status() {
    let (_, out) = sh(&["cat", "/alloc/logs/web.stdout.0"], false);
    assert_eq!(out, "hello\n<exit 0>");
    let (_, out) = sh(&["ls", "/nope"], false);
    assert_eq!(out, "ls: /nope: No such file or directory\n<exit 1>");
    let (_, out) = sh(
        &["/bin/sh", "-c", "echo \"$NOMAD_TASK_NAME\"; exit 4"],
        false,
    );
    assert_eq!(out, "web\n<exit 4>");
}

#[test]
fn without_a_tty_lines_run_unechoed_and_eof_exits() {
    let (mut s, first) = sh(&["/bin/sh"], false);
    assert_eq!(first, "");
    assert_eq!(typed(&mut s, "echo 'a  b'\n"), "a  b\n");
    assert_eq!(text(&s.close_stdin()), "<exit 0>");
}

#[test]
fn resize_is_what_stty_reports() {
    let (mut s, _) = sh(&["/bin/sh"], true);
    s.resize(40, 132);
    assert!(typed(&mut s, "stty size\r").contains("\r\n40 132\r\n"));
}

#[test]
fn a_counted_ping_ends_by_itself() {
    let (mut s, _) = sh(&["ping", "-c", "2", "db"], false);
    s.tick();
    let end = text(&s.tick());
    assert!(end.contains("2 packets transmitted"));
    assert!(end.ends_with("<exit 0>"));
}

#[test]
fn backspace_at_an_empty_prompt_and_a_bare_escape_change_nothing() {
    let (mut s, _) = sh(&["/bin/sh"], true);
    assert_eq!(typed(&mut s, "\x7f"), "");
    assert_eq!(typed(&mut s, "\x1b"), "");
    assert_eq!(typed(&mut s, "l"), "", "the byte after a bare Esc ends it");
    assert_eq!(typed(&mut s, "s\r"), "s\r\nsh: 1: s: not found\r\n/ # ");
    assert!(
        typed(&mut s, "\x1bOA").is_empty(),
        "SS3 arrows are swallowed whole"
    );
    assert!(typed(&mut s, "pwd\r").contains("\r\n/\r\n"));
}
