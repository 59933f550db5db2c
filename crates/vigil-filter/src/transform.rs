//! Value-producing operands: fields, literals and libsinsp's field transformers.
//!
//! Performance: a plain field operand is one [`Extract::extract`] call; transformers build
//! owned values (one allocation per produced value).

use std::borrow::Cow;

use vigil_event::{Extract, Extracted, FieldRef, Value, Values};

use crate::ast::TransformKind;

/// A compiled operand.
#[derive(Debug)]
pub(crate) enum Operand {
    /// A field of the event.
    Field(FieldRef),
    /// A constant (transformer arguments such as the separator of `join`).
    Literal(Value<'static>),
    /// Several operands whose values are concatenated into one list (`(a, b)` argument).
    List(Box<[Operand]>),
    /// A transformer.
    Transform(Box<TransformIr>),
}

/// A compiled transformer application.
#[derive(Debug)]
pub(crate) struct TransformIr {
    pub(crate) kind: TransformKind,
    pub(crate) args: Vec<Operand>,
    /// `len` of a list operand counts values instead of measuring each.
    pub(crate) arg_is_list: bool,
    /// `len` of a byte buffer counts every byte (of a string: up to the first NUL).
    pub(crate) arg_is_bytes: bool,
    /// `getopt(...)[c]`: the selected option character.
    pub(crate) selector: Option<u8>,
    /// The option string of `getopt`, when it is a literal (parsed once).
    pub(crate) optinfo: Option<OptInfo>,
}

/// A parsed `getopt` option string.
#[derive(Clone, Debug)]
pub(crate) struct OptInfo {
    valid: [bool; 256],
    with_arg: [bool; 256],
}

impl OptInfo {
    pub(crate) fn parse(s: &[u8]) -> OptInfo {
        let mut o = OptInfo {
            valid: [false; 256],
            with_arg: [false; 256],
        };
        let mut i = usize::from(s.first() == Some(&b':'));
        while i < s.len() {
            let c = s[i];
            if c != b':' {
                o.valid[usize::from(c)] = true;
                if s.get(i + 1) == Some(&b':') {
                    o.with_arg[usize::from(c)] = true;
                    i += 1;
                }
            }
            i += 1;
        }
        o
    }
}

fn owned<'a>(b: Vec<u8>) -> Value<'a> {
    Value::Bytes(Cow::Owned(b))
}

/// Bytes of a value (numbers rendered in decimal), for string-building transformers.
fn text<'v>(v: &'v Value<'_>) -> Cow<'v, [u8]> {
    match v {
        Value::Bytes(b) => Cow::Borrowed(b),
        Value::Int(i) => Cow::Owned(i.to_string().into_bytes()),
        Value::UInt(u) => Cow::Owned(u.to_string().into_bytes()),
        Value::Bool(b) => Cow::Owned(b.to_string().into_bytes()),
        Value::Ip(a) => Cow::Owned(a.to_string().into_bytes()),
        Value::Net(n) => Cow::Owned(n.to_string().into_bytes()),
    }
}

fn strip_nul(b: &[u8]) -> &[u8] {
    let mut n = b.len();
    while n > 0 && b[n - 1] == 0 {
        n -= 1;
    }
    &b[..n]
}

/// Base64 decoding, padding optional; `None` on invalid input.
pub(crate) fn b64_decode(input: &[u8]) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let mut data = input;
    while let [rest @ .., b'='] = data {
        data = rest;
    }
    if input.len() - data.len() > 2 || data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for chunk in data.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = (acc << 6) | val(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]),
            3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
            2 => out.push((acc >> 4) as u8),
            _ => return None,
        }
    }
    Some(out)
}

impl Operand {
    /// The values of this operand for one event; `None` when it cannot be extracted. A
    /// field goes through [`Extract::extract_one`]: a single value is not boxed in a
    /// [`Values`].
    #[inline]
    pub(crate) fn eval<'e>(&'e self, ev: &'e dyn Extract) -> Option<Extracted<'e>> {
        match self {
            Operand::Field(f) => ev.extract_one(f),
            Operand::Literal(v) => Some(Extracted::One(v.reborrow())),
            Operand::List(items) => {
                let mut out = Values::new();
                for i in items.iter() {
                    out.extend(Values::from(i.eval(ev)?));
                }
                Some(Extracted::Many(out))
            }
            Operand::Transform(t) => t.eval(ev).map(Extracted::Many),
        }
    }
}

