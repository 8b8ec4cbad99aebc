extension FixedWidthInteger {
  /// `value` rounded toward zero, as `init(_:)` does, but never trapping: NaN gives 0, and
  /// the infinities and values outside the type's range give `min` or `max`. The same as
  /// VigilCore's public one (VigilCore/Model/ClampingConversion.swift), which this module
  /// cannot import; every widget's conversion of a `Double` to a cell count goes through it.
  @inlinable
  init(clamping value: Double) {
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
