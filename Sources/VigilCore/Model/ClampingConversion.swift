extension FixedWidthInteger {
  /// `value` rounded toward zero, as `init(_:)` does, but never trapping: NaN gives 0, and
  /// the infinities and values outside the type's range give `min` or `max`.
  ///
  /// Every conversion of a `Double` to an integer in Sources goes through this (or through
  /// `init(exactly:)`): a feed can carry any finite value, and sums, ratios and scales of
  /// such values overflow to infinity or NaN. The plain initializer is deprecated in each
  /// module (FloatConversionGuard.swift), so a new one does not build in CI. VigilRender, which
  /// cannot import VigilCore, has the same function, internal.
  ///
  /// ```swift
  /// Int(clamping: 1e300)        // Int.max
  /// Int64(clamping: -.infinity) // Int64.min
  /// UInt8(clamping: .nan)       // 0
  /// Int(clamping: -2.7)         // -2
  /// ```
  @inlinable
  public init(clamping value: Double) {
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
