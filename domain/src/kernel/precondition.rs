//! Which current versions a conditional write may apply to: RFC 9110 `If-Match`, parsed at the edge.

/// The versions an `If-Match` header admits. Weak tags and tags that cannot be one of ours
/// are dropped when parsing: they never match for `If-Match` (RFC 9110 §13.1.1), so a
/// header of only such tags admits nothing and the write fails its precondition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionMatch {
    /// `If-Match: *`: any current representation.
    Any,
    /// The strong entity-tags of the list that name a version.
    OneOf(Vec<u32>),
}

impl VersionMatch {
    /// Exactly one version (what our own clients send).
    pub fn exactly(version: u32) -> Self {
        Self::OneOf(vec![version])
    }

    /// Whether a resource at `current` satisfies the precondition.
    pub fn admits(&self, current: u32) -> bool {
        match self {
            Self::Any => true,
            Self::OneOf(versions) => versions.contains(&current),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_admits_every_version_and_a_list_only_its_members() {
        assert!(VersionMatch::Any.admits(1));
        assert!(VersionMatch::Any.admits(u32::MAX));
        let list = VersionMatch::OneOf(vec![2, 5]);
        assert!(list.admits(2) && list.admits(5));
        assert!(!list.admits(3));
        assert!(!VersionMatch::OneOf(Vec::new()).admits(1));
        assert!(VersionMatch::exactly(4).admits(4));
        assert!(!VersionMatch::exactly(4).admits(5));
    }
}
