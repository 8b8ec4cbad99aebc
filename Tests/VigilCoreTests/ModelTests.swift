import Testing

@testable import VigilCore

@Suite struct ModelTests {
  @Test func civilTimeRoundTrips() {
    let t = Timestamp(nanoseconds: 1_795_709_741_988_000_000)
    #expect(t.description == "2026-11-26T16:15:41.988Z")
    #expect(CivilTime(t).timestamp == t)
    #expect(
      CivilTime(Timestamp(nanoseconds: -1)).rfc3339(fractionDigits: 9)
        == "1969-12-31T23:59:59.999999999Z")
  }

  @Test func durations() {
    #expect(Nanos.parse("1h30m") == 90 * Nanos.minute)
    #expect(Nanos.parse("250ms") == 250 * Nanos.millisecond)
    #expect(Nanos.parse("5") == nil)
    #expect(Nanos.parse("") == nil)
    #expect(Nanos.parse("3x") == nil)
    #expect(Nanos.format(90 * Nanos.minute) == "1h30m")
    #expect(Nanos.format(15 * Nanos.minute) == "15m")
  }

  @Test func labelSetSortsDropsEmptyAndLastWins() {
    let l = LabelSet([("stage", "tax"), ("service", "a"), ("empty", ""), ("service", "b")])
    #expect(l.description == "{service=\"b\",stage=\"tax\"}")
  }

  @Test func internerAssignsStableIdsFromBytes() {
    var i = SeriesInterner(maxSeries: 2)
    let a = i.intern(SeriesKey("m", ["b": "2", "a": "1"]))
    let b = i.intern(SeriesKey("m", ["a": "1", "b": "2"]))
    #expect(a != nil && a == b)
    let c = i.intern(SeriesKey("m", ["a": "2"]))
    #expect(c != nil && c != a)
    #expect(i.intern(SeriesKey("other")) == nil)  // cap reached
    #expect(i.key(a ?? SeriesID(99)) == SeriesKey("m", ["a": "1", "b": "2"]))
    #expect(i.lookup(SeriesKey("m", ["a": "2"])) == c)
  }

  @Test func excerptEscapesControlAndInvalidBytes() {
    let bytes: [UInt8] = Array("ok\u{1b}[2J\t".utf8) + [0xff, 0xc3, 0xa9]
    #expect(printableExcerpt(bytes) == "ok\\x1b[2J\\t\\xffé")
    #expect(printableExcerpt(String(repeating: "a", count: 10), limit: 4) == "aaaa…")
  }
}
