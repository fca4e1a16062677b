//! Opaque page cursors: clients pass them back unchanged and must not build them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use herstelbrug_domain::TrajectoryId;

use crate::error::ApiError;

const PREFIX: &str = "t1:";

pub fn encode(after: TrajectoryId) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{after}"))
}

pub fn decode(cursor: &str) -> Result<TrajectoryId, ApiError> {
    let invalid = || ApiError::InvalidRequest("`after` is not a cursor this API issued".to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    text.strip_prefix(PREFIX)
        .and_then(|id| id.parse().ok())
        .ok_or_else(invalid)
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
    }
}
