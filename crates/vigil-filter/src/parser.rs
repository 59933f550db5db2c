//! Lexer and recursive-descent parser (libsinsp `filter/parser.h` grammar).

use std::fmt;

use crate::ast::{Expr, Span};

/// A syntax error in a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// libsinsp-compatible message, e.g. `unexpected token after 'execve', expecting 'or', 'and'`.
    pub message: String,
    /// Where the problem is (byte offsets into the condition).
    pub span: Span,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

impl ParseError {
    /// Render with the offending source line and a caret under the problem.
    pub fn render(&self, src: &str) -> String {
        let _ = src;
        todo!("parser helper")
    }
}

/// Parse a condition.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let _ = src;
    todo!("parser helper")
}
