//! Reading event parameters by name, fast: the state and the extractor read a few named
//! parameters of nearly every event (the fd, the result, flags, a path), so where each one is
//! and how it is stored is worked out once per event code, and integers and strings are read
//! straight from their bytes instead of through the general decoder
//! ([`RawEvent::value`]). The results are exactly the decoder's (a test compares them for
//! every parameter of the event table).

use vigil_scap::{Direction, ParamInfo, ParamType, ParamValue, RawEvent};

/// How a parameter is read, from its table type. Flat (one variant per width and sign), so
/// that reading one is a single jump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repr {
    /// A signed little-endian integer of 1, 2, 4 or 8 bytes.
    I8,
    I16,
    I32,
    I64,
    /// An unsigned little-endian integer of 1, 2, 4 or 8 bytes.
    U8,
    U16,
    U32,
    U64,
    /// A `u32` boolean.
    Bool,
    /// A string, up to its first NUL.
    Str,
    /// A byte buffer, as is.
    Buf,
    /// Anything else (dynamic types, addresses, doubles…): the general decoder.
    Decoded,
}

impl Repr {
    fn of(p: &ParamInfo) -> Repr {
        use ParamType as T;
        match p.ty {
            T::Int8 => Repr::I8,
            T::Int16 => Repr::I16,
            T::Int32 | T::Fd32 | T::Pid32 => Repr::I32,
            T::Int64 | T::Errno | T::Fd | T::Pid => Repr::I64,
            T::Uint8 | T::L4Proto | T::SockFamily | T::Flags8 | T::EnumFlags8 | T::SigType => {
                Repr::U8
            }
            T::Uint16 | T::Port | T::Flags16 | T::EnumFlags16 | T::SyscallId => Repr::U16,
            T::Uint32 | T::SigSet | T::Flags32 | T::EnumFlags32 | T::Mode | T::Uid | T::Gid => {
                Repr::U32
            }
            T::Uint64 | T::RelTime | T::AbsTime => Repr::U64,
            T::Bool => Repr::Bool,
            T::CharBuf | T::FsPath | T::FsRelPath => Repr::Str,
            T::None | T::ByteBuf | T::CharBufArray | T::CharBufPairArray => Repr::Buf,
            _ => Repr::Decoded,
        }
    }
}

/// The integer of a decoded value, for the integer kinds (what [`Param::int`] reads).
fn int(v: ParamValue<'_>) -> Option<i64> {
    match v {
        ParamValue::Int(x) | ParamValue::Errno(x) | ParamValue::Fd(x) | ParamValue::Pid(x) => {
            Some(x)
        }
        ParamValue::Uint(x) | ParamValue::RelTime(x) | ParamValue::AbsTime(x) => Some(x as i64),
        ParamValue::Uid(x) | ParamValue::Gid(x) | ParamValue::Flags(x) | ParamValue::Mode(x) => {
            Some(i64::from(x))
        }
        ParamValue::Bool(b) => Some(i64::from(b)),
        ParamValue::Signal(s) => Some(i64::from(s)),
        ParamValue::SyscallId(s) => Some(i64::from(s)),
        _ => None,
    }
}

/// The bytes of a decoded string or buffer value (what [`Param::bytes`] reads).
fn bytes(v: ParamValue<'_>) -> Option<&[u8]> {
    match v {
        ParamValue::Str(b)
        | ParamValue::Path(b)
        | ParamValue::Bytes(b)
        | ParamValue::StrArray(b) => Some(b),
        _ => None,
    }
}

/// Finding a byte among eight at a time in a `u64` (no `unsafe`: words are copied out of the
/// slice), for the scans of every string parameter and opened path.
pub(crate) mod swar {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;

    /// Eight bytes of `c` (exactly eight long) as a little-endian word.
    #[inline]
    pub(crate) fn word(c: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    }

    /// `b` in every byte of a word.
    #[inline]
    pub(crate) const fn splat(b: u8) -> u64 {
        LO * b as u64
    }

