use std::fmt;

/// Index of an event type in [`FieldSchema::event_types`] (`open`, `execve`, …).
pub type EventTypeId = u16;

/// The type of a field's values; it decides how literal values in a condition are parsed and
/// which operators apply (see `vigil-filter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Signed integer (fds, return values, pids).
    Int,
    /// Unsigned integer (uids, flags, sizes, counters).
    UInt,
    /// A TCP/UDP port number (numeric).
    Port,
    /// A duration in nanoseconds (numeric).
    RelTime,
    /// A point in time, nanoseconds since the epoch (numeric).
    AbsTime,
    /// `true` / `false`.
    Bool,
    /// A text string (not required to be UTF-8).
    String,
    /// A filesystem path (a string; `pmatch` is meant for these).
    Path,
    /// A raw byte buffer (`bcontains`, `bstartswith` apply).
    Bytes,
    /// An IPv4 or IPv6 address.
    Ip,
    /// An IP network (`a.b.c.d/n`).
    IpNet,
}

impl FieldType {
    /// True for the types compared numerically.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Int
                | FieldType::UInt
                | FieldType::Port
                | FieldType::RelTime
                | FieldType::AbsTime
        )
    }

    /// The name `vigil fields` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Int => "INT64",
            FieldType::UInt => "UINT64",
            FieldType::Port => "PORT",
            FieldType::RelTime => "RELTIME",
            FieldType::AbsTime => "ABSTIME",
            FieldType::Bool => "BOOL",
            FieldType::String => "CHARBUF",
            FieldType::Path => "FSPATH",
            FieldType::Bytes => "BYTEBUF",
            FieldType::Ip => "IPADDR",
            FieldType::IpNet => "IPNET",
        }
    }
}

/// Which argument a field takes: `proc.aname[2]` (index), `ka.uri.param[command]` (key),
/// `evt.arg[0]` / `evt.arg.flags` / `evt.arg[flags]` (either).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// No argument.
    None,
    /// A non-negative integer in brackets.
    Index,
    /// A key in brackets (a name, a path, a JSON pointer), or after a dot.
    Key,
    /// An index or a key.
    IndexOrKey,
}

/// The static description of one field in a catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// Full name, e.g. `proc.name`.
    pub name: &'static str,
    /// Type of each value.
    pub ty: FieldType,
    /// True when the field yields several values (list fields, used with `in`/`intersects`).
    pub list: bool,
    /// The argument the field accepts.
    pub arg: ArgKind,
    /// True when the argument must be given.
    pub arg_required: bool,
    /// True when the values of this field are event type names (`evt.type`): the rules engine
    /// derives each rule's event-type set from checks on such a field.
    pub evtype: bool,
    /// Deprecated fields still resolve; the loader warns about them.
    pub deprecated: bool,
    /// One-line documentation printed by `vigil fields`.
    pub doc: &'static str,
}

impl FieldInfo {
    /// A single-valued field without argument.
    pub const fn new(name: &'static str, ty: FieldType, doc: &'static str) -> FieldInfo {
        FieldInfo {
            name,
            ty,
            list: false,
            arg: ArgKind::None,
            arg_required: false,
            evtype: false,
            deprecated: false,
            doc,
        }
    }

    /// Mark as multi-valued.
    pub const fn list(mut self) -> FieldInfo {
        self.list = true;
        self
    }

    /// Accept an optional argument of this kind.
    pub const fn arg(mut self, kind: ArgKind) -> FieldInfo {
        self.arg = kind;
        self
    }

    /// Require an argument of this kind.
    pub const fn required_arg(mut self, kind: ArgKind) -> FieldInfo {
        self.arg = kind;
        self.arg_required = true;
        self
    }

    /// Mark as the event-type field.
    pub const fn evtype(mut self) -> FieldInfo {
        self.evtype = true;
        self
    }

    /// Mark as deprecated.
    pub const fn deprecated(mut self) -> FieldInfo {
        self.deprecated = true;
        self
    }
}

/// Index of a field in its schema's [`FieldSchema::fields`] table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

/// The argument given to a field in a condition or output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldArg {
    /// No argument.
    None,
    /// `[N]`.
    Index(u64),
    /// `[key]` or `.key`.
    Key(Box<str>),
}

/// A field resolved against a schema, with its argument: what [`Extract::extract`] receives.
///
/// [`Extract::extract`]: crate::Extract::extract
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// The field.
    pub id: FieldId,
    /// Its argument.
    pub arg: FieldArg,
}

/// Why a field name did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldError {
    /// No field of that name (nor a prefix of it that takes an argument).
    Unknown(String),
    /// The field requires an argument and none was given.
    MissingArg(String),
    /// The field takes no argument (or not this kind).
    UnexpectedArg {
        /// Field name.
        field: String,
        /// The argument text.
        arg: String,
    },
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::Unknown(name) => {
                write!(f, "filter_check called with nonexistent field {name}")
            }
            FieldError::MissingArg(name) => write!(f, "field '{name}' requires an argument"),
            FieldError::UnexpectedArg { field, arg } => {
                write!(f, "field '{field}' does not accept the argument '{arg}'")
            }
        }
    }
}

impl std::error::Error for FieldError {}

/// The fields (and event types) a source offers, for compile-time resolution.
///
/// The condition compiler knows no field itself: it asks a schema. Each source has one
/// (`syscall` in `vigil-state`, `k8s_audit` in `vigil-k8saudit`).
pub trait FieldSchema: Send + Sync {
    /// The event source this schema describes (`syscall`, `k8s_audit`).
    fn source(&self) -> &str;

