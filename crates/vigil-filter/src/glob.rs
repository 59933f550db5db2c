//! `fnmatch(3)` (as libsinsp calls it: flags 0, or `FNM_CASEFOLD` for `iglob`) and the
//! path-component prefix matcher behind `pmatch`.
//!
//! No `FNM_PATHNAME` and no `FNM_PERIOD`: `*` and `?` match `/` and leading dots.
//! Backslash escapes the next character. Bracket expressions support ranges, `!`/`^`
//! negation, a leading `]` as a literal and the POSIX classes `[:alpha:]` etc.; a `[`
//! without a closing `]` matches a literal `[`.

/// Compiled glob pattern (kept as bytes; matching is iterative with single-star backtracking,
/// O(pattern × text) worst case, no allocation).
#[derive(Clone, Debug)]
pub(crate) struct Glob {
    pat: Box<[u8]>,
    casefold: bool,
    /// For a case-sensitive pattern whose only wildcard is `*` (`/proc/*/environ`,
    /// `*../*../*`): its literal pieces between the stars.
    stars: Option<Stars>,
}

/// A star-only pattern `p0*p1*…*pn`: `p0` a prefix, `pn` a suffix, the pieces between found
/// in order, each at its leftmost place after the previous one (which is optimal when `*` is
/// the only wildcard).
#[derive(Clone, Debug)]
struct Stars {
    prefix: Box<[u8]>,
    middle: Box<[memchr::memmem::Finder<'static>]>,
    /// `None` when the pattern has no `*` at all (then it is matched by equality).
    suffix: Option<Box<[u8]>>,
}

impl Stars {
    fn new(pat: &[u8]) -> Option<Stars> {
        if pat.iter().any(|c| matches!(c, b'?' | b'[' | b'\\')) {
            return None;
        }
        let mut pieces: Vec<&[u8]> = pat.split(|c| *c == b'*').collect();
        let prefix: Box<[u8]> = pieces.first().copied().unwrap_or_default().into();
        if pieces.len() == 1 {
            return Some(Stars {
                prefix,
                middle: Box::new([]),
                suffix: None,
            });
        }
        let suffix: Box<[u8]> = pieces.pop().unwrap_or_default().into();
        let middle = pieces[1..]
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| memchr::memmem::Finder::new(p).into_owned())
            .collect();
        Some(Stars {
            prefix,
            middle,
            suffix: Some(suffix),
        })
    }

    fn is_match(&self, text: &[u8]) -> bool {
        let Some(suffix) = &self.suffix else {
            return text == &*self.prefix;
        };
        if text.len() < self.prefix.len() + suffix.len()
            || !text.starts_with(&self.prefix)
            || !text.ends_with(suffix)
        {
            return false;
        }
        let mut rest = &text[self.prefix.len()..text.len() - suffix.len()];
        for f in self.middle.iter() {
            match f.find(rest) {
                Some(i) => rest = &rest[i + f.needle().len()..],
                None => return false,
            }
        }
        true
    }
}

impl Glob {
    pub(crate) fn new(pat: &[u8], casefold: bool) -> Glob {
        Glob {
            pat: pat.into(),
            casefold,
            stars: if casefold { None } else { Stars::new(pat) },
        }
    }

    pub(crate) fn is_match(&self, text: &[u8]) -> bool {
        match &self.stars {
            Some(s) => s.is_match(text),
            None => fnmatch(&self.pat, text, self.casefold),
        }
    }
}

fn fold(c: u8, casefold: bool) -> u8 {
    if casefold { c.to_ascii_lowercase() } else { c }
}

/// Match one bracket expression starting at `pat[0] == b'['` against `c`.
/// Returns `Some((matched, len_of_expression))`, or `None` if the bracket is unterminated
/// (then `[` is literal).
fn bracket(pat: &[u8], c: u8, casefold: bool) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pat.get(i), Some(b'!') | Some(b'^'));
    if negate {
        i += 1;
    }
    let c = fold(c, casefold);
    let mut matched = false;
    let mut first = true;
    loop {
        let &p = pat.get(i)?;
        if p == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        if p == b'[' && pat.get(i + 1) == Some(&b':') {
            // [:class:]
            if let Some(end) = pat[i + 2..].windows(2).position(|w| w == b":]") {
                let name = &pat[i + 2..i + 2 + end];
                let hit = match name {
                    b"alpha" => c.is_ascii_alphabetic(),
                    b"digit" => c.is_ascii_digit(),
                    b"alnum" => c.is_ascii_alphanumeric(),
                    b"upper" => c.is_ascii_uppercase() || (casefold && c.is_ascii_lowercase()),
                    b"lower" => c.is_ascii_lowercase(),
                    b"space" => c.is_ascii_whitespace() || c == 0x0b,
                    b"blank" => c == b' ' || c == b'\t',
                    b"punct" => c.is_ascii_punctuation(),
                    b"xdigit" => c.is_ascii_hexdigit(),
                    b"cntrl" => c.is_ascii_control(),
                    b"print" => (0x20..0x7f).contains(&c),
                    b"graph" => c.is_ascii_graphic(),
                    _ => false,
                };
                matched |= hit;
                i += 2 + end + 2;
                continue;
            }
        }
        let lo = if p == b'\\' {
            i += 1;
            *pat.get(i)?
        } else {
            p
        };
        i += 1;
        if pat.get(i) == Some(&b'-') && pat.get(i + 1).is_some_and(|&n| n != b']') {
            let mut hi = pat[i + 1];
            i += 2;
            if hi == b'\\' {
                hi = *pat.get(i)?;
                i += 1;
            }
            let (lo, hi) = (fold(lo, casefold), fold(hi, casefold));
            if lo <= c && c <= hi {
                matched = true;
            }
        } else if fold(lo, casefold) == c {
            matched = true;
        }
    }
    Some((matched != negate, i))
}

