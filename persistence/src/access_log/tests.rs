//! The log's storable text.

use super::storable;

#[test]
fn any_text_becomes_storable_in_its_column() {
    assert_eq!(storable("client-1", 64), "client-1");
    assert_eq!(storable("ab\0cd", 64), "ab\\u{0}cd");
    let cut = storable(&"x".repeat(100), 64);
    assert_eq!(cut.chars().count(), 64);
    assert!(cut.ends_with('…'));
    let escapes = storable(&"\u{7}".repeat(40), 16);
    assert!(escapes.chars().count() <= 16 && !escapes.contains('\u{7}'));
}
