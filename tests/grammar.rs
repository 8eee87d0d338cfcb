//! Properties of the grammar itself that code elsewhere relies on.

use pest_meta::optimizer::OptimizedExpr;
use std::collections::{BTreeMap, BTreeSet};

/// vendor/pest_stack_guard turns off pest's native stack probe, which is
/// sound only while no rule can reach itself: then the depth of pest's
/// calls is bounded by the grammar, not by the input. A recursive rule
/// (nested blocks, say) must bring the probe back (drop the
/// `[patch.crates-io]` entry in Cargo.toml).
#[test]
fn no_rule_of_the_grammar_is_recursive() {
    let grammar = include_str!("../grammar/vj.pest");
    let (_, rules) = pest_meta::parse_and_optimize(grammar).expect("the grammar is valid");
    // Names pest provides (ASCII_DIGIT, NEWLINE, SOI...) call nothing.
    let owned: BTreeMap<String, BTreeSet<String>> = rules
        .iter()
        .map(|rule| {
            let called = rule
                .expr
                .iter_top_down()
                .filter_map(|e| match e {
                    OptimizedExpr::Ident(name) => Some(name),
                    _ => None,
                })
                .collect();
            (rule.name.clone(), called)
        })
        .collect();
    let calls: BTreeMap<&str, BTreeSet<&str>> = owned
        .iter()
        .map(|(name, called)| (name.as_str(), called.iter().map(String::as_str).collect()))
        .collect();
    assert!(
        calls.len() > 50,
        "read the grammar's rules: {}",
        calls.len()
    );

    // Depth-first search; a rule met again while still on the path is a
    // cycle.
    fn visit<'a>(
        rule: &'a str,
        calls: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(rule) {
            return;
        }
        if let Some(at) = path.iter().position(|r| *r == rule) {
            panic!("recursive rule: {} -> {rule}", path[at..].join(" -> "));
        }
        path.push(rule);
        for callee in calls.get(rule).into_iter().flatten() {
            visit(callee, calls, path, done);
        }
        path.pop();
        done.insert(rule);
    }
    let mut done = BTreeSet::new();
    for rule in calls.keys() {
        visit(rule, &calls, &mut Vec::new(), &mut done);
    }
}
