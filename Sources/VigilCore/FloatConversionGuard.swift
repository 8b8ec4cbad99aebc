// Converting a floating-point value with `Int(x)`, `UInt64(x)`, ... traps on NaN, on the
// infinities and on anything outside the type's range, and a feed can bring any of those to a
// view (issue 12: one valid line holding a 30-digit value killed the dashboard). In this module
// those initializers are deprecated, and CI builds with warnings as errors: convert with
// `init(clamping:)` (VigilCore/Model/ClampingConversion.swift), or `init(exactly:)` where an
// out-of-range value must be told apart. Should one slip through a local build, it clamps.
// One file: every other module of Sources links to it (a symlink), since an internal extension
// reaches only its own module; ClampingConversionTests checks that every module has it.
extension Int {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension Int8 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension Int16 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension Int32 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension Int64 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension UInt {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension UInt8 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension UInt16 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension UInt32 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}
extension UInt64 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self = .guarded(v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self = .guarded(v) }
}

extension FixedWidthInteger {
  /// `v` rounded toward zero, NaN as 0, clamped to `min...max`.
  fileprivate static func guarded<F: BinaryFloatingPoint>(_ v: F) -> Self {
    v.isNaN ? 0 : v <= F(Self.min) ? .min : v >= F(Self.max) ? .max : Self(v)
  }
}
