/// The Primitives target holds the small helpers every layer shares, once each.
///
/// It owns: ``Secret`` and its SHA-256 fingerprint, the `application/x-www-form-urlencoded` encoder
/// (``FormEncoding``), HTTP dates and `Retry-After` (``HTTPDate``), the line writer for JSON event
/// streams (``JSONLineWriter``), the injected wall clock (``WallClock``), a signal that wakes a sleeping
/// task (``WakeSignal``),
/// `Duration`'s unit conversions, octal file modes (``FileMode``), RFC 3339 timestamps
/// (``RFC3339``), starting a program without a shell (``SpawnedChild``: `exec`'s command, approval
/// commands, command notifiers) and running one to completion with a time limit (``ChildProcess``), and the
/// description of a metric family (``MetricDescription``, ``MetricType``), so
/// that the layer emitting a family can describe it without importing the collector.
///
/// It must not: depend on any other oauthtop target, know about tokens, providers, terminals or
/// rules, or hold state beyond what one helper needs. A helper moves here only when
/// two targets would otherwise each keep a copy of it.
public enum PrimitivesModule {}
