//! Integration tests: they run the real `newswire` binary. One test binary with
//! modules keeps link time low.

mod cli;
