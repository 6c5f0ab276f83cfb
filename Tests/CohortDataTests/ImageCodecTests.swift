import Testing
import Foundation
import CPNG
@testable import CohortData

@Suite struct ImageCodecTests {
    @Test(arguments: [1, 3])
    func pngRoundTripIsExact(channels: Int) throws {
        let raster = Fixtures.pattern(width: 37, height: 23, channels: channels)
        #expect(try ImageDecoder.decode(ImageFixtures.png(raster), path: "x.png", channels: channels) == raster)
    }

    @Test func jpegRoundTripWithinTolerance() throws {
        // A smooth photo-like image (JPEG is lossy on hard edges, and 4:2:0 halves the chroma resolution).
        var pixels: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { for c in 0..<3 { pixels.append(UInt8(128 + 60 * sin(Double(x) / 7 + Double(c)) * cos(Double(y) / 5))) } } }
        let raster = Raster(width: 64, height: 48, channels: 3, pixels: pixels)
        let decoded = try ImageDecoder.decode(ImageFixtures.jpeg(raster, quality: 95), path: "x.jpg", channels: 3)
        #expect(decoded.width == 64 && decoded.height == 48)
        let diffs = zip(decoded.pixels, raster.pixels).map { abs(Int($0) - Int($1)) }
        #expect(Double(diffs.reduce(0, +)) / Double(diffs.count) < 3, "mean abs error")
        #expect(diffs.max()! < 40)
        let gray = try ImageDecoder.decode(ImageFixtures.jpeg(raster), path: "x.jpg", channels: 1)
        #expect(gray.channels == 1 && gray.pixels.count == 64 * 48)
    }

    @Test func scaledJPEGDecodeKeepsEnoughPixels() throws {
        let raster = Fixtures.pattern(width: 1000, height: 800, channels: 3)
        let bytes = try ImageFixtures.jpeg(raster, quality: 80)
        let scaled = try ImageDecoder.decode(bytes, path: "big.jpg", channels: 3, minimumShortSide: 256)
        #expect(scaled.width == 375 && scaled.height == 300)
        let full = try ImageDecoder.decode(bytes, path: "big.jpg", channels: 3)
        #expect(full.width == 1000 && full.height == 800)
    }

    @Test func grayToRGBReplicates() throws {
        let raster = Fixtures.pattern(width: 10, height: 6, channels: 1)
        let rgb = try ImageDecoder.decode(ImageFixtures.png(raster), path: "g.png", channels: 3)
        for p in 0..<60 { #expect(rgb.pixels[p * 3] == raster.pixels[p] && rgb.pixels[p * 3 + 2] == raster.pixels[p]) }
    }

    @Test func pngGrayAlphaRGBAPalette() throws {
        // Gray+alpha: opaque pixels keep their value, a transparent one becomes black.
        var ga: [UInt8] = []
        for i in 0..<16 { ga += [UInt8(i * 16), i == 5 ? 0 : 255] }
        let gray = try ImageDecoder.decode(ImageFixtures.png(width: 4, height: 4, format: Int32(PNG_FORMAT_FLAG_ALPHA), bytes: ga), path: "ga.png", channels: 1)
        #expect(gray.pixels[3] == 48 && gray.pixels[5] == 0)
        // RGBA read as RGB.
        var rgba: [UInt8] = []
        for i in 0..<16 { rgba += [UInt8(i * 10), 200, 30, 255] }
        let rgb = try ImageDecoder.decode(ImageFixtures.png(width: 4, height: 4, format: Int32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA), bytes: rgba), path: "rgba.png", channels: 3)
        #expect(Array(rgb.pixels[21..<24]) == [70, 200, 30])
        // Palette (colour-mapped) PNG.
        let colormap: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 99, 199]
        let indices: [UInt8] = (0..<16).map { UInt8($0 % 4) }
        let palette = ImageFixtures.png(width: 4, height: 4, format: Int32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_COLORMAP), bytes: indices, colormap: colormap, colormapEntries: 4)
        let decoded = try ImageDecoder.decode(palette, path: "palette.png", channels: 3)
        #expect(Array(decoded.pixels[0..<12]) == colormap)
    }

    @Test func sixteenBitPNG() throws {
        // 16-bit linear gray: 0 → 0, 65535 → 255, linear 0.2158 → sRGB ≈ 128.
        let samples: [UInt16] = [0, 65535, 14143, 65535]
        let bytes = ImageFixtures.png(width: 2, height: 2, format: Int32(PNG_FORMAT_FLAG_LINEAR), wide: samples)
        #expect(bytes[24] == 16, "bit depth in IHDR")
        let gray = try ImageDecoder.decode(bytes, path: "16.png", channels: 1)
        #expect(gray.pixels[0] == 0 && gray.pixels[1] == 255 && abs(Int(gray.pixels[2]) - 128) <= 1)
        let rgb = try ImageDecoder.decode(bytes, path: "16.png", channels: 3)
        #expect(Array(rgb.pixels[3..<6]) == [255, 255, 255])
    }
}
