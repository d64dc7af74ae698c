mod bad_input;
mod core;
mod util;
