//! Lenient JSON fields: a field of the wrong type is kept as "wrong, and
//! here is what it was" instead of failing the whole release, so one
//! publisher's `"amount": "1 000"` makes the indicators that need that amount
//! say so (not applicable, with the field named) while the others still run.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON member as published: absent (or null), of the expected shape, or of another.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum J<T> {
    #[default]
    Absent,
    Ok(T),
    /// The JSON type found instead ("a string", "an object"...).
    Wrong(&'static str),
}

impl<T> J<T> {
    pub(crate) fn ok(&self) -> Option<&T> {
        match self {
            J::Ok(v) => Some(v),
            _ => None,
        }
    }

    pub(crate) fn ok_mut(&mut self) -> Option<&mut T> {
        match self {
            J::Ok(v) => Some(v),
            _ => None,
        }
    }

    pub(crate) fn is_absent(&self) -> bool {
        matches!(self, J::Absent)
    }

    /// The value, or why there is none, as "`field` is missing" / "`field` is a string".
    pub(crate) fn require(&self, field: &str) -> Result<&T, String> {
        self.require_with(|| field.to_string())
    }

    /// [`J::require`], naming the field only when it is needed (for names
    /// put together, on paths taken for every bid or award).
    pub(crate) fn require_with(&self, field: impl FnOnce() -> String) -> Result<&T, String> {
        match self {
            J::Ok(v) => Ok(v),
            J::Absent => Err(format!("no {}", field())),
            J::Wrong(kind) => Err(format!("{} is {kind}", field())),
        }
    }
}

/// A string, borrowed from the input where possible.
pub(crate) type Str<'a> = Cow<'a, str>;

/// What a lenient field accepts. Each method returns `None` for a JSON type
/// the field does not take; the default drains the value so reading goes on.
pub(crate) trait Shape<'de>: Sized {
    fn from_str(_s: Cow<'de, str>) -> Option<Self> {
        None
    }
    fn from_f64(_n: f64) -> Option<Self> {
        None
    }
    fn from_u64(n: u64) -> Option<Self> {
        Self::from_f64(n as f64)
    }
    fn from_i64(n: i64) -> Option<Self> {
        Self::from_f64(n as f64)
    }
    fn from_map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de, T: Shape<'de>> Deserialize<'de> for J<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor(PhantomData))
    }
}

struct LenientVisitor<T>(PhantomData<T>);

fn found<T>(value: Option<T>, kind: &'static str) -> J<T> {
    match value {
        Some(v) => J::Ok(v),
        None => J::Wrong(kind),
    }
}

