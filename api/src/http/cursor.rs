//! Opaque page cursors: clients pass them back unchanged and must not build them. A
//! well-formed `after` this API did not issue is a 422: the request is readable, the value
//! breaks a rule no schema can state.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herstelbrug_domain::TrajectoryId;
use herstelbrug_persistence::FeedCursor;

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
}
