import CohortRandom
/// Training-time augmentation settings (`--augment flip,shift,rotate,crop`, `--shift`, `--rotate`).
///
/// - flip: horizontal mirror with probability 0.5;
/// - shift: translation by a whole number of pixels, uniform in ±`shift`·size on each axis;
/// - rotate: rotation about the centre, uniform in ±`rotate` degrees, bilinear;
/// - crop: random-resized-crop (area 0.08–1 of the source, aspect 3/4–4/3), instead of the centre crop.
/// Without crop the sample is the resize + centre crop that evaluation uses.
package struct Augmentation: Sendable, Equatable {
    package var flip: Bool
    /// Maximum translation as a fraction of the width/height; 0 = off.
    package var shift: Double
    /// Maximum rotation in degrees; 0 = off.
    package var rotate: Double
    package var crop: Bool

    package init(flip: Bool = false, shift: Double = 0, rotate: Double = 0, crop: Bool = false) {
        self.flip = flip
        self.shift = shift
        self.rotate = rotate
        self.crop = crop
    }

    /// No augmentation (evaluation).
    package static let none = Augmentation()

    /// The names `parse` accepts.
    package static let names = ["flip", "shift", "rotate", "crop"]

    /// Parses a comma-separated list such as `"flip,shift"` (empty or `"none"` = no augmentation).
    /// An unknown name, or a negative/oversized magnitude, is an error naming it.
    package static func parse(_ list: String, shift: Double = 0.1, rotate: Double = 15) throws -> Augmentation {
        var result = Augmentation.none
        for raw in list.split(separator: ",") {
            let name = raw.trimmingCharacters(in: " ").lowercased()
            switch name {
            case "", "none": continue
            case "flip": result.flip = true
            case "shift":
                guard shift >= 0 && shift < 1 else { throw DataError.invalidOption("--shift \(shift): must be in [0, 1)") }
                result.shift = shift
            case "rotate":
                guard rotate >= 0 && rotate <= 180 else { throw DataError.invalidOption("--rotate \(rotate): must be in [0, 180]") }
                result.rotate = rotate
            case "crop": result.crop = true
            default:
                throw DataError.invalidOption("--augment: unknown augmentation '\(name)' (known: \(names.joined(separator: ", ")))")
            }
        }
        return result
    }

    /// Draws this sample's transform from `key`. `centerFraction` is the share of the largest centred window of the
    /// output's aspect ratio that the non-crop path keeps (1 for IDX, 0.875 = 224/256 for ImageFolder).
    func transform(sourceWidth: Int, sourceHeight: Int, output: ImageShape, centerFraction: Double,
                   key: SampleKey) -> SampleTransform {
        var g = key.generator()
        var t = SampleTransform.center(sourceWidth: sourceWidth, sourceHeight: sourceHeight,
                                       output: output, fraction: centerFraction)
        if crop { t.crop = SampleTransform.randomResizedCrop(sourceWidth: sourceWidth, sourceHeight: sourceHeight, using: &g) }
        if flip { t.flip = g.nextDouble() < 0.5 }
        if shift > 0 {
            t.shiftX = Int((g.uniform(-shift, shift) * Double(output.width)).rounded())
            t.shiftY = Int((g.uniform(-shift, shift) * Double(output.height)).rounded())
        }
        if rotate > 0 { t.degrees = g.uniform(-rotate, rotate) }
        return t
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self[...]
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
