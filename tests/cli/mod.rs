mod bad_input;
mod core;
mod fuzz;
mod robust;
mod search;
mod serve;
mod util;
