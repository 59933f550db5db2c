//! The textual parts of Falco's rule compilation: list substitution, exception assembly,
//! output-format checks, yaml-cpp scalar conversions, versions.

use vigil_event::{FieldError, FieldSchema};

const BLANKS: &[u8] = b" \t\n\r";
const DELIMS: &[u8] = b" \t\n\r(),=";

/// Quote an item containing a space, unless it already starts with a quote.
pub(crate) fn quote_item(e: &str) -> String {
    if e.contains(' ') && !e.starts_with('"') && !e.starts_with('\'') {
        format!("\"{e}\"")
    } else {
        e.to_string()
    }
}

/// Parenthesise an item unless it starts with `(`.
pub(crate) fn paren_item(e: &str) -> String {
    if e.starts_with('(') {
        e.to_string()
    } else {
        format!("({e})")
    }
}

/// Falco's textual list substitution: every occurrence of `name` delimited by the start/end
/// of the text, blanks or `(),=` is replaced by the comma-joined, quoted items (blanks around
/// the occurrence are consumed; an empty list also removes an adjacent comma). Returns
/// `None` when the name does not occur. Linear in the text length.
pub(crate) fn resolve_list(cnd: &str, name: &str, items: &[String]) -> Option<String> {
    if name.is_empty() || !cnd.contains(name) {
        return None;
    }
    let sub = items
        .iter()
        .map(|i| quote_item(i))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = String::new();
    let mut rest: &str = cnd;
    let mut skip = 0usize;
    let mut used = false;
    while let Some(i) = rest
        .get(skip..)
        .and_then(|r| r.find(name))
        .map(|i| i + skip)
    {
        let rb = rest.as_bytes();
        let end = i + name.len();
        let left_ok = if i > 0 {
            DELIMS.contains(&rb[i - 1])
        } else {
            out.is_empty() || out.as_bytes().last().is_some_and(|c| DELIMS.contains(c))
        };
        let right_ok = end >= rest.len() || DELIMS.contains(&rb[end]);
        if left_ok && right_ok {
            let mut l = i;
            while l > 0 && BLANKS.contains(&rb[l - 1]) {
                l -= 1;
            }
            out.push_str(&rest[..l]);
            if l == 0 {
                while out.as_bytes().last().is_some_and(|c| BLANKS.contains(c)) {
                    out.pop();
                }
            }
            let mut e = end;
            while e < rest.len() && BLANKS.contains(&rb[e]) {
                e += 1;
            }
            if sub.is_empty() {
                if out.ends_with(',') {
                    out.pop();
                } else if e < rest.len() && rb[e] == b',' {
                    e += 1;
                }
            }
            let at_start = out.is_empty();
            if !at_start {
                out.push(' ');
            }
            out.push_str(&sub);
            out.push(' ');
            rest = &rest[e..];
            skip = if at_start {
                rest.chars().next().map_or(1, char::len_utf8)
            } else {
                0
            };
            used = true;
        } else {
            skip = i + rest[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if !used {
        return None;
    }
    out.push_str(rest);
    Some(out)
}

/// An exception's `fields`, `comps` or one of its `values`: a scalar or a nested list.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Entry {
    /// A scalar (empty when the YAML node was null or a mapping).
    Item(String),
    /// A sequence.
    List(Vec<Entry>),
}

impl Entry {
    pub(crate) fn is_valid(&self) -> bool {
        match self {
            Entry::Item(s) => !s.is_empty(),
            Entry::List(_) => true,
        }
    }
}

/// True for operators whose right-hand side is a parenthesised list.
pub(crate) fn is_operator_for_list(op: &str) -> bool {
    matches!(op, "in" | "intersects" | "pmatch") || is_str_operator_with_modifier(op)
}

/// Operators libsinsp's parser knows.
pub(crate) fn is_operator_defined(op: &str) -> bool {
    matches!(
        op,
        "=" | "=="
            | "!="
            | "<="
            | ">="
            | "<"
            | ">"
            | "contains"
            | "icontains"
            | "bcontains"
            | "glob"
            | "iglob"
            | "bstartswith"
            | "startswith"
            | "endswith"
            | "in"
            | "intersects"
            | "pmatch"
            | "exists"
            | "regex"
    )
}

/// `startswith oneof`, `contains allof`…
pub(crate) fn is_str_operator_with_modifier(op: &str) -> bool {
    let mut parts = op.split_whitespace();
    let (Some(base), Some(m), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    matches!(m, "oneof" | "anyof" | "allof")
        && matches!(
            base,
            "=" | "=="
                | "!="
                | "contains"
                | "icontains"
                | "bcontains"
                | "startswith"
                | "bstartswith"
                | "endswith"
                | "glob"
                | "iglob"
                | "regex"
        )
}

/// Why an output format does not compile.
pub(crate) struct OutputError {
    pub(crate) message: String,
    /// True for unknown fields (what `skip-if-unknown-filter` tolerates).
    pub(crate) unknown: bool,
}

/// Validate an output format: `%field`, `%field[arg]`, `%Nfield` (token length), literal
/// text otherwise; a leading `*` is the all-fields flag.
pub(crate) fn check_output(fmt: &str, schema: &dyn FieldSchema) -> Result<(), OutputError> {
    let b = fmt.as_bytes();
    let mut j = 0;
    while j < b.len() {
        if b[j] != b'%' {
            j += 1;
            continue;
        }
        let mut k = j + 1;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > j + 1 && k >= b.len() {
            return Err(OutputError {
                message: "invalid formatting syntax: formatting cannot end with a number".into(),
                unknown: false,
            });
        }
        let rest = &fmt[k..];
        let invalid = || OutputError {
            message: format!("invalid formatting token {rest}"),
            unknown: true,
        };
        let name_len = rest
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
            .count();
        let mut name = &rest[..name_len];
        let mut next = k + name_len;
        let mut arg: Option<&str> = None;
        if rest.as_bytes().get(name_len) == Some(&b'[')
            && let Some(close) = rest[name_len..].find(']')
        {
            arg = Some(&rest[name_len + 1..name_len + close]);
            next = k + name_len + close + 1;
        }
        if name.is_empty() {
            return Err(invalid());
        }
        // Longest prefix, as libsinsp: `%fd.name.x` is `fd.name` then text.
        loop {
            match schema.resolve(name, arg) {
                Ok(_) => break,
                Err(FieldError::Unknown(_)) => match name.rfind('.') {
                    Some(d) if arg.is_none() => {
                        name = &name[..d];
                        next = k + d;
                    }
                    _ => return Err(invalid()),
                },
                Err(e) => {
                    return Err(OutputError {
                        message: e.to_string(),
                        unknown: false,
                    });
                }
            }
        }
        j = next.max(j + 1);
    }
    Ok(())
}

/// yaml-cpp's `as<bool>`.
pub(crate) fn decode_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// yaml-cpp's `as<uint32_t>` (decimal, optional `+`).
pub(crate) fn decode_u32(s: &str) -> Option<u32> {
    let t = s.strip_prefix('+').unwrap_or(s);
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A `x.y.z` version (libsinsp `sinsp_version`).
pub(crate) fn parse_semver(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().splitn(3, '.');
    let a = it.next()?.parse().ok()?;
    let b = it.next()?.parse().ok()?;
    let c_text = it.next()?;
    // Accept a pre-release/build suffix after the patch number.
    let digits: String = c_text.chars().take_while(char::is_ascii_digit).collect();
    let c = digits.parse().ok()?;
    Some((a, b, c))
}

/// `have` satisfies `required`: same major and not older.
pub(crate) fn compatible(have: (u32, u32, u32), required: (u32, u32, u32)) -> bool {
    have.0 == required.0 && have >= required
}

/// `a.b.c`.
pub(crate) fn version_str(v: (u32, u32, u32)) -> String {
    format!("{}.{}.{}", v.0, v.1, v.2)
}

/// Falco's wildcard match for rule names (`*` matches any run of characters).
pub(crate) fn matches_wildcard(pattern: &str, s: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == s;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            if !s.starts_with(p) {
                return false;
            }
            pos = p.len();
        } else if i == parts.len() - 1 {
            return s.len() >= pos + p.len() && s[pos..].ends_with(p);
        } else {
            match s[pos..].find(p) {
                Some(f) => pos += f + p.len(),
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn list_substitution_quirks() {
        let l = items(&["a", "b c"]);
        assert_eq!(
            resolve_list("proc.name in (my_list)", "my_list", &l).as_deref(),
            Some("proc.name in ( a, \"b c\" )")
        );
        // Not delimited: untouched.
        assert_eq!(resolve_list("proc.name in (my_list2)", "my_list", &l), None);
        assert_eq!(resolve_list("xmy_list", "my_list", &l), None);
        // Bare at the start.
        assert_eq!(
            resolve_list("my_list", "my_list", &l).as_deref(),
            Some("a, \"b c\" ")
        );
        // Empty list removes a comma.
        assert_eq!(
            resolve_list("x in (a, empty)", "empty", &[]).as_deref(),
            Some("x in (a  )")
        );
        assert_eq!(
            resolve_list("x in (empty, a)", "empty", &[]).as_deref(),
            Some("x in (   a)")
        );
        // Inside quotes too (quirk).
        assert_eq!(
            resolve_list("x = \"(my_list)\"", "my_list", &items(&["q"])).as_deref(),
            Some("x = \"( q )\"")
        );
        // Several occurrences.
        assert_eq!(
            resolve_list("(l) or (l)", "l", &items(&["1"])).as_deref(),
            Some("( 1 ) or ( 1 )")
        );
    }

    #[test]
    fn wildcard() {
        assert!(matches_wildcard("*", "anything"));
        assert!(matches_wildcard("open_*", "open_1"));
        assert!(matches_wildcard("*_1", "open_1"));
        assert!(matches_wildcard("o*n*1", "open_1"));
        assert!(!matches_wildcard("x*", "open_1"));
        assert!(matches_wildcard("exact", "exact"));
    }

    #[test]
    fn versions() {
        assert_eq!(parse_semver("0.57.0"), Some((0, 57, 0)));
        assert_eq!(parse_semver("x"), None);
        assert!(compatible((0, 62, 0), (0, 17, 0)));
        assert!(!compatible((0, 62, 0), (0, 63, 0)));
        assert!(!compatible((0, 62, 0), (1, 0, 0)));
        assert_eq!(decode_u32("17"), Some(17));
        assert_eq!(decode_u32("0.1"), None);
        assert_eq!(decode_bool("yes"), Some(true));
    }
}
