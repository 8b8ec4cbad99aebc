import Testing

@testable import VigilCore

/// The pair tracker's semantics, event by event (times in seconds).
@Suite struct PairTrackerTests {
  static let s = Nanos.second

  /// A tracker with a 60 s timeout and room for `maxOpen` keys.
  static func tracker(maxOpen: Int = 100) -> PairTracker {
    PairTracker(timeout: 60 * s, maxOpen: maxOpen)
  }

  static func start(_ t: inout PairTracker, _ key: String, _ sec: Int64) -> PairTracker.Outcome {
    t.handle(isEnd: false, key: ArraySlice(key.utf8), at: sec * s)
  }

  static func end(_ t: inout PairTracker, _ key: String, _ sec: Int64) -> PairTracker.Outcome {
    t.handle(isEnd: true, key: ArraySlice(key.utf8), at: sec * s)
  }

  @Test func inOrderMakesTheLatencyAndClosesTheKey() {
    var t = Self.tracker()
    #expect(Self.start(&t, "o1", 10).latency == nil)
    #expect(t.counts.open == 1)
    #expect(Self.end(&t, "o1", 13).latency == 3 * Self.s)
    #expect(t.counts.open == 0 && t.counts.matched == 1)
    #expect(t.map.isEmpty)
  }

  @Test func anEndReadBeforeItsStartStillPairs() {
    var t = Self.tracker()
    #expect(Self.end(&t, "o1", 13).latency == nil)
    #expect(t.counts.waiting == 1 && t.counts.open == 0)
    #expect(Self.start(&t, "o1", 10).latency == 3 * Self.s)
    #expect(t.counts.matched == 1 && t.counts.waiting == 0)
  }

  @Test func anEndStampedBeforeItsStartIsCountedNotMeasured() {
    var t = Self.tracker()
    _ = Self.start(&t, "o1", 20)
    #expect(Self.end(&t, "o1", 15).latency == nil)
    #expect(t.counts.outOfOrder == 1 && t.counts.matched == 0 && t.counts.open == 0)
  }

  @Test func aDuplicateStartKeepsTheFirst() {
    var t = Self.tracker()
    _ = Self.start(&t, "o1", 10)
    _ = Self.start(&t, "o1", 12)
    #expect(t.counts.duplicateStarts == 1 && t.counts.open == 1)
    #expect(Self.end(&t, "o1", 15).latency == 5 * Self.s)
  }

  @Test func anEndWithoutAStartWaitsThenIsCounted() {
    var t = Self.tracker()
    _ = Self.end(&t, "ghost", 10)
    _ = Self.end(&t, "ghost", 11)  // repeated: counted at once
    #expect(t.counts.endsWithoutStart == 1 && t.counts.waiting == 1)
    _ = Self.start(&t, "other", 71)  // time moves past 10 + 60
    #expect(t.counts.endsWithoutStart == 2 && t.counts.waiting == 0)
    #expect(t.counts.timedOut == 0)
  }

  @Test func startsOlderThanTheTimeoutExpire() {
    var t = Self.tracker()
    _ = Self.start(&t, "a", 0)
    _ = Self.start(&t, "b", 30)
    _ = Self.start(&t, "c", 50)
    #expect(Self.start(&t, "d", 60).timedOut == 0)  // a is exactly 60 s old: not yet
    let out = Self.start(&t, "e", 95)  // a (0) and b (30) are older than 35
    #expect(out.timedOut == 2)
    #expect(t.counts.timedOut == 2 && t.counts.open == 3)
    // A late end of a timed-out start finds nothing: it waits, and never makes a latency.
    #expect(Self.end(&t, "a", 96).latency == nil)
    // A start already older than the timeout times out at once.
    #expect(Self.start(&t, "old", 1).timedOut == 1)
    #expect(t.counts.open == 3)
  }

  @Test func pastMaxOpenTheOldestIsEvicted() {
    var t = Self.tracker(maxOpen: 3)
    for (i, k) in ["a", "b", "c", "d", "e"].enumerated() { _ = Self.start(&t, k, Int64(i)) }
    #expect(t.counts.evicted == 2 && t.counts.open == 3)
    #expect(Set(t.map.keys.map { String(decoding: $0, as: UTF8.self) }) == ["c", "d", "e"])
    #expect(Self.end(&t, "c", 9).latency == 7 * Self.s)
    // a was evicted: its end waits for a start (held keys count toward max_open too).
    #expect(Self.end(&t, "a", 9).latency == nil)
    #expect(t.counts.evicted == 2 && t.counts.waiting == 1 && t.counts.open == 2)
  }

  @Test func theHeapStaysBoundedWhenKeysCloseAtOnce() {
    var t = Self.tracker(maxOpen: 10_000)
    for i in 0..<50_000 {
      _ = Self.start(&t, "k\(i)", Int64(i / 1000))
      _ = Self.end(&t, "k\(i)", Int64(i / 1000))
    }
    #expect(t.counts.matched == 50_000 && t.map.isEmpty)
    #expect(t.heap.count <= 2 * t.map.count + 1_025)
  }

  @Test func hugeTimesDoNotOverflow() {
    var t = PairTracker(timeout: .max, maxOpen: 10)
    _ = t.handle(isEnd: false, key: ArraySlice("a".utf8), at: .min)
    _ = t.handle(isEnd: true, key: ArraySlice("a".utf8), at: .max)
    #expect(t.counts.timedOut == 1 && t.counts.matched == 0)
    var u = Self.tracker()
    _ = u.handle(isEnd: false, key: ArraySlice("a".utf8), at: .max)
    _ = u.handle(isEnd: false, key: ArraySlice("b".utf8), at: .min)
    #expect(u.counts.open == 1 && u.counts.timedOut == 1)
  }

  @Test func aClosedKeyAtTheTopOfTheHeapDoesNotExpireANewerOne() {
    var t = Self.tracker()
    _ = Self.start(&t, "closed", 0)
    _ = Self.start(&t, "young", 50)
    _ = Self.end(&t, "closed", 1)
    // Time passes 0 + 60 but not 50 + 60: nothing open is old enough.
    #expect(Self.start(&t, "later", 100).timedOut == 0)
    #expect(t.counts.timedOut == 0 && t.counts.open == 2)
  }
}
