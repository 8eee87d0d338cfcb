//! Raw bytes into the whole pipeline: parse, resolve, check, emit, render,
//! and `vjc fmt`'s printer. Bytes that are not UTF-8 stop where the CLI
//! stops them (E0007); the library takes `&str`.
#![no_main]

#[path = "../../tests/support/jail_conf_reader.rs"]
mod jail_conf_reader;
#[path = "../../tests/support/oracle.rs"]
mod oracle;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let (checked, outputs) = vjc::compile("fuzz.vj", source);
    if let Err(e) = oracle::diagnostics(source, &checked.diagnostics) {
        panic!("{e}");
    }
    if let (Some(model), Some(files)) = (&checked.model, &outputs) {
        if let Err(e) = oracle::outputs(model, files)
            .and_then(|()| oracle::strings_stay_out_of_build_sh("fuzz.vj", source, files))
        {
            panic!("{e}");
        }
    }
    // The formatter prints any file that parses, and its output parses to
    // the same layout again.
    if let Ok(file) = vjc::parse::parse(source) {
        let once = vjc::fmt::format(&file, source);
        let again = vjc::parse::parse(&once)
            .unwrap_or_else(|d| panic!("fmt output does not parse: {}: {once}", d.message));
        assert_eq!(
            vjc::fmt::format(&again, &once),
            once,
            "fmt is not idempotent"
        );
    }
});
