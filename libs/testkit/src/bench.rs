//! What benchmarks print beside their figures.

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`): other work on the machine moves
/// benchmark figures, so they are recorded with them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}
