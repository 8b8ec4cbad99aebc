extension Rect {
  /// Divides this rectangle along `axis` into one rectangle per constraint, in order, with
  /// `spacing` cells between neighbours.
  ///
  /// Space is handed out in priority order, each step taking only what is left:
  /// 1. `fixed` sizes, in order;
  /// 2. the minimums of `min`;
  /// 3. `percent` and `ratio`, computed from the space after spacing and rounded down;
  /// 4. the rest is shared by `fill` weights and `min` (weight 1), by cumulative rounding:
  ///    share *k* ends at `round(rest × weights up to k / total weight)`, so shares always add
  ///    up exactly and the result never depends on anything but the input.
  ///
  /// If nothing fills, leftover space stays unused at the end. Sizes are never negative,
  /// negative arguments count as 0, and every result lies inside this rectangle (at its far
  /// edge, with size 0, when space runs out).
  ///
  /// ```swift
  /// let rows = screen.split(.vertical, [.fixed(1), .fill(1), .fixed(1)])  // title, body, status
  /// let cols = rows[1].split(.horizontal, [.percent(30), .fill(1)], spacing: 1)
  /// ```
  public func split(_ axis: Axis, _ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
    guard !constraints.isEmpty else { return [] }
    // Clamped so that the integer arithmetic below cannot overflow for absurd inputs.
    let length = Swift.min(Swift.max(0, axis == .horizontal ? width : height), 1 << 30)
    let gap = Swift.max(0, spacing)
    let sizes = Rect.distribute(
      length - Swift.min(length, gap * (constraints.count - 1)), constraints)
    var rects: [Rect] = []
    rects.reserveCapacity(sizes.count)
    var offset = 0
    for (i, size) in sizes.enumerated() {
      if i > 0 { offset = Swift.min(length, offset + gap) }
      let s = Swift.min(size, length - offset)
      switch axis {
      case .horizontal:
        rects.append(Rect(x: x + offset, y: y, width: s, height: Swift.max(0, height)))
      case .vertical: rects.append(Rect(x: x, y: y + offset, width: Swift.max(0, width), height: s))
      }
      offset += s
    }
    return rects
  }

  /// Splits this rectangle into a grid: `rows` divide the height, `columns` the width.
  /// `result[r][c]` is the cell in row `r`, column `c`.
  ///
  /// ```swift
  /// let cells = body.grid(rows: [.fill(1), .fill(1)], columns: [.fill(1), .fill(1), .fill(1)],
  ///                       rowSpacing: 0, columnSpacing: 1)
  /// ```
  public func grid(
    rows: [Constraint], columns: [Constraint], rowSpacing: Int = 0, columnSpacing: Int = 0
  ) -> [[Rect]] {
    split(.vertical, rows, spacing: rowSpacing).map {
      $0.split(.horizontal, columns, spacing: columnSpacing)
    }
  }

  /// A rectangle of at most `size`, centred in this one (rounded towards the top left).
  public func centered(_ size: Size) -> Rect {
    let w = Swift.max(0, Swift.min(size.width, width))
    let h = Swift.max(0, Swift.min(size.height, height))
    return Rect(x: x + (width - w) / 2, y: y + (height - h) / 2, width: w, height: h)
  }

  /// Sizes for `constraints` sharing `total` cells; see ``split(_:_:spacing:)``.
  static func distribute(_ total: Int, _ constraints: [Constraint]) -> [Int] {
    var sizes = Array(repeating: 0, count: constraints.count)
    var left = Swift.max(0, total)
    func take(_ i: Int, _ wanted: Int) {
      let n = Swift.min(Swift.max(0, wanted), left)
      sizes[i] += n
      left -= n
    }
    for (i, c) in constraints.enumerated() {
      if case .fixed(let n) = c { take(i, n) }
    }
    for (i, c) in constraints.enumerated() {
      if case .min(let n) = c { take(i, n) }
    }
    let base = Swift.max(0, total)
    for (i, c) in constraints.enumerated() {
      switch c {
      case .percent(let p):
        take(i, base * Swift.min(Swift.max(0, p), 100) / 100)
      case .ratio(let num, let den):
        guard den > 0, num > 0 else { continue }
        take(
          i, num >= den ? base : den.dividingFullWidth(base.multipliedFullWidth(by: num)).quotient)
      default: break
      }
    }
    var weights: [(Int, Int)] = []
    for (i, c) in constraints.enumerated() {
      switch c {
      case .fill(let weight) where weight > 0: weights.append((i, Swift.min(weight, 1 << 16)))
      case .min: weights.append((i, 1))
      default: break
      }
    }
    let totalWeight = weights.reduce(0) { $0 + $1.1 }
    guard totalWeight > 0, left > 0 else { return sizes }
    let rest = left
    var cumulative = 0
    var previousEnd = 0
    for (i, weight) in weights {
      cumulative += weight
      // round(rest × cumulative / totalWeight), half up, in integers.
      let end = (2 * rest * cumulative + totalWeight) / (2 * totalWeight)
      take(i, end - previousEnd)
      previousEnd = end
    }
    return sizes
  }
}
