//! Every `expect` line of `examples/*.vj` holds by the static walk: the
//! examples promise nothing the model does not deliver.

use std::path::Path;
use vjc::reach::{Reach, Verdict};

#[test]
fn examples_expectations_all_hold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "vj") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let model = vjc::check("x.vj", &source).model.unwrap();
        for host in &model.hosts {
            let reach = Reach::new(host);
            for e in &host.expectations {
                let decision = reach.decide(e);
                assert_eq!(
                    decision.verdict,
                    Verdict::Holds { outside: None },
                    "{}: {e:?}\n{:#?}",
                    path.display(),
                    decision.probes
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "the examples have expectations to check");
}
