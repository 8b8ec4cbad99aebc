import Testing
import VigilTestSupport

@testable import VigilRender

@Suite struct DiffTests {
  let bold = Style(attributes: .bold)

  @Test func identicalBuffersGiveNoRuns() {
    let a = ScreenBuffer(lines: ["abc", "界x"])
    #expect(a.diff(to: a).isEmpty)
    #expect(
      ScreenBuffer(size: Size(width: 0, height: 0)).diff(
        to: ScreenBuffer(size: Size(width: 0, height: 0))
      ).isEmpty)
  }

  @Test func singleCell() {
    let a = ScreenBuffer(lines: ["abc", "def"])
    let b = ScreenBuffer(lines: ["abc", "dXf"])
    #expect(a.diff(to: b) == [ChangeRun(x: 1, y: 1, cells: [Cell("X")])])
  }

  @Test func styleOnlyChange() {
    let a = ScreenBuffer(lines: ["abc"])
    var b = a
    b.setStyle(Rect(x: 2, y: 0, width: 1, height: 1)) { $0 = bold }
    #expect(a.diff(to: b) == [ChangeRun(x: 2, y: 0, cells: [Cell("c", style: bold)])])
  }

  @Test func nearbyChangesMergeAcrossSmallGaps() {
    let a = ScreenBuffer(lines: ["aaaaaaaaaaaa"])
    let b = ScreenBuffer(lines: ["Xaaa" + "Xaaaa" + "Xaa"])
    // Gap of 3 merges; gap of 4 does not.
    #expect(
      a.diff(to: b) == [
        ChangeRun(x: 0, y: 0, cells: "Xaaa".map { Cell(String($0)) } + [Cell("X")]),
        ChangeRun(x: 9, y: 0, cells: [Cell("X")]),
      ])
    #expect(a.diff(to: b, mergeGap: 0).count == 3)
  }

  @Test func gapsOfADifferentStyleDoNotMerge() {
    var a = ScreenBuffer(lines: ["abcd"])
    a.setStyle(Rect(x: 1, y: 0, width: 1, height: 1)) { $0 = self.bold }
    var b = a
    b.put("X", at: Point(x: 0, y: 0), style: .plain)
    b.put("Y", at: Point(x: 2, y: 0), style: .plain)
    #expect(a.diff(to: b).map(\.x) == [0, 2])
  }

  @Test func runsNeverSpanRows() {
    let a = ScreenBuffer(lines: ["ab", "cd"])
    let b = ScreenBuffer(lines: ["aX", "Yd"])
    #expect(
      a.diff(to: b) == [
        ChangeRun(x: 1, y: 0, cells: [Cell("X")]), ChangeRun(x: 0, y: 1, cells: [Cell("Y")]),
      ])
  }

  @Test func wideCharacterCarriesItsContinuation() {
    let a = ScreenBuffer(lines: ["abcdef"])
    let b = ScreenBuffer(lines: ["ab界ef"])
    #expect(a.diff(to: b) == [ChangeRun(x: 2, y: 0, cells: [Cell("界"), .continuation])])
  }

  @Test func wideReplacedByWideIncludesTheContinuation() {
    let a = ScreenBuffer(lines: ["a界bcdef"])
    let b = ScreenBuffer(lines: ["a語bcdef"])
    #expect(a.diff(to: b) == [ChangeRun(x: 1, y: 0, cells: [Cell("語"), .continuation])])
  }

  @Test func changedContinuationPullsInItsHead() {
    // Same head text, but only the continuation's recorded style differs (a buffer edited
    // through the subscript): the run still starts at the head.
    let a = ScreenBuffer(lines: ["a界b"])
    var b = a
    b[2, 0] = Cell("", style: bold)
    let runs = a.diff(to: b)
    #expect(runs.first?.x == 1)
    #expect(runs.first?.cells.first?.text == "界")
  }

  @Test func narrowOverWideChangesBothHalves() {
    let a = ScreenBuffer(lines: ["界界"])
    var b = a
    b.put("x", at: Point(x: 2, y: 0), style: .plain)
    #expect(a.diff(to: b) == [ChangeRun(x: 2, y: 0, cells: [Cell("x"), Cell(" ")])])
  }

  @Test func sizeChangeRepaintsEverything() {
    let a = ScreenBuffer(lines: ["ab"])
    let b = ScreenBuffer(lines: ["ab", "cd"])
    #expect(
      a.diff(to: b) == [
        ChangeRun(x: 0, y: 0, cells: [Cell("a"), Cell("b")]),
        ChangeRun(x: 0, y: 1, cells: [Cell("c"), Cell("d")]),
      ])
    #expect(a.diff(to: ScreenBuffer(size: Size(width: 0, height: 3))).isEmpty)
  }

  /// For random pairs of buffers, applying the diff to a terminal showing the old buffer
  /// shows exactly the new one.
  @Test(arguments: [0, 1, 3, 8])
  func applyingTheDiffReproducesTheNewBuffer(mergeGap: Int) {
    var rng = SplitMix64(seed: 0xD1FF + UInt64(mergeGap))
    for _ in 0..<400 {
      let size = Size(width: randomInt(&rng, 0...12), height: randomInt(&rng, 0...4))
      let old = randomBuffer(&rng, size)
      var new = rng.next() % 4 == 0 ? randomBuffer(&rng, size) : old
      for _ in 0..<randomInt(&rng, 0...4) {
        new.put(
          randomText(&rng, maxLength: 5),
          at: Point(x: randomInt(&rng, -1...12), y: randomInt(&rng, 0...4)),
          style: randomStyle(&rng))
      }
      let backend = RecordingBackend(size: size)
      backend.draw(ScreenBuffer(size: size).diff(to: old))
      backend.flush()
      #expect(backend.screen == old)
      let runs = old.diff(to: new, mergeGap: mergeGap)
      for run in runs {
        #expect(run.cells.first?.isContinuation == false)
        #expect(run.x >= 0 && run.x + run.cells.count <= size.width)
        if let last = run.cells.last, !last.isContinuation {
          #expect(displayWidth(last.text) == 1)
        }
      }
      backend.draw(runs)
      backend.flush()
      #expect(backend.screen == new, "\(old.snapshot())\(new.snapshot())\(runs)")
      if backend.screen != new { return }
    }
  }

  @Test func differentSizesRepaintOntoAResizedTerminal() {
    var rng = SplitMix64(seed: 99)
    for _ in 0..<50 {
      let a = randomBuffer(
        &rng, Size(width: randomInt(&rng, 0...6), height: randomInt(&rng, 0...3)))
      let b = randomBuffer(
        &rng, Size(width: randomInt(&rng, 1...6), height: randomInt(&rng, 1...3)))
      let backend = RecordingBackend(size: b.size)
      backend.draw(a.diff(to: b))
      backend.flush()
      #expect(backend.screen == b)
    }
  }

  private func randomBuffer(_ rng: inout SplitMix64, _ size: Size) -> ScreenBuffer {
    var b = ScreenBuffer(size: size)
    for _ in 0..<randomInt(&rng, 0...8) {
      let rect = Rect(
        x: randomInt(&rng, -1...size.width), y: randomInt(&rng, -1...size.height),
        width: randomInt(&rng, 0...6), height: randomInt(&rng, 0...3))
      switch rng.next() % 3 {
      case 0:
        b.put(
          randomText(&rng, maxLength: 10), at: Point(x: rect.x, y: rect.y),
          style: randomStyle(&rng), clip: rng.next() % 2 == 0 ? rect : nil)
      case 1: b.fill(rect, with: Cell(randomText(&rng, maxLength: 1), style: randomStyle(&rng)))
      default: b.setStyle(rect, patch: StylePatch(adding: .bold))
      }
    }
    return b
  }
}
