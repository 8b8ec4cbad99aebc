import VigilRender

/// Hands out curses colour pairs lazily, one per (foreground, background) colour number.
///
/// Colour numbers are what `init_pair` takes: 0–255 for palette colours and −1 for the
/// terminal's default. Pair 0 is the default pair (default on default once
/// `use_default_colors` succeeded) and is never initialised. When the terminal runs out of pairs
/// (`screen` and `linux` have 64), or `init_pair` refuses one, the request reuses the closest
/// pair already made (background first, then foreground, by RGB distance in the xterm palette),
/// and that answer is remembered. Nothing here traps.
///
/// ```swift
/// var pairs = ColorPairRegistry(capacity: 64) { pair, fg, bg in init_pair(pair, fg, bg) == OK }
/// pairs.pair(foreground: 1, background: -1)  // 1
/// pairs.pair(foreground: 1, background: -1)  // 1 again, no init_pair call
/// ```
/// Complexity: O(1) amortised; a fallback search is O(pairs made), once per colour combination.
package struct ColorPairRegistry {
  /// Colour numbers of one pair.
  package struct Colors: Hashable, Sendable {
    package var foreground: Int32
    package var background: Int32
    package init(foreground: Int32, background: Int32) {
      self.foreground = foreground
      self.background = background
    }
  }

  /// `COLOR_PAIRS`: pair numbers are 1..<capacity.
  package let capacity: Int
  /// The colours pair 0 shows (−1/−1 with default colours, else the terminal's white on black).
  package let defaultColors: Colors
  private let initPair: (Int32, Int32, Int32) -> Bool
  private var lookup: [Colors: Int32] = [:]
  /// Colours of pairs actually initialised, indexed by pair number (index 0 is pair 0).
  private var made: [Colors]
  /// Requests answered with a reused pair because the terminal ran out.
  package private(set) var fallbacks = 0

  /// - Parameters:
  ///   - capacity: `COLOR_PAIRS`.
  ///   - defaultColors: what pair 0 shows.
  ///   - initPair: initialises pair, fg, bg; returns false on `ERR`.
  package init(
    capacity: Int, defaultColors: Colors = Colors(foreground: -1, background: -1),
    initPair: @escaping (Int32, Int32, Int32) -> Bool
  ) {
    self.capacity = max(1, capacity)
    self.defaultColors = defaultColors
    self.initPair = initPair
    made = [defaultColors]
    lookup[defaultColors] = 0
  }

  /// The number of pairs initialised so far (pair 0 not counted).
  package var allocatedCount: Int { made.count - 1 }

  /// The pair showing `foreground` on `background`, making it if needed.
  package mutating func pair(foreground: Int32, background: Int32) -> Int32 {
    let key = Colors(foreground: foreground, background: background)
    if let p = lookup[key] { return p }
    let next = made.count
    if next < capacity, next <= Int(Int32.max), initPair(Int32(next), foreground, background) {
      made.append(key)
      lookup[key] = Int32(next)
      return Int32(next)
    }
    let reused = closest(to: key)
    fallbacks += 1
    lookup[key] = reused
    return reused
  }

  /// The colours of a pair made here.
  package func colors(ofPair pair: Int32) -> Colors? {
    pair >= 0 && Int(pair) < made.count ? made[Int(pair)] : nil
  }

  private func closest(to key: Colors) -> Int32 {
    var best: Int32 = 0
    var bestCost = Int.max
    for (i, c) in made.enumerated() {
      let cost =
        4 * Self.distance(c.background, key.background)
        + Self.distance(c.foreground, key.foreground)
      if cost < bestCost {
        bestCost = cost
        best = Int32(i)
      }
    }
    return best
  }

  /// Squared RGB distance between two colour numbers; the default is far from every colour.
  private static func distance(_ a: Int32, _ b: Int32) -> Int {
    if a == b { return 0 }
    if a < 0 || b < 0 || a > 255 || b > 255 { return 3 * 256 * 256 }
    let x = Color.indexed(UInt8(a)).approximateRGB
    let y = Color.indexed(UInt8(b)).approximateRGB
    let dr = Int(x.0) - Int(y.0)
    let dg = Int(x.1) - Int(y.1)
    let db = Int(x.2) - Int(y.2)
    return dr * dr + dg * dg + db * db
  }
}
