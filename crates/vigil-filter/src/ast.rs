//! The syntax tree of a condition, with byte spans into the condition text.

/// A half-open byte range `start..end` in the condition text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A boolean expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `a and b and c` (n-ary).
    And {
        /// Operands, at least two.
        children: Vec<Expr>,
        /// Whole expression.
        span: Span,
    },
    /// `a or b or c` (n-ary).
    Or {
        /// Operands, at least two.
        children: Vec<Expr>,
        /// Whole expression.
        span: Span,
    },
    /// `not a`.
    Not {
        /// Negated operand.
        child: Box<Expr>,
        /// Whole expression.
        span: Span,
    },
    /// A bare identifier: a macro reference, substituted by the rules loader.
    Ident {
        /// Macro name.
        name: String,
        /// Where it was written.
        span: Span,
    },
    /// `field op value`, `field exists`, …
    Check(Box<Check>),
}

/// One predicate.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Left-hand side: a field or a transformer over fields.
    pub lhs: Operand,
    /// The operator.
    pub op: Op,
    /// Right-hand side; `None` only for `exists`.
    pub rhs: Option<Rhs>,
    /// Whole check.
    pub span: Span,
}

/// A field reference as written: `proc.aname[2]`, `evt.arg.flags`, `jevt.value[/stage]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldName {
    /// Dotted name as written (`evt.arg.flags`; longest-prefix resolution happens at compile).
    pub name: String,
    /// The text inside `[...]`, unescaped, if any.
    pub arg: Option<String>,
    /// Where it was written.
    pub span: Span,
}

/// A value-producing operand: a field, or a transformer applied to operands.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A plain field.
    Field(FieldName),
    /// `tolower(proc.name)`, `concat(proc.name, proc.pname)`…
    Transform(Box<Transform>),
}

/// A field transformer (libsinsp's `field_transformer`).
#[derive(Clone, Debug, PartialEq)]
pub struct Transform {
    /// Which transformer.
    pub kind: TransformKind,
    /// Arguments: operands or literal values, as the grammar of each transformer allows.
    pub args: Vec<TransformArg>,
    /// The text inside a trailing `[...]`, unescaped, if any: `getopt(proc.args, "nt:")[t]`.
    /// libsinsp's compiler rejects it for every transformer except `getopt`.
    pub arg: Option<String>,
    /// Where it was written (including the trailing `[...]`).
    pub span: Span,
}

/// An argument of a transformer.
#[derive(Clone, Debug, PartialEq)]
pub enum TransformArg {
    /// A field or nested transformer.
    Operand(Operand),
    /// A literal (e.g. the separator of `join`, the option string of `getopt`).
    Literal(Literal),
    /// A parenthesised list of operands and literals: `join("-", (fd.name, fd.directory))`.
    List {
        /// Items (fields, transformers, quoted strings, numbers), possibly none.
        items: Vec<TransformArg>,
        /// Whole list including parentheses.
        span: Span,
    },
}

/// The transformers libsinsp knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransformKind {
    /// `tolower(x)`
    ToLower,
    /// `toupper(x)`
    ToUpper,
    /// `b64(x)`: base64-decode.
    B64,
    /// `basename(x)`
    Basename,
    /// `len(x)`: length of a string or number of values of a list.
    Len,
    /// `join(sep, x)`: join list values with a separator.
    Join,
    /// `concat(a, b, …)`
    Concat,
    /// `getopt(x)`, with an option argument.
    Getopt,
}

impl TransformKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            TransformKind::ToLower => "tolower",
            TransformKind::ToUpper => "toupper",
            TransformKind::B64 => "b64",
            TransformKind::Basename => "basename",
            TransformKind::Len => "len",
            TransformKind::Join => "join",
            TransformKind::Concat => "concat",
            TransformKind::Getopt => "getopt",
        }
    }
}

/// Comparison operators. `=` and `==` are the same operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`
    Contains,
    /// `icontains`
    IContains,
    /// `bcontains`
    BContains,
    /// `startswith`
    StartsWith,
    /// `bstartswith`
    BStartsWith,
    /// `endswith`
    EndsWith,
    /// `glob`
    Glob,
    /// `iglob`
    IGlob,
    /// `regex`
    Regex,
    /// `in`
    In,
    /// `intersects`
    Intersects,
    /// `pmatch`
    Pmatch,
    /// `exists`
    Exists,
}

