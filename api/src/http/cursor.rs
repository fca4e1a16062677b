//! Opaque page cursors: clients pass them back unchanged and must not build them. A
//! well-formed `after` this API did not issue is a 422: the request is readable, the value
//! breaks a rule no schema can state.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herstelbrug_domain::TrajectoryId;
use herstelbrug_persistence::{CatalogPosition, CatalogSort, FeedCursor};
use hmac::{Hmac, Mac};
use sha2::Sha256;

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

/// What a catalog cursor is sealed to: the server's cursor key, and the query it pages
/// (its filters, order and form, and the caller's organisation), as text.
pub struct Seal<'a> {
    pub key: &'a [u8; 32],
    pub query: &'a str,
}

impl Seal<'_> {
    fn mac(&self, text: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(self.query.as_bytes());
        mac.update(b"\n");
        mac.update(text.as_bytes());
        mac
    }
}

/// Where a catalog page ended, sealed (HMAC-SHA256, 16 bytes) to its query: a cursor can
/// be neither built by a client nor carried to another query.
pub fn encode_service(sort: CatalogSort, position: CatalogPosition, seal: &Seal<'_>) -> String {
    let key = position.key.map_or("none".to_owned(), |k| k.to_string());
    let text = format!("{SERVICE_PREFIX}{}:{key}:{}", sort_name(sort), position.id);
    let tag = seal.mac(&text).finalize().into_bytes();
    URL_SAFE_NO_PAD.encode(format!("{text}:{}", URL_SAFE_NO_PAD.encode(&tag[..16])))
}

pub fn decode_service(
    sort: CatalogSort,
    cursor: &str,
    seal: &Seal<'_>,
) -> Result<CatalogPosition, ApiError> {
    let invalid = || {
        ApiError::Validation(
            "`after` is not a catalog cursor this API issued for this query (the same filters \
             and `sort`)"
                .to_owned(),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let sealed = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    let (text, tag) = sealed.rsplit_once(':').ok_or_else(invalid)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
    seal.mac(text)
        .verify_truncated_left(&tag)
        .ok()
        .filter(|()| tag.len() == 16)
        .ok_or_else(invalid)?;
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
    fn catalog_cursors_hold_their_order_and_query_and_cannot_be_forged() {
        let key = [7u8; 32];
        let seal = Seal {
            key: &key,
            query: "kind=housing",
        };
        let position = CatalogPosition {
            key: Some(7.5),
            id: uuid::Uuid::now_v7(),
        };
        let cursor = encode_service(CatalogSort::MeasuredWait, position, &seal);
        assert_eq!(
            decode_service(CatalogSort::MeasuredWait, &cursor, &seal).ok(),
            Some(position)
        );
        assert!(decode_service(CatalogSort::StatedWait, &cursor, &seal).is_err());
        let other_query = Seal {
            key: &key,
            query: "kind=peer_support",
        };
        assert!(decode_service(CatalogSort::MeasuredWait, &cursor, &other_query).is_err());
        let other_key = [8u8; 32];
        let other_server = Seal {
            key: &other_key,
            query: "kind=housing",
        };
        assert!(decode_service(CatalogSort::MeasuredWait, &cursor, &other_server).is_err());
        // Built by hand, as the cursor was before it was sealed: refused.
        let forged = URL_SAFE_NO_PAD.encode(format!("s1:measured_wait:7.5:{}", position.id));
        assert!(decode_service(CatalogSort::MeasuredWait, &forged, &seal).is_err());
        let last = CatalogPosition {
            key: None,
            ..position
        };
        let cursor = encode_service(CatalogSort::StatedWait, last, &seal);
        assert_eq!(
            decode_service(CatalogSort::StatedWait, &cursor, &seal).ok(),
            Some(last)
        );
        assert!(decode_service(CatalogSort::Id, "s1:id", &seal).is_err());
    }
}
