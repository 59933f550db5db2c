//! Property tests: the parser returns `Ok` or `Err` (never panics, never overflows the stack)
//! on random strings, token soups, and mutations of Falco's real conditions; spans stay in
//! bounds and errors render.

#[path = "parse_common.rs"]
mod common;

use std::sync::OnceLock;

use proptest::prelude::*;

fn corpus() -> &'static [String] {
    static CONDS: OnceLock<Vec<String>> = OnceLock::new();
    CONDS.get_or_init(|| match common::rules_dir() {
        Some(dir) => common::conditions(&dir.join("falco_rules.yaml"))
            .into_iter()
            .map(|(_, _, c)| c)
            .collect(),
        None => Vec::new(),
    })
}

/// Parse and check every invariant that must hold for any input.
fn exercise(src: &str) {
    match vigil_filter::parse(src) {
        Ok(e) => common::check_spans(src, &e),
        Err(e) => {
            assert!(!e.message.is_empty());
            assert!(
                e.span.start <= e.span.end && e.span.end <= src.len(),
                "{e:?} {src:?}"
            );
            let r = e.render(src);
            assert!(r.starts_with(&e.message));
            assert!(r.contains('^'));
            let (line, col) = e.line_col(src);
            assert!(line >= 1 && col >= 1);
        }
    }
}

const TOKENS: &[&str] = &[
    "and",
    "or",
    "not",
    "not(",
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "intersects",
    "pmatch",
    "contains",
    "icontains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "glob",
    "iglob",
    "regex",
    "exists",
    "oneof",
    "anyof",
    "allof",
    "val(",
    "tolower(",
    "toupper(",
    "b64(",
    "basename(",
    "len(",
    "join(",
    "concat(",
    "getopt(",
    "proc.name",
    "evt.type",
    "fd.name",
    "proc.aname[2]",
    "evt.arg[0]",
    "ka.uri.param[x]",
    "jevt.value[/stage]",
    "evt.arg.flags",
    "macro",
    "my_list",
    "execve",
    "/bin/sh",
    "0x1F",
    "-1.5e+3",
    "42",
    "\"",
    "'",
    "\"quoted str\"",
    "'it\\'s'",
    "\"\\q\"",
    "\\",
    "é",
    "日本",
    "\u{0}",
    "\u{8}",
    "\u{c}",
    "#",
    ";",
];

const SEPS: &[&str] = &["", " ", "  ", "\n", "\t", "\r\n", "\u{8}"];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (prop::sample::select(TOKENS), prop::sample::select(SEPS)),
        0..40,
    )
    .prop_map(|v| v.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
}

#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, char),
    Delete(usize),
    Replace(usize, char),
}

fn edit_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(
            &[
                '(', ')', '[', ']', '"', '\'', ',', '=', '!', '<', '>', ' ', '\n', '\t', '\\', '.',
                'a', 'n', 'o', 'r', 'd', 't', '0', 'é', '\u{0}', '\u{8}',
            ][..]
        ),
        any::<char>(),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), edit_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
            any::<usize>().prop_map(Edit::Delete),
            (any::<usize>(), edit_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        ],
        1..8,
    )
}

fn apply(src: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for e in edits {
        match *e {
            Edit::Insert(i, c) => {
                let i = i % (chars.len() + 1);
                chars.insert(i, c);
            }
            Edit::Delete(i) if !chars.is_empty() => {
                let i = i % chars.len();
                chars.remove(i);
            }
            Edit::Replace(i, c) if !chars.is_empty() => {
                let i = i % chars.len();
                chars[i] = c;
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_strings(s in "\\PC{0,200}") {
        exercise(&s);
    }

    #[test]
    fn random_ascii_with_controls(s in "[ -~\t\n\r\u{8}\u{b}\u{c}\u{0}é]{0,200}") {
        exercise(&s);
    }

    #[test]
    fn token_soups(s in token_soup()) {
        exercise(&s);
    }

    #[test]
    fn mutated_real_conditions(idx in any::<usize>(), e in edits()) {
        let conds = corpus();
        if !conds.is_empty() {
            let src = apply(&conds[idx % conds.len()], &e);
            exercise(&src);
        }
    }

    #[test]
    fn truncated_real_conditions(idx in any::<usize>(), cut in any::<usize>()) {
        let conds = corpus();
        if !conds.is_empty() {
            let c = &conds[idx % conds.len()];
            let n = c.chars().count();
            let src: String = c.chars().take(cut % (n + 1)).collect();
            exercise(&src);
        }
    }
}

#[test]
fn pathological_nesting_never_crashes() {
    let inputs = [
        "(".repeat(100_000),
        ")".repeat(100_000),
        "not(".repeat(100_000),
        "not (".repeat(100_000),
        "a and(".repeat(100_000),
        "a or(".repeat(100_000),
        "tolower(".repeat(100_000),
        format!("a.b = {}", "b64(".repeat(100_000)),
        format!("a.b = {}", "val(".repeat(100_000)),
        format!("join(\"-\", {}", "(".repeat(100_000)),
        format!("{}a{}", "(".repeat(5000), ")".repeat(5000)),
        "\"".repeat(100_000),
        "[".repeat(100_000),
        "a.b[".repeat(100_000),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for s in &inputs {
                exercise(s);
            }
        })
        .expect("spawn");
    handle.join().expect("no panic or overflow");
}
