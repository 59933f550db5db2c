//! Property / differential tests on hand-built ASTs (independent of the parser): the
//! optimised matchers (hash sets, folded prefix automata, suffix sets, globs) agree with
//! naive definitions.

use proptest::prelude::*;
use vigil_event::{FieldInfo, FieldSchema, FieldType, MapEvent, Value};
use vigil_filter::ast::{Check, Expr, FieldName, ListModifier, Literal, Op, Operand, Rhs, Span};
use vigil_filter::{EventTypes, compile};

struct Schema;
static FIELDS: &[FieldInfo] = &[
    FieldInfo::new("evt.type", FieldType::String, "type").evtype(),
    FieldInfo::new("proc.name", FieldType::String, "name"),
];
impl FieldSchema for Schema {
    fn source(&self) -> &str {
        "test"
    }
    fn fields(&self) -> &[FieldInfo] {
        FIELDS
    }
    fn event_types(&self) -> &[&'static str] {
        &["a", "b", "c", "d"]
    }
}

fn lit(s: &str) -> Literal {
    Literal {
        text: s.into(),
        quoted: true,
        span: Span::default(),
    }
}

fn check(field: &str, op: Op, rhs: Option<Rhs>) -> Expr {
    Expr::Check(Box::new(Check {
        lhs: Operand::Field(FieldName {
            name: field.into(),
            arg: None,
            span: Span::default(),
        }),
        op,
        rhs,
        span: Span::default(),
    }))
}

fn or(children: Vec<Expr>) -> Expr {
    if children.len() == 1 {
        return children.into_iter().next().unwrap_or(Expr::Ident {
            name: "x".into(),
            span: Span::default(),
        });
    }
    Expr::Or {
        children,
        span: Span::default(),
    }
}

fn ev(name: &str) -> MapEvent {
    MapEvent::builder(&Schema)
        .set("proc.name", Value::string(name.into()))
        .build()
}

fn glob_to_regex(p: &str) -> String {
    let mut r = String::from("^");
    for c in p.chars() {
        match c {
            '*' => r.push_str("(?s:.*)"),
            '?' => r.push_str("(?s:.)"),
            c => r.push_str(&regex::escape(&c.to_string())),
        }
    }
    r.push('$');
    r
}