/// `fnmatch(pat, text, casefold ? FNM_CASEFOLD : 0) == 0`.
pub(crate) fn fnmatch(pat: &[u8], text: &[u8], casefold: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    // Backtrack point: position after the last `*` and the text position it matched up to.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    while p < pat.len() && pat[p] == b'*' {
                        p += 1;
                    }
                    if p == pat.len() {
                        return true;
                    }
                    star = Some((p, t));
                    continue;
                }
                b'?' if t < text.len() => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' if t < text.len() => match bracket(&pat[p..], text[t], casefold) {
                    Some((true, len)) => {
                        p += len;
                        t += 1;
                        continue;
                    }
                    Some((false, _)) => {}
                    None => {
                        if text[t] == b'[' {
                            p += 1;
                            t += 1;
                            continue;
                        }
                    }
                },
                b'\\' if t < text.len() => {
                    let lit = pat.get(p + 1).copied().unwrap_or(b'\\');
                    if fold(lit, casefold) == fold(text[t], casefold) {
                        p += if p + 1 < pat.len() { 2 } else { 1 };
                        t += 1;
                        continue;
                    }
                }
                c if t < text.len() && fold(c, casefold) == fold(text[t], casefold) => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        } else if t == text.len() {
            return true;
        }
        // Mismatch: let the last star swallow one more byte.
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
}

fn has_glob_chars(s: &[u8]) -> bool {
    s.iter().any(|c| matches!(c, b'*' | b'?' | b'['))
}

/// Non-empty `/`-separated components of a path.
pub(crate) fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&c| c == b'/').filter(|c| !c.is_empty())
}

#[derive(Clone, Debug)]
enum Component {
    Lit(Box<[u8]>),
    Glob(Glob),
}

/// A set of search paths for `pmatch`: a path matches when one search path is a prefix of it
/// by whole components (`/var/run` matches `/var/run` and `/var/run/x`, not `/var/running`).
/// Components containing `*?[` are fnmatch patterns for one component (libsinsp's
/// `path_prefix_search`). Matching walks the candidate's components without allocating.
#[derive(Clone, Debug, Default)]
pub(crate) struct PathSet {
    paths: Vec<Box<[Component]>>,
}

impl PathSet {
    pub(crate) fn add(&mut self, path: &[u8]) {
        let comps = components(path)
            .map(|c| {
                if has_glob_chars(c) {
                    Component::Glob(Glob::new(c, false))
                } else {
                    Component::Lit(c.into())
                }
            })
            .collect();
        self.paths.push(comps);
    }

    pub(crate) fn is_match(&self, path: &[u8]) -> bool {
        self.paths.iter().any(|search| {
            let mut it = components(path);
            search.iter().all(|sc| match it.next() {
                None => false,
                Some(c) => match sc {
                    Component::Lit(l) => **l == *c,
                    Component::Glob(g) => g.is_match(c),
                },
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        fnmatch(p.as_bytes(), t.as_bytes(), false)
    }

    #[test]
    fn fnmatch_basics() {
        assert!(m("*", ""));
        assert!(m("*", "/a/b"));
        assert!(m("/usr/*/x", "/usr/a/b/x"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("[a-c]x", "bx"));
        assert!(!m("[!a-c]x", "bx"));
        assert!(m("[^a-c]x", "dx"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("[", "["));
        assert!(m("a[", "a["));
        assert!(m("[[:digit:]]*", "9lives"));
        assert!(m("*.txt", ".hidden.txt"));
        assert!(m("*a*b*c", "xxaybzzc"));
        assert!(!m("*a*b*c", "xxaybzz"));
        assert!(fnmatch(b"HELLO*", b"hello world", true));
        assert!(!fnmatch(b"HELLO*", b"hello world", false));
        assert!(fnmatch(b"[A-Z]x", b"qx", true));
    }

    #[test]
    fn pmatch() {
        let mut s = PathSet::default();
        s.add(b"/var/run");
        s.add(b"/opt/*/sub");
        assert!(s.is_match(b"/var/run"));
        assert!(s.is_match(b"/var/run/docker.sock"));
        assert!(!s.is_match(b"/var/running"));
        assert!(!s.is_match(b"/var"));
        assert!(s.is_match(b"/opt/x/sub/file"));
        assert!(!s.is_match(b"/opt/x/sub2"));
    }
}
