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
            // The value itself is left out of the message: printing an f64
            // links core's float formatter into the first load.
            Err(E::custom(
                "a fraction or an out-of-range number where a whole number belongs",
            ))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(0);
        }
        whole_number(t).ok_or_else(|| E::custom(format!("\"{v}\" is not a whole number")))
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

/// A decimal string (`"5000000000"`, `"-12"`, `"80.0"`, `"1e+10"`,
/// `"2.5E3"`) read exactly as an integer, or `None` when it is not a whole
/// number within `i64`. Written out rather than through `str::parse::<f64>`:
/// that pulls core's float parser and its 11 KB table of powers of five into
/// the first load, and would round values past 2^53.
fn whole_number(t: &str) -> Option<i64> {
    let (neg, body) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = int.bytes().chain(frac.bytes());
    // Value = digits × 10^(exp − frac.len()); a digit shifted right of the
    // point must be zero.
    let shift = exp.checked_sub(i32::try_from(frac.len()).ok()?)?;
    let len = int.len() + frac.len();
    let keep = if shift < 0 {
        len.checked_sub(shift.unsigned_abs() as usize)
    } else {
        Some(len)
    };
    let mut acc: i128 = 0;
    for (i, b) in digits.enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i128::from(b - b'0');
        match keep {
            Some(k) if i < k => acc = acc.checked_mul(10)?.checked_add(d)?,
            _ if d != 0 => return None,
            _ => {}
        }
        if acc > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    for _ in 0..shift.max(0) {
        if acc == 0 {
            break;
        }
        acc = acc.checked_mul(10)?;
        if acc > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    i64::try_from(if neg { -acc } else { acc }).ok()
}

/// [`LenientI64`] that also takes a JSON integer up to `u64::MAX` (a Raft
/// index is a `uint64`): what does not fit the field is an error, never a
/// wrapped or rounded number.
struct LenientInt;

impl<'de> Visitor<'de> for LenientInt {
    type Value = i128;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        LenientI64.expecting(f)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i128, E> {
        LenientI64.visit_f64(v).map(i128::from)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i128, E> {
        LenientI64.visit_str(v).map(i128::from)
    }
    fn visit_unit<E: de::Error>(self) -> Result<i128, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<i128, E> {
        Ok(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i128, D::Error> {
        d.deserialize_any(LenientInt)
    }
}

/// Lenient integer field (see [`LenientI64`]); null or missing is 0.
pub fn int<'de, D: Deserializer<'de>, T: TryFrom<i128> + Default>(d: D) -> Result<T, D::Error> {
    let v = d.deserialize_any(LenientInt)?;
    T::try_from(v).map_err(|_| de::Error::custom("integer out of range"))
}

/// A boolean that old docs sometimes print as the string `"false"` (or as
/// 0/1); null is false. A visitor rather than an untagged enum, which would
/// buffer every value through serde's `Content` first.
pub fn boolish<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct Boolish;
    impl<'de> Visitor<'de> for Boolish {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            Ok(v.eq_ignore_ascii_case("true"))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
            Ok(v != 0)
        }
        fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_none<E: de::Error>(self) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_any(Boolish)
        }
    }
    d.deserialize_any(Boolish)
}

/// A float that may be null.
pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::whole_number;

    #[test]
    fn numeric_strings_are_read_exactly() {
        assert_eq!(whole_number("5000000000"), Some(5_000_000_000));
        assert_eq!(whole_number("-12"), Some(-12));
        assert_eq!(whole_number("+7"), Some(7));
        assert_eq!(whole_number("80.0"), Some(80));
        assert_eq!(whole_number("1e+10"), Some(10_000_000_000));
        assert_eq!(whole_number("2.5E3"), Some(2500));
        assert_eq!(whole_number("1500e-2"), Some(15));
        assert_eq!(whole_number("0.0"), Some(0));
        assert_eq!(whole_number("0e999999"), Some(0));
        // Past 2^53, where a float would round.
        assert_eq!(
            whole_number("9007199254740993"),
            Some(9_007_199_254_740_993)
        );
        assert_eq!(whole_number("9223372036854775807"), Some(i64::MAX));
        assert_eq!(whole_number("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn other_strings_are_refused() {
        for s in [
            "",
            "-",
            ".",
            "1.5",
            "15e-1",
            "abc",
            "1e",
            "9223372036854775808",
            "1e19",
            "1e99999999999",
            "0x10",
            "1 2",
            "NaN",
        ] {
            assert_eq!(whole_number(s), None, "{s:?}");
        }
    }
}
