//! The demo year as a plan: for each fictional client, what happens when (registration,
//! consent, referrals and their answers, transitions, closure, a relapse), drawn from a
//! fixed seed so every run tells the same story. Pure: the driver carries it out.

use chrono::{Duration, NaiveDate};

/// The three regions of the research, each with its fictional providers.
pub const REGIONS: [Region; 3] = [
    Region {
        municipality: "gemeente:0363",
        name: "Amsterdam",
        providers: &["agb:06110001", "agb:06110002"],
    },
    Region {
        municipality: "gemeente:0268",
        name: "Nijmegen",
        providers: &["agb:06120001", "agb:06120002"],
    },
    Region {
        municipality: "gemeente:0796",
        name: "'s-Hertogenbosch",
        providers: &["agb:06130001"],
    },
];

pub struct Region {
    pub municipality: &'static str,
    pub name: &'static str,
    pub providers: &'static [&'static str],
}

/// Kinds of support a municipality offers through its own (fictional) services.
pub const MUNICIPAL_KINDS: [(&str, &str, u32); 4] = [
    ("wmo_support", "Wijkteam Wmo-toegang", 14),
    ("income_and_debt", "Schuldhulpverlening", 21),
    ("housing", "Woonbegeleiding", 35),
    ("sheltered_housing", "Beschermd wonen", 70),
];

/// A small deterministic generator (xorshift64*): the demo needs no cryptographic
/// randomness, only the same year on every run.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from(high - low + 1).unwrap_or(1);
        low + i64::try_from(self.next() % span).unwrap_or(0)
    }

    /// True with `percent` % chance.
    pub fn chance(&mut self, percent: i64) -> bool {
        self.between(1, 100) <= percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let last = i64::try_from(items.len()).unwrap_or(1) - 1;
        &items[usize::try_from(self.between(0, last)).unwrap_or(0)]
    }
}

/// Who a referral goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The client's municipality, for one of its kinds (index into `MUNICIPAL_KINDS`).
    Municipality(usize),
    /// The treating provider's own aftercare group.
    OwnAftercare,
}

/// One thing that happens to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Register,
    /// Consent to share with the client's municipality.
    Consent,
    Refer {
        slot: usize,
        to: Recipient,
    },
    Acknowledge {
        slot: usize,
    },
    Accept {
        slot: usize,
        planned_start_on: NaiveDate,
    },
    Reject {
        slot: usize,
        reason_code: &'static str,
    },
    Start {
        slot: usize,
    },
    /// Towards the end: planned end date set.
    Wind {
        planned_end_on: NaiveDate,
    },
    /// Treatment ends: to `social_support` or `closed`, with an end reason.
    End {
        to: &'static str,
        reason: &'static str,
        no_follow_up: bool,
    },
    Close {
        outcome: &'static str,
    },
}

/// A client's story: who, where, and the steps in order with their days.
#[derive(Debug, Clone)]
pub struct Story {
    pub client_ref: String,
    pub provider: &'static str,
    pub region: usize,
    pub started_on: NaiveDate,
    /// The client's earlier story this one re-enters after (a relapse).
    pub previous: Option<usize>,
    pub steps: Vec<(NaiveDate, Step)>,
}

/// How a story goes.
enum Path {
    /// Follow-up arranged before the end.
    Warm,
    /// The first referral is turned down; a second one is accepted.
    RejectedThenAccepted,
    /// Treatment ends with nothing arranged; sometimes arranged later.
    Gap { late_follow_up: bool },
    /// The client drops out; sometimes the provider's aftercare reaches out.
    Dropout { outreach: bool },
    /// The clinician states no follow-up is needed.
    NoFollowUpNeeded,
}

fn path(dice: &mut Dice) -> Path {
    match dice.between(1, 100) {
        1..=52 => Path::Warm,
        53..=64 => Path::RejectedThenAccepted,
        65..=80 => Path::Gap {
            late_follow_up: dice.chance(60),
        },
        81..=90 => Path::Dropout {
            outreach: dice.chance(50),
        },
        _ => Path::NoFollowUpNeeded,
    }
}

const REJECTIONS: [&str; 4] = [
    "no_capacity",
    "not_eligible",
    "client_declined",
    "not_reachable",
];

fn day(start: NaiveDate, days: i64) -> NaiveDate {
    start + Duration::days(days)
}

/// A referral to the municipality from `on`: acknowledged, then accepted (after a wait)
/// and started, or rejected.
fn referral(
    dice: &mut Dice,
    steps: &mut Vec<(NaiveDate, Step)>,
    slot: usize,
    to: Recipient,
    on: NaiveDate,
    rejected: bool,
) -> NaiveDate {
    steps.push((on, Step::Refer { slot, to }));
    let acknowledged = day(on, dice.between(0, 3));
    steps.push((acknowledged, Step::Acknowledge { slot }));
    if rejected {
        let decided = day(acknowledged, dice.between(3, 20));
        steps.push((
            decided,
            Step::Reject {
                slot,
                reason_code: REJECTIONS[usize::try_from(dice.between(0, 3)).unwrap_or(0)],
            },
        ));
        return decided;
    }
    let slow = matches!(to, Recipient::Municipality(3));
    let accepted = day(acknowledged, dice.between(2, if slow { 45 } else { 25 }));
    let start = day(accepted, dice.between(3, if slow { 80 } else { 40 }));
    steps.push((
        accepted,
        Step::Accept {
            slot,
            planned_start_on: start,
        },
    ));
    steps.push((start, Step::Start { slot }));
    accepted
}

