//! Where an alert stands: its own file, so the alert's error and lifecycle both name it.

string_enum! {
    pub enum AlertStatus ("alert status") {
        Open => "open",
        Acknowledged => "acknowledged",
        Resolved => "resolved",
    }
}
