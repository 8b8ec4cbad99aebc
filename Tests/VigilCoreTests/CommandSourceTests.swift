import Foundation
import Testing
import VigilTestSupport

@testable import VigilCore

@Suite struct RestartBackoffTests {
  @Test func doublesFromOneSecondToAMinute() {
    var b = RestartBackoff()
    let quick = 100 * Nanos.millisecond
    let delays = (0..<9).map { _ in b.delay(afterRunning: quick) / Nanos.second }
    #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60, 60])
  }

  @Test func aSteadyRunStartsTheScheduleOver() {
    var b = RestartBackoff()
    for _ in 0..<5 { _ = b.delay(afterRunning: Nanos.second) }
    #expect(b.delay(afterRunning: 29 * Nanos.second) == 32 * Nanos.second)
    #expect(b.delay(afterRunning: 30 * Nanos.second) == Nanos.second)
    #expect(b.delay(afterRunning: 0) == 2 * Nanos.second)
  }

  @Test func customScheduleNeverOverflows() {
    var b = RestartBackoff(initial: 3, maximum: .max, steadyAfter: .max)
    var last: Int64 = 0
    for _ in 0..<100 {
      let d = b.delay(afterRunning: 0)
      #expect(d >= last && d > 0)
      last = d
    }
    #expect(last == .max)
    var odd = RestartBackoff(initial: 50 * Nanos.millisecond, maximum: 120 * Nanos.millisecond)
    #expect(
      (0..<4).map { _ in odd.delay(afterRunning: 0) / Nanos.millisecond } == [50, 100, 120, 120])
  }
}

@Suite struct StderrTailTests {
  func push(_ tail: inout StderrTail, _ bytes: [UInt8]) -> [String] {
    bytes.withUnsafeBytes { tail.push($0) }
  }

  @Test func linesAcrossChunksAndTheLastUnterminatedOne() {
    var t = StderrTail()
    #expect(push(&t, Array("warn: a\r\nwarn: ".utf8)) == ["warn: a"])
    #expect(push(&t, Array("b\nhalf".utf8)) == ["warn: b"])
    #expect(t.finish() == ["half"])
    #expect(t.finish() == [])
    #expect(t.lines == ["warn: a", "warn: b", "half"])
    #expect(t.totalLines == 3)
  }

  @Test func keepsOnlyTheLastLinesAndBoundsEachLine() {
    var t = StderrTail(capacity: 20, maxLineBytes: 64)
    let text = (1...1000).map { "line \($0)\n" }.joined()
    let completed = push(&t, Array(text.utf8))
    #expect(completed.count == 20)
    #expect(completed.first == "line 981" && completed.last == "line 1000")
    #expect(t.lines == completed)
    #expect(t.totalLines == 1000)
    // A 1 MB line keeps 64 bytes and says it was cut.
    let long = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20) + [0x0A]
    let cut = push(&t, long)
    #expect(cut == [String(repeating: "x", count: 64) + "…"])
    #expect(t.lines.count == 20)
  }

  @Test func controlCharactersAndInvalidUTF8AreEscaped() {
    var t = StderrTail()
    let lines = push(&t, [0x1B, 0x5B, 0x32, 0x4A, 0x41, 0xFF, 0xFE, 0x09, 0x42, 0x0A])
    #expect(lines == ["\\x1b[2JA\\xff\\xfe\\tB"])
    #expect(lines.allSatisfy { $0.unicodeScalars.allSatisfy { $0.value >= 0x20 } })
  }
}

@Suite struct ExitStatusTests {
  @Test func describesCodesAndSignals() {
    #expect(CommandExit(raw: 3) == .code(3))
    #expect(CommandExit(raw: -15) == .signal(15))
    #expect(CommandExit.code(3).description == "exit 3")
    #expect(CommandExit.signal(SIGKILL).description == "killed by SIGKILL")
    #expect(CommandExit.signal(40).description == "killed by signal 40")
    #expect(CommandExit.code(0).isSuccess && !CommandExit.code(1).isSuccess)
  }
}

/// A real `/bin/sh` child, read through a real inbox.
@Suite(.serialized) struct CommandSourceTests {
  final class Harness: @unchecked Sendable {
    // Safe: the test reads the collected inputs from one thread; the source only sends.
    let inbox = MessageInbox(clock: SystemClock())
    let stop = StopFlag()
    let source: CommandSource
    var records: [[UInt8]] = []
    var events: [FeedEvent] = []

