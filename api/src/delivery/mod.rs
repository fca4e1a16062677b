//! Webhook delivery: URL checks against SSRF, Standard Webhooks signatures, and the
//! dispatcher that sends the outbox.

pub mod dispatcher;
pub mod signature;
pub mod ssrf;
