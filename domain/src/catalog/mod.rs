//! The building-block catalog: the services a region's recovery infrastructure is made
//! of, what room they have, and how long people there really waited.

pub mod error;
pub mod service;
pub mod waiting;

pub use service::{
    Availability, Capacity, CapacityUnit, Eligibility, Language, Service, ServiceDetails,
    ServiceStatus,
};
pub use waiting::{Figure, Handoff, Measured, WaitingPolicy, WaitingTimes, waiting_times};
