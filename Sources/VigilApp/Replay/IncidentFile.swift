import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A recording read back: its header, its records in file order, and what was wrong with it.
///
/// Reading never fails on the body: a damaged or truncated tail ends the records there and is
/// described in ``warnings``; only an unreadable file or header is an error.
public struct IncidentFile: Sendable {
  public var header: IncidentHeader
  public var records: [IncidentRecord]
  /// Messages for the user: a cut-off or damaged tail, a newer format, another app version.
  public var warnings: [String] = []
  /// The file ended with an `end` record (a clean close).
  public var endedCleanly = false
  /// Records of kinds this Vigil does not know (from a newer version), skipped.
  public var unknownRecords = 0

  public init(header: IncidentHeader, records: [IncidentRecord]) {
    self.header = header
    self.records = records
  }

  /// Reads a recording file.
  public static func load(path: String) throws(IncidentFormatError) -> IncidentFile {
    guard let bytes = readAll(path) else {
      throw IncidentFormatError("\(path): cannot read the file")
    }
    return try parse(bytes, name: path)
  }

  /// Parses a recording's bytes (`name` is used in messages).
  public static func parse(_ bytes: [UInt8], name: String) throws(IncidentFormatError)
    -> IncidentFile
  {
    if bytes.isEmpty { throw IncidentFormatError("\(name): the file is empty") }
    if bytes.starts(with: [0x1F, 0x8B]) {
      throw IncidentFormatError("\(name): the file is gzip-compressed; gunzip it first")
    }
    var result: Result<IncidentFile, IncidentFormatError> = .failure(IncidentFormatError(name))
    bytes.withUnsafeBytes { buf in
      do throws(IncidentFormatError) {
        result = .success(try parse(buf, name: name))
      } catch {
        result = .failure(error)
      }
    }
    return try result.get()
  }

  private static func parse(_ buf: UnsafeRawBufferPointer, name: String)
    throws(IncidentFormatError) -> IncidentFile
  {
    var lineStart = 0
    var lineNumber = 0
    var file: IncidentFile?
    while lineStart < buf.count {
      lineNumber += 1
      var end = lineStart
      while end < buf.count && buf[end] != 0x0A { end += 1 }
      let complete = end < buf.count
      let line = UnsafeRawBufferPointer(rebasing: buf[lineStart..<end])
      defer { lineStart = end + 1 }
      if file == nil {
        let value: JSONValue
        do throws(JSONValue.ParseError) {
          value = try JSONValue.parse(line)
        } catch {
          throw IncidentFormatError(
            "\(name): not a Vigil incident recording (line 1 is not JSON: \(error))")
        }
        let header: IncidentHeader
        do throws(IncidentFormatError) {
          header = try IncidentHeader(json: value)
        } catch {
          throw IncidentFormatError("\(name): \(error.message)")
        }
        var f = IncidentFile(header: header, records: [])
        if header.version > IncidentHeader.currentVersion {
          f.warnings.append(
            "recording format \(header.version) is newer than this Vigil's "
              + "(\(IncidentHeader.currentVersion)): replaying what it understands")
        }
        if header.appVersion != vigilVersion {
          f.warnings.append(
            "recorded with Vigil \(header.appVersion), replayed with \(vigilVersion): "
              + "alert transitions may differ")
        }
        file = f
        continue
      }
      guard !line.isEmpty || complete else { break }
      if !complete {
        var at = ""
        if let last = file?.records.last {
          at = " at " + CivilTime(last.time).rfc3339(fractionDigits: 3)
        }
        let message =
          "the recording is cut off at byte \(lineStart) (line \(lineNumber) is incomplete): "
          + "replaying up to the last complete record" + at
        file?.warnings.append(message)
        break
      }
      do throws(IncidentFormatError) {
        let value: JSONValue
        do throws(JSONValue.ParseError) {
          value = try JSONValue.parse(line)
        } catch {
          throw IncidentFormatError("\(error)")
        }
        if let record = try IncidentRecord(json: value) {
          if case .end = record { file?.endedCleanly = true }
          file?.records.append(record)
        } else {
          file?.unknownRecords += 1
        }
      } catch {
        let kept = file?.records.count ?? 0
        file?.warnings.append(
          "the recording is damaged at line \(lineNumber) (byte \(lineStart)): \(error); "
            + "replaying the \(kept) records before it")
        break
      }
    }
    guard var f = file else { throw IncidentFormatError("\(name): the file is empty") }
    if !f.endedCleanly
      && f.warnings.allSatisfy({ !$0.contains("cut off") && !$0.contains("damaged") })
    {
      f.warnings.append(
        "the recording has no end record (Vigil was killed or the disk filled): "
          + "replaying up to its last record")
    }
    if f.unknownRecords > 0 {
      f.warnings.append("\(f.unknownRecords) records of unknown kinds were skipped")
    }
    return f
  }

  static func readAll(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { _ = close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { return nil }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
  }
}
