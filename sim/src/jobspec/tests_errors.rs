use super::*;

fn err(src: &str) -> String {
    match parse_job(src, "") {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e,
    }
}

#[test]
fn syntax_error_names_position_and_problem() {
    let e = err("job \"x\" {\n  group \"g\" {\n    count = \n  }\n}\n");
    assert_eq!(
        e,
        "input.hcl:3,13-14: Invalid expression; Expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit."
    );
    let e = err("invalid{hcl");
    assert!(e.starts_with("input.hcl:1,12-13: "), "{e}");
    let e = err("job \"x\" {\n  a = 1\n  a = 2\n}\n");
    assert_eq!(
        e,
        "input.hcl:3,3-4: Attribute redefined; The argument \"a\" was already set. Each argument may be set only once."
    );
    let (status, text) = parse_request("job \"x\" {\n", "").unwrap_err();
    assert_eq!(status, 400);
    assert!(
        text.starts_with("Failed to parse job: input.hcl:1,11-12: Invalid block body; "),
        "{text}"
    );
}

#[test]
fn unknown_arguments_at_job_group_and_task_level() {
    let e = err("job \"x\" {\n  datacenter = [\"dc1\"]\n}\n");
    assert_eq!(
        e,
        "input.hcl:2,3-13: Unsupported argument; An argument named \"datacenter\" is not expected here. Did you mean \"datacenters\"?"
    );
    let e = err("job \"x\" {\n  group \"g\" {\n    replicas = 2\n  }\n}\n");
    assert_eq!(
        e,
        "input.hcl:3,5-13: Unsupported argument; An argument named \"replicas\" is not expected here."
    );
    let e = err("job \"x\" {\n  group \"g\" {\n    task \"t\" {\n      drivr = \"docker\"\n      image = \"x\"\n    }\n  }\n}\n");
    assert_eq!(
        e,
        "input.hcl:4,7-12: Unsupported argument; An argument named \"drivr\" is not expected here. Did you mean \"driver\"?\n\
         input.hcl:5,7-12: Unsupported argument; An argument named \"image\" is not expected here."
    );
    // A block used as an argument, and an unknown block.
    let e = err("job \"x\" {\n  update = {}\n  grup \"g\" {}\n}\n");
    assert_eq!(
        e,
        "input.hcl:2,3-9: Unsupported argument; An argument named \"update\" is not expected here. Did you mean to define a block of type \"update\"?\n\
         input.hcl:3,3-7: Unsupported block type; Blocks of type \"grup\" are not expected here. Did you mean \"group\"?"
    );
    let e = err("job \"x\" {\n  group \"g\" {\n    count {}\n  }\n}\n");
    assert!(e.contains("Did you mean to define argument \"count\"? If so, use the equals sign to assign it a value."), "{e}");
}

#[test]
fn top_level_and_label_errors() {
    assert_eq!(
        err("variable \"x\" {\n  default = 1\n}\n"),
        "<nil>: Missing job block; A job block is required"
    );
    assert_eq!(
        err("jobs \"x\" {}\n"),
        "input.hcl:1,1-5: Unsupported block type; Blocks of type \"jobs\" are not expected here. Did you mean \"job\"?"
    );
    assert_eq!(
        err("job {\n}\n"),
        "input.hcl:1,5-6: Missing name for job; All job blocks must have 1 labels (name)."
    );
    assert_eq!(
        err("job \"x\" {\n  group {\n  }\n}\n"),
        "input.hcl:2,9-10: Missing name for group; All group blocks must have 1 labels (name)."
    );
    assert_eq!(
        err("job \"x\" {\n  update \"u\" {}\n}\n"),
        "input.hcl:2,10-13: Extraneous label for update; No labels are expected for update blocks."
    );
}

#[test]
fn value_errors() {
    let e = err("job \"x\" {\n  group \"g\" {\n    count = \"three\"\n  }\n}\n");
    assert_eq!(
        e,
        "input.hcl:3,14-19: Unsuitable value type; Unsuitable value: a number is required"
    );
    let e = err("job \"x\" {\n  group \"g\" {\n    restart {\n      delay = \"15 seconds\"\n    }\n  }\n}\n");
    assert_eq!(
        e,
        "input.hcl:4,16-26: Unsuitable value type; Unsuitable duration value: time: unknown unit \" seconds\" in duration \"15 seconds\""
    );
    let e =
        err("job \"x\" {\n  group \"g\" {\n    restart {\n      delay = \"15\"\n    }\n  }\n}\n");
    assert!(
        e.ends_with("Unsuitable duration value: time: missing unit in duration \"15\""),
        "{e}"
    );
    let e = err("job \"x\" {\n  datacenters = \"dc1\"\n}\n");
    assert!(
        e.ends_with("Unsuitable value type; Unsuitable value: list of string required"),
        "{e}"
    );
    let e =
        err("job \"x\" {\n  group \"g\" {\n    task \"t\" {\n      env = [\"a\"]\n    }\n  }\n}\n");
    assert!(
        e.ends_with("Unsuitable value: map of string required"),
        "{e}"
    );
}

