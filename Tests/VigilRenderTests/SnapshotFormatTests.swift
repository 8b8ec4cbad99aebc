import Testing

@testable import VigilRender

@Suite struct SnapshotFormatTests {
  @Test func plainBufferSnapshot() {
    expectSnapshot(
      ScreenBuffer(lines: ["ab ", "界x"]),
      """
      ScreenBuffer 3x2
      "ab "
      "界x"
      styles: plain
      """)
  }

  @Test func styledBufferSnapshotHasLegendAndGrid() {
    var b = ScreenBuffer(size: Size(width: 4, height: 2))
    b.put("ok", at: Point(x: 0, y: 0), style: Style(foreground: .ansi(2), attributes: .bold))
    b.put(
      "界", at: Point(x: 2, y: 1),
      style: Style(foreground: .rgb(30, 144, 255), background: .indexed(236)))
    b.put(
      "!", at: Point(x: 3, y: 0),
      style: Style(foreground: .ansi(9), attributes: [.reverse, .underline]))
    expectSnapshot(
      b,
      """
      ScreenBuffer 4x2
      "ok !"
      "  界"
      styles:
        a: fg=green bold
        b: fg=bright-red reverse underline
        c: fg=#1e90ff bg=idx(236)
      "aa.b"
      "..cc"
      """)
  }

  @Test func debugDescriptionIsTheSnapshot() {
    let b = ScreenBuffer(lines: ["x"])
    #expect(b.debugDescription == b.snapshot())
    #expect(String(describing: b) == b.snapshot())
  }

  @Test func emptyBufferSnapshot() {
    expectSnapshot(
      ScreenBuffer(size: Size(width: 0, height: 0)),
      """
      ScreenBuffer 0x0
      styles: plain
      """)
  }

  @Test func colorAndStyleDescriptions() {
    #expect(Color.default.snapshotDescription == "default")
    #expect(Color.ansi(0).snapshotDescription == "black")
    #expect(Color.ansi(15).snapshotDescription == "bright-white")
    #expect(Color.ansi(16).snapshotDescription == "ansi(16)")
    #expect(Color.rgb(0, 255, 10).snapshotDescription == "#00ff0a")
    #expect(Style.plain.snapshotDescription == "plain")
    #expect(Style(attributes: [.italic, .dim]).snapshotDescription == "dim italic")
  }
}
