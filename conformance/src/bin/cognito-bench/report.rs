//! What the driver prints: one JSON line per measurement for scripts, a few human lines otherwise,
//! and the `report` mode that folds many JSON lines (rounds of several servers) into Markdown tables of medians and ratios to an anchor server.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::stats::{median, Summary};

/// A row of the memory table: its title, how to read the figure, and whether to note a server that reached fewer users.
type RssRow<'a> = (String, &'a dyn Fn(&RssRecord) -> f64, bool);

/// One measurement, as one JSON line.
#[derive(Serialize, Deserialize, Debug, Clone)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Record {
    Load(LoadRecord),
    Startup(StartupRecord),
    Rss(RssRecord),
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct LoadRecord {
    pub label: String,
    pub url: String,
    pub workload: String,
    pub concurrency: usize,
    pub driver_threads: usize,
    pub seeded_users: usize,
    pub unix_time: u64,
    pub wall_s: f64,
    /// Successful operations; errors never count here.
    pub ok: u64,
    pub errors: u64,
    pub error_kinds: BTreeMap<String, u64>,
    /// `ok / wall_s`.
    pub ops_per_s: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// The driver's own user + system CPU during the timed phase.
    pub driver_cpu_s: f64,
    /// The server's (process tree) CPU during the timed phase, when its pid was given.
    pub server_cpu_s: Option<f64>,
    /// Per operation kind; several only for `mixed`.
    pub operations: BTreeMap<String, OperationRecord>,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct OperationRecord {
    pub ok: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl From<Summary> for OperationRecord {
    fn from(summary: Summary) -> Self {
        OperationRecord {
            ok: summary.count,
            p50_ms: summary.p50_ms,
            p90_ms: summary.p90_ms,
            p99_ms: summary.p99_ms,
            max_ms: summary.max_ms,
        }
    }
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct StartupRecord {
    pub label: String,
    pub url: String,
    pub command: Vec<String>,
    pub unix_time: u64,
    pub runs_ms: Vec<f64>,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
}

#[derive(Serialize, Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct RssRecord {
    pub label: String,
    pub url: String,
    pub pid: u32,
    pub unix_time: u64,
    pub idle_mib: f64,
    pub loaded_mib: f64,
    pub users: u64,
    pub signup_s: f64,
    pub signup_ops_per_s: f64,
    pub errors: u64,
}

pub fn print_json(record: &Record) {
    println!(
        "{}",
        serde_json::to_string(record).expect("records always serialise")
    );
}

/// The workload whose one operation is a whole pagination of the pool, so its latency is the time of a full pagination.
const FULL_PAGINATION: &str = "list-users-all";

/// What an operation's latency is the time of, in the human lines.
fn latency_label(workload: &str) -> &'static str {
    if workload == FULL_PAGINATION {
        "full pagination"
    } else {
        "latency"
    }
}

/// A workload's row title in the Markdown tables.
fn row_title(workload: &str) -> String {
    if workload == FULL_PAGINATION {
        format!("{workload} (one op = a full pagination)")
    } else {
        workload.to_owned()
    }
}

/// Human lines for one load run.
pub fn describe_load(record: &LoadRecord, error_examples: &BTreeMap<String, String>) -> String {
    // The pool's size matters to the admin workloads, a full pagination above all.
    let seeded = if record.seeded_users > 0 {
        format!(", {} seeded users", record.seeded_users)
    } else {
        String::new()
    };
    let mut text = format!(
        "{} @ {} ({}): concurrency {}, {:.2} s{seeded}\n  ok {} ({:.1} ops/s), errors {}\n  {} ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}\n",
        record.workload,
        record.label,
        record.url,
        record.concurrency,
        record.wall_s,
        record.ok,
        record.ops_per_s,
        record.errors,
        latency_label(&record.workload),
        record.p50_ms,
        record.p90_ms,
        record.p99_ms,
        record.max_ms,
    );
    let per_op = |cpu: f64| {
        if record.ok == 0 {
            String::new()
        } else {
            format!(", {:.0} µs/op", cpu * 1e6 / record.ok as f64)
        }
    };
    text.push_str(&format!(
        "  cpu: driver {:.2} s ({:.0}% of one core{})",
        record.driver_cpu_s,
        100.0 * record.driver_cpu_s / record.wall_s.max(1e-9),
        per_op(record.driver_cpu_s)
    ));
    match record.server_cpu_s {
        Some(server) => text.push_str(&format!(
            "; server {:.2} s ({:.0}% of one core{})\n",
            server,
            100.0 * server / record.wall_s.max(1e-9),
            per_op(server)
        )),
        None => text.push_str("; server not measured (pass --server-pid)\n"),
    }
    if record.operations.len() > 1 {
        for (name, operation) in &record.operations {
            text.push_str(&format!(
                "  {name:<8} ok {:>7}  p50 {:.2}  p99 {:.2}  max {:.2} ms\n",
                operation.ok, operation.p50_ms, operation.p99_ms, operation.max_ms
            ));
        }
    }
    for (kind, count) in &record.error_kinds {
        text.push_str(&format!("  error × {count}: {kind}\n"));
        if let Some(example) = error_examples.get(kind) {
            text.push_str(&format!("    first: {example}\n"));
        }
    }
    text
}

/// Arguments of the `report` mode.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// JSON-lines files written by `run --json`, `startup --json` and `rss --json` (other lines are skipped).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The label every figure is divided by.
    #[arg(long, default_value = "moto")]
    pub anchor: String,
    /// Column order, comma-separated labels (default: anchor first, then in order of appearance).
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
}

