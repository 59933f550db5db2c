//! The capture writer: SHB 1.2, MI, IL V2, UL V2, PL V9, FDL V2, EV(F)_V2 / V2_LARGE blocks,
//! optionally gzip-compressed, in the order libscap's dumper writes them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::block::*;
use crate::error::{ErrorKind, ScapError};
use crate::event::{EVENT_HEADER_LEN, OwnedEvent, RawEvent};
use crate::table::event_info;

/// How process-list entries are laid out after the `root` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProcLayout {
    /// The current libs layout: every field up to `pgid`.
    #[default]
    Full,
    /// The libs < 0.10 layout (loginuid, exe_writable, capabilities only), which readers of
    /// every age decode correctly (sysdig ≤ 0.29 included). Fields added later are not written.
    Pre010,
}

enum Out<W: Write> {
    Plain(BufWriter<W>),
    Gzip(GzEncoder<BufWriter<W>>),
}

/// Writes a capture.
///
/// Metadata blocks should be written before events (libscap reads them only before the first
/// event block); the writer does not enforce it.
pub struct Writer<W: Write> {
    out: Option<Out<W>>,
    offset: u64,
    scratch: Vec<u8>,
    proc_layout: ProcLayout,
}

impl<W: Write> std::fmt::Debug for Writer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl Writer<File> {
    /// Create a plain capture file and write its section header.
    pub fn create(path: impl AsRef<Path>) -> Result<Writer<File>, ScapError> {
        Writer::create_with(path, false)
    }

    /// Create a capture file, gzip-compressed if `gzip`, and write its section header.
    pub fn create_with(path: impl AsRef<Path>, gzip: bool) -> Result<Writer<File>, ScapError> {
        let path = path.as_ref();
        let f = File::create(path).map_err(|e| {
            let msg = format!("cannot create {}: {e}", path.display());
            ScapError::new(0, ErrorKind::Io(e), msg)
        })?;
        Writer::new(f, gzip)
    }
}

fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

fn put_u16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put_u32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put_u64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// A `u16`-length-prefixed string (cut at 65535 bytes).
fn put_lstr(v: &mut Vec<u8>, s: &[u8]) {
    let n = s.len().min(usize::from(u16::MAX));
    put_u16(v, n as u16);
    v.extend_from_slice(&s[..n]);
}

impl<W: Write> Writer<W> {
    /// Start a capture on `inner`: writes the section header (version 1.2).
    pub fn new(inner: W, gzip: bool) -> Result<Writer<W>, ScapError> {
        let bw = BufWriter::with_capacity(256 * 1024, inner);
        let out = if gzip {
            Out::Gzip(GzEncoder::new(bw, Compression::fast()))
        } else {
            Out::Plain(bw)
        };
        let mut w = Writer {
            out: Some(out),
            offset: 0,
            scratch: Vec::new(),
            proc_layout: ProcLayout::Full,
        };
        let mut body = Vec::with_capacity(16);
        put_u32(&mut body, SHB_MAGIC);
        put_u16(&mut body, 1);
        put_u16(&mut body, 2);
        put_u64(&mut body, u64::MAX);
        w.block(SHB_BLOCK_TYPE, &body)?;
        Ok(w)
    }

    /// Choose the process-list entry layout (default [`ProcLayout::Full`]).
    pub fn set_proc_layout(&mut self, layout: ProcLayout) {
        self.proc_layout = layout;
    }

    /// Bytes written so far (uncompressed).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<(), ScapError> {
        let off = self.offset;
        let r = match self.out.as_mut() {
            Some(Out::Plain(w)) => w.write_all(bytes),
            Some(Out::Gzip(w)) => w.write_all(bytes),
            None => {
                return Err(ScapError::new(
                    off,
                    ErrorKind::InvalidInput,
                    "writer already finished",
                ));
            }
        };
        r.map_err(|e| ScapError::io(off, e))?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Write a block with the given body (padding and trailer added).
    pub fn block(&mut self, ty: u32, body: &[u8]) -> Result<(), ScapError> {
        let total = 12 + pad4(body.len());
        let total = u32::try_from(total)
            .ok()
            .filter(|t| *t <= crate::reader::MAX_BLOCK_LEN)
            .ok_or_else(|| {
                ScapError::new(self.offset, ErrorKind::InvalidInput, "block too large")
            })?;
        let mut hdr = [0u8; 8];
        hdr[..4].copy_from_slice(&ty.to_le_bytes());
        hdr[4..].copy_from_slice(&total.to_le_bytes());
        self.raw(&hdr)?;
        self.raw(body)?;
        let pad = pad4(body.len()) - body.len();
        self.raw(&[0u8; 3][..pad])?;
        self.raw(&total.to_le_bytes())
    }

