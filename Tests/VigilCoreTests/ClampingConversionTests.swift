import Foundation
import Testing

@testable import VigilCore

/// `init(clamping:)` for doubles, and the guard that keeps the trapping conversions out.
@Suite struct ClampingConversionTests {
  @Test func clampsEveryEdge() {
    #expect(Int(clamping: Double.nan) == 0)
    #expect(Int(clamping: Double.infinity) == .max)
    #expect(Int(clamping: -Double.infinity) == .min)
    #expect(Int(clamping: 1e300) == .max)
    #expect(Int64(clamping: 9_223_372_036_854_775_808.0) == .max)
    #expect(Int64(clamping: -9_223_372_036_854_775_808.0) == .min)
    #expect(Int64(clamping: 9_223_372_036_854_774_784.0) == 9_223_372_036_854_774_784)
    #expect(UInt64(clamping: 18_446_744_073_709_551_616.0) == .max)
    #expect(UInt64(clamping: -1.0) == 0)
    #expect(UInt8(clamping: 255.9) == 255)
    #expect(UInt8(clamping: 256.0) == 255)
    #expect(Int(clamping: -2.7) == -2)
    #expect(Int(clamping: Double.leastNonzeroMagnitude) == 0)
    #expect(Int32(clamping: -0.0) == 0)
  }

  /// Every module under Sources holds FloatConversionGuard.swift (VigilCore's, linked).
  @Test func everyModuleHasTheSameGuard() throws {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    let sources = root.appendingPathComponent("Sources")
    let reference = try String(
      contentsOf: sources.appendingPathComponent("VigilCore/FloatConversionGuard.swift"),
      encoding: .utf8)
    let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted()
    var checked = 0
    for module in modules {
      let dir = sources.appendingPathComponent(module)
      let files = FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []
      guard files.contains(where: { $0.hasSuffix(".swift") }) else { continue }
      let guardFile = dir.appendingPathComponent("FloatConversionGuard.swift")
      let text = try? String(contentsOf: guardFile, encoding: .utf8)
      #expect(text == reference, "Sources/\(module) lacks the guard, or it differs")
      checked += 1
    }
    #expect(checked >= 8)
  }
}
