//! Reading query strings strictly: every error names the parameter it is about (`limit`:
//! invalid digit ...), as bodies do, instead of serde_urlencoded's bare message.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Query parameters of `T`, refused with 400 naming the parameter at fault.
#[derive(Debug)]
pub struct StrictQuery<T>(pub T);

impl<T> StrictQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for StrictQuery<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// `T` from a query string.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::InvalidRequest(format!("invalid query parameters: {inner}"))
        } else {
            ApiError::InvalidRequest(format!("query parameter `{path}`: {inner}"))
        }
    })
}

impl<T: DeserializeOwned> FromRequest for StrictQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(StrictQuery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        #[allow(dead_code)]
        limit: Option<u32>,
        #[allow(dead_code)]
        with_capacity: Option<bool>,
    }

    fn refused(query: &str) -> String {
        match parse::<Params>(query) {
            Err(ApiError::InvalidRequest(detail)) => detail,
            other => panic!("{query} was not refused: {other:?}"),
        }
    }

    #[test]
    fn every_refusal_names_the_parameter() {
        assert!(refused("limit=abc").contains("`limit`"));
        assert!(refused("limit=99999999999").contains("`limit`"));
        assert!(refused("with_capacity=maybe").contains("`with_capacity`"));
        assert!(refused("colour=red").contains("`colour`"));
        assert!(parse::<Params>("limit=5&with_capacity=true").is_ok());
    }
}
