//! Opaque page cursors: clients pass them back unchanged and must not build them. A
//! well-formed `after` this API did not issue is a 422: the request is readable, the value
//! breaks a rule no schema can state.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herstelbrug_domain::TrajectoryId;
use herstelbrug_persistence::{CatalogPosition, CatalogSort, FeedCursor};

use crate::error::ApiError;

const PREFIX: &str = "t1:";

pub fn encode(after: TrajectoryId) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{after}"))
}

pub fn decode(cursor: &str) -> Result<TrajectoryId, ApiError> {
    let invalid = || ApiError::Validation("`after` is not a cursor this API issued".to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    text.strip_prefix(PREFIX)
        .and_then(|id| id.parse().ok())
        .ok_or_else(invalid)
}

const ALERT_PREFIX: &str = "a1:";

pub fn encode_alert(after: herstelbrug_domain::AlertId) -> String {
    URL_SAFE_NO_PAD.encode(format!("{ALERT_PREFIX}{after}"))
}

pub fn decode_alert(cursor: &str) -> Result<herstelbrug_domain::AlertId, ApiError> {
    let invalid =
        || ApiError::Validation("`after` is not an alert cursor this API issued".to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    text.strip_prefix(ALERT_PREFIX)
        .and_then(|id| id.parse().ok())
        .ok_or_else(invalid)
}

const FEED_PREFIX: &str = "f1:";

/// A feed position; also used as a feed item's stable id and a feed page's ETag.
pub fn encode_feed(position: FeedCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{FEED_PREFIX}{}:{}", position.tx_id, position.id))
}

pub fn decode_feed(cursor: &str) -> Result<FeedCursor, ApiError> {
    let invalid =
        || ApiError::Validation("`after` is not a feed cursor this API issued".to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    let (tx, id) = text
        .strip_prefix(FEED_PREFIX)
        .and_then(|t| t.split_once(':'))
        .ok_or_else(invalid)?;
    let position = FeedCursor {
        tx_id: tx.parse().map_err(|_| invalid())?,
        id: id.parse().map_err(|_| invalid())?,
    };
    if position.tx_id < 0 || position.id < 0 {
        return Err(invalid());
    }
    Ok(position)
}

const SERVICE_PREFIX: &str = "s1:";

fn sort_name(sort: CatalogSort) -> &'static str {
    match sort {
        CatalogSort::Id => "id",
        CatalogSort::MeasuredWait => "measured_wait",
        CatalogSort::StatedWait => "stated_wait",
    }
}

/// Where a catalog page ended, valid only for the same order.
pub fn encode_service(sort: CatalogSort, position: CatalogPosition) -> String {
    let key = position.key.map_or("none".to_owned(), |k| k.to_string());
    URL_SAFE_NO_PAD.encode(format!(
        "{SERVICE_PREFIX}{}:{key}:{}",
        sort_name(sort),
        position.id
    ))
}

pub fn decode_service(sort: CatalogSort, cursor: &str) -> Result<CatalogPosition, ApiError> {
    let invalid = || {
        ApiError::Validation(
            "`after` is not a catalog cursor this API issued for this `sort`".to_owned(),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    let mut parts = text
        .strip_prefix(SERVICE_PREFIX)
        .ok_or_else(invalid)?
        .splitn(3, ':');
    let (Some(name), Some(key), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if name != sort_name(sort) {
        return Err(invalid());
    }
    let key = match key {
        "none" => None,
        k => Some(
            k.parse::<f64>()
                .ok()
                .filter(|k| k.is_finite())
                .ok_or_else(invalid)?,
        ),
    };
    Ok(CatalogPosition {
        key,
        id: id.parse().map_err(|_| invalid())?,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    #[test]
    fn round_trip_and_rejects_forgeries() {
        let id = TrajectoryId::new_at(Utc::now());
        assert_eq!(decode(&encode(id)).ok(), Some(id));
        assert!(decode("not-a-cursor").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("t2:abc")).is_err());
        let position = FeedCursor {
            tx_id: 7_000_123,
            id: 42,
        };
        assert_eq!(decode_feed(&encode_feed(position)).ok(), Some(position));
        assert!(decode_feed(&encode(id)).is_err());
        assert!(decode_feed(&URL_SAFE_NO_PAD.encode("f1:-1:2")).is_err());
    }

    #[test]
    fn catalog_cursors_hold_their_order() {
        let position = CatalogPosition {
            key: Some(7.5),
            id: uuid::Uuid::now_v7(),
        };
        let cursor = encode_service(CatalogSort::MeasuredWait, position);
        assert_eq!(
            decode_service(CatalogSort::MeasuredWait, &cursor).ok(),
            Some(position)
        );
        assert!(decode_service(CatalogSort::StatedWait, &cursor).is_err());
        let last = CatalogPosition {
            key: None,
            ..position
        };
        let cursor = encode_service(CatalogSort::StatedWait, last);
        assert_eq!(
            decode_service(CatalogSort::StatedWait, &cursor).ok(),
            Some(last)
        );
        assert!(decode_service(CatalogSort::Id, "s1:id").is_err());
    }
}
