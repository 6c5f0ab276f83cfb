import CohortRandom
import Testing
@testable import CohortData

@Suite struct AugmentationTests {
    let raster = Fixtures.pattern(width: 20, height: 14, channels: 3)
    var shape: ImageShape { ImageShape(channels: 3, height: 14, width: 20) }

    func render(_ r: Raster, _ t: SampleTransform) -> [Float] {
        var out = [Float](repeating: .nan, count: shape.count)
        out.withUnsafeMutableBufferPointer { Warp.sample(r, map: t.affineMap(width: shape.width, height: shape.height), into: $0, shape: shape, normalization: .unit) }
        return out
    }

    /// Back to 8 bits (exact for outputs of `.unit` normalization on integer source coordinates).
    func toRaster(_ image: [Float]) -> Raster {
        let plane = shape.height * shape.width
        var pixels = [UInt8](repeating: 0, count: shape.count)
        for c in 0..<3 { for p in 0..<plane { pixels[p * 3 + c] = UInt8((image[c * plane + p] * 255).rounded()) } }
        return Raster(width: shape.width, height: shape.height, channels: 3, pixels: pixels)
    }

    func original(_ c: Int, _ y: Int, _ x: Int) -> Float { Float(raster.pixels[(y * raster.width + x) * 3 + c]) / 255 }

    @Test func identityCopiesPixelsExactly() {
        let out = render(raster, .whole(sourceWidth: 20, sourceHeight: 14))
        for c in 0..<3 { for y in 0..<14 { for x in 0..<20 { #expect(out[(c * 14 + y) * 20 + x] == original(c, y, x)) } } }
    }

    @Test func flipTwiceIsIdentity() {
        var flip = SampleTransform.whole(sourceWidth: 20, sourceHeight: 14)
        flip.flip = true
        let once = render(raster, flip)
        #expect(once != render(raster, .whole(sourceWidth: 20, sourceHeight: 14)))
        #expect(once[5] == original(0, 0, 14))
        #expect(render(toRaster(once), flip) == render(raster, .whole(sourceWidth: 20, sourceHeight: 14)))
    }

    @Test func zeroRotateAndShiftAreIdentity() {
        let plain = render(raster, .whole(sourceWidth: 20, sourceHeight: 14))
        let augment = Augmentation(flip: false, shift: 0, rotate: 0, crop: false)
        for i in 0..<5 {
            let t = augment.transform(sourceWidth: 20, sourceHeight: 14, output: shape, centerFraction: 1, key: SampleKey(seed: 3, epoch: 1, index: i))
            #expect(render(raster, t) == plain)
        }
        var t = SampleTransform.whole(sourceWidth: 20, sourceHeight: 14)
        t.degrees = 0
        t.shiftX = 0
        #expect(render(raster, t) == plain)
    }

    @Test(arguments: [(3, -2), (-5, 4), (0, 1), (19, 0)])
    func shiftMovesContentExactly(dx: Int, dy: Int) {
        var t = SampleTransform.whole(sourceWidth: 20, sourceHeight: 14)
        t.shiftX = dx
        t.shiftY = dy
        let out = render(raster, t)
        for c in 0..<3 {
            for y in 0..<14 {
                for x in 0..<20 {
                    let sx = x - dx, sy = y - dy
                    let expected: Float = (0..<20).contains(sx) && (0..<14).contains(sy) ? original(c, sy, sx) : 0
                    #expect(out[(c * 14 + y) * 20 + x] == expected)
                }
            }
        }
    }

    @Test func rotate180IsDoubleFlip() {
        let square = Fixtures.pattern(width: 12, height: 12, channels: 1)
        let s = ImageShape(channels: 1, height: 12, width: 12)
        var t = SampleTransform.whole(sourceWidth: 12, sourceHeight: 12)
        t.degrees = 180
        var out = [Float](repeating: 0, count: 144)
        out.withUnsafeMutableBufferPointer { Warp.sample(square, map: t.affineMap(width: 12, height: 12), into: $0, shape: s, normalization: .unit) }
        for y in 0..<12 { for x in 0..<12 { #expect(abs(out[y * 12 + x] - Float(square.pixels[(11 - y) * 12 + 11 - x]) / 255) < 1e-4) } }
    }

    @Test func sameKeySameTransformDifferentKeysDiffer() throws {
        let augment = try Augmentation.parse("flip,shift,rotate,crop", shift: 0.1, rotate: 15)
        let key = SampleKey(seed: 9, epoch: 2, index: 17)
        let a = augment.transform(sourceWidth: 500, sourceHeight: 375, output: shape, centerFraction: 0.875, key: key)
        #expect(a == augment.transform(sourceWidth: 500, sourceHeight: 375, output: shape, centerFraction: 0.875, key: key))
        let others = (0..<20).map { augment.transform(sourceWidth: 500, sourceHeight: 375, output: shape, centerFraction: 0.875, key: SampleKey(seed: 9, epoch: 2, index: $0)) }
        #expect(Set(others.map(\.degrees)).count == 20)
        #expect(Set(others.map(\.flip)).count == 2)
        let nextEpoch = augment.transform(sourceWidth: 500, sourceHeight: 375, output: shape, centerFraction: 0.875, key: SampleKey(seed: 9, epoch: 3, index: 17))
        #expect(nextEpoch != a)
    }

    @Test func randomResizedCropStaysInside() {
        for i in 0..<500 {
            var g = SampleKey(seed: 1, epoch: 0, index: i).generator()
            let (w, h) = i % 2 == 0 ? (500, 375) : (40, 300)
            let c = SampleTransform.randomResizedCrop(sourceWidth: w, sourceHeight: h, using: &g)
            #expect(c.x >= 0 && c.y >= 0 && c.width > 0 && c.height > 0 && c.x + c.width <= Double(w) && c.y + c.height <= Double(h))
            if i % 2 == 0 { #expect(c.width * c.height >= 0.07 * Double(w * h)) }
        }
    }

    @Test func parse() throws {
        #expect(try Augmentation.parse("", shift: 0.1, rotate: 15) == .none)
        #expect(try Augmentation.parse("flip, shift", shift: 0.2, rotate: 15) == Augmentation(flip: true, shift: 0.2))
        #expect(try Augmentation.parse("rotate,crop", shift: 0.1, rotate: 10) == Augmentation(rotate: 10, crop: true))
        let message = Fixtures.errorMessage { _ = try Augmentation.parse("flip,zoom", shift: 0.1, rotate: 15) }
        #expect(message?.contains("zoom") == true, "\(message ?? "no error")")
    }

    @Test func centerCropKeepsAspect() {
        let t = SampleTransform.center(sourceWidth: 500, sourceHeight: 375, output: ImageShape(channels: 3, height: 224, width: 224), fraction: 0.875)
        #expect(abs(t.crop.width - 375 * 0.875) < 1e-9 && abs(t.crop.height - 375 * 0.875) < 1e-9)
        #expect(abs(t.crop.x + t.crop.width / 2 - 250) < 1e-9 && abs(t.crop.y + t.crop.height / 2 - 187.5) < 1e-9)
    }
}
