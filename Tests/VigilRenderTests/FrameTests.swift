import Testing

@testable import VigilRender

@Suite struct FrameTests {
  @Test func firstRenderIsAFullRepaint() {
    let backend = RecordingBackend(size: Size(width: 3, height: 2))
    var frame = Frame(size: backend.size)
    frame.next.put("hi", at: Point(x: 0, y: 1), style: .plain)
    let stats = frame.render(to: backend)
    #expect(stats == FrameStats(runs: 2, cells: 6, fullRepaint: true))
    #expect(backend.flushCount == 1)
    #expect(backend.screen.lines() == ["   ", "hi "])
    #expect(frame.current.lines() == ["   ", "hi "])
    #expect(frame.next == ScreenBuffer(size: Size(width: 3, height: 2)))
  }

  @Test func unchangedFrameNeitherDrawsNorFlushes() {
    let backend = RecordingBackend(size: Size(width: 4, height: 1))
    var frame = Frame(size: backend.size)
    frame.next.put("ab", at: Point(x: 0, y: 0), style: .plain)
    frame.render(to: backend)
    frame.next.put("ab", at: Point(x: 0, y: 0), style: .plain)
    #expect(frame.render(to: backend) == .none)
    #expect(backend.flushCount == 1)
    #expect(backend.drawCount == 1)
  }

  @Test func onlyChangedCellsAreSent() {
    let backend = RecordingBackend(size: Size(width: 10, height: 2))
    var frame = Frame(size: backend.size)
    frame.next.put("cpu 10%", at: Point(x: 0, y: 0), style: .plain)
    frame.render(to: backend)
    let before = backend.cellsWritten
    frame.next.put("cpu 12%", at: Point(x: 0, y: 0), style: .plain)
    let stats = frame.render(to: backend)
    #expect(stats == FrameStats(runs: 1, cells: 1, fullRepaint: false))
    #expect(backend.cellsWritten - before == 1)
    #expect(backend.screen.lines() == ["cpu 12%   ", "          "])
  }

  @Test func wideCharactersCountOnce() {
    let backend = RecordingBackend(size: Size(width: 4, height: 1))
    var frame = Frame(size: backend.size)
    frame.render(to: backend)
    frame.next.put("界", at: Point(x: 1, y: 0), style: .plain)
    #expect(frame.render(to: backend) == FrameStats(runs: 1, cells: 1, fullRepaint: false))
    #expect(backend.screen.lines() == [" 界 "])
  }

  @Test func resizeForcesAFullRepaint() {
    let backend = RecordingBackend(size: Size(width: 2, height: 1))
    var frame = Frame(size: backend.size)
    frame.render(to: backend)
    backend.resize(to: Size(width: 3, height: 2))
    #expect(backend.pollInput(timeoutMilliseconds: 0) == .resize(Size(width: 3, height: 2)))
    frame.resize(to: backend.size)
    #expect(frame.size == Size(width: 3, height: 2))
    frame.next.put("x", at: Point(x: 2, y: 1), style: .plain)
    #expect(frame.render(to: backend) == FrameStats(runs: 2, cells: 6, fullRepaint: true))
    #expect(backend.screen.lines() == ["   ", "  x"])
  }

  @Test func invalidateRepaintsEvenWhenNothingChanged() {
    let backend = RecordingBackend(size: Size(width: 2, height: 1))
    var frame = Frame(size: backend.size)
    frame.next.put("ab", at: Point(x: 0, y: 0), style: .plain)
    frame.render(to: backend)
    frame.invalidate()
    frame.next.put("ab", at: Point(x: 0, y: 0), style: .plain)
    #expect(frame.render(to: backend).fullRepaint)
    #expect(backend.flushCount == 2)
  }
}
