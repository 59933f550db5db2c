//! Typed decoding of event parameters.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::table::{ParamExtra, ParamInfo, ParamType, syscall_name};

/// Socket address families as the drivers encode them (`PPM_AF_*`).
pub mod af {
    /// Unspecified.
    pub const UNSPEC: u8 = 0;
    /// Unix domain.
    pub const UNIX: u8 = 1;
    /// IPv4.
    pub const INET: u8 = 2;
    /// IPv6.
    pub const INET6: u8 = 10;
}

/// A decoded `PT_SOCKADDR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockAddr<'a> {
    /// IPv4 address and port.
    V4(Ipv4Addr, u16),
    /// IPv6 address and port.
    V6(Ipv6Addr, u16),
    /// Unix socket path (without NUL).
    Unix(&'a [u8]),
    /// Another family; no data decoded.
    Other(u8),
}

/// A decoded `PT_SOCKTUPLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockTuple<'a> {
    /// IPv4 source and destination.
    V4 {
        /// Source address.
        sip: Ipv4Addr,
        /// Source port.
        sport: u16,
        /// Destination address.
        dip: Ipv4Addr,
        /// Destination port.
        dport: u16,
    },
    /// IPv6 source and destination.
    V6 {
        /// Source address.
        sip: Ipv6Addr,
        /// Source port.
        sport: u16,
        /// Destination address.
        dip: Ipv6Addr,
        /// Destination port.
        dport: u16,
    },
    /// Unix socket endpoints and path.
    Unix {
        /// Source endpoint (kernel pointer).
        source: u64,
        /// Destination endpoint (kernel pointer).
        dest: u64,
        /// Path (without NUL).
        path: &'a [u8],
    },
    /// Another family; no data decoded.
    Other(u8),
}

/// A decoded `PT_FDLIST`: `(fd, flags)` pairs, read lazily.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdList<'a> {
    data: &'a [u8],
}

impl<'a> FdList<'a> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.data.len() / 10
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.data.len() < 10
    }

    /// The `(fd, flags)` entries.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u16)> + 'a {
        self.data.chunks_exact(10).map(|c| {
            let mut fd = [0u8; 8];
            fd.copy_from_slice(&c[..8]);
            (i64::from_le_bytes(fd), u16::from_le_bytes([c[8], c[9]]))
        })
    }
}

