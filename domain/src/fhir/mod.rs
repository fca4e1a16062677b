//! How our states read as FHIR R4 codes: one exhaustive table per resource, and the
//! `_lastUpdated` search parameter parsed into a time window.

mod last_updated;

pub use last_updated::{LastUpdated, UpdatedWindow};

use crate::catalog::ServiceStatus;
use crate::referral::ReferralStatus;
use crate::trajectory::phase::Phase;

string_enum! {
    /// FHIR R4 `Task.status` (value set task-status, required binding).
    pub enum TaskStatus ("task status") {
        Draft => "draft",
        Requested => "requested",
        Received => "received",
        Accepted => "accepted",
        Rejected => "rejected",
        Ready => "ready",
        Cancelled => "cancelled",
        InProgress => "in-progress",
        OnHold => "on-hold",
        Failed => "failed",
        Completed => "completed",
        EnteredInError => "entered-in-error",
    }
}

string_enum! {
    /// FHIR R4 `EpisodeOfCare.status` (value set episode-of-care-status, required binding).
    pub enum EpisodeStatus ("episode of care status") {
        Planned => "planned",
        Waitlist => "waitlist",
        Active => "active",
        OnHold => "onhold",
        Finished => "finished",
        Cancelled => "cancelled",
        EnteredInError => "entered-in-error",
    }
}

/// A referral as a Task. Acknowledged and under assessment are both `received` ("a
/// potential performer has claimed ownership and is evaluating whether to perform it");
/// `businessStatus` carries our own status, so nothing finer is lost.
pub const fn task_status(status: ReferralStatus) -> TaskStatus {
    match status {
        ReferralStatus::Requested => TaskStatus::Requested,
        ReferralStatus::Received => TaskStatus::Received,
        ReferralStatus::UnderAssessment => TaskStatus::Received,
        ReferralStatus::Accepted => TaskStatus::Accepted,
        ReferralStatus::Rejected => TaskStatus::Rejected,
        ReferralStatus::InProgress => TaskStatus::InProgress,
        ReferralStatus::Completed => TaskStatus::Completed,
        ReferralStatus::Failed => TaskStatus::Failed,
        ReferralStatus::Cancelled => TaskStatus::Cancelled,
    }
}

/// A trajectory as an EpisodeOfCare. The episode is the whole path from treatment to
/// support in the social domain, so it stays `active` until the trajectory closes; the
/// phase itself is the episode's `type`.
pub const fn episode_status(phase: Phase) -> EpisodeStatus {
    match phase {
        Phase::Treatment => EpisodeStatus::Active,
        Phase::Transition => EpisodeStatus::Active,
        Phase::SocialSupport => EpisodeStatus::Active,
        Phase::Closed => EpisodeStatus::Finished,
    }
}

/// Whether a catalog service is `HealthcareService.active`: only while it takes clients.
pub const fn service_active(status: ServiceStatus) -> bool {
    match status {
        ServiceStatus::Active => true,
        ServiceStatus::Inactive => false,
        ServiceStatus::TemporarilyClosed => false,
        ServiceStatus::Defunct => false,
    }
}

/// The referral statuses a Task status search matches (empty: none of ours maps there).
pub fn referral_statuses(status: TaskStatus) -> Vec<ReferralStatus> {
    ReferralStatus::ALL
        .iter()
        .copied()
        .filter(|s| task_status(*s) == status)
        .collect()
}

/// The phases an EpisodeOfCare status search matches.
pub fn phases(status: EpisodeStatus) -> Vec<Phase> {
    Phase::ALL
        .iter()
        .copied()
        .filter(|p| episode_status(*p) == status)
        .collect()
}

/// The service statuses an `active` search matches.
pub fn service_statuses(active: bool) -> Vec<ServiceStatus> {
    ServiceStatus::ALL
        .iter()
        .copied()
        .filter(|s| service_active(*s) == active)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_status_search_finds_exactly_what_maps_to_it() {
        for status in ReferralStatus::ALL {
            let found = referral_statuses(task_status(*status));
            assert!(found.contains(status), "{status} not found by its own code");
        }
        let total: usize = TaskStatus::ALL
            .iter()
            .map(|t| referral_statuses(*t).len())
            .sum();
        assert_eq!(total, ReferralStatus::ALL.len());
        assert!(referral_statuses(TaskStatus::Draft).is_empty());
    }

    #[test]
    fn closed_trajectories_are_finished_episodes_and_only_they() {
        assert_eq!(phases(EpisodeStatus::Finished), vec![Phase::Closed]);
        assert_eq!(phases(EpisodeStatus::Active).len(), 3);
        assert!(phases(EpisodeStatus::Planned).is_empty());
    }

    #[test]
    fn only_active_services_are_active() {
        assert_eq!(service_statuses(true), vec![ServiceStatus::Active]);
        assert_eq!(service_statuses(false).len(), ServiceStatus::ALL.len() - 1);
    }

    #[test]
    fn fhir_codes_parse_back() {
        assert_eq!("in-progress".parse(), Ok(TaskStatus::InProgress));
        assert_eq!("onhold".parse(), Ok(EpisodeStatus::OnHold));
        assert!("in_progress".parse::<TaskStatus>().is_err());
    }
}