const WORKLOAD_ORDER: [&str; 9] = [
    "signup",
    "login",
    "refresh",
    "getuser",
    "mixed",
    "admin-create",
    "admin-get",
    "list-users",
    FULL_PAGINATION,
];

/// Prints Markdown tables: for each figure the median over rounds, and its ratio to the anchor's median in the same files.
pub fn report(args: &ReportArgs) -> Result<(), String> {
    let mut records = Vec::new();
    for file in &args.files {
        let text = std::fs::read_to_string(file)
            .map_err(|error| format!("{}: {error}", file.display()))?;
        records.extend(
            text.lines()
                .filter_map(|line| serde_json::from_str::<Record>(line.trim()).ok()),
        );
    }
    if records.is_empty() {
        return Err("no JSON records found".to_owned());
    }
    let mut columns: Vec<String> = args.columns.clone();
    if columns.is_empty() {
        columns.push(args.anchor.clone());
        for record in &records {
            let label = match record {
                Record::Load(load) => &load.label,
                Record::Startup(startup) => &startup.label,
                Record::Rss(rss) => &rss.label,
            };
            if !columns.contains(label) {
                columns.push(label.clone());
            }
        }
    }

    // (workload, label) → rounds
    let mut loads: BTreeMap<(String, String), Vec<&LoadRecord>> = BTreeMap::new();
    let mut startups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut rss: BTreeMap<String, Vec<&RssRecord>> = BTreeMap::new();
    for record in &records {
        match record {
            Record::Load(load) => loads
                .entry((load.workload.clone(), load.label.clone()))
                .or_default()
                .push(load),
            Record::Startup(startup) => startups
                .entry(startup.label.clone())
                .or_default()
                .extend(startup.runs_ms.iter().copied()),
            Record::Rss(record) => rss.entry(record.label.clone()).or_default().push(record),
        }
    }
    let mut workloads: Vec<String> = WORKLOAD_ORDER
        .iter()
        .map(|name| name.to_string())
        .filter(|name| loads.keys().any(|(workload, _)| workload == name))
        .collect();
    for (workload, _) in loads.keys() {
        if !workloads.contains(workload) {
            workloads.push(workload.clone());
        }
    }

    let load_median =
        |workload: &str, label: &str, pick: &dyn Fn(&LoadRecord) -> f64| -> Option<f64> {
            let rounds = loads.get(&(workload.to_owned(), label.to_owned()))?;
            median(&mut rounds.iter().map(|record| pick(record)).collect::<Vec<_>>())
        };
    let header = |first: &str| {
        let mut line = format!("| {first} |");
        let mut rule = String::from("| --- |");
        for column in &columns {
            line.push_str(&format!(" {column} |"));
            rule.push_str(" ---: |");
        }
        format!("{line}\n{rule}")
    };
    let ratio = |value: f64, anchor: Option<f64>| match anchor {
        Some(anchor) if anchor > 0.0 => format!(" (×{})", significant(value / anchor)),
        _ => String::new(),
    };

    println!(
        "Medians over rounds; (×r) is the figure divided by {}'s in the same run.\n",
        args.anchor
    );
    println!("{}", header("throughput, ops/s"));
    for workload in &workloads {
        let anchor = load_median(workload, &args.anchor, &|record| record.ops_per_s);
        let mut line = format!("| {} |", row_title(workload));
        for column in &columns {
            match load_median(workload, column, &|record| record.ops_per_s) {
                Some(value) => {
                    line.push_str(&format!(" {}{} |", thousands(value), ratio(value, anchor)))
                }
                None => line.push_str(" – |"),
            }
        }
        println!("{line}");
    }
    println!();
    println!("{}", header("latency p50 / p99, ms"));
    for workload in &workloads {
        let anchor = load_median(workload, &args.anchor, &|record| record.p99_ms);
        let mut line = format!("| {} |", row_title(workload));
        for column in &columns {
            match (
                load_median(workload, column, &|record| record.p50_ms),
                load_median(workload, column, &|record| record.p99_ms),
            ) {
                (Some(p50), Some(p99)) => line.push_str(&format!(
                    " {} / {}{} |",
                    significant(p50),
                    significant(p99),
                    ratio(p99, anchor)
                )),
                _ => line.push_str(" – |"),
            }
        }
        println!("{line}");
    }
    println!();
    println!("{}", header("server / driver CPU per op, µs"));
    for workload in &workloads {
        let mut line = format!("| {} |", row_title(workload));
        for column in &columns {
            let server = load_median(workload, column, &|record| {
                record.server_cpu_s.unwrap_or(f64::NAN) * 1e6 / record.ok.max(1) as f64
            });
            let driver = load_median(workload, column, &|record| {
                record.driver_cpu_s * 1e6 / record.ok.max(1) as f64
            });
            match (server, driver) {
                (Some(server), Some(driver)) if server.is_finite() => line.push_str(&format!(
                    " {} / {} |",
                    significant(server),
                    significant(driver)
                )),
                (_, Some(driver)) => line.push_str(&format!(" ? / {} |", significant(driver))),
                _ => line.push_str(" – |"),
            }
        }
        println!("{line}");
    }
    println!();
    println!("{}", header("errors (all rounds)"));
    for workload in &workloads {
        let mut line = format!("| {} |", row_title(workload));
        for column in &columns {
            match loads.get(&(workload.clone(), column.clone())) {
                Some(rounds) => {
                    let errors: u64 = rounds.iter().map(|record| record.errors).sum();
                    let ok: u64 = rounds.iter().map(|record| record.ok).sum();
                    line.push_str(&format!(" {errors} of {} |", errors + ok));
                }
                None => line.push_str(" – |"),
            }
        }
        println!("{line}");
    }
    if !startups.is_empty() || !rss.is_empty() {
        println!();
        println!("{}", header("process"));
        if !startups.is_empty() {
            let anchor = startups
                .get(&args.anchor)
                .and_then(|runs| median(&mut runs.clone()));
            let mut line = String::from("| start-up to first answer, ms (median) |");
            for column in &columns {
                match startups
                    .get(column)
                    .and_then(|runs| median(&mut runs.clone()))
                {
                    Some(value) => line.push_str(&format!(
                        " {}{} |",
                        significant(value),
                        ratio(value, anchor)
                    )),
                    None => line.push_str(" – |"),
                }
            }
            println!("{line}");
        }
        let rss_median = |label: &str, pick: &dyn Fn(&RssRecord) -> f64| {
            rss.get(label).and_then(|rounds| {
                median(&mut rounds.iter().map(|record| pick(record)).collect::<Vec<_>>())
            })
        };
        let users = rss
            .values()
            .flatten()
            .map(|record| record.users)
            .max()
            .unwrap_or(0);
        let fewer_users = |label: &str| match rss_median(label, &|record| record.users as f64) {
            Some(reached) if (reached as u64) < users => {
                format!(" (reached {} users)", thousands(reached))
            }
            _ => String::new(),
        };
        let rows: [RssRow<'_>; 3] = [
            (
                "idle resident memory, MiB".to_owned(),
                &|record| record.idle_mib,
                false,
            ),
            (
                format!("resident memory after {users} sign-ups, MiB"),
                &|record| record.loaded_mib,
                true,
            ),
            (
                format!("sign-ups/s while adding {users} users"),
                &|record| record.signup_ops_per_s,
                true,
            ),
        ];
        for (title, pick, notes_shortfall) in rows {
            if rss.is_empty() {
                break;
            }
            let anchor = rss_median(&args.anchor, pick);
            let mut line = format!("| {title} |");
            for column in &columns {
                // A server too slow to reach the count in the time allowed is shown with the count it reached.
                let shortfall = if notes_shortfall {
                    fewer_users(column)
                } else {
                    String::new()
                };
                match rss_median(column, pick) {
                    Some(value) => line.push_str(&format!(
                        " {}{}{shortfall} |",
                        significant(value),
                        ratio(value, anchor)
                    )),
                    None => line.push_str(" – |"),
                }
            }
            println!("{line}");
        }
    }
    Ok(())
}

