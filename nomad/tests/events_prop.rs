//! Property tests of the event-stream decoder: any bytes in any chunking
//! never panic it, and valid batches read the same however they are split.

use nomad_model::events::{EventDecoder, StreamItem};
use proptest::prelude::*;

fn batch(index: u64, key: &str) -> String {
    format!(
        r#"{{"Index":{index},"Events":[{{"Topic":"Allocation","Type":"AllocationUpdated","Key":"{key}","Namespace":"default","FilterKeys":["web"],"Index":{index},"Payload":{{"Allocation":{{"ID":"{key}"}}}}}}]}}"#
    )
}

fn decode(chunks: &[&[u8]]) -> Vec<StreamItem> {
    let mut d = EventDecoder::new();
    let mut out = vec![];
    for c in chunks {
        d.push(c, &mut out);
    }
    out
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..4000), cut in 0usize..4000) {
        let cut = cut.min(body.len());
        let (a, b) = body.split_at(cut);
        let _ = decode(&[a, b]);
    }

    #[test]
    fn valid_batches_read_the_same_in_any_chunks(
        keys in prop::collection::vec("[a-z0-9é世-]{1,12}", 1..20),
        cuts in prop::collection::vec(0usize..10_000, 0..8),
    ) {
        let body: String = keys
            .iter()
            .enumerate()
            .map(|(i, k)| if i % 3 == 2 { "{}\n".to_string() } else { format!("{}\n", batch(i as u64 + 1, k)) })
            .collect();
        let whole = decode(&[body.as_bytes()]);
        let mut points: Vec<usize> = cuts.into_iter().map(|c| c % (body.len() + 1)).collect();
        points.sort();
        let mut chunks = vec![];
        let mut last = 0;
        for p in points {
            chunks.push(&body.as_bytes()[last..p]);
            last = p;
        }
        chunks.push(&body.as_bytes()[last..]);
        prop_assert_eq!(decode(&chunks), whole.clone());
        prop_assert!(whole.iter().all(|i| !matches!(i, StreamItem::Invalid(_))));
    }
}
