//! A user's attributes: a small map kept as a sorted vector.
//! Users have a handful of attributes; a `BTreeMap` would allocate a whole node (about half
//! a kilobyte) per user even for one attribute, which dominated memory with many users.

/// Attribute name → value (values as strings, as GetUser returns them), sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes(Vec<(String, String)>);

impl Attributes {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        self.position(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets `name`, returning the previous value.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        match self.position(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.position(name).ok().map(|i| self.0.remove(i).1)
    }

    /// In name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(n, v)| (n, v))
    }
}

impl FromIterator<(String, String)> for Attributes {
    /// Like collecting into a map: a later value for the same name wins.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut out = Attributes::default();
        for (name, value) in iter {
            out.insert(name, value);
        }
        // Users have a handful of attributes and a million users may be kept: no spare slots.
        out.0.shrink_to_fit();
        out
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(n, v)| (n, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_sorted_map() {
        let mut a: Attributes = [("name", "x"), ("email", "e"), ("name", "y")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(a.get("name").map(String::as_str), Some("y"));
        assert_eq!(
            a.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["email", "name"]
        );
        assert_eq!(a.insert("email".into(), "f".into()).as_deref(), Some("e"));
        assert_eq!(a.insert("sub".into(), "s".into()), None);
        assert!(a.contains_key("sub"));
        assert_eq!(a.remove("email").as_deref(), Some("f"));
        assert_eq!(a.remove("email"), None);
        assert_eq!(
            a.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["name", "sub"]
        );
    }
}
