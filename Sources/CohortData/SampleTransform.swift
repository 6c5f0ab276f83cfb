import CohortRandom
import Foundation

/// One sample's geometry: a crop window in the source, then (in output space) horizontal flip, rotation about the
/// centre and an integer translation. Composes into a single `AffineMap`, so each output pixel is sampled once.
struct SampleTransform: Equatable, Sendable {
    /// Source window (continuous pixel coordinates, top-left corner plus size) that fills the output.
    var crop: (x: Double, y: Double, width: Double, height: Double)
    var flip = false
    /// Content moves right/down by this many output pixels.
    var shiftX = 0, shiftY = 0
    /// Counter-clockwise rotation of the content, degrees.
    var degrees = 0.0

    static func == (l: SampleTransform, r: SampleTransform) -> Bool {
        l.crop == r.crop && l.flip == r.flip && l.shiftX == r.shiftX && l.shiftY == r.shiftY && l.degrees == r.degrees
    }

    /// The identity-like transform: the whole source stretched onto the output.
    static func whole(sourceWidth: Int, sourceHeight: Int) -> SampleTransform {
        SampleTransform(crop: (0, 0, Double(sourceWidth), Double(sourceHeight)))
    }

    /// Resize + centre crop: the largest centred window with the output's aspect ratio, scaled by `fraction`.
    static func center(sourceWidth: Int, sourceHeight: Int, output: ImageShape, fraction: Double) -> SampleTransform {
        let sw = Double(sourceWidth), sh = Double(sourceHeight)
        let aspect = Double(output.width) / Double(output.height)
        var w = sw, h = sh
        if sw / sh > aspect { w = sh * aspect } else { h = sw / aspect }
        w *= fraction
        h *= fraction
        return SampleTransform(crop: ((sw - w) / 2, (sh - h) / 2, w, h))
    }

    /// torchvision's RandomResizedCrop: 10 tries at area 0.08–1 and log-uniform aspect 3/4–4/3, else a centre crop
    /// with the aspect clamped into that range.
    static func randomResizedCrop(sourceWidth: Int, sourceHeight: Int,
                                  using g: inout SplitMix64) -> (x: Double, y: Double, width: Double, height: Double) {
        let area = Double(sourceWidth * sourceHeight)
        let logLow = log(3.0 / 4.0), logHigh = log(4.0 / 3.0)
        for _ in 0..<10 {
            let target = area * g.uniform(0.08, 1)
            let ratio = exp(g.uniform(logLow, logHigh))
            let w = Int((target * ratio).squareRoot().rounded()), h = Int((target / ratio).squareRoot().rounded())
            if w > 0 && h > 0 && w <= sourceWidth && h <= sourceHeight {
                let x = g.below(sourceWidth - w + 1), y = g.below(sourceHeight - h + 1)
                return (Double(x), Double(y), Double(w), Double(h))
            }
        }
        let ratio = Double(sourceWidth) / Double(sourceHeight)
        var w = sourceWidth, h = sourceHeight
        if ratio < 3.0 / 4.0 { h = Int((Double(w) / (3.0 / 4.0)).rounded()) }
        else if ratio > 4.0 / 3.0 { w = Int((Double(h) * (4.0 / 3.0)).rounded()) }
        return (Double((sourceWidth - w) / 2), Double((sourceHeight - h) / 2), Double(w), Double(h))
    }

    /// The map from output pixel indices to source coordinates for an output of `width`×`height`.
    func affineMap(width: Int, height: Int) -> AffineMap {
        let W = Double(width), H = Double(height)
        let radians = degrees * Double.pi / 180
        let cosine = degrees == 0 ? 1 : cos(radians), sine = degrees == 0 ? 0 : sin(radians)
        func source(_ x: Double, _ y: Double) -> (Double, Double) {
            // Inverse order: undo the shift, then the rotation (about the centre), then the flip; then into the crop.
            var u = x + 0.5 - Double(shiftX), v = y + 0.5 - Double(shiftY)
            if degrees != 0 {
                let dx = u - W / 2, dy = v - H / 2
                u = cosine * dx - sine * dy + W / 2
                v = sine * dx + cosine * dy + H / 2
            }
            if flip { u = W - u }
            return (crop.x + u * (crop.width / W) - 0.5, crop.y + v * (crop.height / H) - 0.5)
        }
        let o = source(0, 0), ex = source(1, 0), ey = source(0, 1)
        return AffineMap(a: ex.0 - o.0, b: ey.0 - o.0, c: o.0, d: ex.1 - o.1, e: ey.1 - o.1, f: o.1)
    }
}
