//! The botocore JSON model as read from disk, before `Schema` compiles it.

#[allow(unused_imports)]
use super::*;

// ---- the botocore JSON model, as far as validation needs it ----

/// A JSON object read in document order (serde_json's own map sorts its keys).
pub(super) struct Ordered<T>(pub(super) Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[derive(serde::Deserialize)]
pub(super) struct RawModel {
    pub(super) operations: Ordered<RawOperation>,
    pub(super) shapes: Ordered<RawShape>,
}

#[derive(serde::Deserialize)]
pub(super) struct RawOperation {
    pub(super) name: String,
    pub(super) input: Option<RawRef>,
    #[serde(default)]
    pub(super) errors: Vec<RawRef>,
    pub(super) authtype: Option<String>,
}

#[derive(serde::Deserialize)]
pub(super) struct RawRef {
    pub(super) shape: String,
    #[serde(default)]
    pub(super) sensitive: bool,
}

#[derive(serde::Deserialize)]
pub(super) struct RawShape {
    #[serde(rename = "type")]
    pub(super) ty: String,
    #[serde(default)]
    pub(super) members: Ordered<RawRef>,
    #[serde(default)]
    pub(super) required: Vec<String>,
    pub(super) member: Option<RawRef>,
    pub(super) key: Option<RawRef>,
    pub(super) value: Option<RawRef>,
    pub(super) min: Option<i64>,
    pub(super) max: Option<i64>,
    pub(super) pattern: Option<String>,
    #[serde(default, rename = "enum")]
    pub(super) enum_values: Vec<String>,
    #[serde(default)]
    pub(super) sensitive: bool,
    #[serde(default)]
    pub(super) document: bool,
}
