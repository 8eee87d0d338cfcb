//! Properties of random topologies (tests/support/topology.rs, the
//! generator the grammar-aware fuzz target also uses), with case counts
//! that keep the suite fast:
//!
//! - every generated file compiles, or fails with registered codes; never a
//!   panic, never a syntax error (the generator writes only grammar forms);
//! - a compiled file's outputs pass the oracle: jail.conf, read back the way
//!   jail(8) reads it, names exactly the model's jails and interfaces, and
//!   every string lands inert;
//! - the same input gives the same bytes;
//! - reordering the top-level statements changes only what LANGUAGE.md says
//!   order decides: jail_list and the numbers of epairs and renamed
//!   bridges. Outputs are compared after mapping each allocated name to
//!   what it connects, as multisets of lines of sorted words.

#[path = "support/jail_conf_reader.rs"]
mod jail_conf_reader;
#[path = "support/oracle.rs"]
mod oracle;
#[path = "support/topology.rs"]
mod topology;

use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use vjc::model::{Host, MemberIface, Model, SegmentKind};

fn generate(choices: &[u32]) -> topology::Topology {
    topology::topology(&mut topology::Numbers::new(choices))
}

fn choices() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(any::<u32>(), 0..300)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn compiles_or_fails_with_codes(choices in choices()) {
        let text = generate(&choices).text();
        let (checked, outputs) = vjc::compile("prop.vj", &text);
        prop_assert!(
            !checked.diagnostics.iter().any(|d| d.code == "E0001"),
            "the generator wrote a syntax error:\n{text}\n{:#?}", checked.diagnostics
        );
        if let Err(e) = oracle::diagnostics(&text, &checked.diagnostics) {
            return Err(TestCaseError::fail(format!("{e}\n{text}")));
        }
        prop_assert_eq!(outputs.is_some(), !checked.has_errors());
        if let (Some(model), Some(files)) = (&checked.model, &outputs) {
            if let Err(e) = oracle::outputs(model, files)
                .and_then(|()| oracle::strings_stay_out_of_build_sh("prop.vj", &text, files))
            {
                return Err(TestCaseError::fail(format!("{e}\n{text}")));
            }
            let (_, again) = vjc::compile("prop.vj", &text);
            prop_assert_eq!(again.as_ref(), Some(files), "a second compile differs:\n{}", text);
        }
    }

    #[test]
    fn reordering_changes_only_order_and_numbers(
        choices in choices(),
        keys in proptest::collection::vec(any::<u32>(), 32),
    ) {
        let original = generate(&choices);
        let n = original.statements.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (keys[i % keys.len()], i));
        let shuffled = original.reordered(&order);
        let (a, a_out) = vjc::compile("prop.vj", &original.text());
        let (b, b_out) = vjc::compile("prop.vj", &shuffled.text());
        // A jail with overlapping subnets on two interfaces reaches that
        // subnet through the first of them (FreeBSD keeps the first prefix
        // route configured; vjc's walk takes the first interface), so
        // interface order, which is source order, decides its
        // expectations' verdicts.
        let tie = |m: &Option<Model>| m.as_ref().is_some_and(overlapping_subnets);
        let keep = |c: &&str| !(tie(&a.model) || tie(&b.model)) || !c[1..].starts_with("08");
        prop_assert_eq!(
            codes(&a.diagnostics).into_iter().filter(keep).collect::<Vec<_>>(),
            codes(&b.diagnostics).into_iter().filter(keep).collect::<Vec<_>>(),
            "diagnostics differ:\n{}\n---\n{}",
            original.text(),
            shuffled.text()
        );
        if let (Some(a_files), Some(b_files)) = (a_out, b_out) {
            let a_model = a.model.expect("model");
            let b_model = b.model.expect("model");
            let a_names = canonical_names(&a_model.hosts[0]);
            let b_names = canonical_names(&b_model.hosts[0]);
            let a_files = normalize(&a_files, &a_names);
            let b_files = normalize(&b_files, &b_names);
            prop_assert_eq!(
                a_files.keys().collect::<Vec<_>>(),
                b_files.keys().collect::<Vec<_>>()
            );
            for (path, a_text) in &a_files {
                prop_assert_eq!(
                    a_text,
                    &b_files[path],
                    "{} differs beyond order:\n{}\n---\n{}",
                    path,
                    original.text(),
                    shuffled.text()
                );
            }
            // jail_list follows first mention.
            let jails = |m: &Model| {
                let mut v: Vec<String> = m.hosts[0].jails.iter().map(|j| j.name.clone()).collect();
                v.sort();
                v
            };
            prop_assert_eq!(jails(&a_model), jails(&b_model));
        }
    }
}

