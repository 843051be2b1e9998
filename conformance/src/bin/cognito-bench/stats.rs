//! Measurements: exact latency percentiles from every recorded sample, and CPU time and resident memory read from `/proc`.
//! Linux only, like the machines this project runs on.

use std::collections::{BTreeMap, HashMap};

/// Every latency of one kind of operation, in microseconds.
#[derive(Default, Clone)]
pub struct Latencies {
    micros: Vec<u32>,
}

impl Latencies {
    pub fn record(&mut self, micros: u32) {
        self.micros.push(micros);
    }

    pub fn merge(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
    }

    pub fn len(&self) -> usize {
        self.micros.len()
    }

    /// Sorts once and reads the percentiles exactly (nearest rank).
    pub fn summary(mut self) -> Summary {
        self.micros.sort_unstable();
        let rank = |fraction: f64| -> f64 {
            if self.micros.is_empty() {
                return 0.0;
            }
            let index = ((fraction * self.micros.len() as f64).ceil() as usize)
                .clamp(1, self.micros.len())
                - 1;
            f64::from(self.micros[index]) / 1000.0
        };
        Summary {
            count: self.micros.len() as u64,
            p50_ms: rank(0.50),
            p90_ms: rank(0.90),
            p99_ms: rank(0.99),
            max_ms: self
                .micros
                .last()
                .map_or(0.0, |&max| f64::from(max) / 1000.0),
            mean_ms: if self.micros.is_empty() {
                0.0
            } else {
                self.micros.iter().map(|&m| f64::from(m)).sum::<f64>()
                    / self.micros.len() as f64
                    / 1000.0
            },
        }
    }
}

/// Latency percentiles of successful operations, in milliseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Errors by kind, e.g. `SignUp: UsernameExistsException (HTTP 400)`.
#[derive(Default)]
pub struct ErrorTally {
    pub by_kind: HashMap<String, u64>,
    /// The first full message of each kind, to show what went wrong.
    pub examples: HashMap<String, String>,
}

impl ErrorTally {
    pub fn record(&mut self, kind: String, message: impl FnOnce() -> String) {
        if !self.examples.contains_key(&kind) {
            self.examples.insert(kind.clone(), message());
        }
        *self.by_kind.entry(kind).or_default() += 1;
    }

    pub fn merge(&mut self, other: ErrorTally) {
        for (kind, count) in other.by_kind {
            *self.by_kind.entry(kind).or_default() += count;
        }
        for (kind, example) in other.examples {
            self.examples.entry(kind).or_insert(example);
        }
    }

    pub fn total(&self) -> u64 {
        self.by_kind.values().sum()
    }

    pub fn sorted(&self) -> BTreeMap<String, u64> {
        self.by_kind
            .iter()
            .map(|(kind, count)| (kind.clone(), *count))
            .collect()
    }
}

/// Clock ticks per second of `/proc/*/stat` times. 100 on every Linux architecture this runs on (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds of this process (all threads).
pub fn own_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| parse_stat(&stat))
        .map_or(0.0, |fields| fields.cpu_seconds)
}

/// User + system CPU seconds of a process and every live descendant (a server started through a wrapper such as `npx` runs in a child).
pub fn tree_cpu_seconds(pid: u32) -> Option<f64> {
    let tree = process_tree(pid);
    if tree.is_empty() {
        return None;
    }
    Some(
        tree.iter()
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
            .filter_map(|stat| parse_stat(&stat))
            .map(|fields| fields.cpu_seconds)
            .sum(),
    )
}

/// Resident memory of a process and its live descendants, in MiB (sum of `VmRSS`).
pub fn tree_rss_mib(pid: u32) -> Option<f64> {
    let tree = process_tree(pid);
    if tree.is_empty() {
        return None;
    }
    let kib: u64 = tree
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .sum();
    Some(kib as f64 / 1024.0)
}

struct StatFields {
    ppid: u32,
    cpu_seconds: f64,
}

/// `/proc/PID/stat`: the command name sits in parentheses and may hold spaces, so fields are counted after the last `)`.
fn parse_stat(stat: &str) -> Option<StatFields> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After `)`: state(3) ppid(4) ... utime(14) stime(15), so index = field number - 3.
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some(StatFields {
        ppid,
        cpu_seconds: (utime + stime) / TICKS_PER_SECOND,
    })
}

/// The pid and its live descendants; empty when the pid is gone.
fn process_tree(root: u32) -> Vec<u32> {
    if std::fs::metadata(format!("/proc/{root}")).is_err() {
        return Vec::new();
    }
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|name| name.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some(fields) = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| parse_stat(&stat))
            {
                children.entry(fields.ppid).or_default().push(pid);
            }
        }
    }
    let mut tree = vec![root];
    let mut next = 0;
    while next < tree.len() {
        if let Some(kids) = children.get(&tree[next]) {
            tree.extend(kids.iter().copied());
        }
        next += 1;
    }
    tree
}

/// The median of some figures (mean of the middle two when even); `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_over_every_sample() {
        let mut latencies = Latencies::default();
        for micros in (1..=100).rev() {
            latencies.record(micros * 1000);
        }
        let summary = latencies.summary();
        assert_eq!(summary.count, 100);
        assert_eq!(summary.p50_ms, 50.0);
        assert_eq!(summary.p90_ms, 90.0);
        assert_eq!(summary.p99_ms, 99.0);
        assert_eq!(summary.max_ms, 100.0);
    }

    #[test]
    fn stat_parsing_survives_spaces_and_parentheses_in_the_name() {
        let stat = "42 (a (b) c) S 7 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1 1 1";
        let fields = parse_stat(stat).expect("parses");
        assert_eq!(fields.ppid, 7);
        assert_eq!(fields.cpu_seconds, 3.0);
    }

    #[test]
    fn median_of_even_count_is_the_mean_of_the_middle_pair() {
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut []), None);
    }
}