    /// Every field, in documentation order. [`FieldId`] indexes this slice.
    fn fields(&self) -> &[FieldInfo];

    /// Names of the event types of this source, indexed by [`EventTypeId`]; empty when the
    /// source has no event-type dimension.
    fn event_types(&self) -> &[&'static str] {
        &[]
    }

    /// The id of an event type by name.
    fn event_type_id(&self, name: &str) -> Option<EventTypeId> {
        self.event_types()
            .iter()
            .position(|t| *t == name)
            .and_then(|i| EventTypeId::try_from(i).ok())
    }

    /// Resolve `name` (and the text inside `[...]`, if any) to a field and argument, by
    /// longest prefix as libsinsp does (`evt.arg.flags` is `evt.arg` with key `flags`).
    fn resolve(&self, name: &str, bracket: Option<&str>) -> Result<FieldRef, FieldError> {
        resolve_longest_prefix(self.fields(), name, bracket)
    }

    /// The description of a resolved field.
    fn info(&self, id: FieldId) -> Option<&FieldInfo> {
        self.fields().get(id.0 as usize)
    }
}

/// Longest-prefix resolution over a field table (the default of [`FieldSchema::resolve`]).
pub fn resolve_longest_prefix(
    fields: &[FieldInfo],
    name: &str,
    bracket: Option<&str>,
) -> Result<FieldRef, FieldError> {
    let found = fields.iter().position(|f| f.name == name);
    let (idx, dot_arg) = match found {
        Some(i) => (i, None),
        None => {
            // `evt.arg.flags`: a field taking a key, followed by `.key`.
            let mut best: Option<(usize, &str)> = None;
            for (i, f) in fields.iter().enumerate() {
                if matches!(f.arg, ArgKind::Key | ArgKind::IndexOrKey)
                    && name.len() > f.name.len() + 1
                    && name.starts_with(f.name)
                    && name.as_bytes()[f.name.len()] == b'.'
                    && best.is_none_or(|(b, _)| fields[b].name.len() < f.name.len())
                {
                    best = Some((i, &name[f.name.len() + 1..]));
                }
            }
            match best {
                Some((i, rest)) => (i, Some(rest)),
                None => return Err(FieldError::Unknown(name.to_string())),
            }
        }
    };
    let f = &fields[idx];
    let id = FieldId(u32::try_from(idx).unwrap_or(u32::MAX));
    let text = match (dot_arg, bracket) {
        (Some(_), Some(b)) => {
            return Err(FieldError::UnexpectedArg {
                field: name.to_string(),
                arg: b.to_string(),
            });
        }
        (Some(d), None) => Some(d),
        (None, b) => b,
    };
    let arg = match (text, f.arg) {
        (None, _) if f.arg_required => return Err(FieldError::MissingArg(f.name.to_string())),
        (None, _) => FieldArg::None,
        (Some(t), ArgKind::Index) => match t.trim().parse::<u64>() {
            Ok(n) => FieldArg::Index(n),
            Err(_) => {
                return Err(FieldError::UnexpectedArg {
                    field: f.name.to_string(),
                    arg: t.to_string(),
                });
            }
        },
        (Some(t), ArgKind::IndexOrKey) => match t.parse::<u64>() {
            Ok(n) if dot_arg.is_none() => FieldArg::Index(n),
            _ => FieldArg::Key(t.into()),
        },
        (Some(t), ArgKind::Key) => FieldArg::Key(t.into()),
        (Some(t), ArgKind::None) => {
            return Err(FieldError::UnexpectedArg {
                field: f.name.to_string(),
                arg: t.to_string(),
            });
        }
    };
    Ok(FieldRef { id, arg })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[FieldInfo] = &[
        FieldInfo::new("evt.type", FieldType::String, "type").evtype(),
        FieldInfo::new("evt.arg", FieldType::String, "arg").required_arg(ArgKind::IndexOrKey),
        FieldInfo::new("proc.aname", FieldType::String, "ancestor").arg(ArgKind::Index),
        FieldInfo::new("proc.name", FieldType::String, "name"),
    ];

    #[test]
    fn longest_prefix() {
        let r = resolve_longest_prefix(FIELDS, "evt.arg.flags", None).unwrap();
        assert_eq!(r.id, FieldId(1));
        assert_eq!(r.arg, FieldArg::Key("flags".into()));
        let r = resolve_longest_prefix(FIELDS, "evt.arg", Some("0")).unwrap();
        assert_eq!(r.arg, FieldArg::Index(0));
        let r = resolve_longest_prefix(FIELDS, "proc.aname", Some("2")).unwrap();
        assert_eq!(r.arg, FieldArg::Index(2));
        assert_eq!(
            resolve_longest_prefix(FIELDS, "proc.nobody", None),
            Err(FieldError::Unknown("proc.nobody".into()))
        );
        assert!(resolve_longest_prefix(FIELDS, "evt.arg", None).is_err());
        assert!(resolve_longest_prefix(FIELDS, "proc.name", Some("1")).is_err());
        assert!(resolve_longest_prefix(FIELDS, "proc.aname", Some("x")).is_err());
        assert!(resolve_longest_prefix(FIELDS, "proc.aname.x", None).is_err());
    }
}
