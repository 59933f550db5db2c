//! The fast read of an audit event: one pass over the JSON text that checks its syntax and
//! keeps borrowed slices ([`RawValue`]) of the top-level values the hot fields need, without
//! building a [`serde_json::Value`] tree. The rest of the event (`requestObject`,
//! `responseObject`, …) is parsed into a `Value` only when something asks for it
//! ([`crate::AuditEvent::raw`]), and Secret redaction happens then, before anything can read
//! it.
//!
//! Anything unusual (not an object, duplicate keys, an envelope, Panther-spelled keys, a
//! sub-object of an unexpected type) makes the scan give up, and the caller takes the eager
//! path (a whole `Value`), whose answers are the reference: the scan only accepts inputs
//! for which it gives the same hot fields, time and verdict.

use serde::de::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// A top-level (or sub-object) value as its JSON text; `None` when the key is absent.
/// Unlike `Option<&RawValue>`, a JSON `null` is kept (as the text `null`).
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Raw<'a>(pub(crate) Option<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'a RawValue>::deserialize(d).map(|r| Raw(Some(r)))
    }
}

impl<'a> Raw<'a> {
    pub(crate) fn is_some(&self) -> bool {
        self.0.is_some()
    }

    /// The value's JSON text.
    pub(crate) fn text(&self) -> Option<&'a str> {
        self.0.map(RawValue::get)
    }

    /// The value when it is a JSON object, parsed as `T` (absent, other types: `None`;
    /// a parse error, e.g. a duplicate key: `Err`).
    fn object<T: Deserialize<'a>>(&self) -> Result<Option<T>, ()> {
        match self.text() {
            Some(t) if t.starts_with('{') => serde_json::from_str(t).map(Some).map_err(|_| ()),
            _ => Ok(None),
        }
    }

    /// The string value without escapes as a slice of the input; `None` for other values
    /// and for strings with escapes (see [`Raw::string`]).
    fn plain_str(&self) -> Option<&'a str> {
        let t = self.text()?;
        let inner = t.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains('\\')).then_some(inner)
    }

    /// The value when it is a JSON string (unescaped).
    pub(crate) fn string(&self) -> Option<std::borrow::Cow<'a, str>> {
        if let Some(s) = self.plain_str() {
            return Some(s.into());
        }
        let t = self.text()?;
        if t.starts_with('"') {
            serde_json::from_str::<String>(t).ok().map(Into::into)
        } else {
            None
        }
    }
}

/// The top-level keys the fast path reads. Unknown keys are skipped (syntax-checked,
/// nothing allocated); a duplicate of a listed key fails the scan.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct Scan<'a> {
    #[serde(borrow)]
    pub kind: Raw<'a>,
    #[serde(borrow, rename = "apiVersion")]
    pub api_version: Raw<'a>,
    #[serde(borrow, rename = "auditID")]
    pub audit_id: Raw<'a>,
    #[serde(borrow)]
    pub stage: Raw<'a>,
    #[serde(borrow)]
    pub verb: Raw<'a>,
    #[serde(borrow, rename = "requestURI")]
    pub request_uri: Raw<'a>,
    #[serde(borrow, rename = "userAgent")]
    pub user_agent: Raw<'a>,
    #[serde(borrow)]
    pub user: Raw<'a>,
    #[serde(borrow, rename = "impersonatedUser")]
    pub imp_user: Raw<'a>,
    #[serde(borrow, rename = "objectRef")]
    pub object_ref: Raw<'a>,
    #[serde(borrow, rename = "responseObject")]
    pub response_object: Raw<'a>,
    #[serde(borrow, rename = "requestObject")]
    pub request_object: Raw<'a>,
    #[serde(borrow)]
    pub annotations: Raw<'a>,
    #[serde(borrow, rename = "responseStatus")]
    pub response_status: Raw<'a>,
    #[serde(borrow, rename = "stageTimestamp")]
    pub stage_ts: Raw<'a>,
    #[serde(borrow, rename = "requestReceivedTimestamp")]
    pub received_ts: Raw<'a>,
    #[serde(borrow)]
    pub timestamp: Raw<'a>,
    #[serde(borrow)]
    pub items: Items<'a>,
}