/// `count` stories starting over the year before `today`, from `seed`.
pub fn stories(count: usize, today: NaiveDate, seed: u64) -> Vec<Story> {
    let mut dice = Dice::new(seed);
    let mut stories: Vec<Story> = Vec::with_capacity(count);
    for n in 0..count {
        let region = n % REGIONS.len();
        let provider = *dice.pick(REGIONS[region].providers);
        let started_on = day(today, -dice.between(20, 420));
        let treatment = dice.between(45, 200);
        let end = day(started_on, treatment);
        let mut steps = vec![(started_on, Step::Register)];
        let kind = Recipient::Municipality(usize::try_from(dice.between(0, 3)).unwrap_or(0));
        let mut outcome_on = end;
        match path(&mut dice) {
            Path::Warm => {
                let wind = day(end, -42);
                steps.push((
                    wind,
                    Step::Wind {
                        planned_end_on: end,
                    },
                ));
                steps.push((wind, Step::Consent));
                referral(&mut dice, &mut steps, 0, kind, day(wind, 1), false);
                steps.push((
                    end,
                    Step::End {
                        to: "social_support",
                        reason: "planned_completion",
                        no_follow_up: false,
                    },
                ));
            }
            Path::RejectedThenAccepted => {
                let wind = day(end, -56);
                steps.push((
                    wind,
                    Step::Wind {
                        planned_end_on: end,
                    },
                ));
                steps.push((wind, Step::Consent));
                let rejected = referral(&mut dice, &mut steps, 0, kind, day(wind, 1), true);
                let other =
                    Recipient::Municipality(usize::try_from(dice.between(0, 3)).unwrap_or(0));
                referral(&mut dice, &mut steps, 1, other, day(rejected, 2), false);
                steps.push((
                    end,
                    Step::End {
                        to: "social_support",
                        reason: "planned_completion",
                        no_follow_up: false,
                    },
                ));
            }
            Path::Gap { late_follow_up } => {
                steps.push((
                    end,
                    Step::End {
                        to: "social_support",
                        reason: "planned_completion",
                        no_follow_up: false,
                    },
                ));
                if late_follow_up {
                    let late = day(end, dice.between(5, 45));
                    steps.push((late, Step::Consent));
                    referral(&mut dice, &mut steps, 0, kind, late, false);
                    outcome_on = late;
                }
            }
            Path::Dropout { outreach } => {
                let left = day(started_on, dice.between(15, treatment));
                steps.push((
                    left,
                    Step::End {
                        to: "social_support",
                        reason: "dropout",
                        no_follow_up: false,
                    },
                ));
                if outreach {
                    let on = day(left, dice.between(1, 10));
                    referral(&mut dice, &mut steps, 0, Recipient::OwnAftercare, on, false);
                }
                outcome_on = left;
            }
            Path::NoFollowUpNeeded => {
                steps.push((
                    end,
                    Step::End {
                        to: "closed",
                        reason: "planned_completion",
                        no_follow_up: true,
                    },
                ));
            }
        }
        let closes = !matches!(steps.last(), Some((_, Step::End { to: "closed", .. })));
        if closes && dice.chance(60) {
            let last = steps.iter().map(|(d, _)| *d).max().unwrap_or(outcome_on);
            let outcome = *dice.pick(&[
                "goals_achieved",
                "support_no_longer_needed",
                "lost_to_contact",
            ]);
            steps.push((day(last, dice.between(20, 120)), Step::Close { outcome }));
        }
        stories.push(Story {
            client_ref: format!("demo-{n:04}"),
            provider,
            region,
            started_on,
            previous: None,
            steps,
        });
    }
    // A few relapses: a new trajectory within 90 days of a closure, at the same provider.
    let closed: Vec<(usize, NaiveDate)> = stories
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.steps.iter().find_map(|(d, step)| match step {
                Step::Close { .. } | Step::End { to: "closed", .. } => Some((i, *d)),
                _ => None,
            })
        })
        .filter(|(_, d)| *d < day(today, -30))
        .collect();
    for (i, closed_on) in closed {
        if !dice.chance(12) {
            continue;
        }
        let started_on = day(closed_on, dice.between(10, 85));
        let earlier = &stories[i];
        stories.push(Story {
            client_ref: format!("{}-terug", earlier.client_ref),
            provider: earlier.provider,
            region: earlier.region,
            started_on,
            previous: Some(i),
            steps: vec![(started_on, Step::Register)],
        });
    }
    for story in &mut stories {
        // Nothing before the registration (a short treatment winds down from its start).
        let first = story.started_on;
        for (d, _) in &mut story.steps {
            *d = (*d).max(first);
        }
        story.steps.retain(|(d, _)| *d <= today);
        story.steps.sort_by_key(|(d, _)| *d);
    }
    stories
}