proptest! {
    #[test]
    fn in_matches_membership(name in "[abc]{0,3}", set in prop::collection::vec("[abc]{0,3}", 0..12)) {
        let e = check("proc.name", Op::In, Some(Rhs::List { items: set.iter().map(|s| lit(s)).collect(), span: Span::default() }));
        let f = compile(&e, &Schema).unwrap();
        prop_assert_eq!(f.eval(&ev(&name)), set.contains(&name));
        if !set.is_empty() {
            let e = or(set.iter().map(|s| check("proc.name", Op::Eq, Some(Rhs::Value(lit(s))))).collect());
            let f = compile(&e, &Schema).unwrap();
            prop_assert_eq!(f.eval(&ev(&name)), set.contains(&name));
        }
    }

    #[test]
    fn prefixes_and_suffixes(name in "[ab]{0,5}", set in prop::collection::vec("[ab]{0,3}", 1..10)) {
        let want_pre = set.iter().any(|p| name.starts_with(p.as_str()));
        let want_suf = set.iter().any(|p| name.ends_with(p.as_str()));
        let folded = or(set.iter().map(|s| check("proc.name", Op::StartsWith, Some(Rhs::Value(lit(s))))).collect());
        prop_assert_eq!(compile(&folded, &Schema).unwrap().eval(&ev(&name)), want_pre);
        let any = |op| check("proc.name", op, Some(Rhs::Modified { modifier: ListModifier::AnyOf, items: set.iter().map(|s| lit(s)).collect(), span: Span::default() }));
        prop_assert_eq!(compile(&any(Op::StartsWith), &Schema).unwrap().eval(&ev(&name)), want_pre);
        prop_assert_eq!(compile(&any(Op::EndsWith), &Schema).unwrap().eval(&ev(&name)), want_suf);
        let want_sub = set.iter().any(|p| name.contains(p.as_str()));
        prop_assert_eq!(compile(&any(Op::Contains), &Schema).unwrap().eval(&ev(&name)), want_sub);
        let one = set.iter().filter(|p| name.contains(p.as_str())).count() == 1;
        let oneof = check("proc.name", Op::Contains, Some(Rhs::Modified { modifier: ListModifier::OneOf, items: set.iter().map(|s| lit(s)).collect(), span: Span::default() }));
        prop_assert_eq!(compile(&oneof, &Schema).unwrap().eval(&ev(&name)), one);
    }

    #[test]
    fn glob_agrees_with_regex(pat in "[ab*?/]{0,6}", text in "[ab/]{0,8}") {
        let e = check("proc.name", Op::Glob, Some(Rhs::Value(lit(&pat))));
        let f = compile(&e, &Schema).unwrap();
        let re = regex::Regex::new(&glob_to_regex(&pat)).unwrap();
        prop_assert_eq!(f.eval(&ev(&text)), re.is_match(&text));
    }

    #[test]
    fn not_equal_types_complement(names in prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d"]), 1..4)) {
        let e = check("evt.type", Op::In, Some(Rhs::List { items: names.iter().map(|s| lit(s)).collect(), span: Span::default() }));
        let pos = compile(&e, &Schema).unwrap().event_types().clone();
        let neg = compile(&Expr::Not { child: Box::new(e), span: Span::default() }, &Schema).unwrap().event_types().clone();
        let ids = |t: &EventTypes| match t { EventTypes::All => vec![0u16, 1, 2, 3], EventTypes::Only(v) => v.clone() };
        let (p, n) = (ids(&pos), ids(&neg));
        prop_assert_eq!(p.len() + n.len(), 4);
        prop_assert!(p.iter().all(|i| !n.contains(i)));
    }
}

#[test]
fn undefined_macro() {
    let e = Expr::And {
        children: vec![
            Expr::Ident {
                name: "m".into(),
                span: Span::new(0, 1),
            },
            check("proc.name", Op::Exists, None),
        ],
        span: Span::new(0, 10),
    };
    let err = compile(&e, &Schema).unwrap_err();
    assert_eq!(err.message, "Undefined macro 'm' used in filter.");
    assert_eq!(err.span, Span::new(0, 1));
}

/// One operand of an `or` over `proc.name`: operator and literal.
fn name_check((op, s): &(usize, String)) -> Expr {
    let ops = [Op::StartsWith, Op::EndsWith, Op::Eq, Op::Contains, Op::Glob];
    check("proc.name", ops[*op % ops.len()], Some(Rhs::Value(lit(s))))
}

/// The naive meaning of [`name_check`].
fn name_check_holds((op, s): &(usize, String), name: &str) -> bool {
    match op % 5 {
        0 => name.starts_with(s.as_str()),
        1 => name.ends_with(s.as_str()),
        2 => name == s,
        3 => name.contains(s.as_str()),
        _ => regex::Regex::new(&glob_to_regex(s))
            .expect("glob regex")
            .is_match(name),
    }
}