    /// The top bit of every zero byte of `w` set. The lowest bit set is the first zero
    /// byte; bits above it may also mark a byte 1 that follows a zero byte, so callers
    /// check a byte before acting on it, except for the lowest.
    #[inline]
    pub(crate) fn zero_bytes(w: u64) -> u64 {
        w.wrapping_sub(LO) & !w & HI
    }
}

/// `b` up to its first NUL (all of it without one), eight bytes at a time.
#[inline]
pub(crate) fn until_nul(b: &[u8]) -> &[u8] {
    let mut chunks = b.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let z = swar::zero_bytes(swar::word(c));
        if z != 0 {
            return &b[..base + (z.trailing_zeros() / 8) as usize];
        }
        base += 8;
    }
    match chunks.remainder().iter().position(|&c| c == 0) {
        Some(n) => &b[..base + n],
        None => b,
    }
}

/// The first `N` bytes of `b`.
#[inline]
fn le<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
    b.get(..N)?.try_into().ok()
}

/// Where a parameter is in one event code's layout, and how it is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Param {
    index: u8,
    repr: Repr,
}

impl Param {
    fn new(index: usize, info: &ParamInfo) -> Option<Param> {
        Some(Param {
            index: u8::try_from(index).ok()?,
            repr: Repr::of(info),
        })
    }

    /// The parameter `name` of event `code`.
    fn find(code: usize, name: &str) -> Option<Param> {
        let e = vigil_scap::all_events().get(code)?;
        let i = e.param_index(name)?;
        Param::new(i, e.params.get(i)?)
    }

    /// The parameter as an integer, as the decoder's integer kinds give it (`None` when it
    /// is absent, empty, short or not an integer).
    #[inline(always)]
    pub(crate) fn int(self, ev: &RawEvent<'_>) -> Option<i64> {
        self.int_or(ev, int)
    }

    /// [`Param::int`], with `decoded` reading the values the fast path does not. Always
    /// inlined: a call costs as much as the read, and the state reads a few parameters of
    /// nearly every event.
    #[inline(always)]
    fn int_or(self, ev: &RawEvent<'_>, decoded: fn(ParamValue<'_>) -> Option<i64>) -> Option<i64> {
        let i = usize::from(self.index);
        let b = ev.param(i)?;
        Some(match self.repr {
            Repr::I8 => i64::from(*b.first()? as i8),
            Repr::I16 => i64::from(i16::from_le_bytes(le(b)?)),
            Repr::I32 => i64::from(i32::from_le_bytes(le(b)?)),
            Repr::I64 => i64::from_le_bytes(le(b)?),
            Repr::U8 => i64::from(*b.first()?),
            Repr::U16 => i64::from(u16::from_le_bytes(le(b)?)),
            Repr::U32 => i64::from(u32::from_le_bytes(le(b)?)),
            Repr::U64 => u64::from_le_bytes(le(b)?) as i64,
            Repr::Bool => i64::from(u32::from_le_bytes(le(b)?) != 0),
            Repr::Str | Repr::Buf => return None,
            Repr::Decoded => return Param::decoded_int(ev, i, decoded),
        })
    }

    /// The general decoder's integer (kept out of line: it is rare, and [`Param::int_or`]
    /// then stays small enough to inline where it is read).
    #[cold]
    #[inline(never)]
    fn decoded_int(
        ev: &RawEvent<'_>,
        i: usize,
        decoded: fn(ParamValue<'_>) -> Option<i64>,
    ) -> Option<i64> {
        decoded(ev.value(i)?)
    }

    /// The parameter as a result ([`res_of`]: errno, fd, pid or plain integer kinds only).
    #[inline(always)]
    pub(crate) fn res(self, ev: &RawEvent<'_>) -> Option<i64> {
        self.int_or(ev, res_value)
    }

    /// The parameter as a string (up to its NUL) or buffer (`None` when it is absent, empty
    /// or of another kind).
    #[inline]
    pub(crate) fn bytes<'a>(self, ev: &RawEvent<'a>) -> Option<&'a [u8]> {
        let i = usize::from(self.index);
        let b = ev.param(i).filter(|b| !b.is_empty())?;
        match self.repr {
            Repr::Str => Some(until_nul(b)),
            Repr::Buf => Some(b),
            Repr::Decoded => bytes(ev.value(i)?),
            _ => None,
        }
    }
}

