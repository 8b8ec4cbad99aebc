import Testing
import VigilRender

@testable import VigilCurses

@Suite struct ColorPairRegistryTests {
  final class Calls {
    var made: [(Int32, Int32, Int32)] = []
  }

  @Test func allocatesLazilyOncePerCombination() {
    let calls = Calls()
    var r = ColorPairRegistry(capacity: 64) { p, f, b in
      calls.made.append((p, f, b))
      return true
    }
    #expect(r.pair(foreground: -1, background: -1) == 0)
    #expect(r.pair(foreground: 1, background: -1) == 1)
    #expect(r.pair(foreground: 1, background: -1) == 1)
    #expect(r.pair(foreground: 208, background: 236) == 2)
    #expect(calls.made.count == 2)
    #expect(calls.made[1] == (2, 208, 236))
    #expect(r.colors(ofPair: 2) == .init(foreground: 208, background: 236))
    #expect(r.allocatedCount == 2 && r.fallbacks == 0)
  }

  @Test func exhaustionReusesTheClosestPair() {
    var r = ColorPairRegistry(capacity: 4) { _, _, _ in true }
    #expect(r.pair(foreground: 1, background: -1) == 1)
    #expect(r.pair(foreground: 2, background: 4) == 2)
    #expect(r.pair(foreground: 3, background: -1) == 3)
    // Full. Bright red on default: red on default is closest.
    #expect(r.pair(foreground: 9, background: -1) == 1)
    // Red on blue: the background decides first, so green on blue wins over red on default.
    #expect(r.pair(foreground: 1, background: 4) == 2)
    // Nothing with a similar background: still some pair, never a trap.
    let p = r.pair(foreground: 5, background: 6)
    #expect((0..<4).contains(p))
    #expect(r.fallbacks == 3 && r.allocatedCount == 3)
    // A fallback answer is remembered.
    #expect(r.pair(foreground: 9, background: -1) == 1)
    #expect(r.fallbacks == 3)
  }

  @Test func refusedInitFallsBack() {
    var r = ColorPairRegistry(capacity: 64) { _, f, _ in f < 8 }
    #expect(r.pair(foreground: 1, background: -1) == 1)
    // Refused (colour 200 on an 8-colour terminal): red on default is the closest pair made.
    #expect(r.pair(foreground: 200, background: -1) == 1)
    #expect(r.fallbacks == 1)
  }

  @Test func noPairsAtAll() {
    var r = ColorPairRegistry(capacity: 0) { _, _, _ in
      Issue.record("init_pair called without pairs")
      return true
    }
    #expect(r.pair(foreground: 1, background: 2) == 0)
  }
}