    init(
      _ command: String, format: FeedFormat? = .json, grace: Int64 = Nanos.second,
      backoff: RestartBackoff = RestartBackoff(
        initial: 50 * Nanos.millisecond, maximum: 200 * Nanos.millisecond)
    ) {
      let spec = FeedSpec(id: FeedID(0), kind: .command, target: command, format: format)
      source = CommandSource(spec: spec, backoff: backoff, grace: grace)
      source.start(inbox: inbox, stop: stop)
    }

    var text: [String] { records.map { String(decoding: $0, as: UTF8.self) } }
    var pids: [Int32] {
      events.compactMap { if case .started(let p) = $0 { p } else { nil } }
    }
    var exits: [CommandExit] {
      events.compactMap { if case .exited(let s) = $0 { s } else { nil } }
    }
    var stderr: [String] {
      events.flatMap { e -> [String] in if case .stderr(let l) = e { l } else { [] } }
    }

    /// Collects inputs until `predicate` holds or ten seconds pass; returns whether it held.
    @discardableResult
    func collect(until predicate: (Harness) -> Bool) -> Bool {
      let deadline = Date().addingTimeInterval(10)
      while Date() < deadline {
        for input in inbox.drain() {
          switch input.payload {
          case .records(let batch, _):
            for i in 0..<batch.count { records.append(batch.record(i)) }
          case .event(let e): events.append(e)
          }
        }
        if predicate(self) { return true }
        usleep(2000)
      }
      return predicate(self)
    }

    /// Stops the source and waits until its child is gone.
    func shutdown() -> Bool {
      stop.stop()
      inbox.close()
      return source.lifetime.waitUntilFinished(timeout: 5 * Nanos.second)
    }

    deinit { _ = shutdown() }
  }

