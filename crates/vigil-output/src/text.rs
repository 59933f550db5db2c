//! Rendering of extracted values as libsinsp prints them, the string sanitisation Falco 0.44
//! applies to extracted strings, and a JSON writer with nlohmann's escaping.

use std::fmt::Write as _;

use vigil_event::{FieldType, Value};

/// What libsinsp prints for a value that cannot be extracted.
pub const NOT_AVAILABLE: &str = "<NA>";

/// libsinsp renders a byte buffer into a 1024-byte scratch buffer: longer buffers are cut.
const BYTEBUF_MAX_IN: usize = 1022;
const BYTEBUF_MAX_OUT: usize = 1021;
/// libsinsp copies a rendered list into a 1024-byte buffer (`strlcpy`): at most 1023 bytes.
const LIST_MAX: usize = 1023;

/// True for the code points libsinsp's sanitiser treats as non-printable: C0 controls, DEL,
/// C1 controls and the Unicode non-characters.
fn non_printable(c: char) -> bool {
    let cp = u32::from(c);
    cp < 0x20
        || (0x7f..=0x9f).contains(&cp)
        || (0xfdd0..=0xfdef).contains(&cp)
        || (cp & 0xfffe) == 0xfffe
}

/// Append `bytes` as text the way libsinsp (0.25, Falco 0.44) sanitises extracted strings:
/// every invalid or broken UTF-8 sequence (per maximal subpart) and every valid but
/// non-printable character (controls, DEL, C1 controls, non-characters) becomes U+FFFD.
pub fn push_sanitized(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if valid.chars().any(non_printable) {
            out.extend(valid.chars().map(|c| {
                if non_printable(c) {
                    char::REPLACEMENT_CHARACTER
                } else {
                    c
                }
            }));
        } else {
            out.push_str(valid);
        }
        if !chunk.invalid().is_empty() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

/// Append a byte buffer as libsinsp's default ("dots") rendering: printable ASCII as is,
/// anything else as `.`; buffers longer than 1022 bytes are cut to 1021 characters.
pub fn push_bytebuf(out: &mut String, bytes: &[u8]) {
    let take = if bytes.len() > BYTEBUF_MAX_IN {
        BYTEBUF_MAX_OUT
    } else {
        bytes.len()
    };
    out.extend(bytes[..take].iter().map(|&b| {
        if (0x20..0x7f).contains(&b) {
            char::from(b)
        } else {
            '.'
        }
    }));
}

/// Append one value as libsinsp's `rawval_to_string` prints it for a field of type `ty`.
pub fn push_value(out: &mut String, value: &Value<'_>, ty: FieldType) {
    match value {
        Value::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Value::UInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Bool(v) => out.push_str(if *v { "true" } else { "false" }),
        Value::Bytes(b) if ty == FieldType::Bytes => push_bytebuf(out, b),
        Value::Bytes(b) => push_sanitized(out, b),
        Value::Ip(ip) => {
            let _ = write!(out, "{ip}");
        }
        // libsinsp prints the literal `<IPNET>` for network-typed values.
        Value::Net(_) => out.push_str("<IPNET>"),
    }
}

/// Append the values of one field: `<NA>` when absent, `(a,b,…)` for a list field (cut at
/// 1023 bytes as libsinsp does), otherwise the first value.
pub fn push_values(out: &mut String, values: Option<&[Value<'_>]>, ty: FieldType, list: bool) {
    let Some(values) = values else {
        out.push_str(NOT_AVAILABLE);
        return;
    };
    if list {
        let start = out.len();
        out.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_value(out, v, ty);
        }
        out.push(')');
        if out.len() - start > LIST_MAX {
            let mut end = start + LIST_MAX;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
        }
    } else {
        match values.first() {
            Some(v) => push_value(out, v, ty),
            // A non-list field that extracted to nothing prints as missing.
            None => out.push_str(NOT_AVAILABLE),
        }
    }
}

/// A typed value for the `output_fields` object of a JSON alert (libsinsp's `tojson`).
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    /// The field could not be extracted (`null`).
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed number.
    Int(i64),
    /// An unsigned number.
    UInt(u64),
    /// A string (strings, paths, byte buffers, addresses).
    Str(String),
    /// The values of a list field.
    List(Vec<FieldValue>),
}

impl FieldValue {
    /// The JSON value libsinsp gives one extracted value of a field of type `ty`.
    pub fn from_value(value: &Value<'_>, ty: FieldType) -> FieldValue {
        match value {
            Value::Int(v) => FieldValue::Int(*v),
            Value::UInt(v) => FieldValue::UInt(*v),
            Value::Bool(v) => FieldValue::Bool(*v),
            _ => {
                let mut s = String::new();
                push_value(&mut s, value, ty);
                FieldValue::Str(s)
            }
        }
    }

