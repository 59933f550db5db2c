//! Reader and writer for sysdig/Falco **scap** capture files.
//!
//! * [`Reader`] streams the blocks of a capture (plain or gzip): section header, machine info,
//!   interface and user lists, process-list entries (all block versions V1–V9 and the
//!   pre-release codes), fd lists (V1/V2) and events (v1 and v2 headers, with and without
//!   flags, large payloads). Events borrow the reader's reused buffer.
//! * [`event_info`] is the libs event table (every `ppm_event_code`), [`decode`] turns parameter
//!   bytes into typed [`ParamValue`]s.
//! * [`Converter`] rewrites old captures the way libscap ≥ 0.20 does (enter events merged into
//!   exit events), so consumers see the per-event view Falco's rules see.
//! * [`EventBatch`] holds copies of events, to be read back after the reader has moved on.
//! * [`Writer`] writes captures in libscap's current layout.
//!
//! Untrusted input never panics: errors carry the byte offset in the decompressed stream.
#![deny(missing_docs)]

mod batch;
mod block;
mod convert;
mod decode;
mod error;
mod event;
mod reader;
mod table;
mod writer;

pub use batch::EventBatch;
pub use block::{
    FdDetail, FdInfo, GroupInfo, Interface, MachineInfo, SectionHeader, ThreadInfo, UserInfo,
    UserList, fd_type, split_nul,
};
/// Block type codes.
pub mod block_types {
    pub use crate::block::{
        EV_BLOCK_TYPE, EV_BLOCK_TYPE_INT, EV_BLOCK_TYPE_V2, EV_BLOCK_TYPE_V2_LARGE, EVF_BLOCK_TYPE,
        EVF_BLOCK_TYPE_V2, EVF_BLOCK_TYPE_V2_LARGE, FDL_BLOCK_TYPE, FDL_BLOCK_TYPE_INT,
        FDL_BLOCK_TYPE_V2, IL_BLOCK_TYPE, IL_BLOCK_TYPE_INT, IL_BLOCK_TYPE_V2, MI_BLOCK_TYPE,
        MI_BLOCK_TYPE_INT, PL_BLOCK_TYPE_V1, PL_BLOCK_TYPE_V1_INT, PL_BLOCK_TYPE_V2,
        PL_BLOCK_TYPE_V2_INT, PL_BLOCK_TYPE_V3, PL_BLOCK_TYPE_V3_INT, PL_BLOCK_TYPE_V4,
        PL_BLOCK_TYPE_V5, PL_BLOCK_TYPE_V6, PL_BLOCK_TYPE_V7, PL_BLOCK_TYPE_V8, PL_BLOCK_TYPE_V9,
        SHB_BLOCK_TYPE, SHB_MAGIC, UL_BLOCK_TYPE, UL_BLOCK_TYPE_INT, UL_BLOCK_TYPE_V2,
    };
}
pub use convert::{Converter, ConverterState, Filled, Outcome, Verdict, verdict};
pub use decode::{FdList, ParamValue, SockAddr, SockTuple, af, decode, decode_param};
pub use error::{ErrorKind, ScapError};
pub use event::{EVENT_HEADER_LEN, EVENT_HEADER_LEN_V1, OwnedEvent, RawEvent};
pub use reader::{Block, EventBlockKind, MAX_BLOCK_LEN, Reader};
pub use table::{
    Direction, EVENT_MAX, EventFlags, EventInfo, ParamExtra, ParamInfo, ParamType, PrintFormat,
    all_events, code_of_symbol, codes_for_name, event_info, syscall_id, syscall_name,
};
pub use writer::{ProcLayout, Writer};