  @Test func readsStdoutReportsTheExitAndRestarts() throws {
    let h = Harness(
      #"printf '{"metric":"m","value":1}\n{"metric":"m","value":2}\nno newline'; echo boom >&2; exit 3"#,
      format: nil)
    #expect(h.collect { $0.exits.count >= 2 && $0.pids.count >= 2 })
    #expect(h.exits.prefix(2) == [.code(3), .code(3)])
    #expect(h.pids[0] != h.pids[1])
    // Each run is framed like a file: the unterminated last line is flushed at exit.
    #expect(
      Array(h.text.prefix(3)) == [
        #"{"metric":"m","value":1}"#, #"{"metric":"m","value":2}"#, "no newline",
      ])
    #expect(h.stderr.prefix(2) == ["boom", "boom"])
    #expect(h.events.contains(.restarting(in: 50 * Nanos.millisecond)))
    #expect(h.events.contains(.restarting(in: 100 * Nanos.millisecond)))
    #expect(h.events.filter { $0 == .caughtUp }.count == 1)
    #expect(h.shutdown())
  }

  @Test func detectsTheFormatOfItsOutput() throws {
    let h = Harness("printf 'ts,metric,value\\n2026-11-26T10:00:00Z,m,1\\n'; sleep 30", format: nil)
    var formats: [FeedFormat] = []
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline && formats.isEmpty {
      for input in h.inbox.drain() {
        if case .records(_, let f) = input.payload { formats.append(f) }
      }
      usleep(2000)
    }
    #expect(formats.first == .csv)
    #expect(h.shutdown())
  }

  @Test func theChildGetsACleanSessionAndNothingOfOurs() throws {
    // A descriptor without close-on-exec, as curses' /dev/tty is: the child must not get it.
    let null = open("/dev/null", O_RDONLY)
    let leaked = fcntl(null, F_DUPFD, 200)
    close(null)
    defer { close(leaked) }
    #expect(leaked >= 200)
    // An ignored signal here (source threads also block INT, TERM, ...): the child must get
    // neither the ignore nor the mask.
    let previous = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previous) }
    // The last line reads the mask of the process the shell became (exec keeps both).
    let h = Harness(
      """
      echo "ids $(cut -d' ' -f1,5,6,7 /proc/$$/stat)"
      echo "stdin $(readlink /proc/$$/fd/0)"
      echo "fds $(ls /proc/$$/fd | tr '\n' ' ')"
      (exec 3</dev/tty) 2>/dev/null && echo "tty open" || echo "no tty"
      exec grep -E '^(SigBlk|SigIgn)' /proc/self/status
      """)
    #expect(h.collect { $0.text.contains { $0.hasPrefix("SigIgn") } })
    let out = h.text
    // No standard signal (1-31) blocked or ignored. (glibc's posix_spawn leaves its own two
    // internal signals, 32 and 33, ignored in every child.)
    for name in ["SigBlk", "SigIgn"] {
      let hex = out.first { $0.hasPrefix(name + ":") }?.split(separator: "\t").last
      let mask = hex.flatMap { UInt64($0, radix: 16) }
      #expect(mask.map { $0 & 0x7FFF_FFFF } == 0, "\(name): \(out)")
    }
    let ids = out.first { $0.hasPrefix("ids ") }?.split(separator: " ").dropFirst().map(String.init)
    // pid == process group == session (a session leader), and no controlling terminal.
    #expect(
      ids?.count == 4 && ids?[0] == ids?[1] && ids?[1] == ids?[2] && ids?[3] == "0", "\(out)")
    #expect(ids?[0] == h.pids.first.map { String($0) })
    #expect(out.contains("stdin /dev/null"), "\(out)")
    // While `ls` runs, the shell holds its three descriptors and the substitution's pipe.
    let fds = out.first { $0.hasPrefix("fds ") }?.split(separator: " ").dropFirst().compactMap {
      Int($0)
    }
    #expect(
      fds.map { !$0.contains(Int(leaked)) && $0.filter { $0 > 2 }.count <= 1 } == true, "\(out)")
    #expect(out.contains("no tty"), "\(out)")
    #expect(h.shutdown())
  }

  @Test func stopEndsTheWholeProcessGroupAndReapsIt() throws {
    let h = Harness("sleep 300 & sleep 301 & echo ready; wait")
    #expect(h.collect { $0.text.contains("ready") && !$0.pids.isEmpty })
    let pid = try #require(h.pids.first)
    #expect(liveMembers(ofGroup: pid).count == 3)
    #expect(h.shutdown())
    #expect(waitFor { liveMembers(ofGroup: pid).isEmpty }, "left: \(liveMembers(ofGroup: pid))")
    // Reaped: no zombie child of ours is left.
    var status: Int32 = 0
    #expect(waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD)
  }

  @Test func aChildIgnoringSIGTERMIsKilledAfterTheGrace() throws {
    let h = Harness(
      "trap '' TERM; sleep 300 & echo ready; while :; do sleep 1; done",
      grace: 200 * Nanos.millisecond)
    #expect(h.collect { $0.text.contains("ready") && !$0.pids.isEmpty })
    let pid = try #require(h.pids.first)
    #expect(h.shutdown())
    #expect(waitFor { liveMembers(ofGroup: pid).isEmpty }, "left: \(liveMembers(ofGroup: pid))")
  }

  @Test func whatTheShellLeftRunningEndsWithIt() throws {
    let h = Harness("sleep 300 & echo ready; exit 0")
    #expect(h.collect { !$0.exits.isEmpty })
    let pid = try #require(h.pids.first)
    #expect(h.exits.first == .code(0))
    #expect(waitFor { liveMembers(ofGroup: pid).isEmpty }, "left: \(liveMembers(ofGroup: pid))")
    #expect(h.shutdown())
  }

  @Test func closingTheInboxAlsoStopsTheChild() throws {
    let h = Harness("echo ready; exec sleep 300")
    #expect(h.collect { $0.text.contains("ready") && !$0.pids.isEmpty })
    let pid = try #require(h.pids.first)
    h.inbox.close()
    #expect(h.source.lifetime.waitUntilFinished(timeout: 5 * Nanos.second))
    #expect(liveMembers(ofGroup: pid).isEmpty)
  }

  @Test func outputBytesArriveUnchangedForTheParserToJudge() throws {
    let h = Harness(#"printf 'ok\n\377\376bad\n\033[2Jesc\n'; exec sleep 300"#, format: .json)
    try #require(h.collect { $0.records.count >= 3 })
    #expect(h.records[1] == [0xFF, 0xFE] + Array("bad".utf8))
    #expect(h.records[2] == [0x1B] + Array("[2Jesc".utf8))
    #expect(h.shutdown())
  }
}

/// Polls `predicate` for up to five seconds.
func waitFor(_ predicate: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(5)
  while Date() < deadline {
    if predicate() { return true }
    usleep(10_000)
  }
  return predicate()
}
