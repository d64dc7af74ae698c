mod bad_input;
mod browser;
mod core;
mod fuzz;
mod robust;
mod search;
mod serve;
mod util;