/// An `EventList`'s `items`, read in the same pass as the rest of the object: the elements'
/// JSON texts when it is an array.
#[derive(Default, Debug)]
pub(crate) enum Items<'a> {
    /// No `items` key.
    #[default]
    Absent,
    /// `"items": null`.
    Null,
    /// An array: its elements.
    Array(Vec<&'a RawValue>),
    /// Anything else.
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Items<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Items<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items<'a>, A::Error> {
                let mut v = Vec::new();
                while let Some(item) = seq.next_element::<&'a RawValue>()? {
                    v.push(item);
                }
                Ok(Items::Array(v))
            }
            fn visit_unit<E>(self) -> Result<Items<'a>, E> {
                Ok(Items::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Items<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Items::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Items<'a>, E> {
                Ok(Items::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Items<'a>, E> {
                Ok(Items::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Items<'a>, E> {
                Ok(Items::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Items<'a>, E> {
                Ok(Items::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Items<'a>, E> {
                Ok(Items::Other)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct UserScan<'a> {
    #[serde(borrow)]
    username: Raw<'a>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ObjectRefScan<'a> {
    #[serde(borrow)]
    resource: Raw<'a>,
    #[serde(borrow)]
    subresource: Raw<'a>,
    #[serde(borrow)]
    namespace: Raw<'a>,
    #[serde(borrow)]
    name: Raw<'a>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct MetaScan<'a> {
    #[serde(borrow)]
    metadata: Raw<'a>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NameScan<'a> {
    #[serde(borrow)]
    name: Raw<'a>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AnnotationsScan<'a> {
    #[serde(borrow, rename = "authorization.k8s.io/decision")]
    decision: Raw<'a>,
    #[serde(borrow, rename = "authorization.k8s.io/reason")]
    reason: Raw<'a>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct StatusScan<'a> {
    #[serde(borrow)]
    code: Raw<'a>,
    #[serde(borrow)]
    reason: Raw<'a>,
}

impl<'a> Scan<'a> {
    /// Scan a JSON object's text; `None` when it is not an object or the scan fails.
    pub(crate) fn of(text: &'a str) -> Option<Scan<'a>> {
        let t = text.trim_start_matches([' ', '\t', '\r', '\n']);
        if !t.starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// `kind` is this string.
    pub(crate) fn kind_is(&self, kind: &str) -> bool {
        self.kind.string().as_deref() == Some(kind)
    }

    /// The hot-field values (in [`crate::event::Hot`] order, `RawTime` excluded), as the
    /// eager path finds them; `None` when the event must take the eager path (a sub-object
    /// that does not scan, or Panther-spelled `user.extra` keys, which the eager path
    /// renames).
    pub(crate) fn hot_values(&self) -> Option<[Raw<'a>; crate::event::HOT_FROM_JSON]> {
        for u in [&self.user, &self.imp_user] {
            if u.text().is_some_and(|t| t.contains("_slash_")) {
                return None;
            }
        }
        let user: UserScan = self.user.object().ok()?.unwrap_or_default();
        let imp: UserScan = self.imp_user.object().ok()?.unwrap_or_default();
        let oref: ObjectRefScan = self.object_ref.object().ok()?.unwrap_or_default();
        let meta: MetaScan = self.response_object.object().ok()?.unwrap_or_default();
        let name: NameScan = meta.metadata.object().ok()?.unwrap_or_default();
        let ann: AnnotationsScan = self.annotations.object().ok()?.unwrap_or_default();
        let status: StatusScan = self.response_status.object().ok()?.unwrap_or_default();
        // The order of `Hot`.
        Some([
            self.audit_id,
            self.stage,
            self.verb,
            user.username,
            imp.username,
            self.request_uri,
            oref.resource,
            oref.subresource,
            oref.namespace,
            oref.name,
            name.name,
            ann.decision,
            ann.reason,
            status.code,
            status.reason,
            self.user_agent,
        ])
    }
}
