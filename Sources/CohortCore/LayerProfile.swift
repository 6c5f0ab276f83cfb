#if canImport(Glibc)
import Glibc
#endif

/// Time spent in each layer's forward and backward, recorded by composite layers around their
/// children when a profile is attached to the `Context` (`cohort bench` does; training does not).
/// Nested layers are recorded too, so sum only leaves or one kind at a time.
package final class LayerProfile {
    /// One layer's accumulated times.
    package struct Entry {
        package let layer: any Layer
        package var forwardSeconds = 0.0
        package var backwardSeconds = 0.0
    }

    package private(set) var entries: [ObjectIdentifier: Entry] = [:]

    package init() {}

    /// Seconds on a monotonic clock.
    package static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    func record(_ layer: any Layer, forward seconds: Double) {
        entries[ObjectIdentifier(layer), default: Entry(layer: layer)].forwardSeconds += seconds
    }

    func record(_ layer: any Layer, backward seconds: Double) {
        entries[ObjectIdentifier(layer), default: Entry(layer: layer)].backwardSeconds += seconds
    }

    /// Recorded leaves (layers without children) whose type satisfies `isIncluded`: summed forward and
    /// backward seconds, and their forward FLOPs per sample.
    package func leafTotals(where isIncluded: (any Layer) -> Bool) -> (forwardSeconds: Double, backwardSeconds: Double, forwardFLOPs: Int) {
        entries.values.filter { $0.layer.children.isEmpty && isIncluded($0.layer) }.reduce((0, 0, 0)) {
            ($0.0 + $1.forwardSeconds, $0.1 + $1.backwardSeconds, $0.2 + $1.layer.forwardFLOPs)
        }
    }

    /// Forgets everything recorded (after warm-up).
    package func reset() { entries = [:] }
}
