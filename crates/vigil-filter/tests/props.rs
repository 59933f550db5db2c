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
