// Converting a floating-point value with `Int(x)`, `UInt64(x)`, ... traps on NaN, on the
// infinities and on anything outside the type's range, and a feed can bring any of those to a
// view (issue 12: one valid line holding a 30-digit value killed the dashboard). In this module
// those initializers are deprecated, and CI builds with warnings as errors: convert with
// `init(clamping:)` (at the end of this file), or `init(exactly:)` where an
// out-of-range value must be told apart. Should one slip through a local build, it clamps.
// One file: every other module of Sources links to it (a symlink), since an internal extension
// reaches only its own module; ClampingConversionTests checks that every module has it.
extension Int {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension Int8 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension Int16 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension Int32 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension Int64 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension UInt {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension UInt8 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension UInt16 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension UInt32 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}
extension UInt64 {
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Double) { self.init(clamping: v) }
  @available(*, deprecated, message: "traps on NaN, ±Inf, out of range: use init(clamping:)")
  init(_ v: Float) { self.init(clamping: Double(v)) }
}

extension FixedWidthInteger {
  /// `value` rounded toward zero, as `init(_:)` does, but never trapping: NaN gives 0, and
  /// the infinities and values outside the type's range give `min` or `max`.
  ///
  /// Every conversion of a `Double` to an integer in Sources goes through this (or through
  /// `init(exactly:)`): a feed can carry any finite value, and sums, ratios and scales of
  /// such values overflow to infinity or NaN. The plain initializer is deprecated in each
  /// module (below), so a new one does not build in CI. Internal, in this one file linked into
  /// every module: one public copy in VigilCore would not reach VigilRender.
  ///
  /// ```swift
  /// Int(clamping: 1e300)        // Int.max
  /// Int64(clamping: -.infinity) // Int64.min
  /// UInt8(clamping: .nan)       // 0
  /// Int(clamping: -2.7)         // -2
  /// ```
  @inlinable
  init(clamping value: Double) {
    // Double(Self.max) rounds up to a power of two for 64-bit types, so `>=` is exact.
    if value.isNaN {
      self = 0
    } else if value <= Double(Self.min) {
      self = .min
    } else if value >= Double(Self.max) {
      self = .max
    } else {
      self.init(_truncating: value)
    }
  }

  /// The standard conversion, for a value known to be in range (generic, so the module's
  /// deprecated concrete initializers are not chosen).
  @inlinable
  init<F: BinaryFloatingPoint>(_truncating value: F) { self.init(value) }
}
