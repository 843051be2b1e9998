//! The validation walk over a request body.

#[allow(unused_imports)]
use super::*;

/// One step of the error path.
#[derive(Clone, Copy)]
pub(super) enum Seg<'s, 'v> {
    Field(&'s str),
    Index(usize),
    Key(&'v str),
    Member,
}

/// What to print between `Value` and `at`.
#[derive(Clone, Copy)]
pub(super) enum Shown<'v> {
    Null,
    Hidden,
    Value(ShapeId, &'v Value),
}

pub(super) struct Walker<'s, 'v> {
    pub(super) schema: &'s Schema,
    pub(super) path: Vec<Seg<'s, 'v>>,
    pub(super) errors: Vec<String>,
}

impl<'s, 'v> Walker<'s, 'v> {
    pub(super) fn path_string(&self) -> String {
        let mut p = String::new();
        for (i, seg) in self.path.iter().enumerate() {
            if i > 0 {
                p.push('.');
            }
            match seg {
                Seg::Field(f) => p.push_str(f),
                Seg::Index(n) => p.push_str(&n.to_string()),
                Seg::Key(k) => p.push_str(k),
                Seg::Member => p.push_str("member"),
            }
        }
        p
    }

    /// Record `Value ... at '{path}' failed to satisfy constraint: {constraint}`.
    pub(super) fn error(&mut self, shown: Shown<'v>, constraint: impl FnOnce(&Schema) -> String) {
        if self.errors.len() >= MAX_REPORTED_ERRORS {
            return;
        }
        let mut msg = String::from("Value ");
        match shown {
            Shown::Null => msg.push_str("null "),
            Shown::Hidden => {}
            Shown::Value(id, v) => {
                msg.push('\'');
                self.schema.render(id, v, &mut msg);
                msg.push_str("' ");
            }
        }
        msg.push_str("at '");
        msg.push_str(&self.path_string());
        msg.push_str("' failed to satisfy constraint: ");
        msg.push_str(&constraint(self.schema));
        self.errors.push(msg);
    }

    pub(super) fn not_null(&mut self) {
        self.error(Shown::Null, |_| "Member must not be null".to_owned());
    }

    /// The members of structure `id` found in `obj`.
    pub(super) fn structure_members(
        &mut self,
        id: ShapeId,
        obj: &'v serde_json::Map<String, Value>,
        hide: bool,
    ) -> Result<(), ValidationError> {
        let schema = self.schema;
        let Kind::Structure { members } = &schema.shapes[id].kind else {
            return Ok(());
        };
        for m in members {
            self.path.push(Seg::Field(&m.path));
            match obj.get(&m.wire) {
                None | Some(Value::Null) => {
                    if m.required {
                        self.not_null();
                    }
                }
                Some(v) => self.value(m.shape, v, hide || m.sensitive)?,
            }
            self.path.pop();
        }
        Ok(())
    }

    /// Validate non-null `v` as a value of shape `id` at the current path. `hide`: an
    /// enclosing member or shape is sensitive.
    pub(super) fn value(
        &mut self,
        id: ShapeId,
        v: &'v Value,
        hide: bool,
    ) -> Result<(), ValidationError> {
        let schema = self.schema;
        let shape = &schema.shapes[id];
        let shown = if hide || shape.hides_value {
            Shown::Hidden
        } else {
            Shown::Value(id, v)
        };
        let inner_hide = hide || shape.sensitive;
        match &shape.kind {
            Kind::Document => Ok(()),
            k if k.is_scalar() => {
                self.type_check_scalar(id, v)?;
                let bits = schema.violations(id, v);
                for bit in V_ORDER.into_iter().filter(|b| bits & b != 0) {
                    self.error(shown, |s| s.constraint_text(id, bit));
                }
                Ok(())
            }
            Kind::List { member, min, max } => {
                let items = match v {
                    Value::Array(items) => items,
                    Value::Object(_) => return Err(ser(MAP_NOT_EXPECTED)),
                    _ => return Err(ser("Expected list or null")),
                };
                self.length_errors(id, shown, items.len(), *min, *max);
                let member = *member;
                if schema.shapes[member].kind.is_scalar() {
                    let mut bad = false;
                    for item in items {
                        if item.is_null() {
                            bad = true;
                            continue;
                        }
                        self.type_check_scalar(member, item)?;
                        bad |= schema.violations(member, item) != 0;
                    }
                    if bad {
                        self.error(shown, |s| {
                            format!(
                                "Member must satisfy constraint: {}",
                                s.constraint_list(member)
                            )
                        });
                    }
                } else {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i + 1));
                        self.path.push(Seg::Member);
                        if item.is_null() {
                            self.not_null();
                        } else {
                            self.value(member, item, inner_hide)?;
                        }
                        self.path.truncate(self.path.len() - 2);
                    }
                }
                Ok(())
            }
            Kind::Map {
                key,
                value,
                min,
                max,
            } => {
                let entries = match v {
                    Value::Object(entries) => entries,
                    Value::Array(_) => return Err(ser(LIST_NOT_EXPECTED)),
                    _ => return Err(ser("Expected map or null")),
                };
                self.length_errors(id, shown, entries.len(), *min, *max);
                let (key, value) = (*key, *value);
                if entries
                    .keys()
                    .any(|k| schema.string_violations(key, k) != 0)
                {
                    self.error(shown, |s| {
                        format!(
                            "Map keys must satisfy constraint: {}",
                            s.constraint_list(key)
                        )
                    });
                }
                if schema.shapes[value].kind.is_scalar() {
                    let mut bad = false;
                    for item in entries.values() {
                        if item.is_null() {
                            bad = true;
                            continue;
                        }
                        self.type_check_scalar(value, item)?;
                        bad |= schema.violations(value, item) != 0;
                    }
                    if bad {
                        self.error(shown, |s| {
                            format!(
                                "Map value must satisfy constraint: {}",
                                s.constraint_list(value)
                            )
                        });
                    }
                } else {
                    for (k, item) in entries {
                        self.path.push(Seg::Key(k));
                        self.path.push(Seg::Member);
                        if item.is_null() {
                            self.not_null();
                        } else {
                            self.value(value, item, inner_hide)?;
                        }
                        self.path.truncate(self.path.len() - 2);
                    }
                }
                Ok(())
            }
            Kind::Structure { .. } => match v {
                Value::Object(obj) => self.structure_members(id, obj, inner_hide),
                Value::Array(_) => Err(ser(LIST_NOT_EXPECTED)),
                _ => Err(ser("Expected null")),
            },
            _ => Ok(()),
        }
    }

    pub(super) fn length_errors(
        &mut self,
        id: ShapeId,
        shown: Shown<'v>,
        len: usize,
        min: Option<i64>,
        max: Option<i64>,
    ) {
        let bits = length_bits(len as i64, min, max);
        for bit in [V_MIN_LEN, V_MAX_LEN].into_iter().filter(|b| bits & b != 0) {
            self.error(shown, |s| s.constraint_text(id, bit));
        }
    }

    /// The JSON type check of a non-null value of scalar shape `id`, with Coral's messages.
    pub(super) fn type_check_scalar(&self, id: ShapeId, v: &Value) -> Result<(), ValidationError> {
        let structural = |v: &Value| match v {
            Value::Array(_) => Some(ser(LIST_NOT_EXPECTED)),
            Value::Object(_) => Some(ser(MAP_NOT_EXPECTED)),
            _ => None,
        };
        if let Some(e) = structural(v) {
            return Err(e);
        }
        match (&self.schema.shapes[id].kind, v) {
            (Kind::String { .. }, Value::String(_))
            | (Kind::Boolean, Value::Bool(_))
            | (Kind::Timestamp, Value::Number(_)) => Ok(()),
            (Kind::String { .. }, Value::Number(_)) => Err(ValidationError::Serialization(
                format!("{CORAL_NUMBER} can not be converted to an String"),
            )),
            (Kind::String { .. }, _) => Err(ser(
                "class java.lang.Boolean can not be converted to an String",
            )),
            (Kind::Boolean, Value::Number(_)) => Err(ValidationError::Serialization(format!(
                "{CORAL_NUMBER} can not be converted to an Boolean"
            ))),
            (Kind::Boolean, Value::String(s)) => Err(ValidationError::Serialization(format!(
                "'{}' can not be converted to an Boolean",
                s.to_uppercase()
            ))),
            (Kind::Integer { long, .. }, _) => {
                let ty = if *long { "Long" } else { "Integer" };
                match v {
                    Value::Number(n) => {
                        let fits =
                            number_as_i64(n).is_some_and(|i| *long || i32::try_from(i).is_ok());
                        if fits {
                            Ok(())
                        } else {
                            Err(ValidationError::Serialization(format!(
                                "{n} at '{}' can not be converted to an {ty}",
                                self.path_string()
                            )))
                        }
                    }
                    Value::String(_) => Err(ValidationError::Serialization(format!(
                        "class java.lang.String can not be converted to an {ty}"
                    ))),
                    _ => Err(ValidationError::Serialization(format!(
                        "class java.lang.Boolean can not be converted to an {ty}"
                    ))),
                }
            }
            (Kind::Timestamp, Value::String(_)) => Err(ser(
                "class java.lang.String can not be converted to milliseconds since epoch",
            )),
            (Kind::Timestamp, _) => Err(ser(
                "class java.lang.Boolean can not be converted to milliseconds since epoch",
            )),
            (Kind::Blob { .. }, Value::String(s)) => base64_decoded_len(s)
                .map(|_| ())
                .map_err(ValidationError::Serialization),
            (Kind::Blob { .. }, Value::Number(_)) => Err(ValidationError::Serialization(format!(
                "{CORAL_NUMBER} can not be converted to a Blob"
            ))),
            (Kind::Blob { .. }, _) => Err(ser(
                "class java.lang.Boolean can not be converted to a Blob",
            )),
            (_, Value::Null) => Ok(()),
            _ => Err(ValidationError::Serialization(format!(
                "Unexpected value for member '{}'",
                self.path_string()
            ))),
        }
    }
}
