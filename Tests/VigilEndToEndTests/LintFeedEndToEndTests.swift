import Foundation
import Testing
import VigilTestSupport

/// `vigil lint-feed` as an operator runs it: the real binary, files and standard input.
@Suite struct LintFeedEndToEndTests {
  static let repo: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
    {
      url.deleteLastPathComponent()
    }
    return url
  }()

  func objects(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
  }

  func write(_ text: String, _ name: String) throws -> String {
    let path = "/tmp/vigil-lint-\(getpid())-\(name)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Issue 15 item 11: without --format the format is detected from the first lines, as the
  /// dashboard detects it, and the summary says which and that it was detected.
  /// (InfluxDB line protocol is not detected, in the dashboard either: give `--format influx`.)
  @Test(arguments: [
    ("incident.logfmt", "logfmt"), ("incident.csv", "csv"), ("incident.jsonl", "json"),
  ])
  func withoutFormatTheFormatIsDetected(file: String, format: String) throws {
    let path = Self.repo.appendingPathComponent("sample-feeds/" + file).path
    let (status, out, err) = try runVigil(["lint-feed", path])
    #expect(status == 0, "\(err)")
    #expect(err.contains("0 rejected, 0 warnings: valid \(format) (detected)"), "\(err)")
    #expect(objects(out).count > 1000)
    let scrape = try runVigil(["lint-feed", "-"], stdin: "# TYPE x gauge\nx{a=\"b\"} 1\n")
    #expect(scrape.2.contains("1 samples, 0 rejected, 0 warnings: valid prometheus (detected)"))
  }

  @Test func aValidScrapeFromAFile() throws {
    let body = """
      # HELP http_requests_total Requests.
      # TYPE http_requests_total counter
      http_requests_total{code="200",path="/checkout"} 1027 1795687200000
      http_requests_total{code="500",path="/checkout"} 3 1795687200000
      # TYPE lat_seconds histogram
      lat_seconds_bucket{le="0.1"} 5
      lat_seconds_bucket{le="+Inf"} 7
      lat_seconds_sum 1.25
      lat_seconds_count 7

      """
    let path = try write(body, "ok.prom")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (status, out, err) = try runVigil([
      "lint-feed", "--format", "prometheus", "--time", "2026-11-26T10:00:05Z", path,
    ])
    #expect(status == 0, "\(err)")
    let lines = out.split(separator: "\n")
    let parsed = objects(out)
    #expect(parsed.count == 6 && lines.count == 6, "every line is one JSON object: \(out)")
    #expect(parsed.map { $0["line"] as? Int } == [3, 4, 6, 7, 8, 9])
    #expect(parsed.first?["t"] as? String == "2026-11-26T10:00:00Z")
    #expect(parsed.last?["t"] as? String == "2026-11-26T10:00:05Z", "no timestamp: --time")
    #expect(parsed.first?["value"] as? Int == 1027, "counters as written, not deltas")
    #expect((parsed.first?["labels"] as? [String: String]) == ["code": "200", "path": "/checkout"])
    #expect(parsed.allSatisfy { $0["weight"] as? Int == 1 })
    #expect(err.contains("6 samples, 0 rejected, 0 warnings: valid"), "\(err)")
  }

  @Test func oneBadLineInvalidatesTheWholeExposition() throws {
    let (status, out, err) = try runVigil(
      ["lint-feed", "--format", "prometheus", "-"], stdin: "ok 1\nthis is not valid\n")
    #expect(status == 1)
    #expect(out.isEmpty, "nothing from an invalid exposition")
    #expect(err.contains("line 2: bad value: value \"is\" is not a number"), "\(err)")
    #expect(err.contains("| this is not valid"))
  }

  @Test func openMetricsNeedsEOF() throws {
    let body = "# TYPE foo counter\nfoo_total 1 1520879607.789\n"
    let (bad, _, err) = try runVigil(["lint-feed", "--format", "openmetrics", "-"], stdin: body)
    #expect(bad == 1)
    #expect(err.contains("line 3: malformed: no # EOF line"), "\(err)")
    let (good, out, _) = try runVigil(
      ["lint-feed", "--format", "openmetrics", "-"], stdin: body + "# EOF\n")
    #expect(good == 0)
    #expect(objects(out).first?["t"] as? String == "2018-03-12T18:33:27.789Z", "seconds (F9)")
  }

  /// OpenMetrics 1.0 as its specification says: escapes, several timestamps of one series and
  /// long fractional timestamps are valid; a negative counter is not.
  @Test func openMetricsFollowsTheSpec() throws {
    let good = """
      # TYPE a counter
      # HELP a x\\y \\z
      a_total{p="\\q"} 1 1520879607.123456789
      a_total{p="\\q"} 2 1520879608
      # EOF

      """
    let (ok, out, err) = try runVigil(["lint-feed", "--format", "openmetrics", "-"], stdin: good)
    #expect(ok == 0, "\(err)")
    #expect(objects(out).count == 2)
    #expect(err.contains("2 samples, 0 rejected, 0 warnings: valid"), "\(err)")
    let bad = "# TYPE a counter\na_total -1\n# EOF\n"
    let (status, badOut, badErr) = try runVigil(
      ["lint-feed", "--format", "openmetrics", "-"], stdin: bad)
    #expect(status == 1)
    #expect(badOut.isEmpty)
    #expect(badErr.contains("line 2: bad value: a_total is a counter value"), "\(badErr)")
  }

  @Test func warningsAndDuplicatesExitOne() throws {
    let (late, lateOut, lateErr) = try runVigil(
      ["lint-feed", "--format", "prometheus", "-"], stdin: "late 1\n# TYPE late gauge\n")
    #expect(late == 1)
    #expect(objects(lateOut).count == 1, "the scraper would take it")
    #expect(lateErr.contains("line 2: warning: TYPE for late comes after its samples"))
    let (dup, dupOut, dupErr) = try runVigil(
      ["lint-feed", "--format", "prometheus", "-"], stdin: "dup 1\ndup 2\n")
    #expect(dup == 1)
    #expect(objects(dupOut).map { $0["value"] as? Int } == [1])
    #expect(dupErr.contains("line 2: duplicate series"))
  }

  @Test(arguments: ["json", "csv", "logfmt"])
  func theCommittedSampleFeedsAreValid(_ format: String) throws {
    let ext = format == "json" ? "jsonl" : format
    let path = Self.repo.appendingPathComponent("sample-feeds/incident.\(ext)").path
    let (status, out, err) = try runVigil(["lint-feed", "--format", format, path])
    #expect(status == 0, "\(err)")
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    let samples = objects(out)
    #expect(samples.count == lines.count - (format == "csv" ? 1 : 0))
    #expect(samples.first?["line"] as? Int == (format == "csv" ? 2 : 1))
  }

  @Test func badLinesAreListedOnePerLine() throws {
    let path = Self.repo.appendingPathComponent("sample-feeds/bad-lines.jsonl").path
    let (status, out, err) = try runVigil(["lint-feed", "--format", "json", path])
    #expect(status == 1)
    let problems = err.split(separator: "\n").filter { $0.hasPrefix("line ") }
    let total = try Data(contentsOf: URL(fileURLWithPath: path)).filter { $0 == 0x0A }.count
    #expect(problems.count + objects(out).count == total, "\(err)")
    #expect(problems.count >= 5)
  }

  @Test func whatIsPrintedIsEscaped() throws {
    let evil = "m{a=\"\u{1B}[2J\u{202E}\"} 1\nn{b=\"\u{9B}31m\"} x\u{1B}]0;pwned\u{7}\n"
    let (_, out, err) = try runVigil(["lint-feed", "--format", "prometheus", "-"], stdin: evil)
    for text in [out, err] {
      #expect(
        !text.unicodeScalars.contains {
          ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) || $0.value == 0x202E
        })
    }
    let (ok, okOut, _) = try runVigil(
      ["lint-feed", "--format", "prometheus", "-"], stdin: "m{a=\"\u{1B}[2J\u{202E}\"} 1\n")
    #expect(ok == 0)
    #expect(
      (objects(okOut).first?["labels"] as? [String: String])?["a"] == "\u{1B}[2J\u{202E}",
      "JSON unescapes back")
  }

  @Test func badArguments() throws {
    let (status, _, err) = try runVigil(["lint-feed", "--format", "xml", "-"], stdin: "")
    #expect(status == 64, "\(err)")
    #expect(err.contains("prometheus"))
    let (missing, _, missingErr) = try runVigil(["lint-feed", "--format", "json", "/nonexistent/x"])
    #expect(missing == 1)
    #expect(missingErr.contains("/nonexistent/x"))
  }

  /// The dashboard follows a file of expositions separated by `# EOF` (format detected from
  /// `# TYPE`): histogram percentiles from bucket increases, counter increases as rates.
  @Test func theDashboardReadsExpositionsFromAFile() throws {
    func scrape(_ fast: Int, _ mid: Int, _ all: Int, _ retries: Int) -> String {
      """
      # TYPE api_latency_ms histogram
      api_latency_ms_bucket{service="checkout",le="100"} \(fast)
      api_latency_ms_bucket{service="checkout",le="500"} \(mid)
      api_latency_ms_bucket{service="checkout",le="+Inf"} \(all)
      api_latency_ms_count{service="checkout"} \(all)
      api_latency_ms_sum{service="checkout"} 1000
      # TYPE payment_retries_total counter
      payment_retries_total{reason="timeout"} \(retries)
      # EOF

      """
    }
    let path = try write(scrape(10, 20, 21, 5) + scrape(110, 200, 221, 9), "feed.prom")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (status, out, err) = try runVigil(["--headless", "--frames", "1", "--size", "120x40", path])
    #expect(status == 0, "\(err)")
    // Increases: 100 in (0, 100], 80 in (100, 500], 20 above: p50 100 ms, p99 at the +Inf
    // bucket, so the highest finite bound.
    #expect(out.contains("500ms worst p99"), "\(out)")
    #expect(out.contains("checkout                             500ms   100ms"), "\(out)")
    #expect(out.contains("timeout 4"), "the retries counter rose by 4: \(out)")
    #expect(out.contains("rejected 0"), "\(out)")
  }
}
