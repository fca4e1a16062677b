//! What a referral asks help with, as codes: the life domains of social recovery. A
//! referrer picks these so that free text (`needs`) is the exception: a code crosses to
//! the recipient without risk of a diagnosis or a BSN riding along.

string_enum! {
    /// A life domain a client needs help in.
    pub enum LifeDomain ("life domain") {
        /// Wonen.
        Housing => "housing",
        /// Inkomen en schulden.
        IncomeAndDebts => "income_and_debts",
        /// Werk en dagbesteding.
        WorkAndDaytimeActivity => "work_and_daytime_activity",
        /// Sociaal netwerk.
        SocialNetwork => "social_network",
        /// Lichamelijke gezondheid.
        PhysicalHealth => "physical_health",
        /// Psychische gezondheid.
        MentalHealth => "mental_health",
        /// Middelengebruik.
        SubstanceUse => "substance_use",
    }
}

impl LifeDomain {
    /// In plain Dutch, for people and for FHIR's `Task.description`.
    pub const fn dutch(self) -> &'static str {
        match self {
            LifeDomain::Housing => "wonen",
            LifeDomain::IncomeAndDebts => "inkomen en schulden",
            LifeDomain::WorkAndDaytimeActivity => "werk en dagbesteding",
            LifeDomain::SocialNetwork => "sociaal netwerk",
            LifeDomain::PhysicalHealth => "lichamelijke gezondheid",
            LifeDomain::MentalHealth => "psychische gezondheid",
            LifeDomain::SubstanceUse => "middelengebruik",
        }
    }

    /// Parses a list, in order, without repeats.
    pub fn parse_list(
        names: &[String],
    ) -> Result<Vec<LifeDomain>, crate::kernel::value::UnknownValue> {
        let mut domains = Vec::new();
        for name in names {
            let domain = name.parse::<LifeDomain>()?;
            if !domains.contains(&domain) {
                domains.push(domain);
            }
        }
        Ok(domains)
    }

    /// A list as stored: the codes joined by commas.
    pub fn join(domains: &[LifeDomain]) -> String {
        domains
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// What [`join`](Self::join) wrote.
    pub fn split(stored: &str) -> Result<Vec<LifeDomain>, crate::kernel::value::UnknownValue> {
        stored
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect()
    }

    /// A list in plain Dutch ("wonen, inkomen en schulden").
    pub fn describe(domains: &[LifeDomain]) -> String {
        domains
            .iter()
            .map(|d| d.dutch())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip_without_repeats() {
        let names = vec![
            "housing".to_owned(),
            "substance_use".to_owned(),
            "housing".to_owned(),
        ];
        let domains = LifeDomain::parse_list(&names).expect("known");
        assert_eq!(domains, [LifeDomain::Housing, LifeDomain::SubstanceUse]);
        assert_eq!(
            LifeDomain::split(&LifeDomain::join(&domains)).ok(),
            Some(domains.clone())
        );
        assert_eq!(LifeDomain::split("").ok(), Some(Vec::new()));
        assert_eq!(LifeDomain::describe(&domains), "wonen, middelengebruik");
        assert!(LifeDomain::parse_list(&["diagnose".to_owned()]).is_err());
    }
}
