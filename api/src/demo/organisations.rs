//! The fictional organisations of the demo, which the dashboard's development sign-in offers.

/// The organisations of the demo year, as the development login offers them.
pub const DEMO_ORGANISATIONS: [&str; 8] = [
    "gemeente:0363",
    "gemeente:0268",
    "gemeente:0796",
    "agb:06110001",
    "agb:06110002",
    "agb:06120001",
    "agb:06120002",
    "agb:06130001",
];
