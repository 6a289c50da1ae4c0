//! Prints what `alert-cron` makes of cron expressions, for the differential test in
//! `ci/scheduler/` (which compares it with implementations nobody here wrote).
//!
//! Reads one case per line on stdin: `<after RFC 3339>\t<5-field expression>`. Writes one line
//! per case: `ok\t<normalised>\t<EventBridge form>\t<fire>,<fire>,…` with the next `COUNT`
//! (first argument, default 20) fire times strictly after `after` in UTC, or
//! `error\t<message>` when the expression is rejected.
//!
//! ```sh
//! printf '2026-01-01T00:00:00Z\t0 8 * * 1-5\n' | cargo run -q -p alert-cron --example next_fires -- 3
//! ```

use std::io::{self, BufRead, BufWriter, Write};

use alert_cron::CronSchedule;
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

fn main() -> io::Result<()> {
    let count: usize = match std::env::args().nth(1) {
        Some(raw) => raw.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("count `{raw}` is not a number"),
            )
        })?,
        None => 20,
    };
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((after, expression)) = line.split_once('\t') else {
            writeln!(
                out,
                "error\tline has no tab between the start time and the expression"
            )?;
            continue;
        };
        let after = match DateTime::parse_from_rfc3339(after.trim()) {
            Ok(after) => after.with_timezone(&Utc),
            Err(error) => {
                writeln!(out, "error\tstart time `{after}` is not RFC 3339: {error}")?;
                continue;
            }
        };
        match CronSchedule::parse(expression) {
            Ok(schedule) => {
                let fires: Vec<String> = schedule
                    .fires_after(Tz::UTC, after)
                    .take(count)
                    .map(|fire| fire.to_rfc3339_opts(SecondsFormat::Secs, true))
                    .collect();
                writeln!(
                    out,
                    "ok\t{}\t{}\t{}",
                    schedule.normalized(),
                    schedule.to_eventbridge(),
                    fires.join(",")
                )?;
            }
            Err(error) => writeln!(out, "error\t{error}")?,
        }
    }
    out.flush()
}
