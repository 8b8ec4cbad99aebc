import Testing
import VigilTestSupport

@testable import VigilRender

@Suite struct LayoutTests {
  let area = Rect(x: 2, y: 1, width: 10, height: 4)

  private func widths(_ r: [Rect]) -> [Int] { r.map(\.width) }
  private func xs(_ r: [Rect]) -> [Int] { r.map(\.x) }

  @Test func fixedThenFillsShareTheRest() {
    let r = area.split(.horizontal, [.fixed(3), .fill(1), .fill(1)])
    #expect(widths(r) == [3, 4, 3])
    #expect(xs(r) == [2, 5, 9])
    #expect(r.allSatisfy { $0.y == 1 && $0.height == 4 })
  }

  @Test func fillWeightsUseCumulativeRounding() {
    let w = Rect(x: 0, y: 0, width: 10, height: 1)
    #expect(widths(w.split(.horizontal, [.fill(1), .fill(1), .fill(1)])) == [3, 4, 3])
    #expect(widths(w.split(.horizontal, [.fill(1), .fill(2)])) == [3, 7])
    #expect(
      widths(Rect(x: 0, y: 0, width: 7, height: 1).split(.horizontal, [.fill(1), .fill(1)])) == [
        4, 3,
      ])
    #expect(
      widths(
        Rect(x: 0, y: 0, width: 1, height: 1).split(.horizontal, [.fill(1), .fill(1), .fill(1)]))
        == [0, 1, 0])
  }

  @Test func percentAndRatioRoundDown() {
    let w = Rect(x: 0, y: 0, width: 10, height: 1)
    #expect(widths(w.split(.horizontal, [.percent(33), .percent(33), .fill(1)])) == [3, 3, 4])
    #expect(widths(w.split(.horizontal, [.ratio(1, 3), .ratio(2, 3)])) == [3, 6])
    #expect(
      widths(w.split(.horizontal, [.ratio(1, 0), .ratio(5, 3), .percent(250)])) == [0, 10, 0])
  }

  @Test func minGetsItsMinimumThenShares() {
    let w = Rect(x: 0, y: 0, width: 10, height: 1)
    #expect(widths(w.split(.horizontal, [.min(6), .fill(1)])) == [8, 2])
    #expect(widths(w.split(.horizontal, [.fixed(8), .min(5)])) == [8, 2])
    #expect(widths(w.split(.horizontal, [.min(2), .fixed(3)])) == [7, 3])
  }

  @Test func leftoverStaysUnusedWithoutFills() {
    let r = area.split(.vertical, [.fixed(1), .fixed(1)])
    #expect(r == [Rect(x: 2, y: 1, width: 10, height: 1), Rect(x: 2, y: 2, width: 10, height: 1)])
  }

  @Test func spacingSitsBetweenAreas() {
    let r = Rect(x: 0, y: 0, width: 10, height: 1).split(
      .horizontal, [.fill(1), .fill(1)], spacing: 2)
    #expect(widths(r) == [4, 4])
    #expect(xs(r) == [0, 6])
  }

  @Test func overflowTruncatesInPriorityOrder() {
    let r = Rect(x: 0, y: 0, width: 5, height: 1).split(
      .horizontal, [.fill(1), .fixed(3), .fixed(4), .percent(50)])
    #expect(widths(r) == [0, 3, 2, 0])
    #expect(xs(r) == [0, 0, 3, 5])
  }

  @Test func tinySizesNeverGoNegativeOrOutside() {
    var rng = SplitMix64(seed: 42)
    let kinds: [(Int) -> Constraint] = [
      { .fixed($0) }, { .min($0) }, { .percent($0 * 10) }, { .ratio($0, 4) }, { .fill($0) },
    ]
    for _ in 0..<500 {
      let parent = Rect(
        x: randomInt(&rng, -3...3), y: randomInt(&rng, -3...3), width: randomInt(&rng, -2...12),
        height: randomInt(&rng, -2...6))
      let constraints = (0..<randomInt(&rng, 0...5)).map { _ in
        kinds[randomInt(&rng, 0...4)](randomInt(&rng, -2...12))
      }
      let axis: Axis = rng.next() % 2 == 0 ? .horizontal : .vertical
      let spacing = randomInt(&rng, -1...3)
      let r = parent.split(axis, constraints, spacing: spacing)
      #expect(r.count == constraints.count)
      let length = max(0, axis == .horizontal ? parent.width : parent.height)
      var total = 0
      var previousEnd = axis == .horizontal ? parent.x : parent.y
      for rect in r {
        #expect(rect.width >= 0 && rect.height >= 0)
        let (start, size) = axis == .horizontal ? (rect.x, rect.width) : (rect.y, rect.height)
        #expect(start >= previousEnd)
        previousEnd = start + size
        total += size
      }
      #expect(total <= length)
      #expect(previousEnd <= (axis == .horizontal ? parent.x : parent.y) + length)
      // With a positive fill, all space left after spacing is handed out.
      if constraints.contains(where: { if case .fill(let w) = $0 { w > 0 } else { false } }) {
        #expect(total == length - min(length, max(0, spacing) * (constraints.count - 1)))
      }
    }
  }

  @Test func hugeValuesDoNotOverflow() {
    let r = Rect(x: 0, y: 0, width: Int.max / 2, height: 1).split(
      .horizontal,
      [.fill(Int.max), .ratio(Int.max - 1, Int.max), .percent(Int.max), .fixed(Int.max)])
    #expect(r.count == 4)
    #expect(r.allSatisfy { $0.width >= 0 })
  }

  @Test func gridGivesRowsOfColumns() {
    let g = Rect(x: 0, y: 0, width: 9, height: 5).grid(
      rows: [.fixed(2), .fill(1)], columns: [.fill(1), .fill(1)], rowSpacing: 1, columnSpacing: 1)
    #expect(g.count == 2 && g.allSatisfy { $0.count == 2 })
    #expect(g[0][0] == Rect(x: 0, y: 0, width: 4, height: 2))
    #expect(g[0][1] == Rect(x: 5, y: 0, width: 4, height: 2))
    #expect(g[1][1] == Rect(x: 5, y: 3, width: 4, height: 2))
  }

  @Test func centered() {
    #expect(
      Rect(x: 1, y: 1, width: 10, height: 5).centered(Size(width: 4, height: 2))
        == Rect(x: 4, y: 2, width: 4, height: 2))
    #expect(
      Rect(x: 0, y: 0, width: 3, height: 3).centered(Size(width: 9, height: 9))
        == Rect(x: 0, y: 0, width: 3, height: 3))
  }
}
