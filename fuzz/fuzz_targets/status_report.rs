#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| dt_fuzz::status_report(data));
