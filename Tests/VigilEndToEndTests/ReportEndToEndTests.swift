import Foundation
import Testing
import VigilTestSupport

/// `vigil report` on a real recording: the command line (default paths, formats, damaged and
/// unusable input), and the HTML in a real headless browser (Chromium): it loads without a
/// console message, its script ran under the page's content security policy, the charts are in
/// the DOM, and a screenshot shows them.
@Suite(.serialized) struct ReportEndToEndTests {
  /// A recording of `vigil` reading a generated 15-minute incident on event time, headless.
  static let recording = Result { try makeRecording() }

  static func makeRecording() throws -> String {
    // Directories of earlier runs whose process is gone (this one's stays for the suite).
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
    where name.hasPrefix("vigil-report-e2e-") {
      if let pid = Int32(name.dropFirst("vigil-report-e2e-".count)), kill(pid, 0) != 0,
        errno == ESRCH
      {
        try? FileManager.default.removeItem(atPath: "/tmp/" + name)
      }
    }
    let dir = "/tmp/vigil-report-e2e-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let feed = dir + "/feed.jsonl"
    let g = spawnAndWait([vigilBinary(), "generate", "--duration", "15m", "--rate-scale", "0.2"])
    try g.stdout.write(toFile: feed, atomically: true, encoding: .utf8)
    let rec = dir + "/checkout.incident.jsonl"
    let (status, _, err) = try runVigil([
      "--headless", "--frames", "12", "--record", rec, "--title", "checkout <incident> & co", feed,
    ])
    guard status == 0 else { throw Failure("recording failed: \(err)") }
    // A marker added while replaying, in the sidecar.
    let t = 1_795_687_200 + 7 * 60  // 10:07:00 on the demo's day
    let mark =
      "{\"k\":\"mark\",\"t\":\(Int64(t) * 1_000_000_000),\"text\":\"rollback <b>v2</b>\"}\n"
    try mark.write(
      toFile: dir + "/checkout.incident.notes.jsonl", atomically: true, encoding: .utf8)
    return rec
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  static func read(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
  }

  // MARK: Command line

  @Test func writesHTMLAndMarkdownBesideTheRecording() throws {
    let rec = try Self.recording.get()
    let html = rec.replacingOccurrences(of: ".jsonl", with: ".html")
    let md = rec.replacingOccurrences(of: ".jsonl", with: ".md")
    defer {
      try? FileManager.default.removeItem(atPath: html)
      try? FileManager.default.removeItem(atPath: md)
    }
    var (status, out, err) = try runVigil(["report", rec])
    #expect(status == 0, "\(err)")
    #expect(out.isEmpty && err.contains("wrote \(html)"), "\(err)")
    let page = Self.read(html)
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    #expect(page.contains("<title>checkout &lt;incident&gt; &amp; co · incident report</title>"))
    #expect(page.contains("rollback &lt;b&gt;v2&lt;/b&gt;"))
    #expect(page.contains("event time"))
    (status, out, err) = try runVigil(["report", rec, "--format", "md"])
    #expect(status == 0 && err.contains("wrote \(md)"), "\(err)")
    #expect(Self.read(md).hasPrefix("# checkout &lt;incident> &amp; co: incident report\n"))
    // --out - writes to standard output; --title replaces the recording's.
    (status, out, err) = try runVigil([
      "report", rec, "--format", "md", "--out", "-", "--title", "P1",
    ])
    #expect(status == 0)
    #expect(out.hasPrefix("# P1: incident report\n"))
    #expect(out.contains("| Time to first alert | **"))
    #expect(out.contains("rollback &lt;b>v2&lt;/b> (added in replay)"))
    // The same transitions as the headless replay recomputes.
    let (_, replayed, _) = try runVigil(["replay", "--headless", "--transitions", rec])
    let transitions = replayed.split(separator: "\n").count
    #expect(transitions >= 10)
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
    let timeline = lines.drop { $0 != "## Timeline" }.dropFirst(2).prefix { $0.hasPrefix("- ") }
    #expect(timeline.count == transitions + 1)
  }

  @Test func damagedAndUnusableRecordings() throws {
    let rec = try Self.recording.get()
    let dir = URL(fileURLWithPath: rec).deletingLastPathComponent().path
    // Cut mid-line, as kill -9 or a full disk leaves it: the replay's warning, and a report.
    var bytes = try Data(contentsOf: URL(fileURLWithPath: rec))
    bytes.removeLast(bytes.count / 3)
    let cut = dir + "/cut.incident.jsonl"
    try bytes.write(to: URL(fileURLWithPath: cut))
    defer {
      for p in [cut, dir + "/cut.incident.html", dir + "/empty.jsonl", dir + "/text.jsonl"] {
        try? FileManager.default.removeItem(atPath: p)
      }
    }
    let (status, _, err) = try runVigil(["report", cut])
    #expect(status == 0, "\(err)")
    let (_, _, replayErr) = try runVigil(["replay", "--headless", cut])
    let warnings = replayErr.split(separator: "\n").filter { $0.hasPrefix("vigil replay: ") }
    #expect(!warnings.isEmpty && warnings.contains { $0.contains("cut off at byte") })
    for w in warnings {
      let same = "vigil report: " + w.dropFirst("vigil replay: ".count)
      #expect(err.contains(same), "\(err)")
    }
    #expect(Self.read(dir + "/cut.incident.html").contains("cut off at byte"))
    // Unusable input: exit 1 with a clear message, and nothing written.
    try "".write(toFile: dir + "/empty.jsonl", atomically: true, encoding: .utf8)
    try "ts,metric,value\n".write(toFile: dir + "/text.jsonl", atomically: true, encoding: .utf8)
    for (file, message) in [
      (dir + "/missing.jsonl", "cannot read the file"), (dir + "/empty.jsonl", "the file is empty"),
      (dir + "/text.jsonl", "not a Vigil incident recording"),
    ] {
      let (status, out, err) = try runVigil(["report", file])
      #expect(status == 1, "\(file)")
      #expect(out.isEmpty && err.hasPrefix("vigil report: ") && err.contains(message), "\(err)")
      let html = file.replacingOccurrences(of: ".jsonl", with: ".html")
      #expect(!FileManager.default.fileExists(atPath: html))
    }
    let (bad, _, badErr) = try runVigil(["report", rec, "--format", "pdf"])
    #expect(bad == 64 && badErr.contains("--format takes html or md"), "\(badErr)")
    let (unwritable, _, why) = try runVigil(["report", rec, "--out", "/nonexistent/dir/x.html"])
    #expect(unwritable == 1 && why.contains("cannot write /nonexistent/dir/x.html"), "\(why)")
  }

  // MARK: In a real browser

  /// Chromium from the system's packages (`Tests/run.sh` installs it); the test fails, never
  /// skips, when it is missing or cannot run.
  static func chromium() throws -> String {
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"]
    where FileManager.default.isExecutableFile(atPath: path) {
      return path
    }
    throw Failure("chromium is not installed (Tests/run.sh installs it: apt-get install chromium)")
  }

  /// Runs headless Chromium on `url` with `flags`; returns (status, stdout, stderr).
  static func browse(_ url: String, _ flags: [String]) throws -> SpawnResult {
    let profile = "/tmp/vigil-chromium-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    defer { try? FileManager.default.removeItem(atPath: profile) }
    let argv =
      [
        try chromium(), "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run",
        "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
      ] + flags + [url]
    let r = spawnAndWait(argv, timeoutSeconds: 60)
    guard r.status == 0 else {
      throw Failure("chromium exit \(r.status): \(r.stderr.suffix(2000))")
    }
    return r
  }

  /// Console messages Chromium logged (`--enable-logging=stderr`).
  static func consoleLines(_ stderr: String) -> [Substring] {
    stderr.split(separator: "\n").filter { $0.contains("CONSOLE") }
  }

  @Test func theReportLoadsInChromiumWithItsChartsAndRenders() throws {
    let rec = try Self.recording.get()
    let dir = URL(fileURLWithPath: rec).deletingLastPathComponent().path
    let html = dir + "/browser.html"
    let png = dir + "/browser.png"
    let control = dir + "/control.html"
    defer {
      for p in [html, png, control] { try? FileManager.default.removeItem(atPath: p) }
    }
    let (status, _, err) = try runVigil(["report", rec, "--out", html])
    #expect(status == 0, "\(err)")

    // The console is captured: a page that logs an error shows up.
    try "<!DOCTYPE html><title>c</title><script>console.error('control-error')</script>"
      .write(toFile: control, atomically: true, encoding: .utf8)
    let c = try Self.browse("file://" + control, ["--dump-dom"])
    #expect(Self.consoleLines(c.stderr).contains { $0.contains("control-error") }, "\(c.stderr)")

    // The report: no console message at all (no script error, no CSP violation), the script
    // ran (data-ok), and every chart is in the DOM with its line.
    let r = try Self.browse("file://" + html, ["--dump-dom"])
    #expect(Self.consoleLines(r.stderr).isEmpty, "\(Self.consoleLines(r.stderr))")
    let dom = r.stdout
    #expect(dom.contains("data-ok=\"1\""), "\(dom.prefix(300))")
    #expect(dom.contains("data-charts=\"6\""))
    let charts = dom.components(separatedBy: "<svg class=\"chart\"").dropFirst()
    #expect(charts.count == 6)
    for (chart, key) in zip(
      charts,
      [
        "api_latency", "checkout_latency", "order_confirmation_delay", "payment_retries",
        "inventory_mismatch", "support_tickets",
      ])
    {
      let svg = chart.components(separatedBy: "</svg>")[0]
      #expect(svg.contains("data-signal=\"\(key)\""))
      #expect(svg.contains("<path class=\"line\""), "\(key)")
      #expect(svg.contains("class=\"threshold\""), "\(key)")
      #expect(svg.contains("<title id=\"title-\(key)\">"))
    }
    let firingBands = dom.components(separatedBy: "class=\"band-firing\"").count - 1
    #expect(firingBands >= 4)
    #expect(dom.contains("<svg class=\"timeline\""))
    #expect(dom.components(separatedBy: "class=\"seg-firing\"").count - 1 >= 4)

    // One rendered screenshot: the right size, and not blank (many colours, the charts' lines).
    _ = try Self.browse(
      "file://" + html, ["--screenshot=\(png)", "--window-size=1200,2000", "--hide-scrollbars"])
    #expect(FileManager.default.fileExists(atPath: png))
    let stats = spawnAndWait(["python3", "-c", Self.pngStats, png], timeoutSeconds: 60)
    #expect(stats.status == 0, "\(stats.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
    #expect(json?["width"] as? Int == 1200 && json?["height"] as? Int == 2000, "\(stats.stdout)")
    #expect((json?["colours"] as? Int ?? 0) > 100, "\(stats.stdout)")
    #expect((json?["variance"] as? Double ?? 0) > 100, "\(stats.stdout)")
    // The charts' line colour (a blue) on a few hundred sampled pixels.
    #expect((json?["blue"] as? Int ?? 0) > 300, "\(stats.stdout)")
  }

  /// A small PNG decoder (8-bit RGB/RGBA, no interlace): size, distinct colours, luminance
  /// variance and blue line pixels over every other pixel of every other row.
  static let pngStats = #"""
    import json, struct, sys, zlib
    data = open(sys.argv[1], "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    colours, lum, blue = set(), [], 0
    for y in range(0, h, 2):
        line = rows[y]
        for x in range(0, w, 2):
            r, g, b = line[x * bpp], line[x * bpp + 1], line[x * bpp + 2]
            colours.add((r, g, b))
            lum.append(0.299 * r + 0.587 * g + 0.114 * b)
            if b > 120 and r < 90 and g < 140:
                blue += 1
    mean = sum(lum) / len(lum)
    var = sum((v - mean) ** 2 for v in lum) / len(lum)
    print(json.dumps({"width": w, "height": h, "colours": len(colours), "variance": var, "blue": blue}))
    """#
}