impl Op {
    /// The operator as written in conditions (`=` for [`Op::Eq`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::BContains => "bcontains",
            Op::StartsWith => "startswith",
            Op::BStartsWith => "bstartswith",
            Op::EndsWith => "endswith",
            Op::Glob => "glob",
            Op::IGlob => "iglob",
            Op::Regex => "regex",
            Op::In => "in",
            Op::Intersects => "intersects",
            Op::Pmatch => "pmatch",
            Op::Exists => "exists",
        }
    }
}

/// A literal value as written, unescaped.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// The text (quotes removed, escapes resolved).
    pub text: String,
    /// True when it was quoted.
    pub quoted: bool,
    /// Where it was written (including quotes).
    pub span: Span,
}

/// `oneof` / `anyof` / `allof` before a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListModifier {
    /// Exactly one list item matches.
    OneOf,
    /// At least one list item matches.
    AnyOf,
    /// Every list item matches.
    AllOf,
}

/// The right-hand side of a check.
#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    /// A single literal.
    Value(Literal),
    /// `(a, b, c)`.
    List {
        /// Items.
        items: Vec<Literal>,
        /// Whole list including parentheses.
        span: Span,
    },
    /// A bare identifier naming a list (`in my_list` without parentheses).
    ListRef {
        /// List name.
        name: String,
        /// Where it was written.
        span: Span,
    },
    /// `val(field)` or a transformer: compare with another operand of the same event.
    Operand(Operand),
    /// `startswith oneof (a, b)`: a string operator applied to each list item.
    Modified {
        /// Which quantifier.
        modifier: ListModifier,
        /// Items.
        items: Vec<Literal>,
        /// Whole list including parentheses.
        span: Span,
    },
}

impl Expr {
    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::And { span, .. }
            | Expr::Or { span, .. }
            | Expr::Not { span, .. }
            | Expr::Ident { span, .. } => *span,
            Expr::Check(c) => c.span,
        }
    }
}

impl Expr {
    /// Call `f` for every identifier (macro reference) in the expression, in source order.
    pub fn visit_idents<'a>(&'a self, f: &mut dyn FnMut(&'a str, Span)) {
        match self {
            Expr::And { children, .. } | Expr::Or { children, .. } => {
                for c in children {
                    c.visit_idents(f);
                }
            }
            Expr::Not { child, .. } => child.visit_idents(f),
            Expr::Ident { name, span } => f(name, *span),
            Expr::Check(_) => {}
        }
    }

    /// Replace every identifier for which `f` returns an expression; identifiers for which
    /// it returns `None` are kept. The replacement is not visited again, so `f` should return
    /// already-expanded expressions.
    pub fn substitute_idents(&mut self, f: &mut dyn FnMut(&str, Span) -> Option<Expr>) {
        match self {
            Expr::And { children, .. } | Expr::Or { children, .. } => {
                for c in children {
                    c.substitute_idents(f);
                }
            }
            Expr::Not { child, .. } => child.substitute_idents(f),
            Expr::Ident { name, span } => {
                if let Some(e) = f(name, *span) {
                    *self = e;
                }
            }
            Expr::Check(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_keeps_unknown_idents() {
        let mut e = Expr::And {
            children: vec![
                Expr::Ident {
                    name: "a".into(),
                    span: Span::new(0, 1),
                },
                Expr::Not {
                    child: Box::new(Expr::Ident {
                        name: "b".into(),
                        span: Span::new(10, 11),
                    }),
                    span: Span::new(6, 11),
                },
            ],
            span: Span::new(0, 11),
        };
        e.substitute_idents(&mut |n, s| {
            (n == "b").then(|| Expr::Ident {
                name: "c".into(),
                span: s,
            })
        });
        let mut seen = Vec::new();
        e.visit_idents(&mut |n, _| seen.push(n.to_string()));
        assert_eq!(seen, ["a", "c"]);
    }
}