/// The named parameter in each event code's layout, computed once per name: the state looks
/// parameters up by name on every event it acts on, and a search of the layout by name each
/// time costs more than the reading. Use through [`pidx!`].
#[derive(Debug)]
pub(crate) struct ParamIdx {
    name: &'static str,
    table: std::sync::OnceLock<Box<[Option<Param>]>>,
}

impl ParamIdx {
    pub(crate) const fn new(name: &'static str) -> ParamIdx {
        ParamIdx {
            name,
            table: std::sync::OnceLock::new(),
        }
    }

    /// The parameter in event `code`'s layout, `None` if it has none.
    #[inline]
    fn get(&self, code: u16) -> Option<Param> {
        let table = self.table.get_or_init(|| {
            (0..vigil_scap::all_events().len())
                .map(|code| Param::find(code, self.name))
                .collect()
        });
        *table.get(usize::from(code))?
    }

    /// The parameter of `ev`, decoded.
    #[inline]
    pub(crate) fn value<'a>(&self, ev: &RawEvent<'a>) -> Option<ParamValue<'a>> {
        ev.value(usize::from(self.get(ev.code)?.index))
    }
}

/// A `&'static ParamIdx` for a parameter name (one table per call site).
macro_rules! pidx {
    ($name:literal) => {{
        static IDX: $crate::params::ParamIdx = $crate::params::ParamIdx::new($name);
        &IDX
    }};
}
pub(crate) use pidx;

/// The named parameter of `ev` as an integer.
#[inline]
pub(crate) fn p_int(ev: &RawEvent<'_>, idx: &ParamIdx) -> Option<i64> {
    idx.get(ev.code)?.int(ev)
}

/// The named parameter of `ev` as a string or buffer.
#[inline]
pub(crate) fn p_bytes<'a>(ev: &RawEvent<'a>, idx: &ParamIdx) -> Option<&'a [u8]> {
    idx.get(ev.code)?.bytes(ev)
}

/// The named parameter of `ev` as an owned string (invalid UTF-8 replaced).
pub(crate) fn p_string(ev: &RawEvent<'_>, idx: &ParamIdx) -> Option<String> {
    p_bytes(ev, idx).map(lossy_string)
}

/// `b` as a string, invalid UTF-8 replaced by U+FFFD (`String::from_utf8_lossy`, with the
/// common valid case checked by the faster `str::from_utf8`).
pub(crate) fn lossy_str(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// [`lossy_str`], owned.
pub(crate) fn lossy_string(b: &[u8]) -> String {
    lossy_str(b).into_owned()
}

/// The integer of a decoded result parameter (errno, fd, pid or plain integer kinds only).
fn res_value(v: ParamValue<'_>) -> Option<i64> {
    match v {
        ParamValue::Errno(x) | ParamValue::Fd(x) | ParamValue::Pid(x) | ParamValue::Int(x) => {
            Some(x)
        }
        ParamValue::Uint(x) => Some(x as i64),
        _ => None,
    }
}

/// The result parameter of event code `code`: the first parameter of an exit event when it is
/// called `res` or `fd` and has a result's type.
pub(crate) fn res_param(code: u16) -> Option<Param> {
    static TABLE: std::sync::OnceLock<Box<[Option<Param>]>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        use ParamType as T;
        vigil_scap::all_events()
            .iter()
            .map(|e| {
                let p = e.params.first()?;
                let is_res = e.direction() == Direction::Exit && matches!(p.name, "res" | "fd");
                let result_type = matches!(
                    p.ty,
                    T::Int8
                        | T::Int16
                        | T::Int32
                        | T::Int64
                        | T::Errno
                        | T::Fd
                        | T::Fd32
                        | T::Pid
                        | T::Pid32
                        | T::Uint8
                        | T::Uint16
                        | T::Uint32
                        | T::Uint64
                        | T::L4Proto
                        | T::SockFamily
                        | T::Port
                        | T::SigSet
                        | T::Dyn
                );
                (is_res && result_type).then(|| Param::new(0, p)).flatten()
            })
            .collect()
    });
    *table.get(usize::from(code))?
}

