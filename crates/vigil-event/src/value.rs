use std::borrow::Cow;
use std::net::IpAddr;

use smallvec::SmallVec;

use crate::{EventTypeId, FieldRef, IpNet};

/// One extracted value. Strings and byte buffers borrow from the event where they can, so
/// extraction on the hot path does not allocate.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Signed integer (also used for fds, errno results, pids).
    Int(i64),
    /// Unsigned integer (also ports, times, flags, uids).
    UInt(u64),
    /// Boolean.
    Bool(bool),
    /// A string or byte buffer (not required to be UTF-8).
    Bytes(Cow<'a, [u8]>),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An IP network.
    Net(IpNet),
}

impl<'a> Value<'a> {
    /// A borrowed string value.
    pub fn str(s: &'a str) -> Value<'a> {
        Value::Bytes(Cow::Borrowed(s.as_bytes()))
    }

    /// An owned string value.
    pub fn string(s: String) -> Value<'static> {
        Value::Bytes(Cow::Owned(s.into_bytes()))
    }

    /// The bytes of a string value.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// A copy that borrows this value's bytes instead of cloning them (no allocation).
    pub fn reborrow(&self) -> Value<'_> {
        match self {
            Value::Bytes(b) => Value::Bytes(Cow::Borrowed(b)),
            Value::Int(v) => Value::Int(*v),
            Value::UInt(v) => Value::UInt(*v),
            Value::Bool(v) => Value::Bool(*v),
            Value::Ip(v) => Value::Ip(*v),
            Value::Net(v) => Value::Net(*v),
        }
    }

    /// Detach from the event's lifetime.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Int(v) => Value::Int(v),
            Value::UInt(v) => Value::UInt(v),
            Value::Bool(v) => Value::Bool(v),
            Value::Bytes(b) => Value::Bytes(Cow::Owned(b.into_owned())),
            Value::Ip(v) => Value::Ip(v),
            Value::Net(v) => Value::Net(v),
        }
    }
}

/// The values of one field for one event: one for most fields, several for list fields
/// (`ka.req.pod.containers.image`, `proc.aname` without index…). Inline up to two.
pub type Values<'a> = SmallVec<[Value<'a>; 2]>;

/// The values of one field for one event as [`Extract::extract_one`] returns them: a single
/// value on its own, so that the filter's hot path (one check on a single-valued field)
/// neither builds nor drops a [`Values`].
#[derive(Clone, Debug, PartialEq)]
pub enum Extracted<'a> {
    /// Exactly one value.
    One(Value<'a>),
    /// Any number of values (list fields, ancestors without an index, both ends of a
    /// socket…).
    Many(Values<'a>),
}

impl<'a> Extracted<'a> {
    /// The values, in order.
    #[inline]
    pub fn as_slice(&self) -> &[Value<'a>] {
        match self {
            Extracted::One(v) => std::slice::from_ref(v),
            Extracted::Many(v) => v,
        }
    }

    /// The first value, if any.
    #[inline]
    pub fn first(&self) -> Option<&Value<'a>> {
        self.as_slice().first()
    }
}

impl<'a> From<Extracted<'a>> for Values<'a> {
    fn from(e: Extracted<'a>) -> Values<'a> {
        match e {
            Extracted::One(v) => smallvec::smallvec![v],
            Extracted::Many(v) => v,
        }
    }
}

/// Run-time access to the fields of one event, implemented by each source's event view
/// (the syscall state view, the k8s audit event, test events).
pub trait Extract {
    /// The event's type, as an index into [`crate::FieldSchema::event_types`] of the
    /// schema the filter was compiled against; `None` when the source has no event types.
    fn event_type(&self) -> Option<EventTypeId>;

    /// The values of `field` for this event, or `None` when the field cannot be extracted
    /// (then every comparison on it is false, including `!=`).
    fn extract(&self, field: &FieldRef) -> Option<Values<'_>>;

    /// [`Extract::extract`] for the filter's hot path: the same values, with a single value
    /// returned as [`Extracted::One`] (no [`Values`] to build and drop). Sources whose
    /// extraction is per-event cheap implement it; the default wraps [`Extract::extract`].
    #[inline]
    fn extract_one(&self, field: &FieldRef) -> Option<Extracted<'_>> {
        self.extract(field).map(Extracted::Many)
    }
}
