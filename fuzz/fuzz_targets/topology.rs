//! Structurally valid topologies built from the fuzzer's bytes
//! (tests/support/topology.rs, the generator the property tests use), so
//! that the checker, the reachability walk and every emitter are reached,
//! not only the parser. Checks what tests/support/oracle.rs says must hold,
//! and that a second compile gives the same bytes.
#![no_main]

#[path = "../../tests/support/jail_conf_reader.rs"]
mod jail_conf_reader;
#[path = "../../tests/support/oracle.rs"]
mod oracle;
#[path = "../../tests/support/topology.rs"]
mod topology;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use topology::Choices;

struct Bytes<'a, 'b>(&'b mut Unstructured<'a>);

impl Choices for Bytes<'_, '_> {
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.0.int_in_range(0..=n - 1).unwrap_or(0)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let text = topology::topology(&mut Bytes(&mut u)).text();
    let (checked, outputs) = vjc::compile("fuzz.vj", &text);
    if let Err(e) = oracle::diagnostics(&text, &checked.diagnostics) {
        panic!("{e}\n{text}");
    }
    if checked.diagnostics.iter().any(|d| d.code == "E0001") {
        panic!(
            "the generator wrote a syntax error:\n{text}\n{:?}",
            checked.diagnostics
        );
    }
    if let (Some(model), Some(files)) = (&checked.model, &outputs) {
        if let Err(e) = oracle::outputs(model, files)
            .and_then(|()| oracle::strings_stay_out_of_build_sh("fuzz.vj", &text, files))
        {
            panic!("{e}\n{text}");
        }
        let (_, again) = vjc::compile("fuzz.vj", &text);
        assert_eq!(
            again.as_ref(),
            Some(files),
            "a second compile differs:\n{text}"
        );
    }
});
