//! HTTP plumbing shared by the handlers: ETags and preconditions, cursors, idempotency
//! keys, extractor error mapping, and the fallbacks for unknown routes and methods.

pub mod access_log;
pub mod bsn_guard;
pub mod cursor;
pub mod etag;
pub mod extractors;
pub mod fallback;
pub mod feed;
pub mod idempotency;
pub mod json_body;
pub mod page;
pub mod query;
pub mod replay;
pub mod request_shape;
pub mod timeout;
pub mod version_tag;