    /// Write the machine info block.
    pub fn machine_info(&mut self, mi: &MachineInfo) -> Result<(), ScapError> {
        let mut b = Vec::with_capacity(180);
        put_u32(&mut b, mi.num_cpus);
        put_u64(&mut b, mi.memory_size_bytes);
        put_u64(&mut b, mi.max_pid);
        let mut host = [0u8; 128];
        let h = mi.hostname.as_bytes();
        let n = h.len().min(127);
        host[..n].copy_from_slice(&h[..n]);
        b.extend_from_slice(&host);
        put_u64(&mut b, mi.boot_ts_epoch);
        put_u64(&mut b, mi.flags);
        put_u64(&mut b, mi.reserved3);
        put_u64(&mut b, mi.reserved4);
        self.block(MI_BLOCK_TYPE, &b)
    }

    /// Write an interface list block (V2).
    pub fn interfaces(&mut self, ifs: &[Interface]) -> Result<(), ScapError> {
        let mut b = Vec::new();
        for i in ifs {
            let mut e = Vec::new();
            match i {
                Interface::V4 {
                    ty,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                    name,
                } => {
                    let ty = if *ty == 3 { 3 } else { 1 };
                    put_u16(&mut e, ty);
                    put_u16(&mut e, name.len().min(255) as u16);
                    put_u32(&mut e, *addr);
                    put_u32(&mut e, *netmask);
                    put_u32(&mut e, *bcast);
                    if ty == 1 {
                        put_u64(&mut e, *linkspeed);
                    }
                    e.extend_from_slice(&name.as_bytes()[..name.len().min(255)]);
                }
                Interface::V6 {
                    ty,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                    name,
                } => {
                    let ty = if *ty == 4 { 4 } else { 2 };
                    put_u16(&mut e, ty);
                    put_u16(&mut e, name.len().min(255) as u16);
                    e.extend_from_slice(addr);
                    e.extend_from_slice(netmask);
                    e.extend_from_slice(bcast);
                    if ty == 2 {
                        put_u64(&mut e, *linkspeed);
                    }
                    e.extend_from_slice(&name.as_bytes()[..name.len().min(255)]);
                }
            }
            put_u32(&mut b, e.len() as u32);
            b.extend_from_slice(&e);
        }
        self.block(IL_BLOCK_TYPE_V2, &b)
    }

    /// Write a user list block (V2): users then groups.
    pub fn users(&mut self, ul: &UserList) -> Result<(), ScapError> {
        let mut b = Vec::new();
        for u in &ul.users {
            let mut e = vec![0u8];
            put_u32(&mut e, u.uid);
            put_u32(&mut e, u.gid);
            put_lstr(&mut e, u.name.as_bytes());
            put_lstr(&mut e, u.homedir.as_bytes());
            put_lstr(&mut e, u.shell.as_bytes());
            put_u32(&mut b, (e.len() + 4) as u32);
            b.extend_from_slice(&e);
        }
        for g in &ul.groups {
            let mut e = vec![1u8];
            put_u32(&mut e, g.gid);
            put_lstr(&mut e, g.name.as_bytes());
            put_u32(&mut b, (e.len() + 4) as u32);
            b.extend_from_slice(&e);
        }
        self.block(UL_BLOCK_TYPE_V2, &b)
    }

