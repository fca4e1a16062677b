//! CPU time the server and PostgreSQL spend during a phase, read from /proc: a cost per
//! request that the shared machine's run-to-run spread disturbs far less than throughput.

use std::process::Command;

/// CPU seconds used so far by the server processes (replicas) and by all `postgres` processes.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTimes {
    pub server: f64,
    pub postgres: f64,
    /// This process: the load generator.
    pub bench: f64,
}

/// utime + stime of one process, and of its children it has waited for, in clock ticks,
/// from `/proc/<pid>/stat`. PostgreSQL's postmaster waits for every backend that exits
/// (pgbench's, at the end of its run), so their time is counted there.
fn ticks(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    let fields: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    // Fields 14 and 15 of stat(5), counted from the state field (3) after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let cutime: u64 = fields.get(13)?.parse().ok()?;
    let cstime: u64 = fields.get(14)?.parse().ok()?;
    Some((name, utime + stime + cutime + cstime))
}

fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// The CPU times now.
pub fn sample(server_pids: &[u32]) -> CpuTimes {
    let hz = ticks_per_second();
    let mut times = CpuTimes::default();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return times;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        match ticks(&stat) {
            Some((_, t)) if server_pids.contains(&pid) => times.server += t as f64 / hz,
            Some((_, t)) if pid == std::process::id() => times.bench += t as f64 / hz,
            Some((comm, t)) if comm == "postgres" => times.postgres += t as f64 / hz,
            _ => {}
        }
    }
    times
}

/// "server 412 µs, PostgreSQL 623 µs of CPU per request" between two samples.
pub fn per_request(before: CpuTimes, after: CpuTimes, requests: u64, postgres: bool) -> String {
    let n = requests.max(1) as f64;
    let server = (after.server - before.server) * 1e6 / n;
    let bench = (after.bench - before.bench) * 1e6 / n;
    if postgres {
        let database = (after.postgres - before.postgres) * 1e6 / n;
        format!(
            "CPU per request: server {server:.0} µs, PostgreSQL {database:.0} µs, load generator {bench:.0} µs"
        )
    } else {
        format!(
            "CPU per request: server (with SQLite) {server:.0} µs, load generator {bench:.0} µs"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utime_and_stime_past_a_name_with_spaces_and_parentheses() {
        let stat = "42 (tokio rt (x)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 9 0 1 2 3";
        assert_eq!(ticks(stat), Some(("tokio rt (x)".to_owned(), 310)));
    }

    #[test]
    fn parses_this_process_stat() {
        let me = std::process::id();
        let stat = std::fs::read_to_string(format!("/proc/{me}/stat")).expect("own stat");
        assert!(ticks(&stat).is_some());
    }
}
