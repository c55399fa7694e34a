//! Which of a task's streams the viewer reads, as the URL's `stream`
//! parameter spells it.

use crate::pages::use_query_param;
use leptos::prelude::*;
use nomad_model::logs::Stream;

/// stdout, stderr, or both merged with each line marked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StreamChoice {
    #[default]
    Stdout,
    Stderr,
    Both,
}

impl StreamChoice {
    /// In the order the stream switch shows them.
    pub const ALL: [StreamChoice; 3] = [Self::Stdout, Self::Stderr, Self::Both];

    /// An absent or unknown value means stdout, so a hand-edited or old
    /// link still opens a view.
    pub fn parse(s: &str) -> Self {
        match s {
            "stderr" => Self::Stderr,
            "both" => Self::Both,
            _ => Self::Stdout,
        }
    }

    /// The URL value, also the switch's label and its chip's test ID.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
            Self::Both => "both",
        }
    }

    /// The value to write to the URL: the default is left out, so plain
    /// links and the switch's default produce the same URL.
    pub fn query_value(self) -> String {
        if self == Self::default() {
            String::new()
        } else {
            self.as_str().to_string()
        }
    }

    /// The streams to open, stdout first.
    pub fn streams(self) -> &'static [Stream] {
        match self {
            Self::Stdout => &[Stream::Stdout],
            Self::Stderr => &[Stream::Stderr],
            Self::Both => &[Stream::Stdout, Stream::Stderr],
        }
    }

    /// Merged streams mark each line with the stream it came from.
    pub fn is_both(self) -> bool {
        self == Self::Both
    }

    /// The streams' part of a downloaded file's name.
    pub fn file_label(self) -> &'static str {
        match self {
            Self::Both => "all",
            one => one.as_str(),
        }
    }
}

/// The URL's stream choice.
pub fn use_stream_choice() -> Memo<StreamChoice> {
    let stream = use_query_param("stream");
    Memo::new(move |_| StreamChoice::parse(&stream.get()))
}