    /// Write one process-list block (V9) holding `threads`.
    pub fn processes(&mut self, threads: &[ThreadInfo]) -> Result<(), ScapError> {
        let mut b = Vec::new();
        for t in threads {
            let mut e = Vec::with_capacity(256);
            put_u64(&mut e, t.tid);
            put_u64(&mut e, t.pid);
            put_u64(&mut e, t.ptid);
            put_u64(&mut e, t.sid);
            put_u64(&mut e, t.vpgid);
            put_lstr(&mut e, t.comm.as_bytes());
            put_lstr(&mut e, t.exe.as_bytes());
            put_lstr(&mut e, t.exepath.as_bytes());
            put_lstr(&mut e, &t.args);
            put_lstr(&mut e, t.cwd.as_bytes());
            put_u64(&mut e, t.fdlimit);
            put_u32(&mut e, t.flags);
            put_u32(&mut e, t.uid);
            put_u32(&mut e, t.gid);
            put_u32(&mut e, t.vmsize_kb);
            put_u32(&mut e, t.vmrss_kb);
            put_u32(&mut e, t.vmswap_kb);
            put_u64(&mut e, t.pfmajor);
            put_u64(&mut e, t.pfminor);
            put_lstr(&mut e, &t.env);
            put_u64(&mut e, t.vtid as u64);
            put_u64(&mut e, t.vpid as u64);
            put_lstr(&mut e, &t.cgroups);
            put_lstr(&mut e, t.root.as_bytes());
            if self.proc_layout == ProcLayout::Full {
                put_u64(&mut e, t.pidns_init_start_ts);
                put_u32(&mut e, t.tty);
            }
            put_u32(&mut e, t.loginuid);
            e.push(u8::from(t.exe_writable));
            put_u64(&mut e, t.cap_inheritable);
            put_u64(&mut e, t.cap_permitted);
            put_u64(&mut e, t.cap_effective);
            if self.proc_layout == ProcLayout::Full {
                e.push(u8::from(t.exe_upper_layer));
                put_u64(&mut e, t.exe_ino);
                put_u64(&mut e, t.exe_ino_ctime);
                put_u64(&mut e, t.exe_ino_mtime);
                e.push(u8::from(t.exe_from_memfd));
                e.push(u8::from(t.exe_lower_layer));
                put_u64(&mut e, t.pgid as u64);
            }
            put_u32(&mut b, (e.len() + 4) as u32);
            b.extend_from_slice(&e);
        }
        self.block(PL_BLOCK_TYPE_V9, &b)
    }

    /// Write one fd-list block (V2) for thread `tid`. Entries of type 0 (unknown) are skipped,
    /// as libscap does.
    pub fn fds(&mut self, tid: u64, fds: &[FdInfo]) -> Result<(), ScapError> {
        let mut b = Vec::new();
        put_u64(&mut b, tid);
        for f in fds {
            if f.ty == fd_type::UNKNOWN {
                continue;
            }
            let mut e = Vec::with_capacity(64);
            put_u64(&mut e, f.fd as u64);
            put_u64(&mut e, f.ino);
            e.push(f.ty);
            match &f.detail {
                FdDetail::Ipv4 {
                    sip,
                    dip,
                    sport,
                    dport,
                    l4proto,
                } => {
                    put_u32(&mut e, *sip);
                    put_u32(&mut e, *dip);
                    put_u16(&mut e, *sport);
                    put_u16(&mut e, *dport);
                    e.push(*l4proto);
                }
                FdDetail::Ipv4Server { ip, port, l4proto } => {
                    put_u32(&mut e, *ip);
                    put_u16(&mut e, *port);
                    e.push(*l4proto);
                }
                FdDetail::Ipv6 {
                    sip,
                    dip,
                    sport,
                    dport,
                    l4proto,
                } => {
                    e.extend_from_slice(sip);
                    e.extend_from_slice(dip);
                    put_u16(&mut e, *sport);
                    put_u16(&mut e, *dport);
                    e.push(*l4proto);
                }
                FdDetail::Ipv6Server { ip, port, l4proto } => {
                    e.extend_from_slice(ip);
                    put_u16(&mut e, *port);
                    e.push(*l4proto);
                }
                FdDetail::Unix { source, dest, name } => {
                    put_u64(&mut e, *source);
                    put_u64(&mut e, *dest);
                    put_lstr(&mut e, name.as_bytes());
                }
                FdDetail::File {
                    open_flags,
                    name,
                    dev,
                } => {
                    put_u32(&mut e, *open_flags);
                    put_lstr(&mut e, name.as_bytes());
                    // Older captures carry no device; keep it absent so it reads back the same.
                    if let Some(dev) = dev {
                        put_u32(&mut e, *dev);
                    }
                }
                FdDetail::Named(name) => put_lstr(&mut e, name.as_bytes()),
                FdDetail::Unknown => {}
            }
            put_u32(&mut b, (e.len() + 4) as u32);
            b.extend_from_slice(&e);
        }
        self.block(FDL_BLOCK_TYPE_V2, &b)
    }

