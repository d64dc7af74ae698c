//! SGML helpers (stub).
