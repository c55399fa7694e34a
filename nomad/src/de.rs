//! Tolerant deserialisation helpers.
//!
//! Nomad encodes nil slices, maps and pointers as `null`, omits zero values on
//! some structs (`omitempty`), and old docs print numbers in odd forms. These
//! helpers turn all of that into the value a user expects.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// `null` (or a missing field, with `#[serde(default)]`) becomes `T::default()`.
pub fn nd<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An integer that may arrive as a JSON integer, a whole float (`1e+10`,
/// `80`), or a string of digits (`"5000000000"`). Integers never pass through
/// f64; a float is only accepted when it is whole and in range.
pub(crate) struct LenientI64;

impl<'de> Visitor<'de> for LenientI64 {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer, a whole number or a string of digits")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.2e18 {
            Ok(v as i64)
        } else {
            Err(E::custom(format!("{v} is not a whole number")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(0);
        }
        t.parse::<i64>()
            .or_else(|_| {
                t.parse::<f64>()
                    .map_err(|_| ())
                    .and_then(|f| self.visit_f64::<E>(f).map_err(|_| ()))
            })
            .map_err(|_| E::custom(format!("{v:?} is not a number")))
    }
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i64, D::Error> {
        d.deserialize_any(LenientI64)
    }
}

/// Lenient `i64`/`u64` field (see [`LenientI64`]); null or missing is 0.
pub fn int<'de, D: Deserializer<'de>, T: TryFrom<i64> + Default>(d: D) -> Result<T, D::Error> {
    let v = d.deserialize_any(LenientI64)?;
    T::try_from(v).map_err(|_| de::Error::custom("integer out of range"))
}

/// A boolean that old docs sometimes print as the string `"false"`.
pub fn boolish<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Str(String),
        Num(i64),
    }
    Ok(match Option::<B>::deserialize(d)? {
        None => false,
        Some(B::Bool(b)) => b,
        Some(B::Str(s)) => s.eq_ignore_ascii_case("true"),
        Some(B::Num(n)) => n != 0,
    })
}

/// A float that may be null.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or_default())
}
