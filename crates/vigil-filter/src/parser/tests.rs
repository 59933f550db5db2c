#![allow(clippy::unwrap_used)]

use super::*;
use crate::ast::{
    Check, ListModifier, Literal, Op, Operand, Rhs, Span, Transform, TransformArg, TransformKind,
};

fn ok(src: &str) -> Expr {
    match parse(src) {
        Ok(e) => e,
        Err(e) => panic!("{src:?} failed: {}", e.render(src)),
    }
}

fn err(src: &str) -> ParseError {
    match parse(src) {
        Ok(e) => panic!("{src:?} parsed: {e:?}"),
        Err(e) => e,
    }
}

fn msg(src: &str) -> String {
    err(src).message
}

/// The same acceptance checks libsinsp's tests run: as-is, padded, spaces as newlines, tabs.
fn accept(src: &str) {
    ok(src);
    let padded = format!(" {src} ");
    ok(&padded);
    let nl = padded.replace(' ', "\n");
    ok(&nl);
    ok(&nl.replace('\n', "\t"));
}

fn reject(src: &str) {
    err(src);
}

fn check(e: &Expr) -> &Check {
    match e {
        Expr::Check(c) => c,
        other => panic!("not a check: {other:?}"),
    }
}

fn field(o: &Operand) -> (&str, Option<&str>) {
    match o {
        Operand::Field(f) => (f.name.as_str(), f.arg.as_deref()),
        other => panic!("not a field: {other:?}"),
    }
}

fn value(r: &Option<Rhs>) -> &Literal {
    match r {
        Some(Rhs::Value(l)) => l,
        other => panic!("not a value: {other:?}"),
    }
}

fn list(r: &Option<Rhs>) -> Vec<&str> {
    match r {
        Some(Rhs::List { items, .. }) => items.iter().map(|l| l.text.as_str()).collect(),
        other => panic!("not a list: {other:?}"),
    }
}

fn transform(o: &Operand) -> &Transform {
    match o {
        Operand::Transform(t) => t,
        other => panic!("not a transform: {other:?}"),
    }
}

const TRANSFORMERS: &str =
    "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'";

// ----- libsinsp's smoke tests ----------------------------------------------------------------

#[test]
fn smoke_accept() {
    for s in [
        "  a",
        "(a)",
        "a and b",
        "a and b and c",
        "a and b and(c)",
        "(a)and(b)and(c)",
        "(a and b)",
        "a or b",
        "a or b or c",
        "a or b or(c)",
        "(a)or(b)or(c)",
        "(a or b)",
        "(a.a exists and b)",
        "(a.a exists) and (b)",
        "a.a exists and b",
        "a.a=1 or b.b=2 and c",
        "not (a)",
        "not(a)",
        "not (not (a))",
        "not (a.b=1)",
        "not (a.a exists)",
        "not a",
        "a.b = 1 and not a",
        "not not a",
        "(not not a)",
        "not not(a)",
        "not(not(a))",
        "not(a)and(not(b))",
        "not a.b=1",
        "not a.a exists",
        "a.b = bla",
        "a.b = 'bla'",
        "a.b = not",
        "a.b contains bla",
        "a.b icontains 'bla'",
        "a.g in (1, 'a', b)",
        "fd.name=*.log",
        "a.g in (1, 'a', b.c)",
        "a.b = a.a",
        "a and notb",
        "a or notb",
        "notz and a and b",
        "macro and not_macro",
        "macro and not not_macro",
        "macro and not(not_macro)",
        "((macro) and (not_macro))",
        "macro and and_macro",
        "((macro) and (and_macro))",
        "macro and or_macro",
        "((macro) and (or_macro))",
        "evt.arg[0] contains /bin",
        "evt.arg[a] contains /bin",
    ] {
        accept(s);
    }
}

#[test]
fn smoke_reject() {
    for s in [
        "a andb",
        "aand b",
        "a and b and",
        "a and b or",
        "a and b not",
        "and a",
        "or a",
        "a or b and",
        "a or b or",
        "a or b not",
        "a not b and",
        "a not b or",
        "a not b not",
        "a orb",
        "aor b",
        "a and or b",
        "a andor b",
        "a not b",
        "a notb",
        "anot b",
        "a andnot b",
        "a andnotb",
        "(a)andnot(b)",
        "a ornot b",
        "a ornotb",
        "(a)ornot(b)",
        "evt.arg[] contains /bin",
        "a.b = b = 1",
        "(a.b = 1",
        "a.a invalidoperator xxx",
        "macro > 12",
        "a.g in ( 1 ,, , b)",
        "#a and b; a and b",
        "#a and b; # ; ; a and b",
        "fd.name=/var/lo);g/httpd.log",
        "",
        "   ",
        "()",
        ")",
        "(",
    ] {
        reject(s);
    }
}