impl<'de, T: Shape<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = J<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<J<T>, E> {
        Ok(J::Absent)
    }

    fn visit_none<E: de::Error>(self) -> Result<J<T>, E> {
        Ok(J::Absent)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<J<T>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, _v: bool) -> Result<J<T>, E> {
        Ok(J::Wrong("a boolean"))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<J<T>, E> {
        Ok(found(T::from_u64(v), "a number"))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<J<T>, E> {
        Ok(found(T::from_i64(v), "a number"))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<J<T>, E> {
        Ok(found(T::from_f64(v), "a number"))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<J<T>, E> {
        Ok(found(T::from_str(Cow::Borrowed(v)), string_kind(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<J<T>, E> {
        Ok(found(T::from_str(Cow::Owned(v.to_owned())), string_kind(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<J<T>, E> {
        let kind = string_kind(&v);
        Ok(found(T::from_str(Cow::Owned(v)), kind))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<J<T>, A::Error> {
        Ok(found(T::from_map(map)?, "an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<J<T>, A::Error> {
        Ok(found(T::from_seq(seq)?, "an array"))
    }
}

/// "an empty string" says more than "a string" where a number was expected:
/// the publisher left the field blank.
fn string_kind(v: &str) -> &'static str {
    if v.is_empty() {
        "an empty string"
    } else {
        "a string"
    }
}

impl<'de: 'a, 'a> Shape<'de> for Cow<'a, str> {
    fn from_str(s: Cow<'de, str>) -> Option<Self> {
        Some(s)
    }
}

/// A number as f64 (OCDS amounts and counts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Num(pub f64);

impl<'de> Shape<'de> for Num {
    fn from_f64(n: f64) -> Option<Self> {
        Some(Num(n))
    }
}

/// An identifier: OCDS says string, some publishers write integers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Id<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Shape<'de> for Id<'a> {
    fn from_str(s: Cow<'de, str>) -> Option<Self> {
        Some(Id(s))
    }
    fn from_u64(n: u64) -> Option<Self> {
        Some(Id(Cow::Owned(n.to_string())))
    }
    fn from_i64(n: i64) -> Option<Self> {
        Some(Id(Cow::Owned(n.to_string())))
    }
}

/// The number of elements of an array whose content is not needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Count(pub usize);

impl<'de> Shape<'de> for Count {
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut n = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            n += 1;
        }
        Ok(Some(Count(n)))
    }
}

/// An array of lenient items.
impl<'de, T: Shape<'de>> Shape<'de> for Vec<J<T>> {
    fn from_seq<A: SeqAccess<'de>>(seq: A) -> Result<Option<Self>, A::Error> {
        Vec::deserialize(SeqAccessDeserializer::new(seq)).map(Some)
    }
}

/// String-valued members of an object, by name (other members skipped).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Strings<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Shape<'de> for Strings<'a> {
    fn from_map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<J<Cow<'a, str>>>()? {
            let value = map.next_value::<J<Cow<'a, str>>>()?;
            if let (J::Ok(key), J::Ok(value)) = (key, value) {
                out.push((key, value));
            }
        }
        Ok(Some(Strings(out)))
    }
}

/// Implements [`Shape`] for a struct that derives `Deserialize` with every
/// member lenient: it is read from a JSON object, anything else is wrong.
macro_rules! object_shape {
    ($($ty:ident),* $(,)?) => {
        $(
            impl<'de: 'a, 'a> crate::procurement::lenient::Shape<'de> for $ty<'a> {
                fn from_map<A: serde::de::MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
                    <$ty<'a> as serde::Deserialize<'de>>::deserialize(
                        serde::de::value::MapAccessDeserializer::new(map),
                    )
                    .map(Some)
                }
            }
        )*
    };
}
pub(crate) use object_shape;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize)]
    #[serde(bound(deserialize = "'de: 'a"))]
    struct Thing<'a> {
        #[serde(default)]
        name: J<Str<'a>>,
        #[serde(default)]
        amount: J<Num>,
        #[serde(default)]
        tags: J<Vec<J<Str<'a>>>>,
    }

    #[test]
    fn wrong_types_are_kept_as_such() {
        let value = json!({"name": 3, "amount": "1 000", "tags": ["a", 2, null]});
        let thing = Thing::deserialize(&value).unwrap();
        assert_eq!(thing.name, J::Wrong("a number"));
        assert_eq!(thing.amount, J::Wrong("a string"));
        assert_eq!(
            thing.tags,
            J::Ok(vec![J::Ok(Cow::Borrowed("a")), J::Wrong("a number"), J::Absent])
        );
        let from_bytes: Thing = serde_json::from_slice(br#"{"name": "x\u00e9", "amount": 2}"#).unwrap();
        assert_eq!(from_bytes.name, J::Ok(Cow::Owned("xé".to_string())));
        assert_eq!(from_bytes.amount, J::Ok(Num(2.0)));
        let blank: Thing = serde_json::from_slice(br#"{"name": "x", "amount": ""}"#).unwrap();
        assert_eq!(blank.amount, J::Wrong("an empty string"));
        assert!(from_bytes.tags.is_absent());
        assert_eq!(from_bytes.name.require("name"), Ok(&Cow::Owned("xé".to_string())));
        assert_eq!(
            thing.amount.require("value.amount"),
            Err("value.amount is a string".to_string())
        );
    }
}
