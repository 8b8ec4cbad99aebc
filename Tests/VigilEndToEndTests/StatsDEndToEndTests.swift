import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A UDP socket bound to a port of the kernel's choice on 127.0.0.1, and that port.
private func boundUDPSocket() -> (fd: Int32, port: UInt16) {
  let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
  var a = sockaddr_in()
  a.sin_family = sa_family_t(AF_INET)
  a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
  var len = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &a) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      _ = bind(fd, $0, len)
      return getsockname(fd, $0, &len)
    }
  }
  return (fd, UInt16(bigEndian: a.sin_port))
}

/// A UDP port nothing listens on right now (bound to 0, then released).
private func freeUDPPort() -> UInt16 {
  let (fd, port) = boundUDPSocket()
  close(fd)
  return port
}

private func sendUDP(_ text: String, port: UInt16) {
  let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
  defer { close(fd) }
  var a = sockaddr_in()
  a.sin_family = sa_family_t(AF_INET)
  a.sin_port = port.bigEndian
  a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
  let bytes = Array(text.utf8)
  _ = bytes.withUnsafeBytes { b in
    withUnsafePointer(to: &a) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
  }
}

@Suite(.serialized) struct StatsDEndToEndTests {
  /// The real binary listening with `--statsd PORT`: DogStatsD timers fill the API latency
  /// panel, a garbage line is rejected and listed under `e` with the feed's name.
  @Test func statsdDatagramsReachTheDashboard() throws {
    let port = freeUDPPort()
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type("\(vigilBinary()) --statsd \(port)")
    #expect(tmux.waitForText(["feeds 1/1 ok", "API latency by service"], timeout: 20) != nil)
    var screen: [String]? = nil
    for i in 0..<100 where screen == nil {
      sendUDP(
        "api_latency_ms:\(200 + i % 5)|ms|@0.5|#service:checkout\n"
          + "api_latency_ms:40|ms|#service:search\nbad:x|c",
        port: port)
      screen = tmux.waitForText(["checkout", "search", "rejected"], timeout: 0.1)
    }
    #expect(screen != nil, "\(tmux.screen().joined(separator: "\n"))")
    #expect(tmux.waitForText(["rejected", "(e)"], timeout: 5) != nil)
    try tmux.keys("e")
    let rejected = tmux.waitForText(["statsd:\(port): bad value", "bad:x|c"], timeout: 5)
    #expect(rejected != nil, "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func addressesAreCheckedAndAPortInUseIsReported() throws {
    let (status, _, err) = try runVigil(["--statsd", ":8125", "--headless"])
    #expect(status == 64)
    #expect(err.contains("give the address to listen on"), "\(err)")
    // Something already listens on the port: exit 1 with the reason.
    let (fd, busy) = boundUDPSocket()
    defer { close(fd) }
    let (status2, _, err2) = try runVigil(["--statsd", "127.0.0.1:\(busy)", "--headless"])
    #expect(status2 == 1)
    #expect(err2.contains("--statsd 127.0.0.1:\(busy): Address already in use"), "\(err2)")
  }

  /// The committed line-protocol sample shows the incident like its JSON twin.
  @Test func influxSampleFileShowsTheIncident() throws {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "sample-feeds")
    let (status, out, err) = try runVigil([
      "--format", "influx", dir.appendingPathComponent("incident.influx").path, "--headless",
      "--size", "100x30",
    ])
    #expect(status == 0, "\(err)")
    #expect(out.contains("payment") && out.contains("checkout"), "\(out)")
    #expect(out.contains("rejected 0"))
    #expect(out.contains("(event time)"))
  }
}
