//! Discriminators on the document's unions, so generated clients pick the variant by one
//! property instead of trying each schema in turn.

use serde_json::{Value, json};

/// A union of component schemas, the property that tells them apart, and its values.
type Union = (&'static str, &'static str, Variants);
/// (value of the property, component schema).
type Variants = &'static [(&'static str, &'static str)];

pub const UNIONS: &[Union] = &[
    (
        "ReferralView",
        "view",
        &[
            ("requester", "ProviderReferralView"),
            ("recipient", "RecipientReferralView"),
        ],
    ),
    (
        "ServicePage",
        "form",
        &[("full", "ServiceList"), ("minimal", "MinimalServiceList")],
    ),
];

pub fn apply(doc: &mut Value) {
    for (union, property, variants) in UNIONS {
        let mapping: serde_json::Map<String, Value> = variants
            .iter()
            .map(|(value, variant)| {
                (
                    (*value).to_owned(),
                    json!(format!("#/components/schemas/{variant}")),
                )
            })
            .collect();
        doc["components"]["schemas"][*union]["discriminator"] =
            json!({"propertyName": property, "mapping": mapping});
    }
}
