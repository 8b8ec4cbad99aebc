import Testing
import VigilTestSupport

@testable import VigilCore

/// SEMANTICS §13 F1–F10: the Prometheus text and OpenMetrics vectors.
@Suite struct ParsingPrometheusVectorTests {
  @Test func f1LabelEscapes() {
    let r = raw(#"esc{path="C:\\DIR\\F.TXT",msg="a\"b\nc"} 1"# + "\n")
    #expect(r.issues.isEmpty)
    #expect(
      r.samples == [
        PromSample(
          key: key("esc", [("path", #"C:\DIR\F.TXT"#), ("msg", "a\"b\nc")]), ns: testNs, value: 1)
      ])
  }

  @Test(arguments: ["0x10", "0x1p4", "1_000", "1e400"])
  func f2GoFloatRejectsTheWholeExposition(_ value: String) {
    let r = raw("ok 1\na \(value)\nalso 2\n")
    #expect(r.samples.isEmpty, "nothing is ingested")
    #expect(r.issues.count == 1)
    #expect(r.issues.first?.line == 2)
    #expect(r.issues.first?.reason == .badValue)
    #expect(r.issues.first?.excerpt == "a \(value)")
    #expect(r.issues.first?.detail.contains("whole exposition") == true)
  }

  @Test func f2SwiftWouldHaveAcceptedTwoOfThem() {
    // The pitfall the vector guards against (SEMANTICS §9.9).
    #expect(Double("0x10") == 16)
    #expect(Double("1e400") == .infinity)
    #expect(GoFloat.parse("0x10") == nil)
    #expect(GoFloat.parse("1e400") == nil)
  }

  @Test func f3GoFloatAccepts() {
    let r = raw("a Infinity\nb inf\nc nan\nd .5\ne 5.\nf -0\ng -Inf\nh +inf\ni NaN\nj 1e-400\n")
    #expect(r.issues.isEmpty)
    let values = r.samples.map(\.value)
    #expect(values.count == 10)
    #expect(values[0] == .infinity && values[1] == .infinity)
    #expect(values[2].isNaN && values[8].isNaN)
    #expect(values[3] == 0.5 && values[4] == 5)
    #expect(values[5] == 0 && values[5].sign == .minus)
    #expect(values[6] == -.infinity && values[7] == .infinity)
    #expect(values[9] == 0)
  }

  @Test(arguments: ["+nan", "-nan", "infin", "1e", ".", "+", "1.2.3", "0b1", "１"])
  func goFloatRejects(_ value: String) {
    #expect(GoFloat.parse(value) == nil, "\(value)")
  }

  @Test func f4OneBadLineFailsTheScrape() {
    var h = PromHarness()
    let r = h.parse("ok 1\nthis is not valid\n")
    #expect(r.samples.isEmpty)
    #expect(r.issues.count == 1)
    #expect(r.issues[0].line == 2)
    #expect(r.issues[0].reason == .badValue)
    #expect(r.issues[0].detail.hasPrefix("value \"is\" is not a number"))
    #expect(h.sink.interner.count == 0, "a rejected exposition creates no series")
  }

  @Test func f4LineNumbersCountFromTheRecordsFirstLine() {
    var h = PromHarness()
    let r = h.parse("ok 1\n\n# comment\nbad{ 1\n", line: 40)
    #expect(r.issues.map(\.line) == [43])
    #expect(r.issues.first?.reason == .malformed)
  }

  @Test func f5DuplicateKeepsTheFirst() {
    let r = raw("dup 1\ndup 2\nother{a=\"1\"} 3\nother{a=\"1\"} 4\n")
    #expect(r.samples.map(\.value) == [1, 3])
    #expect(r.issues.map(\.reason) == [.duplicateSeries, .duplicateSeries])
    #expect(r.issues.map(\.line) == [2, 4])
  }

  @Test func f5LabelOrderDoesNotMakeADifferentSeries() {
    let r = raw("m{a=\"1\",b=\"2\"} 1\nm{b=\"2\",a=\"1\"} 2\n")
    #expect(r.samples.map(\.value) == [1])
    #expect(r.issues.map(\.reason) == [.duplicateSeries])
  }

  @Test func f6TypeAfterSamplesIsAcceptedWithAWarning() {
    let r = raw("late 1\n# TYPE late gauge\n")
    #expect(r.issues.isEmpty)
    #expect(r.samples == [PromSample(key: key("late"), ns: testNs, value: 1)])
    #expect(r.warnings.count == 1)
    #expect(r.warnings.first?.line == 2)
    #expect(r.warnings.first?.detail.contains("after its samples") == true)
  }

  @Test func f6ALateCounterTypeStillMakesItACounter() {
    var h = PromHarness()
    _ = h.parse("late_total 5\n# TYPE late_total counter\n")
    let r = h.parse(
      "late_total 8\n# TYPE late_total counter\n", at: testArrival.adding(Nanos.minute))
    #expect(r.samples == [PromSample(key: key("late_total"), ns: testNs + Nanos.minute, value: 3)])
    #expect(r.warnings.count == 1)
  }

  @Test func f7ExplicitTimestampIsKept() {
    let tenMinutesAgo = testNs / Nanos.millisecond - 10 * 60 * 1000
    var h = PromHarness()
    let r = h.parse("# TYPE temp gauge\ntemp 21.5 \(tenMinutesAgo)\nnow 1\n")
    #expect(r.samples.map(\.ns) == [tenMinutesAgo * Nanos.millisecond, testNs])
    // Stored at that time: in the 15-minute window, not in the last 5 minutes.
    var store = MetricStore()
    for s in h.sink.samples { #expect(store.ingest(s, now: testArrival) == .accepted) }
    let temp = h.sink.samples[0].series
    #expect(store.stats(temp, window: 5 * Nanos.minute, at: testArrival).count == 0)
    #expect(store.stats(temp, window: 15 * Nanos.minute, at: testArrival).count == 1)
  }

  @Test func f8OpenMetricsWithoutEOFIsRejected() {
    let r = raw("# TYPE a gauge\na 1\n", .openMetrics)
    #expect(r.samples.isEmpty)
    #expect(r.issues.count == 1)
    #expect(r.issues.first?.line == 3)
    #expect(r.issues.first?.detail.contains("# EOF") == true)
    let ok = raw("# TYPE a gauge\na 1\n# EOF\n", .openMetrics)
    #expect(ok.issues.isEmpty && ok.samples.count == 1)
    let noNewline = raw("a 1\n# EOF", .openMetrics)
    #expect(noNewline.issues.isEmpty && noNewline.samples.count == 1)
  }

  @Test func f9TimestampUnits() {
    let om = raw("# TYPE foo counter\nfoo_total 1 1520879607.789\n# EOF\n", .openMetrics)
    #expect(om.issues.isEmpty)
    #expect(om.samples.map(\.ns) == [1_520_879_607_789_000_000])
    let text = raw("foo_total 1 1520879607789\n")
    #expect(text.samples.map(\.ns) == [1_520_879_607_789_000_000])
    // A float in 0.0.4 is not milliseconds: rejected.
    #expect(raw("foo_total 1 1520879607.789\n").issues.first?.reason == .badTimestamp)
  }

  @Test func f10CounterFamilyNaming() {
    var om = PromHarness(.openMetrics)
    _ = om.parse("# TYPE foo counter\nfoo_total 5\n# EOF\n")
    let omNext = om.parse(
      "# TYPE foo counter\nfoo_total 7\n# EOF\n", at: testArrival.adding(Nanos.minute))
    var text = PromHarness(.prometheus)
    _ = text.parse("# TYPE foo_total counter\nfoo_total 5\n")
    let textNext = text.parse(
      "# TYPE foo_total counter\nfoo_total 7\n", at: testArrival.adding(Nanos.minute))
    let expected = [PromSample(key: key("foo_total"), ns: testNs + Nanos.minute, value: 2)]
    #expect(omNext.samples == expected)
    #expect(textNext.samples == expected)
    #expect(omNext.issues.isEmpty && textNext.issues.isEmpty)
  }
}
