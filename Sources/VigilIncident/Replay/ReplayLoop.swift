import VigilApp
import VigilCore
import VigilRender

/// The replay's loop: the player's clock, the viewer's keys, and frames, on any backend.
public final class ReplayLoop<Backend: TerminalBackend> {
  public private(set) var player: Player
  public let backend: Backend
  private var frame: Frame
  private let glyphs: GlyphSet
  private let fps: Double
  /// Called with each marker typed in this replay (the caller appends it to the sidecar).
  public var onMarker: ((Timestamp, String) -> Void)?

  public init(player: Player, backend: Backend, glyphs: GlyphSet, fps: Double = 10) {
    self.player = player
    self.backend = backend
    self.glyphs = glyphs
    self.fps = fps
    frame = Frame(size: backend.size)
    self.player.replayer.resize(backend.size)
  }

  public func run() -> ExitReason {
    let interval = Int64(clamping: 1e9 / max(1, min(60, fps)))
    var last = monotonicNanos()
    while true {
      let now = monotonicNanos()
      player.advance(byWall: now - last)
      last = now
      draw()
      var timeout = Int(max(0, interval - (monotonicNanos() - now)) / Nanos.millisecond)
      while let event = backend.pollInput(timeoutMilliseconds: timeout) {
        timeout = 0
        switch event {
        case .terminate(let sig): return .signal(sig)
        case .mouse: continue  // the player has no mouse
        case .resize(let size):
          frame.resize(to: size)
          backend.invalidate()
          player.replayer.resize(size)
        case .key(let key):
          if player.prompt == nil,
            key == .character("q") || key == .character("Q") || key == .control("c")
          {
            return .quit
          }
          let markersBefore = player.newMarkers.count
          if player.handle(key) {
            for m in player.newMarkers.dropFirst(markersBefore) { onMarker?(m.time, m.text) }
            continue
          }
          let (quit, refused) = player.replayer.viewerKey(key)
          if quit { return .quit }
          // A dashboard key acted on clears the last message; one refused says why.
          player.notice = refused
        }
      }
    }
  }

  public func draw() {
    if frame.next.size != backend.size { frame.resize(to: backend.size) }
    renderPlayer(player, into: &frame.next, glyphs: glyphs)
    _ = frame.render(to: backend)
  }
}
