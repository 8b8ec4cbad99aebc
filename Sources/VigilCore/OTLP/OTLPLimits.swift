/// What one OTLP request may hold. A request past any of these is refused whole, as a
/// malformed one is: one issue, no sample, no parser state touched (DECISIONS D16, D46).
public enum OTLPLimits {
  /// The largest request, in bytes (encoded, after any gzip): D16's exposition body limit.
  /// The framer's line limit for `--format otlp` files is raised to it too, since the
  /// Collector's file exporter writes a whole request on one line.
  public static let maxRequestBytes = PrometheusParser.maxBodyBytes

  /// Data points in one request: D16's sample limit (Prometheus's `sample_limit` of 200,000
  /// for a scrape). One point makes at most a few samples, or a histogram's points.
  public static let maxDataPoints = 200_000

  /// Attributes of one data point: D16's limit of labels per sample (Prometheus's
  /// `label_limit`), since each attribute becomes a label.
  public static let maxPointAttributes = 128

  /// Attributes (key-value pairs) and array elements in a whole request, at every level:
  /// points, resources, scopes, and inside array and kvlist values. Each costs some 50 bytes
  /// decoded, so this keeps a request's model near 50 MB however it is packed; a 16 MiB
  /// protobuf of empty array elements would otherwise decode to 8 million values.
  public static let maxValuesPerRequest = 1_000_000

  /// Nesting of array and kvlist values inside an attribute value. Such a value becomes a
  /// label only as compact JSON text, and nobody reads a label nested deeper; the limit bounds
  /// both decoders' recursion (one stack frame per level), so hostile nesting cannot exhaust
  /// the stack. JSON nesting is bounded by ``maxJSONDepth`` as well.
  public static let maxValueDepth = 16

  /// JSON nesting (objects and arrays) of an OTLP/JSON request, counted from the request
  /// object: a point's attribute value is 12 levels down, and each nested array or kvlist
  /// value 3 more, so the deepest value allowed (``maxValueDepth``) is at 60.
  public static let maxJSONDepth = 64

  /// Buckets in one list of a histogram point: explicit `bucket_counts` and `explicit_bounds`,
  /// each range (positive, negative) of an exponential histogram, and summary quantiles.
  /// The windows' quantile sketch keeps at most ``QuantileSketch/maxBucketsPerStore`` (4,096)
  /// buckets a sign, so a histogram with more cannot be told apart by it anyway; the SDKs'
  /// default is 160 exponential buckets (explicit ones: 16). 4,096 counts are 32 KiB.
  public static let maxBucketsPerHistogram = 4_096

  /// Buckets (and summary quantiles) in a whole request, and explicit bounds apart: D16's
  /// sample limit again, since a Prometheus exposition of the same histograms has one sample
  /// line per bucket (with its bound). Each bucket
  /// of an explicit histogram can make up to ``PrometheusParser/pointsPerBucket`` samples, so
  /// one request makes at most about 2 million samples.
  public static let maxBucketsPerRequest = 200_000

  /// Bytes of a metric name or an attribute key (a label name). OpenTelemetry's API limits
  /// instrument names to 255 characters and semantic-convention keys are far shorter; a key of
  /// kilobytes is a bug or an attack, and every series keeps its key for its life.
  public static let maxNameBytes = 1_024

  /// Bytes of a label value made from an attribute (``OTLPAnyValue/labelText(limit:)``): of a
  /// point attribute, or of the resource's `service.name` and `service.instance.id`. Other
  /// resource and scope attributes are dropped (D46), so they are not limited here.
  public static let maxLabelValueBytes = 4_096

  /// The exponential histogram scales OpenTelemetry defines (its data model: −10 to 20). A
  /// point with another scale is rejected as malformed.
  public static let scales: ClosedRange<Int32> = -10...20
}
