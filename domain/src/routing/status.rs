//! Where an offer stands: its own file, so the routing error and rules both name it.

string_enum! {
    /// Where an offer stands.
    pub enum OfferStatus ("offer status") {
        /// Waiting for a candidate to accept.
        Open => "open",
        /// A candidate accepted; the others were cancelled.
        Selected => "selected",
        /// Nobody accepted in time; the open candidates were cancelled.
        Expired => "expired",
        /// Every candidate rejected it (or was cancelled) before anyone accepted.
        Exhausted => "exhausted",
    }
}
