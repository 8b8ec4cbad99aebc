import Testing
import VigilTestSupport

@testable import VigilCore

/// `vigil check`'s reorder buffer: the merged order, lateness, the release frontier and the
/// count bound.
@Suite struct ReorderBufferTests {
  struct Pushed: Equatable {
    var ts: Int64
    var feed: Int
    var n: Int
  }

  /// Samples whose value numbers them, so the released order can be checked.
  static func sample(_ ts: Int64, _ n: Int) -> Sample {
    Sample(series: SeriesID(0), timestamp: Timestamp(nanoseconds: ts), value: Double(n))
  }

  /// Feeds with disorder of at most `jitter` and random read sizes, merged; returns what was
  /// pushed and what came out, in order.
  static func merge(
    feeds: Int, perFeed: Int, jitter: Int64, lateness: Int64, maxHeld: Int = 1_000_000,
    seed: UInt64
  ) -> (pushed: [Pushed], out: [ReorderBuffer.Released], buffer: ReorderBuffer) {
    var rng = SplitMix64(seed: seed)
    var lists: [[Pushed]] = []
    var n = 0
    for f in 0..<feeds {
      var list: [Pushed] = []
      let skew = Int64(rng.next() % 1000)
      for i in 0..<perFeed {
        let ts = skew + Int64(i) * 10 + Int64(rng.next() % UInt64(jitter + 1))
        list.append(Pushed(ts: ts, feed: f, n: n))
        n += 1
      }
      lists.append(list)
    }
    var buffer = ReorderBuffer(maxLateness: lateness, maxHeld: maxHeld)
    for _ in 0..<feeds { _ = buffer.addFeed() }
    var next = [Int](repeating: 0, count: feeds)
    var out: [ReorderBuffer.Released] = []
    var pushed: [Pushed] = []
    while next.indices.contains(where: { next[$0] < perFeed }) {
      // Read a random run of the feed furthest behind, as `run(feeds:)` does.
      let open = next.indices.filter { next[$0] < perFeed }
      let f = open.min { (buffer.newest($0) ?? .min) < (buffer.newest($1) ?? .min) } ?? 0
      let run = 1 + Int(rng.next() % 40)
      for p in lists[f][next[f]..<min(perFeed, next[f] + run)] {
        buffer.push(sample(p.ts, p.n), feed: f, line: p.n + 1)
        pushed.append(p)
      }
      next[f] = min(perFeed, next[f] + run)
      if next[f] == perFeed { buffer.endFeed(f) }
      buffer.drain(before: buffer.frontier()) { out.append($0) }
    }
    buffer.endAll()
    buffer.drain(before: buffer.frontier()) { out.append($0) }
    return (pushed, out, buffer)
  }

  @Test func disorderWithinTheLatenessComesOutFullySorted() {
    for seed in UInt64(1)...20 {
      let (pushed, out, buffer) = Self.merge(
        feeds: 1 + Int(seed % 4), perFeed: 500, jitter: 50, lateness: 60, seed: seed)
      // A stable sort by (timestamp, feed), arrival order within ties.
      let sorted = pushed.enumerated().sorted {
        ($0.element.ts, $0.element.feed, $0.offset) < ($1.element.ts, $1.element.feed, $1.offset)
      }.map(\.element.n)
      #expect(out.map { Int(clamping: $0.sample.value) } == sorted, "seed \(seed)")
      #expect(buffer.lateTotal == 0 && buffer.releasedEarly == 0 && buffer.count == 0)
      #expect(out.allSatisfy { !$0.late && !$0.early })
    }
  }

  @Test func theBufferHoldsAboutTheLatenessNotTheFile() {
    // One sample per 10 ns, lateness 60 ns: a few samples wait, plus the run being read.
    var buffer = ReorderBuffer(maxLateness: 60, maxHeld: 1_000_000)
    _ = buffer.addFeed()
    var most = 0
    var released = 0
    for i in 0..<100_000 {
      buffer.push(Self.sample(Int64(i) * 10, i), feed: 0, line: i + 1)
      most = max(most, buffer.count)
      buffer.drain(before: buffer.frontier()) { _ in released += 1 }
    }
    #expect(most <= 8, "\(most)")
    #expect(released == 100_000 - buffer.count)
  }