#[test]
fn block_structure_errors() {
    let e = err("job \"x\" {\n  group \"g\" {\n    task \"t\" {\n      lifecycle {\n        sidecar = true\n      }\n    }\n  }\n}\n");
    assert_eq!(
        e,
        "input.hcl:4,17-17: Missing required argument; The argument \"hook\" is required, but no definition was found."
    );
    let e = err("job \"x\" {\n  group \"g\" {\n    restart {}\n    restart {}\n  }\n}\n");
    assert_eq!(
        e,
        "input.hcl:4,5-12: Duplicate restart block; Only one restart block is allowed. Another was defined at input.hcl:3,5-12."
    );
    let e = err("job \"x\" {\n  meta = { a = \"b\" }\n  meta {\n    c = \"d\"\n  }\n}\n");
    assert!(e.contains("Duplicate meta block; meta may not be defined more than once. Another definition is defined at input.hcl:2,3-21."), "{e}");
    let e = err("job \"x\" {\n  group \"g\" {\n    task \"t\" {\n      scaling \"disk\" {\n        max = 1\n      }\n    }\n  }\n}\n");
    assert!(
        e.contains("Invalid scaling policy name; scaling policy name must be \"cpu\" or \"mem\""),
        "{e}"
    );
    let e = err("job \"x\" {\n  group \"g\" {\n    scaling {\n      min = 1\n    }\n  }\n}\n");
    assert!(
        e.contains("Missing required argument; The argument \"max\" is required"),
        "{e}"
    );
}

#[test]
fn variable_errors() {
    let e = err("variable \"region\" {}\njob \"x\" {\n  region = var.region\n}\n");
    assert_eq!(
        e,
        "<nil>: Unset variable \"region\"; A used variable must be set or have a default value; see https://developer.hashicorp.com/nomad/docs/reference/hcl2/variables  for details."
    );
    let e = err("job \"x\" {\n  region = var.nope\n}\n");
    assert_eq!(
        e,
        "input.hcl:2,15-20: Unsupported attribute; This object does not have an attribute named \"nope\"."
    );
    let e = parse_job(
        "variable \"n\" {\n  type = number\n  default = 1\n}\njob \"x\" {}\n",
        "n = \"many\"\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        "input.hcl:1,5-11: Invalid value for variable; The value for n is not compatible with the variable's type constraint: a number is required."
    );
    let e = parse_job("job \"x\" {}\n", "n = \n").unwrap_err();
    assert!(
        e.starts_with("unable to parse var content: input.hcl:1,5-6: "),
        "{e}"
    );
    let e = err(
        "variable \"port\" {\n  default = 80\n  validation {\n    condition     = var.port > 1024\n    error_message = \"Port must be unprivileged.\"\n  }\n}\njob \"x\" {}\n",
    );
    assert_eq!(
        e,
        "input.hcl:2,13-15: Invalid value for default variable; Port must be unprivileged.\n\nThis was checked by the validation rule at input.hcl:3,3-13."
    );
    let e = err("variable \"x\" {\n  default = var.y\n}\njob \"x\" {}\n");
    assert_eq!(
        e,
        "input.hcl:2,13-16: Variables not allowed; Variables may not be used here."
    );
}

#[test]
fn function_errors() {
    let e = err("job \"x\" {\n  region = uper(\"a\")\n}\n");
    assert_eq!(
        e,
        "input.hcl:2,12-16: Call to unknown function; There is no function named \"uper\". Did you mean \"upper\"?"
    );
    let e = err("job \"x\" {\n  region = file(\"/etc/passwd\")\n}\n");
    assert_eq!(
        e,
        "input.hcl:2,12-17: Error in function call; Call to function \"file\" failed: filesystem function disabled."
    );
    let e = err("job \"x\" {\n  region = upper()\n}\n");
    assert!(e.contains("Not enough function arguments; Function \"upper\" expects 1 argument(s). Missing value for \"str\"."), "{e}");
}