    /// The JSON value of a field's values: `null` when absent (or a list field with no
    /// values), an array for a list field, else the first value.
    pub fn from_values(values: Option<&[Value<'_>]>, ty: FieldType, list: bool) -> FieldValue {
        match values {
            None => FieldValue::Null,
            Some([]) => FieldValue::Null,
            Some(vs) if list => {
                FieldValue::List(vs.iter().map(|v| FieldValue::from_value(v, ty)).collect())
            }
            Some([first, ..]) => FieldValue::from_value(first, ty),
        }
    }

    /// Append this value as compact JSON.
    pub fn write_json(&self, out: &mut String) {
        match self {
            FieldValue::Null => out.push_str("null"),
            FieldValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            FieldValue::Int(v) => {
                let _ = write!(out, "{v}");
            }
            FieldValue::UInt(v) => {
                let _ = write!(out, "{v}");
            }
            FieldValue::Str(s) => push_json_str(out, s),
            FieldValue::List(vs) => {
                out.push('[');
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
        }
    }

    /// The text form (what a `%field` in an output prints), `<NA>` for `Null`.
    pub fn to_text(&self) -> String {
        match self {
            FieldValue::Null => NOT_AVAILABLE.to_string(),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::Int(v) => v.to_string(),
            FieldValue::UInt(v) => v.to_string(),
            FieldValue::Str(s) => s.clone(),
            FieldValue::List(vs) => {
                let parts: Vec<String> = vs.iter().map(FieldValue::to_text).collect();
                format!("({})", parts.join(","))
            }
        }
    }
}

/// Append `s` as a JSON string literal with nlohmann's `dump()` escaping (no ASCII forcing):
/// `"` and `\` escaped, `\b \f \n \r \t`, other C0 controls as `\u00xx`, everything else
/// (including DEL and non-ASCII) verbatim.
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn sanitize() {
        let mut s = String::new();
        push_sanitized(&mut s, b"a\nb\xffc\xc3\xa9\x7f\xc2\x85");
        assert_eq!(s, "a\u{fffd}b\u{fffd}c\u{e9}\u{fffd}\u{fffd}");
        let mut s = String::new();
        // Lead + valid first continuation + bad second: one replacement for two bytes.
        push_sanitized(&mut s, b"\xe2\x82x");
        assert_eq!(s, "\u{fffd}x");
    }

    #[test]
    fn bytebuf_dots_and_cut() {
        let mut s = String::new();
        push_bytebuf(&mut s, b"GET /\r\n\x00ok");
        assert_eq!(s, "GET /...ok");
        let mut s = String::new();
        push_bytebuf(&mut s, &[b'a'; 1022]);
        assert_eq!(s.len(), 1022);
        let mut s = String::new();
        push_bytebuf(&mut s, &[b'a'; 1023]);
        assert_eq!(s.len(), 1021);
    }

    #[test]
    fn values_and_lists() {
        let mut s = String::new();
        push_values(&mut s, None, FieldType::String, false);
        assert_eq!(s, "<NA>");
        let vs = [Value::str("a"), Value::str("b")];
        let mut s = String::new();
        push_values(&mut s, Some(&vs), FieldType::String, true);
        assert_eq!(s, "(a,b)");
        let mut s = String::new();
        push_values(&mut s, Some(&[]), FieldType::String, true);
        assert_eq!(s, "()");
        let mut s = String::new();
        push_values(
            &mut s,
            Some(&[Value::Bool(true), Value::Int(-3), Value::UInt(7)]),
            FieldType::Int,
            true,
        );
        assert_eq!(s, "(true,-3,7)");
        let mut s = String::new();
        let ip: std::net::IpAddr = "::ffff:1.2.3.4"
            .parse()
            .unwrap_or(std::net::IpAddr::from([0u8; 4]));
        push_values(&mut s, Some(&[Value::Ip(ip)]), FieldType::Ip, false);
        assert_eq!(s, "::ffff:1.2.3.4");
        let long: Vec<Value<'_>> = (0..600)
            .map(|_| Value::Bytes(Cow::Borrowed(b"ab")))
            .collect();
        let mut s = String::new();
        push_values(&mut s, Some(&long), FieldType::String, true);
        assert_eq!(s.len(), 1023);
    }

    #[test]
    fn json_values() {
        let mut s = String::new();
        FieldValue::List(vec![
            FieldValue::Str("a\"\\\n\u{1}\u{7f}é".into()),
            FieldValue::UInt(1),
            FieldValue::Int(-1),
            FieldValue::Bool(false),
            FieldValue::Null,
        ])
        .write_json(&mut s);
        assert_eq!(s, "[\"a\\\"\\\\\\n\\u0001\u{7f}é\",1,-1,false,null]");
        assert_eq!(
            FieldValue::from_values(None, FieldType::String, false),
            FieldValue::Null
        );
        assert_eq!(
            FieldValue::from_values(Some(&[Value::UInt(5)]), FieldType::UInt, false),
            FieldValue::UInt(5)
        );
    }
}