/// 12,345 for large figures, three significant digits for small ones.
fn thousands(value: f64) -> String {
    if value < 100.0 {
        return significant(value);
    }
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Three significant digits, without exponent.
fn significant(value: f64) -> String {
    if !value.is_finite() {
        return "?".to_owned();
    }
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        return thousands(value);
    }
    let decimals = if magnitude >= 100.0 {
        0
    } else if magnitude >= 10.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else if magnitude >= 0.1 {
        3
    } else {
        4
    };
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_printed_for_people() {
        assert_eq!(thousands(15225.4), "15,225");
        assert_eq!(thousands(224.0), "224");
        assert_eq!(thousands(1_000_000.0), "1,000,000");
        assert_eq!(significant(0.0712), "0.0712");
        assert_eq!(significant(2.345), "2.35");
        assert_eq!(significant(68.0), "68.0");
        assert_eq!(significant(11320.4), "11,320");
    }

    #[test]
    fn every_workload_has_its_place_in_the_tables() {
        use clap::ValueEnum;
        for workload in crate::workload::Workload::value_variants() {
            assert!(WORKLOAD_ORDER.contains(&workload.name()), "{workload:?}");
        }
    }

    #[test]
    fn a_full_pagination_is_labelled_as_one() {
        let record = LoadRecord {
            workload: FULL_PAGINATION.into(),
            ok: 3,
            wall_s: 1.0,
            ..Default::default()
        };
        let text = describe_load(&record, &BTreeMap::new());
        assert!(text.contains("full pagination ms: p50"), "{text}");
        assert!(row_title(FULL_PAGINATION).contains("full pagination"));
        let other = describe_load(
            &LoadRecord {
                workload: "admin-get".into(),
                ..Default::default()
            },
            &BTreeMap::new(),
        );
        assert!(other.contains("latency ms: p50"), "{other}");
    }

    #[test]
    fn records_round_trip_through_json_lines() {
        let record = Record::Startup(StartupRecord {
            label: "x".into(),
            median_ms: 4.0,
            ..Default::default()
        });
        let line = serde_json::to_string(&record).expect("serialises");
        assert!(line.starts_with(r#"{"mode":"startup""#), "{line}");
        assert!(matches!(
            serde_json::from_str::<Record>(&line),
            Ok(Record::Startup(_))
        ));
    }
}