#[test]
fn strings_accept_reject() {
    for s in [
        "test.str = testval",
        "test.str = 0a!@#456:/\\.;!$%^&*[]{}|",
        "test.str = \"\"",
        "test.str = ''",
        "test.str = \"0a!@#456:/.; !$%^&*[]{}|\"",
        "test.str = \"test value\"",
        "test.str = 'test value'",
        "test.str[0a!@#456:/\\.;!$%^&*(){}|] = testval",
        "test.str[aaaa1] = a",
        "test.str[1234] = a",
        "test.str[+0.25e+10] = a",
        "test.str[\"\"] = empty",
        "test.str['a aa'] = a",
        "test.str[\"test \\\"with\\\"escaping\"] = a",
        "test.str = \"escape double quote \\\" \"",
        "test.str = 'escape single quote \\' '",
        "test.str = 'multiple escape single quote \\' \\\\''",
        "test.str = 'mixed \"'",
        "test.str = \"mixed '\"",
    ] {
        accept(s);
    }
    ok("test.str = \"bad escape \\ \" ");
    for s in [
        "test.str = a,",
        "test.str = a=",
        "test.str = a('\")",
        "test.str = '",
        "test.str = \"",
        "test.str = '\"",
        "test.str = \"'",
        "test.str = missing start quote",
        "test.str = 'missing end quote",
        "test.str = \"broken escape double quote\"\"",
        "test.str = 'broken escape single quote''",
        "test.str = \"mixed \\'\"",
        "test.str = 'mixed \\\"'",
        "test.str[0a!@#456:/\\.;!$%^&*[]{}] = testval",
        "test.str[] = testval",
        "test.str[[] = testval",
        "test.str[]] = testval",
        "test.str['''] = a",
        "test.str[aaa\"] = a",
        "test.str[   test   ] = testval",
        "test.str[ = testval",
        "test.str] = testval",
    ] {
        reject(s);
    }
}

#[test]
fn numbers() {
    for s in [
        "test.num > 1000",
        "test.num < +1",
        "test.num >= -1",
        "test.num <= 0x12345",
        "test.num <= 0XaB00AB",
        "test.num > 1.2",
        "test.num < -1.2",
        "test.num > -0.1222e+10",
        "test.str = !0.1222e+10",
        "test.str = 0xAAA.1",
        "test.str = 0aaaaa",
        "test.str = a",
    ] {
        accept(s);
    }
    for s in [
        "test.num > !0.1222e+10",
        "test.num < 0xAAA.1",
        "test.num >= 0aaaaa",
        "test.num <= a",
    ] {
        reject(s);
    }
    let e = ok("fd.num>=0");
    let c = check(&e);
    assert_eq!(c.op, Op::Ge);
    assert_eq!(value(&c.rhs).text, "0");
    assert_eq!(
        msg("test.num < 0xAAA.1"),
        "unexpected token after '0xAAA', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("x.y > 1e5"),
        "unexpected token after '1', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("test.num <= a"),
        format!("expected a number value or a field with a valid transformer: {TRANSFORMERS}")
    );
}

