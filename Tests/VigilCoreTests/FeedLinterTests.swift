import Testing
import VigilTestSupport

@testable import VigilCore

@Suite struct FeedLinterTests {
  func lint(_ format: FeedFormat, _ input: String, chunk: Int = 7) -> (FeedLinter, LintOutput) {
    var linter = FeedLinter(format: format, arrival: testArrival)
    var out = LintOutput()
    let bytes = Array(input.utf8)
    var start = 0
    bytes.withUnsafeBytes { raw in
      while start < raw.count {
        let end = min(raw.count, start + chunk)
        linter.push(UnsafeRawBufferPointer(rebasing: raw[start..<end]), into: &out)
        start = end
      }
    }
    linter.finish(into: &out)
    return (linter, out)
  }

  @Test func exposition() {
    let (l, out) = lint(
      .prometheus,
      "# TYPE h histogram\nh_bucket{le=\"0.5\"} 3\nh_bucket{le=\"+Inf\"} 4\nh_count 4\nh_sum 1.5 1795694400123\n"
    )
    #expect(l.isValid)
    #expect(
      out.stdout == [
        #"{"line":2,"t":"2026-11-26T12:00:00Z","metric":"h_bucket","labels":{"le":"0.5"},"value":3,"weight":1}"#,
        #"{"line":3,"t":"2026-11-26T12:00:00Z","metric":"h_bucket","labels":{"le":"+Inf"},"value":4,"weight":1}"#,
        #"{"line":4,"t":"2026-11-26T12:00:00Z","metric":"h_count","labels":{},"value":4,"weight":1}"#,
        #"{"line":5,"t":"2026-11-26T12:00:00.123Z","metric":"h_sum","labels":{},"value":1.5,"weight":1}"#,
      ])
    #expect(out.stderr.isEmpty)
  }

  @Test func invalidExpositionPrintsNoSample() {
    let (l, out) = lint(.openmetrics, "a 1\nb 2\n")
    #expect(!l.isValid)
    #expect(out.stdout.isEmpty)
    #expect(out.stderr.count == 1)
    #expect(out.stderr[0].hasPrefix("line 3: malformed: no # EOF line"))
  }

  @Test func warningsMakeTheInputInvalid() {
    let (l, out) = lint(.prometheus, "late 1\n# TYPE late gauge\n")
    #expect(!l.isValid)
    #expect(l.warnings == 1 && l.rejected == 0 && l.samples == 1)
    #expect(out.stdout.count == 1)
    #expect(
      out.stderr == [
        "line 2: warning: TYPE for late comes after its samples (line 1); applied to them"
      ])
  }

  @Test func lineFormatsReportEachLine() {
    let input = """
      ts,metric,value,svc
      2026-11-26T10:00:00Z,a,1,x
      2026-11-26T10:00:01Z,a,oops,x
      2026-11-26T10:00:02Z,a,3

      """
    let (l, out) = lint(.csv, input)
    #expect(!l.isValid)
    #expect(l.samples == 1 && l.rejected == 2)
    #expect(out.stdout.map { $0.prefix(10) } == [#"{"line":2,"#])
    #expect(out.stderr.map { $0.prefix(7) } == ["line 3:", "line 4:"])
    #expect(out.stderr[1].contains("wrong field count"))
  }

  @Test func everythingPrintedIsSafeForATerminal() {
    let (_, out) = lint(.prometheus, "m{a=\"\u{202E}\u{1B}[2J\u{9B}\"} 1\nbad\u{1B}]0;x\u{7} 1\n")
    #expect(out.stdout.isEmpty)
    for line in out.stdout + out.stderr {
      #expect(!line.unicodeScalars.contains(where: isUnsafeForTerminal), "\(line)")
    }
    let (_, good) = lint(.prometheus, "m{a=\"\u{202E}\u{1B}[2J\u{9B}\"} 1\n")
    #expect(
      good.stdout == [
        #"{"line":1,"t":"2026-11-26T12:00:00Z","metric":"m","labels":{"a":"\u202e\u001b[2J\u009b"},"value":1,"weight":1}"#
      ])
  }

  @Test func nonFiniteValuesAreStrings() {
    let (_, out) = lint(.prometheus, "a NaN\nb +Inf\nc -Inf\n")
    #expect(
      out.stdout.map { $0.split(separator: ",")[4] } == [
        #""value":"NaN""#, #""value":"+Inf""#, #""value":"-Inf""#,
      ])
  }
}
