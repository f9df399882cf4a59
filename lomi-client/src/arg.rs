//! What the builders' setters take: [`IntoArg`].

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;

use serde_json::{Map, Value};

/// A value a setter takes for a field or parameter of type `T`.
///
/// Every setter of the builders (`types::CheckoutSessionsCreate::builder().amount(..)`,
/// `client.list_checkout_sessions().limit(..)`) takes an `impl IntoArg<T>`, so it accepts
/// what people have at hand, and refuses what would lose information:
///
/// | field | takes |
/// |---|---|
/// | any `T` | a `T`; an `Option<T>` for an optional field (`None` clears it) |
/// | text | `&str`, `String`, `&String`, `Cow<str>`, `Box<str>`, `char`, a `Uuid`, their `Option`s |
/// | a number (`f64`) | any integer, or an `f32`; an integer beyond 2⁵³ is refused, as a JSON number could not hold it exactly |
/// | an integer (`i64`, `i32`, `u64`, `NonZeroU64`) | any integer or float that is a whole number in range: `.limit(20)`, `.limit(n)` with `n: usize` or `i64` |
/// | a JSON object | a `serde_json::Value` that is an object (`json!({..})`, see [`crate::json`]), a `Map`, a `HashMap` or `BTreeMap` of `Value`s |
/// | an enum or a constrained string | its value as `&str` or `String` (`.currency_code("XOF")`) |
/// | a model | the model, or its builder (`types::CheckoutSessionsCreate::builder()..`) |
/// | a list of text | a `Vec<&str>` |
///
/// A refusal is reported by `send()` as [`crate::Error::InvalidInput`], naming the field
/// and what was wrong, before anything is sent. Implement it for your own types (an
/// order id, say) to pass them directly.
///
/// ```
/// use lomi_client::{IntoArg, json, types};
///
/// let body = types::CheckoutSessionsCreate::builder()
///     .amount(15000)
///     .currency_code("XOF")
///     .product_id("prod_1234567890abcdef")
///     .metadata(json!({"order_id": "A-1042"}));
/// let body = types::CheckoutSessionsCreate::try_from(body).unwrap();
/// assert_eq!(body.amount, Some(15000.0));
/// assert_eq!(body.currency_code, Some(types::CurrencyCode::Xof));
///
/// let too_big: Result<f64, String> = (u64::MAX).into_arg();
/// assert_eq!(too_big.unwrap_err(), "18446744073709551615 cannot be sent exactly as a JSON number");
/// ```
pub trait IntoArg<T> {
    /// The value as a `T`, or why it cannot be one.
    fn into_arg(self) -> Result<T, String>;

    /// The value as a number, when it is one, for messages that name a parameter's
    /// bounds ("must be between 1 and 100, got 0").
    #[inline]
    fn as_number(&self) -> Option<f64> {
        None
    }
}

impl<T> IntoArg<T> for T {
    #[inline]
    fn into_arg(self) -> Result<T, String> {
        Ok(self)
    }
}

impl<T> IntoArg<Option<T>> for T {
    #[inline]
    fn into_arg(self) -> Result<Option<T>, String> {
        Ok(Some(self))
    }
}

// ---- text ------------------------------------------------------------------------------