/// A decoded parameter value. Strings borrow the event buffer and exclude the trailing NUL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamValue<'a> {
    /// A zero-length parameter: "empty/absent".
    Empty,
    /// Signed integers (`INT8`…`INT64`).
    Int(i64),
    /// Unsigned integers, ports, protocols, families, sigsets.
    Uint(u64),
    /// `PT_BOOL`.
    Bool(bool),
    /// `PT_ERRNO`: negative values are `-errno`.
    Errno(i64),
    /// `PT_FD`/`PT_FD32`.
    Fd(i64),
    /// `PT_PID`/`PT_PID32`.
    Pid(i64),
    /// Flags and enum flags.
    Flags(u32),
    /// `PT_MODE`.
    Mode(u32),
    /// `PT_UID`.
    Uid(u32),
    /// `PT_GID`.
    Gid(u32),
    /// `PT_SYSCALLID` (a ppm_sc code; see [`crate::syscall_name`]).
    SyscallId(u16),
    /// `PT_SIGTYPE`.
    Signal(u8),
    /// `PT_RELTIME` in ns.
    RelTime(u64),
    /// `PT_ABSTIME` in ns since the epoch.
    AbsTime(u64),
    /// `PT_DOUBLE`.
    Double(f64),
    /// `PT_CHARBUF`.
    Str(&'a [u8]),
    /// `PT_FSPATH`/`PT_FSRELPATH`.
    Path(&'a [u8]),
    /// `PT_BYTEBUF` and unknown layouts.
    Bytes(&'a [u8]),
    /// `PT_CHARBUFARRAY`/`PT_CHARBUF_PAIR_ARRAY`: NUL-separated strings.
    StrArray(&'a [u8]),
    /// `PT_SOCKADDR`.
    SockAddr(SockAddr<'a>),
    /// `PT_SOCKTUPLE`.
    SockTuple(SockTuple<'a>),
    /// `PT_FDLIST`.
    FdList(FdList<'a>),
    /// IPv4 address.
    Ipv4(Ipv4Addr),
    /// IPv6 address.
    Ipv6(Ipv6Addr),
    /// The bytes do not match the type (e.g. too short).
    Invalid(ParamType, usize),
}

fn le<const N: usize>(p: &[u8]) -> Option<[u8; N]> {
    let s = p.get(..N)?;
    let mut a = [0u8; N];
    a.copy_from_slice(s);
    Some(a)
}

fn strip_nul(p: &[u8]) -> &[u8] {
    let end = p.iter().position(|b| *b == 0).unwrap_or(p.len());
    &p[..end]
}

fn ip6(p: &[u8]) -> Option<Ipv6Addr> {
    le::<16>(p).map(Ipv6Addr::from)
}

fn decode_sockaddr(p: &[u8]) -> Option<SockAddr<'_>> {
    let fam = *p.first()?;
    let d = &p[1..];
    Some(match fam {
        af::INET => SockAddr::V4(
            Ipv4Addr::from(le::<4>(d)?),
            u16::from_le_bytes(le::<2>(d.get(4..)?)?),
        ),
        af::INET6 => SockAddr::V6(ip6(d)?, u16::from_le_bytes(le::<2>(d.get(16..)?)?)),
        af::UNIX => SockAddr::Unix(strip_nul(d)),
        other => SockAddr::Other(other),
    })
}

fn decode_socktuple(p: &[u8]) -> Option<SockTuple<'_>> {
    let fam = *p.first()?;
    let d = &p[1..];
    Some(match fam {
        af::INET => SockTuple::V4 {
            sip: Ipv4Addr::from(le::<4>(d)?),
            sport: u16::from_le_bytes(le::<2>(d.get(4..)?)?),
            dip: Ipv4Addr::from(le::<4>(d.get(6..)?)?),
            dport: u16::from_le_bytes(le::<2>(d.get(10..)?)?),
        },
        af::INET6 => SockTuple::V6 {
            sip: ip6(d)?,
            sport: u16::from_le_bytes(le::<2>(d.get(16..)?)?),
            dip: ip6(d.get(18..)?)?,
            dport: u16::from_le_bytes(le::<2>(d.get(34..)?)?),
        },
        af::UNIX => SockTuple::Unix {
            source: u64::from_le_bytes(le::<8>(d)?),
            dest: u64::from_le_bytes(le::<8>(d.get(8..)?)?),
            path: strip_nul(d.get(16..)?),
        },
        other => SockTuple::Other(other),
    })
}

/// Decode a parameter by type. Never panics: a zero-length parameter is
/// [`ParamValue::Empty`], a short one [`ParamValue::Invalid`].
pub fn decode(param: &[u8], ty: ParamType) -> ParamValue<'_> {
    use ParamType as T;
    use ParamValue as V;
    if param.is_empty() {
        return V::Empty;
    }
    let bad = V::Invalid(ty, param.len());
    let u8v = || le::<1>(param).map(|a| a[0]);
    let u16v = || le::<2>(param).map(u16::from_le_bytes);
    let u32v = || le::<4>(param).map(u32::from_le_bytes);
    let u64v = || le::<8>(param).map(u64::from_le_bytes);
    let i64v = || le::<8>(param).map(i64::from_le_bytes);
    let i32v = || le::<4>(param).map(i32::from_le_bytes);
    let v = match ty {
        T::None => Some(V::Bytes(param)),
        T::Int8 => u8v().map(|x| V::Int(i64::from(x as i8))),
        T::Int16 => u16v().map(|x| V::Int(i64::from(x as i16))),
        T::Int32 => i32v().map(|x| V::Int(i64::from(x))),
        T::Int64 => i64v().map(V::Int),
        T::Uint8 | T::L4Proto | T::SockFamily => u8v().map(|x| V::Uint(u64::from(x))),
        T::Uint16 | T::Port => u16v().map(|x| V::Uint(u64::from(x))),
        T::Uint32 | T::SigSet => u32v().map(|x| V::Uint(u64::from(x))),
        T::Uint64 => u64v().map(V::Uint),
        T::Bool => u32v().map(|x| V::Bool(x != 0)),
        T::Errno => i64v().map(V::Errno),
        T::Fd => i64v().map(V::Fd),
        T::Fd32 => i32v().map(|x| V::Fd(i64::from(x))),
        T::Pid => i64v().map(V::Pid),
        T::Pid32 => i32v().map(|x| V::Pid(i64::from(x))),
        T::Flags8 | T::EnumFlags8 => u8v().map(|x| V::Flags(u32::from(x))),
        T::Flags16 | T::EnumFlags16 => u16v().map(|x| V::Flags(u32::from(x))),
        T::Flags32 | T::EnumFlags32 => u32v().map(V::Flags),
        T::Mode => u32v().map(V::Mode),
        T::Uid => u32v().map(V::Uid),
        T::Gid => u32v().map(V::Gid),
        T::SyscallId => u16v().map(V::SyscallId),
        T::SigType => u8v().map(V::Signal),
        T::RelTime => u64v().map(V::RelTime),
        T::AbsTime => u64v().map(V::AbsTime),
        T::Double => u64v().map(|x| V::Double(f64::from_bits(x))),
        T::CharBuf => Some(V::Str(strip_nul(param))),
        T::FsPath | T::FsRelPath => Some(V::Path(strip_nul(param))),
        T::ByteBuf | T::Dyn => Some(V::Bytes(param)),
        T::CharBufArray | T::CharBufPairArray => Some(V::StrArray(param)),
        T::SockAddr => decode_sockaddr(param).map(V::SockAddr),
        T::SockTuple => decode_socktuple(param).map(V::SockTuple),
        T::FdList => {
            let n = usize::from(u16v().unwrap_or(0));
            param
                .get(2..2 + n * 10)
                .map(|d| V::FdList(FdList { data: d }))
        }
        T::Ipv4Addr => le::<4>(param).map(|a| V::Ipv4(Ipv4Addr::from(a))),
        T::Ipv6Addr => ip6(param).map(V::Ipv6),
        T::IpAddr => match param.len() {
            4 => le::<4>(param).map(|a| V::Ipv4(Ipv4Addr::from(a))),
            16 => ip6(param).map(V::Ipv6),
            _ => None,
        },
        T::Ipv4Net | T::Ipv6Net | T::IpNet => Some(V::Bytes(param)),
    };
    v.unwrap_or(bad)
}

/// Decode a parameter with its table entry: like [`decode`], and `PT_DYN` parameters are decoded
/// by the type their first byte selects.
pub fn decode_param<'a>(param: &'a [u8], info: &ParamInfo) -> ParamValue<'a> {
    if let (ParamType::Dyn, ParamExtra::Dyn(types)) = (info.ty, info.extra) {
        let Some((&idx, rest)) = param.split_first() else {
            return ParamValue::Empty;
        };
        return match types.get(usize::from(idx)) {
            Some(t) => decode(rest, *t),
            None => ParamValue::Invalid(ParamType::Dyn, param.len()),
        };
    }
    decode(param, info.ty)
}

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

impl fmt::Display for SockAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SockAddr::V4(a, p) => write!(f, "{a}:{p}"),
            SockAddr::V6(a, p) => write!(f, "{a}:{p}"),
            SockAddr::Unix(p) => write!(f, "{}", lossy(p)),
            SockAddr::Other(fam) => write!(f, "family {fam}"),
        }
    }
}

