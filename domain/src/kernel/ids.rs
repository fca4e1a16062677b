//! Identities of aggregates: time-ordered UUIDv7 newtypes, so ordering by id is ordering
//! by creation, and one kind of id cannot be passed where another is expected.

/// One counter for the whole process, so ids made in the same millisecond (on any thread)
/// still sort in the order they were made.
pub(crate) static V7_CONTEXT: std::sync::Mutex<uuid::ContextV7> =
    std::sync::Mutex::new(uuid::ContextV7::new());

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A new id for something created at `now`.
            pub fn new_at(now: chrono::DateTime<chrono::Utc>) -> Self {
                let ts = uuid::Timestamp::from_unix(
                    &$crate::kernel::ids::V7_CONTEXT,
                    now.timestamp().max(0).unsigned_abs(),
                    now.timestamp_subsec_nanos(),
                );
                $name(uuid::Uuid::new_v7(ts))
            }

            pub const fn from_uuid(id: uuid::Uuid) -> Self {
                $name(id)
            }

            pub const fn as_uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::kernel::value::InvalidValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map($name).map_err(|_| $crate::kernel::value::InvalidValue {
                    what: $what,
                    rule: "expected a UUID",
                })
            }
        }
    };
}

uuid_id!(
    /// A care trajectory's identity.
    TrajectoryId,
    "trajectory id"
);
uuid_id!(
    /// A follow-up referral's identity.
    ReferralId,
    "referral id"
);
uuid_id!(
    /// An offer's identity: one request sent to several candidate recipients at once.
    OfferId,
    "offer id"
);
uuid_id!(
    /// A participant's identity: one person in one role in one trajectory.
    ParticipantId,
    "participant id"
);
uuid_id!(
    /// A warm-handoff meeting's identity.
    MeetingId,
    "meeting id"
);
uuid_id!(
    /// A recorded consent's identity.
    ConsentId,
    "consent id"
);
uuid_id!(
    /// An alert's identity.
    AlertId,
    "alert id"
);
uuid_id!(
    /// A webhook message's identity: its `webhook-id`, the same on every attempt.
    MessageId,
    "message id"
);
uuid_id!(
    /// A webhook subscription's identity.
    SubscriptionId,
    "subscription id"
);
uuid_id!(
    /// A catalog service's identity.
    ServiceId,
    "service id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_in_one_instant_sort_in_the_order_they_were_made() {
        let now = chrono::Utc::now();
        let ids: Vec<TrajectoryId> = (0..2000).map(|_| TrajectoryId::new_at(now)).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }
}
