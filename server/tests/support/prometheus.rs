//! A Prometheus scrape read by a parser nobody here wrote: the Prometheus project's own Python parser
//! (`prometheus_client`, strict OpenMetrics; scripts/setup installs it).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

/// Turns OpenMetrics text into `[[name, {labels}, value], …]` with `prometheus_client`'s parser.
const PARSE: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append([s.name, s.labels, s.value])
print(json.dumps(samples))
"#;

/// The scrape's samples, as the Python parser read them.
pub(crate) struct Samples(pub(crate) Vec<(String, BTreeMap<String, String>, f64)>);

impl Samples {
    pub(crate) fn parse(text: &str) -> Samples {
        let mut python = Command::new("python3")
            .args(["-c", PARSE])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs (scripts/setup installs prometheus-client)");
        python.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("written");
        let output = python.wait_with_output().expect("python3 finishes");
        assert!(output.status.success(), "the parser refused the scrape: {}\n{text}", String::from_utf8_lossy(&output.stderr));
        let rows: Vec<(String, BTreeMap<String, String>, f64)> = serde_json::from_slice(&output.stdout).expect("the script's JSON");
        Samples(rows)
    }

    /// The sum of `name`'s samples whose labels include every pair of `labels`.
    pub(crate) fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0.iter().filter(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))).map(|(_, _, v)| v).sum()
    }
}