proptest! {
    /// An `or` of checks of every kind on one field (folded into one check at compile time)
    /// is the `or` of the checks' naive meanings.
    #[test]
    fn folded_same_field_or(
        name in "[ab/]{0,5}",
        items in prop::collection::vec((0usize..5, "[ab/*]{0,3}"), 1..10),
    ) {
        let e = or(items.iter().map(name_check).collect());
        let want = items.iter().any(|i| name_check_holds(i, &name));
        prop_assert_eq!(compile(&e, &Schema).unwrap().eval(&ev(&name)), want);
        let neg = Expr::Not { child: Box::new(e), span: Span::default() };
        prop_assert_eq!(compile(&neg, &Schema).unwrap().eval(&ev(&name)), !want);
    }

    /// Conditions compiled as one set with shared sub-expressions give, with one memo shared
    /// across the conditions of an event, what each gives compiled alone.
    #[test]
    fn shared_subexpressions_agree(
        names in prop::collection::vec("[ab/]{0,4}", 1..6),
        pool in prop::collection::vec((0usize..5, "[ab/*]{0,2}"), 2..6),
        shapes in prop::collection::vec(prop::collection::vec((0usize..6, any::<bool>(), any::<bool>()), 1..5), 1..8),
    ) {
        // Sub-expressions reused by several conditions (what expanded macros are).
        let sub = |i: usize| -> Expr {
            let a = name_check(&pool[i % pool.len()]);
            let b = name_check(&pool[(i + 1) % pool.len()]);
            match i % 3 {
                0 => a,
                1 => Expr::And { children: vec![a, b], span: Span::default() },
                _ => or(vec![a, check("evt.type", Op::Eq, Some(Rhs::Value(lit("b")))), b]),
            }
        };
        let conds: Vec<Expr> = shapes
            .iter()
            .map(|shape| {
                let children: Vec<Expr> = shape
                    .iter()
                    .map(|&(i, neg, _)| {
                        let e = sub(i);
                        if neg { Expr::Not { child: Box::new(e), span: Span::default() } } else { e }
                    })
                    .collect();
                if shape.first().is_some_and(|s| s.2) {
                    or(children)
                } else if children.len() == 1 {
                    children.into_iter().next().unwrap()
                } else {
                    Expr::And { children, span: Span::default() }
                }
            })
            .collect();
        let sharing = vigil_filter::Sharing::new();
        let mut shared: Vec<_> = conds.iter().map(|c| sharing.compile(c, &Schema).unwrap()).collect();
        sharing.finish(shared.iter_mut());
        let alone: Vec<_> = conds.iter().map(|c| compile(c, &Schema).unwrap()).collect();
        let mut memo = vigil_filter::Memo::new();
        for name in &names {
            for t in ["a", "b"] {
                let e = MapEvent::builder(&Schema)
                    .evtype(t)
                    .set("proc.name", Value::string(name.clone()))
                    .build();
                memo.next_event();
                for (s, a) in shared.iter().zip(&alone) {
                    prop_assert_eq!(s.eval_memo(&e, &mut memo), a.eval(&e));
                    prop_assert_eq!(s.eval(&e), a.eval(&e));
                }
            }
        }
    }
}

#[test]
fn repeated_subexpressions_get_memo_slots() {
    let m = Expr::And {
        children: vec![
            check("proc.name", Op::StartsWith, Some(Rhs::Value(lit("a")))),
            check("proc.name", Op::EndsWith, Some(Rhs::Value(lit("b")))),
        ],
        span: Span::new(3, 9),
    };
    // The same macro, expanded at different places of two conditions.
    let c1 = Expr::And {
        children: vec![
            m.clone(),
            check("proc.name", Op::Contains, Some(Rhs::Value(lit("x")))),
        ],
        span: Span::default(),
    };
    let c2 = Expr::Or {
        children: vec![check("proc.name", Op::Eq, Some(Rhs::Value(lit("y")))), m],
        span: Span::new(40, 80),
    };
    let sharing = vigil_filter::Sharing::new();
    let mut fs = [
        sharing.compile(&c1, &Schema).expect("c1"),
        sharing.compile(&c2, &Schema).expect("c2"),
    ];
    assert_eq!(sharing.finish(fs.iter_mut()), 1);
    let mut memo = vigil_filter::Memo::new();
    for (name, want) in [
        ("axb", [true, true]),
        ("ab", [false, true]),
        ("y", [false, true]),
        ("ba", [false, false]),
    ] {
        memo.next_event();
        let e = ev(name);
        assert_eq!(
            [
                fs[0].eval_memo(&e, &mut memo),
                fs[1].eval_memo(&e, &mut memo)
            ],
            want,
            "{name}"
        );
    }
}
