//! One-time invitation codes: 128 random bits written as 26 base32 letters and digits, so
//! they can be read out over the phone; valid for six weeks, used once, revocable.

use chrono::{DateTime, Duration, Utc};
use data_encoding::BASE32_NOPAD;

use crate::kernel::value::InvalidValue;
use crate::person::error::PersonError;
pub use crate::person::status::InvitationStatus;

/// How long an invitation can be redeemed: six weeks, long enough for an intake and a
/// first meeting, short enough that a lost note stops working.
pub const VALID_FOR: Duration = Duration::weeks(6);

/// The length of a code in characters (16 bytes in base32, without padding).
pub const CODE_LEN: usize = 26;

/// An invitation code as the person types it: case, spaces and dashes do not matter.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationCode(String);

impl std::fmt::Debug for InvitationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A code is a secret until it is used: never in a log line.
        f.write_str("InvitationCode(<secret>)")
    }
}

impl InvitationCode {
    /// The code for 16 random bytes (the caller draws them from the operating system).
    pub fn from_entropy(bytes: [u8; 16]) -> Self {
        Self(BASE32_NOPAD.encode(&bytes))
    }

    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let normal: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = normal.len() == CODE_LEN
            && BASE32_NOPAD
                .decode(normal.as_bytes())
                .is_ok_and(|b| b.len() == 16);
        if !valid {
            return Err(InvalidValue {
                what: "code",
                rule: "expected the 26 letters and digits of an invitation code",
            });
        }
        Ok(Self(normal))
    }

    /// The code as stored for matching (the caller hashes it; the code itself is never stored).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Grouped in fours with dashes, as it is shown once to the person who hands it on.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// What decides an invitation's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationState {
    pub expires_at: DateTime<Utc>,
    pub redeemed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl InvitationState {
    /// An invitation made at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            expires_at: now + VALID_FOR,
            redeemed_at: None,
            revoked_at: None,
        }
    }

    /// Used, revoked, expired or open, in that order of precedence: a redeemed invitation
    /// stays redeemed when its term passes.
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        match (self.redeemed_at, self.revoked_at) {
            (Some(_), _) => InvitationStatus::Redeemed,
            (None, Some(_)) => InvitationStatus::Revoked,
            (None, None) if now >= self.expires_at => InvitationStatus::Expired,
            (None, None) => InvitationStatus::Open,
        }
    }

    /// Redeems the invitation, if it is open.
    pub fn redeem(&mut self, now: DateTime<Utc>) -> Result<(), PersonError> {
        match self.status(now) {
            InvitationStatus::Open => {
                self.redeemed_at = Some(now);
                Ok(())
            }
            status => Err(PersonError::InvitationClosed { status }),
        }
    }

    /// Revokes the invitation, if it is open; revoking a closed one changes nothing.
    pub fn revoke(&mut self, now: DateTime<Utc>) -> Result<(), PersonError> {
        match self.status(now) {
            InvitationStatus::Open => {
                self.revoked_at = Some(now);
                Ok(())
            }
            status => Err(PersonError::InvitationClosed { status }),
        }
    }
}
