#![no_main]
//! MIKHMON's parsers (on-login header, sales record, batch and user comments, sales report)
//! never panic on any bytes; whatever parses renders back to text that parses to the same
//! value, in both date forms.
use libfuzzer_sys::fuzz_target;
use queue_model::clock::DateStyle;
use queue_model::hotspot::mikhmon::{BatchComment, OnLoginHeader, SalesRecord, UserComment};
use queue_model::hotspot::report::{Period, Report};

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = OnLoginHeader::from_script(data) {
        let text = h.to_string();
        assert_eq!(OnLoginHeader::from_script(text.as_bytes()).as_ref(), Ok(&h), "{text}");
        for style in [DateStyle::Legacy, DateStyle::Iso] {
            let script = h.render_script(&data.into(), style);
            assert_eq!(OnLoginHeader::from_script(script.as_bytes()).as_ref(), Ok(&h));
        }
    }
    if let Ok(r) = SalesRecord::parse(data) {
        for style in [DateStyle::Legacy, DateStyle::Iso] {
            let name = r.script_name(style);
            assert_eq!(SalesRecord::parse(name.as_bytes()).as_ref(), Ok(&r), "{name:?}");
        }
    }
    if let Ok(c) = BatchComment::parse(data) {
        assert_eq!(BatchComment::parse(c.to_text().as_bytes()).as_ref(), Ok(&c));
    }
    let _ = UserComment::parse(data);
    let lines = data.split(|&b| b == b'\n');
    let n = lines.clone().count() as u64;
    let report = Report::from_names(lines, Period::All);
    assert_eq!(report.count + report.skipped_count(), n);
});
