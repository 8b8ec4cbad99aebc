import Testing

@testable import VigilCore

@Suite struct ConfigCommandFeedTests {
  @Test func aCommandFeedAndNoDataAfter() throws {
    let text = """
      feeds:
        - command: ssh db1 tail -F /var/log/orders.jsonl
          format: json
          no_data_after: 90s
        - path: /var/log/app.log
      """
    let config = try ConfigLoader.parse(text, file: "vigil.yaml").get()
    #expect(config.feeds.map(\.isCommand) == [true, false])
    #expect(config.feeds[0].target == "ssh db1 tail -F /var/log/orders.jsonl")
    #expect(config.feeds[0].format == .json)
    #expect(config.feeds[0].noDataAfter == 90 * Nanos.second)
    #expect(config.feeds[1].noDataAfter == nil)
  }

  @Test(arguments: [
    (
      "feeds:\n  - path: a\n    command: b\n",
      "f.yaml:2:5: a feed has a path or a command, not both"
    ),
    ("feeds:\n  - command: [a, b]\n", "f.yaml:2:14: command must be a single value"),
    ("feeds:\n  - path: a\n    no_data_after: soon\n", "f.yaml:3:20: no_data_after: \"soon\""),
    (
      "feeds:\n  - format: json\n",
      "f.yaml:2:5: feed needs a path (a file, or - for standard input) or a command"
    ),
  ])
  func problemsHaveTheirPosition(text: String, expected: String) {
    switch ConfigLoader.parse(text, file: "f.yaml") {
    case .success: Issue.record("accepted: \(text)")
    case .failure(let problems):
      #expect(problems.problems.count == 1, "\(problems)")
      #expect(problems.description.hasPrefix(expected), "\(problems)")
    }
  }
}

@Suite struct InboxStderrAccountingTests {
  /// A child flooding stderr must wait for the loop like one flooding stdout: stderr lines
  /// count against the feed's queue limit, not as a fixed-size event.
  @Test func stderrEventsCountTheirBytes() {
    let inbox = MessageInbox(clock: SystemClock(), perFeedByteLimit: 4096)
    let lines = Array(repeating: String(repeating: "e", count: 500), count: 20)
    #expect(inbox.send(FeedID(0), .event(.stderr(lines))))
    let sent = StopFlag()
    spawnThread {
      inbox.send(FeedID(0), .event(.stderr(lines)))
      sent.stop()
    }
    // The second event waits while the first is queued (the queue is over its limit).
    sleepNanoseconds(100 * Nanos.millisecond)
    #expect(!sent.isStopped)
    #expect(inbox.drain().count == 1)
    let deadline = monotonicNanos() + 5 * Nanos.second
    while !sent.isStopped && monotonicNanos() < deadline { sleepNanoseconds(Nanos.millisecond) }
    #expect(sent.isStopped)
    #expect(inbox.drain().count == 1)
    inbox.close()
  }
}