macro_rules! text {
    ($($source:ty),*) => {$(
        impl IntoArg<String> for $source {
            #[inline]
            fn into_arg(self) -> Result<String, String> {
                Ok(self.to_string())
            }
        }
        impl IntoArg<Option<String>> for $source {
            #[inline]
            fn into_arg(self) -> Result<Option<String>, String> {
                Ok(Some(self.to_string()))
            }
        }
        impl IntoArg<Option<String>> for Option<$source> {
            #[inline]
            fn into_arg(self) -> Result<Option<String>, String> {
                Ok(self.map(|s| s.to_string()))
            }
        }
    )*};
}
text!(&str, &String, Cow<'_, str>, Box<str>, char, uuid::Uuid);

impl IntoArg<Vec<String>> for Vec<&str> {
    #[inline]
    fn into_arg(self) -> Result<Vec<String>, String> {
        Ok(self.into_iter().map(str::to_string).collect())
    }
}

impl IntoArg<Option<Vec<String>>> for Vec<&str> {
    #[inline]
    fn into_arg(self) -> Result<Option<Vec<String>>, String> {
        Ok(Some(self.into_iter().map(str::to_string).collect()))
    }
}

// ---- numbers ---------------------------------------------------------------------------

/// The largest integer a JSON number (an IEEE double) holds exactly: 2⁵³.
const EXACT: u64 = 1 << 53;

/// Integers into `f64`: exact up to 2⁵³.
macro_rules! to_f64 {
    ($($source:ty),*) => {$(
        impl IntoArg<f64> for $source {
            #[inline]
            fn into_arg(self) -> Result<f64, String> {
                let v = self as f64;
                if (self as i128).unsigned_abs() <= EXACT as u128 {
                    Ok(v)
                } else {
                    Err(format!("{self} cannot be sent exactly as a JSON number"))
                }
            }
            #[inline]
            fn as_number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
        impl IntoArg<Option<f64>> for $source {
            #[inline]
            fn into_arg(self) -> Result<Option<f64>, String> {
                IntoArg::<f64>::into_arg(self).map(Some)
            }
            #[inline]
            fn as_number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
to_f64!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl IntoArg<f64> for f32 {
    #[inline]
    fn into_arg(self) -> Result<f64, String> {
        Ok(f64::from(self))
    }
    #[inline]
    fn as_number(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
}

impl IntoArg<Option<f64>> for f32 {
    #[inline]
    fn into_arg(self) -> Result<Option<f64>, String> {
        Ok(Some(f64::from(self)))
    }
    #[inline]
    fn as_number(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
}

/// A whole number in `[min, max]` as `i128`, or why not.
fn whole(v: f64, min: i128, max: i128) -> Result<i128, String> {
    if v.fract() != 0.0 || !v.is_finite() {
        return Err(format!("must be a whole number, got {v}"));
    }
    range(v as i128, min, max)
}

fn range(v: i128, min: i128, max: i128) -> Result<i128, String> {
    if v < min {
        Err(format!("must be at least {min}, got {v}"))
    } else if v > max {
        Err(format!("must be at most {max}, got {v}"))
    } else {
        Ok(v)
    }
}

/// Integer and float sources into one integer target (`$target`, within `$min..=$max`,
/// built from an `i128` by `$make`).
macro_rules! to_integer {
    ($target:ty, $min:expr, $max:expr, $make:expr; $($int:ty),*; $($float:ty),*) => {
        $(
            impl IntoArg<$target> for $int {
                #[inline]
                fn into_arg(self) -> Result<$target, String> {
                    range(self as i128, $min, $max).map($make)
                }
                #[inline]
                fn as_number(&self) -> Option<f64> {
                    Some(*self as f64)
                }
            }
            impl IntoArg<Option<$target>> for $int {
                #[inline]
                fn into_arg(self) -> Result<Option<$target>, String> {
                    IntoArg::<$target>::into_arg(self).map(Some)
                }
                #[inline]
                fn as_number(&self) -> Option<f64> {
                    Some(*self as f64)
                }
            }
        )*
        $(
            impl IntoArg<$target> for $float {
                #[inline]
                fn into_arg(self) -> Result<$target, String> {
                    whole(self as f64, $min, $max).map($make)
                }
                #[inline]
                fn as_number(&self) -> Option<f64> {
                    Some(*self as f64)
                }
            }
            impl IntoArg<Option<$target>> for $float {
                #[inline]
                fn into_arg(self) -> Result<Option<$target>, String> {
                    IntoArg::<$target>::into_arg(self).map(Some)
                }
                #[inline]
                fn as_number(&self) -> Option<f64> {
                    Some(*self as f64)
                }
            }
        )*
    };
}

/// `to_integer!` for a primitive target, from every other integer and both floats.
macro_rules! primitive_integer {
    ($target:ty; $($int:ty),*) => {
        to_integer!($target, <$target>::MIN as i128, <$target>::MAX as i128, |v| v as $target;
            $($int),*; f32, f64);
    };
}
// The integer types typify gives an `integer` (`int64` or none, `int32`, `minimum: 0`,
// `minimum: 1`), from every integer type a caller may hold. (Each impl costs compile time
// in every build, and coherence checking grows with their square: no more than these.)
primitive_integer!(i64; i8, i16, i32, isize, u8, u16, u32, u64, usize);
primitive_integer!(i32; i8, i16, i64, isize, u8, u16, u32, u64, usize);
primitive_integer!(u64; i8, i16, i32, i64, isize, u8, u16, u32, usize);
to_integer!(NonZeroU64, 1, u64::MAX as i128, |v| NonZeroU64::new(v as u64).expect("checked to be at least 1");
    i8, i16, i32, i64, isize, u8, u16, u32, u64, usize; f32, f64);

// ---- JSON objects ----------------------------------------------------------------------

fn object(value: Value) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "must be a JSON object, got {}",
            match other {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "an array",
                Value::Object(_) => unreachable!("matched above"),
            }
        )),
    }
}

impl IntoArg<Map<String, Value>> for Value {
    #[inline]
    fn into_arg(self) -> Result<Map<String, Value>, String> {
        object(self)
    }
}

impl IntoArg<Option<Map<String, Value>>> for Value {
    #[inline]
    fn into_arg(self) -> Result<Option<Map<String, Value>>, String> {
        object(self).map(Some)
    }
}

impl IntoArg<Option<Map<String, Value>>> for Option<Value> {
    #[inline]
    fn into_arg(self) -> Result<Option<Map<String, Value>>, String> {
        self.map(object).transpose()
    }
}

macro_rules! map {
    ($($source:ty),*) => {$(
        impl IntoArg<Map<String, Value>> for $source {
            #[inline]
            fn into_arg(self) -> Result<Map<String, Value>, String> {
                Ok(self.into_iter().collect())
            }
        }
        impl IntoArg<Option<Map<String, Value>>> for $source {
            #[inline]
            fn into_arg(self) -> Result<Option<Map<String, Value>>, String> {
                Ok(Some(self.into_iter().collect()))
            }
        }
    )*};
}
map!(HashMap<String, Value>, BTreeMap<String, Value>);

#[cfg(test)]
mod tests {
    use super::*;

    fn arg<T, V: IntoArg<T>>(v: V) -> Result<T, String> {
        v.into_arg()
    }

    #[test]
    fn numbers_convert_only_without_loss() {
        assert_eq!(arg::<f64, _>(15000), Ok(15000.0));
        assert_eq!(arg::<f64, _>(EXACT), Ok(9_007_199_254_740_992.0));
        assert_eq!(
            arg::<f64, _>(EXACT + 1),
            Err("9007199254740993 cannot be sent exactly as a JSON number".into())
        );
        assert_eq!(
            arg::<f64, _>(-(EXACT as i64) - 1).unwrap_err(),
            "-9007199254740993 cannot be sent exactly as a JSON number"
        );
        assert_eq!(arg::<Option<u64>, _>(20_usize), Ok(Some(20)));
        assert_eq!(
            arg::<u64, _>(-1_i64),
            Err("must be at least 0, got -1".into())
        );
        assert_eq!(
            arg::<i32, _>(u64::MAX),
            Err("must be at most 2147483647, got 18446744073709551615".into())
        );
        assert_eq!(arg::<i64, _>(20.0_f64), Ok(20));
        assert_eq!(
            arg::<i64, _>(2.5_f64),
            Err("must be a whole number, got 2.5".into())
        );
        assert_eq!(
            arg::<i64, _>(f64::NAN),
            Err("must be a whole number, got NaN".into())
        );
        assert_eq!(
            arg::<NonZeroU64, _>(0_u8),
            Err("must be at least 1, got 0".into())
        );
        assert_eq!(arg::<Option<NonZeroU64>, _>(7_i32), Ok(NonZeroU64::new(7)));
        assert_eq!(IntoArg::<NonZeroU64>::as_number(&0_i32), Some(0.0));
    }

    #[test]
    fn text_and_objects() {
        assert_eq!(arg::<Option<String>, _>("a"), Ok(Some("a".into())));
        assert_eq!(arg::<Option<String>, _>(None::<&str>), Ok(None));
        assert_eq!(arg::<String, _>('x'), Ok("x".into()));
        assert_eq!(
            arg::<Option<Vec<String>>, _>(vec!["a", "b"]),
            Ok(Some(vec!["a".into(), "b".into()]))
        );
        let object = serde_json::json!({"k": 1});
        assert_eq!(
            arg::<Option<Map<String, Value>>, _>(object)
                .unwrap()
                .unwrap()["k"],
            1
        );
        assert_eq!(
            arg::<Map<String, Value>, _>(serde_json::json!([1])),
            Err("must be a JSON object, got an array".into())
        );
        assert_eq!(
            arg::<Option<Map<String, Value>>, _>(None::<Value>),
            Ok(None)
        );
    }
}
