import Testing

@testable import VigilRender

@Suite struct RecordingBackendTests {
  @Test func drawIsInvisibleUntilFlush() {
    let backend = RecordingBackend(size: Size(width: 3, height: 1))
    backend.draw([ChangeRun(x: 0, y: 0, cells: [Cell("a")])])
    #expect(backend.screen.lines() == ["   "])
    #expect(backend.pending.lines() == ["a  "])
    backend.flush()
    #expect(backend.screen.lines() == ["a  "])
  }

  @Test func appliesWideCharactersLikeATerminal() {
    let backend = RecordingBackend(size: Size(width: 5, height: 1))
    backend.draw([
      ChangeRun(x: 0, y: 0, cells: [Cell("界"), .continuation, Cell("語"), .continuation, Cell("界")])
    ])
    backend.flush()
    // The last wide character does not fit: a terminal shows nothing of it.
    #expect(backend.screen.lines() == ["界語 "])
    backend.draw([ChangeRun(x: 1, y: 0, cells: [Cell("x")])])
    backend.flush()
    #expect(backend.screen.lines() == [" x語 "])
    expectWellFormed(backend.screen)
  }

  @Test func skipsOrphanContinuationsAndClipsOutOfRangeRuns() {
    let backend = RecordingBackend(size: Size(width: 3, height: 1))
    backend.draw([
      ChangeRun(x: 0, y: 0, cells: [.continuation, Cell("a")]),
      ChangeRun(x: -1, y: 0, cells: [Cell("z"), Cell("b")]),
      ChangeRun(x: 2, y: 0, cells: [Cell("c"), Cell("d")]),
      ChangeRun(x: 0, y: 5, cells: [Cell("q")]),
    ])
    backend.flush()
    #expect(backend.screen.lines() == ["bac"])
  }

  @Test func sanitizesCellsThatBypassedPut() {
    let backend = RecordingBackend(size: Size(width: 2, height: 1))
    backend.draw([ChangeRun(x: 0, y: 0, cells: [Cell("\u{1B}"), Cell("\u{9B}")])])
    backend.flush()
    #expect(backend.screen.lines() == ["??"])
  }

  @Test func scriptedInputBellAndShutdown() {
    let backend = RecordingBackend(size: Size(width: 1, height: 1), input: [.key(.up)])
    backend.enqueue(.key(.character("q")), .terminate(signal: 15))
    #expect(backend.pollInput(timeoutMilliseconds: 100) == .key(.up))
    #expect(backend.pollInput(timeoutMilliseconds: 100) == .key(.character("q")))
    #expect(backend.pollInput(timeoutMilliseconds: 100) == .terminate(signal: 15))
    #expect(backend.pollInput(timeoutMilliseconds: 100) == nil)
    backend.bell()
    backend.bell()
    backend.invalidate()
    backend.shutdown()
    backend.shutdown()
    #expect(backend.bellCount == 2)
    #expect(backend.invalidateCount == 1)
    #expect(backend.isShutDown)
  }

  @Test func byteEstimateCountsCursorMovesStylesAndText() {
    let backend = RecordingBackend(size: Size(width: 20, height: 2))
    backend.draw([ChangeRun(x: 0, y: 0, cells: [Cell("a"), Cell("b")])])
    // One move ("ESC[1;1H", 6 bytes), one SGR reset (4), two bytes of text.
    #expect(backend.bytesEstimate == 6 + 4 + 2)
    backend.draw([ChangeRun(x: 2, y: 0, cells: [Cell("界")])])
    #expect(backend.bytesEstimate == 12 + 3)  // adjacent: no move; same style: no SGR
    backend.draw([ChangeRun(x: 9, y: 1, cells: [Cell("c", style: Style(foreground: .ansi(1)))])])
    #expect(backend.bytesEstimate == 15 + 7 + 7 + 1)
    #expect(backend.cellsWritten == 4)
  }
}