    /// Write one event from its parts. Large-payload event types get 32-bit parameter lengths
    /// and a `*_V2_LARGE` block; a non-zero `flags` gives an `EVF` block.
    pub fn event_parts<'p>(
        &mut self,
        ts: u64,
        tid: u64,
        cpu: u16,
        flags: u32,
        code: u16,
        params: impl Iterator<Item = &'p [u8]> + Clone,
    ) -> Result<(), ScapError> {
        let large = event_info(code).is_some_and(|i| i.is_large_payload());
        let len_size = if large { 4 } else { 2 };
        let mut nparams = 0usize;
        let mut data_len = 0usize;
        for p in params.clone() {
            nparams += 1;
            if !large && p.len() > usize::from(u16::MAX) {
                return Err(ScapError::new(
                    self.offset,
                    ErrorKind::InvalidInput,
                    format!(
                        "event {code}: parameter {nparams} of {} bytes needs a large-payload event",
                        p.len()
                    ),
                ));
            }
            data_len += p.len();
        }
        let ev_len = EVENT_HEADER_LEN + nparams * len_size + data_len;
        let ev_len32 = u32::try_from(ev_len)
            .map_err(|_| ScapError::new(self.offset, ErrorKind::InvalidInput, "event too large"))?;
        let mut b = std::mem::take(&mut self.scratch);
        b.clear();
        put_u16(&mut b, cpu);
        if flags != 0 {
            put_u32(&mut b, flags);
        }
        put_u64(&mut b, ts);
        put_u64(&mut b, tid);
        put_u32(&mut b, ev_len32);
        put_u16(&mut b, code);
        put_u32(&mut b, nparams as u32);
        for p in params.clone() {
            if large {
                put_u32(&mut b, p.len() as u32);
            } else {
                put_u16(&mut b, p.len() as u16);
            }
        }
        for p in params {
            b.extend_from_slice(p);
        }
        let ty = match (flags != 0, large) {
            (false, false) => EV_BLOCK_TYPE_V2,
            (false, true) => EV_BLOCK_TYPE_V2_LARGE,
            (true, false) => EVF_BLOCK_TYPE_V2,
            (true, true) => EVF_BLOCK_TYPE_V2_LARGE,
        };
        let r = self.block(ty, &b);
        self.scratch = b;
        r
    }

    /// Write an event read from a capture.
    pub fn event(&mut self, ev: &RawEvent<'_>) -> Result<(), ScapError> {
        self.event_parts(ev.ts, ev.tid, ev.cpu, ev.flags, ev.code, ev.params())
    }

    /// Write an owned event.
    pub fn owned_event(&mut self, ev: &OwnedEvent) -> Result<(), ScapError> {
        self.event_parts(
            ev.ts,
            ev.tid,
            ev.cpu,
            ev.flags,
            ev.code,
            ev.params.iter().map(Vec::as_slice),
        )
    }

    /// Flush and close the output (finishing the gzip stream); returns the inner writer.
    pub fn finish(mut self) -> Result<W, ScapError> {
        let off = self.offset;
        let out = self.out.take().ok_or_else(|| {
            ScapError::new(off, ErrorKind::InvalidInput, "writer already finished")
        })?;
        let bw = match out {
            Out::Plain(w) => w,
            Out::Gzip(g) => g.finish().map_err(|e| ScapError::io(off, e))?,
        };
        bw.into_inner()
            .map_err(|e| ScapError::io(off, e.into_error()))
    }
}
