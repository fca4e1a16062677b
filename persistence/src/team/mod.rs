//! Who is involved: the client's team of professionals and naasten, and warm handoff meetings.

pub(crate) mod row;
pub mod store;
