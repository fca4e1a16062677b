//! Reading JSON request bodies strictly: only `application/json` (415 otherwise), a JSON
//! object at the top (never `null` or an array), nested objects where the schema has
//! them, and every error naming the field it is about (`client.name: ...`) instead of a
//! line and column.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::http::extractors::JSON_LIMIT;

/// A JSON body that must be present and an object.
#[derive(Debug)]
pub struct StrictJson<T>(pub T);

impl<T> StrictJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for StrictJson<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A JSON body that may be left out entirely (then `T::default()`), for actions whose
/// fields are all optional; `null` counts as left out (generated clients send it for "no
/// options"). A body that is present must be an object of `T`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

type Reading<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// Whether the request says its body is `application/json` (parameters such as
/// `charset=utf-8` allowed; `text/json`, `application/jsonx` or `+json` types are not).
fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.essence_str() == "application/json")
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!("the request body exceeds {JSON_LIMIT} bytes"))
}

fn unsupported() -> ApiError {
    ApiError::UnsupportedMediaType("the request body must be application/json".to_owned())
}

/// Reads the raw body, up to the limit.
fn body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<web::Bytes, ApiError>> + use<> {
    let bytes = web::Bytes::from_request(req, payload);
    async move {
        let bytes = bytes.await.map_err(|_| too_large())?;
        if bytes.len() > JSON_LIMIT {
            return Err(too_large());
        }
        Ok(bytes)
    }
}

/// A JSON value read with every object's keys checked for repeats: a gateway or an audit
/// tool may read the first of two equal keys where serde_json keeps the last, so a body
/// that can be read two ways is refused instead.
struct Unambiguous(Value);

impl<'de> serde::Deserialize<'de> for Unambiguous {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(UnambiguousVisitor)
            .map(Unambiguous)
    }
}

struct UnambiguousVisitor;

impl<'de> serde::de::Visitor<'de> for UnambiguousVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d).map(|Unambiguous(v)| v)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unambiguous(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde::de::Error;
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Unambiguous(value) = map.next_value()?;
            if object.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "the key `{key}` appears twice in one object; send each key once"
                )));
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// `T` from a JSON object, with the path of whatever does not fit.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice::<Unambiguous>(bytes)
        .map(|Unambiguous(v)| v)
        .map_err(|e| {
            if e.is_data() {
                ApiError::InvalidRequest(format!("invalid body: {e}"))
            } else {
                ApiError::InvalidRequest(format!("the body is not valid JSON: {e}"))
            }
        })?;
    if !value.is_object() {
        return Err(ApiError::InvalidRequest(format!(
            "the body must be a JSON object, not {}",
            kind(&value)
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::InvalidRequest(format!("invalid body: {inner}"))
        } else {
            ApiError::InvalidRequest(format!("`{path}`: {inner}"))
        }
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for StrictJson<T> {
    type Error = ApiError;
    type Future = Reading<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = body(req, payload);
        Box::pin(async move {
            if !json {
                return Err(unsupported());
            }
            parse(&bytes.await?).map(StrictJson)
        })
    }
}

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Reading<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = body(req, payload);
        Box::pin(async move {
            let bytes = bytes.await?;
            let text = std::str::from_utf8(&bytes).unwrap_or("?").trim();
            if text.is_empty() {
                return Ok(OptionalJson(T::default()));
            }
            if !json {
                return Err(unsupported());
            }
            if text == "null" {
                return Ok(OptionalJson(T::default()));
            }
            parse(&bytes).map(OptionalJson)
        })
    }
}

/// Reads a nested object field, refusing the array form serde would otherwise accept for
/// a struct (`"client": []` is not a client): `#[serde(deserialize_with = "...")]`.
pub fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::Deserialize;
    use serde::de::Error;
    let value = Value::deserialize(deserializer)?;
    if !value.is_object() {
        return Err(D::Error::custom(format!(
            "expected an object, not {}",
            kind(&value)
        )));
    }
    T::deserialize(value).map_err(D::Error::custom)
}

/// As [`object`], for an optional nested object: absent or `null` is `None`.
pub fn optional_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::Deserialize;
    use serde::de::Error;
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        value if value.is_object() => T::deserialize(value).map(Some).map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "expected an object, not {}",
            kind(&other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[allow(dead_code)]
        #[serde(default, deserialize_with = "object")]
        inner: Inner,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        name: Option<String>,
    }

    fn refused(body: &str) -> String {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::InvalidRequest(detail)) => detail,
            other => panic!("{body} was not refused: {other:?}"),
        }
    }

    #[test]
    fn only_objects_and_errors_name_the_field() {
        assert!(refused("null").contains("not null"));
        assert!(refused("[]").contains("not an array"));
        assert!(refused(r#"{"inner": []}"#).contains("`inner`"));
        assert!(refused(r#"{"inner": {"name": 5}}"#).starts_with("`inner"));
        assert!(parse::<Outer>(br#"{"inner": {"name": "J."}}"#).is_ok());
    }

    #[test]
    fn a_key_twice_is_refused_naming_it_at_any_depth() {
        assert!(refused(r#"{"inner": {}, "inner": {}}"#).contains("`inner` appears twice"));
        assert!(
            refused(r#"{"inner": {"name": "a", "name": "b"}}"#).contains("`name` appears twice")
        );
        assert!(parse::<Outer>(br#"{"inner": {"name": "a"}}"#).is_ok());
    }
}
