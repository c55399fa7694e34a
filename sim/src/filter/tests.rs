use super::{Filter, FilterError};
use serde_json::{json, Value};

fn job() -> Value {
    json!({
        "ID": "web",
        "Name": "web",
        "Type": "service",
        "Priority": 50,
        "Score": 0.5,
        "Stop": false,
        "ParentID": "",
        "notes": "n",
        "Unicode": "x\u{0663}",
        "Datacenters": ["dc1", "dc2"],
        "Ports": [8080, 9090],
        "Tags": [],
        "Labels": {},
        "Periodic": null,
        "Constraints": null,
        "Meta": {"owner": "ops", "my-key": "v", "a/b": "slash"},
        "Update": {"MaxParallel": 2, "HealthCheck": "checks"},
        "TaskGroups": [
            {"Name": "web", "Count": 3, "Tasks": [{"Name": "server", "Driver": "docker"}]},
            {"Name": "cache", "Count": 1, "Tasks": []}
        ]
    })
}

fn m(expr: &str) -> bool {
    let f = Filter::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    f.matches(&job()).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn eval_err(expr: &str) -> String {
    let f = Filter::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    match f.matches(&job()) {
        Err(e @ FilterError::Eval(_)) => e.to_string(),
        other => panic!("{expr}: expected an evaluation error, got {other:?}"),
    }
}

fn parse_err(expr: &str) -> String {
    match Filter::parse(expr) {
        Err(FilterError::Parse(m)) => m,
        other => panic!("{expr}: expected a parse error, got {other:?}"),
    }
}

#[test]
fn equality_of_strings() {
    assert!(m(r#"Name == "web""#));
    assert!(m("Name == `web`"));
    assert!(m("Name == web"), "a bare word is a value");
    assert!(m(r#"Name=="web""#), "spaces around == are optional");
    assert!(!m(r#"Name == "api""#));
    assert!(m(r#"Name != "api""#));
    assert!(!m(r#"Name != "web""#));
    assert!(m(r#"ParentID == """#));
    // go-bexpr reads "/x" as a JSON pointer and keeps its String(): "x"
    assert!(m(r#"Meta["my-key"] == "/v""#));
    assert!(m(r#"Meta.owner == "o\x70s""#), "escapes are unquoted");
}

#[test]
fn numbers_compare_numerically() {
    assert!(m("Priority == 50"));
    assert!(!m("Priority == 51"));
    assert!(!m("Priority == -50"));
    assert!(m("Priority != 51"));
    assert!(m(r#"Priority == "50""#));
    assert!(m(r#"Priority == "0x32""#), "ParseInt base 0");
    assert!(m(r#"Priority == "062""#), "leading 0 is octal");
    assert!(m(r#"Priority == "5_0""#));
    assert!(
        m("Priority == 50.0"),
        "float literal against an integral number"
    );
    assert!(m("Score == 0.5"));
    assert!(m("Score == 0.50"));
    assert!(!m("Score == 0.4"));
    assert!(m("Update.MaxParallel == 2"));
    assert_eq!(
        eval_err("Priority == high"),
        "failed to read result page: error getting match value in expression: \
         strconv.ParseInt: parsing \"high\": invalid syntax"
    );
    assert_eq!(
        eval_err("Score == x"),
        "failed to read result page: error getting match value in expression: \
         strconv.ParseFloat: parsing \"x\": invalid syntax"
    );
    assert_eq!(
        eval_err(r#"Priority == "99999999999999999999""#),
        "failed to read result page: error getting match value in expression: \
         strconv.ParseInt: parsing \"99999999999999999999\": value out of range"
    );
}

#[test]
fn booleans_are_coerced() {
    assert!(m("Stop == false"));
    assert!(!m("Stop == true"));
    assert!(m("Stop != true"));
    assert!(m(r#"Stop == "0""#));
    assert!(m("Stop == F"));
    assert_eq!(
        eval_err("Stop == yes"),
        "failed to read result page: error getting match value in expression: \
         strconv.ParseBool: parsing \"yes\": invalid syntax"
    );
}

#[test]
fn in_and_contains() {
    assert!(m(r#""dc1" in Datacenters"#));
    assert!(m("dc2 in Datacenters"));
    assert!(m(r#"Datacenters contains "dc2""#));
    assert!(!m(r#""dc3" in Datacenters"#));
    assert!(m(r#""dc3" not in Datacenters"#));
    assert!(!m(r#"Datacenters not contains "dc1""#));
    assert!(m("8080 in Ports"));
    assert!(!m("80 in Ports"));
    assert!(!m(r#""http" in Ports"#), "unparsable elements are skipped");
    assert!(m(r#"Name contains "e""#), "substring");
    assert!(m(r#""eb" in Name"#));
    assert!(!m(r#"Name contains "x""#));
    assert!(m(r#""owner" in Meta"#), "map keys");
    assert!(!m(r#""ops" in Meta"#));
    assert!(m(r#"Meta not contains "nope""#));
    assert!(!m(r#""x" in Constraints"#), "null is a nil slice");
    assert!(!m(r#""x" in Tags"#));
    assert_eq!(
        eval_err(r#""5" in Priority"#),
        "failed to read result page: cannot perform in/contains operations on type int \
         for selector: \"Priority\""
    );
    assert_eq!(
        eval_err(r#""abc" in Priority"#),
        "failed to read result page: error getting match value in expression: \
         strconv.ParseInt: parsing \"abc\": invalid syntax"
    );
    assert_eq!(
        eval_err(r#""web" in TaskGroups"#),
        "failed to read result page: unable to find suitable primitive comparison \
         function for \"in\" comparison"
    );
}

#[test]
fn matches_uses_re2_syntax() {
    assert!(m(r#"Name matches "^w.b$""#));
    assert!(m("Name matches `^(web|api)$`"));
    assert!(!m(r#"Name matches "^api""#));
    assert!(m(r#"Name not matches "^api""#));
    assert!(m(r#"Meta.owner matches "(?i)OPS""#));
    assert!(!m(r"Unicode matches `\d`"), "RE2 \\d is ASCII only");
    assert!(m(r"Unicode matches `x\pN`"));
    assert!(m(r"Meta.owner matches `^[\w]+$`"));
    assert!(m(r"Name matches `\bweb\b`"));
    assert!(m(r"Meta.owner matches `[[:alpha:]]`"));
    assert!(!m(r"Name matches `[[]`"), "[ in a class is a literal");
    assert!(!m(r#"Meta.missing matches ".""#));
    assert!(m(r#"Meta.missing not matches ".""#));
    // a bad pattern parses; it fails when a string reaches it
    let f = Filter::parse(r#"Name matches "(abc""#).unwrap();
    assert_eq!(
        f.matches(&job()).unwrap_err().to_string(),
        "failed to read result page: failed to compile regular expression \"(abc\": \
         error parsing regexp: missing closing ): `(abc`"
    );
    assert_eq!(
        eval_err(r#"Priority matches "5""#),
        "failed to read result page: value of type int is not convertible to []byte"
    );
}

#[test]
fn is_empty_and_is_nil() {
    assert!(m("ParentID is empty"));
    assert!(m("Tags is empty"));
    assert!(m("Labels is empty"));
    assert!(m("Periodic is empty"), "null is a nil slice or map");
    assert!(m("Datacenters is not empty"));
    assert!(m("Meta is not empty"));
    assert!(!m("Name is empty"));
    assert!(m("Meta.missing is empty"), "a missing map key is empty");
    assert!(!m("Meta.missing is not empty"));
    assert!(m("TaskGroups.1.Tasks is empty"));
    assert!(m("Periodic is nil"));
    assert!(m("Meta is not nil"));
    assert!(m("Tags is not nil"));
    assert!(m("Meta.missing is nil"));
    assert_eq!(
        eval_err("Priority is empty"),
        "failed to read result page: cannot perform is-empty operations on type int \
         for selector: \"Priority\""
    );
    assert_eq!(
        eval_err("Name is not nil"),
        "failed to read result page: cannot perform is-nil operations on type string \
         for selector: \"Name\""
    );
}

#[test]
fn precedence_of_and_or_not() {
    // and binds tighter than or, on either side
    assert!(m(r#"Name == "api" and Priority == 50 or Stop == false"#));
    assert!(m(r#"Name == "web" or Name == "api" and Stop == true"#));
    // not binds tighter than and
    assert!(!m(r#"not Name == "api" and Stop == true"#));
    assert!(m(r#"not Name == "api" and Stop == false"#));
    // parentheses
    assert!(!m(r#"(Name == "web" or Name == "api") and Stop == true"#));
    assert!(m(r#"Name == "web" or (Name == "api" and Stop == true)"#));
    assert!(!m(r#"not (Name == "web")"#));
    assert!(m(r#"not (Name == "api" or Stop == true)"#));
    assert!(m(r#"((Name == "web"))"#));
    assert!(m(r#" ( Name == "web" ) "#));
    assert!(m(r#"not not Name == "web""#));
    assert!(!m(r#"not not not Name == "web""#));
    assert!(m(
        r#"Name == web and Priority == 50 and Stop == false and Type == service"#
    ));
    // `and`/`or` need spaces; "notes" is a selector, not "not es"
    assert!(m("notes == n"));
    assert!(Filter::parse(r#"(Name == web)and(Stop == false)"#).is_err());
}

#[test]
fn selectors_into_maps_slices_and_pointers() {
    assert!(m("Meta.owner == ops"));
    assert!(m(r#"Meta["my-key"] == "v""#));
    assert!(m("Meta[`my-key`] == v"));
    assert!(m(r#"Meta[ "owner" ] == ops"#));
    assert!(m(r#""/Meta/my-key" == "v""#));
    assert!(m(r#""/Meta/a~1b" == "slash""#));
    assert!(m(r#""/TaskGroups/0/Name" == "web""#));
    assert!(m("TaskGroups.0.Name == web"));
    assert!(m("TaskGroups.1.Name == cache"));
    assert!(m(r#"TaskGroups["0"].Tasks.0.Driver == docker"#));
}

#[test]
fn missing_fields() {
    assert_eq!(
        eval_err(r#"NoSuchField == "x""#),
        "failed to read result page: error finding value in datum: /NoSuchField at part 0: \
         couldn't find key: struct field with name \"NoSuchField\""
    );
    // a missing key of a (nested) map: the operator's not-present answer
    assert!(!m(r#"Meta.nope == "x""#));
    assert!(m(r#"Meta.nope != "x""#));
    assert!(!m(r#""a" in Meta.nope"#));
    assert!(m(r#""a" not in Meta.nope"#));
    assert!(!m("Periodic.Enabled == true"), "through null: not present");
    assert_eq!(
        eval_err("Meta.a.b == x"),
        "failed to read result page: error finding value in datum: /Meta/a/b at part 1: \
         couldn't find key \"a\""
    );
    assert_eq!(
        eval_err("TaskGroups.Name == web"),
        "failed to read result page: error finding value in datum: /TaskGroups/Name at part 1: \
         couldn't convert value \"Name\" to type int"
    );
    assert_eq!(
        eval_err("TaskGroups.5.Name == web"),
        "failed to read result page: error finding value in datum: /TaskGroups/5/Name at part 1: \
         index 5 is out of range (length = 2)"
    );
    assert_eq!(
        eval_err("Name.First == x"),
        "failed to read result page: error finding value in datum: /Name/First: at part 1, \
         invalid value kind: string"
    );
    assert_eq!(
        eval_err(r#"TaskGroups == "x""#),
        "failed to read result page: unable to find suitable primitive comparison function \
         for matching"
    );
}

#[test]
fn any_and_all() {
    assert!(m(r#"any TaskGroups as tg { tg.Name == "cache" }"#));
    assert!(!m(r#"all TaskGroups as tg { tg.Name == "cache" }"#));
    assert!(m("all TaskGroups as tg { tg.Count != 0 }"));
    assert!(m(
        "any TaskGroups as tg { any tg.Tasks as t { t.Driver == docker } }"
    ));
    assert!(m("all Datacenters as dc { dc matches `^dc[0-9]$` }"));
    assert!(
        m(r#"any Meta as k { k == "owner" }"#),
        "a map binds its keys"
    );
    assert!(m("any Meta as k, v { k == owner and v == ops }"));
    assert!(m("all Meta as _, v { v is not empty }"));
    assert!(m("any Datacenters as i, _ { i == 1 }"), "index");
    assert!(!m("any Datacenters as i, _ { i == 2 }"));
    assert!(!m("any Periodic as p { p == 1 }"));
    assert!(m("all Periodic as p { p == 1 }"));
    assert!(!m("any Meta.nope as p { p == 1 }"));
    assert!(m(r#"Name == api or any Datacenters as d { d == dc2 }"#));
    assert!(m(
        r#"(any Datacenters as d { d == dc2 }) and Stop == false"#
    ));
    assert_eq!(
        eval_err("all Priority as p { p == 1 }"),
        "failed to read result page: Priority is not a list or a map"
    );
    assert_eq!(
        eval_err(r#"any Meta as k { k.Color == "red" }"#),
        "failed to read result page: /k references a string so /k/Color is invalid"
    );
    assert_eq!(
        eval_err("any Datacenters as i, _ { i.x == 1 }"),
        "failed to read result page: /i references a int so /i/x is invalid"
    );
    assert_eq!(
        eval_err("all Meta as k, k { k == 1 }"),
        "failed to read result page: \"k\" cannot be used as a placeholder for both the \
         index and the value"
    );
}

/// The inputs and texts of go-bexpr v0.1.16 `grammar/grammar_test.go`.
#[test]
fn parse_errors_match_go_bexpr() {
    let cases = [
        (
            "foo == \"12x",
            r#"1:12 (11): rule "string": Unterminated string literal"#,
        ),
        (
            "foo == `12x",
            r#"1:12 (11): rule "string": Unterminated string literal"#,
        ),
        (
            "foo == 3x",
            r#"1:9 (8): rule "number": Invalid number literal"#,
        ),
        ("foo[3] == abc", r#"1:5 (4): rule "index": Invalid index"#),
        (
            "x in foo[\"abc\"",
            r#"1:15 (14): rule "index": Unclosed index expression"#,
        ),
        (
            "foo[\"abc\" == 3",
            r#"1:11 (10): rule "index": Unclosed index expression"#,
        ),
        ("x in 32", r#"1:6 (5): rule "match": Invalid selector"#),
        (
            "32 == 32",
            r#"1:4 (3): no match found, expected: "in", "not" or [ \t\r\n]"#,
        ),
        (
            "32 is empty",
            r#"1:4 (3): no match found, expected: "in", "not" or [ \t\r\n]"#,
        ),
        (
            "x in foo abc",
            r#"1:10 (9): no match found, expected: "and", "or", [ \t\r\n] or EOF"#,
        ),
        (
            "x in foo and ",
            r#"1:14 (13): no match found, expected: "(", "-", "0", "\"", "`", "not", [ \t\r\n], [1-9] or [a-zA-Z]"#,
        ),
        (
            "x in foo or ",
            r#"1:13 (12): no match found, expected: "(", "-", "0", "\"", "`", "all", "any", "not", [ \t\r\n], [1-9] or [a-zA-Z]"#,
        ),
        (
            "x in foo or not ",
            r#"1:17 (16): no match found, expected: "!=", "(", "-", "0", "==", "\"", "`", "contains", "in", "is", "matches", "not", [ \t\r\n], [1-9] or [a-zA-Z]"#,
        ),
        (
            "(foo == 4",
            r#"1:10 (9): rule "grouping": Unmatched parentheses"#,
        ),
        (
            r#""/hy-phen/under_score/pi|pe/do.t/ti~lde/" == 3"#,
            r#"1:43 (42): no match found, expected: "in", "not" or [ \t\r\n]"#,
        ),
        (
            r#"all group.tasks as { t.name == "hello" }"#,
            r#"1:20 (19): no match found, expected: "_", [ \t\r\n] or [a-zA-Z]"#,
        ),
        (
            r#"all as t { t.name == "hello" }"#,
            r#"1:8 (7): no match found, expected: "as" or [ \t\r\n]"#,
        ),
    ];
    for (input, want) in cases {
        assert_eq!(parse_err(input), want, "input: {input}");
    }
}

#[test]
fn more_parse_errors() {
    // Nomad's own "invalid expression" test input
    assert_eq!(
        parse_err("NotValid"),
        r#"1:9 (8): no match found, expected: "!=", ".", "==", "[", [ \t\r\n] or [a-zA-Z0-9_/]"#
    );
    assert_eq!(
        parse_err(r#"Name == "\q""#),
        r#"1:9 (8): rule "string": invalid syntax"#
    );
    assert_eq!(
        parse_err("foo[\"abc"),
        "1:9 (8): rule \"string\": Unterminated string literal\n1:5 (4): rule \"index\": Invalid index"
    );
    assert_eq!(
        parse_err("Name ==\n  3x"),
        r#"2:4 (11): rule "number": Invalid number literal"#
    );
    let deep = format!("{}Name == web{}", "(".repeat(100), ")".repeat(100));
    assert!(parse_err(&deep).ends_with("max number of expressions parsed"));
}

#[test]
fn error_display_is_nomads_400_body() {
    let e = Filter::parse("Name ==").unwrap_err();
    assert_eq!(e.status(), 400);
    assert!(e.to_string().starts_with(
        "failed to create result paginator: failed to read filter expression: 1:8 (7): no match found"
    ));
    assert_eq!(
        e.to_string(),
        format!(
            "failed to create result paginator: failed to read filter expression: {}",
            e.bexpr_message()
        )
    );
    let e = Filter::parse("X == 1")
        .unwrap()
        .matches(&job())
        .unwrap_err();
    assert_eq!(e.status(), 400);
    assert!(e
        .to_string()
        .starts_with("failed to read result page: error finding value in datum"));
}

#[test]
fn long_chains_do_not_recurse() {
    let expr = vec![r#"Name == "nope""#; 3000].join(" or ") + " or Name == web";
    let f = Filter::parse(&expr).unwrap();
    assert!(f.matches(&job()).unwrap());
    assert_eq!(f.expression(), expr);
    let nots = "not ".repeat(1001) + "Name == web";
    assert!(!Filter::parse(&nots).unwrap().matches(&job()).unwrap());
}

/// Yurt's problem reads narrow lists with these expressions; they must be
/// ones go-bexpr takes, and keep exactly the rows the rules can judge.
#[test]
fn the_problem_filters_parse_and_keep_what_the_rules_judge() {
    use nomad_model::problems::{ALLOC_FILTER, DEPLOYMENT_FILTER, EVAL_FILTER};
    let f = Filter::parse(ALLOC_FILTER).unwrap();
    assert!(f.matches(&json!({"ClientStatus": "running"})).unwrap());
    assert!(f.matches(&json!({"ClientStatus": "failed"})).unwrap());
    assert!(!f.matches(&json!({"ClientStatus": "complete"})).unwrap());
    let f = Filter::parse(EVAL_FILTER).unwrap();
    assert!(f
        .matches(&json!({"Status": "blocked", "FailedTGAllocs": null}))
        .unwrap());
    assert!(f
        .matches(&json!({"Status": "complete", "FailedTGAllocs": {"web": {}}}))
        .unwrap());
    assert!(!f
        .matches(&json!({"Status": "complete", "FailedTGAllocs": null}))
        .unwrap());
    let f = Filter::parse(DEPLOYMENT_FILTER).unwrap();
    assert!(f.matches(&json!({"Status": "failed"})).unwrap());
    assert!(f.matches(&json!({"Status": "running"})).unwrap());
    assert!(!f.matches(&json!({"Status": "successful"})).unwrap());
}
