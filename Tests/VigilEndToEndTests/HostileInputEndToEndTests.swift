import Foundation
import Testing
import VigilTestSupport

/// The real binary on a real terminal follows a file while hostile lines are appended (issue
/// 12): it stays alive, no escape sequence planted in the feed reaches the terminal, its peak
/// memory stays under 256 MB, and `q` exits 0.
@Suite(.serialized) struct HostileInputEndToEndTests {
  static let esc = "\u{1B}"
  /// Planted sequences, each with a marker no legitimate output holds (as raw bytes).
  static let planted: [[UInt8]] = [
    Array("\(esc)]0;PLANTED-OSC\u{07}".utf8), Array("\(esc)[2JPLANTED-CSI".utf8),
    Array("\(esc)PPLANTED-DCS\(esc)\\".utf8), [0x9B] + Array("PLANTED-C1".utf8),
    [0xC2, 0x9B] + Array("PLANTED-C1U".utf8),
  ]

  static func ts(_ offset: Double = 0) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date().addingTimeInterval(offset))
  }

  static func line(
    _ metric: String, _ value: String, labels: String = "\"service\":\"edge\"", at t: String = ts()
  )
    -> String
  {
    "{\"ts\":\"\(t)\",\"metric\":\"\(metric)\",\"value\":\(value),\"labels\":{\(labels)}}\n"
  }

  /// The hostile lines, in stages (each appended, then the dashboard given time to draw).
  static func stages() -> [[UInt8]] {
    // The planted sequences as JSON escapes (accepted strings) and as raw bytes (rejected
    // lines, whose excerpts the rejected-lines view shows).
    var escapes = ""
    for p in planted {
      let json = String(decoding: p, as: UTF8.self).unicodeScalars.map {
        $0.value < 0x20 || (0x7F...0x9F).contains($0.value)
          ? String(format: "\\u%04x", $0.value) : String($0)
      }.joined()
      escapes += line("api_latency_ms", "12", labels: "\"service\":\"\(json)\"")
      escapes += line("metric_\(json)", "1")
      escapes += line("support_tickets_total", "1", labels: "\"reason\":\"\(json)\"")
    }
    var raw: [UInt8] = []
    for p in planted {
      raw += Array(
        "{\"ts\":\"\(ts())\",\"metric\":\"api_latency_ms\",\"value\":1,\"labels\":{\"service\":\""
          .utf8)
      raw += p + Array("\"}}\n".utf8)
      raw += Array("garbage ".utf8) + p + [0x0A]
    }
    raw += [0xFF, 0xFE, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0x0A]
    raw += Array(line("api_latency_ms", "5", labels: "\"service\":\"bad\u{FFFD}\"").utf8)
    var numbers = ""
    for v in [
      "123456789012345678901234567890", "1e300", "-1e300", "1.7976931348623157e308", "5e-324",
      "NaN", "Infinity", "-Infinity", "\"NaN\"", "9223372036854775808",
    ] {
      for m in [
        "api_latency_ms", "order_confirmation_delay_ms", "checkout_latency_ms",
        "payment_retries_total",
      ] {
        numbers += line(
          m, v, labels: "\"service\":\"edge\",\"stage\":\"total\",\"reason\":\"timeout\"")
      }
    }
    var times = ""
    for t in [
      "0001-01-01T00:00:00Z", "1677-09-21T00:12:44Z", "1970-01-01T00:00:00Z",
      "2262-04-11T23:47:16Z", "9999-12-31T23:59:59Z", ts(86_400 * 365),
    ] {
      times += line("api_latency_ms", "7", at: t)
    }
    let deep =
      String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
    let nested =
      "{\"ts\":\"\(ts())\",\"metric\":\"api_latency_ms\",\"value\":1,\"labels\":"
      + String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
      + "}\n"
    let long =
      "{\"ts\":\"\(ts())\",\"metric\":\"" + String(repeating: "x", count: 10 * 1024 * 1024)
      + "\",\"value\":1}\n"
    var flood = ""
    flood.reserveCapacity(100_000 * 120)
    let now = ts()
    for i in 0..<100_000 {
      flood +=
        "{\"ts\":\"\(now)\",\"metric\":\"order_placed\",\"value\":1,\"labels\":{\"order_id\":\"\(i)\"}}\n"
    }
    return [
      Array(escapes.utf8), raw, Array(numbers.utf8), Array(times.utf8), Array((deep + nested).utf8),
      Array(long.utf8), Array(flood.utf8),
    ]
  }

  @Test func hostileLinesNeitherKillNorReachTheTerminal() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "vigil-hostile-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("feed.jsonl").path
    try Data((0..<20).map { Self.line("api_latency_ms", "\($0 * 10)") }.joined().utf8).write(
      to: URL(fileURLWithPath: file))
    var env = currentEnvironment()
    env["TERM"] = "xterm-256color"
    env["LANG"] = "C.UTF-8"
    env["SWIFT_BACKTRACE"] = "enable=no"
    let vigil = try #require(
      PTYProcess([vigilBinary(), file], width: 120, height: 40, environment: env))
    defer { vigil.stop() }
    usleep(1_500_000)
    #expect(vigil.isRunning, "vigil did not start")
    let handle = try #require(FileHandle(forWritingAtPath: file))
    defer { try? handle.close() }
    // Views that show names, labels and rejected excerpts, opened in turn while lines arrive.
    let keys = ["e", "e", "o", "o", "F", "F", "a", "a", "H", "H", "t", "l", "j"]
    for (i, stage) in Self.stages().enumerated() {
      handle.seekToEndOfFile()
      handle.write(Data(stage))
      for k in 0..<3 {
        vigil.type(keys[(i * 3 + k) % keys.count])
        usleep(400_000)
      }
      #expect(vigil.isRunning, "vigil died after stage \(i)")
      if !vigil.isRunning { break }
    }
    usleep(1_000_000)
    let peak = vigil.statusKB("VmHWM") ?? 0
    print("hostile input: peak RSS (VmHWM) \(peak / 1024) MB")
    #expect(peak > 0 && peak < 256 * 1024, "peak RSS \(peak) kB")
    vigil.type("q")
    #expect(vigil.waitForExit(seconds: 10) == 0)
    let out = vigil.output
    #expect(out.count > 1000, "the dashboard drew nothing")
    // The markers were drawn (as harmless text), so the sequences had their chance.
    #expect(contains(out, Array("PLANTED".utf8)), "no planted marker was ever drawn")
    for p in Self.planted {
      #expect(
        !contains(out, p),
        "planted \(String(decoding: p, as: UTF8.self).debugDescription) reached the terminal")
    }
  }

  func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= hay.count, let first = needle.first else { return false }
    var i = 0
    while i + needle.count <= hay.count {
      if hay[i] == first && Array(hay[i..<(i + needle.count)]) == needle { return true }
      i += 1
    }
    return false
  }
}
