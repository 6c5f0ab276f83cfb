import Foundation
import CPNG
import CZlib
@testable import CohortData

/// Image fixtures encoded with libjpeg-turbo and libpng in the test itself.
enum ImageFixtures {
    static func jpeg(_ raster: Raster, quality: Int = 95) throws -> [UInt8] { try ImageDecoder.encode(raster, format: .jpeg, quality: quality) }
    static func png(_ raster: Raster) throws -> [UInt8] { try ImageDecoder.encode(raster, format: .png) }

    /// A PNG written by libpng's simplified API in any `PNG_FORMAT_*` (16-bit "linear" formats take `UInt16` samples
    /// via `wide`; colour-mapped formats take a colormap).
    static func png(width: Int, height: Int, format: Int32, bytes: [UInt8] = [], wide: [UInt16] = [], colormap: [UInt8] = [],
                    colormapEntries: Int = 0) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(format)
        image.colormap_entries = UInt32(colormapEntries)
        func write(_ memory: UnsafeMutableRawPointer?, _ size: inout Int) -> Int32 {
            let map = colormap
            return map.withUnsafeBytes { cmap in
                wide.isEmpty
                    ? bytes.withUnsafeBytes { png_image_write_to_memory(&image, memory, &size, 0, $0.baseAddress, 0, colormapEntries > 0 ? cmap.baseAddress : nil) }
                    : wide.withUnsafeBytes { png_image_write_to_memory(&image, memory, &size, 0, $0.baseAddress, 0, nil) }
            }
        }
        var size = 0
        precondition(write(nil, &size) != 0, "png fixture sizing failed")
        var out = [UInt8](repeating: 0, count: size)
        precondition(out.withUnsafeMutableBytes { write($0.baseAddress, &size) } != 0, "png fixture write failed")
        return Array(out[0..<size])
    }

    /// Rewrites the IHDR width/height of a PNG (and its CRC) to claim `width`×`height`.
    static func pngClaiming(_ png: [UInt8], width: Int, height: Int) -> [UInt8] {
        var b = png
        func be(_ v: Int, at i: Int) { b[i] = UInt8(v >> 24 & 255); b[i + 1] = UInt8(v >> 16 & 255); b[i + 2] = UInt8(v >> 8 & 255); b[i + 3] = UInt8(v & 255) }
        be(width, at: 16)
        be(height, at: 20)
        let crc = b[12..<29].withUnsafeBufferPointer { Int(crc32(0, $0.baseAddress, 17)) }
        be(crc, at: 29)
        return b
    }

    /// Rewrites the SOF0 height/width of a baseline JPEG to claim `width`×`height`.
    static func jpegClaiming(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8] {
        var b = jpeg
        var i = 2
        while i + 9 < b.count {
            precondition(b[i] == 0xFF, "unexpected JPEG layout")
            let marker = b[i + 1], length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            if marker == 0xC0 {
                b[i + 5] = UInt8(height >> 8); b[i + 6] = UInt8(height & 255)
                b[i + 7] = UInt8(width >> 8); b[i + 8] = UInt8(width & 255)
                return b
            }
            i += 2 + length
        }
        preconditionFailure("no SOF0 marker")
    }
}
