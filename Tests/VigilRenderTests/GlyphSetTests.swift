import Testing

@testable import VigilRender

@Suite struct GlyphSetTests {
  private func all(_ g: GlyphSet) -> [String] {
    [
      g.horizontal, g.vertical, g.topLeft, g.topRight, g.bottomLeft, g.bottomRight, g.teeRight,
      g.teeLeft, g.teeDown, g.teeUp, g.cross, g.gap, g.arrowUp, g.arrowDown, g.arrowFlat,
      g.ellipsis, g.gaugeFilled, g.gaugeEmpty, g.statusCritical, g.statusWarning, g.statusInfo,
      g.statusOK, g.focusMarker, g.thresholdLine,
    ] + g.sparkLevels
  }

  @Test(arguments: [GlyphSet.unicode, GlyphSet.ascii])
  func everyGlyphIsOneColumn(glyphs: GlyphSet) {
    for glyph in all(glyphs) {
      #expect(glyph.count == 1 && displayWidth(glyph) == 1, "\(glyph)")
    }
  }

  /// In ASCII `~` was both the threshold line and the ellipsis; each glyph has one meaning.
  @Test(arguments: [GlyphSet.unicode, GlyphSet.ascii])
  func theEllipsisIsNoOtherGlyph(glyphs: GlyphSet) {
    let others = [glyphs.thresholdLine, glyphs.gap] + glyphs.sparkLevels
    #expect(!others.contains(glyphs.ellipsis), "\(glyphs.ellipsis)")
    #expect(GlyphSet.ascii.ellipsis == ">")
  }

  @Test func asciiThresholdLinesAreDashedUnicodeOnesSolid() {
    #expect((0..<8).filter { GlyphSet.ascii.drawsThreshold(atColumn: $0) } == [0, 2, 4, 6])
    #expect((0..<8).allSatisfy { GlyphSet.unicode.drawsThreshold(atColumn: $0) })
  }

  @Test func asciiIsSevenBit() {
    for glyph in all(.ascii) { #expect(glyph.utf8.allSatisfy { $0 < 0x80 }, "\(glyph)") }
    #expect(!GlyphSet.ascii.isUnicode && GlyphSet.unicode.isUnicode)
  }

  @Test(arguments: [GlyphSet.unicode, GlyphSet.ascii])
  func gapIsDistinctFromEverySparkLevel(glyphs: GlyphSet) {
    #expect(!glyphs.sparkLevels.contains(glyphs.gap))
    #expect(!glyphs.sparkLevels.contains(glyphs.thresholdLine))
    #expect(glyphs.gap != glyphs.thresholdLine)
    #expect(Set(glyphs.sparkLevels).count == glyphs.sparkLevels.count)
    #expect(!glyphs.sparkLevels.contains(" "))
  }

  @Test func statusGlyphsAreDistinct() {
    for g in [GlyphSet.unicode, .ascii] {
      #expect(Set([g.statusCritical, g.statusWarning, g.statusInfo, g.statusOK]).count == 4)
    }
  }
}
