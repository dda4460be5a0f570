//! Fixtures shared by the benchmarks in `benches/` (run them with `cargo bench -p benches`).

use routeros_proto::Reply;

/// One `!re` row of `/queue/simple/print` with the 27 attributes RouterOS returns for a
/// simple queue: what a router with thousands of queues sends, row after row.
pub fn queue_row(i: usize) -> Reply {
    let mut r = Reply::re();
    let a = r.attributes_mut();
    a.push(".id", format!("*{:X}", i + 1));
    a.push("name", format!("house-{i:05}"));
    a.push(
        "target",
        format!("10.{}.{}.{}/32", i / 65536 % 256, i / 256 % 256, i % 256),
    );
    a.push("parent", "none");
    a.push("packet-marks", "");
    a.push("priority", "8/8");
    a.push("queue", "default-small/default-small");
    a.push("limit-at", "0/0");
    a.push("max-limit", "2000000/5000000");
    a.push("burst-limit", "0/0");
    a.push("burst-threshold", "0/0");
    a.push("burst-time", "0s/0s");
    a.push("bucket-size", "0.1/0.1");
    a.push("bytes", format!("{}/{}", i * 1_234_567, i * 7_654_321));
    a.push("total-bytes", "0");
    a.push("packets", format!("{}/{}", i * 1234, i * 7654));
    a.push("total-packets", "0");
    a.push("dropped", format!("{}/{}", i % 17, i % 29));
    a.push("total-dropped", "0");
    a.push(
        "rate",
        format!("{}/{}", i * 13 % 2_000_000, i * 37 % 5_000_000),
    );
    a.push("total-rate", "0");
    a.push("packet-rate", format!("{}/{}", i % 300, i % 900));
    a.push("queued-bytes", "0/0");
    a.push("queued-packets", "0/0");
    a.push("invalid", "false");
    a.push("dynamic", "false");
    a.push("disabled", "false");
    r
}
