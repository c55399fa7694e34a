//! Nomad's three notions of time, kept exact.
//!
//! * [`UnixNanos`]: integer nanoseconds since the epoch (`CreateTime`,
//!   `ModifyTime`, `SubmitTime`, task event `Time`, stats `Timestamp`). These
//!   exceed 2^53 and are never routed through f64.
//! * [`WallTime`]: RFC 3339 strings with any offset (`StartedAt`,
//!   `FinishedAt`, node event `Timestamp`, ...). Go's zero time
//!   `0001-01-01T00:00:00Z` and `null` both mean "unset".
//! * [`Nanos`]: a duration in integer nanoseconds (`KillTimeout`, `Deadline`,
//!   `Interval`, ...), also accepted as a whole float or a digit string.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Unix time in nanoseconds. `0` means unset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixNanos(pub i64);

impl UnixNanos {
    pub fn is_set(self) -> bool {
        self.0 > 0
    }
    pub fn from_secs(s: i64) -> Self {
        UnixNanos(s.saturating_mul(1_000_000_000))
    }
    pub fn as_millis(self) -> i64 {
        self.0 / 1_000_000
    }
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000_000)
    }
}

impl<'de> Deserialize<'de> for UnixNanos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(UnixNanos(d.deserialize_any(crate::de::LenientI64)?))
    }
}
impl Serialize for UnixNanos {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

/// Unix time in whole seconds (`Node.StatusUpdatedAt`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixSecs(pub i64);

impl UnixSecs {
    pub fn to_nanos(self) -> UnixNanos {
        UnixNanos::from_secs(self.0)
    }
}
impl<'de> Deserialize<'de> for UnixSecs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(UnixSecs(d.deserialize_any(crate::de::LenientI64)?))
    }
}
impl Serialize for UnixSecs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

/// A duration in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nanos(pub i64);

impl Nanos {
    pub const SECOND: Nanos = Nanos(1_000_000_000);
    pub fn from_secs(s: i64) -> Self {
        Nanos(s.saturating_mul(1_000_000_000))
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}
impl<'de> Deserialize<'de> for Nanos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Nanos(d.deserialize_any(crate::de::LenientI64)?))
    }
}
impl Serialize for Nanos {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}
impl fmt::Display for Nanos {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&crate::format::duration(*self))
    }
}

/// A wall-clock instant from an RFC 3339 string, normalised to Unix
/// nanoseconds (UTC) with the original offset kept for display. `None`
/// (the default) is Go's zero time, `null`, an empty string or a missing field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct WallTime(pub Option<WallInstant>);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WallInstant {
    pub unix_nanos: i64,
    /// Offset from UTC in seconds, as written by the agent.
    pub offset_secs: i32,
}

impl WallTime {
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }
    pub fn unix_nanos(&self) -> Option<UnixNanos> {
        self.0.map(|i| UnixNanos(i.unix_nanos))
    }
    /// Parses RFC 3339 (any offset, any fraction). Go's zero time and the
    /// empty string are unset; anything unparsable is an error.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() || s.starts_with("0001-01-01T00:00:00") {
            return Ok(WallTime(None));
        }
        let dt = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("bad RFC 3339 time {s:?}: {e}"))?;
        let nanos = dt.unix_timestamp_nanos();
        let unix_nanos = i64::try_from(nanos).map_err(|_| format!("time out of range: {s}"))?;
        Ok(WallTime(Some(WallInstant {
            unix_nanos,
            offset_secs: dt.offset().whole_seconds(),
        })))
    }
    pub fn from_unix_nanos(n: i64) -> Self {
        WallTime(Some(WallInstant {
            unix_nanos: n,
            offset_secs: 0,
        }))
    }
    /// RFC 3339 in UTC with nanoseconds, as Go writes it; Go's zero time when unset.
    pub fn to_rfc3339(&self) -> String {
        match self.0 {
            None => "0001-01-01T00:00:00Z".to_string(),
            Some(i) => crate::format::rfc3339_utc(UnixNanos(i.unix_nanos)),
        }
    }
}

impl<'de> Deserialize<'de> for WallTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(WallTime(None)),
            Some(s) => WallTime::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}
impl Serialize for WallTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}
