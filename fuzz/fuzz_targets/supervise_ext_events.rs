#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| dt_fuzz::supervise_ext_events(data));
