//! [`MapEvent`]: an owned, synthetic event for tests, benchmarks and tools.

use crate::{
    EventTypeId, Extract, Extracted, FieldArg, FieldError, FieldRef, FieldSchema, Value, Values,
};

/// A simple owned event: an optional event type and a map from resolved fields to values.
///
/// Built with [`MapEvent::builder`], which resolves field names (with their arguments, by
/// longest prefix) through a [`FieldSchema`], so tests read like conditions:
///
/// ```
/// use vigil_event::{FieldInfo, FieldSchema, FieldType, MapEvent, Value, Extract};
///
/// struct Schema;
/// static FIELDS: &[FieldInfo] = &[
///     FieldInfo::new("evt.type", FieldType::String, "type").evtype(),
///     FieldInfo::new("proc.name", FieldType::String, "name"),
/// ];
/// impl FieldSchema for Schema {
///     fn source(&self) -> &str { "test" }
///     fn fields(&self) -> &[FieldInfo] { FIELDS }
///     fn event_types(&self) -> &[&'static str] { &["open", "execve"] }
/// }
///
/// let ev = MapEvent::builder(&Schema)
///     .evtype("execve")
///     .set("proc.name", Value::str("cat"))
///     .build();
/// assert_eq!(ev.event_type(), Some(1));
/// let name = Schema.resolve("proc.name", None).unwrap();
/// assert_eq!(ev.extract(&name).unwrap()[0], Value::str("cat"));
/// ```
///
/// Setting the event type also sets the value of every field of the schema marked
/// [`FieldInfo::evtype`](crate::FieldInfo) (without argument) to the type's name, so
/// `evt.type` can be both extracted and matched by id.
///
/// Values are stored per field id (a vector index, then a scan over the few arguments set for
/// that field) and extraction borrows them, so it neither hashes nor allocates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MapEvent {
    evtype: Option<EventTypeId>,
    /// Indexed by `FieldId`: the (argument, values) pairs set for that field.
    values: Vec<Vec<(FieldArg, Values<'static>)>>,
}

impl MapEvent {
    /// An empty event (no type, no fields).
    pub fn new() -> MapEvent {
        MapEvent::default()
    }

    /// Start building an event whose field names are resolved through `schema`.
    pub fn builder(schema: &dyn FieldSchema) -> MapEventBuilder<'_> {
        MapEventBuilder {
            schema,
            event: MapEvent::default(),
            errors: Vec::new(),
        }
    }

    /// Set the event type id.
    pub fn set_event_type(&mut self, id: Option<EventTypeId>) {
        self.evtype = id;
    }

    /// Set the values of a resolved field (replacing previous ones).
    pub fn insert(&mut self, field: FieldRef, values: Values<'static>) {
        let i = field.id.0 as usize;
        if self.values.len() <= i {
            self.values.resize_with(i + 1, Vec::new);
        }
        let slot = &mut self.values[i];
        match slot.iter_mut().find(|(a, _)| *a == field.arg) {
            Some((_, vs)) => *vs = values,
            None => slot.push((field.arg, values)),
        }
    }

    /// Remove a field: it then cannot be extracted.
    pub fn remove(&mut self, field: &FieldRef) {
        if let Some(slot) = self.values.get_mut(field.id.0 as usize) {
            slot.retain(|(a, _)| *a != field.arg);
        }
    }
}

impl Extract for MapEvent {
    fn event_type(&self) -> Option<EventTypeId> {
        self.evtype
    }

    fn extract(&self, field: &FieldRef) -> Option<Values<'_>> {
        self.values
            .get(field.id.0 as usize)?
            .iter()
            .find(|(a, _)| *a == field.arg)
            .map(|(_, vs)| vs.iter().map(Value::reborrow).collect())
    }

    /// A field with exactly one value comes back as [`Extracted::One`] (as the syscall view
    /// does), so the filter's tests exercise both shapes.
    fn extract_one(&self, field: &FieldRef) -> Option<Extracted<'_>> {
        let mut vs = self.extract(field)?;
        Some(match vs.pop() {
            Some(v) if vs.is_empty() => Extracted::One(v),
            last => {
                vs.extend(last);
                Extracted::Many(vs)
            }
        })
    }
}

