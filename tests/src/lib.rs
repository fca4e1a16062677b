//! Black-box integration tests of Herstelbrug; they live in `tests/api/`. This crate also
//! builds `herstelbrug-under-test`, the real command line, for tests that kill and restart
//! a server process.
