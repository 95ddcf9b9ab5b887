//! A list answer read in one pass: objects (the answer itself, an envelope's `data`) are
//! walked, arrays keep their items as raw text for the key decoder, scalars keep what paging
//! needs. Reading `{"data": [...]}` as raw text first and then its array again would go over
//! every key one more time.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Number;
use serde_json::value::RawValue;

use super::FieldName;

pub(super) enum Body<'a> {
    Object(Vec<(Cow<'a, str>, Body<'a>)>),
    /// An array's items as sent.
    Array(Vec<&'a RawValue>),
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Null,
}

impl<'a> Body<'a> {
    /// An object's field; the last one wins when a name repeats, as in `Value`.
    pub fn get(&self, name: &str) -> Option<&Body<'a>> {
        match self {
            Body::Object(fields) => fields
                .iter()
                .rev()
                .find(|(field, _)| field == name)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// A non-empty string, or a number as text.
    pub fn text(&self) -> Option<String> {
        match self {
            Body::Str(text) => (!text.is_empty()).then(|| text.to_string()),
            Body::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }

    pub fn flag(&self) -> Option<bool> {
        match self {
            Body::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    pub fn number(&self) -> Option<&Number> {
        match self {
            Body::Number(number) => Some(number),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Body<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BodySeed { depth: 0 }.deserialize(deserializer)
    }
}

/// Objects are walked down to an envelope's `data`; deeper ones matter to no list and are
/// skipped (iteratively, so no answer is refused for nesting that `Value` would take).
const WALKED_DEPTH: u8 = 2;

struct BodySeed {
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for BodySeed {
    type Value = Body<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Body<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BodySeed {
    type Value = Body<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body<'de>, A::Error> {
        if self.depth >= WALKED_DEPTH {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Body::Null);
        }
        let mut fields = Vec::new();
        while let Some(FieldName(name)) = map.next_key()? {
            let value = map.next_value_seed(BodySeed {
                depth: self.depth + 1,
            })?;
            fields.push((name, value));
        }
        Ok(Body::Object(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Body<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Body::Array(items))
    }

    fn visit_unit<E>(self) -> Result<Body<'de>, E> {
        Ok(Body::Null)
    }

    fn visit_bool<E>(self, flag: bool) -> Result<Body<'de>, E> {
        Ok(Body::Bool(flag))
    }

    fn visit_u64<E>(self, number: u64) -> Result<Body<'de>, E> {
        Ok(Body::Number(number.into()))
    }

    fn visit_i64<E>(self, number: i64) -> Result<Body<'de>, E> {
        Ok(Body::Number(number.into()))
    }

    fn visit_f64<E>(self, number: f64) -> Result<Body<'de>, E> {
        Ok(Number::from_f64(number).map_or(Body::Null, Body::Number))
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Body<'de>, E> {
        Ok(Body::Str(Cow::Borrowed(text)))
    }

    fn visit_str<E>(self, text: &str) -> Result<Body<'de>, E> {
        Ok(Body::Str(Cow::Owned(text.to_owned())))
    }
}