/// Builder of a [`MapEvent`]; see [`MapEvent::builder`].
///
/// Name resolution errors do not panic in the chained calls: they are collected and reported
/// by [`MapEventBuilder::try_build`] ([`MapEventBuilder::build`] panics on them, which is what
/// a test wants).
pub struct MapEventBuilder<'s> {
    schema: &'s dyn FieldSchema,
    event: MapEvent,
    errors: Vec<String>,
}

impl std::fmt::Debug for MapEventBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapEventBuilder")
            .field("source", &self.schema.source())
            .field("event", &self.event)
            .field("errors", &self.errors)
            .finish()
    }
}

/// Split `proc.aname[2]` into `("proc.aname", Some("2"))`.
fn split_name(name: &str) -> (&str, Option<&str>) {
    match (name.find('['), name.ends_with(']')) {
        (Some(i), true) if i > 0 => (&name[..i], Some(&name[i + 1..name.len() - 1])),
        _ => (name, None),
    }
}

impl<'s> MapEventBuilder<'s> {
    /// Set the event type by name (must be one of the schema's event types). Also sets the
    /// value of the schema's event-type field(s).
    pub fn evtype(mut self, name: &str) -> Self {
        match self.schema.event_type_id(name) {
            Some(id) => {
                self.event.evtype = Some(id);
                for (i, f) in self.schema.fields().iter().enumerate() {
                    if f.evtype {
                        let r = FieldRef {
                            id: crate::FieldId(u32::try_from(i).unwrap_or(u32::MAX)),
                            arg: crate::FieldArg::None,
                        };
                        self.event
                            .insert(r, std::iter::once(Value::string(name.into())).collect());
                    }
                }
            }
            None => self.errors.push(format!("unknown event type {name}")),
        }
        self
    }

    /// Set the event type by id, without touching any field.
    pub fn evtype_id(mut self, id: EventTypeId) -> Self {
        self.event.evtype = Some(id);
        self
    }

    fn resolve(&mut self, name: &str) -> Option<FieldRef> {
        let (base, arg) = split_name(name);
        match self.schema.resolve(base, arg) {
            Ok(r) => Some(r),
            Err(e) => {
                let e: FieldError = e;
                self.errors.push(e.to_string());
                None
            }
        }
    }

    /// Set a single value for a field written as in a condition (`proc.name`,
    /// `proc.aname[2]`, `evt.arg.flags`, `ka.uri.param[command]`).
    pub fn set(mut self, name: &str, value: Value<'_>) -> Self {
        if let Some(r) = self.resolve(name) {
            self.event
                .insert(r, std::iter::once(value.into_owned()).collect());
        }
        self
    }

    /// Set several values (a list field), possibly none.
    pub fn set_list<'v>(mut self, name: &str, values: impl IntoIterator<Item = Value<'v>>) -> Self {
        if let Some(r) = self.resolve(name) {
            let vs: Values<'static> = values.into_iter().map(Value::into_owned).collect();
            self.event.insert(r, vs);
        }
        self
    }

    /// Shorthand for a string value.
    pub fn str(self, name: &str, value: &str) -> Self {
        self.set(name, Value::string(value.to_string()))
    }

    /// Shorthand for a signed integer value.
    pub fn int(self, name: &str, value: i64) -> Self {
        self.set(name, Value::Int(value))
    }

    /// Shorthand for an unsigned integer value.
    pub fn uint(self, name: &str, value: u64) -> Self {
        self.set(name, Value::UInt(value))
    }

    /// The event, or the list of names that did not resolve.
    pub fn try_build(self) -> Result<MapEvent, Vec<String>> {
        if self.errors.is_empty() {
            Ok(self.event)
        } else {
            Err(self.errors)
        }
    }

    /// The event.
    ///
    /// # Panics
    /// When a field name or event type did not resolve (use [`Self::try_build`] to handle it).
    pub fn build(self) -> MapEvent {
        match self.try_build() {
            Ok(e) => e,
            Err(errs) => panic!("MapEvent builder: {}", errs.join("; ")),
        }
    }
}