/// Whether some jail has subnets on two of its interfaces of which one
/// contains the other.
fn overlapping_subnets(model: &Model) -> bool {
    model.hosts[0].jails.iter().any(|j| {
        j.interfaces.iter().enumerate().any(|(k, a)| {
            j.interfaces[k + 1..].iter().any(|b| {
                a.addrs.iter().any(|x| {
                    b.addrs.iter().any(|y| {
                        x.net.trunc().contains(&y.net.trunc())
                            || y.net.trunc().contains(&x.net.trunc())
                    })
                })
            })
        })
    })
}

/// Diagnostic codes, as a sorted list (a reordered file may report them
/// at other places and in another order).
fn codes(diagnostics: &[vjc::diagnostic::Diagnostic]) -> Vec<&'static str> {
    let mut v: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    v.sort_unstable();
    v
}

/// Allocated interface names → what they connect, which no reordering
/// changes: an epair by its segment (and, on a bridge, the jail at its `b`
/// end), a renamed bridge by its name.
fn canonical_names(host: &Host) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (e, epair) in host.epairs.iter().enumerate() {
        let key = if let Some(seg) = host
            .segments
            .iter()
            .find(|s| matches!(s.kind, SegmentKind::Epair(i) if i == e))
        {
            format!("EPAIR[{}]", seg.label)
        } else if let Some(bridge) = host
            .bridges
            .iter()
            .find(|b| b.members.iter().any(|m| m.iface == MemberIface::EpairA(e)))
        {
            let jail = match epair.b.place {
                vjc::model::EndPlace::Jail(j) => host.jails[j].name.as_str(),
                _ => "?",
            };
            format!("EPAIR[{}:{jail}]", bridge.name)
        } else {
            format!("EPAIR[?{e}]")
        };
        map.insert(epair.a.name.clone(), format!("{key}a"));
        map.insert(epair.b.name.clone(), format!("{key}b"));
        map.insert(epair.name.clone(), key);
    }
    for bridge in &host.bridges {
        if bridge.created != bridge.name {
            map.insert(bridge.created.clone(), format!("BRIDGE[{}]", bridge.name));
        }
    }
    map
}

/// Each file with allocated names mapped, as its lines with their words
/// sorted, sorted.
fn normalize(
    files: &[vjc::emit::OutputFile],
    names: &HashMap<String, String>,
) -> BTreeMap<String, Vec<String>> {
    files
        .iter()
        .map(|f| {
            let mut mapped = String::with_capacity(f.contents.len());
            let mut word = String::new();
            for c in f.contents.chars().chain(std::iter::once('\n')) {
                if c.is_ascii_alphanumeric() {
                    word.push(c);
                    continue;
                }
                mapped.push_str(names.get(&word).map_or(&word, |n| n));
                word.clear();
                mapped.push(c);
            }
            mapped.pop();
            let mut lines: Vec<String> = mapped
                .lines()
                .map(|l| {
                    let mut words: Vec<&str> = l
                        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '"' | ';' | '\''))
                        .filter(|w| !w.is_empty())
                        .collect();
                    words.sort_unstable();
                    words.join(" ")
                })
                .collect();
            lines.sort();
            (f.path.clone(), lines)
        })
        .collect()
}

/// The generator is worth its cases: most of its files compile.
#[test]
fn most_generated_files_compile() {
    let mut compiled = 0;
    let total = 200;
    for seed in 0..total {
        // A cheap deterministic stream per seed.
        let choices: Vec<u32> = (0..300u32)
            .map(|k| {
                (seed * 7919 + k * 104_729)
                    .wrapping_mul(2_654_435_761)
                    .rotate_left(k % 31)
            })
            .collect();
        let text = generate(&choices).text();
        let (checked, outputs) = vjc::compile("prop.vj", &text);
        assert!(
            !checked.diagnostics.iter().any(|d| d.code == "E0001"),
            "{text}\n{:#?}",
            checked.diagnostics
        );
        if outputs.is_some() {
            compiled += 1;
        }
    }
    assert!(
        compiled * 2 >= total,
        "only {compiled} of {total} generated files compile"
    );
}