#[test]
fn lists() {
    for s in [
        "test.list in ()",
        "test.list in (a)",
        "test.list in ('single-quoted')",
        "test.list in (\"double-quoted\")",
        "test.list in (0a!@#456:/\\.;!$%^&*[]{}|)",
        "test.list in (0a!@#456:/\\.;!$%^&*[]{}|, value)",
        "test.list in (value, \"value\", 'value')",
        "test.list in (value)",
        "test.list intersects (value)",
        "test.list pmatch (value)",
    ] {
        accept(s);
    }
    for s in [
        "test.list in (",
        "test.list in )",
        "test.list in (value,)",
        "test.list in (value,,)",
        "test.list in (,)",
        "test.list in (,   ,)",
        "test.list > (value)",
        "test.list = (value)",
        "test.list < (value)",
        "test.list startswith (value)",
        "test.list bstartswith (value)",
        "test.list contains (value)",
        "test.list icontains (value)",
    ] {
        reject(s);
    }
    let e = ok("proc.name in (a, \"b c\", 'd',e)");
    let c = check(&e);
    assert_eq!(c.op, Op::In);
    assert_eq!(list(&c.rhs), ["a", "b c", "d", "e"]);
    match &c.rhs {
        Some(Rhs::List { items, span }) => {
            assert_eq!(*span, Span::new(13, 30));
            assert!(items[1].quoted && !items[0].quoted);
            assert_eq!(items[1].span, Span::new(17, 22));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(msg("test.list in (value,)"), "expected a string value");
    assert_eq!(msg("test.list in (,)"), "expected a ')' token");
    assert_eq!(msg("test.list in (a b)"), "expected a ')' token");
    assert_eq!(
        msg("test.list in )"),
        format!(
            "expected a list, an identifier, or a field with a valid transformer: {TRANSFORMERS}"
        )
    );
}

#[test]
fn list_refs_and_prefix_list_ops() {
    let e = ok("proc.name in shell_binaries");
    assert_eq!(
        check(&e).rhs,
        Some(Rhs::ListRef {
            name: "shell_binaries".into(),
            span: Span::new(13, 27)
        })
    );
    // libsinsp matches `in` as a prefix with no blank required.
    let e = ok("proc.name in(a)");
    assert_eq!(list(&check(&e).rhs), ["a"]);
    let e = ok("proc.name inx");
    assert!(matches!(&check(&e).rhs, Some(Rhs::ListRef { name, .. }) if name == "x"));
    let e = ok("fd.name pmatch (/var/run)");
    assert_eq!(check(&e).op, Op::Pmatch);
    let e = ok("ka.req.pod.containers.image intersects (a)");
    assert_eq!(check(&e).op, Op::Intersects);
}

#[test]
fn operators() {
    for s in [
        "test.op exists and macro",
        "test.op exists",
        "test.op = value",
        "test.op =value",
        "test.op == value",
        "test.op ==value",
        "test.op != value",
        "test.op !=value",
        "test.op glob value",
        "test.op iglob value",
        "test.op contains value",
        "test.op icontains value",
        "test.op bcontains 48545450",
        "test.op startswith value",
        "test.op bstartswith 12ab001fc5",
        "test.op endswith value",
        "test.op regex value",
        "test.op > 1",
        "test.op >1",
        "test.op < 1",
        "test.op <1",
        "test.op >= 1",
        "test.op >=1",
        "test.op <= 1",
        "test.op <=1",
        "test.op in ()",
        "test.op in()",
        "test.op intersects ()",
        "test.op intersects()",
        "test.op pmatch ()",
        "test.op pmatch()",
    ] {
        accept(s);
    }
    ok("test.op existsand macro");
    for s in [
        "test.op ExIsTs",
        "test.op exists something",
        "test.op ===",
        "test.op === value",
        "test.op !==",
        "test.op !== value",
        "test.op startswithvalue",
        "test.op bstartswithvalue",
        "test.op endswithvalue",
        "test.op containsvalue",
        "test.op icontainsvalue",
        "test.op bcontainsvalue",
        "test.op globvalue",
        "test.op iglobvalue",
        "test.op >",
        "test.op <",
        "test.op >=",
        "test.op <=",
        "test.op in",
        "test.op intersects",
        "test.op pmatch",
    ] {
        reject(s);
    }
    let table = [
        ("=", Op::Eq),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        ("<=", Op::Le),
        (">", Op::Gt),
        (">=", Op::Ge),
        ("contains", Op::Contains),
        ("icontains", Op::IContains),
        ("bcontains", Op::BContains),
        ("startswith", Op::StartsWith),
        ("bstartswith", Op::BStartsWith),
        ("endswith", Op::EndsWith),
        ("glob", Op::Glob),
        ("iglob", Op::IGlob),
        ("regex", Op::Regex),
        ("in", Op::In),
        ("intersects", Op::Intersects),
        ("pmatch", Op::Pmatch),
    ];
    for (s, op) in table {
        let src = if matches!(op, Op::In | Op::Intersects | Op::Pmatch) {
            format!("a.b {s} (1)")
        } else {
            format!("a.b {s} 1")
        };
        let e = ok(&src);
        assert_eq!(check(&e).op, op, "{src}");
        assert_eq!(check(&e).span, Span::new(0, src.len()), "{src}");
    }
    let e = ok("proc.name=cat");
    let c = check(&e);
    assert_eq!(field(&c.lhs), ("proc.name", None));
    assert_eq!(value(&c.rhs).text, "cat");
    let e = ok("fd.name exists");
    assert_eq!(check(&e).op, Op::Exists);
    assert_eq!(check(&e).rhs, None);
    assert_eq!(check(&e).span, Span::new(0, 14));
    // `in` is matched as a prefix: this is `a.a in validoperator` followed by junk.
    assert_eq!(
        msg("a.a invalidoperator xxx"),
        "unexpected token after 'validoperator', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("a.a ~ xxx"),
        "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', \
         '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', \
         'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'"
    );
    assert_eq!(
        msg("test.op === value"),
        format!("expected a string value or a field with a valid transformer: {TRANSFORMERS}")
    );
    assert_eq!(
        msg("test.op exists something"),
        "unexpected token after 'exists', expecting 'or', 'and'"
    );
}

#[test]
fn fields_and_args() {
    for (src, name, arg) in [
        ("proc.aname[2] = x", "proc.aname", Some("2")),
        (
            "container.mount.dest[/var/run/docker.sock] exists",
            "container.mount.dest",
            Some("/var/run/docker.sock"),
        ),
        ("ka.uri.param[command] = x", "ka.uri.param", Some("command")),
        ("jevt.value[/stage] = x", "jevt.value", Some("/stage")),
        ("evt.arg[0] = x", "evt.arg", Some("0")),
        ("evt.arg.flags contains O_TRUNC", "evt.arg.flags", None),
        ("fd.sip.name = x", "fd.sip.name", None),
        (
            "k8s.pod.label[app.kubernetes.io/name] = x",
            "k8s.pod.label",
            Some("app.kubernetes.io/name"),
        ),
        (
            "evt.arg[\"key with space\"] = v",
            "evt.arg",
            Some("key with space"),
        ),
        ("test.str[\"\"] = v", "test.str", Some("")),
        ("a_1.b_2.c3 = v", "a_1.b_2.c3", None),
    ] {
        let e = ok(src);
        let c = check(&e);
        assert_eq!(field(&c.lhs), (name, arg), "{src}");
        if let Operand::Field(f) = &c.lhs {
            let end = match arg {
                Some(_) => src.rfind(']').unwrap() + 1,
                None => src.find(' ').unwrap(),
            };
            assert_eq!(f.span, Span::new(0, end), "{src}");
        }
    }
    // Dashes and slashes are not part of a field name: the name stops before them.
    assert_eq!(
        msg("k8s.pod.label.app.kubernetes.io/name = x")
            .split(':')
            .next(),
        Some("expected a valid check operator")
    );
    // A segment must start with a letter: `a.1b` is the identifier `a` followed by junk.
    assert_eq!(
        msg("a.1b = x"),
        "unexpected token after 'a', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("evt.arg[] = value"),
        "expected a valid field argument: a quoted string or a bare string"
    );
    assert_eq!(msg("evt.arg[\"x\" = value"), "expected a ']' token");
    assert_eq!(
        msg("getopt(proc.args, \"nt:\")[] = value"),
        "expected a valid field argument: a quoted string or a bare string"
    );
    assert_eq!(
        msg("getopt(proc.args, \"nt:\")[\"t\" = value"),
        "expected a ']' token"
    );
    // A bare field name without an operator is an error, a bare identifier a macro.
    assert_eq!(
        msg("proc.name").split(':').next(),
        Some("expected a valid check operator")
    );
    assert_eq!(
        ok("some_macro"),
        Expr::Ident {
            name: "some_macro".into(),
            span: Span::new(0, 10)
        }
    );
}

#[test]
fn values_and_escapes() {
    let e = ok(r#"a.b = "x\b\f\n\r\t\\\/\"y""#);
    assert_eq!(value(&check(&e).rhs).text, "x\u{8}\u{c}\n\r\t\\/\"y");
    assert!(value(&check(&e).rhs).quoted);
    let e = ok(r"a.b = 'it\'s'");
    assert_eq!(value(&check(&e).rhs).text, "it's");
    assert_eq!(value(&check(&e).rhs).span, Span::new(6, 13));
    // libsinsp's legacy `\ ` escape becomes a lone backslash.
    let e = ok(r#"a.b = "bad escape \ ""#);
    assert_eq!(value(&check(&e).rhs).text, "bad escape \\");
    assert_eq!(
        msg(r#"a.b = "\q""#),
        r"unsupported string escape sequence: \q"
    );
    assert_eq!(
        msg(r#"a.b = "\x41""#),
        r"unsupported string escape sequence: \x"
    );
    assert_eq!(
        msg(r#"a.b = '\"'"#),
        r#"invalid \" escape in '-quoted string"#
    );
    assert_eq!(
        msg(r#"a.b = "\'""#),
        r#"invalid \' escape in "-quoted string"#
    );
    assert_eq!(err(r#"a.b = "ab\qc""#).span, Span::new(9, 11));
    // A quote preceded by a backslash never closes the string, even after `\\`.
    let e = ok(r#"a.b = "a\\" or ""#);
    assert_eq!(value(&check(&e).rhs).text, "a\\\" or ");
    // Non-ASCII text in values and arguments.
    let e = ok("a.b = héllo and a.c[ключ] = '日本'");
    match &e {
        Expr::And { children, .. } => {
            assert_eq!(value(&check(&children[0]).rhs).text, "héllo");
            assert_eq!(field(&check(&children[1]).lhs), ("a.c", Some("ключ")));
            assert_eq!(value(&check(&children[1]).rhs).text, "日本");
        }
        other => panic!("{other:?}"),
    }
    // Bare strings stop at `(),="'` and blanks; `\b` is a blank but not `[:space:]`.
    assert_eq!(
        msg("a.b = x(y)"),
        "unexpected token after 'x', expecting 'or', 'and'"
    );
    let e = ok("a.b = x\u{8}y");
    assert_eq!(value(&check(&e).rhs).text, "x\u{8}y");
}

#[test]
fn first_list_item_escape_quirk() {
    // libsinsp swallows any error on the first list item and expects `)`.
    let e = ok(r#"a.b in ("\q")"#);
    assert_eq!(list(&check(&e).rhs), Vec::<&str>::new());
    assert_eq!(msg(r#"a.b in ("\q", b)"#), "expected a ')' token");
    assert_eq!(
        msg(r#"a.b in (a, "\q")"#),
        r"unsupported string escape sequence: \q"
    );
}

#[test]
fn boolean_structure_and_spans() {
    let src = "a and b or c and not d";
    let e = ok(src);
    match &e {
        Expr::Or { children, span } => {
            assert_eq!(*span, Span::new(0, src.len()));
            assert_eq!(children.len(), 2);
            assert!(
                matches!(&children[0], Expr::And { children: c, span } if c.len() == 2 && *span == Span::new(0, 7))
            );
            match &children[1] {
                Expr::And { children: c, span } => {
                    assert_eq!(*span, Span::new(11, 22));
                    assert_eq!(
                        c[1],
                        Expr::Not {
                            child: Box::new(Expr::Ident {
                                name: "d".into(),
                                span: Span::new(21, 22)
                            }),
                            span: Span::new(17, 22),
                        }
                    );
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    // n-ary
    let e = ok("a and b and c and d");
    assert!(matches!(&e, Expr::And { children, .. } if children.len() == 4));
    let e = ok("a or (b or c) or d");
    match &e {
        Expr::Or { children, span } => {
            assert_eq!(children.len(), 3);
            assert_eq!(*span, Span::new(0, 18));
            assert_eq!(children[1].span(), Span::new(6, 12));
        }
        other => panic!("{other:?}"),
    }
    // Parentheses are included in the parent's span.
    let e = ok("not (a or b)");
    assert_eq!(e.span(), Span::new(0, 12));
    // `not not` cancels, as in libsinsp.
    assert!(
        matches!(ok("not not a"), Expr::Ident { name, span } if name == "a" && span == Span::new(8, 9))
    );
    let e = ok("not not not not not(not not(not not_macro))");
    match e {
        Expr::Not { child, .. } => match *child {
            Expr::Not { child, .. } => {
                assert!(matches!(*child, Expr::Ident { ref name, .. } if name == "not_macro"))
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // A bare `not` is an identifier.
    assert!(matches!(ok("not"), Expr::Ident { name, .. } if name == "not"));
    assert!(matches!(ok("nota"), Expr::Ident { name, .. } if name == "nota"));
    // Newlines from YAML folded scalars, \r, \b and tabs are blanks.
    let e = ok("a\nand\r\nb\tand\u{8}c");
    assert!(matches!(&e, Expr::And { children, .. } if children.len() == 3));
    // Form feed is not a blank for lex_blank, but `not` accepts it ([[:space:]]).
    reject("a\u{c}and b");
    assert!(matches!(ok("not\u{c}a"), Expr::Not { .. }));
}

#[test]
fn boolean_errors() {
    assert_eq!(
        msg("evt.type=execve execve"),
        "unexpected token after 'execve', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("evt.type=open open"),
        "unexpected token after 'open', expecting 'or', 'and'"
    );
    let e = err("evt.type=execve execve");
    assert_eq!(e.span, Span::new(16, 22));
    assert_eq!(msg("a andb"), "expected blank or '(' after 'and'");
    assert_eq!(err("a andb").span, Span::new(2, 6));
    assert_eq!(msg("a orb"), "expected blank or '(' after 'or'");
    assert_eq!(msg("a and b or"), "expected blank or '(' after 'or'");
    assert_eq!(msg("(a.b = 1"), "expected a ')' token");
    assert_eq!(err("(a.b = 1").span, Span::new(8, 8));
    assert_eq!(msg("(a"), "expected a ')' token");
    assert_eq!(
        msg("a)"),
        "unexpected token after 'a', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("(a))"),
        "unexpected token after ')', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("a.b = 'x' y"),
        "unexpected token after 'x', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("a.b = \"x\\ty\" z"),
        "unexpected token after 'x\ty', expecting 'or', 'and'"
    );
    assert_eq!(msg(""), "filter input string is empty");
    assert_eq!(
        msg("   "),
        "expected a '(' token, a field check, or an identifier"
    );
    assert_eq!(
        msg("a and "),
        "expected a '(' token, a field check, or an identifier"
    );
    assert_eq!(
        msg("and a"),
        "unexpected token after 'and', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("a not b"),
        "unexpected token after 'a', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("macro > 12"),
        "unexpected token after 'macro', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("proc.aname[2]=x y"),
        "unexpected token after 'x', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("proc.aname[2] exists y"),
        "unexpected token after 'exists', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("tolower(a.b) = x) y"),
        "unexpected token after 'x', expecting 'or', 'and'"
    );
    assert_eq!(
        msg("a.b in (x) y"),
        "unexpected token after ')', expecting 'or', 'and'"
    );
    // libsinsp quirk: after `or(…)` only `or` may follow within the same group.
    assert_eq!(
        msg("a or(b) and c"),
        "unexpected token after ')', expecting 'or', 'and'"
    );
    assert_eq!(msg("(a or(b) and c)"), "expected a ')' token");
    ok("a and(b) or c");
    ok("a or (b) and c");
}

#[test]
fn transformers_left_hand() {
    for s in [
        "tolower(test.field) exists",
        "toupper(test.field) exists",
        "b64(test.field) exists",
        "b64(test.field) = value",
        "b64(test.field) == value",
        "b64(test.field) != value",
        "b64(test.field) glob value",
        "(b64(test.field) exists)",
        "b64(test.field) exists and b64(test.field) contains 'a'",
        "not (b64(test.field) exists or b64(test.field) contains 'a')",
        "b64(toupper(test.field)) exists",
        "b64( test.field) exists",
        "b64(test.field ) exists",
        "b64(b64(test.field) ) exists",
        "basename(proc.exepath) = bash",
        "len(proc.args) > 3",
        "concat(proc.name, \"-\", proc.pname) = a-b",
    ] {
        accept(s);
    }
    for s in [
        "val(test.field) exists",
        "val(val(test.field)) exists",
        "val(b64(test.field)) exists",
        "b64(val(test.field)) exists",
        "b64(test.field [1]) exists",
        "some_fake_transformer(test.field) exists",
        "some_fake_transformer (test.field) exists",
        "some.fake.transformer(test.field) exists",
        "b64 (test.field) exists",
        "b64,(test.field) exists",
        "b64(testfield)) exists",
        "b64(test_field)) exists",
        "b64(b64)) exists",
        "b64\n(test.field) exists",
        "b64(test.field exists",
        "test.field) exists",
        "b64(b64(test.field exists",
        "b64(b64(test.field) exists",
        "b64(test.field)) exists",
        "(test.field) exists",
        "(test.field exists",
        "a(test.field) exists",
        "aaaa(test.field) exists",
        "a(b(test.field)) exists",
    ] {
        reject(s);
    }
    let e = ok("tolower(toupper(evt.type)) in val(some.field)");
    let c = check(&e);
    let t = transform(&c.lhs);
    assert_eq!(t.kind, TransformKind::ToLower);
    assert_eq!(t.span, Span::new(0, 26));
    match &t.args[..] {
        [TransformArg::Operand(Operand::Transform(inner))] => {
            assert_eq!(inner.kind, TransformKind::ToUpper);
            assert_eq!(inner.span, Span::new(8, 25));
        }
        other => panic!("{other:?}"),
    }
    match &c.rhs {
        Some(Rhs::Operand(Operand::Field(f))) => {
            assert_eq!(f.name, "some.field");
            assert_eq!(f.span, Span::new(34, 44));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        msg("b64(test.field [1]) exists"),
        "expected a ')' token closing the transformer"
    );
    assert_eq!(
        msg("b64() exists"),
        "expected field transformer argument: field, transformer, quoted string, number, or \
         transformer list"
    );
}

#[test]
fn transformers_right_hand() {
    for s in [
        "some.field = test.field",
        "some.field = val(test.field)",
        "some.field = tolower(test.field)",
        "some.field glob b64(test.field)",
        "some.field > val(test.field)",
        "some.field in val(test.field)",
        "some.field pmatch b64(test.field)",
        "some.field = b64(b64( test.field))",
        "tolower(some.field) = b64(test.field) or tolower(other.field) = tolower(anoter.field)",
        "some.field = b64 and(some_macro)",
        "some.field = b64 or(some_macro)",
        "some.field = 'some_fake_transformer(some_macro)'",
    ] {
        accept(s);
    }
    for s in [
        "some.field = b64and(some_macro)",
        "some.field = b64or(some_macro)",
        "some.field = val(test.field [1])",
        "some.field = some_fake_transformer(test.field)",
        "some.field = val(val(test.field))",
        "some.field = val(toupper(test.field))",
        "some.field = b64(val(test.field))",
        "some.field = b64 (test.field)",
        "some.field = (b64(test.field))",
        "some.field = ((b64(test.field)))",
        "some.field = b64(test.field",
        "some.field = (test.field)",
        "some.field = a(b(test.field))",
        "some.field in (b64(test.field))",
        "some.field in (a, b64(test.field))",
    ] {
        reject(s);
    }
    assert_eq!(
        msg("some.field = val(toupper(test.field))"),
        "expected a field within 'val' transformer"
    );
    assert_eq!(
        msg("some.field = val(test.field [1])"),
        "expected a ')' token closing the transformer"
    );
    let e = err("some.field = val(test.field)[1]");
    assert_eq!(
        e.message,
        "filter error: transformer 'val' does not support field arguments"
    );
    assert_eq!(e.span, Span::new(28, 31));
    // Syntax errors win over the deferred compile-time error, as in libsinsp.
    assert_eq!(
        msg("some.field = val(test.field)[1] x"),
        "unexpected token after ']', expecting 'or', 'and'"
    );
    // A field on the right without val() is a bare string.
    assert_eq!(value(&check(&ok("a.b = c.d")).rhs).text, "c.d");
}

#[test]
fn transformer_lists_and_args() {
    let e = ok(r#"getopt(proc.args, "nt:")[t] = value"#);
    let t = transform(&check(&e).lhs);
    assert_eq!(t.kind, TransformKind::Getopt);
    assert_eq!(t.arg.as_deref(), Some("t"));
    assert_eq!(t.span, Span::new(0, 27));
    match &t.args[..] {
        [
            TransformArg::Operand(Operand::Field(f)),
            TransformArg::Literal(l),
        ] => {
            assert_eq!(f.name, "proc.args");
            assert_eq!(l.text, "nt:");
            assert!(l.quoted);
        }
        other => panic!("{other:?}"),
    }
    let e = ok(r#"getopt(proc.args, "nt:")["t"] = value"#);
    assert_eq!(transform(&check(&e).lhs).arg.as_deref(), Some("t"));
    let e = ok(r#"getopt(proc.args, "nt:") = value"#);
    assert_eq!(transform(&check(&e).lhs).arg, None);

    let e = ok(r#"join("-", (tolower(fd.name), "lit", 12, fd.directory)) = x"#);
    let t = transform(&check(&e).lhs);
    assert_eq!(t.kind, TransformKind::Join);
    match &t.args[..] {
        [
            TransformArg::Literal(sep),
            TransformArg::List { items, span },
        ] => {
            assert_eq!(sep.text, "-");
            assert_eq!(*span, Span::new(10, 53));
            assert_eq!(items.len(), 4);
            assert!(matches!(&items[2], TransformArg::Literal(l) if l.text == "12" && !l.quoted));
        }
        other => panic!("{other:?}"),
    }
    for s in [
        "join(\"-\", (fd.name, fd.directory)) = /tmp/test",
        "join(\",\", (proc.name, proc.pid)) = \"myproc,123\"",
        "join('-->', (fd.name, fd.directory)) = /tmp/test",
        "join(\"-\", (fd.name)) = /tmp/test",
        "join(\"-\", (toupper(fd.name), b64(fd.directory))) = /tmp/test",
        "join(\"-\", (proc.pid, 123)) contains 123",
        "join(\"-\", (fd.name, fd.directory)) in (a, b, c)",
        "evt.type = tolower(join(\"-\", (fd.name, fd.directory)))",
        "len(toupper(join(\"-\", (fd.name, fd.directory)))) = 10",
        "join(\"-\", ( fd.name , fd.directory )) = /tmp",
        "join(\"-\" , (fd.name, fd.directory)) = /tmp",
        "join(\"-\", ()) = /tmp",
    ] {
        accept(s);
    }
    for s in [
        "join(\"-\", (fd.name, fd.directory) = /tmp",
        "join(\"-\", fd.name, fd.directory)) = /tmp",
        "join(\"-\", (,)) = /tmp",
        "join(\"-\", (,fd.name)) = /tmp",
        "join(\"-\", (fd.name,)) = /tmp",
        "join(\"-\", (fd.name,,fd.directory)) = /tmp",
        "join(\"-\", ((fd.name))) = /tmp",
        "join(\"-\", (macro)) = /tmp",
        "join(\"-\", (barestring)) = /tmp",
    ] {
        reject(s);
    }
    assert_eq!(
        msg("join(\"-\", (macro)) = /tmp"),
        "expected transformer list argument: field, transformer, quoted string, or number"
    );
    assert_eq!(msg("join(\"-\", (fd.name x)) = /tmp"), "expected ')'");
}

#[test]
fn modifiers() {
    for s in [
        "proc.name == oneof (cat, nginx)",
        "proc.name = anyof (cat, nginx)",
        "proc.name != allof (cat, nginx)",
        "proc.name == oneof ()",
        "proc.name == oneof allowed_processes",
        "proc.name == oneof oneof",
        "evt.arg[0] == oneof (connect, accept)",
        "tolower(proc.name) == oneof (cat, nginx)",
        "b64(proc.cmdline) == allof (\"dGVzdA==\")",
        "proc.name == 'oneof'",
        "proc.name == oneof",
        "proc.name == oneof_something",
        "proc.name == anyof and fd.name exists",
        "proc.name == oneof or fd.name exists",
        "(proc.name == oneof)",
        "proc.name contains oneof (cat, nginx)",
        "proc.name startswith anyof (/proc/, /sys/)",
        "proc.name iglob allof (cat*)",
    ] {
        accept(s);
    }
    for s in [
        "proc.name == oneof (cat,)",
        "proc.name == oneof (cat, nginx",
        "proc.name ==oneof (cat, nginx)",
        "proc.name == oneof(cat, nginx)",
        "proc.name == ONEOF (cat)",
        "proc.num > oneof (1, 2)",
        "proc.name contains oneof(cat, nginx)",
        "proc.name == oneof_something (cat)",
        "proc.name in oneof (cat)",
    ] {
        reject(s);
    }
    let e = ok("proc.name startswith anyof (/etc/, /tmp/)");
    let c = check(&e);
    assert_eq!(c.op, Op::StartsWith);
    match &c.rhs {
        Some(Rhs::Modified {
            modifier,
            items,
            span,
        }) => {
            assert_eq!(*modifier, ListModifier::AnyOf);
            assert_eq!(
                items.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
                ["/etc/", "/tmp/"]
            );
            assert_eq!(*span, Span::new(27, 41));
        }
        other => panic!("{other:?}"),
    }
    let e = ok("proc.name == oneof my_list");
    match &check(&e).rhs {
        Some(Rhs::Modified {
            modifier: ListModifier::OneOf,
            items,
            span,
        }) => {
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].text, "my_list");
            assert_eq!(*span, Span::new(19, 26));
        }
        other => panic!("{other:?}"),
    }
    let e = ok("proc.name == anyof and fd.name exists");
    match &e {
        Expr::And { children, .. } => assert_eq!(value(&check(&children[0]).rhs).text, "anyof"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn depth_limit() {
    let nested = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
    assert!(matches!(ok(&nested(1000)), Expr::Ident { .. }));
    let e = err(&nested(1001));
    assert_eq!(e.message, "exceeded max depth limit of 1000");
    assert_eq!(e.span, Span::new(1000, 1001));
    assert_eq!(msg(&nested(5000)), "exceeded max depth limit of 1000");
    let nots = |n: usize| format!("{}a{}", "not (".repeat(n), ")".repeat(n));
    assert!(matches!(ok(&nots(999)), Expr::Not { .. }));
    assert_eq!(msg(&nots(1001)), "exceeded max depth limit of 1000");
    let tr = |n: usize| format!("{}a.b{} exists", "tolower(".repeat(n), ")".repeat(n));
    ok(&tr(1000));
    assert_eq!(msg(&tr(1001)), "exceeded max depth limit of 1000");
    let mixed = |n: usize| format!("{}a.b = 1{}", "a and (".repeat(n), ")".repeat(n));
    ok(&mixed(1000));
    reject(&mixed(1001));
    // Unbalanced.
    reject(&"(".repeat(10));
    reject(&")".repeat(10));
    reject(&format!("{}a{}", "(".repeat(10), ")".repeat(9)));
    reject(&format!("{}a{}", "(".repeat(9), ")".repeat(10)));
}

/// Tests run on 2 MiB threads: the deepest accepted inputs must fit (including dropping and
/// comparing the resulting trees).
#[test]
fn depth_fits_small_stack() {
    let run = |src: String| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let a = parse(&src);
                let b = parse(&src);
                assert_eq!(a, b);
                a.is_ok()
            })
            .unwrap()
            .join()
            .unwrap()
    };
    assert!(run(format!("{}a{}", "(".repeat(1000), ")".repeat(1000))));
    assert!(run(format!(
        "{}a{}",
        "not (".repeat(1000),
        ")".repeat(1000)
    )));
    assert!(run(format!(
        "{}a.b = 1{}",
        "a and (b or (".repeat(500),
        "))".repeat(500)
    )));
    assert!(run(format!(
        "{}a.b{} exists",
        "tolower(".repeat(1000),
        ")".repeat(1000)
    )));
    assert!(run(format!(
        "a.b = {}a.b{}",
        "tolower(".repeat(1000),
        ")".repeat(1000)
    )));
    assert!(run(format!(
        "{}a.b{} exists",
        "join(\"-\", (".repeat(500),
        "))".repeat(500)
    )));
    assert!(!run("(".repeat(100_000)));
    assert!(!run("tolower(".repeat(100_000)));
    assert!(!run("not(".repeat(100_000)));
}

#[test]
fn large_inputs_are_linear() {
    use std::time::Instant;
    // 10 MB in release (well under a second each); smaller and slower in debug builds.
    let (size, limit) = if cfg!(debug_assertions) {
        (2_000_000, 5.0)
    } else {
        (10_000_000, 1.0)
    };
    let mut list = String::from("proc.name in (");
    let mut i = 0;
    while list.len() < size {
        if i > 0 {
            list.push_str(", ");
        }
        list.push_str(&format!("item{i}"));
        i += 1;
    }
    list.push(')');
    let t = Instant::now();
    let e = ok(&list);
    let d = t.elapsed();
    assert_eq!(list_len(&e), i);
    assert!(d.as_secs_f64() < limit, "{size} B list took {d:?}");

    let chain = "a.b = c and ".repeat(size / 12) + "x";
    let t = Instant::now();
    let e = ok(&chain);
    let d = t.elapsed();
    assert!(matches!(&e, Expr::And { children, .. } if children.len() >= size / 12));
    assert!(d.as_secs_f64() < limit, "{size} B chain took {d:?}");

    let nots = "not ".repeat(size / 4) + "a";
    ok(&nots);
    let blanks = " ".repeat(size) + "a";
    ok(&blanks);
    // Errors at the end of huge inputs are also cheap to produce and render.
    let bad = "a or ".repeat(size / 5) + ")";
    let t = Instant::now();
    let e = err(&bad);
    let r = e.render(&bad);
    assert!(r.contains('^'));
    assert!(r.len() < 1000, "long lines are clipped");
    assert!(t.elapsed().as_secs_f64() < limit);
}

fn list_len(e: &Expr) -> usize {
    match e {
        Expr::Check(c) => match &c.rhs {
            Some(Rhs::List { items, .. }) => items.len(),
            _ => 0,
        },
        _ => 0,
    }
}

#[test]
fn render_single_line() {
    let src = "evt.type=execve execve";
    let e = err(src);
    assert_eq!(e.line_col(src), (1, 17));
    assert_eq!(
        e.render(src),
        "unexpected token after 'execve', expecting 'or', 'and'\n --> 1:17\n\
         evt.type=execve execve\n                ^^^^^^"
    );
    // Error at the end of the input: a caret just past the last char.
    let src = "(a.b = 1";
    let r = err(src).render(src);
    assert_eq!(r, "expected a ')' token\n --> 1:9\n(a.b = 1\n        ^");
}

#[test]
fn render_clips_long_lines() {
    let src = format!(
        "{}a.b = c d and {}",
        "x and ".repeat(100),
        "y and ".repeat(100) + "z"
    );
    let e = err(&src);
    assert_eq!(
        e.message,
        "unexpected token after 'c', expecting 'or', 'and'"
    );
    let r = e.render(&src);
    let lines: Vec<&str> = r.lines().collect();
    assert_eq!(lines[1], format!(" --> 1:{}", 600 + 8 + 1));
    assert!(
        lines[2].starts_with("...") && lines[2].ends_with("..."),
        "{}",
        lines[2]
    );
    assert!(lines[2].chars().count() < 140);
    let caret = lines[3].find('^').unwrap();
    assert_eq!(&lines[2][caret..caret + 1], "d");
}

#[test]
fn render_multi_line() {
    let src = "evt.type = execve\n  and proc.name = bash\n  and proc.aname[2] exists x\n  and y";
    let e = err(src);
    assert_eq!(
        e.message,
        "unexpected token after 'exists', expecting 'or', 'and'"
    );
    assert_eq!(e.line_col(src), (3, 28));
    let r = e.render(src);
    let lines: Vec<&str> = r.lines().collect();
    assert_eq!(lines[1], " --> 3:28");
    assert_eq!(lines[2], "  and proc.aname[2] exists x");
    assert_eq!(lines[3], format!("{}^", " ".repeat(27)));
    // \r\n and lone \r count as line breaks; tabs are kept so the caret lines up.
    let src = "a and\r\n\tb.c = 'é' ?";
    let e = err(src);
    assert_eq!(e.line_col(src), (2, 12));
    let r = e.render(src);
    assert_eq!(r.lines().nth(3), Some("\t          ^"));
    // A span running past its line is clipped to the line.
    let e = ParseError {
        message: "m".into(),
        span: Span::new(2, 100),
    };
    assert_eq!(e.render("ab cd\nef"), "m\n --> 1:3\nab cd\n  ^^^");
    // Offsets inside a character or past the end never panic.
    let s = "é";
    assert_eq!(ParseError::line_col_at(s, 1), (1, 1));
    assert_eq!(ParseError::line_col_at(s, 99), (1, 2));
    let e = ParseError {
        message: "m".into(),
        span: Span::new(1, 7),
    };
    assert!(e.render(s).ends_with('^'));
    assert!(e.render("").ends_with('^'));
}

#[test]
fn error_spans_point_at_problem() {
    let cases = [
        ("a.b = x)", ")"),
        ("a.b ~ x", "~"),
        ("a.b in (x", ""),
        ("a.b = (x)", "("),
        ("tolower(a.b x) = 1", "x"),
        ("a.b = \"unterminated", "\"unterminated"),
        ("a and 1", "1"),
    ];
    for (src, at) in cases {
        let e = err(src);
        let got = &src[e.span.start..e.span.end];
        assert_eq!(got, at, "{src}: {}", e.message);
    }
}

#[test]
fn check_with_all_rhs_kinds_spans() {
    let src = "proc.name = 'a b' and fd.num >= 3 and x.y in my_list";
    let e = ok(src);
    match &e {
        Expr::And { children, .. } => {
            assert_eq!(children[0].span(), Span::new(0, 17));
            assert_eq!(children[1].span(), Span::new(22, 33));
            assert_eq!(children[2].span(), Span::new(38, src.len()));
        }
        other => panic!("{other:?}"),
    }
}
