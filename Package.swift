// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Vigil",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "vigil", targets: ["vigil"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
  ],
  targets: [
    // Feeds, framing, parsers, model, windows, config. No terminal code.
    .target(
      name: "VigilCore",
      dependencies: [.product(name: "Yams", package: "Yams"), "CVigilSpawn"]),
    // posix_spawn for command feeds (a new session, descriptors closed; see vigil_spawn.h).
    .target(name: "CVigilSpawn"),
    // Geometry, styles, cells, screen buffers and diffs, layout, widgets. No curses, no metrics.
    .target(name: "VigilRender"),
    // The scripted demo incident and the seeded feed generator (lives beside the sample feeds).
    .target(name: "VigilDemo", dependencies: ["VigilCore"], path: "sample-feeds/generator"),
    // State, messages, pure update, views and the loop. No file I/O, no zlib.
    .target(name: "VigilApp", dependencies: ["VigilCore", "VigilRender"]),
    // Incident recordings (writer, black box, reader, index), replay and the player, and reports.
    // Above VigilApp: the recorder watches the loop through AppLoopObserver.
    .target(
      name: "VigilIncident", dependencies: ["VigilApp", "VigilCore", "VigilRender", "CZlib"]),
    // The system zlib: gzip recordings, read and written as streams (DECISIONS D-replaymem).
    .systemLibrary(name: "CZlib"),
    // HTTPS for scrapes, the Prometheus API and alert delivery; the OTLP receiver. SwiftNIO and
    // BoringSSL (swift-nio-ssl): no Foundation, no system OpenSSL in a static binary (D48).
    .target(
      name: "VigilNet",
      dependencies: [
        "VigilCore", "CZlib", .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOTLS", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ]),
    // The only code that touches ncursesw.
    .systemLibrary(name: "CNCurses"),
    .target(name: "CVigilSignals"),
    .target(name: "VigilCurses", dependencies: ["VigilRender", "CNCurses", "CVigilSignals"]),
    .executableTarget(
      name: "vigil",
      dependencies: [
        "VigilCore", "VigilRender", "VigilApp", "VigilIncident", "VigilCurses", "VigilDemo",
        "VigilNet", "CVigilSignals",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "vigil-bench",
      dependencies: [
        "VigilCore", "VigilRender", "VigilApp", "VigilIncident", "VigilDemo", "VigilCurses",
      ]),
    // Fuzz targets: replays inputs when built normally; Fuzz/run.sh builds it with libFuzzer.
    .executableTarget(
      name: "vigil-fuzz", dependencies: ["VigilCore", "VigilApp", "VigilIncident", "VigilRender"]),
    .target(
      name: "VigilTestSupport", dependencies: ["VigilCore", "VigilRender"],
      path: "Tests/VigilTestSupport"),
    .testTarget(
      name: "VigilCoreTests", dependencies: ["VigilCore", "VigilDemo", "VigilTestSupport"]),
    .testTarget(name: "VigilRenderTests", dependencies: ["VigilRender", "VigilTestSupport"]),
    // App fixtures (a demo state, a batch of lines) shared by the app and incident tests.
    .target(
      name: "VigilAppTestSupport",
      dependencies: ["VigilApp", "VigilCore", "VigilRender", "VigilDemo"],
      path: "Tests/VigilAppTestSupport"),
    .testTarget(
      name: "VigilAppTests",
      dependencies: [
        "VigilApp", "VigilCore", "VigilRender", "VigilDemo", "VigilTestSupport",
        "VigilAppTestSupport",
      ],
      exclude: ["Snapshots"]),
    .testTarget(
      name: "VigilIncidentTests",
      dependencies: [
        "VigilIncident", "VigilApp", "VigilCore", "VigilRender", "VigilDemo", "VigilTestSupport",
        "VigilAppTestSupport",
      ],
      exclude: ["Snapshots"]),
    .testTarget(
      name: "VigilCursesTests",
      dependencies: ["VigilCurses", "VigilRender", "CNCurses", "VigilTestSupport"]),
    .testTarget(name: "VigilEndToEndTests", dependencies: ["VigilTestSupport"]),
    .testTarget(
      name: "VigilNetTests", dependencies: ["VigilNet", "VigilCore", "VigilTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
