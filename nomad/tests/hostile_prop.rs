//! Hostile input: whatever bytes an agent, a log or a proxy sends, the
//! decoders return values or errors and never panic; text keeps every
//! byte it can; numbers beyond 2^53 stay exact; nesting past what serde
//! reads is an error, not a stack overflow.

use nomad_model::logs::{parse_ansi, LineAssembler, Style};
use nomad_model::{
    decode_json, exec, format, Allocation, Deployment, Evaluation, Job, JobDiff, JobListStub,
    JobVersionsResponse, Node, NodeListStub,
};
use proptest::prelude::*;
use serde_json::Value;

/// Every model type the UI decodes from an agent, fed the same bytes.
fn decode_all(body: &[u8]) {
    let _ = decode_json::<Vec<JobListStub>>(body);
    let _ = decode_json::<Job>(body);
    let _ = decode_json::<JobVersionsResponse>(body);
    let _ = decode_json::<JobDiff>(body);
    let _ = decode_json::<Vec<Allocation>>(body);
    let _ = decode_json::<Allocation>(body);
    let _ = decode_json::<Vec<NodeListStub>>(body);
    let _ = decode_json::<Node>(body);
    let _ = decode_json::<Vec<Evaluation>>(body);
    let _ = decode_json::<Vec<Deployment>>(body);
}

/// Any JSON value, nested a few levels, with hostile strings and numbers.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::String),
        Just(Value::String(
            "<script>alert(1)</script>\u{202e}\u{200b}\u{0}".into()
        )),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("ID".to_string()),
                    Just("Name".to_string()),
                    Just("TaskGroups".to_string()),
                    Just("Tasks".to_string()),
                    Just("Meta".to_string()),
                    Just("TaskStates".to_string()),
                    Just("Events".to_string()),
                    Just("ModifyIndex".to_string()),
                    Just("Objects".to_string()),
                    Just("Fields".to_string()),
                    Just("Type".to_string()),
                    "[A-Za-z]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic_a_decoder(body in prop::collection::vec(any::<u8>(), 0..2000)) {
        decode_all(&body);
        let _ = exec::decode(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn arbitrary_json_never_panics_a_decoder(v in json(), wrap in any::<bool>()) {
        let v = if wrap { Value::Array(vec![v]) } else { v };
        decode_all(&serde_json::to_vec(&v).unwrap());
        let _ = nomad_model::diffcalc::job_diff(Some(&v), Some(&Value::Null), true);
        let _ = nomad_model::diffcalc::job_diff(None, Some(&v), false);
    }

    /// Lines out of any chunking of any bytes: no panic, and for text
    /// without escapes the lines and their offsets give the input back.
    #[test]
    fn lines_keep_every_byte_in_any_chunks(
        text in "[a-z<>&\"'é世🚀\u{202e}\u{200b} \n]{0,3000}",
        noise in prop::collection::vec(any::<u8>(), 0..300),
        cuts in prop::collection::vec(0usize..3000, 0..8),
    ) {
        for input in [text.as_bytes().to_vec(), noise] {
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
            cuts.sort();
            let mut asm = LineAssembler::new();
            let mut lines = vec![];
            let mut at = 0;
            for c in cuts.into_iter().chain([input.len()]) {
                asm.push(at as u64, &input[at..c], &mut lines);
                at = c;
            }
            asm.finish(&mut lines);
            if let Ok(s) = std::str::from_utf8(&input) {
                let mut back = String::new();
                for l in &lines {
                    // a line starts where the last one ended, or after its newline
                    while (back.len() as u64) < l.pos {
                        back.push('\n');
                    }
                    back.push_str(&l.text);
                }
                while back.len() < s.len() {
                    back.push('\n');
                }
                prop_assert_eq!(back, s);
            }
        }
    }

    #[test]
    fn ansi_parsing_never_panics_and_leaves_no_escape(s in "\\PC{0,200}|[\u{1b}\\[0-9;mHJK\\]8\u{7}a-z]{0,200}") {
        let (text, _) = parse_ansi(&s, &mut Style::default());
        let escaped = text.contains('\u{1b}');
        prop_assert!(!escaped, "an escape survived");
    }

    #[test]
    fn visible_text_hides_nothing(s in "\\PC{0,200}|[\u{0}-\u{1f}\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}\u{feff}a]{0,100}") {
        let v = format::visible_controls(&s);
        let hidden = v.chars().any(|c| (c < ' ' && c != '\t' && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c) || c == '\u{200b}');
        prop_assert!(!hidden, "a control is left as it is");
    }
}

#[test]
fn indexes_beyond_2_pow_53_stay_exact() {
    let body = br#"[{"ID":"big","ModifyIndex":18446744073709551615,"JobModifyIndex":9007199254740993,"CreateIndex":9007199254740993}]"#;
    let jobs: Vec<JobListStub> = decode_json(body).unwrap();
    assert_eq!(jobs[0].modify_index, u64::MAX);
    assert_eq!(jobs[0].job_modify_index, 9_007_199_254_740_993);
    // past u64: an error to show, not a wrapped or rounded number
    let over = br#"[{"ID":"big","ModifyIndex":18446744073709551616}]"#;
    assert!(decode_json::<Vec<JobListStub>>(over).is_err());
}

#[test]
fn nesting_past_what_serde_reads_is_an_error_not_a_crash() {
    // each level is an object and an array: 60 levels are 120 deep
    for depth in [60, 10_000] {
        let mut body = String::new();
        for _ in 0..depth {
            body.push_str(r#"{"Type":"Edited","Name":"n","Objects":["#);
        }
        for _ in 0..depth {
            body.push_str("]}");
        }
        let diff = decode_json::<JobDiff>(body.as_bytes());
        if depth == 60 {
            let d = diff.expect("60 levels decode");
            assert!(d.flatten(false).len() >= 59, "every level is a row");
        } else {
            assert!(diff.is_err(), "10,000 levels is refused");
        }
    }
}
