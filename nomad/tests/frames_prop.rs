//! Property tests: whatever the chunking (splits inside JSON, inside
//! base64, inside multi-byte UTF-8), the decoder's output equals the frames'
//! data byte for byte, and no input makes it panic.

use nomad_model::frames::{
    encode_file_event, encode_frame, FrameDecoder, StreamEvent, Utf8Decoder,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum F {
    Data(Vec<u8>),
    Heartbeat,
    Truncated,
}

fn frame() -> impl Strategy<Value = F> {
    prop_oneof![
        8 => prop::collection::vec(any::<u8>(), 1..3000).prop_map(F::Data),
        // text with multi-byte characters, so UTF-8 splits are exercised
        4 => "[a-zé世🚀\n\t \u{1b}\\[\\]0-9]{1,400}".prop_map(|s| F::Data(s.into_bytes())),
        1 => Just(F::Heartbeat),
        1 => Just(F::Truncated),
    ]
}

/// Encodes frames as the agent does, returning the stream and the expected
/// data per file generation.
fn encode(frames: &[F], sep: &str) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut out = String::new();
    let mut expected = vec![vec![]];
    let mut offset = 0u64;
    for f in frames {
        match f {
            F::Data(d) => {
                offset += d.len() as u64;
                out.push_str(&encode_frame("alloc/logs/t.stdout.0", offset, d));
                expected.last_mut().unwrap().extend_from_slice(d);
            }
            F::Heartbeat => out.push_str("{}"),
            F::Truncated => {
                out.push_str(&encode_file_event(
                    "alloc/logs/t.stdout.0",
                    "file truncated",
                ));
                offset = 0;
                expected.push(vec![]);
            }
        }
        out.push_str(sep);
    }
    (out.into_bytes(), expected)
}

fn chunked<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    points.dedup();
    let mut out = vec![];
    let mut last = 0;
    for p in points {
        out.push(&bytes[last..p]);
        last = p;
    }
    out.push(&bytes[last..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_chunking_yields_the_same_bytes(frames in prop::collection::vec(frame(), 1..30),
                                          cuts in prop::collection::vec(any::<usize>(), 0..60),
                                          newline in any::<bool>()) {
        let (stream, expected) = encode(&frames, if newline { "\n" } else { "" });
        let mut d = FrameDecoder::new();
        let mut events = vec![];
        for c in chunked(&stream, &cuts) {
            d.push(c, &mut events);
        }
        d.finish(&mut events);
        let mut got = vec![vec![]];
        let mut pos = 0u64;
        for e in &events {
            match e {
                StreamEvent::Data { start, end, bytes, .. } => {
                    prop_assert_eq!(*start, pos, "contiguous offsets");
                    prop_assert_eq!(*end, pos + bytes.len() as u64);
                    pos = *end;
                    got.last_mut().unwrap().extend_from_slice(bytes);
                }
                StreamEvent::FileEvent { .. } => { got.push(vec![]); pos = 0; }
                StreamEvent::Heartbeat => {}
                StreamEvent::Error(e) => prop_assert!(false, "unexpected error {}", e),
            }
        }
        prop_assert_eq!(got, expected);
        let hb = frames.iter().filter(|f| matches!(f, F::Heartbeat)).count();
        prop_assert_eq!(events.iter().filter(|e| matches!(e, StreamEvent::Heartbeat)).count(), hb);
    }

    #[test]
    fn utf8_text_survives_any_chunking(text in "[a-zé世🚀\n ]{0,300}", cuts in prop::collection::vec(any::<usize>(), 0..20)) {
        let bytes = text.as_bytes();
        let mut u = Utf8Decoder::new();
        let mut s = String::new();
        for c in chunked(bytes, &cuts) {
            u.push(c, &mut s);
        }
        u.finish(&mut s);
        prop_assert_eq!(s, text);
        prop_assert_eq!(u.invalid, 0);
    }

    #[test]
    fn garbage_never_panics_and_valid_frames_still_decode(noise in prop::collection::vec(any::<u8>(), 0..400),
                                                          data in prop::collection::vec(any::<u8>(), 1..500),
                                                          cuts in prop::collection::vec(any::<usize>(), 0..20)) {
        // pure noise: no panic
        let mut d = FrameDecoder::new();
        let mut ev = vec![];
        for c in chunked(&noise, &cuts) { d.push(c, &mut ev); }
        d.finish(&mut ev);
        // noise that contains no brace, then a valid frame: it is found
        let clean: Vec<u8> = noise.iter().copied().filter(|b| *b != b'{' && *b != b'}' && *b != b'"').collect();
        let mut stream = clean.clone();
        stream.extend_from_slice(encode_frame("f", data.len() as u64, &data).as_bytes());
        let mut d = FrameDecoder::new();
        let mut ev = vec![];
        for c in chunked(&stream, &cuts) { d.push(c, &mut ev); }
        d.finish(&mut ev);
        let got: Vec<u8> = ev.iter().filter_map(|e| if let StreamEvent::Data { bytes, .. } = e { Some(bytes.clone()) } else { None }).flatten().collect();
        prop_assert_eq!(got, data);
    }
}