/// The return value of an exit event: its first parameter when it is a result.
#[inline]
pub(crate) fn res_of(ev: &RawEvent<'_>) -> Option<i64> {
    res_param(ev.code)?.res(ev)
}

/// The `fd` and `oldfd` parameters of one event code.
type FdParams = (Option<Param>, Option<Param>);

/// The `fd` and `oldfd` parameters of event `code`.
pub(crate) fn fd_params(code: u16) -> FdParams {
    static TABLE: std::sync::OnceLock<Box<[FdParams]>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            (0..vigil_scap::all_events().len())
                .map(|code| (Param::find(code, "fd"), Param::find(code, "oldfd")))
                .collect()
        })
        .get(usize::from(code))
        .copied()
        .unwrap_or((None, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parameter bytes of every shape the readers distinguish: empty, short, exact, long,
    /// with and without NULs, with the sign bit set.
    fn samples() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = Vec::new();
        for len in 0..=20usize {
            v.push(
                (0..len)
                    .map(|i| (i as u8).wrapping_mul(37).wrapping_add(200))
                    .collect(),
            );
            v.push(
                (0..len)
                    .map(|i| if i == 3 { 0 } else { b'a' + i as u8 })
                    .collect(),
            );
            v.push(vec![0xff; len]);
            v.push(vec![0; len]);
        }
        v.push(b"/etc/passwd\0".to_vec());
        v.push(vec![1, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    /// The word-at-a-time NUL scan agrees with a byte loop for every NUL position (and
    /// none), with other bytes 0, 1 and 0xff around it, at lengths across word boundaries.
    #[test]
    fn until_nul_agrees() {
        for len in 0..40usize {
            for fill in [1u8, 0xff, b'a', 0x80] {
                for nul in 0..=len {
                    let mut b = vec![fill; len];
                    if let Some(x) = b.get_mut(nul) {
                        *x = 0;
                    }
                    // A second NUL and 1-bytes after the first, where the word trick may
                    // mark bytes falsely.
                    for (k, x) in b.iter_mut().enumerate().skip(nul + 1) {
                        *x = if k % 3 == 0 { 0 } else { 1 };
                    }
                    let want = b.iter().position(|&c| c == 0).map_or(&b[..], |n| &b[..n]);
                    assert_eq!(until_nul(&b), want, "{b:?}");
                }
            }
        }
    }

    /// For every parameter of every event code and every sample, the fast readers agree with
    /// the general decoder.
    #[test]
    fn readers_agree_with_the_decoder() {
        let samples = samples();
        for (code, e) in vigil_scap::all_events().iter().enumerate() {
            let code = code as u16;
            for (i, p) in e.params.iter().enumerate() {
                let param = Param::new(i, p).expect("index fits");
                for s in &samples {
                    let mut buf = Vec::new();
                    let mut ranges = Vec::new();
                    for j in 0..e.params.len() {
                        let start = buf.len() as u32;
                        if j == i {
                            buf.extend_from_slice(s);
                        }
                        ranges.push((start, buf.len() as u32));
                    }
                    let ev = RawEvent::new(0, 1, 0, 0, code, &buf, &ranges);
                    let what = format!("{} param {} ({:?}) bytes {s:?}", e.name, p.name, p.ty);
                    assert_eq!(param.int(&ev), ev.value(i).and_then(int), "int: {what}");
                    assert_eq!(
                        param.bytes(&ev),
                        ev.value(i).and_then(bytes),
                        "bytes: {what}"
                    );
                    if i == 0 {
                        let is_res =
                            e.direction() == Direction::Exit && matches!(p.name, "res" | "fd");
                        let want = ev.value(0).and_then(res_value).filter(|_| is_res);
                        assert_eq!(res_of(&ev), want, "res: {what}");
                    }
                }
            }
        }
    }
}