impl TransformIr {
    fn map_bytes<'e>(
        &'e self,
        ev: &'e dyn Extract,
        f: impl Fn(&[u8]) -> Option<Vec<u8>>,
    ) -> Option<Values<'e>> {
        let vals = self.args.first()?.eval(ev)?;
        let mut out = Values::new();
        for v in vals.as_slice() {
            let b = v.as_bytes()?;
            out.push(owned(f(strip_nul(b))?));
        }
        Some(out)
    }

    fn eval<'e>(&'e self, ev: &'e dyn Extract) -> Option<Values<'e>> {
        match self.kind {
            TransformKind::ToLower => self.map_bytes(ev, |b| Some(b.to_ascii_lowercase())),
            TransformKind::ToUpper => self.map_bytes(ev, |b| Some(b.to_ascii_uppercase())),
            TransformKind::Basename => self.map_bytes(ev, |b| {
                let start = b.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
                Some(b[start..].to_vec())
            }),
            TransformKind::B64 => self.map_bytes(ev, b64_decode),
            TransformKind::Len => {
                let vals = self.args.first()?.eval(ev)?;
                let n = if self.arg_is_list {
                    vals.as_slice().len()
                } else {
                    match vals.first()?.as_bytes() {
                        Some(b) if self.arg_is_bytes => b.len(),
                        Some(b) => memchr::memchr(0, b).unwrap_or(b.len()),
                        None => 0,
                    }
                };
                Some(std::iter::once(Value::UInt(n as u64)).collect())
            }
            TransformKind::Join => {
                let sep_v = self.args.first()?.eval(ev)?;
                let sep = text(sep_v.first()?).into_owned();
                let vals = self.args.get(1)?.eval(ev)?;
                let mut out = Vec::new();
                for (i, v) in vals.as_slice().iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(&sep);
                    }
                    out.extend_from_slice(strip_nul(&text(v)));
                }
                Some(std::iter::once(owned(out)).collect())
            }
            TransformKind::Concat => {
                let mut out = Vec::new();
                for a in &self.args {
                    let vals = a.eval(ev)?;
                    out.extend_from_slice(strip_nul(&text(vals.first()?)));
                }
                Some(std::iter::once(owned(out)).collect())
            }
            TransformKind::Getopt => self.getopt(ev),
        }
    }

    /// POSIX-getopt-like scan of an argument list (libsinsp's `getopt` transformer): without
    /// a selector, the list of option names each followed by its argument (`?` for unknown
    /// options); with a selector, the argument (or the name) of that option, or no value.
    fn getopt<'e>(&'e self, ev: &'e dyn Extract) -> Option<Values<'e>> {
        let dynamic;
        let info = match &self.optinfo {
            Some(i) => i,
            None => {
                let s = self.args.get(1)?.eval(ev)?;
                dynamic = OptInfo::parse(&text(s.first()?));
                &dynamic
            }
        };
        let args = self.args.first()?.eval(ev)?;
        let args = args.as_slice();
        let mut results: Vec<Vec<u8>> = Vec::new();
        let mut selected: Option<Vec<u8>> = None;
        let mut idx = 0;
        'outer: while idx < args.len() {
            let arg = text(&args[idx]).into_owned();
            if arg == b"--" {
                break;
            }
            if arg.len() > 2 && arg.starts_with(b"--") {
                idx += 1;
                continue;
            }
            if arg.len() < 2 || arg[0] != b'-' {
                break;
            }
            for i in 1..arg.len() {
                let opt = arg[i];
                if opt == b':' || !info.valid[usize::from(opt)] {
                    if self.selector.is_none() {
                        results.push(b"?".to_vec());
                    }
                    continue;
                }
                let sel_match = self.selector.is_none_or(|s| s == opt);
                let name = vec![opt];
                if !info.with_arg[usize::from(opt)] {
                    if sel_match {
                        if self.selector.is_some() {
                            selected = Some(name);
                        } else {
                            results.push(name);
                        }
                    }
                    continue;
                }
                let value = if i + 1 < arg.len() {
                    Some(arg[i + 1..].to_vec())
                } else if idx + 1 < args.len() {
                    idx += 1;
                    Some(text(&args[idx]).into_owned())
                } else {
                    None
                };
                match value {
                    None => {
                        if sel_match {
                            if self.selector.is_some() {
                                selected = Some(Vec::new());
                            } else {
                                results.push(Vec::new());
                            }
                        }
                        break 'outer;
                    }
                    Some(v) => {
                        if sel_match {
                            if self.selector.is_some() {
                                selected = Some(v);
                            } else {
                                results.push(name);
                                results.push(v);
                            }
                        }
                    }
                }
                break;
            }
            idx += 1;
        }
        match self.selector {
            Some(_) => selected.map(|s| std::iter::once(owned(s)).collect()),
            None => Some(results.into_iter().map(owned).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(b64_decode(b"aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(b64_decode(b"aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(b64_decode(b"aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(b64_decode(b"").as_deref(), Some(&b""[..]));
        assert!(b64_decode(b"a$==").is_none());
        assert!(b64_decode(b"a").is_none());
    }
}