impl fmt::Display for SockTuple<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SockTuple::V4 {
                sip,
                sport,
                dip,
                dport,
            } => write!(f, "{sip}:{sport}->{dip}:{dport}"),
            SockTuple::V6 {
                sip,
                sport,
                dip,
                dport,
            } => write!(f, "{sip}:{sport}->{dip}:{dport}"),
            SockTuple::Unix { source, dest, path } => {
                write!(f, "{source:x}->{dest:x} {}", lossy(path))
            }
            SockTuple::Other(fam) => write!(f, "family {fam}"),
        }
    }
}

impl fmt::Display for ParamValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParamValue as V;
        match self {
            V::Empty => Ok(()),
            V::Int(x) | V::Errno(x) | V::Fd(x) | V::Pid(x) => write!(f, "{x}"),
            V::Uint(x) | V::RelTime(x) | V::AbsTime(x) => write!(f, "{x}"),
            V::Bool(b) => write!(f, "{b}"),
            V::Flags(x) => write!(f, "{x:#x}"),
            V::Mode(x) => write!(f, "{x:#o}"),
            V::Uid(x) | V::Gid(x) => write!(f, "{x}"),
            V::SyscallId(id) => match syscall_name(*id) {
                Some(n) => write!(f, "{n}"),
                None => write!(f, "{id}"),
            },
            V::Signal(s) => write!(f, "{s}"),
            V::Double(d) => write!(f, "{d}"),
            V::Str(s) | V::Path(s) => write!(f, "{}", lossy(s)),
            V::Bytes(b) => write!(f, "{}", lossy(b)),
            V::StrArray(b) => {
                let t = b.strip_suffix(&[0]).unwrap_or(b);
                for (i, s) in t.split(|c| *c == 0).enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{}", lossy(s))?;
                }
                Ok(())
            }
            V::SockAddr(a) => write!(f, "{a}"),
            V::SockTuple(t) => write!(f, "{t}"),
            V::FdList(l) => {
                for (i, (fd, fl)) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{fd}:{fl}")?;
                }
                Ok(())
            }
            V::Ipv4(a) => write!(f, "{a}"),
            V::Ipv6(a) => write!(f, "{a}"),
            V::Invalid(t, n) => write!(f, "<invalid {} of {n} bytes>", t.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_inputs_never_panic() {
        let all = [
            ParamType::Int8,
            ParamType::Int64,
            ParamType::Uint16,
            ParamType::Errno,
            ParamType::Fd,
            ParamType::SockAddr,
            ParamType::SockTuple,
            ParamType::FdList,
            ParamType::Ipv6Addr,
            ParamType::IpAddr,
            ParamType::Double,
            ParamType::SyscallId,
        ];
        let bytes = [2u8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
        for t in all {
            for n in 0..bytes.len() {
                let _ = decode(&bytes[..n], t).to_string();
            }
        }
        assert_eq!(decode(&[], ParamType::Fd), ParamValue::Empty);
        assert!(matches!(
            decode(&[1, 2], ParamType::Fd),
            ParamValue::Invalid(ParamType::Fd, 2)
        ));
    }

    #[test]
    fn sockets() {
        let mut t = vec![af::INET, 127, 0, 0, 1];
        t.extend_from_slice(&40000u16.to_le_bytes());
        t.extend_from_slice(&[10, 0, 0, 2]);
        t.extend_from_slice(&80u16.to_le_bytes());
        assert_eq!(
            decode(&t, ParamType::SockTuple).to_string(),
            "127.0.0.1:40000->10.0.0.2:80"
        );
        let a = [af::INET, 10, 0, 0, 2, 80, 0];
        assert_eq!(decode(&a, ParamType::SockAddr).to_string(), "10.0.0.2:80");
        assert_eq!(
            decode(b"/tmp/x\0", ParamType::FsPath),
            ParamValue::Path(b"/tmp/x")
        );
        assert_eq!(
            decode(
                &[-2i64 as u8, 255, 255, 255, 255, 255, 255, 255],
                ParamType::Errno
            ),
            ParamValue::Errno(-2)
        );
    }
}
