import VigilCore
import VigilRender

/// Vigil's version (`vigil --version`), stamped into recordings.
public let vigilVersion = "0.1.0"