  @Test func aLateSampleTakesTheOldestPlaceItsFeedStillHas() {
    var buffer = ReorderBuffer(maxLateness: 100, maxHeld: 1000)
    _ = buffer.addFeed()
    for (i, ts) in [Int64(1000), 1050, 1100, 1200, 500, 1150, 1300].enumerated() {
      buffer.push(Self.sample(ts, i), feed: 0, line: i + 1)
    }
    buffer.endAll()
    var out: [ReorderBuffer.Released] = []
    buffer.drain(before: buffer.frontier()) { out.append($0) }
    // 500 came when the newest was 1200: late, placed at 1100 (after the 1100 already there);
    // 1150 is out of order but within the lateness: in its place.
    #expect(
      out.map { $0.sample.timestamp.nanoseconds } == [1000, 1050, 1100, 500, 1150, 1200, 1300])
    #expect(out.map(\.late) == [false, false, false, true, false, false, false])
    #expect(out[3].line == 5)
    #expect(buffer.lateTotal == 1)
  }

  @Test func nothingIsReleasedPastAFeedThatHasNotSentYet() {
    var buffer = ReorderBuffer(maxLateness: 0, maxHeld: 1000)
    _ = buffer.addFeed()
    _ = buffer.addFeed()
    for i in 0..<10 { buffer.push(Self.sample(Int64(i), i), feed: 0, line: i + 1) }
    buffer.drain(before: buffer.frontier()) { _ in Issue.record("released too soon") }
    // Feed 1 sends 5: feed 0's samples before 5 may go (feed 1 can still send 5).
    buffer.push(Self.sample(5, 100), feed: 1, line: 1)
    var out: [Int64] = []
    buffer.drain(before: buffer.frontier()) { out.append($0.sample.timestamp.nanoseconds) }
    #expect(out == [0, 1, 2, 3, 4])
    // Feed 1 ends: it no longer holds feed 0 back (whose own newest, 9, still may repeat).
    buffer.endFeed(1)
    var rest: [Int] = []
    buffer.drain(before: buffer.frontier()) { rest.append(Int(clamping: $0.sample.value)) }
    #expect(rest == [5, 100, 6, 7, 8], "at 5, feed 0 before feed 1")
  }

  @Test func aFloodOfEqualTimestampsStaysWithinTheBoundInOrder() {
    var buffer = ReorderBuffer(maxLateness: Nanos.minute, maxHeld: 100)
    _ = buffer.addFeed()
    var out: [Int] = []
    for i in 0..<10_000 {
      buffer.push(Self.sample(0, i), feed: 0, line: i + 1)
      buffer.drain(before: buffer.frontier()) { r in
        #expect(r.early && !r.late)
        out.append(Int(clamping: r.sample.value))
      }
      #expect(buffer.count <= 100)
    }
    #expect(buffer.releasedEarly == 9_900)
    buffer.endAll()
    buffer.drain(before: buffer.frontier()) { out.append(Int(clamping: $0.sample.value)) }
    #expect(out == Array(0..<10_000))
  }

  @Test func aSampleBehindAnEarlyReleaseIsLate() {
    var buffer = ReorderBuffer(maxLateness: 1000, maxHeld: 2)
    _ = buffer.addFeed()
    for (i, ts) in [Int64(10), 20, 30].enumerated() {
      buffer.push(Self.sample(ts, i), feed: 0, line: i + 1)
    }
    var first: [ReorderBuffer.Released] = []
    buffer.drain(before: buffer.frontier()) { first.append($0) }
    #expect(first.map { $0.sample.timestamp.nanoseconds } == [10] && first.first?.early == true)
    // 5 is within the lateness, but 10 has gone: it cannot take its place any more.
    buffer.push(Self.sample(5, 3), feed: 0, line: 4)
    #expect(buffer.lateTotal == 1)
    buffer.endAll()
    var out: [ReorderBuffer.Released] = []
    buffer.drain(before: buffer.frontier()) { out.append($0) }
    #expect(out.map { $0.sample.timestamp.nanoseconds } == [5, 20, 30])
    #expect(out.first?.line == 4)
    #expect(out.map(\.late) == [true, false, false])
  }

  @Test func disorderBeyondTheLatenessIsCountedAndStillReleasedInPlaceOrder() {
    let (pushed, out, buffer) = Self.merge(
      feeds: 3, perFeed: 2000, jitter: 400, lateness: 100, seed: 99)
    #expect(out.count == pushed.count)
    #expect(buffer.lateTotal > 0 && buffer.lateTotal == out.filter(\.late).count)
    // In-place samples come out in time order; each late one lands no earlier than it came.
    let inPlace = out.filter { !$0.late }.map { $0.sample.timestamp.nanoseconds }
    #expect(inPlace == inPlace.sorted())
    #expect(Set(out.map { Int(clamping: $0.sample.value) }) == Set(pushed.map(\.n)))
  }
}
