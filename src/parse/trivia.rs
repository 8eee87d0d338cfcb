//! Attaches comments to the nodes around them, so that a formatter can
//! print every comment back in its place.
//!
//! A comment on the same line as the end of a node is that node's trailing
//! comment; any other comment leads the next node of its block (item,
//! member, jail property, kernel line), or, if none follows, dangles at the
//! end of that block (`File::dangling`, `Segment::dangling`, …).

use crate::ast::*;
use crate::span::Span;

pub(super) fn attach(source: &str, file: &mut File, comments: Vec<Comment>) {
    let lines = Lines::new(source);
    for c in comments {
        attach_one(&lines, file, c);
    }
}

struct Lines(Vec<usize>);

impl Lines {
    fn new(source: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }

    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset)
    }
}

/// A node that comments can attach to.
trait Node {
    fn span(&self) -> Span;
    fn trivia(&mut self) -> &mut Trivia;
    fn has_trailing(&self) -> bool;
}

macro_rules! node {
    ($($t:ty),*) => {$(
        impl Node for $t {
            fn span(&self) -> Span { self.span }
            fn trivia(&mut self) -> &mut Trivia { &mut self.trivia }
            fn has_trailing(&self) -> bool { self.trivia.trailing.is_some() }
        }
    )*};
}
node!(Item, Member, JailProp, KernelLine);

fn attach_one(lines: &Lines, file: &mut File, c: Comment) {
    let at = c.span.start;
    // Items are in source order and do not overlap: the only one that can
    // hold the comment is the first that ends after it.
    let i = file.items.partition_point(|i| i.span.end <= at);
    if let Some(item) = file
        .items
        .get_mut(i)
        .filter(|i| i.span.start <= at && at < i.span.end)
    {
        match &mut item.kind {
            ItemKind::Segment(s) => place(lines, &mut s.members, &mut s.dangling, c),
            ItemKind::Jail(j) => place(lines, &mut j.props, &mut j.dangling, c),
            ItemKind::Setting(Setting::Kernel(k)) => place(lines, &mut k.lines, &mut k.dangling, c),
            _ => item.trivia.leading.push(c),
        }
        return;
    }
    place(lines, &mut file.items, &mut file.dangling, c);
}

/// `nodes` are in source order, so both searches are binary: a comment
/// costs O(log n), not a scan of its block (a file of 100,000 jails has
/// tens of thousands of comments at the top level).
fn place<N: Node>(lines: &Lines, nodes: &mut [N], dangling: &mut Vec<Comment>, c: Comment) {
    let line = lines.of(c.span.start);
    // The nodes that end before the comment; those on its line are the
    // last of them, since a node's end line grows with its end.
    let before = nodes.partition_point(|n| n.span().end <= c.span.start);
    if let Some(n) = nodes[..before]
        .iter_mut()
        .rev()
        .take_while(|n| lines.of(n.span().end) == line)
        .find(|n| !n.has_trailing())
    {
        n.trivia().trailing = Some(c);
        return;
    }
    let after = nodes.partition_point(|n| n.span().start <= c.span.start);
    match nodes.get_mut(after) {
        Some(n) => n.trivia().leading.push(c),
        None => dangling.push(c),
    }
}
